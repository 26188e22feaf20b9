"""Where the server answers: the STAC API at ``/v1`` (as Earth Search), files at ``/files``."""

from __future__ import annotations

API_PREFIX = "/v1"
FILES_PREFIX = "/files"
#: Swagger UI's script, styles and icon, for the API's documentation page ``/v1/api.html``.
DOCS_ASSETS_PREFIX = f"{API_PREFIX}/_swagger"
