"""Sphinx extension for the lesson's site: each episode and the landing page say, under their
title, when the lesson was last checked against the live Earth Search (``helpers.live_check``),
and plainly when that is more than 30 days before the site was built.

Loaded by ``_config.yml`` (``sphinx.local_extensions``); ``tests/test_site.py`` checks the pages.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from helpers.errors import LessonError
from helpers.live_check import FRESH_DAYS, LiveCheck, age_in_days, freshness, read_live_check

#: The pages that carry the note: the landing page and the episodes.
PAGES = ("site/index", "notebooks/0")


def note(check: LiveCheck | None, today: dt.date | None = None) -> str:
    """The note's HTML: an admonition with ``freshness(check)``, marked when the check is old."""
    fresh = check is not None and check.passed and age_in_days(check, today) <= FRESH_DAYS
    kind = "note" if fresh else "warning"
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(freshness(check, today)))
    return (
        f'<div class="admonition {kind} live-check"><p class="admonition-title">'
        f"The live Earth Search</p><p>{text}</p></div>"
    )


def add_note(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    if not pagename.startswith(PAGES) or not isinstance(body, str) or "</h1>" not in body:
        return
    try:
        check = read_live_check()
    except LessonError as error:  # a damaged record is said on the page, not a failed build
        text = html.escape(str(error))
        context["body"] = body.replace("</h1>", f"</h1><p>{text}</p>", 1)
        return
    context["body"] = body.replace("</h1>", f"</h1>{note(check)}", 1)


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", add_note)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
