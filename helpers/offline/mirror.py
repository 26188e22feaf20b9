"""Mirror a STAC API search into a local static catalog: an offline kit of real imagery.

``mirror()`` runs a search (on Earth Search, or any STAC API), then writes, in the layout the
offline server serves (``python -m helpers.offline serve --catalog DIR``):

- each asset chosen, clipped to the area (a windowed read over HTTP, written as a COG with
  overviews) or copied whole; each item's thumbnail, copied whole;
- the item documents, with asset hrefs made relative to the item's folder (the server turns them
  into its own URLs) and the clipped assets' grid (``proj:shape``, ``proj:transform``) updated;
- ``collection.json`` and ``catalog.json``, listing every item mirrored so far into the folder;
- ``mirror-manifest.json``: the request, and for every file its size, SHA-256 and source.

Every file is written to a temporary name and renamed when complete. A second run with the same
folder skips the files whose size and checksum match the manifest and fetches the others again,
so an interrupted mirror resumes and a damaged file is replaced.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import math
import posixpath
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import rasterio
import requests
from rasterio.errors import RasterioIOError
from rasterio.warp import transform_bounds
from rasterio.windows import Window, from_bounds
from shapely.geometry import box, mapping, shape

from ..earth_search import LIVE_API_URL
from ..errors import MirrorError
from ..places import KIT_BBOX
from ..saving import PARTIAL_MARK, atomic_path
from .assets import cog_profile
from .catalog import CATALOG_FILE, MARKER_FILE, write_json
from .mirror_safety import (
    bounded_chunks,
    bounded_json_hook,
    ending_pages,
    fetchable,
    inside,
    safe_name,
    safe_relative,
)

MANIFEST_FILE = "mirror-manifest.json"
LESSON_API = LIVE_API_URL
#: The lesson's defaults: an area holding episodes 2-5's point buffer and episode 6's box,
#: the dates of episodes 2, 5 and 6, and the cloud limit of episode 6 (episode 2's is lower).
LESSON_BBOX = KIT_BBOX
LESSON_DATETIME = "2021-01-01/2022-08-31"
LESSON_QUERY = {"eo:cloud_cover": {"lt": 20}}
LESSON_ASSETS = ("red", "nir", "scl", "visual")
DOWNLOAD_CHUNK = 1 << 20


@dataclass(frozen=True)
class MirrorRequest:
    """What to mirror: a search and the assets to keep of each item."""

    api_url: str = LESSON_API
    collection: str = "sentinel-2-l2a"
    bbox: tuple[float, float, float, float] = LESSON_BBOX
    datetime: str | None = LESSON_DATETIME
    query: dict[str, Any] | list[str] | None = field(default_factory=lambda: dict(LESSON_QUERY))
    assets: tuple[str, ...] = LESSON_ASSETS
    whole: bool = False
    max_items: int | None = None

    def __post_init__(self) -> None:
        west, south, east, north = self.bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise MirrorError(
                f"bbox {self.bbox} is not (min lon, min lat, max lon, max lat) in degrees with "
                "min < max; for Amsterdam try 4.84 52.32 4.96 52.42."
            )
        if not self.assets:
            raise MirrorError("No asset keys given; the lesson uses: red nir scl visual.")


@dataclass(frozen=True)
class FileTask:
    """One file of the mirror: where it comes from and how."""

    item_id: str
    key: str
    source: str
    relative: str  # path inside the mirror folder
    mode: str  # "clip" or "copy"
    estimate: int  # bytes, before compression for clips


@dataclass
class MirrorReport:
    """What a mirror run did: files fetched and skipped, bytes estimated and on disk."""

    items: int
    fetched: list[str]
    skipped: list[str]
    bytes_total: int
    estimate: int = 0


def _item_folder(item: dict[str, Any], collection: str) -> str:
    """Earth Search's folder of the item (from ``earthsearch:s3_path``), else collection/id;
    made of safe names only (``mirror_safety``), whatever the remote sent."""
    item_id = str(item.get("id"))
    safe_name(item_id, "id", item_id)
    s3_path = item.get("properties", {}).get("earthsearch:s3_path")
    if isinstance(s3_path, str) and s3_path.startswith("s3://"):
        folder = s3_path.removeprefix("s3://").rstrip("/").split("/")[1:]  # after the bucket
        return safe_relative(folder, "earthsearch:s3_path folder", item_id)
    return safe_relative([collection, item_id], "folder", item_id)


def _file_name(href: str, item_id: str) -> str:
    return safe_name(posixpath.basename(urlparse(href).path), "asset file name", item_id)


def _window(
    bbox: tuple[float, ...], crs: Any, transform: rasterio.Affine, width: int, height: int
) -> Window:
    """The whole pixels of a grid that ``bbox`` (degrees) touches, inside the grid."""
    exact = from_bounds(*transform_bounds("EPSG:4326", crs, *bbox, densify_pts=21), transform)
    tolerance = 1e-6  # bounds on pixel edges must not pull in a neighbouring pixel
    col = max(0, math.floor(exact.col_off + tolerance))
    row = max(0, math.floor(exact.row_off + tolerance))
    col_end = min(width, math.ceil(exact.col_off + exact.width - tolerance))
    row_end = min(height, math.ceil(exact.row_off + exact.height - tolerance))
    return Window(col, row, max(0, col_end - col), max(0, row_end - row))


def _clip_window(asset: dict[str, Any], bbox: tuple[float, ...], crs: str) -> Window | None:
    """The pixel window of ``bbox`` (degrees) in an asset's grid, from its proj metadata."""
    shape_ = asset.get("proj:shape")
    transform = asset.get("proj:transform")
    if not shape_ or not transform:
        return None
    return _window(bbox, crs, rasterio.Affine(*transform[:6]), shape_[1], shape_[0])


def _item_crs(item: dict[str, Any]) -> str | None:
    properties = item["properties"]
    if properties.get("proj:code"):
        return properties["proj:code"]
    if properties.get("proj:epsg"):
        return f"EPSG:{properties['proj:epsg']}"
    return None


def _estimate(asset: dict[str, Any], window: Window | None) -> int:
    # Earth Search's true colour asset has no raster:bands: 3 eo:bands of uint8.
    bands = asset.get("raster:bands") or [{} for _ in asset.get("eo:bands") or [{}]]
    size = sum(np.dtype(band.get("data_type", "uint8")).itemsize for band in bands)
    if window is not None:
        return int(window.width * window.height * size)
    shape_ = asset.get("proj:shape")
    return int(shape_[0] * shape_[1] * size) if shape_ else 0


def plan(request: MirrorRequest, items: Iterable[dict[str, Any]]) -> list[FileTask]:
    """The files to write for ``items``: chosen assets (clipped or whole) and thumbnails."""
    tasks = []
    for item in items:
        folder = _item_folder(item, request.collection)
        missing = [key for key in request.assets if key not in item["assets"]]
        if missing:
            raise MirrorError(
                f"Item {item['id']} has no asset {missing[0]!r}. Its assets: "
                f"{', '.join(sorted(item['assets']))}. Choose asset keys from that list."
            )
        keys = [*request.assets, *(["thumbnail"] if "thumbnail" in item["assets"] else [])]
        crs = _item_crs(item)
        for key in dict.fromkeys(keys):
            asset = item["assets"][key]
            fetchable(asset["href"], item["id"], key)
            raster = asset.get("type", "").startswith(("image/tiff", "image/jp2"))
            clip = raster and not request.whole and crs is not None
            window = _clip_window(asset, request.bbox, crs) if clip else None
            if clip and window is not None and (window.width <= 0 or window.height <= 0):
                raise MirrorError(f"{item['id']}: asset {key!r} does not overlap the area.")
            tasks.append(
                FileTask(
                    item_id=item["id"],
                    key=key,
                    source=asset["href"],
                    relative=f"{folder}/{_file_name(asset['href'], item['id'])}",
                    mode="clip" if clip else "copy",
                    estimate=_estimate(asset, window),
                )
            )
    return tasks


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


class Manifest:
    """``mirror-manifest.json``: every finished file with its size and SHA-256."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_FILE
        self.data: dict[str, Any] = {"requests": [], "files": {}, "items": {}}
        if self.path.is_file():
            # A damaged manifest is dropped: every file is then fetched again.
            with contextlib.suppress(ValueError):
                self.data = json.loads(self.path.read_text(encoding="utf-8"))

    def is_complete(self, folder: Path, relative: str) -> bool:
        entry = self.data["files"].get(relative)
        path = folder / relative
        if entry is None or not path.is_file() or path.stat().st_size != entry["size"]:
            return False
        return sha256_of(path) == entry["sha256"]

    def record(self, folder: Path, task: FileTask, grid: dict[str, Any] | None) -> None:
        path = folder / task.relative
        self.data["files"][task.relative] = {
            "size": path.stat().st_size,
            "sha256": sha256_of(path),
            "source": task.source,
            "mode": task.mode,
            **({"grid": grid} if grid else {}),
        }
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)


def _local_item(
    item: dict[str, Any], tasks: list[FileTask], manifest: Manifest, request: MirrorRequest
) -> dict[str, Any]:
    local = copy.deepcopy(item)
    # Links inside the kit, relative to the item's folder, as in any static catalog (the STAC
    # item schema wants a "collection" link where the item names its collection).
    depth = "/".join([".."] * (_item_folder(item, request.collection).count("/") + 1))
    collection_file = f"{depth}/{request.collection}/collection.json"
    local["links"] = [
        {"rel": "root", "href": f"{depth}/{CATALOG_FILE}", "type": "application/json"},
        {"rel": "parent", "href": collection_file, "type": "application/json"},
        {"rel": "collection", "href": collection_file, "type": "application/json"},
    ]
    kept = {task.key: task for task in tasks if task.item_id == item["id"]}
    local["assets"] = {}
    for key, task in kept.items():
        asset = dict(item["assets"][key])
        entry = manifest.data["files"][task.relative]
        asset["href"] = f"./{posixpath.basename(task.relative)}"
        asset.update(entry.get("grid", {}))
        # Facts about the remote file that no longer hold for the local one.
        asset.pop("alternate", None)
        asset.pop("file:checksum", None)
        if "file:size" in asset:
            asset["file:size"] = entry["size"]
        local["assets"][key] = asset
    if any(task.mode == "clip" for task in kept.values()):
        area = shape(item["geometry"]).intersection(box(*request.bbox))
        local["geometry"] = mapping(area)
        local["bbox"] = list(area.bounds)
    return local


def _write_catalog(folder: Path, collection: dict[str, Any], manifest: Manifest) -> None:
    items = {
        item_id: json.loads((folder / relative).read_text(encoding="utf-8"))
        for item_id, relative in sorted(manifest.data["items"].items())
    }
    boxes = np.array([item["bbox"] for item in items.values()])
    times = sorted(item["properties"]["datetime"] for item in items.values())
    document = {key: value for key, value in collection.items() if key != "links"}
    document["extent"] = {
        "spatial": {"bbox": [[*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0)]]},
        "temporal": {"interval": [[times[0], times[-1]]]},
    }
    collection_file = f"{collection['id']}/collection.json"
    document["links"] = [
        {"rel": "root", "href": f"../{CATALOG_FILE}", "type": "application/json"},
        {"rel": "parent", "href": f"../{CATALOG_FILE}", "type": "application/json"},
        *(
            {"rel": "item", "href": f"../{relative}", "type": "application/geo+json"}
            for relative in sorted(manifest.data["items"].values())
        ),
    ]
    write_json(folder / collection_file, document)
    write_json(
        folder / CATALOG_FILE,
        {
            "type": "Catalog",
            "id": "earth-search-mirror",
            "stac_version": collection.get("stac_version", "1.0.0"),
            "description": f"Offline mirror of {collection['id']} searches (see {MANIFEST_FILE}).",
            "links": [
                {"rel": "root", "href": f"./{CATALOG_FILE}", "type": "application/json"},
                {"rel": "child", "href": f"./{collection_file}", "type": "application/json"},
            ],
        },
    )


def search(request: MirrorRequest) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run the request's search: the item dicts and the collection's document."""
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    from ..network import retrying_io

    stac_io = retrying_io()
    stac_io.session.hooks["response"].append(bounded_json_hook())
    try:
        client = Client.open(request.api_url, stac_io=stac_io)
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


def mirror(
    request: MirrorRequest,
    folder: Path,
    progress: Callable[[Iterable[FileTask], int], Iterable[FileTask]] | None = None,
    dry_run: bool = False,
) -> MirrorReport:
    """Mirror ``request`` into ``folder`` (created if needed); see the module docstring."""
    import helpers.gdal

    folder = Path(folder)
    if (folder / MARKER_FILE).is_file():
        raise MirrorError(
            f"{folder} holds the generated synthetic catalog; mirror into another folder, "
            "e.g. --output data/offline-kit."
        )
    helpers.gdal.configure()
    items, collection = search(request)
    if not items:
        raise MirrorError(
            f"The search matched no items ({request.collection}, bbox {request.bbox}, "
            f"datetime {request.datetime}, query {request.query}): nothing to mirror. "
            "Widen the dates or the cloud limit."
        )
    tasks = plan(request, items)
    estimate = sum(task.estimate for task in tasks)
    print(
        f"{len(items)} items, {len(tasks)} files, about {estimate / 1e6:.0f} MB before "
        f"compression -> {folder}",
        flush=True,
    )
    report = MirrorReport(len(items), fetched=[], skipped=[], bytes_total=0, estimate=estimate)
    if dry_run:
        return report
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.rglob(f".*{PARTIAL_MARK}*"):  # from a mirror killed mid-file
        leftover.unlink()
    manifest = Manifest(folder)
    mirrored = manifest.data.setdefault("collection", request.collection)
    if mirrored != request.collection:
        raise MirrorError(
            f"{folder} already mirrors collection {mirrored!r}; mirror {request.collection!r} "
            "into another folder."
        )
    manifest.data["requests"].append({**asdict(request), "bbox": list(request.bbox)})
    manifest.save()
    session = requests.Session()
    chosen = progress(tasks, estimate) if progress else tasks
    for task in chosen:
        if manifest.is_complete(folder, task.relative):
            report.skipped.append(task.relative)
            continue
        target = inside(folder, task.relative, task.item_id)
        try:
            if task.mode == "clip":
                grid = _clip(task.source, target, request.bbox)
            else:
                _copy(task.source, target, session)
                grid = None
        except (RasterioIOError, requests.RequestException) as error:
            raise MirrorError(
                f"Fetching {task.source} failed: {error}. The {len(report.fetched)} files "
                "finished in this run are kept: run the same command again to resume."
            ) from error
        manifest.record(folder, task, grid)
        report.fetched.append(task.relative)
    for item in items:
        relative = f"{_item_folder(item, request.collection)}/{item['id']}.json"
        local_item = _local_item(item, tasks, manifest, request)
        write_json(inside(folder, relative, item["id"]), local_item)
        manifest.data["items"][item["id"]] = relative
    manifest.save()
    _write_catalog(folder, collection, manifest)
    report.bytes_total = sum(entry["size"] for entry in manifest.data["files"].values())
    return report


def progress_bar(tasks: Iterable[FileTask], estimate: int) -> Iterable[FileTask]:
    """A tqdm progress bar over the files, sized by their estimated bytes."""
    from tqdm import tqdm

    tasks = list(tasks)
    with tqdm(total=estimate, unit="B", unit_scale=True, file=sys.stderr) as bar:
        for task in tasks:
            bar.set_postfix_str(f"{task.item_id} {task.key}", refresh=False)
            yield task
            bar.update(task.estimate)
