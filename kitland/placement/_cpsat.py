"""The model as CP-SAT sees it: the shared rows plus a rooted flow; windows and the search beside.

:func:`cp_model_of` turns a :class:`~._window.Model` into a CP-SAT model: one Boolean
per column, every row but the LP cuts (:data:`~._window.CUTS`) and every neck row as a
linear constraint with its integer coefficients,
and connectivity as a rooted single-commodity flow (the root, a cell of the window's
block, emits flow; every other chosen cell consumes a unit; flow runs only between
chosen neighbours). Two uses: :class:`CpsatWindows` solves whole windows
(``backend="cpsat"``, the second exact method the tests compare HiGHS with), and
:func:`improve` is the large-neighbourhood search that polishes the incumbent, beside
the HiGHS windows on the other core (:class:`Beside`) or before the CP-SAT windows.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from ortools.sat.python import cp_model
from scipy.sparse.csgraph import breadth_first_order

from kitland._errors import InfeasibleError
from kitland.i18n import Message
from kitland.placement._model import Problem, near_cells
from kitland.placement._window import CUTS, IntObjective, Model, WindowResult
from kitland.placement._work import Clock, Work

log = logging.getLogger(__name__)

__all__ = ["Beside", "CpsatWindows", "cp_model_of", "improve"]


def cp_model_of(
    mod: Model, obj: IntObjective, *, roots: NDArray[np.int64], cut: int | None = None,
    hint: NDArray[np.int64] | None = None, fixed: NDArray[np.int64] | None = None,
) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:  # fmt: skip
    """The CP-SAT model of ``mod`` with the flow rooted in one of ``roots``.

    ``cut``: only zones of integer score ``≤ cut``; ``hint``: a zone to start from
    (columns and flows hinted); ``fixed``: cells forced in. All cell ids are global.
    Returns the model and its columns (the first ``mod.m`` are the cells).
    """
    m = cp_model.CpModel()
    v = [m.new_bool_var(f"v{k}") for k in range(mod.ncol)]
    rules = np.setdiff1d(np.arange(mod.rows.shape[0]), mod.rows_of(*CUTS))  # no LP here
    for a, lo, hi in ((mod.rows[rules], mod.lo[rules], mod.hi[rules]),
                      (mod.necks, np.full(mod.necks.shape[0], -math.inf), np.ones(mod.necks.shape[0]))):  # fmt: skip
        a = a.tocsr()  # read as plain lists: one numpy call per matrix, not per row
        cols, coefs = a.indices.tolist(), np.round(a.data).astype(np.int64).tolist()
        for (s, e), low, high in zip(itertools.pairwise(a.indptr.tolist()), lo.tolist(),
                                     hi.tolist(), strict=True):  # fmt: skip
            expr = cp_model.LinearExpr.weighted_sum([v[j] for j in cols[s:e]], coefs[s:e])
            if math.isfinite(low):
                m.add(expr >= int(low))
            if math.isfinite(high):
                m.add(expr <= int(high))
    x = v[: mod.m]
    for i in np.searchsorted(mod.cells, fixed).tolist() if fixed is not None else ():
        m.add(x[i] == 1)
    sel = np.isin(mod.cells, hint) if hint is not None else None
    _flow(m, mod, x, np.searchsorted(mod.cells, roots), sel)
    coef = np.r_[obj.cell[mod.cells], obj.edge[mod.edge_ids][: mod.ny]]
    nz = np.flatnonzero(coef)
    total = cp_model.LinearExpr.weighted_sum([v[k] for k in nz.tolist()], coef[nz].tolist())
    if cut is not None:
        m.add(total <= cut)
    m.minimize(total)
    if sel is not None:
        for var, val in zip(v, mod.columns(sel).tolist(), strict=True):
            m.add_hint(var, bool(val))
    return m, v


def _flow(m: cp_model.CpModel, mod: Model, x: list[cp_model.IntVar], roots: NDArray[np.int64],
          hint: NDArray[np.bool_] | None) -> None:  # fmt: skip
    """Connectivity: exactly one root among ``roots`` (local ids) emits flow along chosen
    neighbour pairs, every other chosen cell consumes a unit."""
    order = np.argsort(mod.p.area_m2[mod.cells], kind="stable")
    n_max = int(np.searchsorted(np.cumsum(mod.p.area_m2[mod.cells][order]), mod.p.max_area_m2,
                                side="right"))  # fmt: skip
    n_max = max(1, min(n_max, mod.m))
    root = {int(i): m.new_bool_var(f"r{i}") for i in roots.tolist()}
    m.add_exactly_one(root.values())
    for i, ri in root.items():
        m.add_implication(ri, x[i])
    tree = _tree_flows(mod, hint, list(root)) if hint is not None else None
    if tree is not None:
        for i, ri in root.items():
            m.add_hint(ri, i == tree[0])
    net: list[list[Any]] = [[] for _ in range(mod.m)]
    for i, j in mod.edges.tolist():
        for u, w in ((i, j), (j, i)):
            f = m.new_int_var(0, n_max - 1, f"f{u}_{w}")
            if tree is not None:
                m.add_hint(f, tree[1].get((u, w), 0))
            m.add(f <= (n_max - 1) * x[u])
            m.add(f <= (n_max - 1) * x[w])
            net[u].append(-f)
            net[w].append(f)
    for i in range(mod.m):
        rr = root.get(i)
        m.add(sum(net[i]) >= (x[i] if rr is None else x[i] - n_max * rr))


def _tree_flows(
    mod: Model, sel: NDArray[np.bool_], roots: list[int]
) -> tuple[int, dict[tuple[int, int], int]] | None:
    """A root and the flows of a breadth-first tree over the hinted cells (local ids).

    Each tree edge carries the size of the subtree below it, so every hinted cell but
    the root takes in exactly one unit. None when no root is hinted or the hint is not
    connected inside the window.
    """
    start = next((r for r in roots if sel[r]), None)
    if start is None:
        return None
    e = mod.edges[sel[mod.edges[:, 0]] & sel[mod.edges[:, 1]]]
    graph = sp.csr_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(mod.m, mod.m))
    order, parent = breadth_first_order(graph, start, directed=False, return_predecessors=True)
    if len(order) != int(sel.sum()):
        return None
    size = np.ones(mod.m, dtype=np.int64)
    for w in order[:0:-1].tolist():
        size[parent[w]] += size[w]
    return start, {(int(parent[w]), w): int(size[w]) for w in order[1:].tolist()}


class _Stop:
    """Stops a search running in another thread: between rounds, and the CP-SAT search
    in progress (``stop_search`` is safe to call from another thread)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.solver: cp_model.CpSolver | None = None

    def __call__(self) -> None:
        self.event.set()
        if self.solver is not None:
            self.solver.stop_search()


def _run(
    model: cp_model.CpModel, *, det_time_s: float, clock: Clock, seed: int,
    stop: _Stop | None = None,
) -> tuple[cp_model.CpSolver, Any]:  # fmt: skip
    """Solve with one worker and a fixed seed in deterministic time, so a run repeats
    (CP-SAT's deterministic parallel mode aborts in OR-Tools 9.15: google/or-tools#5025);
    ``clock`` stops it on the wall clock (recorded in the clock)."""
    solver = cp_model.CpSolver()
    if stop is not None:
        stop.solver = solver
        if stop.event.is_set():
            return solver, cp_model.UNKNOWN
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.01, clock.left())
    prm.max_deterministic_time = max(0.05, det_time_s)
    prm.num_workers = 1
    prm.random_seed = seed
    prm.linearization_level = 2
    # Ctrl-C is Python's: CP-SAT's own SIGINT handler, run in a solve on a thread (the
    # search beside HiGHS, a sweep's worker), aborts with std::bad_function_call.
    prm.catch_sigint_signal = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
        clock.out()  # stopped by the wall clock rather than by deterministic time?
    return solver, status


def _chosen(mod: Model, solver: cp_model.CpSolver, v: list[cp_model.IntVar]) -> NDArray[np.int64]:
    return mod.cells[[solver.boolean_value(x) for x in v[: mod.m]]]


@dataclass(frozen=True)
class CpsatWindows:
    """The :class:`~._window.WindowSolver` of ``backend="cpsat"``: each window a CP-SAT model
    with a flow; its work is CP-SAT deterministic time (one second per work second), the
    wall clock ``clock`` its safety stop."""

    p: Problem
    squares: NDArray[np.int64]
    obj: IntObjective
    clock: Clock = field(default_factory=Clock)
    seed: int = 0
    #: The least deterministic seconds a window is given, whatever its share.
    least_s: float = 0.5

    def solve(
        self, cells: NDArray[np.int64], block: NDArray[np.int64], *,
        incumbent: NDArray[np.int64] | None, start: NDArray[np.int64] | None,
        work: Work | None = None, time_s: float | None = None, cutoff: float = math.inf,
    ) -> WindowResult:  # fmt: skip
        """The window's best zone in ``work`` (or ``time_s``) deterministic seconds, at least
        :attr:`least_s`; ``cutoff`` is ignored (only zones below the incumbent are wanted:
        a bound proven against it holds against any lower cutoff too)."""
        if work is None:
            work = Work(10.0 if time_s is None else time_s, self.clock)
        mod = Model.of(self.p, cells, self.squares, block=block)
        cut = None
        if incumbent is not None:  # with the incumbent as hint, "no worse" keeps it feasible
            same = start is not None and np.array_equal(start, incumbent)
            cut = self.obj.value(self.p, incumbent) - (0 if same else 1)
        model, v = cp_model_of(mod, self.obj, roots=block, cut=cut, hint=start)
        solver, st = _run(model, det_time_s=max(self.least_s, work.left), clock=self.clock,
                          seed=self.seed)  # fmt: skip
        spent = float(solver.deterministic_time)
        work.spend(spent)
        if st == cp_model.MODEL_INVALID:
            msg = Message("placement solver: CP-SAT status {status}: {reason}",
                          {"status": solver.status_name(st), "reason": model.validate()})  # fmt: skip
            raise InfeasibleError(msg)
        if st == cp_model.OPTIMAL:
            zone = _chosen(mod, solver, v)
            return WindowResult(zone, "OPTIMAL", self.p.objective(zone), work=spent)
        if st == cp_model.FEASIBLE:
            return WindowResult(_chosen(mod, solver, v), "FEASIBLE",
                                solver.best_objective_bound / self.obj.scale, work=spent)  # fmt: skip
        if st == cp_model.INFEASIBLE:
            return WindowResult(None, "INFEASIBLE", math.inf, work=spent)
        return WindowResult(None, "UNKNOWN", -math.inf, work=spent)


def improve(
    p: Problem, starts: Sequence[NDArray[np.int64]], keep: NDArray[np.bool_],
    squares: NDArray[np.int64], obj: IntObjective, clock: Clock, *, budget_s: float,
    round_s: float, seed: int, stop: _Stop | None = None,
) -> NDArray[np.int64]:  # fmt: skip
    """Large-neighbourhood search from each of ``starts`` in turn; the best zone reached.

    From one start: re-solve a band around the zone's edge, keep the rest. Cells deeper
    than the band inside the zone stay chosen, cells beyond it outside stay out; CP-SAT
    solves the band exactly ("no worse than now", hinted with the zone). After the first
    round that finds nothing better the search goes on from the next start with what is
    left of the budget (zones of other windows: another basin), and ends after the last.
    Rounds are bounded in CP-SAT's deterministic time (``round_s`` each, ``budget_s`` in
    all), so the same input takes the same rounds; the wall clock (``clock``) only stops
    them on a machine far slower than planned, and records that it did.
    """
    best = starts[0]
    det_left = budget_s
    for zone in starts:
        if det_left <= 0 or clock.out() or (stop is not None and stop.event.is_set()):
            break
        zone, det_left = _descend(p, zone, keep, squares, obj, clock, det_left, round_s, seed,
                                  stop)  # fmt: skip
        if obj.value(p, zone) < obj.value(p, best):
            best = zone
    if stop is not None and stop.event.is_set():
        log.debug("search beside stopped with %.2f of %.2f deterministic s left", det_left,
                  budget_s)  # fmt: skip
    return best


def _descend(
    p: Problem, best: NDArray[np.int64], keep: NDArray[np.bool_], squares: NDArray[np.int64],
    obj: IntObjective, clock: Clock, det_left: float, round_s: float, seed: int,
    stop: _Stop | None,
) -> tuple[NDArray[np.int64], float]:  # fmt: skip
    """The band search of :func:`improve` from one zone, up to the first round that finds
    nothing better; the zone and the budget left."""
    c = p.cell_m
    while det_left > 0 and not clock.out() and not (stop is not None and stop.event.is_set()):
        sel = np.zeros(len(p), dtype=bool)
        sel[best] = True
        edge = np.zeros(len(p), dtype=bool)
        if len(p.edges):
            edge[p.edges[sel[p.edges[:, 0]] != sel[p.edges[:, 1]]].ravel()] = True
        edge |= sel & (p.perimeter_m > 4 * c)  # clipped cells on the land's border
        band = keep & near_cells(p, edge & sel, 1.2 * c)
        core = sel & ~band
        fixed = np.flatnonzero(core)
        cells = np.flatnonzero(band | core)
        cut = obj.value(p, best)
        mod = Model.of(p, cells, squares)
        model, v = cp_model_of(mod, obj, roots=fixed[:1] if len(fixed) else cells, cut=cut,
                               hint=best, fixed=fixed)  # fmt: skip
        det = min(det_left, round_s)
        det_left -= det
        solver, st = _run(model, det_time_s=det, clock=clock, seed=seed, stop=stop)
        if stop is not None and stop.event.is_set():  # perhaps before the round was solved
            break
        found = _chosen(mod, solver, v) if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
        better = found if found is not None and obj.value(p, found) < cut else None
        log.debug("search round: %d cells, %s, %.2f of %.2f deterministic s, %s", len(cells),
                  solver.status_name(st), solver.deterministic_time, det,
                  "nothing better" if better is None else "better")  # fmt: skip
        if better is None:
            break
        best = better
    return best, det_left


class Beside:
    """Runs ``search(stop)`` in a thread of its own at idle priority (see
    :func:`_lower_thread_priority`), so HiGHS keeps both cores; ``stop()`` ends it early."""

    def __init__(self, search: Callable[[_Stop], NDArray[np.int64]]) -> None:
        self.stop = _Stop()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._tid: int | None = None

        def run() -> NDArray[np.int64]:
            self._tid = threading.get_native_id()
            _lower_thread_priority()
            return search(self.stop)

        self._future: Future[NDArray[np.int64]] = self._pool.submit(run)

    def cancel(self) -> None:
        """Stop the search early; it ends at its next check (see :meth:`result`)."""
        self.stop()
        self._wake()

    def _wake(self) -> None:
        """Give the search the ordinary priority back: on a machine kept busy by other
        work an idle-priority thread never runs, so it would never reach its end."""
        if self._tid is not None and sys.platform.startswith("linux"):
            with contextlib.suppress(AttributeError, OSError):
                os.sched_setscheduler(self._tid, os.SCHED_OTHER, os.sched_param(0))

    def result(self) -> NDArray[np.int64]:
        """Wait for the search (at the ordinary priority) and return its zone."""
        self._wake()
        try:
            return self._future.result()
        finally:
            self._pool.shutdown()


def _lower_thread_priority() -> None:
    """Run this thread only on core time nothing else wants (Linux's ``SCHED_IDLE``, where
    a thread id names a thread; nice +10 where that is refused), so a search running
    beside the HiGHS windows takes the time HiGHS leaves idle instead of slowing its two
    threads down (measured: ``benchmarks/CHANGELOG.md``, "Placement", sessions 4 and 6)."""
    if sys.platform.startswith("linux"):
        tid = threading.get_native_id()
        try:
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            with contextlib.suppress(OSError):
                os.setpriority(
                    os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 10)
                )
