"""Derive the stand-in's real Amsterdam from the reference data (a maintainer's one-off).

Reads the real NDVI of Amsterdam-Noord and the city's parks from a folder (by default the
team's reference copy, ``../shared/reference/amsterdam-real``) and writes the two small files
the stand-in ships in ``earth_search_offline/archive/data/``:

- ``amsterdam_ndvi_20200326.tif``: the NDVI as int16 (NDVI x 10000), deflate-compressed, same
  grid (tile 31UFU, x 629000 to 639000, y 5804000 to 5814000, 10 m);
- ``amsterdam_parks.geojson``: the 123 parks' outlines (longitude/latitude, 6 decimals) and names.

Their origin and attribution are in that folder's ``SOURCES.md`` and, for what the stand-in
ships, in ``data/SOURCES.md``. Run ``python -m tools.derive_real_amsterdam [REFERENCE_FOLDER]``;
the stand-in never reads the reference folder.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import rasterio
import shapely
from earth_search_offline.archive import real_amsterdam

DEFAULT_REFERENCE = Path("../shared/reference/amsterdam-real")
NDVI_SOURCE = "ndvi_31UFU_20200326_amsterdam_noord.tif"
PARKS_SOURCE = "amsterdam_parks.gpkg"
PARKS_LAYER = "geojson_lnglat__parkplantsoengroen"


def _gpkg_geometry(blob: bytes) -> shapely.Geometry:
    """A GeoPackage geometry blob: an 8-byte header, an optional envelope, then WKB."""
    envelope_doubles = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(bytes(blob[8 + 8 * envelope_doubles :]))


def write_ndvi(source: Path, target: Path) -> None:
    with rasterio.open(source) as real:
        ndvi = real.read(1)
        profile = real.profile
    if not np.isfinite(ndvi).all():
        raise ValueError(f"{source} holds {int((~np.isfinite(ndvi)).sum())} missing pixels")
    scaled = np.rint(np.clip(ndvi, -1, 1) * real_amsterdam.NDVI_SCALE_INVERSE).astype("int16")
    profile.update(
        driver="GTiff", dtype="int16", compress="deflate", predictor=2, tiled=True,
        blockxsize=256, blockysize=256, nodata=None,
    )  # fmt: skip
    with rasterio.open(target, "w", **profile) as out:
        out.write(scaled, 1)


def write_parks(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as database:
        rows = database.execute(
            f"SELECT Naam, Oppervlakte_m2, geom FROM {PARKS_LAYER} ORDER BY fid"
        ).fetchall()
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "area_m2": area},
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(
                _gpkg_geometry(blob), 1e-6))),
        }
        for name, area, blob in rows
    ]  # fmt: skip
    collection = {"type": "FeatureCollection", "features": features}
    target.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    reference = Path(args[0]) if args else DEFAULT_REFERENCE
    data = real_amsterdam.DATA_FOLDER
    write_ndvi(reference / NDVI_SOURCE, data / real_amsterdam.NDVI_FILE)
    write_parks(reference / PARKS_SOURCE, data / real_amsterdam.PARKS_FILE)
    for name in (real_amsterdam.NDVI_FILE, real_amsterdam.PARKS_FILE):
        print(f"{data / name}: {(data / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
