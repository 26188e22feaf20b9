"""The STAC API of the offline Earth Search, shaped like Earth Search v1 (``app.create_app``)."""

import logging

# stac-fastapi builds default settings when imported and logs that they are defaults; the app
# sets its own title, description and version, so that note says nothing.
logging.getLogger("stac_fastapi.types.config").setLevel(logging.ERROR)
