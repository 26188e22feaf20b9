"""Generate the synthetic archive as a static catalog folder, once, and tell a current one.

``ensure_catalog`` writes the metadata of every acquisition (``items``) unless the folder
already holds a catalog of this generator version; pixel files are made when first asked for
(``pixels``), except those of an optional warm-up scene, made now so that the first reader of
that scene does not wait.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..catalog_index import CatalogIndex, IndexedItem, SearchRequest, parse_datetime
from ..settings import catalog_folder
from ..static_catalog import CATALOG_FILE, item_folder, write_json
from . import collection1 as c1
from . import sentinel2 as s2
from .acquisitions import FIRST_DAY, LAST_DAY, Acquisition, all_acquisitions
from .geography import PLACES
from .items import (
    C1_COLLECTION_FILE,
    COLLECTION_FILE,
    GENERATOR_VERSION,
    ITEMS_ROOT,
    make_c1_collection,
    make_c1_item,
    make_collection,
    make_item,
    make_root_catalog,
)

MARKER_FILE = ".offline-catalog.json"


@dataclass(frozen=True)
class WarmUp:
    """Scenes whose files are made with the catalog: the first ``scenes`` acquisitions on
    ``tile`` that a search of ``collection`` in ``bbox``, ``datetime`` and under
    ``max_cloud_cover`` % finds, in the API's order, each in its newest version, skipping
    items that lack one of ``assets`` (as a lesson that keeps only usable items does)."""

    bbox: tuple[float, float, float, float]
    datetime: str  # an interval, "2021-01-01/2021-12-31"
    max_cloud_cover: float
    tile: str  # grid:code, "MGRS-31UFU"
    assets: tuple[str, ...]
    collection: str = s2.COLLECTION_ID
    scenes: int = 1

    def items(self, catalog: CatalogIndex) -> list[IndexedItem]:
        start, _, end = self.datetime.partition("/")
        end_of_day = "T23:59:59Z" if len(end) == 10 else ""
        search = SearchRequest(
            collections=[self.collection],
            bbox=list(self.bbox),
            datetime=(parse_datetime(start), parse_datetime(end + end_of_day)),
            query={"eo:cloud_cover": {"lt": self.max_cloud_cover}},
        )
        newest: dict[str, IndexedItem] = {}
        for item in catalog.search(search):
            properties = item.document["properties"]
            usable = all(key in item.document["assets"] for key in self.assets)
            if properties.get("grid:code") != self.tile or not usable:
                continue
            kept = newest.get(properties["datetime"])
            generated = properties.get("s2:generation_time", "")
            if kept is None or generated > kept.document["properties"].get(
                "s2:generation_time", ""
            ):
                newest[properties["datetime"]] = item
        return list(newest.values())[: self.scenes]


def catalog_is_current(folder: Path) -> bool:
    """True when ``folder`` holds a complete catalog made by this generator version."""
    marker = folder / MARKER_FILE
    if not marker.is_file() or not (folder / COLLECTION_FILE).is_file():
        return False
    try:
        return json.loads(marker.read_text())["version"] == GENERATOR_VERSION
    except (ValueError, KeyError):
        return False


def generate(
    folder: Path,
    acquisitions: Iterable[Acquisition] | None = None,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Write the synthetic catalog's metadata to ``folder``; pixels are made on first request.

    Returns the item dicts. The marker file is written last, so an interrupted run is
    detected (``catalog_is_current`` is False) and redone.
    """
    folder = Path(folder)
    chosen = list(acquisitions) if acquisitions is not None else all_acquisitions()
    (folder / MARKER_FILE).unlink(missing_ok=True)
    # Pixels made by an earlier generator version would no longer match the new metadata.
    shutil.rmtree(folder / ITEMS_ROOT, ignore_errors=True)
    shutil.rmtree(folder / c1.COLLECTION_ID, ignore_errors=True)
    workers = workers or min(2, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            items = list(pool.map(make_item, chosen, chunksize=8))
    else:
        items = [make_item(acquisition) for acquisition in chosen]
    # Collection 1: the same acquisitions, reprocessed once (no copies processed twice).
    c1_items = [
        make_c1_item(acquisition, item)
        for acquisition, item in zip(chosen, items, strict=True)
        if acquisition.sequence == 0
    ]
    for item in items + c1_items:
        write_json(folder / item_folder(item) / f"{item['id']}.json", item)
    write_json(folder / COLLECTION_FILE, make_collection(items))
    write_json(folder / C1_COLLECTION_FILE, make_c1_collection(c1_items))
    write_json(folder / CATALOG_FILE, make_root_catalog())
    write_json(
        folder / MARKER_FILE,
        {
            "generator": "earth-search-offline",
            "version": GENERATOR_VERSION,
            "synthetic": True,
            "items": len(items),
            "c1_items": len(c1_items),
            "first_day": FIRST_DAY.isoformat(),
            "last_day": LAST_DAY.isoformat(),
            "places": [place.tile for place in PLACES],
        },
    )
    return items


def make_warm_up_scenes(folder: Path, warm_up: WarmUp) -> list[Path]:
    """Make the files of ``warm_up``'s scenes in the generated catalog at ``folder``."""
    from .pixels import PixelFiles  # loads the scene generator, which only this step needs

    catalog = CatalogIndex.load(folder)
    pixel_files = PixelFiles(catalog)
    return [
        path for item in warm_up.items(catalog)
        for path in pixel_files.make_assets(item, warm_up.assets)
    ]  # fmt: skip


def ensure_catalog(
    folder: Path | None = None, force: bool = False, warm_up: WarmUp | None = None
) -> Path:
    """Generate the synthetic catalog in ``folder`` unless a current one is already there.

    ``folder`` defaults to ``settings.catalog_folder()``; ``warm_up`` names the scenes whose
    files are made at once (the rest are made when first asked for).
    """
    folder = Path(folder) if folder else catalog_folder()
    if force or not catalog_is_current(folder):
        print(f"Generating the offline catalog in {folder} (about a minute, once)...", flush=True)
        started = time.perf_counter()
        items = generate(folder)
        made = make_warm_up_scenes(folder, warm_up) if warm_up else []
        scene = f" and {len(made)} files of {warm_up.scenes} warm-up scenes" if warm_up else ""
        print(f"  {len(items)} items{scene} in {time.perf_counter() - started:.1f} s", flush=True)
    return folder
