"""The offline server process: binding, file serving safety, any catalog folder, the CLI."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import psutil
import pystac
import pytest
import rasterio
import requests
from earth_search_offline.errors import ServerStartError
from earth_search_offline.serving import bind_socket
from earth_search_offline.settings import CATALOG_ENV
from earth_search_offline.static_catalog import item_folder
from earth_search_offline.testing import OfflineServer
from pystac_client import Client


def _raw_get(root_url: str, path: str) -> tuple[int, bytes]:
    """GET a path exactly as written (no client-side normalisation of '..')."""
    parts = urlsplit(root_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def test_server_listens_on_loopback_only(session_server: OfflineServer) -> None:
    port = urlsplit(session_server.root_url).port
    listening = [
        conn.laddr
        for conn in psutil.Process(session_server.process.pid).net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN
    ]
    assert [(address.ip, address.port) for address in listening] == [("127.0.0.1", port)]


@pytest.mark.parametrize(
    "path",
    [
        "/files/../pyproject.toml",
        "/files/%2e%2e/%2e%2e/etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd",
        "/files//etc/passwd",
        "/files/.offline-catalog.json",
        "/files/sentinel-2-l2a/../../escape.txt",
    ],
)
def test_file_server_refuses_paths_outside_the_catalog(
    session_server: OfflineServer, path: str
) -> None:
    status, body = _raw_get(session_server.root_url, path)
    assert status == 404
    assert b"root:" not in body and b"[project]" not in body


def test_symlink_out_of_the_catalog_is_not_followed(tmp_path: Path) -> None:
    folder = _tiny_catalog(tmp_path / "catalog")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve me")
    (folder / "link.txt").symlink_to(secret)
    with OfflineServer(folder) as server:
        assert requests.get(f"{server.files_url}/link.txt", timeout=10).status_code == 404
        assert requests.get(f"{server.files_url}/catalog.json", timeout=10).ok


def _tiny_catalog(folder: Path) -> Path:
    """A static catalog in another layout than the generated one, written with pystac."""
    catalog = pystac.Catalog("tiny", "A two-item test catalog")
    collection = pystac.Collection(
        "test-rasters",
        "Two small rasters",
        pystac.Extent(
            pystac.SpatialExtent([[4.0, 52.0, 5.0, 53.0]]),
            pystac.TemporalExtent([[None, None]]),
        ),
    )
    catalog.add_child(collection)
    for index, day in enumerate(["2020-05-01", "2020-06-01"]):
        item = pystac.Item(
            f"raster-{index}",
            {"type": "Polygon", "coordinates": [[[4, 52], [5, 52], [5, 53], [4, 53], [4, 52]]]},
            [4.0, 52.0, 5.0, 53.0],
            pystac.utils.str_to_datetime(f"{day}T10:00:00Z"),
            {"eo:cloud_cover": 10.0 * index},
        )
        item.add_asset("data", pystac.Asset(f"./raster-{index}.tif", media_type="image/tiff"))
        collection.add_item(item)
    catalog.normalize_hrefs(str(folder))
    catalog.save(pystac.CatalogType.SELF_CONTAINED)
    for index in range(2):
        raster = next(folder.rglob(f"raster-{index}.json")).parent / f"raster-{index}.tif"
        profile = {
            "driver": "GTiff",
            "width": 64,
            "height": 64,
            "count": 1,
            "dtype": "uint8",
            "crs": "EPSG:4326",
            "transform": rasterio.transform.from_bounds(4, 52, 5, 53, 64, 64),
        }
        with rasterio.open(raster, "w", **profile) as dst:
            dst.write(np.full((1, 64, 64), index + 1, dtype="uint8"))
    return folder


def test_serves_any_static_catalog_folder(tmp_path: Path) -> None:
    folder = _tiny_catalog(tmp_path / "catalog")
    with OfflineServer(folder) as server:
        client = Client.open(server.api_url)
        assert [c.id for c in client.get_collections()] == ["test-rasters"]
        search = client.search(query={"eo:cloud_cover": {"gt": 5}})
        items = list(search.items())
        assert [item.id for item in items] == ["raster-1"]
        with rasterio.open(items[0].assets["data"].href) as dataset:
            assert dataset.read(1).max() == 2


def test_missing_catalog_gives_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "earth_search_offline",
            "serve",
            "--catalog",
            str(tmp_path),
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "No catalog.json" in result.stderr and "generate" in result.stderr
    assert "Traceback" not in result.stderr


def test_busy_port_gives_a_clear_error(session_server: OfflineServer) -> None:
    port = urlsplit(session_server.root_url).port
    with pytest.raises(ServerStartError, match=f"127.0.0.1:{port}.*--port"):
        bind_socket("127.0.0.1", port)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "earth_search_offline",
            "serve",
            "--catalog",
            str(session_server.catalog),
            "--port",
            str(port),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--port" in result.stderr


def test_assets_are_made_once_even_when_asked_for_at_the_same_time(
    private_server: OfflineServer, catalog_items: list[dict]
) -> None:
    item = catalog_items[-1]
    folder = item_folder(item)
    target = private_server.catalog / folder / "B12.tif"
    assert not target.exists(), "a private catalog starts without pixel files"
    url = f"{private_server.files_url}/{folder}/B12.tif"
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda _: requests.get(url, timeout=60).content, range(4)))
    assert len({len(body) for body in bodies}) == 1 and bodies[0] == target.read_bytes()
    assert not list(target.parent.glob(".*.partial*"))


def test_generate_command_is_idempotent(catalog_folder_path: Path) -> None:
    """On the session's catalog (which `make test` generated with this same command)."""
    marker_file = catalog_folder_path / ".offline-catalog.json"
    marker = json.loads(marker_file.read_text())
    assert marker["synthetic"] is True and marker["items"] > 300
    written = marker_file.stat().st_mtime_ns
    command = [sys.executable, "-m", "helpers.lab", "catalog"]
    environment = {**os.environ, CATALOG_ENV: str(catalog_folder_path)}
    again = subprocess.run(command, capture_output=True, text=True, timeout=60, env=environment)
    assert again.returncode == 0 and "Generating" not in again.stdout, again.stdout + again.stderr
    assert marker_file.stat().st_mtime_ns == written


def test_lab_command_starts_jupyter_with_the_offline_api(session_server: OfflineServer) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.lab",
            "start",
            "--catalog",
            str(session_server.catalog),
            "--port",
            "0",
            "--",
            "--version",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"STAC_API_URL=http://127\.0\.0\.1:[1-9]\d*/v1", result.stdout)
    assert re.search(r"^\d+\.\d+\.\d+", result.stdout.splitlines()[-1])


def test_a_started_server_is_not_started_twice_by_with(catalog_folder_path: Path) -> None:
    server = OfflineServer(catalog_folder_path).start()
    first = server.process
    with server as same:
        assert same is server and server.process is first
    assert first.poll() is not None, "leaving the with block stops the one process"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"{bad json", 400, "JSON decode error"),
        (b"[]", 400, "must be a JSON object"),
        (b"null", 400, "must be a JSON object"),
        (b'{"bbox": "x"}', 400, "bbox"),
        (b'{"filter": {"op": "nope"}}', 400, "filter is not valid"),
        (b'{"datetime": "yesterday"}', 400, "datetime"),
        (b'{"ids": [' + b",".join([b'"x"'] * 300_000) + b"]}", 413, "limited to"),
    ],
    ids=["malformed", "array", "null", "bbox", "cql2", "datetime", "huge"],
)
def test_bad_bodies_get_client_errors_never_500(
    api_url: str, body: bytes, status: int, words: str
) -> None:
    response = requests.post(
        f"{api_url}/search", data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == status, response.text[:300]
    assert words in response.text


def test_answers_carry_the_stac_api_media_types(api_url: str) -> None:
    """Items and item pages are GeoJSON, other documents JSON (STAC API - Features)."""
    page = requests.post(f"{api_url}/search", json={"limit": 1}, timeout=30)
    assert page.headers["content-type"] == "application/geo+json"
    item_url = next(link["href"] for link in page.json()["features"][0]["links"]
                    if link["rel"] == "self")  # fmt: skip
    assert requests.get(item_url, timeout=30).headers["content-type"] == "application/geo+json"
    items = requests.get(f"{api_url}/collections/sentinel-2-l2a/items?limit=1", timeout=30)
    assert items.headers["content-type"] == "application/geo+json"
    for path in ("/collections", "/collections/sentinel-2-l2a", ""):
        assert requests.get(f"{api_url}{path}", timeout=30).headers["content-type"] == (
            "application/json"
        )
