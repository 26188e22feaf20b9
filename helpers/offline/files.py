"""The file route: the catalog folder's files with HTTP Range support, pixels made on demand.

``/files/<path>`` answers GET and HEAD; Starlette's ``FileResponse`` gives 206 Partial Content
for Range requests, so GDAL reads only the parts of a COG it needs. For a catalog made by
``generate``, an asset file is written on its first request and kept. Files are made one at a
time: making one takes a few hundred MB for a moment, and a room of learners asks for several
at once (``benchmarks/room.py`` measures it). ``make_lesson_scene`` makes the files episodes 4
and 5 read when the catalog is generated, so the room's first clip does not wait for them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..checkpoints import LESSON_COLLECTION, LESSON_MAX_CLOUD_COVER, LESSON_YEAR
from ..places import search_bbox
from . import collection1 as c1
from . import sentinel2 as s2
from .acquisitions import all_acquisitions
from .api_client import FILES_PREFIX
from .assets import write_asset
from .backend import Catalog, IndexedItem, SearchRequest
from .catalog import catalog_is_current

MEDIA_TYPES = {
    ".tif": "image/tiff",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".xml": "application/xml",
}


#: The tile and the assets episodes 4 and 5 read from the first scene of episode 2's search.
LESSON_TILE = "MGRS-31UFU"
LESSON_ASSETS = ("thumbnail", "visual", "red", "nir", "scl")


def _malloc_trim() -> Any:
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


_MALLOC_TRIM = _malloc_trim()


def _release_free_memory() -> None:
    """Hand freed heap pages back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Without it the server keeps the peak of every file it made as resident memory.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


class AssetFiles:
    """Serves files of the catalog folder; makes synthetic assets on first request."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.root = catalog.folder
        self._synthetic = catalog_is_current(self.root)
        self._making = threading.Lock()
        self._folders = {item.folder: item for item in catalog.items}
        self._file_keys = {
            s2.COLLECTION_ID: {name: key for key, name in s2.ASSET_FILES.items()},
            c1.COLLECTION_ID: {name: key for key, name in c1.ASSET_FILES.items()},
        }
        self._acquisitions: dict[str, Any] | None = None

    def resolve(self, relative: str) -> Path | None:
        """The file for a URL path inside the catalog folder, or None if it must not be served."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            real = candidate.resolve()
        except OSError:
            return None
        if not real.is_relative_to(self.root):
            return None
        return candidate

    async def get(self, relative: str) -> Path | None:
        path = self.resolve(relative)
        if path is None:
            return None
        if not path.is_file() and self._synthetic:
            await run_in_threadpool(self._make, relative)
        return path if path.is_file() else None

    def _make(self, relative: str) -> None:
        folder, _, name = relative.rpartition("/")
        item = self._folders.get(folder)
        key = self._file_keys.get(item.collection, {}).get(name) if item else None
        if item is None or key is None:
            return
        with self._making:
            path = self.root / relative
            if path.is_file():
                return
            if self._acquisitions is None:
                acquisitions = all_acquisitions()
                self._acquisitions = {a.id: a for a in acquisitions} | {
                    c1.item_id(a): a for a in acquisitions if a.sequence == 0
                }
            acquisition = self._acquisitions.get(item.id)
            if acquisition is not None:
                properties = item.document["properties"]
                write_asset(acquisition, key, path, properties, item.collection)
                _release_free_memory()

    def make_assets(self, item: IndexedItem, keys: tuple[str, ...]) -> list[Path]:
        """Make ``item``'s files for the asset ``keys`` now, if they are not there yet."""
        names = [s2.ASSET_FILES[key] for key in keys]
        for name in names:
            self._make(f"{item.folder}/{name}")
        return [self.root / item.folder / name for name in names]


def lesson_scene(catalog: Catalog) -> IndexedItem | None:
    """The scene episodes 4 and 5 use: the first ``LESSON_TILE`` item of episode 2's search."""
    year = (
        datetime(LESSON_YEAR, 1, 1, tzinfo=UTC),
        datetime(LESSON_YEAR, 12, 31, 23, 59, 59, tzinfo=UTC),
    )
    search = SearchRequest(
        collections=[LESSON_COLLECTION],
        bbox=list(search_bbox()),
        datetime=year,
        query={"eo:cloud_cover": {"lt": LESSON_MAX_CLOUD_COVER}},
    )
    tile = (
        i for i in catalog.search(search) if i.document["properties"]["grid:code"] == LESSON_TILE
    )
    return next(tile, None)


def make_lesson_scene(folder: Path) -> list[Path]:
    """Make the files of the lesson's scene in the generated catalog at ``folder``."""
    catalog = Catalog.load(folder)
    item = lesson_scene(catalog)
    return AssetFiles(catalog).make_assets(item, LESSON_ASSETS) if item else []


def add_file_routes(app: FastAPI, catalog: Catalog) -> None:
    """Serve ``catalog``'s folder under ``/files`` (GET and HEAD)."""
    files = AssetFiles(catalog)

    @app.get(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    @app.head(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    async def serve_file(relative: str) -> Response:
        path = await files.get(relative)
        if path is None:
            return JSONResponse(
                {"code": "NotFound", "description": f"No file {relative!r} in the catalog."},
                status_code=404,
            )
        return FileResponse(
            path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        )
