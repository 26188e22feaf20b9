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
LESSON_SEARCH = {
    "collections": ["sentinel-2-l2a"],
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


def ensure_search_results(api_url: str, path: Path | str = SEARCH_RESULTS) -> Path:
    """Make sure episode 2's saved search results exist at ``path``; return the path.

    If the file is missing, run episode 2's exercise search against ``api_url`` and save it.
    """
    path = Path(path)
    if path.is_file():
        return path
    print(f"{path} is missing (episode 2 saves it): repeating episode 2's search now.")
    client = Client.open(api_url, stac_io=retrying_io())
    items = newest_versions(client.search(**LESSON_SEARCH).item_collection())
    with atomic_output(path, overwrite=True) as temporary:
        items.save_object(temporary)
    print(f"Saved {len(items)} items to {path}.")
    return path
