"""Exceptions of the lesson helpers.

Every message says what was received, what was expected and what to try next.
"""

from __future__ import annotations


class LessonError(Exception):
    """Base class of the errors raised by ``helpers``."""


class CatalogFolderError(LessonError):
    """A folder does not hold a static STAC catalog the offline server can serve."""


class SearchError(LessonError, ValueError):
    """A search request the offline STAC API cannot answer (sent back as HTTP 400)."""


class OfflineServerError(LessonError):
    """The offline Earth Search server could not be started or reached."""


class MirrorError(LessonError):
    """A mirror request that cannot be carried out, or a remote answer the mirror refuses."""
