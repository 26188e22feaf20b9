"""What the offline API accepts: request models and the parsing of search parameters.

Invalid input raises ``SearchError`` (answered with 400) with a message that says what was
wrong; nothing here touches the catalog.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import attr
import cql2
from fastapi import Query
from pydantic import BaseModel, Field, field_validator, model_validator
from stac_fastapi.extensions import TokenPaginationExtension
from stac_fastapi.types.rfc3339 import str_to_interval
from stac_fastapi.types.search import APIRequest, BaseSearchPostRequest

from ..errors import SearchError
from . import limits


class OfflineSearchPostRequest(BaseSearchPostRequest):
    """POST /search body; like stac-server, a single collection or id may be a plain string."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValueError(
                "the search body must be a JSON object such as "
                f'{{"collections": ["sentinel-2-l2a"]}}, not {type(value).__name__}'
            )
        return value

    @field_validator("collections", "ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class TextOrJsonFilter(BaseModel):
    """POST filters as CQL2 JSON or, as pystac-client sends for text filters, CQL2 text."""

    filter_expr: dict[str, Any] | str | None = Field(None, alias="filter")
    filter_lang: Literal["cql2-json", "cql2-text"] | None = Field(None, alias="filter-lang")


@attr.s
class GETNextPagination(APIRequest):
    """Earth Search (stac-server) pages with a ``next`` token, not ``token``."""

    next: Annotated[str | None, Query(description="Token of the next page")] = attr.ib(default=None)


class POSTNextPagination(BaseModel):
    next: str | None = None


@attr.s
class NextTokenPaginationExtension(TokenPaginationExtension):
    GET: type[APIRequest] = GETNextPagination
    POST: type[BaseModel] = POSTNextPagination


def interval(text: str | None) -> tuple[Any, Any] | None:
    if not text:
        return None
    parsed = str_to_interval(text)
    if isinstance(parsed, tuple):
        start, end = parsed
        if start is not None and end is not None and start > end:
            raise SearchError(
                f"datetime {text!r} ends before it starts; write the earlier date first "
                "(e.g. 2021-01-01/2021-12-31)."
            )
        return start, end
    return parsed, parsed


def json_parameter(name: str, text: str | None) -> Any:
    if text is None:
        return None
    limits.check_text(name, text, limits.MAX_JSON_NESTING)
    try:
        return json.loads(text)
    except ValueError:
        raise SearchError(f"{name} must be JSON, got {text!r}.") from None


def parse_filter(expression: Any, language: str | None) -> cql2.Expr | None:
    if expression is None:
        return None
    if isinstance(expression, str):  # a parsed (JSON) filter came in a body already bounded
        text_nesting = (
            limits.MAX_JSON_NESTING if language == "cql2-json" else limits.MAX_TEXT_NESTING
        )
        limits.check_text("filter", expression, text_nesting)  # before cql2's parser sees it
    try:
        if isinstance(expression, dict):
            parsed = cql2.Expr(expression)
        elif language == "cql2-json":
            parsed = cql2.parse_json(expression)
        else:
            parsed = cql2.parse_text(expression)
        parsed.validate()
    except Exception as error:  # cql2 raises several types for malformed input
        raise SearchError(f"filter is not valid {language or 'CQL2'}: {error}") from None
    limits.check_filter(parsed.to_json())
    return parsed


def field_name(name: str) -> str:
    return (
        name
        if name.startswith("properties.") or name in ("id", "collection")
        else (f"properties.{name}")
    )


def sort_term(term: str) -> tuple[str, str]:
    term = term.strip()
    direction = "desc" if term.startswith("-") else "asc"
    return field_name(term.lstrip("+-")), direction


def split_fields(fields: list[str]) -> tuple[set[str], set[str]]:
    include = {f.lstrip("+") for f in fields if f and not f.startswith("-")}
    exclude = {f[1:] for f in fields if f.startswith("-")}
    return include, exclude
