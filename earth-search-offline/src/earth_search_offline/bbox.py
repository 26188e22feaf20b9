"""The one check of a bounding box in degrees: (west, south, east, north)."""

from __future__ import annotations

from collections.abc import Sequence


def check_bbox(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """``bbox`` as (west, south, east, north), or ``ValueError`` saying what is wrong with it.

    A 6-number box (with heights) gives its 2D corners; west > east crosses the antimeridian.
    """
    if len(bbox) == 6:
        west, south, _, east, north, _ = bbox
    elif len(bbox) == 4:
        west, south, east, north = bbox
    else:
        raise ValueError(
            f"bbox has {len(bbox)} numbers; expected 4 (west, south, east, north) or 6."
        )
    if not all(-180 <= value <= 180 for value in (west, east)) or not all(
        -90 <= value <= 90 for value in (south, north)
    ):
        raise ValueError(
            f"bbox {list(bbox)} is out of range: longitudes must lie in -180..180 and latitudes "
            "in -90..90, in the order (west, south, east, north). Did you write latitude "
            "first, or use metres?"
        )
    if south > north:
        raise ValueError(
            f"bbox south ({south}) is greater than north ({north}): the order is "
            "(west, south, east, north)."
        )
    return west, south, east, north
