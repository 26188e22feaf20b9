"""Network faults between the lesson and its servers, injected by a proxy on 127.0.0.1.

Each test asserts the outcome: the right data after recovery, or a clear error within a
bounded time. pystac-client uses ``helpers.network.retrying_io()``, GDAL the settings of
``helpers.gdal.configure()``: the policies of the notebooks' setup cell
(``tests/test_notebook_structure.py`` keeps them equal).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import rasterio
from fault_proxy import Corrupt, Delay, Drop, FaultProxy, Status, Truncate
from pystac_client import Client
from rasterio.errors import RasterioIOError
from rasterio.windows import Window

import helpers.gdal
from helpers.friendly import explain
from helpers.network import retrying_io
from helpers.places import AMSTERDAM

SEARCH = {
    "collections": ["sentinel-2-l2a"],
    "intersects": {"type": "Point", "coordinates": list(AMSTERDAM)},
    "datetime": "2021-07",
    "max_items": 5,
}
WINDOW = Window(1000, 1000, 64, 64)


@pytest.fixture
def proxy(session_server: Any) -> Iterator[FaultProxy]:
    with FaultProxy(session_server.root_url) as running:
        yield running


@pytest.fixture(scope="module")
def expected_ids(api_url: str) -> list[str]:
    return [item.id for item in Client.open(api_url).search(**SEARCH).items()]


@pytest.fixture(scope="module", autouse=True)
def gdal_settings() -> Iterator[None]:
    helpers.gdal.configure()
    yield


def _search_ids(proxy: FaultProxy, **io: Any) -> list[str]:
    client = Client.open(f"{proxy.url}/v1", stac_io=retrying_io(**io))
    return [item.id for item in client.search(**SEARCH).items()]


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_search_recovers_after_server_errors(
    proxy: FaultProxy, expected_ids: list[str], code: int
) -> None:
    proxy.plan(r"^/v1/search", [Status(code), Status(code)])
    assert _search_ids(proxy) == expected_ids
    assert proxy.requests_to(r"^/v1/search") == 3


def test_search_waits_as_429_retry_after_asks(proxy: FaultProxy, expected_ids: list[str]) -> None:
    proxy.plan(r"^/v1/search", [Status(429, {"Retry-After": "2"})])
    started = time.monotonic()
    assert _search_ids(proxy) == expected_ids
    assert time.monotonic() - started >= 2


def test_search_gives_up_clearly_when_errors_persist(proxy: FaultProxy) -> None:
    proxy.plan(r"^/v1/search", [Status(503)] * 10)
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        _search_ids(proxy, retries=2)
    assert time.monotonic() - started < 15
    message = explain(caught.value, {"api_url": f"{proxy.url}/v1"})
    assert message and "HTTP 503" in message and "make lab" in message


def test_slow_answer_times_out_instead_of_hanging(proxy: FaultProxy) -> None:
    proxy.plan(r"^/v1/search", [Delay(5)] * 3)
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        _search_ids(proxy, read_timeout=1, retries=1)
    assert time.monotonic() - started < 5
    assert "make lab" in explain(caught.value, {"api_url": f"{proxy.url}/v1"})


def test_dropped_connection_is_retried(proxy: FaultProxy, expected_ids: list[str]) -> None:
    proxy.plan(r"^/v1/search", [Drop()])
    assert _search_ids(proxy) == expected_ids


def test_api_down_fails_fast_with_the_offline_command() -> None:
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        Client.open("http://127.0.0.1:9/v1", stac_io=retrying_io())
    assert time.monotonic() - started < 5
    assert "make lab" in explain(caught.value, {"api_url": "http://127.0.0.1:9/v1"})


def _asset_href(proxy: FaultProxy, key: str, index: int) -> str:
    client = Client.open(f"{proxy.url}/v1")
    items = list(client.search(**SEARCH).items())
    return items[index].assets[key].href


def _direct(href: str, proxy: FaultProxy, api_url: str) -> np.ndarray:
    with rasterio.open(href.replace(proxy.url, api_url.removesuffix("/v1"))) as dataset:
        return dataset.read(1, window=WINDOW)


@pytest.mark.parametrize("code", [502, 503])
def test_cog_read_recovers_after_server_errors(proxy: FaultProxy, api_url: str, code: int) -> None:
    href = _asset_href(proxy, "red", 0)
    expected = _direct(href, proxy, api_url)
    proxy.plan(r"B04\.tif$", [Status(code), Status(code)])
    with rasterio.open(href) as dataset:
        np.testing.assert_array_equal(dataset.read(1, window=WINDOW), expected)
    assert proxy.requests_to(r"B04\.tif$") >= 3


def test_cog_read_recovers_after_429(proxy: FaultProxy, api_url: str) -> None:
    href = _asset_href(proxy, "nir", 0)
    expected = _direct(href, proxy, api_url)
    proxy.plan(r"B08\.tif$", [Status(429, {"Retry-After": "1"})])
    with rasterio.open(href) as dataset:
        np.testing.assert_array_equal(dataset.read(1, window=WINDOW), expected)


def test_missing_cog_is_a_clear_error(proxy: FaultProxy) -> None:
    href = _asset_href(proxy, "blue", 1)
    proxy.plan(r"B02\.tif$", [Status(404)] * 10)
    started = time.monotonic()
    with pytest.raises(RasterioIOError) as caught:
        rasterio.open(href)
    assert time.monotonic() - started < 10
    assert "404" in explain(caught.value)


@pytest.mark.parametrize("fault", [Truncate(200), Corrupt()], ids=["truncated", "corrupt"])
def test_damaged_cog_is_a_clear_error_within_bounded_time(proxy: FaultProxy, fault: Any) -> None:
    href = _asset_href(proxy, "green", 2 if isinstance(fault, Corrupt) else 3)
    proxy.plan(r"B03\.tif$", [fault] * 20)
    started = time.monotonic()
    with pytest.raises(RasterioIOError) as caught, rasterio.open(href) as dataset:
        dataset.read(1, window=WINDOW)
    assert time.monotonic() - started < 30
    assert explain(caught.value), f"no explanation for {caught.value}"


def test_cog_connection_dropped_mid_read(proxy: FaultProxy, api_url: str) -> None:
    href = _asset_href(proxy, "swir16", 0)
    expected = _direct(href, proxy, api_url)
    with rasterio.open(href) as dataset:  # the header arrives; the next range is cut
        proxy.plan(r"B11\.tif$", [Drop()])
        started = time.monotonic()
        try:
            pixels = dataset.read(1, window=WINDOW)
        except RasterioIOError as error:
            assert time.monotonic() - started < 30
            assert explain(error), f"no explanation for {error}"
        else:
            np.testing.assert_array_equal(pixels, expected)
