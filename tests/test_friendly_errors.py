"""Each common learner mistake gets one clear message: what was wrong and what to do.

Every case makes the real mistake against the offline API or a real file, catches what the
libraries raise, and checks the explanation (``helpers.friendly.explain``) or the check's own
message.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
import rasterio
import rioxarray
from earth_search_offline.bbox import check_bbox
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from pystac_client import Client
from shapely.geometry import Point

from helpers import places
from helpers.checks import (
    LessonInputError,
    check_ndvi,
    check_water_reflectance,
    explain_no_matches,
)
from helpers.friendly import IMPORT_LINES, LESSON_LINES, explain
from helpers.places import CLIP_BOX_UTM, DATACUBE_BBOX, SEARCH_BUFFER, swapped
from helpers.saving import OutputPathError, atomic_output
from tools.notebooks import NOTEBOOK_FOLDER, lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]

AMSTERDAM = Point(*places.AMSTERDAM)


@pytest.fixture(scope="module")
def client(api_url: str) -> Client:
    return Client.open(api_url)


@pytest.fixture(scope="module")
def item(client: Client) -> Any:
    return next(
        client.search(collections=["sentinel-2-l2a"], intersects=AMSTERDAM, max_items=1).items()
    )


def _explained(action: Any, namespace: dict[str, Any] | None = None) -> str:
    with pytest.raises(Exception) as caught:
        action()
    message = explain(caught.value, namespace or {})
    assert message, f"no explanation for {caught.value!r}"
    return message


def test_v0_asset_key(item: Any) -> None:
    assert "item.assets['red']" in _explained(lambda: item.assets["B04"])
    assert "item.assets['scl']" in _explained(lambda: item.assets["SCL"])


def test_asset_key_in_capitals(item: Any) -> None:
    assert "lower case" in _explained(lambda: item.assets["NIR"])


def test_asset_missing_on_a_jp2_only_item(client: Client) -> None:
    """Episode 2's search finds an item with JP2 files only (Element84/earth-search#79)."""
    from helpers.checkpoints import LESSON_SEARCH

    items = client.search(**LESSON_SEARCH).item_collection()
    item = next(item for item in items if "red" not in item.assets)
    message = _explained(lambda: item.assets["red"], {"item": item, "items": items})
    assert message.startswith(
        "No asset 'red': this item has only JP2 copies of the bands (Element84/earth-search#79"
    )
    assert "'red-jp2'" in message and len(message) <= 300
    # The line it offers keeps exactly the items that can be read.
    namespace: dict[str, Any] = {"items": items}
    exec(message.split("Keep the items that have it: ")[1], {}, namespace)
    assert 0 < len(namespace["items"]) == len(items) - 1
    assert all("red" in kept.assets for kept in namespace["items"])


def test_asset_missing_on_a_sparse_collection_1_item(client: Client) -> None:
    """Collection 1 has items that lack most of their assets (Element84/earth-search#36)."""
    found = client.search(
        collections=["sentinel-2-c1-l2a"], bbox=places.search_bbox(), datetime="2022-09/2022-12"
    ).item_collection()
    item = next(item for item in found if "red" not in item.assets)
    message = _explained(lambda: item.assets["red"], {"item": item, "items": found})
    assert message == (
        "No asset 'red': this item lacks most of its files (Element84/earth-search#36). Keep the "
        "items that have it: items = [item for item in items if 'red' in item.assets]"
    )


def test_v0_collection_id(client: Client) -> None:
    message = _explained(
        lambda: client.search(collections=["sentinel-s2-l2a-cogs"], intersects=AMSTERDAM).matched()
    )
    assert "v0" in message and "'sentinel-2-l2a'" in message


def test_unknown_query_operator(client: Client) -> None:
    message = _explained(lambda: client.search(query={"eo:cloud_cover": {"below": 5}}).matched())
    assert "'below'" in message and "lt" in message


def test_query_as_a_plain_string(client: Client) -> None:
    message = _explained(lambda: client.search(query="eo:cloud_cover<5").matched())
    assert '["eo:cloud_cover<5"]' in message


def test_datetime_in_a_local_format(client: Client) -> None:
    message = _explained(lambda: client.search(datetime="12/31/2021").matched())
    assert "2021-01-01/2021-12-31" in message


def test_datetime_range_reversed(client: Client) -> None:
    message = _explained(lambda: client.search(datetime="2022-01-01/2021-01-01").matched())
    assert "Begin date after end date" in message
    message = _explained(
        lambda: client.search(method="GET", datetime="2022-01-01/2021-01-01").matched()
    )
    assert "earlier first" in message


def test_bbox_out_of_range_is_refused_by_the_api(client: Client) -> None:
    message = _explained(lambda: client.search(bbox=[4.85, 52.32, 4.95, 95.0]).matched())
    assert "Bounding box must be within (-180, -90, 180, 90)" in message
    message = _explained(
        lambda: client.search(method="GET", bbox=[4.85, 52.32, 4.95, 95.0]).matched()
    )
    assert "out of range" in message and "latitude" in message


def test_bbox_checks_name_the_problem() -> None:
    """The stand-in's one bbox check (its API answers 400 with these words)."""
    with pytest.raises(ValueError, match=r"south .* is greater than north"):
        check_bbox((4.85, 52.42, 4.95, 52.32))
    with pytest.raises(ValueError, match="metres"):
        check_bbox(CLIP_BOX_UTM)
    with pytest.raises(ValueError, match="has 3 numbers; expected 4"):
        check_bbox((4.85, 52.32, 4.95))
    assert check_bbox(AMSTERDAM.buffer(SEARCH_BUFFER).bounds) == pytest.approx(
        AMSTERDAM.buffer(SEARCH_BUFFER).bounds
    )


def test_longitude_and_latitude_swapped(client: Client) -> None:
    search = client.search(
        collections=["sentinel-2-l2a"], intersects=Point(*swapped(places.AMSTERDAM))
    )
    items = search.item_collection()
    message = _explained(lambda: items[0], {"search": search})
    assert "swapped" in message and "Point(4.90, 52.37)" in message


def test_a_filter_that_removes_everything(client: Client) -> None:
    search = client.search(
        collections=["sentinel-2-l2a"], intersects=AMSTERDAM, query={"eo:cloud_cover": {"lt": 0}}
    )
    message = explain_no_matches(search)
    assert "without the query" in message and "would" in message


def test_clip_box_in_degrees(item: Any) -> None:
    visual = rioxarray.open_rasterio(item.assets["visual"].href)
    message = _explained(lambda: visual.rio.clip_box(minx=4.85, miny=52.32, maxx=4.95, maxy=52.42))
    assert "metres" in message and "rio.bounds()" in message


def test_api_not_reachable() -> None:
    message = _explained(
        lambda: Client.open("http://127.0.0.1:9/v1"), {"api_url": "http://127.0.0.1:9/v1"}
    )
    assert "Cannot reach http://127.0.0.1:9/v1" in message and "make lab" in message


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("B04", "'B04' is an Earth Search v0 name. odc.stac.load takes v1 asset keys: "
                "bands=['red', ...]."),
        ("ndvi", "No asset 'ndvi' in these items."),
    ],
)  # fmt: skip
def test_data_cube_band_that_is_not_an_asset_key(client: Client, band: str, expected: str) -> None:
    import odc.stac

    items = client.search(collections=["sentinel-2-l2a"], bbox=DATACUBE_BBOX, max_items=1)
    scenes = items.item_collection()
    message = _explained(lambda: odc.stac.load(scenes, bands=[band, "nir"], chunks={}))
    assert message.startswith(expected)


def test_dask_scheduler_not_reachable() -> None:
    from dask.distributed import Client as DaskClient

    message = _explained(lambda: DaskClient("tcp://127.0.0.1:9", timeout=1))
    assert message.startswith("No Dask scheduler answers at tcp://127.0.0.1:9.")
    assert "unset it and restart the kernel" in message


def test_asset_that_is_not_there(item: Any) -> None:
    href = item.assets["red"].href.replace("B04.tif", "B99.tif")
    message = _explained(lambda: rasterio.open(href))
    assert "404" in message and "item.assets[key].href" in message


def test_saving_over_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "ndvi.tif"
    target.write_bytes(b"earlier result")
    with pytest.raises(OutputPathError) as caught, atomic_output(target):
        pass
    assert "overwrite=True" in explain(caught.value)
    assert target.read_bytes() == b"earlier result"


def test_saving_into_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError) as caught, atomic_output(tmp_path / "nope" / "x.tif"):
        pass
    assert "does not exist" in explain(caught.value)


def test_saving_where_writing_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("helpers.saving.os.access", lambda path, mode: False)  # as for non-root
    with pytest.raises(OutputPathError) as caught, atomic_output(tmp_path / "x.tif"):
        pass
    assert "not writable" in explain(caught.value) and "own folder" in explain(caught.value)


def test_reading_a_checkpoint_that_is_not_there(tmp_path: Path) -> None:
    from pystac import ItemCollection

    message = _explained(lambda: ItemCollection.from_file(str(tmp_path / "search_results.json")))
    assert "episode 2 saves it" in message


def test_ndvi_outside_its_range_points_at_the_offset() -> None:
    reflectance_red = np.array([0.03, 0.05]) - 0.1  # offset applied to harmonised pixels
    reflectance_nir = np.array([0.02, 0.40]) - 0.1
    ndvi = (reflectance_nir - reflectance_red) / (reflectance_nir + reflectance_red)
    with pytest.raises(LessonInputError, match="offset"):
        check_ndvi(ndvi)
    assert check_ndvi(np.array([-0.3, 0.8, np.nan])).startswith("NDVI within -1..1")


# Water reflects a few percent of red and near-infrared light; 0.0001 is the L2A scale.
WATER_RED, WATER_NIR, SCALE = 0.035, 0.018, 0.0001


def _scene(red_water: float, nir_water: float) -> tuple[np.ndarray, ...]:
    """A 2 x 3 scene: water (SCL 6) on the left, vegetation (SCL 4) on the right."""
    scl = np.array([[6, 6, 4], [6, 6, 4]])
    red = np.where(scl == 6, red_water, 0.04)
    nir = np.where(scl == 6, nir_water, 0.35)
    return red, nir, scl


def test_water_check_accepts_the_right_reflectance() -> None:
    message = check_water_reflectance(*_scene(WATER_RED, WATER_NIR))
    assert "0.035 in red and 0.018" in message and "4 pixels" in message


def test_water_check_catches_an_offset_applied_twice() -> None:
    # Harmonised numbers converted with the stale -0.1 (earth-search#9, #66).
    numbers_red, numbers_nir = WATER_RED / SCALE, WATER_NIR / SCALE
    scene = _scene(numbers_red * SCALE - 0.1, numbers_nir * SCALE - 0.1)
    with pytest.raises(LessonInputError, match="below zero") as raised:
        check_water_reflectance(*scene)
    assert "offset 0" in str(raised.value) and "-0.065" in str(raised.value)


def test_water_check_catches_a_missing_offset() -> None:
    # ESA's raw numbers (+1000) converted with the scale alone.
    scene = _scene((WATER_RED / SCALE + 1000) * SCALE, (WATER_NIR / SCALE + 1000) * SCALE)
    with pytest.raises(LessonInputError, match="apply the raster:bands offset"):
        check_water_reflectance(*scene)


def test_water_check_without_water_or_with_mismatched_grids() -> None:
    red, nir, scl = _scene(WATER_RED, WATER_NIR)
    assert "No water" in check_water_reflectance(red, nir, np.full_like(scl, 4))
    with pytest.raises(LessonInputError, match="reproject_match"):
        check_water_reflectance(red, nir, scl[:1])
    red_masked = red.copy()
    red_masked[scl == 6] = np.nan  # clouds masked over all the water
    assert "No water" in check_water_reflectance(red_masked, nir, scl)


def _notebook(folder: Path, *sources: str) -> Path:
    """A notebook file in ``folder`` with a title and one code cell per source."""
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = folder / "05-an-episode.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# An episode"), *cells]),
        path,
    )
    return path


def _name_error(code: str) -> NameError:
    with pytest.raises(NameError) as caught:
        exec(code, {})
    return caught.value


#: Cells that do not parse as Python: the notebook's other cells still count.
NOT_PYTHON = ("%%bash\necho hello", "x = !ls")
SKIPPED_CELL = (
    "'items' is made by an earlier cell of this notebook. Run the cells above first "
    "(Run > Run All Above Selected Cell), top to bottom."
)


def test_cells_run_out_of_order_in_a_notebook_that_makes_the_name(tmp_path: Path) -> None:
    made = "%matplotlib inline\nitems = ItemCollection.from_file(results_file)"
    notebook = _notebook(tmp_path, *NOT_PYTHON, made)  # magics left out, the rest parsed
    message = _explained(lambda: eval("items[0]", {}), {"__session__": str(notebook)})
    assert message == SKIPPED_CELL
    guide = (REPOSITORY / "instructors" / "guide.md").read_text()
    assert f"| `NameError: name 'items' is not defined` | `{message}` |" in guide


def test_the_notebook_named_by_jupyter_servers_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jupyter Server sets JPY_SESSION_NAME for the kernel (ipykernel copies it to __session__)."""
    notebook = _notebook(tmp_path, "def make():\n    point = 1\n", "items = [n for n in range(3)]")
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    assert explain(_name_error("items[0]"), {}) == SKIPPED_CELL
    assert explain(_name_error("make()"), {}).startswith("'make' is made by an earlier cell")
    assert explain(_name_error("n"), {}) is None  # a comprehension's own name, and not the lesson's
    assert explain(_name_error("point"), {}).startswith("No cell above this one makes 'point'")
    monkeypatch.chdir(tmp_path)  # a server path, relative to the server's root: the kernel's folder
    monkeypatch.setenv("JPY_SESSION_NAME", f"lesson/notebooks/{notebook.name}")
    assert explain(_name_error("items[0]"), {}) == SKIPPED_CELL


def test_a_name_the_notebook_never_makes(tmp_path: Path) -> None:
    """Episode 5 makes no client and no point: running the cells above cannot help."""
    notebook = _notebook(
        tmp_path, *NOT_PYTHON, "import rioxarray\nfrom pystac_client import Client"
    )
    namespace: dict[str, Any] = {"__session__": str(notebook)}
    assert explain(_name_error("client.search(collections=['sentinel-2-l2a'])"), namespace) == (
        "No cell above this one makes 'client' (in the notebook as last saved), so running the "
        "cells above will not help. Make it first (it needs from pystac_client import Client): "
        "client = Client.open(api_url)"
    )
    message = explain(_name_error("point.buffer(0.05)"), namespace)
    assert message == (
        "No cell above this one makes 'point' (in the notebook as last saved), so running the "
        "cells above will not help. Make it first (it needs from shapely.geometry import Point): "
        "point = Point(4.90, 52.37)"
    )
    exec(f"{IMPORT_LINES['Point']}\n{message.rsplit(': ', 1)[1]}", namespace)
    assert namespace["point"].coords[0] == places.AMSTERDAM
    assert explain(_name_error("red"), namespace) == (
        "No cell above this one makes 'red' (in the notebook as last saved), so running the cells "
        "above will not help. Make it in a cell of your own first."
    )


def test_a_name_made_only_below_the_running_cell(tmp_path: Path) -> None:
    """The running cell is found by its source (IPython's _ih): only the cells above it count."""
    before, after = "print(client.title)", "print(client.get_collection(collection_id))"
    notebook = _notebook(tmp_path, before, "client = Client.open(api_url)", after)

    def explained(running: str) -> str | None:
        namespace = {"__session__": str(notebook), "_ih": ["", "1 + 1", f"{running}\n"]}
        return explain(_name_error(running), namespace)

    assert explained(before).startswith("No cell above this one makes 'client'")
    assert explained(after) == SKIPPED_CELL.replace("'items'", "'client'")
    assert explained("print(client)") == explained(after)  # edited since saved: every cell counts


def test_episode_5_makes_no_point_and_no_client_before_its_solutions() -> None:
    path = NOTEBOOK_FOLDER / "05-clip-compute-save.ipynb"
    cells = [
        cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
    ]
    running = next(source for source in cells if "clip_box(**box_utm)" in source)
    namespace = {"__session__": str(path), "_ih": ["", running], "Client": Client}
    for name in ("client", "point"):
        message = explain(_name_error(f"{name}.id"), namespace)
        assert message.startswith(f"No cell above this one makes {name!r}"), message
        assert message.endswith(LESSON_LINES[name])
    assert explain(_name_error("items[0]"), namespace) == SKIPPED_CELL


def test_a_lesson_name_when_the_notebook_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain Python and nbval kernels do not know their notebook: advice true either way."""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    message = _explained(lambda: eval("items[0]", {}))
    assert message == (
        "If a cell above makes 'items', run the cells above first (Run > Run All Above Selected "
        "Cell), top to bottom; if none does, make it first (it needs from pystac import "
        "ItemCollection): items = ItemCollection.from_file(results_file)"
    )
    renamed = {"__session__": str(tmp_path / "renamed-since.ipynb")}  # the name the kernel got
    assert explain(_name_error("items[0]"), renamed) == message
    assert explain(_name_error("red"), {}) == (
        "If a cell above makes 'red', run the cells above first (Run > Run All Above Selected "
        "Cell), top to bottom; if none does, make it in a cell of your own first."
    )
    assert explain(_name_error("itmes"), {}) is None  # a typo: Python's own message says more


#: The names of issue 28's novices: each is the library's, never made by the lesson.
LIBRARY_NAMES = ("Point", "box", "shape", "Client", "ItemCollection", "plt", "rioxarray",
                 "rasterio", "Resampling", "np", "xr")  # fmt: skip


@pytest.mark.parametrize("name", sorted(IMPORT_LINES))
def test_a_library_name_never_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    error = _name_error(f"{name}.__name__")
    notebook = _notebook(tmp_path, *NOT_PYTHON, "import os")
    message = explain(error, {"__session__": str(notebook)})
    assert message == (
        f"No cell above this one imports {name!r}: add this line to the imports cell at the top "
        f"and run that cell: {IMPORT_LINES[name]}"
    )
    namespace: dict[str, Any] = {}
    exec(message.rsplit(": ", 1)[1], namespace)  # the line it offers makes the name
    assert name in namespace
    assert explain(error, {}) == (
        f"{name!r} is not imported yet: the imports cell at the top needs this line (add it if "
        f"it is missing), then run that cell: {IMPORT_LINES[name]}"
    )
    imported = _notebook(tmp_path, f"{IMPORT_LINES[name]}  # the imports cell")
    assert explain(error, {"__session__": str(imported)}).startswith(
        f"{name!r} is made by an earlier cell of this notebook."
    )


def _imported(line: str) -> dict[str, tuple[str | None, str]]:
    """What an import statement binds: name -> (module it comes from, name imported)."""
    bound = {}
    for node in ast.walk(ast.parse(line)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                bound[(alias.asname or alias.name).split(".")[0]] = (module, alias.name)
    return bound


def test_the_tables_are_the_notebooks_own_lines() -> None:
    """Each import line imports what the notebooks do; each lesson line is a notebook's line."""
    assert set(LIBRARY_NAMES) <= set(IMPORT_LINES)
    code = [
        cell.source
        for path in lesson_notebooks()
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    ]
    notebooks_import = {}
    for source in code:
        notebooks_import.update(_imported(source))
    for name, line in IMPORT_LINES.items():
        assert _imported(line) == {name: _imported(line)[name]}, line
        if name in notebooks_import:
            assert _imported(line)[name] == notebooks_import[name], line
    assert {"Point", "Client", "plt", "rioxarray", "xr"} <= set(notebooks_import)
    for name, line in LESSON_LINES.items():
        assert any(line in source.splitlines() or f"{line}  #" in source for source in code), line
        assert isinstance(ast.parse(line).body[0], ast.Assign), line
        assert ast.parse(line).body[0].targets[0].id == name


def test_the_kernel_knows_its_notebook(tmp_path: Path) -> None:
    """A kernel started as Jupyter Server starts one: JPY_SESSION_NAME names the notebook."""
    path = _notebook(
        tmp_path,
        "import helpers.friendly\nhelpers.friendly.install()",
        "print(__session__)",
        "from pystac import ItemCollection\nif False:\n    items = ItemCollection([])",
        "point.buffer(0.05)",
        "items[0]",
    )
    notebook = nbformat.read(path, as_version=4)
    runner = NotebookClient(
        notebook, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )  # fmt: skip
    runner.execute(env={**os.environ, "JPY_SESSION_NAME": str(path)})
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    printed = ["".join(out.get("text", "") for out in cell.outputs) for cell in code]
    assert printed[1] == f"{path}\n"
    assert printed[3].splitlines() == [
        "NameError: name 'point' is not defined",
        "-> No cell above this one makes 'point' (in the notebook as last saved), so running the "
        "cells above will not help. Make it first (it needs from shapely.geometry import Point): "
        "point = Point(4.90, 52.37)",
    ]
    assert printed[4].splitlines()[1] == f"-> {SKIPPED_CELL}"


def test_search_with_a_positional_argument(client: Client) -> None:
    """``client.search("sentinel-2-l2a")``: the collection given without its name."""
    namespace: dict[str, Any] = {"client": client, "collection_id": "sentinel-2-l2a"}
    message = _explained(lambda: client.search("sentinel-2-l2a"), namespace)
    assert message == (
        "search() takes named arguments only, and was given a value without a name. Name each "
        "one (collections=, intersects=, bbox=, datetime=, query=), as in "
        "client.search(collections=[collection_id], max_items=10)"
    )
    assert eval(message.rsplit(", as in ", 1)[1], {}, namespace).matched() > 0
    # Without the setup cell's collection_id, the collection's own name; the learner's variable.
    catalog = {"catalog": client, "_": client}
    message = _explained(lambda: client.search("sentinel-2-l2a", max_items=10), catalog)
    assert message.endswith(", as in catalog.search(collections=['sentinel-2-l2a'], max_items=10)")
    assert eval(message.rsplit(", as in ", 1)[1], {}, catalog).matched() > 0


def test_imshow_of_a_one_band_array(item: Any) -> None:
    """rioxarray reads (band, y, x); imshow draws (y, x) or a colour image of 3 or 4 bands."""
    import matplotlib.pyplot as plt

    red = rioxarray.open_rasterio(item.assets["red"].href, overview_level=2)
    assert dict(red.sizes) == {"band": 1, "y": red.shape[1], "x": red.shape[2]}
    with pytest.raises(ValueError, match="no dimension that could be color") as caught:
        red.plot.imshow()
    assert explain(caught.value) == (
        f"The array has 3 dimensions (band: 1, y: {red.shape[1]}, x: {red.shape[2]}) and imshow "
        "draws two: it still has its band dimension of length 1. Drop it with .squeeze(), or pick "
        "one band with .sel(band=1), before .plot.imshow()."
    )
    red.squeeze().plot.imshow()  # both ways it offers draw the band
    red.sel(band=1).plot.imshow()
    plt.close("all")
    assert explain(caught.value.with_traceback(None)) == (  # the array no longer at hand
        "The array still has its band dimension of length 1 (rioxarray reads (band, y, x)), and "
        "imshow draws two (y and x): drop it with .squeeze(), or pick one band with .sel(band=1), "
        "before .plot.imshow()."
    )


def test_imshow_of_a_time_series() -> None:
    """Episode 6's cube has many dates: one is picked, or each gets its panel."""
    import matplotlib.pyplot as plt
    import xarray as xr

    ndvi = xr.DataArray(np.zeros((5, 7, 8)), dims=("time", "y", "x"))  # none of 3 or 4 (RGBA)
    message = _explained(lambda: ndvi.plot.imshow())
    assert message == (
        "The array has 3 dimensions (time: 5, y: 7, x: 8) and imshow draws two: pick one time with "
        ".isel(time=0), or draw one panel per time with .plot.imshow(col='time')."
    )
    ndvi.isel(time=0).plot.imshow()
    ndvi.plot.imshow(col="time")
    plt.close("all")


def test_overview_level_the_file_lacks(item: Any) -> None:
    href = item.assets["red"].href
    with rasterio.open(href) as dataset:
        factors = dataset.overviews(1)
    assert 0 < len(factors) < 9
    message = _explained(lambda: rioxarray.open_rasterio(href, overview_level=9))
    assert message == (
        f"B04.tif has no overview level 9: it has {len(factors)} (overview_level=0 to "
        f"{len(factors) - 1}), which shrink it {factors} times. Use one of those, or leave "
        "overview_level out for full resolution."
    )
    smallest = rioxarray.open_rasterio(href, overview_level=len(factors) - 1)
    assert smallest.shape[1] == -(-dataset.height // factors[-1])  # the last level it names


def _write_tif(path: Path, overviews: list[int]) -> Path:
    """A small 10 m GeoTIFF at episode 5's box, with ``overviews`` (their shrink factors)."""
    corner = rasterio.transform.from_origin(CLIP_BOX_UTM[0], CLIP_BOX_UTM[3], 10, 10)
    profile = {"driver": "GTiff", "width": 64, "height": 64, "count": 1, "dtype": "uint8",
               "crs": "EPSG:32631", "transform": corner}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(np.zeros((1, 64, 64), "uint8"))
    if overviews:
        with rasterio.open(path, "r+") as dataset:
            dataset.build_overviews(overviews)
    return path


def test_overview_level_of_a_local_file(tmp_path: Path) -> None:
    one = _write_tif(tmp_path / "one.tif", [2])
    with pytest.raises(rasterio.errors.RasterioIOError) as caught:
        rioxarray.open_rasterio(one, overview_level=1)
    assert explain(caught.value) == (
        "one.tif has no overview level 1: it has 1 (overview_level=0), which shrink it [2] times. "
        "Use one of those, or leave overview_level out for full resolution."
    )
    none = _write_tif(tmp_path / "none.tif", [])
    message = _explained(lambda: rioxarray.open_rasterio(none, overview_level=0))
    assert (
        message == "none.tif has no overviews: leave overview_level out, and cut out a small area."
    )
    one.unlink()  # the file cannot be opened again: the message says how to find out
    assert explain(caught.value) == (
        "This file has no overview level 1. See which it has with "
        "rasterio.open(href).overviews(1): one shrink factor per level, overview_level=0 first."
    )


def test_too_large_a_page(client: Client) -> None:
    message = _explained(lambda: client.search(limit=50_000).matched())
    assert "refused the search before sending it: Invalid limit of 50000" in message


def test_invalid_cql2_filter(client: Client) -> None:
    message = _explained(lambda: client.search(filter="eo:cloud_cover <<< 5").matched())
    assert "refused the search before sending it" in message and "<<< 5" in message


def test_notebook_shows_one_line_instead_of_a_traceback(tmp_path: Path, api_url: str) -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import helpers.friendly\nhelpers.friendly.install()"),
            nbformat.v4.new_code_cell(
                "from pystac_client import Client\n"
                f"client = Client.open({api_url!r})\n"
                "client.search(collections=['sentinel-s2-l2a-cogs']).matched()"
            ),
        ]
    )
    runner = NotebookClient(
        notebook, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    with pytest.raises(CellExecutionError):
        runner.execute(env={**os.environ})
    printed = "".join(out.get("text", "") for out in notebook.cells[1].outputs)
    assert printed.startswith("APIError:")
    assert "-> The STAC API refused the request" in printed and "v1 (this API)" in printed
    assert len(printed.splitlines()) <= 3
    assert not [out for out in notebook.cells[1].outputs if out.output_type == "error"]


def test_opening_the_client_says_in_one_line_how_to_switch_offline(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK_FOLDER / "02-search-items.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"][:3]  # setup, imports, open
    assert "Client.open(" in code[2].source
    runnable = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.source) for c in code])
    runner = NotebookClient(
        runnable,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    env = {**os.environ, "STAC_API_URL": "http://127.0.0.1:9/v1"}  # nothing listens there
    with pytest.raises(CellExecutionError):
        runner.execute(env=env)
    printed = "".join(out.get("text", "") for out in runnable.cells[2].outputs).splitlines()
    assert len(printed) == 2 and printed[1].startswith("-> Cannot reach http://127.0.0.1:9/v1")
    assert "make lab" in printed[1]
