"""What a mirror run will write: the request, and one task per file (clipped or copied whole)."""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np
import rasterio
from rasterio.warp import transform_bounds
from rasterio.windows import Window, from_bounds

from ..bbox import check_bbox
from ..errors import MirrorError
from ..static_catalog import item_folder
from .safety import fetchable, safe_name, safe_relative


@dataclass(frozen=True)
class MirrorRequest:
    """What to mirror: a search and the assets to keep of each item."""

    api_url: str
    bbox: tuple[float, float, float, float]
    datetime: str | None
    assets: tuple[str, ...]
    collection: str = "sentinel-2-l2a"
    query: dict[str, Any] | list[str] | None = None
    whole: bool = False
    max_items: int | None = None

    def __post_init__(self) -> None:
        try:
            west, south, east, north = check_bbox(self.bbox)
        except ValueError as error:
            raise MirrorError(f"{error} For Amsterdam, try 4.84 52.32 4.96 52.42.") from None
        if not (west < east and south < north):
            raise MirrorError(
                f"bbox {self.bbox} has no area, or crosses the antimeridian: the mirror needs "
                "(min lon, min lat, max lon, max lat) with min < max, e.g. 4.84 52.32 4.96 52.42."
            )
        if not self.assets:
            raise MirrorError(
                "No asset keys given: name the assets to copy, e.g. red nir scl visual."
            )


@dataclass(frozen=True)
class FileTask:
    """One file of the mirror: where it comes from and how."""

    item_id: str
    key: str
    source: str
    relative: str  # path inside the mirror folder
    mode: str  # "clip" or "copy"
    estimate: int  # bytes, before compression for clips


def local_folder(item: dict[str, Any]) -> str:
    """The item's folder in the kit, as in its real bucket (``static_catalog.item_folder``),
    made of safe names only (``safety``), whatever the remote sent."""
    item_id = str(item.get("id"))
    safe_name(item_id, "id", item_id)
    return safe_relative(item_folder(item).split("/"), "folder", item_id)


def _file_name(href: str, item_id: str) -> str:
    return safe_name(posixpath.basename(urlparse(href).path), "asset file name", item_id)


def _window(
    bbox: tuple[float, ...], crs: Any, transform: rasterio.Affine, width: int, height: int
) -> Window:
    """The whole pixels of a grid that ``bbox`` (degrees) touches, inside the grid."""
    exact = from_bounds(*transform_bounds("EPSG:4326", crs, *bbox, densify_pts=21), transform)
    tolerance = 1e-6  # bounds on pixel edges must not pull in a neighbouring pixel
    col = max(0, math.floor(exact.col_off + tolerance))
    row = max(0, math.floor(exact.row_off + tolerance))
    col_end = min(width, math.ceil(exact.col_off + exact.width - tolerance))
    row_end = min(height, math.ceil(exact.row_off + exact.height - tolerance))
    return Window(col, row, max(0, col_end - col), max(0, row_end - row))


def _clip_window(asset: dict[str, Any], bbox: tuple[float, ...], crs: str) -> Window | None:
    """The pixel window of ``bbox`` (degrees) in an asset's grid, from its proj metadata."""
    shape_ = asset.get("proj:shape")
    transform = asset.get("proj:transform")
    if not shape_ or not transform:
        return None
    return _window(bbox, crs, rasterio.Affine(*transform[:6]), shape_[1], shape_[0])


def _item_crs(item: dict[str, Any]) -> str | None:
    properties = item["properties"]
    if properties.get("proj:code"):
        return properties["proj:code"]
    if properties.get("proj:epsg"):
        return f"EPSG:{properties['proj:epsg']}"
    return None


def _estimate(asset: dict[str, Any], window: Window | None) -> int:
    # Earth Search's true colour asset has no raster:bands: 3 eo:bands of uint8.
    bands = asset.get("raster:bands") or [{} for _ in asset.get("eo:bands") or [{}]]
    size = sum(np.dtype(band.get("data_type", "uint8")).itemsize for band in bands)
    if window is not None:
        return int(window.width * window.height * size)
    shape_ = asset.get("proj:shape")
    return int(shape_[0] * shape_[1] * size) if shape_ else 0


def with_assets(
    request: MirrorRequest, items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The items that have every asset asked for, and the ids of those left out.

    Earth Search has items without their COGs: JP2-only ``sentinel-2-l2a`` items
    (Element84/earth-search#79) and Collection 1 items missing most assets (#36); a kit leaves
    them out. When no item has the assets, the keys are wrong: that is an error.
    """
    kept = [item for item in items if set(request.assets) <= set(item["assets"])]
    if items and not kept:
        item = items[0]
        missing = [key for key in request.assets if key not in item["assets"]]
        raise MirrorError(
            f"Item {item['id']} has no asset {missing[0]!r}. Its assets: "
            f"{', '.join(sorted(item['assets']))}. Choose asset keys from that list."
        )
    kept_ids = {item["id"] for item in kept}
    return kept, [item["id"] for item in items if item["id"] not in kept_ids]


def plan(request: MirrorRequest, items: Iterable[dict[str, Any]]) -> list[FileTask]:
    """The files to write for ``items`` (``with_assets``'s): chosen assets, clipped or whole,
    and thumbnails."""
    tasks = []
    for item in items:
        folder = local_folder(item)
        keys = [*request.assets, *(["thumbnail"] if "thumbnail" in item["assets"] else [])]
        crs = _item_crs(item)
        for key in dict.fromkeys(keys):
            asset = item["assets"][key]
            fetchable(asset["href"], item["id"], key)
            raster = asset.get("type", "").startswith(("image/tiff", "image/jp2"))
            clip = raster and not request.whole and crs is not None
            window = _clip_window(asset, request.bbox, crs) if clip and crs else None
            if clip and window is not None and (window.width <= 0 or window.height <= 0):
                raise MirrorError(f"{item['id']}: asset {key!r} does not overlap the area.")
            tasks.append(
                FileTask(
                    item_id=item["id"],
                    key=key,
                    source=asset["href"],
                    relative=f"{folder}/{_file_name(asset['href'], item['id'])}",
                    mode="clip" if clip else "copy",
                    estimate=_estimate(asset, window),
                )
            )
    return tasks
