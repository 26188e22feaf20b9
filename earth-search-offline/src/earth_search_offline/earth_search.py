"""Facts about the live Earth Search v1 that the stand-in reproduces: plain constants only.

Importing this module is instant, so that error messages can name these facts without loading
the server or the scene generator.
"""

from __future__ import annotations

LIVE_API_URL = "https://earth-search.aws.element84.com/v1"

#: Asset keys of a ``sentinel-2-l2a`` item and the file each one's href ends with
#: (COGs and metadata; the ``*-jp2`` keys point at ESA's bucket and have no file here).
ASSET_FILES: dict[str, str] = {
    "coastal": "B01.tif",
    "blue": "B02.tif",
    "green": "B03.tif",
    "red": "B04.tif",
    "rededge1": "B05.tif",
    "rededge2": "B06.tif",
    "rededge3": "B07.tif",
    "nir": "B08.tif",
    "nir08": "B8A.tif",
    "nir09": "B09.tif",
    "swir16": "B11.tif",
    "swir22": "B12.tif",
    "aot": "AOT.tif",
    "scl": "SCL.tif",
    "wvp": "WVP.tif",
    "visual": "TCI.tif",
    "thumbnail": "thumbnail.jpg",
    "granule_metadata": "granule_metadata.xml",
    "tileinfo_metadata": "tileinfo_metadata.json",
}

#: Collection ids of the retired Earth Search v0, and what v1 calls them.
V0_COLLECTIONS = {
    "sentinel-s2-l2a-cogs": "sentinel-2-l2a",
    "sentinel-s2-l2a": "sentinel-2-l2a",
    "sentinel-s2-l1c": "sentinel-2-l1c",
    "landsat-8-l1-c1": "landsat-c2-l2",
}

#: The media type Earth Search gives its Cloud Optimized GeoTIFFs.
COG_MEDIA_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"
#: Media type of each file ending the archive holds: in item assets and in the file server's
#: answers (where the file server has no asset to read it from).
MEDIA_TYPES = {
    ".tif": COG_MEDIA_TYPE,
    ".jpg": "image/jpeg",
    ".jp2": "image/jp2",
    ".xml": "application/xml",
    ".json": "application/json",
}


def media_type(file_name: str) -> str:
    """The media type of a file of the archive, from its ending (``B04.tif``: a COG)."""
    suffix = "." + file_name.rsplit(".", 1)[-1]
    return MEDIA_TYPES.get(suffix, "application/octet-stream")
