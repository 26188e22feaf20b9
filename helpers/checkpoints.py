"""Checkpoints between episodes: the files that later notebooks start from.

Episode 2 saves its search results to ``search_results.json``; episodes 3-5 load that file.
A learner who joins late, or whose episode 2 went wrong, can still go on: the search is
repeated once and the file written, with a message that says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pystac import ItemCollection
from pystac_client import Client
from shapely.geometry import Point

from .network import retrying_io
from .saving import atomic_output

SEARCH_RESULTS = Path("search_results.json")
#: The search of episode 2's exercise: Amsterdam +-0.05 degrees, 2021, under 5 % cloud.
LESSON_POINT = Point(4.90, 52.37)
#: The lesson's default collection; notebooks choose theirs with ``collection_id``.
LESSON_COLLECTION = "sentinel-2-l2a"
LESSON_SEARCH = {
    "collections": [LESSON_COLLECTION],
    "bbox": LESSON_POINT.buffer(0.05).bounds,
    "datetime": "2021-01-01/2021-12-31",
    "query": ["eo:cloud_cover<5"],
}


def newest_versions(items: ItemCollection) -> ItemCollection:
    """One item per acquisition (tile and time): the one with the latest ``s2:generation_time``.

    Earth Search holds some acquisitions twice (``_0_L2A`` and ``_1_L2A``,
    Element84/earth-search#25); episode 2 keeps the newest version of each, as here.
    """
    newest: dict[tuple[Any, Any], Any] = {}
    for item in items:
        acquisition = (item.properties.get("grid:code"), item.datetime)
        kept = newest.get(acquisition)
        generated = item.properties.get("s2:generation_time", "")
        if kept is None or generated >= kept.properties.get("s2:generation_time", ""):
            newest[acquisition] = item
    return ItemCollection(newest.values())


def ensure_search_results(
    api_url: str, path: Path | str = SEARCH_RESULTS, collection: str = LESSON_COLLECTION
) -> Path:
    """Make sure episode 2's saved search results of ``collection`` exist at ``path``.

    If the file is missing, or holds items of another collection (episode 2 ran with another
    ``collection_id``), run episode 2's exercise search against ``api_url`` and save it.
    Returns the path.
    """
    path = Path(path)
    if path.is_file():
        saved = {item.collection_id for item in ItemCollection.from_file(str(path))}
        if saved <= {collection}:
            return path
        print(
            f"{path} holds items of {', '.join(sorted(map(str, saved)))}, not {collection}: "
            "repeating episode 2's search now."
        )
    else:
        print(f"{path} is missing (episode 2 saves it): repeating episode 2's search now.")
    client = Client.open(api_url, stac_io=retrying_io())
    search = client.search(**{**LESSON_SEARCH, "collections": [collection]})
    items = newest_versions(search.item_collection())
    with atomic_output(path, overwrite=True) as temporary:
        items.save_object(temporary)
    print(f"Saved {len(items)} items to {path}.")
    return path
