"""Sphinx extension for the lesson's site: accessibility fixes the toolchain does not make.

MyST-NB folds a solution under ``<summary aria-label="Toggle hidden content">`` while it shows
"Show the solution": a screen reader user hears a name that is not the visible one (axe:
label-content-name-mismatch, WCAG 2.5.3 Label in Name). The visible text becomes the name.
Loaded by ``_config.yml`` (``sphinx.local_extensions``); ``tests/test_site.py`` runs axe-core.
"""

from __future__ import annotations

from typing import Any

FOLDED_SUMMARY = '<summary aria-label="Toggle hidden content">'


def name_summaries_by_their_text(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    body = context.get("body")
    if isinstance(body, str) and FOLDED_SUMMARY in body:
        context["body"] = body.replace(FOLDED_SUMMARY, "<summary>")


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", name_summaries_by_their_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
