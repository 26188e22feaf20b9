"""How to cite and reuse the lesson: ``CITATION.cff`` is valid Citation File Format 1.2.0, and the
licences it names are in the repository as files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPOSITORY / "tests/data/citation-file-format-1.2.0.schema.json").read_text())


def _citation() -> dict:
    return yaml.safe_load((REPOSITORY / "CITATION.cff").read_text())


def test_the_citation_is_valid_cff() -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(_citation())


def test_the_schema_refuses_what_is_not_cff() -> None:
    """The validation can fail: no authors, a licence that is not an SPDX id, an unknown key."""
    validator = jsonschema.Draft7Validator(SCHEMA)
    for change in ({"authors": []}, {"license": "CC BY"}, {"doi": "not a doi"}, {"colour": 1}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate({**_citation(), **change})


def test_it_names_the_lessons_licences_title_and_version() -> None:
    citation = _citation()
    assert citation["license"] == ["CC-BY-4.0", "MIT"]
    assert "MIT License" in (REPOSITORY / "LICENSE").read_text()
    assert "CC BY 4.0" in (REPOSITORY / "LICENSE-CONTENT.md").read_text()
    pyproject = (REPOSITORY / "pyproject.toml").read_text()
    assert f'version = "{citation["version"]}"' in pyproject
    assert 'license = { text = "CC-BY-4.0 (lesson text), MIT (code)" }' in pyproject
    assert citation["title"] in (REPOSITORY / "README.md").read_text().splitlines()[0]
