"""Warm starts: zones that satisfy the model, found without a solver.

Greedy growth (:func:`greedy`: from a few seeds, most chosen neighbours first, then the
cheapest cell per m²) and boxes of the grid cut to the allowed land (:func:`rectangles`:
straight sides inside the land, the land's own edge where a box reaches past it, so a
zone can front a road at any angle; for an alternative also without the earlier zones'
cells but for an arm along one side); a zone of a coarser grid repaired into one of this
grid (:func:`repair`).
All only propose; every proposal is judged by :func:`~._window.feasible`, the model's
own rows evaluated with numpy, so a warm start is always a zone of the model.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kitland.placement._model import Problem, _components, grid_points
from kitland.placement._window import AREA_MARGIN_M2, Model, caps_of, feasible, shortfalls

__all__ = ["greedy", "rectangles", "repair", "window_start"]


def _opening(n: int, cells: NDArray[np.int64], squares: NDArray[np.int64]) -> NDArray[np.int64]:
    """The cells of ``cells`` that lie in a ``k × k`` square fully inside ``cells``."""
    sel = np.zeros(n, dtype=bool)
    sel[cells] = True
    full = sel[squares].all(axis=1)
    return np.unique(squares[full].ravel())


def _grow(
    p: Problem, window: NDArray[np.bool_], start: NDArray[np.int64], adj: list[list[int]],
    target: float,
) -> NDArray[np.int64]:  # fmt: skip
    """Grow a compact region from ``start``: most selected neighbours first, then cheapest."""
    ratio = p.cost / p.area_m2
    inside = set(start.tolist())
    area = float(p.area_m2[start].sum())
    touch: dict[int, int] = {}
    heap: list[tuple[int, float, int]] = []

    def push(u: int) -> None:
        for w in adj[u]:
            if window[w] and w not in inside:
                touch[w] = touch.get(w, 0) + 1
                heapq.heappush(heap, (-touch[w], float(ratio[w]), w))

    for u in inside:
        push(u)
    while heap and area < target:
        neg, _, v = heapq.heappop(heap)
        if v in inside or -neg != touch.get(v, 0):
            continue
        if area + p.area_m2[v] > p.max_area_m2 - AREA_MARGIN_M2:
            continue
        inside.add(v)
        area += float(p.area_m2[v])
        push(v)
    return np.array(sorted(inside), dtype=np.int64)


def _grow_wide(
    p: Problem, window: NDArray[np.bool_], seed: int, adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64]:  # fmt: skip
    """:func:`_grow`, then (with a width rule) keep only whole squares and grow again."""
    lo = p.min_area_m2 + AREA_MARGIN_M2
    target = lo + 0.02 * (p.max_area_m2 - p.min_area_m2)
    region = _grow(p, window, np.array([seed]), adj, target)
    if p.width_cells <= 1:
        return region
    for _ in range(8):
        opened = _opening(len(p), region, squares)
        area = float(p.area_m2[opened].sum())
        if area >= lo or len(opened) == 0:
            return opened
        target += lo - area + 0.5 * p.width_cells * p.cell_m**2
        target = min(target, p.max_area_m2 - AREA_MARGIN_M2)
        region = _grow(p, window, opened, adj, target)
    return _opening(len(p), region, squares)


def _central_seeds(p: Problem, free: NDArray[np.bool_], k: int = 8) -> list[int]:
    """Cells closest to every rule's cells at once (the least worst distance), spread out."""
    import shapely  # noqa: PLC0415 - a point index over grid positions

    masks = [r.mask for r in p.reach] + [s.coef > 0 for s in p.sums if s.min_value > 0]
    idx = np.flatnonzero(free)
    if not masks or len(idx) == 0:
        return []
    pts = grid_points(p)
    worst = np.zeros(len(idx))
    for m in masks:
        tgt = np.flatnonzero(m & free)
        if len(tgt) == 0:
            return []
        _, d = shapely.STRtree(pts[tgt]).query_nearest(pts[idx], return_distance=True,
                                                       all_matches=False)  # fmt: skip
        worst = np.maximum(worst, d)
    order = idx[np.lexsort((p.cost[idx] / p.area_m2[idx], worst))]
    out: list[int] = []
    spread = 4 * p.cell_m * max(1, p.width_cells)
    for i in order.tolist():
        if all(shapely.distance(pts[i], pts[j]) > spread for j in out):
            out.append(i)
            if len(out) >= k:
                break
    return out


def greedy(
    p: Problem, window: NDArray[np.bool_], block: NDArray[np.bool_], adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64] | None:  # fmt: skip
    """Best feasible compact region grown from a few seeds (cheapest cells, rule cells)."""
    ratio = p.cost / p.area_m2
    free = window & ~_avoided(p)  # seeds outside earlier placements, so alternatives differ
    seeds: list[int] = []
    for mask in [
        block,
        *(window & r.mask for r in p.reach),
        *(window & (s.coef > 0) for s in p.sums),
    ]:
        idx = np.flatnonzero(mask & free)
        if len(idx):
            idx = idx[np.argsort(ratio[idx], kind="stable")]
            seeds += [int(idx[int(q * (len(idx) - 1))]) for q in (0.0, 0.1, 0.3, 0.6)]
    seeds += _central_seeds(p, free)
    best, best_c = None, math.inf
    for seed in dict.fromkeys(seeds):
        g = _grow_wide(p, free, seed, adj, squares)
        if len(g) and feasible(p, g, squares):
            c = p.objective(g)
            if c < best_c:
                best, best_c = g, c
    return best


def window_start(
    p: Problem, win: NDArray[np.bool_], block: NDArray[np.bool_], adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64] | None:  # fmt: skip
    """A window's own warm start: the cheaper of greedy growth and its best rectangle.

    Both touch the window's block, where the model roots the zone. A window far from the
    incumbent otherwise starts with nothing, and HiGHS may spend its whole share finding
    a first zone.
    """
    grown = greedy(p, win, win & block, adj, squares)
    rect = next(iter(rectangles(p, win, squares, block=block, top=1)), None)
    found = [g for g in (grown, rect) if g is not None]
    return min(found, key=p.objective, default=None)


def repair(
    p: Problem, cells: NDArray[np.int64], allowed: NDArray[np.bool_], squares: NDArray[np.int64]
) -> NDArray[np.int64] | None:
    """A zone of the model made from ``cells`` (a coarser grid's zone on this grid,
    :mod:`._coarse`), or None when the repair does not give one.

    With a width rule only the cells a whole square of ``cells`` (or a whole cap of one)
    holds stay; then the largest piece. Units touching it (:func:`_units`, of cells of
    ``allowed``) are added one at a time: while a boundary-length or
    reach row of the model falls short (:func:`~._window.shortfalls`), the unit that
    makes up most of the shortfalls; then, while the area is below the band, any unit; of
    those alike, the one with most chosen neighbours (as :func:`greedy` grows), then the
    one that adds least to the score per m² it adds. Whenever the area is above the band,
    the boundary cell whose removal saves most per m² and leaves one piece (with a width
    rule, of the cells squares still hold) within the band's low end, falling no further
    short of those rules, is removed instead. The result is judged by :func:`~._window.feasible`.
    """
    n = len(p)
    sel = np.zeros(n, dtype=bool)
    sel[cells] = True
    sel = _largest_piece(p, _held(p, sel, squares))
    units, real = _units(p, squares)
    ok_units = (allowed[units] | ~real).all(axis=1)
    units, real = units[ok_units], real[ok_units]
    e = p.edges.reshape(-1, 2)
    ends = (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])
    touch = sp.csr_array((np.ones(2 * len(e)), ends), shape=(n, n))
    pair_cost = sp.csr_array((np.tile(p.edge_cost, 2), ends), shape=(n, n))
    lo, hi = p.min_area_m2 + AREA_MARGIN_M2, p.max_area_m2 - AREA_MARGIN_M2
    for _ in range(n):
        area = float(p.area_m2[sel].sum())
        short = shortfalls(p, np.flatnonzero(sel), squares)
        if (lo <= area <= hi and not short.any()) or not sel.any():
            break
        # What each cell adds to the score when chosen beside the zone (removed from it).
        step = p.cell_cost + pair_cost @ sel.astype(float)
        if area > hi:
            rim = (touch @ (~sel).astype(float) > 0) | (touch.sum(axis=1) < 4)
            edge = np.flatnonzero(sel & rim)
            order = edge[np.argsort(-step[edge] / p.area_m2[edge], kind="stable")]
            got = _removed(p, sel, order, squares, lo, short)
            if got is None:
                return None
            sel = got
            continue
        beside = touch @ sel.astype(float)  # per cell, its chosen neighbours
        at = (sel | (beside > 0))[units].any(axis=1) & ~sel[units].all(axis=1)
        cand, new = units[at], ~sel[units[at]] & real[at]
        add_m2 = (p.area_m2[cand] * new).sum(axis=1)
        per_m2 = (step[cand] * new).sum(axis=1) / np.maximum(add_m2, 1e-9)
        gain = _made_up(p, cand, new, short) if short.any() else np.ones(len(cand))
        if not (gain > 0).any():
            return None
        held = (beside[cand] * new).sum(axis=1)
        sel[cand[np.lexsort((per_m2, -held, -np.round(gain, 9)))[0]]] = True
    zone = np.flatnonzero(sel)
    return zone if feasible(p, zone, squares) else None


def _made_up(
    p: Problem, cand: NDArray[np.int64], new: NDArray[np.bool_], short: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Per candidate unit (its cells ``cand``, ``new`` where not chosen yet), how much of
    the shortfalls ``short`` (:func:`~._window.shortfalls`) its new cells make up."""
    out = np.zeros(len(cand))
    for s, gap in zip(p.sums, short[: len(p.sums)], strict=True):
        if gap > 0:
            out += np.minimum((s.coef[cand] * new).sum(axis=1) / max(s.min_value, 1e-9), gap)
    for r, gap in zip(p.reach, short[len(p.sums) :], strict=True):
        if gap > 0:
            out += (r.mask[cand] & new).any(axis=1)
    return out


def _units(p: Problem, squares: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """What :func:`repair` adds at a time, as rows of cells and where each row's cells are
    real (a row is padded with its first cell): each cell; with a width rule each square,
    and each square with one of its caps (:func:`~._window.caps_of`)."""
    if p.width_cells <= 1:
        return np.arange(len(p))[:, None], np.ones((len(p), 1), dtype=bool)
    caps = caps_of(p, squares)
    pieces = caps[:, 2:]
    padded = np.c_[squares, np.repeat(squares[:, :1], pieces.shape[1], axis=1)]
    capped = np.c_[squares[caps[:, 0]], np.where(pieces >= 0, pieces, squares[caps[:, 0], :1])]
    sq_real = np.c_[
        np.ones(squares.shape, dtype=bool), np.zeros((len(squares), pieces.shape[1]), dtype=bool)
    ]
    cap_real = np.c_[np.ones((len(caps), squares.shape[1]), dtype=bool), pieces >= 0]
    return np.r_[padded, capped], np.r_[sq_real, cap_real]


def _held(p: Problem, sel: NDArray[np.bool_], squares: NDArray[np.int64]) -> NDArray[np.bool_]:
    """The cells of ``sel`` that a whole width square of it, or a whole cap of one, holds
    (the width rule's cover rows, :func:`~._window.caps_of`); ``sel`` without a width rule."""
    if p.width_cells <= 1:
        return sel
    whole = np.asarray(sel[squares].all(axis=1), dtype=bool)
    out = np.zeros(len(p), dtype=bool)
    out[squares[whole].ravel()] = True
    caps = caps_of(p, squares)
    pieces = caps[whole[caps[:, 0]] & np.r_[sel, True][caps[:, 2:]].all(axis=1), 2:]
    out[pieces[pieces >= 0]] = True
    return out


def _largest_piece(p: Problem, sel: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """The piece of ``sel`` of most area (the first of equal ones)."""
    if not sel.any():
        return sel
    lab = _components(sel, p.edges)
    return lab == int(np.argmax(np.bincount(lab[sel], weights=p.area_m2[sel])))


def _removed(
    p: Problem, sel: NDArray[np.bool_], order: NDArray[np.int64], squares: NDArray[np.int64],
    lo: float, short: NDArray[np.float64],
) -> NDArray[np.bool_] | None:  # fmt: skip
    """``sel`` without the first cell of ``order`` whose removal (and the cells no square
    holds after it) leaves one piece of at least ``lo`` m² whose boundary-length and reach
    rows fall short by no more than ``short`` (:func:`~._window.shortfalls`); None when
    none does."""
    for v in order.tolist():
        out = sel.copy()
        out[v] = False
        out = _held(p, out, squares)
        one = out.any() and int(_components(out, p.edges).max()) == 0
        if (
            one
            and float(p.area_m2[out].sum()) >= lo
            and (shortfalls(p, np.flatnonzero(out), squares) <= short + 1e-12).all()
        ):
            return out
    return None


#: An arm of :func:`rectangles`: along rows (True) or columns, its thickness, and its
#: offset from the box's first row or column.
_Arm = tuple[bool, int, int]


def rectangles(
    p: Problem, allowed: NDArray[np.bool_], squares: NDArray[np.int64], *,
    block: NDArray[np.bool_] | None = None, top: int = 4, checks: int = 128,
) -> list[NDArray[np.int64]]:  # fmt: skip
    """Up to ``top`` boxes of the grid cut to the ``allowed`` land that satisfy the model
    (with a cell of ``block``), cheapest first: the natural first answer under
    ``min_width`` (straight sides, right-angled corners inside the land).

    A box is an axis-aligned rectangle of grid positions (the grid is turned to the
    land's main direction); its zone is every allowed cell in it, clipped ones included,
    so a box reaching past the land's edge follows that edge (a road frontage, a
    boundary, a setback) at any angle. With a width rule only cells of a width square
    inside the allowed land count. Every size whose area may fit the band and whose
    sides fit the zone's diameter bound is slid over the grid. The model's rows that
    read only cells (area, sums, below, reach, block, overlaps, no-goods) are linear, so 2-D
    prefix sums of their coefficients give their values at every position at once; the
    cheapest position of each size where they hold is a candidate. Candidates are judged
    by :func:`~._window.feasible` cheapest first (at most ``checks`` of them); one that
    fails is also tried as its largest piece after the width opening.

    An alternative (``p.avoid``) also tries each box without the earlier placements'
    cells except in an *arm*: a band of ``k … 2k`` rows (or columns) along one side of
    the box (``k`` the width rule's squares, 1 without one). Such a zone reaches into an
    earlier zone only as far as a rule needs (a boundary only that zone's cells touch)
    and keeps the overlap small; a plain box there overlaps too much or misses the rule.
    They are judged after the plain boxes, with ``checks`` of their own, and the
    cheapest ``top`` zones of both kinds are returned.
    """
    base = allowed.copy()
    if p.width_cells > 1:
        base[:] = False
        base[_opening(len(p), np.flatnonzero(allowed), squares)] = True
    lab = _components(base, p.edges)
    a_lo = p.min_area_m2 + AREA_MARGIN_M2
    found: list[tuple[float, int, int, int, int, _Arm | None, int]] = []
    for piece in range(int(lab.max(initial=-1)) + 1):  # boxes within one piece: no zone spans two
        cells = np.flatnonzero(lab == piece)
        if p.area_m2[cells].sum() >= a_lo:
            found += [(*f, piece) for f in _boxes(p, cells, squares, block)]
    found.sort(key=lambda f: (*f[:5], f[6]))
    out: list[NDArray[np.int64]] = []
    avoided = _avoided(p)
    for armed in (False, True):  # the armed boxes add zones, and take no plain box's check
        zones: list[NDArray[np.int64]] = []
        kind = [f for f in found if (f[5] is not None) == armed]
        for _, h, w, top_r, top_c, arm, piece in kind[:checks]:
            in_box = (lab == piece) & (p.row >= top_r) & (p.row < top_r + h) \
                & (p.col >= top_c) & (p.col < top_c + w)  # fmt: skip
            if arm is not None:
                in_box &= ~avoided | _band(p, arm, top_r, top_c)
            zone = _judged(p, np.flatnonzero(in_box), squares)
            if zone is not None:
                zones.append(zone)
                if len(zones) >= top:
                    break
        out += zones
    return out if len(out) <= top else sorted(out, key=p.objective)[:top]


def _boxes(
    p: Problem, cells: NDArray[np.int64], squares: NDArray[np.int64],
    block: NDArray[np.bool_] | None,
) -> list[tuple[float, int, int, int, int, _Arm | None]]:  # fmt: skip
    """Per box size, the cheapest position over ``cells`` where the linear rows hold,
    and the cheapest such position holding only whole cells (a rectangle inside the
    land, whose corners are all right angles); for an alternative also per arm
    (:func:`rectangles`): ``(cost, height, width, first row, first column, arm)``."""
    mod = Model.of(p, cells, squares[:0], perimeter=False, corners=False,
                   block=None if block is None else np.flatnonzero(block))  # fmt: skip
    rows = mod.rows_of("area", "sums", "below", "reach", "avoid", "nogoods")  # cells only
    coef = mod.rows[rows][:, : mod.m].toarray()
    lo, hi = mod.lo[rows][:, None, None], mod.hi[rows][:, None, None]
    r0, c0 = int(p.row[cells].min()), int(p.col[cells].min())
    nr, nc = int(p.row[cells].max()) - r0 + 1, int(p.col[cells].max()) - c0 + 1
    c2 = p.cell_m * p.cell_m
    at = (p.row[cells] - r0 + 1, p.col[cells] - c0 + 1)
    whole = (p.area_m2[cells] >= c2 * (1 - 1e-9)).astype(float)
    av = _avoided(p)[cells]

    def sums(part: NDArray[np.bool_]) -> NDArray[np.float64]:
        """2-D prefix sums of whole cells, costs and row coefficients over ``part``."""
        g = np.zeros((len(coef) + 2, nr + 1, nc + 1))
        for k, v in enumerate([whole, p.cost[cells], *coef]):
            np.add.at(g[k], at, v * part)
        return g.cumsum(1).cumsum(2)

    g, g_av = sums(np.ones(len(cells), dtype=bool)), sums(av) if av.any() else None
    a_lo = p.min_area_m2 + AREA_MARGIN_M2
    k = max(1, p.width_cells)
    side = int(min(max(nr, nc), p.max_diameter_m() / p.cell_m + 1))
    found: list[tuple[float, int, int, int, int, _Arm | None]] = []

    def holds(box: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Per position, do the linear rows hold?"""
        return np.asarray(((box[2:] >= lo - 1e-6) & (box[2:] <= hi + 1e-6)).all(axis=0), bool)

    def cheapest(box: NDArray[np.float64], sel: NDArray[np.bool_], h: int, w: int,
                 arm: _Arm | None) -> None:  # fmt: skip
        if sel.any():
            cost = np.where(sel, box[1], np.inf)
            pos = np.unravel_index(int(np.argmin(cost)), cost.shape)
            found.append((float(cost[pos]), h, w, int(pos[0]) + r0, int(pos[1]) + c0, arm))

    for h in range(k, min(nr, side) + 1):
        for w in range(max(k, math.ceil(a_lo / (h * c2))), min(nc, side) + 1):
            box = _box_sums(g, h, w)
            ok = holds(box)
            for sel in (ok, ok & (box[0] >= h * w - 0.5)):  # any; only whole cells
                cheapest(box, sel, h, w, None)
            if g_av is None:
                continue
            free = box - _box_sums(g_av, h, w)
            for arm in _arms(h, w, k):
                band = _box_sums(g_av, *((arm[1], w) if arm[0] else (h, arm[1])))
                band = band[:, arm[2] : arm[2] + free.shape[1]] if arm[0] \
                    else band[:, :, arm[2] : arm[2] + free.shape[2]]  # fmt: skip
                both = free + band
                cheapest(both, holds(both), h, w, arm)
    return sorted(set(found), key=lambda f: (*f[:5], f[5] is not None, f[5] or ()))


def _box_sums(g: NDArray[np.float64], h: int, w: int) -> NDArray[np.float64]:
    """The sums over every ``h × w`` box of the prefix sums ``g``, by first row and column."""
    return g[:, h:, w:] - g[:, :-h, w:] - g[:, h:, :-w] + g[:, :-h, :-w]


def _arms(h: int, w: int, k: int) -> list[_Arm]:
    """The arms of an ``h × w`` box: ``k … 2k`` rows or columns thick, along either side."""
    out: list[_Arm] = []
    for t in range(k, 2 * k + 1):
        out += [(True, t, off) for off in dict.fromkeys((0, h - t)) if t < h]
        out += [(False, t, off) for off in dict.fromkeys((0, w - t)) if t < w]
    return out


def _avoided(p: Problem) -> NDArray[np.bool_]:
    """The cells of the earlier placements an alternative keeps its overlap with."""
    out = np.zeros(len(p), dtype=bool)
    for prev, _ in p.avoid:
        out[prev] = True
    return out


def _band(p: Problem, arm: _Arm, top_r: int, top_c: int) -> NDArray[np.bool_]:
    """The cells in the rows (or columns) of ``arm`` of the box from ``top_r``, ``top_c``."""
    along, t, off = arm
    at = p.row - top_r if along else p.col - top_c
    return (at >= off) & (at < off + t)


def _judged(
    p: Problem, cells: NDArray[np.int64], squares: NDArray[np.int64]
) -> NDArray[np.int64] | None:
    """``cells`` if they are a zone of the model, else their largest piece after the
    width opening if that is one, else None."""
    if feasible(p, cells, squares):
        return cells
    if p.width_cells > 1:
        cells = _opening(len(p), cells, squares)
    sel = np.zeros(len(p), dtype=bool)
    sel[cells] = True
    piece = np.flatnonzero(_largest_piece(p, sel))
    return piece if len(piece) and feasible(p, piece, squares) else None
