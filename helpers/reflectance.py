"""The lesson's rule for turning Earth Search's stored numbers into surface reflectance.

Episodes 5 and 6 type this rule out; the widgets and the benchmarks use it from here:

- ``reflectance = value * scale + offset``, with ``scale`` and ``offset`` from the asset's
  ``raster:bands``;
- except where the item says ``earthsearch:boa_offset_applied: true``: Earth Search has already
  taken ESA's offset out of those pixels, and the ``offset: -0.1`` still declared on them is a
  known metadata error ("the boa_offset_applied is the truth", Element84/earth-search#9). Items
  without the property (Collection 1, other catalogs) hold ESA's numbers as delivered.

The flag itself is wrong on some items (Element84/earth-search#66, #71):
``helpers.checks.check_water_reflectance`` tells from the pixels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The item property by which Earth Search says "the offset is already in the pixels".
OFFSET_APPLIED_PROPERTY = "earthsearch:boa_offset_applied"


def rule_scale_and_offset(
    properties: Mapping[str, Any], raster_band: Mapping[str, Any]
) -> tuple[float, float]:
    """The rule on plain STAC dictionaries: an item's properties and one ``raster:bands`` entry."""
    offset = 0 if properties.get(OFFSET_APPLIED_PROPERTY) else raster_band.get("offset", 0)
    return raster_band.get("scale", 1), offset


def scale_and_offset(item: Any, key: str) -> tuple[float, float]:
    """The ``scale`` and the ``offset`` to apply to asset ``key`` of a pystac ``item``."""
    return rule_scale_and_offset(item.properties, item.assets[key].extra_fields["raster:bands"][0])
