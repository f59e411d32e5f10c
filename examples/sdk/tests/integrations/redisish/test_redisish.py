import pytest

redisish = pytest.importorskip("redisish")

from beacon.integrations import auto_integrations, setup_integrations  # noqa: E402
from beacon.integrations.redisish import MAX_KEY, RedisishIntegration, describe  # noqa: E402
from beacon.utils import parse_version  # noqa: E402

VERSION = parse_version(redisish.__version__)


@pytest.fixture(autouse=True)
def integration():
    setup_integrations([RedisishIntegration()])


@pytest.fixture
def db():
    return redisish.Redis(db=3)


def crumbs(hub, transport):
    hub.capture_message("check")
    return transport.events[-1].get("breadcrumbs", [])


def test_detected():
    assert "redisish" in [i.identifier for i in auto_integrations()]


@pytest.mark.parametrize("args,text", [(("get", "k"), "GET k"), (("SET", "a", 1), "SET a"),
                                       (("PING",), "PING"), (("get", "x" * 100), "GET " + "x" * (MAX_KEY - 3) + "...")])
def test_describe(args, text):
    assert describe(args) == text


def test_commands_work(hub, db):
    db.set("a", "1")
    assert db.get("a") == "1" and db.incr("n") == 1 and db.delete("a") == 1


def test_breadcrumbs(hub, transport, db):
    db.set("user:1", "x")
    db.get("user:1")
    recorded = [(c["category"], c["message"], c["data"]["db"]) for c in crumbs(hub, transport)]
    assert recorded == [("redis", "SET user:1", 3), ("redis", "GET user:1", 3)]


@pytest.mark.skipif(VERSION >= (5,), reason="StrictRedis is gone in redisish 5")
def test_strict_redis_alias():
    assert redisish.StrictRedis is redisish.Redis


@pytest.mark.skipif(VERSION < (5,), reason="pipelines arrive with redisish 5")
def test_pipeline(hub, transport, db):
    results = db.pipeline().set("a", 1).incr("b").get("a").execute()
    assert results == [True, 1, 1]
    categories = [c["category"] for c in crumbs(hub, transport)]
    assert categories == ["redis.pipeline", "redis", "redis", "redis"]


def test_breadcrumbs_are_bounded(hub, transport, db):
    for i in range(20000):
        db.incr("counter")
    assert db.get("counter") == 20000
    assert len(hub.scope.breadcrumbs) == 100
    sent = crumbs(hub, transport)  # the serializer cuts long lists: 50 and a marker
    assert len(sent) == 51 and sent[-1] == "... 50 more"
