"""Shared fixtures: the generated catalog, one offline server per session, no network.

Network: pytest-socket (``--allow-hosts`` in pyproject) refuses every non-loopback connection
made from Python, and the proxy variables below send libcurl (GDAL) and child processes to a
closed loopback port for any non-loopback host, so nothing can reach the internet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers.offline import OfflineServer, ensure_catalog
from helpers.offline.process import CATALOG_ENV

REPOSITORY = Path(__file__).resolve().parents[1]
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, connections fail at once


def pytest_configure(config: pytest.Config) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        os.environ[name] = DEAD_PROXY
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost,::1"
    os.environ.setdefault("GDAL_HTTP_TIMEOUT", "20")


@pytest.fixture(scope="session")
def catalog_folder() -> Path:
    """The generated offline catalog (reused between runs while it is current)."""
    folder = Path(os.environ.get(CATALOG_ENV, REPOSITORY / "data" / "offline-earth-search"))
    return ensure_catalog(folder)


@pytest.fixture(scope="session")
def catalog_items(catalog_folder: Path) -> list[dict[str, Any]]:
    """Every item document, read straight from the files (not through the API)."""
    items = [
        json.loads(path.read_text())
        for path in catalog_folder.glob("sentinel-s2-l2a-cogs/**/S2*_L2A.json")
    ]
    assert items, f"no item files under {catalog_folder}"
    return items


@pytest.fixture(scope="session")
def offline_server(catalog_folder: Path) -> Iterator[OfflineServer]:
    with OfflineServer(catalog_folder) as server:
        yield server


@pytest.fixture(scope="session")
def api_url(offline_server: OfflineServer) -> str:
    return offline_server.api_url
