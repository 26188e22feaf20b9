"""When the lesson was last checked against the live Earth Search, and what that check found.

``make test-live`` writes ``helpers/live_check.json`` (the nightly workflow commits it); the
setup check, the lesson setup (on the live API) and the site read it here, so that readers know
how fresh the lesson's claims about the live service are.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import LessonError
from .saving import atomic_output

RECORD = Path(__file__).with_name("live_check.json")
#: Older than this, readers are told the live archive may have changed since.
FRESH_DAYS = 30


@dataclass(frozen=True)
class LiveCheck:
    """One run of ``make test-live``: when, against which API, and what it found."""

    checked: dt.date
    api: str
    collections: list[str]
    #: "passed" or "failed": the notebooks and their science checks (tests/test_science.py).
    science: str
    #: numberMatched of the lesson's searches on the live API, by collection and search.
    matched: dict[str, dict[str, int | None]] = field(default_factory=dict)
    #: The fidelity report's differences, "allowed" and "not allowed" (the latter listed).
    differences: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.science == "passed" and not self.differences.get("not allowed")

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "checked": self.checked.isoformat()}, indent=1) + "\n"


def write_live_check(check: LiveCheck, path: Path = RECORD) -> Path:
    """Write ``check`` to ``path``, whole or not at all."""
    with atomic_output(path, overwrite=True) as temporary:
        Path(temporary).write_text(check.to_json(), encoding="utf-8")
    return path


def read_live_check(path: Path | None = None) -> LiveCheck | None:
    """The record at ``path`` (``RECORD``), or None if there is none; LessonError if unreadable."""
    path = path or RECORD
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LiveCheck(**{**data, "checked": dt.date.fromisoformat(data["checked"])})
    except (ValueError, TypeError, KeyError) as error:
        raise LessonError(
            f"{path} is not a live-check record ({type(error).__name__}: {error}); expected "
            "the JSON `make test-live` writes. Run `make test-live` again, or restore the file "
            "with git."
        ) from error


def age_in_days(check: LiveCheck, today: dt.date | None = None) -> int:
    """Days from ``check`` to ``today`` (UTC today by default)."""
    return ((today or dt.datetime.now(dt.UTC).date()) - check.checked).days


def freshness(check: LiveCheck | None, today: dt.date | None = None) -> str:
    """One sentence for readers: when the lesson was last checked live, and whether that is old."""
    if check is None:
        return (
            "Not yet checked against the live Earth Search: no record (`make test-live` "
            "writes one)."
        )
    age = age_in_days(check, today)
    when = f"Last checked against the live Earth Search on {check.checked.isoformat()}"
    outcome = "everything passed" if check.passed else "some checks failed"
    if age > FRESH_DAYS:
        return (
            f"{when} ({outcome}), {age} days ago: more than {FRESH_DAYS} days, so the live "
            "archive may have changed since. Instructors: run `make test-live` before teaching."
        )
    days = "today" if age <= 0 else f"{age} day{'s' if age != 1 else ''} ago"
    return f"{when} ({days}): {outcome}."


def current_freshness(today: dt.date | None = None) -> str:
    """``freshness`` of the record in ``RECORD``, or what is wrong with that record."""
    try:
        return freshness(read_live_check(), today)
    except LessonError as error:
        return str(error)
