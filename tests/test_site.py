"""The lesson web site (Jupyter Book), built offline and checked in a real browser.

The site is built with ``make site`` into a temporary folder, served from a local HTTP server
and loaded by headless Debian Chromium driven by Playwright. A page fails on a console error, a
failed request, a request that leaves this machine, a broken image or an image without a text
alternative. axe-core (the npm package, fetched by ``make test``) audits every page for WCAG 2
A and AA. Screenshots and the audit's counts go to test-artifacts/site/.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import yaml
from lesson_testing import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Page, sync_playwright

from helpers.live_check import freshness, read_live_check
from tools.notebooks import lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]
ARTIFACTS = REPOSITORY / "test-artifacts" / "site"
AXE = next(iter(sorted((REPOSITORY / "build" / "vendor").glob("axe-core-*/axe.min.js"))), None)
WCAG_2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CONFIG = yaml.safe_load((REPOSITORY / "_config.yml").read_text())
LOCAL_JUPYTERLAB = "http://localhost:8888/lab/tree/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("book")
    result = subprocess.run(
        ["make", "--no-print-directory", "site", f"BOOK={book}"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return book / "_build" / "html"


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send_error(self, code: int, *args: object, **kwargs: object) -> None:
            if code == 404:
                NOT_FOUND.append(self.path)  # the console's 404 message names no address
            super().send_error(code, *args, **kwargs)

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


#: Paths the site's server answered 404, in order.
NOT_FOUND: list[str] = []
#: Chromium asks for /favicon.ico by itself, whatever the page's icon link says, when it likes.
FAVICON_PROBE = "/favicon.ico"
CONSOLE_404 = (
    "console: Failed to load resource: the server responded with a status of 404 (File not found)"
)


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1200, "height": 900})
        browser.close()


def content_pages(site: Path) -> list[str]:
    """Every page a reader reaches from the table of contents, plus search."""
    pages = [path.relative_to(site).as_posix() for path in site.rglob("*.html")]
    return sorted(page for page in pages if not page.startswith("_") and page != "genindex.html")


def test_the_site_has_every_episode_the_guide_the_setup_and_downloads(site: Path) -> None:
    pages = content_pages(site)
    episodes = [f"notebooks/{path.stem}.html" for path in lesson_notebooks()]
    assert episodes[:5] == ["notebooks/01-discover-catalog.html", "notebooks/02-search-items.html",
                            "notebooks/03-inspect-metadata.html", "notebooks/04-access-assets.html",
                            "notebooks/05-clip-compute-save.html"]  # fmt: skip
    expected = {"site/index.html", "site/setup.html", "notebooks/00-setup.html",
                "instructors/guide.html", "instructors/organising.html", "search.html",
                *episodes}  # fmt: skip
    assert expected <= set(pages), sorted(expected - set(pages))
    landing = (site / "site" / "index.html").read_text()
    order = [landing.index(f"../{page}") for page in episodes]
    assert order == sorted(order), "the landing page lists the episodes in order"
    for path in lesson_notebooks():
        downloads = list(site.glob(f"_downloads/*/{path.name}"))
        assert len(downloads) == 1, f"the learner edition of {path.name} is offered"
        learner = nbformat.read(downloads[0], as_version=4)
        assert not any("solution" in cell.metadata.get("tags", []) for cell in learner.cells)
        assert not any(cell.get("outputs") for cell in learner.cells if cell.cell_type == "code")
    for page in episodes:
        assert 'src="https://' not in (site / page).read_text(), "no script from a CDN"


def test_pages_render_in_chromium_without_errors(
    site: Path, site_url: str, browser_page: Page
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: r.url.startswith((site_url, "data:"))
            or problems.append(f"left the machine: {r.url}"))  # fmt: skip
    for name in content_pages(site):
        page.goto(f"{site_url}/{name}", wait_until="networkidle")
        images = page.eval_on_selector_all(
            "main img",
            "els => els.map(e => [e.complete, e.naturalWidth, e.alt, !!e.closest('.cell_output')])",
        )
        for done, width, alt, is_figure in images:
            assert done and width > 0 and alt, (name, alt)
            # A figure's text alternative says what it shows: words, not a file name.
            if is_figure:
                assert len(alt.split()) >= 8 and not re.search(r"\.(png|jpe?g)\b", alt), alt
        if re.match(r"notebooks/0[3-6]", name):
            assert any(is_figure for *_, is_figure in images), f"{name} shows its figures"
        page.screenshot(path=str(ARTIFACTS / f"{name.replace('/', '_')}.png"), full_page=False)
    assert [path for path in NOT_FOUND if path != FAVICON_PROBE] == []
    for _ in range(NOT_FOUND.count(FAVICON_PROBE)):  # the browser's own probe, not the site's
        if CONSOLE_404 in problems:
            problems.remove(CONSOLE_404)
    assert problems == []


def test_solutions_are_folded_until_asked_for(site_url: str, browser_page: Page) -> None:
    page = browser_page
    page.goto(f"{site_url}/notebooks/02-search-items.html", wait_until="networkidle")
    source = nbformat.read(REPOSITORY / "notebooks" / "02-search-items.ipynb", as_version=4)
    solutions = [cell for cell in source.cells if "solution" in cell.metadata.get("tags", [])]
    folded = page.locator("details.hide")
    assert folded.count() == len(solutions) >= 2
    first = folded.first
    assert first.locator("summary").inner_text().strip() == "Show the solution"
    code = first.locator("pre").first
    assert not code.is_visible(), "solutions start folded"
    first.locator("summary").click()
    assert code.is_visible() and solutions[0].source.splitlines()[0] in code.inner_text()


def test_episode_pages_launch_binder_and_a_local_jupyterlab(site: Path) -> None:
    owner_repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    for path in lesson_notebooks():
        text = (site / "notebooks" / f"{path.stem}.html").read_text()
        binder = f"https://mybinder.org/v2/gh/{owner_repo}/{CONFIG['repository']['branch']}"
        assert re.search(re.escape(binder) + r"\?urlpath=lab/tree/notebooks/" + path.name, text)
        assert f"{LOCAL_JUPYTERLAB}notebooks/{path.name}" in text
    assert LOCAL_JUPYTERLAB not in (site / "site" / "setup.html").read_text(), "notebooks only"


def test_widgets_are_described_in_words_and_load_no_script(site: Path) -> None:
    for page, words in (("02-search-items", "Interactive scene explorer"),
                        ("05-clip-compute-save", "Interactive clip preview")):  # fmt: skip
        text = (site / "notebooks" / f"{page}.html").read_text()
        assert words in text and "Run the notebook in JupyterLab" in text
        assert "widget-view+json" not in text and "html-manager" not in text


def test_search_finds_the_episodes_offline(site_url: str, browser_page: Page) -> None:
    page = browser_page
    page.goto(f"{site_url}/search.html?q=clip_box", wait_until="networkidle")
    results = page.locator("#search-results li a")
    results.first.wait_for(timeout=15_000)
    found = {results.nth(i).get_attribute("href") for i in range(results.count())}
    assert any("05-clip-compute-save" in href for href in found), found


def test_every_page_passes_axe_for_wcag_2_a_and_aa(
    site: Path, site_url: str, browser_page: Page
) -> None:
    assert AXE is not None, "axe-core is missing: `make test` fetches it into build/vendor/"
    page = browser_page
    counts: dict[str, dict[str, int]] = {}
    serious: list[str] = []
    for name in content_pages(site):
        page.goto(f"{site_url}/{name}", wait_until="networkidle")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_2_A_AA
        )
        impacts = [violation["impact"] for violation in result["violations"]]
        counts[name] = {impact: impacts.count(impact) for impact in set(impacts)}
        counts[name]["passed rules"] = len(result["passes"])
        serious += [
            f"{name}: {v['id']} ({v['impact']}): {v['help']}: {v['nodes'][0]['target']}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe.json").write_text(json.dumps(counts, indent=1))
    assert len(counts) >= 10 and serious == []


def test_the_landing_page_lists_each_episode_with_its_own_title_and_timing() -> None:
    """``site/index.md`` is written by hand: its table and total must follow the notebooks."""
    landing = (REPOSITORY / "site" / "index.md").read_text()
    row = r"^\| (\d)\. \[([^\]]+)\]\(\.\./notebooks/([\w-]+\.ipynb)\)[^|]*"
    rows = re.findall(row + r"\| (\d+) min \| (\d+) min \|$", landing, flags=re.MULTILINE)
    expected, total = [], 0
    for number, path in enumerate(lesson_notebooks(), start=1):
        opening = nbformat.read(path, as_version=4).cells[0].source
        title = opening.splitlines()[0].removeprefix("# ")
        teaching, exercises = re.search(
            r"teaching (\d+) min, exercises (\d+) min", opening
        ).groups()
        expected.append((str(number), title, path.name, teaching, exercises))
        if re.search(r"\*Episode \d of \d of", opening):  # episode 6 is optional: not counted
            total += int(teaching) + int(exercises)
    assert rows == expected
    stated = re.search(r"Five episodes take (\d+) h (\d+) min", landing)
    assert stated and 60 * int(stated.group(1)) + int(stated.group(2)) == total


def test_optional_parts_are_marked_as_such(site: Path) -> None:
    """Each episode's depth sits under "Going deeper (optional)", after the core's exercises and
    before the key points, and an optional exercise says so in its heading."""
    for path in lesson_notebooks()[:5]:
        page = (site / "notebooks" / f"{path.stem}.html").read_text()
        found = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page, flags=re.S)
        headings = [re.sub(r"<[^>]+>|#|¶", "", heading).strip() for heading in found]
        deeper = headings.index("Going deeper (optional)")
        assert headings.index("Key points") == len(headings) - 2, headings  # then What's next
        core_exercises = [h for h in headings[:deeper] if h.startswith("Exercise")]
        assert core_exercises and not any("optional" in h for h in core_exercises), path.name
        later = headings[deeper + 1 : -2]
        assert all("optional" in h for h in later if h.startswith("Exercise")), later
    notebook = nbformat.read(lesson_notebooks()[4], as_version=4)
    optional_solutions = [cell for cell in notebook.cells if {"optional", "solution"}
                          <= set(cell.metadata.get("tags", []))]  # fmt: skip
    assert len(optional_solutions) >= 2, "episode 5's optional exercises have solutions"


def test_pages_say_when_the_lesson_was_last_checked_live(site: Path) -> None:
    """The committed record (helpers/live_check.json, or none), under each page's title."""
    said = freshness(read_live_check()).split(" (")[0]  # its date, not the build's day
    pages = ["site/index.html", *(f"notebooks/{path.stem}.html" for path in lesson_notebooks())]
    for page in pages:
        text = (site / page).read_text()
        title_end = text.index("</h1>", text.index('<article class="bd-article">'))
        assert text[title_end:].startswith('</h1><div class="admonition'), page
        assert html.escape(said) in text[title_end : title_end + 600], page


def test_each_page_shows_one_search(site_url: str, browser_page: Page) -> None:
    """Wide, the theme's field in the top bar; narrow, its icon: never also the sidebar's."""
    visible = (".search-button__button, input[type=search]", "els => els.filter("
               "e => e.offsetParent !== null && e.getClientRects().length).length")  # fmt: skip
    for width in (1400, 800, 400):
        browser_page.set_viewport_size({"width": width, "height": 900})
        for page in ("site/index.html", "notebooks/05-clip-compute-save.html"):
            browser_page.goto(f"{site_url}/{page}", wait_until="networkidle")
            assert browser_page.eval_on_selector_all(*visible) == 1, (width, page)
    browser_page.set_viewport_size({"width": 1200, "height": 900})
