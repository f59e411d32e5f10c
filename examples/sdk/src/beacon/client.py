"""The client: options, event preparation and sending."""
import random
import sys
import traceback
import uuid

from beacon.dsn import Dsn
from beacon.sampling import should_sample
from beacon.scrub import scrub
from beacon.serializer import serialize
from beacon.transport import MemoryTransport, NullTransport
from beacon.utils import now_ms, qualified_name, walk_exception_chain

LEVELS = ("debug", "info", "warning", "error", "fatal")


class Client:
    def __init__(self, dsn=None, transport=None, sample_rate=1.0, before_send=None,
                 environment="production", release=None, send_default_pii=False,
                 max_breadcrumbs=100, integrations=(), rng=None):
        if not 0.0 <= sample_rate <= 1.0:
            raise ValueError("sample_rate must be within [0, 1]")
        self.dsn = Dsn(dsn) if dsn else None
        if transport is None:
            transport = MemoryTransport() if self.dsn else NullTransport()
        self.transport = transport
        self.sample_rate = sample_rate
        self.before_send = before_send
        self.environment = environment
        self.release = release
        self.send_default_pii = send_default_pii
        self.max_breadcrumbs = max_breadcrumbs
        self.integrations = list(integrations)
        self.rng = rng or random.Random()
        self.dropped = 0

    def _prepare(self, event, scope):
        event = dict(event)
        event.setdefault("event_id", uuid.uuid4().hex)
        event.setdefault("timestamp", now_ms())
        event.setdefault("level", "error")
        event.setdefault("platform", "python")
        event["environment"] = self.environment
        if self.release:
            event["release"] = self.release
        event["sdk"] = {"name": "beacon.python",
                        "integrations": sorted(i.identifier for i in self.integrations)}
        if scope is not None:
            event = scope.apply(event)
            if event is None:
                return None
        if not self.send_default_pii:
            event.pop("user", None)
            event = scrub(event)
        return serialize(event)

    def capture_event(self, event, scope=None):
        if event.get("level", "error") not in LEVELS:
            raise ValueError("unknown level %r" % event.get("level"))
        if self.sample_rate < 1.0 and not should_sample(self.rng.random(), self.sample_rate):
            self.dropped += 1
            return None
        prepared = self._prepare(event, scope)
        if prepared is not None and self.before_send is not None:
            prepared = self.before_send(prepared)
        if prepared is None:
            self.dropped += 1
            return None
        self.transport.send(prepared)
        return prepared["event_id"]

    def capture_exception(self, exc=None, scope=None):
        if exc is None:
            exc = sys.exc_info()[1]
            if exc is None:
                return None
        return self.capture_event(event_from_exception(exc), scope)

    def flush(self, timeout=None):
        return self.transport.flush(timeout)


def event_from_exception(exc):
    values = []
    for item in walk_exception_chain(exc):
        frames = [{"filename": f.filename, "function": f.name, "lineno": f.lineno,
                   "context_line": f.line}
                  for f in traceback.extract_tb(item.__traceback__)]
        values.append({"type": qualified_name(item), "value": str(item),
                       "stacktrace": {"frames": frames}})
    values.reverse()
    return {"level": "error", "exception": {"values": values}}
