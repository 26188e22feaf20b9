"""Fuzzing the offline API from its own OpenAPI document (schemathesis), bounded in time.

Any response with a 5xx status fails: bad input must get a 4xx answer that says what was wrong.
A full run (``schemathesis run URL/api --checks not_a_server_error --max-examples 25``) sent
2,866 requests with no server error; the test suite runs a smaller, fixed-seed sample.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
from earth_search_offline.testing import OfflineServer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st


def test_no_server_errors_under_fuzzing(api_url: str, tmp_path: Path) -> None:
    schemathesis = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert schemathesis, "schemathesis is a test dependency"
    result = subprocess.run(
        [schemathesis, "run", f"{api_url}/api", "--checks", "not_a_server_error",
         "--max-examples", "8", "--phases", "examples,fuzzing", "--seed", "7",
         "--request-timeout", "20", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    generated = int(re.search(r"(\d+) generated, (\d+) passed", output).group(1))
    assert generated >= 40, output[-2000:]


def _comparison(data: st.DataObject) -> dict:
    value = data.draw(st.floats(-10, 110, allow_nan=False), label="value")
    op = data.draw(st.sampled_from(["=", "<", ">", "<=", ">=", "<>"]), label="op")
    return {"op": op, "args": [{"property": "eo:cloud_cover"}, value]}


def _expression(depth: int, width: int, data: st.DataObject) -> dict:
    """A random CQL2 JSON expression ``depth`` operators deep, ``width`` wide at the top.

    Below the top, each logical operator has one nested branch and a comparison, so the size
    grows with depth + width, not exponentially.
    """
    if depth <= 0:
        return _comparison(data)
    op = data.draw(st.sampled_from(["and", "or", "not"]), label="logical")
    nested = _expression(depth - 1, 1, data)
    if op == "not":
        return {"op": "not", "args": [nested]}
    return {"op": op, "args": [nested, *[_comparison(data) for _ in range(max(width - 1, 1))]]}


def _text(expression: dict) -> str:
    if expression["op"] == "not":
        return f"NOT ({_text(expression['args'][0])})"
    if expression["op"] in ("and", "or"):
        return f" {expression['op'].upper()} ".join(f"({_text(a)})" for a in expression["args"])
    prop, value = expression["args"]
    return f'"{prop["property"]}" {expression["op"]} {value}'


@settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(depth=st.integers(0, 60), width=st.integers(1, 400), as_text=st.booleans(), data=st.data())
def test_deep_and_wide_filters_get_an_answer_or_a_400_quickly(
    private_server: OfflineServer, depth: int, width: int, as_text: bool, data: st.DataObject
) -> None:
    """Filters from harmless to far over every limit: 200 or 400, never 5xx, never slow."""
    expression = _expression(depth, width, data)
    url = f"{private_server.api_url}/search"
    started = time.perf_counter()
    if as_text:
        text = _text(expression)
        response = requests.get(
            url, params={"filter-lang": "cql2-text", "filter": text}, timeout=30
        )
    else:
        response = requests.post(url, json={"filter": expression}, timeout=30)
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 400:
        assert "limit" in response.json()["description"] or "not valid" in response.text
    assert time.perf_counter() - started < 2
    assert requests.get(private_server.api_url, timeout=10).status_code == 200
