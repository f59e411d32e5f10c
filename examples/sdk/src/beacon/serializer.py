"""Turning arbitrary Python values into JSON-safe, size-bounded data."""
import json

MAX_STRING = 1024
MAX_ITEMS = 50
MAX_DEPTH = 10


def serialize(value, depth=0):
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else value[: MAX_STRING - 3] + "..."
    if depth >= MAX_DEPTH:
        return "<%s>" % type(value).__name__
    if isinstance(value, dict):
        items = list(value.items())
        out = {str(k): serialize(v, depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["..."] = "%d more" % (len(items) - MAX_ITEMS)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if isinstance(value, (set, frozenset)):
            items = sorted(items, key=repr)
        out = [serialize(v, depth + 1) for v in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            out.append("... %d more" % (len(items) - MAX_ITEMS))
        return out
    try:
        text = repr(value)
    except Exception:
        text = "<unrepresentable %s>" % type(value).__name__
    return serialize(text, depth)


def dumps(event):
    return json.dumps(serialize(event), sort_keys=True, separators=(",", ":"))
