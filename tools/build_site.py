"""Build the lesson's static web site from the executed notebooks (offline outputs).

    python -m tools.build_site [--output build/site]

One HTML page per episode (nbconvert, lab template without CDN scripts, solutions folded),
navigation between episodes, a landing page listing the sequence, the instructor guide and
the learner edition of the notebooks to download. Needs no network, neither to build nor to
read.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from tools.build_editions import learner_edition
from tools.notebooks import REPOSITORY, lesson_notebooks

TEMPLATES = Path(__file__).resolve().parent / "site_template"
GUIDE = REPOSITORY / "instructors" / "guide.md"
NOTEBOOK_LINK = re.compile(r'href="(\d\d-[a-z-]+)\.ipynb"')


def _title(notebook: nbformat.NotebookNode) -> str:
    first = notebook.cells[0].source
    return first.splitlines()[0].removeprefix("# ").strip()


def _section(notebook: nbformat.NotebookNode, heading: str) -> list[str]:
    """The bullet or numbered items under a bold heading of the opening cell."""
    text = notebook.cells[0].source.split(f"**{heading}**", 1)
    if len(text) < 2:
        return []
    items = []
    for line in text[1].strip().splitlines():
        if not re.match(r"^(- |\d\. )", line):
            break
        items.append(re.sub(r"^(- |\d\. )", "", line))
    return items


def _time(notebook: nbformat.NotebookNode) -> str:
    match = re.search(r"\*\*Time\*\*: (.+)", notebook.cells[0].source)
    return match.group(1) if match else ""


def _nav(pages: list[tuple[str, str]], index: int) -> str:
    """Links to the previous episode, the landing page and the next episode."""

    def link(target: int, text: str) -> str:
        if not 0 <= target < len(pages):
            return "<span></span>"
        return f'<a href="{pages[target][0]}">{text}</a>'

    previous = link(index - 1, f"&larr; {html.escape(pages[index - 1][1])}")
    following = link(index + 1, f"{html.escape(pages[(index + 1) % len(pages)][1])} &rarr;")
    return f'{previous}<a href="index.html">All episodes</a>{following}'


def _inline(markdown: str) -> str:
    return markdown2html_mistune(markdown).removeprefix("<p>").strip().removesuffix("</p>")


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>
  body {{ font-family: sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em;
    line-height: 1.5; color: #222; }}
  table {{ border-collapse: collapse; width: 100%; }}
  td, th {{ border-bottom: 1px solid #ddd; padding: 0.5em; text-align: left;
    vertical-align: top; }}
  code {{ background: #f3f3f3; padding: 0 0.2em; }}
  pre {{ background: #f3f3f3; padding: 0.6em; overflow-x: auto; }}
</style></head>
<body>
{body}
</body></html>
"""


def _index(episodes: list[tuple[str, nbformat.NotebookNode]], has_guide: bool) -> str:
    rows = []
    for number, (page, notebook) in enumerate(episodes, start=1):
        questions = "".join(f"<li>{_inline(q)}</li>" for q in _section(notebook, "Questions"))
        rows.append(
            f'<tr><td>{number}</td><td><a href="{page}">{html.escape(_title(notebook))}</a></td>'
            f"<td><ul>{questions}</ul></td><td>{html.escape(_time(notebook))}</td></tr>"
        )
    guide = '<li><a href="instructors.html">Instructor guide</a></li>' if has_guide else ""
    body = f"""
<h1>Access satellite imagery using Python</h1>
<p>Find open Sentinel-2 imagery through a STAC API, inspect its metadata, read just the part of a
scene you need over HTTP, compute with it and save the result. The pages show the output of a
run against the lesson's offline copy of Earth Search, whose imagery is <strong>synthetic</strong>.
</p>
<table><thead><tr><th>#</th><th>Episode</th><th>Questions</th><th>Time</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<h2>More</h2>
<ul>
<li>Notebooks to work through, outputs cleared and exercise solutions removed:
{
        " ".join(
            f'<a href="downloads/{page.replace(".html", ".ipynb")}">{n}</a>'
            for n, (page, _) in enumerate(episodes, start=1)
        )
    }</li>
{guide}
</ul>
"""
    return _page("Access satellite imagery using Python", body)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<p class="widget-note"><em>An interactive widget is shown here when you run the notebook '
    "in JupyterLab.</em></p>"
)


def _without_widgets(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A static page cannot run widgets: show a note instead (and load no widget scripts)."""
    static = copy.deepcopy(notebook)
    static.metadata.pop("widgets", None)
    for cell in static.cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/html": WIDGET_NOTE}
    return static


def build(output: Path) -> list[Path]:
    """Write the site under ``output``; return the HTML pages written."""
    shutil.rmtree(output, ignore_errors=True)
    (output / "downloads").mkdir(parents=True)
    exporter = HTMLExporter(template_name="lesson", extra_template_basedirs=[str(TEMPLATES)])
    episodes = []
    for path in lesson_notebooks():
        episodes.append((path.with_suffix(".html").name, nbformat.read(path, as_version=4)))
        nbformat.write(learner_edition(episodes[-1][1]), output / "downloads" / path.name)
    pages = [(page, _title(notebook)) for page, notebook in episodes]
    written = []
    for index, (page, notebook) in enumerate(episodes):
        body, _ = exporter.from_notebook_node(
            _without_widgets(notebook),
            resources={
                "metadata": {"name": _title(notebook)},
                "lesson_nav": _nav(pages, index),
            },
        )
        (output / page).write_text(NOTEBOOK_LINK.sub(r'href="\1.html"', body), encoding="utf-8")
        written.append(output / page)
    if GUIDE.is_file():
        guide = markdown2html_mistune(GUIDE.read_text(encoding="utf-8"))
        guide = NOTEBOOK_LINK.sub(r'href="\1.html"', guide.replace('href="../notebooks/', 'href="'))
        (output / "instructors.html").write_text(
            _page("Instructor guide", '<p><a href="index.html">All episodes</a></p>' + guide),
            encoding="utf-8",
        )
        written.append(output / "instructors.html")
    (output / "index.html").write_text(_index(episodes, GUIDE.is_file()), encoding="utf-8")
    written.insert(0, output / "index.html")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPOSITORY / "build" / "site")
    args = parser.parse_args(argv)
    pages = build(args.output)
    print(f"{len(pages)} pages written; open {args.output / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
