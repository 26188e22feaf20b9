"""The offline workshop kit: mirror a search into a local catalog, serve it, run the lesson.

The session's offline server plays the remote Earth Search; the mirror goes to a temporary
folder, is served by a second offline server, and the lesson notebooks run against it unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
import rasterio
import requests
from earth_search_offline.errors import MirrorError
from earth_search_offline.mirror.fetch import sha256_of
from earth_search_offline.mirror.plan import MirrorRequest
from earth_search_offline.mirror.run import mirror
from earth_search_offline.mirror.write import MANIFEST_FILE
from earth_search_offline.testing import OfflineServer
from fault_proxy import FaultProxy, Status
from lesson_science import (
    check_clip_compute_save,
    check_datacube,
    check_search,
    run_with_probes,
)
from lesson_testing.servers import KIT_ASSETS, KIT_SEARCHES, kit_request, mirror_kit
from pyproj import Transformer
from pystac import ItemCollection
from pystac_client import Client
from rasterio.windows import from_bounds
from shapely.geometry import box, shape
from stac_schemas import stac_errors

from helpers.places import CLIP_BOX_UTM, CLIP_CRS, KIT_BBOX
from tools.notebooks import lesson_notebooks
from tools.offline_kernels import offline_environment

REPOSITORY = Path(__file__).resolve().parents[1]
# The kit fixture mirrors every scene of the lesson's searches; in a fresh clone the server
# first makes each scene's pixel files, which on a loaded machine takes longer than 300 s.
pytestmark = pytest.mark.timeout(1200)
#: What ``make kit`` mirrors: episode 2's search box and episode 6's area together.
LESSON_AREA = KIT_BBOX
FILES_PER_ITEM = len(KIT_ASSETS) + 1  # and the thumbnail
SMALL = {"datetime": "2021-07-01/2021-07-31", "query": {"eo:cloud_cover": {"lt": 50}}}


def test_the_kit_area_holds_episode_5s_box() -> None:
    """A kit clips its images to its area: episode 5's box must lie inside, or its clip fails."""
    to_lonlat = Transformer.from_crs(CLIP_CRS, "EPSG:4326", always_xy=True)
    clip_box = box(*to_lonlat.transform_bounds(*CLIP_BOX_UTM))
    assert clip_box.within(box(*KIT_BBOX)), (clip_box.bounds, KIT_BBOX)


def _remote_ids(api_url: str, request: MirrorRequest, usable: bool = False) -> list[str]:
    """The ids the search finds; ``usable``: only those with every asset the kit copies."""
    search = Client.open(api_url).search(
        collections=[request.collection],
        bbox=request.bbox,
        datetime=request.datetime,
        query=request.query,
    )
    items = search.items()
    return sorted(i.id for i in items if not usable or set(request.assets) <= set(i.assets))


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST_FILE).read_text())


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory, api_url: str) -> Path:
    """The lesson's kit, mirrored in one run per search into one folder."""
    return mirror_kit(api_url, tmp_path_factory.mktemp("kit"), "sentinel-2-l2a")


@pytest.fixture(scope="module")
def kit_server(kit: Path) -> OfflineServer:
    with OfflineServer(kit, port=0) as server:
        yield server


def test_kit_holds_exactly_the_items_of_the_searches(kit: Path, api_url: str) -> None:
    """Every item found that has the kit's assets; a JP2-only one (Element84/earth-search#79)
    is left out, since it has no COG to copy."""
    found, usable = (
        {i for c in KIT_SEARCHES for i in _remote_ids(api_url, kit_request(api_url, **c), u)}
        for u in (False, True)
    )
    assert sorted(_manifest(kit)["items"]) == sorted(usable)
    assert len(usable) >= 5
    assert found - usable == {"S2A_31UFU_20210505_1_L2A"}


def test_every_file_matches_its_manifest_entry(kit: Path) -> None:
    files = _manifest(kit)["files"]
    items = _manifest(kit)["items"]
    assert len(files) == FILES_PER_ITEM * len(items)
    for relative, entry in files.items():
        path = kit / relative
        assert path.stat().st_size == entry["size"]
        assert sha256_of(path) == entry["sha256"]
    assert not list(kit.rglob("*.partial*"))


def test_clipped_assets_hold_the_source_pixels_of_the_area(kit: Path, api_url: str) -> None:
    relative = next(path for path in _manifest(kit)["files"] if path.endswith("/B04.tif"))
    entry = _manifest(kit)["files"][relative]
    assert entry["mode"] == "clip"
    with rasterio.open(kit / relative) as clipped, rasterio.open(entry["source"]) as source:
        assert clipped.crs == source.crs and clipped.res == source.res
        assert clipped.overviews(1), "the clip is a COG with overviews"
        window = from_bounds(*clipped.bounds, transform=source.transform)
        np.testing.assert_array_equal(clipped.read(), source.read(window=window))
        assert clipped.width < source.width and clipped.height < source.height
        assert clipped.nodata == source.nodata


def test_served_items_point_at_the_local_files(kit_server: OfflineServer) -> None:
    client = Client.open(kit_server.api_url)
    items = list(client.search(collections=["sentinel-2-l2a"], bbox=LESSON_AREA).items())
    assert items
    for item in items:
        red = item.assets["red"]
        assert red.href.startswith(kit_server.files_url)
        assert red.extra_fields["raster:bands"][0]["scale"] == 0.0001
        with rasterio.open(red.href) as dataset:
            assert [dataset.height, dataset.width] == red.extra_fields["proj:shape"]
            assert list(dataset.transform)[:6] == red.extra_fields["proj:transform"]
        assert shape(item.geometry).within(box(*LESSON_AREA).buffer(1e-9))
        assert (
            requests.get(item.assets["thumbnail"].href, timeout=10).content[:3] == b"\xff\xd8\xff"
        )


def test_kit_documents_validate_against_their_schemas(kit: Path, kit_server: OfflineServer) -> None:
    """The kit's files and what its server makes of them, against the official schemas."""
    documents = [json.loads(path.read_text()) for path in kit.rglob("*.json")]
    items = [doc for doc in documents if doc.get("type") == "Feature"]
    assert items and all(stac_errors(item) == [] for item in items)
    for doc in documents:
        if doc.get("type") in ("Catalog", "Collection"):
            assert stac_errors(doc) == [], doc["id"]
    served = requests.get(f"{kit_server.api_url}/search?limit=100", timeout=30).json()
    assert len(served["features"]) == len(items)
    assert all(stac_errors(item) == [] for item in served["features"])


def test_the_lesson_runs_unchanged_and_right_against_the_kit(
    kit_server: OfflineServer, api_url: str, tmp_path: Path
) -> None:
    env = offline_environment(kit_server.api_url)
    facts = {}
    for path in lesson_notebooks():
        notebook = nbformat.read(path, as_version=4)
        # Raises CellExecutionError at the first failing cell.
        _, facts[path.name[:2]] = run_with_probes(notebook, tmp_path / path.name, tmp_path, env)
    # Episode 2's search (2021, under 5 % cloud) found the mirrored scenes, served by the kit,
    # and kept one version of each acquisition (the kit holds both copies of the duplicates).
    saved = ItemCollection.from_file(str(tmp_path / "search_results.json"))
    mirrored = _remote_ids(api_url, kit_request(api_url, **KIT_SEARCHES[0]), usable=True)
    copies = {item_id for item_id in mirrored if item_id.endswith("_1_L2A")}
    assert copies, "the kit holds a copy processed twice"
    first_versions = {item_id.replace("_1_L2A", "_0_L2A") for item_id in copies}
    assert sorted(item.id for item in saved) == sorted(set(mirrored) - first_versions)
    assert all(item.assets["red"].href.startswith(kit_server.files_url) for item in saved)
    # The kit keeps the items' offsets and flags, and the clips their numbers: the science holds.
    check_search(facts["02"])
    check_clip_compute_save(facts["05"], tmp_path)
    check_datacube(facts["06"], tmp_path)
    # The kit carries the quirk too: a scene whose flag is false although its pixels are
    # harmonised, which the lesson's check finds below zero.
    assert any(not flag and water < -0.02 for _, flag, water in facts["05"]["summer_2022"])
    with rasterio.open(tmp_path / "amsterdam_tci.tif") as dataset:
        assert dataset.crs.to_epsg() == 32631


# Its setup may be the Collection 1 lesson run itself (tests/test_science.py's, whose limit it has).
@pytest.mark.timeout(3600)
def test_a_collection_1_kit_runs_the_lesson_right(
    api_url: str,
    collection_1_kit: Path,
    collection_1_kit_server: OfflineServer,
    lesson_run_c1: dict[str, Any],
) -> None:
    """The Collection 1 lesson run reads a kit mirrored from sentinel-2-c1-l2a.

    Its science is tests/test_science.py's business (the same run): here, that it read the kit.
    """
    saved = ItemCollection.from_file(str(lesson_run_c1["folder"] / "search_results.json"))
    assert saved and {item.collection_id for item in saved} == {"sentinel-2-c1-l2a"}
    assert all(
        item.assets["red"].href.startswith(collection_1_kit_server.files_url) for item in saved
    )
    # No flag in Collection 1: the declared offset is the one to apply, and water agrees.
    assert {flag for _, flag, _ in lesson_run_c1["science"]["05"]["summer_2022"]} == {None}
    # One collection per kit folder: the other one is refused with a clear message.
    with pytest.raises(MirrorError, match="into another folder"):
        mirror(kit_request(api_url, **SMALL), collection_1_kit)


def _mirror_command(api_url: str, folder: Path) -> list[str]:
    return [sys.executable, "-m", "earth_search_offline", "mirror", "--api", api_url,
            "--output", str(folder), "--bbox", *map(str, LESSON_AREA),
            "--datetime", SMALL["datetime"], "--query", "eo:cloud_cover<50",
            "--assets", "red", "nir", "scl", "visual"]  # fmt: skip


def test_an_interrupted_mirror_resumes_where_it_stopped(api_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "kit"
    process = subprocess.Popen(
        _mirror_command(api_url, folder),
        cwd=REPOSITORY,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if (folder / MANIFEST_FILE).is_file() and len(_manifest(folder)["files"]) >= 3:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the mirror ended before it could be interrupted"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    done_before = set(_manifest(folder)["files"])
    assert len(done_before) >= 3
    assert not (folder / "sentinel-2-l2a" / "collection.json").exists(), "not finished yet"

    report = mirror(kit_request(api_url, **SMALL), folder)
    assert done_before <= set(report.skipped)
    assert set(report.fetched) == set(_manifest(folder)["files"]) - set(report.skipped)
    assert report.fetched, "the files not finished before the interruption are fetched now"
    assert not list(folder.rglob("*.partial*"))
    with OfflineServer(folder, port=0) as server:
        served = _remote_ids(server.api_url, kit_request(server.api_url, **SMALL))
    assert served == _remote_ids(api_url, kit_request(api_url, **SMALL))


def test_a_damaged_file_is_fetched_again(api_url: str, tmp_path: Path) -> None:
    request = kit_request(api_url, **SMALL, max_items=1)
    first = mirror(request, tmp_path)
    relative = next(path for path in first.fetched if path.endswith("/SCL.tif"))
    path = tmp_path / relative
    good = hashlib.sha256(path.read_bytes()).hexdigest()
    damaged = bytearray(path.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF  # same size, one byte changed
    path.write_bytes(bytes(damaged))

    again = mirror(request, tmp_path)
    assert again.fetched == [relative]
    assert len(again.skipped) == len(first.fetched) - 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == good


def test_whole_copies_are_byte_for_byte(api_url: str, tmp_path: Path) -> None:
    request = kit_request(api_url, **SMALL, max_items=1, assets=("scl",), whole=True)
    report = mirror(request, tmp_path)
    files = _manifest(tmp_path)["files"]
    for relative in report.fetched:
        assert files[relative]["mode"] == "copy"
        original = requests.get(files[relative]["source"], timeout=30).content
        assert (tmp_path / relative).read_bytes() == original


def test_metadata_files_are_copied_whole_next_to_clipped_rasters(
    api_url: str, tmp_path: Path
) -> None:
    request = kit_request(api_url, **SMALL, max_items=1, assets=("scl", "tileinfo_metadata"))
    mirror(request, tmp_path)
    modes = {Path(path).name: entry["mode"] for path, entry in _manifest(tmp_path)["files"].items()}
    assert modes == {"SCL.tif": "clip", "tileinfo_metadata.json": "copy", "thumbnail.jpg": "copy"}
    relative, entry = next(
        (path, entry) for path, entry in _manifest(tmp_path)["files"].items()
        if path.endswith("tileinfo_metadata.json")
    )  # fmt: skip
    original = requests.get(entry["source"], timeout=30).content
    assert (tmp_path / relative).read_bytes() == original


def test_dry_run_estimates_and_writes_nothing(
    api_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = mirror(kit_request(api_url, **SMALL), tmp_path / "kit", dry_run=True)
    printed = capsys.readouterr().out
    assert f"{report.items} items, {FILES_PER_ITEM * report.items} files, about " in printed
    assert not (tmp_path / "kit").exists()

    # The estimate, made from the items' metadata alone, is the pixels the clips then hold.
    mirror(kit_request(api_url, **SMALL), tmp_path / "kit")
    pixel_bytes = 0
    for relative, entry in _manifest(tmp_path / "kit")["files"].items():
        if entry["mode"] == "clip":
            with rasterio.open(tmp_path / "kit" / relative) as dataset:
                itemsize = np.dtype(dataset.dtypes[0]).itemsize
                pixel_bytes += dataset.width * dataset.height * dataset.count * itemsize
    assert report.estimate == pixel_bytes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"bbox": (4.85, 52.32, 4.95, 95.0)}, "out of range: longitudes must lie in -180..180"),
        ({"bbox": (4.95, 52.32, 4.85, 52.42)}, "with min < max"),
        ({"assets": ()}, "No asset keys given"),
        ({"assets": ("B04",)}, "has no asset 'B04'. Its assets:"),
        ({"datetime": "1999-01-01/1999-12-31"}, "The search matched no items"),
    ],
)
def test_bad_requests_say_what_to_change(
    api_url: str, tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(MirrorError, match=re.escape(message)):
        mirror(kit_request(api_url, **{**SMALL, **changes}), tmp_path)


def test_the_generated_catalog_is_not_overwritten(api_url: str, catalog_folder_path: Path) -> None:
    with pytest.raises(MirrorError, match="holds the generated synthetic catalog"):
        mirror(kit_request(api_url, **SMALL), catalog_folder_path)


def test_an_unreachable_api_says_so_and_writes_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(MirrorError, match=re.escape("Check the API URL (--api) and the network")):
        mirror(kit_request("http://127.0.0.1:9/v1", **SMALL), tmp_path / "kit")
    assert time.monotonic() - started < 30
    assert not (tmp_path / "kit").exists()


def test_a_failing_download_stops_clearly_and_the_next_run_completes(
    session_server: OfflineServer, tmp_path: Path
) -> None:
    with FaultProxy(session_server.root_url) as proxy:
        proxy.plan(r"/files/.*/B08\.tif", [Status(404)] * 50)
        request = kit_request(f"{proxy.url}/v1", **SMALL, max_items=1)
        with pytest.raises(MirrorError, match=r"B08\.tif failed: .*run the same command again"):
            mirror(request, tmp_path)
    done = set(_manifest(tmp_path)["files"])
    assert done and not any(path.endswith("B08.tif") for path in done)
    # The network is back: the same request, straight to the server this time.
    report = mirror(kit_request(session_server.api_url, **SMALL, max_items=1), tmp_path)
    assert set(report.skipped) == done
    assert any(path.endswith("B08.tif") for path in report.fetched)


def test_lab_and_serve_use_a_kit_folder_as_it_is(kit: Path) -> None:
    from earth_search_offline.archive.generate import MARKER_FILE
    from earth_search_offline.cli import catalog_to_serve

    before = sorted(path.relative_to(kit) for path in kit.rglob("*"))
    assert catalog_to_serve(kit) == kit
    assert not (kit / MARKER_FILE).exists(), "no synthetic catalog generated into the kit"
    assert sorted(path.relative_to(kit) for path in kit.rglob("*")) == before


def test_mirror_command_line_help_names_every_option() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "earth_search_offline", "mirror", "--help"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    for option in ("--api", "--collection", "--bbox", "--point", "--buffer", "--datetime",
                   "--query", "--assets", "--whole", "--dry-run", "--output"):  # fmt: skip
        assert option in result.stdout, option
