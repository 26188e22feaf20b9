"""Where the water, the city, the fields and the woods are, for each synthetic scene window.

Three sources, from the most real to the least: inside the extent of a real NDVI of
Amsterdam-Noord and the IJ, the land cover is read from it (``real_amsterdam``); the city's
parks are their real outlines everywhere; the rest is drawn by hand (longitude, latitude in
degrees): good enough for a 10 m image that looks like Amsterdam, not a map to navigate by.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

import numpy as np
import rasterio.features
import shapely
from affine import Affine
from pyproj import Transformer
from shapely import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from . import real_amsterdam

LonLat = tuple[float, float]


class LandCover(IntEnum):
    """Surface types the synthetic scenes distinguish."""

    WATER = 1
    URBAN = 2
    GRASS = 3
    CROP = 4
    FOREST = 5
    BARE = 6


@dataclass(frozen=True, eq=False)
class Feature:
    """A hand-drawn outline of one land-cover patch.

    ``width_m`` turns a line (a canal, a river) into a band of that width.
    """

    name: str
    cover: LandCover
    coordinates: Sequence[LonLat]
    width_m: float | None = None


@dataclass(frozen=True, eq=False)
class Place:
    """A Sentinel-2 MGRS tile and the window of it that the offline catalog fills with pixels.

    The window lies on the tile's own 10/20/60 m pixel grid, so coordinates match real products.
    """

    name: str
    utm_zone: int
    latitude_band: str
    grid_square: str
    window: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in metres
    features: tuple[Feature, ...]
    background: LandCover = LandCover.GRASS
    crop_zones: tuple[Sequence[LonLat], ...] = ()

    @property
    def tile(self) -> str:
        return f"{self.utm_zone}{self.latitude_band}{self.grid_square}"

    @property
    def epsg(self) -> int:
        return 32600 + self.utm_zone

    def shape(self, resolution: int) -> tuple[int, int]:
        xmin, ymin, xmax, ymax = self.window
        return round((ymax - ymin) / resolution), round((xmax - xmin) / resolution)

    def pixel_centres(self, resolution: int) -> tuple[np.ndarray, np.ndarray]:
        """The x (columns) and y (rows, north first) of the window grid's pixel centres."""
        rows, cols = self.shape(resolution)
        xmin, _, _, ymax = self.window
        return (
            xmin + (np.arange(cols) + 0.5) * resolution,
            ymax - (np.arange(rows) + 0.5) * resolution,
        )

    def transform(self, resolution: int) -> Affine:
        xmin, _, _, ymax = self.window
        return Affine(resolution, 0.0, xmin, 0.0, -resolution, ymax)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Known places travel between processes by name, so caches keyed on them still hit.
        if PLACES_BY_TILE.get(self.tile) is self:
            return (place_for_tile, (self.tile,))
        return super().__reduce__()

    def to_utm(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, _to_utm(self.epsg).transform, interleaved=False)

    def footprint_lonlat(self, points_per_side: int = 4) -> list[LonLat]:
        """The window outline in longitude/latitude, counter-clockwise, closed."""
        xmin, ymin, xmax, ymax = self.window
        corners = [(xmax, ymax), (xmin, ymax), (xmin, ymin), (xmax, ymin)]
        ring: list[tuple[float, float]] = []
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
            for step in range(points_per_side):
                fraction = step / points_per_side
                ring.append((x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction))
        ring.append(ring[0])
        to_lonlat = _to_lonlat(self.epsg)
        return [to_lonlat.transform(x, y) for x, y in ring]


@lru_cache
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


@lru_cache
def _to_lonlat(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def _shape_of(feature: Feature) -> BaseGeometry:
    if feature.width_m is not None:
        return LineString(feature.coordinates)
    return Polygon(feature.coordinates)


def _arc(center: LonLat, radius_m: float, start_deg: float, end_deg: float) -> list[LonLat]:
    """Points of a circular arc in lon/lat (angles counter-clockwise from east)."""
    lat_m = 111_320.0
    lon_m = lat_m * np.cos(np.radians(center[1]))
    angles = np.radians(np.linspace(start_deg, end_deg, 24))
    return [
        (center[0] + radius_m * np.cos(a) / lon_m, center[1] + radius_m * np.sin(a) / lat_m)
        for a in angles
    ]


W, U, G, C, F, B = (
    LandCover.WATER,
    LandCover.URBAN,
    LandCover.GRASS,
    LandCover.CROP,
    LandCover.FOREST,
    LandCover.BARE,
)

# Order matters: later features are drawn over earlier ones (water last).
AMSTERDAM_FEATURES: tuple[Feature, ...] = (
    # built-up areas
    Feature("Amsterdam", U, [(4.79, 52.345), (4.80, 52.395), (4.84, 52.402), (4.88, 52.392),
                             (4.93, 52.383), (4.965, 52.372), (4.975, 52.35), (4.96, 52.335),
                             (4.92, 52.325), (4.87, 52.33), (4.82, 52.335)]),
    Feature("Amsterdam-Noord", U, [(4.885, 52.395), (4.89, 52.41), (4.93, 52.415),
                                   (4.965, 52.40), (4.96, 52.384), (4.92, 52.388)]),
    Feature("Westpoort", U, [(4.75, 52.405), (4.76, 52.43), (4.84, 52.41), (4.83, 52.39),
                             (4.80, 52.392)]),
    Feature("Zaandam", U, [(4.79, 52.425), (4.79, 52.46), (4.85, 52.46), (4.85, 52.42)]),
    Feature("Amstelveen", U, [(4.84, 52.285), (4.84, 52.32), (4.89, 52.325), (4.895, 52.29)]),
    Feature("Diemen", U, [(4.95, 52.33), (4.95, 52.35), (4.985, 52.345), (4.98, 52.33)]),
    Feature("Zuidoost", U, [(4.93, 52.29), (4.93, 52.325), (4.99, 52.32), (4.995, 52.295)]),
    Feature("IJburg", U, [(4.985, 52.352), (4.995, 52.362), (5.02, 52.362), (5.035, 52.355),
                          (5.03, 52.343), (5.0, 52.345)]),
    Feature("Schiphol", U, [(4.743, 52.29), (4.743, 52.33), (4.80, 52.33), (4.80, 52.29)]),
    # runways are bare, bright surfaces
    Feature("Kaagbaan", B, [(4.745, 52.295), (4.775, 52.325)], width_m=60),
    Feature("Buitenveldertbaan", B, [(4.745, 52.316), (4.79, 52.316)], width_m=60),
    Feature("Zwanenburgbaan", B, [(4.775, 52.292), (4.778, 52.33)], width_m=60),
    # woods the city's park list does not hold (its parks come from ``real_amsterdam``)
    Feature("Twiske", F, [(4.87, 52.425), (4.87, 52.445), (4.90, 52.445), (4.90, 52.425)]),
    # water
    Feature("Het IJ", W, [(4.835, 52.408), (4.86, 52.402), (4.88, 52.397), (4.895, 52.390),
                          (4.91, 52.386), (4.93, 52.386), (4.95, 52.384), (4.965, 52.382),
                          (4.965, 52.376), (4.945, 52.379), (4.925, 52.379), (4.905, 52.381),
                          (4.89, 52.385), (4.875, 52.391), (4.855, 52.397), (4.833, 52.402)]),
    Feature("Noordzeekanaal", W, [(4.84, 52.405), (4.81, 52.413), (4.78, 52.421),
                                  (4.76, 52.428), (4.73, 52.438)], width_m=260),
    Feature("Westhaven", W, [(4.835, 52.398), (4.84, 52.404), (4.855, 52.398), (4.85, 52.394)]),
    Feature("Coenhaven", W, [(4.855, 52.393), (4.86, 52.399), (4.87, 52.395), (4.866, 52.390)]),
    Feature("Amerikahaven", W, [(4.79, 52.405), (4.795, 52.415), (4.815, 52.41), (4.81, 52.40)]),
    Feature("Afrikahaven", W, [(4.765, 52.413), (4.77, 52.423), (4.785, 52.419), (4.78, 52.41)]),
    Feature("Zaan", W, [(4.815, 52.416), (4.822, 52.44), (4.815, 52.465)], width_m=80),
    Feature("IJmeer", W, [(4.965, 52.381), (4.99, 52.384), (5.02, 52.395), (5.05, 52.412),
                          (5.05, 52.33), (5.035, 52.335), (5.01, 52.34), (4.985, 52.35),
                          (4.975, 52.365), (4.965, 52.372)]),
    Feature("Amsterdam-Rijnkanaal", W, [(4.935, 52.383), (4.945, 52.37), (4.955, 52.355),
                                        (4.965, 52.34), (4.98, 52.32), (5.0, 52.30),
                                        (5.02, 52.28), (5.03, 52.27)], width_m=110),
    Feature("Amstel", W, [(4.900, 52.368), (4.904, 52.360), (4.905, 52.352), (4.907, 52.345),
                          (4.913, 52.335), (4.92, 52.325), (4.925, 52.31), (4.93, 52.30),
                          (4.935, 52.285)], width_m=70),
    Feature("Nieuwe Meer", W, [(4.80, 52.338), (4.815, 52.346), (4.835, 52.345),
                               (4.84, 52.338), (4.825, 52.332), (4.805, 52.333)]),
    Feature("Sloterplas", W, [(4.808, 52.364), (4.815, 52.368), (4.83, 52.367), (4.832, 52.362),
                              (4.82, 52.359), (4.81, 52.360)]),
    Feature("Bosbaan", W, [(4.835, 52.329), (4.858, 52.327)], width_m=70),
    Feature("Gaasperplas", W, [(4.985, 52.307), (4.99, 52.313), (5.0, 52.312), (5.0, 52.305),
                               (4.99, 52.303)]),
    Feature("Kinselmeer", W, [(4.96, 52.393), (4.962, 52.399), (4.975, 52.398),
                              (4.973, 52.392)]),
    Feature("Singel", W, _arc((4.8985, 52.3775), 550, 165, 335), width_m=25),
    Feature("Herengracht", W, _arc((4.8985, 52.3775), 750, 165, 335), width_m=25),
    Feature("Keizersgracht", W, _arc((4.8985, 52.3775), 950, 165, 335), width_m=28),
    Feature("Prinsengracht", W, _arc((4.8985, 52.3775), 1150, 165, 335), width_m=25),
    Feature("Singelgracht", W, _arc((4.8985, 52.3775), 1650, 160, 340), width_m=30),
)  # fmt: skip

AMSTERDAM_CROP_ZONES: tuple[Sequence[LonLat], ...] = (
    # Haarlemmermeer, south-west of Schiphol
    [(4.743, 52.278), (4.743, 52.29), (4.84, 52.29), (4.84, 52.278)],
    # polders around Ouderkerk and Abcoude
    [(4.895, 52.278), (4.895, 52.295), (4.93, 52.295), (4.93, 52.278)],
    # Waterland fields north of Amsterdam-Noord
    [(4.92, 52.42), (4.92, 52.464), (4.99, 52.464), (4.99, 52.42)],
)

UTRECHT_FEATURES: tuple[Feature, ...] = (
    Feature("Utrecht", U, [(5.07, 52.07), (5.07, 52.11), (5.14, 52.12), (5.16, 52.09),
                           (5.14, 52.06)]),
    Feature("Maximapark", F, [(5.05, 52.09), (5.05, 52.10), (5.065, 52.10), (5.065, 52.09)]),
    Feature("Amsterdam-Rijnkanaal", W, [(5.05, 52.14), (5.07, 52.11), (5.085, 52.07),
                                        (5.10, 52.03)], width_m=110),
    Feature("Vecht", W, [(5.12, 52.10), (5.10, 52.12), (5.08, 52.14)], width_m=40),
    Feature("Kromme Rijn", W, [(5.13, 52.085), (5.16, 52.07), (5.19, 52.06)], width_m=25),
)  # fmt: skip

UTRECHT_CROP_ZONES: tuple[Sequence[LonLat], ...] = (
    [(5.16, 52.03), (5.16, 52.07), (5.20, 52.07), (5.20, 52.03)],
)

AMSTERDAM_TILE = Place(
    name="Amsterdam",
    utm_zone=31,
    latitude_band="U",
    grid_square="FU",
    window=(618900.0, 5793900.0, 639060.0, 5814060.0),
    features=AMSTERDAM_FEATURES,
    crop_zones=AMSTERDAM_CROP_ZONES,
)

#: Tile 31UFT, south of 31UFU: its window runs from Utrecht up to the tile's northern edge, which
#: crosses the south of Amsterdam. So, as on the live archive, a search around Amsterdam also
#: finds 31UFT scenes, which cover only a strip of the area and none of episode 5's clip box.
UTRECHT_TILE = Place(
    name="Utrecht",
    utm_zone=31,
    latitude_band="U",
    grid_square="FT",
    window=(624000.0, 5768100.0, 650280.0, 5800020.0),
    features=AMSTERDAM_FEATURES + UTRECHT_FEATURES,
    crop_zones=AMSTERDAM_CROP_ZONES + UTRECHT_CROP_ZONES,
)

PLACES: tuple[Place, ...] = (AMSTERDAM_TILE, UTRECHT_TILE)
PLACES_BY_TILE = {place.tile: place for place in PLACES}

#: Size of a crop parcel (metres, east-west x north-south); each parcel grows one crop.
PARCEL_SIZE_M = (320, 180)


def place_for_tile(tile: str) -> Place:
    """The place of an MGRS tile code such as ``31UFU``."""
    try:
        return PLACES_BY_TILE[tile]
    except KeyError:
        raise KeyError(
            f"no synthetic place for tile {tile!r}; known: {sorted(PLACES_BY_TILE)}"
        ) from None


#: Real NDVI from which a pixel of the real extent counts as green (meadow, garden, park).
GREEN_FROM = 0.5

#: Number of distinct crop calendars (see ``scenes.CROP_CALENDARS``).
CROP_KINDS = 4


def _utm_shapes(place: Place, features: Iterable[Feature]) -> list[tuple[BaseGeometry, int]]:
    shapes = []
    for feature in features:
        geometry = place.to_utm(_shape_of(feature))
        if feature.width_m is not None:
            geometry = geometry.buffer(feature.width_m / 2, cap_style="flat")
        shapes.append((geometry, int(feature.cover)))
    return shapes


def _park_shapes(place: Place) -> list[tuple[BaseGeometry, int]]:
    parks = real_amsterdam.park_outlines()
    return [(place.to_utm(outline), int(LandCover.FOREST)) for _, outline in parks]


def _real_cover(place: Place, resolution: int) -> np.ndarray:
    """Land cover read from the real NDVI: water below 0, green parkland, meadows, the rest city."""
    ndvi = real_amsterdam.ndvi_on_grid(place, resolution)
    cover = np.full(ndvi.shape, int(LandCover.URBAN), dtype=np.uint8)
    cover[ndvi >= GREEN_FROM] = int(LandCover.GRASS)
    return cover


@lru_cache(maxsize=8)
def land_cover(place: Place, resolution: int = 10) -> np.ndarray:
    """Rasterize the place's land cover on its window grid (uint8 ``LandCover`` codes).

    Where the real NDVI of ``real_amsterdam`` counts for more than half, its land cover wins;
    parks stay parks (their real outlines) and its water is wherever the real NDVI is below 0.
    """
    shape = place.shape(resolution)
    transform = place.transform(resolution)
    crop_shapes = [(place.to_utm(Polygon(zone)), int(LandCover.CROP)) for zone in place.crop_zones]
    land = [f for f in place.features if f.cover != LandCover.WATER]
    water = [f for f in place.features if f.cover == LandCover.WATER]
    parks = _park_shapes(place)
    shapes = crop_shapes + _utm_shapes(place, land) + parks
    cover = rasterio.features.rasterize(
        shapes + _utm_shapes(place, water), out_shape=shape, transform=transform,
        fill=int(place.background), dtype="uint8", all_touched=False,
    )  # fmt: skip
    if real_amsterdam.overlaps(place):
        real = real_amsterdam.real_weight(place, resolution) > 0.5
        ndvi = real_amsterdam.ndvi_on_grid(place, resolution)
        in_park = rasterio.features.rasterize(
            parks, out_shape=shape, transform=transform, fill=0, dtype="uint8"
        ).astype(bool)
        real_cover = _real_cover(place, resolution)
        real_cover[in_park & (ndvi >= GREEN_FROM)] = int(LandCover.FOREST)
        real_cover[ndvi < real_amsterdam.WATER_BELOW] = int(LandCover.WATER)
        cover = np.where(real, real_cover, cover).astype(np.uint8)
    cover.setflags(write=False)
    return cover


@lru_cache(maxsize=8)
def parcel_value(place: Place, resolution: int = 10) -> np.ndarray:
    """A value in [0, 1) shared by all pixels of a parcel (320 x 180 m), on the window grid.

    It picks each field's crop calendar and varies meadows from parcel to parcel.
    """
    x, y = place.pixel_centres(resolution)
    parcel_col = (x // PARCEL_SIZE_M[0]).astype(np.uint64)
    parcel_row = (y // PARCEL_SIZE_M[1]).astype(np.uint64)
    # A fixed integer hash gives every parcel the same value on every run and machine.
    mask = np.uint64(0xFFFFFFFF)
    mixed = (parcel_row[:, None] * np.uint64(0x9E3779B1)) ^ (
        parcel_col[None, :] * np.uint64(0x85EBCA77)
    )
    mixed &= mask
    mixed = ((mixed ^ (mixed >> np.uint64(15))) * np.uint64(0x2C1B3C6D)) & mask
    mixed = ((mixed ^ (mixed >> np.uint64(12))) * np.uint64(0x297A2D39)) & mask
    values = ((mixed >> np.uint64(8)) & np.uint64(0xFFFF)).astype(np.float32) / 65536.0
    values.setflags(write=False)
    return values


def crop_kind(place: Place, resolution: int = 10) -> np.ndarray:
    """Which crop calendar each pixel's parcel follows (0..CROP_KINDS-1), on the window grid."""
    return (parcel_value(place, resolution) * CROP_KINDS).astype(np.uint8)
