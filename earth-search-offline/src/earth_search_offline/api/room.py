"""Serving a whole room from one laptop: the learners' address, and fair shares of the server.

``earth-search-offline serve --room`` listens on every network interface (only when asked
in so many words), prints what learners type, and limits each learner's request rate so that
one loop cannot starve the room. Answers use the address learners reached the server by (the
Host header), so GDAL on their laptops fetches from the right place.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from typing import Any

#: Requests per second each learner may send, and the burst above it. A clip read of episode 5
#: is about 20 range requests and a search page one, so a learner never meets the limit by
#: following the lesson; a runaway loop gets 429 with Retry-After, which pystac-client's Retry
#: and GDAL's GDAL_HTTP_MAX_RETRY wait for.
RATE_PER_SECOND = 30.0
BURST = 150
#: Largest page a search may ask for in room mode (items are about 10 kB each).
ROOM_MAX_PAGE_SIZE = 1000
ALL_INTERFACES = "0.0.0.0"


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on its networks (not loopback), best guess first.

    Finding the route's source address with a UDP socket sends no packet.
    """
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        found.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        for *_, address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(address[0]))
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not a.startswith("127.") and a != "0.0.0.0"]


def learner_instructions(addresses: Iterable[str], port: int, catalog_name: str) -> str:
    """What to show the room: the address to type, for a terminal and for a notebook."""
    addresses = list(addresses)
    if not addresses:
        return (
            "No network address found: connect this computer to the room's Wi-Fi or router, "
            "then start the server again."
        )
    url = f"http://{addresses[0]}:{port}/v1"
    others = "".join(f"\n  also reachable as http://{a}:{port}/v1" for a in addresses[1:])
    return (
        f"Serving {catalog_name} to the room. Learners type, before starting JupyterLab:\n"
        f"  macOS/Linux:  export STAC_API_URL={url}\n"
        f'  Windows:      $env:STAC_API_URL = "{url}"\n'
        f"  or: make lab ROOM={url}\n"
        f"Short text to paste in the chat: STAC_API_URL={url}{others}"
    )


class RateLimit:
    """Per-client token bucket: ``RATE_PER_SECOND`` requests a second, bursts of ``BURST``.

    Over the limit a client gets 429 with Retry-After; other clients are not slowed down.
    """

    def __init__(self, app: Any, rate: float = RATE_PER_SECOND, burst: int = BURST) -> None:
        self.app = app
        self.rate = rate
        self.burst = burst
        self.buckets: dict[str, tuple[float, float]] = {}

    def _take(self, client: str) -> float:
        """0 if ``client`` may send now, else the seconds until it may."""
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.buckets[client] = (tokens - 1, now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._take(client)
        if not wait:
            await self.app(scope, receive, send)
            return
        body = json.dumps({
            "code": "TooManyRequests",
            "description": f"More than {self.rate:.0f} requests a second from {client}: the "
            "server is shared by the room. Wait a moment; pystac-client and GDAL retry by "
            "themselves.",
        }).encode()  # fmt: skip
        await send({
            "type": "http.response.start", "status": 429,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(max(1, round(wait))).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})
