"""The app's configuration: no server needed."""

import pytest

from shop import cache, db, models


def test_database_url_is_required(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(db.ConfigError, match="DATABASE_URL is not set"):
        db.database_url()


def test_redis_url_is_required(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(db.ConfigError, match="REDIS_URL is not set"):
        cache.redis_url()


def test_database_url_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/postgres")
    assert db.database_url() == "postgresql://postgres@127.0.0.1:1/postgres"


def test_redis_url_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert cache.redis_url() == "redis://127.0.0.1:1/0"


@pytest.mark.parametrize("user_id, key", [(42, "cart:42"), (7, "cart:7"), ("guest", "cart:guest")])
def test_cart_key(user_id, key):
    assert cache.cart_key(user_id) == key


def test_an_empty_order_is_refused():
    with pytest.raises(ValueError):
        models.place_order(None, customer_id=1, items=[])


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="unknown status"):
        models.set_status(None, 1, "lost")
