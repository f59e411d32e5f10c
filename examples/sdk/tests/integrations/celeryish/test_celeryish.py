import pytest

celeryish = pytest.importorskip("celeryish")

from beacon.integrations import auto_integrations, setup_integrations  # noqa: E402
from beacon.integrations.celeryish import TRACE_HEADER, CeleryishIntegration  # noqa: E402
from beacon.utils import parse_version  # noqa: E402

VERSION = parse_version(celeryish.__version__)


@pytest.fixture(autouse=True)
def integration():
    setup_integrations([CeleryishIntegration()])


@pytest.fixture
def app():
    app = celeryish.Celeryish("jobs")

    @app.task
    def add(a, b):
        return a + b

    @app.task
    def explode():
        raise OSError("disk full")

    @app.task
    def fib(n):
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a
    return app


def task(app, name):
    return app.tasks["jobs." + name if VERSION >= (5,) else name]


def test_detected():
    assert "celeryish" in [i.identifier for i in auto_integrations()]


def test_success(hub, transport, app):
    assert task(app, "add").delay(2, 3).get() == 5
    assert transport.events == []


def test_failure_is_captured(hub, transport, app):
    result = task(app, "explode").delay()
    assert result.failed
    (event,) = transport.events
    assert event["exception"]["values"][-1]["type"] == "OSError"
    assert event["tags"]["celeryish.task"] == task(app, "explode").name


def test_failure_is_still_raised_by_get(hub, app):
    with pytest.raises(OSError):
        task(app, "explode").delay().get()


@pytest.mark.skipif(VERSION < (5,), reason="task names are qualified from celeryish 5")
def test_qualified_names(app):
    assert sorted(app.tasks) == ["jobs.add", "jobs.explode", "jobs.fib"]


@pytest.mark.skipif(VERSION < (5,), reason="headers arrive with celeryish 5")
def test_trace_header_is_propagated(hub, app):
    hub.scope.set_tag("trace", "t-1")
    add = task(app, "add")
    add.apply_async(args=(1, 2))
    assert add.request_headers[TRACE_HEADER] == "t-1"


@pytest.mark.skipif(VERSION >= (5,), reason="the module-level signal is gone in celeryish 5")
def test_signal_receiver_is_connected():
    assert celeryish.task_failure.receivers


def test_cpu_bound_task(hub, app):
    assert task(app, "fib").delay(30).get() == 832040
    assert len(str(task(app, "fib").delay(20000).get())) > 4000
