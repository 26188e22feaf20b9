"""Figures are compared by their pixels, not only the text around them (``tools.figures``).

First the check itself: it accepts the same plot drawn without antialiasing (the kind of
difference another FreeType or matplotlib build makes) and refuses a blank, a shifted and a
rescaled plot, on a plot drawn here and on the lesson's own stored figures. Then every stored
figure of every episode against the same figure of this session's run of the notebooks.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import matplotlib
import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from tools.figures import compare, grey_levels
from tools.notebooks import lesson_notebooks

matplotlib.use("Agg")
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def figures_of(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(cell index, base64 PNG) of every figure a notebook's code cells show."""
    return [
        (index, output["data"]["image/png"])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]


def lesson_like_plot(antialiased: bool = True, dpi: int = 100) -> bytes:
    """A raster with a colour bar, a line and text, as in episodes 5 and 6."""
    rng = np.random.default_rng(7)
    field = np.cumsum(np.cumsum(rng.normal(size=(80, 80)), axis=0), axis=1)
    figure = Figure(figsize=(5, 4), dpi=dpi)
    ax = figure.subplots()
    image = ax.imshow(field, cmap="RdYlGn")
    figure.colorbar(image, ax=ax)
    ax.plot([5, 70], [10, 60], color="black", antialiased=antialiased)
    ax.set_title("NDVI, 18 August 2021", antialiased=antialiased)
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        label.set_antialiased(antialiased)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def png_of(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def blank_like(png: bytes | str) -> bytes:
    return png_of(Image.new("L", grey_levels(png).size, 255))


def shifted(png: bytes | str, pixels: int) -> bytes:
    """The same picture moved right and down by ``pixels``, white where it left."""
    image = grey_levels(png)
    moved = Image.new("L", image.size, 255)
    moved.paste(image, (pixels, pixels))
    return png_of(moved)


def test_the_same_plot_drawn_again_matches_even_without_antialiasing() -> None:
    reference = lesson_like_plot()
    assert compare(reference, lesson_like_plot()).changed_share == 0
    rough = compare(reference, lesson_like_plot(antialiased=False))
    assert rough.matches, rough


def test_a_blank_a_shifted_and_a_rescaled_plot_do_not_match() -> None:
    reference = lesson_like_plot()
    for wrong in (blank_like(reference), shifted(reference, 3), lesson_like_plot(dpi=80)):
        difference = compare(reference, wrong)
        assert not difference.matches, difference
    assert "size" in str(compare(reference, lesson_like_plot(dpi=80)))


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda path: path.stem)
def test_the_check_refuses_a_blank_or_shifted_copy_of_each_stored_figure(path: Path) -> None:
    for index, png in figures_of(nbformat.read(path, as_version=4)):
        for wrong in (blank_like(png), shifted(png, 3)):
            difference = compare(png, wrong)
            assert not difference.matches, f"{path.name} cell {index}: {difference}"


@pytest.mark.parametrize("path", lesson_notebooks(), ids=lambda path: path.stem)
def test_stored_figures_match_this_sessions_run(path: Path, lesson_run: dict[str, Any]) -> None:
    stored = figures_of(nbformat.read(path, as_version=4))
    fresh = figures_of(lesson_run[path.name[:2]])
    assert [index for index, _ in fresh] == [index for index, _ in stored], (
        "the run shows figures in other cells than the stored notebook"
    )
    for (index, expected), (_, actual) in zip(stored, fresh, strict=True):
        difference = compare(expected, actual)
        assert difference.matches, (
            f"{path.name} cell {index}: {difference}. If the change is intended, "
            "regenerate the stored outputs with `make notebooks`."
        )
