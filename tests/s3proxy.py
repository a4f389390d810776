"""A small HTTP proxy in front of the test S3 server: it counts what clients send and, when
asked, answers a share of requests with `503 SlowDown` or drops the connection, as a flaky
network or a throttling S3 would.

Clients address the proxy as their S3 endpoint; requests are forwarded byte for byte (SigV4 signs
the Host header the client used, and SeaweedFS checks it as received). Faults are bounded: one
request target fails at most `max_faults` times in a row, so that a client with retries always
gets through and a test always ends.
"""

from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


@dataclass
class Seen:
    method: str
    target: str
    body_bytes: int
    status: int  # 0: dropped by the proxy


@dataclass
class Faults:
    slow_down: float = 0.0  # share of requests answered 503 SlowDown
    drop: float = 0.0  # share of requests whose connection is dropped after reading them
    max_faults: int = 3
    seed: int = 1
    only: str = ""  # faults only for request targets containing this (e.g. "partNumber=")
    delay: float = 0.0  # seconds each forwarded request waits (a slow link)
    streak: Dict[Tuple[str, str], int] = field(default_factory=dict)

    def __post_init__(self):
        self.random = random.Random(self.seed)
        self.lock = threading.Lock()

    def pick(self, method: str, target: str) -> str:
        if self.only not in target:
            return ""
        with self.lock:
            key = (method, target)
            if self.streak.get(key, 0) >= self.max_faults:
                self.streak[key] = 0
                return ""
            roll = self.random.random()
            kind = ""
            if roll < self.slow_down:
                kind = "slow-down"
            elif roll < self.slow_down + self.drop:
                kind = "drop"
            self.streak[key] = self.streak.get(key, 0) + 1 if kind else 0
            return kind


class S3Proxy:
    def __init__(self, upstream: str, faults: Optional[Faults] = None):
        host, _, port = upstream.split("://", 1)[-1].rstrip("/").partition(":")
        self.upstream = (host, int(port or 80))
        self.faults = faults or Faults()
        self.seen: List[Seen] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                proxy._serve(self.rfile, self.connection)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> S3Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_bytes(self, method: str = "PUT") -> int:
        """Body bytes of the forwarded requests with `method` (what reached S3)."""
        with self.lock:
            return sum(s.body_bytes for s in self.seen if s.method == method and s.status)

    def requests(self, method: str) -> List[Seen]:
        with self.lock:
            return [s for s in self.seen if s.method == method]

    # ------------------------------------------------------------------ one connection

    def _serve(self, rfile, client: socket.socket) -> None:
        upstream = None
        try:
            while True:
                request = _read_message(rfile, request=True, client=client)
                if request is None:
                    return
                head, body = request
                method, target = head.split(b" ", 2)[:2]
                fault = self.faults.pick(method.decode(), target.decode())
                if fault == "drop":
                    self._record(method, target, body, 0)
                    client.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "slow-down":
                    self._record(method, target, body, 503)
                    client.sendall(_slow_down())
                    continue
                if self.faults.delay:
                    time.sleep(self.faults.delay)
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                    upstream_file = upstream.makefile("rb")
                upstream.sendall(head + body)
                response = _read_message(upstream_file, request=False, method=method)
                if response is None:
                    return
                status = int(response[0].split(b" ", 2)[1])
                self._record(method, target, body, status)
                client.sendall(response[0] + response[1])
        except (OSError, ValueError):
            return
        finally:
            if upstream is not None:
                upstream.close()

    def _record(self, method: bytes, target: bytes, body: bytes, status: int) -> None:
        with self.lock:
            self.seen.append(Seen(method.decode(), target.decode(), len(body), status))


def _slow_down() -> bytes:
    return (
        b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
        + f"Content-Length: {len(SLOW_DOWN)}\r\n\r\n".encode()
        + SLOW_DOWN
    )


def _read_message(stream, *, request: bool, method: bytes = b"", client=None):
    """(head bytes, body bytes) of one HTTP/1.1 message, None at the end of the stream.

    A request that waits for `100 Continue` gets it from the proxy, which then drops `Expect`
    from what it forwards (SigV4 never signs Expect), so that the upstream answers only once.
    """
    lines = []
    while True:
        line = stream.readline(65537)
        if not line:
            return None
        if not lines and line in (b"\r\n", b"\n"):
            continue
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
    headers = {}
    for raw in lines[1:-1]:
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if request and headers.get("expect", "").lower() == "100-continue":
        lines = [line for line in lines if not line.lower().startswith(b"expect:")]
        client.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    head = b"".join(lines)
    if not request:
        status = int(lines[0].split(b" ", 2)[1])
        if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
            return head, b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return head, _read_chunked(stream)
    length = int(headers.get("content-length", "0") or 0)
    return head, stream.read(length) if length else b""


def _read_chunked(stream) -> bytes:
    parts = []
    while True:
        size_line = stream.readline()
        parts.append(size_line)
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, then the empty line
                trailer = stream.readline()
                parts.append(trailer)
                if trailer in (b"\r\n", b"\n", b""):
                    return b"".join(parts)
        parts.append(stream.read(size + 2))
