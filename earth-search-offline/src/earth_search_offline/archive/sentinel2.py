"""Facts about Sentinel-2 L2A products as Earth Search v1 publishes them.

One table, used both to write the synthetic pixels (``scenes``) and to describe them
(``catalog``), so the files and their metadata cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import earth_search

COLLECTION_ID = "sentinel-2-l2a"

# SCL (scene classification) classes of the ESA Level-2A processor.
SCL_NO_DATA = 0
SCL_SATURATED_DEFECTIVE = 1
SCL_DARK_AREA = 2
SCL_CLOUD_SHADOW = 3
SCL_VEGETATION = 4
SCL_NOT_VEGETATED = 5
SCL_WATER = 6
SCL_UNCLASSIFIED = 7
SCL_CLOUD_MEDIUM_PROBABILITY = 8
SCL_CLOUD_HIGH_PROBABILITY = 9
SCL_THIN_CIRRUS = 10
SCL_SNOW_ICE = 11

#: Earth Search's ``eo:cloud_cover`` counts these SCL classes.
SCL_CLOUD_CLASSES = (
    SCL_CLOUD_MEDIUM_PROBABILITY,
    SCL_CLOUD_HIGH_PROBABILITY,
    SCL_THIN_CIRRUS,
)

#: Item property that holds the share of valid pixels in each SCL class.
SCL_PERCENTAGE_PROPERTIES = {
    SCL_SATURATED_DEFECTIVE: "s2:saturated_defective_pixel_percentage",
    SCL_DARK_AREA: "s2:dark_features_percentage",
    SCL_CLOUD_SHADOW: "s2:cloud_shadow_percentage",
    SCL_VEGETATION: "s2:vegetation_percentage",
    SCL_NOT_VEGETATED: "s2:not_vegetated_percentage",
    SCL_WATER: "s2:water_percentage",
    SCL_UNCLASSIFIED: "s2:unclassified_percentage",
    SCL_CLOUD_MEDIUM_PROBABILITY: "s2:medium_proba_clouds_percentage",
    SCL_CLOUD_HIGH_PROBABILITY: "s2:high_proba_clouds_percentage",
    SCL_THIN_CIRRUS: "s2:thin_cirrus_percentage",
    SCL_SNOW_ICE: "s2:snow_ice_percentage",
}

REFLECTANCE_SCALE = 0.0001
#: From processing baseline 04.00 on, ESA adds 1000 to L2A digital numbers (BOA_ADD_OFFSET),
#: declared in ``raster:bands`` as ``offset: -0.1``.
BOA_OFFSET = -0.1
#: The day ESA switched the archive to processing baseline 04.00.
BASELINE_04_START = date(2022, 1, 25)
#: From about this day, Earth Search took ESA's 1000 out of the pixels of new baseline >= 04.00
#: products ("harmonised" them with older ones) and set ``earthsearch:boa_offset_applied`` to
#: true; the stale ``offset: -0.1`` stayed in ``raster:bands``. A maintainer on 2022-02-27:
#: "New scenes being generated now have the BOA_ADD_OFFSET applied" and scenes since Jan 25th
#: "need to be reprocessed" (cirrus-geo/cirrus-earth-search#21); some never were, e.g.
#: S2B_52SFA_20220126_0_L2A still holds ESA's raw numbers (Element84/earth-search#66).
HARMONISED_FROM = date(2022, 2, 27)
#: Harmonised products whose ``earthsearch:boa_offset_applied`` is nevertheless false, as
#: reported for real 2022 scenes (Element84/earth-search#66, cirrus-geo/cirrus-earth-search#33:
#: S2B_20HMD_20221023_0_L2A) and 2025 scenes (Element84/earth-search#71). Chosen so that the
#: lesson meets one: 2022-07-21 is among episode 5's clear summer scenes and in the kits.
FLAG_WRONG_IDS = frozenset(
    {
        "S2B_31UFU_20220721_0_L2A",
        "S2B_31UFU_20221019_0_L2A",
        "S2B_31UFT_20220525_0_L2A",
    }
)

#: Items written with ESA's JPEG 2000 files only, by the STAC generation run of August 2026
#: that closed Element84/earth-search#76 ("This added over 1 mil items"): 263,066
#: ``sentinel-2-l2a`` items (0.5 %), every one created 2026-08-17..19, have 19 assets of which
#: none is a COG, and only the item's own JSON lies at their ``earthsearch:s3_path``
#: (Element84/earth-search#79, open; items created from 2026-08-20 on are not affected). The
#: stand-in keeps the ``*-jp2`` assets, ``thumbnail``, ``granule_metadata`` and
#: ``tileinfo_metadata`` (pointing into ESA's bucket, see ``items``): ``item.assets["red"]`` is a
#: KeyError. The value is the item's ``created`` and ``updated``. Chosen so that learners meet
#: one: 2021-05-05's copy 1 is in episode 2's search (31UFU, the newer version of that day, so
#: in the saved results and episode 6's year) but not among its first five 31UFU scenes, which
#: episode 5 and a room read; the other two are cloudy scenes outside the lesson's searches.
JP2_ONLY: dict[str, str] = {
    "S2A_31UFU_20210505_1_L2A": "2026-08-17T21:43:12.117Z",
    "S2A_31UFT_20211012_0_L2A": "2026-08-18T04:05:51.640Z",
    "S2B_31UFU_20221101_0_L2A": "2026-08-19T16:27:09.382Z",
}


@dataclass(frozen=True)
class Band:
    """One spectral band as an Earth Search v1 asset."""

    key: str
    file_stem: str
    title: str
    common_name: str
    description: str
    center_wavelength: float
    full_width_half_max: float
    resolution: int


#: The reflectance bands of an L2A product (band 10, cirrus, is not delivered at L2A).
BANDS: tuple[Band, ...] = (
    Band("coastal", "B01", "Coastal aerosol (band 1) - 60m", "coastal",
         "Coastal aerosol (band 1)", 0.443, 0.027, 60),
    Band("blue", "B02", "Blue (band 2) - 10m", "blue", "Blue (band 2)", 0.49, 0.098, 10),
    Band("green", "B03", "Green (band 3) - 10m", "green", "Green (band 3)", 0.56, 0.045, 10),
    Band("red", "B04", "Red (band 4) - 10m", "red", "Red (band 4)", 0.665, 0.038, 10),
    Band("rededge1", "B05", "Red edge 1 (band 5) - 20m", "rededge",
         "Red edge 1 (band 5)", 0.704, 0.019, 20),
    Band("rededge2", "B06", "Red edge 2 (band 6) - 20m", "rededge",
         "Red edge 2 (band 6)", 0.74, 0.018, 20),
    Band("rededge3", "B07", "Red edge 3 (band 7) - 20m", "rededge",
         "Red edge 3 (band 7)", 0.783, 0.028, 20),
    Band("nir", "B08", "NIR 1 (band 8) - 10m", "nir", "NIR 1 (band 8)", 0.842, 0.145, 10),
    Band("nir08", "B8A", "NIR 2 (band 8A) - 20m", "nir08", "NIR 2 (band 8A)", 0.865, 0.033, 20),
    Band("nir09", "B09", "NIR 3 (band 9) - 60m", "nir09", "NIR 3 (band 9)", 0.945, 0.026, 60),
    Band("swir16", "B11", "SWIR 1 (band 11) - 20m", "swir16", "SWIR 1 (band 11)", 1.61, 0.143, 20),
    Band("swir22", "B12", "SWIR 2 (band 12) - 20m", "swir22", "SWIR 2 (band 12)", 2.19, 0.242, 20),
)  # fmt: skip

BANDS_BY_KEY = {band.key: band for band in BANDS}

#: The true-colour image combines these bands, in this order.
VISUAL_BANDS = ("red", "green", "blue")


@dataclass(frozen=True)
class AuxiliaryRaster:
    """A non-reflectance raster of the L2A product (SCL, AOT, WVP)."""

    key: str
    file_stem: str
    title: str
    data_type: str
    scale: float | None = None
    unit: str | None = None


AUXILIARY_RASTERS: tuple[AuxiliaryRaster, ...] = (
    AuxiliaryRaster("aot", "AOT", "Aerosol optical thickness (AOT)", "uint16", scale=0.001),
    AuxiliaryRaster("scl", "SCL", "Scene classification map (SCL)", "uint8"),
    AuxiliaryRaster("wvp", "WVP", "Water vapour (WVP)", "uint16", scale=0.001, unit="cm"),
)
AUXILIARY_BY_KEY = {raster.key: raster for raster in AUXILIARY_RASTERS}
AUXILIARY_RESOLUTION = 20

#: Asset key -> file name of every asset an item carries, as on the live Earth Search.
ASSET_FILES = earth_search.ASSET_FILES


def processing_baseline(day: date) -> str:
    """The ESA processing baseline of a product acquired on ``day`` (as on Earth Search)."""
    if day >= BASELINE_04_START:
        return "04.00"
    if day >= date(2021, 6, 30):
        return "03.00"
    return "02.09"


def declared_offset(baseline: str) -> float | int:
    """The ``raster:bands`` offset Earth Search writes for a product of ``baseline``."""
    return BOA_OFFSET if float(baseline) >= 4.0 else 0


def pixels_harmonised(day: date) -> bool:
    """True when Earth Search took ESA's offset out of the pixels of the product of ``day``."""
    return day >= HARMONISED_FROM


def offset_in_pixels(day: date) -> float | int:
    """The offset the stored numbers of the product of ``day`` really need (the truth)."""
    return 0 if pixels_harmonised(day) else declared_offset(processing_baseline(day))


def boa_offset_applied(item_id: str, day: date) -> bool:
    """``earthsearch:boa_offset_applied`` as Earth Search writes it: wrong for a few items."""
    return pixels_harmonised(day) and item_id not in FLAG_WRONG_IDS


def eo_band(band: Band) -> dict[str, object]:
    """The ``eo:bands`` entry of one band, as Earth Search writes it."""
    return {
        "name": band.key,
        "common_name": band.common_name,
        "description": band.description,
        "center_wavelength": band.center_wavelength,
        "full_width_half_max": band.full_width_half_max,
    }
