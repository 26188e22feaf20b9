"""Which tests share a pytest-xdist worker (``make test`` runs ``-n auto``).

The notebooks and every test that reads their run share one worker (``work_unit``), and the
tests of one file share one, so module and session fixtures are made once. The notebooks run
first: the tests that read their run come after it.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import COLLECTION_1

#: Test files that read nbval's run (``lesson_run``): they share the notebooks' worker. A file
#: missing here still passes, on another worker that then runs the lesson again itself.
READERS_OF_THE_LESSON_RUN = (
    "tests/test_editions.py",
    "tests/test_figures.py",
    "tests/test_notebook_results.py",
)
COLLECTION_1_PARAMETER = f"[{COLLECTION_1}]"  # test_science.py's ids
#: The tests that read the Collection 1 run (``lesson_run_c1``) besides test_science.py's half.
READERS_OF_THE_COLLECTION_1_RUN = (
    "tests/test_mirror.py::test_a_collection_1_kit_runs_the_lesson_right",
)


def is_notebook_cell(item: pytest.Item) -> bool:
    return item.path.suffix == ".ipynb"


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def is_xdist_controller(config: pytest.Config) -> bool:
    return not is_xdist_worker(config) and bool(config.getoption("numprocesses", None))


def work_unit(nodeid: str) -> str:
    """The tests that must share a worker: one file's, or the lesson run's with its readers."""
    path = nodeid.split("::", 1)[0]
    if nodeid.split("[", 1)[0] in READERS_OF_THE_COLLECTION_1_RUN:
        return "lesson-c1"
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
    items.sort(key=lambda item: not is_notebook_cell(item))
