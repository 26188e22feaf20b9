"""When Sentinel-2A and 2B pass over each place, and what the weather was like (synthetic).

The revisit pattern copies the real one over tile 31UFU: each satellite flies two relative
orbits (R051 and R008) over the tile and repeats each every 10 days, so Amsterdam gets four
acquisitions every 10 days, as in the real archive (e.g. S2B on 2022-01-22 and 2022-01-25).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from .geography import AMSTERDAM_TILE, PLACES, Place


@dataclass(frozen=True)
class OrbitPass:
    """One satellite on one relative orbit, with a known date on which it passed."""

    platform: str
    relative_orbit: int
    reference_day: date
    overpass: time


#: Real reference passes over Amsterdam (from Earth Search item ids), repeating every 10 days.
AMSTERDAM_PASSES: tuple[OrbitPass, ...] = (
    OrbitPass("sentinel-2b", 51, date(2022, 1, 25), time(10, 56, 21)),
    OrbitPass("sentinel-2b", 8, date(2022, 1, 22), time(10, 46, 24)),
    OrbitPass("sentinel-2a", 51, date(2022, 1, 20), time(10, 56, 19)),
    OrbitPass("sentinel-2a", 8, date(2022, 1, 17), time(10, 46, 22)),
)
#: The second place gets one orbit per satellite: fewer items, same pattern.
OTHER_PASSES: tuple[OrbitPass, ...] = AMSTERDAM_PASSES[::2]
REPEAT_DAYS = 10

FIRST_DAY = date(2021, 1, 1)
LAST_DAY = date(2022, 12, 31)

#: Days with snow on the ground around Amsterdam (the cold spell of February 2021).
SNOW_DAYS = (date(2021, 2, 7), date(2021, 2, 14))

#: Acquisitions Earth Search holds twice: a later-processed copy with sequence number 1 next to
#: the first, as for real 2021 scenes ("S2 duplicate results from 2021, but not in 2022",
#: Element84/earth-search#25; the ``_1_L2A`` id form: cirrus-geo/cirrus-earth-search#4). Same
#: clouds, slightly different pixels, a later generation time. Chosen so that the lesson's
#: searches meet them (episode 2's clear scenes, episode 6's year).
REPROCESSED: tuple[tuple[str, date], ...] = (
    ("31UFU", date(2021, 8, 18)),
    ("31UFU", date(2021, 5, 5)),
    ("31UFU", date(2021, 9, 4)),
)


@dataclass(frozen=True)
class Acquisition:
    """One synthetic Sentinel-2 L2A product: where, when, which satellite, what weather."""

    place: Place
    platform: str
    relative_orbit: int
    datetime: datetime
    cloud_fraction: float
    cirrus_fraction: float
    haze: float
    snow: bool
    #: Earth Search's sequence number: 0, or 1 for a copy processed again (see REPROCESSED).
    sequence: int = 0

    @property
    def day(self) -> date:
        return self.datetime.date()

    @property
    def id(self) -> str:
        letter = self.platform[-1].upper()
        return f"S2{letter}_{self.place.tile}_{self.day:%Y%m%d}_{self.sequence}_L2A"

    @property
    def seed(self) -> int:
        """A seed for the scene's random fields (clouds, haze): shared by every processed copy."""
        first_id = self.id.replace(f"_{self.sequence}_L2A", "_0_L2A")
        return int.from_bytes(hashlib.sha256(first_id.encode()).digest()[:8], "little")

    @property
    def noise_seed(self) -> int:
        """A seed for the sensor noise: each processed copy differs slightly from the others."""
        if self.sequence == 0:
            return self.seed
        return int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:8], "little")


def _overpass_days(orbit: OrbitPass, first: date, last: date) -> list[date]:
    offset = (first - orbit.reference_day).days % REPEAT_DAYS
    day = first + timedelta(days=(REPEAT_DAYS - offset) % REPEAT_DAYS)
    days = []
    while day <= last:
        days.append(day)
        day += timedelta(days=REPEAT_DAYS)
    return days


def _weather(seed: int, day: date) -> tuple[float, float, float]:
    """Cloud fraction, cirrus fraction and haze for one day: clearer skies in summer."""
    rng = np.random.default_rng(seed)
    summer = 0.5 - 0.5 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    draw = rng.random()
    p_clear = 0.07 + 0.13 * summer
    p_partly = 0.25 + 0.10 * summer
    if draw < p_clear:
        cloud = rng.uniform(0.0, 0.045)
    elif draw < p_clear + p_partly:
        cloud = rng.uniform(0.06, 0.5)
    elif draw < 0.72:
        cloud = rng.uniform(0.5, 0.95)
    else:
        cloud = rng.uniform(0.95, 1.0)
    cirrus = rng.uniform(0.0, 0.15) * (rng.random() < 0.3) * (1.0 - cloud)
    haze = rng.uniform(0.0, 0.02)
    return float(cloud), float(cirrus), float(haze)


def acquisitions_for(
    place: Place, first: date = FIRST_DAY, last: date = LAST_DAY
) -> list[Acquisition]:
    """Every synthetic acquisition over ``place`` between ``first`` and ``last``, by date."""
    passes = AMSTERDAM_PASSES if place is AMSTERDAM_TILE else OTHER_PASSES
    found = []
    for orbit in passes:
        for day in _overpass_days(orbit, first, last):
            stamp = datetime.combine(day, orbit.overpass, tzinfo=UTC)
            provisional = Acquisition(place, orbit.platform, orbit.relative_orbit, stamp,
                                      0.0, 0.0, 0.0, False)  # fmt: skip
            cloud, cirrus, haze = _weather(provisional.seed, day)
            snow = SNOW_DAYS[0] <= day <= SNOW_DAYS[1] and place is AMSTERDAM_TILE
            acquisition = Acquisition(
                place, orbit.platform, orbit.relative_orbit, stamp, cloud, cirrus, haze, snow
            )
            found.append(acquisition)
            if (place.tile, day) in REPROCESSED:
                found.append(replace(acquisition, sequence=1))
    return sorted(found, key=lambda acquisition: (acquisition.datetime, acquisition.sequence))


def all_acquisitions(first: date = FIRST_DAY, last: date = LAST_DAY) -> list[Acquisition]:
    """Every synthetic acquisition of every place."""
    return [a for place in PLACES for a in acquisitions_for(place, first, last)]
