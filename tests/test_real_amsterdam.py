"""The offline scenes show the real Amsterdam: measured against the real NDVI they are made from.

Everything is read as a learner reads it, through the API and the served COGs (pystac-client,
rioxarray), then compared with the real NDVI of ``S2B_31UFU_20200326_0_L2A`` that the stand-in
ships (``earth_search_offline/archive/data``), read here straight from its file.
"""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import rioxarray
import xarray as xr
from earth_search_offline.archive.real_amsterdam import DATA_FOLDER, NDVI_FILE, REAL_EXTENT
from pystac import Item
from pystac_client import Client

from helpers.checkpoints import LESSON_SEARCH, newest_versions
from helpers.places import CLIP_BOX_KWARGS, CLIP_BOX_UTM

SCL_CLEAR = (4, 5, 6)
SCL_CLOUD_OR_SHADOW = (3, 8, 9, 10)
XMIN, YMIN, XMAX, YMAX = REAL_EXTENT


@pytest.fixture(scope="module")
def real_ndvi() -> np.ndarray:
    with rasterio.open(DATA_FOLDER / NDVI_FILE) as source:
        assert source.bounds == REAL_EXTENT and source.res == (10.0, 10.0)
        return source.read(1).astype("float32") / 10000


def _summer_scene(api_url: str, month: str) -> Item:
    client = Client.open(api_url)
    search = client.search(
        collections=["sentinel-2-l2a"],
        bbox=[4.9, 52.38, 5.0, 52.45],
        datetime=f"2021-{month}",
        query={"eo:cloud_cover": {"lt": 5}, "grid:code": {"eq": "MGRS-31UFU"}},
        sortby="eo:cloud_cover",
        max_items=1,
    )
    return next(search.items())


def _read(item: Item, key: str, **box: float) -> xr.DataArray:
    data = rioxarray.open_rasterio(item.assets[key].href, masked=True)
    return data.rio.clip_box(**box).squeeze()


def _extent() -> dict[str, float]:
    # Pixel centres strictly inside the extent: clip_box keeps pixels that touch the box.
    return {"minx": XMIN + 1, "miny": YMIN + 1, "maxx": XMAX - 1, "maxy": YMAX - 1}


@pytest.mark.parametrize("month", ["06", "07", "08"])
def test_a_clear_summer_scene_has_the_real_ndvi_and_water(
    api_url: str, real_ndvi: np.ndarray, month: str
) -> None:
    item = _summer_scene(api_url, month)
    red = _read(item, "red", **_extent()) * 0.0001
    nir = _read(item, "nir", **_extent()) * 0.0001
    assert red.shape == real_ndvi.shape, "the extent is read on the real data's own grid"
    scl = _read(item, "scl", **_extent()).rio.reproject_match(red, resampling=0)
    clear = np.isin(scl.values, SCL_CLEAR)
    assert clear.mean() > 0.8, f"{item.id}: too cloudy to compare"
    ndvi = ((nir - red) / (nir + red)).values
    correlation = np.corrcoef(ndvi[clear], real_ndvi[clear])[0, 1]
    assert correlation >= 0.85, f"{item.id}: NDVI correlates {correlation:.2f} with the real one"
    water, real_water = (ndvi[clear] < 0).mean(), (real_ndvi[clear] < 0).mean()
    assert abs(water - real_water) <= 0.03, (item.id, water, real_water)


def test_scl_classes_agree_with_the_pixels(api_url: str, real_ndvi: np.ndarray) -> None:
    item = _summer_scene(api_url, "07")
    red = _read(item, "red", **_extent()) * 0.0001
    nir = _read(item, "nir", **_extent()) * 0.0001
    ndvi = ((nir - red) / (nir + red)).values
    scl = _read(item, "scl", **_extent()).rio.reproject_match(red, resampling=0).values
    water = scl == 6
    assert (ndvi[water] < 0).mean() > 0.97, "SCL water is where NDVI is below 0"
    assert (real_ndvi[water] < 0).mean() > 0.97, "... and where the real IJ is"
    assert np.median(ndvi[scl == 4]) > 0.6, "SCL vegetation is green in July"
    assert np.median(ndvi[scl == 5]) < 0.4, "SCL not-vegetated is streets and roofs"


def test_true_colour_looks_like_sentinel_2(api_url: str) -> None:
    """ESA's TCI maps 0..0.2 reflectance to 1..255: water dark, the city grey, meadows green."""
    item = _summer_scene(api_url, "07")
    visual = _read(item, "visual", **_extent()).values.astype(float)
    scl = _read(item, "scl", **_extent()).values
    scl_10m = np.repeat(np.repeat(scl, 2, axis=0), 2, axis=1)[: visual.shape[1], : visual.shape[2]]
    water = [np.median(visual[band][scl_10m == 6]) for band in range(3)]
    city = [np.median(visual[band][scl_10m == 5]) for band in range(3)]
    assert max(water) < 80 and max(water) < min(city), "water is dark, darker than the city"
    red, green, blue = (np.median(visual[band][scl_10m == 4]) for band in range(3))
    assert green > red and green > blue, "vegetation is green"
    assert max(city) - min(city) < 0.25 * max(city), "streets and roofs are grey"


def test_the_border_of_the_real_extent_does_not_jump(api_url: str) -> None:
    """Across the extent's west and south edges, NDVI changes no more than from pixel to pixel."""
    item = _summer_scene(api_url, "07")
    box = {"minx": XMIN - 1000, "miny": YMIN - 1000, "maxx": XMIN + 3000, "maxy": YMIN + 3000}
    red = _read(item, "red", **box) * 0.0001
    nir = _read(item, "nir", **box) * 0.0001
    ndvi = (nir - red) / (nir + red)
    west = int(np.searchsorted(ndvi.x.values, XMIN))
    step_x = np.abs(np.diff(ndvi.values, axis=1))
    assert np.nanmean(step_x[:, west - 1]) < 2 * np.nanmedian(np.nanmean(step_x, axis=0))
    south = int(np.searchsorted(-ndvi.y.values, -YMIN))
    step_y = np.abs(np.diff(ndvi.values, axis=0))
    assert np.nanmean(step_y[south - 1]) < 2 * np.nanmedian(np.nanmean(step_y, axis=1))


def test_the_lesson_scene_has_a_cloud_and_its_shadow_over_part_of_the_box(api_url: str) -> None:
    """Episode 5 masks clouds: its scene must have some in the box, and clear pixels too."""
    client = Client.open(api_url)
    items = newest_versions(client.search(**LESSON_SEARCH).item_collection())
    scene = next(
        item for item in items
        if item.properties["grid:code"] == "MGRS-31UFU" and "red" in item.assets
    )  # fmt: skip
    scl = _read(scene, "scl", **CLIP_BOX_KWARGS).values
    assert scl.shape == ((CLIP_BOX_UTM[3] - CLIP_BOX_UTM[1]) // 20,) * 2
    cloudy = np.isin(scl, SCL_CLOUD_OR_SHADOW)
    assert 0.05 < cloudy.mean() < 0.4, f"{scene.id}: {cloudy.mean():.0%} cloud or shadow"
    assert (scl == 3).any(), "the cloud's shadow falls in the box too"
    assert (scl == 6).mean() > 0.1, "the IJ is in the box"
