"""Start and stop the offline Earth Search: in this process (``serve``) or as a child process.

Tests, the ``lab`` command and benchmarks use ``OfflineServer``, which runs
``python -m helpers.offline serve`` in a child process and waits until it answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import requests

from ..errors import OfflineServerError
from .catalog import catalog_is_current, generate

READY_PREFIX = "Offline Earth Search running at "
#: Environment variable that overrides where the generated catalog lives.
CATALOG_ENV = "OFFLINE_CATALOG_DIR"


def default_catalog_folder() -> Path:
    """``$OFFLINE_CATALOG_DIR``, or ``data/offline-earth-search`` in the repository."""
    configured = os.environ.get(CATALOG_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "data" / "offline-earth-search"


def ensure_catalog(folder: Path | None = None, force: bool = False) -> Path:
    """Generate the synthetic catalog in ``folder`` unless a current one is already there."""
    folder = Path(folder) if folder else default_catalog_folder()
    if force or not catalog_is_current(folder):
        print(f"Generating the offline catalog in {folder} (about 30 s, once)...", flush=True)
        started = time.perf_counter()
        items = generate(folder)
        # Imported here: it loads the web server's stack, which only generation needs from here.
        from .files import make_lesson_scene

        # The rest of the pixels are made when first asked for.
        made = make_lesson_scene(folder)
        print(
            f"  {len(items)} items and the lesson scene's {len(made)} files in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
    return folder


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), with a helpful error."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, keep-alive clients (pystac-client's
    # session) wait ~40 ms per request on Nagle's algorithm and delayed ACKs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise OfflineServerError(
            f"Cannot listen on {host}:{port} ({error.strerror}). Another program (perhaps an "
            f"offline server you started earlier) uses that port. Stop it, or pick another "
            f"port with --port (0 picks a free one)."
        ) from None
    sock.listen(128)
    return sock


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
    ) -> None:
        self.catalog = Path(catalog) if catalog else default_catalog_folder()
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
        command = [sys.executable, "-m", "helpers.offline", "serve", "--catalog",
                   str(self.catalog), "--port", str(self.port), *self.extra_args]  # fmt: skip
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
            raise OfflineServerError(
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
        raise OfflineServerError(f"The offline server at {self.api_url} did not answer in time.")

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
