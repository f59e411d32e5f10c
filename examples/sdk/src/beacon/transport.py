"""Transports: where events go. MemoryTransport keeps them; SocketTransport sends each as one
line of JSON over TCP and reads one line back."""
import socket

from beacon.serializer import dumps


class Transport:
    def send(self, event):
        raise NotImplementedError

    def flush(self, timeout=None):
        return True


class MemoryTransport(Transport):
    def __init__(self):
        self.events = []

    def send(self, event):
        self.events.append(event)
        return True


class NullTransport(Transport):
    def send(self, event):
        return False


class SocketTransport(Transport):
    def __init__(self, host, port, timeout=2.0):
        self.address = (host, port)
        self.timeout = timeout
        self.sent = 0

    def send(self, event):
        payload = (dumps(event) + "\n").encode()
        with socket.create_connection(self.address, timeout=self.timeout) as sock:
            sock.sendall(payload)
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        self.sent += 1
        return reply.strip() == b"ok"
