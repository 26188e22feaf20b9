"""Synthetic pixels for one acquisition: reflectance bands, scene classification, clouds.

Everything is a pure function of the acquisition (its id seeds the random fields), so the
same product always gets the same pixels. Random fields are defined on the ground, not on
the pixel grid, so the 10 m, 20 m and 60 m rasters of one product show the same clouds.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

import numpy as np

from . import real_amsterdam
from . import sentinel2 as s2
from .acquisitions import Acquisition
from .geography import LandCover, Place, crop_kind, land_cover, parcel_value

# Surface reflectance spectra, in the order of ``sentinel2.BANDS``
# (coastal, blue, green, red, rededge1-3, nir, nir08, nir09, swir16, swir22).
# Measured: "leafy" (green pasture, Ireland, June 2017), "soil" (bare arable fields of the same
# scene) and "snow" (Finland, February 2018) are medians of real Sentinel-2 L2A patches of
# BigEarthNet (Sumbul et al., data licence CDLA-Permissive-1.0; contains modified Copernicus
# Sentinel data 2017-2018): S2A_MSIL2A_20170617T113321_4_55, ..._36_85 and
# S2B_MSIL2A_20180204T94161_57_38 of BigEarthNet-S2-Example.tar.bz2 in the PyPI wheel
# bigearthnet-common 2.8.0 (DN / 10000, baselines before 04.00, so no offset).
# Typical values, not measured here: "urban", "bare" (runways), "dormant" and "leafless"
# (winter grass and trees), "canopy" (broadleaf trees in leaf: the example's forest is a dark
# Finnish conifer stand), "cloud", and "water": the example's only water is a dark humic lake
# whose NDVI is above 0, while the real IJ's NDVI is near -0.3 (``real_amsterdam``).
SPECTRA: dict[str, np.ndarray] = {
    name: np.array(values, dtype=np.float32)
    for name, values in {
        "water": [0.055, 0.045, 0.050, 0.030, 0.025, 0.020, 0.018, 0.015, 0.012, 0.010,
                  0.006, 0.004],
        "urban": [0.110, 0.100, 0.110, 0.120, 0.140, 0.150, 0.160, 0.170, 0.180, 0.170,
                  0.210, 0.180],
        "bare": [0.120, 0.130, 0.160, 0.190, 0.210, 0.220, 0.230, 0.240, 0.245, 0.240,
                 0.300, 0.250],
        "soil": [0.088, 0.101, 0.150, 0.190, 0.228, 0.253, 0.269, 0.268, 0.281, 0.318,
                 0.342, 0.305],
        "leafy": [0.036, 0.034, 0.078, 0.043, 0.138, 0.368, 0.439, 0.455, 0.482, 0.488,
                  0.235, 0.116],
        "dormant": [0.050, 0.045, 0.070, 0.065, 0.110, 0.180, 0.210, 0.230, 0.240, 0.230,
                    0.240, 0.150],
        "canopy": [0.030, 0.025, 0.050, 0.025, 0.070, 0.220, 0.280, 0.320, 0.330, 0.310,
                   0.150, 0.070],
        "leafless": [0.050, 0.045, 0.055, 0.060, 0.080, 0.120, 0.140, 0.160, 0.170, 0.160,
                     0.200, 0.130],
        "cloud": [0.560, 0.540, 0.530, 0.520, 0.530, 0.530, 0.530, 0.530, 0.520, 0.450,
                  0.400, 0.300],
        "snow": [0.760, 0.639, 0.574, 0.587, 0.663, 0.668, 0.657, 0.663, 0.648, 0.710,
                 0.084, 0.098],
    }.items()
}  # fmt: skip
BAND_INDEX = {band.key: index for index, band in enumerate(s2.BANDS)}

#: Crop calendars: day of year of peak greenness and half-width of the growing season.
CROP_CALENDARS = ((135, 45), (215, 40), (185, 35), (165, 60))  # wheat, maize, potato, grass-seed

#: NDVI of a pixel of the real extent with no green in it (streets, roofs) and all green.
BUILT_NDVI = 0.1
FULL_GREEN_NDVI = 0.8
#: The real NDVI's few water pixels below this (down to -0.998) are artefacts of near-zero
#: near-infrared; the stand-in's water stops here.
DARKEST_WATER_NDVI = -0.6
#: The darkest reflectance a pixel gets: one digital number, so no stored number means "below
#: zero" in Collection 1 either, where ESA's +1000 would otherwise allow it.
REFLECTANCE_FLOOR = 0.0001
#: Bands on the near-infrared side of the red edge: water's brightness there sets its NDVI.
NEAR_INFRARED_SIDE = ("rededge2", "rededge3", "nir", "nir08", "nir09")

CLOUD_HEIGHT_M = 1500.0
#: Clear days whose few clouds gather over Amsterdam-Noord, so that a lesson's clip there shows
#: cloud masking at work (tile, day) -> centre of the cloud in metres of EPSG:32631. On the
#: real archive a scene under 5 % cloud often has its cloud right where one looks.
CLOUD_SPOTS: dict[tuple[str, date], tuple[float, float]] = {
    ("31UFU", date(2021, 8, 18)): (632200.0, 5807000.0),
    ("31UFU", date(2021, 6, 11)): (630500.0, 5806800.0),
    ("31UFU", date(2022, 6, 21)): (632000.0, 5806200.0),
}
CLOUD_SPOT_RADIUS_M = 700.0
CLOUD_SPOT_HEIGHT = 3.0
TCI_FULL_SCALE = 0.2  # reflectance shown as the brightest true-colour value, as in ESA's TCI


def _noise(seed: int, place: Place, resolution: int, spacing_m: float) -> np.ndarray:
    """Smooth random field in [-1, 1] with features about ``spacing_m`` wide.

    Random values sit on a coarse grid anchored to the window's ground coordinates and are
    interpolated (smoothstep) to the pixel centres, so every resolution sees the same field.
    """
    rows, cols = place.shape(resolution)
    xmin, ymin, xmax, ymax = place.window
    grid_rows = math.ceil((ymax - ymin) / spacing_m) + 2
    grid_cols = math.ceil((xmax - xmin) / spacing_m) + 2
    coarse = np.random.default_rng(seed).uniform(-1.0, 1.0, (grid_rows, grid_cols))
    coarse = coarse.astype(np.float32)
    v = (np.arange(rows) + 0.5) * resolution / spacing_m
    u = (np.arange(cols) + 0.5) * resolution / spacing_m
    v0, u0 = v.astype(np.int64), u.astype(np.int64)
    wv, wu = v - v0, u - u0
    wv = (wv * wv * (3 - 2 * wv)).astype(np.float32)[:, None]
    wu = (wu * wu * (3 - 2 * wu)).astype(np.float32)[None, :]
    # Separable interpolation: along x on the few coarse rows, then along y at full size.
    along_x = coarse[:, u0] * (1 - wu) + coarse[:, u0 + 1] * wu
    return along_x[v0] * (1 - wv) + along_x[v0 + 1] * wv


def _fractal(seed: int, place: Place, resolution: int, spacings: tuple[float, ...]) -> np.ndarray:
    total = np.zeros(place.shape(resolution), dtype=np.float32)
    weight = 1.0
    for octave, spacing in enumerate(spacings):
        total += weight * _noise(seed + 7919 * octave, place, resolution, spacing)
        weight *= 0.5
    return total


def _place_seed(place: Place) -> int:
    return sum(ord(char) * 131**i for i, char in enumerate(place.tile)) % 2**31


@lru_cache(maxsize=8)
def _texture(place: Place, resolution: int) -> np.ndarray:
    """Fixed surface texture of a place: the same on every date."""
    return _fractal(_place_seed(place), place, resolution, (600.0, 150.0, 40.0)) / 1.75


@lru_cache(maxsize=8)
def _urban_greenery(place: Place, resolution: int) -> np.ndarray:
    """Share of gardens and street trees in each urban pixel."""
    field = _fractal(_place_seed(place) + 1, place, resolution, (300.0, 60.0))
    return np.clip(0.22 + 0.3 * field, 0.0, 0.6).astype(np.float32)


def _day_of_year(acquisition: Acquisition) -> int:
    return acquisition.day.timetuple().tm_yday


def grass_greenness(day_of_year: int) -> float:
    """0 in the depth of winter, 1 in high summer."""
    return 0.5 + 0.5 * math.sin(2 * math.pi * (day_of_year - 110) / 365.25)


def forest_greenness(day_of_year: int) -> float:
    """Leaf-out in late April, leaf fall in late October."""
    spring = 1 / (1 + math.exp(-(day_of_year - 120) / 7))
    autumn = 1 / (1 + math.exp((day_of_year - 300) / 8))
    return spring * autumn


def _crop_greenness(place: Place, resolution: int, day_of_year: int) -> np.ndarray:
    table = np.array(
        [math.exp(-(((day_of_year - peak) / width) ** 2)) for peak, width in CROP_CALENDARS],
        dtype=np.float32,
    )
    return table[crop_kind(place, resolution)]


def ground_reflectance(acquisition: Acquisition, band_key: str, resolution: int) -> np.ndarray:
    """Cloud-free surface reflectance of one band on the place's window grid.

    Inside the real NDVI's extent (``real_amsterdam``) the surface follows the real one; the
    drawn geography fades into it over ``real_amsterdam.BLEND_M``.
    """
    surface = _drawn_ground(acquisition, band_key, resolution)
    if not real_amsterdam.overlaps(acquisition.place):
        return surface
    part = real_amsterdam.blend_window(acquisition.place, resolution)
    weight = real_amsterdam.real_weight(acquisition.place, resolution)[part]
    real = _real_ground(acquisition, band_key, resolution, part)
    surface[part] = real * weight + surface[part] * (1 - weight)
    return surface


def _real_ground(
    acquisition: Acquisition, band_key: str, resolution: int, part: tuple[slice, slice]
) -> np.ndarray:
    """The surface of the real extent, from its real NDVI.

    Land is a mixture of city and vegetation: the higher the real NDVI, the larger the green
    share of the pixel; the vegetation follows the season (parks as trees, the rest as grass).
    Water keeps the real NDVI of each pixel (turbid or shallow water is less dark in the
    near-infrared), so its texture is the real one too. ``part`` is the window's part to make.
    """
    place = acquisition.place
    band = BAND_INDEX[band_key]
    ndvi = real_amsterdam.ndvi_on_grid(place, resolution)[part]
    cover = land_cover(place, resolution)[part]
    texture = _texture(place, resolution)[part]
    doy = _day_of_year(acquisition)
    green_share = np.clip((ndvi - BUILT_NDVI) / (FULL_GREEN_NDVI - BUILT_NDVI), 0.0, 1.0)
    grass = _mix("dormant", "leafy", grass_greenness(doy), band)
    trees = _mix("leafless", "canopy", forest_greenness(doy), band)
    vegetation = np.where(cover == LandCover.FOREST, trees, grass)
    built = SPECTRA["urban"][band] * (1 + 0.35 * texture)
    land = built * (1 - green_share) + vegetation * green_share
    water = SPECTRA["water"][band] * (1 + 0.15 * texture)
    if band_key in NEAR_INFRARED_SIDE:
        # Scale so that (nir - red) / (nir + red) of the water is the real NDVI.
        red, nir = SPECTRA["water"][BAND_INDEX["red"]], SPECTRA["water"][BAND_INDEX["nir"]]
        wet = np.clip(ndvi, DARKEST_WATER_NDVI, 0.0)
        water = water * (red * (1 + wet) / (1 - wet)) / nir
    return np.where(cover == LandCover.WATER, water, land).astype(np.float32)


def _mix(dormant: str, green: str, greenness: float, band: int) -> float:
    return float(SPECTRA[dormant][band] * (1 - greenness) + SPECTRA[green][band] * greenness)


def _drawn_ground(acquisition: Acquisition, band_key: str, resolution: int) -> np.ndarray:
    """The surface of the hand-drawn geography (``geography``), everywhere in the window."""
    place = acquisition.place
    band = BAND_INDEX[band_key]
    cover = land_cover(place, resolution)
    doy = _day_of_year(acquisition)
    texture = _texture(place, resolution)

    def mix(dormant: str, green: str, greenness: np.ndarray | float) -> np.ndarray:
        return SPECTRA[dormant][band] * (1 - greenness) + SPECTRA[green][band] * greenness

    # Meadows differ from parcel to parcel (mowing, grazing) and within a parcel.
    meadow = 0.7 + 0.3 * parcel_value(place, resolution) + 0.1 * texture
    grass = mix("dormant", "leafy", np.clip(grass_greenness(doy) * meadow, 0, 1))
    greenery = _urban_greenery(place, resolution)
    values = {
        LandCover.WATER: SPECTRA["water"][band] * (1 + 0.15 * texture),
        LandCover.URBAN: (SPECTRA["urban"][band] * (1 + 0.35 * texture)) * (1 - greenery)
        + grass * greenery,
        LandCover.GRASS: grass,
        LandCover.CROP: mix("soil", "leafy", _crop_greenness(place, resolution, doy)),
        LandCover.FOREST: mix("leafless", "canopy", forest_greenness(doy)),
        LandCover.BARE: SPECTRA["bare"][band] * (1 + 0.1 * texture),
    }
    surface = np.zeros(cover.shape, dtype=np.float32)
    for kind, value in values.items():
        mask = cover == kind
        surface[mask] = value[mask] if isinstance(value, np.ndarray) else value
    return surface * (1 + 0.05 * texture)


@lru_cache(maxsize=4)
def _cloud_field(acquisition: Acquisition, resolution: int) -> np.ndarray:
    field = _fractal(acquisition.seed, acquisition.place, resolution,
                     (4000.0, 1500.0, 500.0, 160.0))  # fmt: skip
    spot = CLOUD_SPOTS.get((acquisition.place.tile, acquisition.day))
    if spot is not None:
        field += _bump(acquisition.place, resolution, spot, CLOUD_SPOT_RADIUS_M)
    return field


def _bump(
    place: Place, resolution: int, centre: tuple[float, float], radius_m: float
) -> np.ndarray:
    """A smooth rise of ``CLOUD_SPOT_HEIGHT`` around ``centre`` (metres of the tile's CRS)."""
    x, y = place.pixel_centres(resolution)
    dx, dy = x - centre[0], y - centre[1]
    distance2 = dy[:, None] ** 2 + dx[None, :] ** 2
    return (CLOUD_SPOT_HEIGHT * np.exp(-distance2 / (2 * radius_m**2))).astype(np.float32)


def _cirrus_field(acquisition: Acquisition, resolution: int) -> np.ndarray:
    return _fractal(acquisition.seed + 1, acquisition.place, resolution, (6000.0, 2000.0, 700.0))


def _threshold_for_fraction(field: np.ndarray, fraction: float) -> float:
    """The value above which ``fraction`` of the field lies."""
    if fraction <= 0:
        return math.inf
    if fraction >= 1:
        return -math.inf
    return float(np.quantile(field, 1 - fraction))


def sun_angles(acquisition: Acquisition) -> tuple[float, float]:
    """Approximate solar azimuth and elevation (degrees) at the window centre."""
    place = acquisition.place
    lon, lat = np.mean(place.footprint_lonlat()[:-1], axis=0)
    doy = _day_of_year(acquisition)
    stamp = acquisition.datetime
    hours = stamp.hour + stamp.minute / 60 + stamp.second / 3600
    gamma = 2 * math.pi / 365 * (doy - 1 + (hours - 12) / 24)
    declination = (0.006918 - 0.399912 * math.cos(gamma) + 0.070257 * math.sin(gamma)
                   - 0.006758 * math.cos(2 * gamma) + 0.000907 * math.sin(2 * gamma))  # fmt: skip
    equation_of_time = 229.18 * (0.000075 + 0.001868 * math.cos(gamma)
                                 - 0.032077 * math.sin(gamma) - 0.014615 * math.cos(2 * gamma)
                                 - 0.040849 * math.sin(2 * gamma))  # fmt: skip
    solar_minutes = hours * 60 + equation_of_time + 4 * lon
    hour_angle = math.radians(solar_minutes / 4 - 180)
    phi = math.radians(lat)
    cos_zenith = math.sin(phi) * math.sin(declination) + math.cos(phi) * math.cos(
        declination
    ) * math.cos(hour_angle)
    zenith = math.acos(max(-1.0, min(1.0, cos_zenith)))
    azimuth = math.degrees(
        math.atan2(
            math.sin(hour_angle),
            math.cos(hour_angle) * math.sin(phi) - math.tan(declination) * math.cos(phi),
        )
    )
    return (azimuth + 180) % 360, 90 - math.degrees(zenith)


def _shift(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Move a boolean mask by whole pixels (down/right positive), filling with False."""
    shifted = np.zeros_like(mask)
    height, width = mask.shape
    if abs(rows) >= height or abs(cols) >= width:
        return shifted
    src = mask[max(0, -rows) : height - max(0, rows), max(0, -cols) : width - max(0, cols)]
    shifted[
        max(0, rows) : max(0, rows) + src.shape[0], max(0, cols) : max(0, cols) + src.shape[1]
    ] = src
    return shifted


def _shadow_offset_px(acquisition: Acquisition, resolution: int) -> tuple[int, int]:
    azimuth, elevation = sun_angles(acquisition)
    length = CLOUD_HEIGHT_M / math.tan(math.radians(max(elevation, 5.0))) / resolution
    # Shadows fall away from the sun: north-west of the clouds for a sun in the south-east.
    east = -math.sin(math.radians(azimuth)) * length
    north = -math.cos(math.radians(azimuth)) * length
    return round(-north), round(east)


@lru_cache(maxsize=64)
def scene_classification(acquisition: Acquisition) -> np.ndarray:
    """The SCL band (20 m, uint8 ESA classes) of one acquisition."""
    resolution = s2.AUXILIARY_RESOLUTION
    place = acquisition.place
    cover = land_cover(place, resolution)
    red = ground_reflectance(acquisition, "red", resolution)
    nir = ground_reflectance(acquisition, "nir", resolution)
    ndvi = (nir - red) / (nir + red)

    scl = np.where(ndvi > 0.4, s2.SCL_VEGETATION, s2.SCL_NOT_VEGETATED).astype(np.uint8)
    scl[cover == LandCover.WATER] = s2.SCL_WATER
    if acquisition.snow:
        scl[(cover != LandCover.WATER) & (cover != LandCover.URBAN)] = s2.SCL_SNOW_ICE
    speckle = _noise(acquisition.seed + 2, place, resolution, 60.0)
    scl[speckle > 0.985] = s2.SCL_UNCLASSIFIED

    clouds = _cloud_field(acquisition, resolution)
    medium_at = _threshold_for_fraction(clouds, acquisition.cloud_fraction)
    high_at = _threshold_for_fraction(clouds, acquisition.cloud_fraction * 0.55)
    thick = clouds > medium_at
    rows, cols = _shadow_offset_px(acquisition, resolution)
    scl[_shift(thick, rows, cols)] = s2.SCL_CLOUD_SHADOW
    cirrus = _cirrus_field(acquisition, resolution)
    scl[cirrus > _threshold_for_fraction(cirrus, acquisition.cirrus_fraction)] = s2.SCL_THIN_CIRRUS
    scl[thick] = s2.SCL_CLOUD_MEDIUM_PROBABILITY
    scl[clouds > high_at] = s2.SCL_CLOUD_HIGH_PROBABILITY
    scl.setflags(write=False)
    return scl


def scl_percentages(scl: np.ndarray) -> dict[str, float]:
    """Earth Search's ``s2:*_percentage`` properties and ``eo:cloud_cover`` from an SCL array.

    Class shares are percentages of the valid (non-nodata) pixels; ``eo:cloud_cover`` is the
    sum of the medium/high cloud probability and thin cirrus shares, as on Earth Search.
    """
    counts = np.bincount(scl.ravel(), minlength=12)
    valid = counts.sum() - counts[s2.SCL_NO_DATA]
    properties = {"s2:nodata_pixel_percentage": round(100 * counts[0] / counts.sum(), 6)}
    for scl_class, name in s2.SCL_PERCENTAGE_PROPERTIES.items():
        properties[name] = round(100 * counts[scl_class] / valid, 6) if valid else 0.0
    properties["eo:cloud_cover"] = round(
        sum(100 * counts[c] / valid for c in s2.SCL_CLOUD_CLASSES) if valid else 0.0, 6
    )
    return properties


def _upsample(array: np.ndarray, factor: int) -> np.ndarray:
    return np.repeat(np.repeat(array, factor, axis=0), factor, axis=1)


def _block_mean(array: np.ndarray, factor: int) -> np.ndarray:
    rows, cols = array.shape[0] // factor, array.shape[1] // factor
    return array[: rows * factor, : cols * factor].reshape(rows, factor, cols, factor).mean((1, 3))


def reflectance_as_seen(acquisition: Acquisition, band_key: str) -> np.ndarray:
    """One band at 10 m as the product shows it: ground under haze, clouds, shadows, snow."""
    band = BAND_INDEX[band_key]
    resolution = 10
    factor = s2.AUXILIARY_RESOLUTION // resolution
    scl = _upsample(scene_classification(acquisition), factor)
    surface = ground_reflectance(acquisition, band_key, resolution)
    surface[scl == s2.SCL_SNOW_ICE] = SPECTRA["snow"][band]
    surface[scl == s2.SCL_CLOUD_SHADOW] *= 0.35
    haze = acquisition.haze * (0.45 / s2.BANDS[band].center_wavelength) ** 2
    surface += haze

    clouds = _cloud_field(acquisition, resolution)
    opacity = np.where(
        scl == s2.SCL_CLOUD_HIGH_PROBABILITY,
        0.92,
        np.where(scl == s2.SCL_CLOUD_MEDIUM_PROBABILITY, 0.55 + 0.2 * np.clip(clouds, 0, 1), 0.0),
    ).astype(np.float32)
    cirrus = np.where(scl == s2.SCL_THIN_CIRRUS, 0.25, 0.0).astype(np.float32)
    surface = surface * (1 - opacity) + SPECTRA["cloud"][band] * opacity
    surface = surface * (1 - cirrus) + 0.3 * cirrus

    noise = np.random.default_rng(acquisition.noise_seed + 3 + band).normal(0, 0.002, surface.shape)
    return np.clip(surface + noise.astype(np.float32), REFLECTANCE_FLOOR, 1.5)


def band_reflectance(acquisition: Acquisition, band_key: str) -> np.ndarray:
    """Reflectance of one band at its own Sentinel-2 resolution (10, 20 or 60 m)."""
    factor = s2.BANDS_BY_KEY[band_key].resolution // 10
    fine = reflectance_as_seen(acquisition, band_key)
    return fine if factor == 1 else _block_mean(fine, factor)


def to_digital_numbers(reflectance: np.ndarray, offset: float) -> np.ndarray:
    """Encode reflectance as L2A uint16 digital numbers (0 is kept for nodata)."""
    numbers = np.rint((reflectance - offset) / s2.REFLECTANCE_SCALE)
    return np.clip(numbers, 1, 32767).astype(np.uint16)


def band_digital_numbers(
    acquisition: Acquisition, band_key: str, offset: float | None = None
) -> np.ndarray:
    """The uint16 pixels of one reflectance band, as Earth Search stores them.

    By default as in ``sentinel-2-l2a``: ESA's raw numbers (+1000 from baseline 04.00) or, for
    products Earth Search harmonised, with that 1000 taken out again (see
    ``sentinel2.offset_in_pixels``). ``offset`` gives another one (Collection 1: always -0.1).
    """
    if offset is None:
        offset = s2.offset_in_pixels(acquisition.day)
    return to_digital_numbers(band_reflectance(acquisition, band_key), offset)


def cloud_probability(acquisition: Acquisition) -> np.ndarray:
    """Collection 1's ``cloud`` asset: cloud probability in percent at 20 m (uint8)."""
    scl = scene_classification(acquisition)
    probability = np.zeros(scl.shape, dtype=np.uint8)
    probability[scl == s2.SCL_THIN_CIRRUS] = 35
    probability[scl == s2.SCL_CLOUD_MEDIUM_PROBABILITY] = 65
    probability[scl == s2.SCL_CLOUD_HIGH_PROBABILITY] = 95
    return probability


def snow_probability(acquisition: Acquisition) -> np.ndarray:
    """Collection 1's ``snow`` asset: snow probability in percent at 20 m (uint8)."""
    scl = scene_classification(acquisition)
    return np.where(scl == s2.SCL_SNOW_ICE, 100, 0).astype(np.uint8)


def true_colour_preview(acquisition: Acquisition, factor: int = 32) -> np.ndarray:
    """Collection 1's ``preview``: the true-colour image averaged into 320 m pixels."""
    rgb = true_colour(acquisition).astype(np.float32)
    rows, cols = rgb.shape[1] // factor, rgb.shape[2] // factor
    blocks = rgb[:, : rows * factor, : cols * factor].reshape(3, rows, factor, cols, factor)
    return np.clip(np.rint(blocks.mean(axis=(2, 4))), 1, 255).astype(np.uint8)


def true_colour(acquisition: Acquisition) -> np.ndarray:
    """The 3-band uint8 true-colour image (TCI): 0..0.2 reflectance stretched to 1..255."""
    layers = [reflectance_as_seen(acquisition, key) for key in s2.VISUAL_BANDS]
    stacked = np.stack(layers) / TCI_FULL_SCALE * 254 + 1
    return np.clip(np.rint(stacked), 1, 255).astype(np.uint8)


def aerosol_optical_thickness(acquisition: Acquisition) -> np.ndarray:
    """AOT at 20 m as uint16 digital numbers (scale 0.001)."""
    field = _fractal(acquisition.seed + 4, acquisition.place, s2.AUXILIARY_RESOLUTION,
                     (8000.0, 2500.0))  # fmt: skip
    aot = 0.12 + acquisition.haze * 5 + 0.03 * field
    return np.clip(np.rint(aot / 0.001), 1, 65535).astype(np.uint16)


def water_vapour(acquisition: Acquisition) -> np.ndarray:
    """Water vapour column at 20 m as uint16 digital numbers (scale 0.001 cm)."""
    summer = grass_greenness(_day_of_year(acquisition))
    field = _fractal(acquisition.seed + 5, acquisition.place, s2.AUXILIARY_RESOLUTION,
                     (10000.0, 3000.0))  # fmt: skip
    centimetres = 0.8 + 1.8 * summer + 0.2 * field
    return np.clip(np.rint(centimetres / 0.001), 1, 65535).astype(np.uint16)
