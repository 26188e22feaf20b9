"""Does the offline stand-in still look like Earth Search? A field-by-field fidelity report.

    python -m tools.fidelity                      # the offline stand-in against the live API
    python -m tools.fidelity --offline URL --live URL [--collection ID ...]

Runs the lesson's searches on both APIs, for each collection, and compares what comes back:
collections and conformance classes, id patterns, property names, asset keys with their
``type``, ``roles``, ``gsd``, ``raster:bands`` and ``eo:bands``, ``stac_extensions``, link
relations, paging and ``numberMatched``; and, on the clearest summer scene, the reflectance of
water and vegetation in episode 5's box, converted by the lesson's rule. Prints a table of the
differences and exits with 1 if any is not in ``ALLOWED`` (each allowed difference says why).
Without ``--offline`` it starts the offline server itself. ``make test-live`` runs it with
``--report`` (the table, also as a file) and ``--record`` (``helpers/live_check.json``: the date,
the API, the live counts of the lesson's searches, the differences, and ``--science``, the
outcome of the science checks run before it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from earth_search_offline.earth_search import LIVE_API_URL
from pystac_client import Client
from rasterio.windows import from_bounds
from shapely.geometry import Point

from helpers import places
from helpers.checks import water_reflectance
from helpers.live_check import LiveCheck, write_live_check
from helpers.places import CLIP_BOX_UTM
from helpers.reflectance import rule_scale_and_offset

LIVE_URL = LIVE_API_URL
COLLECTIONS = ("sentinel-2-l2a", "sentinel-2-c1-l2a")
AMSTERDAM = Point(*places.AMSTERDAM)

#: The lesson's searches (episodes 2, 5 and 6), each limited to a small page so paging shows.
SEARCHES: dict[str, dict[str, Any]] = {
    "point": {"intersects": AMSTERDAM.__geo_interface__, "limit": 5},
    "clear 2021": {
        "bbox": AMSTERDAM.buffer(0.05).bounds,
        "datetime": "2021-01-01/2021-12-31",
        "query": {"eo:cloud_cover": {"lt": 5}},
        "limit": 5,
    },
    "summer 2022": {
        "intersects": AMSTERDAM.__geo_interface__,
        "datetime": "2022-06-01/2022-08-31",
        "query": {"grid:code": {"eq": "MGRS-31UFU"}},
        "sortby": "eo:cloud_cover",
        "limit": 3,
    },
}


@dataclass(frozen=True)
class Difference:
    """One way the offline answers differ from the live ones."""

    collection: str
    aspect: str
    detail: str
    offline: str
    live: str

    @property
    def allowed_because(self) -> str | None:
        for (aspect, pattern), reason in ALLOWED.items():
            if aspect == self.aspect and re.fullmatch(pattern, self.detail):
                return reason
        return None


#: Differences that are expected, with the reason: (aspect, detail as a regular expression).
ALLOWED: dict[tuple[str, str], str] = {
    ("property", r"title|description"): "synthetic items say so in their title and description",
    ("property", r"view:azimuth|view:incidence_angle"): "sensor view angles are not modelled",
    ("asset field", r".*\.file:(checksum|size)"): "offline files are made after the metadata",
    ("extension", r".*/file/v[\d.]+/schema\.json"): "no file:* fields offline (see above)",
    ("collections", r"live only: .*"): "the stand-in serves only the lesson's two collections",
    ("conformance", r"offline only: .*filter.*|offline only: .*cql2.*"): (
        "the stand-in also answers CQL2 filters, which live Earth Search does not advertise"
    ),
    ("processing:software", r".*"): "made by the lesson's generator, not by Earth Search",
    # The archive of late 2026. Counts are never compared (only whether numberMatched is there):
    # the regeneration of August 2026 "added over 1 mil items" (Element84/earth-search#76).
    ("paging", r"summer 2022: next link"): (
        "live Collection 1 still misses 2022 scenes (Element84/earth-search#70, #44): its summer "
        "2022 may fit one page"
    ),
    ("reflectance", r"no live scene with red, nir and scl"): (
        "live items may lack their COGs: JP2-only sentinel-2-l2a items (Element84/earth-search"
        "#79), Collection 1 items missing most assets (#36) or scenes (#70, #44)"
    ),
}


def _id_pattern(item_id: str) -> str:
    """S2B_31UFU_20210818_0_L2A -> S2X_99XXX_99999999_9_L2A (digits and tile letters)."""
    pattern = re.sub(r"\d", "9", item_id)
    return re.sub(r"(?<=_9{2})[A-Z]{3}|(?<=_T9{2})[A-Z]{3}|(?<=^S2)[A-Z]", "X", pattern)


def _raster(asset: dict[str, Any]) -> str:
    bands = asset.get("raster:bands") or []
    fields = ("data_type", "nodata", "scale", "offset", "unit")
    return str([{field: band.get(field) for field in fields if field in band} for band in bands])


def _eo(asset: dict[str, Any]) -> str:
    return str([(band.get("name"), band.get("common_name")) for band in asset.get("eo:bands", [])])


def fingerprint(api_url: str, collection: str) -> dict[str, Any]:
    """What the lesson's searches return from ``api_url`` for ``collection``, summarised."""
    client = Client.open(api_url)
    landing = {
        "collections": {c.id for c in client.get_collections()},
        "conformance": set(client.to_dict().get("conformsTo", [])),
    }
    items: list[dict[str, Any]] = []
    pages: dict[str, dict[str, Any]] = {}
    for name, parameters in SEARCHES.items():
        filters = {key: value for key, value in parameters.items() if key != "limit"}
        search = client.search(collections=[collection], max_items=parameters["limit"], **filters)
        page = next(search.pages_as_dicts(), {"features": []})
        pages[name] = page
        items.extend(page["features"])
    assets: dict[str, dict[str, Any]] = {}
    for item in items:
        for key, asset in item.get("assets", {}).items():
            assets.setdefault(key, asset)
    return {
        **landing,
        "items": items,
        "id pattern": {_id_pattern(item["id"]) for item in items},
        "property": {name for item in items for name in item["properties"]},
        "processing:software": {
            str(item["properties"].get("processing:software")) for item in items
        },
        "asset": set(assets),
        "asset fields": {
            key: {
                "type": asset.get("type"),
                "roles": str(sorted(asset.get("roles", []))),
                "gsd": asset.get("gsd"),
                "raster:bands": _raster(asset),
                "eo:bands": _eo(asset),
                **{name: "present" for name in asset if name.startswith("file:")},
            }
            for key, asset in assets.items()
        },
        "extension": {url for item in items for url in item.get("stac_extensions", [])},
        "item link": {link["rel"] for item in items for link in item.get("links", [])},
        "paging": {
            f"{name}: {field}"
            for name, page in pages.items()
            for field, present in (
                ("numberMatched", "numberMatched" in page),
                ("next link", any(link["rel"] == "next" for link in page.get("links", []))),
            )
            if present
        },
        "reflectance": _reflectance(pages["summer 2022"]["features"]),
        "matched": {name: page.get("numberMatched") for name, page in pages.items()},
    }


def _read_box(href: str) -> np.ndarray:
    with rasterio.open(href) as dataset:
        return dataset.read(1, window=from_bounds(*CLIP_BOX_UTM, dataset.transform)).astype(
            "float64"
        )


def _reflectance(items: list[dict[str, Any]]) -> dict[str, float]:
    """Water's red and NIR reflectance and vegetation's NDVI in the box, by the lesson's rule,
    on the first item that has the assets (as the lesson keeps them: Element84/earth-search#79)."""
    readable = [item for item in items if {"red", "nir", "scl"} <= set(item.get("assets", {}))]
    if not readable:
        return {}
    item = readable[0]

    def convert(key: str) -> np.ndarray:
        band = item["assets"][key]["raster:bands"][0]
        scale, offset = rule_scale_and_offset(item["properties"], band)
        numbers = _read_box(item["assets"][key]["href"])
        return np.where(numbers > 0, numbers * scale + offset, np.nan)

    red, nir = convert("red"), convert("nir")
    scl = np.repeat(np.repeat(_read_box(item["assets"]["scl"]["href"]), 2, axis=0), 2, axis=1)
    water_red, water_nir, _ = water_reflectance(red, nir, scl)
    vegetation = ((nir - red) / (nir + red))[scl == 4]
    return {
        "water red": round(water_red, 3),
        "water nir": round(water_nir, 3),
        "vegetation ndvi": round(float(np.nanmedian(vegetation)), 2) if vegetation.size else np.nan,
    }


def _set_differences(collection: str, aspect: str, offline: set, live: set) -> Iterable[Difference]:
    for value in sorted(map(str, offline - live)):
        yield Difference(collection, aspect, value, "present", "missing")
    for value in sorted(map(str, live - offline)):
        yield Difference(collection, aspect, value, "missing", "present")


def compare(collection: str, offline: dict[str, Any], live: dict[str, Any]) -> list[Difference]:
    """Every difference between two fingerprints of one collection."""
    found: list[Difference] = []
    for aspect in ("id pattern", "property", "asset", "extension", "item link", "paging"):
        found += _set_differences(collection, aspect, offline[aspect], live[aspect])
    if offline["processing:software"] != live["processing:software"]:
        found.append(
            Difference(collection, "processing:software", "value",
                       ", ".join(sorted(offline["processing:software"])),
                       ", ".join(sorted(live["processing:software"])))
        )  # fmt: skip
    for kind in ("collections", "conformance"):
        for value in sorted(offline[kind] - live[kind]):
            found.append(
                Difference(collection, kind, f"offline only: {value}", "present", "missing")
            )
        for value in sorted(live[kind] - offline[kind]):
            found.append(Difference(collection, kind, f"live only: {value}", "missing", "present"))
    for key in sorted(set(offline["asset fields"]) & set(live["asset fields"])):
        ours, theirs = offline["asset fields"][key], live["asset fields"][key]
        for field in sorted(set(ours) | set(theirs)):
            if ours.get(field) != theirs.get(field):
                found.append(
                    Difference(collection, "asset field", f"{key}.{field}",
                               str(ours.get(field)), str(theirs.get(field)))
                )  # fmt: skip
    found += _reflectance_differences(collection, offline["reflectance"], live["reflectance"])
    return found


#: Synthetic pixels cannot equal real ones; both must be physical and close.
REFLECTANCE_TOLERANCE = {"water red": 0.03, "water nir": 0.03, "vegetation ndvi": 0.25}


def _reflectance_differences(
    collection: str, offline: dict[str, float], live: dict[str, float]
) -> list[Difference]:
    if offline and not live:
        return [Difference(collection, "reflectance", "no live scene with red, nir and scl",
                           "read", "none")]  # fmt: skip
    found = []
    for name, tolerance in REFLECTANCE_TOLERANCE.items():
        ours, theirs = offline.get(name, float("nan")), live.get(name, float("nan"))
        if not abs(ours - theirs) <= tolerance:
            found.append(
                Difference(collection, "reflectance", f"{name} (within {tolerance})",
                           str(ours), str(theirs))
            )  # fmt: skip
    return found


def report(differences: list[Difference]) -> str:
    """A Markdown table of the differences, the allowed ones marked with their reason."""
    if not differences:
        return "No differences: the stand-in answers like the live API."
    lines = [
        "| collection | aspect | detail | offline | live | allowed because |",
        "|---" * 6 + "|",
    ]
    for difference in differences:
        reason = difference.allowed_because or "**NOT ALLOWED**"
        lines.append(
            f"| {difference.collection} | {difference.aspect} | {difference.detail} | "
            f"{difference.offline} | {difference.live} | {reason} |"
        )
    unexpected = sum(1 for difference in differences if difference.allowed_because is None)
    lines.append(f"\n{len(differences)} differences, {unexpected} not allowed.")
    return "\n".join(lines)


def run(
    offline_url: str, live_url: str, collections: Iterable[str] = COLLECTIONS,
    report_path: Path | None = None, record: Path | None = None, science: str = "not run",
) -> int:  # fmt: skip
    """Print the report (and write it to ``report_path``, the record to ``record``); 0 when every
    difference is allowed, 1 otherwise."""
    differences: list[Difference] = []
    matched: dict[str, dict[str, int | None]] = {}
    for collection in collections:
        live = fingerprint(live_url, collection)
        differences += compare(collection, fingerprint(offline_url, collection), live)
        matched[collection] = live["matched"]
    text = report(differences)
    print(text)
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text + "\n", encoding="utf-8")
    not_allowed = [f"{d.collection}: {d.aspect}: {d.detail}" for d in differences
                   if d.allowed_because is None]  # fmt: skip
    if record is not None:
        counts = {"allowed": len(differences) - len(not_allowed), "not allowed": not_allowed}
        check = LiveCheck(
            checked=dt.datetime.now(dt.UTC).date(), api=live_url, collections=list(matched),
            science=science, matched=matched, differences=counts,
        )  # fmt: skip
        print(f"Record written: {write_live_check(check, record)}")
    return 1 if not_allowed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offline", help="the stand-in's API (default: start it here)")
    parser.add_argument("--live", default=LIVE_URL, help=f"the live API (default {LIVE_URL})")
    parser.add_argument("--collection", action="append", choices=COLLECTIONS)
    parser.add_argument("--report", type=Path, help="also write the table to this file")
    parser.add_argument("--record", type=Path, help="write the live-check record to this file")
    parser.add_argument(
        "--science", choices=("passed", "failed", "not run"), default="not run",
        help="the outcome of tests/test_science.py on the live API, for the record",
    )  # fmt: skip
    args = parser.parse_args(argv)
    collections = args.collection or COLLECTIONS
    options = {"report_path": args.report, "record": args.record, "science": args.science}
    if args.offline:
        return run(args.offline, args.live, collections, **options)
    from earth_search_offline.testing import OfflineServer

    from helpers.lab import prepare_catalog

    with OfflineServer(prepare_catalog(), port=0) as server:
        return run(server.api_url, args.live, collections, **options)


if __name__ == "__main__":
    sys.exit(main())
