"""Helpers shared by the client and the integrations."""
import re
import time

_VERSION_RE = re.compile(r"^\s*v?(\d+(?:\.\d+)*)")


def parse_version(value):
    """'2.1.3' -> (2, 1, 3); '0.110' -> (0, 110); None when there is no leading number."""
    if isinstance(value, tuple):
        return tuple(int(x) for x in value if isinstance(x, int))
    match = _VERSION_RE.match(str(value))
    if match is None:
        return None
    return tuple(int(x) for x in match.group(1).split("."))


def version_at_least(value, minimum):
    parsed = parse_version(value)
    return parsed is not None and parsed >= tuple(minimum)


def qualified_name(obj):
    obj_type = obj if isinstance(obj, type) else type(obj)
    module = getattr(obj_type, "__module__", None)
    if module in (None, "builtins"):
        return obj_type.__qualname__
    return "%s.%s" % (module, obj_type.__qualname__)


def now_ms():
    return int(time.time() * 1000)


def truncate(text, limit, marker="..."):
    if limit < len(marker):
        raise ValueError("limit shorter than the marker")
    if len(text) <= limit:
        return text
    return text[: limit - len(marker)] + marker


def walk_exception_chain(exc, limit=10):
    seen = set()
    while exc is not None and id(exc) not in seen and len(seen) < limit:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
