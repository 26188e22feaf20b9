"""For tests and benchmarks: the server in a child process, its traffic counters, a clean copy.

Nothing here is part of the running service: ``OfflineServer`` starts ``earth-search-offline
serve`` (with ``--traffic-stats`` only when asked) and waits until it answers; ``copy_metadata``
copies a generated catalog as it is before any request.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from .errors import ServerStartError
from .serving import READY_PREFIX
from .settings import catalog_folder

#: The files a generated catalog makes when first asked for (``archive.pixels``).
PIXEL_FILE_PATTERNS = ("*.tif", "*.jpg", "*.xml", "tileinfo_metadata.json", ".*.partial*")


def copy_metadata(source: Path, target: Path) -> Path:
    """Copy the generated catalog at ``source`` to ``target`` without its pixel files.

    The copy is a catalog as ``generate`` leaves it before any request: its server makes the
    pixel files again when they are first asked for.
    """
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*PIXEL_FILE_PATTERNS))
    return target


class OfflineServer:
    """The offline Earth Search in a child process, as a context manager.

    >>> with OfflineServer() as server:          # doctest: +SKIP
    ...     Client.open(server.api_url)
    """

    def __init__(
        self,
        catalog: Path | None = None,
        port: int = 0,
        startup_timeout: float = 120.0,
        extra_args: tuple[str, ...] = (),
        traffic_stats: bool = False,
    ) -> None:
        self.catalog = Path(catalog) if catalog else catalog_folder()
        self.traffic_stats = traffic_stats
        self.port = port
        self.startup_timeout = startup_timeout
        self.extra_args = extra_args
        self.process: subprocess.Popen[str] | None = None
        self.root_url = ""

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/v1"

    @property
    def files_url(self) -> str:
        return f"{self.root_url}/files"

    def start(self) -> OfflineServer:
        command = [sys.executable, "-m", "earth_search_offline", "serve", "--catalog",
                   str(self.catalog), "--port", str(self.port), *self.extra_args]  # fmt: skip
        if self.traffic_stats:
            command.append("--traffic-stats")
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        deadline = time.monotonic() + self.startup_timeout
        lines: list[str] = []
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if line.startswith(READY_PREFIX):
                self.root_url = line.removeprefix(READY_PREFIX).strip().removesuffix("/v1")
                break
        if not self.root_url:
            self.stop()
            raise ServerStartError(
                "The offline server did not start. Its output was:\n  " + "\n  ".join(lines)
            )
        self._wait_until_answering(deadline)
        return self

    def _wait_until_answering(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.api_url}/_mgmt/ping", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise ServerStartError(f"The offline server at {self.api_url} did not answer in time.")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> OfflineServer:
        return self if self.process is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def traffic(self) -> dict[str, Any]:
        """The file route's counters since the last ``reset_traffic`` (``traffic_stats=True``)."""
        return requests.get(f"{self.root_url}/_stats", timeout=10).json()

    def reset_traffic(self) -> None:
        requests.post(f"{self.root_url}/_stats/reset", timeout=10).raise_for_status()
