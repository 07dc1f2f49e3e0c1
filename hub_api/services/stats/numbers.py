"""Exact rounding of the published rates and averages."""

RATE_PLACES = 4
AVERAGE_PLACES = 2


def ratio(numerator, denominator, places: int) -> float | None:
    """numerator / denominator rounded half away from zero to `places` decimals; None for a zero divisor.

    Integer arithmetic: exact, and cheap over tens of thousands of rows."""
    numerator, denominator = int(numerator), int(denominator)
    if not denominator:
        return None
    negative = (numerator < 0) != (denominator < 0)
    scale = 10**places
    units = (2 * abs(numerator) * scale + abs(denominator)) // (2 * abs(denominator))
    return (-units if negative else units) / scale
