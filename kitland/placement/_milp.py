"""One window of the placement model as a HiGHS MILP, connectivity by row generation.

The model is the one of :func:`kitland.placement._solve._window_model` without the
flow: cells ``x`` (binary), pairs ``y`` (both ends chosen, for the perimeter bound),
width squares ``z`` and corner patterns ``b``; only ``x`` is integer, as integer cells
leave the others 0/1 at their best. Connectivity is not written up front: the MILP is
solved, the chosen cells are searched breadth-first and, while they fall apart,
vertex-separator rows ``x_i + x_j − 1 ≤ Σ_{v ∈ N(C)} x_v`` (``C`` a piece,
``i`` in it, ``j`` chosen outside, ``N(C)`` the cells bordering ``C``) are added and
the MILP solved again from the incumbent. Every row is valid for a connected zone, so
the result is exact; on this problem the flow's thousands of rows weaken nothing in the
bound but slow every node, which is why a branch-and-cut MILP proves optimality where
CP-SAT with the flow does not (measured on the bundled estate: see
``benchmarks/README.md``).

Large windows are solved against targets: a cell goes when the LP relaxation with the
cell forced in costs at least the target (then so does every zone holding it), and the
MILP over the cells left finds the best zone cheaper than the target, or proves there is
none. The first target is the LP bound plus 0.5 %, so far fewer cells are left than the
incumbent's cost would leave; HiGHS's branch-and-bound on the bundled window then no
longer depends on how soon it happens to find a good zone. Before that, a dive solves
the root node of the MILP over the cells near the LP optimum's fractional part; a zone
it finds below the first target becomes the target itself, and probing then also fixes
in the cells whose absence alone lifts the LP to it (bundled window, seeds 0-7: 8.2-13.4 s,
median 9.2 s; see ``benchmarks/README.md``).
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
from numpy.typing import NDArray

from kitland.placement._model import Problem, _adjacency, _components
from kitland.placement._options import SolveOptions

__all__ = ["WindowResult", "solve_window"]

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf


@dataclass
class WindowResult:
    """``cells`` (None if none), ``status`` (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN), ``bound``."""

    cells: NDArray[np.int64] | None
    status: str
    bound: float
    rounds: int = 0


class _Rows:
    """Rows in compressed form, added in blocks."""

    def __init__(self) -> None:
        self.lo: list[NDArray[np.float64]] = []
        self.hi: list[NDArray[np.float64]] = []
        self.idx: list[NDArray[np.int64]] = []
        self.val: list[NDArray[np.float64]] = []
        self.len: list[NDArray[np.int64]] = []

    def one(self, lo: float, hi: float, idx: NDArray[np.int64], val: NDArray[np.float64]) -> None:
        self.lo.append(np.array([lo]))
        self.hi.append(np.array([hi]))
        self.idx.append(np.asarray(idx, np.int64))
        self.val.append(np.asarray(val, np.float64))
        self.len.append(np.array([len(idx)]))

    def pairs(self, lo: float, hi: float, a: NDArray[np.int64], b: NDArray[np.int64],
              va: float, vb: float) -> None:  # fmt: skip
        """Rows ``lo ≤ va·col[a_r] + vb·col[b_r] ≤ hi``, one per r."""
        r = len(a)
        if r == 0:
            return
        self.lo.append(np.full(r, lo))
        self.hi.append(np.full(r, hi))
        self.idx.append(np.column_stack([a, b]).ravel())
        self.val.append(np.tile([va, vb], r))
        self.len.append(np.full(r, 2))

    def add_to(self, h: highspy.Highs) -> None:
        if not self.lo:
            return
        lo, hi = np.concatenate(self.lo), np.concatenate(self.hi)
        lens = np.concatenate(self.len)
        starts = np.r_[0, np.cumsum(lens)[:-1]].astype(np.int32)
        idx = np.concatenate(self.idx).astype(np.int32)
        h.addRows(len(lo), lo, hi, len(idx), starts, idx, np.concatenate(self.val))


@dataclass
class _Window:
    """What the rows of a window are built from (all but the cells)."""

    p: Problem
    block: NDArray[np.int64]
    squares: NDArray[np.int64]
    perimeter_row: tuple[NDArray[np.float64], NDArray[np.float64], float] | None
    area_lo: float
    area_hi: float
    len_units: list[tuple[NDArray[np.int64], int]]
    #: HiGHS threads: the same in every instance, as HiGHS keeps one thread scheduler
    #: per process thread, sized by the first run.
    threads: int
    opts: SolveOptions


@dataclass
class _Model:
    """A window's MILP in HiGHS and the column layout needed to read and seed it."""

    h: highspy.Highs
    cells: NDArray[np.int64]
    loc: NDArray[np.int64]
    ncol: int
    ew: NDArray[np.int64]
    ei: NDArray[np.int64]
    ej: NDArray[np.int64]
    y0: int | None
    z0: int | None
    sq_w: NDArray[np.int64]
    by_cell: list[set[int]]
    k0: int | None
    pats: NDArray[np.int64]


def _build(w: _Window, cells: NDArray[np.int64], *, perimeter: bool = True,
           corners: bool = True) -> _Model:  # fmt: skip
    """The window's MILP over ``cells``; without the perimeter or corner rows on request
    (a relaxation: every zone of the full model is feasible in it, at the same cost)."""
    p = w.p
    n = len(p)
    m = len(cells)
    loc = np.full(n + 1, -1, dtype=np.int64)
    loc[cells] = np.arange(m)
    in_w = np.zeros(n + 1, dtype=bool)
    in_w[cells] = True
    rows = _Rows()
    col_cost = [p.cell_cost[cells]]
    col_int = [np.ones(m, dtype=bool)]
    ncol = m
    # Rows in m² and m (the integers of the CP-SAT model / 100): well scaled for HiGHS.
    a = np.round(p.area_m2 * 100).astype(np.int64)[cells].astype(np.float64) / 100
    rows.one(w.area_lo / 100, w.area_hi / 100, np.arange(m), a)
    for units, need in w.len_units:
        u = units[cells]
        nz = np.flatnonzero(u > 0)
        rows.one(need / 100, _INF, nz, u[nz].astype(np.float64) / 100)
    for req in p.reach:
        nz = np.flatnonzero(req.mask[cells])
        rows.one(1.0, _INF, nz, np.ones(len(nz)))
    b_loc = loc[w.block]
    b_loc = b_loc[b_loc >= 0]
    if len(b_loc) < m:
        rows.one(1.0, _INF, b_loc, np.ones(len(b_loc)))
    # Window edges.
    ew = (
        np.flatnonzero(in_w[p.edges[:, 0]] & in_w[p.edges[:, 1]])
        if len(p.edges)
        else np.zeros(0, np.int64)
    )
    ei, ej = loc[p.edges[ew, 0]], loc[p.edges[ew, 1]]
    y0 = None
    with_rows = w.perimeter_row is not None and perimeter
    if with_rows or p.boundary_weight > 0:
        # Pair columns y_ij ≤ x_i, x_j: the perimeter row takes back 2·L_ij per chosen
        # pair, and so does the compact preference's cost (kept even in relaxations
        # without the perimeter row, whose zones must cost what they cost).
        y0 = ncol
        ncol += len(ew)
        col_cost.append(p.edge_cost[ew])
        col_int.append(np.zeros(len(ew), dtype=bool))
        ycols = y0 + np.arange(len(ew))
        if w.perimeter_row is not None and perimeter:
            per_cell, per_edge, rhs = w.perimeter_row
            scale = 1e-4
            rows.one(-_INF, rhs * scale, np.r_[np.arange(m), ycols],
                     np.r_[per_cell[cells], per_edge[ew]] * scale)  # fmt: skip
        rows.pairs(-_INF, 0.0, ycols, ei, 1.0, -1.0)
        rows.pairs(-_INF, 0.0, ycols, ej, 1.0, -1.0)
        floor = p.perimeter_floor_row()
        if floor is not None:
            # No shape has less perimeter than a disc of its area: without this row the
            # LP spreads the zone thin and counts almost no perimeter cost.
            slope, rhs_m = floor
            rows.one(rhs_m, _INF, np.r_[np.arange(m), ycols],
                     np.r_[p.perimeter_m[cells] - slope * p.area_m2[cells], -2.0 * p.shared_m[ew]])  # fmt: skip
    z0 = None
    squares = w.squares
    sq_w = np.zeros((0, 1), dtype=np.int64)
    by_cell: list[set[int]] = []
    if p.width_cells > 1:
        sq_w = squares[in_w[squares].all(axis=1)] if len(squares) else squares
        nsq = len(sq_w)
        z0 = ncol
        ncol += nsq
        col_cost.append(np.zeros(nsq))
        col_int.append(np.zeros(nsq, dtype=bool))
        kk = sq_w.shape[1]
        zc = np.repeat(z0 + np.arange(nsq), kk)
        rows.pairs(-_INF, 0.0, zc, loc[sq_w.ravel()], 1.0, -1.0)
        # x_i ≤ Σ_{q ∋ i} z_q
        members = loc[sq_w.ravel()]
        order = np.argsort(members, kind="stable")
        cnt = np.bincount(members, minlength=m)
        starts = np.r_[0, np.cumsum(cnt)[:-1]]
        for i in range(m):
            zq = zc[order[starts[i] : starts[i] + cnt[i]]]
            rows.one(-_INF, 0.0, np.r_[i, zq], np.r_[1.0, -np.ones(len(zq))])
        # x_i + x_j − 1 ≤ Σ_{q ∋ i, j} z_q (no neck narrower than a square): added only
        # for the pairs a solution violates, as they are rarely binding and slow nodes.
        by_cell = [set() for _ in range(m)]
        for k, i in enumerate(members.tolist()):
            by_cell[i].add(int(zc[k]))
    k0 = None
    pats = np.zeros(0, dtype=np.int64)
    if p.corners is not None and corners:
        cn = p.corners
        pats = np.flatnonzero(in_w[cn.cell])
        k0 = ncol
        ncol += len(pats)
        col_cost.append(np.zeros(len(pats)))
        # Continuous: b only appears in "loss ≤ share·area", so with integer cells the
        # least b that fits is 0 or 1 anyway, and HiGHS need not branch on it.
        col_int.append(np.zeros(len(pats), dtype=bool))
        for kq, q in enumerate(pats.tolist()):
            acr = [int(loc[j]) for j in cn.across[q].tolist() if j >= 0 and in_w[j]]
            rows.one(0.0, _INF, np.r_[k0 + kq, loc[cn.cell[q]], acr],
                     np.r_[1.0, -1.0, np.ones(len(acr))])  # fmt: skip
        loss = np.ceil(cn.loss_m2[pats] * 100) / 100
        share = np.floor(cn.share * a * 100) / 100
        rows.one(-_INF, 0.0, np.r_[k0 + np.arange(len(pats)), np.arange(m)], np.r_[loss, -share])
    for prev, share_ in p.avoid:
        pin = np.zeros(n, dtype=bool)
        pin[prev] = True
        rows.one(-_INF, 0.0, np.arange(m), a * (pin[cells].astype(np.float64) - share_))
    for ng in p.nogoods:
        if in_w[ng].all():
            coef = -np.ones(m)
            coef[loc[ng]] = 1.0
            rows.one(-_INF, len(ng) - 1.0, np.arange(m), coef)

    h = _new_highs()
    h.setOptionValue("threads", w.threads)
    costs = np.concatenate(col_cost)
    h.addVars(ncol, np.zeros(ncol), np.ones(ncol))
    h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), costs)
    ints = np.flatnonzero(np.concatenate(col_int)).astype(np.int32)
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    rows.add_to(h)
    return _Model(h, cells, loc, ncol, ew, ei, ej, y0, z0, sq_w, by_cell, k0, pats)


def solve_window(
    p: Problem,
    cells: NDArray[np.int64],
    block: NDArray[np.int64],
    squares: NDArray[np.int64],
    perimeter_row: tuple[NDArray[np.float64], NDArray[np.float64], float] | None,
    *,
    area_lo: float,
    area_hi: float,
    len_units: list[tuple[NDArray[np.int64], int]],
    cutoff: float | None,
    start: NDArray[np.int64] | None,
    time_limit_s: float,
    seed: int = 0,
    threads: int = 2,
    options: SolveOptions | None = None,
) -> WindowResult:
    """Least-cost connected zone among ``cells`` with a cell in ``block``.

    A large window is solved against a target ``U`` a little above its LP bound: the
    cells no zone cheaper than ``U`` can hold are found by LP probing and dropped, and
    the MILP over the rest looks for zones cheaper than ``U``. A zone found that way is
    the window's best, as every cheaper zone lies in the cells kept; if there is none,
    ``U`` is a proven bound and the target is raised, ending at the cutoff itself.

    First a dive (:func:`_dive`) looks for a zone near the LP optimum. When it finds one
    cheaper than the first target, its cost is the only target: probing then also fixes
    in the cells every cheaper zone must hold, and the MILP starts from the dive's zone,
    so all that is left is to improve on it or prove it best.

    Parameters
    ----------
    perimeter_row
        ``(coefficient per cell, coefficient per edge of p.edges, right-hand side)`` of
        the compactness bound, or None.
    area_lo, area_hi, len_units
        The area band and the boundary-length sums exactly as the CP-SAT model writes
        them (integers in 0.01 m² and cm), so both solvers accept the same zones.
    cutoff
        Only zones costing less than this are wanted (None: any).
    start
        A feasible zone to start from (its cost is then the cutoff).
    """
    t_end = time.monotonic() + time_limit_s
    opts = options or SolveOptions()
    w = _Window(p, block, squares, perimeter_row, area_lo, area_hi, len_units, threads, opts)
    top = math.inf if cutoff is None else float(cutoff)
    small = len(cells) < opts.probe_min_cells
    best, bound, rounds = start, -math.inf, 0
    targets: list[float] = []
    probe_max = -math.inf
    if not small:
        targets, probe_max = _targets(w, cells, top, t_end)
        # A zone cheaper than the first target makes its own cost the only target left.
        want = min([top, *targets])
        dive = _dive(w, cells, want, seed, time.monotonic() + opts.dive_share * time_limit_s)
        log.debug("window of %d cells: targets %s, dive %s, %.1f s left", len(cells),
                  [round(t, 2) for t in targets], None if dive is None else round(p.objective(dive), 2),
                  t_end - time.monotonic())  # fmt: skip
        if dive is not None:
            best, top = dive, _above(p.objective(dive))
            targets = [t for t in targets if t < top]
    while True:
        target = targets.pop(0) if targets else top
        last = not targets and target >= top
        keep, ones = cells, cells[:0]
        if target <= probe_max:
            t_stop = time.monotonic() + opts.probe_share * (t_end - time.monotonic())
            # Cells every cheaper zone holds are worth finding only against a zone's own cost.
            keep, ones = _probe(w, cells, target, t_stop, fix=last and best is not None)
            log.debug("probing at %.2f kept %d of %d cells, fixed in %d; %.1f s left", target,
                      len(keep), len(cells), len(ones), t_end - time.monotonic())  # fmt: skip
        hint = best if last and best is not None and bool(np.isin(best, keep).all()) else None
        if hint is not None and not np.isin(ones, hint).all():
            hint = None
        if len(keep) and np.isin(block, keep).any():
            share = 1.0 if last else opts.target_share
            mod = _build(w, keep)
            _fix_in(mod, ones)
            res = _run(
                mod, p, cutoff=target, start=hint, seed=seed,
                t_end=time.monotonic() + share * (t_end - time.monotonic()),
                cuts_per_piece=opts.cuts_per_piece,
            )  # fmt: skip
        else:
            res = WindowResult(None, "INFEASIBLE", target)
        rounds += res.rounds
        log.debug("MILP against %.2f: %s, bound %.2f, %.1f s left", target, res.status, res.bound,
                  t_end - time.monotonic())  # fmt: skip
        if res.status == "OPTIMAL":  # the best zone cheaper than the target, or the hint
            return WindowResult(res.cells, "OPTIMAL", res.bound, rounds)
        if res.status == "INFEASIBLE":  # no zone cheaper than the target
            bound = max(bound, target)
            if last:
                if best is None:
                    return WindowResult(None, "INFEASIBLE", bound, rounds)
                return WindowResult(best, "OPTIMAL", p.objective(best), rounds)
            continue
        # Out of time: every zone cheaper than the target costs at least its bound.
        bound = max(bound, min(target, res.bound))
        if res.cells is not None and res.cells is not hint:
            best, top = res.cells, _above(p.objective(res.cells))
        if last or time.monotonic() >= t_end - 0.05:
            return WindowResult(best, "FEASIBLE" if best is not None else "UNKNOWN", bound, rounds)
        targets = []  # the time left goes to the cutoff itself


def _targets(
    w: _Window, cells: NDArray[np.int64], top: float, t_end: float
) -> tuple[list[float], float]:
    """Targets below ``top`` to try first, the LP bound plus a growing margin, and the
    highest target worth probing for (beyond it probing drops too few cells to pay)."""
    m = _build(w, cells, perimeter=False, corners=False)
    lp = _relaxation(m, t_end)
    if lp is None:
        return [], -math.inf
    steps = [lp + g * max(1.0, abs(lp)) for g in w.opts.target_gaps]
    return [t for t in steps if t < top], steps[-1]


def _dive(
    w: _Window, cells: NDArray[np.int64], top: float, seed: int, t_end: float
) -> NDArray[np.int64] | None:
    """A zone cheaper than ``top`` found near the LP optimum, or None.

    The cells the LP takes whole and that lie over ``dive_ring`` cells away from every
    cell it takes in part are fixed in, the cells it leaves out that far away are left
    out, and the MILP over the cells between runs its root node only (cuts and root
    heuristics; deterministic). Its zone is a zone of the window, so its cost is a
    cutoff the probing can use from the start.
    """
    p = w.p
    m = _build(w, cells)
    if _relaxation(m, t_end) is None:
        return None
    x = np.asarray(m.h.getSolution().col_value)[: len(cells)]
    part = np.flatnonzero((x > 1e-6) & (x < 1.0 - 1e-6))
    r, c = p.row[cells], p.col[cells]
    near = np.zeros(len(cells), dtype=bool)
    for k0 in range(0, len(part), 256):  # blocks keep the distance table small
        f = part[k0 : k0 + 256]
        near |= (
            (np.abs(r[:, None] - r[f][None, :]) <= w.opts.dive_ring)
            & (np.abs(c[:, None] - c[f][None, :]) <= w.opts.dive_ring)
        ).any(axis=1)
    sub = cells[(x > 1e-6) | near]
    mod = _build(w, sub)
    _fix_in(mod, cells[(x > 1.0 - 1e-6) & ~near])
    mod.h.setOptionValue("mip_max_nodes", w.opts.dive_nodes)
    res = _run(
        mod, p, cutoff=top, start=None, seed=seed, t_end=t_end, cuts_per_piece=w.opts.cuts_per_piece
    )
    if res.cells is None or p.objective(res.cells) >= top:
        return None
    return res.cells


def _relaxation(m: _Model, t_end: float = math.inf) -> float | None:
    """Solve the LP relaxation of ``m`` in place (integrality dropped); its value, or
    None (infeasible, or not solved by ``t_end``)."""
    h = m.h
    h.changeColsIntegrality(m.ncol, np.arange(m.ncol, dtype=np.int32),
                            np.full(m.ncol, highspy.HighsVarType.kContinuous))  # fmt: skip
    _time_limit(h, t_end)
    h.run()
    h.setOptionValue("time_limit", math.inf)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def _probe(
    w: _Window, cells: NDArray[np.int64], target: float, t_stop: float, *, fix: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The cells of ``cells`` that a zone cheaper than ``target`` may hold, and (with
    ``fix``) those it must hold.

    Cell ``i`` goes when the LP relaxation with ``x_i = 1`` costs at least ``target``
    (or is infeasible): then so does every zone holding it. With ``fix``, a cell left is
    one every such zone holds when the LP with ``x_i = 0`` reaches ``target``. The probes
    run on the relaxations without the corner rows, first also without the perimeter
    (cheap, most cells go there), then with it on the cells left; each cell found is
    fixed for the probes after it. With two threads the cells are shared between two
    copies of the LP. Stops at ``t_stop``, keeping the cells not yet probed.
    """
    bar = target + 1e-7 * max(1.0, abs(target))
    keep, ones = cells, cells[:0]
    for perimeter in (False, True):
        if time.monotonic() >= t_stop:
            break
        copies = [_build(w, keep, perimeter=perimeter, corners=False)]
        lp = _relaxation(copies[0], t_stop)
        if lp is None:
            infeasible = copies[0].h.getModelStatus() == highspy.HighsModelStatus.kInfeasible
            return (keep[:0], ones) if infeasible else (keep, ones)
        if lp >= bar:
            return keep[:0], ones
        sol = copies[0].h.getSolution()
        x = np.asarray(sol.col_value)[: len(keep)]
        d = np.asarray(sol.col_dual)[: len(keep)]
        cand = np.flatnonzero(x < 1.0 - 1e-6)
        cand = cand[np.argsort(-d[cand], kind="stable")]
        hs = [copies[0].h]
        if w.threads > 1 and len(cand) > 1:
            copies.append(_build(w, keep, perimeter=perimeter, corners=False))
            _relaxation(copies[1], t_stop)
            hs.append(copies[1].h)
        for h in hs:
            h.setOptionValue("objective_bound", bar)
        gone = np.zeros(len(keep), dtype=bool)
        gone[_probe_rounds(hs, cand, 1.0, bar, t_stop, w.opts.probe_round)] = True
        if fix and perimeter and time.monotonic() < t_stop:
            _time_limit(hs[0], t_stop)
            hs[0].run()  # the LP with the cells gone left out
            if _reaches(hs[0], bar):
                return keep[:0], ones
            if hs[0].getModelStatus() == highspy.HighsModelStatus.kOptimal:
                x = np.asarray(hs[0].getSolution().col_value)[: len(keep)]
                inside = np.flatnonzero((x > 1e-6) & ~gone)
                ones = keep[_probe_rounds(hs, inside, 0.0, bar, t_stop, w.opts.probe_round)]
        keep = keep[~gone]
    return keep, ones


def _probe_rounds(
    hs: list[highspy.Highs], cand: NDArray[np.int64], force: float, bar: float, t_stop: float,
    size: int,
) -> list[int]:  # fmt: skip
    """The columns of ``cand`` whose LP with the column at ``force`` reaches ``bar``, each
    fixed to ``1 - force`` in every copy of ``hs``. Rounds of ``size`` columns are
    shared between the copies; after each round every copy learns every column found,
    so the result does not depend on thread timing."""
    found: list[int] = []
    with ThreadPoolExecutor(max_workers=len(hs)) as pool:
        for r0 in range(0, len(cand), size):
            chunk = cand[r0 : r0 + size].tolist()
            parts = list(pool.map(_probe_each, hs, [chunk[k :: len(hs)] for k in range(len(hs))],
                                  [force] * len(hs), [bar] * len(hs), [t_stop] * len(hs)))  # fmt: skip
            for k, part in enumerate(parts):
                found += part
                for other in (o for j, o in enumerate(hs) if j != k):
                    for i in part:
                        other.changeColBounds(i, 1.0 - force, 1.0 - force)
            if time.monotonic() >= t_stop:
                break
    return found


def _probe_each(
    h: highspy.Highs, cand: list[int], force: float, bar: float, t_stop: float
) -> list[int]:
    """The columns of ``cand`` whose LP with the column at ``force`` reaches ``bar`` (or is
    infeasible), each fixed to ``1 - force`` in ``h`` for the probes after it."""
    out = []
    for i in cand:
        if time.monotonic() >= t_stop:
            break
        h.changeColBounds(i, force, force)
        _time_limit(h, t_stop)
        h.run()
        if _reaches(h, bar):
            h.changeColBounds(i, 1.0 - force, 1.0 - force)
            out.append(i)
        else:
            h.changeColBounds(i, 0.0, 1.0)
    return out


def _time_limit(h: highspy.Highs, t_end: float) -> None:
    """Let the next LP ``h.run()`` stop at ``t_end`` (monotonic clock; inf: no limit).
    HiGHS compares an LP's ``time_limit`` with the run time the instance has accumulated
    over all its runs, not with the time of this run (a MIP run, measured, has a clock of
    its own)."""
    left = t_end - time.monotonic()
    h.setOptionValue(
        "time_limit", h.getRunTime() + max(0.01, left) if math.isfinite(left) else math.inf
    )


def _above(cost: float) -> float:
    """A cutoff just above ``cost``: a zone of that cost is still wanted."""
    return cost + 1e-9 * max(1.0, abs(cost))


def _fix_in(mod: _Model, cells: NDArray[np.int64]) -> None:
    """Fix ``cells`` (global ids, all in ``mod``) to chosen in ``mod``'s HiGHS model."""
    at = mod.loc[cells].astype(np.int32)
    mod.h.changeColsBounds(len(at), at, np.ones(len(at)), np.ones(len(at)))


def _reaches(h: highspy.Highs, bar: float) -> bool:
    """Whether the LP just solved in ``h`` costs at least ``bar`` or is infeasible."""
    st = h.getModelStatus()
    status = highspy.HighsModelStatus
    return st in (status.kInfeasible, status.kObjectiveBound) or (
        st == status.kOptimal and h.getInfo().objective_function_value >= bar
    )


def _run(
    mod: _Model, p: Problem, *, cutoff: float | None, start: NDArray[np.int64] | None,
    t_end: float, seed: int, cuts_per_piece: int,
) -> WindowResult:  # fmt: skip
    """Solve the MILP, adding separator and neck rows while the zone falls apart."""
    h, cells, loc, m = mod.h, mod.cells, mod.loc, len(mod.cells)
    n = len(p)
    ei, ej, sq_w, by_cell = mod.ei, mod.ej, mod.sq_w, mod.by_cell
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    # Restarts after reduced-cost fixing and the RINS/RENS sub-MIPs cost more than they
    # save on these windows (bundled estate, seeds 0-3: 11.4-16.5 s against 14.1-24.7 s; the
    # 50 m window: 0.33-0.55 s against 1.1-1.8 s); see benchmarks/README.md.
    h.setOptionValue("mip_allow_restart", False)
    h.setOptionValue("mip_heuristic_run_rins", False)
    h.setOptionValue("mip_heuristic_run_rens", False)
    if cutoff is not None and math.isfinite(cutoff):
        h.setOptionValue("objective_bound", float(cutoff))
    sq_loc = loc[sq_w]

    def set_start(zone: NDArray[np.int64]) -> None:
        sel = np.zeros(m, dtype=bool)
        sel[loc[zone]] = True
        colv = np.zeros(mod.ncol)
        colv[:m] = sel
        if mod.y0 is not None:
            colv[mod.y0 : mod.y0 + len(mod.ew)] = sel[ei] & sel[ej]
        if mod.z0 is not None:
            colv[mod.z0 : mod.z0 + len(sq_w)] = sel[sq_loc].all(axis=1)
        if mod.k0 is not None and p.corners is not None:
            full = np.zeros(n, dtype=bool)
            full[zone] = True
            colv[mod.k0 : mod.k0 + len(mod.pats)] = p.corners.fired(full)[mod.pats]
        hs = highspy.HighsSolution()
        hs.col_value = list(colv)
        hs.value_valid = True
        h.setSolution(hs)

    best = start
    nbr = _adjacency(m, np.column_stack([ei, ej]))
    rounds = 0
    bound = -math.inf
    while True:
        rounds += 1
        if best is not None:
            set_start(best)
        left = t_end - time.monotonic()
        if left <= 0.05:
            return WindowResult(best, "FEASIBLE" if best is not None else "UNKNOWN", bound, rounds)
        h.setOptionValue("time_limit", float(left))  # a MIP run has a clock of its own
        h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        if math.isfinite(info.mip_dual_bound):
            bound = max(bound, float(info.mip_dual_bound))
        if ms == highspy.HighsModelStatus.kInfeasible:
            status = "OPTIMAL" if best is not None else "INFEASIBLE"
            return WindowResult(best, status, bound if best is None else p.objective(best), rounds)
        cv = np.asarray(h.getSolution().col_value)
        if len(cv) < m or not h.getSolution().value_valid:
            return WindowResult(best, "FEASIBLE" if best is not None else "UNKNOWN", bound, rounds)
        xs = cv[:m] > 0.5
        lab = _components(xs, nbr)
        pieces = [np.flatnonzero(lab == c) for c in range(int(lab.max()) + 1)]
        necks = _necks(xs, ei, ej, sq_loc, p.width_cells) if mod.z0 is not None else []
        if necks and ms == highspy.HighsModelStatus.kOptimal:
            neck_rows = _Rows()
            for i, j in necks:
                both = sorted(by_cell[i] & by_cell[j])
                neck_rows.one(-_INF, 1.0, np.r_[i, j, both], np.r_[1.0, 1.0, -np.ones(len(both))])
            neck_rows.add_to(h)
            if len(pieces) <= 1:
                continue
        elif necks:
            return WindowResult(best, "FEASIBLE" if best is not None else "UNKNOWN", bound, rounds)
        if len(pieces) <= 1:
            chosen = np.sort(cells[xs])
            if ms == highspy.HighsModelStatus.kOptimal:
                return WindowResult(chosen, "OPTIMAL", p.objective(chosen), rounds)
            return WindowResult(chosen, "FEASIBLE", bound, rounds)
        if ms != highspy.HighsModelStatus.kOptimal:
            return WindowResult(best, "FEASIBLE" if best is not None else "UNKNOWN", bound, rounds)
        # Separate the pieces from each other and solve again.
        cut_rows = _Rows()
        for piece in pieces:
            inside = np.zeros(m, dtype=bool)
            inside[piece] = True
            border = sorted({v for u in piece.tolist() for v in nbr[u] if not inside[v]})
            i = int(piece[0])
            others = np.flatnonzero(xs & ~inside)
            step = max(1, len(others) // cuts_per_piece)
            for j in others[::step].tolist():
                cut_rows.one(
                    -_INF, 1.0, np.r_[i, j, border], np.r_[1.0, 1.0, -np.ones(len(border))]
                )
        cut_rows.add_to(h)


def _new_highs() -> highspy.Highs:
    """A silent HiGHS instance.

    highspy 1.16 prints its banner to the process's standard output while constructing
    the instance, before ``output_flag`` can be set (ERGO-Code/HiGHS#2749): file
    descriptor 1 is pointed at the null device for that moment so reports written to
    stdout (``kitland place`` JSON) stay clean.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
    return h


def _necks(
    xs: NDArray[np.bool_], ei: NDArray[np.int64], ej: NDArray[np.int64],
    sq_loc: NDArray[np.int64], k: int,
) -> list[tuple[int, int]]:  # fmt: skip
    """Chosen neighbour pairs (local ids) that no fully chosen square holds together."""
    full = sq_loc[xs[sq_loc].all(axis=1)].reshape(-1, k, k)
    pairs = np.concatenate([
        np.stack([full[:, :, :-1].ravel(), full[:, :, 1:].ravel()], axis=1),
        np.stack([full[:, :-1, :].ravel(), full[:, 1:, :].ravel()], axis=1),
    ])  # fmt: skip
    m = len(xs)
    held = set((np.sort(pairs, axis=1) @ np.array([m, 1])).tolist())
    both = xs[ei] & xs[ej]
    a, b = np.minimum(ei[both], ej[both]), np.maximum(ei[both], ej[both])
    return [(int(i), int(j)) for i, j in zip(a, b, strict=True) if int(i) * m + int(j) not in held]
