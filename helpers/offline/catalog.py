"""Item and collection metadata shaped like Earth Search v1, written to disk as a static catalog.

Layout of a catalog folder (the same as the real bucket: item JSON next to its assets)::

    catalog.json
    sentinel-2-l2a/collection.json
    sentinel-s2-l2a-cogs/31/U/FU/2021/8/S2B_31UFU_20210812_0_L2A/S2B_31UFU_20210812_0_L2A.json
    sentinel-s2-l2a-cogs/31/U/FU/2021/8/S2B_31UFU_20210812_0_L2A/B04.tif   (made on first use)

All links and asset hrefs are relative, so the folder can be moved, copied to a USB stick
or served from any address.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import shutil
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ..saving import atomic_path
from . import collection1 as c1
from . import scenes
from . import sentinel2 as s2
from .acquisitions import FIRST_DAY, LAST_DAY, Acquisition, all_acquisitions
from .geography import PLACES

#: Bump when the synthetic data changes, so old catalogs are regenerated.
#: The files a generated catalog makes when first asked for (``helpers.offline.files``).
PIXEL_FILE_PATTERNS = ("*.tif", "*.jpg", "*.xml", "tileinfo_metadata.json", ".*.partial*")
GENERATOR_VERSION = 5
MARKER_FILE = ".offline-catalog.json"
CATALOG_FILE = "catalog.json"
#: Folder of the items and their assets, named like the real bucket prefix.
ITEMS_ROOT = "sentinel-s2-l2a-cogs"
COLLECTION_FILE = f"{s2.COLLECTION_ID}/collection.json"
C1_COLLECTION_FILE = f"{c1.COLLECTION_ID}/collection.json"
STAC_VERSION = "1.0.0"
LICENSE_URL = "https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice"
SYNTHETIC_NOTE = (
    "Synthetic imagery made for the 'Access satellite imagery using Python' lesson: "
    "the metadata copies the shape of Earth Search v1 sentinel-2-l2a, the pixels are "
    "generated (approximate Amsterdam geography, made-up clouds), not real Sentinel-2 data."
)

OFFSETS_NOTE = (
    "Reflectance offsets are reproduced as the live sentinel-2-l2a collection has them: "
    "products of processing baseline 04.00 and later declare raster:bands offset -0.1; from "
    "2022-02-27 on their pixels are harmonised (ESA's +1000 already taken out) and "
    "earthsearch:boa_offset_applied is true, so the declared -0.1 must not be applied again "
    "(Element84/earth-search#9: 'the boa_offset_applied is the truth'); products from "
    "2022-01-25 to 2022-02-26 keep ESA's raw numbers with the flag false "
    "(cirrus-geo/cirrus-earth-search#21, Element84/earth-search#66); and a few harmonised "
    "2022 products have the flag wrongly false (" + ", ".join(sorted(s2.FLAG_WRONG_IDS)) + "), "
    "as reported for real scenes in Element84/earth-search#66 and #71 and "
    "cirrus-geo/cirrus-earth-search#33. Water that comes out below zero reveals them."
)

C1_NOTE = (
    "Collection 1 holds ESA's numbers as delivered, reprocessed to baseline 05.00: every "
    "reflectance band carries ESA's +1000 and declares raster:bands offset -0.1, which is right "
    "here; its items have no earthsearch:boa_offset_applied. Same acquisitions as "
    "sentinel-2-l2a, without the copies processed twice."
)

ITEM_EXTENSIONS = [
    "https://stac-extensions.github.io/processing/v1.1.0/schema.json",
    "https://stac-extensions.github.io/grid/v1.0.0/schema.json",
    "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
    "https://stac-extensions.github.io/view/v1.0.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://stac-extensions.github.io/mgrs/v1.0.0/schema.json",
    "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
]


def _stamp(value: datetime) -> str:
    """Earth Search's timestamp form: milliseconds and a Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def item_folder(acquisition: Acquisition) -> str:
    """Folder of an item inside the catalog, as in the real ``sentinel-cogs`` bucket."""
    place, day = acquisition.place, acquisition.day
    return posixpath.join(
        ITEMS_ROOT, str(place.utm_zone), place.latitude_band, place.grid_square,
        str(day.year), str(day.month), acquisition.id,
    )  # fmt: skip


#: How much later a copy with sequence number 1 was processed (a made-up, plausible delay).
REPROCESSING_DELAY = timedelta(days=97, hours=6)


def _processing_delay(acquisition: Acquisition) -> timedelta:
    return REPROCESSING_DELAY * acquisition.sequence


def _product_names(
    acquisition: Acquisition, baseline: str, generated: datetime | None = None
) -> dict[str, str]:
    """ESA's product, datatake, datastrip and granule names; ``generated`` defaults to
    a few hours after sensing (plus the delay of a copy processed again)."""
    sensed = acquisition.datetime
    if generated is None:
        generated = (
            sensed + timedelta(hours=4, minutes=2, seconds=37) + _processing_delay(acquisition)
        )
    satellite = f"S2{acquisition.platform[-1].upper()}"
    baseline_code = baseline.replace(".", "")
    absolute_orbit = 20000 + (sensed.date() - FIRST_DAY).days * 14 + acquisition.relative_orbit
    sensing, generation = f"{sensed:%Y%m%dT%H%M%S}", f"{generated:%Y%m%dT%H%M%S}"
    tile = acquisition.place.tile
    return {
        "s2:product_uri": f"{satellite}_MSIL2A_{sensing}_N{baseline_code}_"
        f"R{acquisition.relative_orbit:03d}_T{tile}_{generation}.SAFE",
        "s2:generation_time": _stamp(generated),
        "s2:datatake_id": f"G{satellite}_{sensing}_{absolute_orbit:06d}_N{baseline}",
        "s2:datastrip_id": f"{satellite}_OPER_MSI_L2A_DS_2BPS_{generation}_S{sensing}_N{baseline}",
        "s2:granule_id": f"{satellite}_OPER_MSI_L2A_TL_2BPS_{generation}_A{absolute_orbit:06d}_"
        f"T{tile}_N{baseline}",
    }


def item_properties(acquisition: Acquisition) -> dict[str, Any]:
    """The properties of one item, with cloud cover and class shares counted on its SCL band."""
    place = acquisition.place
    baseline = s2.processing_baseline(acquisition.day)
    shares = scenes.scl_percentages(scenes.scene_classification(acquisition))
    azimuth, elevation = scenes.sun_angles(acquisition)
    created = (
        acquisition.datetime + timedelta(hours=9, minutes=13, seconds=5)
        + _processing_delay(acquisition)
    )  # fmt: skip
    day_of_year = acquisition.day.timetuple().tm_yday
    earth_sun = 1 - 0.01672 * math.cos(math.radians(0.9856 * (day_of_year - 4)))
    properties: dict[str, Any] = {
        "created": _stamp(created),
        "platform": acquisition.platform,
        "constellation": "sentinel-2",
        "instruments": ["msi"],
        "eo:cloud_cover": shares["eo:cloud_cover"],
        "proj:epsg": place.epsg,
        "mgrs:utm_zone": place.utm_zone,
        "mgrs:latitude_band": place.latitude_band,
        "mgrs:grid_square": place.grid_square,
        "grid:code": f"MGRS-{place.tile}",
        "view:sun_azimuth": round(azimuth, 6),
        "view:sun_elevation": round(elevation, 6),
        "s2:degraded_msi_data_percentage": 0,
        "s2:nodata_pixel_percentage": shares["s2:nodata_pixel_percentage"],
        **{name: shares[name] for name in s2.SCL_PERCENTAGE_PROPERTIES.values()},
        "s2:product_type": "S2MSI2A",
        "s2:processing_baseline": baseline,
        **_product_names(acquisition, baseline),
        "s2:datatake_type": "INS-NOBS",
        "s2:reflectance_conversion_factor": round(1 / earth_sun**2, 12),
        "datetime": _stamp(acquisition.datetime),
        "s2:sequence": str(acquisition.sequence),
        "earthsearch:s3_path": f"s3://sentinel-cogs/{item_folder(acquisition)}",
        "earthsearch:payload_id": (
            f"offline-lesson/synthetic-sentinel2/{acquisition.noise_seed:016x}"
        ),
        # True means "ESA's offset is already out of the pixels", whatever raster:bands says
        # (Element84/earth-search#9); false on a few harmonised items (see s2.FLAG_WRONG_IDS).
        "earthsearch:boa_offset_applied": s2.boa_offset_applied(acquisition.id, acquisition.day),
        "processing:software": {"helpers.offline": str(GENERATOR_VERSION)},
        "updated": _stamp(created),
        "title": f"Synthetic Sentinel-2 L2A {place.tile} {acquisition.day.isoformat()}",
        "description": SYNTHETIC_NOTE,
    }
    return properties


def _raster_band(resolution: int, data_type: str = "uint16", **extra: Any) -> dict[str, Any]:
    band: dict[str, Any] = {"nodata": 0, "data_type": data_type}
    if data_type == "uint16":
        band["bits_per_sample"] = 15
    band["spatial_resolution"] = resolution
    band.update(extra)
    return band


def _grid(acquisition: Acquisition, resolution: int) -> dict[str, Any]:
    transform = acquisition.place.transform(resolution)
    return {
        "proj:shape": list(acquisition.place.shape(resolution)),
        "proj:transform": [transform.a, transform.b, transform.c,
                           transform.d, transform.e, transform.f],
    }  # fmt: skip


def item_assets(acquisition: Acquisition | None, offset: float) -> dict[str, dict[str, Any]]:
    """The assets of an item (``acquisition``) or, with ``None``, the collection's item_assets."""
    assets: dict[str, dict[str, Any]] = {}

    def grid(resolution: int) -> dict[str, Any]:
        return _grid(acquisition, resolution) if acquisition else {}

    for raster in s2.AUXILIARY_RASTERS:
        extra = {"unit": raster.unit} if raster.unit else {}
        if raster.scale is not None:
            extra.update(scale=raster.scale, offset=0)
        assets[raster.key] = {
            "title": raster.title,
            **grid(s2.AUXILIARY_RESOLUTION),
            "raster:bands": [_raster_band(s2.AUXILIARY_RESOLUTION, raster.data_type, **extra)],
        }
    for band in s2.BANDS:
        assets[band.key] = {
            "title": band.title,
            "eo:bands": [s2.eo_band(band)],
            "gsd": band.resolution,
            **grid(band.resolution),
            "raster:bands": [
                _raster_band(band.resolution, scale=s2.REFLECTANCE_SCALE, offset=offset)
            ],
        }
    assets["visual"] = {
        "title": "True color image",
        "eo:bands": [s2.eo_band(s2.BANDS_BY_KEY[key]) for key in s2.VISUAL_BANDS],
        **grid(10),
    }
    assets["thumbnail"] = {"title": "Thumbnail image"}
    assets["granule_metadata"] = {}
    assets["tileinfo_metadata"] = {}
    for key, asset in assets.items():
        asset["type"] = _media_type(s2.ASSET_FILES[key])
        asset["roles"] = _roles(key)
        if acquisition:
            asset["href"] = f"./{s2.ASSET_FILES[key]}"
    # Each raster is also listed as ESA's JPEG 2000 file in the requester-pays bucket
    # sentinel-s2-l2a (s3://, not readable over HTTP without AWS credentials), as live.
    for key in [*s2.BANDS_BY_KEY, *s2.AUXILIARY_BY_KEY, "visual"]:
        jp2 = {**assets[key], "type": "image/jp2"}
        if acquisition:
            jp2["href"] = (
                f"{_jp2_folder(acquisition)}/{s2.ASSET_FILES[key].replace('.tif', '.jp2')}"
            )
        assets[f"{key}-jp2"] = jp2
    # Earth Search lists assets alphabetically, the COGs before the JPEG 2000 files, href first.
    return {
        key: dict(sorted(assets[key].items(), key=lambda kv: (kv[0] != "href", kv[0] != "type")))
        for key in sorted(assets, key=lambda key: (key.endswith("-jp2"), key))
    }


def _jp2_folder(acquisition: Acquisition) -> str:
    """Where ESA's original files lie in the sentinel-s2-l2a bucket."""
    place, day = acquisition.place, acquisition.day
    return (
        f"s3://sentinel-s2-l2a/tiles/{place.utm_zone}/{place.latitude_band}/{place.grid_square}/"
        f"{day.year}/{day.month}/{day.day}/{acquisition.sequence}"
    )


def _media_type(file_name: str) -> str:
    suffix = file_name.rsplit(".", 1)[-1]
    return {
        "tif": s2.COG_MEDIA_TYPE,
        "jpg": "image/jpeg",
        "xml": "application/xml",
        "json": "application/json",
    }[suffix]


def _roles(key: str) -> list[str]:
    if key in ("visual", "thumbnail"):
        return [key]
    if key.endswith("_metadata"):
        return ["metadata"]
    return ["data", "reflectance"]


def make_item(acquisition: Acquisition) -> dict[str, Any]:
    """A complete Earth Search v1 ``sentinel-2-l2a`` item (relative links) for an acquisition."""
    properties = item_properties(acquisition)
    footprint = [
        [round(lon, 12), round(lat, 12)] for lon, lat in acquisition.place.footprint_lonlat()
    ]
    lons = [point[0] for point in footprint]
    lats = [point[1] for point in footprint]
    depth = "/".join([".."] * len(Path(item_folder(acquisition)).parts))
    # Earth Search declares ESA's -0.1 even where it took it out of the pixels (a known error).
    offset = s2.declared_offset(properties["s2:processing_baseline"])
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "id": acquisition.id,
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [footprint]},
        "links": [
            {"rel": "root", "href": f"{depth}/{CATALOG_FILE}", "type": "application/json"},
            {"rel": "parent", "href": f"{depth}/{COLLECTION_FILE}", "type": "application/json"},
            {"rel": "collection", "href": f"{depth}/{COLLECTION_FILE}", "type": "application/json"},
            {"rel": "license", "href": LICENSE_URL},
        ],
        "assets": item_assets(acquisition, offset),
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "stac_extensions": ITEM_EXTENSIONS,
        "collection": s2.COLLECTION_ID,
    }


def make_collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``sentinel-2-l2a`` collection, with extents that cover the given items."""
    bboxes = [item["bbox"] for item in items]
    datetimes = sorted(item["properties"]["datetime"] for item in items)
    eo_bands = [s2.eo_band(band) for band in s2.BANDS]
    return {
        "type": "Collection",
        "id": s2.COLLECTION_ID,
        "stac_version": STAC_VERSION,
        "title": "Sentinel-2 Level-2A",
        "description": "Sentinel-2 Level-2A surface reflectance in the shape of Earth Search v1. "
        + SYNTHETIC_NOTE
        + " "
        + OFFSETS_NOTE,
        "links": [
            {"rel": "root", "href": f"../{CATALOG_FILE}", "type": "application/json"},
            {"rel": "parent", "href": f"../{CATALOG_FILE}", "type": "application/json"},
            {"rel": "license", "href": LICENSE_URL, "title": "proprietary"},
            {
                "rel": "cite-as",
                "href": "https://doi.org/10.5270/S2_-742ikth",
                "title": "Copernicus Sentinel-2 MSI Level-2A (L2A) Bottom-of-Atmosphere Radiance",
            },
        ]
        + [
            {
                "rel": "item",
                "href": f"../{item_folder_of(item)}/{item['id']}.json",
                "type": "application/geo+json",
            }
            for item in items
        ],
        "stac_extensions": [
            "https://stac-extensions.github.io/item-assets/v1.0.0/schema.json",
            "https://stac-extensions.github.io/view/v1.0.0/schema.json",
            "https://stac-extensions.github.io/scientific/v1.0.0/schema.json",
            "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
            "https://stac-extensions.github.io/eo/v1.0.0/schema.json",
        ],
        # The live collection's item_assets declare offset 0 (earth-search-v1 collection document).
        "item_assets": item_assets(None, 0),
        "extent": {
            "spatial": {
                "bbox": [
                    [
                        min(b[0] for b in bboxes),
                        min(b[1] for b in bboxes),
                        max(b[2] for b in bboxes),
                        max(b[3] for b in bboxes),
                    ]
                ]
            },
            "temporal": {"interval": [[datetimes[0], datetimes[-1]]]},
        },
        "license": "proprietary",
        "keywords": ["sentinel", "earth observation", "esa", "synthetic", "offline"],
        "providers": [
            {"name": "ESA", "roles": ["producer"], "url": "https://earth.esa.int/web/guest/home"},
            {"name": "Element 84", "roles": ["processor"], "url": "https://element84.com"},
            {
                "name": "Access satellite imagery lesson (synthetic copy)",
                "roles": ["processor", "host"],
            },
        ],
        "summaries": {
            "platform": ["sentinel-2a", "sentinel-2b"],
            "constellation": ["sentinel-2"],
            "instruments": ["msi"],
            "gsd": [10, 20, 60],
            "view:off_nadir": [0],
            "sci:doi": ["10.5270/s2_-znk9xsj"],
            "eo:bands": eo_bands,
        },
    }


C1_ITEM_EXTENSIONS = [
    "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
    "https://stac-extensions.github.io/grid/v1.1.0/schema.json",
    "https://stac-extensions.github.io/mgrs/v1.0.0/schema.json",
    "https://stac-extensions.github.io/processing/v1.1.0/schema.json",
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
    "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
    "https://stac-extensions.github.io/sentinel-2/v1.0.0/schema.json",
    "https://stac-extensions.github.io/storage/v1.0.0/schema.json",
    "https://stac-extensions.github.io/view/v1.0.0/schema.json",
]
#: Properties of sentinel-2-l2a that Collection 1 items do not have.
C1_DROPPED = ("earthsearch:boa_offset_applied", "earthsearch:s3_path", "s2:sequence",
              "s2:granule_id")  # fmt: skip


def c1_properties(acquisition: Acquisition, l2a_properties: dict[str, Any]) -> dict[str, Any]:
    """Collection 1 properties: the l2a ones (same scene, same SCL), reprocessed to 05.00."""
    baseline = c1.REPROCESSED_BASELINE
    reprocessed = acquisition.datetime + c1.REPROCESSING_DELAY
    names = _product_names(acquisition, baseline, generated=reprocessed)
    generation = f"{reprocessed:%Y%m%dT%H%M%S}"
    satellite = f"S2{acquisition.platform[-1].upper()}"
    place = acquisition.place
    corners = place.footprint_lonlat()[:-1]
    lon = sum(point[0] for point in corners) / len(corners)
    lat = sum(point[1] for point in corners) / len(corners)
    properties = {key: value for key, value in l2a_properties.items() if key not in C1_DROPPED}
    properties.update(
        {
            "created": _stamp(reprocessed + timedelta(minutes=21)),
            "proj:centroid": {"lat": round(lat, 5), "lon": round(lon, 5)},
            # Collection 1 calls the granule the tile; its datastrip names the sensing start.
            "s2:tile_id": names["s2:granule_id"],
            "s2:processing_baseline": baseline,
            "s2:product_uri": names["s2:product_uri"],
            "s2:generation_time": reprocessed.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
            "s2:datatake_id": names["s2:datatake_id"],
            "s2:datastrip_id": f"{satellite}_OPER_MSI_L2A_DS_2BPS_{generation}_"
            f"S{c1.sensing_start(acquisition)}_N{baseline}",
            "earthsearch:payload_id": "offline-lesson/synthetic-sentinel-2-c1-l2a/"
            f"{acquisition.seed:016x}",
            "storage:platform": "AWS",
            "storage:region": "us-west-2",
            "storage:requester_pays": False,
            "updated": _stamp(reprocessed + timedelta(minutes=21)),
            "title": f"Synthetic Sentinel-2 Collection 1 L2A {place.tile} "
            f"{acquisition.day.isoformat()}",
        }
    )
    return properties


def c1_assets(acquisition: Acquisition | None) -> dict[str, dict[str, Any]]:
    """The assets of a Collection 1 item or, with ``None``, the collection's item_assets."""
    assets: dict[str, dict[str, Any]] = {}
    for key in c1.ASSET_ORDER:
        spec = c1.ASSETS[key]
        asset: dict[str, Any] = {"type": _media_type(spec.file_name)}
        if acquisition:
            asset = {"href": f"./{spec.file_name}", **asset}
        if spec.title:
            asset["title"] = spec.title
        band = s2.BANDS_BY_KEY.get(key)
        if band:
            asset["eo:bands"] = [c1.eo_band(band)]
        elif key in ("visual", "preview"):
            asset["eo:bands"] = [c1.eo_band(s2.BANDS_BY_KEY[k]) for k in s2.VISUAL_BANDS]
        if spec.resolution and key != "snow":
            asset["gsd"] = spec.resolution
        if spec.resolution and acquisition:
            asset.update(_grid(acquisition, spec.resolution))
        if band:
            asset["raster:bands"] = [
                {"nodata": 0, "data_type": "uint16", "spatial_resolution": band.resolution,
                 "scale": s2.REFLECTANCE_SCALE, "offset": s2.BOA_OFFSET}
            ]  # fmt: skip
        elif key == "visual":
            asset["raster:bands"] = [
                {"nodata": 0, "data_type": "uint8", "spatial_resolution": 10}
            ] * 3
        elif key in s2.AUXILIARY_BY_KEY:
            raster = s2.AUXILIARY_BY_KEY[key]
            entry: dict[str, Any] = {"nodata": 0, "data_type": raster.data_type,
                                     "spatial_resolution": 20}  # fmt: skip
            if raster.unit:
                entry["unit"] = raster.unit
            if raster.scale is not None:
                entry.update(scale=raster.scale, offset=0)
            asset["raster:bands"] = [entry]
        elif key in ("cloud", "snow"):
            asset["raster:bands"] = [{"nodata": 0, "data_type": "uint8", "spatial_resolution": 20}]
        asset["roles"] = list(spec.roles)
        assets[key] = asset
    return assets


def make_c1_item(acquisition: Acquisition, l2a_item: dict[str, Any]) -> dict[str, Any]:
    """The ``sentinel-2-c1-l2a`` item of an acquisition, from its ``sentinel-2-l2a`` item."""
    folder = c1.item_folder(acquisition)
    depth = "/".join([".."] * len(Path(folder).parts))
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "id": c1.item_id(acquisition),
        "properties": c1_properties(acquisition, l2a_item["properties"]),
        "geometry": l2a_item["geometry"],
        "links": [
            {"rel": "root", "href": f"{depth}/{CATALOG_FILE}", "type": "application/json"},
            {"rel": "parent", "href": f"{depth}/{C1_COLLECTION_FILE}", "type": "application/json"},
            {
                "rel": "collection",
                "href": f"{depth}/{C1_COLLECTION_FILE}",
                "type": "application/json",
            },
            {"rel": "license", "href": LICENSE_URL},
        ],
        "assets": c1_assets(acquisition),
        "bbox": l2a_item["bbox"],
        "stac_extensions": C1_ITEM_EXTENSIONS,
        "collection": c1.COLLECTION_ID,
    }


def make_c1_collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``sentinel-2-c1-l2a`` collection, with extents that cover the given items."""
    collection = make_collection(items)
    collection.update(
        {
            "id": c1.COLLECTION_ID,
            "title": "Sentinel-2 Collection 1 Level-2A",
            "description": "Sentinel-2 Collection 1 Level-2A, data from the Multispectral "
            "Instrument (MSI) onboard Sentinel-2, in the shape of Earth Search v1. "
            + SYNTHETIC_NOTE
            + " "
            + C1_NOTE,
            "item_assets": c1_assets(None),
        }
    )
    collection["summaries"]["eo:bands"] = [c1.eo_band(band) for band in s2.BANDS]
    return collection


def item_folder_of(item: dict[str, Any]) -> str:
    """Folder of an item dict in the catalog (and in its real bucket).

    ``sentinel-2-l2a`` items name it in ``earthsearch:s3_path`` (``s3://bucket/<folder>``);
    Collection 1 items have no such property: their id and tile give it.
    """
    s3_path = item["properties"].get("earthsearch:s3_path")
    if s3_path:
        return s3_path.split("/", 3)[3]
    properties = item["properties"]
    year, month = int(properties["datetime"][:4]), int(properties["datetime"][5:7])
    return "/".join(
        [item["collection"], str(properties["mgrs:utm_zone"]), properties["mgrs:latitude_band"],
         properties["mgrs:grid_square"], str(year), str(month), item["id"]]
    )  # fmt: skip


def make_root_catalog() -> dict[str, Any]:
    return {
        "type": "Catalog",
        "id": "earth-search-offline",
        "stac_version": STAC_VERSION,
        "title": "Earth Search (offline lesson copy)",
        "description": "A local stand-in for Earth Search v1 "
        "(https://earth-search.aws.element84.com/v1). " + SYNTHETIC_NOTE,
        "links": [
            {"rel": "root", "href": f"./{CATALOG_FILE}", "type": "application/json"},
            {"rel": "child", "href": f"./{COLLECTION_FILE}", "type": "application/json"},
            {"rel": "child", "href": f"./{C1_COLLECTION_FILE}", "type": "application/json"},
        ],
    }


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write a STAC document as JSON, atomically (a reader never sees half a file)."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


def catalog_is_current(folder: Path) -> bool:
    """True when ``folder`` holds a complete catalog made by this generator version."""
    marker = folder / MARKER_FILE
    if not marker.is_file() or not (folder / COLLECTION_FILE).is_file():
        return False
    try:
        return json.loads(marker.read_text())["version"] == GENERATOR_VERSION
    except (ValueError, KeyError):
        return False


def generate(
    folder: Path,
    acquisitions: Iterable[Acquisition] | None = None,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """Write the synthetic catalog's metadata to ``folder``; pixels are made on first request.

    Returns the item dicts. The marker file is written last, so an interrupted run is
    detected (``catalog_is_current`` is False) and redone.
    """
    folder = Path(folder)
    chosen = list(acquisitions) if acquisitions is not None else all_acquisitions()
    (folder / MARKER_FILE).unlink(missing_ok=True)
    # Pixels made by an earlier generator version would no longer match the new metadata.
    shutil.rmtree(folder / ITEMS_ROOT, ignore_errors=True)
    workers = workers or min(2, os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            items = list(pool.map(make_item, chosen, chunksize=8))
    else:
        items = [make_item(acquisition) for acquisition in chosen]
    # Collection 1: the same acquisitions, reprocessed once (no copies processed twice).
    c1_items = [
        make_c1_item(acquisition, item)
        for acquisition, item in zip(chosen, items, strict=True)
        if acquisition.sequence == 0
    ]
    for item in items + c1_items:
        write_json(folder / item_folder_of(item) / f"{item['id']}.json", item)
    write_json(folder / COLLECTION_FILE, make_collection(items))
    write_json(folder / C1_COLLECTION_FILE, make_c1_collection(c1_items))
    write_json(folder / CATALOG_FILE, make_root_catalog())
    write_json(
        folder / MARKER_FILE,
        {
            "generator": "helpers.offline",
            "version": GENERATOR_VERSION,
            "synthetic": True,
            "items": len(items),
            "c1_items": len(c1_items),
            "first_day": FIRST_DAY.isoformat(),
            "last_day": LAST_DAY.isoformat(),
            "places": [place.tile for place in PLACES],
        },
    )
    return items


def copy_metadata(source: Path, target: Path) -> Path:
    """Copy the generated catalog at ``source`` to ``target`` without its pixel files.

    The copy is a catalog as ``generate`` leaves it before any request: its server makes the
    pixel files again when they are first asked for.
    """
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*PIXEL_FILE_PATTERNS))
    return target
