"""Hostile requests: none may crash the server, hold it, or get a 5xx; each gets a 400 or 413
that names the limit it broke (earth_search_offline/api/limits.py).

Before these limits, a CQL2 text filter nested 5,000 brackets deep ended the server process
(cql2's parser overflowed its stack), a CQL2 JSON filter nested 300 deep got a 500, and wide or
deep filters took seconds. They run against a server of this module's own.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from earth_search_offline.api import limits
from earth_search_offline.testing import OfflineServer

from helpers.places import AMSTERDAM

CLOUD = {"property": "eo:cloud_cover"}


def _equals(value: float) -> dict[str, Any]:
    return {"op": "=", "args": [CLOUD, value]}


def _nots(depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    for _ in range(depth):
        leaf = {"op": "not", "args": [leaf]}
    return leaf


def _polygon(vertices: int) -> dict[str, Any]:
    lon, lat = AMSTERDAM
    ring = [[lon + i * 1e-5, lat] for i in range(vertices - 2)] + [[lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(scope="module")
def server(private_server: OfflineServer) -> OfflineServer:
    return private_server


def _get(server: OfflineServer, **params: str) -> requests.Response:
    return requests.get(f"{server.api_url}/search", params=params, timeout=30)


def _post(server: OfflineServer, body: Any) -> requests.Response:
    return requests.post(f"{server.api_url}/search", json=body, timeout=30)


def _refused(response: requests.Response, status: int, *phrases: str) -> None:
    assert response.status_code == status, response.text[:300]
    description = response.json()["description"]
    for phrase in phrases:
        assert phrase in description, description


@pytest.fixture(autouse=True)
def still_answering(server: OfflineServer) -> Any:
    yield
    landing = requests.get(server.api_url, timeout=10)
    assert landing.status_code == 200, "the server must survive every request"


TEXT_CASES = {
    "5,000 nested brackets": "(" * 5000 + '"eo:cloud_cover" < 5' + ")" * 5000,
    "2,400 NOTs in a row": "NOT " * 2400 + '"eo:cloud_cover" < 5',
    "an AND of 2,000 terms": " AND ".join(["a=1"] * 2000),
    "a sum of 2,400 terms": "a" + " + a" * 2400 + " = 1",
    "20,000 characters": "a=1 OR " * 2900 + "a=1",
}


@pytest.mark.parametrize("text", TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_text_filters_that_would_crash_the_parser_get_a_400(
    server: OfflineServer, text: str
) -> None:
    response = _get(server, **{"filter-lang": "cql2-text", "filter": text})
    _refused(response, 400, "the limit is")


def test_deep_json_filters_get_a_400_not_a_500(server: OfflineServer) -> None:
    for depth in (300, 100):
        started = time.perf_counter()
        response = _post(server, {"filter-lang": "cql2-json", "filter": _nots(depth, _equals(1))})
        _refused(response, 400, f"the limit is {limits.MAX_JSON_NESTING}")
        assert time.perf_counter() - started < 2
    response = _post(server, {"filter": _nots(limits.MAX_FILTER_DEPTH, _equals(1))})
    _refused(response, 400, f"the limit is {limits.MAX_FILTER_DEPTH}")


def test_a_deep_json_filter_in_a_get_request_gets_a_400(server: OfflineServer) -> None:
    import json

    text = json.dumps(_nots(300, _equals(1)))
    response = _get(server, **{"filter-lang": "cql2-json", "filter": text})
    _refused(response, 400, "the limit is")


def test_a_wide_filter_gets_a_400(server: OfflineServer) -> None:
    wide = {"op": "or", "args": [_equals(value) for value in range(5000)]}
    _refused(_post(server, {"filter": wide}), 400, f"the limit is {limits.MAX_FILTER_TERMS}", "in")


def test_long_lists_and_large_geometries_get_a_400(server: OfflineServer) -> None:
    _refused(_post(server, {"ids": [f"S2B_{i}" for i in range(5000)]}), 400, "ids lists 5,000")
    _refused(_post(server, {"collections": ["x"] * 500}), 400, "collections lists 500")
    _refused(_post(server, {"intersects": _polygon(20_000)}), 400, "intersects has 20,000")
    in_filter = {"op": "s_intersects", "args": [{"property": "geometry"}, _polygon(1000)]}
    _refused(_post(server, {"filter": in_filter}), 400, "filter has 1,000 vertices")


def test_a_deeply_nested_body_gets_a_400(server: OfflineServer) -> None:
    body = '{"intersects": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = requests.post(
        f"{server.api_url}/search", data=body, timeout=30,
        headers={"content-type": "application/json"},
    )  # fmt: skip
    _refused(response, 400, f"the limit is {limits.MAX_JSON_NESTING}")


def test_the_widest_accepted_filter_still_gives_the_right_answer(server: OfflineServer) -> None:
    values = [float(value) for value in range(limits.MAX_FILTER_TERMS - 1)]
    wide = {"op": "or", "args": [_equals(value) for value in values]}
    as_in = {"op": "in", "args": [CLOUD, values]}
    deep = _nots(limits.MAX_FILTER_DEPTH - 1, {"op": "<", "args": [CLOUD, 5]})  # odd: "not <5"
    wide_matched = _post(server, {"filter": wide}).json()["numberMatched"]
    assert wide_matched == _post(server, {"filter": as_in}).json()["numberMatched"]
    deep_matched = _post(server, {"filter": deep}).json()["numberMatched"]
    at_least_5 = {"op": ">=", "args": [CLOUD, 5]}
    assert deep_matched == _post(server, {"filter": at_least_5}).json()["numberMatched"] > 0
