"""The core path still answers every question and meets every objective and key point of the
source lesson (issue 28): each maps to the section of episodes 1-5 that covers it.

The source is the Carpentries incubator episode "Access satellite imagery using Python"
(written for Earth Search v0); its questions, objectives and key points are quoted here, so the
suite reads nothing outside the repository.
"""

from __future__ import annotations

import nbformat
import pytest

from tools.build_editions import is_optional
from tools.notebooks import lesson_notebooks

#: Source lesson item -> (episode number, heading of the core section that covers it).
COVERAGE = {
    # questions
    "Where can I find open satellite data?": ("01", "## Choose the API"),
    "How do I query a STAC API using metadata filters?": (
        "02", "## Filter by place, time and cloud cover"),
    "How do I fetch remote raster datasets using Python?": ("04", "## Open the true-colour image"),
    # objectives
    "Search public repositories of satellite imagery using Python.": ("02", "## Search"),
    "Inspect the search result metadata.": ("03", "## Date, footprint and properties"),
    "Download (a subset of) the assets available for a satellite scene.": ("05", "## Clip a box"),
    "Open the satellite imagery as raster data and setup some raster calculations.": (
        "05", "## NDVI"),
    "Save the processed satellite data to disk.": ("05", "## Save the result"),
    # key points
    "Accessing satellite images via the providers' API enables a more reliable and scalable "
    "data retrieval.": ("01", "## Too much data for a download button"),
    "STAC catalogs can be browsed and searched using the same tools and scripts.": (
        "01", "## Collections"),
    "`rioxarry` also allows you to open and download remote raster files.": (
        "04", "## Open the true-colour image"),
}  # fmt: skip
NOTEBOOKS = {path.name[:2]: nbformat.read(path, as_version=4) for path in lesson_notebooks()}


def _core_headings(number: str) -> set[str]:
    return {
        line.strip()
        for cell in NOTEBOOKS[number].cells
        if cell.cell_type == "markdown" and not is_optional(cell)
        for line in cell.source.splitlines()
        if line.startswith("#")
    }


def test_every_source_item_is_mapped() -> None:
    assert len(COVERAGE) == 3 + 5 + 3  # the source's questions, objectives and key points


@pytest.mark.parametrize("item", COVERAGE)
def test_the_core_path_covers_it(item: str) -> None:
    number, heading = COVERAGE[item]
    assert number in {"01", "02", "03", "04", "05"}
    assert heading in _core_headings(number), f"{item!r}: no core section {heading!r} in {number}"


def test_the_source_questions_open_their_episodes() -> None:
    for item, (number, _heading) in list(COVERAGE.items())[:3]:
        assert f"- {item}" in NOTEBOOKS[number].cells[0].source, item
