"""The fidelity report (``tools/fidelity.py``), tested offline against altered copies of a catalog.

``make test-live`` compares the stand-in with the live Earth Search; here the "live" side is a
second local server whose catalog was changed on purpose, so the report must name exactly the
changes, allow only the documented ones, and fail on the others.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from earth_search_offline.archive import generate as catalog
from earth_search_offline.archive.acquisitions import all_acquisitions
from earth_search_offline.testing import OfflineServer

from tools import fidelity

SAT = "https://stac-extensions.github.io/sat/v1.0.0/schema.json"


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lesson's scenes of August 2021 and summer 2022, both collections."""
    folder = tmp_path_factory.mktemp("fidelity-original")
    months = {(2021, 8), (2022, 6), (2022, 7), (2022, 8)}
    chosen = [a for a in all_acquisitions() if (a.day.year, a.day.month) in months]
    catalog.generate(folder, chosen, workers=1)
    return folder


def _altered_copy(
    source: Path, target: Path, change: Callable[[dict[str, Any]], None], collection: str
) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.tif", "*.jpg"))
    for path in target.rglob("*_L2A.json"):
        item = json.loads(path.read_text())
        if item["collection"] == collection:
            change(item)
            path.write_text(json.dumps(item))
    return target


def _run(original: Path, other: Path, collection: str) -> list[fidelity.Difference]:
    with OfflineServer(original, port=0) as ours, OfflineServer(other, port=0) as theirs:
        offline = fidelity.fingerprint(ours.api_url, collection)
        live = fidelity.fingerprint(theirs.api_url, collection)
    # Something to compare: items, and the reflectance of a clear summer scene.
    assert offline["items"] and set(offline["reflectance"]) == set(fidelity.REFLECTANCE_TOLERANCE)
    return fidelity.compare(collection, offline, live)


@pytest.mark.parametrize("collection", fidelity.COLLECTIONS)
def test_the_same_catalog_shows_no_difference(
    small_catalog: Path, tmp_path: Path, collection: str
) -> None:
    copy = _altered_copy(small_catalog, tmp_path / "copy", lambda item: None, collection)
    differences = _run(small_catalog, copy, collection)
    assert differences == []
    assert fidelity.report(differences).startswith("No differences")


def test_every_change_is_named_and_fails_the_report(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(item: dict[str, Any]) -> None:
        item["properties"].pop("s2:datatake_type")
        item["assets"]["aerosol"] = item["assets"].pop("aot")
        item["assets"]["red"]["raster:bands"][0]["offset"] = 0.5
        item["stac_extensions"].append(SAT)

    collection = "sentinel-2-l2a"
    live = _altered_copy(small_catalog, tmp_path / "live", change, collection)
    differences = _run(small_catalog, live, collection)
    found = {(d.aspect, d.detail, d.offline, d.live) for d in differences}
    assert found == {
        ("property", "s2:datatake_type", "present", "missing"),
        ("asset", "aot", "present", "missing"),
        ("asset", "aerosol", "missing", "present"),
        ("asset field", "red.raster:bands",
         "[{'data_type': 'uint16', 'nodata': 0, 'scale': 0.0001, 'offset': -0.1}]",
         "[{'data_type': 'uint16', 'nodata': 0, 'scale': 0.0001, 'offset': 0.5}]"),
        ("extension", SAT, "missing", "present"),
    }  # fmt: skip
    assert all(d.allowed_because is None for d in differences)
    # The whole command: the same comparison for one collection, a table, exit status 1.
    with OfflineServer(small_catalog, port=0) as ours, OfflineServer(live, port=0) as theirs:
        status = fidelity.main(
            ["--offline", ours.api_url, "--live", theirs.api_url, "--collection", collection]
        )
    printed = capsys.readouterr().out
    assert status == 1
    assert "| sentinel-2-l2a | asset | aerosol | missing | present | **NOT ALLOWED** |" in printed
    assert "5 differences, 5 not allowed." in printed


def test_documented_differences_are_allowed(small_catalog: Path, tmp_path: Path) -> None:
    def change(item: dict[str, Any]) -> None:
        item["properties"].pop("title")
        item["properties"]["view:azimuth"] = 101.5
        item["assets"]["red"]["file:size"] = 123

    collection = "sentinel-2-c1-l2a"
    live = _altered_copy(small_catalog, tmp_path / "live", change, collection)
    differences = _run(small_catalog, live, collection)
    assert {(d.aspect, d.detail) for d in differences} == {
        ("property", "title"),
        ("property", "view:azimuth"),
        ("asset field", "red.file:size"),
    }
    assert all(d.allowed_because for d in differences)
    assert "0 not allowed" in fidelity.report(differences)


def test_reflectance_out_of_tolerance_is_reported() -> None:
    ours = {"water red": 0.035, "water nir": 0.018, "vegetation ndvi": 0.7}
    theirs = {"water red": -0.065, "water nir": 0.02, "vegetation ndvi": 0.68}
    differences = fidelity._reflectance_differences("sentinel-2-l2a", ours, theirs)
    assert [(d.detail, d.offline, d.live) for d in differences] == [
        ("water red (within 0.03)", "0.035", "-0.065")
    ]
    assert differences[0].allowed_because is None


def test_live_scenes_without_cogs_are_an_allowed_difference() -> None:
    """Live items may lack their COGs (Element84/earth-search#79, #36) or whole 2022 scenes
    (#70, #44): no live reflectance to compare is named, and allowed."""
    jp2_only = {"assets": {"red-jp2": {}, "nir-jp2": {}, "scl-jp2": {}}, "properties": {}}
    assert fidelity._reflectance([jp2_only]) == {}
    ours = {"water red": 0.035, "water nir": 0.018, "vegetation ndvi": 0.7}
    differences = fidelity._reflectance_differences("sentinel-2-c1-l2a", ours, {})
    assert [(d.aspect, d.detail) for d in differences] == [
        ("reflectance", "no live scene with red, nir and scl")
    ]
    assert "#79" in str(differences[0].allowed_because)
    paging = fidelity.Difference("sentinel-2-c1-l2a", "paging", "summer 2022: next link", "", "")
    assert "#70" in str(paging.allowed_because)
