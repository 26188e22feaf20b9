"""Episode 6 on an existing Dask cluster: DASK_SCHEDULER_ADDRESS is the only change.

A scheduler and a worker are started here as separate processes (``dask scheduler`` and
``dask worker``, as someone running a shared cluster would), on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dask.distributed import Client

from tools.notebooks import NOTEBOOK_FOLDER, printed_text
from tools.offline_kernels import execute

NOTEBOOK = NOTEBOOK_FOLDER / "06-build-datacube.ipynb"
DASK = [sys.executable, "-m", "distributed.cli"]


def _wait_for_file(path: Path, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.stat().st_size:
            try:
                return json.loads(path.read_text())
            except json.JSONDecodeError:
                pass  # the scheduler is still writing it
        time.sleep(0.2)
    raise TimeoutError(f"the Dask scheduler did not write {path} within {seconds} s")


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dask-cluster")
    scheduler_file = folder / "scheduler.json"
    common = {"cwd": folder, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [*DASK[:-1], "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", str(scheduler_file)],
        **common,
    )  # fmt: skip
    worker = None
    try:
        address = _wait_for_file(scheduler_file, 60)["address"]
        worker = subprocess.Popen(
            [*DASK[:-1], "distributed.cli.dask_worker", address, "--nworkers", "1",
             "--nthreads", "2", "--no-dashboard", "--host", "127.0.0.1"],
            **common,
        )  # fmt: skip
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def test_episode_6_runs_unchanged_on_an_existing_cluster(
    scheduler_address: str, api_url: str, tmp_path: Path
) -> None:
    notebook = execute(
        NOTEBOOK, tmp_path, {"STAC_API_URL": api_url, "DASK_SCHEDULER_ADDRESS": scheduler_address}
    )
    printed = printed_text(notebook)
    assert f"Scheduler: {scheduler_address}\n" in printed
    assert (tmp_path / "ndvi_monthly_2021.tif").is_file()

    def finished_tasks(dask_scheduler) -> dict[str, int]:  # runs inside the scheduler process
        return {
            name: sum(prefix.state_counts[state] for state in ("memory", "released", "forgotten"))
            for name, prefix in dask_scheduler.task_prefixes.items()
        }

    with Client(scheduler_address, timeout=30) as client:
        # The reads and the computation ran on this cluster, and the notebook left it running.
        done = client.run_on_scheduler(finished_tasks)
        assert len(client.scheduler_info()["workers"]) == 1
    scenes = int(re.search(r"(\d+) scenes, from", printed).group(1))
    for band in ("red", "nir", "scl"):  # odc-stac names its read tasks after the band
        assert done.get(band, 0) >= scenes, done
    assert done.get("nanmedian", 0) > 0, done
