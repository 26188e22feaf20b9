"""Each common learner mistake gets one clear message: what was wrong and what to do.

Every case makes the real mistake against the offline API or a real file, catches what the
libraries raise, and checks the explanation (``helpers.friendly.explain``) or the check's own
message.
"""

from __future__ import annotations

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
from helpers.friendly import explain
from helpers.places import CLIP_BOX_UTM, DATACUBE_BBOX, SEARCH_BUFFER, swapped
from helpers.saving import OutputPathError, atomic_output
from tools.notebooks import NOTEBOOK_FOLDER

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


def test_cells_run_out_of_order() -> None:
    message = _explained(lambda: eval("items[0]", {}))
    assert "earlier cell" in message and "Run All Above" in message


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
