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
from earth_search_offline.static_catalog import item_folder
from pystac import ItemCollection
from rasterio.windows import from_bounds
from rio_cogeo.cogeo import cog_validate
from shapely.geometry import Point, box, shape

from helpers.checkpoints import LESSON_COLLECTION
from helpers.places import AMSTERDAM, CLIP_BOX_UTM, DATACUBE_BBOX, SEARCH_BUFFER
from tools.notebooks import printed_text

Item = dict[str, Any]


@pytest.fixture(scope="module")
def executed(lesson_run: dict[str, Any]) -> dict[str, Any]:
    return lesson_run


@pytest.fixture(scope="module")
def workdir(lesson_run: dict[str, Any]) -> Path:
    return lesson_run["folder"]


def _matching_search(catalog_items: list[Item]) -> list[Item]:
    """Episode 2's search (2021, under 5 % cloud, +-0.05 degrees), newest first, on the files."""
    area = box(*Point(*AMSTERDAM).buffer(SEARCH_BUFFER).bounds)
    chosen = [
        item for item in catalog_items
        if shape(item["geometry"]).intersects(area)
        and item["properties"]["datetime"].startswith("2021-")
        and item["properties"]["eo:cloud_cover"] < 5
    ]  # fmt: skip
    chosen.sort(key=lambda item: (item["properties"]["datetime"], item["id"]), reverse=True)
    return chosen


def _with_cog_bands(items: list[Item]) -> list[Item]:
    """The items that have a ``red`` COG (some hold JP2 copies only: Element84/earth-search#79)."""
    return [item for item in items if "red" in item["assets"]]


def _expected_search_ids(catalog_items: list[Item]) -> list[str]:
    """The ids episode 2 saves: items with COG bands, one per tile and time, the newest version."""
    kept: dict[tuple[str, str], Item] = {}
    for item in _with_cog_bands(_matching_search(catalog_items)):
        key = (item["properties"]["grid:code"], item["properties"]["datetime"])
        generated = item["properties"]["s2:generation_time"]
        if key not in kept or generated > kept[key]["properties"]["s2:generation_time"]:
            kept[key] = item
    return [item["id"] for item in kept.values()]


def _first_31ufu_id(catalog_items: list[Item]) -> str:
    """The scene episodes 4 and 5 use: the first saved one on tile 31UFU."""
    return next(i for i in _expected_search_ids(catalog_items) if "_31UFU_" in i)


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


def _scale_offset(item: Item, key: str) -> tuple[float, float]:
    """Earth Search's rule, written out again: offset 0 where the offset is already applied."""
    band = item["assets"][key]["raster:bands"][0]
    applied = item["properties"].get("earthsearch:boa_offset_applied")
    return band["scale"], 0 if applied else band["offset"]


def _read_box(
    api_url: str, item: Item, key: str, bounds: tuple[float, ...] = CLIP_BOX_UTM
) -> np.ndarray:
    folder = item_folder(item)
    href = f"{api_url.removesuffix('/v1')}/files/{folder}/{item['assets'][key]['href'][2:]}"
    with rasterio.open(href) as dataset:
        return dataset.read(window=from_bounds(*bounds, dataset.transform))


def test_true_colour_clip_has_the_lesson_box(
    workdir: Path, catalog_items: list[Item], api_url: str
) -> None:
    first_id = _first_31ufu_id(catalog_items)
    expected = _read_box(api_url, _item(catalog_items, first_id), "visual")
    with rasterio.open(workdir / "amsterdam_tci.tif") as saved:
        assert saved.crs.to_epsg() == 32631
        assert saved.shape == (400, 400) and saved.count == 3
        assert tuple(saved.bounds) == CLIP_BOX_UTM
        np.testing.assert_array_equal(saved.read(), expected)
    assert cog_validate(str(workdir / "amsterdam_tci.tif"), quiet=True)[0]


def test_saved_ndvi_is_a_cog_equal_to_an_independent_computation(
    workdir: Path, catalog_items: list[Item], api_url: str
) -> None:
    item = _item(catalog_items, _first_31ufu_id(catalog_items))

    def reflectance(key: str) -> np.ndarray:
        scale, offset = _scale_offset(item, key)
        return _read_box(api_url, item, key)[0] * scale + offset

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


def _summer_2022(catalog_items: list[Item], cloud_below: float = 100) -> list[Item]:
    return sorted(
        (
            item
            for item in catalog_items
            if "_31UFU_" in item["id"]
            and "2022-06-01" <= item["properties"]["datetime"] < "2022-09-01"
            and item["properties"]["eo:cloud_cover"] < cloud_below
        ),
        key=lambda item: item["properties"]["datetime"],
    )


def _water_median(api_url: str, item: Item, key: str, offset: float) -> float:
    """Median reflectance of the box's water (SCL 6), read here with the given offset."""
    scl = np.repeat(np.repeat(_read_box(api_url, item, "scl")[0], 2, axis=0), 2, axis=1)
    numbers = _read_box(api_url, item, key)[0].astype("float64")
    scale = item["assets"][key]["raster:bands"][0]["scale"]
    return float(np.median(numbers[(scl == 6) & (numbers > 0)] * scale + offset))


def test_the_offset_exercise_shows_the_declared_offset_applied_twice(
    executed: dict[str, Any], catalog_items: list[Item], api_url: str
) -> None:
    clearest = min(_summer_2022(catalog_items), key=lambda i: i["properties"]["eo:cloud_cover"])
    printed = printed_text(executed["05"])
    assert f"{clearest['id']} 04.00\nTrue\n-0.1\n" in printed
    declared = float(printed.split("water, declared offset")[1].split()[0])
    rule = float(printed.split("water, to_reflectance")[1].split()[0])
    assert declared == pytest.approx(_water_median(api_url, clearest, "red", -0.1), abs=1e-3)
    assert rule == pytest.approx(_water_median(api_url, clearest, "red", 0), abs=1e-3)
    assert declared < -0.02 and 0 < rule < 0.08, "water reflects a few percent, never below 0"


def test_the_flag_exercise_finds_the_scene_whose_flag_is_wrong(
    executed: dict[str, Any], catalog_items: list[Item], api_url: str
) -> None:
    printed = printed_text(executed["05"])
    scenes = _summer_2022(catalog_items, cloud_below=5)
    assert len(scenes) >= 3
    failing, flag_wrong = [], []
    for item in scenes:
        flag = item["properties"]["earthsearch:boa_offset_applied"]
        line = printed.split(f"{item['id']} {flag} ")[1].split("\n")[0]
        water = _water_median(api_url, item, "red", _scale_offset(item, "red")[1])
        assert float(line) == pytest.approx(water, abs=1e-3)
        if water < -0.02:
            failing.append(item["id"])
        else:
            assert 0 < water < 0.08
        # Read with the scale alone, water shows whether ESA's +1000 is still in the numbers.
        harmonised = _water_median(api_url, item, "red", 0) < 0.08
        if harmonised and not flag:
            flag_wrong.append(item["id"])
    # Exactly the scenes harmonised although their flag says false fail: learners meet one.
    assert failing == flag_wrong and len(failing) == 1
    assert f"{failing[0]} False -0.0" in printed


def test_search_notebook_counts_and_drops_the_duplicates(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    matching = _matching_search(catalog_items)
    usable = _with_cog_bands(matching)
    saved = _expected_search_ids(catalog_items)
    # The lesson meets three live quirks here: an item with JP2 copies only, a copy processed
    # twice, and a scene of the neighbouring tile 31UFT first in the results.
    assert len(saved) < len(usable) < len(matching)
    assert "_31UFT_" in matching[0]["id"]
    printed = "\n" + printed_text(executed["02"])
    # The acquisitions among the items with a red band; the optional part counts every step.
    assert f"\n{len(saved)} acquisitions\n" in printed
    assert (
        f"\n{len(matching)} found, {len(usable)} with a red band, {len(saved)} acquisitions\n"
    ) in printed


def test_the_footprint_check_names_the_scenes_that_hold_the_box(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    area = box(*Point(*AMSTERDAM).buffer(SEARCH_BUFFER).bounds)
    printed = printed_text(executed["03"])
    for item_id in _expected_search_ids(catalog_items):
        holds = shape(_item(catalog_items, item_id)["geometry"]).contains(area)
        assert f"{item_id} {holds}\n" in printed
        assert holds == ("_31UFU_" in item_id)


# Episode 6: a year of scenes as a data cube.
CLEAR_CLASSES = [4, 5, 6]


def _datacube_scenes(catalog_items: list[Item]) -> list[Item]:
    """Episode 6's search, done here on the item files."""
    area = box(*DATACUBE_BBOX)
    chosen = [
        item for item in _with_cog_bands(catalog_items)
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
        scale, offset = _scale_offset(item, key)
        digital_numbers = _read_box(api_url, item, key, bounds)[0].astype("float64")
        return _block_mean(digital_numbers) * scale + offset

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
    offsets = sorted({_scale_offset(item, "red")[1] for item in scenes})
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


def test_the_winter_exercise_agrees_on_water_across_the_baseline_change(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    """Scenes of 2021 and 2022 in one cube, each converted by the rule: the water agrees."""
    area = box(*DATACUBE_BBOX)
    winter = sorted(
        (
            item
            for item in catalog_items
            if item["properties"]["grid:code"] == "MGRS-31UFU"
            and "2021-12-01" <= item["properties"]["datetime"] < "2022-04-01"
            and item["properties"]["eo:cloud_cover"] < 20
            and shape(item["geometry"]).intersects(area)
        ),
        key=lambda item: item["properties"]["datetime"],
    )
    printed = printed_text(executed["06"])
    waters = []
    for item in winter:
        props = item["properties"]
        declared = item["assets"]["red"]["raster:bands"][0]["offset"]
        applied = _scale_offset(item, "red")[1]
        start = (
            f"{props['datetime'][:10]} {props['s2:processing_baseline']} "
            f"{props['earthsearch:boa_offset_applied']} {declared} {applied} "
        )
        waters.append(float(printed.split(start)[1].split("\n")[0]))
    # The winter holds all three states: before 04.00, raw 04.00, harmonised.
    states = {
        (
            i["properties"]["s2:processing_baseline"],
            i["properties"]["earthsearch:boa_offset_applied"],
        )
        for i in winter
    }
    assert {("03.00", False), ("04.00", False), ("04.00", True)} <= states
    assert all(0 < water < 0.08 for water in waters), waters
    assert max(waters) - min(waters) < 0.02, "one surface, one reflectance, whatever the baseline"


def test_the_collection_size_exercise_counts_every_item(
    executed: dict[str, Any], catalog_items: list[Item]
) -> None:
    """Episode 2's check after matched(): the search with nothing but the collection."""
    expected = sum(1 for item in catalog_items if item["collection"] == LESSON_COLLECTION)
    cell = next(cell for cell in executed["02"].cells if cell.id == "solution-collection-size")
    assert "".join(output.get("text", "") for output in cell.outputs).strip() == str(expected)
