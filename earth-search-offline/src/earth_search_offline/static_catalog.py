"""The layout of a static catalog folder, shared by the synthetic archive and the mirror.

    catalog.json
    sentinel-2-l2a/collection.json
    sentinel-s2-l2a-cogs/31/U/FU/2021/8/S2B_31UFU_20210812_0_L2A/S2B_31UFU_20210812_0_L2A.json
    sentinel-s2-l2a-cogs/31/U/FU/2021/8/S2B_31UFU_20210812_0_L2A/B04.tif

Items lie in the folders of the real buckets, next to their assets; all links and asset hrefs
are relative, so a folder can be moved, copied to a USB stick or served from any address.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .atomic import atomic_path

CATALOG_FILE = "catalog.json"
STAC_VERSION = "1.0.0"
#: The landing page's id and title, on the API and in a generated catalog's catalog.json.
LANDING_ID = "earth-search-offline"
LANDING_TITLE = "Earth Search (offline lesson copy)"


def tile_folder(root: str, properties: dict[str, Any], item_id: str) -> str:
    """``<root>/<zone>/<band>/<square>/<year>/<month>/<id>``: an item's folder in the buckets.

    ``properties`` gives the MGRS tile (``mgrs:*``) and the ``datetime``.
    """
    moment = str(properties["datetime"])
    return "/".join([
        root, str(properties["mgrs:utm_zone"]), str(properties["mgrs:latitude_band"]),
        str(properties["mgrs:grid_square"]), str(int(moment[:4])), str(int(moment[5:7])), item_id,
    ])  # fmt: skip


def item_folder(item: dict[str, Any]) -> str:
    """The folder of an item document, as in its real bucket.

    ``sentinel-2-l2a`` items name it in ``earthsearch:s3_path`` (``s3://bucket/<folder>``);
    Collection 1 items have no such property: their collection, tile and date give it; items
    with neither go to ``<collection>/<id>``. The parts are the document's, unchecked: the mirror
    checks them before it writes anything (``mirror.safety``).
    """
    properties = item.get("properties") or {}
    item_id = str(item.get("id"))
    s3_path = properties.get("earthsearch:s3_path")
    if isinstance(s3_path, str) and s3_path.startswith("s3://"):
        return "/".join(s3_path.removeprefix("s3://").rstrip("/").split("/")[1:])
    tile = ("mgrs:utm_zone", "mgrs:latitude_band", "mgrs:grid_square", "datetime")
    if all(properties.get(key) is not None for key in tile):
        return tile_folder(str(item.get("collection")), properties, item_id)
    return f"{item.get('collection')}/{item_id}"


def relative_root(folder: str) -> str:
    """The way up from an item's ``folder`` to the catalog's root: ``../../..``."""
    return "/".join([".."] * len(Path(folder).parts))


def root_catalog(
    description: str,
    collection_files: Iterable[str],
    catalog_id: str = LANDING_ID,
    title: str = LANDING_TITLE,
) -> dict[str, Any]:
    """``catalog.json``: the root, linking to each ``<collection>/collection.json``."""
    return {
        "type": "Catalog",
        "id": catalog_id,
        "stac_version": STAC_VERSION,
        "title": title,
        "description": description,
        "links": [
            {"rel": "root", "href": f"./{CATALOG_FILE}", "type": "application/json"},
            *(
                {"rel": "child", "href": f"./{file}", "type": "application/json"}
                for file in collection_files
            ),
        ],
    }


def extent(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A collection's ``extent``: the box around the items' boxes, their first and last time."""
    boxes = [item["bbox"] for item in items]
    times = sorted(item["properties"]["datetime"] for item in items)
    return {
        "spatial": {
            "bbox": [
                [
                    min(b[0] for b in boxes),
                    min(b[1] for b in boxes),
                    max(b[2] for b in boxes),
                    max(b[3] for b in boxes),
                ]
            ]
        },
        "temporal": {"interval": [[times[0], times[-1]]]},
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write a STAC document as JSON, atomically (a reader never sees half a file)."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
