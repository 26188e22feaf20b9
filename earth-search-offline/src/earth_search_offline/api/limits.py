"""Limits on what one request may ask of the offline server, checked before any work is done.

One learner's mistake, or a hostile client on a workshop network, must not crash the server or
hold it for everyone: a CQL2 text filter nested a few thousand levels deep overflows the stack
of cql2's parser (the process dies), and very deep or very wide filters take seconds to
evaluate. Every limit here is far above what a search needs; a request over one gets a 400 that
names the limit and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sized
from typing import Any

import numpy as np

from ..errors import SearchError

#: Characters of a CQL2 text filter, or of a JSON parameter of a GET search.
MAX_TEXT_LENGTH = 10_000
#: Brackets open at once in a filter or a GET parameter (an operator level, a geometry's rings).
MAX_TEXT_NESTING = 24
#: Containers (objects and arrays) open at once in a JSON body: about two per filter level.
MAX_JSON_NESTING = 50
#: Operators in one filter (``and``, ``=``, ``s_intersects``...). Over the whole generated
#: catalog each costs about 2 ms, a spatial one (``s_...``) about 70 ms (cql2 reads every item's
#: geometry again) and a vertex of its geometry about 0.6 ms: with these limits the costliest
#: accepted filter stays under 0.2 s (``python -m benchmarks.api``).
MAX_FILTER_TERMS = 24
MAX_SPATIAL_OPERATORS = 1
#: Operators inside operators (``not(and(or(...)))``); nesting costs more than width.
MAX_FILTER_DEPTH = 8
#: Coordinate pairs of `intersects` (shapely prepares it once: cheap) and of a filter's shapes.
MAX_VERTICES = 10_000
MAX_FILTER_VERTICES = 32
#: Entries of the ``collections`` and ``ids`` lists.
MAX_COLLECTIONS = 100
MAX_IDS = 1_000

#: Quoted text, whose brackets do not nest: CQL2 '...' ('' inside), "..." (backslash escapes).
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"")
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"([{")] = 1
_STEP[list(b")]}")] = -1


def nesting_depth(text: str | bytes) -> int:
    """How many brackets are open at most in ``text``, not counting those inside quotes.

    Works for CQL2 text and JSON without parsing (it runs before any parser sees the text),
    in C speed: a regular expression drops quoted parts, numpy adds up the brackets.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    unquoted = _QUOTED.sub("", text).encode("utf-8", errors="replace")
    if not unquoted:
        return 0
    level = np.cumsum(_STEP[np.frombuffer(unquoted, dtype=np.uint8)], dtype=np.int64)
    # A closing bracket with nothing open does not lower the depth below 0 (as a parser sees it).
    floor = np.minimum.accumulate(np.minimum(level, 0))
    return int((level - floor).max())


#: Words and signs of CQL2 text that make an operator; cql2's parser recurses on chains of them
#: (``NOT NOT NOT ...``, ``a + a + a ...``), so they are counted before it runs.
_OPERATOR_TOKENS = re.compile(
    r"\b(?:and|or|not|like|between|in|is)\b|<>|<=|>=|[=<>+*/-]|\b\w+\s*\(", re.IGNORECASE
)


def check_text(name: str, text: str, max_nesting: int = MAX_TEXT_NESTING) -> None:
    """Refuse a text parameter that is too long or nested too deep for its parser."""
    if len(text) > MAX_TEXT_LENGTH:
        raise SearchError(
            f"{name} is {len(text):,} characters long; the limit is {MAX_TEXT_LENGTH:,}. "
            "Shorten it: simplify the geometry or split the search."
        )
    depth = nesting_depth(text)
    if depth > max_nesting:
        raise SearchError(
            f"{name} nests {depth} levels of brackets; the limit is {max_nesting}. "
            "Write the condition with fewer nested parentheses."
        )
    operators = len(_OPERATOR_TOKENS.findall(_QUOTED.sub("''", text)))
    if operators > 2 * MAX_FILTER_TERMS:  # loose: the parsed filter is counted exactly after
        raise SearchError(_too_many_terms(name, operators))


def _walk(value: Any) -> Iterable[Any]:
    """Every node of parsed JSON (its nesting is bounded before it is parsed)."""
    yield value
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    )
    for child in children:
        yield from _walk(child)


def operator_depth(expression: Any) -> int:
    """How many CQL2 operators (``{"op": ...}``) are nested inside each other at most."""
    if isinstance(expression, dict):
        inner = max((operator_depth(value) for value in expression.values()), default=0)
        return inner + (1 if "op" in expression else 0)
    if isinstance(expression, list):
        return max((operator_depth(value) for value in expression), default=0)
    return 0


def check_filter(expression: dict[str, Any]) -> None:
    """Refuse a parsed CQL2 expression with too many operators, nested too deep, or with
    geometries of too many vertices."""
    terms = spatial = vertices = 0
    for node in _walk(expression):
        if not isinstance(node, dict):
            continue
        if "op" in node:
            terms += 1
            spatial += str(node["op"]).lower().startswith("s_")
        if "coordinates" in node:
            vertices += count_vertices(node)
    if terms > MAX_FILTER_TERMS:
        raise SearchError(_too_many_terms("filter", terms))
    if spatial > MAX_SPATIAL_OPERATORS:
        raise SearchError(
            f"filter has {spatial} spatial operators; the limit is {MAX_SPATIAL_OPERATORS}. "
            "Combine the geometries into one, or pass the area as intersects."
        )
    depth = operator_depth(expression)
    if depth > MAX_FILTER_DEPTH:
        raise SearchError(
            f"filter nests {depth} operators inside each other; the limit is "
            f"{MAX_FILTER_DEPTH}. Write it flatter: a and (b and c) is a and b and c."
        )
    if vertices > MAX_FILTER_VERTICES:
        raise SearchError(
            _too_many_vertices("filter", vertices, MAX_FILTER_VERTICES)
            + " Or pass the area as intersects, which takes up to "
            f"{MAX_VERTICES:,} vertices."
        )


def _too_many_terms(name: str, terms: int) -> str:
    return (
        f"{name} has {terms:,} operators; the limit is {MAX_FILTER_TERMS}. For many values of "
        "one property, use a single 'in' (e.g. \"grid:code\" IN ('MGRS-31UFU', ...)), or split "
        "the search."
    )


def count_vertices(geometry: Any) -> int:
    """Coordinate pairs of a GeoJSON geometry (or a geometry collection), however nested."""
    if not isinstance(geometry, dict):
        return 0
    if geometry.get("type") == "GeometryCollection":
        return sum(count_vertices(part) for part in geometry.get("geometries") or [])
    return sum(
        1
        for node in _walk(geometry.get("coordinates"))
        if isinstance(node, list) and node and all(isinstance(v, int | float) for v in node)
    )


def check_geometry(name: str, geometry: Any) -> None:
    vertices = count_vertices(geometry)
    if vertices > MAX_VERTICES:
        raise SearchError(_too_many_vertices(name, vertices))


def _too_many_vertices(name: str, vertices: int, limit: int = MAX_VERTICES) -> str:
    return (
        f"{name} has {vertices:,} vertices; the limit is {limit:,}. Simplify the geometry "
        "(shapely: geometry.simplify(0.001))."
    )


def check_list(name: str, values: Sized | None, limit: int) -> None:
    if values is not None and len(values) > limit:
        raise SearchError(
            f"{name} lists {len(values):,} entries; the limit is {limit:,}. Split the search."
        )
