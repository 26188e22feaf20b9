"""`make lab` (``python -m helpers.lab``): stopping it by any means stops the JupyterLab it started.

A closed terminal sends SIGHUP, a process manager SIGTERM and then SIGKILL, Ctrl+C SIGINT; none
may leave JupyterLab running, orphaned, on the port the next `make lab` wants.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
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


def _start_lab(catalog: Path) -> tuple[subprocess.Popen[str], psutil.Process]:
    """The lab command, once its JupyterLab answers; and that JupyterLab's process."""
    command = [sys.executable, "-m", "helpers.lab", "start", "--catalog", str(catalog),
               "--port", "0", "--", *LAB_OPTIONS]  # fmt: skip
    lab = subprocess.Popen(
        command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
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
    stop: signal.Signals, catalog_folder_path: Path
) -> None:
    lab, jupyter = _start_lab(catalog_folder_path)
    lab.send_signal(stop)
    assert lab.wait(timeout=60) == 0, "stopped on purpose: not an error"
    assert _gone(jupyter), f"JupyterLab {jupyter.pid} outlived the lab command ({stop.name})"
    lab.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_killed_lab_command_takes_its_jupyterlab_with_it(catalog_folder_path: Path) -> None:
    """SIGKILL runs no handler: the kernel tells JupyterLab (PR_SET_PDEATHSIG)."""
    lab, jupyter = _start_lab(catalog_folder_path)
    lab.kill()
    lab.wait(timeout=60)
    assert _gone(jupyter), f"JupyterLab {jupyter.pid} outlived the killed lab command"
    lab.stdout.close()
