"""Write the asset files of one synthetic product: COGs, thumbnail, metadata sidecars.

Every file is written to a temporary name in the same folder and renamed into place, so a
reader never sees half a file, and an interrupted run leaves no partial file behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from PIL import Image

from ..atomic import atomic_path
from . import collection1 as c1
from . import scenes
from . import sentinel2 as s2
from .acquisitions import Acquisition

#: Internal tile size of the COGs: small enough that even the 60 m bands get an overview.
COG_BLOCKSIZE = 256
THUMBNAIL_SIZE = 256


def cog_profile(
    width: int,
    height: int,
    count: int,
    dtype: str,
    crs: Any,
    transform: Any,
    nodata: float | None,
    overview_resampling: str = "average",
) -> dict[str, Any]:
    """The lesson's COG layout: 256-pixel tiles, deflate (with the predictor for the dtype)."""
    return {
        "driver": "COG",
        "width": width,
        "height": height,
        "count": count,
        "dtype": dtype,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "predictor": 2 if np.issubdtype(np.dtype(dtype), np.integer) else 3,
        "blocksize": COG_BLOCKSIZE,
        "overview_resampling": overview_resampling,
        "BIGTIFF": "NO",
    }


def write_cog(
    target: Path,
    pixels: np.ndarray,
    acquisition: Acquisition,
    resolution: int,
    overview_resampling: str = "average",
) -> None:
    """Write a tiled, deflate-compressed Cloud Optimized GeoTIFF with overviews.

    Use ``overview_resampling="nearest"`` for class maps such as SCL, where averages mean nothing.
    """
    layers = pixels if pixels.ndim == 3 else pixels[np.newaxis]
    place = acquisition.place
    profile = cog_profile(
        layers.shape[2], layers.shape[1], layers.shape[0], layers.dtype.name,
        f"EPSG:{place.epsg}", place.transform(resolution), 0, overview_resampling,
    )  # fmt: skip
    with atomic_path(target) as temporary, rasterio.open(temporary, "w", **profile) as dst:
        dst.write(layers)


def _write_band(
    acquisition: Acquisition, key: str, target: Path, offset: float | None = None
) -> None:
    band = s2.BANDS_BY_KEY[key]
    pixels = scenes.band_digital_numbers(acquisition, key, offset)
    write_cog(target, pixels, acquisition, band.resolution)


def _write_visual(acquisition: Acquisition, target: Path) -> None:
    write_cog(target, scenes.true_colour(acquisition), acquisition, 10)


def _write_auxiliary(acquisition: Acquisition, key: str, target: Path) -> None:
    makers: dict[str, Callable[[Acquisition], np.ndarray]] = {
        "scl": scenes.scene_classification,
        "aot": scenes.aerosol_optical_thickness,
        "wvp": scenes.water_vapour,
        "cloud": scenes.cloud_probability,
        "snow": scenes.snow_probability,
    }
    resampling = "nearest" if key in ("scl", "snow") else "average"
    pixels = np.asarray(makers[key](acquisition))
    write_cog(target, pixels, acquisition, s2.AUXILIARY_RESOLUTION, resampling)


def _write_thumbnail(acquisition: Acquisition, target: Path) -> None:
    rgb = scenes.true_colour(acquisition).transpose(1, 2, 0)
    image = Image.fromarray(rgb).resize((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BOX)
    with atomic_path(target) as temporary:
        image.save(temporary, format="JPEG", quality=80)


def _write_tileinfo(acquisition: Acquisition, target: Path, properties: dict) -> None:
    place = acquisition.place
    info = {
        "path": f"tiles/{place.utm_zone}/{place.latitude_band}/{place.grid_square}/"
        f"{acquisition.day.year}/{acquisition.day.month}/{acquisition.day.day}/0",
        "timestamp": properties["datetime"],
        "utmZone": place.utm_zone,
        "latitudeBand": place.latitude_band,
        "gridSquare": place.grid_square,
        "productName": properties["s2:product_uri"].removesuffix(".SAFE"),
        "dataCoveragePercentage": round(100 - properties["s2:nodata_pixel_percentage"], 2),
        "cloudyPixelPercentage": round(properties["eo:cloud_cover"], 2),
        "note": "Synthetic product of the offline lesson catalog, not real Sentinel-2 data.",
    }
    with atomic_path(target) as temporary:
        temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def _write_product_metadata(acquisition: Acquisition, target: Path, properties: dict) -> None:
    """Collection 1's product_metadata.xml: with ESA's BOA_ADD_OFFSET of every band."""
    offsets = "\n".join(
        f'        <BOA_ADD_OFFSET band_id="{index}">-1000</BOA_ADD_OFFSET>'
        for index in range(len(s2.BANDS) + 1)
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Synthetic product of the offline lesson catalog, not real Sentinel-2 data. -->
<Level-2A_User_Product>
  <General_Info>
    <Product_Info>
      <PRODUCT_URI>{properties["s2:product_uri"]}</PRODUCT_URI>
      <PROCESSING_BASELINE>{properties["s2:processing_baseline"]}</PROCESSING_BASELINE>
      <GENERATION_TIME>{properties["s2:generation_time"]}</GENERATION_TIME>
    </Product_Info>
    <Product_Image_Characteristics>
      <QUANTIFICATION_VALUES_LIST>
        <BOA_QUANTIFICATION_VALUE unit="none">10000</BOA_QUANTIFICATION_VALUE>
      </QUANTIFICATION_VALUES_LIST>
      <BOA_ADD_OFFSET_VALUES_LIST>
{offsets}
      </BOA_ADD_OFFSET_VALUES_LIST>
    </Product_Image_Characteristics>
  </General_Info>
</Level-2A_User_Product>
"""
    with atomic_path(target) as temporary:
        temporary.write_text(xml, encoding="utf-8")


def _write_granule_metadata(acquisition: Acquisition, target: Path, properties: dict) -> None:
    percentages = "\n".join(
        f"      <{name.removeprefix('s2:').upper()}>{properties[name]}"
        f"</{name.removeprefix('s2:').upper()}>"
        for name in s2.SCL_PERCENTAGE_PROPERTIES.values()
    )
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Synthetic product of the offline lesson catalog, not real Sentinel-2 data. -->
<Level-2A_Tile_ID>
  <General_Info>
    <TILE_ID>{properties.get("s2:granule_id") or properties["s2:tile_id"]}</TILE_ID>
    <SENSING_TIME>{properties["datetime"]}</SENSING_TIME>
    <PROCESSING_BASELINE>{properties["s2:processing_baseline"]}</PROCESSING_BASELINE>
  </General_Info>
  <Quality_Indicators_Info>
    <Image_Content_QI>
      <CLOUDY_PIXEL_PERCENTAGE>{properties["eo:cloud_cover"]}</CLOUDY_PIXEL_PERCENTAGE>
{percentages}
    </Image_Content_QI>
  </Quality_Indicators_Info>
</Level-2A_Tile_ID>
"""
    with atomic_path(target) as temporary:
        temporary.write_text(xml, encoding="utf-8")


def write_asset(
    acquisition: Acquisition,
    key: str,
    target: Path,
    properties: dict,
    collection: str = s2.COLLECTION_ID,
) -> None:
    """Write the file of asset ``key`` of ``acquisition``'s item in ``collection`` to ``target``.

    ``properties`` are the item's properties (the sidecar metadata files repeat some).
    """
    collection1 = collection == c1.COLLECTION_ID
    if key in s2.BANDS_BY_KEY:
        _write_band(acquisition, key, target, c1.offset_in_pixels() if collection1 else None)
    elif key in s2.AUXILIARY_BY_KEY or (collection1 and key in ("cloud", "snow")):
        _write_auxiliary(acquisition, key, target)
    elif key == "visual":
        _write_visual(acquisition, target)
    elif collection1 and key == "preview":
        write_cog(target, scenes.true_colour_preview(acquisition), acquisition, 320)
    elif key == "thumbnail":
        _write_thumbnail(acquisition, target)
    elif key == "tileinfo_metadata":
        _write_tileinfo(acquisition, target, properties)
    elif key == "granule_metadata":
        _write_granule_metadata(acquisition, target, properties)
    elif collection1 and key == "product_metadata":
        _write_product_metadata(acquisition, target, properties)
    else:
        known = sorted(c1.ASSET_FILES if collection1 else s2.ASSET_FILES)
        raise KeyError(f"no synthetic asset called {key!r} in {collection}; known: {known}")
