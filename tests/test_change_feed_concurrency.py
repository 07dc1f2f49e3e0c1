"""The change feed under concurrent writers on PostgreSQL: nothing missed, nothing twice.

Entry ids are taken when a row is inserted but become visible when its transaction commits, so
they arrive out of order. A feed that pages by "id greater than the last one seen" skips the
rows of a transaction that took its ids early and committed late; both tests below build that
interleaving, the first step by step, the second at random with real threads.
"""

import random
import threading
import time
import uuid

import pytest
from sqlalchemy.orm import Session

from hub_api.models import Institution
from hub_api.models.enums import InstitutionKind
from tests.feed import Feed

pytestmark = pytest.mark.postgresql_only

WRITERS, TRANSACTIONS = 4, 15


def institution() -> Institution:
    code = f"C{uuid.uuid4().hex[:10].upper()}"
    return Institution(code=code, name={"en": code}, kind=InstitutionKind.ACADEMY, country="KZ")


def institutions_seen(entries: list[tuple]) -> list[int]:
    return [object_id for kind, object_id, op in entries if kind == "institution" and op == "created"]


@pytest.fixture
def feed(client, engine) -> Feed:
    return Feed(client, engine)


def test_a_transaction_that_commits_late_is_not_skipped(feed, admin, engine):
    start = feed.now(admin.headers)
    early, late = Session(engine), Session(engine)
    try:
        slow = institution()
        early.add(slow)
        early.flush()  # takes the lower entry id, and holds its transaction open
        quick = institution()
        late.add(quick)
        late.flush()
        expected = sorted([slow.id, quick.id])
        late.commit()  # the higher entry id is visible first

        first, cursor = feed.walk(admin.headers, after=start, settle=False)
        early.commit()
        rest, _ = feed.walk(admin.headers, after=cursor)
    finally:
        early.close()
        late.close()

    # Paging by id alone would have returned `quick` first and then never `slow`.
    assert institutions_seen(first) == []  # the open transaction holds the page back
    assert sorted(institutions_seen(first + rest)) == expected


def test_concurrent_writers_and_a_walking_reader_agree(feed, app, admin, engine):
    start = feed.now(admin.headers)
    committed, lock, done = [], threading.Lock(), threading.Event()
    failures = []

    def write(seed: int) -> None:
        chance = random.Random(seed)
        try:
            for _ in range(TRANSACTIONS):
                with Session(engine) as session:
                    row = institution()
                    session.add(row)
                    session.flush()
                    time.sleep(chance.uniform(0, 0.02))  # ids taken now, visible at commit
                    if chance.random() < 0.2:
                        session.rollback()
                        continue
                    row_id = row.id
                    session.commit()
                    with lock:
                        committed.append(row_id)
        except Exception as exc:  # reported below, not lost in the thread
            failures.append(exc)

    seen, cursor = [], start
    reader = Feed(app.test_client(), engine)

    def read() -> None:
        nonlocal cursor
        try:
            while not done.is_set():
                entries, cursor = reader.walk(admin.headers, after=cursor, settle=False, limit=5)
                seen.extend(entries)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    walker = threading.Thread(target=read)
    walker.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    walker.join(timeout=60)
    seen += feed.walk(admin.headers, after=cursor)[0]

    assert failures == []
    ids = institutions_seen(seen)
    assert len(ids) == len(set(ids)), "an entry was read twice"
    assert sorted(ids) == sorted(committed), "an entry was missed, or a rolled-back one read"
    assert len(committed) > WRITERS * TRANSACTIONS // 2
