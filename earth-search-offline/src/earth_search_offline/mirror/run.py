"""Mirror a STAC API search into a local static catalog: an offline kit of real imagery.

``mirror()`` runs a search (on Earth Search, or any STAC API), then writes, in the layout the
offline server serves (``earth-search-offline serve --catalog DIR``):

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

import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests
from rasterio.errors import RasterioIOError

from ..archive.generate import MARKER_FILE
from ..atomic import PARTIAL_MARK
from ..errors import MirrorError
from ..static_catalog import write_json
from .fetch import _clip, _copy, remote_reading, search
from .plan import FileTask, MirrorRequest, local_folder, plan, with_assets
from .safety import inside
from .write import Manifest, _local_item, _write_catalog


@dataclass
class MirrorReport:
    """What a mirror run did: files fetched and skipped, bytes estimated and on disk."""

    items: int
    fetched: list[str]
    skipped: list[str]
    bytes_total: int
    estimate: int = 0
    #: Items of the search without every asset asked for, not mirrored (``plan.with_assets``).
    left_out: list[str] = field(default_factory=list)


def mirror(
    request: MirrorRequest,
    folder: Path,
    progress: Callable[[Iterable[FileTask], int], Iterable[FileTask]] | None = None,
    dry_run: bool = False,
) -> MirrorReport:
    """Mirror ``request`` into ``folder`` (created if needed); see the module docstring."""
    folder = Path(folder)
    if (folder / MARKER_FILE).is_file():
        raise MirrorError(
            f"{folder} holds the generated synthetic catalog; mirror into another folder, "
            "e.g. --output data/offline-kit."
        )
    items, collection = search(request)
    if not items:
        raise MirrorError(
            f"The search matched no items ({request.collection}, bbox {request.bbox}, "
            f"datetime {request.datetime}, query {request.query}): nothing to mirror. "
            "Widen the dates or the cloud limit."
        )
    items, left_out = with_assets(request, items)
    if left_out:
        print(
            f"Left out {len(left_out)} items without the assets {', '.join(request.assets)} "
            f"(Earth Search has such items, e.g. JP2-only ones): {', '.join(left_out)}",
            flush=True,
        )
    tasks = plan(request, items)
    estimate = sum(task.estimate for task in tasks)
    print(
        f"{len(items)} items, {len(tasks)} files, about {estimate / 1e6:.0f} MB before "
        f"compression -> {folder}",
        flush=True,
    )
    report = MirrorReport(len(items), fetched=[], skipped=[], bytes_total=0, estimate=estimate,
                          left_out=left_out)  # fmt: skip
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
    chosen = progress(tasks, estimate) if progress else tasks
    with remote_reading():
        _fetch_files(chosen, folder, manifest, report, request)
    for item in items:
        relative = f"{local_folder(item)}/{item['id']}.json"
        local_item = _local_item(item, tasks, manifest, request)
        write_json(inside(folder, relative, item["id"]), local_item)
        manifest.data["items"][item["id"]] = relative
    manifest.save()
    _write_catalog(folder, collection, manifest)
    report.bytes_total = sum(entry["size"] for entry in manifest.data["files"].values())
    return report


def _fetch_files(
    tasks: Iterable[FileTask],
    folder: Path,
    manifest: Manifest,
    report: MirrorReport,
    request: MirrorRequest,
) -> None:
    """Fetch each task's file unless the manifest has it complete; record it when written."""
    session = requests.Session()
    for task in tasks:
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


def progress_bar(tasks: Iterable[FileTask], estimate: int) -> Iterable[FileTask]:
    """A tqdm progress bar over the files, sized by their estimated bytes."""
    from tqdm import tqdm

    tasks = list(tasks)
    with tqdm(total=estimate, unit="B", unit_scale=True, file=sys.stderr) as bar:
        for task in tasks:
            bar.set_postfix_str(f"{task.item_id} {task.key}", refresh=False)
            yield task
            bar.update(task.estimate)
