"""Queryables: the item properties the catalog holds, with their JSON types (filter extension)."""

from __future__ import annotations

from typing import Any

import attr
from stac_fastapi.extensions.filter.client import AsyncBaseFiltersClient

from ..catalog_index import CatalogIndex


@attr.s
class OfflineFiltersClient(AsyncBaseFiltersClient):
    """Queryables: the item properties the catalog holds, with their JSON types."""

    catalog: CatalogIndex = attr.ib(default=None)

    async def get_queryables(self, collection_id: str | None = None, **kwargs: Any) -> dict:
        types: dict[str, str] = {}
        for item in self.catalog.items:
            if collection_id and item.collection != collection_id:
                continue
            for name, value in item.document["properties"].items():
                types.setdefault(name, _json_type(value))
        properties: dict[str, Any] = {
            "id": {"type": "string", "title": "Item ID"},
            "collection": {"type": "string", "title": "Collection ID"},
            "geometry": {"$ref": "https://geojson.org/schema/Geometry.json"},
            "datetime": {"type": "string", "format": "date-time"},
        }
        for name, kind in sorted(types.items()):
            properties.setdefault(name, {"type": kind})
        return {
            "$schema": "https://json-schema.org/draft/2019-09/schema",
            "$id": "queryables",
            "type": "object",
            "title": "Queryables of the offline Earth Search",
            "properties": properties,
            "additionalProperties": True,
        }


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"
