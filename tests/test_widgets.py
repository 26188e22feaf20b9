"""The widgets, driven from Python: set values, read what they display."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pystac_client import Client
from shapely.geometry import Point, shape

from helpers.checks import LessonInputError
from helpers.places import AMSTERDAM
from helpers.widgets import ClipPreview, SceneExplorer

Item = dict[str, Any]


def _expected(items: list[Item], point: tuple[float, float], year: int, below: float) -> int:
    return sum(
        1
        for item in items
        if shape(item["geometry"]).intersects(Point(*point))
        and item["properties"]["datetime"].startswith(f"{year}-")
        and item["properties"]["eo:cloud_cover"] < below
    )


@pytest.fixture
def explorer(api_url: str) -> SceneExplorer:
    return SceneExplorer(Client.open(api_url))


def _count(explorer: SceneExplorer) -> int:
    return int(explorer.count.value.split("<b>")[1].split("</b>")[0])


def test_explorer_starts_with_the_lesson_search(
    explorer: SceneExplorer, catalog_items: list
) -> None:
    assert _count(explorer) == _expected(catalog_items, AMSTERDAM, 2021, 5)
    assert 'query={"eo:cloud_cover": {"lt": 5}}' in explorer.code.value
    assert len(explorer.results.options) == _count(explorer)
    assert explorer.results.value == explorer.items[0].id
    assert explorer.thumbnail.value[:3] == b"\xff\xd8\xff"
    assert explorer.footprint.value[:4] == b"\x89PNG", "the footprint is drawn"
    assert "cloud cover" in explorer.details.value


@pytest.mark.parametrize("below", [0, 20, 60, 100])
def test_moving_the_cloud_slider_reruns_the_search(
    explorer: SceneExplorer, catalog_items: list, below: int
) -> None:
    explorer.max_cloud.value = below
    assert _count(explorer) == _expected(catalog_items, AMSTERDAM, 2021, below)
    assert f'"lt": {below}' in explorer.code.value


def test_dates_and_places_change_the_search(explorer: SceneExplorer, catalog_items: list) -> None:
    explorer.max_cloud.value = 30
    explorer.start.value, explorer.end.value = dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    assert _count(explorer) == _expected(catalog_items, AMSTERDAM, 2022, 30)
    explorer.location.value = "Utrecht"
    assert (explorer.lon.value, explorer.lat.value) == (5.12, 52.09)
    assert _count(explorer) == _expected(catalog_items, (5.12, 52.09), 2022, 30)
    assert all("_31UFT_" in item.id for item in explorer.items)
    explorer.lon.value = 4.0
    assert explorer.location.value == "Custom"


def test_errors_show_inside_the_widget(explorer: SceneExplorer) -> None:
    explorer.lat.value = 95.0
    assert "Latitude 95.0 is outside -90..90" in explorer.error.value
    assert explorer.count.value == ""
    explorer.lat.value = AMSTERDAM[1]
    assert explorer.error.value == "" and _count(explorer) >= 0
    explorer.start.value = dt.date(2022, 6, 1)
    explorer.end.value = dt.date(2022, 1, 1)
    assert "swap the dates" in explorer.error.value


def test_clip_preview_follows_its_sliders(api_url: str) -> None:
    items = list(
        Client.open(api_url)
        .search(intersects=Point(*AMSTERDAM), datetime="2021-08", max_items=2)
        .items()
    )
    preview = ClipPreview(items)
    assert preview.last_shape == (3, 400, 400)
    assert (
        preview.output.value[:4] == b"\x89PNG" and "box_utm = {'minx': 629000" in preview.code.value
    )
    preview.x.value = (626000, 632000)
    assert preview.last_shape == (3, 400, 600)
    preview.scene.value = items[1].id
    assert items[1].id in preview.code.value and preview.error.value == ""
    preview.y.value = (5813000, 5814000)
    preview.x.value = (638000, 639000)
    assert preview.last_shape == (3, 100, 100)


def test_clip_preview_offers_only_scenes_that_hold_the_box(api_url: str) -> None:
    """Whatever the order: a 31UFT scene first (it holds only a strip of the area) is skipped."""
    client = Client.open(api_url)
    neighbour = next(
        client.search(collections=["sentinel-2-l2a"], ids=["S2B_31UFT_20210828_0_L2A"]).items()
    )
    amsterdam = list(
        client.search(
            collections=["sentinel-2-l2a", "sentinel-2-c1-l2a"],
            intersects=Point(*AMSTERDAM),
            datetime="2021-08-18",
        ).items()
    )
    assert {item.collection_id for item in amsterdam} == {"sentinel-2-l2a", "sentinel-2-c1-l2a"}
    preview = ClipPreview([neighbour, *amsterdam])
    assert list(preview.scene.options) == [item.id for item in amsterdam]
    assert preview.last_shape == (3, 400, 400) and preview.error.value == ""
    for item in amsterdam:  # both collections, each converted by its own metadata
        preview.scene.value = item.id
        assert preview.error.value == "" and item.id in preview.code.value
    with pytest.raises(LessonInputError, match="holds the whole box"):
        ClipPreview([neighbour])


def test_explorer_searches_the_collection_it_is_given(api_url: str) -> None:
    explorer = SceneExplorer(Client.open(api_url), collection="sentinel-2-c1-l2a")
    assert "sentinel-2-c1-l2a" in explorer.code.value
    ids = [value for _, value in explorer.results.options]
    assert ids and all(item_id.startswith(("S2A_T31U", "S2B_T31U")) for item_id in ids)
