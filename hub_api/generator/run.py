"""`generate`: plan the synthetic data set, write it in one transaction, record it, and analyse it."""

import random
import time
from dataclasses import dataclass

import sqlalchemy as sa

from hub_api import audit
from hub_api.database import lift_timeouts
from hub_api.extensions import db
from hub_api.generator import guard
from hub_api.generator.context import TIME_FORMAT, Context
from hub_api.generator.plan import ID_TABLES, plan_tables
from hub_api.generator.writers import analyze, writer_for
from hub_api.models import Country
from hub_api.models.base import utcnow

DEFAULT_SEED = 1
MAX_SEED = 999_999  # keeps the generated codes within their columns


@dataclass(frozen=True)
class Report:
    """What a run wrote, under which prefix, and how long it took."""

    prefix: str
    counts: dict[str, int]
    seconds: float

    def __str__(self) -> str:
        lines = [f"Generated {self.prefix}:"]
        lines.extend(f"  {count:>11,}  {table}" for table, count in self.counts.items())
        lines.append(f"  {sum(self.counts.values()):>11,}  rows in {self.seconds:.1f} s")
        return "\n".join(lines)


def generate(scale: int, *, seed: int = DEFAULT_SEED, force: bool = False) -> Report:
    """Add a synthetic data set for `scale` participants to the app's database, all or nothing.

    Refuses (GeneratorRefused) when the database holds data the generator did not make, unless forced."""
    if scale < 1:
        raise ValueError("The scale is the number of participants; it must be at least 1.")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"The seed must be a whole number from 0 to {MAX_SEED}.")
    started = time.perf_counter()
    session = db.session
    try:
        guard.ensure_only_generated(session, force=force)
        run = guard.next_run(session)
        lift_timeouts(session.connection())
        writer = writer_for(session.connection())
        now = utcnow()
        ctx = Context(
            rng=random.Random(f"{seed}-{run}"),  # noqa: S311 - synthetic data, reproducible by design
            prefix=f"{guard.PREFIX}{seed}-{run}",
            today=now.date(),
            now=now.strftime(TIME_FORMAT),
            countries=dict(session.execute(sa.select(Country.code, Country.name)).all()),
            first_ids={table: writer.first_free_id(table) for table in ID_TABLES},
        )
        counts = {table.name: writer.write(table) for table in plan_tables(ctx, scale)}
        writer.finish(ID_TABLES)
        audit.record(
            guard.ACTION,
            object_type="database",
            details={"scale": scale, "seed": seed, "run": run, "prefix": ctx.prefix, "counts": counts},
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    analyze(session, counts)
    return Report(ctx.prefix, counts, time.perf_counter() - started)
