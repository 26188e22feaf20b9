"""Plumbing for the 'Access satellite imagery using Python' lesson.

The notebooks call pystac-client, rioxarray, shapely and matplotlib themselves; this package
only runs the offline Earth Search stand-in and keeps small conveniences out of the way.
"""

__version__ = "0.1.0"
