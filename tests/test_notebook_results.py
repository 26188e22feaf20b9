"""What the notebooks produce, checked against values computed here from the catalog.

The notebooks run once in a temporary folder against the session's offline server (the
``lesson_run`` fixture: the learner edition with its solutions filled back in); the files they
save are compared with independent reads of the same assets.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from pystac import ItemCollection
from rasterio.windows import from_bounds
from rio_cogeo.cogeo import cog_validate
from shapely.geometry import Point, box, shape

from helpers.notebooks import printed_text

LESSON_BOX = (627000, 5802000, 631000, 5806000)
Item = dict[str, Any]


@pytest.fixture(scope="module")
def executed(lesson_run: dict[str, Any]) -> dict[str, Any]:
    return lesson_run


@pytest.fixture(scope="module")
def workdir(lesson_run: dict[str, Any]) -> Path:
    return lesson_run["folder"]


def _expected_search_ids(catalog_items: list[Item]) -> list[str]:
    area = box(*Point(4.90, 52.37).buffer(0.05).bounds)
    chosen = [
        item for item in catalog_items
        if shape(item["geometry"]).intersects(area)
        and item["properties"]["datetime"].startswith("2021-")
        and item["properties"]["eo:cloud_cover"] < 5
    ]  # fmt: skip
    chosen.sort(key=lambda item: (item["properties"]["datetime"], item["id"]), reverse=True)
    return [item["id"] for item in chosen]


def test_saved_search_results_reload_with_the_expected_items(
    workdir: Path, catalog_items: list[Item]
) -> None:
    saved = ItemCollection.from_file(str(workdir / "search_results.json"))
    assert [item.id for item in saved] == _expected_search_ids(catalog_items)
    for item in saved:
        assert item.properties["eo:cloud_cover"] < 5
        assert item.datetime.year == 2021


def _item(catalog_items: list[Item], item_id: str) -> Item:
    return next(item for item in catalog_items if item["id"] == item_id)


def _read_box(
    api_url: str, item: Item, key: str, bounds: tuple[float, ...] = LESSON_BOX
) -> np.ndarray:
    folder = item["properties"]["earthsearch:s3_path"].split("/", 3)[3]
    href = f"{api_url.removesuffix('/v1')}/files/{folder}/{item['assets'][key]['href'][2:]}"
    with rasterio.open(href) as dataset:
        return dataset.read(window=from_bounds(*bounds, dataset.transform))


def test_true_colour_clip_has_the_lesson_box(
    workdir: Path, catalog_items: list[Item], api_url: str
) -> None:
    first_id = _expected_search_ids(catalog_items)[0]
    expected = _read_box(api_url, _item(catalog_items, first_id), "visual")
    with rasterio.open(workdir / "amsterdam_tci.tif") as saved:
        assert saved.crs.to_epsg() == 32631
        assert saved.shape == (400, 400) and saved.count == 3
        assert tuple(saved.bounds) == LESSON_BOX
        np.testing.assert_array_equal(saved.read(), expected)
    assert cog_validate(str(workdir / "amsterdam_tci.tif"), quiet=True)[0]


def test_saved_ndvi_is_a_cog_equal_to_an_independent_computation(
    workdir: Path, catalog_items: list[Item], api_url: str
) -> None:
    item = _item(catalog_items, _expected_search_ids(catalog_items)[0])

    def reflectance(key: str) -> np.ndarray:
        band = item["assets"][key]["raster:bands"][0]
        return _read_box(api_url, item, key)[0] * band["scale"] + band["offset"]

    red, nir = reflectance("red"), reflectance("nir")
    scl = np.repeat(np.repeat(_read_box(api_url, item, "scl")[0], 2, axis=0), 2, axis=1)
    expected = np.where(np.isin(scl, [4, 5, 6]), (nir - red) / (nir + red), np.nan)

    path = workdir / "ndvi_amsterdam.tif"
    assert cog_validate(str(path), quiet=True)[0]
    with rasterio.open(path) as saved:
        assert saved.crs.to_epsg() == 32631 and saved.shape == (400, 400)
        assert saved.dtypes[0] == "float32"
        ndvi = saved.read(1, masked=True).filled(np.nan)
    np.testing.assert_allclose(ndvi, expected, rtol=0, atol=1e-6)
    assert np.nanmedian(ndvi[scl == 6]) < 0, "water has a negative NDVI"
    assert np.nanmedian(ndvi[scl == 4]) > 0.4, "vegetation has a high NDVI"


def test_thumbnail_was_downloaded(workdir: Path) -> None:
    assert (workdir / "thumbnail.jpg").read_bytes()[:3] == b"\xff\xd8\xff"


def test_the_offset_exercise_finds_the_clearest_2022_scene(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    summer_2022 = [
        item for item in catalog_items
        if "_31UFU_" in item["id"] and "2022-06-01" <= item["properties"]["datetime"] < "2022-09-01"
    ]  # fmt: skip
    clearest = min(summer_2022, key=lambda item: item["properties"]["eo:cloud_cover"])
    printed = printed_text(executed["05"])
    assert f"{clearest['id']} 04.00\n-0.1\n" in printed
    with_offset = float(printed.split("water, with offset")[1].split()[0])
    raw = float(printed.split("water, raw numbers")[1].split()[0])
    assert with_offset < 0 < with_offset + 0.5 and raw > with_offset + 0.1


def test_search_notebook_prints_the_matched_count(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    expected = len(_expected_search_ids(catalog_items))
    assert f"\n{expected}\n{expected} items saved\n" in "\n" + printed_text(executed["02"])


# Episode 6: a year of scenes as a data cube.
DATACUBE_BBOX = (4.84, 52.34, 4.96, 52.40)
CLEAR_CLASSES = [4, 5, 6]


def _datacube_scenes(catalog_items: list[Item]) -> list[Item]:
    """Episode 6's search, done here on the item files."""
    area = box(*DATACUBE_BBOX)
    chosen = [
        item for item in catalog_items
        if item["properties"]["grid:code"] == "MGRS-31UFU"
        and item["properties"]["datetime"].startswith("2021-")
        and item["properties"]["eo:cloud_cover"] < 20
        and shape(item["geometry"]).intersects(area)
    ]  # fmt: skip
    return sorted(chosen, key=lambda item: item["properties"]["datetime"])


def _block_mean(array: np.ndarray) -> np.ndarray:
    """10 m pixels averaged into the 20 m pixels they make up."""
    rows, cols = array.shape[0] // 2, array.shape[1] // 2
    return array.reshape(rows, 2, cols, 2).mean(axis=(1, 3))


def _scene_ndvi_20m(api_url: str, item: Item, bounds: tuple[float, ...]) -> np.ndarray:
    def reflectance(key: str) -> np.ndarray:
        band = item["assets"][key]["raster:bands"][0]
        digital_numbers = _read_box(api_url, item, key, bounds)[0].astype("float64")
        return _block_mean(digital_numbers) * band["scale"] + band["offset"]

    red, nir = reflectance("red"), reflectance("nir")
    scl = _read_box(api_url, item, "scl", bounds)[0]
    return np.where(np.isin(scl, CLEAR_CLASSES), (nir - red) / (nir + red), np.nan)


def test_datacube_notebook_loads_every_scene_of_the_search(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    scenes = _datacube_scenes(catalog_items)
    first, last = (scenes[i]["properties"]["datetime"][:10] for i in (0, -1))
    printed = printed_text(executed["06"])
    assert f"{len(scenes)} scenes, from {first} to {last}\n" in printed
    assert "Dashboard: http://127.0.0.1:" in printed
    offsets = sorted({item["assets"]["red"]["raster:bands"][0]["offset"] for item in scenes})
    assert f"\n{offsets}\n" in printed


def test_monthly_composite_equals_an_independent_computation(
    workdir: Path, catalog_items: list[Item], api_url: str
) -> None:
    path = workdir / "ndvi_monthly_2021.tif"
    assert cog_validate(str(path), quiet=True)[0]
    with rasterio.open(path) as saved:
        assert saved.crs.to_epsg() == 32631 and saved.res == (20.0, 20.0)
        assert saved.count == 12 and saved.dtypes[0] == "float32"
        assert saved.descriptions == tuple(f"2021-{month:02d}" for month in range(1, 13))
        bounds = tuple(saved.bounds)
        composite = saved.read()
    scenes = _datacube_scenes(catalog_items)
    # A clear summer month and the cloudiest month (most pixels never clear).
    for month in (7, 11):
        of_month = [
            _scene_ndvi_20m(api_url, item, bounds)
            for item in scenes
            if item["properties"]["datetime"].startswith(f"2021-{month:02d}")
        ]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "All-NaN slice encountered", RuntimeWarning)
            expected = np.nanmedian(np.stack(of_month), axis=0)
        # odc-stac stores the 20 m averages as whole numbers: up to 0.5 away from the mean.
        np.testing.assert_allclose(composite[month - 1], expected, rtol=0, atol=2e-3)
    assert np.isnan(composite[10]).mean() > 0.5 > np.isnan(composite[6]).mean()
