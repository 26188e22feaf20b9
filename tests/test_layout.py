"""The package's layering: what the notebooks load, what runtime code may read, the README map."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
#: The modules the notebooks use: none of them may load the offline stand-in.
LESSON_FACING = ("friendly", "checks", "widgets", "checkpoints", "gdal", "network", "places")
RUNTIME_FOLDERS = ("helpers", "tools")


def _loaded_after(code: str) -> list[str]:
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted(name for name in sys.modules if name.startswith('helpers'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPOSITORY, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stand_in(modules: list[str]) -> list[str]:
    return [name for name in modules if name.split(".")[:2] == ["helpers", "offline"]]


@pytest.mark.parametrize("module", LESSON_FACING)
def test_lesson_facing_modules_do_not_load_the_stand_in(module: str) -> None:
    loaded = _loaded_after(f"import helpers.{module}")
    assert f"helpers.{module}" in loaded
    assert not _stand_in(loaded), loaded


def test_the_notebooks_setup_cell_loads_nothing_of_the_stand_in() -> None:
    import nbformat

    from tools.notebooks import lesson_notebooks

    notebook = nbformat.read(lesson_notebooks()[0], as_version=4)
    setup = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    loaded = _loaded_after(setup)
    assert "helpers.friendly" in loaded
    assert not _stand_in(loaded), loaded


def test_the_check_catches_a_module_that_loads_the_stand_in() -> None:
    loaded = _loaded_after("import helpers.setup_check")  # the setup check may: it checks it
    assert _stand_in(loaded)


def _python_files(folder: str) -> list[Path]:
    return sorted((REPOSITORY / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", RUNTIME_FOLDERS)
def test_runtime_code_reads_nothing_from_tests(folder: str) -> None:
    """Neither an import from tests/ nor a path into it (a docstring may mention it)."""
    for path in _python_files(folder):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
                assert not [n for n in names if n.split(".")[0] in ("tests", "conftest")], path
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                assert not re.search(r"(^|/)tests(/|$)", node.value), (path, node.value)


def _layout_block() -> str:
    readme = (REPOSITORY / "README.md").read_text()
    section = readme.split("## Repository layout", 1)[1]
    return section.split("```", 2)[1]


def test_readme_layout_names_every_module_and_nothing_else() -> None:
    block = _layout_block()
    named: set[str] = set()
    folder = ""
    for line in block.splitlines():
        match = re.match(r"^(\s*)(\S+)", line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        if name.endswith("/"):
            folder = name if indent == 0 else f"{folder.split('/')[0]}/{name}"
        elif name.endswith(".py") and indent > 0:
            named.add(f"{folder}{name}")
    actual = {
        str(path.relative_to(REPOSITORY))
        for folder in ("helpers", "tools", "benchmarks")
        for path in _python_files(folder)
        if path.name != "__init__.py"
    }
    assert named == actual, (sorted(actual - named), sorted(named - actual))
