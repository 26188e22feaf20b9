"""The file route: the catalog folder's files with HTTP Range support, pixels made on demand.

``/files/<path>`` answers GET and HEAD; Starlette's ``FileResponse`` gives 206 Partial Content
for Range requests, so GDAL reads only the parts of a COG it needs. For a generated catalog, an
asset file missing from the folder is made on its first request and kept (``archive.pixels``).
Hidden files (the catalog's marker, temporary files being written) and paths that leave the
folder are never served.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..archive.generate import catalog_is_current
from ..catalog_index import CatalogIndex
from ..earth_search import media_type
from .paths import FILES_PREFIX


class CatalogFiles:
    """The files of a catalog folder that may be served; a generated one's are made if missing."""

    def __init__(self, catalog: CatalogIndex) -> None:
        self.root = catalog.folder
        if catalog_is_current(self.root):
            from ..archive.pixels import PixelFiles  # the scene generator: generated catalogs only

            self._pixels: PixelFiles | None = PixelFiles(catalog)
        else:
            self._pixels = None

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
        if not path.is_file() and self._pixels is not None:
            await run_in_threadpool(self._pixels.make, relative)
        return path if path.is_file() else None


def add_file_routes(app: FastAPI, catalog: CatalogIndex) -> None:
    """Serve ``catalog``'s folder under ``/files`` (GET and HEAD)."""
    files = CatalogFiles(catalog)

    @app.get(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    @app.head(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    async def serve_file(relative: str) -> Response:
        path = await files.get(relative)
        if path is None:
            return JSONResponse(
                {"code": "NotFound", "description": f"No file {relative!r} in the catalog."},
                status_code=404,
            )
        return FileResponse(path, media_type=media_type(path.name))
