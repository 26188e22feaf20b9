"""A room of learners against one server (``serve --room``), measured with Locust.

    python -m benchmarks.room [--users 1 10 30] [--seconds 60] [--output ...room.md]

Each simulated learner (``room_locustfile.py``) replays episodes 2-5: landing, conformance,
collections, the lesson's search with its paging, an item, and the clip reads of episode 5
for ``visual``, ``red``, ``nir`` and ``scl`` as GDAL makes them (a HEAD, then the merged byte
ranges of the tiles the box touches, read from each COG's tile index), on one of the first
five 31UFU scenes of the search (learners try other scenes in episode 5's exercises and
widget). Reported per request kind: p50, p95 and max; requests per second; failures; the
server's memory (RSS) after the run. The floor is one learner in the same run. Then the most
learners on two new catalogs: "fresh", the metadata only, so every pixel file is made on the
first requests with every learner asking at once; and "just generated", as ``make catalog``
leaves it (the five scenes' files made, ``helpers.lab.LESSON_WARM_UP``). Traffic goes to
127.0.0.1 only (the room server bound to loopback).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import rasterio
import requests
from earth_search_offline.archive.generate import make_warm_up_scenes
from earth_search_offline.testing import OfflineServer, copy_metadata
from pystac import Item, ItemCollection
from rasterio.enums import Interleaving

from benchmarks.report import publish
from helpers.checkpoints import newest_versions
from helpers.lab import LESSON_WARM_UP, prepare_catalog
from helpers.places import CLIP_BOX_UTM, search_bbox

LOCUSTFILE = Path(__file__).with_name("room_locustfile.py")
HEADER_BYTES = 16_384  # GDAL's first read of a remote TIFF
KINDS = ("landing", "search page", "item", "clip visual: ranges", "clip red: ranges",
         "clip read (one asset, all requests)")  # fmt: skip
ASSETS = ("visual", "red", "nir", "scl")
#: The room's learners spread over the first five 31UFU scenes of episode 2's search.
SCENES = 5


def _tile_ranges(path: Path) -> list[tuple[int, int]]:
    """Byte ranges of the tiles of band 1.. that the clip box touches, merged when adjacent."""
    with rasterio.open(path) as dataset:
        window = rasterio.windows.from_bounds(*CLIP_BOX_UTM, transform=dataset.transform)
        height, width = dataset.block_shapes[0]
        rows = range(
            int(window.row_off) // height, int(window.row_off + window.height) // height + 1
        )
        columns = range(
            int(window.col_off) // width, int(window.col_off + window.width) // width + 1
        )
        spans = []
        # Pixel-interleaved files (TCI) keep every band in one tile; band-interleaved, one each.
        band_interleaved = dataset.interleaving == Interleaving.band
        for band in range(1, dataset.count + 1) if band_interleaved else [1]:
            for row in rows:
                for column in columns:
                    offset = dataset.get_tag_item(f"BLOCK_OFFSET_{column}_{row}", "TIFF", bidx=band)
                    size = dataset.get_tag_item(f"BLOCK_SIZE_{column}_{row}", "TIFF", bidx=band)
                    if offset and size:
                        spans.append((int(offset), int(offset) + int(size) - 1))
    merged: list[list[int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(0, HEADER_BYTES - 1)] + [(first, last) for first, last in merged]


def plan(server: OfflineServer, scenes: int = SCENES) -> dict:
    """The requests of the learners: the lesson's search, then the items and clips of its first
    ``scenes`` 31UFU scenes that hold every asset read (learner n reads scene n modulo that)."""
    search = {"collections": ["sentinel-2-l2a"], "bbox": list(search_bbox()),
              "datetime": "2021-01-01T00:00:00Z/2021-12-31T23:59:59Z",
              "query": {"eo:cloud_cover": {"lt": 5}}, "limit": 10}  # fmt: skip
    found = requests.post(f"{server.api_url}/search", json={**search, "limit": 100}, timeout=60)
    items = ItemCollection.from_dict(found.json())
    # As episode 2: the items with COG bands, then one version of each acquisition.
    usable = newest_versions(ItemCollection(i for i in items if set(ASSETS) <= set(i.assets)))
    usable = [item for item in usable if item.properties["grid:code"] == "MGRS-31UFU"][:scenes]
    return {"search": search, "scenes": [_scene_plan(server, item) for item in usable]}


def _scene_plan(server: OfflineServer, item: Item) -> dict:
    clips = {}
    for key in ASSETS:
        href = item.assets[key].href
        requests.get(href, headers={"Range": "bytes=0-0"}, timeout=120)  # make it, then read it
        local = server.catalog / href.split("/files/", 1)[1]
        clips[key] = {"url": href.split(server.root_url, 1)[1], "ranges": _tile_ranges(local)}
    return {"item": f"/v1/collections/sentinel-2-l2a/items/{item.id}", "clips": clips}


def run_locust(server: OfflineServer, plan_file: Path, users: int, seconds: int) -> dict:
    """One headless Locust run; the stats per request kind and the server's memory after."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "run"
        command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                   "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host",
                   server.root_url, "--csv", str(prefix), "--only-summary",
                   "--stop-timeout", "30"]  # fmt: skip
        env = {**os.environ, "ROOM_PLAN": str(plan_file)}
        subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120)
        with open(f"{prefix}_stats.csv") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    memory = psutil.Process(server.process.pid).memory_info().rss / 1e6
    return {"rows": rows, "memory": memory}


def _lines(label: str, result: dict, floor: dict | None) -> list[str]:
    rows = result["rows"]
    total = rows.get("Aggregated", {})
    lines = []
    for kind in KINDS:
        row = rows.get(kind)
        if not row:
            continue
        base = floor["rows"].get(kind) if floor else None
        versus = f"{float(row['95%']) / max(float(base['95%']), 1):.1f}" if base else "1.0"
        most = float(row["Max Response Time"])
        lines.append(f"| {label} | {kind} | {row['50%']} | {row['95%']} | {most:.0f} | {versus} |")
    lines.append(
        f"| {label} | all: {float(total.get('Requests/s', 0)):.1f} requests/s, "
        f"{total.get('Failure Count', '?')} failures, server {result['memory']:.0f} MB | | | | |"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/room.md"))
    args = parser.parse_args(argv)
    catalog = prepare_catalog()
    lines = [
        "| learners | request kind | p50 (ms) | p95 (ms) | max (ms) | p95 / one learner's |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        plan_file = Path(folder) / "plan.json"
        # The simulated learners share one address: the per-learner limit would measure itself.
        room = ("--room", "--host", "127.0.0.1", "--rate", "0")
        with OfflineServer(catalog, extra_args=room) as server:
            plan_file.write_text(json.dumps(plan(server)))
            results = {
                users: run_locust(server, plan_file, users, args.seconds) for users in args.users
            }
        floor = results[min(results)]
        for users, result in results.items():
            lines += _lines(str(users), result, floor)
        most = max(args.users)
        generated = copy_metadata(catalog, Path(folder) / "generated")
        make_warm_up_scenes(generated, LESSON_WARM_UP)
        for label, new_catalog in (
            ("fresh catalog", copy_metadata(catalog, Path(folder) / "fresh")),
            ("just generated", generated),
        ):
            with OfflineServer(new_catalog, extra_args=room) as server:
                result = run_locust(server, plan_file, most, args.seconds)
            lines += _lines(f"{most}, {label}", result, floor)
    lines += [
        "",
        f"Each run {args.seconds} s, learners started at once, 1-3 s between a learner's "
        "steps; room server on 127.0.0.1 with `--rate 0` (the per-learner rate limit keys on "
        "the client's address, which all simulated learners share here). "
        f"Command: `python -m benchmarks.room --users {' '.join(map(str, args.users))} "
        f"--seconds {args.seconds}`.",
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
