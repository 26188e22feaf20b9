"""Where the offline stand-in listens by default: shared by its server and the lesson's messages.

A module of its own, with no imports, so that the error messages of the notebooks can name the
offline address without loading the stand-in.
"""

from __future__ import annotations

#: The stand-in answers on the loopback interface only, unless told otherwise.
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_API_URL = f"http://{LOOPBACK}:{DEFAULT_PORT}/v1"
