"""Answer JSON-schema downloads from local copies (for a process with this folder on PYTHONPATH).

Used by ``tests/test_stac_api_validator.py`` to run stac-api-validator with no network and
nothing set aside: its schema requests (``requests`` and ``urllib``) for the hosts of the STAC
schemas are answered from ``$LESSON_STAC_SCHEMAS`` (each file at its URL without ``https://``);
a schema that is not stored gets a 404, which the validator reports like any other error.
Python imports a ``sitecustomize`` module found on the path at start-up.
"""

from __future__ import annotations

import io
import os
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

ROOT = Path(os.environ["LESSON_STAC_SCHEMAS"])
PREFIXES = tuple(
    f"{scheme}://{host}/"
    for scheme in ("https", "http")
    for host in ("schemas.stacspec.org", "stac-extensions.github.io", "geojson.org", "proj.org")
)


def _local(url: str) -> Path:
    """The stored copy of a schema URL; each address served is noted in $LESSON_STAC_SCHEMAS_LOG."""
    log = os.environ.get("LESSON_STAC_SCHEMAS_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(url + "\n")
    return ROOT / url.split("://", 1)[1].split("#", 1)[0]


class LocalSchemas(BaseAdapter):
    """A requests transport that reads schema URLs from the local copies."""

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        path = _local(request.url)
        response = requests.Response()
        response.url, response.request = request.url, request
        response.status_code = 200 if path.is_file() else 404
        response.reason = "OK" if path.is_file() else "Not stored offline"
        response._content = path.read_bytes() if path.is_file() else b"{}"
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        return response

    def close(self) -> None:
        pass


_session_init = requests.Session.__init__


def _init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    _session_init(self, *args, **kwargs)
    for prefix in PREFIXES:
        self.mount(prefix, LocalSchemas())


requests.Session.__init__ = _init  # type: ignore[method-assign]

_urlopen = urllib.request.urlopen


class _LocalResponse(io.BytesIO):
    status = 200

    def __init__(self, data: bytes, url: str) -> None:
        super().__init__(data)
        self.url = url
        self.headers = Message()
        self.headers["Content-Type"] = "application/json"

    def getcode(self) -> int:
        return 200

    def geturl(self) -> str:
        return self.url


def _open(url, *args, **kwargs):  # type: ignore[no-untyped-def]
    address = url.full_url if isinstance(url, urllib.request.Request) else str(url)
    if address.startswith(PREFIXES):
        path = _local(address)
        if not path.is_file():
            raise urllib.error.HTTPError(address, 404, "Not stored offline", Message(), None)
        return _LocalResponse(path.read_bytes(), address)
    return _urlopen(url, *args, **kwargs)


urllib.request.urlopen = _open

# pystac fetches the schemas it validates against through its default StacIO (urllib3).
import pystac  # noqa: E402


class LocalSchemasStacIO(pystac.stac_io.DefaultStacIO):
    def read_text_from_href(self, href: str) -> str:
        if href.startswith(PREFIXES):
            path = _local(href)
            if not path.is_file():
                raise FileNotFoundError(f"schema not stored offline: {href}")
            return path.read_text(encoding="utf-8")
        return super().read_text_from_href(href)


pystac.StacIO.set_default(LocalSchemasStacIO)
