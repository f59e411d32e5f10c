import asyncio

import pytest

djangoish = pytest.importorskip("djangoish")

from beacon.integrations import auto_integrations, setup_integrations  # noqa: E402
from beacon.integrations.djangoish import DjangoishIntegration, request_path  # noqa: E402

VERSION = djangoish.VERSION[:2]


@pytest.fixture(autouse=True)
def integration():
    setup_integrations([DjangoishIntegration()])


def ok(request):
    return djangoish.HttpResponse("ok")


def broken(request):
    raise LookupError("no such order")


@pytest.fixture
def handler():
    return djangoish.Handler({"/ok": ok, "/orders": broken})


def test_detected():
    assert "djangoish" in [i.identifier for i in auto_integrations()]


def test_request_path_by_version():
    request = djangoish.Request("/x")
    assert request_path(request, VERSION) == "/x"


def test_success(hub, transport, handler):
    assert handler.get_response(djangoish.Request("/ok")).status_code == 200
    assert transport.events == []


def test_error_is_captured(hub, transport, handler):
    assert handler.get_response(djangoish.Request("/orders")).status_code == 500
    (event,) = transport.events
    assert event["exception"]["values"][-1]["type"] == "LookupError"
    assert event["transaction"] == "/orders"


def test_method_tag(hub, transport, handler):
    handler.get_response(djangoish.Request("/orders", method="POST"))
    assert transport.events[0]["tags"]["http.method"] == "POST"


def test_user_middleware_still_runs(hub, transport):
    seen = []
    if VERSION >= (4, 0):
        def factory(get_response):
            def middleware(request):
                seen.append(request.path_info)
                return get_response(request)
            return middleware
        handler = djangoish.Handler({"/ok": ok}, [factory])
    else:
        class Middleware:
            def process_request(self, request):
                seen.append(request.path)

            def process_exception(self, request, exc):
                return None
        handler = djangoish.Handler({"/ok": ok}, [Middleware()])
    handler.get_response(djangoish.Request("/ok"))
    assert seen == ["/ok"]


@pytest.mark.skipif(VERSION < (4, 0), reason="async handlers arrive with djangoish 4.0")
def test_async_handler(hub, transport, handler):
    method = handler.get_response_async if VERSION >= (5, 0) else handler.aget_response
    response = asyncio.run(method(djangoish.Request("/orders")))
    assert response.status_code == 500 and len(transport.events) == 1


@pytest.mark.skipif(VERSION >= (4, 0), reason="old-style middleware only before djangoish 4.0")
def test_old_style_marks_unhandled(hub, transport, handler):
    handler.get_response(djangoish.Request("/orders"))
    hub.capture_message("after")
    assert transport.events[-1]["tags"]["djangoish.handled"] == "false"


@pytest.mark.skipif(VERSION < (5, 0), reason="Request.path is gone in djangoish 5.0")
def test_path_attribute_is_gone():
    assert not hasattr(djangoish.Request("/x"), "path")


def test_many_requests(hub, transport, handler):
    for i in range(4000):
        handler.get_response(djangoish.Request("/orders" if i % 200 == 0 else "/ok"))
    assert len(transport.events) == 20
