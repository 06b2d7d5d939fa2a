"""A TCP forwarder on 127.0.0.1: production reached under another address, as through a pooler,
a proxy or a DNS alias. A host-and-port comparison cannot see through it."""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading
from collections.abc import Iterator


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        with socket.create_connection(("127.0.0.1", self.server.target_port)) as upstream:
            pump(self.request, upstream)


def pump(one: socket.socket, other: socket.socket) -> None:
    """Copies bytes both ways until either side closes."""
    with selectors.DefaultSelector() as selector:
        selector.register(one, selectors.EVENT_READ, other)
        selector.register(other, selectors.EVENT_READ, one)
        while True:
            for key, _ in selector.select():
                data = key.fileobj.recv(65536)
                if not data:
                    return
                key.data.sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    target_port = 0


@contextlib.contextmanager
def forwarded(target_port: int) -> Iterator[int]:
    """A port of 127.0.0.1 that reaches `target_port` while the block runs."""
    server = _Server(("127.0.0.1", 0), _Forward)
    server.target_port = target_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
