"""Queryables: the item properties the catalog holds, with their JSON types (filter extension).

``/v1/queryables`` for the whole API and, as on Earth Search, ``/v1/collections/{id}/queryables``
for one collection, which each collection document links to.
"""

from __future__ import annotations

from typing import Any

import attr
from fastapi import FastAPI
from stac_fastapi.api.models import CollectionUri
from stac_fastapi.api.routes import create_async_endpoint
from stac_fastapi.extensions import SearchFilterExtension
from stac_fastapi.extensions.filter.client import AsyncBaseFiltersClient
from stac_fastapi.types.errors import NotFoundError

from ..catalog_index import CatalogIndex
from .core_client import unknown_collection_message


def add_collection_queryables(app: FastAPI, extension: SearchFilterExtension) -> None:
    """``/v1/collections/{collection_id}/queryables``, from the filter extension's client.

    stac-fastapi's ``SearchFilterExtension`` answers ``/queryables`` only; its
    ``FilterExtension`` adds the collections' but also claims filtering on the items endpoint,
    which this server (like Earth Search) does not offer. The extension stays stac-fastapi's own
    class: the landing page links to the queryables only for an extension of that name.
    """
    app.router.add_api_route(
        name="Collection Queryables",
        path=f"{app.state.router_prefix}/collections/{{collection_id}}/queryables",
        methods=["GET"],
        responses={200: {"content": {"application/schema+json": {}}}},
        response_class=extension.response_class,
        endpoint=create_async_endpoint(extension.client.get_queryables, CollectionUri),
        tags=["Filter Extension"],
    )


@attr.s
class OfflineFiltersClient(AsyncBaseFiltersClient):
    """Queryables: the item properties the catalog holds, with their JSON types."""

    catalog: CatalogIndex = attr.ib(default=None)

    async def get_queryables(self, collection_id: str | None = None, **kwargs: Any) -> dict:
        if collection_id and collection_id not in self.catalog.collections:
            raise NotFoundError(unknown_collection_message(collection_id, self.catalog))
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
