"""Validate STAC documents against the official JSON schemas, offline.

The schemas live in ``tests/data/stac-schemas/``, each at its URL without ``https://``
(byte-identical copies; sources and licences in that folder's README). A document is checked
against the core schema of its ``stac_version`` and type, plus every schema in its
``stac_extensions``, as STAC validators do. A ``$ref`` to any other address fails instead of
going to the network.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "data" / "stac-schemas"
HOSTS = ("schemas.stacspec.org", "stac-extensions.github.io", "geojson.org", "proj.org")
PREFIXES = tuple(f"https://{host}/" for host in HOSTS)
CORE = {
    "Feature": "item-spec/json-schema/item.json",
    "Collection": "collection-spec/json-schema/collection.json",
    "Catalog": "catalog-spec/json-schema/catalog.json",
}


def schema_path(url: str) -> Path:
    """Where the schema of ``url`` is stored; raises LookupError for an address not kept."""
    if not url.startswith(PREFIXES):
        raise LookupError(f"not stored offline: {url}")
    return SCHEMAS / url.removeprefix("https://")


def _retrieve(uri: str) -> Resource:
    return Resource.from_contents(json.loads(schema_path(uri).read_text(encoding="utf-8")))


def _stored_schemas() -> list[tuple[str, Resource]]:
    return [
        (url, _retrieve(url))
        for url in (f"https://{path.relative_to(SCHEMAS).as_posix()}"
                    for path in sorted(SCHEMAS.rglob("*.json")))
    ]  # fmt: skip


# Every stored schema loaded and crawled once: looked up, not read again, at each validation.
REGISTRY = Registry(retrieve=_retrieve).with_resources(_stored_schemas()).crawl()


def schema_urls(document: dict[str, Any]) -> list[str]:
    """The core schema of the document's type and version, then its extensions' schemas."""
    core = f"https://schemas.stacspec.org/v{document['stac_version']}/{CORE[document['type']]}"
    return [core, *document.get("stac_extensions", [])]


@cache
def _validator(url: str) -> Draft7Validator:
    return Draft7Validator({"$ref": url}, registry=REGISTRY)


def stac_errors(document: dict[str, Any]) -> list[str]:
    """One line per schema error of ``document`` (empty when it is valid)."""
    return [
        f"{document.get('id')}: {url}: {error.json_path}: {error.message[:200]}"
        for url in schema_urls(document)
        for error in _validator(url).iter_errors(document)
    ]
