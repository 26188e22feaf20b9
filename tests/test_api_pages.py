"""The offline server's own pages as learners open them: in Chromium, and nothing leaves.

Episode 1's exercise sends learners to the API's address in a web browser, to follow the
landing page's links, ``service-desc`` and ``service-doc`` (``/v1/api.html``, Swagger UI) among
them; other episodes print addresses on the API (asset hrefs). The documentation page must
render in Debian's Chromium with no request to another host, on this computer and on a room's
server reached by a learner's address; every address on the API that the notebooks name (their
text, code and stored outputs; the live service's addresses mapped onto the offline server by
path) and every link of the landing page and the collections must answer 200 with its type.
Addresses outside the API (stacspec.org, documentation sites) are not checked here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
import requests
from earth_search_offline.earth_search import LIVE_API_URL, media_type
from earth_search_offline.static_catalog import LANDING_TITLE
from earth_search_offline.testing import OfflineServer
from lesson_testing import CHROMIUM, CHROMIUM_ARGS
from playwright.sync_api import Page, Route, expect, sync_playwright

from tools.notebooks import lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]
ARTIFACTS = REPOSITORY / "test-artifacts" / "api-pages"
#: A learner's laptop reaches a room's server by the instructor's address; here a name that
#: Chromium resolves to 127.0.0.1, so that the page is loaded from a host other than loopback's.
LEARNER_HOST = "instructor.room.test"
#: An address on the API in a notebook: the live service's, or the offline one's (outputs).
API_ADDRESS = re.compile(
    rf"(?:{re.escape(LIVE_API_URL.removesuffix('/v1'))}|http://(?:127\.0\.0\.1|localhost):\d+)"
    r"(/v1(?:/[^\s\"'<>()\[\]\\]*)?|/files/[^\s\"'<>()\[\]\\]+)"
)
#: Links of the landing page episode 1's exercise asks about, and that the lesson's outputs show.
QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
LANDING_RELATIONS = {"data", "conformance", "search", "service-desc", "service-doc", QUERYABLES}
#: Operations the documentation page must list (episode 1 reads the search's parameters there).
OPERATIONS = ("/v1/search", "/v1/collections", "/v1/conformance")


def notebook_addresses() -> dict[str, set[str]]:
    """Paths on the API (``/v1...``, ``/files/...``) the notebooks name, with where."""
    found: dict[str, set[str]] = {}
    for path in lesson_notebooks():
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            texts = [cell.source, *(json.dumps(out) for out in cell.get("outputs", []))]
            for text in texts:
                for match in API_ADDRESS.finditer(text):
                    address = match.group(1).rstrip(".,;:")
                    found.setdefault(address, set()).add(path.name)
    return found


def expected_type(path: str) -> str:
    """The media type the live service answers an address with, when no link declares it."""
    if path.startswith("/files/"):
        return media_type(path.rsplit("/", 1)[-1])
    if path.endswith(".html"):
        return "text/html"
    if path.rstrip("/").endswith(("/search", "/items")):
        return "application/geo+json"
    if path.rstrip("/").endswith("/queryables"):
        return "application/schema+json"
    if path == "/v1/api":
        return "application/vnd.oai.openapi+json;version=3.0"
    return "application/json"


def _media_type(content_type: str) -> str:
    """``text/html; charset=utf-8`` -> ``text/html``; the OpenAPI type keeps its version."""
    parts = [part.strip() for part in content_type.split(";")]
    return ";".join(part for part in parts if not part.startswith("charset="))


def _get(url: str) -> requests.Response:
    """GET as a browser or GDAL would: a file's first bytes only, a search's first page."""
    path = urlsplit(url).path
    if path.startswith("/files/"):
        return requests.get(url, headers={"Range": "bytes=0-16383"}, timeout=120)
    params = {"limit": 1} if path.rstrip("/").endswith(("/search", "/items")) else None
    return requests.get(url, params=params, timeout=60)


@pytest.fixture(scope="module")
def room_server(catalog_folder_path: Path) -> Iterator[OfflineServer]:
    """A room's server (rate limits on), bound to loopback for the test."""
    extra = ("--room", "--host", "127.0.0.1")
    with OfflineServer(catalog_folder_path, extra_args=extra) as server:
        yield server


def _open_docs_page(page: Page, url: str) -> list[str]:
    """Open the documentation page from the landing page's link; what went wrong, in words.

    Every request to another host than the page's own is refused before it leaves and listed.
    """
    own = urlsplit(url).netloc
    problems: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"left for another host: {route.request.url}")
            route.abort()

    page.route("**/*", only_this_server)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    landing = page.goto(url)
    assert landing is not None and landing.ok, url
    assert _media_type(landing.headers["content-type"]) == "application/json"
    links = {link["rel"]: link for link in landing.json()["links"]}
    service_doc = links["service-doc"]
    assert service_doc["type"] == "text/html" and urlsplit(service_doc["href"]).netloc == own
    answer = page.goto(service_doc["href"], wait_until="networkidle")
    assert answer is not None and answer.ok
    assert _media_type(answer.headers["content-type"]) == "text/html"
    return problems


def _assert_swagger_ui_rendered(page: Page) -> None:
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text(LANDING_TITLE, timeout=30_000)
    for operation in OPERATIONS:  # the shown path has zero-width spaces: read the attribute
        listed = page.locator(f'.opblock-summary-path[data-path="{operation}"]')
        expect(listed.first).to_be_visible(timeout=10_000)
    search = page.locator('.opblock-get .opblock-summary-path[data-path="/v1/search"]')
    assert search.count() == 1, "one GET /v1/search"
    # Styles loaded: Swagger UI's stylesheet colours a GET operation's method badge blue.
    badge = page.locator(".opblock-get .opblock-summary-method").first
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(97, 175, 254)"


def test_the_documentation_page_renders_offline_in_chromium(api_url: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert urlsplit(api_url).hostname == "127.0.0.1"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems = _open_docs_page(page, api_url)
        _assert_swagger_ui_rendered(page)
        html = page.content()
        page.screenshot(path=str(ARTIFACTS / "api.html.png"))
        browser.close()
    assert problems == []
    # Nothing on the page names another host (the icon included) but links learners may follow
    # (the OpenAPI document's own links, such as the STAC specification).
    head = html.split("<body", 1)[0]
    assert re.findall(r"(?:src|href)=\"(https?:)?//", head) == [], head


def test_the_documentation_page_renders_for_a_learner_of_the_room(
    room_server: OfflineServer,
) -> None:
    """Reached by the instructor's address, within the room's rate limit."""
    port = urlsplit(room_server.root_url).port
    # The suite's proxy variables send any host but loopback to a closed port: none here.
    rules = [f"--host-resolver-rules=MAP {LEARNER_HOST} 127.0.0.1", "--no-proxy-server"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *rules]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems = _open_docs_page(page, f"http://{LEARNER_HOST}:{port}/v1")
        _assert_swagger_ui_rendered(page)
        browser.close()
    assert problems == []


def test_every_address_on_the_api_the_lesson_names_answers_offline(
    api_url: str, session_server: OfflineServer
) -> None:
    named = notebook_addresses()
    # What episode 1 names: the landing page and its documentation page, and what its stored
    # outputs print; an asset file (episode 4).
    assert {"/v1", "/v1/api.html", "/v1/conformance", "/v1/collections"} <= set(named), named
    assert any(path.startswith("/files/") for path in named), named
    root = session_server.root_url
    declared: dict[str, str] = {}  # address -> the type its link declares
    landing = requests.get(api_url, timeout=30).json()
    documents = [landing]
    for link in landing["links"]:
        if link["rel"] == "child":
            documents.append(requests.get(link["href"], timeout=30).json())
    for document in documents:
        for link in document["links"]:
            if link["href"].startswith(root):
                declared[urlsplit(link["href"]).path] = link["type"]
    rels = [{link["rel"] for link in document["links"]} for document in documents]
    assert rels[0] >= LANDING_RELATIONS, rels[0]
    assert all(collection >= {"items", QUERYABLES} for collection in rels[1:]), rels[1:]
    wrong: list[str] = []
    for path in sorted(set(named) | set(declared)):
        answer = _get(f"{root}{path}")
        expected = _media_type(declared.get(path) or expected_type(path))
        got = _media_type(answer.headers.get("content-type", ""))
        where = ", ".join(sorted(named.get(path, {"a link of the API"})))
        if answer.status_code not in (200, 206) or got != expected:
            wrong.append(f"{path} ({where}): {answer.status_code} {got}, expected {expected}")
        elif got.startswith("application/") and "json" in got:
            answer.json()  # a document, not an error page
    assert wrong == []
