"""The cache of rendered statistics: least recently used out first, within its byte budget."""

from hub_api.services.stats.results import Rendered, ResultCache


def body(size: int) -> Rendered:
    return Rendered(b"x" * size, "application/json")


def test_an_entry_is_found_under_its_key():
    cache = ResultCache(100)
    cache.put("a", body(10))

    assert cache.get("a") == body(10)
    assert cache.get("b") is None


def test_the_least_recently_used_entry_leaves_when_the_budget_is_exceeded():
    cache = ResultCache(100)
    cache.put("a", body(40))
    cache.put("b", body(40))
    cache.get("a")  # now "b" is the least recently used
    cache.put("c", body(40))

    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_replacing_an_entry_frees_the_room_of_the_old_one():
    cache = ResultCache(100)
    cache.put("a", body(60))
    cache.put("a", body(60))
    cache.put("b", body(40))

    assert cache.get("a") is not None and cache.get("b") is not None


def test_a_body_over_the_budget_is_not_kept_and_evicts_nothing():
    cache = ResultCache(100)
    cache.put("a", body(50))
    cache.put("big", body(101))

    assert cache.get("big") is None
    assert cache.get("a") is not None


def test_clear_forgets_everything():
    cache = ResultCache(100)
    cache.put("a", body(10))
    cache.clear()
    cache.put("b", body(100))  # the whole budget is free again

    assert cache.get("a") is None
    assert cache.get("b") is not None
