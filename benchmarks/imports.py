"""Import time of the notebooks' pre-filled setup cell, against its floor.

    python -m benchmarks.imports [--repeat 7] [--output benchmarks/results/imports.md]

Each measurement runs in a fresh Python process (nothing cached in ``sys.modules``) and times,
with ``time.perf_counter``, (a) the floor: importing only the libraries the setup cell uses
(``pystac_client.stac_api_io``, ``urllib3``); (b) the whole setup cell of
``notebooks/01-discover-catalog.ipynb``, run as the notebook runs it (its print silenced; IPython
loaded beforehand, as in a kernel). The
table also lists which heavy modules the cell loads: none of the offline stand-in should be.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import nbformat

from benchmarks.report import publish
from tools.notebooks import lesson_notebooks

FLOOR = "import pystac_client.stac_api_io, urllib3"
# IPython is loaded before the clock starts: in a notebook the kernel has loaded it already.
PROBE = """
import contextlib, io, json, sys, time
import IPython
code = {code!r}
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()):
    exec(code, {{}})
seconds = time.perf_counter() - start
heavy = ("earth_search_offline.api", "rasterio", "PIL", "numpy", "xarray", "fastapi")
loaded = sorted({{name for name in sys.modules for prefix in heavy
                 if name == prefix or name.startswith(prefix + ".")}})
print(json.dumps({{"seconds": seconds, "loaded": sorted({{n.split(".")[0] if not
      n.startswith("helpers.") else ".".join(n.split(".")[:2]) for n in loaded}})}}))
"""


def setup_cell_source() -> str:
    notebook = nbformat.read(lesson_notebooks()[0], as_version=4)
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


def measure(code: str) -> dict:
    """Seconds to run ``code`` in a fresh interpreter, and the heavy packages it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code)],
        capture_output=True, text=True, check=True, timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/imports.md"))
    args = parser.parse_args(argv)
    rows = []
    for label, code in (("floor: the libraries it uses", FLOOR),
                        ("the setup cell", setup_cell_source())):  # fmt: skip
        runs = [measure(code) for _ in range(args.repeat)]
        best = min(run["seconds"] for run in runs)
        loaded = ", ".join(runs[0]["loaded"]) or "none"
        rows.append(f"| {label} | {best * 1000:.0f} ms | {loaded} |")
    lines = [
        f"Setup cell import time, fresh process, best of {args.repeat}. "
        "Command: `python -m benchmarks.imports`.",
        "",
        "| What | Time | Heavy packages loaded |",
        "|---|---|---|",
        *rows,
    ]
    return publish(lines, args.output)


if __name__ == "__main__":
    sys.exit(main())
