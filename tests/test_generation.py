"""Generation is deterministic and leaves no partial files behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from earth_search_offline.archive import generate as catalog
from earth_search_offline.archive import items
from earth_search_offline.archive.acquisitions import all_acquisitions
from earth_search_offline.archive.assets import write_asset
from earth_search_offline.static_catalog import item_folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def sample() -> list:
    acquisitions = all_acquisitions()
    return acquisitions[::60]


def test_same_metadata_bytes_on_every_run(tmp_path: Path, sample: list) -> None:
    catalog.generate(tmp_path / "first", sample, workers=1)
    catalog.generate(tmp_path / "second", sample, workers=2)
    first, second = _digests(tmp_path / "first"), _digests(tmp_path / "second")
    assert first == second
    items = [name for name in first if name.endswith("_L2A.json")]
    first_versions = [a for a in sample if a.sequence == 0]
    # One sentinel-2-l2a item per acquisition, one Collection 1 item per first version.
    assert len([n for n in items if n.startswith("sentinel-s2-l2a-cogs/")]) == len(sample)
    assert len([n for n in items if n.startswith("sentinel-2-c1-l2a/")]) == len(first_versions)


@pytest.mark.parametrize("key", ["red", "scl", "visual", "thumbnail", "coastal"])
def test_same_asset_bytes_on_every_run(tmp_path: Path, sample: list, key: str) -> None:
    acquisition = sample[1]
    properties = items.item_properties(acquisition)
    write_asset(acquisition, key, tmp_path / "a" / key, properties)
    write_asset(acquisition, key, tmp_path / "b" / key, properties)
    assert (tmp_path / "a" / key).read_bytes() == (tmp_path / "b" / key).read_bytes()


def test_an_interrupted_write_leaves_no_file(tmp_path: Path, sample: list, monkeypatch) -> None:
    acquisition = sample[0]
    target = tmp_path / "B04.tif"

    def explode(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr("earth_search_offline.archive.scenes.band_digital_numbers", explode)
    with pytest.raises(RuntimeError):
        write_asset(acquisition, "red", target, items.item_properties(acquisition))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_generation_is_redone(tmp_path: Path, sample: list) -> None:
    folder = tmp_path / "catalog"
    catalog.generate(folder, sample[:2], workers=1)
    assert catalog.catalog_is_current(folder)
    (folder / catalog.MARKER_FILE).unlink()  # as if the run had stopped before the end
    assert not catalog.catalog_is_current(folder)


def test_unknown_asset_key_is_refused(tmp_path: Path, sample: list) -> None:
    with pytest.raises(KeyError, match=r"B04.*known"):
        write_asset(sample[0], "B04", tmp_path / "x.tif", {})


def test_regeneration_drops_pixels_of_the_old_version(tmp_path: Path, sample: list) -> None:
    folder = tmp_path / "catalog"
    item = catalog.generate(folder, sample[:1], workers=1)[0]
    (c1_item,) = folder.glob("sentinel-2-c1-l2a/*/*/*/*/*/*/*_L2A.json")
    stale = [folder / item_folder(item) / "B04.tif", c1_item.with_name("B04.tif")]
    for path in stale:
        path.write_bytes(b"made by an older generator")
    catalog.generate(folder, sample[:1], workers=1)
    assert not any(path.exists() for path in stale), "both collections' old pixels are gone"
    assert (folder / item_folder(item) / f"{item['id']}.json").is_file()
    assert c1_item.is_file()


GENERATE_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from earth_search_offline.archive import generate as catalog
from earth_search_offline.archive import items
from earth_search_offline.archive.acquisitions import all_acquisitions
from earth_search_offline.archive.assets import write_asset
folder = Path(sys.argv[1])
sample = all_acquisitions()[::60]
catalog.generate(folder, sample, workers=1)
acquisition = sample[1]
properties = items.item_properties(acquisition)
for key in ("red", "scl", "visual"):
    write_asset(acquisition, key, folder / "assets" / key, properties)
"""


def test_same_bytes_from_fresh_processes_with_other_hash_seeds(tmp_path: Path) -> None:
    """No cache inherited through fork, no dependence on the order of sets or dicts of str."""
    for run, seed in (("one", "1"), ("two", "2")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", GENERATE_IN_A_FRESH_PROCESS, str(tmp_path / run)],
            check=True, env=env, timeout=600, cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
    one, two = _digests(tmp_path / "one"), _digests(tmp_path / "two")
    assert len(one) > 20 and any(name.startswith("assets/") for name in one)
    assert one == two
