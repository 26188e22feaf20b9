"""The test session cannot reach anything but this machine."""

from __future__ import annotations

import socket
import time

import pytest
import rasterio
import requests
from pytest_socket import SocketConnectBlockedError


def test_python_sockets_to_the_internet_are_blocked() -> None:
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("93.184.215.14", 80), timeout=2)


def test_http_clients_fail_fast_instead_of_reaching_out() -> None:
    with pytest.raises((SocketConnectBlockedError, requests.RequestException)):
        requests.get("https://earth-search.aws.element84.com/v1", timeout=5)


def test_gdal_cannot_reach_the_internet() -> None:
    started = time.monotonic()
    with pytest.raises(rasterio.errors.RasterioIOError):
        rasterio.open("https://sentinel-cogs.s3.us-west-2.amazonaws.com/sentinel-s2-l2a-cogs/x.tif")
    assert time.monotonic() - started < 10
