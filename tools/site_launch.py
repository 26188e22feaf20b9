"""Sphinx extension for the lesson's site: how pages launch notebooks.

- sphinx-book-theme's launch menu offers Binder and JupyterHub; learners who ran ``make lab``
  have JupyterLab on their own computer (port 8888 unless it was taken), so each notebook page
  also links there.
- Thebe (running code inside the page) is not offered: it loads from unpkg.com, and
  sphinx-thebe 0.3.1, which Jupyter Book 1 always loads, adds its settings script twice, so
  that every page raised "Identifier 'THEBE_JS_URL' has already been declared". Its scripts
  are left out of the pages.

Loaded by ``_config.yml`` (``sphinx.local_extensions``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LOCAL_JUPYTERLAB = "http://localhost:8888/lab/tree/"


def add_local_button(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Add the local JupyterLab link to the page's launch menu (notebook pages only)."""
    source = Path(app.env.doc2path(pagename, base=False)) if pagename in app.env.all_docs else None
    if source is None or source.suffix != ".ipynb":
        return
    for button in context.get("header_buttons", []):
        if button.get("label") == "launch-buttons":
            button["buttons"].append({
                "type": "link",
                "text": "JupyterLab (make lab)",
                "tooltip": "Open in the JupyterLab that make lab started on this computer",
                "icon": "fas fa-laptop-code",
                "url": LOCAL_JUPYTERLAB + source.as_posix(),
                "label": "launch-local-jupyterlab-button",
            })  # fmt: skip


def _is_thebe(script: Any) -> bool:
    body = getattr(script, "attributes", {}).get("body", "")
    return "sphinx-thebe" in str(getattr(script, "filename", script)) or "THEBE_JS_URL" in body


def leave_out_thebe(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe(s)]


def setup(app: Any) -> dict[str, Any]:
    # After sphinx-book-theme has made the launch menu (its handlers run at the default 500).
    app.connect("html-page-context", add_local_button, priority=600)
    app.connect("html-page-context", leave_out_thebe, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
