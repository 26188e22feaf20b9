"""A fault-injecting HTTP proxy on 127.0.0.1, for testing how the lesson copes with failures.

    with FaultProxy(upstream="http://127.0.0.1:8765") as proxy:
        proxy.plan(r"/v1/search", [Status(503), Status(503)])   # then requests pass through
        Client.open(proxy.url + "/v1", ...)

Each plan is a queue of faults for requests whose path matches a regular expression; once the
queue is empty, requests are forwarded unchanged. Only loopback addresses are used.
"""

from __future__ import annotations

import http.client
import http.server
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
}


@dataclass
class Status:
    """Answer with this status instead of forwarding."""

    code: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Delay:
    """Wait this many seconds, then forward."""

    seconds: float


@dataclass
class Drop:
    """Close the connection without answering."""


@dataclass
class Truncate:
    """Forward, but send only the first ``keep`` bytes of the body, then close."""

    keep: int


@dataclass
class Corrupt:
    """Forward with the body's bytes inverted (same length)."""


Fault = Status | Delay | Drop | Truncate | Corrupt


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self._plans: list[tuple[re.Pattern[str], list[Fault]]] = []
        self._lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []  # (method, path) of every request
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                proxy._handle(self)

            do_HEAD = do_POST = do_GET

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def plan(self, path_pattern: str, faults: list[Fault]) -> None:
        with self._lock:
            self._plans.append((re.compile(path_pattern), list(faults)))

    def requests_to(self, path_pattern: str) -> int:
        return sum(1 for _, path in self.seen if re.search(path_pattern, path))

    def _next_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.seen.append((method, path))
            for pattern, faults in self._plans:
                if pattern.search(path) and faults:
                    return faults.pop(0)
        return None

    def _handle(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        fault = self._next_fault(handler.command, handler.path)
        if isinstance(fault, Drop):
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        if isinstance(fault, Status):
            payload = b'{"code": "Injected", "description": "injected failure"}'
            handler.send_response(fault.code)
            for name, value in {"Content-Type": "application/json", **fault.headers}.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        if isinstance(fault, Delay):
            time.sleep(fault.seconds)
        upstream = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        headers = {
            k: v
            for k, v in handler.headers.items()
            if k.lower() not in HOP_BY_HOP and k.lower() != "accept-encoding"
        }
        headers["Host"] = f"{self.upstream_host}:{self.upstream_port}"
        headers["Accept-Encoding"] = "identity"  # plain bodies, so links can be rewritten
        upstream.request(handler.command, handler.path, body=body, headers=headers)
        response = upstream.getresponse()
        content = response.read()
        if "json" in (response.getheader("Content-Type") or ""):
            content = content.replace(  # links in API answers must point back at the proxy
                f"http://{self.upstream_host}:{self.upstream_port}".encode(), self.url.encode()
            )
        if isinstance(fault, Corrupt):
            content = bytes(255 - byte for byte in content)
        handler.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                handler.send_header(name, value)
        size = response.getheader("Content-Length") if handler.command == "HEAD" else None
        handler.send_header("Content-Length", size or str(len(content)))
        handler.end_headers()
        if handler.command != "HEAD":
            if isinstance(fault, Truncate):
                handler.wfile.write(content[: fault.keep])
                handler.wfile.flush()
                handler.connection.shutdown(socket.SHUT_RDWR)
                handler.close_connection = True
                return
            handler.wfile.write(content)
        upstream.close()

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
