"""Friendly checks for the mistakes learners make, each with a message that says what to do."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import LessonError
from .places import AMSTERDAM


class LessonInputError(LessonError, ValueError):
    """A value a learner typed cannot work; the message says why and what to try."""


def check_ndvi(ndvi: Any) -> str:
    """Check that NDVI values lie in -1..1; return a short confirmation.

    Values outside that range come from negative "reflectance": digital numbers converted with
    an offset they did not need, not from the ground.
    """
    values = np.asarray(ndvi, dtype="float64")
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise LessonInputError("The NDVI has no valid pixel: every value is NaN (masked).")
    low, high = float(finite.min()), float(finite.max())
    if low < -1 or high > 1:
        raise LessonInputError(
            f"NDVI values range from {low:.2f} to {high:.2f}, outside -1..1: some reflectances "
            "are negative, so an offset was applied to numbers that did not need it. On Earth "
            "Search's sentinel-2-l2a, use offset 0 where earthsearch:boa_offset_applied is true; "
            "check_water_reflectance(red, nir, scl) tells from the pixels."
        )
    return f"NDVI within -1..1 (from {low:.2f} to {high:.2f})"


#: SCL class of water in ESA's scene classification.
SCL_WATER = 6
#: Water reflects a few percent of red and near-infrared light. ESA's L2A keeps small
#: negative values from noise, so a median a little below zero is still plausible...
WATER_REFLECTANCE_MIN = -0.02
#: ...and even turbid water stays well under this in the near-infrared.
WATER_NIR_MAX = 0.08


def water_reflectance(red: Any, nir: Any, scl: Any) -> tuple[float, float, int]:
    """Median red and near-infrared reflectance of the water pixels (SCL class 6), and their count.

    ``red``, ``nir`` and ``scl`` must be on the same grid (match ``scl`` to the 10 m bands
    with ``rio.reproject_match`` first). The medians are NaN when there is no water.
    """
    red_values, nir_values = np.asarray(red, "float64"), np.asarray(nir, "float64")
    classes = np.asarray(scl)
    if not red_values.shape == nir_values.shape == classes.shape:
        raise LessonInputError(
            f"red {red_values.shape}, nir {nir_values.shape} and scl {classes.shape} must have "
            "the same shape: match the 20 m scl to the 10 m bands with "
            "scl.rio.reproject_match(red, resampling=Resampling.nearest)."
        )
    water = (classes == SCL_WATER) & np.isfinite(red_values) & np.isfinite(nir_values)
    count = int(water.sum())
    if count == 0:
        return float("nan"), float("nan"), 0
    return float(np.median(red_values[water])), float(np.median(nir_values[water])), count


def check_water_reflectance(red: Any, nir: Any, scl: Any) -> str:
    """Check reflectance against the ground: water must reflect a few percent of red and NIR.

    Catches an offset applied twice (water below zero) or not at all (water 0.1 too bright),
    which happens on Earth Search when ``earthsearch:boa_offset_applied`` is wrong
    (Element84/earth-search#66, #71). Returns a short confirmation; raises
    ``LessonInputError`` saying which way the offset is wrong.
    """
    red_water, nir_water, count = water_reflectance(red, nir, scl)
    if count == 0:
        return "No water (SCL class 6) in this area, so nothing to check: try a larger box."
    measured = f"Water (SCL 6, {count} pixels) reflects {red_water:.3f} in red and {nir_water:.3f}"
    if min(red_water, nir_water) < WATER_REFLECTANCE_MIN:
        raise LessonInputError(
            f"{measured} in near-infrared: below zero, which no surface can be. An offset was "
            "applied to numbers that already had it taken out: Earth Search harmonises most "
            "sentinel-2-l2a products of baseline 04.00 and later, and a few have "
            "earthsearch:boa_offset_applied wrongly false. Convert this scene with offset 0."
        )
    if nir_water > WATER_NIR_MAX:
        raise LessonInputError(
            f"{measured} in near-infrared: far brighter than water (under {WATER_NIR_MAX}). "
            "The numbers still carry ESA's +1000: apply the raster:bands offset (-0.1), "
            "even if earthsearch:boa_offset_applied says true."
        )
    return f"{measured} in near-infrared: a few percent, as water should."


def _swap_geometry(geometry: Any) -> Any:
    """``geometry`` (GeoJSON, or its coordinates) with each (x, y) pair written (y, x)."""
    if isinstance(geometry, dict):
        return {key: _swap_geometry(value) if key == "coordinates" else value
                for key, value in geometry.items()}  # fmt: skip
    if isinstance(geometry, list | tuple):
        if len(geometry) == 2 and all(isinstance(value, int | float) for value in geometry):
            return [geometry[1], geometry[0]]
        return [_swap_geometry(part) for part in geometry]
    return geometry


def explain_no_matches(search: Any) -> str:
    """Say which filter of a pystac-client search removed every item, and what to try.

    Repeats the search (counting only) without each filter in turn, and with longitude and
    latitude swapped.
    """
    parameters = {key.replace("-", "_"): value for key, value in search.get_parameters().items()}
    client = search.client
    if (total := search.matched()) != 0:
        return f"The search matches {total} items."
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
        if (value := parameters.get(key)) is None:
            continue
        swapped = (
            [value[1], value[0], value[3], value[2]] if key == "bbox" else _swap_geometry(value)
        )
        if matched := count(**{key: swapped}):
            return (
                f"Nothing matches, but {matched} items match with longitude and latitude swapped: "
                f"write longitude first, e.g. Point({AMSTERDAM[0]:.2f}, {AMSTERDAM[1]:.2f}) for "
                "Amsterdam."
            )
    for key, label in (
        ("query", "the query (property filter)"),
        ("filter", "the CQL2 filter"),
        ("datetime", "the date range"),
        ("intersects", "the geometry"),
        ("bbox", "the bounding box"),
        ("ids", "the ids"),
    ):
        if parameters.get(key) is not None and (matched := count(**{key: None})):
            return (
                f"Nothing matches; without {label} ({parameters[key]!r}) {matched} items would. "
                "Loosen that filter."
            )
    return "Nothing matches, and no single filter explains it: loosen several at once."
