"""The benchmark scripts run (on a tiny setting); their figures are reported, not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def test_notebook_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "notebooks.md"
    result = subprocess.run(
        [sys.executable, "benchmarks/notebooks.py", "--only", "01", "--repeat", "1",
         "--output", str(output)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    table = output.read_text()
    assert "| 01-discover-catalog.ipynb |" in table
    row = next(line for line in table.splitlines() if line.startswith("| 01-"))
    seconds, floor = (float(cell) for cell in row.split("|")[2:4])
    assert seconds > 0 and floor > 0
