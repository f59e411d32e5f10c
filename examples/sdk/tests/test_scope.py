import pytest

from beacon.scope import Scope


@pytest.fixture
def scope():
    return Scope(max_breadcrumbs=5)


def test_tags_are_strings(scope):
    scope.set_tag("n", 3)
    assert scope.apply({})["tags"] == {"n": "3"}


def test_event_tags_win(scope):
    scope.set_tag("a", "scope")
    assert scope.apply({"tags": {"a": "event"}})["tags"] == {"a": "event"}


def test_remove_tag(scope):
    scope.set_tag("a", 1)
    scope.remove_tag("a")
    scope.remove_tag("missing")
    assert scope.apply({})["tags"] == {}


def test_extra(scope):
    scope.set_extra("k", [1])
    assert scope.apply({"extra": {"j": 2}})["extra"] == {"k": [1], "j": 2}


def test_user(scope):
    scope.set_user({"id": 1})
    assert scope.apply({})["user"] == {"id": 1}
    scope.set_user(None)
    assert "user" not in scope.apply({})


def test_transaction_does_not_override(scope):
    scope.transaction = "/a"
    assert scope.apply({})["transaction"] == "/a"
    assert scope.apply({"transaction": "/b"})["transaction"] == "/b"


def test_level_overrides(scope):
    scope.level = "warning"
    assert scope.apply({"level": "error"})["level"] == "warning"


def test_fingerprint(scope):
    scope.fingerprint = ["{{ default }}", "x"]
    assert scope.apply({})["fingerprint"] == ["{{ default }}", "x"]


@pytest.mark.parametrize("count,kept", [(0, 0), (1, 1), (5, 5), (6, 5), (100, 5)])
def test_breadcrumbs_are_bounded(scope, count, kept):
    for i in range(count):
        scope.add_breadcrumb("crumb %d" % i)
    event = scope.apply({})
    assert len(event.get("breadcrumbs", [])) == kept
    if count:
        assert event["breadcrumbs"][-1]["message"] == "crumb %d" % (count - 1)


def test_clear_breadcrumbs(scope):
    scope.add_breadcrumb("x")
    scope.clear_breadcrumbs()
    assert "breadcrumbs" not in scope.apply({})


def test_processors_run_in_order(scope):
    scope.add_event_processor(lambda e: dict(e, order=["a"]))
    scope.add_event_processor(lambda e: dict(e, order=e["order"] + ["b"]))
    assert scope.apply({})["order"] == ["a", "b"]


def test_processor_can_drop(scope):
    scope.add_event_processor(lambda e: None)
    assert scope.apply({}) is None


def test_copy_is_independent(scope):
    scope.set_tag("a", 1)
    scope.set_extra("list", [1])
    scope.add_breadcrumb("one")
    other = scope.copy()
    other.set_tag("b", 2)
    other.extra["list"].append(2)
    other.add_breadcrumb("two")
    assert scope.tags == {"a": "1"} and scope.extra == {"list": [1]}
    assert len(scope.breadcrumbs) == 1 and len(other.breadcrumbs) == 2
    assert other.breadcrumbs.maxlen == 5


def test_apply_does_not_modify_event(scope):
    scope.set_tag("a", 1)
    event = {"message": "m"}
    scope.apply(event)
    assert event == {"message": "m"}
