"""Bytes and requests to read the lesson's clip of a COG over HTTP, against the minimum.

    python -m benchmarks.remote_reads [--output benchmarks/results/remote_reads.md]

For the `visual` and `red` assets of one offline scene: the bytes and requests the offline
server sent (its traffic counters, `serve --traffic-stats`) to open the file and clip the
lesson's 4 km box, compared
with (a) the whole file and (b) the minimum: the file's header (everything before the first
image tile) plus exactly the internal tiles that intersect the box. Also a quick look at an
overview level against a full-resolution read of the whole image.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import rasterio
import requests
import rioxarray
from earth_search_offline.testing import OfflineServer
from rasterio.windows import Window, from_bounds

import helpers.gdal
from benchmarks.report import publish
from helpers.lab import prepare_catalog
from helpers.places import CLIP_BOX_UTM

ITEM = "S2B_31UFU_20210818_0_L2A"
FOLDER = f"sentinel-s2-l2a-cogs/31/U/FU/2021/8/{ITEM}"


def minimum_bytes(path: Path, box: tuple[float, float, float, float]) -> tuple[int, int, int]:
    """(header bytes, bytes of the full-resolution tiles the box touches, tiles touched)."""
    with rasterio.open(path) as dataset:
        block_rows, block_cols = dataset.block_shapes[0]
        window = from_bounds(*box, dataset.transform).round_offsets().round_lengths()
        first_row, last_row = (
            window.row_off // block_rows,
            (window.row_off + window.height - 1) // block_rows,
        )
        first_col, last_col = (
            window.col_off // block_cols,
            (window.col_off + window.width - 1) // block_cols,
        )
        offsets, tiles, touched = [], 0, 0
        rows = range((dataset.height + block_rows - 1) // block_rows)
        cols = range((dataset.width + block_cols - 1) // block_cols)
        for row in rows:
            for col in cols:
                offset = int(dataset.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=1) or 0)
                offsets.append(offset)
                if first_row <= row <= last_row and first_col <= col <= last_col:
                    tiles += int(dataset.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=1))
                    touched += 1
        header = min(offset for offset in offsets if offset > 0)
        for level in range(len(dataset.overviews(1))):  # overview tiles come before level 0
            with rasterio.open(path, overview_level=level) as overview:
                header = min(header, int(overview.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1)))
    return header, tiles, touched


#: GDAL's own defaults for the options helpers.gdal sets (for the comparison row).
GDAL_DEFAULTS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "FALSE",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "NO",
    "VSI_CACHE": "FALSE",
}


def measure(
    server: OfflineServer, key: str, file_name: str, options: dict[str, str] | None = None
) -> dict[str, float]:
    href = f"{server.files_url}/{FOLDER}/{file_name}"
    requests.get(href, headers={"Range": "bytes=0-0"}, timeout=120)  # made on first use
    path = server.catalog / FOLDER / file_name
    header, tiles, touched = minimum_bytes(path, CLIP_BOX_UTM)
    server.reset_traffic()
    started = time.perf_counter()
    with rasterio.Env(**(options or {})):  # a fresh GDAL cache for this read
        clip = rioxarray.open_rasterio(href).rio.clip_box(*CLIP_BOX_UTM).values
    seconds = time.perf_counter() - started
    traffic = server.traffic()
    return {
        "asset": key,
        "file": path.stat().st_size,
        "header": header,
        "tiles": tiles,
        "touched": touched,
        "minimum": header + tiles,
        "sent": traffic["bytes_sent"],
        "requests": traffic["requests"],
        "seconds": seconds,
        "pixels": clip.size,
    }


def quicklook(server: OfflineServer) -> dict[str, float]:
    href = f"{server.files_url}/{FOLDER}/TCI.tif"
    results = {}
    for label, level in (("overview level 2", 2), ("full resolution", None)):
        server.reset_traffic()
        started = time.perf_counter()
        with (
            rasterio.Env(),
            rasterio.open(
                href, **({"overview_level": level} if level is not None else {})
            ) as dataset,
        ):
            dataset.read(window=Window(0, 0, dataset.width, dataset.height))
        results[label] = (server.traffic()["bytes_sent"], time.perf_counter() - started)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/remote_reads.md"))
    args = parser.parse_args(argv)
    helpers.gdal.configure()
    with OfflineServer(prepare_catalog(), traffic_stats=True) as server:
        rows = [measure(server, "visual", "TCI.tif"), measure(server, "red", "B04.tif")]
        defaults = measure(server, "red", "B04.tif", GDAL_DEFAULTS)
        defaults["asset"] = "red, GDAL defaults"
        rows.append(defaults)
        looks = quicklook(server)
    lines = [
        "| asset | file (kB) | minimum (kB) | sent (kB) | sent / minimum | sent / file "
        "| requests | tiles in box |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['asset']} | {row['file'] / 1e3:.0f} | {row['minimum'] / 1e3:.1f} | "
            f"{row['sent'] / 1e3:.1f} | {row['sent'] / row['minimum']:.2f} | "
            f"{row['sent'] / row['file']:.3f} | {row['requests']} | {row['touched']} |"
        )
    lines += ["", "| quick look of `visual` | sent (kB) | seconds |", "|---|---|---|"]
    for label, (sent, seconds) in looks.items():
        lines.append(f"| {label} | {sent / 1e3:.0f} | {seconds:.2f} |")
    lines.append(
        "\nThe lesson's settings are those of helpers.gdal; the last row undoes three of them "
        f"({', '.join(GDAL_DEFAULTS)}) to show what they save."
    )
    lines.append(
        "\nMinimum = TIFF header and IFDs (bytes before the first tile) + the compressed "
        "full-resolution tiles that intersect the lesson box (minx, miny, maxx, maxy) "
        f"{CLIP_BOX_UTM}. Command: `python -m benchmarks.remote_reads`."
    )
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
