"""Placement by windows: the search that proves a zone of a :class:`~._model.Problem` optimal.

Every feasible zone has diameter ``≤ D`` (the compactness bound, see :mod:`._model`).
Cells are grouped into square blocks; the window of a block holds every cell whose
square lies within ``D`` of the block, so every zone that has a cell in the block lies
inside its window, and solving each window for its best zone with a cell in the block
covers every feasible zone. A window's lower bound is a fractional knapsack (the
cheapest cost per m² until the minimum area is reached, plus the disc's perimeter);
windows are solved best bound first and every window whose bound cannot beat the
incumbent is skipped, which proves the incumbent optimal. Inside a window, blocks whose
own bound cannot beat the incumbent are removed, then cells no longer connected to the
root block. A window is solved by a :class:`~._window.WindowSolver` on the one model
of :mod:`._window`: HiGHS (:mod:`._milp`, the default) or CP-SAT (:mod:`._cpsat`);
warm starts come from :mod:`._starts`, and, when the windows' search is stuck
(:func:`._coarse.stuck`), from the same problem solved on a grid twice as coarse.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from kitland.placement._coarse import coarsen, stuck
from kitland.placement._model import Problem, _adjacency, _components, near_cells
from kitland.placement._options import SolveOptions
from kitland.placement._starts import greedy, rectangles, repair, window_start
from kitland.placement._window import (
    AREA_MARGIN_M2,
    IntObjective,
    WindowSolver,
    below_units,
    feasible,
    held_edges,
    squares_of,
    width_cells,
)
from kitland.placement._work import Work

if TYPE_CHECKING:
    from kitland.placement._cpsat import Beside, CpsatWindows

__all__ = ["Solution", "gap", "solve", "status_of"]

log = logging.getLogger(__name__)

_Win = tuple[NDArray[np.bool_], NDArray[np.bool_]]  # (window, block) masks


@dataclass
class Solution:
    """What a solve returns: the chosen ``cells`` (None when none was found), their
    score ``objective``, the proven lower ``bound`` on any feasible zone's score,
    ``status`` (``OPTIMAL``; ``FEASIBLE``: time ran out, ``gap`` > 0; ``INFEASIBLE``:
    proven that no zone satisfies the model; ``UNKNOWN``: time ran out before any zone),
    ``gap`` (:func:`gap`), wall time ``time_s``, counters, the work seconds spent
    (:mod:`._work`) and whether the wall clock left it ``deterministic``.

    With an ``outline`` (:func:`solve`) that scored below the cells, ``cutoff`` is that
    score and the proof is against ``min(objective, cutoff)``: ``OPTIMAL`` says no zone
    of the model scores below the caller's zone, not that ``cells`` is the model's
    optimum; ``cells`` is then the zone whose outline gave the cutoff."""

    cells: NDArray[np.int64] | None
    objective: float
    bound: float
    status: str
    gap: float
    time_s: float
    stats: dict[str, int] = field(default_factory=dict)
    work_s: float = 0.0
    deterministic: bool = True
    #: The zones that were the incumbent before ``cells``, best first (for a caller whose
    #: ``check`` refuses ``cells`` and who has no work left to solve again).
    runners_up: tuple[NDArray[np.int64], ...] = ()
    #: The least score :func:`solve`'s ``outline`` returned (inf when none).
    cutoff: float = math.inf

    @property
    def found(self) -> bool:
        """True when a zone was found."""
        return self.cells is not None


def solve(
    problem: Problem, *, time_limit_s: float = 60.0, seed: int = 0, backend: str = "highs",
    on_progress: Callable[[float, float], None] | None = None, options: SolveOptions | None = None,
    work: Work | None = None,
    start: NDArray[np.int64] | None = None, floor: float = -math.inf,
    ceiling: NDArray[np.int64] | None = None,
    outline: Callable[[NDArray[np.int64]], float | None] | None = None,
) -> Solution:  # fmt: skip
    """Find the cell set of least cost satisfying ``problem``, proving optimality.

    Parameters
    ----------
    problem
        The arrays of :mod:`kitland.placement._model`.
    time_limit_s
        Turned into a budget of work seconds (:meth:`._work.Work.of`) when ``work`` is
        None; when it is spent the best zone found is returned ``FEASIBLE``.
    seed
        Random seed of HiGHS and CP-SAT (every call is limited by counted work, so the
        same input gives the same zone unless the wall clock stopped a search).
    backend
        ``"highs"``: each window a HiGHS MILP (:class:`~._milp.HighsWindows`) while
        CP-SAT's neighbourhood search runs beside; ``"cpsat"``: each window a CP-SAT
        model with a rooted flow (:class:`~._cpsat.CpsatWindows`), after that search.
    on_progress
        Called with the best score so far and the least bound of the windows still open,
        once the warm starts have a zone and after each window is solved.
    options
        How the search spends its time (:class:`._options.SolveOptions`; defaults when None).
    work
        The budget to spend (and charge), e.g. a part of a caller's; its clock is the
        wall-clock stop.
    start
        A zone to start from (a previous optimum); taken as the first incumbent when it
        satisfies ``problem``, ignored otherwise.
    floor
        A proven lower bound on the score of every zone of ``problem`` that matters (from
        an earlier solve of a looser problem); window bounds are raised to it, so a
        ``start`` that reaches it is proven optimal without solving a window.
    ceiling
        A zone of a looser problem (it need not satisfy ``problem``): the first
        incumbent, so only zones scoring below it are searched, and the answer when none
        does (``OPTIMAL`` then says no zone of ``problem`` scores below it). Never a
        window's start nor the neighbourhood search's.
    outline
        Called with each new incumbent of ``problem`` (not a ``ceiling``): the score of a
        zone the caller holds in its place (its straightened outline), or None. Only
        zones scoring below the least such score (the ``cutoff``) are looked for (see
        :class:`Solution`); it must be deterministic for the result to be.

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
    opts, p, t0 = options or SolveOptions(), problem, time.monotonic()
    work = work if work is not None else Work.of(time_limit_s, opts)
    clock, spent0 = work.clock, work.spent
    stats = {"cells": len(p), "windows": 0, "solved": 0, "pruned": 0, "infeasible": 0}
    adj = _adjacency(len(p), p.edges)
    squares = squares_of(p)
    held = p.edges[held_edges(p, squares)]
    keep = _candidates(p, squares, held)
    wins = _windows(p, keep, held) if keep.any() else []
    stats["windows"] = len(wins)
    bounds = [max(_window_bound(p, win, block), floor) for win, block in wins]
    inc = _Incumbent(p, IntObjective.of(p), outline=outline)
    if start is not None and feasible(p, start, squares):
        inc.offer(np.unique(start))
    if ceiling is not None:
        inc.offer(np.unique(ceiling), looser=True)
    if inc.cells is not None and all(inc.beats(b) for b in bounds):  # the start is proven
        stats["pruned"] = len(wins)
        return inc.solution([], time.monotonic() - t0, stats)
    starts = _warm_starts(p, wins, bounds, keep, squares, adj, opts)
    for zone in starts[:1]:
        inc.offer(zone)
    # The neighbourhood search's starts: the incumbent, then the next warm starts.
    tries = [z for z in starts if inc.cells is None or not np.array_equal(z, inc.cells)]
    lead = [inc.cells] if inc.cells is not None and not inc.looser else []
    tries = lead + tries[: opts.search_starts - len(lead)]
    # The search's CP-SAT deterministic seconds: a share of the budget, fixed up front.
    lns_s = min(opts.search_share * work.left / opts.work_rate, opts.search_max_s)
    lns: dict[str, Any] = {"budget_s": lns_s, "round_s": opts.search_round_s, "seed": seed}
    # The solvers load here, not with the package: scoring a zone (kitland check) never solves
    from kitland.placement._cpsat import Beside, CpsatWindows, improve  # noqa: PLC0415
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415

    solver: WindowSolver
    beside = _Joined(inc)
    if backend == "cpsat":
        solver = CpsatWindows(p, squares, inc.obj, clock, seed, opts.cpsat_least_s)
        if tries:
            inc.offer(improve(p, tries, keep, squares, inc.obj, clock, **lns))
            work.spend(lns_s)
    else:
        solver = HighsWindows(p, squares, opts, seed, clock=clock, better=beside, found=inc.take)
        if tries:
            beside.search = Beside(lambda stop: improve(p, tries, keep, squares, inc.obj, clock,
                                                        **lns, stop=stop))  # fmt: skip
    try:
        if on_progress is not None and inc.cells is not None:  # the warm start's score
            on_progress(inc.best, min(inc.best, *bounds))
        coarse = (_Coarse(p, keep, squares, work, seed, backend, opts)
                  if ceiling is None and opts.coarse_share > 0 else None)  # fmt: skip
        still = _passes(p, wins, bounds, solver, inc, adj, squares, work, stats, on_progress,
                        coarse)  # fmt: skip
    except BaseException:
        if beside.search is not None:  # an error (or Ctrl-C) must not leave it running on
            beside.search.cancel()
        raise
    if beside.search is not None:
        if still:  # the search runs to its own end (counted, not timed)
            beside()
        else:  # every window proven: nothing strictly better exists; where the stopped
            beside.search.cancel()  # search got to depends on timing, so its zone is not
            beside.search.result()  # taken
    if still and backend == "highs" and not work.done:
        rest = CpsatWindows(p, squares, inc.obj, clock, seed, opts.cpsat_least_s)
        still = _rest(p, wins, still, rest, inc, work, stats)
    sol = inc.solution(list(still.values()), time.monotonic() - t0, stats)
    sol.work_s, sol.deterministic = work.spent - spent0, not clock.hit
    return sol


@dataclass
class _Coarse:
    """The coarse-to-fine start, asked before each window the search solves: once the
    search is stuck (:func:`._coarse.stuck`, read on the work ``work`` has spent since
    this was made), the zone of ``p`` made from the best zone of ``p`` on a grid twice as
    coarse (:func:`._coarse.coarsen` of the cells a zone may hold, ``keep``, solved with
    ``coarse_share`` of the work left), repaired into a zone of ``p``'s model
    (:func:`._starts.repair`); at most once per solve."""

    p: Problem
    keep: NDArray[np.bool_]
    squares: NDArray[np.int64]
    work: Work
    seed: int
    backend: str
    opts: SolveOptions
    budget: float = field(init=False)
    spent0: float = field(init=False)
    done: bool = False

    def __post_init__(self) -> None:
        self.budget, self.spent0 = self.work.left, self.work.spent

    def __call__(self, best: float, bound: float) -> NDArray[np.int64] | None:
        """The repaired coarse zone when the search with incumbent score ``best`` and
        least open bound ``bound`` is stuck (the first time only); None otherwise."""
        share = (self.work.spent - self.spent0) / max(self.budget, 1e-9)
        g = gap(best, bound) if math.isfinite(best) else math.inf
        log.debug("progress: %.3f of the work spent, gap %.4f", share, g)
        if self.done or self.work.done or not stuck(share, g, self.opts):
            return None
        self.done = True
        coarse, of = coarsen(self.p.take(self.keep))
        if len(coarse) >= int(self.keep.sum()):  # one cell per block: nothing coarser
            return None
        sol = solve(coarse, seed=self.seed, backend=self.backend, work=self.work.part(
            self.opts.coarse_share), options=replace(self.opts, coarse_share=0.0))  # fmt: skip
        found = None if sol.cells is None else np.flatnonzero(self.keep)[np.isin(of, sol.cells)]
        zone = None if found is None else repair(self.p, found, self.keep, self.squares)
        log.debug("coarse start at %.2f of the work, gap %.4f: %d cells of %g m, %s %.2f in "
                  "%.2f work s; repaired %s against %.2f", share, g, len(coarse),
                  coarse.cell_m, sol.status, sol.objective, sol.work_s,
                  None if zone is None else round(self.p.objective(zone), 2), best)  # fmt: skip
        return zone


@dataclass
class _Joined:
    """The search beside the windows (``search``, None when there is none), taken into the
    incumbent once, when first called: it waits for the search to end by its own counted
    rule (its first round that finds nothing better, or its deterministic budget), so
    when that happens does not change the result."""

    inc: _Incumbent
    search: Beside | None = None
    taken: bool = False

    def __call__(self) -> NDArray[np.int64] | None:
        """The incumbent, after taking the search's zone (the first call waits for it)."""
        if self.search is not None and not self.taken:
            self.taken = True
            found = self.search.result()
            log.debug("beside search: %s against %.2f", None if found is None else
                      round(self.inc.p.objective(found), 2), self.inc.score)  # fmt: skip
            self.inc.offer(found)
        return self.inc.cells


@dataclass
class _Incumbent:
    """The best zone so far, compared in CP-SAT's integer score (so ties are stable), and
    the ``cutoff``: the least score ``outline`` gave for an incumbent (:func:`solve`), and
    the incumbent it gave it for (``held``)."""

    p: Problem
    obj: IntObjective
    outline: Callable[[NDArray[np.int64]], float | None] | None = None
    cutoff: float = math.inf
    held: NDArray[np.int64] | None = None
    cells: NDArray[np.int64] | None = None
    score_int: int | None = None
    score: float = math.inf
    looser: bool = False  # the incumbent is a ceiling: a zone of a looser problem
    before: list[NDArray[np.int64]] = field(default_factory=list)  # earlier incumbents

    def offer(self, cells: NDArray[np.int64] | None, *, looser: bool = False) -> None:
        """Take ``cells`` if it is a zone strictly better than the incumbent (``looser``:
        a zone of a looser problem, the ``ceiling`` of :func:`solve`)."""
        if cells is None:
            return
        v = self.obj.value(self.p, cells)
        if self.score_int is None or v < self.score_int:
            if self.cells is not None and not self.looser:  # a ceiling is no runner-up
                self.before.append(self.cells)
            self.cells, self.score_int, self.score = cells, v, self.p.objective(cells)
            self.looser = looser
            got = None if looser or self.outline is None else self.outline(cells)
            if got is not None and got < self.cutoff:
                self.cutoff, self.held = got, cells

    def take(self, cells: NDArray[np.int64]) -> float:
        """Offer ``cells`` (a zone of the problem); the cutoff after it."""
        self.offer(cells)
        return self.cutoff

    @property
    def best(self) -> float:
        """The score to beat: the incumbent's, or the cutoff when that is lower."""
        return min(self.score, self.cutoff)

    def beats(self, lb: float) -> bool:
        """Whether no zone of bound ``lb`` can be better than the incumbent (or cutoff)."""
        return self.cells is not None and lb >= self.best - 1e-9 * max(1.0, abs(self.best))

    def solution(self, open_lb: list[float], elapsed: float, stats: dict[str, int]) -> Solution:
        """The answer: the incumbent with the least bound of the windows still open."""
        open_lb = [lb for lb in open_lb if not self.beats(lb)]
        if self.cells is None:
            status = "UNKNOWN" if open_lb else "INFEASIBLE"
            return Solution(None, math.inf, min(open_lb, default=math.inf), status, math.inf,
                            elapsed, stats)  # fmt: skip
        bound = min([self.best, *open_lb])
        g = gap(self.best, bound)
        # A later incumbent whose outline did not beat the cutoff: the held zone is better.
        cells = self.held if self.held is not None and self.cutoff < self.score else self.cells
        return Solution(cells, self.p.objective(cells), bound, status_of(g), g, elapsed,
                        stats, runners_up=tuple(reversed(self.before)), cutoff=self.cutoff)  # fmt: skip


def gap(score: float, bound: float) -> float:
    """``(score − bound) / |score|``, at least 0; inf without a finite bound."""
    if not math.isfinite(bound):
        return math.inf
    return max(0.0, (score - bound) / max(abs(score), 1e-9))


def status_of(g: float) -> str:
    """``OPTIMAL`` when the gap ``g`` is closed, else ``FEASIBLE``."""
    return "OPTIMAL" if g <= 1e-9 else "FEASIBLE"


def _candidates(p: Problem, squares: NDArray[np.int64],
                held: NDArray[np.int64] | None = None) -> NDArray[np.bool_]:  # fmt: skip
    """The cells a zone may hold (``held``: the pairs a zone may hold together,
    :func:`~._window.held_edges`, computed when not given).

    With a width rule, only :func:`~._window.width_cells` (every piece of every cap is
    one). A zone holds a cell of each reach mask and of each boundary-length rule and has
    diameter ``≤ D``: cells farther than ``D`` from every such cell cannot be in one. Pieces of land too small for
    the zone go.
    """
    keep = width_cells(p, squares)
    for row in p.below:  # a cell that alone reaches the earlier minimum breaks the row
        u, most = below_units(row)
        keep &= u <= most
    D = p.max_diameter_m()
    for mask in [r.mask for r in p.reach] + [s.coef > 0 for s in p.sums if s.min_value > 0]:
        keep &= near_cells(p, keep & mask, D)
    lab = _components(keep, p.edges[held_edges(p, squares)] if held is None else held)
    if keep.any():
        comp_area = np.bincount(lab[keep], weights=p.area_m2[keep])
        keep &= (lab >= 0) & (comp_area[np.maximum(lab, 0)] >= p.min_area_m2 + AREA_MARGIN_M2)
    return keep


def _windows(p: Problem, keep: NDArray[np.bool_], edges: NDArray[np.int64]) -> list[_Win]:
    """Blocks of cells (a third of ``D`` wide) and, per block, every cell within ``D``;
    pieces of land are connected through ``edges`` (:func:`~._window.held_edges`)."""
    D = p.max_diameter_m()
    if not math.isfinite(D):
        return [(keep.copy(), keep.copy())]
    bs = max(1, int(D / 3 / p.cell_m))
    br, bc = p.row // bs, p.col // bs
    wins = []
    for b in sorted(set(zip(br[keep].tolist(), bc[keep].tolist(), strict=True))):
        r0, c0 = b[0] * bs, b[1] * bs
        gy = np.maximum(0, np.maximum(r0 - p.row - 1, p.row - (r0 + bs - 1) - 1)) * p.cell_m
        gx = np.maximum(0, np.maximum(c0 - p.col - 1, p.col - (c0 + bs - 1) - 1)) * p.cell_m
        wins.append((keep & (gx * gx + gy * gy <= D * D), keep & (br == b[0]) & (bc == b[1])))
    return _merge_windows(wins, _components(keep, edges))


def _bound(p: Problem, cells: NDArray[np.bool_]) -> float:
    """A lower bound on the score of any zone inside ``cells``."""
    return _knapsack_lb(p.cost[cells], p.area_m2[cells], p.min_area_m2 + AREA_MARGIN_M2,
                        p.max_area_m2 - AREA_MARGIN_M2) + p.perimeter_floor()  # fmt: skip


def _window_bound(p: Problem, win: NDArray[np.bool_], block: NDArray[np.bool_]) -> float:
    """The window's bound; inf when it cannot hold a zone (no block, a rule out of reach)."""
    ok = block.any() and all(r.mask[win].any() for r in p.reach)
    ok = ok and all(s.coef[win].sum() >= s.min_value - 0.05 for s in p.sums)
    return _bound(p, win) if ok else math.inf


def _warm_starts(
    p: Problem, wins: list[_Win], bounds: list[float], keep: NDArray[np.bool_],
    squares: NDArray[np.int64], adj: list[list[int]], opts: SolveOptions,
) -> list[NDArray[np.int64]]:  # fmt: skip
    """Zones of the model found without a solver, best first, one per cell set: greedy
    growth in the best-bound windows and the cheapest boxes cut to the land (with a
    width rule often the only zones greedy growth cannot spoil with a jagged edge)."""
    found: list[NDArray[np.int64]] = []
    for w in np.argsort(bounds, kind="stable")[: opts.greedy_windows].tolist():
        if not math.isfinite(bounds[w]):
            break
        zone = greedy(p, wins[w][0], wins[w][1], adj, squares)
        if zone is not None:
            found.append(zone)
    found += rectangles(p, keep, squares, top=opts.start_boxes)
    unique = {tuple(z.tolist()): z for z in sorted(found, key=p.objective)}
    return list(unique.values())


def _passes(
    p: Problem, wins: list[_Win], bounds: list[float], solver: WindowSolver, inc: _Incumbent,
    adj: list[list[int]], squares: NDArray[np.int64], work: Work, stats: dict[str, int],
    on_progress: Callable[[float, float], None] | None, coarse: _Coarse | None = None,
) -> dict[int, float]:  # fmt: skip
    """Solve the windows best bound first, in two passes; the windows left open, with
    their bounds.

    Pass 1 gives every window a share of the work left (half, at most), so a good zone
    anywhere becomes the incumbent early; pass 2 spends what is left on the windows
    still open, proving or improving. Windows whose bound cannot beat the incumbent are
    skipped in both passes. Shares are of the work left, which only counted work has
    spent, so they do not depend on the machine's load. Before each window the
    coarse-to-fine start (``coarse``) may offer a zone.
    """
    lb = {
        int(w): bounds[w]
        for w in np.argsort(bounds, kind="stable").tolist()
        if math.isfinite(bounds[w])
    }
    pending = list(lb)
    for pass_no in (1, 2):
        still: list[int] = []
        for k, w in enumerate(pending):
            if coarse is not None:  # the least bound still open: this window's or after
                low = min([inc.best, *(lb[v] for v in (*still, *pending[k:]))])
                inc.offer(coarse(inc.best, low))
            if inc.beats(lb[w]):
                stats["pruned"] += 1
                continue
            if work.done:
                still.append(w)
                continue
            win = wins[w][0]
            if inc.cells is not None and len(wins) > 1:
                win = _shrink(p, *wins[w], wins, inc.best)
            if not (win & wins[w][1]).any():
                stats["pruned"] += 1
                continue
            start = inc.cells if inc.cells is not None and not inc.looser and win[inc.cells].all() \
                else window_start(p, win, wins[w][1], adj, squares)  # fmt: skip
            left = max(1, sum(not inc.beats(lb[v]) for v in pending[k:]))
            share = 1.0 / (min(left, 2) if pass_no == 1 else left)
            res = solver.solve(np.flatnonzero(win), np.flatnonzero(win & wins[w][1]),
                               incumbent=inc.cells, start=start, work=work.part(share),
                               cutoff=inc.cutoff)  # fmt: skip
            stats["solved"] += 1
            stats["infeasible"] += res.status == "INFEASIBLE"
            inc.offer(res.cells)
            if res.status in ("FEASIBLE", "UNKNOWN"):
                lb[w] = max(lb[w], res.bound)
                still.append(w)
            log.debug("pass %d window %d: %s, %d of %d cells, %d rounds, %.2f work s, bound %.2f"
                      " (knapsack %.2f), incumbent %.2f", pass_no, w, res.status, int(win.sum()),
                      int(wins[w][0].sum()), res.rounds, res.work, lb[w], bounds[w], inc.best)  # fmt: skip
            if on_progress is not None:
                on_progress(
                    inc.best, min([inc.best, *(lb[v] for v in (*still, *pending[k + 1 :]))])
                )
        pending = still
        if not pending:
            break
    for w in pending:
        log.debug("open window %d: %d cells, bound %.2f (knapsack %.2f), incumbent %.2f", w,
                  int(wins[w][0].sum()), lb[w], bounds[w], inc.best)  # fmt: skip
    return {w: lb[w] for w in pending}


def _rest(
    p: Problem, wins: list[_Win], still: dict[int, float], solver: CpsatWindows,
    inc: _Incumbent, work: Work, stats: dict[str, int],
) -> dict[int, float]:  # fmt: skip
    """The work HiGHS left to CP-SAT (``solver``) on the windows ``still`` open; those it
    leaves open, with their bounds.

    HiGHS's runs stop at their allowances of root rounds and nodes, well before their
    share of the work when the root is slow, and a window solved again with no more work
    would prove no more (:func:`~._milp._retraced`): the search would end with work left,
    perhaps without a zone. CP-SAT solves the same model, each window best bound first
    with its share of the work left, from the incumbent when the window holds it; a
    window whose share is below the least CP-SAT run (``solver.least_s``) stays open, as
    that run would go past the budget.
    """
    out: dict[int, float] = {}
    for k, (w, lb) in enumerate(sorted(still.items(), key=lambda item: item[1])):
        if inc.beats(lb):
            stats["pruned"] += 1
            continue
        win = wins[w][0]
        if inc.cells is not None and len(wins) > 1:
            win = _shrink(p, *wins[w], wins, inc.best)
        share = work.part(1.0 / (len(still) - k))
        if share.left < solver.least_s or work.clock.out() or not (win & wins[w][1]).any():
            out[w] = lb
            continue
        mine = inc.cells is not None and not inc.looser and bool(win[inc.cells].all())
        res = solver.solve(np.flatnonzero(win), np.flatnonzero(win & wins[w][1]),
                           incumbent=inc.cells, start=inc.cells if mine else None, work=share)  # fmt: skip
        stats["solved"] += 1
        inc.offer(res.cells)
        if res.status in ("FEASIBLE", "UNKNOWN"):
            out[w] = max(lb, res.bound)
        log.debug("CP-SAT window %d: %s, %d cells, %.2f work s, bound %.2f, incumbent %.2f", w,
                  res.status, int(win.sum()), res.work, out.get(w, math.inf), inc.best)  # fmt: skip
    return out


def _knapsack_lb(
    cost: NDArray[np.float64], area: NDArray[np.float64], a_min: float, a_max: float
) -> float:
    """Least ``Σ cost·t`` with ``t ∈ [0,1]`` and ``Σ area·t ∈ [a_min, a_max]`` (inf if none).

    Taking cells cheapest per m² first, the least cost of each area is convex and
    piecewise linear, falling while the cells cost less than nothing: its least value on
    the band is where they run out, clipped to the band.
    """
    if area.sum() < a_min:
        return math.inf
    order = np.argsort(cost / area, kind="stable")
    ca, cc = np.r_[0.0, np.cumsum(area[order])], np.r_[0.0, np.cumsum(cost[order])]
    turn = ca[int((cost < 0).sum())]
    return float(np.interp(min(max(turn, a_min), a_max, ca[-1]), ca, cc))


def _merge_windows(wins: list[_Win], lab: NDArray[np.int64]) -> list[_Win]:
    """One window per piece of land that lies whole inside the window of its blocks.

    A zone is connected, so it lies in one piece of candidate land. When the window of a
    block holds every piece its block touches, that window with its root anywhere in
    those pieces covers every zone of them: the other blocks of the same pieces need no
    window of their own (otherwise a parcel spanning four blocks is solved four times).
    """
    out: list[_Win] = []
    seen: set[frozenset[int]] = set()
    for win, block in wins:
        labels = frozenset(np.unique(lab[block]).tolist())
        whole = np.isin(lab, list(labels))
        if labels and not (whole & ~win).any():
            for piece in sorted(labels):  # a zone lies in one piece: a window each
                if frozenset([piece]) not in seen:
                    seen.add(frozenset([piece]))
                    out.append((lab == piece, lab == piece))
        else:
            out.append((win, block))
    # Blocks whose pieces another window already covers whole need nothing more.
    covered = set().union(*seen) if seen else set()
    return [
        (w, b) for w, b in out
        if not (set(np.unique(lab[b]).tolist()) <= covered and not (w == b).all())
    ]  # fmt: skip


def _shrink(p: Problem, win: NDArray[np.bool_], block: NDArray[np.bool_], wins: list[_Win],
            best_obj: float) -> NDArray[np.bool_]:  # fmt: skip
    """Drop from a window the blocks no improving zone can touch, and what they cut off."""
    tol = 1e-9 * max(1.0, abs(best_obj))
    for w2, b2 in wins:
        part = b2 & win
        if not part.any() or (b2 & block).any():
            continue
        both = win & w2
        if _bound(p, both) >= best_obj - tol:
            win = win & ~part
    # Keep only cells connected to the block within the window.
    lab = _components(win, p.edges)
    roots = set(lab[win & block].tolist())
    return win & np.isin(lab, list(roots))
