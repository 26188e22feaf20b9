"""The real Amsterdam: where the water, the city and the green are, from real measurements.

Two files in ``data/`` (origin and attribution in ``data/SOURCES.md``):

- a real 10 m NDVI of Amsterdam-Noord, the IJ and Waterland (Sentinel-2 scene
  ``S2B_31UFU_20200326_0_L2A``, on tile 31UFU's grid, x 629000 to 639000, y 5804000 to 5814000).
  Inside that extent, the synthetic scenes take their land cover and texture from it; outside,
  the hand-drawn geography of ``geography`` stays, and the two are blended over ``BLEND_M`` so
  that nothing jumps at the border;
- the outlines of Amsterdam's 123 city parks (Gemeente Amsterdam), drawn as parkland
  everywhere in the window.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import rasterio
import shapely

if TYPE_CHECKING:
    from .geography import Place

DATA_FOLDER = Path(__file__).with_name("data")
NDVI_FILE = "amsterdam_ndvi_20200326.tif"
PARKS_FILE = "amsterdam_parks.geojson"
#: The NDVI file stores NDVI x 10000 as int16.
NDVI_SCALE_INVERSE = 10000
#: The real NDVI's extent in metres of EPSG:32631 (xmin, ymin, xmax, ymax), on tile 31UFU.
REAL_EXTENT = (629000.0, 5804000.0, 639000.0, 5814000.0)
REAL_RESOLUTION = 10
#: Width of the band outside the extent over which the real scene fades into the drawn one.
BLEND_M = 500.0
#: Real NDVI below this is open water (the histogram's gap between water and land).
WATER_BELOW = 0.0


@lru_cache(maxsize=1)
def measured_ndvi() -> np.ndarray:
    """The real NDVI (float32, 1000 x 1000, north up) of ``REAL_EXTENT``."""
    with rasterio.open(DATA_FOLDER / NDVI_FILE) as source:
        ndvi = source.read(1).astype(np.float32) / NDVI_SCALE_INVERSE
    ndvi.setflags(write=False)
    return ndvi


def overlaps(place: Place) -> bool:
    """Whether the place's window comes within ``BLEND_M`` of the real extent."""
    xmin, ymin, xmax, ymax = REAL_EXTENT
    wxmin, wymin, wxmax, wymax = place.window
    return not (
        wxmax <= xmin - BLEND_M or wxmin >= xmax + BLEND_M
        or wymax <= ymin - BLEND_M or wymin >= ymax + BLEND_M
    )  # fmt: skip


@lru_cache(maxsize=8)
def ndvi_on_grid(place: Place, resolution: int) -> np.ndarray:
    """The real NDVI on the place's window grid at ``resolution`` (10, 20 or 60 m).

    Beyond the extent each row and column repeats the extent's edge (the blend fades it out).
    Coarser grids average the 10 m pixels they cover.
    """
    factor = resolution // REAL_RESOLUTION
    x, y = place.pixel_centres(REAL_RESOLUTION)
    xmin, _, _, ymax = REAL_EXTENT
    real = measured_ndvi()
    cols = np.clip(((x - xmin) // REAL_RESOLUTION).astype(np.int64), 0, real.shape[1] - 1)
    rows = np.clip(((ymax - y) // REAL_RESOLUTION).astype(np.int64), 0, real.shape[0] - 1)
    fine = real[rows][:, cols]
    if factor > 1:
        height, width = fine.shape[0] // factor, fine.shape[1] // factor
        fine = fine[: height * factor, : width * factor]
        fine = fine.reshape(height, factor, width, factor).mean(axis=(1, 3))
    grid = np.ascontiguousarray(fine, dtype=np.float32)
    grid.setflags(write=False)
    return grid


@lru_cache(maxsize=8)
def real_weight(place: Place, resolution: int) -> np.ndarray:
    """How much of each pixel comes from the real scene: 1 inside the extent, 0 beyond the blend.

    The weight falls linearly with the distance from the extent, over ``BLEND_M``.
    """
    x, y = place.pixel_centres(resolution)
    xmin, ymin, xmax, ymax = REAL_EXTENT
    dx = np.maximum(np.maximum(xmin - x, x - xmax), 0.0)
    dy = np.maximum(np.maximum(ymin - y, y - ymax), 0.0)
    distance = np.hypot(dy[:, None], dx[None, :])
    weight = np.clip(1.0 - distance / BLEND_M, 0.0, 1.0).astype(np.float32)
    weight.setflags(write=False)
    return weight


@lru_cache(maxsize=8)
def blend_window(place: Place, resolution: int) -> tuple[slice, slice]:
    """The rows and columns of the place's grid where the real scene counts (weight above 0)."""
    rows, cols = np.nonzero(real_weight(place, resolution))
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    return slice(int(rows.min()), int(rows.max()) + 1), slice(int(cols.min()), int(cols.max()) + 1)


@lru_cache(maxsize=1)
def park_outlines() -> tuple[tuple[str, shapely.Geometry], ...]:
    """Amsterdam's city parks: (name, outline in longitude/latitude)."""
    collection = json.loads((DATA_FOLDER / PARKS_FILE).read_text(encoding="utf-8"))
    return tuple(
        (feature["properties"]["name"], shapely.geometry.shape(feature["geometry"]))
        for feature in collection["features"]
    )
