"""What ``kitland check`` computes without the slow library calls it used to make.

The replacement is held to the library call it replaces, on seeded random inputs and on
the edge cases by hand: the UTM zones of a lon/lat box (:func:`kitland.crs.utm_codes`
against PROJ's database search, :func:`pyproj.database.query_utm_crs_info`); the
candidate land, whose slits are closed less the union of only the other parcels that
meet them, and whose road corridors are the union of those that meet its parcels
(against the union of every other parcel and every corridor); the overlaps of parcels, computed
only where their interiors meet, and the parcels reaching into road corridors, only
where they reach the corridor's core (against every pair); the gaps, looked for only
when a bound of the uncovered area may hold one (against the union of the parcels).
"""

from __future__ import annotations

import functools
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
from shapely import LineString, box

from kitland import Estate
from kitland.crs import utm_codes
from kitland.placement._cells import EPS_M, candidate_land, grid_angle, make_cells
from kitland.rules import Rules, ZoneSpec, parse_rules
from kitland.validation import (
    MIN_OVERLAP_M2,
    SLIT_M,
    UNDER_ROADS,
    _check_gaps,
    _outside,
    _overlap_areas,
    _uncovered_at_most_m2,
    validate,
)


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


@functools.cache
def _organic_generator() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "make_organic.py"
    spec = importlib.util.spec_from_file_location("make_organic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@functools.cache
def _organic(seed: int) -> dict[str, gpd.GeoDataFrame]:
    """``make_organic.py``'s estate of ``seed`` (its layers; not to be changed)."""
    return _organic_generator().make_organic(seed)


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
    """The base, the allowed land, its grid angle and cells as before, to 1e-9."""
    land = candidate_land(estate, rules)
    old = _base_by_every_other_parcel(estate, rules)
    allowed, bands = old, list(land.removed)
    if len(estate.roads):  # every road corridor, then the setback bands
        assert bands.pop(0)[0] == "roads"
        corridors = shapely.union_all(shapely.make_valid(estate.road_corridors.to_numpy()))
        allowed = shapely.difference(allowed, corridors)
    for _, geom in bands:
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
    the slit and 40 more lie far away: 20,000 m² less the plug's 0.3 × 20 m. A 10 m road
    crosses the first parcel (1,000 m² of corridor), another only the far parcels."""
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
    roads = gpd.GeoDataFrame(
        {"road_id": ["near", "far"], "road_class": ["local"] * 2, "width_m": [10.0] * 2},
        geometry=[LineString([(x + 50, y), (x + 50, y + 100)]),
                  LineString([(x + 500, y), (x + 500, y + 250)])], crs=32749,
    )  # fmt: skip
    estate = Estate.from_layers({"boundary": boundary, "parcels": parcels, "roads": roads})
    rules = Rules(zone=ZoneSpec())
    land = candidate_land(estate, rules)
    assert land.base.area == pytest.approx(20_000 - 6, rel=1e-9)
    assert land.allowed.area == pytest.approx(20_000 - 6 - 1_000, rel=1e-9)
    _assert_same_land(estate, rules)


@pytest.mark.parametrize("seed", [0, 1, 2, 4])
def test_candidate_land_is_the_union_of_every_other_parcels_on_organic_estates(seed: int) -> None:
    mo = _organic_generator()
    estate = Estate.from_layers(_organic(seed), source=f"organic {seed}")
    rules = parse_rules(tomllib.loads(mo.rules_text(mo.zone_ha_for(seed))))
    _assert_same_land(estate, rules)


# -- validation: overlaps and parcels on roads, computed where they can be ------------------


def _every_overlap(parcels: np.ndarray) -> dict[tuple[int, int], float]:
    """Overlap areas as they were found before: the intersection of every pair of
    parcels that meet and whose bounding boxes share more than MIN_OVERLAP_M2, kept
    where it has area."""
    i, j = shapely.STRtree(parcels).query(parcels, predicate="intersects")
    b = shapely.bounds(parcels)
    w = np.minimum(b[i, 2], b[j, 2]) - np.maximum(b[i, 0], b[j, 0])
    h = np.minimum(b[i, 3], b[j, 3]) - np.maximum(b[i, 1], b[j, 1])
    keep = (i < j) & (w * h > MIN_OVERLAP_M2)
    i, j = i[keep], j[keep]
    area = shapely.area(shapely.intersection(parcels[i], parcels[j]))
    return {(int(a), int(b)): float(m2) for a, b, m2 in zip(i, j, area, strict=True) if m2 > 0}


def _assert_same_overlaps(parcels: np.ndarray) -> None:
    i, j, shared, area, _ = _overlap_areas(parcels)
    found = {(int(a), int(b)): float(m2) for a, b, m2 in zip(i, j, area, strict=True) if m2 > 0}
    before = _every_overlap(parcels)
    assert found.keys() == before.keys()
    for pair, m2 in before.items():
        assert found[pair] == pytest.approx(m2, rel=1e-9)
    # the shared land returned is each pair's intersection (validation tests its width)
    again = shapely.intersection(parcels[i], parcels[j])
    assert shapely.equals_exact(shared, again, tolerance=0.0).all()
    assert shapely.area(shared) == pytest.approx(area, rel=1e-9)


def test_overlap_areas_by_hand() -> None:
    """a and b share 10 × 20 m; c touches b along an edge; d lies inside a."""
    a, b = box(0, 0, 100, 20), box(90, 0, 190, 20)
    c, d = box(190, 0, 290, 20), box(10, 5, 20, 15)
    i, j, shared, area, unmeasured = _overlap_areas(np.array([a, b, c, d], dtype=object))
    assert unmeasured == 0.0  # c touches b along an edge: their boxes share no area
    pairs = zip(i.tolist(), j.tolist(), strict=True)
    assert dict(zip(pairs, area.tolist(), strict=True)) == pytest.approx(
        {(0, 1): 200.0, (0, 3): 100.0}
    )
    land = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared, strict=True))
    assert land[(0, 1)].equals(box(90, 0, 100, 20)) and land[(0, 3)].equals(d)
    _assert_same_overlaps(np.array([a, b, c, d], dtype=object))


@pytest.mark.parametrize("seed", [0, 1, 2, 4])
def test_overlap_areas_are_every_intersection_on_organic_estates(seed: int) -> None:
    estate = Estate.from_layers(_organic(seed))
    _assert_same_overlaps(estate.parcels.geometry.to_numpy())


def _deep_by_every_pair(estate: Estate) -> list[tuple[str, int, float]]:
    """Parcels reaching into a road corridor as they were found before: the overlap of
    every parcel and corridor that meet, kept when it has more than 1 m² and is wider
    than SLIT_M somewhere."""
    parcels = estate.parcels[~estate.parcels["land_use"].isin(UNDER_ROADS)]
    geoms, corridors = parcels.geometry.to_numpy(), estate.road_corridors.to_numpy()
    i, j = shapely.STRtree(corridors).query(geoms, predicate="intersects")
    overlap = shapely.intersection(geoms[i], corridors[j])
    area = shapely.area(overlap)
    deep = (area > MIN_OVERLAP_M2) & ~shapely.is_empty(shapely.buffer(overlap, -SLIT_M / 2))
    ids = parcels["parcel_id"].to_numpy()
    return [(str(ids[a]), int(b), float(m2))
            for a, b, m2 in zip(i[deep], j[deep], area[deep], strict=True)]  # fmt: skip


def _on_road(estate: Estate) -> list[tuple[str, int, float]]:
    findings = [f for f in validate(estate).findings if f.code == "parcel-on-road"]
    roads = _deep_by_every_pair(estate)  # the order and the road of each, to compare with
    assert [f.feature for f in findings] == [p for p, _, _ in roads]
    assert all(f.msg is not None for f in findings)
    return [(f.feature, r, float(f.msg.values["m2"]))  # type: ignore[union-attr]
            for f, (_, r, _) in zip(findings, roads, strict=True)]  # fmt: skip


def test_parcels_on_road_by_hand() -> None:
    """A 10 m road along y = 50 (corridor 45–55); parcel a reaches 0.6 m into it along
    200 m (narrower than SLIT_M: not reported), parcel b 1.4 m along 100 m."""
    x, y = 500_000.0, 9_230_000.0
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["a", "b", "road"], "land_use": ["industrial", "available", "road"]},
        geometry=[box(x, y, x + 200, y + 45.6), box(x, y + 53.6, x + 100, y + 100),
                  box(x, y + 45, x + 200, y + 55)], crs=32749,
    )  # fmt: skip
    roads = gpd.GeoDataFrame(
        {"road_id": ["r"], "road_class": ["local"], "width_m": [10.0]},
        geometry=[LineString([(x, y + 50), (x + 200, y + 50)])], crs=32749,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(geometry=[box(x, y, x + 200, y + 100)], crs=32749)
    estate = Estate.from_layers({"boundary": boundary, "parcels": parcels, "roads": roads})
    found = _on_road(estate)
    assert [(p, r) for p, r, _ in found] == [("b", 0)]
    assert found[0][2] == pytest.approx(140.0, rel=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_parcels_on_road_are_every_pair_on_organic_estates(seed: int) -> None:
    """Roads widened by 1.6–2.4 m: parcels drawn to the kerb reach 0.8–1.2 m into their
    corridors, around the SLIT_M a reach must exceed somewhere to be reported."""
    layers = _organic(seed)
    roads = layers["roads"].copy()
    rng = np.random.default_rng(seed)
    roads["width_m"] = roads["width_m"].to_numpy(float) + rng.uniform(1.6, 2.4, len(roads))
    estate = Estate.from_layers({**layers, "roads": roads})
    found = _on_road(estate)
    assert found  # the test reaches both sides of the threshold
    before = _deep_by_every_pair(estate)
    assert [(p, r) for p, r, _ in found] == [(p, r) for p, r, _ in before]
    for (_, _, m2), (_, _, m2_before) in zip(found, before, strict=True):
        assert m2 == pytest.approx(m2_before, rel=1e-9)


# -- validation: gaps looked for only when the uncovered area may hold one ----------------


def _parcels_estate(parcels: list[shapely.Geometry], frame: shapely.Geometry) -> Estate:
    layer = gpd.GeoDataFrame(
        {"parcel_id": [f"p{k}" for k in range(len(parcels))],
         "land_use": ["industrial"] * len(parcels)}, geometry=parcels, crs=32749,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(geometry=[frame], crs=32749)
    return Estate.from_layers({"boundary": boundary, "parcels": layer})


def _bound_and_truth(estate: Estate) -> tuple[float, float]:
    """:func:`_uncovered_at_most_m2` as validate computes it, and the area of the
    boundary that the union of the parcels leaves uncovered."""
    parcels = estate.parcels.geometry.to_numpy()
    boundary = estate.boundary_union
    _, _, _, shared, unmeasured = _overlap_areas(parcels)
    outside = _outside(parcels, boundary)
    bound = _uncovered_at_most_m2(
        boundary, parcels, float(outside[1].sum()), float(shared.sum()) + unmeasured
    )
    return bound, float(shapely.difference(boundary, shapely.union_all(parcels)).area)


@pytest.mark.parametrize(("top", "gap_m2"), [(99.5, None), (98.0, 200.0)])
def test_gaps_by_hand(top: float, gap_m2: float | None) -> None:
    """Three parcels in a 300 × 100 m boundary, the first two sharing 5 × 100 m, the
    third stopping ``top`` m up: 0.5 × 100 m uncovered is no gap (the bound, 50 m²,
    rules one out without the union), 2 × 100 m is one gap of 200 m²."""
    x, y = 500_000.0, 9_230_000.0
    estate = _parcels_estate(
        [box(x, y, x + 100, y + 100), box(x + 95, y, x + 200, y + 100),
         box(x + 200, y, x + 300, y + top)], box(x, y, x + 300, y + 100),
    )  # fmt: skip
    bound, truth = _bound_and_truth(estate)
    assert truth == pytest.approx(100 * (100 - top), rel=1e-9)
    assert bound == pytest.approx(truth, rel=1e-6)  # no boxes meet only at a corner
    gaps = [f for f in validate(estate).findings if f.code in ("gap", "slit")]
    if gap_m2 is None:
        assert gaps == []
    else:
        assert [f.code for f in gaps] == ["gap"]
        assert f"{gap_m2:,.0f} m²" in gaps[0].message


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaps_are_those_of_the_union_on_organic_estates_with_parcels_taken_out(seed: int) -> None:
    """With 0, 1 or 3 random parcels taken out, the bound is at least the uncovered
    area, and validate's gaps and slits are those of the union of the parcels."""
    rng = np.random.default_rng(seed)
    layers = _organic(seed)
    for out in (0, 1, 3):
        parcels = layers["parcels"].drop(layers["parcels"].index[rng.choice(len(layers["parcels"]), out, replace=False)])  # fmt: skip
        estate = Estate.from_layers({**layers, "parcels": parcels})
        bound, truth = _bound_and_truth(estate)
        assert bound >= truth
        geoms = estate.parcels.geometry.to_numpy()
        water = estate.water.geometry.to_numpy()
        water = water[np.isin(shapely.get_type_id(water), (3, 6))]
        every = _check_gaps(
            estate.boundary_union, shapely.union_all(geoms), estate.crs,
            estate.boundary.attrs.get("source", "boundary"),
            np.concatenate([estate.road_corridors.to_numpy(), water]), geoms,
            estate.parcels["parcel_id"].to_numpy(),
        )  # fmt: skip
        found = [f for f in validate(estate).findings if f.code in ("gap", "slit")]
        assert [f.message for f in found] == [f.message for f in every]
        assert (out == 0) == (not found)
