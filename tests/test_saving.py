"""Saving is all or nothing: an error or a crash half-way leaves the earlier file as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from pystac import ItemCollection
from rio_cogeo.cogeo import cog_validate

from helpers.saving import OutputPathError, atomic_output


def _raster(value: float) -> xr.DataArray:
    data = xr.DataArray(
        np.full((1, 64, 64), value, dtype="float32"),
        dims=("band", "y", "x"),
        coords={"y": 5806000 - 10 * np.arange(64), "x": 627000 + 10 * np.arange(64)},
    )
    return data.rio.write_crs("EPSG:32631")


def test_a_cog_is_written_whole_and_valid(tmp_path: Path) -> None:
    target = tmp_path / "ndvi.tif"
    with atomic_output(target) as path:
        _raster(0.5).rio.to_raster(path, driver="COG")
    assert cog_validate(str(target), quiet=True)[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ndvi.tif"]


def test_an_error_mid_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "ndvi.tif"
    with atomic_output(target) as path:
        _raster(0.25).rio.to_raster(path, driver="COG")
    before = target.read_bytes()
    with pytest.raises(RuntimeError), atomic_output(target, overwrite=True) as path:
        Path(path).write_bytes(b"II*\x00 half a TIFF")
        raise RuntimeError("the kernel ran out of memory")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ndvi.tif"]


def test_geojson_checkpoint_survives_a_failed_save(tmp_path: Path) -> None:
    target = tmp_path / "search_results.json"
    target.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(TypeError), atomic_output(target, overwrite=True) as path:
        ItemCollection([]).save_object(path)
        raise TypeError("an item that cannot be serialised")
    assert ItemCollection.from_file(str(target)).items == []
    assert [p.name for p in tmp_path.iterdir()] == ["search_results.json"]


def test_a_killed_process_leaves_no_partial_file_under_the_final_name(tmp_path: Path) -> None:
    target = tmp_path / "big.tif"
    script = textwrap.dedent(f"""
        import os, signal, time
        from helpers.saving import atomic_output
        with atomic_output({str(target)!r}) as path:
            with open(path, "wb") as handle:
                handle.write(b"x" * 1_000_000)
                handle.flush()
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert not target.exists(), "a crash must not leave a partial file under the final name"
    with atomic_output(target) as path:  # the next save clears what the crash left behind
        Path(path).write_bytes(b"complete")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.tif"]


def test_nothing_written_is_an_error(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputPathError, match="Nothing was written"),
        atomic_output(tmp_path / "x.tif"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_unless_asked(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_text("{}")
    with pytest.raises(OutputPathError, match="overwrite=True"), atomic_output(target):
        pass
    with atomic_output(target, overwrite=True) as path:
        Path(path).write_text('{"new": 1}')
    assert json.loads(target.read_text()) == {"new": 1}
    assert os.listdir(tmp_path) == ["x.json"]
