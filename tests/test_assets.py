"""Asset files served over HTTP: real COGs whose pixels agree with the item metadata."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import requests
import rioxarray
from earth_search_offline.archive import scenes
from earth_search_offline.archive.acquisitions import all_acquisitions
from earth_search_offline.archive.sentinel2 import SCL_PERCENTAGE_PROPERTIES
from earth_search_offline.static_catalog import item_folder
from earth_search_offline.testing import OfflineServer
from PIL import Image
from rio_cogeo.cogeo import cog_validate

from helpers.checks import LessonInputError, check_water_reflectance
from helpers.places import CLIP_BOX_KWARGS, CLIP_BOX_UTM

Item = dict[str, Any]
SCL_CLOUDS = (8, 9, 10)
SCL_VEGETATION, SCL_WATER = 4, 6


def _href(api_url: str, item: Item, key: str) -> str:
    folder = item_folder(item)
    return f"{api_url.removesuffix('/v1')}/files/{folder}/{item['assets'][key]['href'][2:]}"


def _sample(items: list[Item], count: int) -> list[Item]:
    """Items spread over time, cloudiness and both places (those with COGs: earth-search#79)."""
    with_cogs = [item for item in items if "scl" in item["assets"]]
    ordered = sorted(with_cogs, key=lambda item: item["properties"]["eo:cloud_cover"])
    step = max(1, len(ordered) // count)
    return ordered[::step][:count]


def _clearest(items: list[Item], year: int) -> Item:
    summer = [
        item
        for item in items
        if item["properties"]["datetime"].startswith(f"{year}-0")
        and "_31UFU_" in item["id"]
        and datetime.fromisoformat(item["properties"]["datetime"][:10]).month in (6, 7, 8)
    ]
    return min(summer, key=lambda item: item["properties"]["eo:cloud_cover"])


def test_cloud_cover_equals_the_share_of_cloudy_scl_pixels(
    api_url: str, catalog_items: list[Item]
) -> None:
    for item in _sample(catalog_items, 16):
        with rasterio.open(_href(api_url, item, "scl")) as scl_file:
            scl = scl_file.read(1)
        counts = np.bincount(scl.ravel(), minlength=12)
        valid = counts.sum() - counts[0]
        cloudy = 100 * counts[list(SCL_CLOUDS)].sum() / valid
        assert item["properties"]["eo:cloud_cover"] == pytest.approx(cloudy, abs=1e-5), item["id"]
        for scl_class, name in SCL_PERCENTAGE_PROPERTIES.items():
            share = 100 * counts[scl_class] / valid
            assert item["properties"][name] == pytest.approx(share, abs=1e-5), (item["id"], name)


@pytest.mark.parametrize(
    "key",
    ["coastal", "blue", "red", "rededge1", "nir", "nir08", "swir22", "scl", "aot", "wvp", "visual"],
)
def test_assets_are_valid_cogs_matching_their_metadata(
    api_url: str, catalog_items: list[Item], key: str
) -> None:
    item = _clearest(catalog_items, 2022)
    asset = item["assets"][key]
    href = _href(api_url, item, key)
    is_valid, errors, _ = cog_validate(href, quiet=True)
    assert is_valid, errors
    with rasterio.open(href) as dataset:
        assert list(dataset.shape) == asset["proj:shape"]
        assert list(dataset.transform)[:6] == asset["proj:transform"]
        assert dataset.crs.to_epsg() == item["properties"]["proj:epsg"]
        assert dataset.overviews(1), "a COG for quick looks needs overviews"
        assert dataset.profile["tiled"] and dataset.compression.name == "deflate"
        expected_type = (
            asset["raster:bands"][0]["data_type"] if "raster:bands" in asset else "uint8"
        )
        assert dataset.dtypes[0] == expected_type
        assert dataset.count == (3 if key == "visual" else 1)
        assert dataset.nodata == 0


# The four states of reflectance pixels on the live sentinel-2-l2a (SOURCES.md, the public threads):
# before baseline 04.00; ESA's raw numbers (+1000) with the flag false, early 2022
# (cirrus-earth-search#21, earth-search#66); harmonised with the flag true (earth-search#9);
# harmonised with the flag wrongly false (earth-search#66, #71).
HARMONISED_DAY = "2022-02-27"
PIXEL_STATES = {
    "before 04.00": lambda p: p["datetime"] < "2022-01-25",
    "raw 04.00, flag false": lambda p: "2022-01-25" <= p["datetime"] < HARMONISED_DAY,
    "harmonised, flag true": lambda p: p["earthsearch:boa_offset_applied"],
    "harmonised, flag false": lambda p: (
        p["datetime"] >= HARMONISED_DAY and not p["earthsearch:boa_offset_applied"]
    ),
}


def _clearest_in_state(items: list[Item], state: str) -> Item:
    chosen = [
        item
        for item in items
        if "_31UFU_" in item["id"] and PIXEL_STATES[state](item["properties"])
    ]
    return min(chosen, key=lambda item: item["properties"]["eo:cloud_cover"])


def _read(api_url: str, item: Item, key: str) -> np.ndarray:
    with rasterio.open(_href(api_url, item, key)) as dataset:
        return dataset.read(1)


def _water_and_vegetation(api_url: str, item: Item) -> tuple[np.ndarray, np.ndarray]:
    scl = np.repeat(np.repeat(_read(api_url, item, "scl"), 2, axis=0), 2, axis=1)
    return scl == SCL_WATER, scl == SCL_VEGETATION


@pytest.mark.parametrize("state", PIXEL_STATES)
def test_stored_numbers_hold_the_offset_the_archive_says(
    api_url: str, catalog_items: list[Item], state: str
) -> None:
    """Water read with the scale alone shows whether ESA's +1000 is still in the numbers."""
    item = _clearest_in_state(catalog_items, state)
    water, _ = _water_and_vegetation(api_url, item)
    for key in ("red", "nir"):
        scale = item["assets"][key]["raster:bands"][0]["scale"]
        water_scaled = np.median(_read(api_url, item, key)[water] * scale)
        if state == "raw 04.00, flag false":
            assert 0.1 < water_scaled < 0.18, (item["id"], key, water_scaled)
        else:
            assert 0 < water_scaled < 0.08, (item["id"], key, water_scaled)


def _lesson_rule(item: Item, key: str, numbers: np.ndarray) -> np.ndarray:
    """Episode 5's rule, written out again: offset 0 where the flag is true."""
    band = item["assets"][key]["raster:bands"][0]
    applied = item["properties"].get("earthsearch:boa_offset_applied")
    return numbers * band["scale"] + (0 if applied else band["offset"])


@pytest.mark.parametrize("state", PIXEL_STATES)
def test_the_lesson_rule_gives_the_ground_reflectance(
    api_url: str, catalog_items: list[Item], state: str
) -> None:
    item = _clearest_in_state(catalog_items, state)
    acquisition = next(a for a in all_acquisitions() if a.id == item["id"])
    red = _lesson_rule(item, "red", _read(api_url, item, "red").astype("float64"))
    nir = _lesson_rule(item, "nir", _read(api_url, item, "nir").astype("float64"))
    water, vegetation = _water_and_vegetation(api_url, item)
    # The generator's own reflectance, before it was stored as whole numbers.
    truth = scenes.band_reflectance(acquisition, "red")
    error = np.median(red - truth)
    if state == "harmonised, flag false":
        assert error == pytest.approx(-0.1, abs=1e-4), (
            "the wrong flag makes the rule subtract twice"
        )
        with pytest.raises(LessonInputError, match="offset 0"):
            check_water_reflectance(red, nir, water * SCL_WATER)
        return
    assert error == pytest.approx(0, abs=1e-4)
    assert "as water should" in check_water_reflectance(red, nir, water * SCL_WATER)
    ndvi = (nir - red) / (nir + red)
    assert np.nanmax(np.abs(ndvi)) <= 1
    assert np.median(ndvi[water]) < 0
    if item["properties"]["datetime"][5:7] in ("06", "07", "08"):
        assert np.median(ndvi[vegetation]) > 0.4


def test_thumbnail_is_a_jpeg(api_url: str, catalog_items: list[Item]) -> None:
    item = catalog_items[0]
    response = requests.get(_href(api_url, item, "thumbnail"), timeout=30)
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG" and image.mode == "RGB" and min(image.size) >= 128


def test_metadata_sidecars_repeat_the_item_facts(api_url: str, catalog_items: list[Item]) -> None:
    item = catalog_items[3]
    tileinfo = requests.get(_href(api_url, item, "tileinfo_metadata"), timeout=30).json()
    assert tileinfo["cloudyPixelPercentage"] == round(item["properties"]["eo:cloud_cover"], 2)
    granule = requests.get(_href(api_url, item, "granule_metadata"), timeout=30).text
    assert item["properties"]["s2:granule_id"] in granule


def test_rioxarray_reads_the_lesson_clip_with_range_requests(
    private_server: OfflineServer, catalog_items: list[Item]
) -> None:
    """On a server of its own: other tests' reads must not count in its traffic."""
    api_url = private_server.api_url
    item = _clearest(catalog_items, 2021)
    href = _href(api_url, item, "visual")
    requests.get(href, headers={"Range": "bytes=0-0"}, timeout=60)  # made on first use
    private_server.reset_traffic()
    size = int(requests.head(href, timeout=10).headers["content-length"])

    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"):
        visual = rioxarray.open_rasterio(href)
        clip = visual.rio.clip_box(**CLIP_BOX_KWARGS)
        pixels = clip.values
    assert visual.shape == (3, *item["assets"]["visual"]["proj:shape"])
    assert pixels.shape == (3, 400, 400)
    assert clip.rio.crs.to_epsg() == 32631
    assert clip.rio.bounds() == CLIP_BOX_UTM
    assert pixels.min() >= 1  # inside the window: no nodata

    traffic = private_server.traffic()
    assert traffic["partial_responses"] >= 1
    assert traffic["full_responses"] == 0
    assert traffic["bytes_sent"] < size / 2, (traffic, size)


def test_served_bytes_are_identical_to_the_file(api_url: str, catalog_items: list[Item]) -> None:
    href = _href(api_url, catalog_items[0], "scl")
    whole = requests.get(href, timeout=60).content
    part = requests.get(href, headers={"Range": "bytes=100-1099"}, timeout=10)
    assert part.status_code == 206
    assert part.content == whole[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(whole)}"


@pytest.mark.parametrize("day", ["2021-08-18", "2022-08-25"])
def test_collection_1_holds_esa_numbers_with_the_offset_it_declares(
    api_url: str, catalog_folder_path: Path, day: str
) -> None:
    """Collection 1: ESA's +1000 in every product (baseline 05.00), declared -0.1, no flag."""
    path = next(
        catalog_folder_path.glob(
            f"sentinel-2-c1-l2a/31/U/FU/*/*/S2?_T31UFU_{day.replace('-', '')}T*_L2A/*.json"
        )
    )
    item = json.loads(path.read_text())
    base = f"{api_url.removesuffix('/v1')}/files/{item_folder(item)}"

    def read(key: str) -> np.ndarray:
        with rasterio.open(f"{base}/{item['assets'][key]['href'][2:]}") as dataset:
            return dataset.read(1).astype("float64")

    water = np.repeat(np.repeat(read("scl"), 2, axis=0), 2, axis=1) == SCL_WATER
    red, nir = read("red"), read("nir")
    band = item["assets"]["red"]["raster:bands"][0]
    assert "earthsearch:boa_offset_applied" not in item["properties"]
    assert 0.1 < np.median(red[water] * band["scale"]) < 0.18, "ESA's +1000 is in the numbers"
    acquisition = next(
        a
        for a in all_acquisitions()
        if a.id.startswith(f"S2B_31UFU_{day.replace('-', '')}")
        or a.id.startswith(f"S2A_31UFU_{day.replace('-', '')}")
    )
    reflectance = red * band["scale"] + band["offset"]
    error = np.median(reflectance - scenes.band_reflectance(acquisition, "red"))
    assert error == pytest.approx(0, abs=1e-4)
    nir_reflectance = nir * band["scale"] + band["offset"]
    assert "as water should" in check_water_reflectance(reflectance, nir_reflectance, water * 6)
