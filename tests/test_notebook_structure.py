"""Every lesson notebook has the lesson's fixed shape (see ../shared/STYLE.md)."""

from __future__ import annotations

import ast
import os
import re

import nbformat
import pytest
from urllib3 import Retry

from helpers.gdal import SETTINGS
from helpers.lesson import MAP_STYLE, MATPLOTLIBRC
from helpers.network import CONNECT_TIMEOUT, READ_TIMEOUT, retry_policy
from tools.build_editions import CHECK_HEADINGS
from tools.notebooks import lesson_notebooks

API_LINE = 'api_url = os.environ.get("STAC_API_URL", "https://earth-search.aws.element84.com/v1")'
#: The collection is the second switch, right under the API's (Collection 1 will replace l2a).
COLLECTION_LINE = 'collection_id = os.environ.get("STAC_COLLECTION", "sentinel-2-l2a")'
NOTEBOOKS = lesson_notebooks()
MAX_CELL_LINES = 15
#: The imports cell lists one import per line (ruff's isort style), so it may run longer.
MAX_IMPORT_LINES = 18
#: The pre-filled setup cell is short enough for a novice to read (issue 28).
MAX_SETUP_LINES = 8
SETUP_SOURCE_NOTEBOOK = nbformat.read(NOTEBOOKS[0], as_version=4)


def test_the_sequence_is_complete() -> None:
    assert [path.name[:2] for path in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    for path in NOTEBOOKS:
        assert re.fullmatch(r"\d\d-[a-z]+(-[a-z]+)+\.ipynb", path.name), path.name


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request: pytest.FixtureRequest) -> nbformat.NotebookNode:
    return nbformat.read(request.param, as_version=4)


def _code(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_fixed_opening(notebook: nbformat.NotebookNode) -> None:
    opening = notebook.cells[0]
    assert opening.cell_type == "markdown"
    assert opening.source.startswith("# ")
    assert sum(line.startswith("# ") for line in opening.source.splitlines()) == 1
    for heading in ("**Questions**", "**What you will learn**", "**Prerequisites**", "**Time**"):
        assert heading in opening.source, heading
    assert re.search(r"teaching \d+ min, exercises \d+ min", opening.source)
    objectives = re.findall(r"^\d\. (\w+)", opening.source, flags=re.MULTILINE)
    assert objectives, "objectives are a numbered list"


def test_fixed_closing(notebook: nbformat.NotebookNode) -> None:
    closing = "\n".join(cell.source for cell in notebook.cells[-3:] if cell.cell_type == "markdown")
    assert "## Key points" in closing and "## What's next" in closing


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def test_the_same_pre_filled_setup_cell_opens_every_episode(
    notebook: nbformat.NotebookNode,
) -> None:
    setup = _code(notebook)[0]
    assert {"prefilled", "lesson-setup"} <= set(_tags(setup))
    assert setup.source == _code(SETUP_SOURCE_NOTEBOOK)[0].source, "identical in every episode"
    assert len(setup.source.splitlines()) <= MAX_SETUP_LINES


def test_imports_cell_second_and_imports_nowhere_else(notebook: nbformat.NotebookNode) -> None:
    _setup, imports, *others = _code(notebook)
    assert "imports" in _tags(imports)
    assert all(
        isinstance(node, ast.Import | ast.ImportFrom) for node in ast.parse(imports.source).body
    )
    assert len(imports.source.splitlines()) <= MAX_IMPORT_LINES, imports.source
    for cell in others:
        if {"prefilled", "optional"} & set(_tags(cell)):
            continue  # a pre-filled cell imports its helper; an optional part stands alone
        tree = ast.parse(cell.source)
        assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


def test_lesson_names_only_in_marked_pre_filled_cells(notebook: nbformat.NotebookNode) -> None:
    """What learners type is plain library code: the lesson's own helpers stay in marked cells."""
    for cell in _code(notebook):
        prefilled = "prefilled" in _tags(cell)
        assert cell.source.startswith("# Pre-filled") == prefilled, cell.source[:80]
        if not prefilled:
            assert "helpers" not in cell.source, cell.source
    lesson_names = {"helpers"} | {
        alias.asname or alias.name
        for cell in _code(notebook)
        for node in ast.walk(ast.parse(cell.source))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers")
        for alias in node.names
    }
    for cell in _code(notebook):
        if "prefilled" not in _tags(cell):
            used = {
                node.id for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Name)
            }
            assert not used & lesson_names, cell.source


def test_short_cells(notebook: nbformat.NotebookNode) -> None:
    for cell in _code(notebook)[2:]:
        assert len(cell.source.splitlines()) <= MAX_CELL_LINES, cell.source


def test_exercises_have_executed_solutions(notebook: nbformat.NotebookNode) -> None:
    cells = notebook.cells
    solutions = [i for i, cell in enumerate(cells) if "solution" in cell.metadata.get("tags", [])]
    assert solutions, "at least one exercise with a worked solution"
    for index in solutions:
        assert cells[index].cell_type == "code" and cells[index].execution_count
        prompt = next(cell for cell in reversed(cells[:index]) if cell.cell_type == "markdown")
        assert any(line.startswith(CHECK_HEADINGS) for line in prompt.source.splitlines()), (
            prompt.source[:60]
        )


def test_api_chosen_by_one_visible_line(notebook: nbformat.NotebookNode) -> None:
    sources = [cell.source for cell in _code(notebook)]
    uses_api = any("api_url" in source for source in sources)
    if uses_api:
        assert sum(API_LINE in source for source in sources) == 1
        assert sum(f"{API_LINE}\n{COLLECTION_LINE}" in source for source in sources) == 1
        # Searches name the collection by that variable only.
        assert '"sentinel-2-l2a"]' not in "\n".join(sources)
    everything = "\n".join(sources)
    assert "get_all_items" not in everything
    # The offline server is chosen by STAC_API_URL only (binding Dask's dashboard there is fine).
    assert not re.search(r"https?://(127\.0\.0\.1|localhost)", everything)


def test_stored_outputs_come_from_one_clean_run(notebook: nbformat.NotebookNode) -> None:
    counts = [cell.execution_count for cell in _code(notebook)]
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom once (make notebooks)"
    for cell in _code(notebook):
        assert not [out for out in cell.outputs if out.output_type == "error"]
        for out in cell.outputs:
            assert out.get("name") != "stderr", f"warning or error text stored: {out.get('text')}"


def _run_setup(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Execute the setup cell; what it changes in pystac-client and matplotlib is undone after."""
    import matplotlib as mpl
    import pystac_client.client

    monkeypatch.setattr(pystac_client.client, "StacApiIO", pystac_client.client.StacApiIO)
    monkeypatch.delenv("MATPLOTLIBRC", raising=False)
    for name in MAP_STYLE:
        monkeypatch.setitem(mpl.rcParams, name, mpl.rcParams[name])
    namespace: dict[str, object] = {}
    exec(_code(SETUP_SOURCE_NOTEBOOK)[0].source, namespace)
    return namespace


def test_setup_cell_sets_the_policies_the_fault_tests_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fault tests use helpers.network and helpers.gdal: after the setup cell, a plain
    ``Client.open(api_url)`` and GDAL must use the same policies."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    monkeypatch.delenv("STAC_API_URL", raising=False)
    monkeypatch.delenv("STAC_COLLECTION", raising=False)
    _run_setup(monkeypatch)
    assert "| collection: sentinel-2-l2a" in capsys.readouterr().out
    assert {setting.name: os.environ[setting.name] for setting in SETTINGS} == {
        setting.name: setting.value for setting in SETTINGS
    }
    import pystac_client.client

    stac_io = pystac_client.client.StacApiIO()  # what Client.open(api_url) builds
    stac_io.update(timeout=None)  # Client.open passes its own timeout=None
    assert stac_io.timeout == (CONNECT_TIMEOUT, READ_TIMEOUT)
    ours, lessons = stac_io.session.get_adapter("https://example.org").max_retries, retry_policy()
    assert isinstance(ours, Retry)
    for attribute in ("total", "connect", "read", "status", "backoff_factor", "allowed_methods",
                      "raise_on_status", "respect_retry_after_header"):  # fmt: skip
        assert getattr(ours, attribute) == getattr(lessons, attribute), attribute
    assert set(ours.status_forcelist) == set(lessons.status_forcelist)


def test_maps_are_in_whole_metres_whether_matplotlib_is_imported_before_or_after() -> None:
    """The setup sets MATPLOTLIBRC for a matplotlib not imported yet, rcParams for one that is:
    both give MAP_STYLE, and the plot's y labels are then whole metres."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from_file = mpl.rc_params_from_file(str(MATPLOTLIBRC), use_default_template=False)
    assert {name: from_file[name] for name in MAP_STYLE} == MAP_STYLE
    with mpl.rc_context(MAP_STYLE):
        figure, axes = plt.subplots()
        axes.plot([629000, 633000], [5804000, 5808000])
        figure.canvas.draw()
        labels = [label.get_text() for label in axes.get_yticklabels()]
        plt.close(figure)
    assert "5806000" in labels and not axes.yaxis.get_offset_text().get_text(), labels


def test_a_value_set_before_jupyter_started_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDAL_HTTP_TIMEOUT", "5")
    _run_setup(monkeypatch)
    assert os.environ["GDAL_HTTP_TIMEOUT"] == "5"
