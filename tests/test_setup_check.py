"""`python -m helpers.setup_check` (and notebooks/00-setup.ipynb) tells ready from not ready."""

from __future__ import annotations

import os
import subprocess
import sys


def _run(stac_api_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STAC_API_URL": stac_api_url}
    return subprocess.run(
        [sys.executable, "-m", "helpers.setup_check"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_ready_with_the_offline_api(api_url: str) -> None:
    result = _run(api_url)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    for name in ("Python", "Libraries", "STAC_API_URL", "Read a COG over HTTP"):
        line = next(line for line in lines if f"] {name} " in line)
        assert line.startswith("[OK  ]"), line
    assert "GDAL 3." in result.stdout
    assert "[info] Live Earth Search     not reachable" in result.stdout  # no network in tests
    assert lines[-1] == "Ready for the lesson."
    assert len(lines) <= 10, "one screen"


def test_not_ready_says_how_to_start_the_offline_catalog() -> None:
    result = _run("http://127.0.0.1:9/v1")
    assert result.returncode == 1
    fix = [line for line in result.stdout.splitlines() if line.startswith("[FIX ]")]
    assert fix and all("make lab" in line for line in fix)
    assert result.stdout.splitlines()[-1].startswith("Not ready yet")
