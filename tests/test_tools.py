"""The developer commands: live check, output regeneration."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def test_live_check_stops_at_once_without_network() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tools.check_live"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot be reached" in result.stderr and "make test" in result.stderr
    assert time.monotonic() - started < 20


def test_live_check_accepts_a_reachable_api(api_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.check_live", api_url],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Earth Search (offline lesson copy)" in result.stdout


def test_makefile_has_the_documented_targets() -> None:
    """The targets people need are in the Makefile and in the pages (lab and test: the README)."""
    makefile = (REPOSITORY / "Makefile").read_text()
    readme = (REPOSITORY / "README.md").read_text()
    pages = [readme, (REPOSITORY / "CONTRIBUTING.md").read_text()] + [
        path.read_text() for path in sorted((REPOSITORY / "docs").glob("*.md"))
    ]
    for target in ("lab", "test", "notebooks", "test-live", "serve", "catalog"):
        assert f"\n{target}:" in makefile, target
        assert any(f"make {target}`" in page for page in pages), target
    for target in ("lab", "test"):
        assert f"make {target}" in readme.split("```")[1], target
