"""Where the server answers: the STAC API at ``/v1`` (as Earth Search), files at ``/files``."""

from __future__ import annotations

API_PREFIX = "/v1"
FILES_PREFIX = "/files"
