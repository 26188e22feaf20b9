"""The lesson's places, defined once: where episodes 2-6 search, cut out and look.

Longitude first, as in GeoJSON and shapely. The notebooks type these numbers in plain sight
(learners should see them); the helpers, tests, tools and benchmarks import them from here.
"""

from __future__ import annotations

#: Episode 2's point in the centre of Amsterdam: (longitude, latitude).
AMSTERDAM = (4.90, 52.37)
#: Degrees around the point: episode 2's search box is ``Point(*AMSTERDAM).buffer(0.05).bounds``.
SEARCH_BUFFER = 0.05
#: Episode 5's 4 km clip box over Centraal Station, the IJ and Amsterdam-Noord, in metres of
#: EPSG:32631 (UTM zone 31N): minx, miny, maxx, maxy. It lies in the stand-in's real extent.
CLIP_BOX_UTM = (629000, 5804000, 633000, 5808000)
CLIP_CRS = "EPSG:32631"
#: Episode 6's area: the centre, the Vondelpark and the IJ (min lon, min lat, max lon, max lat).
DATACUBE_BBOX = (4.84, 52.34, 4.96, 52.40)
#: Episode 6's time series: one spot in a park, one on water, (longitude, latitude).
TIME_SERIES_PLACES = {"Vondelpark": (4.870, 52.359), "IJ (water)": (4.930, 52.382)}


def swapped(point: tuple[float, float]) -> tuple[float, float]:
    """The same place written latitude first: the most common mistake the lesson explains."""
    lon, lat = point
    return lat, lon


#: Episode 5's box as ``rio.clip_box`` takes it: ``clip_box(**CLIP_BOX_KWARGS)``.
CLIP_BOX_KWARGS = dict(zip(("minx", "miny", "maxx", "maxy"), CLIP_BOX_UTM, strict=True))


def search_bbox() -> tuple[float, float, float, float]:
    """Episode 2's search box, as the lesson computes it (``point.buffer(0.05).bounds``)."""
    lon, lat = AMSTERDAM
    return (lon - SEARCH_BUFFER, lat - SEARCH_BUFFER, lon + SEARCH_BUFFER, lat + SEARCH_BUFFER)


#: What an offline kit mirrors by default: episode 2's search box and episode 6's area together.
KIT_BBOX = (
    round(min(search_bbox()[0], DATACUBE_BBOX[0]), 6),
    round(min(search_bbox()[1], DATACUBE_BBOX[1]), 6),
    round(max(search_bbox()[2], DATACUBE_BBOX[2]), 6),
    round(max(search_bbox()[3], DATACUBE_BBOX[3]), 6),
)
