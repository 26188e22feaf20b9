"""GDAL settings for reading Cloud Optimized GeoTIFFs over HTTP, each one explained.

rasterio and rioxarray read remote files through GDAL's ``/vsicurl/`` driver. These
environment variables make that efficient (few, small requests) and robust (retries and
timeouts instead of hanging). ``configure()`` sets them once for the whole Python session; the
notebooks' setup cell calls it through ``helpers.lesson.setup()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """One GDAL configuration option: its value and why the lesson uses it."""

    name: str
    value: str
    why: str


SETTINGS: tuple[Setting, ...] = (
    Setting("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR",
            "don't list the remote folder looking for sidecar files (saves a request per file)"),
    Setting("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".tif,.tiff,.jpg,.jpeg,.png,.xml,.json",
            "only treat URLs with these endings as files"),
    Setting("GDAL_HTTP_MERGE_CONSECUTIVE_RANGES", "YES",
            "fetch neighbouring tiles in one request instead of one request each"),
    Setting("GDAL_HTTP_MULTIPLEX", "YES",
            "send several requests over one HTTP/2 connection when the server allows it"),
    Setting("VSI_CACHE", "TRUE",
            "keep recently read blocks in memory: reading the same area twice is free"),
    Setting("GDAL_HTTP_TIMEOUT", "30",
            "give up on a request after 30 s instead of waiting forever"),
    Setting("GDAL_HTTP_MAX_RETRY", "3",
            "retry a request that failed for a passing reason (429, 502, 503, 504)"),
    Setting("GDAL_HTTP_RETRY_DELAY", "1",
            "wait 1 s before the first retry (GDAL doubles the wait each time)"),
)  # fmt: skip


def configure(overwrite: bool = False) -> dict[str, str]:
    """Set the lesson's GDAL options as environment variables and return what is in force.

    Values already set in the environment are kept unless ``overwrite`` is true, so an
    instructor can change one setting before starting Jupyter.
    """
    for setting in SETTINGS:
        if overwrite or setting.name not in os.environ:
            os.environ[setting.name] = setting.value
    return {setting.name: os.environ[setting.name] for setting in SETTINGS}
