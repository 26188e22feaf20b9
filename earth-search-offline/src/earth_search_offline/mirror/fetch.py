"""Read a mirror's sources over HTTP: the search, whole files, and clipped windows of COGs.

Patient but bounded: pystac-client retries the answers that mean "try again" (429, 5xx) with
time limits, GDAL retries its range requests, and every answer is read within a size limit
(``safety``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rasterio
import requests
from pystac_client.stac_api_io import StacApiIO
from urllib3.util.retry import Retry

from ..archive.assets import cog_profile
from ..atomic import atomic_path
from ..errors import MirrorError
from .plan import MirrorRequest, _window
from .safety import bounded_chunks, bounded_json_hook, ending_pages

DOWNLOAD_CHUNK = 1 << 20
#: GDAL's options for reading remote COGs: few requests, retries and time limits.
GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_TIMEOUT": "60",
    "GDAL_HTTP_MAX_RETRY": "4",
    "GDAL_HTTP_RETRY_DELAY": "1",
}


@contextmanager
def remote_reading() -> Iterator[None]:
    """GDAL set up for reading the mirror's remote files (``GDAL_OPTIONS``)."""
    with rasterio.Env(**GDAL_OPTIONS):
        yield


def _patient_io() -> StacApiIO:
    """pystac-client's I/O with time limits and retries of passing failures (POST included)."""
    retry = Retry(
        total=4, connect=2, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None, raise_on_status=False,
    )  # fmt: skip
    stac_io = StacApiIO(timeout=(5, 60), max_retries=retry)
    stac_io.session.hooks["response"].append(bounded_json_hook())
    return stac_io


def search(request: MirrorRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the request's search: the item dicts and the collection's document."""
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    stac_io = _patient_io()
    try:
        client = Client.open(request.api_url, stac_io=stac_io, timeout=(5, 60))
        found = client.search(
            collections=[request.collection],
            bbox=request.bbox,
            datetime=request.datetime,
            query=request.query,
            max_items=request.max_items,
        )
        # The documents as the API sent them (pystac objects would update their extensions).
        items: list[dict[str, Any]] = []
        for page in ending_pages(found.pages_as_dicts(), request.api_url):
            items.extend(page.get("features", []))
            if request.max_items is not None and len(items) >= request.max_items:
                items = items[: request.max_items]
                break
        collection_url = f"{request.api_url.rstrip('/')}/collections/{request.collection}"
        return items, stac_io.read_json(collection_url)
    except (APIError, requests.RequestException) as error:
        raise MirrorError(
            f"Searching {request.api_url} failed: {error}. Check the API URL (--api) and the "
            "network; nothing was written."
        ) from error


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(DOWNLOAD_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(source: str, target: Path, session: requests.Session) -> None:
    with session.get(source, stream=True, timeout=(5, 60)) as response:
        if response.status_code != 200:
            raise MirrorError(
                f"Downloading {source} failed: HTTP {response.status_code}. "
                "Run the mirror again to retry; finished files are kept."
            )
        with atomic_path(target) as temporary, temporary.open("wb") as handle:
            for block in bounded_chunks(response, DOWNLOAD_CHUNK):
                handle.write(block)


def _clip(source: str, target: Path, bbox: tuple[float, ...]) -> dict[str, Any]:
    """Write the part of ``source`` inside ``bbox`` as a COG; return its grid metadata."""
    with rasterio.open(source) as dataset:
        window = _window(bbox, dataset.crs, dataset.transform, dataset.width, dataset.height)
        pixels = dataset.read(window=window)
        classes = dataset.count == 1 and dataset.dtypes[0] == "uint8"
        profile = cog_profile(
            pixels.shape[2], pixels.shape[1], dataset.count, dataset.dtypes[0], dataset.crs,
            dataset.window_transform(window), dataset.nodata,
            "nearest" if classes else "average",
        )  # fmt: skip
        descriptions = dataset.descriptions
    with atomic_path(target) as temporary, rasterio.open(temporary, "w", **profile) as output:
        output.write(pixels)
        for index, description in enumerate(descriptions, start=1):
            if description:
                output.set_band_description(index, description)
    transform = profile["transform"]
    west, north = transform * (0, 0)
    east, south = transform * (profile["width"], profile["height"])
    return {
        "proj:shape": [profile["height"], profile["width"]],
        "proj:transform": list(transform)[:6],
        "proj:bbox": [west, south, east, north],
    }
