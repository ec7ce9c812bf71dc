"""The final outline step: a staircase of grid cells turned into a zone with straight edges.

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
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import partial

import numpy as np
import shapely
from shapely import Polygon, affinity

__all__ = ["straighten", "vertex_count"]

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
    if not isinstance(zone, Polygon) or zone.is_empty:
        msg = f"zone: expected a non-empty Polygon, got {zone.geom_type}; pass the dissolved zone"
        raise ValueError(msg)
    if not cell_m > 0:
        msg = f"cell_m={cell_m}: expected the positive grid spacing in metres, e.g. 25"
        raise ValueError(msg)
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
    target = zone.area

    def fit(move: Callable[[float], shapely.Geometry]) -> Polygon | None:
        return _fit(lambda t: _clean(shapely.intersection(_clean(move(t)) or Polygon(), near)),
                    target, cell_m / 4)  # fmt: skip

    proposals: dict[bytes, tuple[str, Polygon]] = {}
    seen: set[bytes] = set()
    for name, base in bases.items():
        b = _clean(base)
        if b is None or (key := _key(b)) in seen:
            continue
        seen.add(key)
        fits = {}
        ring = _ccw(b.exterior)
        for i in range(len(ring) - 1):
            if math.dist(ring[i], ring[i + 1]) >= cell_m:
                fits[f"{name}, edge {i}"] = fit(partial(_move_edge, b, ring, i))
        for how, p in fits.items():
            if p is not None:
                proposals.setdefault(_key(p), (how, p))
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


def _key(p: Polygon) -> bytes:
    """Equal for proposals that differ by less than a centimetre."""
    return shapely.to_wkb(shapely.normalize(shapely.set_precision(p, 0.01)))


def _ccw(ring: shapely.LinearRing) -> list[tuple[float, float]]:
    xy = [(float(x), float(y)) for x, y in ring.coords]
    return xy if ring.is_ccw else xy[::-1]


def _move_edge(p: Polygon, ring: list[tuple[float, float]], i: int, t: float) -> Polygon:
    """``p`` with edge ``i`` of its counter-clockwise ``ring`` moved ``t`` outward.

    The two neighbouring edges keep their direction (the edge slides along them).
    """
    n = len(ring) - 1
    a, b = np.asarray(ring[i]), np.asarray(ring[i + 1])
    d = b - a
    shift = t * np.array([d[1], -d[0]]) / np.hypot(*d)
    prev = np.asarray(ring[(i - 1) % n])
    nxt = np.asarray(ring[(i + 2) % n])
    a2 = _meet(a + shift, d, prev, a - prev)
    b2 = _meet(b + shift, d, b, nxt - b)
    pts = list(ring[:-1])
    pts[i], pts[(i + 1) % n] = a2, b2
    return Polygon(pts, list(p.interiors))


def _meet(p: np.ndarray, d: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[float, float]:
    """Where the line ``p + s·d`` crosses the line through ``q`` along ``e``."""
    den = d[0] * e[1] - d[1] * e[0]
    if abs(den) < 1e-9 * np.hypot(*d) * np.hypot(*e):  # parallel: the vertex moves straight
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
