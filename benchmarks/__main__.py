"""Run every benchmark and write its table to benchmarks/results/ (``make bench``).

python -m benchmarks            # all, full settings
python -m benchmarks --quick    # tiny settings, to check that they run
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import api, datacube, generation, imports, memory, notebooks, remote_reads, room


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny settings")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args(argv)
    out = args.output
    quick = args.quick
    steps = [
        (generation.main, ["--items", "4"] if quick else []),
        (remote_reads.main, []),
        (api.main, ["--repeat", "3"] if quick else []),
        (memory.main, []),
        (imports.main, ["--repeat", "1"] if quick else []),
        (room.main, ["--users", "1", "2", "--seconds", "5"] if quick else []),
        (notebooks.main, ["--only", "01", "--repeat", "1"] if quick else []),
        (datacube.main, ["--repeat", "1", "--max-cloud", "5"] if quick else ["--cold", "--larger"]),
    ]
    for run, extra in steps:
        name = run.__module__.rsplit(".", 1)[-1]
        print(f"== {name}", flush=True)
        code = run([*extra, "--output", str(out / f"{name}.md")])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
