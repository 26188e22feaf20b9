"""The STAC API's answers: a stac-fastapi core client over the in-memory ``CatalogIndex``.

Items and collections are shown with links on this API and asset hrefs on this server's file
route, whatever address the client used to reach it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import attr
from fastapi import Request
from fastapi.responses import JSONResponse
from stac_fastapi.api.models import GeoJSONResponse
from stac_fastapi.types.core import AsyncBaseCoreClient
from stac_fastapi.types.errors import NotFoundError
from stac_fastapi.types.requests import get_base_url

from ..catalog_index import CatalogIndex, IndexedItem, SearchRequest, page_start, page_token
from ..earth_search import V0_COLLECTIONS
from ..errors import SearchError
from .fields import filter_fields
from .paths import FILES_PREFIX
from .request_models import (
    OfflineSearchPostRequest,
    field_name,
    interval,
    json_parameter,
    parse_filter,
    sort_term,
    split_fields,
)

DEFAULT_LIMIT = 10
#: Larger pages are cut to this size (the next link still leads on), as the STAC API allows.
MAX_PAGE_SIZE = 10_000


def asset_url(base: str, folder: str, href: str) -> str:
    if "://" in href:
        return href
    relative = href.removeprefix("./")
    return f"{base}{FILES_PREFIX}/{folder}/{relative}"


def _answer(document: dict[str, Any], geojson: bool = False) -> JSONResponse:
    """The response for a document that is already plain JSON.

    Returned as a response so that FastAPI does not walk it again with ``jsonable_encoder``,
    which took 80 % of a search page's time (a room of 30 learners felt it).
    """
    return (GeoJSONResponse if geojson else JSONResponse)(document)


def server_root(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@attr.s
class OfflineCoreClient(AsyncBaseCoreClient):
    """Answers STAC API requests from a ``CatalogIndex`` held in memory."""

    catalog: CatalogIndex = attr.ib(default=None)
    max_page_size: int = attr.ib(default=MAX_PAGE_SIZE)

    # -- documents as the API shows them ------------------------------------------------

    def _api_item(self, item: IndexedItem, request: Request) -> dict[str, Any]:
        """The item as the API shows it: API links, asset hrefs on this server.

        Only the parts that change are copied (links, assets); the rest is shared with the
        catalog, which is never modified, so a page of 100 items costs little.
        """
        api = get_base_url(request).rstrip("/")
        root = server_root(request)
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
            key: {**asset, "href": asset_url(root, item.folder, asset["href"])}
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
        landing: dict[str, Any] = dict(await super().landing_page(**kwargs))
        api = get_base_url(kwargs["request"]).rstrip("/")
        landing["links"] = list(landing["links"]) + [
            {"rel": "child", "type": "application/json", "href": f"{api}/collections/{cid}"}
            for cid in self.catalog.collections
        ]
        return landing

    async def all_collections(self, request: Request, **kwargs: Any) -> JSONResponse:
        api = get_base_url(request).rstrip("/")
        return _answer(
            {
                "collections": [
                    self._api_collection(c, request) for c in self.catalog.collections.values()
                ],
                "links": [
                    {"rel": "root", "type": "application/json", "href": api},
                    {"rel": "parent", "type": "application/json", "href": api},
                    {"rel": "self", "type": "application/json", "href": f"{api}/collections"},
                ],
            }
        )

    async def get_collection(
        self, collection_id: str, request: Request, **kwargs: Any
    ) -> JSONResponse:
        return _answer(self._api_collection(self._collection(collection_id), request))

    async def get_item(
        self, item_id: str, collection_id: str, request: Request, **kwargs: Any
    ) -> JSONResponse:
        self._collection(collection_id)
        item = self.catalog.by_key.get((collection_id, item_id))
        if item is None:
            raise NotFoundError(
                f"Item {item_id!r} is not in collection {collection_id!r}. "
                f"Search the collection to list the ids it holds."
            )
        return _answer(self._api_item(item, request), geojson=True)

    async def item_collection(
        self,
        collection_id: str,
        request: Request,
        bbox: list[float] | None = None,
        datetime: str | None = None,
        limit: int | None = DEFAULT_LIMIT,
        next: str | None = None,
        **kwargs: Any,
    ) -> JSONResponse:
        self._collection(collection_id)
        search = SearchRequest(collections=[collection_id], bbox=bbox, datetime=interval(datetime))
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
    ) -> JSONResponse:
        search = SearchRequest(
            collections=collections,
            ids=ids,
            bbox=bbox,
            intersects=json_parameter("intersects", intersects),
            datetime=interval(datetime),
            query=json_parameter("query", query),
            filter=parse_filter(filter_expr, filter_lang or "cql2-text"),
            sortby=[sort_term(term) for term in sortby] if sortby else None,
        )
        include, exclude = split_fields(fields or [])
        return self._page(search, limit, next, request, None, include or None, exclude)

    async def post_search(
        self, search_request: OfflineSearchPostRequest, **kwargs: Any
    ) -> JSONResponse:
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
            datetime=interval(search_request.datetime),
            query=getattr(search_request, "query", None),
            filter=parse_filter(filter_expr, getattr(search_request, "filter_lang", None)),
            sortby=[(field_name(s.field), s.direction.value) for s in sortby] if sortby else None,
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

    def _check_search_collections(self, collections: Sequence[str] | None) -> None:
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
    ) -> JSONResponse:
        """One page of results; ``include``/``exclude`` as in ``fields.filter_fields``."""
        self._check_search_collections(search.collections)
        limit = min(limit or DEFAULT_LIMIT, self.max_page_size)
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
            links.append(next_link(request, post_body, page_token(page[-1])))
        return _answer(
            {
                "type": "FeatureCollection",
                "stac_version": "1.0.0",
                "stac_extensions": [],
                "context": {"limit": limit, "matched": len(matches), "returned": len(features)},
                "numberMatched": len(matches),
                "numberReturned": len(features),
                "features": features,
                "links": links,
            },
            geojson=True,
        )


def unknown_collection_message(collection_id: str, catalog: CatalogIndex) -> str:
    known = ", ".join(sorted(catalog.collections))
    if collection_id in V0_COLLECTIONS:
        return (
            f"Collection {collection_id!r} is the Earth Search v0 name; v1 (this API) calls it "
            f"{V0_COLLECTIONS[collection_id]!r}. Collections here: {known}."
        )
    return f"Collection {collection_id!r} does not exist. Collections here: {known}."


def next_link(request: Request, post_body: dict[str, Any] | None, token: str) -> dict[str, Any]:
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
