"""ASGI middlewares of the offline server: the body size limit and Earth Search's landing URL."""

from __future__ import annotations

import json
from typing import Any

from . import limits
from .paths import API_PREFIX

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
