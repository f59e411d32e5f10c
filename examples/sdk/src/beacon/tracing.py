"""Spans: timed operations with a parent, collected into a transaction."""
import itertools
import time

_ids = itertools.count(1)


class Span:
    def __init__(self, op, description=None, parent=None, trace_id=None):
        self.op = op
        self.description = description
        self.parent = parent
        self.span_id = next(_ids)
        self.trace_id = trace_id or (parent.trace_id if parent else "%032x" % self.span_id)
        self.children = []
        self.data = {}
        self.status = None
        self.start = time.perf_counter()
        self.end = None
        if parent is not None:
            parent.children.append(self)

    def child(self, op, description=None):
        return Span(op, description, parent=self)

    def set_data(self, key, value):
        self.data[key] = value

    def finish(self, status="ok"):
        if self.end is None:
            self.end = time.perf_counter()
            self.status = self.status or status
        return self

    @property
    def duration(self):
        return None if self.end is None else self.end - self.start

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        self.finish("internal_error" if kind else "ok")
        return False

    def to_dict(self):
        return {"op": self.op, "description": self.description, "span_id": self.span_id,
                "parent_span_id": self.parent.span_id if self.parent else None,
                "trace_id": self.trace_id, "status": self.status, "data": dict(self.data),
                "duration": self.duration}

    def walk(self):
        yield self
        for child in self.children:
            for span in child.walk():
                yield span


def start_span(op, description=None, parent=None):
    return Span(op, description, parent)
