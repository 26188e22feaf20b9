"""The suite's pytest plugins, one job each; the repository's conftest.py loads them.

- ``servers``: the offline catalog and Earth Search servers the tests and notebooks use;
- ``kernels``: offline notebook kernels, and the lesson run that tests read (``lesson_run``);
- ``nbval_capture``: what nbval's run of the episodes produced, kept for those tests;
- ``scheduling``: which tests share a pytest-xdist worker.

Offline (the default) no internet reaches this process or the kernels; live
(``LESSON_LIVE=1``, ``make test-live``) the notebooks run against the real Earth Search.
"""

from __future__ import annotations

import os

from helpers.checkpoints import LESSON_COLLECTION

LIVE = os.environ.get("LESSON_LIVE") == "1"
DEFAULT_COLLECTION = LESSON_COLLECTION
COLLECTION_1 = "sentinel-2-c1-l2a"
#: The browser tests' Chromium: Debian's, never a downloaded one, quiet (no update checks, sync
#: or first-run pages that would reach the network).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
