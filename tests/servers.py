"""A raw TCP server on 127.0.0.1 for faults that an HTTP framework will not produce:
a server that never answers, a dropped connection, a body cut short. It keeps every request it
read, so a test can count the tries that reached it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# Called once the request's head is read: what the server does then.
Behaviour = Callable[[socket.socket, threading.Event], None]


@dataclass
class RawServer:
    url: str
    requests: list[bytes] = field(default_factory=list)  # each request's head, as received


def _read_request(conn: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def never_answers(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(30)


def drops_the_connection(conn: socket.socket, stop: threading.Event) -> None:
    pass


def truncates_the_body(conn: socket.socket, stop: threading.Event) -> None:
    body = b"<html><body><table><tr><th>code</th>" * 20
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: 100000\r\n\r\n" + body
    )


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[RawServer]:
    """Read each request, then serve ``behaviour`` on its connection; yields the server, whose
    ``url`` is its base URL. Bounded: it stops with the block, and each connection lives at most
    30 s."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    threads: list[threading.Thread] = []
    host, port = listener.getsockname()
    server = RawServer(f"http://{host}:{port}")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return

            def handle(conn: socket.socket = conn) -> None:
                with conn:
                    request = _read_request(conn)
                    if request is not None:
                        server.requests.append(request)
                        behaviour(conn, stop)

            thread = threading.Thread(target=handle, daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        stop.set()
        acceptor.join(2)
        listener.close()
        for thread in threads:
            thread.join(2)
