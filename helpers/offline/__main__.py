"""Command line of the offline Earth Search.

python -m helpers.offline generate [--catalog DIR] [--force]
python -m helpers.offline serve [--catalog DIR] [--port 8765]
python -m helpers.offline lab [--port 8765] [-- extra jupyter lab arguments]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from ..errors import LessonError
from .process import (
    DEFAULT_PORT,
    LOOPBACK,
    READY_PREFIX,
    bind_socket,
    default_catalog_folder,
    ensure_catalog,
)

REPOSITORY = Path(__file__).resolve().parents[2]


def _serve(folder: Path, sock: socket.socket) -> None:
    """Serve ``folder`` on an already bound socket until interrupted."""
    import uvicorn

    from .server import create_app

    host, port = sock.getsockname()[:2]
    app = create_app(folder)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    print(f"Serving catalog {folder}", flush=True)
    print(f"{READY_PREFIX}http://{host}:{port}/v1", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def _lab(catalog: Path | None, port: int, lab_args: list[str]) -> int:
    folder = ensure_catalog(catalog)
    sock = bind_socket(LOOPBACK, port)
    api_url = f"http://{LOOPBACK}:{sock.getsockname()[1]}/v1"
    thread = threading.Thread(
        target=_serve, args=(folder, sock), daemon=True, name="offline-server"
    )
    thread.start()
    env = {**os.environ, "STAC_API_URL": api_url}
    print(f"STAC_API_URL={api_url} is set for the notebooks. Stop with Ctrl+C.", flush=True)
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ip",
        LOOPBACK,
        f"--notebook-dir={REPOSITORY}",
        *lab_args,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.offline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write the synthetic catalog's metadata")
    generate.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help=f"catalog folder (default: {default_catalog_folder()})",
    )
    generate.add_argument("--force", action="store_true", help="regenerate even if current")

    serve = commands.add_parser("serve", help="serve a catalog folder as a STAC API")
    serve.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="static catalog folder (default: the generated one, made if missing)",
    )
    serve.add_argument(
        "--host",
        default=LOOPBACK,
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )

    lab = commands.add_parser("lab", help="serve the catalog and start JupyterLab using it")
    lab.add_argument("--catalog", type=Path, default=None)
    lab.add_argument("--port", type=int, default=DEFAULT_PORT)
    lab.add_argument("lab_args", nargs=argparse.REMAINDER, help="arguments for jupyter lab")

    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            ensure_catalog(args.catalog, force=args.force)
            return 0
        if args.command == "serve":
            generated = args.catalog is None or args.catalog == default_catalog_folder()
            folder = ensure_catalog(args.catalog) if generated else args.catalog
            _serve(folder, bind_socket(args.host, args.port))
            return 0
        extra = [a for a in args.lab_args if a != "--"]
        return _lab(args.catalog, args.port, extra)
    except LessonError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
