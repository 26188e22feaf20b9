"""Is this computer ready for the lesson? One screen of checks, each with what to do.

    python -m helpers.setup_check

Checks the Python version, the installed libraries (and GDAL), the offline catalog, the STAC
API in ``STAC_API_URL``, the live Earth Search, and that GDAL can read a Cloud Optimized
GeoTIFF over HTTP; says when the lesson was last checked against the live Earth Search. Exit
code 0 when the lesson can run, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import requests
from earth_search_offline.archive.generate import catalog_is_current
from earth_search_offline.earth_search import LIVE_API_URL as LIVE_URL
from earth_search_offline.settings import DEFAULT_API_URL
from packaging.requirements import Requirement

from . import gdal
from .lab import catalog_folder
from .live_check import current_freshness

#: The lesson and the offline Earth Search it depends on: their requirements are checked.
DISTRIBUTIONS = ("access-satellite-imagery-lesson", "earth-search-offline")
OFFLINE_HINT = f"start the offline catalog with `make lab` (or `make serve`: {DEFAULT_API_URL})"


@dataclass
class Check:
    """The outcome of one check: ``ok`` True/False, or None for information only."""

    name: str
    ok: bool | None
    detail: str


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check("Python", ok, version if ok else f"{version}: the lesson needs 3.11 or newer")


def _libraries() -> Check:
    try:
        requirements = [
            Requirement(line)
            for distribution in DISTRIBUTIONS
            for line in metadata.requires(distribution) or []
        ]
    except metadata.PackageNotFoundError:
        hint = "`make setup` (or `pip install -e ./earth-search-offline -e .` in the lesson folder)"
        return Check("Libraries", False, f"the lesson is not installed: run {hint}")
    problems, found = [], []
    for requirement in requirements:
        if requirement.marker is not None:
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            problems.append(f"{requirement.name} missing")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement.name} {version} (needs {requirement.specifier})")
        found.append(f"{requirement.name} {version}")
    import rasterio

    summary = f"{len(found)} found, GDAL {rasterio.__gdal_version__}"
    key = [item for item in found if item.split()[0] in ("pystac-client", "rioxarray")]
    if problems:
        return Check("Libraries", False, "; ".join(problems) + ": run `make setup` again")
    return Check("Libraries", True, f"{summary} ({', '.join(key)})")


def _offline_catalog() -> Check:
    folder = catalog_folder()
    if catalog_is_current(folder):
        return Check("Offline catalog", True, f"generated in {folder}")
    return Check("Offline catalog", None, "not generated yet (needed only offline): `make catalog`")


def _landing(url: str) -> tuple[dict | None, str]:
    try:
        response = requests.get(url, timeout=(5, 10))
        response.raise_for_status()
        return response.json(), ""
    except (requests.RequestException, ValueError) as error:
        return None, type(error).__name__


def _configured_api() -> tuple[Check, str | None]:
    url = os.environ.get("STAC_API_URL")
    if not url:
        return Check("STAC_API_URL", None, "not set: the notebooks use the live Earth Search"), None
    landing, error = _landing(url)
    if landing is None:
        return Check(
            "STAC_API_URL", False, f"{url} does not answer ({error}): {OFFLINE_HINT}"
        ), None
    return Check("STAC_API_URL", True, f"{url}: {landing.get('title', 'a STAC API')}"), url


def _live_api() -> tuple[Check, str | None]:
    landing, error = _landing(LIVE_URL)
    if landing is None:
        hint = f"not reachable from here ({error}); work offline: {OFFLINE_HINT}"
        return Check("Live Earth Search", None, hint), None
    return Check("Live Earth Search", True, f"{LIVE_URL} answers"), LIVE_URL


def _last_live_check() -> Check:
    """Information only: an old record is the maintainers' to renew, not the learner's to fix."""
    return Check("Last live check", None, current_freshness())


def _cog_over_http(api_url: str | None) -> Check:
    if api_url is None:
        return Check("Read a COG over HTTP", False, f"no STAC API reachable: {OFFLINE_HINT}")
    import rasterio
    from pystac_client import Client

    gdal.configure()
    started = time.perf_counter()
    try:
        item = next(
            Client.open(api_url).search(collections=["sentinel-2-l2a"], max_items=1).items()
        )
        with rasterio.open(item.assets["visual"].href) as dataset:
            pixels = dataset.read(1, window=((0, 64), (0, 64)))
    except Exception as error:  # any failure here means "cannot read imagery": report it
        return Check("Read a COG over HTTP", False, f"{type(error).__name__}: {error}")
    seconds = time.perf_counter() - started
    return Check(
        "Read a COG over HTTP",
        True,
        f"read a {pixels.shape[0]}x{pixels.shape[1]} window of {item.id} in {seconds:.1f} s",
    )


def run_checks() -> list[Check]:
    """Every check, in order; the COG check uses STAC_API_URL, else the live API."""
    configured, configured_url = _configured_api()
    live, live_url = _live_api()
    checks: list[Callable[[], Check]] = [_python, _libraries, _offline_catalog]
    results = [check() for check in checks] + [configured, live]
    results.append(_cog_over_http(configured_url or live_url))
    results.append(_last_live_check())
    return results


def report(results: list[Check]) -> str:
    marks = {True: "OK  ", False: "FIX ", None: "info"}
    width = max(len(check.name) for check in results)
    lines = [f"[{marks[check.ok]}] {check.name:<{width}}  {check.detail}" for check in results]
    ready = all(check.ok is not False for check in results)
    lines.append("Ready for the lesson." if ready else "Not ready yet: fix the lines marked FIX.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m helpers.setup_check",
        description="Check that this computer is ready for the lesson (one screen of checks).",
    ).parse_args(argv)
    results = run_checks()
    print(report(results))
    return 0 if all(check.ok is not False for check in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
