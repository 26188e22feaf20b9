"""Run notebooks the way the tests do: offline, warnings as errors (nbclient, a test dependency).

Used by ``make notebooks`` (regenerate the stored outputs), by the tests and by the
benchmarks, so all three run the notebooks under the same conditions.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_STARTUP = Path(__file__).resolve().parent / "notebook_kernel_startup.py"
#: Proxy that refuses every connection: offline runs must not reach the internet.
DEAD_PROXY = "http://127.0.0.1:9"
LOOPBACK_HOSTS = "127.0.0.1,localhost,::1"


def ipython_dir_with_startup() -> Path:
    """A fresh IPython folder whose startup file turns deprecations into errors."""
    folder = Path(tempfile.mkdtemp(prefix="lesson-ipython-"))
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(KERNEL_STARTUP, startup / "00-warnings-as-errors.py")
    return folder


def offline_environment(api_url: str) -> dict[str, str]:
    """Environment variables for kernels that use ``api_url`` and cannot reach the internet."""
    proxies = {name: DEAD_PROXY for name in ("http_proxy", "https_proxy", "HTTP_PROXY",
                                              "HTTPS_PROXY", "ALL_PROXY")}  # fmt: skip
    return {
        **proxies,
        "no_proxy": LOOPBACK_HOSTS,
        "NO_PROXY": LOOPBACK_HOSTS,
        "STAC_API_URL": api_url,
        "IPYTHONDIR": str(ipython_dir_with_startup()),
    }


def execute(path: Path, workdir: Path, env: dict[str, str], timeout: int = 300):
    """Execute the notebook at ``path`` with ``workdir`` as its working folder; return it."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        record_timing=False,
    )
    client.execute(env={**os.environ, **env})
    return notebook
