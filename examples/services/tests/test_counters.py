"""Counters in Redis: INCR on fixed keys, exact values expected."""

import pytest

from shop import cache


def test_first_page_view_is_1(clean_redis, pause):
    assert cache.count_page_view(clean_redis) == 1
    pause()
    assert cache.page_views(clean_redis) == 1


@pytest.mark.parametrize("n", [2, 5, 20])
def test_page_views_add_up(clean_redis, pause, n):
    for _ in range(n):
        cache.count_page_view(clean_redis)
    pause()
    assert cache.page_views(clean_redis) == n


def test_no_page_views_yet(clean_redis, pause):
    pause()
    assert cache.page_views(clean_redis) == 0


def test_invoice_numbers_start_at_1(clean_redis, pause):
    first = cache.next_invoice_number(clean_redis)
    pause()
    assert first == "INV-00001"


def test_invoice_numbers_follow_each_other(clean_redis, pause):
    numbers = []
    for _ in range(3):
        numbers.append(cache.next_invoice_number(clean_redis))
        pause(0.01)
    assert numbers == ["INV-00001", "INV-00002", "INV-00003"]


def test_rate_limit_lets_three_through(clean_redis, pause):
    results = [cache.allow_request(clean_redis, "10.0.0.1") for _ in range(3)]
    pause()
    results.append(cache.allow_request(clean_redis, "10.0.0.1"))
    assert results == [True, True, True, False]


def test_rate_limit_is_per_client(clean_redis, pause):
    for _ in range(3):
        cache.allow_request(clean_redis, "10.0.0.1")
    pause()
    assert cache.allow_request(clean_redis, "10.0.0.2")


def test_rate_limit_window_expires(clean_redis, pause):
    cache.allow_request(clean_redis, "10.0.0.1")
    pause()
    assert 0 < clean_redis.ttl("ratelimit:10.0.0.1") <= 60


def test_leaderboard(clean_redis, pause):
    cache.record_score(clean_redis, "ann", 30)
    cache.record_score(clean_redis, "bob", 50)
    cache.record_score(clean_redis, "cy", 10)
    cache.record_score(clean_redis, "ann", 25)
    pause()
    assert cache.top_players(clean_redis) == [("ann", 55), ("bob", 50), ("cy", 10)]


def test_leaderboard_top_one(clean_redis, pause):
    cache.record_score(clean_redis, "dee", 5)
    pause()
    assert cache.top_players(clean_redis, 1) == [("dee", 5)]


def test_counters_are_the_only_keys(clean_redis, pause):
    cache.count_page_view(clean_redis)
    cache.next_invoice_number(clean_redis)
    pause()
    assert sorted(clean_redis.keys("*")) == ["seq:invoice", "stats:page_views"]
