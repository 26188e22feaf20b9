"""pystac-client against the offline STAC API: every search form the lesson and Earth Search use.

Expected results are computed here from the item files on disk (shapely, datetime), never
through the server, and compared with what the API returns.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from pystac_client import Client
from pystac_client.conformance import ConformanceClasses
from shapely.geometry import Point, box, shape

from helpers.places import AMSTERDAM, SEARCH_BUFFER

COLLECTION = "sentinel-2-l2a"
UTRECHT = (5.12, 52.09)
LESSON_BBOX = Point(*AMSTERDAM).buffer(SEARCH_BUFFER).bounds

Item = dict[str, Any]


def _when(item: Item) -> datetime:
    return datetime.fromisoformat(item["properties"]["datetime"].replace("Z", "+00:00"))


def expected_ids(items: list[Item], keep: Callable[[Item], bool]) -> list[str]:
    """Ids of the items that pass ``keep``, newest first (Earth Search's default order)."""
    chosen = [item for item in items if keep(item)]
    chosen.sort(key=lambda item: (_when(item), item["id"]), reverse=True)
    return [item["id"] for item in chosen]


def covers(point: tuple[float, float]) -> Callable[[Item], bool]:
    return lambda item: shape(item["geometry"]).intersects(Point(*point))


def in_lesson_bbox(item: Item) -> bool:
    """Amsterdam's tile and the neighbouring 31UFT, whose northern edge crosses the box."""
    return shape(item["geometry"]).intersects(box(*LESSON_BBOX))


def in_2021_with_few_clouds(item: Item) -> bool:
    return (
        shape(item["geometry"]).intersects(box(*LESSON_BBOX))
        and _when(item).year == 2021
        and item["properties"]["eo:cloud_cover"] < 5
    )


@pytest.fixture(scope="module")
def client(api_url: str) -> Client:
    return Client.open(api_url)


def test_landing_page_describes_an_offline_earth_search(client: Client) -> None:
    assert client.id == "earth-search-offline"
    assert "synthetic" in client.description
    for conformance in ("CORE", "ITEM_SEARCH", "QUERY", "SORT", "FIELDS", "FILTER"):
        assert client.conforms_to(ConformanceClasses[conformance]), conformance
    assert [collection.id for collection in client.get_collections()] == [
        COLLECTION,
        "sentinel-2-c1-l2a",
    ]


def test_api_root_answers_with_and_without_trailing_slash(api_url: str) -> None:
    for url in (api_url, api_url + "/"):
        response = requests.get(url, timeout=10, allow_redirects=False)
        assert response.status_code == 200
        assert response.json()["type"] == "Catalog"


def test_collection_extent_covers_every_item(client: Client, catalog_items: list[Item]) -> None:
    collection = client.get_collection(COLLECTION)
    west, south, east, north = collection.extent.spatial.bboxes[0]
    for item in catalog_items:
        minx, miny, maxx, maxy = item["bbox"]
        assert west <= minx and south <= miny and maxx <= east and maxy <= north
    start, end = collection.extent.temporal.intervals[0]
    assert start == min(_when(item) for item in catalog_items)
    assert end == max(_when(item) for item in catalog_items)
    assert {"red", "nir", "scl", "visual", "thumbnail"} <= set(
        collection.extra_fields["item_assets"]
    )


def test_point_search_with_max_items_as_in_the_lesson(
    client: Client, catalog_items: list[Item]
) -> None:
    search = client.search(
        collections=[COLLECTION],
        intersects={"type": "Point", "coordinates": AMSTERDAM},
        max_items=10,
    )
    expected = expected_ids(catalog_items, covers(AMSTERDAM))
    assert search.matched() == len(expected)
    items = search.item_collection()
    assert [item.id for item in items] == expected[:10]


def test_exercise_search_short_query_form(client: Client, catalog_items: list[Item]) -> None:
    search = client.search(
        collections=[COLLECTION],
        bbox=LESSON_BBOX,
        datetime="2021-01-01/2021-12-31",
        query=["eo:cloud_cover<5"],
    )
    expected = expected_ids(catalog_items, in_2021_with_few_clouds)
    amsterdam_2021 = expected_ids(
        catalog_items, lambda item: _when(item).year == 2021 and covers(AMSTERDAM)(item)
    )
    assert 0 < len(expected) < len(amsterdam_2021) / 4, "the filter keeps some and drops most"
    assert search.matched() == len(expected)
    items = search.item_collection()
    assert [item.id for item in items] == expected
    assert all(item.properties["eo:cloud_cover"] < 5 for item in items)
    assert all(item.datetime.year == 2021 for item in items)


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "query", [{"eo:cloud_cover": {"lt": 5}}, ["eo:cloud_cover<5"]], ids=["dict", "list"]
)
def test_query_forms_and_methods_agree(
    client: Client, catalog_items: list[Item], method: str, query: Any
) -> None:
    search = client.search(
        method=method,
        collections=[COLLECTION],
        bbox=LESSON_BBOX,
        datetime="2021",
        query=query,
    )
    assert [item.id for item in search.items()] == expected_ids(
        catalog_items, in_2021_with_few_clouds
    )


@pytest.mark.parametrize(
    ("filter_", "lang"),
    [
        (
            "\"eo:cloud_cover\" < 5 AND datetime >= TIMESTAMP('2021-01-01T00:00:00Z') "
            "AND datetime < TIMESTAMP('2022-01-01T00:00:00Z')",
            "cql2-text",
        ),
        (
            {
                "op": "and",
                "args": [
                    {"op": "<", "args": [{"property": "eo:cloud_cover"}, 5]},
                    {
                        "op": ">=",
                        "args": [{"property": "datetime"}, {"timestamp": "2021-01-01T00:00:00Z"}],
                    },
                    {
                        "op": "<",
                        "args": [{"property": "datetime"}, {"timestamp": "2022-01-01T00:00:00Z"}],
                    },
                ],
            },
            "cql2-json",
        ),
    ],
    ids=["text", "json"],
)
def test_cql2_filter_matches_the_query_extension(
    client: Client, catalog_items: list[Item], filter_: Any, lang: str
) -> None:
    search = client.search(
        collections=[COLLECTION], bbox=LESSON_BBOX, filter=filter_, filter_lang=lang
    )
    assert [item.id for item in search.items()] == expected_ids(
        catalog_items, in_2021_with_few_clouds
    )


def test_spatial_filters_really_filter(client: Client, catalog_items: list[Item]) -> None:
    amsterdam = expected_ids(catalog_items, covers(AMSTERDAM))
    utrecht = expected_ids(catalog_items, covers(UTRECHT))
    assert amsterdam and utrecht and not set(amsterdam) & set(utrecht)
    found = client.search(
        collections=[COLLECTION], intersects={"type": "Point", "coordinates": UTRECHT}, limit=100
    )
    assert [item.id for item in found.items()] == utrecht
    assert all("_31UFT_" in item_id for item_id in utrecht)
    nowhere = client.search(bbox=[-10.0, 40.0, -9.0, 41.0])  # in every collection
    assert nowhere.matched() == 0


@pytest.mark.parametrize(
    ("interval", "keep"),
    [
        ("../2021-03-31T23:59:59Z", lambda when: when < datetime(2021, 4, 1, tzinfo=UTC)),
        ("2022-11-15T00:00:00Z/..", lambda when: when >= datetime(2022, 11, 15, tzinfo=UTC)),
        ("2021-07", lambda when: (when.year, when.month) == (2021, 7)),
    ],
    ids=["open-start", "open-end", "month"],
)
def test_datetime_intervals(
    client: Client, catalog_items: list[Item], interval: str, keep: Callable[[datetime], bool]
) -> None:
    search = client.search(collections=[COLLECTION], datetime=interval, limit=200)
    assert [item.id for item in search.items()] == expected_ids(
        catalog_items, lambda item: keep(_when(item))
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_paging_visits_every_match_once_in_order(
    client: Client, catalog_items: list[Item], method: str
) -> None:
    page_size = 7
    search = client.search(
        method=method, collections=[COLLECTION], bbox=LESSON_BBOX, datetime="2022", limit=page_size
    )
    pages = list(search.pages_as_dicts())
    expected = expected_ids(
        catalog_items,
        lambda item: _when(item).year == 2022 and in_lesson_bbox(item),
    )
    assert len(pages) == math.ceil(len(expected) / page_size)
    assert [f["id"] for page in pages for f in page["features"]] == expected
    assert all(page["numberMatched"] == len(expected) for page in pages)
    assert all(page["context"]["returned"] == len(page["features"]) for page in pages)


def test_max_items_stops_across_pages(client: Client, catalog_items: list[Item]) -> None:
    search = client.search(collections=[COLLECTION], limit=4, max_items=10)
    assert [item.id for item in search.items()] == expected_ids(catalog_items, lambda _: True)[:10]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sort_by_cloud_cover_ascending(
    client: Client, catalog_items: list[Item], method: str
) -> None:
    search = client.search(
        method=method,
        collections=[COLLECTION],
        datetime="2021",
        bbox=LESSON_BBOX,
        sortby=[{"field": "properties.eo:cloud_cover", "direction": "asc"}],
        limit=50,
    )
    found = [(item.properties["eo:cloud_cover"], item.id) for item in search.items()]
    expected = sorted(
        (item["properties"]["eo:cloud_cover"], item["id"])
        for item in catalog_items
        if _when(item).year == 2021 and in_lesson_bbox(item)
    )
    assert [cover for cover, _ in found] == [cover for cover, _ in expected]
    assert {item_id for _, item_id in found} == {item_id for _, item_id in expected}


def test_sort_descending_with_get_shorthand(api_url: str, catalog_items: list[Item]) -> None:
    response = requests.get(
        f"{api_url}/search",
        params={"sortby": "-eo:cloud_cover", "limit": 5, "collections": COLLECTION},
        timeout=10,
    )
    covers_found = [f["properties"]["eo:cloud_cover"] for f in response.json()["features"]]
    assert (
        covers_found
        == sorted((item["properties"]["eo:cloud_cover"] for item in catalog_items), reverse=True)[
            :5
        ]
    )


def test_fields_include_and_exclude(api_url: str) -> None:
    body = {
        "collections": [COLLECTION],
        "limit": 2,
        "fields": {"include": ["properties.eo:cloud_cover"], "exclude": ["properties"]},
    }
    features = requests.post(f"{api_url}/search", json=body, timeout=10).json()["features"]
    assert [set(f["properties"]) for f in features] == [{"eo:cloud_cover"}] * 2
    assert all("assets" not in f and "geometry" not in f for f in features)

    excluded = requests.get(
        f"{api_url}/search", params={"fields": "-assets,-links", "limit": 1}, timeout=10
    ).json()["features"][0]
    assert "assets" not in excluded and "links" not in excluded
    assert "eo:cloud_cover" in excluded["properties"]


def test_ids_search(client: Client, catalog_items: list[Item]) -> None:
    wanted = sorted(item["id"] for item in catalog_items)[::97]
    found = client.search(ids=wanted, collections=[COLLECTION])
    assert sorted(item.id for item in found.items()) == wanted


def test_items_endpoint_pages_through_the_collection(
    client: Client, catalog_items: list[Item]
) -> None:
    collection = client.get_collection(COLLECTION)
    found = [item.id for item in collection.get_items()]
    assert found == expected_ids(catalog_items, lambda _: True)
    single = collection.get_item(found[0])
    assert single is not None and single.id == found[0]


def test_items_carry_api_links_and_http_asset_hrefs(client: Client, api_url: str) -> None:
    item = next(client.search(collections=[COLLECTION], max_items=1).items())
    links = {link.rel: link.href for link in item.links}
    assert links["self"] == f"{api_url}/collections/{COLLECTION}/items/{item.id}"
    assert links["collection"] == f"{api_url}/collections/{COLLECTION}"
    root = api_url.removesuffix("/v1")
    assert item.assets["red"].href.startswith(f"{root}/files/sentinel-s2-l2a-cogs/31/")
    assert item.assets["red"].href.endswith(f"/{item.id}/B04.tif")
    assert item.properties["proj:code"] == "EPSG:32631"  # pystac turns proj:epsg into proj:code


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/collections/sentinel-s2-l2a-cogs", {}, 404, "sentinel-2-l2a"),
        ("/collections/sentinel-2-l2a/items/S2B_NOPE", {}, 404, "S2B_NOPE"),
        ("/search", {"bbox": "4.9,52.4,4.8"}, 400, "bbox"),
        ("/search", {"query": "eo:cloud_cover<5"}, 400, "query"),
        ("/search", {"query": json.dumps({"eo:cloud_cover": {"below": 5}})}, 400, "below"),
        ("/search", {"filter": "eo:cloud_cover <<< 5"}, 400, "filter"),
        ("/search", {"datetime": "2021-13-45"}, 400, "datetime"),
        ("/search", {"next": "garbage"}, 400, "token"),
    ],
)
def test_bad_requests_get_clear_client_errors(
    api_url: str, path: str, params: dict[str, str], status: int, words: str
) -> None:
    response = requests.get(f"{api_url}{path}", params=params, timeout=10)
    assert response.status_code == status
    assert words.lower() in response.text.lower()


#: The 16 rasters of a live sentinel-2-l2a item (tests/data's reference item lists them).
RASTER_KEYS = ("aot", "blue", "coastal", "green", "nir", "nir08", "nir09", "red", "rededge1",
               "rededge2", "rededge3", "scl", "swir16", "swir22", "visual", "wvp")  # fmt: skip


def test_the_lesson_search_meets_a_jp2_only_item(client: Client, api_url: str) -> None:
    """Episode 2's search finds an item with ESA's JPEG 2000 files only, as live since August
    2026 (Element84/earth-search#79), while the scenes episode 5 and a room read keep their COGs;
    keeping the items that have the asset is the way on."""
    from helpers.checkpoints import LESSON_SEARCH

    items = list(client.search(**LESSON_SEARCH).items())
    jp2_only = [item for item in items if "red" not in item.assets]
    assert jp2_only and all("red-jp2" in item.assets for item in jp2_only)
    for item in jp2_only:
        with pytest.raises(KeyError):
            item.assets["red"]  # what a learner's cell does
        assert item.assets["red-jp2"].href.startswith("s3://sentinel-s2-l2a/tiles/")
    on_31ufu = [item for item in items if item.properties["grid:code"] == "MGRS-31UFU"]
    assert any(item in jp2_only for item in on_31ufu[5:])
    assert all({"red", "visual", "nir", "scl"} <= set(item.assets) for item in on_31ufu[:5])
    kept = [item for item in items if "red" in item.assets]
    assert len(kept) == len(items) - len(jp2_only) and kept
    # Only the item's own JSON is at its prefix: no COG answers there (#79).
    twin = next(item for item in items if item.id == jp2_only[0].id.replace("_1_L2A", "_0_L2A"))
    missing = twin.assets["red"].href.replace(twin.id, jp2_only[0].id)
    assert requests.get(missing, timeout=30).status_code == 404


def test_jp2_only_items_have_the_shape_of_the_live_report(catalog_items: list[Item]) -> None:
    """#79: 19 assets, none a COG, all in ESA's sentinel-s2-l2a bucket; created (and updated)
    2026-08-17..19 by the regeneration; about 0.5 % of the collection."""
    jp2_only = [item for item in catalog_items if "red" not in item["assets"]]
    assert 0 < len(jp2_only) <= 0.01 * len(catalog_items)
    window = ("2026-08-17", "2026-08-20")
    for item in catalog_items:
        created = item["properties"]["created"]
        assert (window[0] <= created < window[1]) == (item in jp2_only), item["id"]
    expected_keys = {f"{key}-jp2" for key in RASTER_KEYS} | {
        "thumbnail", "granule_metadata", "tileinfo_metadata"
    }  # fmt: skip
    for item in jp2_only:
        assets, properties = item["assets"], item["properties"]
        assert len(assets) == 19 and set(assets) == expected_keys, item["id"]
        assert all(a["href"].startswith("s3://sentinel-s2-l2a/tiles/") for a in assets.values())
        assert not any(a["type"].startswith("image/tiff") for a in assets.values())
        assert assets["red-jp2"]["type"] == "image/jp2"
        assert assets["red-jp2"]["href"].endswith("/B04.jp2")
        assert properties["updated"] == properties["created"]
        assert properties["earthsearch:s3_path"].startswith("s3://sentinel-cogs/")
        assert properties["earthsearch:s3_path"].endswith(item["id"])
