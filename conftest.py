"""Session set-up and fixtures shared by the unit tests (tests/) and the notebooks (nbval).

- Offline (the default): no internet for this process or the notebook kernels, and one
  offline Earth Search server for the whole session, started when first needed.
- Live (``LESSON_LIVE=1``, used by ``make test-live``): the notebooks run against the real
  Earth Search and nothing is blocked.

nbval's notebook cells are not ordinary test functions and get no fixtures, so the server is
started from a collection hook, before the first kernel starts.

Each episode runs once per suite: nbval's run of the notebooks (every output compared with the
stored one) is also the lesson run that the results and science tests read (``lesson_run``).
After an episode's last cell, its science probe runs in nbval's kernel. Run without the
notebooks (``pytest tests/test_science.py``), ``lesson_run`` runs the episodes itself.

With pytest-xdist (``make test`` runs ``-n auto``), the controller generates the catalog once
before the workers start; each worker starts its own server. The notebooks and every test that
reads their run share one worker (``work_unit``), and the tests of one file share one, so
module and session fixtures are made once.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from earth_search_offline.archive.collection1 import COLLECTION_ID as COLLECTION_1_ID
from earth_search_offline.earth_search import LIVE_API_URL
from earth_search_offline.settings import CATALOG_ENV
from earth_search_offline.testing import OfflineServer, copy_metadata

from helpers.checkpoints import LESSON_COLLECTION, SEARCH_RESULTS, ensure_search_results
from helpers.lab import catalog_folder, prepare_catalog
from tools.notebooks import NOTEBOOK_FOLDER, lesson_notebooks
from tools.offline_kernels import ipython_dir_with_startup, offline_environment

REPOSITORY = Path(__file__).resolve().parent
LIVE = os.environ.get("LESSON_LIVE") == "1"
DEFAULT_COLLECTION = LESSON_COLLECTION
COLLECTION_1 = COLLECTION_1_ID
_server: OfflineServer | None = None


def offline_server() -> OfflineServer:
    """The session's offline server (started on first use; its URL goes to STAC_API_URL)."""
    global _server
    if _server is None:
        _server = OfflineServer(prepare_catalog(catalog_folder())).start()
        os.environ.update(offline_environment(_server.api_url))
    return _server


def _is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_xdist_controller(config: pytest.Config) -> bool:
    return not _is_xdist_worker(config) and bool(config.getoption("numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    if LIVE:
        os.environ["IPYTHONDIR"] = str(ipython_dir_with_startup())
        return
    # Proxies that refuse every connection: libcurl (GDAL) and child processes stay offline.
    os.environ.update(offline_environment(api_url="http://127.0.0.1:9/not-started"))
    if _is_xdist_controller(config):
        # Once, before the workers start: they must not generate the same folder at once. With
        # the learners' command, so a fresh clone's `make test` runs it from scratch
        # (tests/test_server.py runs it again on the result: nothing to do).
        command = [sys.executable, "-m", "helpers.lab", "catalog"]
        environment = {**os.environ, CATALOG_ENV: str(catalog_folder())}
        subprocess.run(command, check=True, timeout=600, env=environment)
        # Episode 2's checkpoint from an earlier session names that session's server.
        (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)


def _is_notebook_cell(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb"


#: Test files that read nbval's run (``lesson_run``): they share the notebooks' worker. A file
#: missing here still passes, on another worker that then runs the lesson again itself.
READERS_OF_THE_LESSON_RUN = (
    "tests/test_editions.py",
    "tests/test_figures.py",
    "tests/test_notebook_results.py",
)
COLLECTION_1_PARAMETER = f"[{COLLECTION_1}]"  # test_science.py's ids


def work_unit(nodeid: str) -> str:
    """The tests that must share a worker: one file's, or the lesson run's with its readers."""
    path = nodeid.split("::", 1)[0]
    if path == "tests/test_science.py":
        # Its Collection 1 half reads its own run (lesson_run_c1): free to go elsewhere.
        return "lesson-c1" if COLLECTION_1_PARAMETER in nodeid else "lesson"
    if path.startswith("notebooks/") or path in READERS_OF_THE_LESSON_RUN:
        return "lesson"
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With ``-n``: xdist's scope scheduling, by ``work_unit``.

    (Not ``--dist loadgroup``: on pytest 9.2 its groups are silently ignored,
    pytest-dev/pytest-xdist#1386.)
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class LessonScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return LessonScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The notebooks first: the tests that read their run come after it.
    items.sort(key=lambda item: not _is_notebook_cell(item))
    NBVAL_RUN.last_cells = {
        item.path.name: item for item in items if _is_notebook_cell(item)
    }  # dict keeps each notebook's last cell


def pytest_collection_finish(session: pytest.Session) -> None:
    notebooks = {item.path.name for item in session.items if _is_notebook_cell(item)}
    if notebooks:
        if not _is_xdist_worker(session.config):
            # Episode 2's checkpoint from an earlier session names that session's server.
            (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)
        if not LIVE:
            offline_server()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if LIVE or not _is_notebook_cell(item) or item.path.name[:2] in ("00", "01", "02"):
        return
    if not (NOTEBOOK_FOLDER / SEARCH_RESULTS).is_file():
        # A later episode without episode 2 before it: the checkpoint episode 2 would save.
        with contextlib.redirect_stdout(io.StringIO()):
            ensure_search_results(offline_server().api_url, NOTEBOOK_FOLDER / SEARCH_RESULTS)


class NbvalRun:
    """What nbval's run of the episodes produced: outputs, science facts, failures.

    nbval keeps each cell's outputs on its item (``test_outputs``) and the notebook's kernel on
    the item's parent; both are read here, after each cell has run.
    """

    def __init__(self) -> None:
        self.last_cells: dict[str, pytest.Item] = {}
        self.outputs: dict[str, dict[int, list[Any]]] = {}
        self.executed: dict[str, nbformat.NotebookNode] = {}
        self.science: dict[str, Any] = {}
        self.problems: dict[str, str] = {}

    def record(self, item: Any, failed: bool) -> None:
        name = item.path.name
        self.outputs.setdefault(name, {})[id(item.cell)] = list(item.test_outputs or [])
        if failed:
            self.problems.setdefault(name, f"cell {item.cell_num} failed under nbval")
        if item is self.last_cells.get(name):
            self._finish(item)

    def _finish(self, item: Any) -> None:
        from lesson_science import probe_source, science_facts

        name, number = item.path.name, item.path.name[:2]
        executed = copy.deepcopy(item.parent.nb)
        for cell, source_cell in zip(executed.cells, item.parent.nb.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs = self.outputs[name].get(id(source_cell), [])
        self.executed[number] = executed
        probe = probe_source(number)
        if probe and name not in self.problems:
            try:
                self.science[number] = science_facts(_run_in_kernel(item.parent.kernel, probe))
            except Exception as error:  # reported by the tests that read the facts
                self.problems[name] = f"its science probe failed: {error}"

    def lesson_run(self) -> dict[str, Any] | None:
        """The run as ``lesson_run`` returns it, if nbval ran every episode in this process."""
        names = [path.name for path in lesson_notebooks()]
        if not all(path[:2] in self.executed for path in names):
            return None
        if self.problems:
            pytest.fail(
                "The episodes failed under nbval, so their results cannot be checked: "
                + "; ".join(f"{name}: {problem}" for name, problem in self.problems.items())
            )
        run: dict[str, Any] = {"folder": NOTEBOOK_FOLDER, "science": self.science}
        return {**run, **self.executed, "collection": DEFAULT_COLLECTION}


NBVAL_RUN = NbvalRun()


def _run_in_kernel(kernel: Any, code: str, timeout: float = 300) -> str:
    """Run ``code`` in nbval's running kernel; return what it printed."""
    message_id = kernel.execute_cell_input(code, allow_stdin=False)
    kernel.await_reply(message_id, timeout=timeout)
    printed = []
    while True:
        message = kernel.get_message(stream="iopub", timeout=timeout)
        if message["parent_header"].get("msg_id") != message_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            raise RuntimeError(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(printed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    if not _is_notebook_cell(item) or not item.path.name[:2].isdigit():
        return (yield)
    failed = True
    try:
        result = yield
        failed = False
        return result
    finally:
        NBVAL_RUN.record(item, failed)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if NBVAL_RUN.outputs:
        # The checkpoint this process's notebooks saved names this session's server, which
        # stops now: leave none behind for a learner's next run.
        (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)
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

    It serves a copy of the catalog's metadata; its pixel files are made on first request,
    as in a freshly generated catalog, so the session's server is never disturbed.
    """
    folder = copy_metadata(catalog_folder_path, tmp_path_factory.mktemp("private") / "catalog")
    server = OfflineServer(folder, traffic_stats=True).start()
    yield server
    server.stop()


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
    """The episodes run once, on the default collection.

    Returns the executed notebooks by number ("01".."06"), under "folder" the working folder
    holding the files they saved, and under "science" the numbers each episode's probe read
    from its kernel (``tests/lesson_science.py``). Tests of the editions, of the lesson's
    results and of its science share this one run. It is nbval's run when nbval ran the
    episodes in this process (``make test``; the filled learner edition is the source's code,
    tests/test_editions.py checks), else the learner edition with its solutions filled back in.
    """
    reused = NBVAL_RUN.lesson_run()
    if reused is not None:
        return reused
    return _run_lesson(tmp_path_factory.mktemp("lesson-run"), lesson_api_url, DEFAULT_COLLECTION)


@pytest.fixture(scope="session")
def lesson_run_c1(tmp_path_factory: pytest.TempPathFactory, lesson_api_url: str) -> dict[str, Any]:
    """The same run with ``STAC_COLLECTION=sentinel-2-c1-l2a`` (Collection 1)."""
    folder = tmp_path_factory.mktemp("lesson-run-c1")
    return _run_lesson(folder, lesson_api_url, COLLECTION_1)
