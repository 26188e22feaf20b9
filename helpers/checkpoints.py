"""Checkpoints between episodes: the files that later notebooks start from.

Episode 2 saves its search results to ``search_results.json``; episodes 3-5 load that file.
A learner who joins late, or whose episode 2 went wrong, can still go on: the search is
repeated once and the file written, with a message that says so. The same happens when the
file cannot be the right one: items of another collection, scenes outside episode 2's search,
or items fetched through another API (their links, such as the offline server's port, would
point where nothing answers now).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pystac import ItemCollection
from pystac_client import Client
from shapely.geometry import Point, box, shape

from .network import retrying_io
from .places import AMSTERDAM, search_bbox
from .saving import atomic_output

SEARCH_RESULTS = Path("search_results.json")
#: The search of episode 2's exercise: Amsterdam +-0.05 degrees, 2021, under 5 % cloud.
LESSON_POINT = Point(*AMSTERDAM)
#: The lesson's default collection; notebooks choose theirs with ``collection_id``.
LESSON_COLLECTION = "sentinel-2-l2a"
LESSON_YEAR = 2021
LESSON_MAX_CLOUD_COVER = 5
LESSON_SEARCH: dict[str, Any] = {
    "collections": [LESSON_COLLECTION],
    "bbox": search_bbox(),
    "datetime": f"{LESSON_YEAR}-01-01/{LESSON_YEAR}-12-31",
    "query": [f"eo:cloud_cover<{LESSON_MAX_CLOUD_COVER}"],
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


def _why_not_reusable(path: Path, api_url: str, collection: str) -> str | None:
    """Why the saved results at ``path`` cannot be episode 2's search through ``api_url``."""
    if not path.is_file():
        return "is missing (episode 2 saves it)"
    items = ItemCollection.from_file(str(path))
    collections = {str(item.collection_id) for item in items}
    if not collections <= {collection}:
        return f"holds items of {', '.join(sorted(collections))}, not {collection}"
    api_root = api_url.rstrip("/") + "/"
    for item in items:
        link = item.get_single_link("self")
        href = link.get_absolute_href() if link else None
        if href is None or not href.startswith(api_root):
            return f"was saved from {href or 'a file without links'}, not through {api_url}"
    area = box(*LESSON_SEARCH["bbox"])
    for item in items:
        clear = item.properties.get("eo:cloud_cover", 100) < LESSON_MAX_CLOUD_COVER
        in_year = item.datetime is not None and item.datetime.year == LESSON_YEAR
        if not (in_year and clear and shape(item.geometry).intersects(area)):
            return (
                f"holds {item.id}, which is not in episode 2's search ({LESSON_YEAR}, "
                f"under {LESSON_MAX_CLOUD_COVER} % cloud)"
            )
    return None


def ensure_search_results(
    api_url: str, path: Path | str = SEARCH_RESULTS, collection: str = LESSON_COLLECTION
) -> Path:
    """Make sure ``path`` holds episode 2's search results of ``collection`` from ``api_url``.

    If the file is missing, holds items of another collection (episode 2 ran with another
    ``collection_id``), scenes outside episode 2's search, or items fetched through another API,
    run episode 2's search against ``api_url`` and save it, saying why. Returns the path.
    """
    path = Path(path)
    reason = _why_not_reusable(path, api_url, collection)
    if reason is None:
        return path
    print(f"{path} {reason}: repeating episode 2's search now.")
    client = Client.open(api_url, stac_io=retrying_io())
    search = client.search(**{**LESSON_SEARCH, "collections": [collection]})
    # As episode 2: only items with COG bands (some have JP2 copies only: earth-search#79).
    usable = ItemCollection(item for item in search.item_collection() if "red" in item.assets)
    items = newest_versions(usable)
    with atomic_output(path, overwrite=True) as temporary:
        items.save_object(temporary)
    print(f"Saved {len(items)} items to {path}.")
    return path
