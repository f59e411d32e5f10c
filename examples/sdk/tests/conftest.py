import socket
import threading
import time

import pytest

import beacon
from beacon.hub import Hub, set_thread_hub
from beacon.transport import MemoryTransport


@pytest.fixture
def transport():
    return MemoryTransport()


@pytest.fixture
def client(transport):
    return beacon.Client(dsn="https://public@beacon.example/42", transport=transport,
                         release="app@1.0")


@pytest.fixture
def hub(client):
    """A fresh hub bound to this thread, so integrations report to it."""
    hub = Hub(client)
    set_thread_hub(hub)
    yield hub
    set_thread_hub(beacon.hub._main_hub)


class EventServer:
    """A local TCP server answering each JSON line with "ok", after `delay` seconds."""

    def __init__(self, delay=0.0, reply=b"ok\n"):
        self.delay = delay
        self.reply = reply
        self.received = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.received.append(data)
                time.sleep(self.delay)
                try:
                    conn.sendall(self.reply)
                except OSError:
                    pass  # the client gave up waiting

    def close(self):
        self.sock.close()


@pytest.fixture
def event_server():
    servers = []

    def start(delay=0.0, reply=b"ok\n"):
        server = EventServer(delay, reply)
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.close()
