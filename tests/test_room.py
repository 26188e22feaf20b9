"""One laptop serves the room (``serve --room``): addresses, hrefs, limits, a short load.

Traffic goes to 127.0.0.1 only: the room server is bound to loopback here (``--host``), and a
learner's address is simulated with the Host header.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rasterio
import requests
from earth_search_offline.api.app import create_app
from earth_search_offline.api.room import BURST, learner_instructions
from earth_search_offline.archive.generate import make_warm_up_scenes
from earth_search_offline.errors import OfflineEarthSearchError
from earth_search_offline.testing import OfflineServer, copy_metadata
from pystac import ItemCollection
from pystac_client import Client
from pystac_client.stac_api_io import StacApiIO
from rasterio.windows import from_bounds
from urllib3 import Retry

from helpers.checkpoints import LESSON_SEARCH, newest_versions
from helpers.lab import LESSON_WARM_UP
from helpers.places import CLIP_BOX_UTM, search_bbox

REPOSITORY = Path(__file__).resolve().parents[1]
LEARNER_HOST = "192.168.1.20:8765"  # as a learner's laptop would reach the instructor's


@pytest.fixture(scope="module")
def room(private_server: OfflineServer) -> Iterator[OfflineServer]:
    """A room server over the module's private catalog, bound to loopback for the tests."""
    with OfflineServer(private_server.catalog, extra_args=("--room", "--host", "127.0.0.1")) as s:
        yield s


def test_hrefs_use_the_address_the_learner_reached_the_server_by(room: OfflineServer) -> None:
    headers = {"Host": LEARNER_HOST}
    page = requests.post(f"{room.api_url}/search", json={"limit": 2}, headers=headers, timeout=30)
    for item in page.json()["features"]:
        assert item["assets"]["red"]["href"].startswith(f"http://{LEARNER_HOST}/files/")
        assert {
            link["href"].split("/v1")[0] for link in item["links"] if "/v1" in link["href"]
        } == {f"http://{LEARNER_HOST}"}
    landing = requests.get(room.api_url, headers=headers, timeout=10).json()
    assert "Serving: catalog (synthetic imagery)" in landing["description"]


def test_the_room_server_refuses_traversal_and_oversized_requests(room: OfflineServer) -> None:
    for path in ("/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd"):
        assert requests.get(f"{room.root_url}{path}", timeout=10).status_code == 404
    huge = requests.post(f"{room.api_url}/search", data=b"{" + b" " * 2_000_000 + b"}",
                         headers={"content-type": "application/json"}, timeout=30)  # fmt: skip
    assert huge.status_code == 413


def test_one_learner_in_a_loop_is_slowed_down_and_told_when_to_retry(room: OfflineServer) -> None:
    url = f"{room.api_url}/_mgmt/ping"
    with requests.Session() as session:
        statuses = [session.get(url, timeout=10) for _ in range(BURST + 60)]
    assert statuses[0].status_code == 200
    refused = [response for response in statuses if response.status_code == 429]
    assert refused, "a burst beyond the limit gets 429"
    assert int(refused[0].headers["Retry-After"]) >= 1
    assert "shared by the room" in refused[0].json()["description"]
    time.sleep(int(refused[0].headers["Retry-After"]) + 0.5)
    assert requests.get(url, timeout=10).status_code == 200


def test_learner_instructions_name_the_address_to_type() -> None:
    text = learner_instructions(["192.168.1.20", "10.0.0.5"], 8765, "offline-kit (a mirrored kit)")
    assert "export STAC_API_URL=http://192.168.1.20:8765/v1" in text
    assert '$env:STAC_API_URL = "http://192.168.1.20:8765/v1"' in text
    assert "make lab ROOM=http://192.168.1.20:8765/v1" in text
    assert "also reachable as http://10.0.0.5:8765/v1" in text
    assert "Wi-Fi" in learner_instructions([], 8765, "x")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "earth_search_offline", *args], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_listening_beyond_loopback_needs_the_word_room() -> None:
    result = _cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert result.returncode == 2 and "--room" in result.stderr


def test_a_room_server_that_does_not_answer_is_named() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "helpers.lab", "start", "--room-url", "http://127.0.0.1:9"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "room server http://127.0.0.1:9/v1 does not answer" in result.stderr


def _learner(api_url: str) -> dict[str, float]:
    """Episodes 2-5 as one learner's laptop makes the requests, timed by kind."""
    retries = Retry(total=6, backoff_factor=0.5, status_forcelist=[429, 502, 503, 504],
                    allowed_methods=None)  # fmt: skip
    client = Client.open(api_url, stac_io=StacApiIO(max_retries=retries), timeout=30)
    started = time.perf_counter()
    items = client.search(collections=["sentinel-2-l2a"], bbox=search_bbox(), datetime="2021",
                          query={"eo:cloud_cover": {"lt": 5}}).item_collection()  # fmt: skip
    search = time.perf_counter() - started
    item = next(item for item in items if item.properties["grid:code"] == "MGRS-31UFU")
    started = time.perf_counter()
    with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR", GDAL_HTTP_MAX_RETRY="6",
                      GDAL_HTTP_RETRY_DELAY="1"):  # fmt: skip
        for key in ("visual", "red", "nir", "scl"):
            with rasterio.open(item.assets[key].href) as dataset:
                window = from_bounds(*CLIP_BOX_UTM, transform=dataset.transform)
                assert dataset.read(window=window).size > 0
    return {"search": search, "clip": time.perf_counter() - started}


def test_ten_learners_at_once_all_get_their_data(room: OfflineServer) -> None:
    """A smoke test of the room under load; `make bench` measures 1, 10 and 30 learners."""
    with ThreadPoolExecutor(10) as pool:
        runs = list(pool.map(_learner, [room.api_url] * 10))
    assert len(runs) == 10  # every learner finished: no error, retries included
    clips = [run["clip"] for run in runs]
    assert statistics.median(clips) < 30, clips  # bounded: nothing waits on a lock forever


def test_the_catalog_is_generated_with_the_scenes_episodes_4_and_5_read(
    session_server: OfflineServer, tmp_path: Path
) -> None:
    """The room's first clips must not wait for pixels: ``make catalog`` makes them.

    The scenes are found here the notebooks' way (pystac-client, newest versions, 31UFU, the
    items that hold the assets read), independently of the warm-up's search of the catalog.
    """
    client = Client.open(session_server.api_url)
    keys = ("thumbnail", "visual", "red", "nir", "scl")
    found = client.search(**LESSON_SEARCH).item_collection()
    usable = ItemCollection(item for item in found if set(keys) <= set(item.assets))
    items = newest_versions(usable)  # episode 2: the items with COG bands, then one version each
    scenes = [item for item in items if item.properties["grid:code"] == "MGRS-31UFU"][:5]
    assert len(scenes) == 5
    metadata_only = copy_metadata(session_server.catalog, tmp_path / "catalog")
    made = make_warm_up_scenes(metadata_only, LESSON_WARM_UP)
    expected = {
        metadata_only / scene.assets[key].href.split("/files/", 1)[1]
        for scene in scenes
        for key in keys
    }
    assert set(made) == expected
    on_disk = {p for pattern in ("*.tif", "*.jpg") for p in metadata_only.rglob(pattern)}
    assert on_disk == expected, "only the lesson scenes' files are made ahead"
    first_red = metadata_only / scenes[0].assets["red"].href.split("/files/", 1)[1]
    with rasterio.open(first_red) as red:
        assert red.count == 1 and red.dtypes[0] == "uint16" and red.res == (10.0, 10.0)


def test_the_traffic_counters_exist_only_when_asked_and_never_for_a_room(
    session_server: OfflineServer, private_server: OfflineServer
) -> None:
    """/_stats and its unauthenticated reset are test hooks, not part of the service."""
    assert requests.get(f"{session_server.root_url}/_stats", timeout=10).status_code == 404
    reset = requests.post(f"{session_server.root_url}/_stats/reset", timeout=10)
    assert reset.status_code in (404, 405)
    assert requests.get(f"{private_server.root_url}/_stats", timeout=10).json()["requests"] >= 0
    refused = _cli("serve", "--room", "--traffic-stats", "--port", "0")
    assert refused.returncode == 2 and "--traffic-stats" in refused.stderr
    with pytest.raises(OfflineEarthSearchError, match="room"):
        create_app(private_server.catalog, room=True, traffic_stats=True)
