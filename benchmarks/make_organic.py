"""Seeded irregular ("organic") estates for benchmarks and test fixtures.

Each seed gives one estate on real geography with invented contents:

- the boundary is a real village polygon, or the union of 2–4 neighbouring ones, from
  the regency data kitland ships in ``parcels/context/villages.geojson`` (village
  boundaries and coastline: ``cahyadsn/wilayah_boundaries``, MIT licence, Copyright (c)
  2024 Cahya DSN; see ``parcels/LICENSE-wilayah_boundaries.txt``);
- a curving arterial across the estate, collectors branching off it and off each other,
  and local roads splitting the large faces, each road ending on another road or on the
  boundary, so the network is connected; blocks are the faces between the roads and the
  boundary, so each block is separated from the next by a road corridor;
- Voronoi parcels of a density that varies from block to block, clipped to each block
  minus the road corridors and the river channel;
- a meandering river (a 20 m channel of ``water`` parcels, ``green`` banks) and the real
  Java Sea coastline in the water layer (``kind = coast``), with a ``green`` belt where
  the estate reaches the shore;
- land uses by block (industrial mostly; commercial along the arterial, residential near
  the village centre, green, utility), tenants on some industrial blocks, and
  ``available`` land in clumps of undivided land: one along the arterial near an estate
  gate, about 2.2 times the seed's zone, and one or two round ones elsewhere (a parcel
  is available when most of it lies in a clump);
- 1–3 estate gates on the arterial or a collector near the boundary, and the point
  ``Pusat Desa Ketanggan`` that the bundled rules' ``near`` preference measures to.

The estate is built in metres in UTM zone 49S (EPSG:32749) and returned in the seed's
CRS: seeds cycle through EPSG:32749, EPSG:4326 and EPSG:23835 (DGN95 / Indonesia TM-3
zone 49.1). Zone sizes run over 10–50 ha across seeds (:func:`zone_ha_for`); the
matching rules are the bundled rules with that zone size (:func:`rules_text`). All
randomness comes from ``numpy.random.default_rng(seed)``.

Usage::

    python benchmarks/make_organic.py 3 organic_3.gpkg --rules organic_3.toml
    python benchmarks/make_organic.py 3 organic_3.gpkg --crs EPSG:32749
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, MultiPoint, Point, Polygon
from shapely.ops import split, substring

from kitland import Estate, Rules
from kitland.estate import ROAD_WIDTH_M, bundled_path
from kitland.measure import check

#: The metric CRS the estates are built in (WGS 84 / UTM zone 49S).
BUILD_CRS = "EPSG:32749"
#: The CRSs the seeds cycle through: UTM 49S, lon/lat, DGN95 / Indonesia TM-3 zone 49.1.
CRS_CYCLE = ("EPSG:32749", "EPSG:4326", "EPSG:23835")
#: Estate area range, ha.
ESTATE_HA = (300.0, 1500.0)
#: Zone size range across seeds, ha.
ZONE_HA = (10.0, 50.0)
#: River channel width, m.
CHANNEL_M = 20.0
#: Parcels within this distance of the channel are green banks, m.
BANK_M = 30.0
#: Parcels within this distance of the coast are the green coastal belt, m.
COAST_BELT_M = 120.0
#: Grid the parcel coordinates are snapped to, m.
PRECISION_M = 0.001
#: Merged into a neighbour in the same block when smaller, m².
SLIVER_M2 = 300.0
#: Industrial tenants: three published KIT Batang tenants, the rest invented.
TENANTS = (
    "LG Energy Solution",
    "KCC Glass",
    "Wavin",
    "PT Alas Roban Logam",
    "PT Pantura Pangan",
    "PT Sinar Gringsing Plastik",
    "PT Batang Baja Ringan",
    "PT Ketanggan Tekstil",
    "PT Plabuan Kemasan",
    "PT Segara Elektronik",
    "PT Jati Kimia Nusantara",
)
_PREFIX = {
    "industrial": "IND",
    "available": "AVL",
    "green": "GRN",
    "commercial": "COM",
    "residential": "RES",
    "utility": "UTL",
    "water": "WAT",
    "road": "RD",
}
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_VILLAGE_ORDER_SEED = 20_240_101


# -- what a seed chooses -----------------------------------------------------------------
def zone_ha_for(seed: int) -> float:
    """The zone size of a seed, ha: a golden-ratio sequence over 10–50 ha, to 0.5 ha.

    Parameters
    ----------
    seed
        The estate's seed.

    Returns
    -------
    float
        Consecutive seeds spread evenly over :data:`ZONE_HA`.
    """
    lo, hi = ZONE_HA
    return round(2.0 * (lo + (hi - lo) * ((seed * _GOLDEN) % 1.0))) / 2.0


def crs_for(seed: int) -> str:
    """The CRS a seed's estate is written in: :data:`CRS_CYCLE` in turn."""
    return CRS_CYCLE[seed % len(CRS_CYCLE)]


def rules_text(zone_ha: float) -> str:
    """The bundled UMKM rules with the zone's band scaled to ``zone_ha``: at least
    ``zone_ha``, at most 5 % more (the bundled file asks for 20–21 ha).

    Parameters
    ----------
    zone_ha
        The zone size, ha.

    Returns
    -------
    str
        TOML text; every other rule is the bundled file's.
    """
    text = bundled_path("umkm_rules.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^min_ha\s*=.*$", f"min_ha = {zone_ha:g}", text, count=1)
    return re.sub(r"(?m)^max_ha\s*=.*$", f"max_ha = {round(1.05 * zone_ha, 3):g}", text, count=1)


# -- geometry helpers ---------------------------------------------------------------------
def _unit(heading: float) -> np.ndarray:
    return np.array([math.cos(heading), math.sin(heading)])


def _wavy(
    start: np.ndarray,
    heading: float,
    length_m: float,
    rng: np.random.Generator,
    *,
    amp_m: float,
    wavelength_m: float,
    taper: bool,
) -> LineString:
    """A line from ``start`` along ``heading`` that waves sideways (two sine waves).

    The sideways offset is 0 at the start, and also at the end when ``taper``.
    """
    t = np.linspace(0.0, length_m, max(16, int(length_m / 15.0)))
    short = wavelength_m * rng.uniform(0.3, 0.5)
    off = amp_m * np.sin(2 * np.pi * t / wavelength_m + rng.uniform(0, 2 * np.pi))
    off += 0.35 * amp_m * np.sin(2 * np.pi * t / short + rng.uniform(0, 2 * np.pi))
    off -= off[0]
    if taper:
        off *= np.sin(np.pi * t / length_m)
    d, n = _unit(heading), _unit(heading + math.pi / 2)
    return LineString(start + t[:, None] * d + off[:, None] * n)


@dataclass
class _Obstacles:
    """Lines a new road stops at: the boundary, the roads so far, the clump edges."""

    lines: list[LineString] = field(default_factory=list)
    tree: shapely.STRtree | None = None

    def add(self, line: LineString) -> None:
        self.lines.append(line)
        self.tree = None

    def first_hit(self, line: LineString, after_m: float) -> float | None:
        """Distance along ``line`` of its first crossing beyond ``after_m``, or None."""
        if self.tree is None:
            self.tree = shapely.STRtree(self.lines)
        idx = self.tree.query(line, predicate="intersects")
        if not len(idx):
            return None
        hits = shapely.intersection(line, np.asarray(self.lines, dtype=object)[idx])
        pts = shapely.points(shapely.get_coordinates(hits))
        along = shapely.line_locate_point(line, pts)
        along = along[along > after_m]
        return float(along.min()) if len(along) else None


def _ray(
    start: np.ndarray,
    heading: float,
    rng: np.random.Generator,
    obstacles: _Obstacles,
    *,
    reach_m: float,
    amp_m: float,
    back_m: float = 2.0,
) -> tuple[LineString, bool] | None:
    """A wavy road from ``start`` to the first obstacle it meets, 1 m past it.

    It starts ``back_m`` behind ``start`` so that it crosses the road it leaves.
    Returns the line and whether it ends at the estate boundary (the first obstacle
    line), or None if it meets nothing within ``reach_m``.
    """
    origin = start - back_m * _unit(heading)
    wave = rng.uniform(600.0, 1400.0)
    line = _wavy(origin, heading, reach_m, rng, amp_m=amp_m, wavelength_m=wave, taper=False)
    hit = obstacles.first_hit(line, back_m + 3.0)
    if hit is None:
        return None
    cut = substring(line, 0.0, hit + 1.0)
    end = Point(cut.coords[-1])
    return cut, bool(obstacles.lines[0].distance(end) < 2.0)


def _longest(geom: shapely.Geometry) -> LineString | None:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "LineString"]
    return max(parts, key=lambda g: g.length) if parts else None


def _long_axis(poly: shapely.Geometry) -> float:
    """Heading of the long side of the polygon's minimum rotated rectangle, radians."""
    xy = np.asarray(shapely.minimum_rotated_rectangle(poly).exterior.coords)[:3]
    a, b = xy[1] - xy[0], xy[2] - xy[1]
    side = a if np.hypot(*a) >= np.hypot(*b) else b
    return math.atan2(side[1], side[0])


def _random_point(
    poly: shapely.Geometry, rng: np.random.Generator, tries: int = 200
) -> np.ndarray | None:
    """A uniform random point inside ``poly`` (rejection sampling), or None."""
    if poly.is_empty:
        return None
    x0, y0, x1, y1 = poly.bounds
    xy = np.column_stack([rng.uniform(x0, x1, tries), rng.uniform(y0, y1, tries)])
    inside = shapely.contains_xy(poly, xy[:, 0], xy[:, 1])
    return xy[np.argmax(inside)] if inside.any() else None


def _points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform random points inside ``poly`` (fewer if it is a sliver)."""
    x0, y0, x1, y1 = poly.bounds
    fill = max(poly.area / max((x1 - x0) * (y1 - y0), 1e-9), 0.02)
    m = int(n / fill * 1.5) + 16
    xy = np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)])
    return xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])][:n]


def _polygons(geom: shapely.Geometry, min_m2: float = 0.0) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > min_m2]


# -- boundary -----------------------------------------------------------------------------
def _villages() -> gpd.GeoDataFrame:
    """The shipped village polygons in metres, in a fixed order (by village code)."""
    v = gpd.read_file(bundled_path("context/villages.geojson"), engine="fiona")
    return v.sort_values("kode").reset_index(drop=True).to_crs(BUILD_CRS)


def _convexity(geom: shapely.Geometry) -> float:
    """Area over convex hull area: 1 for convex shapes, small for lobed ones."""
    return float(geom.area / geom.convex_hull.area)


def _grow(villages: gpd.GeoDataFrame, first: int, target_ha: float) -> list[int]:
    """Village indices: ``first`` and up to three neighbours, until ``target_ha`` is reached.

    Each step adds the neighbour (within 5 m) that keeps the union most convex. Only
    villages smaller than ``first`` are added, so ``first`` is the largest of its group
    and different first villages give different groups.
    """
    chosen = [first]
    geoms = villages.geometry.to_numpy()
    area = villages.geometry.area.to_numpy() / 1e4
    while len(chosen) < 4 and area[chosen].sum() < target_ha:
        union = shapely.union_all(geoms[chosen])
        near = np.flatnonzero(shapely.dwithin(geoms, union, 5.0))
        near = [
            int(i)
            for i in near
            if i not in chosen
            and area[i] < area[first]
            and area[chosen].sum() + area[i] <= ESTATE_HA[1]
        ]
        if not near:
            break
        chosen.append(max(near, key=lambda i: _convexity(shapely.union_all(geoms[[*chosen, i]]))))
    return chosen


def _coastal(seed: int) -> bool:
    """True for the seeds whose estate reaches the coast: 2, 6, 10, …"""
    return seed % 4 == 2


def _first_villages(villages: gpd.GeoDataFrame, coast: shapely.Geometry, seed: int) -> list[int]:
    """The villages seed ``seed`` tries to start from, in order.

    Every fourth seed (2, 6, 10, …) starts from a village that reaches the coast, the
    others from inland ones. Each pool is shuffled once with a fixed seed. An inland
    seed ``s`` takes entries ``s``, ``s + 37``, ``s + 74``, …, so seeds 0-36 try
    different villages for their first five tries; a coastal seed takes entries
    ``s // 4``, ``s // 4 + 4``, …, so the coastal seeds 2, 6, 10 and 14 try different
    villages for their first four.
    """
    coastal = shapely.dwithin(villages.geometry.to_numpy(), coast, 50.0)
    on_coast = _coastal(seed)
    pool = np.flatnonzero(coastal if on_coast else ~coastal)
    pool = pool[np.random.default_rng(_VILLAGE_ORDER_SEED).permutation(len(pool))]
    start, stride = (seed // 4, 4) if on_coast else (seed, 37)
    return [int(pool[(start + stride * k) % len(pool)]) for k in range(len(pool))]


def _boundary(
    seed: int, zone_ha: float, coast: shapely.Geometry, rng: np.random.Generator
) -> tuple[Polygon, list[str]]:
    """The estate outline (holes dropped) and the names of the villages it is made of.

    Starting from each of :func:`_first_villages` in turn, grows a group to a drawn size
    and keeps the largest piece of its union; the first that is neither too small, too
    large, too lobed (convexity under 0.72) nor too narrow for the zone's clump, and
    that reaches the coast when the seed is a coastal one, is the estate.
    """
    villages = _villages()
    min_ha = max(ESTATE_HA[0], 18.0 * zone_ha)
    for first in _first_villages(villages, coast, seed):
        chosen = _grow(villages, first, rng.uniform(min_ha, ESTATE_HA[1]))
        union = shapely.union_all(villages.geometry.to_numpy()[chosen]).buffer(2.0).buffer(-2.0)
        outline = Polygon(max(_polygons(union), key=lambda g: g.area).exterior)
        sized = min_ha <= outline.area / 1e4 <= ESTATE_HA[1]
        shore = not _coastal(seed) or outline.distance(coast) < 50.0
        if sized and shore and _convexity(outline) >= 0.72 and _roomy(outline, zone_ha):
            return outline, [str(n) for n in villages["name"].to_numpy()[chosen]]
    msg = f"seed {seed}: no village group of {min_ha:.0f}-{ESTATE_HA[1]:.0f} ha found"
    raise ValueError(msg)


def _roomy(outline: Polygon, zone_ha: float) -> bool:
    """True when a clump for the zone fits well inside the outline."""
    r = math.sqrt(2.2 * zone_ha * 1e4 / math.pi)
    return outline.buffer(-0.8 * r).area > 0.0


# -- lines --------------------------------------------------------------------------------
def _arterial(outline: Polygon, rng: np.random.Generator) -> LineString:
    """A gently curving arterial along the estate's long axis, 1 m past the boundary.

    Of up to ten drawn lines, the first whose piece inside the estate spans at least
    60 % of the estate's length (else the longest piece drawn).
    """
    x0, y0, x1, y1 = outline.bounds
    diag = math.hypot(x1 - x0, y1 - y0)
    rect = np.asarray(shapely.minimum_rotated_rectangle(outline).exterior.coords)
    span = max(float(np.hypot(*(rect[1] - rect[0]))), float(np.hypot(*(rect[2] - rect[1]))))
    best: LineString | None = None
    for _ in range(10):
        heading = _long_axis(outline) + rng.uniform(-0.35, 0.35)
        centre = _random_point(outline.buffer(-0.2 * math.sqrt(outline.area)), rng)
        if centre is None:
            centre = np.asarray(outline.point_on_surface().coords[0])
        start = centre - diag * _unit(heading)
        wave = diag * rng.uniform(0.8, 1.6)
        line = _wavy(
            start, heading, 2 * diag, rng, amp_m=0.04 * diag, wavelength_m=wave, taper=True
        )
        art = _longest(line.intersection(outline.buffer(1.0)))
        if art is not None and (best is None or art.length > best.length):
            best = art
        if best is not None and best.length >= 0.6 * span:
            break
    assert best is not None
    return best


def _river(outline: Polygon, arterial_heading: float, rng: np.random.Generator) -> LineString:
    """A meandering river across the estate, crossing the arterial at a wide angle."""
    heading = arterial_heading + rng.choice([-1, 1]) * rng.uniform(0.95, 2.2)
    x0, y0, x1, y1 = outline.bounds
    diag = math.hypot(x1 - x0, y1 - y0)
    centre = _random_point(outline.buffer(-0.15 * math.sqrt(outline.area)), rng)
    if centre is None:
        centre = np.asarray(outline.point_on_surface().coords[0])
    start = centre - diag * _unit(heading)
    amp, wave = rng.uniform(70.0, 160.0), rng.uniform(450.0, 900.0)
    line = _wavy(start, heading, 2 * diag, rng, amp_m=amp, wavelength_m=wave, taper=False)
    river = _longest(line.intersection(outline.buffer(600.0)))
    assert river is not None
    return river


def _coast() -> shapely.Geometry:
    """The shipped Java Sea shoreline in metres."""
    c = gpd.read_file(bundled_path("context/coastline.geojson"), engine="fiona")
    return shapely.union_all(c.to_crs(BUILD_CRS).geometry.to_numpy())


# -- clumps of available land ---------------------------------------------------------------
def _clump_ok(clump: Polygon, outline: Polygon, keep_out: shapely.Geometry) -> bool:
    """True when the clump lies mostly inside the estate and clear of ``keep_out``."""
    inside = clump.intersection(outline).area >= 0.85 * clump.area
    return inside and not clump.intersects(keep_out)


def _main_clump(
    outline: Polygon,
    arterial: LineString,
    keep_out: shapely.Geometry,
    zone_ha: float,
    rng: np.random.Generator,
) -> tuple[Polygon, int]:
    """Undivided land along the arterial, within 1.5 km of one of its ends.

    The clump is the part of a disc on one side of the arterial (:func:`_clump_beside`),
    about 2.2 times the zone. Tries random spots and sizes; the first clump that lies
    inside the estate and clear of ``keep_out`` (river and coast margins) wins, else
    the one with most clear land. Returns the clump and the arterial end (0 start,
    1 end) whose gate serves it.
    """
    r0 = math.sqrt(2.2 * zone_ha * 1e4 / (0.69 * math.pi))
    best: tuple[float, Polygon, int] | None = None
    length = arterial.length
    for _ in range(80):
        end = int(rng.integers(2))
        s = rng.uniform(1.3 * r0 + 100.0, max(1.3 * r0 + 150.0, min(1500.0, 0.6 * length)))
        along = s if end == 0 else length - s
        side = int(rng.choice([-1, 1]))
        for r in (r0, 1.15 * r0, 1.3 * r0):
            disc = _clump_beside(arterial, along, r, side)
            if disc is None:
                continue
            if _clump_ok(disc, outline, keep_out):
                return disc, end
            clear = disc.intersection(outline).difference(keep_out).area
            if best is None or clear > best[0]:
                best = (clear, disc, end)
    assert best is not None
    return best[1], best[2]


def _clump_beside(line: LineString, along: float, r: float, side: int) -> Polygon | None:
    """The part on one side of ``line`` of a disc of radius ``r`` centred 0.3 r off it.

    About 70 % of the disc, with a chord of about 1.9 r along the line; None when the
    line does not cut the disc in two.
    """
    a = np.asarray(line.interpolate(along).coords[0])
    b = np.asarray(line.interpolate(min(along + 5.0, line.length)).coords[0])
    c = np.asarray(line.interpolate(max(along - 5.0, 0.0)).coords[0])
    t = (b - c) / max(float(np.hypot(*(b - c))), 1e-9)
    centre = Point(a + side * np.array([-t[1], t[0]]) * 0.3 * r)
    pieces = _polygons(split(centre.buffer(r, quad_segs=16), line))
    if len(pieces) < 2:
        return None
    holding = [g for g in pieces if g.contains(centre)]
    return holding[0] if holding else max(pieces, key=lambda g: g.area)


def _other_clumps(
    outline: Polygon,
    taken: list[Polygon],
    keep_out: shapely.Geometry,
    zone_ha: float,
    rng: np.random.Generator,
) -> list[Polygon]:
    """One or two more discs of available land anywhere in the estate, apart from the rest."""
    out: list[Polygon] = []
    for _ in range(int(rng.integers(1, 3))):
        for _ in range(40):
            r = math.sqrt(rng.uniform(0.8, 2.2) * zone_ha * 1e4 / math.pi)
            xy = _random_point(outline.buffer(-0.5 * r), rng)
            if xy is None:
                break
            disc = Point(xy).buffer(r, quad_segs=16)
            clear = all(disc.distance(d) > 150.0 for d in taken + out)
            if clear and _clump_ok(disc, outline, keep_out):
                out.append(disc)
                break
    return out


# -- roads --------------------------------------------------------------------------------
@dataclass
class _Road:
    line: LineString
    road_class: str
    ends_on_boundary: bool = False


def _collectors(
    outline: Polygon,
    arterial: LineString,
    clumps: Sequence[Polygon],
    obstacles: _Obstacles,
    rng: np.random.Generator,
) -> list[_Road]:
    """Collectors off the arterial on both sides, then branches off the collectors."""
    diag = math.hypot(*(np.subtract(outline.bounds[2:], outline.bounds[:2])))
    roads: list[_Road] = []
    along = rng.uniform(250.0, 500.0)
    while along < arterial.length - 250.0:
        _branch_off(arterial, along, clumps, obstacles, rng, diag, roads, "collector")
        along += rng.uniform(500.0, 850.0)
    for road in list(roads):
        if road.line.length > 700.0 and rng.random() < 0.6:
            at = rng.uniform(300.0, road.line.length - 300.0)
            _branch_off(road.line, at, clumps, obstacles, rng, diag, roads, "collector", one=True)
    return roads


def _branch_off(
    parent: LineString,
    along: float,
    clumps: Sequence[Polygon],
    obstacles: _Obstacles,
    rng: np.random.Generator,
    reach_m: float,
    out: list[_Road],
    road_class: str,
    *,
    one: bool = False,
) -> None:
    """Roads leaving ``parent`` at ``along`` roughly at right angles (one side or both)."""
    p = parent.interpolate(along)
    if any(c.buffer(40.0).contains(p) for c in clumps):
        return
    a = np.asarray(parent.interpolate(max(along - 5.0, 0.0)).coords[0])
    b = np.asarray(parent.interpolate(min(along + 5.0, parent.length)).coords[0])
    tangent = math.atan2(b[1] - a[1], b[0] - a[0])
    sides = [int(rng.choice([-1, 1]))] if one else [-1, 1]
    for side in sides:
        if not one and rng.random() > 0.85:
            continue
        heading = tangent + side * math.pi / 2 + rng.uniform(-0.35, 0.35)
        amp = rng.uniform(15.0, 50.0)
        got = _ray(np.asarray(p.coords[0]), heading, rng, obstacles, reach_m=reach_m, amp_m=amp)
        if got is not None and got[0].length > 80.0:
            out.append(_Road(got[0], road_class, got[1]))
            obstacles.add(got[0])


def _faces(outline: Polygon, lines: Sequence[LineString]) -> list[Polygon]:
    """The faces between the lines and the boundary, inside the boundary."""
    noded = shapely.union_all([LineString(outline.exterior.coords), *lines])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    reps = shapely.point_on_surface(faces)
    return [f for f, r in zip(faces, reps, strict=True) if outline.contains(r)]


def _locals(
    outline: Polygon,
    roads: list[_Road],
    clumps: Sequence[Polygon],
    obstacles: _Obstacles,
    rng: np.random.Generator,
) -> list[_Road]:
    """Roads that split every face larger than its drawn target (5–18 ha).

    A local road runs across the face's short axis from a random inside point to the
    first obstacle in each direction, and is kept when it meets another road. A face
    no such line connects gets a road from the nearest road into it instead (a
    collector when the face is larger than 60 ha).
    """
    out: list[_Road] = []
    keep_clear = shapely.union_all([c.buffer(40.0) for c in clumps]) if clumps else Polygon()
    for _ in range(8):
        grew = False
        for face in _faces(outline, [r.line for r in roads + out]):
            free = face.difference(keep_clear)
            if free.area < rng.uniform(5.0, 18.0) * 1e4:
                continue
            road = _across(free, rng, obstacles)
            if road is None or not _meets_road(road.line, roads + out):
                road = _reach_into(free, outline, roads + out, keep_clear, rng, obstacles)
            if road is not None:
                out.append(road)
                obstacles.add(road.line)
                grew = True
        if not grew:
            break
    return out


def _across(
    free: shapely.Geometry, rng: np.random.Generator, obstacles: _Obstacles
) -> _Road | None:
    """A local road across ``free`` through a random inside point, obstacle to obstacle."""
    start = _random_point(free.buffer(-30.0), rng)
    if start is None:
        return None
    heading = _long_axis(free) + math.pi / 2 + rng.uniform(-0.25, 0.25)
    reach = 3.0 * math.sqrt(free.area) + 500.0
    amp = rng.uniform(5.0, 25.0)
    ahead = _ray(start, heading, rng, obstacles, reach_m=reach, amp_m=amp, back_m=0.0)
    behind = _ray(start, heading + math.pi, rng, obstacles, reach_m=reach, amp_m=amp, back_m=0.0)
    if ahead is None or behind is None:
        return None
    line = LineString(list(behind[0].coords)[::-1] + list(ahead[0].coords)[1:])
    return _Road(line, "local", ahead[1] or behind[1]) if line.length > 60.0 else None


def _reach_into(
    free: shapely.Geometry,
    outline: Polygon,
    roads: Sequence[_Road],
    keep_clear: shapely.Geometry,
    rng: np.random.Generator,
    obstacles: _Obstacles,
) -> _Road | None:
    """A road from a road point towards a random point of ``free``, on to an obstacle.

    The road point is the nearest one (of points every 50 m along the roads) from which
    the straight way stays inside the estate and off the clumps; a few random points
    are tried. None when no way is found.
    """
    lines = [r.line for r in roads]
    stops = shapely.line_interpolate_point(
        np.repeat(np.asarray(lines, dtype=object), [int(g.length // 50) + 1 for g in lines]),
        np.concatenate([np.arange(int(g.length // 50) + 1) * 50.0 for g in lines]),
    )
    xy = shapely.get_coordinates(stops)
    inner = outline.buffer(-5.0)
    for _ in range(12):
        p = _random_point(free.buffer(-30.0), rng)
        if p is None:
            return None
        for k in np.argsort(np.hypot(*(xy - p).T))[:150]:
            way = LineString([xy[k], p])
            if inner.contains(way) and not way.intersects(keep_clear):
                return _road_towards(xy[k], p, free, rng, obstacles)
    return None


def _road_towards(
    q: np.ndarray,
    p: np.ndarray,
    free: shapely.Geometry,
    rng: np.random.Generator,
    obstacles: _Obstacles,
) -> _Road | None:
    """A road from ``q`` (on a road) heading for ``p`` and on to the first obstacle."""
    heading = math.atan2(p[1] - q[1], p[0] - q[0])
    reach = float(np.hypot(*(p - q))) + 3.0 * math.sqrt(free.area)
    got = _ray(q, heading, rng, obstacles, reach_m=reach, amp_m=rng.uniform(5.0, 20.0))
    if got is None or got[0].length <= 60.0:
        return None
    return _Road(got[0], "collector" if free.area > 60e4 else "local", got[1])


def _meets_road(line: LineString, roads: Sequence[_Road]) -> bool:
    return any(line.intersects(r.line) for r in roads)


# -- parcels ------------------------------------------------------------------------------
def _corridors(roads: Sequence[_Road]) -> list[shapely.Geometry]:
    return [r.line.buffer(ROAD_WIDTH_M[r.road_class] / 2, cap_style="flat") for r in roads]


def _road_parcels(outline: Polygon, roads: Sequence[_Road]) -> list[Polygon]:
    """Road corridors inside the boundary, arterial first, each cut from the ones before."""
    taken: shapely.Geometry = Polygon()
    out: list[Polygon] = []
    for corridor in _corridors(roads):
        piece = corridor.intersection(outline).difference(taken)
        out += _polygons(piece, 1.0)
        taken = taken.union(corridor)
    return out


def _voronoi(
    land: Polygon, sizes: Sequence[tuple[shapely.Geometry, float]], rng: np.random.Generator
) -> list[Polygon]:
    """Voronoi parcels of ``land``: seeded points at one parcel per ``size`` m² per region."""
    pts = [np.zeros((0, 2))]
    for region, size in sizes:
        part = land.intersection(region)
        if part.area > 0:
            pts.append(_points_in(part, max(1, round(part.area / size)), rng))
    xy = np.unique(np.concatenate(pts), axis=0)
    if len(xy) < 2:
        return [land]
    cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(xy), extend_to=land))
    return _merge_slivers(_polygons(shapely.intersection(cells, land), 0.01))


def _merge_slivers(polys: list[Polygon]) -> list[Polygon]:
    """Merge pieces under :data:`SLIVER_M2` into the neighbour they share most edge with."""
    polys = sorted(polys, key=lambda g: g.area)
    while polys and polys[0].area < SLIVER_M2 and len(polys) > 1:
        small, rest = polys[0], polys[1:]
        shared = [small.boundary.intersection(p.boundary).length for p in rest]
        k = int(np.argmax(shared))
        merged = small.union(rest[k]) if shared[k] > 0 else None
        if merged is None or merged.geom_type != "Polygon":
            return [small, *_merge_slivers(rest)]
        polys = sorted([*rest[:k], merged, *rest[k + 1 :]], key=lambda g: g.area)
    return polys


@dataclass
class _Parcel:
    geometry: Polygon
    block: int
    land_use: str = "industrial"
    tenant: str | None = None


def _block_parcels(
    blocks: Sequence[Polygon],
    corridors: shapely.Geometry,
    channel: shapely.Geometry,
    clumps: Sequence[Polygon],
    rng: np.random.Generator,
) -> list[_Parcel]:
    """Channel pieces (``water``) and Voronoi parcels of each block's remaining land."""
    disc_union = shapely.union_all(clumps) if clumps else Polygon()
    out: list[_Parcel] = []
    for b, block in enumerate(blocks):
        wet = block.intersection(channel).difference(corridors)
        out += [_Parcel(g, b, "water") for g in _polygons(wet, 1.0)]
        size = math.exp(rng.uniform(math.log(3_500.0), math.log(25_000.0)))
        sizes = [(block.difference(disc_union), size), (disc_union, rng.uniform(15e3, 40e3))]
        for land in _polygons(block.difference(corridors).difference(channel), 1.0):
            out += [_Parcel(g, b) for g in _voronoi(land, sizes, rng)]
    return out


# -- land uses ------------------------------------------------------------------------------
def _block_use(
    area_m2: float, on_arterial: bool, near_village: bool, rng: np.random.Generator
) -> str:
    """A land use for a whole block, weighted by where it lies."""
    if area_m2 < 1.5e4:
        return "green"
    weights = {
        "industrial": 0.68,
        "green": 0.10,
        "commercial": 0.05,
        "residential": 0.04,
        "utility": 0.03 if area_m2 < 8e4 else 0.0,
    }
    if on_arterial:
        weights["commercial"] += 0.12
    if near_village:
        weights["residential"] += 0.25
    uses = list(weights)
    p = np.array([weights[u] for u in uses])
    return str(uses[int(rng.choice(len(uses), p=p / p.sum()))])


def _assign_uses(
    parcels: list[_Parcel],
    arterial_corridor: shapely.Geometry,
    clumps: Sequence[Polygon],
    river: LineString,
    coast: shapely.Geometry,
    village: Point,
    rng: np.random.Generator,
) -> None:
    """Land uses: clumps ``available`` (their blocks otherwise industrial), other blocks
    by :func:`_block_use`, banks and the coastal belt green; tenants on industrial blocks.
    """
    geoms = np.array([p.geometry for p in parcels], dtype=object)
    blocks = np.array([p.block for p in parcels])
    dry = np.array([p.land_use != "water" for p in parcels])
    area = shapely.area(geoms)
    in_clump = dry & np.any(
        [shapely.area(shapely.intersection(geoms, c)) > 0.5 * area for c in clumps], axis=0
    )
    tenants = list(rng.permutation(TENANTS))
    for b in np.unique(blocks):
        mine = np.flatnonzero((blocks == b) & dry)
        if not len(mine):
            continue
        if in_clump[mine].any():
            use = "industrial"
        else:
            union = shapely.union_all(geoms[mine])
            use = _block_use(
                union.area,
                union.distance(arterial_corridor) < 1.0,
                union.distance(village) < 900.0,
                rng,
            )
        tenant = tenants.pop(0) if use == "industrial" and tenants and rng.random() < 0.4 else None
        for i in mine:
            parcels[i].land_use = "available" if in_clump[i] else use
            parcels[i].tenant = tenant if not in_clump[i] else None
    banks = shapely.dwithin(geoms, river, CHANNEL_M / 2 + BANK_M)
    belt = shapely.dwithin(geoms, coast, COAST_BELT_M)
    for i in np.flatnonzero(dry & (banks | belt)):
        parcels[i].land_use, parcels[i].tenant = "green", None


# -- points ---------------------------------------------------------------------------------
def _gates(
    outline: Polygon,
    arterial: LineString,
    gate_end: int,
    roads: Sequence[_Road],
    rng: np.random.Generator,
) -> list[Point]:
    """Gates 40 m inside road ends: the arterial end that serves the main clump, maybe
    the other arterial end, maybe the boundary end of a collector (those outside the
    estate dropped, the first kept).
    """

    def inside(line: LineString, from_end: int) -> Point:
        return line.interpolate(40.0 if from_end == 0 else line.length - 40.0)

    gates = [inside(arterial, gate_end)]
    if rng.random() < 0.6:
        gates.append(inside(arterial, 1 - gate_end))
    edge = [r for r in roads if r.road_class == "collector" and r.ends_on_boundary]
    if edge and rng.random() < 0.5:
        gates.append(inside(edge[int(rng.integers(len(edge)))].line, 1))
    return [g for g in gates if outline.contains(g)] or gates[:1]


def _village_centre(outline: Polygon, clumps: Sequence[Polygon], rng: np.random.Generator) -> Point:
    """``Pusat Desa Ketanggan``: a random point inside the estate or up to 400 m outside it."""
    where = outline.buffer(400.0).difference(shapely.union_all(clumps))
    xy = _random_point(where, rng)
    return Point(xy) if xy is not None else outline.point_on_surface()


# -- assembling the layers ------------------------------------------------------------------
def _frame(rows: dict[str, list[object]], geoms: Sequence[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=BUILD_CRS)


def _parcel_layer(parcels: Sequence[_Parcel], road_pieces: Sequence[Polygon]) -> gpd.GeoDataFrame:
    """The parcels layer with ids ``IND-0001``, … numbered per land use in build order.

    Coordinates are snapped to :data:`PRECISION_M`, which removes pinches that a
    reprojection would turn into self-intersections; a parcel the snapping splits in
    two becomes two parcels.
    """
    counts: dict[str, int] = {}
    ids, uses, tenants, blocks, geoms = [], [], [], [], []
    items = [(p.geometry, p.land_use, p.tenant, f"B{p.block:03d}") for p in parcels]
    items += [(g, "road", None, None) for g in road_pieces]
    for raw, use, tenant, block in items:
        for geom in _polygons(shapely.set_precision(raw, PRECISION_M), 0.0):
            counts[use] = counts.get(use, 0) + 1
            ids.append(f"{_PREFIX[use]}-{counts[use]:04d}")
            uses.append(use)
            tenants.append(tenant)
            blocks.append(block)
            geoms.append(geom)
    return _frame({"parcel_id": ids, "land_use": uses, "tenant": tenants, "block": blocks}, geoms)


def _road_layer(roads: Sequence[_Road]) -> gpd.GeoDataFrame:
    counts: dict[str, int] = {}
    ids, names = [], []
    for r in roads:
        counts[r.road_class] = counts.get(r.road_class, 0) + 1
        ids.append(f"{r.road_class[:3].upper()}-{counts[r.road_class]:02d}")
        names.append(f"Jalan {r.road_class} {counts[r.road_class]}")
    rows: dict[str, list[object]] = {
        "road_id": ids,
        "name": names,
        "road_class": [r.road_class for r in roads],
        "width_m": [ROAD_WIDTH_M[r.road_class] for r in roads],
    }
    return _frame(rows, [r.line for r in roads])


def make_organic(
    seed: int, *, zone_ha: float | None = None, crs: str | int | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Build the organic estate of ``seed``: its six layers (SPEC §1).

    Parameters
    ----------
    seed
        Seeds everything (``numpy.random.default_rng(seed)``); the same seed gives the
        same estate.
    zone_ha
        Size of the zone the estate is built for (the main clump of available land
        holds about twice this); default :func:`zone_ha_for` of the seed.
    crs
        CRS of the returned layers; default :func:`crs_for` of the seed. The estate is
        built in EPSG:32749 and reprojected.

    Returns
    -------
    dict of str to GeoDataFrame
        ``boundary`` (name, area_ha, villages), ``parcels`` (parcel_id, land_use,
        tenant, block), ``roads`` (road_id, name, road_class, width_m), ``gates``
        (gate_id, kind, name), ``water`` (name, kind), ``settlements`` (name).

    Raises
    ------
    ValueError
        If no group of villages of a usable size is found for the seed.
    """
    zone = zone_ha_for(seed) if zone_ha is None else float(zone_ha)
    rng = np.random.default_rng(seed)
    coast = _coast()
    outline, names = _boundary(seed, zone, coast, rng)
    arterial = _arterial(outline, rng)
    river = _river(outline, _long_axis(outline), rng)
    keep_out = shapely.union_all([river.buffer(70.0), coast.buffer(130.0)])
    main, gate_end = _main_clump(outline, arterial, keep_out, zone, rng)
    clumps = [main, *_other_clumps(outline, [main], keep_out, zone, rng)]
    obstacles = _Obstacles([LineString(outline.exterior.coords), arterial])
    for c in clumps:
        obstacles.add(LineString(c.exterior.coords))
    roads = [_Road(arterial, "arterial")]
    roads += _collectors(outline, arterial, clumps, obstacles, rng)
    roads += _locals(outline, roads, clumps, obstacles, rng)
    layers = _layers(seed, outline, names, roads, river, coast, clumps, gate_end, rng)
    target = crs_for(seed) if crs is None else crs
    return {k: v.to_crs(target) for k, v in layers.items()}


def _layers(
    seed: int,
    outline: Polygon,
    names: list[str],
    roads: list[_Road],
    river: LineString,
    coast: shapely.Geometry,
    clumps: list[Polygon],
    gate_end: int,
    rng: np.random.Generator,
) -> dict[str, gpd.GeoDataFrame]:
    """The six layers in :data:`BUILD_CRS` from the built lines and clumps."""
    corridors = shapely.union_all(_corridors(roads))
    channel = river.buffer(CHANNEL_M / 2, cap_style="flat").intersection(outline)
    blocks = _faces(outline, [r.line for r in roads])
    village = _village_centre(outline, clumps, rng)
    parcels = _block_parcels(blocks, corridors, channel, clumps, rng)
    _assign_uses(parcels, _corridors(roads[:1])[0], clumps, river, coast, village, rng)
    gates = _gates(outline, roads[0].line, gate_end, roads, rng)
    title = f"organic estate {seed}: Desa " + " + ".join(names)
    return {
        "boundary": _frame(
            {
                "name": [title],
                "area_ha": [round(outline.area / 1e4, 2)],
                "villages": [", ".join(names)],
            },
            [outline],
        ),
        "parcels": _parcel_layer(parcels, _road_parcels(outline, roads)),
        "roads": _road_layer(roads),
        "gates": _frame(
            {
                "gate_id": [f"G{i + 1}" for i in range(len(gates))],
                "kind": ["estate_gate"] * len(gates),
                "name": [f"Gerbang {i + 1}" for i in range(len(gates))],
            },
            gates,
        ),
        "water": _frame(
            {"name": ["Kali Sintetis", "Laut Jawa (garis pantai)"], "kind": ["river", "coast"]},
            [river, coast],
        ),
        "settlements": _frame({"name": ["Pusat Desa Ketanggan"]}, [village]),
    }


# -- an independent feasibility witness ---------------------------------------------------
def _cheap_ok(zone: shapely.Geometry, estate: Estate, rules: Rules) -> bool:
    """Quick shapely tests of the rules :func:`witness_zone` screens for, with small margins."""
    for rule in rules.rules:
        if rule.kind == "compactness":
            ok = 4 * math.pi * zone.area / zone.length**2 >= rule["min"] + 0.01
        elif rule.kind == "min_width":
            r = rule["min_m"] / 2
            ok = zone.buffer(-r).buffer(r).intersection(zone).area >= 0.993 * zone.area
        elif rule.kind == "frontage":
            roads = estate.roads["road_class"].isin(list(rule["road_class"])).to_numpy()
            band = shapely.union_all(estate.road_corridors.to_numpy()[roads]).buffer(1.5)
            ok = zone.boundary.intersection(band).length >= rule["min_m"] + 10.0
        elif rule.kind == "adjacent":
            to = rule["to"].select(estate).geometry.to_numpy()
            band = shapely.union_all(to[shapely.dwithin(to, zone, 1.0)]).buffer(0.5)
            ok = zone.boundary.intersection(band).length >= rule["min_shared_m"] + 10.0
        else:
            continue
        if not ok:
            return False
    return True


def _land(estate: Estate, rules: Rules) -> list[Polygon]:
    """The pieces of ``on`` land outside every setback, large enough for the zone."""
    assert rules.zone is not None
    p = estate.parcels
    land = shapely.union_all(p.geometry.to_numpy()[p["land_use"].isin(rules.zone.on).to_numpy()])
    for rule in rules.rules:
        if rule.kind == "setback":
            feats = rule["from"].select(estate).geometry.to_numpy()
            land = land.difference(shapely.union_all(shapely.buffer(feats, rule["min_m"] + 0.5)))
    return _polygons(land, rules.zone.min_ha * 1e4)


def _disc_cut(piece: Polygon, centre: Point, area_m2: float) -> Polygon | None:
    """``piece`` inside a disc round ``centre`` whose radius gives ``area_m2`` (bisection)."""
    lo, hi = 0.0, 4.0 * math.sqrt(area_m2 / math.pi)
    if piece.intersection(centre.buffer(hi, quad_segs=16)).area < area_m2:
        return None
    for _ in range(22):
        mid = (lo + hi) / 2
        if piece.intersection(centre.buffer(mid, quad_segs=16)).area < area_m2:
            lo = mid
        else:
            hi = mid
    cut = piece.intersection(centre.buffer(hi, quad_segs=16))
    return cut if cut.geom_type == "Polygon" else None


def witness_zone(estate: Estate, rules: Rules, *, max_checks: int = 40) -> Polygon | None:
    """A zone that passes every zone rule of :func:`kitland.check`, found by a plain search.

    The search knows nothing of kitland's placement: on the ``on`` land outside the
    setbacks it cuts discs (centres on a grid, radius bisected to the zone's area),
    screens them with quick shapely tests and gives the survivors to ``kitland.check``.

    Parameters
    ----------
    estate
        The estate.
    rules
        Rules with a ``[zone]`` table.
    max_checks
        How many screened discs ``kitland.check`` judges at most.

    Returns
    -------
    Polygon or None
        The first zone whose zone rules all pass, or None (which proves nothing).
    """
    assert rules.zone is not None
    area = rules.zone.area_ha * 1e4
    step = max(25.0, math.sqrt(area) / 4)
    checks = 0
    for piece in _land(estate, rules):
        x0, y0, x1, y1 = piece.bounds
        xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
        inside = shapely.contains_xy(piece, xs.ravel(), ys.ravel())
        for x, y in zip(xs.ravel()[inside], ys.ravel()[inside], strict=True):
            zone = _disc_cut(piece, Point(x, y), area)
            if zone is None or not _cheap_ok(zone, estate, rules):
                continue
            report = check(estate, zone, rules)
            if all(r.passed for r in report.results if r.scope == "zone"):
                return zone
            checks += 1
            if checks >= max_checks:
                return None
    return None


def write_estate(layers: dict[str, gpd.GeoDataFrame], path: str | Path) -> Path:
    """Write the layers to a GeoPackage through fiona (replacing the file)."""
    out = Path(path)
    out.unlink(missing_ok=True)
    for name, gdf in layers.items():
        gdf.to_file(out, layer=name, driver="GPKG", engine="fiona")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``make_organic.py SEED OUT.gpkg [--crs C] [--zone-ha Z] [--rules R.toml]``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("out", type=Path, help="GeoPackage to write")
    ap.add_argument("--crs", help="CRS of the written layers (default: the seed's)")
    ap.add_argument("--zone-ha", type=float, help="zone size (default: the seed's)")
    ap.add_argument("--rules", type=Path, help="also write the matching rules TOML here")
    args = ap.parse_args(argv)
    zone = zone_ha_for(args.seed) if args.zone_ha is None else args.zone_ha
    layers = make_organic(args.seed, zone_ha=zone, crs=args.crs)
    write_estate(layers, args.out)
    if args.rules:
        args.rules.write_text(rules_text(zone), encoding="utf-8")
    b = layers["boundary"].iloc[0]
    print(
        f"wrote {args.out}: {b['name']}, {b['area_ha']:.0f} ha, {len(layers['parcels'])} parcels, "
        f"{len(layers['roads'])} roads, {len(layers['gates'])} gates, zone {zone:g} ha, "
        f"{layers['parcels'].crs.to_string()}"
    )


if __name__ == "__main__":
    main()
