"""The offline Earth Search: a stac-fastapi app over an in-memory catalog, plus a file server.

- ``/v1`` is the STAC API, with the same paths as https://earth-search.aws.element84.com/v1
  (core, collections, features, item search with query, sort, fields, filter and paging).
- ``/files/<path>`` serves the catalog folder's files with HTTP Range support (206 Partial
  Content), so GDAL reads only the parts of a COG it needs. Item asset hrefs point there.
- For a catalog made by ``generate``, asset files are made on their first request and kept.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import attr
import cql2
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, field_validator, model_validator
from stac_fastapi.api.app import StacApi
from stac_fastapi.api.errors import DEFAULT_STATUS_CODES
from stac_fastapi.api.models import (
    ItemCollectionUri,
    create_get_request_model,
    create_request_model,
)
from stac_fastapi.extensions import (
    FieldsExtension,
    QueryExtension,
    SearchFilterExtension,
    SortExtension,
    TokenPaginationExtension,
)
from stac_fastapi.extensions.filter.client import AsyncBaseFiltersClient
from stac_fastapi.types.config import ApiSettings
from stac_fastapi.types.core import AsyncBaseCoreClient
from stac_fastapi.types.errors import NotFoundError
from stac_fastapi.types.requests import get_base_url
from stac_fastapi.types.rfc3339 import str_to_interval
from stac_fastapi.types.search import APIRequest, BaseSearchPostRequest
from starlette.concurrency import run_in_threadpool

from .. import __version__
from ..errors import SearchError
from . import collection1 as c1
from . import sentinel2 as s2
from .acquisitions import all_acquisitions
from .assets import write_asset
from .backend import (
    Catalog,
    IndexedItem,
    SearchRequest,
    filter_fields,
    page_start,
    page_token,
)
from .catalog import catalog_is_current

API_PREFIX = "/v1"
FILES_PREFIX = "/files"
DEFAULT_LIMIT = 10
LANDING_ID = "earth-search-offline"
LANDING_TITLE = "Earth Search (offline lesson copy)"
LANDING_DESCRIPTION = (
    "A local stand-in for Earth Search v1 made for the 'Access satellite imagery using Python' "
    "lesson. Same paths and metadata shape; the imagery is synthetic."
)
MEDIA_TYPES = {
    ".tif": "image/tiff",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".xml": "application/xml",
}


SORT_CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "https://api.stacspec.org/v1.1.0/item-search#sort",
]


class OfflineSearchPostRequest(BaseSearchPostRequest):
    """POST /search body; like stac-server, a single collection or id may be a plain string."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError(
                "the search body must be a JSON object such as "
                f'{{"collections": ["sentinel-2-l2a"]}}, not {type(value).__name__}'
            )
        return value

    @field_validator("collections", "ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TextOrJsonFilter(BaseModel):
    """POST filters as CQL2 JSON or, as pystac-client sends for text filters, CQL2 text."""

    filter_expr: dict[str, Any] | str | None = Field(None, alias="filter")
    filter_lang: Literal["cql2-json", "cql2-text"] | None = Field(None, alias="filter-lang")


@attr.s
class GETNextPagination(APIRequest):
    """Earth Search (stac-server) pages with a ``next`` token, not ``token``."""

    next: Annotated[str | None, Query(description="Token of the next page")] = attr.ib(default=None)


class POSTNextPagination(BaseModel):
    next: str | None = None


@attr.s
class NextTokenPaginationExtension(TokenPaginationExtension):
    GET: type[APIRequest] = GETNextPagination
    POST: type[BaseModel] = POSTNextPagination


def _asset_url(base: str, folder: str, href: str) -> str:
    if "://" in href:
        return href
    relative = href.removeprefix("./")
    return f"{base}{FILES_PREFIX}/{folder}/{relative}"


def _server_root(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@attr.s
class OfflineCoreClient(AsyncBaseCoreClient):
    """Answers STAC API requests from a ``Catalog`` held in memory."""

    catalog: Catalog = attr.ib(default=None)

    # -- documents as the API shows them ------------------------------------------------

    def _api_item(self, item: IndexedItem, request: Request) -> dict[str, Any]:
        """The item as the API shows it: API links, asset hrefs on this server.

        Only the parts that change are copied (links, assets); the rest is shared with the
        catalog, which is never modified, so a page of 100 items costs little.
        """
        api = get_base_url(request).rstrip("/")
        root = _server_root(request)
        stored = item.document
        collection_url = f"{api}/collections/{item.collection}"
        links = [
            {
                "rel": "self",
                "type": "application/geo+json",
                "href": f"{collection_url}/items/{item.id}",
            },
            {
                "rel": "canonical",
                "type": "application/json",
                "href": f"{root}{FILES_PREFIX}/{item.folder}/{item.id}.json",
            },
            *[link for link in stored.get("links", []) if "://" in link.get("href", "")],
            {"rel": "parent", "type": "application/json", "href": collection_url},
            {"rel": "collection", "type": "application/json", "href": collection_url},
            {"rel": "root", "type": "application/json", "href": api},
        ]
        assets = {
            key: {**asset, "href": _asset_url(root, item.folder, asset["href"])}
            for key, asset in stored.get("assets", {}).items()
        }
        if "thumbnail" in assets:
            links.append({"rel": "thumbnail", "href": assets["thumbnail"]["href"]})
        return {**stored, "links": links, "assets": assets}

    def _api_collection(self, collection: dict[str, Any], request: Request) -> dict[str, Any]:
        api = get_base_url(request).rstrip("/")
        document = copy.deepcopy(collection)
        url = f"{api}/collections/{collection['id']}"
        external = [link for link in document.get("links", []) if "://" in link.get("href", "")]
        document["links"] = [
            {"rel": "self", "type": "application/json", "href": url},
            *external,
            {"rel": "parent", "type": "application/json", "href": api},
            {"rel": "root", "type": "application/json", "href": api},
            {"rel": "items", "type": "application/geo+json", "href": f"{url}/items"},
            {
                "rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "type": "application/schema+json",
                "href": f"{url}/queryables",
            },
        ]
        return document

    # -- core endpoints ------------------------------------------------------------------

    async def landing_page(self, **kwargs: Any) -> dict[str, Any]:
        landing = dict(await super().landing_page(**kwargs))
        api = get_base_url(kwargs["request"]).rstrip("/")
        landing["links"] = list(landing["links"]) + [
            {"rel": "child", "type": "application/json", "href": f"{api}/collections/{cid}"}
            for cid in self.catalog.collections
        ]
        return landing

    async def all_collections(self, request: Request, **kwargs: Any) -> dict[str, Any]:
        api = get_base_url(request).rstrip("/")
        return {
            "collections": [
                self._api_collection(c, request) for c in self.catalog.collections.values()
            ],
            "links": [
                {"rel": "root", "type": "application/json", "href": api},
                {"rel": "parent", "type": "application/json", "href": api},
                {"rel": "self", "type": "application/json", "href": f"{api}/collections"},
            ],
        }

    async def get_collection(
        self, collection_id: str, request: Request, **kwargs: Any
    ) -> dict[str, Any]:
        return self._api_collection(self._collection(collection_id), request)

    async def get_item(
        self, item_id: str, collection_id: str, request: Request, **kwargs: Any
    ) -> dict[str, Any]:
        self._collection(collection_id)
        item = self.catalog.by_key.get((collection_id, item_id))
        if item is None:
            raise NotFoundError(
                f"Item {item_id!r} is not in collection {collection_id!r}. "
                f"Search the collection to list the ids it holds."
            )
        return self._api_item(item, request)

    async def item_collection(
        self,
        collection_id: str,
        request: Request,
        bbox: list[float] | None = None,
        datetime: str | None = None,
        limit: int | None = DEFAULT_LIMIT,
        next: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        self._collection(collection_id)
        search = SearchRequest(collections=[collection_id], bbox=bbox, datetime=_interval(datetime))
        return self._page(search, limit, next, request, post_body=None)

    async def get_search(
        self,
        request: Request,
        collections: list[str] | None = None,
        ids: list[str] | None = None,
        bbox: list[float] | None = None,
        intersects: str | None = None,
        datetime: str | None = None,
        limit: int | None = DEFAULT_LIMIT,
        query: str | None = None,
        sortby: list[str] | None = None,
        fields: list[str] | None = None,
        filter_expr: str | None = None,
        filter_lang: str | None = None,
        next: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        search = SearchRequest(
            collections=collections,
            ids=ids,
            bbox=bbox,
            intersects=_json_parameter("intersects", intersects),
            datetime=_interval(datetime),
            query=_json_parameter("query", query),
            filter=_parse_filter(filter_expr, filter_lang or "cql2-text"),
            sortby=[_sort_term(term) for term in sortby] if sortby else None,
        )
        include, exclude = _split_fields(fields or [])
        return self._page(search, limit, next, request, None, include or None, exclude)

    async def post_search(self, search_request: BaseModel, **kwargs: Any) -> dict[str, Any]:
        request: Request = kwargs["request"]
        body = search_request.model_dump(mode="json", by_alias=True, exclude_none=True)
        intersects = body.get("intersects")
        filter_expr = getattr(search_request, "filter_expr", None)
        sortby = getattr(search_request, "sortby", None)
        fields = getattr(search_request, "fields", None)
        search = SearchRequest(
            collections=search_request.collections,
            ids=search_request.ids,
            bbox=list(search_request.bbox) if search_request.bbox else None,
            intersects=intersects,
            datetime=_interval(search_request.datetime),
            query=getattr(search_request, "query", None),
            filter=_parse_filter(filter_expr, getattr(search_request, "filter_lang", None)),
            sortby=[(_field_name(s.field), s.direction.value) for s in sortby] if sortby else None,
        )
        raw_body = json.loads(await request.body() or b"{}")  # an object: checked by the model
        raw_fields = raw_body.get("fields", {})
        if "fields" in raw_body and not isinstance(raw_fields, dict):
            raise SearchError(
                'fields must be an object such as {"include": ["id"], "exclude": []}; '
                f"got {raw_fields!r}."
            )
        # An explicit (even empty) include list asks for the default set; none: whole items.
        include = set(fields.include or ()) if fields and "include" in raw_fields else None
        exclude = set(fields.exclude or ()) if fields else set()
        return self._page(
            search,
            search_request.limit,
            getattr(search_request, "next", None),
            request,
            raw_body,
            include,
            exclude,
        )

    # -- helpers -------------------------------------------------------------------------

    def _collection(self, collection_id: str) -> dict[str, Any]:
        try:
            return self.catalog.collections[collection_id]
        except KeyError:
            raise NotFoundError(unknown_collection_message(collection_id, self.catalog)) from None

    def _check_search_collections(self, collections: list[str] | None) -> None:
        for collection_id in collections or []:
            if collection_id not in self.catalog.collections:
                raise SearchError(unknown_collection_message(collection_id, self.catalog))

    def _page(
        self,
        search: SearchRequest,
        limit: int | None,
        token: str | None,
        request: Request,
        post_body: dict[str, Any] | None,
        include: set[str] | None = None,
        exclude: set[str] | None = None,
    ) -> dict[str, Any]:
        """One page of results; ``include``/``exclude`` as in ``backend.filter_fields``."""
        self._check_search_collections(search.collections)
        limit = limit or DEFAULT_LIMIT
        matches = self.catalog.search(search)
        start = page_start(matches, token)
        page = matches[start : start + limit]
        features = [self._api_item(item, request) for item in page]
        if include is not None or exclude:
            features = [filter_fields(f, include, exclude or set()) for f in features]
        api = get_base_url(request).rstrip("/")
        links: list[dict[str, Any]] = [
            {"rel": "self", "type": "application/geo+json", "href": str(request.url)},
            {"rel": "root", "type": "application/json", "href": api},
        ]
        if page and start + limit < len(matches):
            links.append(_next_link(request, post_body, page_token(page[-1])))
        return {
            "type": "FeatureCollection",
            "stac_version": "1.0.0",
            "stac_extensions": [],
            "context": {"limit": limit, "matched": len(matches), "returned": len(features)},
            "numberMatched": len(matches),
            "numberReturned": len(features),
            "features": features,
            "links": links,
        }


#: Collection ids of the retired Earth Search v0, and what v1 calls them.
V0_COLLECTIONS = {
    "sentinel-s2-l2a-cogs": "sentinel-2-l2a",
    "sentinel-s2-l2a": "sentinel-2-l2a",
    "sentinel-s2-l1c": "sentinel-2-l1c",
    "landsat-8-l1-c1": "landsat-c2-l2",
}


def unknown_collection_message(collection_id: str, catalog: Catalog) -> str:
    known = ", ".join(sorted(catalog.collections))
    if collection_id in V0_COLLECTIONS:
        return (
            f"Collection {collection_id!r} is the Earth Search v0 name; v1 (this API) calls it "
            f"{V0_COLLECTIONS[collection_id]!r}. Collections here: {known}."
        )
    return f"Collection {collection_id!r} does not exist. Collections here: {known}."


def _next_link(request: Request, post_body: dict[str, Any] | None, token: str) -> dict[str, Any]:
    url = str(request.url).split("?", 1)[0]
    link: dict[str, Any] = {
        "rel": "next",
        "title": "Next page of Items",
        "type": "application/geo+json",
    }
    if post_body is None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "next"]
        link.update(method="GET", href=f"{url}?{urlencode([*params, ('next', token)])}")
    else:
        link.update(method="POST", href=url, merge=False, body={**post_body, "next": token})
    return link


def _interval(text: str | None) -> tuple[Any, Any] | None:
    if not text:
        return None
    parsed = str_to_interval(text)
    if isinstance(parsed, tuple):
        start, end = parsed
        if start is not None and end is not None and start > end:
            raise SearchError(
                f"datetime {text!r} ends before it starts; write the earlier date first "
                "(e.g. 2021-01-01/2021-12-31)."
            )
        return start, end
    return parsed, parsed


def _json_parameter(name: str, text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise SearchError(f"{name} must be JSON, got {text!r}.") from None


def _parse_filter(expression: Any, language: str | None) -> cql2.Expr | None:
    if expression is None:
        return None
    try:
        if isinstance(expression, dict):
            parsed = cql2.Expr(expression)
        elif language == "cql2-json":
            parsed = cql2.parse_json(expression)
        else:
            parsed = cql2.parse_text(expression)
        parsed.validate()
    except Exception as error:  # cql2 raises several types for malformed input
        raise SearchError(f"filter is not valid {language or 'CQL2'}: {error}") from None
    return parsed


def _field_name(name: str) -> str:
    return (
        name
        if name.startswith("properties.") or name in ("id", "collection")
        else (f"properties.{name}")
    )


def _sort_term(term: str) -> tuple[str, str]:
    term = term.strip()
    direction = "desc" if term.startswith("-") else "asc"
    return _field_name(term.lstrip("+-")), direction


def _split_fields(fields: list[str]) -> tuple[set[str], set[str]]:
    include = {f.lstrip("+") for f in fields if f and not f.startswith("-")}
    exclude = {f[1:] for f in fields if f.startswith("-")}
    return include, exclude


@attr.s
class OfflineFiltersClient(AsyncBaseFiltersClient):
    """Queryables: the item properties the catalog holds, with their JSON types."""

    catalog: Catalog = attr.ib(default=None)

    async def get_queryables(self, collection_id: str | None = None, **kwargs: Any) -> dict:
        types: dict[str, str] = {}
        for item in self.catalog.items:
            if collection_id and item.collection != collection_id:
                continue
            for name, value in item.document["properties"].items():
                types.setdefault(name, _json_type(value))
        properties: dict[str, Any] = {
            "id": {"type": "string", "title": "Item ID"},
            "collection": {"type": "string", "title": "Collection ID"},
            "geometry": {"$ref": "https://geojson.org/schema/Geometry.json"},
            "datetime": {"type": "string", "format": "date-time"},
        }
        for name, kind in sorted(types.items()):
            properties.setdefault(name, {"type": kind})
        return {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": "queryables",
            "type": "object",
            "title": "Queryables of the offline Earth Search",
            "properties": properties,
            "additionalProperties": True,
        }


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


class AssetFiles:
    """Serves files of the catalog folder; makes synthetic assets on first request."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.root = catalog.folder
        self._synthetic = catalog_is_current(self.root)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._folders = {item.folder: item for item in catalog.items}
        self._file_keys = {
            s2.COLLECTION_ID: {name: key for key, name in s2.ASSET_FILES.items()},
            c1.COLLECTION_ID: {name: key for key, name in c1.ASSET_FILES.items()},
        }
        self._acquisitions: dict[str, Any] | None = None

    def resolve(self, relative: str) -> Path | None:
        """The file for a URL path inside the catalog folder, or None if it must not be served."""
        parts = relative.split("/")
        if any(part in ("", ".", "..") or part.startswith(".") for part in parts):
            return None
        candidate = self.root.joinpath(*parts)
        try:
            real = candidate.resolve()
        except OSError:
            return None
        if not real.is_relative_to(self.root):
            return None
        return candidate

    async def get(self, relative: str) -> Path | None:
        path = self.resolve(relative)
        if path is None:
            return None
        if not path.is_file() and self._synthetic:
            await run_in_threadpool(self._make, relative)
        return path if path.is_file() else None

    def _make(self, relative: str) -> None:
        folder, _, name = relative.rpartition("/")
        item = self._folders.get(folder)
        key = self._file_keys.get(item.collection, {}).get(name) if item else None
        if item is None or key is None:
            return
        with self._locks_guard:
            lock = self._locks.setdefault(relative, threading.Lock())
        with lock:
            path = self.root / relative
            if path.is_file():
                return
            if self._acquisitions is None:
                acquisitions = all_acquisitions()
                self._acquisitions = {a.id: a for a in acquisitions} | {
                    c1.item_id(a): a for a in acquisitions if a.sequence == 0
                }
            acquisition = self._acquisitions.get(item.id)
            if acquisition is not None:
                properties = item.document["properties"]
                write_asset(acquisition, key, path, properties, item.collection)


MAX_BODY_BYTES = 1_000_000


class BodySizeLimit:
    """Refuse request bodies over ``MAX_BODY_BYTES`` with 413 before reading them whole."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        received = 0

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await _too_large(send)


class BodyTooLarge(Exception):
    """A chunked request body grew past the limit."""


async def _too_large(send: Any) -> None:
    body = json.dumps(
        {
            "code": "RequestTooLarge",
            "description": f"Request bodies are limited to {MAX_BODY_BYTES:,} bytes; "
            "a search needs far less. Simplify the geometry or the filter.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LandingWithoutSlash:
    """Answer ``/v1`` like ``/v1/``: Earth Search's URL has no trailing slash."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == API_PREFIX:
            scope = {**scope, "path": API_PREFIX + "/", "raw_path": (API_PREFIX + "/").encode()}
        await self.app(scope, receive, send)


class FileTrafficCounter:
    """Counts requests, status codes and body bytes sent for ``/files`` (see ``/_stats``).

    Tests and benchmarks read it to prove that GDAL fetched byte ranges, not whole files.
    """

    def __init__(self, app: Any, stats: dict[str, int]) -> None:
        self.app = app
        self.stats = stats

    @staticmethod
    def reset(stats: dict[str, int]) -> dict[str, int]:
        stats.clear()
        stats.update(
            requests=0, head_requests=0, partial_responses=0, full_responses=0, bytes_sent=0
        )
        return stats

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(FILES_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        self.stats["requests"] += 1
        if scope["method"] == "HEAD":
            self.stats["head_requests"] += 1
            await self.app(scope, receive, send)
            return

        async def counting_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 206:
                    self.stats["partial_responses"] += 1
                elif status == 200:
                    self.stats["full_responses"] += 1
            elif message["type"] == "http.response.body":
                self.stats["bytes_sent"] += len(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, counting_send)


def create_app(catalog_folder: Path | str) -> FastAPI:
    """The FastAPI app of the offline Earth Search for a static catalog folder."""
    catalog = Catalog.load(catalog_folder)
    pagination = NextTokenPaginationExtension()
    extensions = [
        QueryExtension(),
        # Earth Search advertises the v1.0.0 sort classes; keep the newer ones too.
        SortExtension(conformance_classes=SORT_CONFORMANCE),
        FieldsExtension(),
        SearchFilterExtension(client=OfflineFiltersClient(catalog=catalog)),
        pagination,
    ]
    settings = ApiSettings(
        stac_fastapi_title=LANDING_TITLE,
        stac_fastapi_description=LANDING_DESCRIPTION,
        stac_fastapi_landing_id=LANDING_ID,
        stac_fastapi_version=__version__,
        openapi_url=f"{API_PREFIX}/api",
        docs_url=f"{API_PREFIX}/api.html",
    )
    api = StacApi(
        settings=settings,
        client=OfflineCoreClient(catalog=catalog, landing_page_id=LANDING_ID),
        extensions=extensions,
        title=LANDING_TITLE,
        description=LANDING_DESCRIPTION,
        router=APIRouter(prefix=API_PREFIX),
        search_get_request_model=create_get_request_model(extensions),
        search_post_request_model=create_request_model(
            "SearchPostRequest",
            base_model=OfflineSearchPostRequest,
            extensions=extensions,
            mixins=[TextOrJsonFilter],
            request_type="POST",
        ),
        items_get_request_model=create_request_model(
            "ItemCollectionUri", base_model=ItemCollectionUri, extensions=[pagination]
        ),
        exceptions={**DEFAULT_STATUS_CODES, SearchError: 400},
    )
    app = api.app
    app.add_middleware(LandingWithoutSlash)
    app.add_middleware(BodySizeLimit)
    files = AssetFiles(catalog)
    app.state.catalog = catalog

    @app.get(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    @app.head(FILES_PREFIX + "/{relative:path}", include_in_schema=False)
    async def serve_file(relative: str) -> Response:
        path = await files.get(relative)
        if path is None:
            return JSONResponse(
                {"code": "NotFound", "description": f"No file {relative!r} in the catalog."},
                status_code=404,
            )
        return FileResponse(
            path, media_type=MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        )

    traffic = FileTrafficCounter.reset({})
    app.add_middleware(FileTrafficCounter, stats=traffic)

    @app.get("/_stats", include_in_schema=False)
    async def file_stats() -> JSONResponse:
        return JSONResponse(traffic)

    @app.post("/_stats/reset", include_in_schema=False)
    async def reset_file_stats() -> JSONResponse:
        return JSONResponse(FileTrafficCounter.reset(traffic))

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> JSONResponse:
        root = _server_root(request)
        return JSONResponse(
            {
                "description": LANDING_DESCRIPTION,
                "stac_api": f"{root}{API_PREFIX}",
                "files": f"{root}{FILES_PREFIX}/",
            }
        )

    return app
