"""Regenerate the stored outputs of the lesson notebooks from an offline run.

    python tools/run_notebooks.py            # every notebook, in order
    python tools/run_notebooks.py 03 05      # only those whose names start with 03 or 05

Starts the offline Earth Search (port 8765 when free, so outputs show the address learners
see), runs each notebook top to bottom in the notebooks folder and writes it back in place.
"""

from __future__ import annotations

import sys
import time

import nbformat

from helpers.errors import OfflineServerError
from helpers.notebooks import NOTEBOOK_FOLDER, execute, lesson_notebooks, offline_environment
from helpers.offline import DEFAULT_PORT, OfflineServer


def _server() -> OfflineServer:
    try:
        return OfflineServer(port=DEFAULT_PORT).start()
    except OfflineServerError:
        return OfflineServer(port=0).start()


def main(prefixes: list[str]) -> int:
    chosen = [nb for nb in lesson_notebooks() if not prefixes or nb.name[:2] in prefixes]
    with _server() as server:
        env = offline_environment(server.api_url)
        for path in chosen:
            started = time.perf_counter()
            notebook = execute(path, NOTEBOOK_FOLDER, env)
            nbformat.write(notebook, path)
            print(f"{path.name}: {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
