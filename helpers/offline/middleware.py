"""ASGI middlewares of the offline server: body size limit, Earth Search's landing URL, and the
file traffic counters that tests and benchmarks read at ``/_stats``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .api_client import API_PREFIX, FILES_PREFIX

MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    """Refuse request bodies over ``MAX_BODY_BYTES`` with 413 before reading them whole."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        received = 0

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(send)


class BodyTooLarge(Exception):
    """A chunked request body grew past the limit."""


async def _too_large(send: Any) -> None:
    body = json.dumps(
        {
            "code": "RequestTooLarge",
            "description": f"Request bodies are limited to {MAX_BODY_BYTES:,} bytes; "
            "a search needs far less. Simplify the geometry or the filter.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LandingWithoutSlash:
    """Answer ``/v1`` like ``/v1/``: Earth Search's URL has no trailing slash."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == API_PREFIX:
            scope = {**scope, "path": API_PREFIX + "/", "raw_path": (API_PREFIX + "/").encode()}
        await self.app(scope, receive, send)


class FileTrafficCounter:
    """Counts requests, status codes and body bytes sent for ``/files`` (see ``/_stats``).

    Tests and benchmarks read it to prove that GDAL fetched byte ranges, not whole files.
    """

    def __init__(self, app: Any, stats: dict[str, int]) -> None:
        self.app = app
        self.stats = stats

    @staticmethod
    def reset(stats: dict[str, int]) -> dict[str, int]:
        stats.clear()
        stats.update(
            requests=0, head_requests=0, partial_responses=0, full_responses=0, bytes_sent=0
        )
        return stats

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FILES_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        self.stats["requests"] += 1
        if scope["method"] == "HEAD":
            self.stats["head_requests"] += 1
            await self.app(scope, receive, send)
            return

        async def counting_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 206:
                    self.stats["partial_responses"] += 1
                elif status == 200:
                    self.stats["full_responses"] += 1
            elif message["type"] == "http.response.body":
                self.stats["bytes_sent"] += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting_send)


def add_traffic_stats(app: FastAPI) -> None:
    """Count ``/files`` traffic; ``GET /_stats`` reads it, ``POST /_stats/reset`` zeroes it."""
    traffic = FileTrafficCounter.reset({})
    app.add_middleware(FileTrafficCounter, stats=traffic)

    @app.get("/_stats", include_in_schema=False)
    async def file_stats() -> JSONResponse:
        return JSONResponse(traffic)

    @app.post("/_stats/reset", include_in_schema=False)
    async def reset_file_stats() -> JSONResponse:
        return JSONResponse(FileTrafficCounter.reset(traffic))
