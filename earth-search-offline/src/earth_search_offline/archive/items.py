"""Item and collection documents shaped like Earth Search v1's, for the synthetic archive.

``make_item`` and ``make_c1_item`` build one acquisition's ``sentinel-2-l2a`` and
``sentinel-2-c1-l2a`` items (relative links and hrefs, see ``static_catalog``);
``make_collection`` and ``make_c1_collection`` the collections around them. Cloud cover and the
class shares are counted on the scene's own SCL band, so the metadata and the pixels agree.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from ..earth_search import media_type
from ..static_catalog import (
    CATALOG_FILE,
    STAC_VERSION,
    extent,
    item_folder,
    relative_root,
    root_catalog,
    tile_folder,
)
from . import collection1 as c1
from . import scenes
from . import sentinel2 as s2
from .acquisitions import FIRST_DAY, Acquisition

#: Bump when the synthetic data changes, so old catalogs are regenerated.
GENERATOR_VERSION = 12
#: Folder of the items and their assets, named like the real bucket prefix.
ITEMS_ROOT = "sentinel-s2-l2a-cogs"
COLLECTION_FILE = f"{s2.COLLECTION_ID}/collection.json"
C1_COLLECTION_FILE = f"{c1.COLLECTION_ID}/collection.json"
LICENSE_URL = "https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_Notice"
SYNTHETIC_NOTE = (
    "Synthetic imagery made for the 'Access satellite imagery using Python' lesson: "
    "the metadata copies the shape of Earth Search v1 sentinel-2-l2a, the pixels are "
    "generated, not real Sentinel-2 data: on real land cover around Amsterdam-Noord and the IJ "
    "(from the NDVI of S2B_31UFU_20200326_0_L2A), approximate geography elsewhere, made-up "
    "seasons and clouds."
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

#: What the live archive's threads say of it in late 2026, in the collections' descriptions.
JP2_ONLY_NOTE = (
    "As on the live archive since its regeneration of August 2026 (Element84/earth-search#76, "
    "which added over a million items, so counts change), a few items (here "
    + ", ".join(sorted(s2.JP2_ONLY))
    + ") have only ESA's JPEG 2000 files in s3://sentinel-s2-l2a and no COG asset: no 'red', "
    "only 'red-jp2' (Element84/earth-search#79: 263,066 items, 0.5 %, created 2026-08-17..19). "
    "Keep the items that have the assets you read: [item for item in items if 'red' in "
    "item.assets]."
)
C1_GAPS_NOTE = (
    "As on the live archive: a few items lack most of their assets (here "
    + ", ".join(sorted(c1.SPARSE))
    + "; Element84/earth-search#36), so keep the items that have the assets you read; and "
    "live Collection 1 still misses scenes of 2022 that sentinel-2-l2a has "
    "(Element84/earth-search#70, #44), which the stand-in does not reproduce: here it holds "
    "every acquisition once."
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


def l2a_folder(acquisition: Acquisition) -> str:
    """Folder of an acquisition's ``sentinel-2-l2a`` item, as in the ``sentinel-cogs`` bucket."""
    place = acquisition.place
    tile = {
        "mgrs:utm_zone": place.utm_zone,
        "mgrs:latitude_band": place.latitude_band,
        "mgrs:grid_square": place.grid_square,
        "datetime": acquisition.day.isoformat(),
    }
    return tile_folder(ITEMS_ROOT, tile, acquisition.id)


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
        "earthsearch:s3_path": f"s3://sentinel-cogs/{l2a_folder(acquisition)}",
        "earthsearch:payload_id": (
            f"offline-lesson/synthetic-sentinel2/{acquisition.noise_seed:016x}"
        ),
        # True means "ESA's offset is already out of the pixels", whatever raster:bands says
        # (Element84/earth-search#9); false on a few harmonised items (see s2.FLAG_WRONG_IDS).
        "earthsearch:boa_offset_applied": s2.boa_offset_applied(acquisition.id, acquisition.day),
        "processing:software": {"earth-search-offline": str(GENERATOR_VERSION)},
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


#: A JP2-only item's other assets (Element84/earth-search#79): ESA's files next to the JPEG 2000
#: ones in sentinel-s2-l2a (its tile folders hold metadata.xml, tileInfo.json and qi/, as listed
#: in Element84/earth-search#57), since nothing but the item's JSON is in sentinel-cogs.
JP2_ONLY_SIDECARS = {
    "thumbnail": "qi/L2A_PVI.jp2",
    "granule_metadata": "metadata.xml",
    "tileinfo_metadata": "tileInfo.json",
}


def item_assets(
    acquisition: Acquisition | None, offset: float, jp2_only: bool = False
) -> dict[str, dict[str, Any]]:
    """The assets of an item (``acquisition``) or, with ``None``, the collection's item_assets;
    ``jp2_only``: only the ``*-jp2`` assets and the sidecars in ESA's bucket (``s2.JP2_ONLY``)."""
    assets: dict[str, dict[str, Any]] = {}

    def grid(resolution: int) -> dict[str, Any]:
        return _grid(acquisition, resolution) if acquisition else {}

    for raster in s2.AUXILIARY_RASTERS:
        extra: dict[str, Any] = {"unit": raster.unit} if raster.unit else {}
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
        asset["type"] = media_type(s2.ASSET_FILES[key])
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
    if jp2_only and acquisition:
        assets = {key: asset for key, asset in assets.items() if key.endswith("-jp2")} | {
            key: {**assets[key], "href": f"{_jp2_folder(acquisition)}/{name}",
                  "type": media_type(name)}
            for key, name in JP2_ONLY_SIDECARS.items()
        }  # fmt: skip
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
    depth = relative_root(l2a_folder(acquisition))
    # Earth Search declares ESA's -0.1 even where it took it out of the pixels (a known error).
    offset = s2.declared_offset(properties["s2:processing_baseline"])
    jp2_only = acquisition.id in s2.JP2_ONLY
    if jp2_only:  # written by the regeneration of August 2026 (Element84/earth-search#79)
        properties["created"] = properties["updated"] = s2.JP2_ONLY[acquisition.id]
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
        "assets": item_assets(acquisition, offset, jp2_only),
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "stac_extensions": ITEM_EXTENSIONS,
        "collection": s2.COLLECTION_ID,
    }


def make_collection(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``sentinel-2-l2a`` collection, with extents that cover the given items."""
    eo_bands = [s2.eo_band(band) for band in s2.BANDS]
    return {
        "type": "Collection",
        "id": s2.COLLECTION_ID,
        "stac_version": STAC_VERSION,
        "title": "Sentinel-2 Level-2A",
        "description": "Sentinel-2 Level-2A surface reflectance in the shape of Earth Search v1. "
        + SYNTHETIC_NOTE
        + " "
        + OFFSETS_NOTE
        + " "
        + JP2_ONLY_NOTE,
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
                "href": f"../{item_folder(item)}/{item['id']}.json",
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
        "extent": extent(items),
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
        asset: dict[str, Any] = {"type": media_type(spec.file_name)}
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


def _c1_kept(assets: dict[str, dict[str, Any]], item_id: str) -> dict[str, dict[str, Any]]:
    """All the assets, or for a sparse item (``c1.SPARSE``, Element84/earth-search#36) the few
    it kept."""
    kept = c1.SPARSE.get(item_id)
    return {key: asset for key, asset in assets.items() if kept is None or key in kept}


def make_c1_item(acquisition: Acquisition, l2a_item: dict[str, Any]) -> dict[str, Any]:
    """The ``sentinel-2-c1-l2a`` item of an acquisition, from its ``sentinel-2-l2a`` item."""
    properties = c1_properties(acquisition, l2a_item["properties"])
    depth = relative_root(tile_folder(c1.COLLECTION_ID, properties, c1.item_id(acquisition)))
    return {
        "type": "Feature",
        "stac_version": STAC_VERSION,
        "id": c1.item_id(acquisition),
        "properties": properties,
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
        "assets": _c1_kept(c1_assets(acquisition), c1.item_id(acquisition)),
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
            + C1_NOTE
            + " "
            + C1_GAPS_NOTE,
            "item_assets": c1_assets(None),
        }
    )
    collection["summaries"]["eo:bands"] = [c1.eo_band(band) for band in s2.BANDS]
    return collection


def make_root_catalog() -> dict[str, Any]:
    """The generated catalog's ``catalog.json``, linking to both collections."""
    return root_catalog(
        f"A local stand-in for Earth Search v1 (https://earth-search.aws.element84.com/v1). "
        f"{SYNTHETIC_NOTE}",
        [COLLECTION_FILE, C1_COLLECTION_FILE],
    )
