"""What a mirror run writes besides the files: the manifest, the local items, the kit's catalog.

Every document is written atomically; the catalog lists every item mirrored so far into the
folder, so runs with other dates add to one kit.
"""

from __future__ import annotations

import contextlib
import copy
import json
import posixpath
from pathlib import Path
from typing import Any

from shapely.geometry import box, mapping, shape

from ..static_catalog import CATALOG_FILE, extent, relative_root, root_catalog, write_json
from .fetch import sha256_of
from .plan import FileTask, MirrorRequest, local_folder

MANIFEST_FILE = "mirror-manifest.json"


class Manifest:
    """``mirror-manifest.json``: every finished file with its size and SHA-256."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_FILE
        self.data: dict[str, Any] = {"requests": [], "files": {}, "items": {}}
        if self.path.is_file():
            # A damaged manifest is dropped: every file is then fetched again.
            with contextlib.suppress(ValueError):
                self.data = json.loads(self.path.read_text(encoding="utf-8"))

    def is_complete(self, folder: Path, relative: str) -> bool:
        entry = self.data["files"].get(relative)
        path = folder / relative
        if entry is None or not path.is_file() or path.stat().st_size != entry["size"]:
            return False
        return sha256_of(path) == entry["sha256"]

    def record(self, folder: Path, task: FileTask, grid: dict[str, Any] | None) -> None:
        path = folder / task.relative
        self.data["files"][task.relative] = {
            "size": path.stat().st_size,
            "sha256": sha256_of(path),
            "source": task.source,
            "mode": task.mode,
            **({"grid": grid} if grid else {}),
        }
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


def _local_item(
    item: dict[str, Any], tasks: list[FileTask], manifest: Manifest, request: MirrorRequest
) -> dict[str, Any]:
    local = copy.deepcopy(item)
    # Links inside the kit, relative to the item's folder, as in any static catalog (the STAC
    # item schema wants a "collection" link where the item names its collection).
    depth = relative_root(local_folder(item))
    collection_file = f"{depth}/{request.collection}/collection.json"
    local["links"] = [
        {"rel": "root", "href": f"{depth}/{CATALOG_FILE}", "type": "application/json"},
        {"rel": "parent", "href": collection_file, "type": "application/json"},
        {"rel": "collection", "href": collection_file, "type": "application/json"},
    ]
    kept = {task.key: task for task in tasks if task.item_id == item["id"]}
    local["assets"] = {}
    for key, task in kept.items():
        asset = dict(item["assets"][key])
        entry = manifest.data["files"][task.relative]
        asset["href"] = f"./{posixpath.basename(task.relative)}"
        asset.update(entry.get("grid", {}))
        # Facts about the remote file that no longer hold for the local one.
        asset.pop("alternate", None)
        asset.pop("file:checksum", None)
        if "file:size" in asset:
            asset["file:size"] = entry["size"]
        local["assets"][key] = asset
    if any(task.mode == "clip" for task in kept.values()):
        area = shape(item["geometry"]).intersection(box(*request.bbox))
        local["geometry"] = mapping(area)
        local["bbox"] = list(area.bounds)
    return local


def _write_catalog(folder: Path, collection: dict[str, Any], manifest: Manifest) -> None:
    items = {
        item_id: json.loads((folder / relative).read_text(encoding="utf-8"))
        for item_id, relative in sorted(manifest.data["items"].items())
    }
    document = {key: value for key, value in collection.items() if key != "links"}
    document["extent"] = extent(list(items.values()))
    collection_file = f"{collection['id']}/collection.json"
    document["links"] = [
        {"rel": "root", "href": f"../{CATALOG_FILE}", "type": "application/json"},
        {"rel": "parent", "href": f"../{CATALOG_FILE}", "type": "application/json"},
        *(
            {"rel": "item", "href": f"../{relative}", "type": "application/geo+json"}
            for relative in sorted(manifest.data["items"].values())
        ),
    ]
    write_json(folder / collection_file, document)
    write_json(
        folder / CATALOG_FILE,
        root_catalog(
            f"Offline mirror of {collection['id']} searches (see {MANIFEST_FILE}).",
            [collection_file],
            catalog_id="earth-search-mirror",
            title=f"Offline mirror of {collection['id']}",
        ),
    )
