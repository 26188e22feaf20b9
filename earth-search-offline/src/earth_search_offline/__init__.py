"""The offline Earth Search: a stand-in for Earth Search v1 that runs on one laptop.

- ``archive``: a synthetic Sentinel-2 archive (geography -> acquisitions -> scenes -> items and
  pixel files), written as a static catalog folder;
- ``api``: a stac-fastapi app over that folder (or a mirror), with an HTTP Range file server;
- ``mirror``: copy a search of a real STAC API, clipped to an area, into such a folder;
- ``cli``: ``earth-search-offline generate|serve|mirror`` (``python -m earth_search_offline``).

Importing the package loads nothing else: each part is imported where it is used.
"""

__version__ = "0.2.0"
