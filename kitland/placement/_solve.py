"""The solver core: an exact CP-SAT model of a :class:`~._model.Problem`, solved by windows.

Why CP-SAT (OR-Tools): the model is pure 0/1 with integer data (areas in cm², lengths in
cm), which CP-SAT handles exactly; its lazy clause generation plus an LP relaxation
proves optimality rather than stopping at a heuristic answer; it takes a solution hint
(the greedy warm start) and runs several workers.

Windows make it fast and stay exact. Every feasible zone has diameter ``≤ D`` (the
compactness bound, see :mod:`._model`). Cells are grouped into square blocks; the window
of a block holds every cell whose square lies within ``D`` of the block, so every zone
that has a cell in the block lies inside its window. Solving each window with "at least
one selected cell (the flow root) in the block" therefore covers every feasible zone.
A window's lower bound is a fractional knapsack (the cheapest cost per m² until the
minimum area is reached); windows are solved best bound first and every window whose
bound cannot beat the incumbent is skipped, which proves the incumbent optimal. Inside a
window, blocks whose own knapsack bound (over the cells within ``D`` of them) cannot beat
the incumbent are removed, then cells no longer connected to the root block.

Contiguity is a rooted single-commodity flow: the root (one cell of the block) emits
flow, every other selected cell consumes one unit, and flow runs only between two
selected neighbours; a selected cell cut off from the root could not be fed.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from kitland._errors import InfeasibleError
from kitland.placement._milp import _necks, solve_window
from kitland.placement._model import Problem, _adjacency, _components
from kitland.placement._options import SolveOptions

__all__ = ["Solution", "solve"]

log = logging.getLogger(__name__)

AREA_SCALE = 100.0  # m² → integer units (0.01 m²)
LEN_SCALE = 100.0  # m → cm
AREA_MARGIN_M2 = 0.05  # keep the area this far inside the band (float noise of the dissolve)
LEN_MARGIN_M = 0.0  # boundary-length minima as written; check() re-judges the dissolved zone
COMPACTNESS_MARGIN = 1e-6  # the model asks for a hair more than the rule
_OBJ_MAX = 1_000_000  # largest objective coefficient after scaling


@dataclass
class Solution:
    """What a solve returns.

    Attributes
    ----------
    cells
        Indices of the chosen cells (None when none was found).
    objective
        ``Σ cost`` of the chosen cells.
    bound
        Proven lower bound on the objective of any feasible zone.
    status
        ``OPTIMAL``, ``FEASIBLE`` (time ran out; ``gap`` > 0), ``INFEASIBLE`` (proven:
        no zone satisfies the model) or ``UNKNOWN`` (time ran out before any zone).
    gap
        ``(objective − bound) / |objective|`` (0 when proven optimal).
    time_s
        Wall time of the solve.
    stats
        Counters: windows, solved, pruned, cells.
    """

    cells: NDArray[np.int64] | None
    objective: float
    bound: float
    status: str
    gap: float
    time_s: float
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """True when a zone was found."""
        return self.cells is not None


@dataclass(frozen=True)
class _IntObjective:
    """The score in CP-SAT's integers: per cell ``cell``, per neighbour pair ``edge``."""

    cell: NDArray[np.int64]
    edge: NDArray[np.int64]
    scale: float

    @classmethod
    def of(cls, p: Problem) -> _IntObjective:
        cc, ec = p.cell_cost, p.edge_cost
        top = max(float(np.abs(cc).max(initial=0.0)), float(np.abs(ec).max(initial=0.0)))
        scale = _OBJ_MAX / max(top, 1e-12)
        return cls(
            np.round(cc * scale).astype(np.int64), np.round(ec * scale).astype(np.int64), scale
        )

    def value(self, p: Problem, cells: NDArray[np.int64]) -> int:
        """The integer score of a cell set."""
        v = int(self.cell[cells].sum())
        if self.edge.any() and len(p.edges):
            sel = np.zeros(len(p), dtype=bool)
            sel[cells] = True
            inner = sel[p.edges[:, 0]] & sel[p.edges[:, 1]]
            v += int(self.edge[inner].sum())
        return v


def _width_ok(p: Problem, keep: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Cells lying in a full ``k × k`` square of kept cells, and those squares (rows)."""
    k = p.width_cells
    if k <= 1:
        return keep, np.zeros((0, 1), dtype=np.int64)
    # Squares are made of grid positions holding exactly one piece of at least half a
    # cell (cells clipped by a road edge count; check() judges the exact opening).
    key = p.row * (int(p.col.max()) + 2) + p.col
    uniq, counts = np.unique(key, return_counts=True)
    single = np.isin(key, uniq[counts == 1])
    full = single & (p.area_m2 >= 0.5 * p.cell_m**2) & keep
    pos = {
        (int(r), int(c)): i for i, (r, c) in enumerate(zip(p.row, p.col, strict=True)) if full[i]
    }
    rows = []
    for r, c in pos:
        members = [pos.get((r + dr, c + dc)) for dr in range(k) for dc in range(k)]
        if all(m is not None for m in members):
            rows.append(members)
    squares = np.array(rows, dtype=np.int64).reshape(-1, k * k)
    ok = np.zeros(len(keep), dtype=bool)
    ok[squares.ravel()] = True
    return ok, squares


def _opening(n: int, cells: NDArray[np.int64], squares: NDArray[np.int64]) -> NDArray[np.int64]:
    """The cells of ``cells`` that lie in a ``k × k`` square fully inside ``cells``."""
    sel = np.zeros(n, dtype=bool)
    sel[cells] = True
    full = sel[squares].all(axis=1)
    return np.unique(squares[full].ravel())


def _thick(p: Problem, sel: NDArray[np.bool_], squares: NDArray[np.int64]) -> bool:
    """Every chosen cell, and every pair of chosen neighbours, lies in a chosen square."""
    if len(_opening(len(p), np.flatnonzero(sel), squares)) != int(sel.sum()):
        return False
    return not _necks(sel, p.edges[:, 0], p.edges[:, 1], squares, p.width_cells)


def near_cells(p: Problem, seeds: NDArray[np.bool_], dist_m: float) -> NDArray[np.bool_]:
    """Cells whose grid square may lie within ``dist_m`` of a seed cell's square."""
    import shapely  # noqa: PLC0415 - only a point index over grid positions

    if not seeds.any():
        return np.zeros(len(p), dtype=bool)
    if not math.isfinite(dist_m):
        return np.ones(len(p), dtype=bool)
    pts = shapely.points(p.col * p.cell_m, p.row * p.cell_m)
    tree = shapely.STRtree(pts[seeds])
    hit, _ = tree.query_nearest(
        pts, max_distance=dist_m + math.sqrt(2) * p.cell_m + 1e-6, all_matches=False
    )
    out = np.zeros(len(p), dtype=bool)
    out[hit] = True
    return out


def _knapsack_lb(
    cost: NDArray[np.float64], area: NDArray[np.float64], a_min: float, a_max: float
) -> float:
    """Least ``Σ cost·t`` with ``t ∈ [0,1]`` and ``Σ area·t ∈ [a_min, a_max]`` (inf if none)."""
    if area.sum() < a_min:
        return math.inf
    ratio = cost / area
    order = np.argsort(ratio, kind="stable")
    ca, cc = np.cumsum(area[order]), np.cumsum(cost[order])
    neg = ratio[order] < 0
    # Take every negative-cost cell up to a_max, then fill up to a_min with the cheapest.
    n_neg = int(neg.sum())
    if n_neg:
        k = int(np.searchsorted(ca, a_max, side="right"))
        k = min(k, n_neg)
        base_a, base_c = (ca[k - 1], cc[k - 1]) if k else (0.0, 0.0)
        if k < n_neg and base_a < a_max:
            j = order[k]
            frac = (a_max - base_a) / area[j]
            return float(base_c + frac * cost[j])
        if base_a >= a_min:
            return float(base_c)
    k = int(np.searchsorted(ca, a_min, side="left"))
    prev_a, prev_c = (ca[k - 1], cc[k - 1]) if k else (0.0, 0.0)
    j = order[k]
    return float(prev_c + (a_min - prev_a) / area[j] * cost[j])


def _len_units(coef: NDArray[np.float64]) -> NDArray[np.int64]:
    """Boundary lengths in whole cm, as the model sums them.

    Cell lengths are rounded, not floored: the ε trim at each cell's stretch ends makes
    a 50 m edge of two cells measure 49.998 m each, which the dissolved zone measures
    as the full 100 m that :func:`kitland.check` then judges.
    """
    return np.round(coef * LEN_SCALE).astype(np.int64)


def _len_min(min_value: float) -> int:
    return math.ceil((min_value + LEN_MARGIN_M) * LEN_SCALE)


def _feasible_set(
    p: Problem, cells: NDArray[np.int64], adj: list[list[int]], squares: NDArray[np.int64]
) -> bool:
    """Does a cell set satisfy every constraint of the model (with the model's margins)?"""
    if len(cells) == 0:
        return False
    ev = p.evaluate(cells)
    lo, hi = p.min_area_m2 + AREA_MARGIN_M2, p.max_area_m2 - AREA_MARGIN_M2
    if not lo <= ev["area_m2"] <= hi:
        return False
    if any(int(_len_units(s.coef[cells]).sum()) < _len_min(s.min_value) for s in p.sums):
        return False
    if any(not r.mask[cells].any() for r in p.reach):
        return False
    pb = p.perimeter_bound()
    if pb is not None:
        c = p.min_compactness or 0.0
        k_adj = math.sqrt(c / (c + COMPACTNESS_MARGIN))
        if ev["perimeter_m"] > k_adj * (pb[0] + pb[1] * (ev["area_m2"] - p.min_area_m2)):
            return False
    sel = np.zeros(len(p), dtype=bool)
    sel[cells] = True
    for prev, share in p.avoid:
        if p.area_m2[prev][sel[prev]].sum() > share * ev["area_m2"]:
            return False
    for ng in p.nogoods:
        if len(ng) == len(cells) and np.array_equal(ng, np.sort(cells)):
            return False
    if p.width_cells > 1 and not _thick(p, sel, squares):
        return False
    if p.corners is not None and p.corners.loss(sel) > p.corners.share * ev["area_m2"]:
        return False
    lab = _components(sel, adj)
    return bool(lab.max() == 0)


def _grow(
    p: Problem,
    window: NDArray[np.bool_],
    start: NDArray[np.int64],
    adj: list[list[int]],
    target: float,
) -> NDArray[np.int64]:
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
    p: Problem,
    window: NDArray[np.bool_],
    seed: int,
    adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64]:
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
    pts = shapely.points(p.col * p.cell_m, p.row * p.cell_m)
    worst = np.zeros(len(idx))
    for m in masks:
        tgt = np.flatnonzero(m & free)
        if len(tgt) == 0:
            return []
        _, d = shapely.STRtree(pts[tgt]).query_nearest(
            pts[idx], return_distance=True, all_matches=False
        )
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


def _greedy(
    p: Problem,
    window: NDArray[np.bool_],
    block: NDArray[np.bool_],
    adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64] | None:
    """Best feasible compact region grown from a few seeds (cheapest cells, rule cells)."""
    ratio = p.cost / p.area_m2
    free = window.copy()
    for prev, _ in p.avoid:
        free[prev] = False  # seeds outside earlier placements, so alternatives differ
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
        if len(g) and _feasible_set(p, g, adj, squares):
            c = p.objective(g)
            if c < best_c:
                best, best_c = g, c
    return best


def _window_start(
    p: Problem,
    win: NDArray[np.bool_],
    block: NDArray[np.bool_],
    adj: list[list[int]],
    squares: NDArray[np.int64],
) -> NDArray[np.int64] | None:
    """A window's own warm start: the cheaper of greedy growth and its best rectangle.

    Both touch the window's block, where the model roots the zone. A window far from the
    incumbent otherwise starts with nothing, and HiGHS may spend its whole share finding
    a first zone.
    """
    grown = _greedy(p, win, win & block, adj, squares)
    rect = next(
        (g for g in _rectangles(p, win) if block[g].any() and _feasible_set(p, g, adj, squares)),
        None,
    )
    found = [g for g in (grown, rect) if g is not None]
    return min(found, key=p.objective, default=None)


def _perimeter_row(p: Problem) -> tuple[NDArray[np.float64], NDArray[np.float64], float] | None:
    """The compactness bound as one integer row: per cell, per edge and right-hand side.

    ``P ≤ k'(√A_min + s(A − A_min))`` in cm, scaled by 100 so the integers are exact:
    cell ``i`` contributes ``⌈100·p_i⌉ − ⌊100·s·a_i⌋``, a chosen pair ``−2⌊100·L_ij⌋``.
    """
    pb = p.perimeter_bound()
    if pb is None:
        return None
    c = p.min_compactness or 0.0
    k_adj = math.sqrt(c / (c + COMPACTNESS_MARGIN))
    p0, slope = pb[0] * k_adj, pb[1] * k_adj
    q = 100.0 * LEN_SCALE
    per_cell = np.ceil(p.perimeter_m * q) - np.floor(slope * q * p.area_m2)
    per_edge = -2.0 * np.floor(p.shared_m * q)
    rhs = math.floor((p0 - slope * p.min_area_m2) * q)
    return per_cell, per_edge, float(rhs)


def _tree_flows(
    p: Problem, hint: NDArray[np.int64], roots: list[int], ew: NDArray[np.int64]
) -> tuple[int, dict[tuple[int, int], int]] | None:
    """A root and the flows of a breadth-first tree over the hinted cells (a full hint).

    Each tree edge carries the size of the subtree below it, so every hinted cell but
    the root takes in exactly one unit. None when no root is hinted or the hint is not
    connected inside the window.
    """
    hs = set(hint.tolist())
    start = next((r for r in roots if r in hs), None)
    if start is None:
        return None
    nb: dict[int, list[int]] = {i: [] for i in hs}
    for e in ew.tolist():
        i, j = int(p.edges[e, 0]), int(p.edges[e, 1])
        if i in hs and j in hs:
            nb[i].append(j)
            nb[j].append(i)
    parent = {start: -1}
    order = [start]
    for u in order:
        for v in nb[u]:
            if v not in parent:
                parent[v] = u
                order.append(v)
    if len(order) != len(hs):
        return None
    size = dict.fromkeys(order, 1)
    flows: dict[tuple[int, int], int] = {}
    for v in reversed(order[1:]):
        size[parent[v]] += size[v]
        flows[(parent[v], v)] = size[v]
    return start, flows


# -- the exact model of one window ------------------------------------------------------
def _window_model(
    p: Problem,
    cells: NDArray[np.int64],
    roots: NDArray[np.int64],
    squares: NDArray[np.int64],
    obj: _IntObjective,
    cut: int | None,
    hint: NDArray[np.int64] | None,
    fixed: NDArray[np.int64] | None = None,
) -> tuple[cp_model.CpModel, dict[int, cp_model.IntVar]]:
    m = cp_model.CpModel()
    x = {int(i): m.new_bool_var(f"x{i}") for i in cells}
    for i in fixed.tolist() if fixed is not None else ():
        m.add(x[int(i)] == 1)
    hint_set = set(hint.tolist()) if hint is not None else None
    a = np.round(p.area_m2 * AREA_SCALE).astype(np.int64)
    lo = math.ceil((p.min_area_m2 + AREA_MARGIN_M2) * AREA_SCALE)
    hi = math.floor((p.max_area_m2 - AREA_MARGIN_M2) * AREA_SCALE)
    area_expr = sum(int(a[i]) * x[i] for i in x)
    m.add(area_expr >= lo)
    m.add(area_expr <= hi)
    for s in p.sums:
        coef = _len_units(s.coef)
        terms = [int(coef[i]) * x[i] for i in x if coef[i] > 0]
        m.add(sum(terms) >= _len_min(s.min_value))
    for req in p.reach:
        m.add_bool_or([x[i] for i in x if req.mask[i]])
    # Edges inside the window.
    in_w = np.zeros(len(p), dtype=bool)
    in_w[cells] = True
    ew = (
        np.flatnonzero(in_w[p.edges[:, 0]] & in_w[p.edges[:, 1]])
        if len(p.edges)
        else np.zeros(0, np.int64)
    )
    per = _perimeter_row(p)
    pair_terms = []
    if per is not None or obj.edge.any():
        terms = [int(per[0][i]) * x[i] for i in x] if per is not None else []
        for e in ew.tolist():
            i, j = int(p.edges[e, 0]), int(p.edges[e, 1])
            y = m.new_bool_var(f"y{i}_{j}")
            if hint_set is not None:
                m.add_hint(y, i in hint_set and j in hint_set)
            m.add_implication(y, x[i])
            m.add_implication(y, x[j])
            if per is not None:
                terms.append(int(per[1][e]) * y)
            if obj.edge[e]:
                pair_terms.append(int(obj.edge[e]) * y)
        if per is not None:
            m.add(sum(terms) <= int(per[2]))
    # Contiguity: rooted single-commodity flow.
    order = np.argsort(p.area_m2[cells], kind="stable")
    n_max = int(np.searchsorted(np.cumsum(p.area_m2[cells][order]), p.max_area_m2, side="right"))
    n_max = max(1, min(n_max, len(cells)))
    root = {int(i): m.new_bool_var(f"r{i}") for i in roots}
    m.add_exactly_one(root.values())
    for i, ri in root.items():
        m.add_implication(ri, x[i])
    inflow: dict[int, list[cp_model.IntVar]] = {i: [] for i in x}
    outflow: dict[int, list[cp_model.IntVar]] = {i: [] for i in x}
    flow_hint = _tree_flows(p, hint, list(root), ew) if hint is not None else None
    if flow_hint is not None:
        for i, ri in root.items():
            m.add_hint(ri, i == flow_hint[0])
    for e in ew.tolist():
        i, j = int(p.edges[e, 0]), int(p.edges[e, 1])
        for u, v in ((i, j), (j, i)):
            f = m.new_int_var(0, n_max - 1, f"f{u}_{v}")
            if flow_hint is not None:
                m.add_hint(f, flow_hint[1].get((u, v), 0))
            m.add(f <= (n_max - 1) * x[u])
            m.add(f <= (n_max - 1) * x[v])
            outflow[u].append(f)
            inflow[v].append(f)
    for i in x:
        rr = root.get(i)
        net = sum(inflow[i]) - sum(outflow[i])
        if rr is None:
            m.add(net >= x[i])
        else:
            m.add(net >= x[i] - n_max * rr)
    # Width: each selected cell lies in a fully selected k × k square.
    # Two chosen neighbours lie in one such square together, so the zone has no neck
    # narrower than a square where two squares barely overlap.
    if p.width_cells > 1:
        cover: dict[int, dict[int, cp_model.IntVar]] = {i: {} for i in x}
        for q, sq in enumerate(squares):
            if not in_w[sq].all():
                continue
            z = m.new_bool_var(f"z{q}")
            if hint is not None:
                m.add_hint(z, bool(np.isin(sq, hint).all()))
            for i in sq.tolist():
                m.add_implication(z, x[i])
                cover[i][q] = z
        for i in x:
            m.add_bool_or([*cover[i].values(), ~x[i]])
        for e in ew.tolist():
            i, j = int(p.edges[e, 0]), int(p.edges[e, 1])
            both = [z for q, z in cover[i].items() if q in cover[j]]
            m.add_bool_or([~x[i], ~x[j], *both])
    # Opening loss at convex corners: pattern (c, n1, n2) fires when c is chosen and
    # neither n1 nor n2 is (cells outside the window are never chosen).
    if p.corners is not None:
        cn = p.corners
        in_ext = np.r_[in_w, False]
        pats = np.flatnonzero(in_w[cn.cell])
        loss_terms = []
        fired = None
        if hint is not None:
            hsel = np.zeros(len(p), dtype=bool)
            hsel[hint] = True
            fired = cn.fired(hsel)
        for q in pats.tolist():
            lits = [~x[int(cn.cell[q])]]
            lits += [x[int(j)] for j in cn.across[q].tolist() if j >= 0 and in_ext[j]]
            b = m.new_bool_var(f"k{q}")
            m.add_bool_or([*lits, b])
            if fired is not None:
                m.add_hint(b, bool(fired[q]))
            loss_terms.append(math.ceil(cn.loss_m2[q] * AREA_SCALE) * b)
        if loss_terms:
            m.add(sum(loss_terms) <= sum(math.floor(cn.share * int(a[i])) * x[i] for i in x))
    # Alternatives and no-goods.
    for prev, share in p.avoid:
        milli = round(share * 1000)
        pin = np.zeros(len(p), dtype=bool)
        pin[prev] = True
        m.add(sum((1000 * int(a[i]) * int(pin[i]) - milli * int(a[i])) * x[i] for i in x) <= 0)
    for ng in p.nogoods:
        if in_w[ng].all():
            m.add_bool_or([~x[int(i)] for i in ng])
    total = sum(int(obj.cell[i]) * x[i] for i in x if obj.cell[i] != 0) + sum(pair_terms)
    if cut is not None:
        m.add(total <= cut)
    m.minimize(total)
    if hint is not None:
        hs = set(hint.tolist())
        for i, xv in x.items():
            m.add_hint(xv, i in hs)
    return m, x


# -- warm starts and local improvement ----------------------------------------------------
def _rectangles(p: Problem, allowed: NDArray[np.bool_], top: int = 4) -> list[NDArray[np.int64]]:
    """The cheapest feasible axis-aligned rectangles of whole cells, best first.

    Every rectangle size whose area fits the band (and, with a width rule, whose sides
    hold ``k`` cells) is slid over the grid with 2-D prefix sums of area, cost, rule sums,
    reach and overlap with earlier placements; the cheapest position of each size that
    meets the sums and reach is kept, then judged by :func:`_feasible_set`. A rectangle
    has four right-angled corners, so it is the natural first answer under ``min_width``.
    """
    c2 = p.cell_m * p.cell_m
    full = allowed & (p.area_m2 >= c2 * (1 - 1e-9))
    if not full.any():
        return []
    r0, c0 = int(p.row[full].min()), int(p.col[full].min())
    nr, nc = int(p.row[full].max()) - r0 + 1, int(p.col[full].max()) - c0 + 1
    rr, cc = p.row[full] - r0 + 1, p.col[full] - c0 + 1

    def table(v: NDArray[np.float64]) -> NDArray[np.float64]:
        g = np.zeros((nr + 1, nc + 1))
        np.add.at(g, (rr, cc), v[full])
        return g.cumsum(0).cumsum(1)

    grids = [table(np.ones(len(p))), table(p.cost)]
    grids += [table(s.coef) for s in p.sums]
    grids += [table(r.mask.astype(np.float64)) for r in p.reach]
    for prev, _ in p.avoid:
        pin = np.zeros(len(p))
        pin[prev] = 1.0
        grids.append(table(pin))
    lo, hi = p.min_area_m2 + AREA_MARGIN_M2, p.max_area_m2 - AREA_MARGIN_M2
    pb = p.perimeter_bound()
    k = max(1, p.width_cells)
    found: list[tuple[float, int, int, int, int]] = []
    for h in range(k, nr + 1):
        w_lo, w_hi = max(k, math.ceil(lo / (h * c2))), min(nc, math.floor(hi / (h * c2)))
        for w in range(w_lo, w_hi + 1):
            area = h * w * c2
            if pb is not None and 2 * (h + w) * p.cell_m > pb[0] + pb[1] * (area - p.min_area_m2):
                continue
            box = [g[h:, w:] - g[:-h, w:] - g[h:, :-w] + g[:-h, :-w] for g in grids]
            ok = box[0] >= h * w - 0.5
            j = 2
            for sm in p.sums:
                ok &= box[j] >= sm.min_value + LEN_MARGIN_M - 0.05  # cm rounding; judged below
                j += 1
            for _ in p.reach:
                ok &= box[j] >= 0.5
                j += 1
            for _, share in p.avoid:
                ok &= box[j] * c2 <= share * area + 1e-6
                j += 1
            if not ok.any():
                continue
            cost = np.where(ok, box[1], np.inf)
            at = np.unravel_index(int(np.argmin(cost)), cost.shape)
            found.append((float(cost[at]), h, w, int(at[0]) + r0, int(at[1]) + c0))
    found.sort()
    out: list[NDArray[np.int64]] = []
    for _, h, w, top_r, top_c in found:
        inside = full & (p.row >= top_r) & (p.row < top_r + h) & (p.col >= top_c)
        out.append(np.flatnonzero(inside & (p.col < top_c + w)))
        if len(out) >= top:
            break
    return out


class _Stop:
    """Stops a large-neighbourhood search running in another thread: between rounds, and
    the CP-SAT search in progress (``stop_search`` is safe to call from another thread)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.solver: cp_model.CpSolver | None = None

    def __call__(self) -> None:
        self.event.set()
        if self.solver is not None:
            self.solver.stop_search()


def _solve_model(
    model: cp_model.CpModel, *, det_time_s: float, wall_s: float, deterministic: bool,
    num_workers: int, seed: int, linearization: int = 2, stop: _Stop | None = None,
) -> tuple[cp_model.CpSolver, Any]:  # fmt: skip
    solver = cp_model.CpSolver()
    if stop is not None:
        stop.solver = solver
        if stop.event.is_set():
            return solver, cp_model.UNKNOWN
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.01, wall_s)
    prm.max_deterministic_time = max(0.05, det_time_s)
    # interleave_search (CP-SAT's deterministic parallel mode) aborts in OR-Tools
    # 9.15 (google/or-tools#5025, #5048): determinism comes from one worker instead.
    prm.num_workers = 1 if deterministic else num_workers
    prm.random_seed = seed
    prm.linearization_level = linearization
    return solver, solver.solve(model)


def _lower_thread_priority() -> None:
    """Run this thread only on core time nothing else wants (Linux's ``SCHED_IDLE``, where
    a thread id names a thread; nice +10 where that is refused), so a search running
    beside the HiGHS windows takes the time HiGHS leaves idle instead of slowing its two
    threads down. Measured on the bundled estate: 9.1 s median with ``SCHED_IDLE``, 9.5 s
    with nice +10, 8.8 s with no search beside."""
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        try:
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            with contextlib.suppress(OSError):
                os.setpriority(
                    os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 10)
                )


def _improve(
    p: Problem,
    best: NDArray[np.int64],
    keep: NDArray[np.bool_],
    squares: NDArray[np.int64],
    obj: _IntObjective,
    deadline: float,
    *,
    budget_s: float,
    deterministic: bool,
    num_workers: int,
    seed: int,
    stats: dict[str, int],
    stop: _Stop | None = None,
) -> NDArray[np.int64]:
    """Large-neighbourhood search: re-solve a band around the zone's edge, keep the rest.

    Cells deeper than the band inside the zone stay chosen, cells beyond it outside
    stay out; CP-SAT solves the band exactly ("no worse than now", hinted with the
    zone). The band is widened when a round finds nothing better.
    """
    n = len(p)
    t_end = deadline
    c = p.cell_m
    radii = [1.2 * c, 2.2 * c * max(1, p.width_cells) / 2]
    level = 0
    # Rounds are bounded in CP-SAT's deterministic time, so the same input takes the
    # same rounds; the wall clock only stops them on a machine far slower than planned.
    det_left = budget_s
    while level < len(radii) and det_left > 0 and time.monotonic() < t_end - 0.05:
        if stop is not None and stop.event.is_set():
            break
        sel = np.zeros(n, dtype=bool)
        sel[best] = True
        edge = np.zeros(n, dtype=bool)
        if len(p.edges):
            diff = sel[p.edges[:, 0]] != sel[p.edges[:, 1]]
            edge[p.edges[diff].ravel()] = True
        edge |= sel & (p.perimeter_m > 4 * c)  # clipped cells on the land's border
        band = keep & near_cells(p, edge & sel, radii[level])
        core = sel & ~band
        cells = np.flatnonzero(band | core)
        fixed = np.flatnonzero(core)
        roots = fixed[:1] if len(fixed) else cells
        cut = obj.value(p, best)
        model, x = _window_model(p, cells, roots, squares, obj, cut, best, fixed)
        det = min(det_left, 2.0 * (level + 1))
        det_left -= det
        solver, st = _solve_model(
            model, det_time_s=det, wall_s=t_end - time.monotonic(),
            deterministic=deterministic, num_workers=num_workers, seed=seed, stop=stop,
        )  # fmt: skip
        stats["lns"] = stats.get("lns", 0) + 1
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = np.array(sorted(i for i, v in x.items() if solver.boolean_value(v)), np.int64)
            if obj.value(p, chosen) < cut:
                best = chosen
                level = 0
                continue
        level += 1
    return best


def solve(
    problem: Problem,
    *,
    time_limit_s: float = 60.0,
    num_workers: int = 2,
    seed: int = 0,
    deterministic: bool = True,
    windows: bool = True,
    backend: str = "highs",
    on_progress: Callable[[float, float], None] | None = None,
    options: SolveOptions | None = None,
) -> Solution:
    """Find the cell set of least cost satisfying ``problem``, proving optimality.

    Parameters
    ----------
    problem
        The arrays of :mod:`kitland.placement._model`.
    time_limit_s
        Wall-clock limit over all windows; on expiry the best zone found is returned
        with status ``FEASIBLE`` and its gap.
    num_workers, seed
        CP-SAT workers and random seed.
    deterministic
        One CP-SAT worker with a fixed seed, so the same input gives the same zone even
        among equally good zones (several workers race, and ties may then differ).
    windows
        Split into windows (exact, faster); False solves one model over all cells.
    options
        How the search spends its time (:class:`._options.SolveOptions`; defaults when None).
    on_progress
        Called with the best score so far and the least bound of the windows still open
        after each window is solved.
    backend
        ``"highs"``: each window is a HiGHS MILP with connectivity by separator rows
        (:mod:`._milp`), while CP-SAT's large-neighbourhood search runs beside them in
        a second thread; ``"cpsat"``: a CP-SAT model with a rooted flow, after the
        same search.

    Raises
    ------
    InfeasibleError
        If CP-SAT reports the model invalid (carries its status).
    ValueError
        If ``backend`` is neither ``"highs"`` nor ``"cpsat"``.

    Examples
    --------
    Six 10 m cells in a row; the zone must be 30 m² … 30 m² of the cheapest connected run:

    >>> n = 6
    >>> p = Problem(np.full(n, 10.0), np.full(n, 14.0), np.array([5., 1., 3., 2., .5, 9.]),
    ...             np.zeros(n, np.int64), np.arange(n), 1.0,
    ...             np.array([[i, i + 1] for i in range(n - 1)]), np.full(n - 1, 1.0), 25.0, 36.0)
    >>> s = solve(p, time_limit_s=5)
    >>> s.status, s.cells.tolist(), s.objective
    ('OPTIMAL', [2, 3, 4], 5.5)
    """
    if backend not in ("highs", "cpsat"):
        msg = f"backend={backend!r}: expected 'highs' or 'cpsat'"
        raise ValueError(msg)
    opts = options or SolveOptions()
    t0 = time.monotonic()
    deadline = t0 + time_limit_s
    p = problem
    n = len(p)
    stats = {"cells": n, "windows": 0, "solved": 0, "pruned": 0, "infeasible": 0, "cells_max": 0}
    if n == 0:
        return Solution(None, math.inf, math.inf, "INFEASIBLE", math.inf, 0.0, stats)
    adj = _adjacency(n, p.edges)
    keep = np.ones(n, dtype=bool)
    keep, squares = _width_ok(p, keep)
    # Fix to 0 every cell in a piece of land too small for the zone.
    # A zone holds a cell of each reach mask and a cell of each boundary-length rule, and
    # has diameter ≤ D: cells farther than D from every such cell cannot be in one.
    D = p.max_diameter_m()
    for r in p.reach:
        keep &= near_cells(p, keep & r.mask, D)
    for sm in p.sums:
        if sm.min_value > 0:
            keep &= near_cells(p, keep & (sm.coef > 0), D)
    lab = _components(keep, adj)
    if keep.any():
        comp_area = np.bincount(lab[keep], weights=p.area_m2[keep])
        keep &= (lab >= 0) & (comp_area[np.maximum(lab, 0)] >= p.min_area_m2 + AREA_MARGIN_M2)
    stats["cells_kept"] = int(keep.sum())
    if not keep.any():
        return Solution(
            None, math.inf, math.inf, "INFEASIBLE", math.inf, time.monotonic() - t0, stats
        )
    obj = _IntObjective.of(p)

    # Windows: blocks of cells and every cell within D of each block.
    if not windows or not math.isfinite(D):
        wins = [(keep.copy(), keep.copy())]
    else:
        bs = max(1, int(D / 3 / p.cell_m))
        br, bc = p.row // bs, p.col // bs
        wins = []
        for b in sorted(set(zip(br[keep].tolist(), bc[keep].tolist(), strict=True))):
            r0, c0 = b[0] * bs, b[1] * bs
            gy = np.maximum(0, np.maximum(r0 - p.row - 1, p.row - (r0 + bs - 1) - 1)) * p.cell_m
            gx = np.maximum(0, np.maximum(c0 - p.col - 1, p.col - (c0 + bs - 1) - 1)) * p.cell_m
            win = keep & (gx * gx + gy * gy <= D * D)
            block = keep & (br == b[0]) & (bc == b[1])
            wins.append((win, block))
        wins = _merge_windows(wins, _components(keep, adj))
    stats["windows"] = len(wins)
    bounds = []
    for win, block in wins:
        ok = block.any() and all(r.mask[win].any() for r in p.reach)
        ok = ok and all(s.coef[win].sum() >= s.min_value + LEN_MARGIN_M - 0.05 for s in p.sums)
        bounds.append(_knapsack_lb(p.cost[win], p.area_m2[win], p.min_area_m2 + AREA_MARGIN_M2,
                                   p.max_area_m2 - AREA_MARGIN_M2) + p.perimeter_floor()
                      if ok else math.inf)  # fmt: skip
    order = np.argsort(bounds, kind="stable")

    best: NDArray[np.int64] | None = None
    best_int = None
    best_obj = math.inf
    # Greedy warm start in the best-bound windows: a first incumbent, if it is feasible.
    for w in order[: opts.greedy_windows].tolist():
        if not math.isfinite(bounds[w]):
            break
        g = _greedy(p, wins[w][0], wins[w][1], adj, squares)
        if g is not None:
            o = obj.value(p, g)
            if best_int is None or o < best_int:
                best, best_int, best_obj = g, o, p.objective(g)
    # Rectangles of whole cells: with a width rule, often the only zones greedy growth
    # cannot spoil with a jagged edge.
    for g in _rectangles(p, keep):
        if _feasible_set(p, g, adj, squares):
            o = obj.value(p, g)
            if best_int is None or o < best_int:
                best, best_int, best_obj = g, o, p.objective(g)
            break
    # Local improvement of the incumbent. Before CP-SAT windows it runs first; beside
    # HiGHS windows it runs at the same time on the other core (both release the GIL), and
    # its zone is taken at the end only if strictly better, so a run that finishes gives
    # the same zone whatever ends first. On the bundled estate HiGHS finds such zones
    # itself and waiting for the search cost 7 s; on open land it finds better ones.
    lns: Future[NDArray[np.int64]] | None = None
    stop_lns = _Stop()
    lns_pool = None
    if best is not None:
        args = (p, best, keep, squares, obj, deadline)
        kw: dict[str, Any] = {
            "budget_s": min(opts.search_share * time_limit_s, opts.search_max_s), "deterministic": deterministic,
            "num_workers": num_workers, "seed": seed, "stats": stats,
        }  # fmt: skip
        if backend == "cpsat":
            best = _improve(*args, **kw)
            best_int, best_obj = obj.value(p, best), p.objective(best)
        else:
            lns_pool = ThreadPoolExecutor(max_workers=1)

            def beside() -> NDArray[np.int64]:
                _lower_thread_priority()
                return _improve(*args, **kw, stop=stop_lns)

            lns = lns_pool.submit(beside)
    # Pass 1 gives every window a slice of (deterministic) time, best bound first, so a
    # good zone anywhere becomes the incumbent early; pass 2 spends what is left on the
    # windows still open, proving or improving. Windows whose bound cannot beat the
    # incumbent are skipped in both passes.
    window_lb = {int(w): bounds[w] for w in order.tolist() if math.isfinite(bounds[w])}
    pending = list(window_lb)
    per_row = _perimeter_row(p)
    area_lo = math.ceil((p.min_area_m2 + AREA_MARGIN_M2) * AREA_SCALE)
    area_hi = math.floor((p.max_area_m2 - AREA_MARGIN_M2) * AREA_SCALE)
    len_units = [(_len_units(sm.coef), _len_min(sm.min_value)) for sm in p.sums]
    try:
        for pass_no in (1, 2):
            still: list[int] = []
            for k, w in enumerate(pending):
                lb = window_lb[w]
                tol = 1e-9 * max(1.0, abs(best_obj)) if best is not None else 0.0
                if best is not None and lb >= best_obj - tol:
                    stats["pruned"] += 1
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0.05:
                    still.append(w)
                    continue
                win, block = wins[w][0].copy(), wins[w][1]
                if best is not None and len(wins) > 1:
                    win = _shrink(p, win, block, wins, best_obj, adj)
                    if not (win & block).any():
                        stats["pruned"] += 1
                        continue
                cells = np.flatnonzero(win)
                stats["cells_max"] = max(stats["cells_max"], len(cells))
                hint = best if best is not None and win[best].all() else None
                if hint is None:
                    hint = _window_start(p, win, block, adj, squares)
                left = len(pending) - k
                if best is not None:  # windows still able to beat the incumbent
                    left = max(1, sum(window_lb[v] < best_obj - tol for v in pending[k:]))
                if backend == "highs":
                    share = remaining / min(left, 2) if pass_no == 1 else remaining / left
                    start = hint if hint is not None and (
                        hint is best or best is None or p.objective(hint) < best_obj - tol
                    ) else None  # fmt: skip
                    cutoff = None if best is None else best_obj + (tol if start is best else -tol)
                    res = solve_window(
                        p, cells, np.flatnonzero(win & block), squares, per_row, area_lo=area_lo,
                        area_hi=area_hi, len_units=len_units, cutoff=cutoff, start=start,
                        time_limit_s=share, seed=seed, options=opts,
                    )  # fmt: skip
                    name = res.status
                    stats["solved"] += 1
                    if res.cells is not None:
                        c_int = obj.value(p, res.cells)
                        if best_int is None or c_int < best_int:
                            best, best_int, best_obj = res.cells, c_int, p.objective(res.cells)
                    if name == "INFEASIBLE":
                        stats["infeasible"] += 1
                    if name in ("FEASIBLE", "UNKNOWN"):
                        window_lb[w] = max(lb, res.bound)
                        still.append(w)
                    log.debug("pass %d window %d: %s, %d cells, %d rounds", pass_no, w, name,
                              len(cells), res.rounds)  # fmt: skip
                    if on_progress is not None:
                        rest = [window_lb[v] for v in (*still, *pending[k + 1 :])]
                        on_progress(best_obj, min([best_obj, *rest]))
                    continue
                # With the incumbent as hint, "no worse than it" keeps the hint feasible.
                cut = None if best_int is None else best_int - (0 if hint is best else 1)
                model, x = _window_model(
                    p, cells, np.flatnonzero(win & block), squares, obj, cut, hint
                )
                share = (
                    opts.pass1_share * time_limit_s / max(1, len(pending))
                    if pass_no == 1
                    else remaining / left
                )
                solver, st = _solve_model(
                    model, det_time_s=max(0.5, share), wall_s=remaining,
                    deterministic=deterministic, num_workers=num_workers, seed=seed,
                )  # fmt: skip
                name = solver.status_name(st)
                stats["solved"] += 1
                if st == cp_model.MODEL_INVALID:
                    msg = f"placement solver: CP-SAT status {name}: {model.validate()}"
                    raise InfeasibleError(msg)
                if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    chosen = np.array(
                        sorted(i for i, v in x.items() if solver.boolean_value(v)), dtype=np.int64
                    )
                    c_int = obj.value(p, chosen)
                    if best_int is None or c_int < best_int:
                        best, best_int, best_obj = chosen, c_int, p.objective(chosen)
                if st == cp_model.INFEASIBLE:
                    stats["infeasible"] += 1
                if st in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                    if st == cp_model.FEASIBLE:
                        window_lb[w] = max(lb, solver.best_objective_bound / obj.scale)
                    still.append(w)
                log.debug("pass %d window %d: %s, %d cells, %.2f s", pass_no, w, name, len(cells),
                          solver.wall_time)  # fmt: skip
            pending = still
            if not pending:
                break
    except BaseException:
        stop_lns()  # an error (or Ctrl-C) must not leave the search running on
        raise
    if lns is not None and lns_pool is not None:
        if not pending:  # every window proven: nothing strictly better can be found
            stop_lns()
        better = lns.result()
        lns_pool.shutdown()
        if obj.value(p, better) < (best_int if best_int is not None else math.inf):
            best, best_int, best_obj = better, obj.value(p, better), p.objective(better)
    tol = 1e-9 * max(1.0, abs(best_obj)) if best is not None else 0.0
    open_bounds = [window_lb[w] for w in pending if best is None or window_lb[w] < best_obj - tol]
    status_any_unknown = bool(open_bounds)
    elapsed = time.monotonic() - t0
    if best is None:
        status = "UNKNOWN" if status_any_unknown else "INFEASIBLE"
        return Solution(
            None, math.inf, min(open_bounds, default=math.inf), status, math.inf, elapsed, stats
        )
    bound = min([best_obj, *open_bounds])
    gap = 0.0 if not status_any_unknown else (best_obj - bound) / max(abs(best_obj), 1e-9)
    status = "OPTIMAL" if gap <= 1e-9 else "FEASIBLE"
    return Solution(best, best_obj, bound, status, max(gap, 0.0), elapsed, stats)


def _merge_windows(
    wins: list[tuple[NDArray[np.bool_], NDArray[np.bool_]]], lab: NDArray[np.int64]
) -> list[tuple[NDArray[np.bool_], NDArray[np.bool_]]]:
    """One window per piece of land that lies whole inside the window of its blocks.

    A zone is connected, so it lies in one piece of candidate land. When the window of a
    block holds every piece its block touches, that window with its root anywhere in
    those pieces covers every zone of them: the other blocks of the same pieces need no
    window of their own (otherwise a parcel spanning four blocks is solved four times).
    """
    out: list[tuple[NDArray[np.bool_], NDArray[np.bool_]]] = []
    seen: set[frozenset[int]] = set()
    for win, block in wins:
        labels = frozenset(np.unique(lab[block]).tolist())
        whole = np.isin(lab, list(labels))
        if labels and not (whole & ~win).any():
            if labels in seen:
                continue
            seen.add(labels)
            out.append((whole, whole.copy()))
        else:
            out.append((win, block))
    # Blocks whose pieces another window already covers whole need nothing more.
    covered = set().union(*seen) if seen else set()
    return [
        (w, b) for w, b in out
        if not (set(np.unique(lab[b]).tolist()) <= covered and not (w == b).all())
    ]  # fmt: skip


def _shrink(
    p: Problem,
    win: NDArray[np.bool_],
    block: NDArray[np.bool_],
    wins: list[tuple[NDArray[np.bool_], NDArray[np.bool_]]],
    best_obj: float,
    adj: list[list[int]],
) -> NDArray[np.bool_]:
    """Drop from a window the blocks no improving zone can touch, and what they cut off."""
    tol = 1e-9 * max(1.0, abs(best_obj))
    for w2, b2 in wins:
        part = b2 & win
        if not part.any() or (b2 & block).any():
            continue
        both = win & w2
        lb = _knapsack_lb(p.cost[both], p.area_m2[both], p.min_area_m2 + AREA_MARGIN_M2,
                          p.max_area_m2 - AREA_MARGIN_M2) + p.perimeter_floor()  # fmt: skip
        if lb >= best_obj - tol:
            win = win & ~part
    # Keep only cells connected to the block within the window.
    lab = _components(win, adj)
    roots = set(lab[win & block].tolist())
    return win & np.isin(lab, list(roots))
