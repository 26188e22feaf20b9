"""Wall time and peak memory of each lesson notebook, offline, against its floor.

    python -m benchmarks.notebooks [--only 01 03] [--output benchmarks/results/notebooks.md]

For every notebook: the time to run it top to bottom in a fresh kernel, and the peak resident
memory of the kernel and the processes it starts, such as episode 6's Dask workers (sampled
every 20 ms inside the kernel). The
floor is the same notebook cut after its imports cell: kernel start plus library imports,
measured in the same run, since this machine's speed varies from run to run.
Targets: under 20 s and under 1 GB per notebook (issue 3); episode 6 within 60 s and 1.5 GB
(issue 8).
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from earth_search_offline.testing import OfflineServer
from nbclient import NotebookClient

from helpers.lab import prepare_catalog
from tools.notebooks import lesson_notebooks
from tools.offline_kernels import offline_environment

# The kernel samples its own resident memory in a thread while the notebook runs: on Linux
# ru_maxrss of a child also counts the parent's memory at fork time.
# Processes the kernel starts (episode 6's Dask workers) count too.
SAMPLER_CELL = """
import threading as _threading, time as _time, psutil as _psutil
_peak, _running = [0], [True]
def _tree_rss():
    kernel, total = _psutil.Process(), 0
    for process in [kernel, *kernel.children(recursive=True)]:
        try:
            total += process.memory_info().rss
        except _psutil.Error:
            pass
    return total
def _sample():
    while _running[0]:
        _peak[0] = max(_peak[0], _tree_rss())
        _time.sleep(0.02)
_threading.Thread(target=_sample, daemon=True).start()
"""
PEAK_MEMORY_CELL = """
_running[0] = False
_peak[0] = max(_peak[0], _tree_rss())
print('PEAK_RSS_KB', _peak[0] // 1024)
"""


def _run(notebook: nbformat.NotebookNode, workdir: Path, env: dict[str, str]) -> tuple[float, int]:
    """Seconds to run ``notebook`` in a new kernel, and the kernel's peak RSS in bytes."""
    runnable = copy.deepcopy(notebook)
    runnable.cells.insert(0, nbformat.v4.new_code_cell(SAMPLER_CELL))
    runnable.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    started = time.perf_counter()
    NotebookClient(
        runnable, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute(env=env)
    elapsed = time.perf_counter() - started
    printed = "".join(out.get("text", "") for out in runnable.cells[-1].outputs)
    kilobytes = int(printed.split("PEAK_RSS_KB")[1].split()[0])
    return elapsed, kilobytes * 1024


def _floor(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cut = copy.deepcopy(notebook)
    first_code = next(i for i, cell in enumerate(cut.cells) if cell.cell_type == "code")
    cut.cells = cut.cells[: first_code + 1]
    return cut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="notebook number prefixes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per notebook; best is kept")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/notebooks.md"))
    args = parser.parse_args(argv)

    chosen = [nb for nb in lesson_notebooks() if not args.only or nb.name[:2] in args.only]
    rows = []
    with OfflineServer(prepare_catalog()) as server, tempfile.TemporaryDirectory() as workdir:
        env = {**os.environ, **offline_environment(server.api_url)}
        for path in chosen:
            notebook = nbformat.read(path, as_version=4)
            # Alternate full and floor runs so that machine noise hits both alike; keep the best.
            full, floor = [], []
            for _ in range(args.repeat):
                floor.append(_run(_floor(notebook), Path(workdir), env))
                full.append(_run(notebook, Path(workdir), env))
            seconds, memory = min(run[0] for run in full), max(run[1] for run in full)
            floor_seconds, floor_memory = min(run[0] for run in floor), max(run[1] for run in floor)
            rows.append((path.name, seconds, floor_seconds, memory, floor_memory))
            print(
                f"{path.name}: {seconds:.1f} s (floor {floor_seconds:.1f} s), "
                f"{memory / 2**20:.0f} MB (floor {floor_memory / 2**20:.0f} MB)",
                flush=True,
            )

    lines = [
        "| notebook | time (s) | floor (s) | time / floor | peak memory (MB) | floor (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for name, seconds, floor_seconds, memory, floor_memory in rows:
        lines.append(
            f"| {name} | {seconds:.1f} | {floor_seconds:.1f} | "
            f"{seconds / floor_seconds:.2f} | {memory / 2**20:.0f} | "
            f"{floor_memory / 2**20:.0f} |"
        )
    total = sum(row[1] for row in rows)
    lines.append(
        f"\nAll {len(rows)} notebooks: {total:.1f} s (best of {args.repeat} runs each). "
        f"Command: `python -m benchmarks.notebooks`. Python {sys.version.split()[0]}."
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print(f"Table written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
