"""ASGI middlewares of the offline server: body size limit, Earth Search's landing URL, and the
file traffic counters that tests and benchmarks read at ``/_stats``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from . import limits
from .api_client import API_PREFIX, FILES_PREFIX

MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    """Refuse request bodies over ``MAX_BODY_BYTES`` (413) or nested too deep (400).

    The body is read here, within the limit, and checked before any parser sees it: JSON nested
    thousands of levels deep would exhaust a recursive parser or serializer downstream.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _refuse(send, 413, "RequestTooLarge", TOO_LARGE)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > MAX_BODY_BYTES:
                await _refuse(send, 413, "RequestTooLarge", TOO_LARGE)
                return
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        depth = limits.nesting_depth(body)
        if depth > limits.MAX_JSON_NESTING:
            await _refuse(send, 400, "BadRequest", (
                f"The request body nests {depth} levels of objects and arrays; the limit is "
                f"{limits.MAX_JSON_NESTING}. Write the filter with fewer nested parts."
            ))  # fmt: skip
            return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: wait for the client to disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


TOO_LARGE = (
    f"Request bodies are limited to {MAX_BODY_BYTES:,} bytes; a search needs far less. "
    "Simplify the geometry or the filter."
)


async def _refuse(send: Any, status: int, code: str, description: str) -> None:
    body = json.dumps({"code": code, "description": description}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
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
