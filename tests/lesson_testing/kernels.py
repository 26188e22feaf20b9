"""Notebook kernels without internet, and the lesson run that tests of its results read.

Each episode runs once per suite: nbval's run of the notebooks (every output compared with the
stored one) is also the lesson run that the results and science tests read (``lesson_run``).
Run without the notebooks (``pytest tests/test_science.py``), ``lesson_run`` runs the episodes
itself: the learner edition with its solutions filled back in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from earth_search_offline.earth_search import LIVE_API_URL

from tools.build_editions import fill_solutions, learner_edition
from tools.notebooks import lesson_notebooks
from tools.offline_kernels import ipython_dir_with_startup, offline_environment

from . import COLLECTION_1, DEFAULT_COLLECTION, LIVE
from .nbval_capture import NBVAL_RUN

#: Live (`make test-live`), the executed notebooks are kept here, by collection, for the nightly
#: workflow's artifacts.
LIVE_ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "live"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if LIVE:
        os.environ["IPYTHONDIR"] = str(ipython_dir_with_startup())
        return
    # Proxies that refuse every connection: libcurl (GDAL) and child processes stay offline.
    os.environ.update(offline_environment(api_url="http://127.0.0.1:9/not-started"))


@pytest.fixture(scope="session")
def lesson_api_url(request: pytest.FixtureRequest) -> str:
    """The API the lesson run uses: the live Earth Search with LESSON_LIVE=1, else offline."""
    if LIVE:
        return os.environ.get("STAC_API_URL", LIVE_API_URL)
    return request.getfixturevalue("api_url")


def run_lesson(folder: Path, api_url: str, collection: str) -> dict[str, Any]:
    """Run the learner edition, solutions filled back in, in ``folder``; see ``lesson_run``."""
    from lesson_science import run_with_probes

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
        if LIVE:
            (LIVE_ARTIFACTS / collection).mkdir(parents=True, exist_ok=True)
            nbformat.write(run[number], LIVE_ARTIFACTS / collection / path.name)
    return run


@pytest.fixture(scope="session")
def lesson_run(tmp_path_factory: pytest.TempPathFactory, lesson_api_url: str) -> dict[str, Any]:
    """The episodes run once, on the default collection.

    Returns the executed notebooks by number ("01".."06"), under "folder" the working folder
    holding the files they saved, and under "science" the numbers each episode's probe read
    from its kernel (``tests/lesson_science.py``). Tests of the editions, of the lesson's
    results and of its science share this one run. It is nbval's run when nbval ran the
    episodes in this process (``make test``; the filled learner edition is the source's code,
    tests/test_editions.py checks), else the learner edition with its solutions filled back in.
    """
    reused = NBVAL_RUN.lesson_run(DEFAULT_COLLECTION)
    if reused is not None:
        return reused
    return run_lesson(tmp_path_factory.mktemp("lesson-run"), lesson_api_url, DEFAULT_COLLECTION)


@pytest.fixture(scope="session")
def lesson_run_c1(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> dict[str, Any]:
    """The same run with ``STAC_COLLECTION=sentinel-2-c1-l2a`` (Collection 1).

    Live, on the live Earth Search. Offline, on a kit mirrored from the offline Collection 1
    (``collection_1_kit``): one run shows that the lesson is right on Collection 1 and that a
    Collection 1 kit carries it (tests/test_science.py and tests/test_mirror.py read it).
    """
    if LIVE:
        api_url = request.getfixturevalue("lesson_api_url")
    else:
        api_url = request.getfixturevalue("collection_1_kit_server").api_url
    folder = tmp_path_factory.mktemp("lesson-run-c1")
    return run_lesson(folder, api_url, COLLECTION_1)
