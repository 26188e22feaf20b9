"""The lesson's numbers hold against the ground: offline in `make test`, live in `make test-live`.

The lesson runs once (the ``lesson_run`` fixture: every cell of every episode must run); the
checks in ``lesson_science`` then hold what each episode computed against physical ranges that
any real scene satisfies. ``make test-live`` runs this file alone against the live Earth Search.
"""

from __future__ import annotations

from typing import Any

import pytest
from lesson_science import check_clip_compute_save, check_datacube, check_search

# Live, the whole lesson runs over the internet before the first check.
pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(params=["lesson_run", "lesson_run_c1"], ids=["sentinel-2-l2a", "sentinel-2-c1-l2a"])
def run(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The lesson run with each collection: the default one, and Collection 1."""
    return request.getfixturevalue(request.param)


def test_the_search_finds_and_saves_scenes(run: dict[str, Any]) -> None:
    check_search(run["science"]["02"])


def test_episode_5_reflectance_ndvi_and_saved_cog_are_physical(run: dict[str, Any]) -> None:
    check_clip_compute_save(run["science"]["05"], run["folder"])


def test_episode_6_time_series_and_composites_are_physical(run: dict[str, Any]) -> None:
    check_datacube(run["science"]["06"], run["folder"])


def test_the_lesson_used_the_collection_it_was_given(run: dict[str, Any]) -> None:
    from pystac import ItemCollection

    saved = ItemCollection.from_file(str(run["folder"] / "search_results.json"))
    assert {item.collection_id for item in saved} == {run["collection"]}
