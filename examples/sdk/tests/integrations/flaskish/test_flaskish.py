import pytest

flaskish = pytest.importorskip("flaskish")

from beacon.integrations import auto_integrations, setup_integrations  # noqa: E402
from beacon.integrations.flaskish import FlaskishIntegration  # noqa: E402
from beacon.utils import parse_version  # noqa: E402

VERSION = parse_version(flaskish.__version__)
NEW_API = VERSION >= (3, 0)


@pytest.fixture(autouse=True)
def integration():
    setup_integrations([FlaskishIntegration()])


@pytest.fixture
def app():
    app = flaskish.Flaskish("shop")
    if NEW_API:
        @app.route("/ok")
        def ok(request):
            return "fine"

        @app.route("/fail")
        def fail(request):
            raise ZeroDivisionError("bad math")
    else:
        @app.route("/ok")
        def ok():
            return "fine"

        @app.route("/fail")
        def fail():
            raise ZeroDivisionError("bad math")
    return app


def request(app, path, headers=None):
    if NEW_API:
        response = app.full_dispatch(flaskish.Request(path, headers=headers))
        return response.status, response.body
    return app.handle(path)


def test_detected():
    assert "flaskish" in [i.identifier for i in auto_integrations()]


def test_version_is_supported():
    assert FlaskishIntegration.framework_version() >= (2, 0)


def test_success_sends_nothing(hub, transport, app):
    assert request(app, "/ok") == (200, "fine")
    assert transport.events == []


def test_not_found_sends_nothing(hub, transport, app):
    assert request(app, "/missing")[0] == 404
    assert transport.events == []


def test_exception_is_captured(hub, transport, app):
    assert request(app, "/fail")[0] == 500
    (event,) = transport.events
    assert event["exception"]["values"][-1]["type"] == "ZeroDivisionError"
    assert event["tags"]["flaskish.app"] == "shop"


def test_transaction_name(hub, transport, app):
    request(app, "/fail")
    expected = "GET /fail" if NEW_API else "/fail"
    assert transport.events[0]["transaction"] == expected


def test_breadcrumb_per_request(hub, transport, app):
    request(app, "/ok")
    request(app, "/fail")
    crumbs = [c["message"] for c in transport.events[0]["breadcrumbs"]]
    assert crumbs == ["GET /fail"]  # each request has its own scope


def test_scope_does_not_leak(hub, transport, app):
    request(app, "/fail")
    hub.capture_message("after")
    assert "transaction" not in transport.events[1]


@pytest.mark.skipif(not NEW_API, reason="request headers arrive with flaskish 3.0")
def test_headers_are_scrubbed(hub, transport, app):
    request(app, "/fail", headers={"Authorization": "Bearer x", "Accept": "*/*"})
    headers = transport.events[0]["extra"]["request"]["headers"]
    assert headers == {"Authorization": "[Filtered]", "Accept": "*/*"}


@pytest.mark.skipif(VERSION < (2, 1), reason="teardown_request is new in flaskish 2.1")
def test_teardown_still_runs(hub, app):
    calls = []
    app.teardown_request(calls.append)
    request(app, "/fail")
    assert len(calls) == 1


@pytest.mark.skipif(VERSION >= (3, 0), reason="handle() was removed in flaskish 3.0")
def test_legacy_handle_is_patched():
    assert flaskish.Flaskish.handle.__wrapped__ is not None


def test_many_requests(hub, transport, app):
    for i in range(3000):
        request(app, "/ok" if i % 100 else "/fail")
    assert len(transport.events) == 30
