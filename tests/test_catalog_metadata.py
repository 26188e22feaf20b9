"""The generated catalog has the shape of Earth Search v1 sentinel-2-l2a and the lesson's needs."""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pystac
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box, shape
from stac_pydantic import Collection as CollectionModel
from stac_pydantic import Item as ItemModel

from helpers.places import AMSTERDAM, CLIP_BOX_UTM, SEARCH_BUFFER

DATA = Path(__file__).parent / "data"
REFERENCE_ITEM = json.loads(
    (DATA / "earth-search-v1-item-S2A_13TDE_20231008_0_L2A.json").read_text()
)
REFERENCE_COLLECTION = json.loads(
    (DATA / "earth-search-v1-collection-sentinel-2-l2a.json").read_text()
)
LESSON_CLIP_BOX = box(*CLIP_BOX_UTM)  # EPSG:32631, from the source lesson
ID_PATTERN = re.compile(r"^S2[AB]_(\d{2})([C-X])([A-Z]{2})_(\d{8})_(\d)_L2A$")
REQUIRED_ASSETS = {
    "coastal",
    "blue",
    "green",
    "red",
    "rededge1",
    "rededge2",
    "rededge3",
    "nir",
    "nir08",
    "nir09",
    "swir16",
    "swir22",
    "scl",
    "aot",
    "wvp",
    "visual",
    "thumbnail",
}

Item = dict[str, Any]


def _day(item: Item) -> date:
    return datetime.fromisoformat(item["properties"]["datetime"].replace("Z", "+00:00")).date()


def _amsterdam(items: list[Item]) -> list[Item]:
    return [item for item in items if "_31UFU_" in item["id"]]


def _with_cogs(items: list[Item]) -> list[Item]:
    """The items that have their COGs (not the JP2-only ones, Element84/earth-search#79)."""
    return [item for item in items if "red" in item["assets"]]


def test_every_item_is_valid_stac_with_earth_search_ids(catalog_items: list[Item]) -> None:
    for item in catalog_items:
        ItemModel.model_validate(item)
        pystac.Item.from_dict(item)
        match = ID_PATTERN.match(item["id"])
        assert match, item["id"]
        zone, band, square, day, sequence = match.groups()
        props = item["properties"]
        assert props["s2:sequence"] == sequence
        assert (props["mgrs:utm_zone"], props["mgrs:latitude_band"], props["mgrs:grid_square"]) == (
            int(zone),
            band,
            square,
        )
        assert props["grid:code"] == f"MGRS-{zone}{band}{square}"
        assert props["proj:epsg"] == 32600 + int(zone)
        assert day == _day(item).strftime("%Y%m%d")
        assert props["platform"] == f"sentinel-2{item['id'][2].lower()}"
        assert item["collection"] == "sentinel-2-l2a"


def test_property_names_match_the_live_earth_search(catalog_items: list[Item]) -> None:
    live_names = set(REFERENCE_ITEM["properties"])
    for item in catalog_items:
        assert live_names <= set(item["properties"]), live_names - set(item["properties"])
    assert {link["rel"] for link in catalog_items[0]["links"]} >= {"root", "parent", "license"}
    assert catalog_items[0]["stac_extensions"] == REFERENCE_ITEM["stac_extensions"]


def test_assets_match_the_live_earth_search(catalog_items: list[Item]) -> None:
    live = REFERENCE_ITEM["assets"]
    for item in _with_cogs(catalog_items)[::25]:
        assets = item["assets"]
        assert set(assets) >= REQUIRED_ASSETS
        assert list(assets) == list(live), "the same keys in the same order, *-jp2 included"
        for key, asset in assets.items():
            reference = live[key]
            assert asset["href"].rsplit("/", 1)[1] == reference["href"].rsplit("/", 1)[1], key
            for field in ("title", "type", "roles", "eo:bands", "gsd"):
                assert asset.get(field) == reference.get(field), (key, field)
            if "raster:bands" in reference:
                ours, theirs = asset["raster:bands"][0], reference["raster:bands"][0]
                assert set(ours) == set(theirs), key
                for field in ("nodata", "data_type", "spatial_resolution", "scale", "unit"):
                    assert ours.get(field) == theirs.get(field), (key, field)
            assert ("proj:shape" in asset) == ("proj:shape" in reference), key


def test_grids_follow_the_tile_and_band_resolution(catalog_items: list[Item]) -> None:
    for item in _with_cogs(_amsterdam(catalog_items))[::40]:
        for key in ("red", "rededge1", "coastal", "scl", "visual"):
            asset = item["assets"][key]
            resolution = asset["proj:transform"][0]
            rows, cols = asset["proj:shape"]
            x0, y0 = asset["proj:transform"][2], asset["proj:transform"][5]
            assert resolution in (10, 20, 60)
            # the window lies on the real 31UFU grid (origin 600000, 5900040)
            assert (x0 - 600000) % 60 == 0 and (5900040 - y0) % 60 == 0
            window = box(x0, y0 - rows * resolution, x0 + cols * resolution, y0)
            assert window.contains(LESSON_CLIP_BOX), key
        assert item["assets"]["red"]["proj:shape"] == [
            2 * n for n in item["assets"]["scl"]["proj:shape"]
        ]


def test_amsterdam_items_cover_the_lesson_box_and_others_do_not(catalog_items: list[Item]) -> None:
    to_lonlat = Transformer.from_crs(32631, 4326, always_xy=True).transform
    clip_lonlat = shapely.transform(LESSON_CLIP_BOX, to_lonlat, interleaved=False)
    amsterdam = Point(*AMSTERDAM)
    covering = [item for item in catalog_items if shape(item["geometry"]).contains(clip_lonlat)]
    others = [item for item in catalog_items if not shape(item["geometry"]).intersects(amsterdam)]
    assert {item["id"] for item in covering} == {item["id"] for item in _amsterdam(catalog_items)}
    assert len(others) >= 50
    assert len(covering) + len(others) == len(catalog_items)
    for item in catalog_items:
        west, south, east, north = item["bbox"]
        assert shape(item["geometry"]).bounds == pytest.approx((west, south, east, north))


def test_acquisitions_follow_the_sentinel2_revisit(catalog_items: list[Item]) -> None:
    passes: dict[tuple[str, str], list[date]] = defaultdict(list)
    # A copy processed again (sequence 1) is no extra pass.
    for item in (i for i in _amsterdam(catalog_items) if i["id"].endswith("_0_L2A")):
        orbit = item["properties"]["s2:product_uri"].split("_")[4]
        passes[(item["properties"]["platform"], orbit)].append(_day(item))
    assert set(passes) == {
        ("sentinel-2a", "R051"),
        ("sentinel-2a", "R008"),
        ("sentinel-2b", "R051"),
        ("sentinel-2b", "R008"),
    }
    for days in passes.values():
        days.sort()
        assert {later - earlier for earlier, later in itertools.pairwise(days)} == {
            timedelta(days=10)
        }
    years = {_day(item).year for item in catalog_items}
    assert years == {2021, 2022}
    # the lesson's printed ids exist (v0 listed these for January 2022)
    ids = {item["id"] for item in catalog_items}
    assert {
        "S2B_31UFU_20220125_0_L2A",
        "S2A_31UFU_20220120_0_L2A",
        "S2B_31UFU_20220102_0_L2A",
    } <= ids


def test_some_2021_acquisitions_are_held_twice(catalog_items: list[Item]) -> None:
    """As live: `_1_L2A` next to `_0_L2A` for some 2021 scenes, none in 2022 (earth-search#25)."""
    by_id = {item["id"]: item for item in catalog_items}
    copies = [item for item in catalog_items if item["properties"]["s2:sequence"] != "0"]
    assert 2 <= len(copies) <= 0.02 * len(catalog_items)
    for copy in copies:
        first = by_id[copy["id"].replace("_1_L2A", "_0_L2A")]
        assert _day(copy).year == 2021
        for name in ("datetime", "grid:code", "eo:cloud_cover", "s2:processing_baseline"):
            assert copy["properties"][name] == first["properties"][name], name
        assert copy["properties"]["s2:generation_time"] > first["properties"]["s2:generation_time"]
        assert copy["properties"]["created"] > first["properties"]["created"]
        assert copy["properties"]["earthsearch:s3_path"].endswith(copy["id"])
    # The lesson's searches meet them: episode 2's clear scenes and episode 6's year.
    assert any(c["properties"]["eo:cloud_cover"] < 5 for c in copies)


def test_neighbouring_tile_crosses_the_search_area_but_not_the_clip_box(
    catalog_items: list[Item],
) -> None:
    """31UFT's northern edge crosses the south of Amsterdam, as on the real grid."""
    area = box(*Point(*AMSTERDAM).buffer(SEARCH_BUFFER).bounds)
    to_lonlat = Transformer.from_crs(32631, 4326, always_xy=True).transform
    clip_lonlat = shapely.transform(LESSON_CLIP_BOX, to_lonlat, interleaved=False)
    south = [item for item in catalog_items if item["properties"]["grid:code"] == "MGRS-31UFT"]
    assert south
    for item in south:
        footprint = shape(item["geometry"])
        assert footprint.intersects(area) and not footprint.contains(area)
        assert not footprint.intersects(clip_lonlat)
        # The real tile's northern edge (origin y 5800020 in EPSG:32631); every item has red-jp2.
        assert item["assets"]["red-jp2"]["proj:transform"][5] == 5800020


def test_cloud_cover_spread_and_consistency(catalog_items: list[Item]) -> None:
    amsterdam_2021 = [item for item in _amsterdam(catalog_items) if _day(item).year == 2021]
    covers = [item["properties"]["eo:cloud_cover"] for item in amsterdam_2021]
    clear = [cover for cover in covers if cover < 5]
    assert 5 <= len(clear) <= len(covers) / 4
    assert sum(cover > 90 for cover in covers) >= 10
    for item in catalog_items:
        props = item["properties"]
        clouds = sum(
            props[f"s2:{kind}_percentage"]
            for kind in ("medium_proba_clouds", "high_proba_clouds", "thin_cirrus")
        )
        assert props["eo:cloud_cover"] == pytest.approx(clouds, abs=2e-6)
        shares = [
            value
            for name, value in props.items()
            if name.endswith("_percentage")
            and name not in ("s2:nodata_pixel_percentage", "s2:degraded_msi_data_percentage")
        ]
        assert sum(shares) == pytest.approx(100, abs=1e-4)


# Offsets as the live sentinel-2-l2a has them (see ../shared/reference/earth-search-v1/SOURCES.md):
#: ESA's processing baseline 04.00 (+1000 in the numbers, declared offset -0.1) from this day.
BASELINE_04_DAY = date(2022, 1, 25)
#: "New scenes being generated now have the BOA_ADD_OFFSET applied" (cirrus-earth-search#21).
HARMONISED_DAY = date(2022, 2, 27)


def test_offsets_are_declared_as_on_the_live_archive(catalog_items: list[Item]) -> None:
    for item in catalog_items:
        props = item["properties"]
        baseline = props["s2:processing_baseline"]
        assert (baseline >= "04.00") == (_day(item) >= BASELINE_04_DAY), item["id"]
        # The stale -0.1 stays on every baseline >= 04.00 item, harmonised or not
        # (Element84/earth-search#9; the reference items of 2023 and 2025 carry it too).
        for key in ("red", "nir", "blue"):
            asset = item["assets"].get(key) or item["assets"][f"{key}-jp2"]  # JP2-only: #79
            offset = asset["raster:bands"][0]["offset"]
            assert offset == (-0.1 if baseline >= "04.00" else 0), item["id"]
        assert f"_N{baseline.replace('.', '')}_" in props["s2:product_uri"]
        assert item["assets"]["scl-jp2"]["raster:bands"][0].get("offset") is None
        if _day(item) < HARMONISED_DAY:
            assert props["earthsearch:boa_offset_applied"] is False, item["id"]
    assert REFERENCE_ITEM["properties"]["earthsearch:boa_offset_applied"] is True
    assert REFERENCE_ITEM["assets"]["red"]["raster:bands"][0]["offset"] == -0.1


def test_a_few_harmonised_items_have_the_flag_wrong(
    catalog_items: list[Item], catalog_folder_path: Path
) -> None:
    later = [item for item in catalog_items if _day(item) >= HARMONISED_DAY]
    wrong = sorted(
        item["id"] for item in later if not item["properties"]["earthsearch:boa_offset_applied"]
    )
    assert 1 <= len(wrong) <= 0.05 * len(later), wrong
    # One of them is among episode 5's clear summer 2022 scenes (and so in the kits).
    assert any(
        "_31UFU_202207" in item_id or "_31UFU_202206" in item_id or "_31UFU_202208" in item_id
        for item_id in wrong
    )
    collection = json.loads((catalog_folder_path / "sentinel-2-l2a/collection.json").read_text())
    description = collection["description"]
    for item_id in wrong:
        assert item_id in description, "the collection names the items whose flag is wrong"
    for reference in ("earth-search#9", "#66", "#71", "cirrus-earth-search#21"):
        assert reference in description


def test_collection_item_assets_declare_the_live_offset(catalog_folder_path: Path) -> None:
    collection = json.loads((catalog_folder_path / "sentinel-2-l2a/collection.json").read_text())
    for key in ("red", "nir"):
        live = REFERENCE_COLLECTION["item_assets"][key]["raster:bands"][0]
        offline = collection["item_assets"][key]["raster:bands"][0]
        assert (
            (offline["scale"], offline["offset"])
            == (live["scale"], live["offset"])
            == (
                0.0001,
                0,
            )
        )


def test_synthetic_data_is_labelled_everywhere(
    catalog_folder_path: Path, catalog_items: list[Item]
) -> None:
    collection = json.loads(
        (catalog_folder_path / "sentinel-2-l2a" / "collection.json").read_text()
    )
    root = json.loads((catalog_folder_path / "catalog.json").read_text())
    CollectionModel.model_validate(collection)
    assert "synthetic" in collection["description"].lower()
    assert "synthetic" in root["description"].lower()
    for item in catalog_items:
        assert "synthetic" in item["properties"]["title"].lower()
        assert "synthetic" in item["properties"]["description"].lower()
    assert set(collection["item_assets"]) == set(catalog_items[0]["assets"])
    live_summaries = set(REFERENCE_COLLECTION["summaries"])
    assert live_summaries <= set(collection["summaries"])


# Collection 1 (sentinel-2-c1-l2a), against the real documents of 2025-07-31.
REFERENCE_C1_ITEM = json.loads(
    (DATA / "earth-search-v1-item-S2B_T20EPT_20250731T131905_L2A.json").read_text()
)
REFERENCE_C1_COLLECTION = json.loads(
    (DATA / "earth-search-v1-collection-sentinel-2-c1-l2a.json").read_text()
)
C1_ID_PATTERN = re.compile(r"^S2[AB]_T(\d{2}[C-X][A-Z]{2})_(\d{8})T(\d{6})_L2A$")
#: What the stand-in does not model: view angles of the sensor, and file sizes and checksums
#: (the offline files are made on first request, after the metadata).
C1_NOT_MODELLED = {"view:azimuth", "view:incidence_angle"}


@pytest.fixture(scope="module")
def c1_items(catalog_folder_path: Path) -> list[Item]:
    items = [
        json.loads(path.read_text())
        for path in catalog_folder_path.glob("sentinel-2-c1-l2a/**/S2*_L2A.json")
    ]
    assert items
    return items


def test_c1_holds_each_acquisition_once(c1_items: list[Item], catalog_items: list[Item]) -> None:
    first_versions = [item for item in catalog_items if item["properties"]["s2:sequence"] == "0"]
    assert len(c1_items) == len(first_versions)
    by_scene = {
        (item["properties"]["grid:code"], item["properties"]["datetime"]): item
        for item in first_versions
    }
    for item in c1_items:
        match = C1_ID_PATTERN.match(item["id"])
        assert match, item["id"]
        tile, day, _ = match.groups()
        props = item["properties"]
        l2a = by_scene[(props["grid:code"], props["datetime"])]
        assert props["grid:code"] == f"MGRS-{tile}" and day == props["datetime"][:10].replace(
            "-", ""
        )
        assert item["geometry"] == l2a["geometry"]
        assert props["eo:cloud_cover"] == l2a["properties"]["eo:cloud_cover"]
        assert props["s2:processing_baseline"] >= "05.00"
        assert "earthsearch:boa_offset_applied" not in props
        assert item["collection"] == "sentinel-2-c1-l2a"
        pystac.Item.from_dict(item)
        ItemModel.model_validate(item)


def test_c1_items_have_the_live_shape(c1_items: list[Item]) -> None:
    reference = REFERENCE_C1_ITEM
    live_properties = set(reference["properties"]) - C1_NOT_MODELLED
    for item in [item for item in c1_items if "red" in item["assets"]][::40]:
        assert live_properties <= set(item["properties"]), live_properties - set(item["properties"])
        assert list(item["assets"]) == list(reference["assets"])
        for key, asset in item["assets"].items():
            theirs = reference["assets"][key]
            assert asset["href"].rsplit("/", 1)[1] == theirs["href"].rsplit("/", 1)[1], key
            for field in ("title", "type", "roles", "eo:bands", "gsd"):
                assert asset.get(field) == theirs.get(field), (key, field)
            assert asset.get("raster:bands") == theirs.get("raster:bands"), key
            assert ("proj:shape" in asset) == ("proj:shape" in theirs), key
        assert not any(key.endswith("-jp2") for key in item["assets"])
        ours = set(item["stac_extensions"])
        assert ours == {url for url in reference["stac_extensions"] if "/file/" not in url}
        assert item["properties"]["storage:requester_pays"] is False


def test_c1_collection_declares_the_offset_it_needs(catalog_folder_path: Path) -> None:
    path = catalog_folder_path / "sentinel-2-c1-l2a" / "collection.json"
    collection = json.loads(path.read_text())
    CollectionModel.model_validate(collection)
    assert list(collection["item_assets"]) == list(REFERENCE_C1_COLLECTION["item_assets"])
    for key in ("red", "nir"):
        ours = collection["item_assets"][key]["raster:bands"]
        assert ours == REFERENCE_C1_COLLECTION["item_assets"][key]["raster:bands"]
        assert ours[0]["offset"] == -0.1
    assert "synthetic" in collection["description"].lower()
    root = json.loads((catalog_folder_path / "catalog.json").read_text())
    children = [link["href"] for link in root["links"] if link["rel"] == "child"]
    assert children == ["./sentinel-2-l2a/collection.json", "./sentinel-2-c1-l2a/collection.json"]


def test_a_few_c1_items_lack_most_assets_as_live(c1_items: list[Item]) -> None:
    """Element84/earth-search#36: a Collection 1 item that "only has assets: coastal, nir09,
    preview, granule_metadata, tileinfo_metadata, product_metadata, thumbnail"; the stand-in has
    a few such items, outside the lesson's searches (its kits and runs read 2021 and the first
    months of 2022)."""
    full = set(REFERENCE_C1_ITEM["assets"])
    sparse = [item for item in c1_items if set(item["assets"]) != full]
    assert 0 < len(sparse) <= 0.01 * len(c1_items)
    reported = {"coastal", "nir09", "preview", "granule_metadata", "tileinfo_metadata",
                "product_metadata", "thumbnail"}  # fmt: skip
    assert any(set(item["assets"]) == reported for item in sparse)
    for item in sparse:
        assets = item["assets"]
        assert set(assets) < full, item["id"]
        assert not {"red", "green", "blue", "nir", "visual"} & set(assets), item["id"]
        assert list(assets) == [key for key in REFERENCE_C1_ITEM["assets"] if key in assets]
        assert _day(item) > date(2022, 8, 31), item["id"]
        pystac.Item.from_dict(item)
        ItemModel.model_validate(item)
