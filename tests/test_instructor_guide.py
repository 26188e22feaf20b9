"""The instructor guide names only things that exist, and its facts match the lesson."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import nbformat
import pytest
import rioxarray
from pystac_client import Client
from rasterio.enums import Resampling
from shapely.geometry import Point

from helpers.checks import LessonInputError, check_water_reflectance
from helpers.friendly import explain
from helpers.network import retrying_io
from helpers.places import AMSTERDAM, CLIP_BOX_KWARGS, DATACUBE_BBOX, swapped
from tools.build_editions import longest_run_without_check, prose_words, typed_lines
from tools.notebooks import NOTEBOOK_FOLDER, SETUP_NOTEBOOK, lesson_notebooks, printed_text

REPOSITORY = Path(__file__).resolve().parents[1]
GUIDE = (REPOSITORY / "instructors" / "guide.md").read_text()
#: The organisers' page (servers, kits, Collection 1): its names are checked as the guide's.
ORGANISING = (REPOSITORY / "instructors" / "organising.md").read_text()
BUILT = ("build/", "data/offline-kit/")  # made by make editions/site/kit, not committed
#: Written by the notebooks, and (the record) by `make test-live`: named, never committed here.
WRITTEN_LATER = {"search_results.json", "ndvi_amsterdam.tif", "ndvi_monthly_2021.tif",
                 "helpers/live_check.json"}  # fmt: skip


def test_named_notebooks_and_files_exist() -> None:
    paths = set(re.findall(r"`([\w./-]+\.(?:ipynb|py|md|json|tif|html))`", GUIDE + ORGANISING))
    assert paths
    for path in paths:
        if path.startswith(BUILT) or path in WRITTEN_LATER:
            continue
        assert (REPOSITORY / path).exists(), path
    for notebook in [SETUP_NOTEBOOK, *lesson_notebooks()]:
        assert f"notebooks/{notebook.name}" in GUIDE, f"the guide covers {notebook.name}"


def test_named_commands_exist() -> None:
    makefile = (REPOSITORY / "Makefile").read_text()
    for target in set(re.findall(r"make ([a-z-]+)", GUIDE + ORGANISING)):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"make {target}"
    for module in set(re.findall(r"python -m ([\w.]+)", GUIDE + ORGANISING)):
        result = subprocess.run(
            [sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"python -m {module}: {result.stderr[-500:]}"


def test_built_paths_are_what_the_tools_write() -> None:
    from tools.build_editions import EDITIONS, SOLUTION_PROMPT

    for edition in EDITIONS:
        assert f"build/editions/{edition}/" in GUIDE
    assert SOLUTION_PROMPT.strip() in GUIDE
    assert "build/book/_build/html/index.html" in GUIDE


def _minutes(text: str) -> int:
    hours, minutes = re.fullmatch(r"(\d+) h\s+(\d+) min", text).groups()
    return 60 * int(hours) + int(minutes)


def test_timings_and_typed_lines_match_the_notebooks() -> None:
    total = 0
    for path in lesson_notebooks():
        notebook = nbformat.read(path, as_version=4)
        teaching, exercises = re.search(
            r"teaching (\d+) min, exercises (\d+) min", notebook.cells[0].source
        ).groups()
        row = next(line for line in GUIDE.splitlines() if f"`notebooks/{path.name}`" in line)
        counts = f"{typed_lines(notebook)} | {longest_run_without_check(notebook)} | "
        counts += f"{prose_words(notebook)} |"
        assert f"| {teaching} min | {exercises} min | {counts}" in row, row
        if "optional" not in row:
            total += int(teaching) + int(exercises)
    setup_row = next(line for line in GUIDE.splitlines() if "`notebooks/00-setup.ipynb`" in line)
    setup = int(re.search(r"\| (\d+) min \| 0 min \|", setup_row).group(1))
    stated = re.search(
        r"Five episodes and a setup check, (\d+ h\s+\d+ min) with the exercises \(setup (\d+) "
        r"min, episodes 1-5 (\d+ h\s+\d+ min)\)",
        GUIDE,
    )
    assert stated, "the guide states the total time"
    assert _minutes(stated.group(3)) == total
    assert int(stated.group(2)) == setup
    assert _minutes(stated.group(1)) == total + setup
    readme = (REPOSITORY / "README.md").read_text()
    stated_in_readme = re.search(r"Five episodes, (\d+ h\s+\d+ min) with the exercises", readme)
    assert stated_in_readme and _minutes(stated_in_readme.group(1)) == total
    numbered = [
        re.search(r"\*Episode (\d) of (\d) of", nbformat.read(path, as_version=4).cells[0].source)
        for path in lesson_notebooks()
    ]
    counts = {int(match.group(2)) for match in numbered if match}
    assert counts == {len([match for match in numbered if match])} == {5}, "Five episodes"


def test_the_day_adds_up() -> None:
    """The schedule's start times follow from its minutes; each episode gets the model's time."""
    rows = re.findall(r"^\| (\d+):(\d\d) \| ([^|]+?) \|\s*(\d*)\s*\|$", GUIDE, flags=re.MULTILINE)
    assert rows and rows[-1][2] == "End"
    starts = [60 * int(hours) + int(minutes) for hours, minutes, _, _ in rows]
    assert starts[0] == 0
    for start, row, next_start in zip(starts, rows, starts[1:], strict=False):
        assert start + int(row[3]) == next_start, row
    for path in lesson_notebooks()[:5]:
        stated = re.search(r"teaching (\d+) min, exercises (\d+) min", _opening(path)).groups()
        number = int(path.name[:2])
        slot = next(row for row in rows if row[2].startswith(f"Episode {number}:"))
        assert int(slot[3]) == sum(int(minutes) for minutes in stated), slot
    assert any("Break" in row[2] for row in rows[:5]) and any("Buffer" in row[2] for row in rows)


def _opening(path: Path) -> str:
    return nbformat.read(path, as_version=4).cells[0].source


def test_expected_answers_are_the_stored_outputs() -> None:
    """Each number or id the script gives as an expected answer is in its episode's outputs."""
    sections = re.split(r"^### Episode (\d): .*$", GUIDE, flags=re.MULTILINE)[1:]
    assert len(sections) == 2 * 5
    for number, section in zip(sections[::2], sections[1::2], strict=True):
        answers = section.split("**Expected answers offline**", 1)[1].split("\n## ", 1)[0]
        path = next(path for path in lesson_notebooks() if path.name.startswith(f"0{number}"))
        printed = printed_text(nbformat.read(path, as_version=4))
        stored = " ".join(printed.split())  # a quote may wrap across lines
        quoted = [" ".join(text.split()) for text in re.findall(r"`([^`]+)`", answers)
                  if re.search(r"\d", text)]  # fmt: skip
        assert len(quoted) >= 5, number
        missing = [text for text in quoted if text not in stored]
        assert missing == [], f"episode {number}: not in {path.name}'s outputs"


@pytest.fixture(scope="module")
def client(api_url: str) -> Client:
    return Client.open(api_url)


def _guide_row(mistake_start: str) -> str:
    return next(line for line in GUIDE.splitlines() if line.startswith(f"| {mistake_start}"))


def _explanation_is_quoted(action: Any, row_start: str, namespace: dict[str, Any]) -> None:
    with pytest.raises(Exception) as caught:
        action()
    message = explain(caught.value, namespace)
    assert message, f"no explanation for {caught.value!r}"
    assert f"`{message}`" in _guide_row(row_start), message


def test_described_mistakes_behave_as_the_guide_says(client: Client) -> None:
    search = client.search(collections=["sentinel-2-l2a"], intersects=Point(*swapped(AMSTERDAM)))
    assert search.matched() == 0
    items = search.item_collection()
    _explanation_is_quoted(lambda: items[0], "Latitude and longitude", {"search": search})
    _explanation_is_quoted(
        lambda: client.search(collections=["sentinel-s2-l2a-cogs"]).matched(),
        "The old v0 collection",
        {},
    )
    item = next(client.search(collections=["sentinel-2-l2a"], max_items=1).items())
    _explanation_is_quoted(lambda: item.assets["B04"], "v0 asset keys", {})
    _explanation_is_quoted(
        lambda: client.search(collections=["sentinel-2-l2a"], query="eo:cloud_cover<5").matched(),
        "`query=",
        {},
    )
    _explanation_is_quoted(
        lambda: client.search(collections=["sentinel-2-l2a"], datetime="12/31/2021").matched(),
        "A date like",
        {},
    )
    visual = rioxarray.open_rasterio(item.assets["visual"].href)
    _explanation_is_quoted(
        lambda: visual.rio.clip_box(minx=4.85, miny=52.32, maxx=4.95, maxy=52.42),
        "Clip box in degrees",
        {},
    )
    in_episode_3 = {"__session__": str(NOTEBOOK_FOLDER / "03-inspect-metadata.ipynb")}
    _explanation_is_quoted(lambda: eval("items[0]", {}), "Cells run out of order", in_episode_3)
    _explanation_is_quoted(
        lambda: Client.open("http://127.0.0.1:9/v1", stac_io=retrying_io(retries=1)),
        "The network is down",
        {"api_url": "https://earth-search.aws.element84.com/v1"},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.search(collections=["sentinel-2-l2a"], max_items=1).get_all_items()
    assert any(issubclass(w.category, DeprecationWarning | FutureWarning) for w in caught)


def test_exercise_mistakes_behave_as_the_guide_says(client: Client) -> None:
    """The mistakes novices made trying the exercises (issue 28), in episodes 4 and 5."""
    namespace = {"client": client, "collection_id": "sentinel-2-l2a"}
    _explanation_is_quoted(
        lambda: client.search("sentinel-2-l2a"), "A search written with a value", namespace
    )
    item = next(client.search(ids=["S2B_31UFU_20210818_1_L2A"]).items())
    scl = rioxarray.open_rasterio(item.assets["scl"].href, overview_level=1)
    _explanation_is_quoted(lambda: scl.plot.imshow(), "A one-band image", {})
    _explanation_is_quoted(
        lambda: rioxarray.open_rasterio(item.assets["visual"].href, overview_level=3),
        "An overview level the file lacks",
        {},
    )
    episode_5 = NOTEBOOK_FOLDER / "05-clip-compute-save.ipynb"
    code = [cell.source for cell in nbformat.read(episode_5, as_version=4).cells
            if cell.cell_type == "code"]  # fmt: skip
    running = next(source for source in code if "clip_box(**box_utm)" in source)
    in_episode_5 = {"__session__": str(episode_5), "_ih": ["", running], "Client": Client}
    _explanation_is_quoted(lambda: eval("Point(4.90, 52.37)", {}), "A library name", in_episode_5)
    _explanation_is_quoted(lambda: eval("client.search()", {}), "A name the notebook", in_episode_5)


def test_described_episode_6_mistakes_behave_as_the_guide_says(client: Client) -> None:
    import odc.stac
    from dask.distributed import Client as DaskClient

    bbox = DATACUBE_BBOX
    items = client.search(collections=["sentinel-2-l2a"], bbox=bbox, max_items=1)
    scenes = items.item_collection()
    _explanation_is_quoted(
        lambda: odc.stac.load(scenes, bands=["B04", "B08"], chunks={}), "Episode 6: v0 band", {}
    )
    _explanation_is_quoted(
        lambda: DaskClient("tcp://127.0.0.1:8786", timeout=1), "Episode 6: `DASK_SCHEDULER", {}
    )


def test_missing_checkpoint_message_is_quoted_exactly(api_url: str, tmp_path: Path) -> None:
    from helpers.checkpoints import ensure_search_results

    code = f"from helpers.checkpoints import ensure_search_results as e; e({api_url!r})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert f"`{first_line}`" in _guide_row("Episode 3, 4 or 5 started")
    assert callable(ensure_search_results)


def test_the_offset_mistake_says_what_the_guide_quotes(client: Client) -> None:
    """The declared -0.1 on a harmonised 2022 scene: water below zero, caught by the check."""
    item = next(client.search(ids=["S2A_31UFU_20220825_0_L2A"]).items())
    assert item.properties["earthsearch:boa_offset_applied"] is True
    box_utm = CLIP_BOX_KWARGS

    def read_clip(key: str) -> Any:
        data = rioxarray.open_rasterio(item.assets[key].href, masked=True)
        return data.rio.clip_box(**box_utm).squeeze()

    def declared(key: str) -> Any:
        band = item.assets[key].extra_fields["raster:bands"][0]
        return read_clip(key) * band["scale"] + band["offset"]

    red, nir = declared("red"), declared("nir")
    scl = read_clip("scl").rio.reproject_match(red, resampling=Resampling.nearest)
    with pytest.raises(LessonInputError) as caught:
        check_water_reflectance(red, nir, scl)
    assert f"`{caught.value}`" in _guide_row("Episode 5: the declared offset")
