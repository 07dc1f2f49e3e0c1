"""What every planner shares: the seeded random source, the run's prefix, dates and first free ids."""

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import NormalDist

# Values are written as the databases read them back: dates as ISO text, moments as UTC text in
# SQLAlchemy's SQLite format (PostgreSQL reads it in the UTC session the writer sets), JSON as text.
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass
class Context:
    """The state of one generation run, passed to every planner."""

    rng: random.Random
    prefix: str
    today: date
    now: str
    countries: dict[str, dict]
    first_ids: dict[str, int]

    @property
    def stamp(self) -> tuple[str, str, int]:
        """created_at, updated_at and version of a new row."""
        return (self.now, self.now, 1)


def stored_time(day: date, clock: time = time.min) -> str:
    """A UTC moment as the writers store it."""
    return datetime.combine(day, clock).strftime(TIME_FORMAT)


def json_text(value) -> str:
    """JSON as the app stores it: real UTF-8, not escapes."""
    return json.dumps(value, ensure_ascii=False)


def search_text(*parts: str | None) -> str:
    """The case-folded text the models' events compute for `q` searches."""
    return " ".join(part.casefold() for part in parts if part)


def bilingual(english: str, russian: str) -> dict:
    """A multilingual name or title in English and Russian."""
    return {"en": english, "ru": russian}


def random_day(rng: random.Random, first: date, last: date) -> date:
    """A day from `first` to `last`, both included."""
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def weighted_sample(rng: random.Random, items: list, weights: list[float], count: int) -> list:
    """`count` distinct items (fewer if there are not enough), drawn by weight."""
    chosen: list = []
    while len(chosen) < min(count, len(items)):
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


class Lottery:
    """Draws in constant time from a thousand tickets, shared out to follow a distribution."""

    TICKETS = 1000

    def __init__(self, tickets: Iterable):
        self.tickets = tuple(tickets)

    @classmethod
    def weighted(cls, weights: dict) -> "Lottery":
        """Each item with tickets in proportion to its weight."""
        total = sum(weights.values())
        return cls(
            item for item, weight in weights.items() for _ in range(round(cls.TICKETS * weight / total))
        )

    @classmethod
    def normal(cls, mean: float, deviation: float, low: int, high: int) -> "Lottery":
        """Whole numbers from `low` to `high`, spread normally around `mean`."""
        spread = NormalDist(mean, deviation)
        quantiles = (spread.inv_cdf((n + 0.5) / cls.TICKETS) for n in range(cls.TICKETS))
        return cls(min(high, max(low, round(value))) for value in quantiles)

    def draw(self, rng: random.Random):
        """One ticket."""
        return self.tickets[int(rng.random() * len(self.tickets))]
