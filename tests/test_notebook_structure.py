"""Every lesson notebook has the lesson's fixed shape (see ../shared/STYLE.md)."""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from tools.notebooks import lesson_notebooks

API_LINE = 'api_url = os.environ.get("STAC_API_URL", "https://earth-search.aws.element84.com/v1")'
#: The collection is the second switch, right under the API's (Collection 1 will replace l2a).
COLLECTION_LINE = 'collection_id = os.environ.get("STAC_COLLECTION", "sentinel-2-l2a")'
NOTEBOOKS = lesson_notebooks()
MAX_CELL_LINES = 15
#: The imports cell lists one import per line (ruff's isort style), so it may run longer.
MAX_IMPORT_LINES = 18


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


def test_one_imports_cell_first(notebook: nbformat.NotebookNode) -> None:
    code_cells = _code(notebook)
    first = ast.parse(code_cells[0].source)
    assert all(isinstance(node, ast.Import | ast.ImportFrom) for node in first.body)
    for cell in code_cells[1:]:
        tree = ast.parse(cell.source)
        assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))


def test_short_cells(notebook: nbformat.NotebookNode) -> None:
    imports, *others = _code(notebook)
    assert len(imports.source.splitlines()) <= MAX_IMPORT_LINES, imports.source
    for cell in others:
        assert len(cell.source.splitlines()) <= MAX_CELL_LINES, cell.source


def test_exercises_have_executed_solutions(notebook: nbformat.NotebookNode) -> None:
    cells = notebook.cells
    solutions = [i for i, cell in enumerate(cells) if "solution" in cell.metadata.get("tags", [])]
    assert solutions, "at least one exercise with a worked solution"
    for index in solutions:
        assert cells[index].cell_type == "code" and cells[index].execution_count
        prompt = next(cell for cell in reversed(cells[:index]) if cell.cell_type == "markdown")
        assert prompt.source.startswith("### Exercise"), prompt.source[:60]


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
