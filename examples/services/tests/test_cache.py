"""Carts and the product cache in Redis: fixed key names, an empty Redis per test."""

import pytest

from shop import cache, models


def test_redis_starts_empty(clean_redis, pause):
    pause()
    assert clean_redis.dbsize() == 0


def test_add_to_cart(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    pause()
    assert cache.get_cart(clean_redis, 42) == {"MUG": 1}


def test_adding_twice_adds_up(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    cache.add_to_cart(clean_redis, 42, "MUG", 2)
    pause()
    assert cache.get_cart(clean_redis, 42) == {"MUG": 3}


def test_cart_with_several_products(clean_redis, pause):
    for sku, n in [("MUG", 1), ("PEN", 5), ("HAT", 2)]:
        cache.add_to_cart(clean_redis, 42, sku, n)
    pause()
    assert cache.get_cart(clean_redis, 42) == {"MUG": 1, "PEN": 5, "HAT": 2}
    assert cache.cart_size(clean_redis, 42) == 8


def test_remove_from_cart(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    cache.add_to_cart(clean_redis, 42, "PEN")
    cache.remove_from_cart(clean_redis, 42, "MUG")
    pause()
    assert cache.get_cart(clean_redis, 42) == {"PEN": 1}


def test_clear_cart(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    cache.clear_cart(clean_redis, 42)
    pause()
    assert cache.get_cart(clean_redis, 42) == {}


def test_carts_are_per_user(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    cache.add_to_cart(clean_redis, 7, "PEN", 3)
    pause()
    assert cache.get_cart(clean_redis, 42) == {"MUG": 1}
    assert cache.get_cart(clean_redis, 7) == {"PEN": 3}


def test_a_cart_is_one_key(clean_redis, pause):
    cache.add_to_cart(clean_redis, 42, "MUG")
    cache.add_to_cart(clean_redis, 42, "PEN")
    pause()
    assert clean_redis.keys("*") == ["cart:42"]


def test_new_users_cart_is_empty(clean_redis, pause):
    pause()
    assert cache.cart_size(clean_redis, 42) == 0


@pytest.mark.parametrize("n", [1, 3, 10])
def test_cart_size(clean_redis, pause, n):
    for i in range(n):
        cache.add_to_cart(clean_redis, 42, f"SKU{i}")
    pause()
    assert cache.cart_size(clean_redis, 42) == n


@pytest.fixture
def catalog(clean_db, clean_redis):
    models.create_product(clean_db, "MUG", "Mug", 1200, stock=5)
    return clean_db, clean_redis


def test_product_cache_miss_then_hit(catalog, pause):
    db, r = catalog
    assert cache.cached_product(r, db, "MUG") == {"sku": "MUG", "name": "Mug", "price_cents": 1200}
    pause()
    with db.count_queries() as queries:
        assert cache.cached_product(r, db, "MUG")["price_cents"] == 1200
    assert queries.count == 0


def test_product_cache_has_a_ttl(catalog, pause):
    db, r = catalog
    cache.cached_product(r, db, "MUG", ttl=60)
    pause()
    assert 0 < r.ttl("product:MUG") <= 60


def test_stale_cache_until_invalidated(catalog, pause):
    db, r = catalog
    cache.cached_product(r, db, "MUG")
    db.execute("UPDATE products SET price_cents = 1500 WHERE sku = 'MUG'")
    pause()
    assert cache.cached_product(r, db, "MUG")["price_cents"] == 1200
    cache.invalidate_product(r, "MUG")
    assert cache.cached_product(r, db, "MUG")["price_cents"] == 1500


def test_unknown_product_is_not_cached(catalog, pause):
    db, r = catalog
    assert cache.cached_product(r, db, "NOPE") is None
    pause()
    assert r.dbsize() == 0
