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


def test_the_search_finds_and_saves_scenes(lesson_run: dict[str, Any]) -> None:
    check_search(lesson_run["science"]["02"])


def test_episode_5_reflectance_ndvi_and_saved_cog_are_physical(lesson_run: dict[str, Any]) -> None:
    check_clip_compute_save(lesson_run["science"]["05"], lesson_run["folder"])


def test_episode_6_time_series_and_composites_are_physical(lesson_run: dict[str, Any]) -> None:
    check_datacube(lesson_run["science"]["06"], lesson_run["folder"])
