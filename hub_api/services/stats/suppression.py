"""Small-cell suppression: no published figure lets a reader single out an officer.

A cell is one row of a statistic (or its total): published values plus the raw counts that
rates and averages divide by. The rules, with k the minimum cell size:

1. A count from 1 to k-1 is hidden; zero is published.
2. Complementary: for each count, if exactly one row hides it, the smallest published row hides
   it as well; if the hidden rows of a count together hold fewer than k, the total hides it too.
3. Tied counts, which a reader knows to be equal or to move together (people trained and
   completions), are hidden together.
4. Rows split by gender: a female row's `women` is its `completed`, and the `women` total is the
   sum of the female rows' completions. So completions are protected within the female rows
   (against the `women` total) and within the other rows (against `completed` − `women`) too.
5. A rate or average is hidden when the count it divides by is below k, or when a count it is
   computed from is hidden (else the hidden count could be worked back from the rate). If only
   one row hides it, the row with the next smallest divisor hides it too.
Rules 2 to 4 repeat until nothing more is hidden.
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
    """Which published values are counts of people, which are derived, and which are tied."""

    counts: tuple[str, ...]
    derived: tuple[Derived, ...]
    ties: tuple[tuple[str, str], ...] = ()


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


def _protected(rows: list[Cell], name: str, k: int) -> bool:
    """Give a lone hidden value a partner among `rows`; True when two or more hide at least k in all.

    False means the sum of `rows` (a total) must be hidden too: it would reveal them."""
    hidden = [row for row in rows if name in row.hidden]
    if not hidden:
        return True
    if len(hidden) == 1:
        candidates = [row for row in rows if name not in row.hidden]
        if candidates:
            # The smallest published value, preferring a non-zero one (a hidden zero protects nothing).
            partner = min(candidates, key=lambda row: (row.values[name] == 0, row.values[name]))
            partner.hidden.add(name)
            hidden.append(partner)
    return len(hidden) >= 2 and sum(row.values[name] for row in hidden) >= k


def _tie(cell: Cell, ties) -> None:
    for first, second in ties:
        if first in cell.hidden or second in cell.hidden:
            cell.hidden.update((first, second))


def _protect_gender_split(rows: list[Cell], total: Cell, female: list[Cell], k: int) -> None:
    """Completions within the female rows and within the others, whose sums the totals reveal."""
    women_rows = {id(row) for row in female}
    others = [row for row in rows if id(row) not in women_rows]
    for row in female:  # a female row's women are its completions
        _tie(row, (("women", "completed"),))
    if not _protected(female, "completed", k):
        total.hidden.add("women")
        if not any("completed" in row.hidden for row in others):
            total.hidden.add("completed")  # else women = completed − the other rows
    for row in female:
        _tie(row, (("women", "completed"),))
    if not _protected(others, "completed", k):
        total.hidden.add("completed")


def _hide_derived(cell: Cell, rules: Rules, k: int) -> None:
    for rate in rules.derived:
        too_few = rate.divisor is not None and cell.bases[rate.divisor] < k
        if too_few or any(name in cell.hidden for name in rate.inputs):
            cell.hidden.add(rate.name)


def _complement_derived(rows: list[Cell], rules: Rules) -> None:
    for rate in rules.derived:
        hidden = [row for row in rows if rate.name in row.hidden]
        shown = [row for row in rows if rate.name not in row.hidden and row.values[rate.name] is not None]
        if len(hidden) == 1 and shown and rate.divisor is not None:
            min(shown, key=lambda row: row.bases[rate.divisor]).hidden.add(rate.name)


def _hidden_count(cells) -> int:
    return sum(len(cell.hidden) for cell in cells)


def suppress(
    rows: list[Cell], total: Cell, rules: Rules, k: int | None, *, female: list[Cell] | None = None
) -> None:
    """Mark the values to hide in `rows` and `total` (in place); k=None publishes everything.

    `female` lists the rows of women when the rows are split by gender (rule 4)."""
    if k is None:
        return
    cells = (*rows, total)
    for cell in cells:
        _hide_small_counts(cell, rules, k)
    while True:
        before = _hidden_count(cells)
        for cell in cells:
            _tie(cell, rules.ties)
        for name in rules.counts:
            if not _protected(rows, name, k):
                total.hidden.add(name)
        if female is not None:
            _protect_gender_split(rows, total, female, k)
        if _hidden_count(cells) == before:
            break
    for cell in cells:
        _hide_derived(cell, rules, k)
    _complement_derived(rows, rules)
