"""Checks of the lesson's science that hold on any real data, offline and live.

Each episode that computes gets a *probe*: a cell appended after its last cell, run in the same
kernel, that prints the numbers the episode worked out (as JSON after ``SCIENCE:``). The probe
cell is removed again, so the executed notebook is what learners run. The assertions below then
hold those numbers against what the ground says: water reflects a few percent of red and
near-infrared light and has a negative NDVI, vegetation in summer an NDVI above 0.3, counts are
above zero. They use no value from the offline generator, so ``make test-live`` runs them on the
live Earth Search unchanged.

Used by ``tests/test_science.py`` (the lesson run, offline or live) and ``tests/test_mirror.py``
(the lesson run against an offline kit).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import rasterio
from pyproj import Transformer
from rio_cogeo.cogeo import cog_validate

from helpers.places import CLIP_BOX_UTM, DATACUBE_BBOX
from tools.offline_kernels import execute

MARKER = "SCIENCE:"
#: Water's median reflectance in red and near-infrared: a few percent. ESA's L2A keeps small
#: negative values from noise, hence a little room below zero.
WATER_RANGE = (-0.02, 0.08)
#: Below this, an offset was applied to numbers that did not have it.
APPLIED_TWICE_BELOW = -0.02
SUMMER_MONTHS = (6, 7, 8)

PROBES = {
    "02": """
print("SCIENCE:", json.dumps({"matched": search.matched(), "saved": len(items)}))
""",
    "05": """
_water, _vegetation = (scl == 6).values, (scl == 4).values
_flags = []
for _scene in clear_2022:
    _red = to_reflectance(read_clip(_scene.assets["red"]), _scene, "red")
    _scl = read_clip(_scene.assets["scl"]).rio.reproject_match(_red)
    _flags.append([_scene.id, _scene.properties.get("earthsearch:boa_offset_applied"),
                   float(_red.where(_scl == 6).median())])
print("SCIENCE:", json.dumps({
    "month": item.datetime.month,
    "water_red": float(red.where(_water).median()),
    "water_nir": float(nir.where(_water).median()),
    "ndvi_water": float(ndvi_clear.where(_water).median()),
    "ndvi_vegetation": float(ndvi_clear.where(_vegetation).median()),
    "saved_ndvi_water": float(saved.where(_water).median()),
    "clear_share": float(clear.mean()),
    "exercise_flag": item_2022.properties.get("earthsearch:boa_offset_applied"),
    "exercise_declared": float(red_declared.where(water_2022).median()),
    "exercise_rule": float(red_2022.where(water_2022).median()),
    "summer_2022": _flags,
}))
""",
    "06": """
print("SCIENCE:", json.dumps({
    "scenes": len(items),
    "series": {name: [[int(t.dt.month), float(v)] for t, v in zip(s.dropna("time").time,
                                                                  s.dropna("time").values)]
               for name, s in series.items()},
    "winter": [[str(i.datetime.date()), i.properties.get("earthsearch:boa_offset_applied"),
                float(water_red.sel(time=i.datetime.replace(tzinfo=None)))] for i in winter],
}))
""",
}


def probe_source(number: str) -> str | None:
    """The probe cell's code for episode ``number`` ("01".."06"), if it has one."""
    probe = PROBES.get(number)
    return "import json\n" + probe.strip() if probe else None


def science_facts(printed: str) -> dict[str, Any]:
    """The facts a probe printed after ``SCIENCE:``."""
    return json.loads(printed.split(MARKER, 1)[1])


def run_with_probes(
    notebook: nbformat.NotebookNode, path: Path, workdir: Path, env: dict[str, str]
) -> tuple[nbformat.NotebookNode, dict[str, Any] | None]:
    """Execute ``notebook`` (saved to ``path``) with its probe; return it and the probe's facts."""
    probe = probe_source(path.name[:2])
    if probe:
        notebook.cells.append(nbformat.v4.new_code_cell(probe))
    nbformat.write(notebook, path)
    executed = execute(path, workdir, env)
    if not probe:
        return executed, None
    cell = executed.cells.pop()
    return executed, science_facts("".join(output.get("text", "") for output in cell.outputs))


def _in_water_range(value: float) -> bool:
    return WATER_RANGE[0] <= value <= WATER_RANGE[1]


def _assert_nodata_is_not_an_ndvi(nodata: float | None) -> None:
    """Empty NDVI pixels are NaN; a no-data value of 0 would hide real NDVI zeros."""
    assert nodata is None or np.isnan(nodata), f"nodata {nodata} is a valid NDVI"


def check_search(facts: dict[str, Any]) -> None:
    assert facts["matched"] > 0 and facts["saved"] > 0, facts


def check_clip_compute_save(facts: dict[str, Any], workdir: Path) -> None:
    """Episode 5: reflectance and NDVI of its scene, its exercises, and the saved COG."""
    assert _in_water_range(facts["water_red"]), facts
    assert _in_water_range(facts["water_nir"]), facts
    assert facts["ndvi_water"] < 0 and facts["saved_ndvi_water"] < 0, facts
    if facts["month"] in SUMMER_MONTHS:
        assert facts["ndvi_vegetation"] > 0.3, facts
    assert facts["ndvi_vegetation"] > facts["ndvi_water"]
    assert facts["clear_share"] > 0
    # The clearest summer 2022 scene: the rule gives water; where the flag says the offset is
    # already applied, the declared -0.1 takes it out twice.
    assert _in_water_range(facts["exercise_rule"]) or not facts["exercise_flag"], facts
    if facts["exercise_flag"]:
        assert facts["exercise_declared"] < APPLIED_TWICE_BELOW, facts
    if facts["exercise_flag"] is None:
        # No flag (Collection 1): ESA's numbers, the declared offset is the rule's.
        assert facts["exercise_declared"] == facts["exercise_rule"], facts
    assert facts["summer_2022"], "summer 2022 has clear scenes"
    for scene_id, flag, water in facts["summer_2022"]:
        # A true flag is right (earth-search#9); a false one is wrong on some scenes (#66, #71),
        # which then come out below zero: never too bright.
        assert _in_water_range(water) or (not flag and water < APPLIED_TWICE_BELOW), scene_id
    path = workdir / "ndvi_amsterdam.tif"
    assert cog_validate(str(path), quiet=True)[0]
    with rasterio.open(path) as saved:
        assert saved.crs.to_epsg() == 32631 and saved.dtypes[0] == "float32"
        assert tuple(saved.bounds) == CLIP_BOX_UTM
        _assert_nodata_is_not_an_ndvi(saved.nodata)
        values = saved.read(1)
        assert -1 <= np.nanmin(values) < 0 < np.nanmax(values) <= 1


def check_datacube(facts: dict[str, Any], workdir: Path) -> None:
    """Episode 6: the park's summer, the water all year, the winter across the baseline change."""
    assert facts["scenes"] > 0
    water = [value for _, value in facts["series"]["IJ (water)"]]
    park_summer = [value for month, value in facts["series"]["Vondelpark"] if month in (6, 7, 8)]
    assert water and park_summer, facts["series"]
    # Below zero in (nearly) every clear look: a missed cloud edge may lift one.
    assert np.median(water) < 0 and np.mean(np.array(water) < 0) >= 0.8, water
    assert np.median(park_summer) > 0.3, park_summer
    assert facts["winter"], "the winter has clear scenes"
    for day, flag, water_red in facts["winter"]:
        if not np.isnan(water_red):
            assert _in_water_range(water_red) or (not flag and water_red < APPLIED_TWICE_BELOW), day
    path = workdir / "ndvi_monthly_2021.tif"
    assert cog_validate(str(path), quiet=True)[0]
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)
    west, south, east, north = to_utm.transform_bounds(*DATACUBE_BBOX)
    with rasterio.open(path) as saved:
        assert saved.crs.to_epsg() == 32631 and saved.count == 12
        left, bottom, right, top = saved.bounds
        resolution = saved.res[0]
        assert abs(left - west) <= resolution and abs(right - east) <= resolution
        assert abs(bottom - south) <= resolution and abs(top - north) <= resolution
        _assert_nodata_is_not_an_ndvi(saved.nodata)
        july = saved.read(7)
        assert np.nanmedian(july) > 0, "a city with parks: more green than water in July"
