"""The ``earth-search-offline`` command (also ``python -m earth_search_offline``).

earth-search-offline generate [--catalog DIR] [--force] [--warm-up-... (a scene made now)]
earth-search-offline serve [--catalog DIR] [--port 8765] [--room [--rate N]]
earth-search-offline mirror --output DIR (--bbox W S E N | --point LON LAT) --datetime D
    --assets red nir ... [--api URL] [--query "eo:cloud_cover<20" ...] [--whole]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import OfflineEarthSearchError
from .settings import CATALOG_ENV, DEFAULT_PORT, LOOPBACK, catalog_folder

PROGRAM = "earth-search-offline"
#: Degrees around ``mirror --point``, when no ``--buffer`` is given.
POINT_BUFFER = 0.05


def _catalog_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=None,
        help=f"{what} (default: ${CATALOG_ENV}, else {catalog_folder()})",
    )  # fmt: skip


def _add_generate(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser("generate", help="write the synthetic catalog's metadata")
    _catalog_option(generate, "catalog folder")
    generate.add_argument("--force", action="store_true", help="regenerate even if current")
    warm_up = generate.add_argument_group(
        "warm-up scene", "make one scene's files now, so that its first reader does not wait: "
        "the newest item on --warm-up-tile that the search finds (all four options, or none)",
    )  # fmt: skip
    warm_up.add_argument("--warm-up-bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"))
    warm_up.add_argument(
        "--warm-up-datetime", metavar="START/END", help="e.g. 2021-01-01/2021-12-31"
    )
    warm_up.add_argument("--warm-up-max-cloud", type=float, default=100, metavar="PERCENT")
    warm_up.add_argument("--warm-up-tile", metavar="GRID_CODE", help="e.g. MGRS-31UFU")
    warm_up.add_argument("--warm-up-assets", nargs="+", metavar="KEY", help="e.g. red nir scl")
    warm_up.add_argument(
        "--warm-up-scenes", type=int, default=1, metavar="N",
        help="how many of the search's first scenes on the tile (default 1)",
    )  # fmt: skip


def _generate(args: argparse.Namespace) -> int:
    from .archive.generate import WarmUp, ensure_catalog

    asked = [args.warm_up_bbox, args.warm_up_datetime, args.warm_up_tile, args.warm_up_assets]
    if any(asked) and not all(asked):
        raise OfflineEarthSearchError(
            "A warm-up scene needs --warm-up-bbox, --warm-up-datetime, --warm-up-tile and "
            "--warm-up-assets together; give all four, or none to make every file on request."
        )
    warm_up = None
    if all(asked):
        warm_up = WarmUp(
            bbox=tuple(args.warm_up_bbox), datetime=args.warm_up_datetime,
            max_cloud_cover=args.warm_up_max_cloud, tile=args.warm_up_tile,
            assets=tuple(args.warm_up_assets), scenes=args.warm_up_scenes,
        )  # fmt: skip
    ensure_catalog(args.catalog, force=args.force, warm_up=warm_up)
    return 0


def _add_serve(commands: argparse._SubParsersAction) -> None:
    from .api.room import RATE_PER_SECOND

    serve = commands.add_parser("serve", help="serve a catalog folder as a STAC API")
    _catalog_option(serve, "static catalog folder, e.g. a mirror; the generated one is made if "
                    "missing")  # fmt: skip
    serve.add_argument(
        "--host", default=None,
        help="address to listen on (default 127.0.0.1: this computer only; with --room: "
        "every interface)",
    )  # fmt: skip
    serve.add_argument(
        "--room", action="store_true",
        help="serve the whole room: listen on every network interface, print the address "
        "learners type, and limit each learner's request rate",
    )  # fmt: skip
    serve.add_argument(
        "--rate", type=float, default=RATE_PER_SECOND,
        help=f"with --room: requests a second each learner's address may send (default "
        f"{RATE_PER_SECOND:g}; 0: no limit, e.g. for a load test whose learners share one address)",
    )  # fmt: skip
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )  # fmt: skip
    serve.add_argument(
        "--traffic-stats", action="store_true",
        help="for tests and benchmarks: count the file route's traffic at /_stats "
        "(not with --room)",
    )  # fmt: skip


def catalog_to_serve(catalog: Path | None) -> Path:
    """The generated catalog (made if missing), or the given folder as it is (e.g. a kit)."""
    from .archive.generate import ensure_catalog

    if catalog is None or catalog.resolve() == catalog_folder().resolve():
        return ensure_catalog(catalog)
    return catalog


def _serve(args: argparse.Namespace) -> int:
    from .api.room import ALL_INTERFACES
    from .serving import bind_socket, serve

    if args.room and args.traffic_stats:
        raise OfflineEarthSearchError(
            "--traffic-stats is for tests on this computer; a room's server does not offer it."
        )
    if args.room:
        host = args.host or ALL_INTERFACES
    elif args.host not in (None, LOOPBACK, "localhost"):
        raise OfflineEarthSearchError(
            f"--host {args.host} would let other computers reach this server. To serve a "
            "workshop room, say so with --room (it also limits each learner's rate)."
        )
    else:
        host = args.host or LOOPBACK
    folder = catalog_to_serve(args.catalog)
    sock = bind_socket(host, args.port)
    serve(folder, sock, room=args.room, rate=args.rate, traffic_stats=args.traffic_stats)
    return 0


def _add_mirror(commands: argparse._SubParsersAction) -> None:
    from .earth_search import LIVE_API_URL

    mirror = commands.add_parser(
        "mirror",
        help="copy the imagery of a search into a local catalog (offline workshop kit)",
        description="Run a search on a STAC API and write its items, with the chosen assets "
        "clipped to the area, into a folder that `serve --catalog DIR` serves. Run it again to "
        "resume or to repair: finished files whose checksum matches are skipped.",
    )
    mirror.add_argument("--output", type=Path, required=True, help="folder of the local copy")
    mirror.add_argument("--api", default=LIVE_API_URL, help=f"STAC API (default {LIVE_API_URL})")
    mirror.add_argument("--collection", default="sentinel-2-l2a")
    area = mirror.add_mutually_exclusive_group(required=True)
    area.add_argument("--bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"),
                      help="area in degrees")  # fmt: skip
    area.add_argument("--point", type=float, nargs=2, metavar=("LON", "LAT"))
    mirror.add_argument(
        "--buffer", type=float, default=POINT_BUFFER,
        help=f"degrees around --point (default {POINT_BUFFER})",
    )  # fmt: skip
    mirror.add_argument("--datetime", required=True, help="e.g. 2021 or 2021-06/2021-08")
    mirror.add_argument("--query", nargs="*", default=None, help='e.g. "eo:cloud_cover<20"')
    mirror.add_argument("--assets", nargs="+", required=True, help="asset keys, e.g. red nir scl")
    mirror.add_argument("--whole", action="store_true", help="copy files whole, not clipped")
    mirror.add_argument("--max-items", type=int, default=None)
    mirror.add_argument("--dry-run", action="store_true", help="show the size estimate only")


def _mirror(args: argparse.Namespace) -> int:
    from .mirror.plan import MirrorRequest
    from .mirror.run import mirror, progress_bar

    if args.point:
        lon, lat = args.point
        bbox = (lon - args.buffer, lat - args.buffer, lon + args.buffer, lat + args.buffer)
    else:
        bbox = tuple(args.bbox)
    request = MirrorRequest(
        api_url=args.api, collection=args.collection, bbox=bbox, datetime=args.datetime,
        query=args.query or None, assets=tuple(args.assets), whole=args.whole,
        max_items=args.max_items,
    )  # fmt: skip
    report = mirror(request, args.output, progress=progress_bar, dry_run=args.dry_run)
    if not args.dry_run:
        print(
            f"{report.items} items: {len(report.fetched)} files fetched, "
            f"{len(report.skipped)} already complete; {report.bytes_total / 1e6:.1f} MB in "
            f"{args.output}. Serve it with: {PROGRAM} serve --catalog {args.output}"
        )
    return 0


COMMANDS = {"generate": _generate, "serve": _serve, "mirror": _mirror}


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job."""
    main_parser = argparse.ArgumentParser(
        prog=PROGRAM, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    _add_generate(commands)
    _add_serve(commands)
    _add_mirror(commands)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except OfflineEarthSearchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
