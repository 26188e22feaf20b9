"""The notebooks' setup: ``setup()`` turns on what every episode relies on, in one call.

- one-line explanations for common mistakes (``helpers.friendly.install``);
- patient network requests: ``Client.open(api_url)`` gets a time limit and retries
  (``helpers.network``), as ``Client.open(api_url, stac_io=..., timeout=...)`` would at home;
- GDAL's settings for reading images over HTTP (``helpers.gdal``);
- whole metres on map axes (no "1e6" offset): matplotlib reads ``helpers/matplotlibrc``.

Episode 1's optional part shows the plain pystac-client, urllib3 and GDAL code behind it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pystac_client.client
from earth_search_offline.earth_search import LIVE_API_URL

from . import friendly, gdal
from .live_check import current_freshness
from .network import CONNECT_TIMEOUT, READ_TIMEOUT, RetryingStacApiIO, retry_policy

#: matplotlib settings for maps in metres: 5,804,000 printed whole, not as 5.804 with 1e6 above.
MAP_STYLE = {"axes.formatter.useoffset": False, "axes.formatter.limits": [-9, 9]}
#: The same settings as a matplotlib settings file (read when matplotlib is first imported).
MATPLOTLIBRC = Path(__file__).with_name("matplotlibrc")


class PatientStacApiIO(RetryingStacApiIO):
    """What ``Client.open`` builds when it is given no ``stac_io``: limits and retries on."""

    def __init__(self, timeout: Any = None, max_retries: Any = None, **kwargs: Any) -> None:
        super().__init__(
            timeout=timeout if timeout is not None else (CONNECT_TIMEOUT, READ_TIMEOUT),
            max_retries=max_retries if max_retries is not None else retry_policy(),
            **kwargs,
        )


def setup(api_url: str, collection_id: str) -> None:
    """Turn on the lesson's conveniences for this Python session (safe to call twice), and say
    which API and collection the episode uses (on the live Earth Search, also when the lesson
    was last checked against it)."""
    friendly.install()
    gdal.configure()
    pystac_client.client.StacApiIO = PatientStacApiIO  # type: ignore[misc,assignment]
    if "matplotlib" in sys.modules:  # imported already: its settings are read
        sys.modules["matplotlib"].rcParams.update(MAP_STYLE)
    else:  # not imported yet (and the setup stays light): a learner's own MATPLOTLIBRC wins
        os.environ.setdefault("MATPLOTLIBRC", str(MATPLOTLIBRC))
    print("STAC API:", api_url, "| collection:", collection_id)
    if api_url.rstrip("/") == LIVE_API_URL.rstrip("/"):
        print(current_freshness())
