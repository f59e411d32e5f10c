import json
import socket
import time

import pytest

from beacon.client import Client
from beacon.transport import MemoryTransport, NullTransport, SocketTransport, Transport


def test_base_transport_is_abstract():
    with pytest.raises(NotImplementedError):
        Transport().send({})


def test_memory_and_null():
    memory = MemoryTransport()
    assert memory.send({"a": 1}) and memory.events == [{"a": 1}]
    assert NullTransport().send({}) is False


def test_socket_round_trip(event_server):
    server = event_server()
    transport = SocketTransport("127.0.0.1", server.port)
    assert transport.send({"message": "hi"}) is True
    assert json.loads(server.received[0]) == {"message": "hi"}


def test_socket_negative_reply(event_server):
    server = event_server(reply=b"rejected\n")
    assert SocketTransport("127.0.0.1", server.port).send({}) is False


@pytest.mark.parametrize("delay", [0.02, 0.05, 0.08, 0.1, 0.15, 0.2])
def test_slow_server(event_server, delay):
    server = event_server(delay=delay)
    started = time.perf_counter()
    assert SocketTransport("127.0.0.1", server.port).send({"m": 1})
    assert time.perf_counter() - started >= delay


def test_timeout(event_server):
    server = event_server(delay=1.0)
    with pytest.raises(socket.timeout):
        SocketTransport("127.0.0.1", server.port, timeout=0.25).send({})


def test_refused_connection():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(OSError):
        SocketTransport("127.0.0.1", port, timeout=0.5).send({})


def test_client_over_socket(event_server):
    server = event_server(delay=0.05)
    client = Client("https://k@h/1", transport=SocketTransport("127.0.0.1", server.port))
    for i in range(5):
        client.capture_event({"message": "m%d" % i})
    assert [json.loads(r)["message"] for r in server.received] == ["m%d" % i for i in range(5)]


def test_burst_of_events(event_server):
    server = event_server()
    transport = SocketTransport("127.0.0.1", server.port)
    for i in range(200):
        transport.send({"n": i, "payload": "x" * 500})
    assert transport.sent == 200 and len(server.received) == 200


def test_large_event(event_server):
    server = event_server(delay=0.1)
    big = {"extra": {"k%d" % i: "v" * 1000 for i in range(50)}}
    assert SocketTransport("127.0.0.1", server.port).send(big)
    assert len(server.received[0]) > 50000


def test_retry_with_backoff(event_server):
    """What an application does with a flaky collector: back off and try again."""
    server = event_server(delay=0.2)
    transport = SocketTransport("127.0.0.1", server.port, timeout=0.1)
    delays = [0.05, 0.1, 0.2]
    for attempt, pause in enumerate(delays):
        try:
            transport.send({"attempt": attempt})
            break
        except socket.timeout:
            time.sleep(pause)
    assert len(server.received) >= 3
