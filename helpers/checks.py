"""Friendly checks for the mistakes learners make, each with a message that says what to do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import LessonError


class LessonInputError(LessonError, ValueError):
    """A value a learner typed cannot work; the message says why and what to try."""


def check_bbox(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """Check a longitude/latitude bounding box ``(west, south, east, north)``; return it."""
    if len(bbox) != 4:
        raise LessonInputError(
            f"A bbox has 4 numbers (west, south, east, north); got {len(bbox)}: {tuple(bbox)}."
        )
    west, south, east, north = (float(value) for value in bbox)
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise LessonInputError(
            f"bbox longitudes must lie in -180..180; got west={west}, east={east}. Coordinates "
            "in metres (UTM) are for clipping rasters, not for searching."
        )
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise LessonInputError(
            f"bbox latitudes must lie in -90..90; got south={south}, north={north}. "
            "Did you write latitude first? The order is (west, south, east, north)."
        )
    if south > north:
        raise LessonInputError(
            f"bbox south ({south}) is north of north ({north}): the order is "
            "(min lon, min lat, max lon, max lat), as point.buffer(0.05).bounds gives it."
        )
    if west > east:
        raise LessonInputError(
            f"bbox west ({west}) is east of east ({east}). Unless you mean a box across the "
            "180° meridian, swap them: the order is (min lon, min lat, max lon, max lat)."
        )
    return west, south, east, north


def check_ndvi(ndvi: Any) -> str:
    """Check that NDVI values lie in -1..1; return a short confirmation.

    Values outside that range come from digital numbers converted with the wrong offset
    (negative "reflectance"), not from the ground.
    """
    values = np.asarray(ndvi, dtype="float64")
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise LessonInputError("The NDVI has no valid pixel: every value is NaN (masked).")
    low, high = float(finite.min()), float(finite.max())
    if low < -1 or high > 1:
        raise LessonInputError(
            f"NDVI values range from {low:.2f} to {high:.2f}, outside -1..1: some reflectances "
            "are negative. Convert each band with the scale AND offset of its own "
            "raster:bands metadata (0 before processing baseline 04.00, -0.1 after)."
        )
    return f"NDVI within -1..1 (from {low:.2f} to {high:.2f})"


def _swap_geometry(geometry: Any) -> Any:
    if isinstance(geometry, dict):
        return {
            key: _swap_geometry(value) if key == "coordinates" else value
            for key, value in geometry.items()
        }
    if (
        isinstance(geometry, list | tuple)
        and len(geometry) == 2
        and all(isinstance(value, int | float) for value in geometry)
    ):
        return [geometry[1], geometry[0]]
    if isinstance(geometry, list | tuple):
        return [_swap_geometry(part) for part in geometry]
    return geometry


def explain_no_matches(search: Any) -> str:
    """Say which filter of a pystac-client search removed every item, and what to try.

    Repeats the search (counting only) without each filter in turn, and with longitude and
    latitude swapped.
    """
    parameters = {key.replace("-", "_"): value for key, value in search.get_parameters().items()}
    client = search.client
    if search.matched() != 0:
        return f"The search matches {search.matched()} items."
    known = {collection.id for collection in client.get_collections()}
    for collection in parameters.get("collections") or []:
        if collection not in known:
            return (
                f"Collection {collection!r} does not exist here; collections: "
                f"{', '.join(sorted(known))}."
            )

    def count(**changes: Any) -> int:
        changed = {k: v for k, v in {**parameters, **changes}.items() if v is not None}
        changed.pop("limit", None)
        return client.search(**changed).matched() or 0

    for key in ("intersects", "bbox"):
        if parameters.get(key) is not None:
            value = parameters[key]
            swapped = (
                _swap_geometry(value)
                if key == "intersects"
                else ([value[1], value[0], value[3], value[2]])
            )
            if count(**{key: swapped}):
                return (
                    f"Nothing matches, but {count(**{key: swapped})} items match with "
                    "longitude and latitude swapped: write longitude first, "
                    "e.g. Point(4.90, 52.37) for Amsterdam."
                )
    for key, label in (
        ("query", "the query (property filter)"),
        ("filter", "the CQL2 filter"),
        ("datetime", "the date range"),
        ("intersects", "the geometry"),
        ("bbox", "the bounding box"),
        ("ids", "the ids"),
    ):
        if parameters.get(key) is not None and count(**{key: None}):
            return (
                f"Nothing matches; without {label} ({parameters[key]!r}) "
                f"{count(**{key: None})} items would. Loosen that filter."
            )
    return "Nothing matches, and no single filter explains it: loosen several at once."
