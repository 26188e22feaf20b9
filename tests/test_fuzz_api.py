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
from pathlib import Path


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
