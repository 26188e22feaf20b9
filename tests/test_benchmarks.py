"""The benchmark scripts run (on tiny settings); their figures are reported, not asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


# Eight scripts one after the other: on a loaded machine (another suite beside it) over 300 s.
@pytest.mark.timeout(900)
def test_every_benchmark_runs_and_writes_its_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    tables = {path.stem: path.read_text() for path in tmp_path.glob("*.md")}
    assert set(tables) == {
        "generation", "remote_reads", "api", "memory", "imports", "room", "notebooks", "datacube"
    }  # fmt: skip
    room_totals = re.findall(
        r"\| all: ([\d.]+) requests/s, (\d+) failures, server (\d+) MB", tables["room"]
    )
    # 1 and 2 learners, then 2 on a fresh and on a just generated catalog
    assert len(room_totals) == 4, tables["room"]
    assert all(float(rate) > 0 and failures == "0" for rate, failures, _ in room_totals), tables[
        "room"
    ]
    setup_cell = re.search(r"\| the setup cell \| (\d+) ms \| ([^|]+) \|", tables["imports"])
    assert setup_cell and setup_cell.group(2).strip() == "none", tables["imports"]
    reads = re.search(
        r"\| visual \| (\d+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", tables["remote_reads"]
    )
    assert reads, tables["remote_reads"]
    file_kb, minimum_kb, sent_kb, ratio = (float(value) for value in reads.groups())
    assert 0 < minimum_kb <= sent_kb < file_kb and ratio == round(sent_kb / minimum_kb, 2)
    assert re.search(r"\| point search, 10 items \| [\d.]+ \| [\d.]+ \|", tables["api"])
    assert "| 01-discover-catalog.ipynb |" in tables["notebooks"]
    assert "metadata of 4 items" in tables["generation"]
    assert "episode 5 on the 4 km box" in tables["memory"]
    setups = re.findall(r"^\| ((?:lazy|eager)[^|]+) \| ([\d.]+) \| ([\d.]+) \| (\d+) \|$",
                        tables["datacube"], flags=re.MULTILINE)  # fmt: skip
    assert [name.split(",")[0] for name, *_ in setups] == ["lazy", "lazy", "eager", "eager"]
    for _, start, compute, peak_mb in setups:
        assert float(compute) > 0 and int(peak_mb) > 0 and float(start) >= 0
