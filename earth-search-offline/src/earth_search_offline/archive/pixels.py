"""The pixel files of a generated catalog, made when first asked for and then kept.

Generation writes the metadata only (seconds); an asset's file is made from its acquisition the
first time a client asks for it. Files are made one at a time: making one takes a few hundred MB
for a moment, and a room of learners asks for several at once (``benchmarks/room.py`` measures
it); after each, freed memory is handed back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path
from typing import Any

from ..catalog_index import CatalogIndex, IndexedItem
from . import collection1 as c1
from . import sentinel2 as s2
from .acquisitions import Acquisition, all_acquisitions
from .assets import write_asset


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


class PixelFiles:
    """Makes the missing asset files of a generated catalog's items, one at a time."""

    def __init__(self, catalog: CatalogIndex) -> None:
        self.root = catalog.folder
        self._making = threading.Lock()
        self._folders = {item.folder: item for item in catalog.items}
        self._file_keys = {
            s2.COLLECTION_ID: {name: key for key, name in s2.ASSET_FILES.items()},
            c1.COLLECTION_ID: {name: key for key, name in c1.ASSET_FILES.items()},
        }
        self._acquisitions: dict[str, Acquisition] | None = None

    def _acquisition(self, item_id: str) -> Acquisition | None:
        if self._acquisitions is None:
            acquisitions = all_acquisitions()
            self._acquisitions = {a.id: a for a in acquisitions} | {
                c1.item_id(a): a for a in acquisitions if a.sequence == 0
            }
        return self._acquisitions.get(item_id)

    def make(self, relative: str) -> None:
        """Make the file at ``relative`` (``<item folder>/<file>``) if it is an item's asset."""
        folder, _, name = relative.rpartition("/")
        item = self._folders.get(folder)
        key = self._file_keys.get(item.collection, {}).get(name) if item else None
        # Only the files an item lists: a JP2-only item (Element84/earth-search#79) has none
        # beside its JSON, a sparse Collection 1 item (#36) a few.
        listed = item.document["assets"].get(key, {}).get("href") if item and key else None
        if item is None or key is None or listed != f"./{name}":
            return
        with self._making:
            path = self.root / relative
            if path.is_file():
                return
            acquisition = self._acquisition(item.id)
            if acquisition is not None:
                properties = item.document["properties"]
                write_asset(acquisition, key, path, properties, item.collection)
                _release_free_memory()

    def make_assets(self, item: IndexedItem, keys: tuple[str, ...]) -> list[Path]:
        """Make ``item``'s files for the asset ``keys`` now, if they are not there yet."""
        names = [s2.ASSET_FILES[key] for key in keys]
        for name in names:
            self.make(f"{item.folder}/{name}")
        return [self.root / item.folder / name for name in names]
