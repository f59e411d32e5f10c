"""Carts, counters and a product cache in Redis, read from REDIS_URL.

Key names are fixed, as in most apps: `cart:<user id>`, `stats:page_views`,
`seq:invoice`, `product:<sku>`, `ratelimit:<client>`, `leaderboard`.
"""

import json
import os

import redis

from shop.db import ConfigError


def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        raise ConfigError(
            "REDIS_URL is not set: point it at a Redis server, e.g. REDIS_URL=redis://127.0.0.1:6379/0 "
            "(blitz sets it for each slot from tox.ini's [blitz:service:redis])"
        )
    return url


def connect(url=None):
    return redis.Redis.from_url(url or redis_url(), decode_responses=True)


# carts: a hash of sku -> quantity per user

def cart_key(user_id):
    return f"cart:{user_id}"


def add_to_cart(r, user_id, sku, quantity=1):
    return r.hincrby(cart_key(user_id), sku, quantity)


def remove_from_cart(r, user_id, sku):
    r.hdel(cart_key(user_id), sku)


def get_cart(r, user_id):
    return {sku: int(n) for sku, n in r.hgetall(cart_key(user_id)).items()}


def cart_size(r, user_id):
    return sum(get_cart(r, user_id).values())


def clear_cart(r, user_id):
    r.delete(cart_key(user_id))


# counters

def count_page_view(r):
    return r.incr("stats:page_views")


def page_views(r):
    return int(r.get("stats:page_views") or 0)


def next_invoice_number(r):
    return f"INV-{r.incr('seq:invoice'):05d}"


def allow_request(r, client, limit=3, window_seconds=60):
    """A fixed-window rate limit: the first `limit` requests in a window pass."""
    key = f"ratelimit:{client}"
    with r.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, window_seconds, nx=True)
        count, _ = pipe.execute()
    return count <= limit


def record_score(r, player, points):
    return r.zincrby("leaderboard", points, player)


def top_players(r, n=3):
    return [(name, int(score)) for name, score in r.zrevrange("leaderboard", 0, n - 1, withscores=True)]


# a read-through cache of products in front of the database

def cached_product(r, db, sku, ttl=300):
    key = f"product:{sku}"
    hit = r.get(key)
    if hit is not None:
        return json.loads(hit)
    row = db.one("SELECT sku, name, price_cents FROM products WHERE sku = %s", (sku,))
    if row is None:
        return None
    product = {"sku": row[0], "name": row[1], "price_cents": row[2]}
    r.set(key, json.dumps(product), ex=ttl)
    return product


def invalidate_product(r, sku):
    r.delete(f"product:{sku}")
