"""The lesson web site, built offline and checked in a real browser (Debian's Chromium).

Each page is loaded from a local HTTP server by headless Chromium driven by Playwright; the
test fails on a console error, a failed request, a request that leaves this machine, or a
broken image. A screenshot of every page is kept in test-artifacts/site/.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tools.notebooks import lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPOSITORY / "test-artifacts" / "site"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "tools.build_site", "--output", str(output)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return output


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_site_has_a_page_per_episode_and_a_landing_page(site: Path) -> None:
    pages = sorted(path.name for path in site.glob("*.html"))
    episodes = [f"{path.stem}.html" for path in lesson_notebooks()]
    assert episodes[:5] == ["01-discover-catalog.html", "02-search-items.html",
                            "03-inspect-metadata.html", "04-access-assets.html",
                            "05-clip-compute-save.html"]  # fmt: skip
    assert set(episodes) <= set(pages) and "index.html" in pages
    index = (site / "index.html").read_text()
    order = [index.index(page) for page in episodes]
    assert order == sorted(order), "the landing page lists the episodes in order"
    for page in episodes:
        text = (site / page).read_text()
        assert "<script src=" not in text, "no script from a CDN: the site works offline"
        assert '.ipynb"' not in re.sub(r'href="downloads/[^"]+"', "", text)
    assert (site / "downloads" / "02-search-items.ipynb").is_file()
    assert "interactive widget is shown here" in (site / "02-search-items.html").read_text()


def test_pages_render_in_chromium_without_errors(site: Path, site_url: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on("request", lambda r: r.url.startswith((site_url, "data:"))
                or problems.append(f"left the machine: {r.url}"))  # fmt: skip
        for path in sorted(site.glob("*.html")):
            page.goto(f"{site_url}/{path.name}", wait_until="load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth])"
            )
            assert all(done and width > 0 for done, width in images), (path.name, images)
            if path.name[:2].isdigit() and path.name[:2] != "01" and path.name[:2] != "02":
                assert images, f"{path.name} shows its figures"
            page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"), full_page=False)
        browser.close()
    assert problems == []


def test_solutions_are_folded_and_episodes_linked(site: Path, site_url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{site_url}/02-search-items.html")
        details = page.locator("details.solution")
        assert details.count() >= 2
        assert not details.first.evaluate("d => d.open"), "solutions start folded"
        assert not details.first.locator(".jp-CodeCell").first.is_visible()
        details.first.locator("summary").click()
        assert details.first.locator(".jp-CodeCell").first.is_visible()
        page.get_by_role("link", name=re.compile("Inspect the metadata")).first.click()
        assert page.url.endswith("/03-inspect-metadata.html")
        page.get_by_role("link", name="All episodes").first.click()
        assert page.url.endswith("/index.html")
        browser.close()
