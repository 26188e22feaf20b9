"""Setup time from a fresh clone, cold caches: plain pip against `make setup` and `make lab`.

    python -m benchmarks.setup [--output benchmarks/results/setup.md]

In one run, on clones of this repository's last commit, with empty package caches:

- the floor people reach for: a new venv and
  ``pip install -e ./earth-search-offline -e ".[test,docs]"`` (resolves the newest versions
  afresh, with pip);
- ``make lab``: ``make setup`` (uv installs uv.lock; pip installs uv first when it is not on
  PATH), the offline catalog generated, then the offline API and JupyterLab started. Timed until
  the environment is installed, and until both servers answer.

Target (issue 15): ``make setup`` under a third of the plain pip install.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from benchmarks.report import publish

REPOSITORY = Path(__file__).resolve().parents[1]
READY_TIMEOUT_SECONDS = 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cold_environment(caches: Path) -> dict[str, str]:
    """The caller's environment with empty pip and uv caches and no uv on PATH."""
    env = {**os.environ, "PIP_NO_CACHE_DIR": "1", "UV_CACHE_DIR": str(caches / "uv")}
    env.pop("VIRTUAL_ENV", None)
    uv = shutil.which("uv")
    if uv:
        folders = os.environ.get("PATH", "").split(os.pathsep)
        env["PATH"] = os.pathsep.join(f for f in folders if Path(f) != Path(uv).parent)
    return env


def _clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(REPOSITORY), str(target)], check=True)
    return target


def _time_pip_install(clone: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    venv = clone / ".venv-pip"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "-e", "./earth-search-offline", "-e", ".[test,docs]"],
        cwd=clone, check=True, env=env,
    )  # fmt: skip
    return time.perf_counter() - started


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _time_make_lab(clone: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds until `make lab` installed the environment, and until both servers answer."""
    lab_port = _free_port()
    lab_args = f"--port 0 -- --no-browser --ServerApp.port={lab_port}"
    log = clone / "make-lab.log"
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            ["make", "lab", f"LAB_ARGS={lab_args}"], cwd=clone, stdout=output,
            stderr=subprocess.STDOUT, env={**env, "BROWSER": "true"}, start_new_session=True,
        )  # fmt: skip
    installed = ready = None
    try:
        while ready is None and time.perf_counter() - started < READY_TIMEOUT_SECONDS:
            if process.poll() is not None:
                raise RuntimeError(f"make lab stopped: see {log}\n{log.read_text()[-2000:]}")
            if installed is None and (clone / ".venv" / ".installed").exists():
                installed = time.perf_counter() - started
            api = re.search(r"STAC_API_URL=(\S+)", log.read_text())
            if api and _answers(api.group(1)) and _answers(f"http://127.0.0.1:{lab_port}/api"):
                ready = time.perf_counter() - started
            time.sleep(0.25)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    if installed is None or ready is None:
        raise RuntimeError(f"make lab did not answer within {READY_TIMEOUT_SECONDS} s: see {log}")
    return installed, ready


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/setup.md"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="setup-benchmark-") as folder:
        root = Path(folder)
        pip_seconds = _time_pip_install(
            _clone(root / "pip-clone"), _cold_environment(root / "pip-caches")
        )
        installed, ready = _time_make_lab(
            _clone(root / "lab-clone"), _cold_environment(root / "lab-caches")
        )
    lines = [
        "| from a fresh clone, empty package caches | time (s) |",
        "|---|---|",
        '| floor: new venv, `pip install -e ./earth-search-offline -e ".[test,docs]"` | '
        f"{pip_seconds:.1f} |",
        f"| `make setup` (uv installs uv.lock; pip installs uv first) | {installed:.1f} |",
        f"| `make lab` until the offline API and JupyterLab answer | {ready:.1f} |",
        "",
        f"`make setup` takes {installed / pip_seconds:.0%} of the plain pip install "
        "(target: under a third). `make lab` includes generating the offline catalog.",
        "Command: `python -m benchmarks.setup` (it clones the last commit; needs the package "
        "index).",
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
