"""`make lab` (``python -m helpers.lab``): the learner's workspace, and the JupyterLab on it.

- The workspace holds the learner edition (no solution, no output); a second start keeps every
  notebook a learner changed, byte for byte, and adds only what is missing; `make lab-reset`
  keeps the old work under a new name.
- JupyterLab's root is the workspace, and it asks nothing about Jupyter's news.
- Stopping the lab command by any means stops its JupyterLab: a closed terminal sends SIGHUP, a
  process manager SIGTERM and then SIGKILL, Ctrl+C SIGINT; none may leave JupyterLab running,
  orphaned, on the port the next `make lab` wants.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyterlab.labapp import LabApp
from jupyterlab_server.settings_utils import get_settings

from helpers.lab import lab_command, prepare_workspace, reset_workspace
from tools.build_editions import learner_edition, live_coding_edition
from tools.notebooks import SETUP_NOTEBOOK, lesson_notebooks

REPOSITORY = Path(__file__).resolve().parents[1]
SOURCES = [SETUP_NOTEBOOK, *lesson_notebooks()]
#: The JupyterLab setting behind "Would you like to get notified about official Jupyter news?":
#: JupyterLab 4 asks while its value is "none".
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
#: JupyterLab on free ports, quiet and without a browser.
LAB_OPTIONS = [
    "--no-browser",
    "--ServerApp.port=0",
    "--ServerApp.token=lesson-test",
    "--LabApp.news_url=",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
#: "Jupyter Server ... is running at: http://127.0.0.1:PORT/lab?token=..."
RUNNING = "/lab?token="


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace as the first `make lab` builds it (copy it before changing it)."""
    workspace = tmp_path_factory.mktemp("lab") / "workspace"
    assert prepare_workspace(workspace) == [path.name for path in SOURCES]
    return workspace


def _copy(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "workspace"))


def _code(notebook: nbformat.NotebookNode) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_the_workspace_holds_the_learner_edition(built: Path, source: Path) -> None:
    original = nbformat.read(source, as_version=4)
    copy = nbformat.read(built / "notebooks" / source.name, as_version=4)
    assert copy == learner_edition(original)
    code_cells = [cell for cell in copy.cells if cell.cell_type == "code"]
    assert not [cell for cell in code_cells if cell.outputs or cell.execution_count]
    for cell in original.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert cell.source.strip() not in _code(copy), f"a solution of {source.name}"


def test_the_instructors_workspace_holds_the_live_coding_edition(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace-live-coding"
    assert prepare_workspace(workspace, "live-coding") == [path.name for path in SOURCES]
    for source in SOURCES:
        copy = nbformat.read(workspace / "notebooks" / source.name, as_version=4)
        assert copy == live_coding_edition(nbformat.read(source, as_version=4))
    episode_5 = nbformat.read(workspace / "notebooks" / SOURCES[5].name, as_version=4)
    assert "clip_box(**box_utm)" not in _code(episode_5), "the code the instructor types"
    assert "def to_reflectance" in _code(episode_5), "pre-filled cells stay"


def _edit(notebook: Path) -> bytes:
    """Change ``notebook`` as a learner would (a cell typed); return its new bytes."""
    edited = nbformat.read(notebook, as_version=4)
    edited.cells.append(nbformat.v4.new_code_cell("ndvi = (nir - red) / (nir + red)"))
    nbformat.write(edited, notebook)
    return notebook.read_bytes()


def test_a_second_start_keeps_what_the_learner_changed(built: Path, tmp_path: Path) -> None:
    workspace = _copy(built, tmp_path)
    mine = _edit(workspace / "notebooks" / "02-search-items.ipynb")
    (workspace / "notebooks" / "search_results.json").write_text("{}")
    assert prepare_workspace(workspace) == []
    assert (workspace / "notebooks" / "02-search-items.ipynb").read_bytes() == mine
    assert (workspace / "notebooks" / "search_results.json").read_text() == "{}"


def test_a_notebook_the_workspace_lacks_is_added_and_no_other_replaced(
    built: Path, tmp_path: Path
) -> None:
    """A new episode after an update of the lesson: added; the learner's own stay as they are."""
    workspace = _copy(built, tmp_path)
    mine = _edit(workspace / "notebooks" / "02-search-items.ipynb")
    (workspace / "notebooks" / "06-build-datacube.ipynb").unlink()
    assert prepare_workspace(workspace) == ["06-build-datacube.ipynb"]
    added = workspace / "notebooks" / "06-build-datacube.ipynb"
    assert added.read_bytes() == (built / "notebooks" / added.name).read_bytes()
    assert (workspace / "notebooks" / "02-search-items.ipynb").read_bytes() == mine


def test_a_reset_keeps_the_old_work_under_a_new_name(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = _copy(built, tmp_path)
    mine = _edit(workspace / "notebooks" / "02-search-items.ipynb")
    assert reset_workspace(workspace) == 0
    assert reset_workspace(workspace) == 0  # twice, even within one second: two old folders
    old = sorted(tmp_path.glob("workspace-old-*"))
    assert len(old) == 2, old
    assert (old[0] / "notebooks" / "02-search-items.ipynb").read_bytes() == mine
    for folder in (workspace, old[1]):
        fresh = folder / "notebooks" / "02-search-items.ipynb"
        assert fresh.read_bytes() == (built / "notebooks" / fresh.name).read_bytes()
    printed = capsys.readouterr().out
    assert f"kept, renamed, in {old[0]}" in printed and "nothing was deleted" in printed


def _parsed(command: list[str]) -> LabApp:
    """JupyterLab's reading of ``command``'s options (its own parser; nothing is started)."""
    assert command[1:4] == ["-m", "jupyter", "lab"]
    app = LabApp()
    app.parse_command_line(command[4:])
    return app


def _news_defaults(app_settings_dir: str, tmp_path: Path) -> dict[str, object]:
    """The notification settings' defaults JupyterLab serves with ``app_settings_dir``."""
    result, _ = get_settings(
        app_settings_dir, LabApp().schemas_dir, str(tmp_path / "user-settings"), NOTIFICATION
    )
    return {name: value["default"] for name, value in result["schema"]["properties"].items()}


def test_jupyterlab_opens_the_workspace_and_asks_nothing_about_news(
    built: Path, tmp_path: Path
) -> None:
    app = _parsed(lab_command(built, ["--no-browser"], open_setup=True))
    assert app.config.ServerApp.root_dir == str(built)
    assert app.config.ServerApp.file_to_run == str(built / "notebooks" / "00-setup.ipynb")
    assert Path(app.app_settings_dir).parent == built and app.app_settings_dir != str(built)
    defaults = _news_defaults(app.app_settings_dir, tmp_path)
    assert defaults["fetchNews"] == "false" and defaults["checkForUpdates"] is False
    # The check sees the difference: JupyterLab's own defaults ask.
    assert _news_defaults(str(tmp_path / "empty"), tmp_path)["fetchNews"] == "none"
    later = _parsed(lab_command(built, []))  # a later start: the learner's own tabs
    assert "file_to_run" not in later.config.ServerApp


def _start_lab(catalog: Path, workspace: Path) -> tuple[subprocess.Popen[str], psutil.Process]:
    """The lab command, once its JupyterLab answers; and that JupyterLab's process."""
    command = [sys.executable, "-m", "helpers.lab", "start", "--catalog", str(catalog),
               "--port", "0", "--", *LAB_OPTIONS]  # fmt: skip
    lab = subprocess.Popen(
        command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "LESSON_WORKSPACE": str(workspace)},
    )  # fmt: skip
    assert lab.stdout is not None
    seen = []
    for line in lab.stdout:  # ends when the command ends: a failed start cannot hang the test
        seen.append(line)
        if RUNNING in line:
            break
    else:
        pytest.fail("JupyterLab did not start:\n" + "".join(seen))
    children = psutil.Process(lab.pid).children(recursive=True)
    jupyter = [child for child in children if "jupyter" in " ".join(child.cmdline())]
    assert len(jupyter) == 1, [child.cmdline() for child in children]
    assert f"--ServerApp.root_dir={workspace}" in jupyter[0].cmdline()
    return lab, jupyter[0]


def _gone(process: psutil.Process, timeout: float = 60) -> bool:
    try:
        process.wait(timeout=timeout)
    except psutil.TimeoutExpired:
        process.kill()  # leave nothing behind for the next test, then report
        return False
    return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=str)
def test_a_signal_to_the_lab_command_stops_its_jupyterlab(
    stop: signal.Signals, catalog_folder_path: Path, built: Path
) -> None:
    lab, jupyter = _start_lab(catalog_folder_path, built)
    lab.send_signal(stop)
    assert lab.wait(timeout=60) == 0, "stopped on purpose: not an error"
    assert _gone(jupyter), f"JupyterLab {jupyter.pid} outlived the lab command ({stop.name})"
    lab.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_lab_command_takes_its_jupyterlab_with_it(
    catalog_folder_path: Path, built: Path
) -> None:
    """SIGKILL runs no handler: the kernel tells JupyterLab (PR_SET_PDEATHSIG)."""
    lab, jupyter = _start_lab(catalog_folder_path, built)
    lab.kill()
    lab.wait(timeout=60)
    assert _gone(jupyter), f"JupyterLab {jupyter.pid} outlived the killed lab command"
    lab.stdout.close()
