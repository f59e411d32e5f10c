import threading

import pytest

import beacon
from beacon.hub import Hub, current_hub


def test_hub_without_client():
    assert Hub().capture_message("m") is None and Hub().capture_exception(ValueError()) is None


def test_capture_message(hub, transport):
    hub.capture_message("hello", level="warning")
    assert transport.events[0]["message"] == "hello" and transport.events[0]["level"] == "warning"


def test_push_scope_isolates(hub, transport):
    hub.scope.set_tag("outer", 1)
    with hub.push_scope() as scope:
        scope.set_tag("inner", 2)
        hub.capture_message("in")
    hub.capture_message("out")
    assert transport.events[0]["tags"] == {"outer": "1", "inner": "2"}
    assert transport.events[1]["tags"] == {"outer": "1"}


def test_push_scope_pops_on_error(hub):
    with pytest.raises(RuntimeError):
        with hub.push_scope():
            raise RuntimeError()
    assert len(hub._stack) == 1


@pytest.mark.parametrize("depth", [1, 2, 5, 10])
def test_nested_scopes(hub, transport, depth):
    def nest(level):
        if level == depth:
            hub.capture_message("deep")
            return
        with hub.push_scope() as scope:
            scope.set_tag("l%d" % level, level)
            nest(level + 1)
    nest(0)
    assert len(transport.events[0]["tags"]) == depth


def test_breadcrumbs_reach_events(hub, transport):
    hub.add_breadcrumb("clicked", category="ui")
    hub.capture_message("m")
    assert transport.events[0]["breadcrumbs"][0]["category"] == "ui"


def test_current_hub_is_per_thread(hub):
    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_hub()))
    thread.start()
    thread.join()
    assert current_hub() is hub and seen[0] is not hub


def test_init_binds_main_hub():
    client = beacon.init("https://k@h/1")
    try:
        beacon.capture_message("via init")
        assert client.transport.events[-1]["message"] == "via init"
    finally:
        beacon.hub._main_hub.bind_client(None)


def test_module_level_capture_exception():
    client = beacon.init("https://k@h/1")
    try:
        try:
            1 / 0
        except ZeroDivisionError:
            beacon.capture_exception()
        assert client.transport.events[-1]["exception"]["values"][0]["type"] == "ZeroDivisionError"
    finally:
        beacon.hub._main_hub.bind_client(None)
