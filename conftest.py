"""Session set-up and fixtures shared by the unit tests (tests/) and the notebooks (nbval).

- Offline (the default): no internet for this process or the notebook kernels, and one
  offline Earth Search server for the whole session, started when first needed.
- Live (``LESSON_LIVE=1``, used by ``make test-live``): the notebooks run against the real
  Earth Search and nothing is blocked.

nbval's notebook cells are not ordinary test functions and get no fixtures, so the server is
started from a collection hook, before the first kernel starts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from helpers.checkpoints import SEARCH_RESULTS, ensure_search_results
from helpers.offline import OfflineServer, ensure_catalog
from helpers.offline.process import CATALOG_ENV
from tools.notebooks import NOTEBOOK_FOLDER, lesson_notebooks
from tools.offline_kernels import ipython_dir_with_startup, offline_environment

REPOSITORY = Path(__file__).resolve().parent
LIVE = os.environ.get("LESSON_LIVE") == "1"
LIVE_API_URL = "https://earth-search.aws.element84.com/v1"
DEFAULT_COLLECTION = "sentinel-2-l2a"
COLLECTION_1 = "sentinel-2-c1-l2a"
_server: OfflineServer | None = None


def catalog_folder() -> Path:
    return Path(os.environ.get(CATALOG_ENV, REPOSITORY / "data" / "offline-earth-search"))


def offline_server() -> OfflineServer:
    """The session's offline server (started on first use; its URL goes to STAC_API_URL)."""
    global _server
    if _server is None:
        _server = OfflineServer(ensure_catalog(catalog_folder())).start()
        os.environ.update(offline_environment(_server.api_url))
    return _server


def pytest_configure(config: pytest.Config) -> None:
    if LIVE:
        os.environ["IPYTHONDIR"] = str(ipython_dir_with_startup())
        return
    # Proxies that refuse every connection: libcurl (GDAL) and child processes stay offline.
    os.environ.update(offline_environment(api_url="http://127.0.0.1:9/not-started"))


def pytest_collection_finish(session: pytest.Session) -> None:
    notebooks = {item.path.name for item in session.items if item.path.suffix == ".ipynb"}
    if notebooks:
        # Episode 2's checkpoint from an earlier session names that session's server.
        (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)
        if not LIVE:
            server = offline_server()
            if not any(name.startswith("02-") for name in notebooks):
                # Later episodes alone: give them the checkpoint episode 2 would have saved.
                with contextlib.redirect_stdout(io.StringIO()):
                    ensure_search_results(server.api_url, NOTEBOOK_FOLDER / SEARCH_RESULTS)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _server is not None:
        _server.stop()


@pytest.fixture(scope="session")
def catalog_folder_path() -> Path:
    """The generated offline catalog (reused between runs while it is current)."""
    return ensure_catalog(catalog_folder())


@pytest.fixture(scope="session")
def catalog_items(catalog_folder_path: Path) -> list[dict[str, Any]]:
    """Every item document, read straight from the files (not through the API)."""
    items = [
        json.loads(path.read_text())
        for path in catalog_folder_path.glob("sentinel-s2-l2a-cogs/**/S2*_L2A.json")
    ]
    assert items, f"no item files under {catalog_folder_path}"
    return items


@pytest.fixture(scope="session")
def session_server(catalog_folder_path: Path) -> OfflineServer:
    return offline_server()


@pytest.fixture(scope="session")
def api_url(session_server: OfflineServer) -> str:
    return session_server.api_url


@pytest.fixture(scope="session")
def lesson_api_url(request: pytest.FixtureRequest) -> str:
    """The API the lesson run uses: the live Earth Search with LESSON_LIVE=1, else offline."""
    if LIVE:
        return os.environ.get("STAC_API_URL", LIVE_API_URL)
    return request.getfixturevalue("api_url")


def _run_lesson(folder: Path, api_url: str, collection: str) -> dict[str, Any]:
    """Run the learner edition, solutions filled back in, in ``folder``; see ``lesson_run``."""
    from lesson_science import run_with_probes  # tests/ is on sys.path once tests are collected

    from tools.build_editions import fill_solutions, learner_edition

    env = {
        "STAC_API_URL": api_url,
        "STAC_COLLECTION": collection,
        "IPYTHONDIR": os.environ["IPYTHONDIR"],
    }
    run: dict[str, Any] = {"folder": folder, "science": {}, "collection": collection}
    for path in lesson_notebooks():
        source = nbformat.read(path, as_version=4)
        filled = fill_solutions(learner_edition(source), source)
        number = path.name[:2]
        run[number], run["science"][number] = run_with_probes(
            filled, folder / path.name, folder, env
        )
    return run


@pytest.fixture(scope="session")
def lesson_run(tmp_path_factory: pytest.TempPathFactory, lesson_api_url: str) -> dict[str, Any]:
    """The learner edition with its solutions filled back in from the source, run once.

    Returns the executed notebooks by number ("01".."06"), under "folder" the working folder
    holding the files they saved, and under "science" the numbers each episode's probe read
    from its kernel (``tests/lesson_science.py``). Tests of the editions, of the lesson's
    results and of its science share this one run, on the default collection.
    """
    return _run_lesson(tmp_path_factory.mktemp("lesson-run"), lesson_api_url, DEFAULT_COLLECTION)


@pytest.fixture(scope="session")
def lesson_run_c1(tmp_path_factory: pytest.TempPathFactory, lesson_api_url: str) -> dict[str, Any]:
    """The same run with ``STAC_COLLECTION=sentinel-2-c1-l2a`` (Collection 1)."""
    folder = tmp_path_factory.mktemp("lesson-run-c1")
    return _run_lesson(folder, lesson_api_url, COLLECTION_1)
