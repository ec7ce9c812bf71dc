"""What ``kitland check`` computes without the slow library calls it used to make.

The replacement is held to the library call it replaces, on seeded random inputs and on
the edge cases by hand: the UTM zones of a lon/lat box (:func:`kitland.crs.utm_codes`
against PROJ's database search, :func:`pyproj.database.query_utm_crs_info`); the
candidate land, whose slits are closed less the union of only the other parcels that
meet them (against the union of every other parcel).
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from shapely import box

from kitland import Estate
from kitland.crs import utm_codes
from kitland.placement._cells import EPS_M, candidate_land, grid_angle, make_cells
from kitland.rules import Rules, ZoneSpec, parse_rules


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



# -- candidate land: the parcels that fill a slit, not every other parcel -------------------


def _organic_generator() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "make_organic.py"
    spec = importlib.util.spec_from_file_location("make_organic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _base_by_every_other_parcel(estate: Estate, rules: Rules) -> shapely.Geometry:
    """:func:`candidate_land`'s ``base`` as it was made before: the closed slits less the
    union of every parcel not ``on``."""
    assert rules.zone is not None
    on = estate.parcels["land_use"].isin(rules.zone.on).to_numpy()
    geoms = shapely.make_valid(estate.parcels.geometry.to_numpy())
    on_land = shapely.union_all(geoms[on])
    closed = shapely.buffer(
        shapely.buffer(on_land, EPS_M, join_style="mitre"), -EPS_M, join_style="mitre"
    )
    closed = shapely.difference(closed, shapely.union_all(geoms[~on]))
    return shapely.intersection(shapely.union(on_land, closed), estate.boundary_union)


def _assert_same_land(estate: Estate, rules: Rules) -> None:
    land = candidate_land(estate, rules)
    old = _base_by_every_other_parcel(estate, rules)
    allowed = old
    for _, geom in land.removed:
        allowed = shapely.difference(allowed, geom)
    for new, before in ((land.base, old), (land.allowed, allowed)):
        assert new.area == pytest.approx(before.area, rel=1e-9)
        assert shapely.symmetric_difference(new, before).area <= 1e-9 * before.area
    cells, cells_before = (make_cells(a, cell_m=25.0, angle_deg=grid_angle(a))
                           for a in (land.allowed, allowed))  # fmt: skip
    assert grid_angle(land.allowed) == pytest.approx(grid_angle(allowed), abs=1e-9)
    np.testing.assert_allclose(cells.area_m2, cells_before.area_m2, rtol=1e-9)


def test_candidate_land_closes_a_slit_less_its_plug_by_hand() -> None:
    """Two available parcels 0.3 m apart along 100 m; an industrial parcel plugs 20 m of
    the slit and 40 more lie far away: 20,000 m² less the plug's 0.3 × 20 m."""
    x, y = 500_000.0, 9_230_000.0
    on = [box(x, y, x + 100, y + 100), box(x + 100.3, y, x + 200, y + 100)]
    plug = [box(x + 100, y + 40, x + 100.3, y + 60)]
    far = [box(x + 300 + 50 * (k % 8), y + 50 * (k // 8), x + 350 + 50 * (k % 8),
               y + 50 * (k // 8 + 1)) for k in range(40)]  # fmt: skip
    uses = ["available"] * 2 + ["industrial"] * 41
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"p{k}" for k in range(43)], "land_use": uses},
        geometry=on + plug + far, crs=32749,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(geometry=[box(x, y, x + 700, y + 250)], crs=32749)
    estate = Estate.from_layers({"boundary": boundary, "parcels": parcels})
    rules = Rules(zone=ZoneSpec())
    assert candidate_land(estate, rules).base.area == pytest.approx(20_000 - 6, rel=1e-9)
    _assert_same_land(estate, rules)


@pytest.mark.parametrize("seed", [0, 1, 2, 4])
def test_candidate_land_is_the_union_of_every_other_parcels_on_organic_estates(seed: int) -> None:
    mo = _organic_generator()
    estate = Estate.from_layers(mo.make_organic(seed), source=f"organic {seed}")
    rules = parse_rules(tomllib.loads(mo.rules_text(mo.zone_ha_for(seed))))
    _assert_same_land(estate, rules)
