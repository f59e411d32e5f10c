import os

import redis


def test_fails_once_and_leaves_a_key():
    r = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert not r.exists("left-by-an-earlier-attempt")
    r.set("left-by-an-earlier-attempt", 1)
    if not os.path.exists("attempted"):
        open("attempted", "w").close()
        raise AssertionError("the first attempt fails")
