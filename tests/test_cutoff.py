"""The search stops once no zone of grid cells beats the zone that will be returned.

``solve(outline=)`` is told, for each new incumbent, the score of a zone the caller holds
in its place (``place`` gives the straightened outline, when the incumbent and the
outline pass ``check``); the windows then need only be proven against that score. Each
test compares with a second method: every connected cell set enumerated, the CP-SAT
model, or the HiGHS search without the cutoff.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest
import shapely
from test_placement import _brute_force, _enum_setup, _width_window

from kitland import Estate
from kitland.measure import check
from kitland.placement import PlacementResult, _bands, _Outlines, build_problem, place, score
from kitland.placement._milp import HighsWindows
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._solve import solve
from kitland.rules import Rules

TOL = 1e-7


def _grid_problem(h: int, w: int, cost: np.ndarray, k: int) -> Problem:
    """``h × w`` unit cells with ``cost``, zones of exactly ``k`` connected cells."""
    n = h * w
    row, col = np.divmod(np.arange(n), w)
    edges = [(r * w + c, r * w + c + 1) for r in range(h) for c in range(w - 1)]
    edges += [(r * w + c, (r + 1) * w + c) for r in range(h - 1) for c in range(w)]
    return Problem(np.full(n, 1.0), np.full(n, 4.0), cost, row.astype(np.int64),
                   col.astype(np.int64), 1.0, np.array(edges, dtype=np.int64),
                   np.ones(len(edges)), k - 0.5, k + 0.5)  # fmt: skip


def _every_zone(p: Problem, k: int, keep: Callable[[set[int]], bool] | None = None) -> list[float]:
    """Independent method: the score of every connected set of ``k`` cells (that ``keep``
    accepts)."""
    adj: dict[int, set[int]] = {i: set() for i in range(len(p))}
    for i, j in p.edges.tolist():
        adj[i].add(j)
        adj[j].add(i)
    scores = []
    for cells in itertools.combinations(range(len(p)), k):
        s, seen, todo = set(cells), {cells[0]}, [cells[0]]
        while todo:
            for v in adj[todo.pop()] & s - seen:
                seen.add(v)
                todo.append(v)
        if len(seen) == k and (keep is None or keep(s)):
            scores.append(float(p.cost[list(cells)].sum()))
    return scores


# Costs that make the cheapest 5 cells a bent run along the top-left: a greedy start
# does not land on it, so the search has windows to prove.
COST = np.array([1, 2, 9, 3, 8,
                 4, 1, 7, 2, 6,
                 9, 3, 1, 5, 4,
                 6, 8, 2, 7, 3], dtype=float)  # fmt: skip


@pytest.mark.parametrize("probe", [False, True])
@pytest.mark.parametrize("below", [None, 0.5, 3.0, 100.0, -2.0])
def test_the_held_zone_is_never_beaten_by_a_zone_of_cells(below: float | None, probe: bool) -> None:
    """The caller holds, for each incumbent, a zone scoring ``below`` less (None: none;
    negative: a worse one, so the cutoff stays the cells' score). With every window
    proven, what the caller returns, ``min(objective, cutoff)``, scores no more than any
    connected set of cells (enumerated), and the bound is a true lower bound."""
    p = _grid_problem(4, 5, COST, k=5)
    every = _every_zone(p, 5)
    best = min(every)
    asked: list[float] = []

    def held(cells: np.ndarray) -> float | None:
        asked.append(p.objective(cells))
        return None if below is None else p.objective(cells) - below

    opts = SolveOptions(probe_min_cells=1 if probe else 256)
    sol = solve(p, time_limit_s=120, options=opts, outline=held)
    assert sol.status == "OPTIMAL" and sol.cells is not None
    ours = min(sol.objective, sol.cutoff)
    assert ours <= best + TOL  # no zone of cells beats what the caller returns
    assert sol.bound <= best + TOL  # the bound holds for every zone
    assert sol.bound == pytest.approx(ours, abs=TOL) and sol.gap == 0.0
    assert asked == sorted(asked, reverse=True) and len(set(asked)) == len(asked)  # new ones only
    if below is None or below < 0:  # nothing better held: the cells' own optimum
        assert sol.cutoff > sol.objective == pytest.approx(best, abs=TOL)
        assert math.isinf(sol.cutoff) == (below is None)
    else:
        assert sol.cutoff == pytest.approx(asked[-1] - below, abs=TOL)


def test_the_zone_returned_is_the_one_whose_outline_set_the_cutoff() -> None:
    """A poor start whose outline (held) beats every zone of cells, then better zones of
    cells whose outlines do not: the search is proven against the first outline, and
    the zone returned is the start, not the later incumbent. The cheap cells lie apart,
    so the windows' bounds (0) are below the cutoff and the windows are solved."""
    cost = np.array([0, 9, 0, 9, 0,
                     9, 9, 9, 9, 9,
                     0, 9, 9, 9, 0,
                     9, 9, 9, 9, 9], dtype=float)  # fmt: skip
    p = _grid_problem(4, 5, cost, k=5)
    assert min(_every_zone(p, 5)) == 18.0  # e.g. the top row
    poor = np.arange(15, 20)  # the bottom row, 45; its outline "scores" 10
    taken: list[float] = []

    def held(cells: np.ndarray) -> float | None:
        taken.append(p.objective(cells))
        return 10.0 if np.array_equal(cells, poor) else None

    sol = solve(p, time_limit_s=120, start=poor, outline=held)
    assert taken[0] == 45.0 and len(taken) >= 2 and min(taken) < 45.0  # later, better cells
    assert sol.status == "OPTIMAL" and sol.cutoff == 10.0 and sol.bound == pytest.approx(10.0)
    assert sol.cells is not None and np.array_equal(sol.cells, poor) and sol.objective == 45.0


def test_out_of_work_the_bound_still_holds_and_the_status_says_so() -> None:
    """A budget too small to prove anything: FEASIBLE, and the bound is still a lower
    bound on every zone (enumerated); OPTIMAL would be claimed only if it reached the
    zone held."""
    p = _grid_problem(4, 5, COST, k=5)
    best = min(_every_zone(p, 5))
    for work_rate in (1e-6, 1e-3, 0.5):
        sol = solve(p, time_limit_s=1, options=SolveOptions(work_rate=work_rate),
                    outline=lambda c: p.objective(c) - 0.5)  # fmt: skip
        assert sol.cells is not None and sol.bound <= best + TOL
        ours = min(sol.objective, sol.cutoff)
        assert (sol.status == "OPTIMAL") == (sol.bound >= ours - TOL)
        if sol.status == "OPTIMAL":
            assert ours <= best + TOL


@pytest.mark.parametrize("above", [False, True])
def test_a_window_searches_only_below_the_cutoff(above: bool) -> None:
    """The HiGHS window given a cutoff a hair below the CP-SAT optimum (a second solver)
    proves there is no zone below it (INFEASIBLE, no zone); a hair above, it returns
    that optimum."""
    prob, squares, _, b = _width_window()
    every = np.arange(len(prob))
    cut = b.objective + (1e-6 if above else -1e-6)
    got = HighsWindows(prob, squares, SolveOptions(probe_min_cells=1)).solve(
        every, every, incumbent=None, start=None, time_s=120, cutoff=cut
    )
    if above:
        assert got.status == "OPTIMAL" and got.cells is not None
        assert prob.objective(got.cells) == pytest.approx(b.objective, rel=1e-9)
    else:
        assert got.status == "INFEASIBLE" and got.cells is None
        assert got.bound >= cut - 1e-6


def test_a_zone_found_inside_a_window_lowers_its_cutoff() -> None:
    """``found`` holds, for each zone a window's MILP finds, a zone scoring 1 % less; the
    window returns as soon as nothing below that is left: what the caller holds scores
    no more than the CP-SAT optimum."""
    prob, squares, _, b = _width_window()
    every = np.arange(len(prob))
    held: list[float] = []

    def found(cells: np.ndarray) -> float:
        held.append(0.99 * prob.objective(cells))
        return held[-1]

    solver = HighsWindows(prob, squares, SolveOptions(probe_min_cells=1), found=found)
    res = solver.solve(every, every, incumbent=None, start=None, time_s=120)
    assert res.status == "OPTIMAL" and res.cells is not None
    assert min([prob.objective(res.cells), *held]) <= b.objective + 1e-6


def _band_optimum(est: Estate, rules: Rules, cell_m: float) -> float:
    """The proven optimum of ``place``'s first area band, by the CP-SAT model."""
    assert rules.zone is not None
    _, _, prob = build_problem(est, rules, cell_m=cell_m)
    sol = solve(_bands(prob, rules.zone.area_ha * 1e4)[0], time_limit_s=120, backend="cpsat")
    assert sol.status == "OPTIMAL"
    return sol.objective


def test_place_stops_at_the_outline_that_beats_every_zone_of_cells() -> None:
    """At 25 m the enumeration estate's zone straightens to an outline scoring below the
    zone's cells: the search is proven against the outline. It passes ``check``, scores
    what ``score`` says, and no zone of the grid's cells scores less (CP-SAT)."""
    est, rules = _enum_setup()
    res = place(est, rules, cell_m=25, time_limit_s=120)
    p = res.alternatives[0]
    assert res.status == "OPTIMAL" and p.status == "OPTIMAL" and p.gap == 0.0
    assert p.score < p.grid_score - 1.0  # the outline beats its own cells
    assert p.bound == pytest.approx(p.score, rel=1e-9)  # proven against the outline
    assert p.score <= _band_optimum(est, rules, 25.0) + 1e-6
    assert check(est, p.zone, rules).passed
    assert score(est, p.zone, rules) == pytest.approx(p.score, rel=1e-6)


def test_where_no_outline_beats_the_cells_the_bound_is_the_cells_optimum() -> None:
    """At 50 m no straight-edged outline beats the enumerated optimum: the cutoff stays
    the cells' score, and the zone and its bound are the brute-force optimum. The
    refinement after the search (on by default) only lowers the zone's score: the bound
    and the status stay."""
    est, rules = _enum_setup()
    best, _ = _brute_force(est, rules)
    res = place(est, rules, cell_m=50, time_limit_s=120, options=SolveOptions(refine_checks=0))
    p = res.alternatives[0]
    assert p.status == "OPTIMAL"
    assert p.score == pytest.approx(best, rel=1e-9) == p.grid_score
    assert p.bound == pytest.approx(best, rel=1e-9)
    refined = place(est, rules, cell_m=50, time_limit_s=120).alternatives[0]
    assert refined.status == "OPTIMAL" and refined.bound == pytest.approx(best, rel=1e-9)
    assert refined.score < best and check(est, refined.zone, rules).passed
    assert score(est, refined.zone, rules, cell_m=50) == pytest.approx(refined.score, rel=1e-6)


def test_on_a_grid_past_refine_search_cells_the_refined_outline_is_the_cutoff() -> None:
    """With ``refine_search_cells`` at or below the grid's cells, each zone the search
    takes is refined and that score is the cutoff: at 50 m the refined outline scores
    below every zone of cells (the enumerated optimum), so the proof is against it
    (bound = score), and it passes ``check`` and scores what ``score`` says."""
    est, rules = _enum_setup()
    best, _ = _brute_force(est, rules)
    res = place(est, rules, cell_m=50, time_limit_s=120,
                options=SolveOptions(refine_search_cells=1))  # fmt: skip
    p = res.alternatives[0]
    assert p.status == "OPTIMAL" and p.gap == 0.0
    assert p.score < best - 1e-6 and p.bound == pytest.approx(p.score, rel=1e-9)
    assert check(est, p.zone, rules).passed
    assert score(est, p.zone, rules, cell_m=50) == pytest.approx(p.score, rel=1e-6)


# -- alternatives: the outline cutoff under the overlap limit -------------------------------
@pytest.mark.parametrize("shift", [0.0, -5.0])
@pytest.mark.parametrize("share", [0.2, 0.4, 0.6])
def test_alternatives_are_proven_against_the_zone_held_among_zones_keeping_the_limit(
    share: float, shift: float
) -> None:
    """Ranks 2 and 3 of the row problem: each overlaps every earlier zone by at most
    ``share`` of its five cells (``Problem.with_avoid``), and the caller holds a zone 0.5
    below each incumbent. With every window proven, what the caller returns scores no
    more than any connected set of cells keeping the limit (enumerated), the bound is a
    true lower bound on those, and the cells keep the limit. ``shift`` makes every
    cost negative (a ``far`` preference)."""
    p = _grid_problem(4, 5, COST + shift, k=5)
    earlier: list[set[int]] = []
    for _ in range(3):
        most = math.floor(share * 5 + 1e-9)

        def kept(cells: set[int], most: int = most) -> bool:
            return all(len(cells & e) <= most for e in earlier)

        every = _every_zone(p, 5, kept)
        sol = solve(p, time_limit_s=120, outline=lambda c, q=p: q.objective(c) - 0.5)
        if not every:
            assert sol.status == "INFEASIBLE" and sol.cells is None
            break
        assert sol.status == "OPTIMAL" and sol.cells is not None
        ours = min(sol.objective, sol.cutoff)
        assert ours <= min(every) + TOL and sol.bound <= min(every) + TOL
        assert sol.bound == pytest.approx(ours, abs=TOL)
        assert sol.cutoff == pytest.approx(sol.objective - 0.5, abs=TOL)
        assert kept(set(sol.cells.tolist()))
        earlier.append(set(sol.cells.tolist()))
        p = p.with_avoid(sol.cells, share)
    assert len(earlier) >= 2  # at least one alternative was proven


@functools.cache
def _alternatives_25m(max_overlap: float) -> PlacementResult:
    """The enumeration estate at 25 m, two placements (rank 2: the best zone overlapping
    rank 1's cells by at most ``max_overlap`` of its area)."""
    est, rules = _enum_setup()
    return place(est, rules, cell_m=25, time_limit_s=600, alternatives=2,
                 max_overlap=max_overlap, options=SolveOptions(refine_checks=0))  # fmt: skip


def _rank2_optimum(max_overlap: float) -> float:
    """CP-SAT's proven optimum of rank 2's first area band (a second exact method): the
    best zone of cells keeping the overlap limit against rank 1's cells."""
    est, rules = _enum_setup()
    _, _, prob = build_problem(est, rules, cell_m=25)
    first = _alternatives_25m(max_overlap).alternatives[0]
    band = _bands(prob.with_avoid(first.cells, max_overlap), 1.25e4)[0]
    sol = solve(band, time_limit_s=300, backend="cpsat")
    assert sol.status == "OPTIMAL"
    return sol.objective


def _overlap_share(zone: shapely.Geometry, earlier: shapely.Geometry) -> float:
    return float(zone.intersection(earlier).area / zone.area)


def test_an_alternative_stops_at_its_outline_that_keeps_the_overlap_limit() -> None:
    """Rank 2 straightens to an outline scoring below its cells that keeps the 25 % limit
    against rank 1's zone: the search is proven against the outline, which passes
    ``check``, scores what ``score`` says, and no zone of cells keeping the limit scores
    less (CP-SAT)."""
    est, rules = _enum_setup()
    first, second = _alternatives_25m(0.25).alternatives
    assert second.status == "OPTIMAL" and second.gap == 0.0
    assert second.score < second.grid_score - 1.0  # the outline beats its own cells
    assert second.bound == pytest.approx(second.score, rel=1e-9)  # proven against it
    assert second.score <= _rank2_optimum(0.25) + 1e-6
    assert _overlap_share(second.zone, first.zone) <= 0.25
    assert check(est, second.zone, rules).passed
    assert score(est, second.zone, rules) == pytest.approx(second.score, rel=1e-6)


def test_an_outline_that_breaks_the_overlap_limit_is_not_the_cutoff() -> None:
    """With a 60 % limit, rank 2's cells straighten best to an outline that overlaps rank
    1's zone by more than 60 % and scores below every zone of cells keeping the limit.
    Held without the limit it would set the cutoff; held with it, it does not, and rank 2
    is the best zone of cells keeping the limit (CP-SAT), its own outline within it."""
    est, rules = _enum_setup()
    land, cells, prob = build_problem(est, rules, cell_m=25)
    first, second = _alternatives_25m(0.6).alternatives
    current = _bands(prob.with_avoid(first.cells, 0.6), 1.25e4)[0]
    free = _Outlines(est, rules, cells, land, current)
    below = free(second.cells)
    assert below is not None and below < second.score - 1.0  # an outline beats the zone…
    straight = free.found[second.cells.tobytes()]
    assert straight is not None and _overlap_share(straight[0], first.zone) > 0.6  # …breaking it
    held = _Outlines(est, rules, cells, land, current, ((first.zone, 0.6),))
    got = held(second.cells)
    kept = held.found[second.cells.tobytes()]
    assert got is None or (kept is not None and _overlap_share(kept[0], first.zone) <= 0.6)
    assert second.status == "OPTIMAL"
    assert second.score == pytest.approx(_rank2_optimum(0.6), rel=1e-9)
    assert _overlap_share(second.zone, first.zone) <= 0.6
    assert check(est, second.zone, rules).passed


def test_a_refined_alternative_keeps_the_overlap_limit() -> None:
    """With the refinement on (the default), rank 2's zone is refined only through outlines
    that keep the 25 % limit against rank 1's returned zone: it still keeps it, passes
    ``check`` and scores no more than the unrefined run's rank 2."""
    est, rules = _enum_setup()
    first, second = place(est, rules, cell_m=25, time_limit_s=600, alternatives=2,
                          max_overlap=0.25).alternatives  # fmt: skip
    assert _overlap_share(second.zone, first.zone) <= 0.25 + 1e-4
    assert check(est, second.zone, rules).passed
    assert second.score <= _alternatives_25m(0.25).alternatives[1].score + 1e-6
