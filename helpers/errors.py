"""The lesson helpers' base exception.

Every message says what was received, what was expected and what to try next. The offline
Earth Search has its own (``earth_search_offline.errors``).
"""

from __future__ import annotations


class LessonError(Exception):
    """Base class of the errors raised by ``helpers``."""
