"""A hostile or broken STAC API cannot make the mirror write outside the kit, read local files,
fill the disk or loop forever (earth_search_offline/mirror/safety.py).

Each test serves one bad answer from a small STAC API on 127.0.0.1 and mirrors from it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from earth_search_offline.errors import MirrorError
from earth_search_offline.mirror import safety as mirror_safety
from earth_search_offline.mirror.plan import MirrorRequest
from earth_search_offline.mirror.run import mirror

from helpers.places import AMSTERDAM, KIT_BBOX

COLLECTION = "hostile-l2a"
CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
]


class HostileApi:
    """A STAC API whose items, files and paging each test sets."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}
        self.file_headers: dict[str, dict[str, str]] = {}
        self.endless_file = False  # a file whose body never ends
        self.paging = "once"  # "once", "repeat" (the same page again) or "endless"
        self.page_bytes = 0  # pad search pages to this size
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def item(self, item_id: str, s3_path: str | None = None, href: str | None = None) -> dict:
        properties: dict[str, Any] = {"datetime": "2021-08-18T10:56:19Z"}
        if s3_path:
            properties["earthsearch:s3_path"] = s3_path
        red = {"href": href or f"{self.url}/files/B04.tif", "type": "image/tiff"}
        return {
            "type": "Feature", "stac_version": "1.0.0", "id": item_id, "collection": COLLECTION,
            "geometry": {"type": "Point", "coordinates": list(AMSTERDAM)},
            "bbox": [*AMSTERDAM, *AMSTERDAM], "properties": properties, "links": [],
            "assets": {"red": red},
        }  # fmt: skip

    def _page(self, number: int) -> dict[str, Any]:
        features = self.items
        if self.paging == "endless":
            features = [{**self.items[0], "id": f"{self.items[0]['id']}-{number}"}]
        links = []
        if self.paging in ("repeat", "endless"):
            links.append({"rel": "next", "href": f"{self.url}/v1/search?page={number + 1}",
                          "method": "GET"})  # fmt: skip
        page = {"type": "FeatureCollection", "features": features, "links": links}
        if self.page_bytes:
            page["padding"] = "x" * self.page_bytes
        return page

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, document: Any) -> None:
                body = json.dumps(document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                if path == "/v1":
                    root = f"{api.url}/v1"
                    links = [{"rel": "self", "href": root}, {"rel": "root", "href": root},
                             {"rel": "search", "href": f"{root}/search",
                              "type": "application/geo+json", "method": "POST"}]  # fmt: skip
                    self._json({"type": "Catalog", "id": "hostile", "description": "hostile",
                                "stac_version": "1.0.0", "conformsTo": CONFORMANCE,
                                "links": links})  # fmt: skip
                elif path == f"/v1/collections/{COLLECTION}":
                    self._json({"type": "Collection", "id": COLLECTION, "stac_version": "1.0.0",
                                "description": "hostile", "license": "proprietary", "links": [],
                                "extent": {"spatial": {"bbox": [[-180, -90, 180, 90]]},
                                           "temporal": {"interval": [[None, None]]}}})  # fmt: skip
                elif path == "/v1/search":
                    number = int(query.partition("page=")[2] or 1) if "page=" in query else 1
                    self._json(api._page(number if api.paging == "endless" else 1))
                elif path.startswith("/files/"):
                    self._file(path.removeprefix("/files/"))
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.startswith("/v1/search"):
                    self._json(api._page(1))
                else:
                    self.send_error(404)

            def _file(self, name: str) -> None:
                self.send_response(200)
                for header, value in api.file_headers.get(name, {}).items():
                    self.send_header(header, value)
                if api.endless_file:
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"\0" * 65536)
                    except OSError:
                        return
                body = api.files.get(name, b"pixels")
                if "Content-Length" not in api.file_headers.get(name, {}):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def api() -> Iterator[HostileApi]:
    server = HostileApi()
    yield server
    server.close()


def _mirror(api: HostileApi, folder: Path) -> None:
    request = MirrorRequest(api_url=f"{api.url}/v1", collection=COLLECTION, bbox=KIT_BBOX,
                            datetime=None, query=None, assets=("red",), whole=True)  # fmt: skip
    mirror(request, folder)


def _written_outside(root: Path, kit: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and not path.is_relative_to(kit)]


def test_an_s3_path_that_climbs_out_of_the_kit_is_refused(api: HostileApi, tmp_path: Path) -> None:
    kit = tmp_path / "deep" / "er" / "kit"
    api.items = [api.item("S2B_EVIL_L2A", s3_path="s3://bucket/../../../../escaped")]
    with pytest.raises(MirrorError, match=r"S2B_EVIL_L2A.*relative step"):
        _mirror(api, kit)
    assert not _written_outside(tmp_path, kit)
    assert not (tmp_path / "escaped").exists()


@pytest.mark.parametrize(
    "item_id", ["../../escaped", "a/b", "CON", "nul.json", "S2B:31UFU", "trailing.", ".hidden"]
)
def test_unsafe_item_ids_are_refused(api: HostileApi, tmp_path: Path, item_id: str) -> None:
    api.items = [api.item(item_id)]
    with pytest.raises(MirrorError, match="Item"):
        _mirror(api, tmp_path / "kit")
    assert not _written_outside(tmp_path, tmp_path / "kit")
    assert not list((tmp_path / "kit").rglob("*.tif"))


def test_an_asset_file_name_unsafe_on_windows_is_refused(api: HostileApi, tmp_path: Path) -> None:
    api.items = [api.item("S2B_OK_L2A", href=f"{api.url}/files/B04.tif:stream")]
    with pytest.raises(MirrorError, match="asset file name"):
        _mirror(api, tmp_path / "kit")


@pytest.mark.parametrize(
    "href", ["file:///etc/passwd", "/vsicurl/http://127.0.0.1:9/B04.tif", "s3://bucket/B04.tif"]
)
def test_only_http_hrefs_are_fetched(api: HostileApi, tmp_path: Path, href: str) -> None:
    api.items = [api.item("S2B_OK_L2A", href=href)]
    with pytest.raises(MirrorError, match="only http:// and https://"):
        _mirror(api, tmp_path / "kit")
    assert not (tmp_path / "kit").exists() or not list((tmp_path / "kit").rglob("*.tif"))


def test_a_file_claiming_to_be_huge_is_refused(api: HostileApi, tmp_path: Path) -> None:
    api.items = [api.item("S2B_OK_L2A")]
    api.file_headers["B04.tif"] = {"Content-Length": str(10**12)}
    with pytest.raises(MirrorError, match="larger than"):
        _mirror(api, tmp_path / "kit")


def test_a_file_that_never_ends_stops_at_the_limit(
    api: HostileApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mirror_safety, "MAX_DOWNLOAD_BYTES", 2_000_000)
    api.items = [api.item("S2B_OK_L2A")]
    api.endless_file = True
    with pytest.raises(MirrorError, match="larger than 2,000,000"):
        _mirror(api, tmp_path / "kit")
    kit_files = [path for path in (tmp_path / "kit").rglob("*") if path.is_file()]
    assert not [path for path in kit_files if path.suffix == ".tif" or ".partial" in path.name]


def test_a_search_page_too_large_is_refused(
    api: HostileApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mirror_safety, "MAX_JSON_BYTES", 100_000)
    api.items = [api.item("S2B_OK_L2A")]
    api.page_bytes = 500_000
    with pytest.raises(MirrorError, match="larger than 100,000"):
        _mirror(api, tmp_path / "kit")


def test_paging_that_repeats_a_page_stops(api: HostileApi, tmp_path: Path) -> None:
    api.items = [api.item("S2B_OK_L2A")]
    api.paging = "repeat"
    with pytest.raises(MirrorError, match="page 2 twice"):
        _mirror(api, tmp_path / "kit")


def test_paging_that_never_ends_stops(
    api: HostileApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mirror_safety, "MAX_SEARCH_PAGES", 5)
    api.items = [api.item("S2B_OK_L2A")]
    api.paging = "endless"
    with pytest.raises(MirrorError, match="past 5 pages"):
        _mirror(api, tmp_path / "kit")


def test_a_well_behaved_item_is_still_mirrored(api: HostileApi, tmp_path: Path) -> None:
    """The checks refuse only what is wrong: a normal item and file arrive intact."""
    folder_in_bucket = "sentinel-s2-l2a-cogs/31/U/FU/2021/8/S2B_31UFU_20210818_0_L2A"
    api.items = [api.item("S2B_31UFU_20210818_0_L2A", s3_path=f"s3://bucket/{folder_in_bucket}")]
    api.files["B04.tif"] = b"not really a tiff, copied whole"
    _mirror(api, tmp_path / "kit")
    folder = tmp_path / "kit" / folder_in_bucket
    assert (folder / "B04.tif").read_bytes() == b"not really a tiff, copied whole"
    assert (folder / "S2B_31UFU_20210818_0_L2A.json").is_file()
