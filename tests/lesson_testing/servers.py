"""The offline catalog and the Earth Search servers that tests and notebooks use.

One server for the whole session, started when first needed (its URL goes to ``STAC_API_URL``);
nbval's notebook cells are not test functions and get no fixtures, so it is started from a
collection hook, before the first kernel starts. With pytest-xdist the controller generates the
catalog once, with the learners' command, before the workers start; each worker starts its
own server.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from earth_search_offline.mirror.plan import MirrorRequest
from earth_search_offline.settings import CATALOG_ENV
from earth_search_offline.testing import OfflineServer, copy_metadata

from helpers.checkpoints import SEARCH_RESULTS, ensure_search_results
from helpers.lab import catalog_folder, prepare_catalog
from helpers.places import KIT_BBOX
from tools.notebooks import NOTEBOOK_FOLDER
from tools.offline_kernels import offline_environment

from . import COLLECTION_1, LIVE
from .scheduling import is_notebook_cell, is_xdist_controller, is_xdist_worker

_server: OfflineServer | None = None
#: What a kit must hold for the whole lesson, in the area of ``make kit``: episodes 2-4 (2021,
#: under 5 % cloud), episode 5's exercises (summer 2022) and episode 6's winter exercise (across
#: the baseline change).
KIT_SEARCHES = [
    {"datetime": "2021-01-01/2021-12-31", "query": {"eo:cloud_cover": {"lt": 5}}},
    {"datetime": "2022-06-01/2022-08-31", "query": {"eo:cloud_cover": {"lt": 5}}},
    {"datetime": "2021-12-01/2022-03-31", "query": {"eo:cloud_cover": {"lt": 20}}},
]
KIT_ASSETS = ("red", "nir", "scl", "visual")


def kit_request(api_url: str, **changes: Any) -> MirrorRequest:
    """A mirror request in the area of ``make kit``, for the kit's assets, with ``changes``."""
    settings = {"api_url": api_url, "bbox": KIT_BBOX, "assets": KIT_ASSETS}
    return MirrorRequest(**{**settings, **changes})


def mirror_kit(api_url: str, folder: Path, collection: str) -> Path:
    """The lesson's kit of ``collection``, mirrored from ``api_url`` into ``folder``."""
    from earth_search_offline.mirror.run import mirror

    for search in KIT_SEARCHES:
        mirror(kit_request(api_url, collection=collection, **search), folder)
    return folder


def offline_server() -> OfflineServer:
    """The session's offline server (started on first use; its URL goes to STAC_API_URL)."""
    global _server
    if _server is None:
        _server = OfflineServer(prepare_catalog(catalog_folder())).start()
        os.environ.update(offline_environment(_server.api_url))
    return _server


def forget_checkpoint() -> None:
    """Episode 2's saved search names the server of the session that saved it: remove it."""
    (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)


def pytest_configure(config: pytest.Config) -> None:
    if LIVE or not is_xdist_controller(config):
        return
    # Once, before the workers start: they must not generate the same folder at once. With the
    # learners' command, so a fresh clone's `make test` runs it from scratch
    # (tests/test_server.py runs it again on the result: nothing to do).
    environment = {**os.environ, CATALOG_ENV: str(catalog_folder())}
    command = [sys.executable, "-m", "helpers.lab", "catalog"]
    subprocess.run(command, check=True, timeout=600, env=environment)
    forget_checkpoint()


def pytest_collection_finish(session: pytest.Session) -> None:
    if any(is_notebook_cell(item) for item in session.items):
        if not is_xdist_worker(session.config):
            forget_checkpoint()
        if not LIVE:
            offline_server()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if LIVE or not is_notebook_cell(item) or item.path.name[:2] in ("00", "01", "02"):
        return
    if not (NOTEBOOK_FOLDER / SEARCH_RESULTS).is_file():
        # A later episode without episode 2 before it: the checkpoint episode 2 would save.
        with contextlib.redirect_stdout(io.StringIO()):
            ensure_search_results(offline_server().api_url, NOTEBOOK_FOLDER / SEARCH_RESULTS)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _server is not None:
        _server.stop()


@pytest.fixture(scope="session")
def catalog_folder_path() -> Path:
    """The generated offline catalog (reused between runs while it is current)."""
    return prepare_catalog(catalog_folder())


@pytest.fixture(scope="session")
def catalog_items(catalog_folder_path: Path) -> list[dict[str, Any]]:
    """Every item document, read straight from the files (not through the API)."""
    # Sorted, so that a test's items[k] is the same item on every filesystem.
    items = [
        json.loads(path.read_text())
        for path in sorted(catalog_folder_path.glob("sentinel-s2-l2a-cogs/**/S2*_L2A.json"))
    ]
    assert items, f"no item files under {catalog_folder_path}"
    return items


@pytest.fixture(scope="session")
def session_server(catalog_folder_path: Path) -> OfflineServer:
    return offline_server()


@pytest.fixture(scope="module")
def private_server(
    catalog_folder_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OfflineServer]:
    """A server of a test module's own, for tests that delete its files or read its counters.

    It serves a copy of the catalog's metadata; its pixel files are made on first request, as
    in a freshly generated catalog, so the session's server is never disturbed. Its traffic
    counters are on (``serve --traffic-stats``).
    """
    folder = copy_metadata(catalog_folder_path, tmp_path_factory.mktemp("private") / "catalog")
    server = OfflineServer(folder, traffic_stats=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api_url(session_server: OfflineServer) -> str:
    return session_server.api_url


@pytest.fixture(scope="session")
def collection_1_kit(tmp_path_factory: pytest.TempPathFactory, api_url: str) -> Path:
    """The lesson's kit mirrored from the offline ``sentinel-2-c1-l2a``."""
    return mirror_kit(api_url, tmp_path_factory.mktemp("kit-c1"), COLLECTION_1)


@pytest.fixture(scope="session")
def collection_1_kit_server(collection_1_kit: Path) -> Iterator[OfflineServer]:
    with OfflineServer(collection_1_kit, port=0) as server:
        yield server
