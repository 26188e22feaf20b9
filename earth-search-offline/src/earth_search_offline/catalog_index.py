"""An in-memory STAC search over a static catalog folder: filters, sorting, paging.

The folder is read once (``CatalogIndex.load``); a search is then a scan of a few thousand items
in memory, which is well under a millisecond per filter.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import cql2
import shapely
from shapely.geometry import shape

from .api import limits
from .bbox import check_bbox
from .errors import CatalogFolderError, SearchError

QUERY_OPERATORS = (
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "startsWith",
    "endsWith",
    "contains",
    "in",
)
#: Earth Search sorts newest first when no ``sortby`` is given.
DEFAULT_SORT = (("properties.datetime", "desc"), ("id", "desc"))


def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (``Z`` or offset) into an aware UTC datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass
class IndexedItem:
    """An item plus what searches need: its geometry, time range and folder."""

    document: dict[str, Any]
    folder: str
    geometry: shapely.Geometry
    start: datetime
    end: datetime

    @property
    def id(self) -> str:
        return self.document["id"]

    @cached_property
    def filterable(self) -> dict[str, Any]:
        """What CQL2 filters can refer to: without assets and links, cheaper to hand to cql2."""
        return {
            key: self.document[key]
            for key in ("id", "collection", "geometry", "bbox", "properties")
            if key in self.document
        }

    @property
    def collection(self) -> str:
        return self.document["collection"]


@dataclass
class CatalogIndex:
    """Collections and items of a static STAC catalog folder, held in memory."""

    folder: Path
    root: dict[str, Any]
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: list[IndexedItem] = field(default_factory=list)
    by_key: dict[tuple[str, str], IndexedItem] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | str) -> CatalogIndex:
        """Read ``catalog.json``, its child collections and their items from ``folder``."""
        folder = Path(folder).resolve()
        root_file = folder / "catalog.json"
        if not root_file.is_file():
            raise CatalogFolderError(
                f"No catalog.json in {folder}. Expected a static STAC catalog folder "
                "(catalog.json -> collection.json -> item files). Generate one with "
                "`earth-search-offline generate`, mirror one with `earth-search-offline mirror "
                "--output DIR ...`, or pass the folder that holds catalog.json."
            )
        root = _read_json(root_file)
        catalog = cls(folder=folder, root=root)
        for link in _links(root, "child"):
            collection_path = _resolve(folder, "", link["href"])
            collection = _read_json(folder / collection_path)
            collection_folder = posixpath.dirname(collection_path)
            catalog.collections[collection["id"]] = collection
            for item_link in _links(collection, "item"):
                item_path = _resolve(folder, collection_folder, item_link["href"])
                catalog.add(_read_json(folder / item_path), posixpath.dirname(item_path))
        return catalog

    def add(self, document: dict[str, Any], folder: str) -> None:
        properties = document["properties"]
        if properties.get("datetime"):
            start = end = parse_datetime(properties["datetime"])
        else:
            start = parse_datetime(properties["start_datetime"])
            end = parse_datetime(properties["end_datetime"])
        geometry = shape(document["geometry"])
        shapely.prepare(geometry)
        indexed = IndexedItem(document, folder, geometry, start, end)
        self.items.append(indexed)
        self.by_key[(indexed.collection, indexed.id)] = indexed

    def search(self, request: SearchRequest) -> list[IndexedItem]:
        """All items matching ``request``, sorted; paging is left to the caller."""
        matches = [item for item in self.items if request.matches(item)]
        return sort_items(matches, request.sortby or DEFAULT_SORT)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogFolderError(f"The catalog links to {path}, which does not exist.") from None
    except ValueError as error:
        raise CatalogFolderError(f"{path} is not valid JSON: {error}") from None


def _links(document: dict[str, Any], rel: str) -> Iterable[dict[str, Any]]:
    return (link for link in document.get("links", []) if link.get("rel") == rel)


def _resolve(root: Path, base_folder: str, href: str) -> str:
    """A link href relative to ``base_folder`` as a path inside the catalog folder."""
    if "://" in href or href.startswith("/"):
        raise CatalogFolderError(
            f"Link {href!r} in {root} is absolute; the offline server needs relative links "
            "inside the catalog folder."
        )
    resolved = posixpath.normpath(posixpath.join(base_folder, href))
    if resolved.startswith(".."):
        raise CatalogFolderError(f"Link {href!r} points outside the catalog folder {root}.")
    return resolved


@dataclass
class SearchRequest:
    """The filters of one item search, already validated."""

    collections: Sequence[str] | None = None
    ids: Sequence[str] | None = None
    bbox: Sequence[float] | None = None
    intersects: dict[str, Any] | None = None
    datetime: tuple[datetime | None, datetime | None] | None = None
    query: dict[str, dict[str, Any]] | None = None
    filter: cql2.Expr | None = None
    sortby: Sequence[tuple[str, str]] | None = None
    _area: shapely.Geometry | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        limits.check_list("collections", self.collections, limits.MAX_COLLECTIONS)
        limits.check_list("ids", self.ids, limits.MAX_IDS)
        if self.intersects is not None:
            limits.check_geometry("intersects", self.intersects)
        if self.bbox is not None and self.intersects is not None:
            raise SearchError("Use either bbox or intersects in one search, not both.")
        if self.bbox is not None:
            self._area = bbox_geometry(self.bbox)
        elif self.intersects is not None:
            try:
                self._area = shape(self.intersects)
            except Exception as error:  # shapely raises several types for bad GeoJSON
                raise SearchError(f"intersects is not a valid GeoJSON geometry: {error}") from None
        if self._area is not None:
            shapely.prepare(self._area)
        if self.query:
            validate_query(self.query)

    def matches(self, item: IndexedItem) -> bool:
        if self.collections is not None and item.collection not in self.collections:
            return False
        if self.ids is not None and item.id not in self.ids:
            return False
        if self._area is not None and not self._area.intersects(item.geometry):
            return False
        if self.datetime is not None:
            start, end = self.datetime
            if start is not None and item.end < start:
                return False
            if end is not None and item.start > end:
                return False
        if self.query and not all(
            _query_matches(_property(item.document, name), operations)
            for name, operations in self.query.items()
        ):
            return False
        return self.filter is None or bool(self.filter.matches(item.filterable))


def bbox_geometry(bbox: Sequence[float]) -> shapely.Geometry:
    """A polygon for a 2D or 3D bbox; west > east crosses the antimeridian."""
    try:
        west, south, east, north = check_bbox(bbox)
    except ValueError as error:
        raise SearchError(str(error)) from None
    if west > east:
        return shapely.union(
            shapely.box(west, south, 180, north), shapely.box(-180, south, east, north)
        )
    return shapely.box(west, south, east, north)


def _property(document: dict[str, Any], name: str) -> Any:
    if name in ("id", "collection"):
        return document.get(name)
    if name.startswith("properties."):
        name = name.removeprefix("properties.")
    return document["properties"].get(name)


def validate_query(query: dict[str, Any]) -> None:
    """Check a ``query`` extension object; raise ``SearchError`` naming what is wrong."""
    if not isinstance(query, dict):
        raise SearchError(
            f"query must be an object like {{'eo:cloud_cover': {{'lt': 5}}}}, got {query!r}."
        )
    for name, operations in query.items():
        if not isinstance(operations, dict) or not operations:
            raise SearchError(
                f"query[{name!r}] must be an object of operator: value, such as "
                f"{{'lt': 5}}; got {operations!r}."
            )
        for operator, value in operations.items():
            if operator not in QUERY_OPERATORS:
                raise SearchError(
                    f"Unknown query operator {operator!r} for {name!r}; "
                    f"use one of {', '.join(QUERY_OPERATORS)}."
                )
            if operator == "in" and not isinstance(value, list):
                raise SearchError(f"query operator 'in' needs a list, got {value!r}.")


def _query_matches(actual: Any, operations: dict[str, Any]) -> bool:
    for operator, expected in operations.items():
        try:
            if not _compare(operator, actual, expected):
                return False
        except TypeError:
            return False
    return True


def _coerce(actual: Any, expected: Any) -> Any:
    """Numbers written as text (pystac-client's ``"eo:cloud_cover<5"`` sends ``"5"``)."""
    if isinstance(actual, int | float) and not isinstance(actual, bool):
        if isinstance(expected, str):
            try:
                return float(expected)
            except ValueError:
                return expected
        if isinstance(expected, list):
            return [_coerce(actual, value) for value in expected]
    return expected


def _compare(operator: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return operator == "neq"
    if isinstance(actual, list):
        # An array property (e.g. instruments) matches when any of its values does.
        matched = any(_compare(operator, value, expected) for value in actual)
        return (
            not any(_compare("eq", value, expected) for value in actual)
            if (operator == "neq")
            else matched
        )
    expected = _coerce(actual, expected)
    match operator:
        case "eq":
            return actual == expected
        case "neq":
            return actual != expected
        case "lt":
            return actual < expected
        case "lte":
            return actual <= expected
        case "gt":
            return actual > expected
        case "gte":
            return actual >= expected
        case "startsWith":
            return str(actual).startswith(str(expected))
        case "endsWith":
            return str(actual).endswith(str(expected))
        case "contains":
            return str(expected) in str(actual)
        case "in":
            return actual in expected
    return False


def sort_items(items: list[IndexedItem], sortby: Sequence[tuple[str, str]]) -> list[IndexedItem]:
    """Sort by several fields (stable sorts from the last key to the first); missing last."""
    ordered = list(items)
    for name, direction in reversed(list(sortby)):
        descending = direction == "desc"
        present = [item for item in ordered if _sort_value(item, name) is not None]
        missing = [item for item in ordered if _sort_value(item, name) is None]
        present.sort(key=lambda item: _sort_value(item, name), reverse=descending)
        ordered = present + missing
    return ordered


def _sort_value(item: IndexedItem, name: str) -> Any:
    if name in ("properties.datetime", "datetime"):
        return item.start
    return _property(item.document, name)


def page_token(item: IndexedItem) -> str:
    """The ``next`` token after ``item``, in Earth Search's form: ``datetime,id,collection``."""
    return f"{item.document['properties'].get('datetime')},{item.id},{item.collection}"


def page_start(matches: list[IndexedItem], token: str | None) -> int:
    """Index in ``matches`` of the first item after the one named by ``token``."""
    if not token:
        return 0
    parts = token.split(",")
    if len(parts) < 3:
        raise SearchError(
            f"Invalid paging token {token!r}: expected 'datetime,id,collection' as given in "
            "the 'next' link of the previous page. Follow the links instead of building tokens."
        )
    key = (parts[-1], ",".join(parts[1:-1]))
    for index, item in enumerate(matches):
        if (item.collection, item.id) == key:
            return index + 1
    raise SearchError(
        f"Paging token {token!r} names an item that is not in these results; "
        "repeat the search from the first page."
    )
