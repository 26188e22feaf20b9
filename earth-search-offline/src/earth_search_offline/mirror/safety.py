"""What the mirror accepts from a remote STAC API: safe local names, fetchable hrefs, bounded
answers and paging that ends.

The mirror builds local paths from what the remote sends (``earthsearch:s3_path``, item ids,
the file names of asset hrefs). A remote that is broken or hostile must not make it write
outside the kit folder, read local files, fill the disk or loop forever: each check below
refuses with a ``MirrorError`` that names the item and what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests

from ..errors import MirrorError

#: Largest file the mirror copies whole (a real 10 m band COG is 100-250 MB).
MAX_DOWNLOAD_BYTES = 2_000_000_000
#: Largest JSON answer (a search page of 100 Earth Search items is about 1 MB).
MAX_JSON_BYTES = 50_000_000
#: Most search pages one mirror run follows (at 10 to 100 items a page).
MAX_SEARCH_PAGES = 1_000
#: Characters that Windows or macOS file systems refuse or treat specially in a name.
_UNSAFE_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def safe_name(name: str, what: str, item_id: str) -> str:
    """``name`` if it is a safe file or folder name on every system, else ``MirrorError``."""
    problem = None
    if not name or name in (".", ".."):
        problem = "is empty or a relative step"
    elif name.startswith("."):
        problem = "starts with a dot (hidden, and the mirror's own temporary files do)"
    elif _UNSAFE_CHARACTERS.search(name):
        problem = "holds a character that Windows or macOS refuse in file names"
    elif name.endswith((" ", ".")) or _WINDOWS_RESERVED.match(name):
        problem = "is a name Windows reserves or cannot keep"
    elif len(name.encode()) > 200:
        problem = "is longer than 200 bytes"
    if problem:
        raise MirrorError(
            f"Item {item_id!r}: its {what} {name!r} {problem}. The mirror writes only safe "
            "names inside the kit folder; mirror from another API, or leave this item out "
            "(narrow the search)."
        )
    return name


def safe_relative(parts: Iterable[str], what: str, item_id: str) -> str:
    """A relative path made of safe names, joined with ``/``."""
    return "/".join(safe_name(part, what, item_id) for part in parts)


def inside(folder: Path, relative: str, item_id: str) -> Path:
    """``folder / relative``, checked to resolve inside ``folder`` (symbolic links included)."""
    root = folder.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise MirrorError(
            f"Item {item_id!r}: the path {relative!r} leads outside the kit folder {root}; "
            "nothing was written there."
        )
    return root / relative


def fetchable(href: str, item_id: str, key: str) -> str:
    """``href`` if it is an http(s) URL with a host, else ``MirrorError``.

    Not ``file:`` (local files), not ``s3:`` (needs credentials), not GDAL's ``/vsi...`` paths.
    """
    parsed = urlparse(href)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise MirrorError(
            f"Item {item_id!r}: asset {key!r} points at {href[:200]!r}; the mirror fetches only "
            "http:// and https:// addresses. Choose other assets (--assets), e.g. the COGs."
        )
    return href


def bounded_json_hook(limit: int | None = None) -> Callable[..., requests.Response]:
    """A requests response hook that reads at most ``limit`` bytes of a non-streamed answer.

    Hooks run before requests reads the body, so an answer that never ends, or claims to be
    huge, stops at the limit instead of filling memory.
    """

    def hook(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        most = MAX_JSON_BYTES if limit is None else limit
        if kwargs.get("stream"):
            return response
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > most:
            response.close()
            raise MirrorError(_too_large(response.url, int(declared), most))
        body = bytearray()
        for chunk in response.iter_content(1 << 16):
            body += chunk
            if len(body) > most:
                response.close()
                raise MirrorError(_too_large(response.url, len(body), most))
        # requests keeps a read body here; setting it is how a hook hands the body on.
        response._content = bytes(body)
        return response

    return hook


def bounded_chunks(
    response: requests.Response, chunk: int, limit: int | None = None
) -> Iterator[bytes]:
    """The body of a streamed download, refused once it passes ``limit`` bytes."""
    most = MAX_DOWNLOAD_BYTES if limit is None else limit
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > most:
        raise MirrorError(_too_large(response.url, int(declared), most))
    received = 0
    for block in response.iter_content(chunk):
        received += len(block)
        if received > most:
            raise MirrorError(_too_large(response.url, received, most))
        yield block


def _too_large(url: str, size: int, limit: int) -> str:
    return (
        f"The answer from {url[:200]} is larger than {limit:,} bytes (at least {size:,}); the "
        "mirror stopped reading it. Check the API URL, or choose smaller assets."
    )


def ending_pages(pages: Iterable[dict[str, Any]], api_url: str) -> Iterator[dict[str, Any]]:
    """The search's pages, stopped with ``MirrorError`` if one repeats or they never end."""
    seen: set[tuple[str, ...]] = set()
    for number, page in enumerate(pages, start=1):
        ids = tuple(str(feature.get("id")) for feature in page.get("features", []))
        if ids and ids in seen:
            raise MirrorError(
                f"The search on {api_url} sent page {number} twice (the same items again): its "
                "paging loops. Nothing was written; report it to the API's maintainers."
            )
        seen.add(ids)
        if number > MAX_SEARCH_PAGES:
            raise MirrorError(
                f"The search on {api_url} went on past {MAX_SEARCH_PAGES} pages. Narrow it "
                "(dates, area, --max-items); nothing was written."
            )
        yield page
