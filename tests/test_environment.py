"""The environments people install agree: pyproject.toml, uv.lock, Binder's copy, environment.yml.

- ``pyproject.toml`` holds the bounds; ``uv.lock`` the exact versions ``make setup`` and CI
  install (``uv sync --locked``); ``binder/requirements.txt`` the lock's runtime part, which
  Binder installs; ``environment.yml`` the same runtime packages and bounds, for conda users.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPOSITORY = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
STAND_IN = tomllib.loads((REPOSITORY / "earth-search-offline" / "pyproject.toml").read_text())
#: The lesson's dependency on the offline Earth Search: a package of this repository, not PyPI's.
WORKSPACE_MEMBER = "earth-search-offline"
LOCK = tomllib.loads((REPOSITORY / "uv.lock").read_text())
BINDER = REPOSITORY / "binder"
#: The Pythons the lock is tested for (issue 15): the lock must hold for each.
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")


def _requirement(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", text)
    assert match, text
    name = match.group(1).lower().replace("_", "-")
    return name, match.group(2).replace(" ", "")


def _pip_requirements() -> dict[str, str]:
    """The runtime requirements of both packages (the lesson's and the stand-in's), by name."""
    lines = PYPROJECT["project"]["dependencies"] + STAND_IN["project"]["dependencies"]
    found: dict[str, str] = {}
    for name, bounds in map(_requirement, lines):
        assert found.get(name, bounds) == bounds, f"{name}: two packages, two bounds"
        found[name] = bounds
    found.pop(WORKSPACE_MEMBER)
    return found


def _conda_requirements() -> dict[str, str]:
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text())
    found: dict[str, str] = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            found.update(_requirement(line) for line in entry["pip"])
        else:
            found.update([_requirement(entry)])
    found.pop("python")
    found.pop("pip")
    return found


def _uv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uv", *args, "--offline", "--quiet"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _locked_versions() -> dict[str, str]:
    return {package["name"]: package["version"] for package in LOCK["package"]}


def _without_comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_environment_yml_lists_the_runtime_dependencies() -> None:
    assert _conda_requirements() == _pip_requirements()


def test_python_version_agrees() -> None:
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text())
    assert f"python{PYPROJECT['project']['requires-python']}" in environment["dependencies"]


def test_lock_is_up_to_date_with_pyproject() -> None:
    """``uv lock --check`` fails when pyproject.toml changed and ``make lock`` was not run."""
    result = _uv("lock", "--check")
    assert result.returncode == 0, result.stderr


def test_lock_covers_every_supported_python() -> None:
    covered = SpecifierSet(LOCK["requires-python"])
    for python in SUPPORTED_PYTHONS:
        assert Version(python) in covered, (python, LOCK["requires-python"])


def test_one_version_of_each_package_for_every_python() -> None:
    """fork-strategy "fewest": CI on one Python tests what learners on the others install."""
    names = [package["name"] for package in LOCK["package"]]
    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_locked_versions_satisfy_the_bounds_in_pyproject() -> None:
    locked = _locked_versions()
    groups = [PYPROJECT["project"]["dependencies"], STAND_IN["project"]["dependencies"]]
    groups += PYPROJECT["project"]["optional-dependencies"].values()
    for line in (line for group in groups for line in group):
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-").replace(".", "-")
        assert name in locked, f"{name} is declared but not locked: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name} {locked[name]} is locked, outside {requirement.specifier}"
        )


def test_binder_installs_the_locked_runtime_versions() -> None:
    """binder/requirements.txt is `uv export` of the lock (what `make lock` writes)."""
    exported = _uv("export", "--frozen", "--no-dev", "--no-emit-project", "--no-emit-workspace")
    assert exported.returncode == 0, exported.stderr
    written = (BINDER / "requirements.txt").read_text()
    assert _without_comments(written) == _without_comments(exported.stdout), (
        "binder/requirements.txt is not the lock's export: run `make lock`"
    )
    pinned = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^ ;\\]+)", written, re.MULTILINE))
    locked = _locked_versions()
    for name in _pip_requirements():
        normal = name.replace(".", "-")
        assert pinned.get(normal) == locked[normal], name
    assert "--hash=sha256:" in written, "pip checks every download against the lock's hashes"


def test_binder_python_is_one_the_lock_covers() -> None:
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime.removeprefix("python-") in SUPPORTED_PYTHONS, runtime


def test_setup_installs_the_lock_exactly() -> None:
    makefile = (REPOSITORY / "Makefile").read_text()
    assert "sync --locked" in makefile
    assert "pip install --quiet -e" not in makefile, "setup must not resolve afresh"


def test_learners_install_no_maintainers_tool() -> None:
    """`make lab` installs the lock's runtime: none of the test or docs groups' packages."""
    runtime = _uv("export", "--frozen", "--no-dev", "--no-emit-project", "--no-emit-workspace")
    assert runtime.returncode == 0, runtime.stderr
    installed = set(re.findall(r"^([a-z0-9][a-z0-9._-]*)==", runtime.stdout, re.MULTILINE))
    # The maintainers' tools (some of their groups' libraries, jsonschema say, JupyterLab uses).
    tools = {"deptry", "hypothesis", "jupyter-book", "locust", "mypy", "nbval", "playwright",
             "pytest", "pytest-socket", "pytest-timeout", "pytest-xdist", "ruff", "schemathesis",
             "sphinx", "stac-api-validator", "uv"}  # fmt: skip
    declared = {
        Requirement(line).name.lower()
        for group in PYPROJECT["project"]["optional-dependencies"].values()
        for line in group
    }
    assert tools - {"sphinx"} <= declared, "a tool named here is no longer a maintainers' one"
    assert not installed & tools, sorted(installed & tools)
    makefile = (REPOSITORY / "Makefile").read_text()
    lab_setup = makefile.split("$(RUNTIME_STAMP): $(PROJECT_FILES)", 1)[1].split("\n\n", 1)[0]
    assert "sync --locked" in lab_setup and "extra" not in lab_setup
    assert re.search(r"^lab: setup$", makefile, re.MULTILINE)
