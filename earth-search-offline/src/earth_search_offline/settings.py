"""Where the offline Earth Search listens and where its generated catalog lives.

Plain constants and one function, with no heavy imports, so that a lesson's error messages can
name the offline address without loading the server.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The stand-in answers on the loopback interface only, unless told otherwise.
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_API_URL = f"http://{LOOPBACK}:{DEFAULT_PORT}/v1"
#: Environment variable naming the folder of the generated catalog.
CATALOG_ENV = "OFFLINE_CATALOG_DIR"


def catalog_folder() -> Path:
    """``$OFFLINE_CATALOG_DIR``, else ``catalog`` in this user's data folder.

    The data folder is the platform's (``~/.local/share/earth-search-offline`` on Linux,
    ``~/Library/Application Support/earth-search-offline`` on macOS, ``%LOCALAPPDATA%`` on
    Windows), so an installed package finds its catalog wherever it is installed.
    """
    configured = os.environ.get(CATALOG_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    from platformdirs import user_data_path

    return user_data_path("earth-search-offline", appauthor=False) / "catalog"
