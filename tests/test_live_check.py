"""The record of the last run against the live Earth Search (``helpers/live_check.py``), and
where readers see it: the setup check, the lesson setup on the live API and the site's pages.

Each is tested with a fresh record, an old one (more than 30 days), a failed one and none.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pystac_client.client
import pytest
from earth_search_offline.earth_search import LIVE_API_URL

import helpers.live_check as live_check
from helpers import lesson, setup_check
from helpers.errors import LessonError
from helpers.live_check import LiveCheck, freshness, read_live_check, write_live_check
from tools import fidelity, site_live_check

TODAY = dt.date(2026, 12, 7)


def _check(days_ago: int, science: str = "passed", not_allowed: list[str] | None = None):
    return LiveCheck(
        checked=TODAY - dt.timedelta(days=days_ago), api=LIVE_API_URL,
        collections=["sentinel-2-l2a", "sentinel-2-c1-l2a"], science=science,
        matched={"sentinel-2-l2a": {"point": 1234, "clear 2021": 41}},
        differences={"allowed": 9, "not allowed": not_allowed or []},
    )  # fmt: skip


@pytest.fixture
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the readers look for the record, moved to a temporary file for the test."""
    path = tmp_path / "live_check.json"
    monkeypatch.setattr(live_check, "RECORD", path)
    return path


def test_a_record_is_written_whole_and_read_back(tmp_path: Path) -> None:
    check = _check(3)
    path = write_live_check(check, tmp_path / "record.json")
    assert read_live_check(path) == check
    assert '"checked": "2026-12-04"' in path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"], "no temporary file left"


def test_a_damaged_record_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    path.write_text('{"checked": "yesterday"}')
    with pytest.raises(LessonError, match=r"not a live-check record .* Run `make test-live` again"):
        read_live_check(path)


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (0, "Last checked against the live Earth Search on 2026-12-07 (today): everything passed."),
        (1, "Last checked against the live Earth Search on 2026-12-06 (1 day ago): everything "
            "passed."),
        (30, "Last checked against the live Earth Search on 2026-11-07 (30 days ago): everything "
             "passed."),
        (31, "Last checked against the live Earth Search on 2026-11-06 (everything passed), 31 "
             "days ago: more than 30 days, so the live archive may have changed since. "
             "Instructors: run `make test-live` before teaching."),
    ],
)  # fmt: skip
def test_freshness_says_the_date_and_when_it_is_old(days_ago: int, expected: str) -> None:
    assert freshness(_check(days_ago), TODAY) == expected


def test_freshness_says_when_a_check_failed_or_never_ran() -> None:
    assert freshness(_check(2, science="failed"), TODAY).endswith(": some checks failed.")
    failed_fidelity = _check(2, not_allowed=["sentinel-2-l2a: asset: red"])
    assert freshness(failed_fidelity, TODAY).endswith(": some checks failed.")
    assert freshness(None, TODAY).startswith("Not yet checked against the live Earth Search")


def test_the_setup_check_shows_the_record(record: Path) -> None:
    assert setup_check._last_live_check().detail.startswith("Not yet checked")
    write_live_check(_check(70), record)
    line = setup_check._last_live_check()
    assert line.ok is None, "information, never a FIX for the learner"
    assert "more than 30 days" in line.detail and "2026-09-28" in line.detail
    write_live_check(LiveCheck(dt.datetime.now(dt.UTC).date(), LIVE_API_URL, [], "passed"), record)
    assert setup_check._last_live_check().detail.endswith("(today): everything passed.")
    record.write_text("not JSON")
    assert "not a live-check record" in setup_check._last_live_check().detail


def test_the_lesson_setup_shows_it_on_the_live_api_only(
    record: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only what is printed is tested: the setup's session-wide changes are undone afterwards.
    monkeypatch.setattr(lesson.friendly, "install", lambda: False)
    monkeypatch.setattr(lesson.gdal, "configure", lambda: None)
    monkeypatch.setattr(pystac_client.client, "StacApiIO", pystac_client.client.StacApiIO)
    monkeypatch.setenv("MATPLOTLIBRC", os.environ.get("MATPLOTLIBRC", ""))
    monkeypatch.delitem(sys.modules, "matplotlib", raising=False)  # its rcParams untouched
    write_live_check(_check(45), record)
    lesson.setup(LIVE_API_URL, "sentinel-2-l2a")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"STAC API: {LIVE_API_URL} | collection: sentinel-2-l2a"
    assert printed[1].startswith("Last checked against the live Earth Search on 2026-10-23")
    lesson.setup("http://127.0.0.1:8765/v1", "sentinel-2-l2a")
    assert len(capsys.readouterr().out.splitlines()) == 1, "offline: the stored outputs stay"


def test_the_site_note_with_an_old_a_fresh_and_no_record() -> None:
    fresh = site_live_check.note(_check(2), TODAY)
    assert 'class="admonition note live-check"' in fresh and "on 2026-12-05" in fresh
    old = site_live_check.note(_check(40), TODAY)
    assert 'class="admonition warning live-check"' in old and "more than 30 days" in old
    assert "admonition warning" in site_live_check.note(_check(1, science="failed"), TODAY)
    assert "Not yet checked" in site_live_check.note(None, TODAY)


def test_the_fidelity_report_writes_the_record(tmp_path: Path, api_url: str) -> None:
    """Offline against itself: no difference, the live counts of each search recorded."""
    status = fidelity.run(
        api_url, api_url, ["sentinel-2-l2a"], report_path=tmp_path / "live" / "fidelity.md",
        record=tmp_path / "live_check.json", science="passed",
    )  # fmt: skip
    assert status == 0
    assert (tmp_path / "live" / "fidelity.md").read_text().startswith("No differences")
    check = read_live_check(tmp_path / "live_check.json")
    assert check is not None and check.passed and check.api == api_url
    assert check.checked == dt.datetime.now(dt.UTC).date()
    assert check.collections == ["sentinel-2-l2a"]
    assert set(check.matched["sentinel-2-l2a"]) == set(fidelity.SEARCHES)
    assert all(count and count > 0 for count in check.matched["sentinel-2-l2a"].values())
