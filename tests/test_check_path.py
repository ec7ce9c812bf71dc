"""What ``kitland check`` computes without the slow library calls it used to make.

The replacement is held to the library call it replaces, on seeded random inputs and on
the edge cases by hand: the UTM zones of a lon/lat box (:func:`kitland.crs.utm_codes`
against PROJ's database search, :func:`pyproj.database.query_utm_crs_info`).
"""

from __future__ import annotations

import numpy as np
import pytest
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from kitland.crs import utm_codes


def _proj_codes(west: float, south: float, east: float, north: float) -> list[int]:
    aoi = AreaOfInterest(west, south, east, north)
    return [int(i.code) for i in query_utm_crs_info(datum_name="WGS 84", area_of_interest=aoi)]


@pytest.mark.parametrize(
    ("box", "codes"),
    [
        ((109.91, -6.97, 110.02, -6.91), [32749]),  # KIT Batang
        ((108.0, -7.0, 108.5, -6.0), [32748, 32749]),  # on the 108° E zone edge
        ((107.5, -1.0, 108.5, 0.0), [32648, 32649, 32748, 32749]),  # and on the equator
        ((99.3, 3.3, 99.5, 3.4), [32647]),  # Batu Bara, trial 6
        ((-14.6, 83.5, -12.006, 84.0), [32628, 32629]),  # zone 29N's area reaches 12.01° W
        ((107.5, 85.0, 108.5, 86.0), []),  # beyond UTM
    ],
)
def test_utm_codes_by_hand(box: tuple[float, float, float, float], codes: list[int]) -> None:
    assert utm_codes(*box) == codes == _proj_codes(*box)


def test_utm_codes_are_proj_database_search_on_random_boxes() -> None:
    rng = np.random.default_rng(16)
    for _ in range(60):  # each search reads PROJ's database
        west = float(rng.choice([rng.uniform(-180, 175), 6.0 * rng.integers(-30, 29)]))
        east = min(180.0, west + float(rng.choice([0.0, rng.uniform(0, 2), rng.uniform(0, 14)])))
        south = float(rng.choice([rng.uniform(-85, 85), 0.0, 84.0, -80.0, rng.uniform(-11, 6)]))
        north = min(90.0, south + float(rng.choice([0.0, rng.uniform(0, 2), rng.uniform(0, 20)])))
        assert utm_codes(west, south, east, north) == _proj_codes(west, south, east, north)

