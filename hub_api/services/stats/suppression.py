"""Small-cell suppression: no published figure lets a reader single out an officer.

A cell is one row of a statistic (or its total): published values plus the raw counts that
rates and averages divide by. The rules, with k the minimum cell size:

1. A count from 1 to k-1 is hidden; zero is published.
2. A rate or average is hidden when the count it divides by is below k, or when a count it is
   computed from is hidden (else the hidden count could be worked back from the rate).
3. Complementary: for each count, if exactly one row hides it, the smallest published row hides
   it as well; if the hidden rows of a count together hold fewer than k, the total hides it too.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Derived:
    """A rate or average: hidden when its `divisor` count is below k, or when one of `inputs` is hidden.

    A divisor of None (a target set by people, not a count of them) is never too small."""

    name: str
    divisor: str | None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Which published values are counts of people and which are derived from them."""

    counts: tuple[str, ...]
    derived: tuple[Derived, ...]


@dataclass
class Cell:
    """One row of a statistic: `values` to publish and `bases`, the raw divisors (never published)."""

    values: dict
    bases: dict
    hidden: set = field(default_factory=set)

    def published(self) -> dict:
        """The values with hidden ones as None, plus the `suppressed` list in key order."""
        shown = {key: (None if key in self.hidden else value) for key, value in self.values.items()}
        shown["suppressed"] = [key for key in self.values if key in self.hidden]
        return shown


def _hide_small_counts(cell: Cell, rules: Rules, k: int) -> None:
    for name in rules.counts:
        if 0 < cell.values[name] < k:
            cell.hidden.add(name)


def _complement(rows: list[Cell], total: Cell, name: str, k: int) -> None:
    hidden = [row for row in rows if name in row.hidden]
    if not hidden:
        return
    if len(hidden) == 1:
        candidates = [row for row in rows if name not in row.hidden]
        if candidates:
            # The smallest published value, preferring a non-zero one (a hidden zero protects nothing).
            partner = min(candidates, key=lambda row: (row.values[name] == 0, row.values[name]))
            partner.hidden.add(name)
            hidden.append(partner)
    if sum(row.values[name] for row in hidden) < k:
        total.hidden.add(name)


def _hide_derived(cell: Cell, rules: Rules, k: int) -> None:
    for rate in rules.derived:
        too_few = rate.divisor is not None and cell.bases[rate.divisor] < k
        if too_few or any(name in cell.hidden for name in rate.inputs):
            cell.hidden.add(rate.name)


def suppress(rows: list[Cell], total: Cell, rules: Rules, k: int | None) -> None:
    """Mark the values to hide in `rows` and `total` (in place); k=None publishes everything."""
    if k is None:
        return
    for cell in (*rows, total):
        _hide_small_counts(cell, rules, k)
    for name in rules.counts:
        _complement(rows, total, name, k)
    for cell in (*rows, total):
        _hide_derived(cell, rules, k)
