"""Every package the code imports is declared, in the group of the code that imports it (deptry).

- The offline Earth Search (``earth-search-offline/``) imports what its own pyproject.toml
  declares, and declares nothing it does not use: it is installed on its own.
- The lesson's own code (``helpers/``, ``notebooks/``) runs on learners' machines and in Binder:
  it may import runtime dependencies only, never the ``test`` or ``docs`` groups.
- The maintainers' code (``tools/``, ``benchmarks/``, ``tests/``) may import any group, but
  nothing undeclared and nothing that only arrives as another package's dependency.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
MAINTAINER_GROUPS = "test,docs"
NOT_CODE = r"\.venv.*|\.git|data|build|test-artifacts|tests/data|earth-search-offline"
STAND_IN = REPOSITORY / "earth-search-offline"


def _deptry(*args: str, cwd: Path = REPOSITORY) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deptry", *args, "--no-ansi"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_lesson_code_imports_runtime_dependencies_only() -> None:
    result = _deptry(
        "helpers", "notebooks", "--optional-dependencies-dev-groups", MAINTAINER_GROUPS
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_all_code_imports_only_declared_packages() -> None:
    """Unused runtime packages are the first check's business (DEP002 ignored here)."""
    result = _deptry(".", "--exclude", NOT_CODE, "--ignore", "DEP002")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_offline_earth_search_imports_only_its_own_dependencies() -> None:
    result = _deptry("src", cwd=STAND_IN)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_notices_a_test_only_and_a_transitive_import(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "probe"\nversion = "0"\ndependencies = ["requests"]\n'
        '[project.optional-dependencies]\ntest = ["pytest"]\n'
    )
    package = tmp_path / "lesson_code"
    package.mkdir()
    (package / "__init__.py").write_text("import requests\nimport pytest\nimport yaml\n")
    result = _deptry(".", "--optional-dependencies-dev-groups", "test", cwd=tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 1
    assert "DEP004 'pytest'" in report and "DEP003 'yaml'" in report, report
