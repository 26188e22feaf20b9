"""stac-api-validator (the STAC community's conformance checker) against the offline API.

The validator also checks each document against the JSON schemas of STAC and its extensions.
Its schema downloads are answered from ``tests/data/stac-schemas`` (``tests/offline_schemas``
is put on its PYTHONPATH), so it runs with no network and no message is set aside: every error
fails the test. Both collections are checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.places import AMSTERDAM

CONFORMANCE = [
    "core",
    "collections",
    "features",
    "item-search",
    "item-search#query",
    "item-search#sort",
    "item-search#fields",
    "filter",
]
TESTS = Path(__file__).parent


def _validator() -> str:
    found = shutil.which("stac-api-validator", path=str(Path(sys.executable).parent))
    assert found, "stac-api-validator is a test dependency (pip install -e '.[test]')"
    return found


@pytest.mark.parametrize("collection", ["sentinel-2-l2a", "sentinel-2-c1-l2a"])
def test_offline_api_passes_stac_api_validator(
    api_url: str, collection: str, tmp_path: Path
) -> None:
    command = [
        _validator(),
        "--root-url",
        api_url,
        "--collection",
        collection,
        "--geometry",
        json.dumps({"type": "Point", "coordinates": list(AMSTERDAM)}),
        "--fields-nested-property",
        "properties.eo:cloud_cover",
        "--query-comparison-field",
        "mgrs:utm_zone",
        "--query-eq-value",
        "31",
        "--query-neq-value",
        "32",
        "--query-lt-value",
        "32",
        "--query-lte-value",
        "31",
        "--query-gt-value",
        "30",
        "--query-gte-value",
        "31",
        "--query-substring-field",
        "platform",
        "--query-starts-with-value",
        "sentinel",
        "--query-ends-with-value",
        "2a",
        "--query-contains-value",
        "2",
        "--query-in-field",
        "instruments",
        "--query-in-values",
        "msi",
    ]
    for name in CONFORMANCE:
        command += ["--conformance", name]
    served = tmp_path / "schemas-served.txt"
    env = {
        **os.environ,
        "PYTHONPATH": str(TESTS / "offline_schemas"),
        "LESSON_STAC_SCHEMAS": str(TESTS / "data" / "stac-schemas"),
        "LESSON_STAC_SCHEMAS_LOG": str(served),
    }
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    output = result.stdout + result.stderr
    assert "Errors: none" in output, output[-3000:]
    assert result.returncode == 0, output[-3000:]
    for checked in ("Query extension", "Sort extension", "Fields extension", "CQL2-JSON"):
        assert checked in output, f"the validator did not check {checked}"
    # The documents were validated against their schemas, read from the local copies.
    urls = set(served.read_text().split())
    assert "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json" in urls
    assert "https://stac-extensions.github.io/raster/v1.1.0/schema.json" in urls
