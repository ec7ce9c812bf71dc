"""Cutting a placed zone into plots for individual businesses, along internal roads.

The ``[plots]`` table of a rules file (:class:`kitland.rules.PlotSpec`) names the plot
types (area band, least frontage, row depths), the internal road width, the most land
the roads may take and the green share asked for. :func:`plots` lays out, in a frame
turned to one of a few directions of the zone (the axes of its smallest enclosing
rectangle and of its longest road frontage):

- *rows* of plots running along that direction, two rows back to back on either side
  of each internal road ("double-loaded"), and a row along the zone's edge where that
  edge fronts an estate road;
- *internal roads* between the rows; one *cross road* across them when some internal
  road does not reach an estate road the zone fronts;
- *plots* cut from each row by straight cuts across it, all of one row of equal area,
  their count chosen so that the area is nearest the middle of the type's band.

Row depths are stretched within each type's ``min_depth_m`` .. ``max_depth_m`` so the
rows and roads fill the zone's depth exactly. Every stack of rows (number of roads,
rows of each type, edge rows) and direction is scored by the land its rows cover less
the land that is off the types' shares (``share_pct``, default an even split); the
best few per direction are built in full and scored the same way on their plots, and
the best layout wins. A type may get no row where the zone has no room for it (a narrow
zone whose rows would not fit both types' depths).

A plot is kept only when it is a quadrilateral, its area lies in its type's band and
its frontage (boundary within ε + 1 m of an internal road or a fronting estate road
corridor, each stretch trimmed at its ends like ``adjacent`` in SPEC §3) reaches the
type's ``min_frontage_m``; the rest of the zone is *leftover* (green when
``green_pct`` asks for it, with whole plots far from the estate roads added when the
leftover is not enough).

:func:`check_plots` judges a plot layout (e.g. one read back from a file).
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon

from kitland._errors import DataError, RulesError
from kitland.i18n import Lines, Message
from kitland.measure import EPS_M, ZoneLike, as_zone, road_overlap_m2
from kitland.report import RuleResult
from kitland.rules import PlotSpec, PlotType, Rules, load_rules
from kitland.validation import require_valid

if TYPE_CHECKING:
    from kitland.estate import Estate

__all__ = ["FRONT_REACH_M", "PlotLayout", "check_plots", "frontage_m", "plots", "read_plots"]

log = logging.getLogger(__name__)

#: A plot's boundary within this of a road polygon fronts it (ε + 1 m, as ``frontage``).
FRONT_REACH_M = EPS_M + 1.0
#: Stacks built in full per direction after scoring their rows' cover (:func:`_score`).
_BUILT_PER_ANGLE = 4
#: Up to this many plot types every mix of rows is tried (see :func:`_compositions`).
_ALL_MIXES_UP_TO = 2
#: Directions closer than this (degrees, modulo 90) are the same direction.
_SAME_ANGLE_DEG = 1.0
#: Rows and roads fill the zone's depth to within this (turning the zone costs a few µm).
_FIT_TOL_M = 1e-3
#: Length tolerance of the frontage, m (turning the zone costs a few µm).
_LEN_TOL_M = 1e-3
#: Grid the turned frame's overlays are snapped to, m.
_GRID_M = 1e-6
#: A vertex this close to the line through its neighbours is no corner of a plot, m.
_CORNER_TOL_M = 0.01
#: Area tolerance of the size band and of "inside the zone", m².
_AREA_TOL_M2 = 0.01


# -- measuring -----------------------------------------------------------------------------
def frontage_m(
    plots: Sequence[shapely.Geometry] | np.ndarray, roads: shapely.Geometry
) -> np.ndarray:
    """Each plot's frontage on ``roads``: boundary within ε + 1 m of them, ends trimmed.

    A stretch of boundary whose least distance to the roads is ``g`` loses
    ``ε + 1 − g`` at each end (as ``adjacent`` in SPEC §3), so a plot touching a road
    at a corner fronts it by 0 m and a plot whose edge runs along a road by that edge.

    Examples
    --------
    >>> road = shapely.box(0, -12, 100, 0)
    >>> frontage_m([shapely.box(0, 0, 10, 30), shapely.box(100, 0, 110, 30)], road).round(6)
    array([10.,  0.])
    """
    arr = np.asarray(plots, dtype=object)
    out = np.zeros(len(arr))
    if len(arr) == 0 or roads.is_empty:
        return out
    band = shapely.buffer(roads, FRONT_REACH_M, quad_segs=16)
    rings = shapely.get_rings(arr, return_index=True)
    inter = shapely.line_merge(shapely.intersection(rings[0], band))
    parts, idx = shapely.get_parts(inter, return_index=True)
    lines = shapely.get_type_id(parts) == 1
    parts, owner = parts[lines], rings[1][idx[lines]]
    if len(parts) == 0:
        return out
    gap = shapely.distance(parts, roads)
    length = shapely.length(parts)
    trim = np.maximum(0.0, FRONT_REACH_M - gap)
    eff = np.where(
        shapely.is_closed(parts), length, np.where(length > 2 * trim, length - 2 * trim, 0.0)
    )
    return np.bincount(owner, weights=eff, minlength=len(arr))


def _corners(poly: shapely.Geometry) -> int:
    """Number of corners of a polygon, 0 for anything else.

    The vertex nearest the chord of its two neighbours is dropped while it lies within
    :data:`_CORNER_TOL_M` of it (a collinear point, or a bevel of a few millimetres where
    the zone's edge grazes a plot's corner). The count does not depend on which vertex
    the ring starts at, so a plot counts the same whichever way the zone is turned.

    Examples
    --------
    >>> _corners(shapely.Polygon([(0, 0), (10, 0), (10, 20), (0.008, 20), (0, 19.99)]))
    4
    >>> _corners(shapely.Polygon([(0, 0), (10, 0), (10, 20), (5, 20), (0, 15)]))
    5
    """
    if not isinstance(poly, Polygon) or poly.is_empty or len(poly.interiors):
        return 0
    xy = np.asarray(poly.exterior.coords)[:-1, :2]
    while len(xy) > 3:
        prev, nxt = np.roll(xy, 1, axis=0), np.roll(xy, -1, axis=0)
        chord, off = nxt - prev, xy - prev
        length = np.hypot(chord[:, 0], chord[:, 1])
        across = np.abs(chord[:, 0] * off[:, 1] - chord[:, 1] * off[:, 0])
        dist = np.where(length > 0, across / np.where(length > 0, length, 1.0),
                        np.hypot(off[:, 0], off[:, 1]))  # fmt: skip
        i = int(np.argmin(dist))
        if dist[i] >= _CORNER_TOL_M:
            break
        xy = np.delete(xy, i, axis=0)
    return len(xy)


def _fronting_roads(zone: Polygon | MultiPolygon, estate: Estate, label: str) -> np.ndarray:
    """Corridors of the estate roads the zone fronts (within ε + 1 m)."""
    corr = np.asarray(estate.road_corridors.to_numpy(), dtype=object)
    near = corr[shapely.dwithin(corr, zone, FRONT_REACH_M)] if len(corr) else corr
    if len(near) == 0:
        msg = Message(
            "{source}: the zone fronts no estate road (no road corridor within {reach:g} m of"
            " it); internal roads must join an estate road, so place the zone with a frontage"
            " rule or draw it along a road",
            {"source": label, "reach": FRONT_REACH_M},
        )
        raise DataError(msg)
    return near


# -- the layout in a turned frame ------------------------------------------------------------
@dataclass(frozen=True)
class _Band:
    """One band of a stack across the zone: a row of plots or an internal road."""

    kind: str  # "row" or "road"
    depth: float
    ptype: int = -1  # index into spec.types (rows)


@dataclass
class _Built:
    angle: float
    plots: list[Polygon]
    types: list[int]
    roads: list[Polygon]
    road_kinds: list[str]


def _angles(zone: Polygon | MultiPolygon, fronting: np.ndarray) -> list[float]:
    """Candidate row directions, degrees: the zone's rectangle axes and its longest frontage."""
    rect = shapely.minimum_rotated_rectangle(zone)
    xy = np.asarray(rect.exterior.coords)
    cands = []
    edges = np.diff(xy, axis=0)
    longest = edges[np.argmax(np.hypot(edges[:, 0], edges[:, 1]))]
    cands.append(math.degrees(math.atan2(longest[1], longest[0])))
    band = shapely.buffer(shapely.union_all(fronting), FRONT_REACH_M)
    ring = shapely.get_exterior_ring(shapely.get_parts(zone)[0])
    coords = np.asarray(ring.coords)
    segs = [shapely.LineString(coords[i : i + 2]) for i in range(len(coords) - 1)]
    seg_front = [float(shapely.intersection(s, band).length) for s in segs]
    if max(seg_front) > 0:
        s = segs[int(np.argmax(seg_front))]
        (x0, y0), (x1, y1) = s.coords
        cands.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    # Each direction is taken from the zone's longest edge running that way (to 0.1°):
    # GEOS's rectangle may be off by 10⁻⁴°, which would skew rows by millimetres.
    edge_xy = np.diff(coords, axis=0)
    edge_deg = np.degrees(np.arctan2(edge_xy[:, 1], edge_xy[:, 0])) % 180
    edge_len = np.hypot(edge_xy[:, 0], edge_xy[:, 1])
    snapped = []
    for a in cands:
        off = np.abs((edge_deg - a % 180 + 90) % 180 - 90)
        near = np.nonzero(off < 0.1)[0]
        snapped.append(float(edge_deg[near[np.argmax(edge_len[near])]]) if len(near) else a)
    out: list[float] = []
    for a in snapped:
        for b in (a % 180, (a + 90) % 180):
            if all(min(abs(b - c) % 180, 180 - abs(b - c) % 180) > _SAME_ANGLE_DEG for c in out):
                out.append(round(b, 9))
    return out


def _compositions(m: int, ideal: np.ndarray) -> Iterator[tuple[int, ...]]:
    """Counts of rows per type for ``m`` rows.

    Up to :data:`_ALL_MIXES_UP_TO` types every mix is tried; with more, only those within
    one row per type of the ``ideal`` shares of rows (the search would grow as m^types).
    """
    k = len(ideal)
    lo = 0
    if k <= _ALL_MIXES_UP_TO:
        ranges = [range(lo, m + 1)] * (k - 1)
    else:
        near = np.rint(ideal * m).astype(int)
        ranges = [range(max(lo, c - 1), min(m, c + 1) + 1) for c in near[:-1]]
    for cut in itertools.product(*ranges):
        last = m - sum(cut)
        if last >= lo:
            yield (*cut, last)


def _stacks(height: float, spec: PlotSpec, *, edges: tuple[bool, bool]) -> Iterator[list[_Band]]:
    """Every stack of rows and roads that fills ``height`` exactly, depths stretched."""
    w = spec.road_width_m
    k = len(spec.types)
    dmin = np.array([t.min_depth_m for t in spec.types])
    dmax = np.array([t.max_depth_m for t in spec.types])
    # Rows per type in proportion to its share of the land over its row depth.
    ideal = np.array(spec.shares()) / (dmin + dmax)
    ideal = ideal / ideal.sum()
    max_roads = int(height // (w + 2 * dmin.min())) + 1
    for lo_edge, hi_edge, n in itertools.product(
        (False, True) if edges[0] else (False,),
        (False, True) if edges[1] else (False,),
        range(max_roads + 1),
    ):
        m = 2 * n + lo_edge + hi_edge
        depth = height - n * w
        if m == 0 or depth <= 0:
            continue
        for counts in _compositions(m, ideal):
            c = np.array(counts)
            low, high = float(c @ dmin), float(c @ dmax)
            if not low - _FIT_TOL_M <= depth <= high + _FIT_TOL_M:
                continue
            lam = 0.0 if high - low < 1e-9 else min(max((depth - low) / (high - low), 0.0), 1.0)
            depths = dmin + lam * (dmax - dmin)
            for order in (range(k), range(k - 1, -1, -1)) if k > 1 else (range(k),):
                seq = [t for t in order for _ in range(counts[t])]
                yield _stack(seq, depths, w, lo_edge=lo_edge, hi_edge=hi_edge)


def _stack(
    seq: list[int], depths: np.ndarray, w: float, *, lo_edge: bool, hi_edge: bool
) -> list[_Band]:
    bands: list[_Band] = []
    rows = iter(seq)
    if lo_edge:
        t = next(rows)
        bands.append(_Band("row", float(depths[t]), t))
    for _ in range(0, len(seq) - lo_edge - hi_edge, 2):
        a, b = next(rows), next(rows)
        bands += [
            _Band("row", float(depths[a]), a),
            _Band("road", w),
            _Band("row", float(depths[b]), b),
        ]
    if hi_edge:
        t = next(rows)
        bands.append(_Band("row", float(depths[t]), t))
    return bands


def _strips(bands: list[_Band], zr: shapely.Geometry) -> list[tuple[_Band, float, float]]:
    """Each band with its low and high y, stacked from the zone's lowest y."""
    y = zr.bounds[1]
    out = []
    for b in bands:
        out.append((b, y, y + b.depth))
        y += b.depth
    return out


def _clip(zr: shapely.Geometry, x0: float, y0: float, x1: float, y1: float) -> list[Polygon]:
    """The polygons of ``zr`` inside a box (see :func:`_clean`)."""
    return _clean(shapely.intersection(zr, shapely.box(x0, y0, x1, y1)))


def _clean(g: shapely.Geometry) -> list[Polygon]:
    """The polygons of an overlay result, on a 1 µm grid: a float's noise leaves no spikes."""
    g = shapely.set_precision(g, _GRID_M)
    return [p for p in shapely.get_parts(g) if isinstance(p, Polygon) and p.area > _AREA_TOL_M2]


def _edge_fronts(zr: shapely.Geometry, er: shapely.Geometry) -> tuple[bool, bool]:
    """Whether the zone's low / high edge (in y) fronts an estate road along most of it."""
    x0, y0, x1, y1 = zr.bounds
    band = shapely.buffer(er, FRONT_REACH_M)
    out = []
    for y in (y0, y1):
        ends = shapely.intersection(zr.boundary, shapely.box(x0 - 1, y - 2, x1 + 1, y + 2))
        along = shapely.intersection(ends, band).length
        cross = shapely.intersection(zr, shapely.LineString([(x0 - 1, y), (x1 + 1, y)]))
        width = cross.length or ends.length / 2
        out.append(along >= 0.5 * width > 0)
    return out[0], out[1]


def _connected(roads: list[Polygon], er: shapely.Geometry) -> list[bool]:
    """Which road pieces reach an estate road, through other pieces or directly."""
    g = nx.Graph()
    g.add_nodes_from(range(len(roads) + 1))
    estate = len(roads)
    arr = np.asarray(roads, dtype=object)
    for i, r in enumerate(roads):
        if shapely.dwithin(r, er, FRONT_REACH_M):
            g.add_edge(i, estate)
        for j in np.nonzero(shapely.dwithin(arr[i + 1 :], r, 1e-6))[0]:
            g.add_edge(i, i + 1 + int(j))
    reach = nx.node_connected_component(g, estate)
    return [i in reach for i in range(len(roads))]


def _cross_road(
    zr: shapely.Geometry, er: shapely.Geometry, roads: list[Polygon], w: float
) -> list[Polygon] | None:
    """The cross road (across the rows) that joins every road piece to an estate road."""
    x0, y0, x1, y1 = zr.bounds
    front = shapely.intersection(zr.boundary, shapely.buffer(er, FRONT_REACH_M))
    cands = {x0, x1 - w}
    for part in shapely.get_parts(front):
        a, _, b, _ = part.bounds
        cands |= {a, (a + b - w) / 2, b - w}
    best: tuple[float, list[Polygon]] | None = None
    for xc in sorted(c for c in cands if x0 - 1e-9 <= c <= x1 - w + 1e-9):
        cross = _clip(zr, xc, y0 - 1, xc + w, y1 + 1)
        rest = [p for r in roads for p in _difference(r, cross)]
        pieces = rest + cross
        reach = _connected(pieces, er)
        if not all(reach):
            continue
        cost = sum(p.area for p in cross)
        if best is None or cost < best[0] - 1e-6:
            best = (cost, cross)
    return None if best is None else best[1]


def _difference(poly: Polygon, cut: list[Polygon]) -> list[Polygon]:
    """The polygons of ``poly`` outside ``cut`` (see :func:`_clean`)."""
    if not cut:
        return [poly]
    return _clean(shapely.difference(poly, shapely.union_all(cut)))


def _equal_area_cuts(piece: Polygon, k: int) -> np.ndarray:
    """The k − 1 x positions that cut ``piece`` into k parts of equal area.

    Between two consecutive vertex x's the piece's vertical section is linear in x, so
    the area left of x is a quadratic there: it is summed from the sections just inside
    each such interval and inverted exactly.

    Examples
    --------
    A trapezoid of section 4 − x/2 and area 12: half of it lies left of t where
    4t − t²/4 = 6, t = 8 − √40.

    >>> _equal_area_cuts(shapely.Polygon([(0, 0), (4, 0), (4, 2), (0, 4)]), 2).round(6)
    array([1.675445])
    """
    xs = np.unique(shapely.get_coordinates(piece)[:, 0])
    xs = xs[np.r_[True, np.diff(xs) > 1e-6]]  # x's a float's noise apart are one
    a, b = xs[:-1], xs[1:]
    span = b - a
    eps = 1e-3 * span
    _, y0, _, y1 = piece.bounds
    lines = shapely.linestrings(
        np.stack([np.repeat(np.r_[a + eps, b - eps], 2),
                  np.tile([y0 - 1, y1 + 1], 2 * len(a))], axis=1).reshape(-1, 2, 2)
    )  # fmt: skip
    h = shapely.length(shapely.intersection(piece, lines))
    h_l, h_r = h[: len(a)], h[len(a) :]
    grow = (h_r - h_l) / (span - 2 * eps)  # linear inside: back out to a and b
    h_l, h_r = h_l - grow * eps, h_r + grow * eps
    seg = (h_l + h_r) / 2 * span
    before = np.r_[0.0, np.cumsum(seg)]
    goals = before[-1] * np.arange(1, k) / k
    i = np.clip(np.searchsorted(before, goals, side="right") - 1, 0, len(a) - 1)
    rest = goals - before[i]
    slope = (h_r[i] - h_l[i]) / span[i]  # area(t) = h_l·t + slope·t²/2
    with np.errstate(divide="ignore", invalid="ignore"):
        quad = (-h_l[i] + np.sqrt(np.maximum(h_l[i] ** 2 + 2 * slope * rest, 0.0))) / slope
    t = np.where(np.abs(slope) > 1e-12, quad, rest / np.where(h_l[i] > 0, h_l[i], 1.0))
    return a[i] + np.clip(t, 0.0, span[i])


def _cut_row(piece: Polygon, ptype: PlotType) -> list[Polygon]:
    """Equal-area plots across a row piece (cuts perpendicular to the row)."""
    area = piece.area
    if area < ptype.min_m2 - _AREA_TOL_M2:
        return []
    x0, y0, x1, y1 = piece.bounds
    # Plots nearest the middle of the band, but as wide as the frontage asks at the
    # row's depth, and none above the band.
    smallest = max(ptype.min_m2, ptype.min_frontage_m * (y1 - y0))
    k = max(1, round(area / ((ptype.min_m2 + ptype.max_m2) / 2)))
    k = max(min(k, math.floor(area / smallest + 1e-6)), math.ceil(area / ptype.max_m2 - 1e-6), 1)
    if k == 1:
        return [piece]
    cuts = _equal_area_cuts(piece, k)
    cuts = np.concatenate([[x0 - 1], cuts, [x1 + 1]])
    slabs = shapely.box(cuts[:-1], y0 - 1, cuts[1:], y1 + 1)
    return list(shapely.set_precision(shapely.intersection(piece, slabs), _GRID_M))


def _build(
    zr: shapely.Geometry, er: shapely.Geometry, bands: list[_Band], spec: PlotSpec, angle: float
) -> _Built | None:
    """Rows, roads and plots of one stack in the turned frame, or None if it cannot serve."""
    x0, _, x1, _ = zr.bounds
    strips = _strips(bands, zr)
    roads = [p for b, a, c in strips if b.kind == "road" for p in _clip(zr, x0 - 1, a, x1 + 1, c)]
    kinds = ["spine"] * len(roads)
    cross: list[Polygon] = []
    if roads and not all(_connected(roads, er)):
        found = _cross_road(zr, er, roads, spec.road_width_m)
        if found is None:
            return None
        cross = found
        roads = [p for r in roads for p in _difference(r, cross)]
        kinds = ["spine"] * len(roads) + ["cross"] * len(cross)
        roads += cross
        keep = _connected(roads, er)
        roads = [r for r, k in zip(roads, keep, strict=True) if k]
        kinds = [s for s, k in zip(kinds, keep, strict=True) if k]
    zone_m2 = zr.area
    if sum(r.area for r in roads) > spec.max_road_pct / 100 * zone_m2 + _AREA_TOL_M2:
        return None
    plots: list[Polygon] = []
    types: list[int] = []
    for b, a, c in strips:
        if b.kind != "row":
            continue
        for piece in _clip(zr, x0 - 1, a, x1 + 1, c):
            for part in _difference(piece, cross):
                cut = _cut_row(part, spec.types[b.ptype])
                plots += cut
                types += [b.ptype] * len(cut)
    if not plots:
        return None
    road_union = shapely.union_all([*roads, er])
    front = frontage_m(plots, road_union)
    keep = [
        _corners(p) == 4
        and spec.types[t].min_m2 - _AREA_TOL_M2 <= p.area <= spec.types[t].max_m2 + _AREA_TOL_M2
        and f >= spec.types[t].min_frontage_m - _LEN_TOL_M
        for p, t, f in zip(plots, types, front, strict=True)
    ]
    plots = [p for p, k in zip(plots, keep, strict=True) if k]
    types = [t for t, k in zip(types, keep, strict=True) if k]
    return _Built(angle, plots, types, roads, kinds)


def _row_cover(zr: shapely.Geometry, bands: list[_Band], n_types: int) -> np.ndarray:
    """Area of the zone under each type's rows (an upper bound of its plots), m²."""
    x0, _, x1, _ = zr.bounds
    rows = [(b.ptype, a, c) for b, a, c in _strips(bands, zr) if b.kind == "row"]
    boxes = shapely.box(x0 - 1, [a for _, a, _ in rows], x1 + 1, [c for _, _, c in rows])
    area = shapely.area(shapely.intersection(zr, boxes))
    return np.bincount([t for t, _, _ in rows], weights=area, minlength=n_types)


def _score(by_type: np.ndarray, shares: np.ndarray) -> float:
    """Land in plots, less the land that is off each type's share of it."""
    total = float(by_type.sum())
    return total - float(np.abs(by_type - shares * total).sum())


def _turn(
    g: shapely.Geometry, angle: float, origin: shapely.Point, *, back: bool = False
) -> shapely.Geometry:
    """Into the frame whose x axis runs at ``angle`` with ``origin`` at (0, 0), or back.

    Working near (0, 0) keeps coordinates small, so overlays add less float noise.
    """
    if back:
        return affinity.translate(affinity.rotate(g, angle, origin=(0, 0)), origin.x, origin.y)
    return affinity.rotate(affinity.translate(g, -origin.x, -origin.y), -angle, origin=(0, 0))


def _best(
    zone: Polygon | MultiPolygon, fronting: np.ndarray, spec: PlotSpec
) -> tuple[_Built, shapely.Point]:
    origin = zone.centroid
    er0 = shapely.union_all(fronting)
    shares = np.array(spec.shares())
    k = len(spec.types)
    best: _Built | None = None
    best_score = -math.inf
    for angle in _angles(zone, fronting):
        zr, er = (_turn(g, angle, origin) for g in (zone, er0))
        _, y0, _, y1 = zr.bounds
        stacks = list(_stacks(y1 - y0, spec, edges=_edge_fronts(zr, er)))
        stacks.sort(key=lambda s: -_score(_row_cover(zr, s, k), shares))
        for bands in stacks[:_BUILT_PER_ANGLE]:
            built = _build(zr, er, bands, spec, angle)
            if built is None:
                continue
            areas = np.bincount(built.types, weights=shapely.area(built.plots), minlength=k)
            score = _score(areas, shares)
            if score > best_score + 1e-6 or (
                abs(score - best_score) <= 1e-6
                and best is not None
                and len(built.plots) > len(best.plots)
            ):
                best, best_score = built, score
    if best is None:
        depths = tuple(
            Message(
                "{name} {lo:.0f}–{hi:.0f} m",
                {"name": t.name, "lo": t.min_depth_m, "hi": t.max_depth_m},
            )
            for t in spec.types
        )
        msg = Message(
            "no layout of rows and internal roads fits the zone under the [plots] rules (road"
            " width {width:g} m, roads ≤ {road:g}%, row depths {depths}); widen the depth"
            " bands or allow more road",
            {"width": spec.road_width_m, "road": spec.max_road_pct, "depths": Lines(depths, ", ")},
        )
        raise DataError(msg)
    return best, origin


# -- the result -----------------------------------------------------------------------------
@dataclass
class PlotLayout:
    """A zone cut into plots: the layers and the figures of the report.

    Attributes
    ----------
    plots
        ``plot_id``, ``type``, ``area_m2``, ``frontage_m`` and a Polygon each.
    internal_roads
        ``road_id``, ``kind`` (``spine``: between rows; ``cross``: across them to an
        estate road), ``width_m``, ``area_m2`` and a MultiPolygon each.
    green
        ``green_id``, ``area_m2`` and a MultiPolygon (empty unless ``green_pct`` > 0).
    zone
        The zone cut, in the estate's CRS.
    spec
        The ``[plots]`` rules used.
    angle_deg
        The direction of the rows, degrees anticlockwise from east.
    source
        Where the zone came from (its file and layer), for the report.
    """

    plots: gpd.GeoDataFrame
    internal_roads: gpd.GeoDataFrame
    green: gpd.GeoDataFrame
    zone: Polygon | MultiPolygon
    spec: PlotSpec
    angle_deg: float
    source: str = ""

    @property
    def zone_m2(self) -> float:
        """The zone's area, m²."""
        return float(self.zone.area)

    def to_dict(self) -> dict[str, Any]:
        """The report: plots by type, the shares of plots, roads, green and leftover."""
        z = self.zone_m2
        plotted = float(self.plots["area_m2"].sum())
        road = float(self.internal_roads["area_m2"].sum())
        green = float(self.green["area_m2"].sum())
        leftover = max(0.0, z - plotted - road - green)
        by_type = {}
        for t, target in zip(self.spec.types, self.spec.shares(), strict=True):
            sel = self.plots[self.plots["type"] == t.name]
            area = float(sel["area_m2"].sum())
            by_type[t.name] = {
                "count": len(sel),
                "area_ha": round(area / 10_000, 4),
                "share_pct": round(100 * area / plotted, 2) if plotted else 0.0,
                "target_share_pct": round(100 * target, 2),
                "band_m2": [t.min_m2, t.max_m2],
                "min_frontage_m": t.min_frontage_m,
            }
        return {
            "zone": {"area_ha": round(z / 10_000, 4), "source": self.source},
            "plots": {"count": len(self.plots), "by_type": by_type},
            "plotted_ha": round(plotted / 10_000, 4),
            "plotted_pct": round(100 * plotted / z, 2),
            "road_ha": round(road / 10_000, 4),
            "road_share_pct": round(100 * road / z, 2),
            "max_road_pct": self.spec.max_road_pct,
            "green_ha": round(green / 10_000, 4),
            "green_pct": round(100 * green / z, 2),
            "leftover_ha": round(leftover / 10_000, 4),
            "leftover_pct": round(100 * leftover / z, 2),
            "road_width_m": self.spec.road_width_m,
            "rows_angle_deg": round(self.angle_deg, 2),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_text(self, lang: str = "en") -> str:
        """The report as a few lines of text in ``lang`` (``en`` or ``id``); plot type
        names are the rules file's, as written."""
        d = self.to_dict()
        lines = [Message("zone {ha:.2f} ha cut into {n} plots:",
                         {"ha": d["zone"]["area_ha"], "n": d["plots"]["count"]})]  # fmt: skip
        for name, t in d["plots"]["by_type"].items():
            lo, hi = t["band_m2"]
            lines.append(Message(
                "{name}: {n} plots, {ha:.2f} ha, {share:.0f}% of the plotted land (asked "
                "{asked:.0f}%; {lo:g}–{hi:g} m², frontage ≥ {front:g} m)",
                {"name": name, "n": t["count"], "ha": t["area_ha"], "share": t["share_pct"],
                 "asked": t["target_share_pct"], "lo": lo, "hi": hi,
                 "front": t["min_frontage_m"]}))  # fmt: skip
        lines.append(Message("plots {ha:.2f} ha ({pct:.1f}%)",
                             {"ha": d["plotted_ha"], "pct": d["plotted_pct"]}))  # fmt: skip
        lines.append(Message(
            "internal roads {ha:.2f} ha ({pct:.1f}%, at most {most:g}%), {n} pieces {w:g} m wide",
            {"ha": d["road_ha"], "pct": d["road_share_pct"], "most": d["max_road_pct"],
             "n": len(self.internal_roads), "w": d["road_width_m"]}))  # fmt: skip
        if d["green_ha"] > 0:
            lines.append(Message("green {ha:.2f} ha ({pct:.1f}%)",
                                 {"ha": d["green_ha"], "pct": d["green_pct"]}))  # fmt: skip
        lines.append(Message("leftover {ha:.2f} ha ({pct:.1f}%)",
                             {"ha": d["leftover_ha"], "pct": d["leftover_pct"]}))  # fmt: skip
        head, *rest = (m.render(lang) for m in lines)
        return "\n".join([head, *("  " + line for line in rest)]) + "\n"

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write layers ``plots``, ``internal_roads`` and ``green`` to a GeoPackage, whole or not at all."""
        from kitland.io import write_gpkg  # noqa: PLC0415

        return write_gpkg(
            path, {"plots": self.plots, "internal_roads": self.internal_roads, "green": self.green}
        )

    def __repr__(self) -> str:
        d = self.to_dict()
        counts = ", ".join(f"{k} {v['count']}" for k, v in d["plots"]["by_type"].items())
        return (
            f"<PlotLayout {d['plots']['count']} plots ({counts}); plots {d['plotted_pct']:.1f}%, "
            f"roads {d['road_share_pct']:.1f}%, leftover {d['leftover_pct']:.1f}%>"
        )

    def _repr_html_(self) -> str:
        import html  # noqa: PLC0415

        return f"<pre>{html.escape(self.to_text())}</pre>"


def _multi(g: shapely.Geometry) -> MultiPolygon:
    parts = [p for p in shapely.get_parts(g) if isinstance(p, Polygon)]
    return MultiPolygon(parts)


def _green(
    zone: shapely.Geometry,
    plots: list[Polygon],
    roads: list[Polygon],
    fronting: shapely.Geometry,
    pct: float,
) -> tuple[list[int], shapely.Geometry]:
    """Plots given to green (indices) and the green area: leftover first, then far plots."""
    if pct <= 0:
        return [], Polygon()
    leftover = shapely.difference(zone, shapely.union_all([*plots, *roads]))
    need = pct / 100 * zone.area - leftover.area
    taken: list[int] = []
    if need > 0:
        far = np.argsort(-shapely.distance(np.asarray(plots, dtype=object), fronting))
        for i in far:
            if need <= 0:
                break
            taken.append(int(i))
            need -= plots[i].area
    green = shapely.union_all([leftover, *(plots[i] for i in taken)])
    return taken, green


def _plot_spec(rules: Rules | None, spec: PlotSpec | None, *, to_cut: bool) -> PlotSpec:
    """``spec``, else the ``[plots]`` table of ``rules`` (the bundled rules when None).

    Raises
    ------
    RulesError
        If the rules have no ``[plots]`` table (the message says what it was wanted
        for: cutting plots, ``to_cut``, or judging them).
    """
    if spec is not None:
        return spec
    rules = rules if rules is not None else load_rules()
    if rules.plots is None:
        msg = Message(
            "{source}: has no [plots] table; add one (see SPEC §2) to cut the zone into plots"
            if to_cut else "{source}: has no [plots] table to judge plots by",
            {"source": rules.source or "rules"},
        )  # fmt: skip
        raise RulesError(msg)
    return rules.plots


def plots(
    estate: Estate,
    zone: ZoneLike,
    rules: Rules | None = None,
    *,
    spec: PlotSpec | None = None,
) -> PlotLayout:
    """Cut a placed zone into plots along internal roads (the ``[plots]`` rules).

    Parameters
    ----------
    estate
        The estate; the zone must front one of its roads (within ε + 1 m).
    zone
        The zone: a shapely (Multi)Polygon in ``estate.crs`` or a GeoDataFrame/GeoSeries
        with a CRS, e.g. layer ``zone`` of ``kitland place --out``.
    rules
        Rules with a ``[plots]`` table (default: the bundled UMKM rules).
    spec
        The plot rules themselves, instead of ``rules``.

    Returns
    -------
    PlotLayout
        The ``plots``, ``internal_roads`` and ``green`` layers in ``estate.crs`` and the
        report (:meth:`PlotLayout.to_dict`).

    Raises
    ------
    RulesError
        If the rules have no ``[plots]`` table.
    DataError
        If the zone is unusable, fronts no estate road, or no layout of rows and roads
        fits it under the rules.

    Examples
    --------
    A 200 × 100 m zone south of an estate road, cut into plots of 400–600 m² in rows
    44 m deep: two internal roads run north from the road, four rows of nine plots.

    >>> import geopandas as gpd
    >>> from kitland.estate import Estate
    >>> from kitland.rules import PlotSpec, PlotType
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(-50, -50, 250, 150)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "i"], "land_use": ["available", "industrial"]},
    ...     geometry=[shapely.box(-50, 0, 250, 150), shapely.box(-50, -50, 250, -12)], crs=32749)
    >>> r = gpd.GeoDataFrame({"road_class": ["local"]}, geometry=[shapely.LineString([(-50, -6), (250, -6)])], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p, "roads": r})
    >>> unit = PlotType("unit", 400, 600, 10, min_depth_m=44, max_depth_m=44)
    >>> layout = plots(est, shapely.box(0, 0, 200, 100), spec=PlotSpec((unit,)))
    >>> len(layout.plots), float(layout.plots["area_m2"].iloc[0]), layout.to_dict()["road_share_pct"]
    (36, 488.89, 12.0)
    """
    label = str(getattr(zone, "attrs", {}).get("source", "zone"))
    spec = _plot_spec(rules, spec, to_cut=True)
    require_valid(estate, command="kitland.plots()")
    z = as_zone(zone, estate, label=label)
    if isinstance(z, MultiPolygon):
        msg = Message(
            "{source}: the zone is in {n} pieces; plots are cut from one polygon",
            {"source": label, "n": len(z.geoms)},
        )
        raise DataError(msg)
    over = road_overlap_m2(z, estate)
    if over > _AREA_TOL_M2:
        msg = Message(
            "{source}: the zone lies over estate road corridors ({m2:,.0f} m²); plots are cut"
            " from land beside the roads, so trim the zone to the corridors' edges (`kitland"
            " check --zone` reports this as its 'on' rule)",
            {"source": label, "m2": over},
        )
        raise DataError(msg)
    fronting = _fronting_roads(z, estate, label)
    built, origin = _best(z, fronting, spec)
    back = lambda g: _turn(g, built.angle, origin, back=True)  # noqa: E731
    plot_geoms = [back(p) for p in built.plots]
    road_geoms = [back(r) for r in built.roads]
    taken, green = _green(z, plot_geoms, road_geoms, shapely.union_all(fronting), spec.green_pct)
    keep = [i for i in range(len(plot_geoms)) if i not in set(taken)]
    plot_geoms = [plot_geoms[i] for i in keep]
    types = [spec.types[built.types[i]].name for i in keep]
    front = frontage_m(plot_geoms, shapely.union_all([*road_geoms, *fronting]))
    crs = estate.crs
    plots_gdf = gpd.GeoDataFrame(
        {
            "plot_id": [f"P-{i:04d}" for i in range(1, len(plot_geoms) + 1)],
            "type": types,
            "area_m2": np.round(shapely.area(np.asarray(plot_geoms, dtype=object)), 2),
            "frontage_m": np.round(front, 2),
        },
        geometry=gpd.GeoSeries(plot_geoms, crs=crs),
        crs=crs,
    )
    roads_gdf = gpd.GeoDataFrame(
        {
            "road_id": [f"R-{i:02d}" for i in range(1, len(road_geoms) + 1)],
            "kind": built.road_kinds,
            "width_m": spec.road_width_m,
            "area_m2": np.round([r.area for r in road_geoms], 2),
        },
        geometry=gpd.GeoSeries([_multi(r) for r in road_geoms], crs=crs),
        crs=crs,
    )
    greens = [] if green.is_empty else [_multi(green)]
    green_gdf = gpd.GeoDataFrame(
        {"green_id": [f"G-{i}" for i in range(1, len(greens) + 1)],
         "area_m2": [round(g.area, 2) for g in greens]},
        geometry=gpd.GeoSeries(greens, crs=crs),
        crs=crs,
    )  # fmt: skip
    layout = PlotLayout(plots_gdf, roads_gdf, green_gdf, z, spec, built.angle, source=label)
    log.info("%s", repr(layout))
    return layout


# -- judging a plot layout -------------------------------------------------------------------
def read_plots(path: str | os.PathLike[str]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read layers ``plots`` and ``internal_roads`` of a file written by :func:`plots`.

    Raises
    ------
    DataError
        If the file or a layer cannot be read, or ``plots`` lacks ``plot_id`` or ``type``.
    """
    import fiona  # noqa: PLC0415

    p = Path(path)
    if not p.exists():
        raise DataError(Message("{path}: no such plots file", {"path": str(p)}))
    try:
        names = fiona.listlayers(p)
    except Exception as exc:
        msg = Message("{path}: not a vector file GDAL can read ({reason})",
                      {"path": str(p), "reason": f"{type(exc).__name__}: {exc}"})  # fmt: skip
        raise DataError(msg) from exc
    out = []
    for layer in ("plots", "internal_roads"):
        if layer not in names:
            msg = Message(
                "{path}: has no layer {layer!r} (layers: {layers}); write one with `kitland plots --out`",
                {"path": str(p), "layer": layer, "layers": ", ".join(names)},
            )
            raise DataError(msg)
        try:
            gdf = gpd.read_file(p, layer=layer, engine="fiona")
        except Exception as exc:
            msg = Message("{path} layer {layer!r}: cannot read ({reason})",
                          {"path": str(p), "layer": layer, "reason": f"{type(exc).__name__}: {exc}"})  # fmt: skip
            raise DataError(msg) from exc
        if gdf.crs is None:
            msg = Message("{source} has no CRS; declare one (the CRS of the estate it was laid out on)",
                          {"source": f"{p} layer {layer!r}"})  # fmt: skip
            raise DataError(msg)
        gdf.attrs["source"] = f"{p} layer {layer!r}"
        out.append(gdf)
    missing = [c for c in ("plot_id", "type") if c not in out[0].columns]
    if missing:
        msg = Message(
            "{path} layer 'plots': has no column {column!r} (each plot needs plot_id and type)",
            {"path": str(p), "column": missing[0]},
        )
        raise DataError(msg)
    return out[0], out[1]


def _names(ids: Sequence[Any], n: int = 5) -> str:
    ids = [str(i) for i in ids]
    more = f" and {len(ids) - n} more" if len(ids) > n else ""
    return ", ".join(ids[:n]) + more


def _verdict(rid: str, bad: Sequence[Any], total: int, what: str, ok: str) -> RuleResult:
    msg = f"{len(bad)} of {total} plots {what}: {_names(bad)}" if bad else ok
    return RuleResult(rid, "plots", not bad, float(len(bad)), "= 0", "plots", msg, scope="plots")


def check_plots(
    estate: Estate,
    zone: ZoneLike,
    plots_gdf: gpd.GeoDataFrame,
    roads_gdf: gpd.GeoDataFrame,
    rules: Rules | None = None,
    *,
    spec: PlotSpec | None = None,
) -> list[RuleResult]:
    """Judge a plot layout: every plot valid, inside the zone, fronting a road, in its band.

    Parameters
    ----------
    estate
        The estate (its road corridors count as roads a plot may front).
    zone
        The zone the plots were cut from.
    plots_gdf
        Plots with ``plot_id`` and ``type`` (a type of the ``[plots]`` rules).
    roads_gdf
        The internal roads.
    rules, spec
        As in :func:`plots`.

    Returns
    -------
    list of RuleResult
        ``plots valid`` (a valid polygon each), ``plots inside zone`` (no more than
        0.01 m² outside the zone, nor over another plot or a road), ``plots front a
        road`` (frontage on an internal road or a fronting estate road corridor at least
        the type's ``min_frontage_m``), ``plots in size band`` (area in the type's band;
        an unknown type fails), ``internal roads connected`` (every piece joins an
        estate road the zone fronts, directly or through other pieces) and ``road
        share`` (internal roads at most ``max_road_pct`` of the zone). Their ``scope``
        is ``"plots"``; the plot rules' values count failing plots.

    Examples
    --------
    See ``tests/test_plots.py``.
    """
    spec = _plot_spec(rules, spec, to_cut=False)
    z = as_zone(zone, estate)
    fronting = _fronting_roads(z, estate, str(getattr(zone, "attrs", {}).get("source", "zone")))
    crs = estate.crs
    pl = plots_gdf.to_crs(crs) if plots_gdf.crs is not None else plots_gdf.set_crs(crs)
    rd = roads_gdf.to_crs(crs) if roads_gdf.crs is not None else roads_gdf.set_crs(crs)
    ids = pl["plot_id"].astype(str).tolist()
    geoms = np.asarray(pl.geometry.to_numpy(), dtype=object)
    n = len(geoms)
    ok_geom = (
        ~shapely.is_missing(geoms)
        & shapely.is_valid(geoms)
        & np.isin(shapely.get_type_id(geoms), [3, 6])
        & ~shapely.is_empty(geoms)
    )
    results = [_verdict("plots valid", [i for i, k in zip(ids, ok_geom, strict=True) if not k], n,
                        "are not valid polygons", f"all {n} plots are valid polygons")]  # fmt: skip
    good = np.where(ok_geom, geoms, Polygon())
    road_geoms = [g for g in rd.geometry if g is not None and not g.is_empty]
    roads_u = shapely.union_all(road_geoms) if road_geoms else Polygon()
    outside = shapely.area(shapely.difference(good, z))
    on_road = shapely.area(shapely.intersection(good, roads_u))
    tree = shapely.STRtree(good)
    pairs = tree.query(good, predicate="intersects")
    overlap = np.zeros(n)
    for a, b in pairs.T[pairs[0] < pairs[1]]:
        ov = shapely.intersection(good[a], good[b]).area
        overlap[a] += ov
        overlap[b] += ov
    bad_in = [i for i, o, r, v in zip(ids, outside, on_road, overlap, strict=True)
              if max(o, r, v) > _AREA_TOL_M2]  # fmt: skip
    results.append(_verdict("plots inside zone", bad_in, n,
                            "reach outside the zone or over a road or another plot",
                            f"all {n} plots lie inside the zone, off the roads and each other"))  # fmt: skip
    front = frontage_m(good, shapely.union_all([roads_u, *fronting]))
    types = pl["type"].astype(str).tolist()
    kinds = [spec.type(t) for t in types]
    bad_front = [f"{i} ({f:.1f} m)" for i, f, k in zip(ids, front, kinds, strict=True)
                 if k is not None and f < k.min_frontage_m - _LEN_TOL_M]  # fmt: skip
    results.append(_verdict("plots front a road", bad_front, n, "front a road by less than their type's min_frontage_m",
                            f"all {n} plots front an internal or estate road"))  # fmt: skip
    area = shapely.area(good)
    bad_size = []
    for i, t, k, a in zip(ids, types, kinds, area, strict=True):
        if k is None:
            bad_size.append(
                f"{i} (unknown type {t!r}; types: {', '.join(x.name for x in spec.types)})"
            )
        elif not k.min_m2 - _AREA_TOL_M2 <= a <= k.max_m2 + _AREA_TOL_M2:
            bad_size.append(f"{i} ({t} {a:,.0f} m², band {k.min_m2:g}–{k.max_m2:g})")
    results.append(_verdict("plots in size band", bad_size, n, "are outside their type's size band",
                            f"all {n} plots are in their type's size band"))  # fmt: skip
    pieces = [p for g in road_geoms for p in shapely.get_parts(g)]
    reach = _connected(pieces, shapely.union_all(fronting)) if pieces else []
    loose = sum(1 for r in reach if not r)
    results.append(RuleResult(
        "internal roads connected", "plots", loose == 0, float(loose), "= 0", "pieces",
        f"{loose} of {len(pieces)} internal road pieces join no estate road the zone fronts"
        if loose else f"all {len(pieces)} internal road pieces join an estate road the zone fronts",
        scope="plots",
    ))  # fmt: skip
    share = 100 * float(shapely.area(shapely.intersection(roads_u, z))) / z.area
    results.append(RuleResult(
        "road share", "plots", share <= spec.max_road_pct + 1e-9, share,
        f"<= {spec.max_road_pct:g}", "%",
        f"internal roads take {share:.1f}% of the zone (at most {spec.max_road_pct:g}%)",
        scope="plots",
    ))  # fmt: skip
    return results
