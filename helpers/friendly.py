"""One-line explanations for the errors learners meet in this lesson.

``install()`` registers a handler with IPython: for a known mistake it prints what went wrong
and what to do, plus the original error in one line, instead of a long traceback. Anything
else shows IPython's usual traceback. ``explain(error)`` gives the same text without IPython.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from earth_search_offline.earth_search import ASSET_FILES
from earth_search_offline.settings import DEFAULT_API_URL

from .places import CLIP_BOX_UTM
from .saving import OutputPathError

#: Earth Search v0 asset keys were the file names (B04, SCL, TCI...); v1 keys are names.
V0_ASSET_KEYS = {
    **{
        name.removesuffix(".tif"): key for key, name in ASSET_FILES.items() if name.endswith(".tif")
    },
    "overview": "visual",
    "info": "tileinfo_metadata",
    "metadata": "granule_metadata",
}
V1_ASSET_KEYS = sorted(ASSET_FILES)
V1_JP2_KEYS = {f"{key}-jp2" for key, name in ASSET_FILES.items() if name.endswith(".tif")}
#: The names the notebooks give their variables: a NameError for one means a cell was skipped.
LESSON_NAMES = (
    "api_url", "client", "search", "items", "item", "point", "bbox", "visual", "visual_clip",
    "red", "nir", "ndvi", "scl", "box_utm", "collection", "catalog", "cube", "monthly", "clear",
    "series", "composite",
)  # fmt: skip
OFFLINE_COMMAND = (
    "To work offline, stop JupyterLab and run `make lab` in the lesson folder (it starts the "
    f"offline catalog on {DEFAULT_API_URL} and sets STAC_API_URL)."
)

Explainer = Callable[[BaseException, Mapping[str, Any]], str | None]


def _api_description(text: str) -> str | None:
    """The human part of a STAC API error body (``description`` or pydantic ``detail``)."""
    try:
        body = json.loads(text)
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("description"):
        return str(body["description"])
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        where = ".".join(str(part) for part in first.get("loc", [])[1:])
        return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))
    return None


def _unreachable(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    text = f"{type(error).__name__}: {error}"
    patterns = ("Connection refused", "Max retries exceeded", "NameResolutionError",
                "Failed to resolve", "timed out", "Couldn't connect", "Could not resolve",
                "ConnectTimeout", "ReadTimeout", "Connection aborted")  # fmt: skip
    if not any(pattern in text for pattern in patterns):
        return None
    url = namespace.get("api_url") or os.environ.get("STAC_API_URL") or "the STAC API"
    return f"Cannot reach {url} (no answer from the server or the network). {OFFLINE_COMMAND}"


def _api_error(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if type(error).__name__ != "APIError":
        return None
    description = _api_description(str(error))
    if description is None:
        return None
    # stac-fastapi words a reversed range "cannot be before", which reads backwards
    if "Invalid RFC3339 datetime" in description or "cannot be before end" in description:
        return (
            "The API refused the datetime. Write ISO dates, earlier first: "
            "'2021-01-01/2021-12-31', '2021', or '2021-06-01T00:00:00Z/..'."
        )
    status = getattr(error, "status_code", None)
    if status is not None and status >= 500:
        return (
            f"The STAC API had a server error (HTTP {status}) and did not recover after "
            f"several tries. Try again in a minute. {OFFLINE_COMMAND}"
        )
    return f"The STAC API refused the request{f' (HTTP {status})' if status else ''}: {description}"


def _asset_key(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if not isinstance(error, KeyError) or not error.args:
        return None
    key = str(error.args[0])
    if key in V0_ASSET_KEYS:
        return (
            f"{key!r} is an Earth Search v0 asset name. In v1 (this lesson) use "
            f"item.assets[{V0_ASSET_KEYS[key]!r}]."
        )
    lowered = key.lower()
    if lowered in V1_ASSET_KEYS and key != lowered:
        return f"Asset keys are lower case: use item.assets[{lowered!r}]."
    if key in V1_ASSET_KEYS:  # a real key that the item lacks: the archive has such items
        lacking = [v for v in namespace.values() if type(v).__name__ == "Item"]
        lacking = [item for item in lacking if key not in item.assets]
        jp2 = f"{key}-jp2"
        if any(jp2 in item.assets for item in lacking) or (not lacking and jp2 in V1_JP2_KEYS):
            why = (f"this item has only JP2 copies of the bands (Element84/earth-search#79; "
                   f"{jp2!r} lies in ESA's requester-pays bucket: an AWS account)")  # fmt: skip
        else:
            why = "this item lacks most of its files (Element84/earth-search#36)"
        return (f"No asset {key!r}: {why}. Keep the items that have it: "
                f"items = [item for item in items if {key!r} in item.assets]")  # fmt: skip
    if re.fullmatch(r"[a-z0-9_-]+", lowered) and any(
        type(value).__name__ == "Item" for value in namespace.values()
    ):
        return (
            f"No asset or property {key!r}. Print list(item.assets) to see the asset "
            "keys, or list(item.properties) for the properties."
        )
    return None


def _cube_band(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """odc.stac.load(bands=[...]) takes asset keys; v0 file names are not among them."""
    match = re.fullmatch(r"No such band/alias: (\S+)", str(error))
    if not isinstance(error, ValueError) or not match:
        return None
    band = match.group(1)
    if band in V0_ASSET_KEYS:
        return (
            f"{band!r} is an Earth Search v0 name. odc.stac.load takes v1 asset keys: "
            f"bands=[{V0_ASSET_KEYS[band]!r}, ...]."
        )
    return (
        f"No asset {band!r} in these items. odc.stac.load takes asset keys such as "
        "'red', 'nir' and 'scl' (see item.assets)."
    )


def _client_query_format(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    text = str(error)
    if "Unsupported query format" in text:
        return (
            'query must be a list of strings such as ["eo:cloud_cover<5"], or a dict such as '
            '{"eo:cloud_cover": {"lt": 5}}; a plain string is not accepted.'
        )
    if "datetime components" in text or ("Unable to parse" in text and "datetime" in text):
        return (
            "datetime must be ISO 8601: '2021-01-01/2021-12-31' for a range, '2021' for a "
            "year, '2021-06' for a month; not '12/31/2021'."
        )
    return None


def _no_data_in_bounds(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if type(error).__name__ != "NoDataInBounds":
        return None
    return (
        "The box does not overlap the image. Give its corners in the image's CRS "
        "(image.rio.crs: metres for Sentinel-2, e.g. "
        f"minx={CLIP_BOX_UTM[0]}, miny={CLIP_BOX_UTM[1]}), inside image.rio.bounds(); "
        "degrees of longitude/latitude do not work here."
    )


def _remote_file(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if type(error).__name__ not in ("RasterioIOError", "URLError", "HTTPError"):
        return None
    text = str(error)
    if "404" in text or "Not Found" in text or "does not exist" in text:
        return (
            "The file is not at that address (HTTP 404). Take the href from the item's "
            "assets (item.assets[key].href) instead of typing it, and check the search "
            "results are from the API you use now."
        )
    if "refused" in text or "Couldn't connect" in text or "timed out" in text:
        return f"The file server does not answer. {OFFLINE_COMMAND}"
    if "not recognized as being in a supported file format" in text or "TIFF" in text:
        return (
            "The file arrived damaged or incomplete (not a valid GeoTIFF). Run the cell "
            "again; if it keeps failing, the server or the network cuts the transfer."
        )
    return None


def _output_path(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if isinstance(error, OutputPathError):
        return str(error)
    if isinstance(error, PermissionError):
        return (
            f"Cannot write {error.filename or 'that file'}: permission denied. Save in "
            "your own folder, for example next to the notebook."
        )
    return None


def _missing_file(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if not isinstance(error, FileNotFoundError) or not error.filename:
        return None
    name = os.path.basename(str(error.filename))
    if name == "search_results.json":
        return (
            "search_results.json is not in this folder: episode 2 saves it. Run episode 2, "
            "or call ensure_search_results(api_url, collection=collection_id) as episodes 3-5 do."
        )
    return (
        f"No file {error.filename} (this notebook works in {os.getcwd()}). Check the name, "
        "and that the cell that writes it ran; save in your own folder, next to the notebook."
    )


def _raised_by(error: BaseException, package: str) -> bool:
    traceback = error.__traceback__
    last = None
    while traceback is not None:
        last = traceback.tb_frame.f_code.co_filename
        traceback = traceback.tb_next
    return last is not None and f"{os.sep}{package}{os.sep}" in last


def _pystac_client_message(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """pystac-client checks searches before sending them; its messages are clear already."""
    if type(error) is not Exception or not _raised_by(error, "pystac_client"):
        return None
    condensed = " ".join(str(error).split())[:240]
    return f"pystac-client refused the search before sending it: {condensed}"


def _empty_results(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if not isinstance(error, IndexError | StopIteration):
        return None
    search = namespace.get("search")
    if search is None or type(search).__name__ != "ItemSearch":
        return None
    try:
        matched = search.matched()
    except Exception:  # the explanation must never raise an error of its own
        return None
    if matched != 0:
        return None
    from .checks import explain_no_matches

    return f"The search found no items. {explain_no_matches(search)}"


def _dask_scheduler_unreachable(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    match = re.search(r"Timed out trying to connect to (\S+)", str(error))
    if not isinstance(error, OSError) or not match:
        return None
    return (
        f"No Dask scheduler answers at {match.group(1)}. If that address came from "
        "DASK_SCHEDULER_ADDRESS, check it with whoever runs the cluster, or unset it and "
        "restart the kernel to start a local cluster instead."
    )


def _missing_lesson_name(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    if not isinstance(error, NameError):
        return None
    match = re.search(r"name '(\w+)' is not defined", str(error))
    if not match or match.group(1) not in LESSON_NAMES:
        return None
    return (
        f"{match.group(1)!r} is made by an earlier cell of this notebook. Run the cells "
        "above first (Run > Run All Above Selected Cell), top to bottom."
    )


EXPLAINERS: tuple[Explainer, ...] = (
    _output_path,
    _missing_file,
    _unreachable,
    _api_error,
    _client_query_format,
    _asset_key,
    _cube_band,
    _no_data_in_bounds,
    _remote_file,
    _dask_scheduler_unreachable,
    _empty_results,
    _missing_lesson_name,
    _pystac_client_message,
)


def explain(error: BaseException, namespace: Mapping[str, Any] | None = None) -> str | None:
    """A one-line explanation of ``error`` with what to do, or None if it is not a known one."""
    for explainer in EXPLAINERS:
        message = explainer(error, namespace or {})
        if message:
            return message
    return None


def install() -> bool:
    """Show one-line explanations for known mistakes in this IPython session.

    Returns False outside IPython (plain Python keeps its usual tracebacks).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False

    def handler(self: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
        message = explain(value, self.user_ns)
        if message is None:
            return self.showtraceback((etype, value, tb), tb_offset=tb_offset)
        first_line = str(value).strip().splitlines()[0][:300] if str(value).strip() else ""
        print(f"{etype.__name__}: {first_line}\n-> {message}")
        return None

    shell.set_custom_exc((Exception,), handler)
    return True
