"""End to end: JupyterLab in headless Chromium runs episode 2 and the explorer reacts.

JupyterLab and the offline catalog run on 127.0.0.1; Playwright drives Debian's Chromium
(never a downloaded browser). The test opens the notebook, runs all cells, moves the
cloud-cover slider to its maximum, and checks that the count shown equals what the API says
for that value. A screenshot is kept in test-artifacts/widgets/.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from lesson_testing import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import expect, sync_playwright
from pystac_client import Client
from shapely.geometry import Point

from helpers.places import AMSTERDAM
from tools.notebooks import NOTEBOOK_FOLDER

REPOSITORY = Path(__file__).resolve().parents[1]
ARTIFACTS = REPOSITORY / "test-artifacts" / "widgets"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory, api_url: str) -> Iterator[str]:
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK_FOLDER / "02-search-items.ipynb", root)
    port, token = _free_port(), secrets.token_hex(16)
    # The kernel here is a learner's: deprecations are checked by the nbval run, not in this UI.
    env = {key: value for key, value in os.environ.items() if key != "IPYTHONDIR"}
    env["STAC_API_URL"] = api_url
    # Render every cell (no lazy windowing), so the widget exists wherever the view is.
    settings = root / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    env["JUPYTERLAB_SETTINGS_DIR"] = str(root / "lab-settings")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/status?token={token}", timeout=2).ok:
                break
        except requests.RequestException:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not start within 90 s")
    yield f"{url}/lab/tree/02-search-items.ipynb?token={token}"
    process.terminate()
    process.wait(timeout=30)


def _matched(api_url: str, below: int) -> int:
    search = Client.open(api_url).search(
        collections=["sentinel-2-l2a"],
        intersects=Point(*AMSTERDAM),
        datetime="2021-01-01/2021-12-31",
        query={"eo:cloud_cover": {"lt": below}},
    )
    return search.matched()


#: Whether the scene list shows whole ids, and no label is cut (wider than its box).
TEXT_FITS = """() => {
  const select = document.querySelector('.widget-select select');
  const texts = [...select.options].map(option => option.text);
  const longest = texts.sort((a, b) => b.length - a.length)[0];
  const probe = document.createElement('span');
  probe.style.font = getComputedStyle(select).font;
  probe.style.whiteSpace = 'pre';
  probe.textContent = longest;
  document.body.appendChild(probe);
  const needed = probe.offsetWidth + 24;  // the list's padding and scroll bar
  probe.remove();
  const cut = [...document.querySelectorAll('.widget-label, .widget-readout, .widget-html-content')]
    .filter(label => label.offsetParent && label.scrollWidth > label.clientWidth + 1)
    .map(label => label.textContent);
  return {longest, needed, width: select.clientWidth, cut_labels: cut};
}"""


def test_explorer_renders_and_reacts_in_jupyterlab(jupyterlab: str, api_url: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(jupyterlab)
        page.locator(".jp-Notebook").first.wait_for(timeout=90_000)
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible(timeout=90_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

        count = page.locator(".widget-html-content", has_text="scenes match").first
        expect(count).to_be_visible(timeout=120_000)
        first = int(re.search(r"(\d+) scenes match", count.inner_text()).group(1))
        assert first == _matched(api_url, 5)
        fit = page.evaluate(TEXT_FITS)
        assert "_L2A" in fit["longest"] and fit["needed"] <= fit["width"], fit
        assert fit["cut_labels"] == [], fit

        handle = page.locator(".widget-slider .noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press("End")
        readout = page.locator(".widget-slider .widget-readout").first
        expect(readout).to_have_text("100", timeout=10_000)
        expected = _matched(api_url, 100)
        expect(count).to_contain_text(f"{expected} scenes match", timeout=60_000)
        assert expected != first, "the slider must change what is shown"
        count.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "scene-explorer.png"))
        browser.close()
