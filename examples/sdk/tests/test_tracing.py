import time

import pytest

from beacon.tracing import Span, start_span


def test_span_ids_are_unique():
    assert len({start_span("op").span_id for _ in range(100)}) == 100


def test_children_share_trace():
    root = start_span("http.server", "GET /")
    child = root.child("db.query", "SELECT 1")
    assert child.trace_id == root.trace_id and child.parent is root and root.children == [child]


def test_explicit_trace_id():
    assert Span("op", trace_id="abc").trace_id == "abc"


def test_finish_is_idempotent():
    span = start_span("op").finish("ok")
    end = span.end
    span.finish("cancelled")
    assert span.end == end and span.status == "ok"


def test_unfinished_duration():
    assert start_span("op").duration is None


def test_context_manager_ok():
    with start_span("op") as span:
        pass
    assert span.status == "ok"


def test_context_manager_error():
    with pytest.raises(KeyError):
        with start_span("op") as span:
            raise KeyError()
    assert span.status == "internal_error"


def test_walk_order():
    root = start_span("a")
    b = root.child("b")
    b.child("c")
    root.child("d")
    assert [s.op for s in root.walk()] == ["a", "b", "c", "d"]


def test_to_dict():
    root = start_span("a")
    child = root.child("b", "desc")
    child.set_data("rows", 3)
    child.finish()
    data = child.to_dict()
    assert data["parent_span_id"] == root.span_id and data["data"] == {"rows": 3}
    assert data["duration"] >= 0 and data["description"] == "desc"


@pytest.mark.parametrize("seconds", [0.02, 0.05, 0.1, 0.15, 0.2])
def test_duration_measures_wall_time(seconds):
    with start_span("sleep") as span:
        time.sleep(seconds)
    assert seconds * 0.9 <= span.duration < seconds + 0.5


def test_deep_trees():
    root = start_span("root")
    node = root
    for i in range(300):
        node = node.child("level", str(i))
    assert len(list(root.walk())) == 301


def test_wide_trees_with_timing():
    root = start_span("batch")
    for i in range(20):
        with root.child("item", str(i)):
            time.sleep(0.01)
    root.finish()
    assert root.duration >= 0.2 and all(c.status == "ok" for c in root.children)
