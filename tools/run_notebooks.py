"""Regenerate the stored outputs of the lesson notebooks from an offline run.

    python -m tools.run_notebooks            # every notebook, in order
    python -m tools.run_notebooks 03 05      # write back only those starting with 03 or 05

Starts the offline Earth Search (port 8765 when free, so outputs show the address learners
see), runs every notebook top to bottom, in order, in the notebooks folder (later episodes
start from files that earlier ones save) and writes the chosen ones back in place.
"""

from __future__ import annotations

import sys
import time

import nbformat
from earth_search_offline.errors import ServerStartError
from earth_search_offline.settings import DEFAULT_PORT
from earth_search_offline.testing import OfflineServer

from helpers.checkpoints import SEARCH_RESULTS
from helpers.lab import prepare_catalog
from tools.notebooks import NOTEBOOK_FOLDER, lesson_notebooks
from tools.offline_kernels import execute, offline_environment


def _server() -> OfflineServer:
    try:
        return OfflineServer(prepare_catalog(), port=DEFAULT_PORT).start()
    except ServerStartError:
        return OfflineServer(prepare_catalog(), port=0).start()


def main(prefixes: list[str]) -> int:
    # A checkpoint from an earlier run points at that run's server: start from scratch.
    (NOTEBOOK_FOLDER / SEARCH_RESULTS).unlink(missing_ok=True)
    with _server() as server:
        env = offline_environment(server.api_url)
        for path in lesson_notebooks():
            started = time.perf_counter()
            notebook = execute(path, NOTEBOOK_FOLDER, env)
            if not prefixes or path.name[:2] in prefixes:
                nbformat.write(notebook, path)
                print(f"{path.name}: {time.perf_counter() - started:.1f} s, written", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
