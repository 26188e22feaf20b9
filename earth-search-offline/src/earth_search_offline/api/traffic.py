"""Counters of the file route's traffic, for tests and benchmarks only (``serve --traffic-stats``).

They prove that GDAL fetched byte ranges, not whole files. A running server has them only when
asked: ``/_stats`` and its unauthenticated reset are not part of the service Earth Search offers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from .paths import FILES_PREFIX

STATS_PATH = "/_stats"


class FileTrafficCounter:
    """Counts requests, status codes and body bytes sent for ``/files`` (see ``STATS_PATH``).

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
    """Count ``/files`` traffic; ``GET /_stats`` reads it, ``POST /_stats/reset`` zeroes it.

    Only for tests and benchmarks (``serve --traffic-stats``): the reset is unauthenticated, so
    ``create_app`` refuses it in room mode.
    """
    traffic = FileTrafficCounter.reset({})
    app.add_middleware(FileTrafficCounter, stats=traffic)

    @app.get(STATS_PATH, include_in_schema=False)
    async def file_stats() -> JSONResponse:
        return JSONResponse(traffic)

    @app.post(f"{STATS_PATH}/reset", include_in_schema=False)
    async def reset_file_stats() -> JSONResponse:
        return JSONResponse(FileTrafficCounter.reset(traffic))
