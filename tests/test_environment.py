"""pyproject.toml (pip) and environment.yml (conda, Binder) list the same runtime packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
# conda-forge spells a few packages differently from PyPI
CONDA_NAMES = {"stac-fastapi.api": "stac-fastapi.api"}


def _requirement(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", text)
    assert match, text
    name = match.group(1).lower().replace("_", "-")
    return name, match.group(2).replace(" ", "")


def _pip_requirements() -> dict[str, str]:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    return dict(_requirement(line) for line in project["dependencies"])


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


def test_environment_yml_lists_the_runtime_dependencies() -> None:
    assert _conda_requirements() == _pip_requirements()


def test_python_version_agrees() -> None:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in environment["dependencies"]
