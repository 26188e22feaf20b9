"""Time and disk to generate the offline catalog, its warm-up scenes, and one scene's assets.

python -m benchmarks.generation [--output benchmarks/results/generation.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from earth_search_offline.archive import generate as catalog
from earth_search_offline.archive.acquisitions import all_acquisitions
from earth_search_offline.archive.assets import write_asset
from earth_search_offline.archive.sentinel2 import ASSET_FILES

from benchmarks.report import publish
from helpers.lab import LESSON_WARM_UP


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=0, help="only this many items (0: all)")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/generation.md"))
    args = parser.parse_args(argv)
    acquisitions = all_acquisitions()
    chosen = acquisitions[: args.items] if args.items else acquisitions
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        items = catalog.generate(Path(folder), chosen)
        metadata_seconds = time.perf_counter() - started
        metadata_bytes = _size(Path(folder))
        started = time.perf_counter()
        warmed = catalog.make_warm_up_scenes(Path(folder), LESSON_WARM_UP)
        warm_up_seconds = time.perf_counter() - started
        warm_up_bytes = sum(path.stat().st_size for path in warmed)
        assets_dir = Path(folder) / "assets"
        started = time.perf_counter()
        for key in ASSET_FILES:
            write_asset(chosen[0], key, assets_dir / ASSET_FILES[key], items[0]["properties"])
        asset_seconds = time.perf_counter() - started
        asset_bytes = _size(assets_dir)
    lines = [
        "| step | time (s) | disk (MB) |",
        "|---|---|---|",
        f"| metadata of {len(items)} items (SCL statistics included) | {metadata_seconds:.1f} | "
        f"{metadata_bytes / 1e6:.1f} |",
        f"| `make catalog`'s warm-up: {len(warmed)} files of {LESSON_WARM_UP.scenes} scenes | "
        f"{warm_up_seconds:.1f} | {warm_up_bytes / 1e6:.1f} |",
        f"| all {len(ASSET_FILES)} assets of one scene (made on first request) | "
        f"{asset_seconds:.1f} | {asset_bytes / 1e6:.1f} |",
        "",
        "Budget (issue 2): generation <= 60 s and <= 500 MB; pixels are made lazily and kept.",
        "Command: `python -m benchmarks.generation`.",
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
