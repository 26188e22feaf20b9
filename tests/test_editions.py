"""The learner and live-coding editions, built from notebooks/ by tools/build_editions.py."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lesson_testing import COLLECTION_1
from pystac import ItemCollection
from pystac_client import Client

from helpers.places import AMSTERDAM, SEARCH_BUFFER
from tools.build_editions import (
    SOLUTION_PROMPT,
    fill_solutions,
    learner_edition,
    longest_run_without_check,
    modelled_minutes,
    prose_words,
    solution_lines,
    typed_lines,
)
from tools.notebooks import lesson_notebooks, printed_text
from tools.offline_kernels import execute

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = {path.name: nbformat.read(path, as_version=4) for path in lesson_notebooks()}


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("editions")
    result = subprocess.run(
        [sys.executable, "-m", "tools.build_editions", "--output", str(output)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return output


def _read(editions: Path, edition: str, name: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(editions / edition / name, as_version=4)
    nbformat.validate(notebook)
    return notebook


def _solutions(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if "solution" in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("name", SOURCES)
def test_learner_edition_has_no_solution_code_and_no_outputs(editions: Path, name: str) -> None:
    source, learner = SOURCES[name], _read(editions, "learner", name)
    assert len(learner.cells) == len(source.cells)
    assert not _solutions(learner)
    learner_code = "\n".join(cell.source for cell in learner.cells if cell.cell_type == "code")
    taught = "\n".join(
        cell.source
        for cell in source.cells
        if cell.cell_type == "code" and cell not in _solutions(source)
    )
    for solution in _solutions(source):
        distinctive = [line for line in solution.source.splitlines() if line.strip() not in taught]
        assert distinctive, "a solution adds code of its own"
        for line in distinctive:
            assert line.strip() not in learner_code, line
        prompt = next(cell for cell in learner.cells if cell.id == solution.id)
        assert prompt.source == SOLUTION_PROMPT.strip() or prompt.source == SOLUTION_PROMPT
    for cell in learner.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    markdown = [cell.source for cell in source.cells if cell.cell_type == "markdown"]
    assert [cell.source for cell in learner.cells if cell.cell_type == "markdown"] == markdown


@pytest.mark.parametrize("name", SOURCES)
def test_live_coding_edition_keeps_text_and_pre_filled_cells_only(
    editions: Path, name: str
) -> None:
    source, live = SOURCES[name], _read(editions, "live-coding", name)
    code = [cell for cell in live.cells if cell.cell_type == "code"]
    source_code = {cell.id: cell for cell in source.cells if cell.cell_type == "code"}
    exercise_ids = {cell.id for cell in _solutions(source)}
    kept = [cell for cell in code if set(cell.metadata.get("tags", [])) & {"prefilled", "imports"}]
    assert kept[0].source.startswith("# Pre-filled lesson setup"), "the setup cell stays"
    assert "imports" in kept[1].metadata["tags"], "the imports cell stays"
    for cell in code:
        if cell in kept:
            assert cell.source == source_code[cell.id].source
            assert cell.outputs == []
        else:
            expected = SOLUTION_PROMPT.strip() if cell.id in exercise_ids else ""
            assert cell.source.strip() == expected
    markdown = [cell.source for cell in source.cells if cell.cell_type == "markdown"]
    assert [cell.source for cell in live.cells if cell.cell_type == "markdown"] == markdown


def test_typed_lines_count_what_the_live_coding_edition_empties(editions: Path) -> None:
    """Counted independently: source lines of the cells the edition empties, minus solutions."""
    for name, source in SOURCES.items():
        live = {cell.id: cell for cell in _read(editions, "live-coding", name).cells}
        solutions = {cell.id for cell in _solutions(source)}
        emptied = [
            cell
            for cell in source.cells
            if cell.cell_type == "code"
            and cell.id not in solutions
            and "optional" not in cell.metadata.get("tags", [])
            and live[cell.id].source != cell.source
        ]
        code_lines = [
            line
            for cell in emptied
            for line in cell.source.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert typed_lines(source) == len(code_lines), name
        assert not [line for line in code_lines if "helpers" in line], "lesson-only names typed"


def _cell(kind: str, source: str, *tags: str) -> nbformat.NotebookNode:
    cell = (
        nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
    )
    cell.metadata["tags"] = list(tags)
    return cell


def test_core_counters_leave_optional_parts_and_solutions_apart() -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        _cell("md", "# Title\n\nFive words of text here."),  # 7 words
        _cell("code", "a = 1\nb = 2\n\n# a comment\nc = 3"),  # 3 typed
        _cell("code", "# Pre-filled check\nprint(a)", "prefilled"),  # kept: 0
        _cell("md", "### Check: predict\n\nWhat is c? Some text."),  # 8 words, a check
        _cell("code", "print(c)", "solution"),  # learners write it: 0
        _cell("code", "d = 4\ne = 5"),  # 2 typed
        _cell("md", "## Going deeper\n\n### Exercise: more", "optional"),  # no check, no words
        _cell("code", "f = 6\ng = 7\nh = 8", "optional"),  # optional: 0
        _cell("code", "i = 9"),  # 1 typed
    ]
    assert typed_lines(notebook) == 3 + 2 + 1
    assert longest_run_without_check(notebook) == 3  # 2 + 1 after the check, 3 before it
    notebook.cells[3].source = "Some text.\n\n### Check: predict\n\nWhat is c?"  # not its cell's
    assert longest_run_without_check(notebook) == 6  # opening line: not counted as a check
    notebook.cells[3].source = "### Check: predict\n\nWhat is c? Some text."
    assert prose_words(notebook) == 7 + 8
    # 6 typed, a check (2 minutes) with 1 line: 9, to 10; no core exercise: 0
    assert modelled_minutes(notebook) == (10, 0)
    notebook.cells.insert(-1, _cell("md", "### Exercise: count\n\nCount to three."))
    notebook.cells.insert(-1, _cell("code", "for n in range(3):\n    print(n)", "solution"))
    assert solution_lines(notebook) == [("### Check: predict", 1), ("### Exercise: count", 2)]
    assert modelled_minutes(notebook) == (10, 10)  # twice 2 lines and a 3-minute debrief: 7


CORE = [name for name in SOURCES if name[:2] in {"01", "02", "03", "04", "05"}]


def test_the_core_path_fits_its_time() -> None:
    """Issue 28: at most 100 typed lines in episodes 1-5, never more than 15 without a check, at
    most 3,200 words of text on the core path."""
    assert len(CORE) == 5
    assert sum(typed_lines(SOURCES[name]) for name in CORE) <= 100
    assert sum(prose_words(SOURCES[name]) for name in CORE) <= 3200
    for name in CORE:
        assert longest_run_without_check(SOURCES[name]) <= 15, name


@pytest.mark.parametrize("name", CORE)
def test_each_episode_states_the_time_its_model_gives(name: str) -> None:
    """The times a core episode states are the time model's (``TIME_MODEL``), never less."""
    stated = re.search(r"teaching (\d+) min, exercises (\d+) min", SOURCES[name].cells[0].source)
    assert stated, name
    assert tuple(int(minutes) for minutes in stated.groups()) == modelled_minutes(SOURCES[name])


@pytest.mark.parametrize("name", CORE)
def test_every_check_and_exercise_heading_opens_its_cell(name: str) -> None:
    """Counted as a check only there: a heading further down a cell would go uncounted."""
    for cell in SOURCES[name].cells:
        if cell.cell_type != "markdown":
            continue
        later = [line for line in cell.source.strip().splitlines()[1:]
                 if line.startswith(("### Check", "### Exercise"))]  # fmt: skip
        assert later == [], f"{name}: {later}"


def test_every_cell_of_a_going_deeper_part_is_optional() -> None:
    for name, source in SOURCES.items():
        deeper = [i for i, cell in enumerate(source.cells) if "## Going deeper" in cell.source]
        if not deeper:
            continue
        closing = next(
            i for i, cell in enumerate(source.cells) if cell.source.startswith("## Key points")
        )
        part = source.cells[deeper[0] : closing]
        assert all("optional" in cell.metadata.get("tags", []) for cell in part), name


def _sanitizer() -> list[tuple[re.Pattern[str], str]]:
    config = configparser.ConfigParser()
    config.read(REPOSITORY / "tests" / "nbval-sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def _text_outputs(notebook: nbformat.NotebookNode) -> list[list[str]]:
    patterns = _sanitizer()

    def clean(text: str) -> str:
        for pattern, replacement in patterns:
            text = pattern.sub(replacement, text)
        return text

    outputs = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                texts.append(clean(output.text))
            elif "data" in output:
                texts.append(clean(output.data.get("text/plain", "")))
        outputs.append(["".join(t for t in texts if t)])
    return outputs


@pytest.mark.parametrize("name", SOURCES)
def test_filled_learner_edition_is_the_source_code(name: str) -> None:
    """So one run of the source (nbval's) also tests the edition learners fill in."""
    source = SOURCES[name]
    filled = fill_solutions(learner_edition(source), source)
    assert [(cell.cell_type, cell.get("id"), cell.source) for cell in filled.cells] == [
        (cell.cell_type, cell.get("id"), cell.source) for cell in source.cells
    ]


@pytest.mark.parametrize("name", SOURCES)
def test_filled_learner_edition_reproduces_the_source_outputs(
    lesson_run: dict[str, Any], name: str
) -> None:
    assert _text_outputs(lesson_run[name[:2]]) == _text_outputs(SOURCES[name])


def _run_episodes_2_to_5(editions: Path, folder: Path, env: dict[str, str]) -> None:
    """Run episodes 2-5 of the learner edition as built (every exercise empty) in ``folder``."""
    printed = ""
    for name in ("02-search-items", "03-inspect-metadata", "04-access-assets",
                 "05-clip-compute-save"):  # fmt: skip
        printed += printed_text(execute(editions / "learner" / f"{name}.ipynb", folder, env))
    assert "repeating episode 2's search" not in printed, "episode 2 saved the wrong scenes"


def test_learner_edition_runs_with_every_exercise_left_empty(
    editions: Path, tmp_path: Path, api_url: str, lesson_run: dict[str, Any]
) -> None:
    """A learner who skips every exercise still saves, and goes on from, the lesson's scenes."""
    env = {"STAC_API_URL": api_url, "IPYTHONDIR": os.environ["IPYTHONDIR"]}
    _run_episodes_2_to_5(editions, tmp_path, env)
    saved = ItemCollection.from_file(str(tmp_path / "search_results.json"))
    expected = ItemCollection.from_file(str(lesson_run["folder"] / "search_results.json"))
    assert [item.id for item in saved] == [item.id for item in expected]


def test_learner_edition_with_every_exercise_left_empty_on_collection_1(
    editions: Path, tmp_path: Path, api_url: str
) -> None:
    """Episode 1 invites learners to switch: the empty edition saves Collection 1's scenes too.

    The scenes expected are found here with pystac-client alone: episode 2's search (2021, under
    5 % cloud, 0.05 degrees around Amsterdam), the items with a red band.
    Collection 1 holds each acquisition once, so nothing else is removed.
    """
    env = {"STAC_API_URL": api_url, "STAC_COLLECTION": COLLECTION_1,
           "IPYTHONDIR": os.environ["IPYTHONDIR"]}  # fmt: skip
    _run_episodes_2_to_5(editions, tmp_path, env)
    (longitude, latitude), buffer = AMSTERDAM, SEARCH_BUFFER
    found = Client.open(api_url).search(
        collections=[COLLECTION_1], datetime="2021", query={"eo:cloud_cover": {"lt": 5}},
        bbox=[longitude - buffer, latitude - buffer, longitude + buffer, latitude + buffer],
    ).item_collection()  # fmt: skip
    with_red = [item for item in found if "red" in item.assets]
    acquisitions = {(item.properties["grid:code"], item.datetime) for item in with_red}
    assert len(acquisitions) == len(with_red) >= 5
    saved = ItemCollection.from_file(str(tmp_path / "search_results.json"))
    assert sorted(item.id for item in saved) == sorted(item.id for item in with_red)
    dates = [item.datetime for item in saved]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert all(item.collection_id == COLLECTION_1 for item in saved)
    assert (tmp_path / "ndvi_amsterdam.tif").is_file()
