"""What nbval's run of the episodes produced: outputs, science facts, failures.

nbval keeps each cell's outputs on its item (``test_outputs``) and the notebook's kernel on the
item's parent; both are read here, after each cell has run. After an episode's last cell, its
science probe (``tests/lesson_science.py``) runs in nbval's kernel.
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat
import pytest

from helpers.checkpoints import SEARCH_RESULTS
from tools.notebooks import NOTEBOOK_FOLDER, lesson_notebooks

from .scheduling import is_notebook_cell


class NbvalRun:
    """The executed episodes, cell outputs and science facts of nbval's run in this process."""

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
                self.science[number] = science_facts(run_in_kernel(item.parent.kernel, probe))
            except Exception as error:  # reported by the tests that read the facts
                self.problems[name] = f"its science probe failed: {error}"

    def lesson_run(self, collection: str) -> dict[str, Any] | None:
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
        return {**run, **self.executed, "collection": collection}


NBVAL_RUN = NbvalRun()


def run_in_kernel(kernel: Any, code: str, timeout: float = 300) -> str:
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """After the notebooks were sorted first: each notebook's last cell (a dict keeps the last)."""
    NBVAL_RUN.last_cells = {item.path.name: item for item in items if is_notebook_cell(item)}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    if not is_notebook_cell(item) or not item.path.name[:2].isdigit():
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
