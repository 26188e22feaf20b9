"""The offline Earth Search: a synthetic Sentinel-2 L2A catalog and the local server for it.

Data flows one way: ``geography`` -> ``scenes`` -> ``catalog`` (files on disk) -> ``server``
(STAC API + Range file server) -> pystac-client and rioxarray in the notebooks.

Command line: ``python -m helpers.offline generate|serve|lab`` (see ``--help``).
"""

import logging

# stac-fastapi builds default settings when imported and logs that they are defaults;
# the app we create sets its own title, description and version, so silence that note.
logging.getLogger("stac_fastapi.types.config").setLevel(logging.ERROR)

from ..addresses import DEFAULT_PORT  # noqa: E402
from .process import (  # noqa: E402
    OfflineServer,
    default_catalog_folder,
    ensure_catalog,
)

__all__ = ["DEFAULT_PORT", "OfflineServer", "default_catalog_folder", "ensure_catalog"]
