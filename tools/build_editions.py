"""Build the teaching editions of the lesson notebooks from the single source in notebooks/.

    python -m tools.build_editions [--output build/editions]

- ``learner/``: outputs cleared; each exercise solution replaced by an empty cell with a prompt.
- ``live-coding/``: the text and the exercise prompts; code cells empty except the pre-filled
  ones (tag ``prefilled``: the lesson setup, checkpoints, checks, widgets) and the imports cell
  (tag ``imports``), so learners type along with the instructor what they will reuse.

``typed_lines``, ``longest_run_without_check`` and ``prose_words`` measure an episode's core
path (cells tagged ``optional`` are depth and stay apart), and ``modelled_minutes`` turns them
into the time it takes (``TIME_MODEL``); the instructor guide reports them.

Cell ids are kept, so a solution can be matched back to its source cell. The editions are
built, never edited by hand, and not committed (build/ is ignored).
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
from pathlib import Path

import nbformat

from tools.notebooks import REPOSITORY, SETUP_NOTEBOOK, lesson_notebooks

SOLUTION_TAG = "solution"
#: Cells every edition keeps as they are: learners run them, nobody types them.
KEPT_TAGS = {"prefilled", "imports"}
SOLUTION_PROMPT = "# Exercise: write your solution here\n"
#: Depth beyond the core path ("More: ..." callouts, "Going deeper" sections, optional exercises).
OPTIONAL_TAG = "optional"
#: Headings of the moments where learners try something themselves.
CHECK_HEADINGS = ("### Exercise", "### Check")


def _is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and SOLUTION_TAG in cell.metadata.get("tags", [])


def is_kept(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is kept as it is in every edition (pre-filled cells, imports)."""
    return cell.cell_type == "code" and bool(KEPT_TAGS & set(cell.metadata.get("tags", [])))


def _clear(cell: nbformat.NotebookNode, source: str) -> None:
    cell.source = source
    cell.outputs = []
    cell.execution_count = None
    cell.metadata.pop("tags", None)
    cell.metadata.pop("execution", None)


def learner_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Outputs cleared, solutions replaced by a prompt; everything else as in the source."""
    edition = copy.deepcopy(notebook)
    for cell in edition.cells:
        if cell.cell_type != "code":
            continue
        if _is_solution(cell):
            _clear(cell, SOLUTION_PROMPT)
            cell.metadata["tags"] = ["exercise"]
        else:
            cell.outputs = []
            cell.execution_count = None
    return edition


def live_coding_edition(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Markdown and exercise prompts only; code cells empty except the pre-filled ones."""
    edition = learner_edition(notebook)
    for cell in edition.cells:
        if cell.cell_type == "code" and not is_kept(cell):
            exercise = "exercise" in cell.metadata.get("tags", [])
            _clear(cell, SOLUTION_PROMPT if exercise else "")
            if exercise:
                cell.metadata["tags"] = ["exercise"]
    return edition


def fill_solutions(
    edition: nbformat.NotebookNode, source: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """The learner ``edition`` with each exercise cell given back its source solution."""
    solutions = {cell.id: cell for cell in source.cells if _is_solution(cell)}
    filled = copy.deepcopy(edition)
    for index, cell in enumerate(filled.cells):
        if cell.get("id") in solutions:
            filled.cells[index] = copy.deepcopy(solutions[cell.id])
            filled.cells[index].outputs = []
            filled.cells[index].execution_count = None
    return filled


def is_optional(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` belongs to an optional part of an episode (tag ``optional``)."""
    return OPTIONAL_TAG in cell.metadata.get("tags", [])


def _typed_in(cell: nbformat.NotebookNode) -> int:
    if cell.cell_type != "code" or is_kept(cell) or _is_solution(cell) or is_optional(cell):
        return 0
    return _code_lines(cell)


def _code_lines(cell: nbformat.NotebookNode) -> int:
    return sum(
        1 for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def typed_lines(notebook: nbformat.NotebookNode) -> int:
    """Lines of code a live-coder types on the core path: the cells the live-coding edition
    empties, without exercise solutions (learners write those), optional cells, blank lines and
    comment-only lines."""
    return sum(_typed_in(cell) for cell in notebook.cells)


def is_check(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` opens an exercise or a quick check of the core path: a markdown cell whose
    first line is its heading (a heading further down a cell is not counted)."""
    return (
        cell.cell_type == "markdown"
        and not is_optional(cell)
        and cell.source.lstrip().startswith(CHECK_HEADINGS)
    )


def longest_run_without_check(notebook: nbformat.NotebookNode) -> int:
    """The most typed lines in a row, on the core path, with no exercise or quick check."""
    longest = run = 0
    for cell in notebook.cells:
        if is_check(cell):
            run = 0
        run += _typed_in(cell)
        longest = max(longest, run)
    return longest


def prose_words(notebook: nbformat.NotebookNode) -> int:
    """Words of the core path's text: markdown cells not tagged optional."""
    return sum(
        len(cell.source.split())
        for cell in notebook.cells
        if cell.cell_type == "markdown" and not is_optional(cell)
    )


#: Minutes, for novices: a typed line said, typed and explained; a quick check read, thought
#: about and answered (plus a minute per line of its solution); an exercise takes twice the time
#: to type its solution, plus its debrief. The instructor guide states this model.
TIME_MODEL = {"typed line": 1, "check": 2, "exercise debrief": 3}


def solution_lines(notebook: nbformat.NotebookNode) -> list[tuple[str, int]]:
    """Each check and exercise of the core path (its heading) with its solution's code lines."""
    moments: list[tuple[str, int]] = []
    for cell in notebook.cells:
        if is_optional(cell):
            continue
        if is_check(cell):
            moments.append((cell.source.lstrip().splitlines()[0], 0))
        elif _is_solution(cell) and moments:
            heading, lines = moments[-1]
            moments[-1] = (heading, lines + _code_lines(cell))
    return moments


def modelled_minutes(notebook: nbformat.NotebookNode) -> tuple[int, int]:
    """(teaching, exercises): the core path's minutes by ``TIME_MODEL``, each rounded up to 5.

    Teaching holds the typed lines and the quick checks, exercises the exercises.
    """
    teaching = typed_lines(notebook) * TIME_MODEL["typed line"]
    exercises = 0
    for heading, lines in solution_lines(notebook):
        if heading.startswith("### Check"):
            teaching += TIME_MODEL["check"] + lines * TIME_MODEL["typed line"]
        else:
            exercises += 2 * lines * TIME_MODEL["typed line"] + TIME_MODEL["exercise debrief"]
    return -(-teaching // 5) * 5, -(-exercises // 5) * 5


EDITIONS = {"learner": learner_edition, "live-coding": live_coding_edition}


def build(output: Path) -> list[Path]:
    """Write every edition of every notebook under ``output``; return the written paths."""
    written = []
    for name, make in EDITIONS.items():
        folder = output / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for path in [SETUP_NOTEBOOK, *lesson_notebooks()]:
            edition = make(nbformat.read(path, as_version=4))
            nbformat.validate(edition)
            nbformat.write(edition, folder / path.name)
            written.append(folder / path.name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPOSITORY / "build" / "editions")
    args = parser.parse_args(argv)
    written = build(args.output)
    print(f"{len(written)} notebooks written under {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
