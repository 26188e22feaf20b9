"""Sentinel-2 Collection 1 Level-2A (``sentinel-2-c1-l2a``) as Earth Search v1 publishes it.

Earth Search intends Collection 1 to replace ``sentinel-2-l2a`` (its README, 2025-05;
Element84/earth-search#44), whose archive misses scenes (#65). The offline catalog serves it over
the same acquisitions, in the shape of the real documents (a c1 item and the c1 collection of
2025-07-31, kept in ``tests/data``):

- ids ``S2B_T31UFU_20210818T105619_L2A``: ``T`` and the tile, the sensing start time, no
  sequence number (so no ``_0``/``_1`` copies);
- files under ``sentinel-2-c1-l2a/<zone>/<band>/<square>/<year>/<month>/<id>/`` (the
  ``e84-earth-search-sentinel-data`` bucket), with ``cloud`` (CLD_20m.tif), ``snow``
  (SNW_20m.tif), ``preview`` (L2A_PVI.tif) and ``product_metadata`` next to the bands, the
  thumbnail L2A_PVI.jpg, and no ``*-jp2`` assets;
- ``eo:bands`` named after the band (``B04``), with common names;
- no ``earthsearch:boa_offset_applied`` and no ``earthsearch:s3_path``, but ``storage:*``;
- ESA's numbers as delivered: every product is reprocessed to baseline 05.00 or later, so every
  reflectance band carries ESA's +1000 and declares ``offset: -0.1``, which is right here
  (Earth Search's README: c1 holds "data processed to at least baseline 5.0"; #41: c1 "does not
  apply the offsets but includes scale offsets in the raster metadata").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from . import sentinel2 as s2
from .acquisitions import Acquisition

COLLECTION_ID = "sentinel-2-c1-l2a"
#: ESA's Collection 1 reprocessing brought the archive to this baseline.
REPROCESSED_BASELINE = "05.00"
#: When the reprocessed product was made, after the acquisition (made-up, plausible).
REPROCESSING_DELAY = timedelta(days=820, hours=3)
#: The id and datastrip name use the sensing start, a moment before the item's datetime.
SENSING_START_BEFORE = timedelta(seconds=2)


@dataclass(frozen=True)
class C1Asset:
    """One asset of a Collection 1 item: key, file name and what the item says of it."""

    key: str
    file_name: str
    title: str | None
    roles: tuple[str, ...]
    resolution: int | None = None
    data_type: str | None = None


def _band_title(band: s2.Band) -> str:
    names = {
        "coastal": "Coastal",
        "rededge1": "Red Edge 1",
        "rededge2": "Red Edge 2",
        "rededge3": "Red Edge 3",
        "nir": "NIR 1",
        "nir08": "NIR 2",
        "nir09": "NIR 3",
        "swir16": "SWIR 1.6μm",
        "swir22": "SWIR 2.2μm",
    }
    return f"{names.get(band.key, band.key.capitalize())} - {band.resolution}m"


#: The assets in the order Earth Search lists them (the c1 collection's item_assets).
ASSET_ORDER = (
    "red", "green", "blue", "visual", "nir", "swir22", "rededge2", "rededge3", "rededge1",
    "swir16", "wvp", "nir08", "scl", "aot", "coastal", "nir09", "cloud", "snow", "preview",
    "granule_metadata", "tileinfo_metadata", "product_metadata", "thumbnail",
)  # fmt: skip

ASSETS: dict[str, C1Asset] = {
    **{
        band.key: C1Asset(
            band.key, f"{band.file_stem}.tif", _band_title(band), ("data", "reflectance"),
            band.resolution, "uint16",
        )
        for band in s2.BANDS
    },
    "visual": C1Asset("visual", "TCI.tif", "True color image", ("visual",), 10, "uint8"),
    "wvp": C1Asset("wvp", "WVP.tif", "Water Vapour (WVP)", ("data",), 20, "uint16"),
    "scl": C1Asset("scl", "SCL.tif", "Scene classification map (SCL)", ("data",), 20, "uint8"),
    "aot": C1Asset("aot", "AOT.tif", "Aerosol optical thickness (AOT)", ("data",), 20, "uint16"),
    "cloud": C1Asset("cloud", "CLD_20m.tif", "Cloud Probabilities", ("data", "cloud"), 20, "uint8"),
    "snow": C1Asset("snow", "SNW_20m.tif", "Snow Probabilities", ("data", "snow-ice"), 20, "uint8"),
    "preview": C1Asset("preview", "L2A_PVI.tif", "True color preview", ("overview",), 320, "uint8"),
    "granule_metadata": C1Asset("granule_metadata", "metadata.xml", None, ("metadata",)),
    "tileinfo_metadata": C1Asset("tileinfo_metadata", "tileInfo.json", None, ("metadata",)),
    "product_metadata": C1Asset("product_metadata", "product_metadata.xml", None, ("metadata",)),
    "thumbnail": C1Asset("thumbnail", "L2A_PVI.jpg", "Thumbnail of preview image", ("thumbnail",)),
}  # fmt: skip
ASSET_FILES = {key: asset.file_name for key, asset in ASSETS.items()}

#: Collection 1 items that lack most of their assets (Element84/earth-search#36, open): one
#: received on 2024-07-05 "only has assets: coastal, nir09, preview, granule_metadata,
#: tileinfo_metadata, product_metadata, thumbnail"; for another the bucket held no 10 m band,
#: no TCI and neither B01 nor B09 (S2A_T34TDK_20180603T092029_L2A, listed there 2024-04-03).
#: The stand-in's items list only the assets kept, in the usual order. Chosen outside the
#: lesson's searches and kits (cloudy autumn 2022 scenes), so only a learner's own search
#: meets them.
SPARSE_60M = ("coastal", "nir09", "preview", "granule_metadata", "tileinfo_metadata",
              "product_metadata", "thumbnail")  # fmt: skip
SPARSE_NO_10M = ("swir22", "rededge2", "rededge3", "rededge1", "swir16", "wvp", "nir08", "scl",
                 "aot", "cloud", "snow", "preview", "granule_metadata", "tileinfo_metadata",
                 "product_metadata", "thumbnail")  # fmt: skip
SPARSE: dict[str, tuple[str, ...]] = {
    "S2A_T31UFU_20221007T105617_L2A": SPARSE_60M,
    "S2B_T31UFT_20221002T105619_L2A": SPARSE_60M,
    "S2B_T31UFU_20221009T104622_L2A": SPARSE_NO_10M,
}


def sensing_start(acquisition: Acquisition) -> str:
    return f"{acquisition.datetime - SENSING_START_BEFORE:%Y%m%dT%H%M%S}"


def item_id(acquisition: Acquisition) -> str:
    """``S2B_T31UFU_20210818T105619_L2A``: satellite, T + tile, sensing start."""
    satellite = f"S2{acquisition.platform[-1].upper()}"
    return f"{satellite}_T{acquisition.place.tile}_{sensing_start(acquisition)}_L2A"


def eo_band(band: s2.Band) -> dict[str, object]:
    """The ``eo:bands`` entry of one band as Collection 1 writes it: the band id as name."""
    return {
        "name": band.file_stem,
        "common_name": band.common_name,
        "center_wavelength": band.center_wavelength,
        "full_width_half_max": band.full_width_half_max,
    }


def offset_in_pixels() -> float:
    """Collection 1 keeps ESA's numbers: every reprocessed product carries the +1000."""
    return s2.BOA_OFFSET
