"""A raw TCP server on 127.0.0.1 for faults that an HTTP framework will not produce:
a server that never answers, a dropped connection, a body cut short."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Behaviour = Callable[[socket.socket, threading.Event], None]


def _read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def never_answers(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    stop.wait(30)


def drops_the_connection(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)


def truncates_the_body(conn: socket.socket, stop: threading.Event) -> None:
    _read_request(conn)
    body = b"<html><body><table><tr><th>code</th>" * 20
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Length: 100000\r\n\r\n" + body
    )


@contextmanager
def raw_server(behaviour: Behaviour) -> Iterator[str]:
    """Serve ``behaviour`` on every connection; yields the base URL. Bounded: it stops with the
    block, and each connection lives at most 30 s."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)
    threads: list[threading.Thread] = []

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
                    behaviour(conn, stop)

            thread = threading.Thread(target=handle, daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=serve, daemon=True)
    acceptor.start()
    host, port = listener.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        acceptor.join(2)
        listener.close()
        for thread in threads:
            thread.join(2)
