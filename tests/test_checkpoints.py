"""Episode 2's saved search results as episodes 3-5 find them (``helpers.checkpoints``).

The file is used as it is only when it can be the lesson's search through the API in use now;
otherwise the search is repeated, with one line that says why.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pystac import ItemCollection
from pystac_client import Client

from helpers.checkpoints import LESSON_COLLECTION, LESSON_POINT, ensure_search_results


@pytest.fixture
def checkpoint(api_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = ensure_search_results(api_url, tmp_path / "search_results.json")
    assert "is missing (episode 2 saves it): repeating episode 2's search now." in (
        capsys.readouterr().out
    )
    return path


def _self_links(path: Path) -> set[str]:
    return {
        link["href"]
        for feature in json.loads(path.read_text())["features"]
        for link in feature["links"]
        if link["rel"] == "self"
    }


def test_the_lesson_search_through_this_api_is_used_as_it_is(
    api_url: str, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = checkpoint.stat().st_mtime_ns
    ensure_search_results(api_url, checkpoint)
    assert capsys.readouterr().out == ""
    assert checkpoint.stat().st_mtime_ns == written
    items = ItemCollection.from_file(str(checkpoint))
    assert items and all(item.datetime.year == 2021 for item in items)
    assert all(item.properties["eo:cloud_cover"] < 5 for item in items)


def test_results_saved_through_another_server_are_fetched_again(
    api_url: str, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a test run, or with another port, the saved links point where nothing answers."""
    here = urlsplit(api_url).netloc
    checkpoint.write_text(checkpoint.read_text().replace(here, "127.0.0.1:9"))
    ensure_search_results(api_url, checkpoint)
    printed = capsys.readouterr().out
    assert "was saved from http://127.0.0.1:9/v1/collections/" in printed, printed
    assert f"not through {api_url}: repeating episode 2's search now." in printed
    assert all(href.startswith(f"{api_url}/") for href in _self_links(checkpoint))


def test_scenes_of_another_search_are_replaced_by_the_lessons(
    api_url: str, checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a learner saved who skipped the exercise: the ten newest scenes at the point."""
    lesson_ids = [item.id for item in ItemCollection.from_file(str(checkpoint))]
    point_search = Client.open(api_url).search(
        collections=[LESSON_COLLECTION], intersects=LESSON_POINT, max_items=10
    )
    wrong = point_search.item_collection()
    assert {item.datetime.year for item in wrong} != {2021}, "the newest scenes are not of 2021"
    wrong.save_object(str(checkpoint))
    ensure_search_results(api_url, checkpoint)
    printed = capsys.readouterr().out
    assert "which is not in episode 2's search (2021, under 5 % cloud)" in printed, printed
    assert [item.id for item in ItemCollection.from_file(str(checkpoint))] == lesson_ids
