"""Start the lesson: the offline Earth Search with the lesson's catalog, then JupyterLab using it.

    python -m helpers.lab [start] [--catalog DIR] [--port 8765] [--room-url URL] [-- jupyter args]
    python -m helpers.lab start --edition live-coding    the instructor's workspace
    python -m helpers.lab reset                 a fresh workspace; the old one kept, renamed
    python -m helpers.lab catalog [--force]     the lesson's catalog, with episodes 4-5's scene
    python -m helpers.lab kit --output DIR      the lesson's imagery from the live Earth Search

``make lab``, ``make lab-instructor``, ``make lab-reset``, ``make catalog`` and ``make kit`` run
these. JupyterLab opens the learner's workspace (the instructor's: the live-coding edition, in
``workspace-live-coding/``), gets ``STAC_API_URL`` and stops when this command stops, however.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from earth_search_offline.archive.generate import WarmUp, catalog_is_current, ensure_catalog
from earth_search_offline.errors import OfflineEarthSearchError
from earth_search_offline.settings import CATALOG_ENV, DEFAULT_PORT, LOOPBACK

from .checkpoints import LESSON_COLLECTION, LESSON_MAX_CLOUD_COVER, LESSON_YEAR
from .errors import LessonError
from .places import KIT_BBOX, search_bbox

REPOSITORY = Path(__file__).resolve().parents[1]
#: Episodes 4 and 5 read these assets of the first MGRS-31UFU scenes of episode 2's search: made
#: with the catalog, so that a room's first clips do not wait for them.
LESSON_WARM_UP = WarmUp(
    bbox=search_bbox(),
    datetime=f"{LESSON_YEAR}-01-01/{LESSON_YEAR}-12-31",
    max_cloud_cover=LESSON_MAX_CLOUD_COVER,
    tile="MGRS-31UFU",
    assets=("thumbnail", "visual", "red", "nir", "scl"),
    collection=LESSON_COLLECTION,
    scenes=5,
)
#: What `make kit` copies: episode 2's box and episode 6's area, the dates of episodes 2, 5 and 6,
#: episode 6's cloud limit (episode 2's is lower), the assets episodes 4 to 6 read.
KIT_DATETIME = "2021-01-01/2022-08-31"
KIT_QUERY = ["eo:cloud_cover<20"]
KIT_ASSETS = ("red", "nir", "scl", "visual")
#: The learner's own copy of the lesson, JupyterLab's root (git ignores it): $LESSON_WORKSPACE.
WORKSPACE = Path(os.environ.get("LESSON_WORKSPACE") or REPOSITORY / "workspace").resolve()
#: The instructor's: the live-coding edition, typed into on the projector.
LIVE_CODING_WORKSPACE = REPOSITORY / "workspace-live-coding"
EDITIONS = ("learner", "live-coding")
#: JupyterLab's defaults (overrides.json): no prompt about Jupyter's news, no update check.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification":
                 {"fetchNews": "false", "checkForUpdates": False}}  # fmt: skip


def catalog_folder() -> Path:
    """The lesson's generated catalog: ``$OFFLINE_CATALOG_DIR``, else ``data/`` in the lesson."""
    configured = os.environ.get(CATALOG_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return REPOSITORY / "data" / "offline-earth-search"


def prepare_catalog(folder: Path | None = None, force: bool = False) -> Path:
    """The lesson's catalog in ``folder``, generated with its warm-up scene unless current."""
    return ensure_catalog(folder or catalog_folder(), force=force, warm_up=LESSON_WARM_UP)


def prepare_workspace(workspace: Path = WORKSPACE, edition: str = "learner") -> list[str]:
    """Add to ``workspace/notebooks`` the ``edition`` of the notebooks it lacks, by name."""
    folder = workspace / "notebooks"
    sources = sorted((REPOSITORY / "notebooks").glob("[0-9][0-9]-*.ipynb"))  # 00-setup, episodes
    missing = [path.name for path in sources if not (folder / path.name).exists()]
    if missing:
        with tempfile.TemporaryDirectory() as editions:
            # tools/ is not installed (helpers imports nothing of it): run in the lesson's folder
            command = [sys.executable, "-m", "tools.build_editions", "--output", editions]
            subprocess.run(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, check=True)
            folder.mkdir(parents=True, exist_ok=True)
            for name in missing:
                with open(folder / name, "xb") as added:  # "x": never over a learner's file
                    added.write(Path(editions, edition, name).read_bytes())
        print(f"Added to your workspace {folder}: {', '.join(missing)}.", flush=True)
    return missing


def reset_workspace(workspace: Path = WORKSPACE) -> int:
    """Rename ``workspace`` to ``workspace-old-<time>`` (nothing deleted), then build it anew."""
    if workspace.exists():
        old = f"{workspace.name}-old-{time.strftime('%Y%m%d-%H%M%S')}"
        names = [old, *(f"{old}-{n}" for n in range(2, 1000))]  # two resets in one second
        kept = next(path for name in names if not (path := workspace.with_name(name)).exists())
        workspace.rename(kept)
        print(f"Your old work is kept, renamed, in {kept} (nothing was deleted).", flush=True)
    prepare_workspace(workspace)
    return 0


def lab_command(workspace: Path, lab_args: list[str], open_setup: bool = False) -> list[str]:
    """JupyterLab on ``workspace``; its settings (``LAB_OVERRIDES``) in a hidden ``.jupyterlab``."""
    (settings := workspace / ".jupyterlab").mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    setup = [f"--ServerApp.file_to_run={workspace / 'notebooks' / '00-setup.ipynb'}"]
    command = [sys.executable, "-m", "jupyter", "lab", "--ip", LOOPBACK,
               f"--ServerApp.root_dir={workspace}", f"--LabApp.app_settings_dir={settings}",
               *(setup if open_setup else []), *lab_args]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI machines often run as root
    return command


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


def _die_with_this_process() -> None:
    """In the child, before it runs, on Linux: be sent SIGTERM when this process dies, even by
    SIGKILL, the one stop no handler sees (a process manager's last resort)."""
    ctypes.CDLL(ctypes.util.find_library("c")).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_until_stopped(command: list[str], env: dict[str, str]) -> int:
    """Run ``command``; however this process is stopped, stop it too. Its exit code (0 if so)."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # a closed terminal (SIGHUP) or SIGTERM: as Ctrl+C

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):  # Windows has neither
            signal.signal(getattr(signal, name), stop)
    linux = sys.platform.startswith("linux")
    child = subprocess.Popen(command, env=env, preexec_fn=_die_with_this_process if linux else None)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


def start(
    catalog: Path | None, port: int, lab_args: list[str], room_url: str | None,
    edition: str = "learner",
) -> int:  # fmt: skip
    """Serve the catalog (or use the room's server) and run JupyterLab on the workspace."""
    from earth_search_offline.serving import bind_socket, serve

    server = None
    if room_url:
        api_url = _room_api(room_url)
        print(f"Using the room's server {api_url}.", flush=True)
    else:
        if catalog is None or catalog.resolve() == catalog_folder().resolve():
            folder = prepare_catalog(catalog)  # the lesson's, made if missing or outdated
        else:  # a kit, served as it is; a generated catalog elsewhere, brought up to date
            folder = catalog if not catalog_is_current(catalog) else prepare_catalog(catalog)
        sock = bind_socket(LOOPBACK, port)
        api_url = f"http://{LOOPBACK}:{sock.getsockname()[1]}/v1"
        print(f"Serving the catalog {folder} at {api_url}.", flush=True)
        server = threading.Thread(
            target=serve, args=(folder, sock), kwargs={"quiet": True}, daemon=True,
            name="offline-server",
        )  # fmt: skip
    workspace = WORKSPACE if edition == "learner" else LIVE_CODING_WORKSPACE
    first_start = "00-setup.ipynb" in prepare_workspace(workspace, edition)
    command = lab_command(workspace, lab_args, first_start)
    print(f"STAC_API_URL={api_url} is set for the notebooks. Stop with Ctrl+C.", flush=True)
    if server is not None:
        server.start()
    return run_until_stopped(command, {**os.environ, "STAC_API_URL": api_url})


def kit(output: Path, dry_run: bool) -> int:
    """Copy the lesson's imagery from the live Earth Search into ``output`` (``make kit``)."""
    from earth_search_offline.earth_search import LIVE_API_URL
    from earth_search_offline.mirror.plan import MirrorRequest
    from earth_search_offline.mirror.run import mirror, progress_bar

    request = MirrorRequest(
        api_url=LIVE_API_URL, bbox=KIT_BBOX, datetime=KIT_DATETIME, assets=KIT_ASSETS,
        collection=LESSON_COLLECTION, query=KIT_QUERY,
    )  # fmt: skip
    report = mirror(request, output, progress=progress_bar, dry_run=dry_run)
    if not dry_run:
        print(
            f"{report.items} items, {report.bytes_total / 1e6:.0f} MB in {output}: `make lab-kit`"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.lab", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    commands = parser.add_subparsers(dest="command")
    start_parser = commands.add_parser("start", help="serve the catalog and start JupyterLab")
    start_parser.add_argument("--catalog", type=Path, help="catalog folder, e.g. a kit (else ours)")
    start_parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    start_parser.add_argument(
        "--room-url", default=None,
        help="use the room's server at this address (`make serve-room` on the instructor's "
        "computer) instead of starting one here",
    )  # fmt: skip
    start_parser.add_argument(
        "--edition", choices=EDITIONS, default="learner",
        help=f"live-coding: the instructor's workspace, {LIVE_CODING_WORKSPACE.name}/",
    )  # fmt: skip
    start_parser.add_argument("lab_args", nargs=argparse.REMAINDER, help="for jupyter lab")
    commands.add_parser("reset", help=f"a fresh {WORKSPACE}; the old one kept, renamed")
    catalog_parser = commands.add_parser("catalog", help="generate the lesson's catalog")
    catalog_parser.add_argument("--force", action="store_true", help="even if current")
    kit_parser = commands.add_parser("kit", help="copy the lesson's imagery (needs internet)")
    kit_parser.add_argument("--output", type=Path, required=True)
    kit_parser.add_argument("--dry-run", action="store_true", help="show the size only")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in commands.choices:
        argv.insert(0, "start")  # `python -m helpers.lab --port 0` starts the lab
    args = parser.parse_args(argv)
    try:
        if args.command == "catalog":
            prepare_catalog(force=args.force)
            return 0
        if args.command == "kit":
            return kit(args.output, args.dry_run)
        if args.command == "reset":
            return reset_workspace()
        lab_args = [arg for arg in args.lab_args if arg != "--"]
        return start(args.catalog, args.port, lab_args, args.room_url, args.edition)
    except (LessonError, OfflineEarthSearchError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
