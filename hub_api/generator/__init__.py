"""Realistic synthetic data at scale, for dashboards and benchmarks: `hub-api generate --scale N`."""

from hub_api.generator.guard import GeneratorRefused
from hub_api.generator.run import DEFAULT_SEED, Report, generate

__all__ = ["DEFAULT_SEED", "GeneratorRefused", "Report", "generate"]
