"""One-line explanations for the errors learners meet in this lesson.

``install()`` registers a handler with IPython: for a known mistake it prints what went wrong
and what to do, plus the original error in one line, instead of a long traceback. Anything
else shows IPython's usual traceback. ``explain(error)`` gives the same text without IPython.
For a ``NameError`` it reads the running notebook, when Jupyter says which one it is, to tell a
skipped cell from a name the notebook never makes.
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from earth_search_offline.earth_search import ASSET_FILES, LIVE_API_URL
from earth_search_offline.settings import DEFAULT_API_URL

from .places import AMSTERDAM, CLIP_BOX_KWARGS, CLIP_BOX_UTM, DATACUBE_BBOX
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
#: The import line for each library name the notebooks use, as their imports cells write it
#: (and numpy's, which novices reach for).
IMPORT_LINES = {
    "Point": "from shapely.geometry import Point", "box": "from shapely.geometry import box",
    "shape": "from shapely.geometry import shape", "Client": "from pystac_client import Client",
    "ItemCollection": "from pystac import ItemCollection",
    "plt": "import matplotlib.pyplot as plt", "np": "import numpy as np",
    "xr": "import xarray as xr", "rioxarray": "import rioxarray", "rasterio": "import rasterio",
    "Resampling": "from rasterio.enums import Resampling", "odc": "import odc.stac",
    "Transformer": "from pyproj import Transformer",
    "cog_validate": "from rio_cogeo.cogeo import cog_validate",
    "ensure_search_results": "from helpers.checkpoints import ensure_search_results",
}  # fmt: skip
#: The names the notebooks give their variables, with the line that makes each (as a notebook
#: writes it) where one line does: a NameError for one means a skipped cell or a missing step.
LESSON_LINES = {
    "api_url": f'api_url = os.environ.get("STAC_API_URL", "{LIVE_API_URL}")',
    "collection_id": 'collection_id = os.environ.get("STAC_COLLECTION", "sentinel-2-l2a")',
    "client": "client = Client.open(api_url)",
    "collection": "collection = client.get_collection(collection_id)",
    "point": f"point = Point({AMSTERDAM[0]:.2f}, {AMSTERDAM[1]:.2f})",
    "search": "search = client.search(collections=[collection_id], intersects=point, max_items=10)",
    "results_file": "results_file = ensure_search_results(api_url, collection=collection_id)",
    "items": "items = ItemCollection.from_file(results_file)",
    "item": "item = items[0]",
    "visual": 'visual = rioxarray.open_rasterio(item.assets["visual"].href)',
    "box_utm": f"box_utm = {json.dumps(CLIP_BOX_KWARGS)}",
    "visual_clip": "visual_clip = visual.rio.clip_box(**box_utm)",
    "ndvi": "ndvi = (nir - red) / (nir + red)",
    "catalog": "catalog = Client.open(api_url)",
    "bbox": f"bbox = [{', '.join(f'{value:.2f}' for value in DATACUBE_BBOX)}]",
    "monthly": 'monthly = ndvi.resample(time="MS").median().compute()',
}  # fmt: skip
#: ...and the names made in several steps, which no one line makes.
LESSON_NAMES = (*LESSON_LINES, "red", "nir", "scl", "clear", "cube", "series", "composite")
#: What to do after a skipped cell, with JupyterLab's menu item for it.
RUN_ABOVE = "the cells above first (Run > Run All Above Selected Cell), top to bottom"
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
    items = [value for value in namespace.values() if type(value).__name__ == "Item"]
    if key in V1_ASSET_KEYS:  # a real key that the item lacks: the archive has such items
        lacking = [item for item in items if key not in item.assets]
        jp2, has_jp2 = f"{key}-jp2", ASSET_FILES[key].endswith(".tif")  # each COG has a JP2 twin
        if any(jp2 in item.assets for item in lacking) or (not lacking and has_jp2):
            why = (f"this item has only JP2 copies of the bands (Element84/earth-search#79; "
                   f"{jp2!r} lies in ESA's requester-pays bucket: an AWS account)")  # fmt: skip
        else:
            why = "this item lacks most of its files (Element84/earth-search#36)"
        return (f"No asset {key!r}: {why}. Keep the items that have it: "
                f"items = [item for item in items if {key!r} in item.assets]")  # fmt: skip
    if re.fullmatch(r"[a-z0-9_-]+", lowered) and items:
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


def _frames(error: BaseException) -> list[FrameType]:
    """The frames ``error`` passed through, outermost first (the raising one last)."""
    frames, traceback = [], error.__traceback__
    while traceback is not None:
        frames.append(traceback.tb_frame)
        traceback = traceback.tb_next
    return frames


def _raised_by(error: BaseException, package: str) -> bool:
    frames = _frames(error)
    return bool(frames) and f"{os.sep}{package}{os.sep}" in frames[-1].f_code.co_filename


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


def _search_positional(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """``client.search("sentinel-2-l2a")``: pystac-client's search takes named arguments only."""
    if not isinstance(error, TypeError) or not re.search(
        r"\bsearch\(\) takes 1 positional argument", str(error)
    ):
        return None
    from .checkpoints import LESSON_COLLECTION

    owner = next((name for name, value in namespace.items() if not name.startswith("_")
                  and type(value).__module__ == "pystac_client.client"), "client")  # fmt: skip
    has_id = isinstance(namespace.get("collection_id"), str)
    collection = "collection_id" if has_id else repr(LESSON_COLLECTION)
    return (
        "search() takes named arguments only, and was given a value without a name. Name each "
        "one (collections=, intersects=, bbox=, datetime=, query=), as in "
        f"{owner}.search(collections=[{collection}], max_items=10)"
    )


def _imshow_extra_dimension(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """``.plot.imshow()`` on a (band, y, x) array, as ``rioxarray.open_rasterio`` reads one band."""
    if not isinstance(error, ValueError) or "array was passed to imshow()" not in str(error):
        return None
    scopes = [frame.f_locals for frame in reversed(_frames(error))]  # xarray calls it darray
    array: Any = next((scope["darray"] for scope in scopes if "darray" in scope), None)
    if not hasattr(array, "sizes"):
        return (
            "The array still has its band dimension of length 1 (rioxarray reads (band, y, x)), "
            "and imshow draws two (y and x): drop it with .squeeze(), or pick one band with "
            ".sel(band=1), before .plot.imshow()."
        )
    extra = next((dim for dim in array.dims if dim not in ("x", "y")), array.dims[0])
    sizes = ", ".join(f"{dim}: {size}" for dim, size in array.sizes.items())
    received = f"The array has {len(array.dims)} dimensions ({sizes}) and imshow draws two"
    if array.sizes[extra] == 1:
        first = array[extra].values.tolist()[0] if extra in array.coords else None
        pick = f".sel({extra}={first!r})" if first is not None else f".isel({extra}=0)"
        return (
            f"{received}: it still has its {extra} dimension of length 1. Drop it with "
            f".squeeze(), or pick one {extra} with {pick}, before .plot.imshow()."
        )
    return (
        f"{received}: pick one {extra} with .isel({extra}=0), or draw one panel per {extra} "
        f"with .plot.imshow(col={extra!r})."
    )


def _overview_factors(path: str) -> list[int] | None:
    """The overview shrink factors of ``path`` (band 1), or None if it cannot be opened now."""
    try:
        import rasterio

        with rasterio.open(path) as dataset:
            return list(dataset.overviews(1))
    except Exception:  # the explanation must never raise an error of its own
        return None


def _overview_level(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """``open_rasterio(href, overview_level=9)`` on a file with fewer overviews."""
    match = re.search(r"Cannot open overview level (\d+)(?: of (\S+))?", str(error))
    if type(error).__name__ != "RasterioIOError" or not match:
        return None
    level, path = match.group(1), match.group(2)
    factors = _overview_factors(path) if path else None
    if factors is None:
        return (
            f"This file has no overview level {level}. See which it has with "
            "rasterio.open(href).overviews(1): one shrink factor per level, overview_level=0 first."
        )
    name = path.rsplit("/", 1)[-1]
    if not factors:
        return f"{name} has no overviews: leave overview_level out, and cut out a small area."
    levels = "0" if len(factors) == 1 else f"0 to {len(factors) - 1}"
    return (
        f"{name} has no overview level {level}: it has {len(factors)} (overview_level={levels}), "
        f"which shrink it {factors} times. Use one of those, or leave overview_level out for "
        "full resolution."
    )


def _notebook_path(namespace: Mapping[str, Any]) -> Path | None:
    """The notebook this kernel runs, if Jupyter says which and it can be read.

    Jupyter Server starts a notebook's kernel with ``JPY_SESSION_NAME`` set to the notebook's
    path, and ipykernel copies it to ``__session__``; plain Python, nbval and nbclient set neither.
    """
    name = namespace.get("__session__") or os.environ.get("JPY_SESSION_NAME")
    if not isinstance(name, str) or not name.endswith(".ipynb"):
        return None
    # a server path is relative to the server's root; the kernel runs in the notebook's folder
    return next((path for path in (Path(name), Path(Path(name).name)) if path.is_file()), None)


#: Where a cell's names are local (functions, classes, lambdas, comprehensions) and not the
#: notebook's.
_LOCAL_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
                 ast.SetComp, ast.DictComp, ast.GeneratorExp)  # fmt: skip


def _bound_names(source: str) -> set[str]:
    """The names a cell's code assigns, defines or imports at its top level.

    Lines of IPython magics (``%``, ``!``) are left out; a cell that still does not parse (a
    ``%%bash`` cell, say) makes no Python names.
    """
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        nodes = list(ast.iter_child_nodes(ast.parse("\n".join(lines))))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if not isinstance(node, _LOCAL_SCOPES):
            nodes.extend(ast.iter_child_nodes(node))
    return names


def _made_above(namespace: Mapping[str, Any]) -> set[str] | None:
    """The names the code cells above the running one make; None if the notebook is unknown.

    The running cell is found by its source (IPython's ``_ih``) in the notebook as last saved;
    if it is not there (edited since), every cell counts.
    """
    path = _notebook_path(namespace)
    if path is None:
        return None
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    history = namespace.get("_ih")
    running = str(history[-1]).strip() if isinstance(history, list) and history else None
    above = [index for index, source in enumerate(sources) if source.strip() == running]
    names: set[str] = set()
    for source in sources[: above[-1]] if above else sources:
        names |= _bound_names(source)
    return names


def _lesson_name(name: str, known: bool, namespace: Mapping[str, Any]) -> str:
    """A lesson variable that no cell above made (``known``) or that may be in a skipped cell."""
    line = LESSON_LINES.get(name)
    needs = [IMPORT_LINES[word] for word in re.findall(r"\w+", line or "")
             if word in IMPORT_LINES and word not in namespace]  # fmt: skip
    imports = f" (it needs {' and '.join(needs)})" if needs else ""
    make = f"make it first{imports}: {line}" if line else "make it in a cell of your own first."
    if known:
        return (
            f"No cell above this one makes {name!r} (in the notebook as last saved), so running "
            f"the cells above will not help. {make[0].upper()}{make[1:]}"
        )
    return f"If a cell above makes {name!r}, run {RUN_ABOVE}; if none does, {make}"


def _missing_name(error: BaseException, namespace: Mapping[str, Any]) -> str | None:
    """A NameError: a cell skipped or run out of order, a step never made, or an import missing."""
    match = re.search(r"name '(\w+)' is not defined", str(error))
    if not isinstance(error, NameError) or not match:
        return None
    name, made = match.group(1), _made_above(namespace)
    if made is not None and name in made:
        return f"{name!r} is made by an earlier cell of this notebook. Run {RUN_ABOVE}."
    if name in IMPORT_LINES:
        if made is not None:
            return (
                f"No cell above this one imports {name!r}: add this line to the imports cell at "
                f"the top and run that cell: {IMPORT_LINES[name]}"
            )
        return (
            f"{name!r} is not imported yet: the imports cell at the top needs this line (add it "
            f"if it is missing), then run that cell: {IMPORT_LINES[name]}"
        )
    return _lesson_name(name, made is not None, namespace) if name in LESSON_NAMES else None


EXPLAINERS: tuple[Explainer, ...] = (
    _output_path,
    _missing_file,
    _unreachable,
    _api_error,
    _client_query_format,
    _asset_key,
    _cube_band,
    _no_data_in_bounds,
    _overview_level,
    _remote_file,
    _dask_scheduler_unreachable,
    _empty_results,
    _search_positional,
    _imshow_extra_dimension,
    _missing_name,
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
