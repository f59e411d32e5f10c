import asyncio

import pytest

fastish = pytest.importorskip("fastish")

from beacon.integrations import auto_integrations, setup_integrations  # noqa: E402
from beacon.integrations.fastish import FastishIntegration  # noqa: E402
from beacon.utils import parse_version  # noqa: E402

VERSION = parse_version(fastish.__version__)


@pytest.fixture(autouse=True)
def integration():
    setup_integrations([FastishIntegration()])


class Teapot(Exception):
    pass


@pytest.fixture
def app():
    app = fastish.Fastish()

    @app.get("/items")
    async def items(scope):
        return ["a", "b"]

    @app.get("/crash")
    async def crash(scope):
        raise RuntimeError("crashed")

    @app.post("/slow")
    async def slow(scope):
        await asyncio.sleep(0.1)
        return "done"

    @app.get("/teapot")
    async def teapot(scope):
        raise Teapot()

    async def handle_teapot(scope, exc):
        return {"status": 418, "body": "teapot"}
    if VERSION >= (0, 110):
        app.add_exception_handler(Teapot, handle_teapot)
    else:
        app.exception_handlers[Teapot] = handle_teapot
    return app


def call(app, path, method="GET"):
    return asyncio.run(app({"path": path, "method": method}))


def test_detected():
    assert "fastish" in [i.identifier for i in auto_integrations()]


def test_success(hub, transport, app):
    assert call(app, "/items") == {"status": 200, "body": ["a", "b"]}
    assert transport.events == []


def test_unhandled_error_is_captured_and_reraised(hub, transport, app):
    with pytest.raises(RuntimeError):
        call(app, "/crash")
    assert transport.events[0]["exception"]["values"][-1]["value"] == "crashed"
    assert transport.events[0]["transaction"] == "/crash"


def test_handled_error_is_not_captured(hub, transport, app):
    assert call(app, "/teapot")["status"] == 418
    assert transport.events == []


def test_middleware_is_installed(app):
    installed = app.user_middleware if VERSION >= (0, 110) else app.middleware
    assert len(installed) == 1


def test_slow_endpoint(hub, transport, app):
    assert call(app, "/slow", "POST")["body"] == "done"


def test_method_matters(hub, app):
    assert call(app, "/slow")["status"] == 404


def test_transaction_style_endpoint(hub, transport):
    from beacon.integrations.fastish import BeaconASGIMiddleware

    async def endpoint(scope):
        raise ValueError()
    middleware = BeaconASGIMiddleware(endpoint, transaction_style="endpoint")
    with pytest.raises(ValueError):
        asyncio.run(middleware({"path": "/p", "method": "PUT"}))
    assert transport.events[0]["transaction"] == "PUT /p"


def test_concurrent_requests(hub, transport, app):
    async def many():
        return await asyncio.gather(*[app({"path": "/slow", "method": "POST"}) for _ in range(50)])
    assert all(r["body"] == "done" for r in asyncio.run(many()))
