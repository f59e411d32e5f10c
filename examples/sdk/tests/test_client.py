import random

import pytest

import beacon
from beacon.client import LEVELS, Client, event_from_exception
from beacon.scope import Scope
from beacon.transport import MemoryTransport, NullTransport


def test_without_dsn_nothing_is_sent():
    assert isinstance(Client().transport, NullTransport)


def test_with_dsn_default_transport_is_memory():
    assert isinstance(Client("https://k@h/1").transport, MemoryTransport)


@pytest.mark.parametrize("rate", [-0.1, 1.5, 2])
def test_bad_sample_rate(rate):
    with pytest.raises(ValueError):
        Client(sample_rate=rate)


@pytest.mark.parametrize("level", LEVELS)
def test_levels(client, transport, level):
    client.capture_event({"message": "m", "level": level})
    assert transport.events[0]["level"] == level


def test_unknown_level(client):
    with pytest.raises(ValueError):
        client.capture_event({"level": "loud"})


def test_event_fields(client, transport):
    event_id = client.capture_event({"message": "hello"})
    event = transport.events[0]
    assert event["event_id"] == event_id and len(event_id) == 32
    assert event["release"] == "app@1.0" and event["environment"] == "production"
    assert event["platform"] == "python" and event["sdk"]["name"] == "beacon.python"


def test_scope_is_applied(client, transport):
    scope = Scope()
    scope.set_tag("region", "eu")
    client.capture_event({"message": "m"}, scope)
    assert transport.events[0]["tags"] == {"region": "eu"}


def test_user_is_dropped_without_pii(client, transport):
    scope = Scope()
    scope.set_user({"email": "a@b.c"})
    client.capture_event({}, scope)
    assert "user" not in transport.events[0]


def test_user_is_kept_with_pii(transport):
    client = Client("https://k@h/1", transport=transport, send_default_pii=True)
    scope = Scope()
    scope.set_user({"email": "a@b.c"})
    client.capture_event({"extra": {"password": "x"}}, scope)
    assert transport.events[0]["user"] == {"email": "a@b.c"}
    assert transport.events[0]["extra"] == {"password": "x"}


def test_secrets_are_scrubbed(client, transport):
    client.capture_event({"extra": {"password": "x", "ok": "y"}})
    assert transport.events[0]["extra"] == {"password": "[Filtered]", "ok": "y"}


def test_before_send_can_modify(transport):
    client = Client("https://k@h/1", transport=transport,
                    before_send=lambda e: dict(e, message="changed"))
    client.capture_event({"message": "m"})
    assert transport.events[0]["message"] == "changed"


def test_before_send_can_drop(transport):
    client = Client("https://k@h/1", transport=transport, before_send=lambda e: None)
    assert client.capture_event({"message": "m"}) is None
    assert transport.events == [] and client.dropped == 1


def test_processor_drop_counts(client, transport):
    scope = Scope()
    scope.add_event_processor(lambda e: None)
    assert client.capture_event({}, scope) is None and client.dropped == 1


@pytest.mark.parametrize("rate,low,high", [(0.0, 0, 0), (0.1, 500, 1500), (0.5, 4000, 6000),
                                           (0.9, 8500, 9500), (1.0, 10000, 10000)])
def test_sample_rate(transport, rate, low, high):
    client = Client("https://k@h/1", transport=transport, sample_rate=rate, rng=random.Random(1))
    for i in range(10000):
        client.capture_event({"message": "m%d" % i})
    assert low <= len(transport.events) <= high


def test_capture_exception(client, transport):
    try:
        raise ValueError("boom")
    except ValueError as exc:
        client.capture_exception(exc)
    values = transport.events[0]["exception"]["values"]
    assert values[-1]["type"] == "ValueError" and values[-1]["value"] == "boom"
    assert values[-1]["stacktrace"]["frames"][-1]["function"] == "test_capture_exception"


def test_capture_current_exception(client, transport):
    try:
        {}["missing"]
    except KeyError:
        client.capture_exception()
    assert transport.events[0]["exception"]["values"][0]["type"] == "KeyError"


def test_capture_exception_outside_except(client, transport):
    assert client.capture_exception() is None and transport.events == []


def test_chained_exception_order():
    try:
        try:
            raise KeyError("a")
        except KeyError as inner:
            raise RuntimeError("b") from inner
    except RuntimeError as exc:
        event = event_from_exception(exc)
    assert [v["type"] for v in event["exception"]["values"]] == ["KeyError", "RuntimeError"]


def test_flush(client):
    assert client.flush(1.0) is True


def test_package_version():
    assert beacon.__version__.count(".") == 2
