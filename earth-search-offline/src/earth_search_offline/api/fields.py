"""The fields extension on one item: which parts of it a search answer keeps."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

#: Fields every item keeps when ``include`` names some.
ALWAYS_INCLUDED = frozenset({"type", "stac_version", "id", "collection"})
#: The fields extension's default set, used when ``include`` is given but empty.
DEFAULT_FIELDS = frozenset(
    {
        "type",
        "stac_version",
        "id",
        "geometry",
        "bbox",
        "links",
        "assets",
        "collection",
        "properties.datetime",
    }
)


def filter_fields(
    document: dict[str, Any], include: Iterable[str] | None, exclude: Iterable[str]
) -> dict[str, Any]:
    """Apply the fields extension to one item.

    ``include`` None: the whole item; empty: the default set; otherwise those fields plus
    ``type``, ``stac_version``, ``id`` and ``collection``. ``exclude`` then removes fields,
    except where the same or a deeper field is included
    (``-properties,+properties.eo:cloud_cover`` keeps that one property).
    """
    exclude = set(exclude)
    if include is None:
        kept: set[str] = set()
        result: dict[str, Any] = json.loads(json.dumps(document))
    else:
        kept = set(include)
        result = {}
        for path in (kept | ALWAYS_INCLUDED) if kept else DEFAULT_FIELDS:
            _copy_path(document, result, path)
    for path in exclude:
        if any(field == path or field.startswith(path + ".") for field in kept):
            continue
        _delete_path(result, path)
    return result


def _copy_path(source: dict[str, Any], target: dict[str, Any], path: str) -> None:
    head, _, rest = path.partition(".")
    if head not in source:
        return
    if not rest or not isinstance(source[head], dict):
        target[head] = json.loads(json.dumps(source[head]))
        return
    branch = target.setdefault(head, {})
    if isinstance(branch, dict):
        _copy_path(source[head], branch, rest)


def _delete_path(target: dict[str, Any], path: str) -> None:
    head, _, rest = path.partition(".")
    if head not in target:
        return
    if not rest:
        del target[head]
    elif isinstance(target[head], dict):
        _delete_path(target[head], rest)
