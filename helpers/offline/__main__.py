"""Command line of the offline Earth Search.

python -m helpers.offline generate [--catalog DIR] [--force]
python -m helpers.offline serve [--catalog DIR] [--port 8765]
python -m helpers.offline lab [--port 8765] [-- extra jupyter lab arguments]
python -m helpers.offline mirror --output DIR [--api URL] [--bbox W S E N | --point LON LAT]
    [--datetime D] [--query "eo:cloud_cover<20" ...] [--assets red nir scl visual] [--whole]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from ..addresses import DEFAULT_PORT, LOOPBACK
from ..errors import LessonError
from .process import (
    READY_PREFIX,
    bind_socket,
    default_catalog_folder,
    ensure_catalog,
)
from .room import ALL_INTERFACES, RATE_PER_SECOND

REPOSITORY = Path(__file__).resolve().parents[2]


def _serve(
    folder: Path, sock: socket.socket, room: bool = False, rate: float | None = None
) -> None:
    """Serve ``folder`` on an already bound socket until interrupted."""
    import uvicorn

    from .room import lan_addresses, learner_instructions
    from .server import catalog_label, create_app

    host, port = sock.getsockname()[:2]
    app = create_app(folder, room=room, rate=rate)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    print(f"Serving catalog {folder}", flush=True)
    if room:
        label = catalog_label(app.state.catalog)
        print(learner_instructions(lan_addresses(), port, label), flush=True)
    print(f"{READY_PREFIX}http://{LOOPBACK if room else host}:{port}/v1", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def _catalog_to_serve(catalog: Path | None) -> Path:
    """The generated catalog (made if missing), or the given folder as it is (e.g. a kit)."""
    if catalog is None or catalog.resolve() == default_catalog_folder().resolve():
        return ensure_catalog(catalog)
    return catalog


def _room_api(url: str) -> str:
    """The room server's API URL, checked to answer, or ``LessonError`` saying what to do."""
    import requests

    api_url = url.rstrip("/")
    api_url = api_url if api_url.endswith("/v1") else f"{api_url}/v1"
    try:
        requests.get(api_url, timeout=5).raise_for_status()
    except requests.RequestException as error:
        raise LessonError(
            f"The room server {api_url} does not answer ({type(error).__name__}). Check the "
            "address the instructor shows, and that this computer is on the room's network; "
            "or run `make lab` without ROOM to use your own offline server."
        ) from None
    return api_url


def _lab(catalog: Path | None, port: int, lab_args: list[str], room_url: str | None) -> int:
    if room_url:
        api_url = _room_api(room_url)
        print(f"Using the room's server {api_url}.", flush=True)
    else:
        folder = _catalog_to_serve(catalog)
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


def _add_mirror_command(commands: argparse._SubParsersAction) -> None:
    from .mirror import LESSON_API, LESSON_ASSETS, LESSON_BBOX, LESSON_DATETIME

    mirror = commands.add_parser(
        "mirror",
        help="copy the imagery of a search into a local catalog (offline workshop kit)",
        description="Run a search on a STAC API and write its items, with the chosen assets "
        "clipped to the area, into a folder that `serve --catalog DIR` serves. Run it again to "
        "resume or to repair: finished files whose checksum matches are skipped. The defaults "
        "cover the lesson's episodes 2 to 6.",
    )
    mirror.add_argument("--output", type=Path, required=True, help="folder of the local copy")
    mirror.add_argument("--api", default=LESSON_API, help=f"STAC API (default {LESSON_API})")
    mirror.add_argument("--collection", default="sentinel-2-l2a")
    area = mirror.add_mutually_exclusive_group()
    area.add_argument(
        "--bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"),
        help=f"area in degrees (default {' '.join(map(str, LESSON_BBOX))})",
    )  # fmt: skip
    area.add_argument("--point", type=float, nargs=2, metavar=("LON", "LAT"))
    mirror.add_argument(
        "--buffer", type=float, default=0.05, help="degrees around --point (default 0.05)"
    )
    mirror.add_argument("--datetime", default=LESSON_DATETIME, help="e.g. 2021 or 2021-06/2021-08")
    mirror.add_argument(
        "--query", nargs="*", default=["eo:cloud_cover<20"], help='e.g. "eo:cloud_cover<20"'
    )
    mirror.add_argument("--assets", nargs="+", default=list(LESSON_ASSETS), help="asset keys")
    mirror.add_argument("--whole", action="store_true", help="copy files whole, not clipped")
    mirror.add_argument("--max-items", type=int, default=None)
    mirror.add_argument("--dry-run", action="store_true", help="show the size estimate only")


def _mirror(args: argparse.Namespace) -> int:
    from .mirror import LESSON_BBOX, MirrorRequest, mirror, progress_bar

    if args.point:
        lon, lat = args.point
        bbox = (lon - args.buffer, lat - args.buffer, lon + args.buffer, lat + args.buffer)
    else:
        bbox = tuple(args.bbox) if args.bbox else LESSON_BBOX
    request = MirrorRequest(
        api_url=args.api,
        collection=args.collection,
        bbox=bbox,
        datetime=args.datetime,
        query=args.query or None,
        assets=tuple(args.assets),
        whole=args.whole,
        max_items=args.max_items,
    )
    report = mirror(request, args.output, progress=progress_bar, dry_run=args.dry_run)
    if not args.dry_run:
        print(
            f"{report.items} items: {len(report.fetched)} files fetched, "
            f"{len(report.skipped)} already complete; {report.bytes_total / 1e6:.1f} MB in "
            f"{args.output}. Serve it with: python -m helpers.offline serve --catalog {args.output}"
        )
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
        default=None,
        help="address to listen on (default 127.0.0.1: this computer only; with --room: "
        "every interface)",
    )
    serve.add_argument(
        "--room",
        action="store_true",
        help="serve the whole room: listen on every network interface, print the address "
        "learners type, and limit each learner's request rate",
    )
    serve.add_argument(
        "--rate",
        type=float,
        default=RATE_PER_SECOND,
        help=f"with --room: requests a second each learner's address may send (default "
        f"{RATE_PER_SECOND:g}; "
        "0: no limit, e.g. for a load test whose learners share one address)",
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )

    lab = commands.add_parser("lab", help="serve the catalog and start JupyterLab using it")
    lab.add_argument(
        "--catalog", type=Path, default=None, help="catalog folder, e.g. a mirror (offline kit)"
    )
    lab.add_argument("--port", type=int, default=DEFAULT_PORT)
    lab.add_argument(
        "--room-url",
        default=None,
        help="use the room's server at this address (`serve --room` on the instructor's "
        "computer) instead of starting one here",
    )
    lab.add_argument("lab_args", nargs=argparse.REMAINDER, help="arguments for jupyter lab")

    _add_mirror_command(commands)

    args = parser.parse_args(argv)
    try:
        if args.command == "mirror":
            return _mirror(args)
        if args.command == "generate":
            ensure_catalog(args.catalog, force=args.force)
            return 0
        if args.command == "serve":
            if args.room:
                host = args.host or ALL_INTERFACES
            elif args.host not in (None, LOOPBACK, "localhost"):
                raise LessonError(
                    f"--host {args.host} would let other computers reach this server. To serve "
                    "a workshop room, say so with --room (it also limits each learner's rate)."
                )
            else:
                host = args.host or LOOPBACK
            folder = _catalog_to_serve(args.catalog)
            _serve(folder, bind_socket(host, args.port), room=args.room, rate=args.rate)
            return 0
        extra = [a for a in args.lab_args if a != "--"]
        return _lab(args.catalog, args.port, extra, args.room_url)
    except LessonError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
