"""The file route: the catalog folder's files with HTTP Range support, pixels made on demand.

``/files/<path>`` answers GET and HEAD; Starlette's ``FileResponse`` gives 206 Partial Content
for Range requests, so GDAL reads only the parts of a COG it needs. For a catalog made by
``generate``, an asset file is written on its first request (once, under a lock) and kept.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from . import collection1 as c1
from . import sentinel2 as s2
from .acquisitions import all_acquisitions
from .api_client import FILES_PREFIX
from .assets import write_asset
from .backend import Catalog
from .catalog import catalog_is_current

MEDIA_TYPES = {
    ".tif": "image/tiff",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".xml": "application/xml",
}


class AssetFiles:
    """Serves files of the catalog folder; makes synthetic assets on first request."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.root = catalog.folder
        self._synthetic = catalog_is_current(self.root)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
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
        with self._locks_guard:
            lock = self._locks.setdefault(relative, threading.Lock())
        with lock:
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
