"""The README and the maintainers' pages name only what exists.

Every file, folder, link, module, ``make`` target and command named in ``README.md``,
``CONTRIBUTING.md`` and ``docs/*.md`` exists; each ``earth-search-offline`` and
``python -m helpers.lab`` subcommand named answers ``--help``; every ``make`` target is
documented; the README starts with the two commands, stays short and links the other pages.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]
README = REPOSITORY / "README.md"
DOCS = [README, REPOSITORY / "CONTRIBUTING.md", *sorted((REPOSITORY / "docs").glob("*.md"))]
README_MAX_LINES = 150
#: Made by the lesson's commands or by the notebooks (named in the pages, never committed).
GENERATED = ("notebooks/search_results.json", "data/", ".venv/", "build/", "test-artifacts/",
             "workspace-live-coding/", "mirror-manifest.json",
             "helpers/live_check.json")  # fmt: skip
#: Packages whose dotted names (``helpers.friendly.install``) must resolve to a module or object.
OUR_PACKAGES = ("helpers", "earth_search_offline", "tools", "benchmarks")
#: Where the stand-in lived before issue 26: named only in the troubleshooting page's table of
#: old commands and their replacements.
RETIRED_MODULE = "helpers.offline"
RETIRED_SECTION = "## Old command names"
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", flags=re.MULTILINE | re.DOTALL)


def _without_retired_section(path: Path) -> str:
    """The page's text, without the section that names retired commands on purpose."""
    text = path.read_text()
    if RETIRED_SECTION in text:
        before, after = text.split(RETIRED_SECTION, 1)
        following = re.search(r"^## ", after, flags=re.MULTILINE)
        text = before + (after[following.start() :] if following else "")
    return text


def _prose(text: str) -> str:
    return FENCE.sub("", text)


def _spans(text: str) -> list[str]:
    """Inline code spans, outside fenced blocks (a span may wrap onto the next line)."""
    return [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", _prose(text))]


def _code(text: str) -> str:
    """Everything written as code: fenced blocks and inline spans."""
    return "\n".join([*FENCE.findall(text), *_spans(text)])


def _is_named_path(token: str) -> bool:
    if (
        "://" in token
        or token.startswith(("-", "$", "/", "~", "%"))
        or re.search(r"[*{}<>|=]", token)
    ):
        return False
    if token.startswith(".") and not token.startswith(".ci/"):
        return False
    top = token.split("/", 1)[0]
    return bool(
        re.search(r"(/|\.(py|ipynb|yml|toml|md|cfg|json|txt|lock))$", token)
        or ("/" in token and (REPOSITORY / top).exists())
    )


def _missing_paths(text: str) -> list[str]:
    """Paths in code spans (from the repository's top) that do not exist."""
    tokens = {span for span in _spans(text) if " " not in span and _is_named_path(span)}
    return sorted(
        token for token in tokens
        if not token.startswith(GENERATED) and not (REPOSITORY / token).exists()
    )  # fmt: skip


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", _prose(path.read_text()), re.MULTILINE)}


def _broken_links(page: Path, text: str) -> list[str]:
    """Relative links (from the page's folder) to files or headings that do not exist."""
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", _prose(text)):
        if "://" in link or link.startswith("mailto:"):
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists() or (anchor and path.suffix == ".md" and anchor not in _anchors(path)):
            broken.append(link)
    return broken


def _resolves(name: str) -> bool:
    """A module, or an object reached from the longest importable module of the name."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module = ".".join(parts[:end])
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            continue
        if end == len(parts):
            return True
        target: object = importlib.import_module(module)
        for attribute in parts[end:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def _missing_modules(text: str) -> list[str]:
    """``python -m X`` commands and our dotted names that name nothing."""
    code = _code(text)
    modules = set(re.findall(r"python -m ([\w.]+)", code))
    pattern = rf"(?<![\w.])((?:{'|'.join(OUR_PACKAGES)})(?:\.[A-Za-z_]\w*)+)"
    dotted = {name for span in _spans(text) for name in re.findall(pattern, span)}
    named = {name for name in modules | dotted if not name.startswith(RETIRED_MODULE)}
    return sorted(name for name in named if not _resolves(name))


def _makefile() -> str:
    return (REPOSITORY / "Makefile").read_text()


def _missing_targets(text: str) -> list[str]:
    """``make X`` with no target X, and ``make X VAR=...`` with a variable the Makefile lacks."""
    makefile, code = _makefile(), _code(text)
    missing = [
        f"make {target}" for target in sorted(set(re.findall(r"\bmake ([a-z][a-z-]*)", code)))
        if not re.search(rf"^{target}:", makefile, flags=re.MULTILINE)
    ]  # fmt: skip
    for assignments in re.findall(r"\bmake [a-z][a-z-]*((?: [A-Z_]+=\S+)+)", code):
        for variable in re.findall(r"([A-Z_]+)=", assignments):
            if not re.search(rf"^{variable} \?=|\$\({variable}\)", makefile, flags=re.MULTILINE):
                missing.append(f"make ... {variable}=")
    return missing


def _subcommands(text: str) -> set[tuple[str, str]]:
    code = _code(text)
    return {
        ("earth-search-offline", c) for c in re.findall(r"earth-search-offline (\w+)", code)
    } | {("helpers.lab", c) for c in re.findall(r"python -m helpers\.lab (\w+)", code)}


def _lab_commands() -> set[str]:
    """The subcommands ``helpers/lab.py`` declares."""
    source = (REPOSITORY / "helpers" / "lab.py").read_text()
    return set(re.findall(r"add_parser\(\s*\"(\w+)\"", source))


def _help_fails(tool: str, command: str) -> str | None:
    """Why ``tool command --help`` does not answer, or None when it does."""
    if tool == "helpers.lab":
        if command not in _lab_commands():  # not run: any other word is JupyterLab's to read
            return f"python -m helpers.lab has no subcommand {command!r}"
        argv = [sys.executable, "-m", "helpers.lab"]
    else:
        script = shutil.which(tool, path=str(Path(sys.executable).parent))
        if script is None:
            return f"no {tool} console script next to {sys.executable}"
        argv = [script]
    result = subprocess.run(
        [*argv, command, "--help"], cwd=REPOSITORY, capture_output=True, text=True, timeout=120
    )
    usage = f"{command} [-h]" in result.stdout
    return None if result.returncode == 0 and usage else f"{tool} {command}: {result.stderr[-300:]}"


def _all_pages() -> str:
    return "\n".join(path.read_text() for path in DOCS)


@pytest.mark.parametrize("page", DOCS, ids=lambda path: path.name)
def test_named_files_and_links_exist(page: Path) -> None:
    text = page.read_text()
    assert _missing_paths(text) == []
    assert _broken_links(page, text) == []


@pytest.mark.parametrize("page", DOCS, ids=lambda path: path.name)
def test_named_modules_and_make_targets_exist(page: Path) -> None:
    text = page.read_text()
    assert _missing_modules(text) == []
    assert _missing_targets(text) == []


def test_named_subcommands_answer_help() -> None:
    """Also those the instructor guide and the setup page name (their other checks are theirs)."""
    guides = [REPOSITORY / "instructors" / name for name in ("guide.md", "organising.md")]
    guides.append(REPOSITORY / "site" / "setup.md")
    named = _subcommands("\n".join([_all_pages(), *(path.read_text() for path in guides)]))
    assert {c for tool, c in named if tool == "earth-search-offline"} >= {
        "generate",
        "serve",
        "mirror",
    }
    assert {c for tool, c in named if tool == "helpers.lab"} >= {"start", "catalog", "kit"}
    failures = [_help_fails(tool, command) for tool, command in sorted(named)]
    assert [failure for failure in failures if failure] == []


def test_every_make_target_is_documented() -> None:
    declared = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", _makefile(), flags=re.MULTILINE)
    assert declared
    targets = declared.group(1).replace("\\\n", " ").split()
    assert {"lab", "test", "lock"} <= set(targets)
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", _code(_all_pages())))
    assert sorted(set(targets) - named) == []


def test_the_checks_catch_what_does_not_exist(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n## A heading\n")
    text = (
        "See `helpers/no_such_module.py`, `docs/` and `earth-search-offline/no-such-file`,\n"
        "[a page](no-such-page.md), [a heading](page.md#a-heading), [none](page.md#none),\n"
        "`helpers.friendly.no_such_function`, `helpers.friendly.install()`,\n"
        "`python -m helpers.no_such_module`, `make no-such-target`, `make lab NO_SUCH_VAR=1`.\n"
    )
    assert _missing_paths(text) == [
        "earth-search-offline/no-such-file",
        "helpers/no_such_module.py",
    ]
    assert _broken_links(page, text) == ["no-such-page.md", "page.md#none"]
    assert _missing_modules(text) == ["helpers.friendly.no_such_function", "helpers.no_such_module"]
    assert _missing_targets(text) == ["make no-such-target", "make ... NO_SUCH_VAR="]
    assert _help_fails("earth-search-offline", "no-such-command") is not None
    assert _help_fails("helpers.lab", "no-such-command") is not None


def test_retired_commands_are_named_only_as_retired() -> None:
    assert importlib.util.find_spec(RETIRED_MODULE) is None
    instructors = [REPOSITORY / "instructors" / name for name in ("guide.md", "organising.md")]
    for path in [*DOCS, *instructors, REPOSITORY / "site" / "setup.md"]:
        assert RETIRED_MODULE not in _without_retired_section(path), path.name
    troubleshooting = REPOSITORY / "docs" / "troubleshooting.md"
    assert RETIRED_MODULE in troubleshooting.read_text().split(RETIRED_SECTION)[1]


def test_readme_starts_with_the_two_commands() -> None:
    readme = README.read_text()
    first_block = FENCE.search(readme)
    assert first_block and readme.index("```") == first_block.start()
    commands = [line.split("#")[0].strip() for line in first_block.group(1).strip().splitlines()]
    assert commands == ["make lab", "make test"]
    assert "make test" in (REPOSITORY / ".ci" / "run").read_text()


def test_readme_is_short_and_links_the_other_pages() -> None:
    readme = README.read_text()
    assert len(readme.splitlines()) <= README_MAX_LINES
    links = set(re.findall(r"\]\(([^)\s#]+)", readme))
    pages = [path.relative_to(REPOSITORY).as_posix() for path in DOCS[1:]]
    assert sorted({*pages, "site/setup.md", "instructors/guide.md"} - links) == []


def test_each_maintainers_page_has_one_title() -> None:
    for path in DOCS[1:]:
        titles = re.findall(r"^# .+$", _prose(path.read_text()), flags=re.MULTILINE)
        assert len(titles) == 1, (path.name, titles)


def test_the_readme_lists_each_episode_with_its_timing() -> None:
    link = r"\[`notebooks/([\w-]+\.ipynb)`\]\(notebooks/\3\)"
    row = rf"^\| (\d)\. ([^|]+) \| {link} \| (\d+) / (\d+) min \|$"
    rows = re.findall(row, README.read_text(), flags=re.MULTILINE)
    assert [
        (number, name, teaching, exercises) for number, _, name, teaching, exercises in rows
    ] == [
        (str(number), path.name, *_timing(path))
        for number, path in enumerate(lesson_notebooks(), start=1)
    ]
    for (_, title, name, *_), path in zip(rows, lesson_notebooks(), strict=True):
        opening = nbformat.read(path, as_version=4).cells[0].source
        assert opening.splitlines()[0].removeprefix("# ").lower() in title.lower(), name


def _timing(path: Path) -> tuple[str, str]:
    opening = nbformat.read(path, as_version=4).cells[0].source
    teaching, exercises = re.search(r"teaching (\d+) min, exercises (\d+) min", opening).groups()
    return teaching, exercises
