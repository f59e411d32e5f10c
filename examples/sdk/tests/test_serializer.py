import json
import math

import pytest

from beacon import serializer
from beacon.serializer import dumps, serialize


@pytest.mark.parametrize("value", [None, True, False, 0, -1, 2 ** 70, 1.5, "text", ""])
def test_scalars_pass_through(value):
    assert serialize(value) == value


@pytest.mark.parametrize("value,expected", [
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"),
    (b"bytes", "bytes"), (b"\xff", "\ufffd"), ((1, 2), [1, 2]), ({3, 1, 2}, [1, 2, 3]),
    (frozenset(["b", "a"]), ["a", "b"]),
])
def test_conversions(value, expected):
    assert serialize(value) == expected


def test_long_strings_are_cut():
    out = serialize("x" * 5000)
    assert len(out) == serializer.MAX_STRING and out.endswith("...")


def test_long_lists_are_cut():
    out = serialize(list(range(200)))
    assert len(out) == serializer.MAX_ITEMS + 1 and out[-1] == "... 150 more"


def test_long_dicts_are_cut():
    out = serialize({i: i for i in range(80)})
    assert out["..."] == "30 more"


def test_depth_is_bounded():
    value = [[[[[[[[[[[["deep"]]]]]]]]]]]]
    assert "<list>" in json.dumps(serialize(value))


def test_objects_become_reprs():
    class Thing:
        def __repr__(self):
            return "<Thing>"
    assert serialize({"t": Thing()}) == {"t": "<Thing>"}


def test_broken_repr():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no")
    assert serialize(Broken()) == "<unrepresentable Broken>"


@pytest.mark.parametrize("key", [1, 2.5, None, ("a", "b")])
def test_keys_become_strings(key):
    assert list(serialize({key: 1})) == [str(key)]


def test_dumps_is_compact_and_sorted():
    assert dumps({"b": 1, "a": [1, 2]}) == '{"a":[1,2],"b":1}'


def test_dumps_round_trips():
    event = {"message": "hi", "extra": {"n": 1, "f": 0.5, "l": [1, "x", None]}}
    assert json.loads(dumps(event)) == event


def test_serialize_many_events():
    events = [{"message": "event %d" % i, "extra": {"values": [math.sqrt(j) for j in range(40)],
                                                     "nested": {"a": {"b": {"c": i}}}}}
              for i in range(5000)]
    out = [serialize(e) for e in events]
    assert out[-1]["extra"]["nested"]["a"]["b"]["c"] == 4999
