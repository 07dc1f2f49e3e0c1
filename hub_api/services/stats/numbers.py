"""Exact rounding of the published rates and averages."""

from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = 4
AVERAGE_PLACES = 2


def ratio(numerator, denominator, places: int) -> float | None:
    """numerator / denominator rounded half-up to `places` decimals; None when the divisor is zero."""
    if not denominator:
        return None
    quotient = Decimal(int(numerator)) / Decimal(int(denominator))
    return float(quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
