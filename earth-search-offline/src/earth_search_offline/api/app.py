"""The offline Earth Search: a stac-fastapi app over an in-memory catalog, plus a file server.

- ``/v1`` is the STAC API, with the same paths as https://earth-search.aws.element84.com/v1
  (core, collections, features, item search with query, sort, fields, filter and paging).
- ``/v1/api.html`` is the API's documentation page (Swagger UI), its files served from here.
- ``/files/<path>`` serves the catalog folder's files with HTTP Range support (206 Partial
  Content), so GDAL reads only the parts of a COG it needs. Item asset hrefs point there.
- For a catalog made by ``generate``, asset files are made on their first request and kept.

The parts, one module each: ``request_models`` (what a request may hold), ``core_client`` (the
answers), ``queryables``, ``docs_page`` (the API's documentation page), ``file_route``,
``middleware``, ``limits``, ``room`` (a workshop's shared server) and, for tests and benchmarks
only, ``traffic``; this module assembles them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
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
)
from stac_fastapi.types.config import ApiSettings

from .. import __version__
from ..archive.generate import catalog_is_current
from ..catalog_index import CatalogIndex
from ..errors import OfflineEarthSearchError, SearchError
from ..static_catalog import LANDING_ID, LANDING_TITLE
from .core_client import MAX_PAGE_SIZE, OfflineCoreClient, server_root
from .docs_page import add_docs_page
from .file_route import add_file_routes
from .middleware import BodySizeLimit, LandingWithoutSlash
from .paths import API_PREFIX, FILES_PREFIX
from .queryables import OfflineFiltersClient, add_collection_queryables
from .request_models import NextTokenPaginationExtension, OfflineSearchPostRequest, TextOrJsonFilter
from .room import RATE_PER_SECOND, ROOM_MAX_PAGE_SIZE, RateLimit

LANDING_DESCRIPTION = (
    "A local stand-in for Earth Search v1 made for the 'Access satellite imagery using Python' "
    "lesson. Same paths and metadata shape."
)
SORT_CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/item-search#sort",
    "https://api.stacspec.org/v1.1.0/item-search#sort",
]


def catalog_label(catalog: CatalogIndex) -> str:
    """Which catalog this is, in words for the landing page and the room's instructions."""
    kind = "synthetic imagery" if catalog_is_current(catalog.folder) else "a mirrored kit"
    return f"{catalog.folder.name} ({kind})"


def _stac_api(catalog: CatalogIndex, room: bool) -> StacApi:
    """The STAC API at ``/v1``: core, collections, item search and Earth Search's extensions."""
    pagination = NextTokenPaginationExtension()
    filters = SearchFilterExtension(client=OfflineFiltersClient(catalog=catalog))
    extensions = [
        QueryExtension(),
        # Earth Search advertises the v1.0.0 sort classes; keep the newer ones too.
        SortExtension(conformance_classes=SORT_CONFORMANCE),
        FieldsExtension(),
        filters,
        pagination,
    ]
    description = f"{LANDING_DESCRIPTION} Serving: {catalog_label(catalog)}."
    settings = ApiSettings(
        stac_fastapi_title=LANDING_TITLE,
        stac_fastapi_description=description,
        stac_fastapi_landing_id=LANDING_ID,
        stac_fastapi_version=__version__,
        openapi_url=f"{API_PREFIX}/api",
        # No FastAPI page (it loads Swagger UI from a CDN): /v1/api.html is docs_page's.
        docs_url="",
    )
    api = StacApi(
        settings=settings,
        client=OfflineCoreClient(
            catalog=catalog,
            landing_page_id=LANDING_ID,
            max_page_size=ROOM_MAX_PAGE_SIZE if room else MAX_PAGE_SIZE,
        ),
        extensions=extensions,
        title=LANDING_TITLE,
        description=description,
        router=APIRouter(prefix=API_PREFIX),
        search_get_request_model=create_get_request_model(extensions),
        search_post_request_model=create_request_model(  # type: ignore[arg-type]
            "SearchPostRequest",
            base_model=OfflineSearchPostRequest,
            extensions=extensions,
            mixins=[TextOrJsonFilter],  # type: ignore[arg-type]
            request_type="POST",
        ),
        items_get_request_model=create_request_model(  # type: ignore[arg-type]
            "ItemCollectionUri", base_model=ItemCollectionUri, extensions=[pagination]
        ),
        exceptions={**DEFAULT_STATUS_CODES, SearchError: 400},
    )
    add_collection_queryables(api.app, filters)
    return api


def _add_index(app: FastAPI, catalog: CatalogIndex) -> None:
    """``/``: where the API and the files are, and which catalog."""

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> JSONResponse:
        root = server_root(request)
        return JSONResponse(
            {
                "description": LANDING_DESCRIPTION,
                "catalog": catalog_label(catalog),
                "stac_api": f"{root}{API_PREFIX}",
                "files": f"{root}{FILES_PREFIX}/",
            }
        )


def create_app(
    catalog_folder: Path | str,
    room: bool = False,
    rate: float = RATE_PER_SECOND,
    traffic_stats: bool = False,
) -> FastAPI:
    """The FastAPI app of the offline Earth Search for a static catalog folder.

    ``room``: shared by a workshop room (``serve --room``): each client's request rate is
    limited to ``rate`` requests a second (0: no limit) and pages are at most
    ``ROOM_MAX_PAGE_SIZE`` items. ``traffic_stats``: count the file route's traffic at
    ``/_stats``, for tests and benchmarks; refused in room mode, where anyone could reset it.
    """
    if room and traffic_stats:
        raise OfflineEarthSearchError(
            "Traffic counters (/_stats) are for tests and benchmarks on this computer; a room's "
            "server does not offer them. Leave out --traffic-stats, or --room."
        )
    catalog = CatalogIndex.load(catalog_folder)
    app = _stac_api(catalog, room).app
    app.state.catalog = catalog
    add_docs_page(app)
    app.add_middleware(LandingWithoutSlash)
    app.add_middleware(BodySizeLimit)
    add_file_routes(app, catalog)
    if traffic_stats:
        from .traffic import add_traffic_stats

        add_traffic_stats(app)
    _add_index(app, catalog)
    if room and rate > 0:
        app.add_middleware(RateLimit, rate=rate)  # outermost: refused before any other work
    return app
