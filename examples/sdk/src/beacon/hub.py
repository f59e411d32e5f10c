"""The hub: the current client and a stack of scopes."""
import contextlib
import threading

from beacon.client import Client
from beacon.scope import Scope


class Hub:
    def __init__(self, client=None, scope=None):
        self.client = client
        self._stack = [scope or Scope()]

    @property
    def scope(self):
        return self._stack[-1]

    @contextlib.contextmanager
    def push_scope(self):
        self._stack.append(self.scope.copy())
        try:
            yield self.scope
        finally:
            self._stack.pop()

    def configure_scope(self):
        return self.scope

    def bind_client(self, client):
        self.client = client

    def capture_event(self, event):
        if self.client is None:
            return None
        return self.client.capture_event(event, self.scope)

    def capture_message(self, message, level="info"):
        return self.capture_event({"message": message, "level": level})

    def capture_exception(self, exc=None):
        if self.client is None:
            return None
        return self.client.capture_exception(exc, self.scope)

    def add_breadcrumb(self, message=None, category="default", level="info", data=None):
        self.scope.add_breadcrumb(message, category, level, data)


_local = threading.local()
_main_hub = Hub()


def current_hub():
    return getattr(_local, "hub", _main_hub)


def set_thread_hub(hub):
    _local.hub = hub


def init(dsn=None, integrations=(), **options):
    """Creates a client, binds it to the main hub and sets up the integrations.

    integrations="auto" sets up every integration whose framework is installed."""
    from beacon.integrations import auto_integrations, setup_integrations
    if integrations == "auto":
        integrations = auto_integrations()
    client = Client(dsn=dsn, integrations=integrations, **options)
    _main_hub.bind_client(client)
    _main_hub._stack[:] = [Scope(client.max_breadcrumbs)]
    setup_integrations(client.integrations)
    return client


def capture_event(event):
    return current_hub().capture_event(event)


def capture_message(message, level="info"):
    return current_hub().capture_message(message, level)


def capture_exception(exc=None):
    return current_hub().capture_exception(exc)
