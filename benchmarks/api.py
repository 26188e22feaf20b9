"""Latency of the offline STAC API for the lesson's searches, and the server's cold start.

    python -m benchmarks.api [--repeat 50] [--output benchmarks/results/api.md]

Cold start: from starting ``earth-search-offline serve`` (catalog already generated) to
its first answer. Latency: p50 and p95 over ``--repeat`` runs of each request, next to the
floor measured in the same run (the health check, which does no search work).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import requests
from earth_search_offline.api import limits
from earth_search_offline.testing import OfflineServer

from benchmarks.report import publish
from helpers.lab import prepare_catalog
from helpers.places import AMSTERDAM, search_bbox

POINT = {"type": "Point", "coordinates": list(AMSTERDAM)}
CLOUD = {"property": "eo:cloud_cover"}


def _costliest_filter() -> dict:
    """At every limit at once: an ``or`` of comparisons and a polygon of the most vertices."""
    lon, lat = AMSTERDAM
    vertices = limits.MAX_FILTER_VERTICES
    ring = [[lon + i * 1e-4, lat] for i in range(vertices - 2)] + [[lon, lat + 0.1], [lon, lat]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    touches = {"op": "s_intersects", "args": [{"property": "geometry"}, polygon]}
    comparisons = [
        {"op": "=", "args": [CLOUD, value]} for value in range(limits.MAX_FILTER_TERMS - 2)
    ]
    return {"op": "or", "args": [touches, *comparisons]}


def _deepest_filter() -> dict:
    expression: dict = {"op": "<", "args": [CLOUD, 5]}
    for _ in range(limits.MAX_FILTER_DEPTH - 1):
        expression = {"op": "not", "args": [expression]}
    return expression


REQUESTS = {
    "health check (floor)": ("GET", "/_mgmt/ping", None),
    "landing page": ("GET", "", None),
    "point search, 10 items": (
        "POST",
        "/search",
        {"collections": ["sentinel-2-l2a"], "intersects": POINT, "limit": 10},
    ),
    "exercise search (bbox, 2021, cloud < 5)": (
        "POST",
        "/search",
        {
            "collections": ["sentinel-2-l2a"],
            "bbox": list(search_bbox()),
            "datetime": "2021-01-01T00:00:00Z/2021-12-31T23:59:59Z",
            "query": {"eo:cloud_cover": {"lt": 5}},
        },
    ),
    "CQL2 filter search": ("GET", "/search?filter=%22eo%3Acloud_cover%22%20%3C%205&limit=10", None),
    "costliest accepted filter (every limit)": ("POST", "/search", {"filter": _costliest_filter()}),
    "deepest accepted filter": ("POST", "/search", {"filter": _deepest_filter()}),
}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/api.md"))
    args = parser.parse_args(argv)
    prepare_catalog()
    started = time.perf_counter()
    with OfflineServer(prepare_catalog()) as server:
        cold_start = time.perf_counter() - started
        session = requests.Session()
        rows = []
        for label, (method, path, body) in REQUESTS.items():
            samples = []
            for _ in range(args.repeat):
                tick = time.perf_counter()
                response = session.request(method, f"{server.api_url}{path}", json=body, timeout=30)
                response.raise_for_status()
                samples.append((time.perf_counter() - tick) * 1000)
            rows.append((label, *_percentiles(samples)))
        pages, items, tick = 0, 0, time.perf_counter()
        url: str | None = f"{server.api_url}/collections/sentinel-2-l2a/items?limit=100"
        while url:
            page = session.get(url, timeout=30).json()
            pages, items = pages + 1, items + len(page["features"])
            url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        paging = (time.perf_counter() - tick) * 1000
    floor = rows[0][1]
    lines = ["| request | p50 (ms) | p95 (ms) | p50 / floor |", "|---|---|---|---|"]
    lines += [
        f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / floor:.1f} |" for label, p50, p95 in rows
    ]
    lines += [
        "",
        f"Paging through all {items} items, 100 per page: {pages} pages in {paging:.0f} ms.",
        f"Cold start (process start to first answer, catalog generated): {cold_start:.2f} s.",
        f"Command: `python -m benchmarks.api --repeat {args.repeat}`.",
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
