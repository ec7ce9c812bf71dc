"""The final outline step: a staircase of grid cells turned into a zone with straight edges,
then refined over the true geometry.

:func:`straighten` proposes outlines with straight edges for a dissolved cell zone and
returns the one with the lowest ``score`` that the caller's ``accept`` passes; when no
proposal scoring below the zone passes, the zone comes back as it was given. The bases
of the proposals are

- Douglas–Peucker simplifications of the zone at 0.5, 1, 1.5, 2 and 3 cells (a run of
  one-cell steps becomes one straight edge);
- the zone's minimum rotated rectangle and its bounding rectangle in the grid's frame.

Each base is cleaned (valid, one polygon, parts and holes under 1 m² dropped,
normalized) and clipped to ``allowed``. Simplifying and clipping change the area, so
every edge at least a cell long is in turn moved along its normal (its neighbours keep
their direction) until the area is the zone's again, within 0.01 %: one proposal per
edge. ``score`` ranks the proposals and ``accept``, which runs the full rule check, is
called on them best first, at most ``max_accept_calls`` times.

:func:`refine` then moves the accepted outline's edges and corners over the land (not
the grid): outward where the preference is cheap, inward where it is dear, the area
kept in its band, each step passed by ``accept``; it only ever lowers the score, so a
zone proven optimal on the grid stays so.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import partial

import numpy as np
import shapely
from shapely import Polygon, affinity

__all__ = ["cut_corners", "straighten", "vertex_count"]

log = logging.getLogger(__name__)

_DUST_M2 = 1.0  # parts and holes smaller than this are dropped
_AREA_RTOL = 1e-4  # a fitted proposal's area is the zone's within this share


def vertex_count(poly: Polygon) -> int:
    """Vertices of ``poly``: its exterior without the closing repeat, plus its holes'.

    Examples
    --------
    >>> from shapely import box
    >>> vertex_count(box(0, 0, 10, 10)), vertex_count(box(0, 0, 10, 10).difference(box(4, 4, 6, 6)))
    (4, 8)
    """
    if poly.is_empty:
        return 0
    return sum(len(r.coords) - 1 for r in (poly.exterior, *poly.interiors))


def cut_corners(zone: Polygon, triangles: np.ndarray) -> Polygon:
    """``zone`` without the ``triangles`` (shape ``(k, 3, 2)``) cut off its corners
    (:func:`._window.cuts_taken`), or ``zone`` itself when there are none.

    Examples
    --------
    >>> from shapely import box
    >>> cut_corners(box(0, 0, 10, 10), np.array([[[0, 0], [2, 0], [0, 2]]])).area
    98.0
    """
    if not len(triangles):
        return zone
    return _clean(shapely.difference(zone, shapely.union_all(shapely.polygons(triangles)))) or zone


def _check_args(zone: Polygon, what: str, step_name: str, step_m: float) -> None:
    """Refuse a ``zone`` that is not a non-empty polygon (``what`` to pass instead) and a
    step ``step_name`` that is not a positive length."""
    if not isinstance(zone, Polygon) or zone.is_empty:
        msg = f"zone: expected a non-empty Polygon, got {zone.geom_type}; pass {what}"
        raise ValueError(msg)
    if not step_m > 0:
        msg = f"{step_name}={step_m}: expected the positive grid spacing in metres, e.g. 25"
        raise ValueError(msg)


def straighten(
    zone: Polygon, *, allowed: shapely.Geometry, cell_m: float, angle_deg: float,
    score: Callable[[Polygon], float], accept: Callable[[Polygon], bool],
    max_accept_calls: int = 12, ceiling: float | None = None,
) -> Polygon:  # fmt: skip
    """The accepted outline with straight edges and the lowest ``score``, or ``zone`` itself.

    Parameters
    ----------
    zone
        The dissolved cell zone.
    allowed
        The land the zone may occupy; every proposal is clipped to it.
    cell_m
        The grid spacing, metres.
    angle_deg
        The grid angle (counter-clockwise), degrees.
    score
        Lower is better; only proposals scoring below ``ceiling`` are considered.
    accept
        True when a proposal passes the rules; called best score first.
    max_accept_calls
        At most this many calls to ``accept``.
    ceiling
        Only proposals scoring below this count (default: the score of ``zone``; give
        ``math.inf`` to look for any accepted outline of a zone that is not accepted).

    Returns
    -------
    Polygon
        The first accepted proposal, or ``zone`` unchanged (same object) when no
        proposal that scores below it is accepted within ``max_accept_calls``.

    Raises
    ------
    ValueError
        If ``zone`` is not a non-empty polygon or ``cell_m`` is not positive.

    Examples
    --------
    >>> from shapely import box
    >>> steps = shapely.simplify(box(0, 0, 300, 100).union(box(0, 100, 150, 125)), 0)
    >>> out = straighten(steps, allowed=box(-1e3, -1e3, 1e3, 1e3), cell_m=25.0, angle_deg=0.0,
    ...                  score=lambda z: z.length, accept=lambda z: True)
    >>> vertex_count(steps), vertex_count(out), abs(out.area - steps.area) < 1e-4 * steps.area
    (6, 4, True)
    """
    _check_args(zone, "the dissolved zone", "cell_m", cell_m)
    x0, y0, x1, y1 = zone.bounds
    pad = max(x1 - x0, y1 - y0)
    near = shapely.clip_by_rect(allowed, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    proposals = _proposals(zone, near, cell_m, _bases(zone, cell_m, angle_deg))
    best = score(zone) if ceiling is None else ceiling
    ranked = sorted(
        (
            (s, vertex_count(p), k, how, p)
            for k, (how, p) in proposals.items()
            if (s := score(p)) < best
        ),
        key=lambda x: x[:3],
    )
    log.debug("outline: %d proposals, %d score below the zone's %.3f", len(proposals),
              len(ranked), best)  # fmt: skip
    for s, n, _, how, p in ranked[:max_accept_calls]:
        if accept(p):
            log.info("outline: %s, %d → %d vertices, score %.3f → %.3f", how,
                     vertex_count(zone), n, best, s)  # fmt: skip
            return p
        log.debug("outline: %s refused", how)
    return zone


def _bases(zone: Polygon, cell_m: float, angle_deg: float) -> dict[str, shapely.Geometry]:
    """Straight-edged outlines near ``zone``, by name, before clipping and area fitting."""
    bases = {f"simplify {k:g}": shapely.simplify(zone, k * cell_m) for k in (0.5, 1, 1.5, 2, 3)}
    bases["rotated rectangle"] = shapely.minimum_rotated_rectangle(zone)
    c = zone.centroid
    turned = affinity.rotate(zone, -angle_deg, origin=c)
    bases["grid rectangle"] = affinity.rotate(turned.envelope, angle_deg, origin=c)
    return bases


def _proposals(
    zone: Polygon, near: shapely.Geometry, cell_m: float, bases: dict[str, shapely.Geometry]
) -> dict[bytes, tuple[str, Polygon]]:
    """Every base clipped to ``near`` and fitted to ``zone``'s area, by key: (how, polygon)."""
    shapely.prepare(near)
    proposals: dict[bytes, tuple[str, Polygon]] = {}
    seen: set[bytes] = set()
    for name, base in bases.items():
        b = _clean(base)
        if b is None or (key := _key(b)) in seen:
            continue
        seen.add(key)
        ring, holes = _ccw(b.exterior)[:-1], list(b.interiors)
        for i in range(len(ring)):  # each edge a cell long slides along its normal
            if math.dist(ring[i], ring[(i + 1) % len(ring)]) < cell_m:
                continue
            p = _fit(partial(_moved, ring, holes, near, ("edge", i)), zone.area, cell_m / 4)
            if p is not None:
                proposals.setdefault(_key(p), (f"{name}, edge {i}", p))
    return proposals


def _clean(g: shapely.Geometry) -> Polygon | None:
    """One valid normalized polygon (dust parts and holes under 1 m² dropped), or None."""
    if g is None or g.is_empty:
        return None
    parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(g)))
    polys = sorted(
        (p for p in parts if isinstance(p, Polygon) and p.area > 0), key=lambda p: -p.area
    )
    if not polys or sum(p.area for p in polys[1:]) >= _DUST_M2:
        return None
    p = polys[0]
    holes = [r for r in p.interiors if Polygon(r).area >= _DUST_M2]
    out = shapely.normalize(shapely.simplify(Polygon(p.exterior, holes), 0.0))
    return out if isinstance(out, Polygon) and not out.is_empty else None


def _clipped(g: shapely.Geometry, near: shapely.Geometry) -> Polygon | None:
    """``g`` cleaned, clipped to ``near`` and cleaned again (:func:`_clean`)."""
    return _clean(shapely.intersection(_clean(g) or Polygon(), near))


def _key(p: Polygon) -> bytes:
    """Equal for proposals that differ by less than a centimetre."""
    return shapely.to_wkb(shapely.normalize(shapely.set_precision(p, 0.01)))


def _ccw(ring: shapely.LinearRing) -> list[tuple[float, float]]:
    xy = [(float(x), float(y)) for x, y in ring.coords]
    return xy if ring.is_ccw else xy[::-1]


def _moved(ring: list[tuple[float, float]], holes: list[shapely.LinearRing],
           near: shapely.Geometry, move: _Move, t: float) -> Polygon | None:  # fmt: skip
    """The polygon of ``ring`` and ``holes`` with ``move`` made ``t`` outward
    (:func:`_shifted`), clipped to ``near``."""
    return _clipped(Polygon(_shifted(ring, move, t), holes), near)


def _meet(p: np.ndarray, d: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """Where the line ``p + s·d`` crosses the line through ``q`` along ``e``."""
    den = d[0] * e[1] - d[1] * e[0]
    if abs(den) <= 1e-9 * np.hypot(*d) * np.hypot(*e):  # parallel (or e of no length): straight
        return float(p[0]), float(p[1])
    s = ((q[0] - p[0]) * e[1] - (q[1] - p[1]) * e[0]) / den
    return float(p[0] + s * d[0]), float(p[1] + s * d[1])


def _fit(make: Callable[[float], Polygon | None], target: float, step: float) -> Polygon | None:
    """``make(t)`` at the ``t`` nearest 0 where its area is ``target``; None if not found.

    The area is assumed to grow with ``t``: the bracket is widened from 0 by doubling
    ``step`` and then halved.
    """
    g = make(0.0)
    if g is None:
        return None
    tol = _AREA_RTOL * target
    if abs(g.area - target) <= tol:
        return g
    sign = 1.0 if g.area < target else -1.0
    lo, hi, t = 0.0, None, step
    for _ in range(10):
        g = make(sign * t)
        if g is None:
            return None
        if sign * (g.area - target) >= 0:
            hi = t
            break
        lo, t = t, 2 * t
    if hi is None:
        return None
    for _ in range(50):
        mid = (lo + hi) / 2
        g = make(sign * mid)
        if g is None:
            return None
        if abs(g.area - target) <= tol:
            return g
        lo, hi = (mid, hi) if sign * (g.area - target) < 0 else (lo, mid)
    return None


def refine(
    zone: Polygon, *, allowed: shapely.Geometry, area_m2: tuple[float, float], step_m: float,
    cost: Callable[[shapely.Geometry], float], perimeter_weight: float,
    accept: Callable[[Polygon], bool], max_accept_calls: int,
) -> Polygon:  # fmt: skip
    """``zone`` with edges and corners moved over ``allowed`` to a lower score, every step
    passed by ``accept``; ``zone`` itself (same object) when no step is.

    The score of a polygon is ``cost(polygon) + perimeter_weight · perimeter``. A move
    slides one edge of the outline along its normal (its neighbours keep their
    direction) or one corner along the bisector of its edges' normals; edges and the
    corners between edges at least ``step_m`` long move, by ``h`` at a time. Each round
    prices every move of the current zone ``h`` outward and ``h`` inward (the score
    added or saved per m² of the strip it adds or removes, clipped to ``allowed``) and
    proposes

    - trims: the four dearest inward moves, each sized to bring the area to the low end
      of ``area_m2`` (or the four cheapest outward moves to its high end, when growing
      lowers the score);
    - exchanges: the four best pairs of an outward move cheaper per m² than an inward
      one, the inward move sized so the area stays the zone's.

    Every proposal is clipped to ``allowed`` and cleaned as :func:`straighten`'s are; its
    area lies within 0.02 % inside ``area_m2``. The proposals scoring below the zone are
    passed to ``accept`` best first; the first accepted is the new zone and the round
    repeats. A round with none accepted halves ``h``, from ``step_m`` down to an eighth
    of it. At most ``max_accept_calls`` calls to ``accept`` in all.

    Parameters
    ----------
    zone
        A polygon that passes the rules (e.g. :func:`straighten`'s result).
    allowed
        The land the zone may occupy.
    area_m2
        The band the area must stay in, m² (low, high).
    step_m
        The first and longest move, metres (the grid spacing).
    cost
        The cost of a region; additive (two disjoint regions cost the sum of theirs).
    perimeter_weight
        Score per metre of perimeter.
    accept
        True when a proposal passes the rules.
    max_accept_calls
        At most this many calls to ``accept``; 0 returns ``zone``.

    Returns
    -------
    Polygon
        The last accepted proposal, or ``zone`` itself.

    Raises
    ------
    ValueError
        If ``zone`` is not a non-empty polygon or ``step_m`` is not positive.

    Examples
    --------
    A square in a 20 m strip of land that gets dearer to the east moves west to the
    strip's end and sheds its area above 400 m²:

    >>> from shapely import box
    >>> out = refine(box(10, 0, 31, 20), allowed=box(0, 0, 100, 20), area_m2=(400, 440),
    ...              step_m=5.0, cost=lambda g: g.area * g.centroid.x if g.area else 0.0,
    ...              perimeter_weight=0.0, accept=lambda z: True, max_accept_calls=20)
    >>> [round(v) for v in out.bounds], round(out.area)
    ([0, 0, 20, 20], 400)
    """
    _check_args(zone, "the outline", "step_m", step_m)
    lo, hi = area_m2[0] * (1 + 2 * _AREA_RTOL), area_m2[1] * (1 - 2 * _AREA_RTOL)

    def score(p: Polygon) -> float:
        return cost(p) + perimeter_weight * float(p.length)

    current, best, h, calls = zone, score(zone), step_m, 0
    while calls < max_accept_calls and h >= step_m / 8:
        moved = False
        x0, y0, x1, y1 = current.bounds
        pad = 2 * step_m  # the land a round's moves reach, and more
        near = _polygonal(shapely.clip_by_rect(allowed, x0 - pad, y0 - pad, x1 + pad, y1 + pad))
        for s, p in _round(current, near, h, step_m, (lo, hi), cost, perimeter_weight, score):
            if s >= best - 1e-9 * max(1.0, abs(best)) or calls >= max_accept_calls:
                break
            calls += 1
            if accept(p):
                log.debug("refine: score %.3f → %.3f (step %g m)", best, s, h)
                current, best, moved = p, s, True
                break
        if not moved:
            h /= 2
    return current


#: A move of the outline: ("edge", i) or ("corner", k), by index into the ring.
_Move = tuple[str, int]


def _round(
    zone: Polygon, near: shapely.Geometry, h: float, min_m: float, band: tuple[float, float],
    cost: Callable[[shapely.Geometry], float], weight: float,
    score: Callable[[Polygon], float],
) -> list[tuple[float, Polygon]]:  # fmt: skip
    """:func:`refine`'s proposals for one round, scored, best first."""
    ring = _ccw(zone.exterior)[:-1]
    holes = list(zone.interiors)
    moves = _moves(ring, min_m)
    area = zone.area

    def price(m: _Move, t: float) -> tuple[float, float] | None:
        """Area added (negative: removed) and score change per m² of moving ``m`` by ``t``:
        the strip between the old and the moved outline, cut to the land (outward) or to
        the zone (inward), and the change of the outline's length before clipping."""
        moved = _shifted(ring, m, t)
        strip = _polygonal(Polygon(_strip(ring, moved, m)))
        if strip.is_empty:  # the move changed nothing (e.g. a corner with no outward side)
            return None
        # clip_by_rect is fast but may return an invalid polygon: made valid before use
        piece = shapely.intersection(strip, _polygonal(shapely.clip_by_rect(
            near if t > 0 else zone, *strip.bounds)))  # fmt: skip
        if (size := float(piece.area)) < 1e-3 * h * h:
            return None
        sign = 1.0 if t > 0 else -1.0
        d_score = sign * cost(piece) + weight * (_ring_length(moved) - _ring_length(ring))
        return sign * size, d_score / (sign * size)

    outward = {m: got for m in moves if (got := price(m, h)) is not None and got[0] > 0}
    inward = {m: got for m in moves if (got := price(m, -h)) is not None and got[0] < 0}
    cheap = sorted(outward, key=lambda m: outward[m][1])
    dear = sorted(inward, key=lambda m: -inward[m][1])
    fits: list[tuple[list[tuple[float, float]], _Move, float]] = []
    if dear and inward[dear[0]][1] > 0 and area > band[0]:
        fits += [(ring, m, band[0]) for m in dear[:4]]
    elif cheap and outward[cheap[0]][1] < 0 and area < band[1]:
        fits += [(ring, m, band[1]) for m in cheap[:4]]
    pairs = sorted(
        ((outward[o][0] * (outward[o][1] - inward[i][1]), o, i) for o in cheap for i in dear
         if o != i and outward[o][1] < inward[i][1]),
    )  # fmt: skip
    goal = min(max(area, band[0]), band[1])
    fits += [(_shifted(ring, o, h), i, goal) for _, o, i in pairs[:4]]
    out = []
    for pts, m, target in fits:
        p = _fit(partial(_moved, pts, holes, near, m), target, h)
        if p is not None:
            out.append((score(p), p))
    return sorted(out, key=lambda x: x[0])


def _strip(ring: list[tuple[float, float]], moved: list[tuple[float, float]],
           move: _Move) -> list[tuple[float, float]]:  # fmt: skip
    """The outline of the strip between ``ring`` and ``moved`` (``ring`` after ``move``)."""
    kind, i = move
    n = len(ring)
    if kind == "edge":
        return [ring[i], ring[(i + 1) % n], moved[(i + 1) % n], moved[i]]
    return [ring[i - 1], ring[i], ring[(i + 1) % n], moved[i]]


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """``g`` made valid, its polygonal parts only."""
    return shapely.make_valid(g, method="structure", keep_collapsed=False)


def _ring_length(ring: list[tuple[float, float]]) -> float:
    xy = np.asarray([*ring, ring[0]])
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def _moves(ring: list[tuple[float, float]], min_m: float) -> list[_Move]:
    """The edges of ``ring`` (no closing repeat) at least ``min_m`` long, and the corners
    between two of them."""
    n = len(ring)
    long = [math.dist(ring[i], ring[(i + 1) % n]) >= min_m for i in range(n)]
    return [("edge", i) for i in range(n) if long[i]] + [
        ("corner", k) for k in range(n) if long[k - 1] and long[k]
    ]


def _shifted(ring: list[tuple[float, float]], move: _Move, t: float) -> list[tuple[float, float]]:
    """``ring`` (counter-clockwise, no closing repeat) with ``move`` made ``t`` outward.

    An edge slides along its two neighbours (they keep their direction); a corner moves
    along the sum of its two edges' outward normals, scaled to length ``t``.
    """
    kind, i = move
    n = len(ring)
    pts = list(ring)
    prev, a, b = (np.asarray(ring[k % n]) for k in (i - 1, i, i + 1))
    if min(np.hypot(*(a - prev)), np.hypot(*(b - a))) < 1e-9:  # an edge of no length: no normal
        return pts
    if kind == "edge":
        d = b - a
        shift = t * np.array([d[1], -d[0]]) / np.hypot(*d)
        nxt = np.asarray(ring[(i + 2) % n])
        pts[i] = _meet(a + shift, d, prev, a - prev)
        pts[(i + 1) % n] = _meet(b + shift, d, b, nxt - b)
        return pts
    normals = [np.array([d[1], -d[0]]) / np.hypot(*d) for d in (a - prev, b - a)]
    bisector = normals[0] + normals[1]
    size = np.hypot(*bisector)
    if size < 1e-9:  # a spike: no outward direction
        return pts
    pts[i] = (float(a[0] + t * bisector[0] / size), float(a[1] + t * bisector[1] / size))
    return pts
