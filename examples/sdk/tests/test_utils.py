import pytest

from beacon.utils import parse_version, qualified_name, truncate, version_at_least, walk_exception_chain


@pytest.mark.parametrize("value,expected", [
    ("1", (1,)), ("2.0", (2, 0)), ("2.1.3", (2, 1, 3)), ("0.110", (0, 110)), ("0.100.1", (0, 100, 1)),
    ("v5", (5,)), (" 3.2 ", (3, 2)), ("4.2rc1", (4, 2)), ("5.0.dev0", (5, 0)), ("10.20.30.40", (10, 20, 30, 40)),
    ((3, 2, 0), (3, 2, 0)), ((5, 0, 0, "final", 0), (5, 0, 0, 0)), ("", None), ("dev", None), ("x1.0", None),
])
def test_parse_version(value, expected):
    assert parse_version(value) == expected


@pytest.mark.parametrize("value,minimum,expected", [
    ("2.0", (2, 0), True), ("2.1", (2, 0), True), ("1.9", (2, 0), False), ("0.110", (0, 100), True),
    ("0.99", (0, 100), False), ("5", (5,), True), ("4", (5,), False), ("nope", (1,), False),
])
def test_version_at_least(value, minimum, expected):
    assert version_at_least(value, minimum) is expected


@pytest.mark.parametrize("text,limit,expected", [
    ("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("this is too long", 10, "this is..."),
    ("abcdef", 3, "..."), ("", 5, ""),
])
def test_truncate(text, limit, expected):
    assert truncate(text, limit) == expected


def test_truncate_rejects_tiny_limit():
    with pytest.raises(ValueError):
        truncate("abc", 2)


@pytest.mark.parametrize("obj,name", [
    (ValueError(), "ValueError"), (KeyError, "KeyError"), (3, "int"),
    (pytest.raises, "function"),
])
def test_qualified_name_builtins(obj, name):
    assert qualified_name(obj) == name


def test_qualified_name_of_own_class():
    class Local:
        pass
    assert qualified_name(Local()).endswith("test_qualified_name_of_own_class.<locals>.Local")


def test_exception_chain_follows_cause():
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise ValueError("outer") from inner
    except ValueError as exc:
        chain = [type(e).__name__ for e in walk_exception_chain(exc)]
    assert chain == ["ValueError", "KeyError"]


def test_exception_chain_respects_suppressed_context():
    try:
        try:
            raise KeyError("inner")
        except KeyError:
            raise ValueError("outer") from None
    except ValueError as exc:
        assert len(list(walk_exception_chain(exc))) == 1


def test_exception_chain_stops_on_cycle():
    a, b = ValueError("a"), ValueError("b")
    a.__cause__, b.__cause__ = b, a
    assert len(list(walk_exception_chain(a))) == 2
