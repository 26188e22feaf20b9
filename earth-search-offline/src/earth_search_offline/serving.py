"""Run the offline Earth Search in this process: a bound socket, then uvicorn serving the app.

The server prints ``READY_PREFIX`` and its API URL once it listens: ``testing.OfflineServer``
(a child process) and the lesson's ``make lab`` wait for that line.
"""

from __future__ import annotations

import socket
from pathlib import Path

from .errors import ServerStartError
from .settings import LOOPBACK

READY_PREFIX = "Offline Earth Search running at "


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
        raise ServerStartError(
            f"Cannot listen on {host}:{port} ({error.strerror}). Another program (perhaps an "
            f"offline server you started earlier) uses that port. Stop it, or pick another "
            f"port with --port (0 picks a free one)."
        ) from None
    sock.listen(128)
    return sock


def serve(
    folder: Path,
    sock: socket.socket,
    room: bool = False,
    rate: float | None = None,
    traffic_stats: bool = False,
    quiet: bool = False,
) -> None:
    """Serve the catalog ``folder`` on an already bound socket until interrupted.

    ``quiet``: print nothing (a caller that says where the server is, such as a lesson's
    launcher whose terminal shows JupyterLab's own output).
    """
    import uvicorn

    from .api.app import catalog_label, create_app
    from .api.room import RATE_PER_SECOND, lan_addresses, learner_instructions

    host, port = sock.getsockname()[:2]
    app = create_app(
        folder, room=room, rate=RATE_PER_SECOND if rate is None else rate,
        traffic_stats=traffic_stats,
    )  # fmt: skip
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    if not quiet:
        print(f"Serving catalog {folder}", flush=True)
        if room:
            print(learner_instructions(lan_addresses(), port, catalog_label(app.state.catalog)))
        print(f"{READY_PREFIX}http://{LOOPBACK if room else host}:{port}/v1", flush=True)
    uvicorn.Server(config).run(sockets=[sock])
