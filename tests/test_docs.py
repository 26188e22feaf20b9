"""Every file, folder, make target and command named in the README exists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
README = (REPOSITORY / "README.md").read_text()
#: Made by the lesson's commands (named in the README, never committed).
GENERATED = ("notebooks/search_results.json", "data/offline-earth-search/", ".venv/", "build/",
             "test-artifacts/", "data/offline-kit", "mirror-manifest.json")  # fmt: skip


def _named_paths(text: str) -> set[str]:
    tokens = set(re.findall(r"`([^`\s]+)`", text)) | set(re.findall(r"\]\(([^)\s#]+)\)", text))
    return {
        token for token in tokens
        if "://" not in token and not token.startswith(("-", "$", "."))
        and re.search(r"(/|\.(py|ipynb|yml|toml|md|cfg|json))$", token)
    } | {token for token in tokens if token in (".ci/run", ".venv/")}  # fmt: skip


def test_named_files_exist() -> None:
    named = _named_paths(README)
    assert "notebooks/01-discover-catalog.ipynb" in named and "environment.yml" in named
    missing = [
        path for path in sorted(named)
        if not path.startswith(GENERATED) and not (REPOSITORY / path).exists()
        and not (REPOSITORY / "helpers" / path).exists()
        and not (REPOSITORY / "helpers" / "offline" / path).exists()
    ]  # fmt: skip
    assert missing == []


def test_named_make_targets_exist() -> None:
    makefile = (REPOSITORY / "Makefile").read_text()
    for target in set(re.findall(r"`make ([a-z-]+)`", README)):
        assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), target


def test_named_offline_commands_exist() -> None:
    commands = set(re.findall(r"python -m helpers\.offline ([a-z]+)", README))
    assert commands >= {"serve", "lab", "generate"}
    for command in commands:
        result = subprocess.run(
            [sys.executable, "-m", "helpers.offline", command, "--help"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make lab",
        "make test",
    ]
    ci = (REPOSITORY / ".ci" / "run").read_text()
    assert "make test" in ci
