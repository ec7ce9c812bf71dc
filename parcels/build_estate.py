#!/usr/bin/env python
"""Build the bundled, ILLUSTRATIVE KIT Batang estate (parcels/kit_batang.gpkg).

Run from the repository root::

    python parcels/build_estate.py

What is real and what is invented
---------------------------------
* REAL: the village polygons of Desa Ketanggan, Kedawung and Sawangan and of the
  villages around them, and the Java Sea shoreline implied by them.  They come from
  ``cahyadsn/wilayah_boundaries`` (MIT licence, "Copyright (c) 2024 Cahya DSN"), as
  prepared in ``parcels/source/`` (see ``parcels/source/SOURCES.md``).
* REAL (published facts, see parcels/README.md): estate size ~4,300 ha, three clusters
  (3,100 / 800 / 400 ha), phase 1 = 450 ha in Zones 1-3, tenant plot sizes of KCC Glass
  (49 ha, Zone II), Wavin (20 ha) and the LG consortium (275 ha), the toll interchange
  at KM 371+750, Kali Urang with two reservoirs (embung Barat / Timur), the port and
  Stasiun Plabuan.
* INVENTED: the estate boundary (= union of the three villages, a size coincidence),
  every road alignment (toll road, Pantura, estate roads), the river alignment, the
  reservoirs, every parcel and every tenant position.  This is NOT the official KIT
  Batang master plan.

The script is deterministic (no randomness), uses only numpy / shapely / pyproj /
geopandas / fiona, reads its geodata only from ``parcels/source/`` and checks the
result with assertions before writing.
"""
from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box, mapping
from shapely.ops import nearest_points, split, unary_union

HERE = Path(__file__).resolve().parent
SRC = HERE / "source"
CTX = HERE / "context"
OUT = HERE / "kit_batang.gpkg"
CRS = "EPSG:32749"  # WGS 84 / UTM zone 49S
HA = 10_000.0

VILLAGE_CODES = {  # Kepmendagri area codes of the three villages forming the estate
    "33.25.07.2014": "Ketanggan",
    "33.25.15.2004": "Kedawung",
    "33.25.07.2013": "Sawangan",
}
LAND_USES = ["industrial", "commercial", "umkm", "residential", "green",
             "utility", "water", "road", "available"]
ROAD_WIDTH = {"toll": 40.0, "arterial": 30.0, "collector": 20.0, "local": 12.0}
SUPPORTING = ["commercial", "utility", "residential", "umkm"]


# --------------------------------------------------------------------------------------
# geometry helpers
# --------------------------------------------------------------------------------------
def polys(geom) -> list[Polygon]:
    """Polygon parts of any geometry (drops points/lines and empty parts)."""
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        out = []
        for g in geom.geoms:
            out.extend(polys(g))
        return out
    return []


def clean(geom, min_area=0.5) -> list[Polygon]:
    """Valid polygon parts larger than min_area m2."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return [p for p in polys(geom) if p.area > min_area]


def corridor(line: LineString, width: float):
    """A road corridor exactly as SPEC section 1 defines it."""
    return line.buffer(width / 2.0, cap_style="flat")


def halfplane(d, t, center, big=1.0e5) -> Polygon:
    """Points p with (p - center).d <= t  (d unit vector)."""
    d = np.asarray(d, float)
    n = np.array([-d[1], d[0]])
    c = np.asarray(center, float)
    a = c + d * t
    pts = [a + n * big, a - n * big, a - n * big - d * big, a + n * big - d * big]
    return Polygon(pts)


def long_axis(poly: Polygon):
    mrr = poly.minimum_rotated_rectangle
    c = np.asarray(mrr.exterior.coords)[:4]
    e1, e2 = c[1] - c[0], c[2] - c[1]
    v = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    v = v / np.hypot(*v)
    # canonical orientation, so results do not depend on ring start
    if v[0] < -1e-9 or (abs(v[0]) <= 1e-9 and v[1] < 0):
        v = -v
    return v


def cut_to_area(poly, target, d, from_low=True):
    """Part of poly on the low (or high) side of a line normal to d with area target."""
    d = np.asarray(d, float)
    d = d / np.hypot(*d)
    c = np.asarray(poly.centroid.coords[0])
    proj = (np.asarray(poly.exterior.coords) - c) @ d
    lo, hi = proj.min() - 1.0, proj.max() + 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        part = poly.intersection(halfplane(d, mid, c))
        a = part.area if from_low else poly.area - part.area
        if (a < target) == from_low:
            lo = mid
        else:
            hi = mid
    hp = halfplane(d, 0.5 * (lo + hi), c)
    return poly.intersection(hp) if from_low else poly.difference(hp)


def subdivide(poly: Polygon, max_area: float, min_side=60.0) -> list[Polygon]:
    """Recursive halving across the long axis until every plot <= max_area."""
    if poly.area <= max_area:
        return [poly]
    d = long_axis(poly)
    half = cut_to_area(poly, poly.area / 2.0, d, from_low=True)
    rest = poly.difference(half)
    out = []
    for part in clean(half) + clean(rest):
        out.extend(subdivide(part, max_area, min_side))
    return out


def insert_vertices(line: LineString, pts, tol=1e-6) -> LineString:
    coords = [tuple(c) for c in line.coords]
    for p in pts:
        pc = (p.x, p.y)
        hit = None
        for i, c in enumerate(coords):
            if math.hypot(c[0] - pc[0], c[1] - pc[1]) <= 1e-3:
                hit = i
                break
        if hit is not None:
            coords[hit] = pc
            continue
        dist = LineString(coords).project(p)
        acc = 0.0
        for i in range(len(coords) - 1):
            seg = math.hypot(coords[i + 1][0] - coords[i][0], coords[i + 1][1] - coords[i][1])
            if acc + seg >= dist - tol:
                coords.insert(i + 1, pc)
                break
            acc += seg
    return LineString(coords)


def node_network(lines: list[LineString]) -> list[LineString]:
    """Make every crossing / touching point a shared vertex of all lines involved."""
    pts_for = [[] for _ in lines]
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            a, b = lines[i], lines[j]
            if a.distance(b) > 1e-3:
                continue
            inter = a.intersection(b)
            pts = [g for g in getattr(inter, "geoms", [inter]) if g.geom_type == "Point"]
            if not pts:  # touching within fp tolerance but no computed intersection
                _pa, pb = nearest_points(a, b)
                pts = [pb]
            pts_for[i].extend(pts)
            pts_for[j].extend(pts)
    return [insert_vertices(ln, p) for ln, p in zip(lines, pts_for, strict=False)]


def seg_y(line: LineString, x: float) -> float:
    """y of a (roughly east-west) line at easting x."""
    v = LineString([(x, 9.0e6), (x, 9.5e6)])
    p = line.intersection(v)
    return min(g.y for g in getattr(p, "geoms", [p]))


def pt_on(line, x=None, y=None) -> Point:
    """Exact intersection of a line with the vertical x=... or horizontal y=..."""
    if x is not None:
        probe = LineString([(x, 9.0e6), (x, 9.5e6)])
    else:
        probe = LineString([(3.0e5, y), (5.0e5, y)])
    p = line.intersection(probe)
    gs = list(getattr(p, "geoms", [p]))
    return gs[0]


def round_coords(geom, nd=6):
    return shapely.transform(geom, lambda c: np.round(c, nd))


# --------------------------------------------------------------------------------------
# 1. real geography: villages, estate boundary, coast
# --------------------------------------------------------------------------------------
def load_geography():
    vill = gpd.read_file(SRC / "gringsing_area_villages.geojson").to_crs(CRS)
    vill = vill.sort_values("kode").reset_index(drop=True)
    three = vill[vill["kode"].isin(VILLAGE_CODES)]
    assert len(three) == 3, "the three estate villages must be in the source file"
    u = unary_union(list(three.geometry))
    u = u.buffer(2.0, join_style="mitre").buffer(-2.0, join_style="mitre")
    parts = sorted(polys(u), key=lambda p: -p.area)
    boundary = Polygon(parts[0].exterior.coords)  # drop holes, keep the main body
    boundary = shapely.set_precision(boundary, 0.001)
    assert boundary.is_valid

    coast_all = gpd.read_file(SRC / "gringsing_coastline.geojson").to_crs(CRS)
    x0, y0, x1, y1 = boundary.bounds
    clip = box(x0 - 3000, y0 - 3000, x1 + 3000, y1 + 3000)
    coast = unary_union(list(coast_all.geometry)).intersection(clip)
    if coast.geom_type == "MultiLineString":
        coast = shapely.line_merge(coast)
    if coast.geom_type == "MultiLineString":
        coast = max(coast.geoms, key=lambda g: g.length)
    return vill, boundary, coast


# --------------------------------------------------------------------------------------
# 2. invented road network (plausible alignments; no public geometry exists)
# --------------------------------------------------------------------------------------
# Grid of the estate roads (UTM 49S metres).  Chosen by eye on the real boundary.
C1, C2, SP, C3, C4, C5, C6 = 381_400.0, 382_900.0, 384_560.0, 386_200.0, 387_300.0, 388_700.0, 390_000.0
YS, YB, YN = 9_232_300.0, 9_233_300.0, 9_234_300.0

TOLL = LineString([  # Trans-Java toll road, Batang-Semarang section (alignment invented)
    (374000, 9230500), (381000, 9231150), (383400, 9231350), (384560, 9231450),
    (385500, 9231380), (386700, 9231150), (388000, 9230800), (389500, 9230450),
    (390800, 9230150), (392500, 9229700),
    (395068.3, 9229191.1),  # Jembatan Kali Kuto, KM 383+200 (published coordinate)
    (397500, 9228800)])
PANTURA = LineString([  # Jalan Nasional Pantura (alignment invented)
    (375500, 9229600), (381400, 9230100), (383000, 9230350), (384560, 9230500),
    (386800, 9230400), (388000, 9229950), (388700, 9229800), (390000, 9229720),
    (390800, 9229700), (391500, 9229600), (393500, 9229100), (395500, 9228650)])
RIVER_BASE = [(388250, 9227800), (388150, 9229000), (387950, 9230300), (388000, 9231500),
              (387950, 9232600), (388050, 9233600), (388000, 9234400), (388000, 9235200)]


def river_line(coast) -> LineString:
    """Kali Urang: a deterministic meander around a hand-drawn base line (invented)."""
    base = LineString(RIVER_BASE)
    n = 400
    pts = []
    for i in range(n + 1):
        s = base.length * i / n
        p = base.interpolate(s)
        q = base.interpolate(min(s + 1.0, base.length))
        r = base.interpolate(max(s - 1.0, 0.0))
        t = np.array([q.x - r.x, q.y - r.y])
        t /= np.hypot(*t)
        nrm = np.array([-t[1], t[0]])
        off = 70.0 * math.sin(2 * math.pi * s / 900.0) + 35.0 * math.sin(2 * math.pi * s / 370.0 + 1.0)
        pts.append((p.x + nrm[0] * off, p.y + nrm[1] * off))
    line = LineString(pts)
    # end the river at the shoreline
    inter = line.intersection(coast)
    cut = min(line.project(g) for g in getattr(inter, "geoms", [inter]))
    line = shapely.ops.substring(line, 0, cut)
    return shapely.set_precision(line.simplify(0.5), 0.01)


def build_roads(boundary, coast, river):
    toll_keepout = TOLL.buffer(60.0)
    roads = []  # (name, class, geometry)

    def add(name, cls, geom):
        roads.append([name, cls, geom])

    # ring road 60 m inside the boundary (behind the 50 m perimeter green) and 160 m
    # from the shore (behind the 150 m coastal belt); estate roads end on it.
    ring_region = boundary.buffer(-60.0).difference(coast.buffer(160.0))
    ring_region = unary_union([p for p in polys(ring_region) if p.area > 5 * HA])
    ring_region = shapely.set_precision(ring_region.simplify(8.0), 0.001)
    inner = ring_region

    add("Jalan Tol Batang-Semarang (Trans-Java)", "toll", TOLL)
    add("Jalan Nasional Pantura", "arterial", PANTURA)

    y_coast_sp = pt_on(coast, x=SP).y
    spine_s = pt_on(PANTURA, x=SP)
    add("Jalan Utama KITB (spine)", "arterial",
        LineString([(SP, spine_s.y), (SP, pt_on(TOLL, x=SP).y), (SP, YS), (SP, YB), (SP, YN), (SP, y_coast_sp)]))

    def ew(y, name, cls, x_from=376000.0, x_to=393000.0):
        ln = LineString([(x_from, y), (x_to, y)]).intersection(inner)
        ln = max(getattr(ln, "geoms", [ln]), key=lambda g: g.length)
        add(name, cls, ln)
        return ln

    ew(YB, "Boulevard KITB", "arterial")
    ew(YS, "Jalan Kawasan Selatan", "collector")
    ew(YN, "Jalan Kawasan Pesisir", "collector", x_to=389_600)

    def ns(x, name, cls, y_from, y_to, clip=True):
        ln = LineString([(x, y_from), (x, y_to)])
        if clip:
            ln = ln.intersection(inner)
            ln = max(getattr(ln, "geoms", [ln]), key=lambda g: g.length)
        add(name, cls, ln)
        return ln

    # C1 runs from Pantura (outside the estate, Banyuputih) north to the coast
    c1_s = pt_on(PANTURA, x=C1)
    c1 = LineString([(C1, c1_s.y), (C1, pt_on(TOLL, x=C1).y), (C1, YS), (C1, YB), (C1, YN),
                     (C1, pt_on(coast, x=C1).y - 170.0)])
    add("Jalan Kawasan Barat (C1)", "collector", c1)
    ns(C2, "Jalan Kawasan C2", "collector", seg_y(TOLL, C2) + 50.0, pt_on(coast, x=C2).y - 170.0)
    ns(C3, "Jalan Kawasan C3", "collector", seg_y(TOLL, C3) + 50.0, YN)
    ns(C4, "Jalan Kawasan C4", "collector", seg_y(TOLL, C4) + 50.0, YN)
    # C5 / C6 start on Pantura inside the Sawangan lobe and cross the toll road
    ns(C5, "Jalan Kawasan Timur (C5)", "arterial", pt_on(PANTURA, x=C5).y, 9_236_000)
    ns(C6, "Jalan Kawasan C6", "collector", pt_on(PANTURA, x=C6).y, 9_236_000)
    # township collector south of the toll road (cluster 3)
    tw = LineString([(SP, 9231080.0), (385400, 9231060), (386600, 9230880), (387700, 9230560),
                     (C5, 9230330), (C6, 9230020), (390700, 9229930)])
    add("Jalan Township", "collector", tw)

    ring_ko = unary_union([toll_keepout,
                           unary_union([box(*bb) for _, _, _, bb in SPECIALS]).buffer(15.0),
                           box(*next(b for n, b in AVAILABLE if n.startswith("Kedawung coast")))])
    for pg in polys(ring_region):
        ln = LineString(pg.exterior.coords).difference(ring_ko)
        for g in getattr(ln, "geoms", [ln]):
            if g.length > 150:
                add("Jalan Lingkar Kawasan (ring road)", "collector", g)

    # ---- local roads (12 m): a regular grid (~300 x 330 m blocks) clipped by keep-out
    #      areas (toll road, boundary, river, reservoirs, big tenant sites, undeveloped land),
    #      plus hand-drawn roads in phase 1 and in the township south of the toll road.
    T = lambda x: seg_y(TOLL, x) + 60.0  # noqa: E731  (stop before the toll green buffer)
    xs = [380_900, 381_775, 382_150, 382_525, 383_300, 383_850, 385_000, 385_800, 386_600,
          386_950, 387_600, 388_450, 389_050, 389_350, 389_700, 390_350, 390_700]
    ys = [9_231_300, 9_231_550, 9_231_800, 9_232_550, 9_232_800, 9_233_050, 9_233_550, 9_233_800,
          9_234_050, 9_234_600, 9_234_900, 9_235_200]
    grid = [("v", x, 9_229_000, 9_236_000) for x in xs] + [("h", y, 379_000, 392_000) for y in ys]
    hand = [
        # phase 1 (Zones 1-3): as built, big plots
        ("v", 383_700, T(383_700), YS), ("v", 385_400, T(385_400), YS), ("h", 9231900, SP, 385_400),
        ("h", 9232950, SP, C3), ("v", 385_400, 9232950, YB),
        # township south of the toll road (cluster 3)
        ("v", 385_000, 9230800, 9231060), ("v", 385_900, 9230700, 9230980),
        ("h", 9_230_050, 386_900, 390_800), ("h", 9_229_550, 388_000, 390_800),
        ("h", 9_229_850, 388_000, 388_600), ("h", 9_230_300, 386_900, 388_500),
        ("h", 9_230_200, 388_800, 390_800), ("h", 9_230_550, 386_900, 388_500),
        ("h", 9_230_750, 386_700, 388_000), ("h", 9_231_150, 384_700, 386_800),
    ] + [("v", x, 9_229_000, 9_231_200) for x in range(387_000, 390_801, 220)
         if abs(x - C5) > 120 and abs(x - C6) > 120]
    river_keepout = river.buffer(95.0)
    keepout = unary_union([
        toll_keepout, river_keepout,
        box(C2 - 20, 9_230_000, C3 + 20, YB - 20),             # phase 1 zones (own roads)
        box(C1 - 20, YS - 20, 384_000, YB - 20),                # LG consortium site
        SOUTH_OF_TOLL,                                          # township: own roads
        unary_union([pg.buffer(45.0) for _, pg in PONDS]),
        unary_union([box(*bb).buffer(40.0) for bb in AVAILABLE_BOXES]),
        box(SP, YB, 385_800, 9_233_800).buffer(20.0),         # CBD and Taman KITB
        box(*INNOVATION_HUB).union(box(*TAMAN_INOVASI)).buffer(20.0),
        box(*HUTAN_KOTA).buffer(20.0),
        unary_union([box(*bb) for _, _, _, bb in SPECIALS]).buffer(20.0),
    ])
    existing = unary_union([r[2] for r in roads])
    keep = []
    for specs, ko in ((hand, toll_keepout.union(river_keepout)), (grid, keepout)):
        for spec in specs:
            if spec[0] == "v":
                _, x, y0, y1 = spec
                ln = LineString([(x, y0), (x, y1)])
            else:
                _, y, x0, x1 = spec
                ln = LineString([(x0, y), (x1, y)])
            ln = ln.difference(ko).intersection(inner)
            parts = [g for g in getattr(ln, "geoms", [ln])
                     if g.geom_type == "LineString" and g.length > 100]
            net = unary_union([existing, *keep])
            parts = [_joined(g, net) for g in parts if g.distance(net) < 1e-6]
            keep.extend(parts)
    for ln in keep:
        add("Jalan lokal", "local", ln)

    lines = node_network([shapely.set_precision(r[2], 0.001) for r in roads])
    for r, ln in zip(roads, lines, strict=False):
        r[2] = ln
    return roads


def _joined(line: LineString, net) -> LineString:
    """The road with each end that a keep-out area cut short inside another road's
    corridor (nearer its centre line than half the narrowest corridor) carried on to
    that centre line, so the network joins them there (two ends 5 m short of a
    collector were dead ends)."""
    coords = list(line.coords)
    for k in (0, -1):
        end = Point(coords[k])
        gap = end.distance(net)
        if 1e-6 < gap < min(ROAD_WIDTH.values()) / 2:
            coords[k] = nearest_points(end, net)[1].coords[0]
    return LineString(coords)


# --------------------------------------------------------------------------------------
# 3. invented water features
# --------------------------------------------------------------------------------------
AVAILABLE = [  # undeveloped, allocatable land (positions invented)
    ("Zone 3 reserve (undeveloped)", (SP, YS, 385_300, 9_232_950)),
    ("Kedawung west (undeveloped)", (380_880, YS, C1, YB)),
    ("Ketanggan east (undeveloped)", (C3, 9_231_550, 386_850, YS)),
    ("Cluster 2 south-west (undeveloped)", (C5, 9_230_000, 389_350, 9_231_600)),
    ("Cluster 2 south-east (undeveloped)", (C6, 9_230_000, 390_620, 9_231_500)),
    ("Kedawung coast (undeveloped)", (379_000, YN, 380_860, 9_235_600)),
    ("Cluster 2 north (undeveloped)", (C5, YB, C6, 9_233_800)),
    ("Kedawung north-east (undeveloped)", (382_160, YN, C2, 9_234_940)),
]
AVAILABLE_BOXES = [bb for _, bb in AVAILABLE]
INNOVATION_HUB = (C5, YS, 389_300, 9_232_800)
TAMAN_INOVASI = (389_300, YS, 389_900, 9_232_800)
HUTAN_KOTA = (380_860, 9_234_900, C1, 9_236_500)
SOUTH_OF_TOLL = Polygon([*list(TOLL.coords), (397500, 9220000), (374000, 9220000)])


def rounded_box(x0, y0, x1, y1, r=40.0):
    return box(x0, y0, x1, y1).buffer(-r, join_style="mitre").buffer(r, quad_segs=8)


PONDS = [  # Kali Urang reservoirs (real names, invented positions and shapes)
    ("Embung Barat (Kali Urang reservoir)", rounded_box(387_340, 9_232_420, 387_740, 9_232_900)),
    ("Embung Timur (Kali Urang reservoir)", rounded_box(388_210, 9_232_420, 388_620, 9_232_900)),
]


# --------------------------------------------------------------------------------------
# 4. land-use plan (all invented).  Each entry claims land from the blocks left
#    between roads, water and green belts; first come, first served.
# --------------------------------------------------------------------------------------
def a(**kw):
    return kw


def plan(toll_y):
    """Ordered designations.  kind 'box': everything inside the box; kind 'cut': a piece
    of the block containing `seed`, of exactly `area_ha`, taken from the side `side`."""
    T = toll_y
    return [
        # ---- phase 1, cluster 1 (Zones 1-3 by the interchange) --------------------
        a(kind="cut", seed=(386_000, 9_232_100), area_ha=49.0, side="north",
          land_use="industrial", tenant="KCC Glass", status="operating", max_ha=49.5,
          name="KCC Glass float-glass plant (49 ha, Zone II)"),
        a(kind="box", geom=(385_400, T(385_700), C3, 9_232_300), land_use="industrial",
          tenant="Unipack Plasindo", status="operating", max_ha=30, name="Unipack Plasindo"),
        a(kind="box", geom=(SP, 9_231_560, 384_800, 9_231_900), land_use="commercial",
          tenant="KITB (PT Kawasan Industri Terpadu Batang)", status="operating",
          name="Marketing Gallery & estate office"),
        # ---- available land (undeveloped, allocatable) ------------------------------
        *[a(kind="box", geom=bb, land_use="available", status="undeveloped", name=nm,
            north_only=True) for nm, bb in AVAILABLE],
        a(kind="cut", seed=(385_800, 9_232_600), area_ha=20.0, side="west",
          land_use="industrial", tenant="Wavin (Orbia)", status="operating", max_ha=20.5,
          name="Wavin pipe plant (20 ha)"),
        # ---- phase 2: LG consortium (275 ha) west of Zone 1 / north of it ----------
        a(kind="lg", land_use="industrial", tenant="LG consortium", status="construction",
          name="LG 'grand package' EV-battery site"),
        # ---- utilities ---------------------------------------------------------------
        a(kind="box", geom=(C1, 9_231_700, 381_650, 9_231_940), land_use="utility",
          status="operating", name="Gardu Induk 150 kV (substation) Barat"),
        a(kind="box", geom=(388_350, 9_232_960, C5, YB), land_use="utility",
          status="operating", name="IPA - raw water treatment plant (Kali Urang)"),
        a(kind="box", geom=(C6, YB, 390_400, 9_233_550), land_use="utility",
          status="planned", name="Gardu Induk (substation) Timur"),
        a(kind="box", geom=(387_000, YB, C4, 9_233_500), land_use="utility",
          status="planned", name="Fire station & estate security"),
        a(kind="box", geom=(380_000, 9_230_000, 382_000, T(381_400) - 20), land_use="utility",
          status="planned", name="Truck terminal / parking (Gerbang Barat)"),
        # ---- commercial / innovation / parks ----------------------------------------
        a(kind="box", geom=(SP, YB, 385_000, 9_233_800), land_use="commercial",
          status="planned", name="KITB central business district"),
        a(kind="box", geom=(385_410, YB, 385_800, 9_233_800), land_use="green",
          status="planned", name="Taman KITB (park)"),
        a(kind="box", geom=INNOVATION_HUB, land_use="commercial", status="planned",
          name="Innovation hub / R&D campus (Distrik Inovasi)"),
        a(kind="box", geom=TAMAN_INOVASI, land_use="green", status="planned",
          name="Taman Inovasi (park)"),
        a(kind="box", geom=HUTAN_KOTA, land_use="green", status="planned",
          name="Hutan kota Kedawung (urban forest)"),
        a(kind="box", geom=(384_000, YN, SP, 9_234_700), land_use="commercial",
          status="planned", name="Port logistics & services"),
        # ---- cluster 3 (south of the toll road): township ---------------------------
        a(kind="pantura_strip", land_use="commercial", status="planned",
          name="Pantura commercial strip"),
        a(kind="box", geom=(SP, 9_230_500, 385_400, 9_231_400), land_use="commercial",
          status="planned", name="Simpang Susun service centre"),
        a(kind="box", geom=(C5, 9_230_050, 389_350, 9_230_600), land_use="commercial",
          status="planned", name="Township centre (schools, clinic, market)"),
        a(kind="box", geom=(388_360, 9_229_000, C5, 9_230_045), land_use="green",
          status="planned", name="Taman Rekreasi (recreation park)"),
        a(kind="box", geom=(389_350, 9_229_000, 390_400, 9_230_045), land_use="green",
          status="planned", name="Lapangan & taman (sports ground, park)"),
    ]


SPECIALS = [  # override the coastal belt: facilities that need the shore
    ("utility", "Terminal Multipurpose Batang (Pelindo) - port yard", "operating",
     (384_150, 9_234_710, SP, 9_235_300)),
    ("utility", "Stasiun Plabuan dry port / TOD (planned)", "planned",
     (SP, 9_234_600, 385_050, 9_235_300)),
    ("utility", "IPAL - central wastewater treatment plant", "planned",
     (386_900, YN, C4, 9_235_300)),
]

DEFAULT_BY_CLUSTER = {
    1: {"land_use": "industrial", "status": "for sale", "name": None},
    2: {"land_use": "industrial", "status": "for sale", "name": "Hi-tech / light industry"},
    3: {"land_use": "residential", "status": "planned", "name": "Housing (township)"},
}
MAX_HA = {"industrial": 10.0, "commercial": 5.0, "residential": 2.5, "utility": 1e9,
          "green": 1e9, "available": 1e9, "water": 1e9, "umkm": 1e9}


# --------------------------------------------------------------------------------------
# 5. parcels
# --------------------------------------------------------------------------------------
def carve(region, taken_union):
    return clean(region.difference(taken_union)) if taken_union is not None else clean(region)


def build_parcels(B, coast, river, roads):
    rows = []  # dicts with geometry + attributes
    taken = []

    def take(geom_list, **attrs):
        for g in geom_list:
            rows.append(dict(geometry=g, **attrs))
            taken.append(g)

    def taken_union():
        return unary_union(taken) if taken else Polygon()

    # 5a. road corridors inside the boundary, in class priority order
    order = {"toll": 0, "arterial": 1, "collector": 2, "local": 3}
    ridx = sorted(range(len(roads)), key=lambda i: (order[roads[i]["road_class"]], i))
    covered = Polygon()
    for i in ridx:
        r = roads[i]
        corr = corridor(r["geometry"], r["width_m"]).intersection(B)
        pieces = clean(corr.difference(covered), min_area=1.0)
        covered = covered.union(corr)
        status = "existing" if r["road_class"] == "toll" or r["name"].startswith("Jalan Nasional") else r["status"]
        for pc in pieces:
            rows.append({"geometry": pc, "land_use": "road", "name": r["name"], "status": status,
                             "road_id": r["road_id"]})
    taken.append(covered.intersection(B))

    # 5b. water: river channel (20 m) and reservoirs
    tu = taken_union()
    ch = river.buffer(10.0, cap_style="flat").intersection(B)
    take(carve(ch, tu), land_use="water", name="Kali Urang (river channel)", status="existing")
    for nm, pg in PONDS:
        take(carve(pg.intersection(B), taken_union()), land_use="water", name=nm, status="existing")

    # 5c. facilities on the shore (override the coastal belt)
    for lu, nm, st, bb in SPECIALS:
        take(carve(box(*bb).intersection(B), taken_union()), land_use=lu, name=nm, status=st)

    # 5d. green belts
    belts = [
        ("Coastal green belt (sempadan pantai, 150 m)", coast.buffer(150.0)),
        ("Kali Urang riparian green belt (sempadan sungai, 75 m)", river.buffer(75.0)),
        ("Toll road green buffer", TOLL.buffer(ROAD_WIDTH["toll"] / 2 + 30.0, cap_style="flat")),
        ("Reservoir green rim", unary_union([pg.buffer(25.0) for _, pg in PONDS])),
        ("Perimeter green buffer (50 m)", B.difference(B.buffer(-50.0))),
    ]
    for nm, g in belts:
        take(carve(g.intersection(B), taken_union()), land_use="green", name=nm,
             status="protected" if "sempadan" in nm else "planned")

    # 5e. blocks left for the land-use plan
    blocks = carve(B, taken_union())

    toll_y = lambda x: seg_y(TOLL, x) + ROAD_WIDTH["toll"] / 2 + 30.0  # noqa: E731
    designations = plan(toll_y)
    remaining = list(blocks)
    assigned = []  # (geom, attrs)

    def claim(region):
        nonlocal remaining
        got, rest = [], []
        for r in remaining:
            if not r.intersects(region):
                rest.append(r)
                continue
            inter = r.intersection(region)
            got += clean(inter, 1.0)
            rest += clean(r.difference(region), 1.0)
        remaining = rest
        return got

    def block_at(seed):
        p = Point(seed)
        for r in remaining:
            if r.contains(p):
                return r
        raise AssertionError(f"no free block at {seed}")

    sides = {"north": ((0, 1), False), "south": ((0, 1), True),
             "east": ((1, 0), False), "west": ((1, 0), True)}
    for d in designations:
        attrs = {k: v for k, v in d.items()
                 if k not in ("kind", "geom", "seed", "area_ha", "side", "max_ha", "north_only")}
        attrs["max_ha"] = d.get("max_ha")
        kind = d["kind"]
        if kind == "box":
            region = box(*d["geom"])
            if d.get("north_only"):
                region = region.difference(SOUTH_OF_TOLL)
            got = claim(region)
        elif kind == "cut":
            blk = block_at(d["seed"])
            vec, low = sides[d["side"]]
            piece = cut_to_area(blk, d["area_ha"] * HA, vec, from_low=low)
            got = claim(piece)
        elif kind == "pantura_strip":
            got = claim(PANTURA.buffer(ROAD_WIDTH["arterial"] / 2 + 110.0).intersection(
                unary_union([p for p in remaining if p.representative_point().y < 9_231_300
                             and p.representative_point().x > 384_000])))
        elif kind == "lg":
            # A-R2 (C1-C2 between YS and YB) whole, then the west part of B-R2
            ar2 = claim(box(C1, YS, C2, YB))
            need = 275.0 * HA - sum(g.area for g in ar2)
            blk = block_at((383_600, 9_232_800))
            west = cut_to_area(blk, need, (1, 0), from_low=True)
            br2 = claim(west)
            got = ar2 + br2
            # the cathode plant: 20 ha at the west end of the site
            first = max(ar2, key=lambda g: g.area)
            cath = cut_to_area(first, 20.0 * HA, (1, 0), from_low=True)
            got = [g for g in got if g is not first]
            assigned.append((cath, dict(attrs, name="LG cathode plant (Huayou/IBC/LG JV, 20 ha)",
                                        max_ha=None)))
            got += clean(first.difference(cath), 1.0)
            attrs["max_ha"] = 45.0
        else:
            raise ValueError(kind)
        for g in got:
            assigned.append((g, attrs))

    return rows, assigned, remaining, taken_union


def merge_slivers(rows, min_area=500.0):
    """Merge non-road pieces smaller than min_area m2 into the non-road neighbour with
    which they share the longest border (keeps the tiling exact)."""
    changed = True
    while changed:
        changed = False
        geoms = [r["geometry"] for r in rows]
        tree = shapely.STRtree(geoms)
        small = sorted((i for i, r in enumerate(rows)
                        if r["land_use"] != "road" and r["geometry"].area < min_area),
                       key=lambda i: (rows[i]["geometry"].area, rows[i]["geometry"].centroid.x))
        for i in small:
            g = rows[i]["geometry"]
            best, best_len = None, 0.0
            for j in tree.query(g.buffer(0.01)):
                j = int(j)
                if j == i or rows[j]["land_use"] == "road" or rows[j].get("_dead"):
                    continue
                shared = g.boundary.intersection(rows[j]["geometry"].buffer(0.01)).length
                if shared > best_len + 1e-9:
                    best, best_len = j, shared
            if best is not None and best_len > 1.0:
                merged = unary_union([rows[best]["geometry"], g])
                if merged.geom_type == "Polygon":
                    rows[best]["geometry"] = merged
                    rows[i]["_dead"] = True
                    changed = True
                    break
        rows[:] = [r for r in rows if not r.get("_dead")]
    return rows


def resolve_overlaps(rows, tol=0.01):
    """Floating-point overlay noise can leave hair-thin overlaps along long shared edges;
    cut them out of the lower-priority parcel (roads win, then water, utility, ...)."""
    prio = {"road": 0, "water": 1, "utility": 2, "green": 3}
    for _ in range(3):
        geoms = [r["geometry"] for r in rows]
        tree = shapely.STRtree(geoms)
        n = 0
        for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=False):
            if i >= j:
                continue
            gi, gj = rows[i]["geometry"], rows[j]["geometry"]
            ov = gi.intersection(gj)
            if ov.area <= tol:
                continue
            pi, pj = prio.get(rows[i]["land_use"], 9), prio.get(rows[j]["land_use"], 9)
            lo = j if (pj, j) > (pi, i) else i
            hi = i if lo == j else j
            diff = rows[lo]["geometry"].difference(rows[hi]["geometry"])
            parts = sorted(clean(diff, 0.0), key=lambda q: -q.area)
            big = [q for q in parts if q.area > 1.0]
            rows[lo]["geometry"] = big[0] if len(big) == 1 else MultiPolygon(big) if big else parts[0]
            n += 1
        if not n:
            break
    return rows


# --------------------------------------------------------------------------------------
# 6. network distance (checks only; kitland has its own implementation)
# --------------------------------------------------------------------------------------
class Network:
    def __init__(self, lines):
        self.adj = {}
        self.lines = lines
        for ln in lines:
            c = [tuple(np.round(p, 3)) for p in ln.coords]
            for u, v in itertools.pairwise(c):
                w = math.dist(u, v)
                self.adj.setdefault(u, []).append((v, w))
                self.adj.setdefault(v, []).append((u, w))

    def dist_from(self, points):
        import heapq  # noqa: PLC0415
        dist = {}
        heap = []
        for p in points:
            best = None
            for ln in self.lines:
                d = ln.distance(p)
                if best is None or d < best[0]:
                    best = (d, ln)
            ln = best[1]
            c = [tuple(np.round(q, 3)) for q in ln.coords]
            s = ln.project(p)
            acc = 0.0
            for u, v in itertools.pairwise(c):
                w = math.dist(u, v)
                if acc + w >= s - 1e-9:
                    for node, dd in ((u, s - acc), (v, acc + w - s)):
                        heapq.heappush(heap, (dd, node))
                    break
                acc += w
        while heap:
            d, u = heapq.heappop(heap)
            if u in dist:
                continue
            dist[u] = d
            for v, w in self.adj.get(u, []):
                if v not in dist:
                    heapq.heappush(heap, (d + w, v))
        self.dist = dist
        return dist

    def components(self):
        seen, comps = set(), 0
        for s in self.adj:
            if s in seen:
                continue
            comps += 1
            stack = [s]
            while stack:
                u = stack.pop()
                if u in seen:
                    continue
                seen.add(u)
                stack.extend(v for v, _ in self.adj[u])
        return comps

    def dist_to_zone(self, zone, roads):
        """Shortest network distance to a centreline point whose corridor reaches zone."""
        best = math.inf
        for r in roads:
            reach = zone.buffer(r["width_m"] / 2 + 1.5)
            ln = r["geometry"]
            if not ln.intersects(reach):
                continue
            c = [tuple(np.round(q, 3)) for q in ln.coords]
            for u, v in itertools.pairwise(c):
                seg = LineString([u, v])
                part = seg.intersection(reach)
                if part.is_empty:
                    continue
                L = seg.length
                for g in getattr(part, "geoms", [part]):
                    if g.is_empty or g.geom_type not in ("LineString", "Point"):
                        continue
                    ss = [seg.project(Point(q)) for q in g.coords]
                    s0, s1 = min(ss), max(ss)
                    du, dv = self.dist.get(u, math.inf), self.dist.get(v, math.inf)
                    best = min(best, du + s0, dv + (L - s1))
        return best


# --------------------------------------------------------------------------------------
# main build
# --------------------------------------------------------------------------------------
def build():
    vill, B, coast = load_geography()
    river = river_line(coast)

    # ---- roads layer
    raw = build_roads(B, coast, river)
    phase1_box = box(C2, 9_230_800, C3, YB)
    roads = []
    counters = {}
    for name, cls, geom in raw:
        pre = {"toll": "T", "arterial": "A", "collector": "C", "local": "L"}[cls]
        counters[pre] = counters.get(pre, 0) + 1
        if cls == "toll" or name.startswith("Jalan Nasional"):
            st = "existing"
        elif name.startswith("Jalan Utama") or geom.within(phase1_box.buffer(1.0)):
            st = "built"
        else:
            st = "planned"
        width = ROAD_WIDTH[cls]
        if name.startswith("Boulevard"):
            width = 40.0  # divided boulevard with a planted median
        roads.append({"road_id": f"{pre}{counters[pre]:02d}", "name": name, "road_class": cls,
                          "width_m": width, "status": st, "geometry": geom})

    rows, assigned, remaining, _ = build_parcels(B, coast, river, roads)

    # ---- clusters (illustrative): split by the toll road and the C5 collector
    north, *south = sorted(split(B, TOLL).geoms, key=lambda g: -g.area)
    cl3 = unary_union([g for g in south if g.centroid.x > 384_000])
    cl2 = north.intersection(box(C5, 9.0e6, 4.0e5, 9.5e6))
    cl1 = B.difference(cl2).difference(cl3)
    clusters = {1: cl1, 2: cl2, 3: cl3}

    def cluster_of(g):
        p = g.representative_point()
        for k, cg in clusters.items():
            if cg.contains(p):
                return k
        return min(clusters, key=lambda k: clusters[k].distance(p))

    # default land use for the blocks nobody claimed
    for g in remaining:
        attrs = dict(DEFAULT_BY_CLUSTER[cluster_of(g)])
        attrs["max_ha"] = None
        assigned.append((g, attrs))

    # ---- subdivide into plots
    for g, attrs in assigned:
        lu = attrs["land_use"]
        mx = attrs.get("max_ha") or MAX_HA[lu]
        for pc in subdivide(g, mx * HA):
            row = {k: v for k, v in attrs.items() if k != "max_ha"}
            row["geometry"] = pc
            rows.append(row)

    rows = merge_slivers(rows)
    rows = resolve_overlaps(rows)

    # ---- attributes: cluster, zone, phase, ids
    zones = {
        "Zone 1": box(C2, 9_230_800, SP, YS),
        "Zone 2": north.intersection(box(SP, 9_230_800, C3, YS)),
        "Zone 3": box(SP, YS, C3, YB),
    }
    phase2 = north.intersection(box(0, 0, C5, YB))
    LU_CODE = {"industrial": "IND", "commercial": "COM", "umkm": "UMK", "residential": "RES",
               "green": "GRN", "utility": "UTL", "water": "WAT", "road": "RD", "available": "AVL"}
    for r in rows:
        g = r["geometry"]
        p = g.representative_point()
        r["cluster"] = cluster_of(g)
        r["zone"] = next((z for z, zg in zones.items() if zg.contains(p)), None)
        lu = r["land_use"]
        if lu in ("road", "green", "water"):
            r["phase"] = None
        elif r["zone"]:
            r["phase"] = 1
        elif phase2.contains(p):
            r["phase"] = 2
        else:
            r["phase"] = 3
        r.setdefault("tenant", None)
        r.setdefault("name", None)
        if lu == "industrial" and r["phase"] == 1 and not r.get("tenant"):
            r["status"] = "sold"
        if lu == "industrial" and r["phase"] == 3 and r["status"] == "for sale":
            r["status"] = "planned"
    # name the smaller 2022 tenants (positions and sizes invented) on phase-1 plots
    small_tenants = ["Yih Quan Footwear", "Jayamas Medica (OneMed)", "Interskala Medika",
                     "Tawada Healthcare", "Cosmos Ink", "Rumah Keramik", "Window Shutters"]
    prefer_zone = {"Yih Quan Footwear": "Zone 1", "Jayamas Medica (OneMed)": "Zone 1",
                   "Interskala Medika": "Zone 1", "Tawada Healthcare": "Zone 1",
                   "Cosmos Ink": "Zone 3", "Rumah Keramik": "Zone 3", "Window Shutters": "Zone 3"}
    for t in small_tenants:
        cands = [r for r in rows if r["land_use"] == "industrial" and r["zone"] == prefer_zone[t]
                 and not r.get("tenant")]
        cands.sort(key=lambda r: (-round(r["geometry"].area / 1e4), r["geometry"].centroid.x,
                                  r["geometry"].centroid.y))
        if cands:
            cands[0]["tenant"] = t
            cands[0]["status"] = "operating"
            cands[0]["name"] = f"{t} plant"

    lu_rank = {lu: i for i, lu in enumerate(LAND_USES)}
    rows.sort(key=lambda r: (lu_rank[r["land_use"]], -round(r["geometry"].centroid.y, -2),
                             round(r["geometry"].centroid.x, 1)))
    cnt = {}
    for r in rows:
        code = LU_CODE[r["land_use"]]
        cnt[code] = cnt.get(code, 0) + 1
        r["parcel_id"] = f"{code}-{cnt[code]:04d}"
    cols = ["parcel_id", "land_use", "tenant", "phase", "status", "cluster", "zone", "name"]
    parcels = gpd.GeoDataFrame([{c: r.get(c) for c in cols} for r in rows],
                               geometry=[r["geometry"] for r in rows],
                               crs=CRS)
    parcels["phase"] = parcels["phase"].astype("Int64")
    parcels["cluster"] = parcels["cluster"].astype("Int64")

    return {"vill": vill, "B": B, "coast": coast, "river": river, "roads": roads, "parcels": parcels,
                "clusters": clusters, "zones": zones, "north": north}


# --------------------------------------------------------------------------------------
# 7. the other layers
# --------------------------------------------------------------------------------------
def build_layers(R):
    B, coast, river, roads, parcels = R["B"], R["coast"], R["river"], R["roads"], R["parcels"]
    by_name = {}
    for r in roads:
        by_name.setdefault(r["name"], []).append(r)

    def on_road(name, x=None, y=None):
        ln = by_name[name][0]["geometry"]
        return pt_on(ln, x=x, y=y)

    def shared_vertex(n1, n2):
        a_, b_ = by_name[n1][0]["geometry"], by_name[n2][0]["geometry"]
        ca = {tuple(c) for c in a_.coords}
        common = [c for c in b_.coords if tuple(c) in ca]
        assert common, (n1, n2)
        return Point(common[0])

    spine = "Jalan Utama KITB (spine)"
    c1_line = by_name["Jalan Kawasan Barat (C1)"][0]["geometry"]
    entry = c1_line.intersection(B.exterior)
    entry_y = min(g.y for g in getattr(entry, "geoms", [entry]))
    gates = [
        ("GT-01", "toll_exit", "GT KIT Batang - Simpang Susun KIT Batang (toll KM 371+750)",
         on_road(spine, y=seg_y(TOLL, SP) + 110.0)),
        ("EG-01", "estate_gate", "Gerbang Utama KITB (from the interchange)",
         on_road(spine, y=seg_y(TOLL, SP) + 250.0)),
        ("EG-02", "estate_gate", "Gerbang Penundan (spine at Jalan Pantura)",
         shared_vertex(spine, "Jalan Nasional Pantura")),
        ("EG-03", "estate_gate", "Gerbang Barat (access from Pantura, Banyuputih)",
         on_road("Jalan Kawasan Barat (C1)", y=entry_y + 30.0)),
        ("EG-04", "estate_gate", "Gerbang Sawangan (C5 at Jalan Pantura)",
         shared_vertex("Jalan Kawasan Timur (C5)", "Jalan Nasional Pantura")),
        ("EG-05", "estate_gate", "Gerbang Timur (C6 at Jalan Pantura)",
         shared_vertex("Jalan Kawasan C6", "Jalan Nasional Pantura")),
    ]
    # factory gates of the named tenants: on the nearest centreline of a road that the
    # plot fronts, at the point nearest the plot centre
    fg = 0
    tenants = parcels[parcels["tenant"].notna() & (parcels["land_use"] == "industrial")]
    seen = set()
    for _, row in tenants.sort_values("parcel_id").iterrows():
        t = row["tenant"]
        key = row["name"] if (row["name"] and "cathode" in row["name"]) else t
        if key in seen:
            continue
        seen.add(key)
        g = row.geometry
        best = None
        for r in roads:
            if r["road_class"] == "toll":
                continue
            if corridor(r["geometry"], r["width_m"]).distance(g) > 0.5:
                continue
            p = r["geometry"].interpolate(r["geometry"].project(g.centroid))
            d = p.distance(g.centroid)
            if best is None or d < best[0]:
                best = (d, p)
        if best is not None:
            fg += 1
            nm = row["name"] or t
            gates.append((f"FG-{fg:02d}", "factory_gate", f"Factory gate - {nm}", best[1]))
    gates_gdf = gpd.GeoDataFrame(
        {"gate_id": [g[0] for g in gates], "kind": [g[1] for g in gates],
         "name": [g[2] for g in gates]},
        geometry=[g[3] for g in gates], crs=CRS)

    water = gpd.GeoDataFrame(
        {"name": ["Kali Urang (alignment illustrative)",
                  *[n for n, _ in PONDS], "Java Sea shoreline (Laut Jawa)"],
         "kind": ["river", "pond", "pond", "coast"]},
        geometry=[river, *[pg for _, pg in PONDS], coast], crs=CRS)

    roads_gdf = gpd.GeoDataFrame(
        {k: [r[k] for r in roads] for k in ("road_id", "name", "road_class", "width_m", "status")},
        geometry=[r["geometry"] for r in roads], crs=CRS)

    vill = R["vill"]
    near = vill[vill.geometry.distance(B) <= 2_000.0].copy()
    settlements = gpd.GeoDataFrame(
        {"name": near["nama"].values, "kode": near["kode"].values,
         "kecamatan": near["kecamatan"].values, "kabupaten": near["kabupaten"].values},
        geometry=list(near.geometry.values), crs=CRS)
    # Village centres of the estate's three villages, at the source's label point
    # (its `lat`/`lng` columns): a "near the village" preference measures to these,
    # since the distance to a village polygon is 0 anywhere inside it.
    inside = vill[vill["kode"].isin(VILLAGE_CODES)]
    centres = gpd.GeoDataFrame(
        {"name": [f"Pusat Desa {n}" for n in inside["nama"]], "kode": inside["kode"].values,
         "kecamatan": inside["kecamatan"].values, "kabupaten": inside["kabupaten"].values},
        geometry=gpd.points_from_xy(inside["source_label_lon"], inside["source_label_lat"],
                                    crs=4326).to_crs(CRS), crs=CRS)
    settlements = pd.concat([settlements, centres], ignore_index=True)
    boundary = gpd.GeoDataFrame(
        {"name": ["KIT Batang (illustrative boundary: Desa Ketanggan + Kedawung + Sawangan)"],
         "area_ha": [round(B.area / HA, 1)]}, geometry=[B], crs=CRS)
    return {"boundary": boundary, "parcels": parcels, "roads": roads_gdf, "gates": gates_gdf,
                "water": water, "settlements": settlements}


# --------------------------------------------------------------------------------------
# 8. checks
# --------------------------------------------------------------------------------------
def check(R, L):
    B = R["B"]
    P = L["parcels"]
    A = B.area
    g = P.geometry.values
    assert all(shapely.is_valid(g)), "invalid parcel"
    assert P["parcel_id"].is_unique
    assert set(P["land_use"]) <= set(LAND_USES)
    assert all(gg.geom_type in ("Polygon", "MultiPolygon") for gg in g)
    # outside the boundary
    outside = sum(gg.difference(B).area for gg in g)
    assert outside < 1.0, f"parcel area outside the boundary: {outside:.3f} m2"
    # overlaps
    tree = shapely.STRtree(g)
    worst = 0.0
    for i, j in zip(*tree.query(g, predicate="intersects"), strict=False):
        if i < j:
            ov = g[i].intersection(g[j]).area
            worst = max(worst, ov)
    assert worst <= 1.0, f"overlap {worst:.3f} m2"
    # gaps
    union = unary_union(g)
    gaps = clean(B.difference(union), 0.0)
    biggest_gap = max([gp.area for gp in gaps], default=0.0)
    assert biggest_gap <= 0.01 * HA, f"gap of {biggest_gap:.1f} m2"
    # roads, gates, water
    Rd = L["roads"]
    assert set(Rd["road_class"]) <= set(ROAD_WIDTH) and (Rd["width_m"] > 0).all()
    assert set(L["gates"]["kind"]) <= {"estate_gate", "toll_exit", "factory_gate"}
    assert set(L["water"]["kind"]) <= {"river", "canal", "coast", "pond"}
    assert (Rd["road_class"] == "toll").any() and Rd[Rd.road_class == "toll"].geometry.iloc[0].intersects(
        B.buffer(50))
    net = Network(list(Rd.geometry.values))
    assert net.components() == 1, f"road network has {net.components()} components"
    lines = unary_union(list(Rd.geometry.values))
    gate_off = [p.distance(lines) for p in L["gates"].geometry]
    assert max(gate_off) < 2.0, f"gate {max(gate_off):.2f} m from a road"
    # road parcels == corridors inside the boundary
    corr = unary_union([corridor(r.geometry, r.width_m) for r in Rd.itertuples()]).intersection(B)
    road_par = unary_union(list(P[P.land_use == "road"].geometry))
    assert corr.symmetric_difference(road_par).area < 50.0
    # setbacks
    ind = unary_union(list(P[P.land_use == "industrial"].geometry))
    d_coast = ind.distance(R["coast"])
    d_river = ind.distance(R["river"])
    assert d_coast >= 100.0 and d_river >= 50.0, (d_coast, d_river)
    # land budget
    share = {lu: P[P.land_use == lu].area.sum() / A * 100 for lu in LAND_USES}
    support = sum(share[lu] for lu in SUPPORTING)
    assert share["industrial"] <= 70.0, share
    assert share["green"] >= 10.0, share
    assert 8.0 <= share["road"] <= 12.0, share
    assert 6.0 <= support <= 12.0, support
    # available areas
    av = P[P.land_use == "available"]
    assert all(40 * HA <= a_ <= 200 * HA for a_ in av.area), sorted(av.area / HA)
    return {"outside": outside, "worst_overlap": worst, "biggest_gap": biggest_gap, "gaps": len(gaps),
                "share": share, "support": support, "d_coast": d_coast, "d_river": d_river,
                "gate_off": max(gate_off), "net": net, "area_sum": P.area.sum()}


def candidate_check(R, L, net, side=450.0, step=10.0):
    """Can each available area host a ~450 x 450 m (20.25 ha) UMKM zone meeting the
    default rules?  (Rough check; kitland place does the real search.)"""
    P = L["parcels"]
    Rd = L["roads"]
    roads = [{"geometry": r.geometry, "width_m": r.width_m, "road_class": r.road_class}
             for r in Rd.itertuples()]
    gates = L["gates"]
    net.dist_from(list(gates[gates.kind == "estate_gate"].geometry))
    ind = unary_union(list(P[P.land_use == "industrial"].geometry)).buffer(0.5)
    front = unary_union([corridor(r["geometry"], r["width_m"]) for r in roads
                         if r["road_class"] in ("arterial", "collector")]).buffer(1.5)
    river, coast = R["river"], R["coast"]
    out = []
    for row in P[P.land_use == "available"].sort_values("parcel_id").itertuples():
        area = row.geometry
        inside = area.buffer(0.5)
        x0, y0, x1, y1 = area.bounds
        # square positions on a grid anchored at both ends of the bounding box, so that
        # squares flush with every side are tried
        xs = np.unique(np.round(np.concatenate([np.arange(x0, x1 - side + 1e-6, step),
                                                np.arange(x1 - side, x0 - 1e-6, -step)]), 3))
        ys = np.unique(np.round(np.concatenate([np.arange(y0, y1 - side + 1e-6, step),
                                                np.arange(y1 - side, y0 - 1e-6, -step)]), 3))
        sq = [box(x, y, x + side, y + side) for x in xs for y in ys]
        best = None
        n_in = 0
        if sq:
            sq = np.array(sq, dtype=object)
            ok = shapely.contains(inside, sq)
            sq = sq[ok]
            n_in = len(sq)
            if n_in:
                bnd = shapely.boundary(sq)
                adj = shapely.length(shapely.intersection(bnd, ind))
                fr = shapely.length(shapely.intersection(bnd, front))
                dr = shapely.distance(sq, river)
                dc = shapely.distance(sq, coast)
                good = np.where((adj >= 100) & (fr >= 150) & (dr >= 50) & (dc >= 100))[0]
                # network distance for the few best-placed squares
                order = sorted(good, key=lambda k: (-fr[k], -adj[k]))[:40]
                for k in order:
                    nd = net.dist_to_zone(sq[k], roads)
                    if best is None or nd < best["net_m"]:
                        best = {"adj_m": float(adj[k]), "front_m": float(fr[k]), "river_m": float(dr[k]),
                                    "coast_m": float(dc[k]), "net_m": nd, "bounds": sq[k].bounds}
        out.append({"parcel_id": row.parcel_id, "name": row.name, "area_ha": area.area / HA,
                        "squares_inside": n_in, "best": best,
                        "ok": bool(best is not None and best["net_m"] <= 2500.0)})
    return out


# --------------------------------------------------------------------------------------
# 9. output
# --------------------------------------------------------------------------------------
def write_geojson(path, gdf, props):
    g4 = gdf.to_crs("EPSG:4326")
    feats = []
    for _, row in g4.iterrows():
        geom = round_coords(shapely.geometry.polygon.orient(row.geometry, 1)
                            if row.geometry.geom_type == "Polygon" else row.geometry)
        feats.append({"type": "Feature",
                      "properties": {k: (None if (isinstance(row[k], float) and math.isnan(row[k]))
                                         else row[k]) for k in props},
                      "geometry": mapping(geom)})
    fc = {"type": "FeatureCollection", "name": path.stem,
          "attribution": "Village boundaries / coastline: cahyadsn/wilayah_boundaries, MIT licence, "
                         "Copyright (c) 2024 Cahya DSN (see parcels/LICENSE-wilayah_boundaries.txt)",
          "features": feats}
    txt = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    path.write_text(txt + "\n", encoding="utf-8")


def write_outputs(R, L):
    if OUT.exists():
        OUT.unlink()
    for name in ("boundary", "parcels", "roads", "gates", "water", "settlements"):
        L[name].to_file(OUT, layer=name, driver="GPKG")
    CTX.mkdir(exist_ok=True)
    vill = R["vill"]
    near = vill[vill.geometry.distance(R["B"]) <= 15_000.0]
    near = gpd.GeoDataFrame(near[["kode", "nama", "kecamatan", "kabupaten", "area_ha", "geometry"]],
                            crs=CRS).rename(columns={"nama": "name"})
    write_geojson(CTX / "villages.geojson", near, ["kode", "name", "kecamatan", "kabupaten", "area_ha"])
    coast_all = gpd.read_file(SRC / "gringsing_coastline.geojson")
    coast_all["name"] = "Java Sea shoreline (administrative coastline)"
    write_geojson(CTX / "coastline.geojson", coast_all.to_crs(CRS), ["name"])


def main():
    R = build()
    L = build_layers(R)
    C = check(R, L)
    cands = candidate_check(R, L, C["net"])
    ok = [c for c in cands if c["ok"]]

    A = R["B"].area / HA
    P = L["parcels"]
    print(f"KIT Batang (ILLUSTRATIVE) -> {OUT.relative_to(HERE.parent)}  CRS {CRS}")
    print(f"boundary: {A:,.1f} ha; parcels cover {C['area_sum'] / HA:,.2f} ha; "
          f"outside {C['outside']:.3f} m2; worst overlap {C['worst_overlap']:.3f} m2; "
          f"largest gap {C['biggest_gap']:.2f} m2")
    for name in ("boundary", "parcels", "roads", "gates", "water", "settlements"):
        print(f"  layer {name:12s} {len(L[name]):5d} features")
    print("  gates by kind:", L["gates"]["kind"].value_counts().to_dict())
    print("  roads by class:", L["roads"]["road_class"].value_counts().to_dict())
    print(f"  road network: 1 connected component; gates max {C['gate_off']:.2f} m off a centreline")
    print(f"  industrial parcels: >= {C['d_coast']:.0f} m from the coast, >= {C['d_river']:.0f} m "
          f"from Kali Urang")
    print("\nLand budget (share of the boundary area)")
    print(f"  {'land_use':12s} {'ha':>9s} {'%':>6s} {'parcels':>8s}")
    for lu in LAND_USES:
        sub = P[P.land_use == lu]
        print(f"  {lu:12s} {sub.area.sum() / HA:9.1f} {C['share'][lu]:6.2f} {len(sub):8d}")
    print(f"  supporting facilities (commercial+utility+residential+umkm): {C['support']:.2f} %  "
          f"[target 6-12]")
    print("  targets: industrial <= 70, green >= 10, road 8-12; available counts as neither")
    print("\nClusters / phase 1")
    for k, cg in R["clusters"].items():
        print(f"  cluster {k}: {cg.area / HA:7.1f} ha")
    for z, _zg in R["zones"].items():
        print(f"  {z}: {P[P.zone == z].area.sum() / HA:6.1f} ha (incl. roads)")
    print(f"  phase 1 total: {P[P.phase == 1].area.sum() / HA + P[(P.zone.notna()) & P.phase.isna()].area.sum() / HA:6.1f} ha (incl. roads/green)")
    for t in ("KCC Glass", "Wavin (Orbia)", "LG consortium"):
        print(f"  tenant {t}: {P[P.tenant == t].area.sum() / HA:6.2f} ha")
    print("\nUMKM candidate check (450 x 450 m square inside one available area; adjacent to "
          "industrial >= 100 m; frontage on arterial/collector >= 150 m; river >= 50 m; "
          "coast >= 100 m; network distance from an estate gate <= 2500 m)")
    for c in cands:
        b = c["best"]
        if b:
            print(f"  {c['parcel_id']} {c['area_ha']:6.1f} ha  {'OK ' if c['ok'] else 'no '} "
                  f"adj {b['adj_m']:5.0f} m  front {b['front_m']:5.0f} m  river {b['river_m']:6.0f} m  "
                  f"coast {b['coast_m']:6.0f} m  net {b['net_m']:6.0f} m   {c['name']}")
        else:
            print(f"  {c['parcel_id']} {c['area_ha']:6.1f} ha  no   (no square meets the local rules; "
                  f"{c['squares_inside']} squares fit inside)   {c['name']}")
    print(f"  -> {len(ok)} disjoint available areas can host the zone")
    # the qualifying areas are separate parcels, hence disjoint - need >= 3
    assert len(ok) >= 3, "fewer than 3 available areas can host the UMKM zone"
    write_outputs(R, L)
    return R, L, C, cands


if __name__ == "__main__":
    main()
