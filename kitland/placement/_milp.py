"""The default window solver: each window a HiGHS MILP generated from :mod:`._window`.

Only the cells (and the guards of cut corners, :mod:`._window`) are integer columns
(integer cells leave the pair, square and corner columns 0/1 at their best). Connectivity is not written up front: the MILP is solved,
the chosen cells are searched breadth-first and, while they fall apart, vertex-separator
rows ``x_i + x_j − 1 ≤ Σ_{v ∈ N(C)} x_v`` (``C`` a piece, ``i`` in it, ``j`` chosen
outside, ``N(C)`` the cells bordering ``C``) are added, with the model's neck rows the
zone breaks, and the MILP is solved again from the incumbent. Every such row holds for
a connected zone, so the result is exact.

Large windows are solved against targets: a cell goes when the LP relaxation with the
cell forced in costs at least the target (then so does every zone holding it), and the
MILP over the cells left finds the best zone cheaper than the target, or proves there is
none. A window's LP is solved once (a large window's by interior point and crossover,
as dual simplex crawls on its degenerate LP), then lifted by rounds of crossing rows
(:mod:`._crossing`) that every later model of the window takes: its basis is kept (by the window's cells),
so the targets, both probing copies and a second pass start from its optimum, and its
value bounds every zone of the window. Once it is
solved, the best zone known is asked for (the search beside the windows, taken in at
that point so the result does not depend on timing); a cheaper cutoff drops the targets
above it, and probing against a zone's own cost also fixes in the cells whose absence
alone lifts the LP to it. A probing stage stops after a round of probes that finds few
cells. A second solve of a window starts from the bound the first proved; it is not made
over the same cells below no lower cutoff with no more work than the first's last MILP
had (:func:`_retraced`: HiGHS starts every run afresh, so it would prove no more). How
these pay is measured in ``benchmarks/CHANGELOG.md`` ("The proof side", "Closing the proof", "10 m
cells: the window LP by interior point").
"""

from __future__ import annotations

import logging
import math
import os
import re
import sys
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kitland.placement import _crossing
from kitland.placement._model import Problem, _adjacency, _components
from kitland.placement._options import SolveOptions
from kitland.placement._window import Model, WindowResult
from kitland.placement._work import Clock, Work

__all__ = ["HighsWindows"]

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class _Window:
    """What a window's MILPs are built from, besides their cells."""

    p: Problem
    block: NDArray[np.int64]
    squares: NDArray[np.int64]
    opts: SolveOptions = field(default_factory=SolveOptions)
    #: HiGHS threads: the same in every instance, as HiGHS keeps one thread scheduler
    #: per process thread, sized by the first run.
    threads: int = 2
    #: The basis each LP of :func:`_lp_of` ended with, by its cells, so the same LP is
    #: solved again from its optimum (a second copy, a second pass, a second target).
    bases: dict[bytes, highspy.HighsBasis] = field(default_factory=dict)
    #: The cutoff and the work left when the solve ran its MILP against the cutoff itself.
    tail: list[tuple[float, float]] = field(default_factory=list)
    #: The crossing rows found for the window (:mod:`._crossing`): every model takes them.
    crossing: _crossing.Found | None = None


class _Model(NamedTuple):
    """A window's MILP in HiGHS and the model it was generated from."""

    h: highspy.Highs
    mod: Model


def _build(w: _Window, cells: NDArray[np.int64], *, perimeter: bool = True,
           corners: bool = True) -> _Model:  # fmt: skip
    """The window's MILP over ``cells``, generated from :class:`~._window.Model`; without
    the perimeter or corner rows on request (a relaxation). Only ``x`` and the cut
    guards ``g`` are integer: integer cells leave the pair, square and corner columns 0/1
    at their best."""
    mod = Model.of(w.p, cells, w.squares, block=w.block, perimeter=perimeter, corners=corners)
    h = _new_highs()
    h.setOptionValue("threads", w.threads)
    h.addVars(mod.ncol, np.zeros(mod.ncol), np.ones(mod.ncol))
    h.changeColsCost(mod.ncol, np.arange(mod.ncol, dtype=np.int32), mod.cost)
    ints = mod.ints
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    _add_rows(h, sp.diags_array(mod.scale) @ mod.rows, mod.lo * mod.scale, mod.hi * mod.scale)
    if w.crossing is not None:
        a, hi = w.crossing.of(mod)
        _add_rows(h, a, np.full(len(hi), -_INF), hi)
    return _Model(h, mod)


def _add_rows(h: highspy.Highs, a: sp.csr_array, lo: NDArray[np.float64],
              hi: NDArray[np.float64]) -> None:  # fmt: skip
    """Add the rows ``lo ≤ a·v ≤ hi`` to ``h`` in one call."""
    a = sp.csr_array(a)
    if a.shape[0]:
        h.addRows(a.shape[0], np.where(np.isfinite(lo), lo, -_INF), np.where(np.isfinite(hi), hi, _INF),
                  a.nnz, a.indptr[:-1].astype(np.int32), a.indices.astype(np.int32),
                  a.data.astype(np.float64))  # fmt: skip


@dataclass(frozen=True)
class HighsWindows:
    """The :class:`~._window.WindowSolver` of the default backend: each window a HiGHS MILP."""

    p: Problem
    squares: NDArray[np.int64]
    options: SolveOptions = field(default_factory=SolveOptions)
    seed: int = 0
    threads: int = 2
    #: The wall-clock safety stop shared with the rest of the search.
    clock: Clock = field(default_factory=Clock)
    #: Called once a large window's LP is solved, before its probing and MILPs: the best
    #: zone known now (e.g. from a search beside the windows), or None.
    better: Callable[[], NDArray[np.int64] | None] | None = None
    #: Called with each zone a window's MILP finds before the window is done: the score
    #: of a zone the caller holds that is at least as good (e.g. the zone's outline), or
    #: inf. When it is below the zone's cost, the window searches only below it.
    found: Callable[[NDArray[np.int64]], float] | None = None
    bases: dict[bytes, highspy.HighsBasis] = field(default_factory=dict)
    #: The crossing rows found per window (by its block), for its later solves.
    crossing: dict[bytes, _crossing.Found] = field(default_factory=dict)
    #: The bound each window (by its block) is proven to have so far: a later solve of
    #: the window (the second pass) starts from it and skips the targets below it.
    proven: dict[bytes, float] = field(default_factory=dict)
    #: Per window (by its block) left open: its cells, the cutoff of its last MILP and the
    #: work left when that MILP ran.
    tried: dict[bytes, tuple[bytes, float, float]] = field(default_factory=dict)

    def solve(
        self, cells: NDArray[np.int64], block: NDArray[np.int64], *,
        incumbent: NDArray[np.int64] | None, start: NDArray[np.int64] | None,
        work: Work | None = None, time_s: float | None = None, cutoff: float = math.inf,
    ) -> WindowResult:  # fmt: skip
        """A large window is solved against a target ``U`` a little above its LP bound:
        the cells no zone cheaper than ``U`` can hold are found by LP probing and
        dropped, and the MILP over the rest looks for zones cheaper than ``U``. A zone
        found that way is the window's best, as every cheaper zone lies in the cells
        kept; if there is none, ``U`` is a proven bound and the target is raised, ending
        at the incumbent's cost. A better zone from :attr:`better` (asked once the LP is
        solved) lowers the cutoff; when it lies in the window it is the window's best
        so far, and probing against its cost also fixes cells in. A window solved again
        starts from the bound it was proven to have (:attr:`proven`). A ``cutoff`` below
        the incumbent's cost (a zone held outside the model) is the cost to beat instead;
        then no zone of the window may be the answer, and INFEASIBLE says none beats it.

        ``work`` is the window's budget (charged with what the solve counts); without it,
        ``time_s`` work seconds on this solver's clock. The result's ``work`` is what the
        solve spent."""
        if work is None:
            work = Work(10.0 if time_s is None else time_s, self.clock)
        found = self.crossing.setdefault(block.tobytes(), _crossing.Found(len(self.p)))
        w = _Window(self.p, block, self.squares, self.options, self.threads, self.bases,
                    crossing=found)  # fmt: skip
        top = None
        if incumbent is not None or math.isfinite(cutoff):  # HiGHS takes only a start below it
            own = math.inf if incumbent is None else self.p.objective(incumbent)
            best = min(own, cutoff)
            tol = 1e-9 * max(1.0, abs(best))
            same = (start is not None and incumbent is not None and own <= best
                    and np.array_equal(start, incumbent))  # fmt: skip
            if start is not None and not same and self.p.objective(start) >= best - tol:
                start = None
            top = best + (tol if same else -tol)
        spent = work.spent
        key, below = block.tobytes(), math.inf if top is None else top
        if _retraced(self.tried.get(key), cells.tobytes(), below, work.left):
            return WindowResult(None, "UNKNOWN", self.proven[key])
        res = _solve(w, cells, top, start, work, self.seed, self.better,
                     proven=self.proven.get(key, -math.inf), found=self.found)  # fmt: skip
        if res.status != "OPTIMAL":
            self.proven[key] = max(self.proven.get(key, -math.inf), res.bound)
        if res.status in ("FEASIBLE", "UNKNOWN") and w.tail:
            self.tried[key] = (cells.tobytes(), *w.tail[-1])
        return replace(res, work=work.spent - spent)


def _retraced(tried: tuple[bytes, float, float] | None, cells: bytes, below: float,
              left: float) -> bool:  # fmt: skip
    """Whether a window left open (``tried``: its cells, the cutoff of the last MILP its
    solve ran and the work left then) would be solved again over the same ``cells``, below
    no lower cost, with no more work than that MILP had (``left``). Each MILP of such a
    solve would get no more work than the same target's had then (a target's share of
    less), and HiGHS starts every run afresh: the window would spend its work again to
    prove no more."""
    if tried is None or tried[0] != cells:
        return False
    return below >= _below(tried[1]) and left <= tried[2]


def _solve(
    w: _Window, cells: NDArray[np.int64], cutoff: float | None, start: NDArray[np.int64] | None,
    work: Work, seed: int, better: Callable[[], NDArray[np.int64] | None] | None = None,
    proven: float = -math.inf, found: Callable[[NDArray[np.int64]], float] | None = None,
) -> WindowResult:  # fmt: skip
    p, opts = w.p, w.opts
    top = math.inf if cutoff is None else float(cutoff)
    small = len(cells) < opts.probe_min_cells
    best, bound, rounds = start, proven, 0
    targets: list[float] = []
    tried: list[tuple[float, int, int]] = []
    probe_max = -math.inf
    if not small:
        targets, probe_max, lp = _targets(w, cells, top, work)
        # The LP relaxes every zone of the window (a hair below: HiGHS's tolerances).
        bound = max(bound, lp - 1e-6 * max(1.0, abs(lp)))
        targets = [t for t in targets if t > bound]  # no zone below ``bound`` (proved before)
        zone = better() if better is not None else None
        if zone is not None:  # a better zone found beside: a lower cutoff
            c = p.objective(zone)
            inside = bool(np.isin(zone, cells).all() and np.isin(w.block, zone).any())
            # inside: the zone is the window's own, still wanted; else only zones below it
            cut = _above(c) if inside else _below(c)
            held = found(zone) if found is not None else math.inf
            cut = min(cut, _below(held))
            if cut < top:
                top = cut
                best = zone if inside else (None if best is None or p.objective(best) >= top
                                            else best)  # fmt: skip
                targets = [t for t in targets if t < top]
        log.debug("window of %d cells: targets %s, %.1f work s left", len(cells),
                  [round(t, 2) for t in targets], work.left)  # fmt: skip
        if bound >= top:  # the LP proves no zone of the window cheaper than the cutoff
            if best is None:
                return WindowResult(None, "INFEASIBLE", bound, rounds, tried)
            return WindowResult(best, "OPTIMAL", p.objective(best), rounds, tried)
    while True:
        target = targets.pop(0) if targets else top
        last = not targets and target >= top
        keep, ones = cells, cells[:0]
        if target <= probe_max:
            # Cells every cheaper zone holds are worth finding only against a zone's own cost.
            keep, ones = _probe(w, cells, target, work.part(opts.probe_share),
                                fix=last and best is not None)  # fmt: skip
            log.debug("probing at %.2f kept %d of %d cells, fixed in %d; %.1f work s left",
                      target, len(keep), len(cells), len(ones), work.left)  # fmt: skip
        hint = best if last and best is not None and bool(np.isin(best, keep).all()) else None
        if hint is not None and p.objective(hint) >= top:  # a lower cutoff held outside
            hint = None
        if hint is not None and not np.isin(ones, hint).all():
            hint = None
        tried.append((target, len(keep), len(ones)))
        if len(keep) and np.isin(w.block, keep).any():
            share = 1.0 if last else opts.target_share
            if last:
                w.tail.append((target, work.left))
            mod = _build(w, keep)
            _fix_in(mod, ones)
            res = _run(mod, p, opts, cutoff=target, start=hint, seed=seed, work=work.part(share))
        else:
            res = WindowResult(None, "INFEASIBLE", target)
        rounds += res.rounds
        log.debug("MILP against %.2f: %s, bound %.2f, %.1f work s left", target, res.status,
                  res.bound, work.left)  # fmt: skip
        if res.status == "OPTIMAL":  # the best zone cheaper than the target, or the hint
            return WindowResult(res.cells, "OPTIMAL", res.bound, rounds, tried)
        if res.status == "INFEASIBLE":  # no zone cheaper than the target
            bound = max(bound, target)
            if last:
                if best is None:
                    return WindowResult(None, "INFEASIBLE", bound, rounds, tried)
                return WindowResult(best, "OPTIMAL", p.objective(best), rounds, tried)
            continue
        # Out of time: every zone cheaper than the target costs at least its bound.
        bound = max(bound, min(target, res.bound))
        if res.cells is not None and res.cells is not hint:
            best, top = res.cells, _above(p.objective(res.cells))
            held = found(best) if found is not None else math.inf
            if held < p.objective(best):  # only zones below the caller's are wanted now
                top = _below(held)
        if last or work.done:
            status = "FEASIBLE" if best is not None else "UNKNOWN"
            return WindowResult(best, status, bound, rounds, tried)
        targets = []  # the time left goes to the cutoff itself


def _targets(
    w: _Window, cells: NDArray[np.int64], top: float, work: Work
) -> tuple[list[float], float, float]:
    """Targets below ``top`` to try first, the LP bound plus a growing margin; the
    highest target worth probing for (beyond it probing drops too few cells to pay); the
    LP bound itself (−inf when the LP was not solved)."""
    lp = _lp_of(w, cells, work)[1]
    if lp is None:
        return [], -math.inf, -math.inf
    steps = [lp + g * max(1.0, abs(lp)) for g in w.opts.target_gaps]
    return [t for t in steps if t < top], lp + w.opts.probe_gap * max(1.0, abs(lp)), lp


def _lp_of(w: _Window, cells: NDArray[np.int64], work: Work) -> tuple[_Model, float | None]:
    """The LP the targets and the probes read: the model over ``cells`` without the
    corner rows and with the compactness row relaxed (:func:`_compact`), solved from the
    basis the same LP ended with before, if any (then it costs almost nothing)."""
    m = _build(w, cells, corners=False)
    _compact(m, on=False)
    key = cells.tobytes()
    basis = w.bases.get(key)
    fresh = basis is None or len(basis.row_status) != m.h.getNumRow()
    if basis is not None and not fresh:
        m.h.setBasis(basis)
    lp = _relaxation(m, work, w.opts)
    if lp is not None and fresh:
        lp = _crossed(m, w, lp, work)
    if lp is not None:
        w.bases[key] = m.h.getBasis()
    return m, lp


def _crossed(m: _Model, w: _Window, lp: float, work: Work) -> float | None:
    """Rounds of crossing rows (:mod:`._crossing`) added to the LP just solved in ``m``
    and kept for the window's later models, each round solved again from where the last
    ended, while the round lifts the LP (at most ``crossing_rounds``); the LP's value."""
    opts = w.opts
    if opts.crossing_rounds <= 0 or w.crossing is None:
        return lp
    lines = _crossing.lines(m.mod)
    for _ in range(opts.crossing_rounds):
        if work.done:
            break
        sol = np.asarray(m.h.getSolution().col_value)
        a, hi = _crossing.separate(m.mod, lines, sol, w.block)
        if not a.shape[0]:
            break
        _add_rows(m.h, a, np.full(len(hi), -_INF), hi)
        w.crossing.add(m.mod, a, hi)
        work.spend(_lp(m.h, _count(work.left * opts.lp_iters_per_s), work.clock,
                       opts.lp_run_iters) / opts.lp_iters_per_s)  # fmt: skip
        if m.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        now = float(m.h.getInfo().objective_function_value)
        lifted, lp = now - lp, max(lp, now)
        if lifted <= opts.crossing_gain * max(1.0, abs(lp)):
            break
    return lp


def _compact(m: _Model, *, on: bool) -> None:
    """Put the compactness row of ``m`` in (``on``) or relax it to no bound."""
    rows = m.mod.rows_of("perimeter")
    hi = m.mod.hi[rows] * m.mod.scale[rows] if on else np.full(len(rows), _INF)
    for r, v in zip(rows.tolist(), hi.tolist(), strict=True):
        m.h.changeRowBounds(r, -_INF, v)


def _copy(h: highspy.Highs, w: _Window, work: Work) -> highspy.Highs:
    """A second instance of the LP in ``h``, solved from ``h``'s basis."""
    c, opts = _new_highs(), w.opts
    c.setOptionValue("threads", w.threads)
    c.passModel(h.getModel())
    c.setBasis(h.getBasis())
    work.spend(_lp(c, _count(work.left * opts.lp_iters_per_s), work.clock, opts.lp_run_iters)
               / opts.lp_iters_per_s)  # fmt: skip
    return c


def _relaxation(m: _Model, work: Work, opts: SolveOptions) -> float | None:
    """Solve the LP relaxation of ``m`` in place (integrality dropped), charged to
    ``work``; its value, or None (infeasible, or not solved within ``work``). A window of
    at least ``opts.ipm_min_cells`` cells with no basis yet is solved by interior point
    (:func:`_interior`), a smaller one or one with a basis by simplex."""
    h = m.h
    h.changeColsIntegrality(m.mod.ncol, np.arange(m.mod.ncol, dtype=np.int32),
                            np.full(m.mod.ncol, highspy.HighsVarType.kContinuous))  # fmt: skip
    if work.done:
        return None
    if m.mod.m >= opts.ipm_min_cells and not h.getBasis().valid:
        _interior(h, m.mod.rows.nnz, work, opts)
    else:
        iters = _lp(h, _count(work.left * opts.lp_iters_per_s), work.clock, opts.lp_run_iters)
        work.spend(iters / opts.lp_iters_per_s)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def _interior(h: highspy.Highs, nnz: int, work: Work, opts: SolveOptions) -> None:
    """Solve the LP in ``h`` by interior point, then crossover to a basis (the probes and
    a second pass start from it), within ``work``: an interior-point iteration is charged
    ``nnz / opts.ipm_nnz_per_s`` work seconds (``nnz``: the LP's nonzeros), crossover's
    and the simplex clean-up's iterations as simplex iterations."""
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("ipm_iteration_limit", max(1, _count(work.left * opts.ipm_nnz_per_s / nnz)))
    iters = _lp(h, _count(work.left * opts.lp_iters_per_s), work.clock, opts.lp_run_iters)
    h.setOptionValue("solver", "choose")
    info = h.getInfo()
    ipm = max(0, int(info.ipm_iteration_count)) * nnz / opts.ipm_nnz_per_s
    work.spend(ipm + (iters + max(0, int(info.crossover_iteration_count))) / opts.lp_iters_per_s)


def _count(x: float) -> int:
    """A work allowance as a whole count for a HiGHS limit (an unlimited one: 2³¹ − 1)."""
    return int(min(max(x, 0.0), 2**31 - 1))


def _lp(h: highspy.Highs, max_iters: int, clock: Clock, run_iters: int) -> int:
    """Run the LP in ``h`` for at most ``max_iters`` simplex iterations (at least one)
    and until ``clock``'s deadline (a stop recorded in the clock); the iterations to
    charge: those run plus ``run_iters`` for the run itself."""
    h.setOptionValue("simplex_iteration_limit", max(1, int(max_iters)))
    _time_limit(h, clock.deadline)
    h.run()
    h.setOptionValue("time_limit", math.inf)
    if h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
        clock.hit = True
    return max(0, int(h.getInfo().simplex_iteration_count)) + run_iters


def _probe(
    w: _Window, cells: NDArray[np.int64], target: float, work: Work, *, fix: bool = False
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The cells of ``cells`` that a zone cheaper than ``target`` may hold, and (with
    ``fix``) those it must hold.

    Cell ``i`` goes when the LP relaxation with ``x_i = 1`` costs at least ``target``
    (or is infeasible): then so does every zone holding it. With ``fix``, a cell left is
    one every such zone holds when the LP with ``x_i = 0`` reaches ``target``. The probes
    run on the LP of :func:`_lp_of` (no corner rows), first with its compactness row
    relaxed (cheap, most cells go there), then with it; each cell found is fixed for the
    probes after it. With two threads the cells are shared between two copies of the LP.
    Cells are probed in the order of what their reduced cost says the probe lifts the LP
    by, most first, and a stage stops after a round that finds too few
    (:func:`_probe_rounds`) or when ``work`` is spent, keeping the cells not yet probed
    (and fixing none of them in).
    """
    bar = target + 1e-7 * max(1.0, abs(target))
    ones = cells[:0]
    rate = w.opts.lp_iters_per_s
    if work.done:
        return cells, ones
    m, lp = _lp_of(w, cells, work)
    if lp is None:
        infeasible = m.h.getModelStatus() == highspy.HighsModelStatus.kInfeasible
        return (cells[:0], ones) if infeasible else (cells, ones)
    hs = [m.h]
    gone = np.zeros(len(cells), dtype=bool)
    m.h.setOptionValue("objective_bound", bar)
    for perimeter in (False, True):
        if work.done:
            break
        if perimeter:  # the same LP with the compactness row, from where it ended
            for h in hs:
                _compact(_Model(h, m.mod), on=True)
                work.spend(_lp(h, _count(work.left * rate), work.clock, w.opts.lp_run_iters) / rate)
            if hs[0].getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return (cells[:0], ones) if _reaches(hs[0], bar) else (cells[~gone], ones)
        if _reaches(hs[0], bar):
            return cells[:0], ones
        sol = hs[0].getSolution()
        x = np.asarray(sol.col_value)[: len(cells)]
        d = np.asarray(sol.col_dual)[: len(cells)]
        cand = np.flatnonzero((x < 1.0 - 1e-6) & ~gone)
        cand = cand[np.argsort(-d[cand], kind="stable")]
        if w.threads > 1 and len(cand) > 1 and len(hs) == 1:
            hs.append(_copy(hs[0], w, work))
            hs[1].setOptionValue("objective_bound", bar)
        gone[_probe_rounds(hs, cand, 1.0, bar, work, w.opts)] = True
        if fix and perimeter and not work.done:
            # the LP with the cells gone left out
            work.spend(_lp(hs[0], _count(work.left * rate), work.clock, w.opts.lp_run_iters) / rate)
            if _reaches(hs[0], bar):
                return cells[:0], ones
            if hs[0].getModelStatus() == highspy.HighsModelStatus.kOptimal:
                sol = hs[0].getSolution()
                x = np.asarray(sol.col_value)[: len(cells)]
                d = np.asarray(sol.col_dual)[: len(cells)]
                inside = np.flatnonzero((x > 1e-6) & ~gone)
                inside = inside[np.argsort(d[inside], kind="stable")]  # most lift first
                ones = cells[_probe_rounds(hs, inside, 0.0, bar, work, w.opts)]
    return cells[~gone], ones


def _probe_rounds(
    hs: list[highspy.Highs], cand: NDArray[np.int64], force: float, bar: float, work: Work,
    opts: SolveOptions,
) -> list[int]:  # fmt: skip
    """The columns of ``cand`` whose LP with the column at ``force`` reaches ``bar``, each
    fixed to ``1 - force`` in every copy of ``hs``. Rounds of ``probe_round`` columns are
    shared between the copies, each copy with an equal share of the simplex iterations
    left; after each round every copy learns every column found and the iterations are
    charged to ``work``, so the result does not depend on thread timing. The candidates
    come most promising first, so the rounds stop after one that finds fewer than
    ``probe_min_found`` of its columns: the rest would mostly cost their LPs in vain."""
    found: list[int] = []
    size, rate, clock = opts.probe_round, opts.lp_iters_per_s, work.clock
    with ThreadPoolExecutor(max_workers=len(hs)) as pool:
        for r0 in range(0, len(cand), size):
            if work.done:
                break
            chunk = cand[r0 : r0 + size].tolist()
            iters = _count(work.left * rate / len(hs))
            parts = list(pool.map(_probe_each, hs, [chunk[k :: len(hs)] for k in range(len(hs))],
                                  [force] * len(hs), [bar] * len(hs), [iters] * len(hs),
                                  [clock] * len(hs), [opts.lp_run_iters] * len(hs)))  # fmt: skip
            for k, (part, _) in enumerate(parts):
                found += part
                for other in (o for j, o in enumerate(hs) if j != k):
                    for i in part:
                        other.changeColBounds(i, 1.0 - force, 1.0 - force)
            work.spend(sum(used for _, used in parts) / rate)
            if sum(len(part) for part, _ in parts) < opts.probe_min_found * len(chunk):
                break
    return found


def _probe_each(
    h: highspy.Highs,
    cand: list[int],
    force: float,
    bar: float,
    max_iters: int,
    clock: Clock,
    run_iters: int,
) -> tuple[list[int], int]:
    """The columns of ``cand`` whose LP with the column at ``force`` reaches ``bar`` (or is
    infeasible), each fixed to ``1 - force`` in ``h`` for the probes after it, and the
    simplex iterations run (at most about ``max_iters``; a probe cut short keeps its cell)."""
    out, used = [], 0
    for i in cand:
        if used >= max_iters or clock.out():
            break
        h.changeColBounds(i, force, force)
        used += _lp(h, max_iters - used, clock, run_iters)
        if _reaches(h, bar):
            h.changeColBounds(i, 1.0 - force, 1.0 - force)
            out.append(i)
        else:
            h.changeColBounds(i, 0.0, 1.0)
    return out, used


def _time_limit(h: highspy.Highs, t_end: float) -> None:
    """Let the next LP ``h.run()`` stop at ``t_end`` (monotonic clock; inf: no limit).
    HiGHS compares an LP's ``time_limit`` with the run time the instance has accumulated
    over all its runs, not with the time of this run (a MIP run, measured, has a clock of
    its own)."""
    left = t_end - time.monotonic()
    limit = h.getRunTime() + max(0.01, left) if math.isfinite(left) else math.inf
    h.setOptionValue("time_limit", limit)


def _above(cost: float) -> float:
    """A cutoff just above ``cost``: a zone of that cost is still wanted."""
    return cost + 1e-9 * max(1.0, abs(cost))


def _below(cost: float) -> float:
    """A cutoff just below ``cost``: only cheaper zones are wanted (inf stays inf)."""
    return cost - 1e-9 * max(1.0, abs(cost)) if math.isfinite(cost) else cost


def _fix_in(mod: _Model, cells: NDArray[np.int64]) -> None:
    """Fix ``cells`` (global ids, all in ``mod``) to chosen in ``mod``'s HiGHS model."""
    at = np.searchsorted(mod.mod.cells, cells).astype(np.int32)
    mod.h.changeColsBounds(len(at), at, np.ones(len(at)), np.ones(len(at)))


def _reaches(h: highspy.Highs, bar: float) -> bool:
    """Whether the LP just solved in ``h`` costs at least ``bar`` or is infeasible."""
    st = h.getModelStatus()
    status = highspy.HighsModelStatus
    return st in (status.kInfeasible, status.kObjectiveBound) or (
        st == status.kOptimal and h.getInfo().objective_function_value >= bar
    )


def _run(
    model: _Model, p: Problem, opts: SolveOptions, *, cutoff: float | None,
    start: NDArray[np.int64] | None, work: Work, seed: int, max_nodes: int | None = None,
) -> WindowResult:  # fmt: skip
    """Solve the MILP, adding separator and neck rows while the zone falls apart.

    Each run is limited by ``work`` deterministically (:func:`lazy_solve`: nodes, root
    rounds and iterations) and charged its simplex iterations; ``max_nodes`` caps its
    nodes further."""
    mod = model.mod
    _settings(model.h, seed=seed, cutoff=cutoff)
    v0 = None if start is None else mod.columns(np.isin(mod.cells, start))
    lz = lazy_solve(model.h, [(0, mod)], start=v0, cuts_per_piece=opts.cuts_per_piece, work=work,
                    opts=opts, max_nodes=max_nodes)  # fmt: skip
    # HiGHS may end OPTIMAL with a zone at or above its objective bound (a heuristic's
    # zone kept as the best found while every node below the bound was pruned): then
    # there is none below it, as when it ends INFEASIBLE.
    above = (lz.chosen is not None and cutoff is not None
             and p.objective(lz.chosen[0]) >= cutoff)  # fmt: skip
    if lz.status == "INFEASIBLE" or (above and lz.status == "OPTIMAL"):
        if start is None:  # nothing cheaper than the cutoff: the start stands
            return WindowResult(None, "INFEASIBLE", lz.bound, lz.rounds)
        return WindowResult(start, "OPTIMAL", p.objective(start), lz.rounds)
    if lz.chosen is None or above:
        status = "FEASIBLE" if start is not None else "UNKNOWN"
        return WindowResult(start, status, lz.bound, lz.rounds)
    chosen = lz.chosen[0]
    if lz.status == "OPTIMAL":
        return WindowResult(chosen, "OPTIMAL", p.objective(chosen), lz.rounds)
    return WindowResult(chosen, "FEASIBLE", lz.bound, lz.rounds)


def _settings(h: highspy.Highs, *, seed: int, cutoff: float | None) -> None:
    """The MIP options every solve of the model uses: exact gap, no restarts."""
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 1e-9)
    # Restarts after reduced-cost fixing and the RINS/RENS sub-MIPs cost more than they
    # save on these windows (see benchmarks/CHANGELOG.md, "Placement", session 4).
    h.setOptionValue("mip_allow_restart", False)
    h.setOptionValue("mip_heuristic_run_rins", False)
    h.setOptionValue("mip_heuristic_run_rens", False)
    if cutoff is not None and math.isfinite(cutoff):
        h.setOptionValue("objective_bound", float(cutoff))


class Lazy(NamedTuple):
    """What :func:`lazy_solve` found: ``status`` OPTIMAL, FEASIBLE (time ran out with a
    connected answer), INFEASIBLE (proven, under the cutoff if one was set) or UNKNOWN
    (time ran out without one); ``chosen`` the cells (global ids) per block, or None."""

    status: str
    chosen: list[NDArray[np.int64]] | None
    bound: float
    rounds: int


def lazy_solve(
    h: highspy.Highs, blocks: Sequence[tuple[int, Model]], *, start: NDArray[np.float64] | None,
    cuts_per_piece: int, t_end: float = math.inf, work: Work | None = None,
    opts: SolveOptions | None = None, max_nodes: int | None = None,
) -> Lazy:  # fmt: skip
    """Solve the MILP in ``h`` whose columns hold each block's model from its offset,
    adding each block's separator and neck rows while its cells fall apart.

    A MILP of one zone has one block at offset 0; the joint model of several zones
    (:mod:`._joint`) has one per zone. ``start`` (every column's value) is offered to
    HiGHS before each run. Each run is limited by ``work`` (by default unlimited, with
    the wall clock stopping at ``t_end``) through counts, so it repeats whatever the
    load: nodes and root rounds (``opts``; ``max_nodes`` caps the nodes further) and the
    simplex iterations the work left buys (:class:`_Limits`); it is charged the
    iterations it ran.
    """
    opts = opts or SolveOptions()
    work = work if work is not None else Work(math.inf, Clock(t_end))
    ncol = h.getNumCol()
    nbrs = [_adjacency(mod.m, mod.edges) for _, mod in blocks]
    rounds, bound = 0, -math.inf
    limits = _mip_limits(h)
    # a MILP of fewer cells runs more nodes and rounds per second
    size_cells = sum(mod.m for _, mod in blocks)
    size = min(10.0, 1000.0 / max(size_cells, 1))
    while True:
        rounds += 1
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = list(start)
            sol.value_valid = True
            h.setSolution(sol)
        if work.done or work.clock.left() <= 0.05:
            return Lazy("UNKNOWN", None, bound, rounds)
        nodes = max(1, _count(work.left * opts.mip_nodes_per_s * size))
        h.setOptionValue("mip_max_nodes", min(nodes, max_nodes or nodes))
        limits.reset(
            max(1, _count(work.left * opts.root_rounds_per_s * size)),
            work.left * opts.lp_iters_per_s,
            work.clock.deadline,
            opts.stretch_margin,
        )
        h.setOptionValue("time_limit", float(work.clock.left()))  # a MIP run has a clock of its own
        h.run()
        ms = h.getModelStatus()
        info = h.getInfo()
        iters = max(0, int(info.simplex_iteration_count)) + opts.lp_run_iters
        log.debug("MILP run %d of %d cells: %s after %d of %d nodes, %d of %d root call backs,"
                  " %d iterations of %.0f allowed (the last progress line below: %d): %.2f"
                  " work s of %.2f left", rounds, size_cells, ms.name, info.mip_node_count,
                  nodes, limits.seen, limits.rounds, iters, limits.iters, limits.below,
                  iters / opts.lp_iters_per_s, work.left)  # fmt: skip
        work.spend(iters / opts.lp_iters_per_s)
        if (ms == highspy.HighsModelStatus.kTimeLimit and not limits.spent) or (
            ms == highspy.HighsModelStatus.kInterrupt and work.clock.left() <= 0
        ):
            work.clock.hit = True
        if math.isfinite(info.mip_dual_bound):
            bound = max(bound, float(info.mip_dual_bound))
        if ms == highspy.HighsModelStatus.kInfeasible:
            return Lazy("INFEASIBLE", None, bound, rounds)
        cv = np.asarray(h.getSolution().col_value)
        if len(cv) < ncol or not h.getSolution().value_valid:
            return Lazy("UNKNOWN", None, bound, rounds)
        optimal = ms == highspy.HighsModelStatus.kOptimal
        cuts, whole = [], True
        for (off, mod), nbr in zip(blocks, nbrs, strict=True):
            xs = cv[off : off + mod.m] > 0.5
            lab = _components(xs, mod.edges)
            pieces = [np.flatnonzero(lab == c) for c in range(int(lab.max()) + 1)]
            necks = mod.open_necks(xs)
            whole = whole and len(pieces) <= 1 and not len(necks)
            if len(necks):
                cuts.append(_shift(mod.necks[necks], off, ncol, -_INF, 1.0))
            if len(pieces) > 1:
                a, lo, hi = _separators(xs, pieces, nbr, mod.ncol, cuts_per_piece)
                cuts.append((_shift(a, off, ncol, -_INF, 1.0)[0], lo, hi))
        if whole:
            chosen = [np.sort(mod.cells[cv[off : off + mod.m] > 0.5]) for off, mod in blocks]
            return Lazy("OPTIMAL" if optimal else "FEASIBLE", chosen, bound, rounds)
        if not optimal:
            return Lazy("UNKNOWN", None, bound, rounds)
        for a, lo, hi in cuts:
            _add_rows(h, a, lo, hi)


def _shift(a: sp.csr_array, off: int, ncol: int, lo: float, hi: float) -> tuple[
        sp.csr_array, NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Rows ``lo ≤ a·v ≤ hi`` of one block, moved to its columns from ``off`` of ``ncol``."""
    a = sp.coo_array(a)
    k = a.shape[0]
    moved = sp.csr_array((a.data, (a.row, a.col + off)), shape=(k, ncol))
    return moved, np.full(k, lo), np.full(k, hi)


@dataclass
class _Limits:
    """What stops a HiGHS MILP run early, deterministically: ``rounds`` calls back at its
    root node (between cut rounds and heuristics), or ``iters`` simplex iterations;
    ``t_end`` (on :func:`time.monotonic`) stops it at the wall clock's deadline (HiGHS's
    own time limit is checked less often).

    HiGHS has no work limit of its own, its node limit does not bound the root, and its
    call backs do not carry the iteration count (highspy binds no
    ``mip_total_lp_iterations``): the count is read from the progress lines of its log
    (:func:`_progress`, kept off the console), which HiGHS writes after most of its call
    backs (root rounds, not all of them; in its tree, between dives) and at each zone it
    finds. The run is ``spent`` at the first line whose count reaches the allowance, or
    from which the iterations left would not pay for ``margin`` stretches as dear as the
    dearest so far: at the root (the line's node count 0) the dearest rise between two
    root lines after the root's LP (``root_most``: a cut round or a heuristic; the LP is
    not solved again), once the root is done the dearest stretch of the tree (``most``;
    the root, all of it, counts as the first). A heuristic at the root, or a dive,
    cannot be stopped before it ends, and one may cost several times the dearest before
    it. Then the run's own time limit is set to 0, which HiGHS checks at its next LP
    solve, and the run ends there. So a run goes past its allowance by at most what one
    stretch costs beyond ``margin`` times the dearest before it (at the root not
    counting its LP; in the tree counting the whole root)."""

    rounds: int = 1
    iters: float = math.inf
    t_end: float = math.inf
    seen: int = 0
    #: The simplex iterations of the last progress line below the allowance.
    below: int = 0
    #: The count of the last progress line in the tree (0 before it), and the dearest
    #: stretch so far: the whole root, or a rise of the count between two lines after it.
    tree: int = 0
    most: int = 0
    #: The count of the last progress line at the root (0 before its LP is solved), and
    #: the dearest rise between two root lines after its LP (cut rounds, heuristics).
    root: int = 0
    root_most: int = 0
    margin: float = 1.0
    spent: bool = False

    def reset(self, rounds: int, iters: float, t_end: float, margin: float = 1.0) -> None:
        """Before a run: its allowances, and nothing seen yet."""
        self.rounds, self.iters, self.t_end, self.margin = rounds, iters, t_end, margin
        self.seen, self.below, self.tree, self.most, self.spent = 0, 0, 0, 0, False
        self.root, self.root_most = 0, 0

    def stop(self, nodes: int) -> bool:
        """At a call back at ``nodes`` nodes: whether the run has had its allowance."""
        if nodes == 0:
            self.seen += 1
        return self.seen > self.rounds or self.spent or time.monotonic() >= self.t_end

    def line(self, text: str) -> bool:
        """Take in a line of the run's log: whether the run has just had its allowance (a
        progress line updates the count)."""
        got = _progress(text)
        if got is None or self.spent:
            return False
        nodes, count = got
        if nodes > 0:
            self.most, self.tree = max(self.most, count - self.tree), count
        else:
            if self.root > 0:
                self.root_most = max(self.root_most, count - self.root)
            self.root = count
        dearest = self.most if nodes > 0 else self.root_most
        self.spent = count >= self.iters or count + self.margin * dearest > self.iters
        if count < self.iters:
            self.below = count
        return self.spent


def _mip_limits(h: highspy.Highs) -> _Limits:
    """Stop each MILP run of ``h`` by the :class:`_Limits` returned (reset before each
    run): its log goes to the call back, not to the console."""
    lim = _Limits()
    cb = highspy.cb
    highs = weakref.ref(h)  # the call back, kept by ``h``, must not keep it alive

    def on_call(kind: cb.HighsCallbackType, msg: str, out: cb.HighsCallbackOutput,
                into: cb.HighsCallbackInput, _data: object) -> None:  # fmt: skip
        if kind == cb.HighsCallbackType.kCallbackLogging:
            if lim.line(msg) and (run := highs()) is not None:
                run.setOptionValue("time_limit", 0.0)
        elif lim.stop(int(out.mip_node_count)):
            into.user_interrupt = True

    h.setOptionValue("output_flag", True)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("mip_min_logging_interval", 0.0)  # a progress line at every call back
    h.setCallback(on_call, None)
    h.startCallback(cb.HighsCallbackType.kCallbackMipInterrupt)
    h.startCallback(cb.HighsCallbackType.kCallbackLogging)
    return lim


#: A progress line of HiGHS's MIP log: an optional source letter, the nodes processed, the
#: nodes in the queue, the leaves and the share of the tree explored; the simplex
#: iterations and the time last (counts of a million or more end in k or m).
_PROGRESS = re.compile(
    r"^\s*[A-Za-z]?\s+(\d+[km]?)\s+\S+\s+\S+\s+[\d.]+%.*\s(\d+[km]?)\s+[\d.]+s\s*$"
)


def _progress(text: str) -> tuple[int, int] | None:
    """The nodes and simplex iterations of a progress line of HiGHS's MIP log, or None.

    >>> _progress(" T     308     12   40  1.2%  1863.9  1927.7  3.3%  950  40  1200  410k  541.0s")
    (308, 410000)
    >>> _progress("Presolving model") is None
    True
    """
    m = _PROGRESS.match(text.rstrip("\n"))
    if m is None:
        return None
    scale = {"k": 1_000, "m": 1_000_000}
    n, i = (int(v[:-1]) * scale[v[-1]] if v[-1] in scale else int(v) for v in m.groups())
    return n, i


def _separators(
    xs: NDArray[np.bool_], pieces: list[NDArray[np.int64]], nbr: list[list[int]], ncol: int,
    per_piece: int,
) -> tuple[sp.csr_array, NDArray[np.float64], NDArray[np.float64]]:  # fmt: skip
    """Vertex-separator rows ``x_i + x_j − Σ_{v ∈ N(C)} x_v ≤ 1`` between the pieces ``C``
    of a zone that fell apart (``i`` in ``C``, ``j`` chosen outside it), up to
    ``per_piece`` per piece."""
    r, c, v = [], [], []
    k = 0
    for piece in pieces:
        inside = np.zeros(len(xs), dtype=bool)
        inside[piece] = True
        border = sorted({u for t in piece.tolist() for u in nbr[t] if not inside[u]})
        others = np.flatnonzero(xs & ~inside)
        for j in others[:: max(1, len(others) // per_piece)].tolist():
            cols = [int(piece[0]), j, *border]
            r += [k] * len(cols)
            c += cols
            v += [1.0, 1.0] + [-1.0] * len(border)
            k += 1
    a = sp.csr_array((v, (r, c)), shape=(k, ncol))
    return a, np.full(k, -_INF), np.ones(k)


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
