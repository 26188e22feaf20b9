"""Exceptions of the offline Earth Search.

Every message says what was received, what was expected and what to try next.
"""

from __future__ import annotations


class OfflineEarthSearchError(Exception):
    """Base class of the errors raised by ``earth_search_offline``."""


class CatalogFolderError(OfflineEarthSearchError):
    """A folder does not hold a static STAC catalog the offline server can serve."""


class SearchError(OfflineEarthSearchError, ValueError):
    """A search request the offline STAC API cannot answer (sent back as HTTP 400)."""


class ServerStartError(OfflineEarthSearchError):
    """The offline server could not be started, or did not answer once started."""


class MirrorError(OfflineEarthSearchError):
    """A mirror request that cannot be carried out, or a remote answer the mirror refuses."""
