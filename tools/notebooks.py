"""Where the lesson's notebooks are, in teaching order, and what an executed one printed.

Used by the editions, the site, ``make notebooks``, the benchmarks and the tests. Reading
notebooks needs nbformat only (a runtime dependency: Binder builds the editions with it).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOK_FOLDER = REPOSITORY / "notebooks"
SETUP_NOTEBOOK = NOTEBOOK_FOLDER / "00-setup.ipynb"


def lesson_notebooks(folder: Path = NOTEBOOK_FOLDER) -> list[Path]:
    """The lesson's episodes (``NN-verb-object.ipynb`` from 01 on), in teaching order.

    ``00-setup.ipynb``, the setup check, is not an episode.
    """
    return sorted(path for path in folder.glob("[0-9][0-9]-*.ipynb") if path.name[:2] != "00")


def printed_text(notebook: nbformat.NotebookNode) -> str:
    """Everything an executed notebook's code cells printed (stream outputs), in order."""
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
