"""The synthetic Sentinel-2 archive: its geography, acquisitions, scenes, items and files."""
