"""beacon: a small error- and performance-monitoring SDK (blitz's example project).

    import beacon
    beacon.init(dsn="https://key@beacon.example/42", integrations="auto")
    beacon.capture_message("hello")
"""
from beacon.client import Client
from beacon.hub import Hub, capture_event, capture_exception, capture_message, current_hub, init
from beacon.scope import Scope
from beacon.tracing import Span, start_span

__version__ = "1.4.0"

__all__ = ["Client", "Hub", "Scope", "Span", "capture_event", "capture_exception",
           "capture_message", "current_hub", "init", "start_span", "__version__"]
