"""The API's documentation page, ``/v1/api.html``: Swagger UI served by this server, no CDN.

FastAPI's own page loads Swagger UI's script and styles from a CDN and its icon from FastAPI's
web site: without network it stays blank, and it is the page the landing page's ``service-doc``
link opens. Here the page names only this server: the three files come from the
``fastapi-swagger`` package (Swagger UI's built files, MIT; chosen over swagger-ui-bundle,
whose Swagger UI is 4.15 of 2023, because it follows Swagger UI's releases and depends on
nothing but FastAPI: docs/offline-server.md) and are served at ``/v1/_swagger/<name>``. The
page reads the same OpenAPI document as before, ``/v1/api``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import fastapi_swagger.resources
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from .paths import API_PREFIX, DOCS_ASSETS_PREFIX

DOCS_PAGE = f"{API_PREFIX}/api.html"
#: The only files served from the package (its folder also holds an ``__init__.py``).
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
#: No validator badge: Swagger UI would fetch it from validator.swagger.io for a room's address.
SWAGGER_PARAMETERS = {"validatorUrl": None}
#: The files change only with the package: browsers may keep them for a day.
CACHE_CONTROL = "public, max-age=86400"


def swagger_file(name: str) -> Path:
    """Where one of ``SWAGGER_FILES`` is installed."""
    return Path(str(resources.files(fastapi_swagger.resources).joinpath(name)))


def add_docs_page(app: FastAPI) -> None:
    """``/v1/api.html`` and its files, for an app made without FastAPI's page (``docs_url``).

    The page's route keeps FastAPI's name, ``swagger_ui_html``: stac-fastapi's landing page
    builds its ``service-doc`` link from it.
    """
    assert app.openapi_url and not app.docs_url, "FastAPI's own page would be served first"

    @app.get(DOCS_PAGE, include_in_schema=False, name="swagger_ui_html")
    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_ASSETS_PREFIX}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_PREFIX}/favicon-32x32.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @app.api_route(
        f"{DOCS_ASSETS_PREFIX}/{{name}}", methods=["GET", "HEAD"], include_in_schema=False
    )
    async def swagger_asset(name: str) -> Response:
        if name not in SWAGGER_FILES:
            return JSONResponse(
                {
                    "code": "NotFound",
                    "description": f"No file {name!r} here: {DOCS_ASSETS_PREFIX} holds only "
                    f"{', '.join(SWAGGER_FILES)}, the files of {DOCS_PAGE}.",
                },
                status_code=404,
            )
        return FileResponse(
            swagger_file(name),
            media_type=SWAGGER_FILES[name],
            headers={"Cache-Control": CACHE_CONTROL},
        )
