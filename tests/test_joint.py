"""The joint solver of several zones (issue 17 §1) against enumeration on tiny grids.

Every expected value is computed here by enumerating every connected cell set of each
zone and every combination of them, with distances measured by shapely on the cells'
squares: nothing is taken from the solver's own output.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely

from kitland.placement._joint import Between, sequential, solve_joint
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions

CELL = 10.0
LIMIT = 60.0  # generous: every instance here is proven in well under a second
#: The defaults, and probing every zone's cells against the start (small zones skip it).
OPTIONS = [SolveOptions(), SolveOptions(probe_min_cells=1)]


def grid(
    rows: int, cols: int, cost: list[float], cells: tuple[int, int], weight: float = 0.0
) -> Problem:
    """A ``rows × cols`` grid of 10 m cells; a zone holds ``cells[0]..cells[1]`` cells."""
    n = rows * cols
    r, c = np.divmod(np.arange(n), cols)
    edges = [(i, i + 1) for i in range(n) if c[i] < cols - 1] + [
        (i, i + cols) for i in range(n - cols)
    ]
    a = CELL * CELL
    return Problem(np.full(n, a), np.full(n, 4 * CELL), np.asarray(cost, float), r, c, CELL,
                   np.array(edges), np.full(len(edges), CELL), cells[0] * a - 1, cells[1] * a + 1,
                   boundary_weight=weight)  # fmt: skip


def zones_of(p: Problem, allowed: np.ndarray) -> list[frozenset[int]]:
    """Every connected set of allowed cells whose area is in the band (enumeration)."""
    nbr: dict[int, set[int]] = {i: set() for i in range(len(p))}
    for i, j in p.edges.tolist():
        nbr[i].add(j)
        nbr[j].add(i)
    out = []
    idx = np.flatnonzero(allowed).tolist()
    for k in range(1, len(idx) + 1):
        if k * CELL * CELL > p.max_area_m2:
            break
        if k * CELL * CELL < p.min_area_m2:
            continue
        for s in itertools.combinations(idx, k):
            seen, todo = {s[0]}, [s[0]]
            while todo:
                for v in nbr[todo.pop()] & set(s):
                    if v not in seen:
                        seen.add(v)
                        todo.append(v)
            if len(seen) == k:
                out.append(frozenset(s))
    return out


def score(p: Problem, s: frozenset[int]) -> float:
    """Cost plus weight × perimeter, the perimeter counted from the squares' union."""
    union = shapely.union_all([shapely.box(p.col[i] * CELL, p.row[i] * CELL, (p.col[i] + 1) * CELL,
                                           (p.row[i] + 1) * CELL) for i in s])  # fmt: skip
    return float(sum(p.cost[i] for i in s)) + p.boundary_weight * union.length


def distance(p: Problem, a: frozenset[int], b: frozenset[int]) -> float:
    """Distance between the two sets' squares, by shapely."""

    def geom(s: frozenset[int]) -> shapely.Geometry:
        return shapely.union_all([shapely.box(p.col[i] * CELL, p.row[i] * CELL,
                                              (p.col[i] + 1) * CELL, (p.row[i] + 1) * CELL) for i in s])  # fmt: skip

    return float(geom(a).distance(geom(b)))


def best_pair(ps: list[Problem], allowed: list[np.ndarray], *, min_m: float = 0.0,
              total: tuple[float, float] | None = None) -> float:  # fmt: skip
    """The least summed score over disjoint pairs (at least ``min_m`` apart, total area in
    ``total``), by enumeration; inf when none."""
    best = math.inf
    for a in zones_of(ps[0], allowed[0]):
        for b in zones_of(ps[1], allowed[1]):
            if a & b:
                continue
            if total is not None and not total[0] <= (len(a) + len(b)) * CELL * CELL <= total[1]:
                continue
            if min_m > 0 and distance(ps[0], a, b) < min_m:
                continue
            best = min(best, score(ps[0], a) + score(ps[1], b))
    return best


@pytest.mark.parametrize("opts", OPTIONS)
def test_two_zones_joint_optimum_matches_enumeration(opts: SolveOptions) -> None:
    rng = np.random.default_rng(7)
    ps = [grid(3, 4, rng.uniform(0, 10, 12).round(2).tolist(), (3, 4), weight=0.05),
          grid(3, 4, rng.uniform(0, 10, 12).round(2).tolist(), (2, 4), weight=0.05)]  # fmt: skip
    allowed = [np.ones(12, bool), np.ones(12, bool)]
    allowed[1][0] = False  # zone 1 may not use the corner cell
    sol = solve_joint(ps, allowed, time_limit_s=LIMIT, options=opts)
    assert sol.status == "OPTIMAL"
    assert sol.objective == pytest.approx(best_pair(ps, allowed), abs=1e-6)
    a, b = (frozenset(c.tolist()) for c in sol.cells or [])
    assert not a & b and 0 not in b
    assert sol.objective == pytest.approx(score(ps[0], a) + score(ps[1], b), abs=1e-6)


@pytest.mark.parametrize("opts", OPTIONS)
def test_one_by_one_is_worse_than_the_joint_optimum(opts: SolveOptions) -> None:
    # A row of five cells. Zone 0 alone takes the middle pair (cost 0); zone 1 then pays
    # 18 on the right. Together: zone 0 on the right (10), zone 1 in the middle (2).
    ps = [grid(1, 5, [5, 0, 0, 5, 5], (2, 2)), grid(1, 5, [9, 1, 1, 9, 9], (2, 2))]
    allowed = [np.ones(5, bool)] * 2
    first = min(zones_of(ps[0], allowed[0]), key=lambda s: score(ps[0], s))
    rest = np.ones(5, bool)
    rest[list(first)] = False
    then = min(score(ps[1], s) for s in zones_of(ps[1], rest))
    one_by_one = score(ps[0], first) + then  # 0 + 18, by enumeration
    joint = best_pair(ps, allowed)  # 10 + 2
    assert joint < one_by_one
    seq = sequential(ps, allowed, time_limit_s=LIMIT)
    assert seq is not None
    assert sum(p.objective(c) for p, c in zip(ps, seq, strict=True)) == pytest.approx(one_by_one)
    events: list[tuple[float, float]] = []
    sol = solve_joint(ps, allowed, time_limit_s=LIMIT, options=opts,
                      on_progress=lambda best, bound: events.append((best, bound)))  # fmt: skip
    assert sol.status == "OPTIMAL"
    assert sol.start == pytest.approx(one_by_one)
    assert sol.objective == pytest.approx(joint)
    # Progress: the start's 18 first, the proven 12 last; every bound a true lower bound.
    assert events[0][0] == pytest.approx(one_by_one)
    assert events[-1] == pytest.approx((joint, joint))
    assert all(bound <= joint + 1e-9 and bound <= best + 1e-9 for best, bound in events)


def test_one_by_one_finds_nothing_where_the_joint_model_does() -> None:
    # Four cells: zone 0 alone takes the middle pair and leaves zone 1 two single cells.
    ps = [grid(1, 4, [5, 0, 0, 5], (2, 2)), grid(1, 4, [1, 1, 1, 1], (2, 2))]
    allowed = [np.ones(4, bool)] * 2
    assert sequential(ps, allowed, time_limit_s=LIMIT) is None
    sol = solve_joint(ps, allowed, time_limit_s=LIMIT)
    assert sol.status == "OPTIMAL"
    assert math.isinf(sol.start)
    assert sol.objective == pytest.approx(best_pair(ps, allowed))  # 5 + 2


@pytest.mark.parametrize("opts", OPTIONS)
def test_separation_forces_a_worse_allocation(opts: SolveOptions) -> None:
    rng = np.random.default_rng(3)
    ps = [grid(3, 5, rng.uniform(0, 10, 15).round(2).tolist(), (3, 3)),
          grid(3, 5, rng.uniform(0, 10, 15).round(2).tolist(), (3, 3))]  # fmt: skip
    allowed = [np.ones(15, bool)] * 2
    free, apart = best_pair(ps, allowed), best_pair(ps, allowed, min_m=15.0)
    assert math.isfinite(apart) and apart > free  # the instance is one where it matters
    sep = Between("apart", "separation", (0, 1), min_m=15.0)
    sol = solve_joint(ps, allowed, [sep], time_limit_s=LIMIT, options=opts)
    assert sol.status == "OPTIMAL"
    assert sol.objective == pytest.approx(apart, abs=1e-6)
    a, b = (frozenset(c.tolist()) for c in sol.cells or [])
    assert distance(ps[0], a, b) >= 15.0
    assert solve_joint(ps, allowed, time_limit_s=LIMIT).objective == pytest.approx(free, abs=1e-6)


def test_total_area_is_held() -> None:
    ps = [
        grid(2, 4, [1, 2, 3, 4, 5, 6, 7, 8], (1, 4)),
        grid(2, 4, [8, 7, 6, 5, 4, 3, 2, 1], (1, 4)),
    ]
    allowed = [np.ones(8, bool)] * 2
    band = (5 * CELL**2 - 1, 6 * CELL**2 + 1)  # the two zones together hold 5 or 6 cells
    rule = Between("total", "total_area", (0, 1), min_m2=band[0], max_m2=band[1])
    sol = solve_joint(ps, allowed, [rule], time_limit_s=LIMIT)
    assert sol.status == "OPTIMAL"
    assert sol.objective == pytest.approx(best_pair(ps, allowed, total=band), abs=1e-6)
    assert 5 <= sum(len(c) for c in sol.cells or []) <= 6


def test_infeasible_names_the_blocking_between_rule() -> None:
    # Two zones of two cells on a row of four fit side by side, but not 15 m apart.
    ps = [grid(1, 4, [1, 2, 3, 4], (2, 2)), grid(1, 4, [4, 3, 2, 1], (2, 2))]
    allowed = [np.ones(4, bool)] * 2
    assert math.isinf(best_pair(ps, allowed, min_m=15.0))
    assert math.isfinite(best_pair(ps, allowed, total=(0, 4 * CELL**2 + 1)))
    rules = [Between("apart", "separation", (0, 1), min_m=15.0),
             Between("total", "total_area", (0, 1), max_m2=4 * CELL**2 + 1)]  # fmt: skip
    sol = solve_joint(ps, allowed, rules, time_limit_s=LIMIT)
    assert sol.status == "INFEASIBLE" and not sol.found
    assert [name for name, _ in sol.blocking] == ["apart"]


def test_infeasible_names_the_zone_whose_own_rules_fail() -> None:
    ps = [grid(1, 4, [1, 2, 3, 4], (2, 2)), grid(1, 4, [1, 1, 1, 1], (5, 5))]  # 5 cells of 4
    sol = solve_joint(ps, [np.ones(4, bool)] * 2, time_limit_s=LIMIT)
    assert sol.status == "INFEASIBLE"
    assert [name for name, _ in sol.blocking] == ["zone 1"]


def test_masks_and_rules_that_do_not_fit_are_refused() -> None:
    p = grid(1, 4, [1, 2, 3, 4], (2, 2))
    with pytest.raises(ValueError, match="one mask per zone"):
        solve_joint([p, p], [np.ones(4, bool)])
    with pytest.raises(ValueError, match="between rule 'x'"):
        solve_joint([p, p], [np.ones(4, bool)] * 2, [Between("x", "separation", (0, 2))])


@pytest.mark.parametrize("share", [0.0, 0.5])
def test_a_second_allocation_moves_every_zone(share: float) -> None:
    """The allocations after the first (``place --alternatives``): every zone overlaps its
    own cells of the first by at most ``share`` of its area. The row of five cells above:
    first zone 0 on the right, zone 1 in the middle (12); the second by enumeration
    (share 0: 0 + 18; share 0.5: 5 + 10)."""
    ps = [grid(1, 5, [5, 0, 0, 5, 5], (2, 2)), grid(1, 5, [9, 1, 1, 9, 9], (2, 2))]
    allowed = [np.ones(5, bool)] * 2
    first = solve_joint(ps, allowed, time_limit_s=LIMIT)
    assert first.cells is not None
    again = [p.with_avoid(c, share) for p, c in zip(ps, first.cells, strict=True)]
    sol = solve_joint(again, allowed, time_limit_s=LIMIT)
    before = [frozenset(c.tolist()) for c in first.cells]
    best = min(
        score(ps[0], a) + score(ps[1], b)
        for a in zones_of(ps[0], allowed[0]) for b in zones_of(ps[1], allowed[1])
        if not a & b and len(a & before[0]) <= share * len(a) and len(b & before[1]) <= share * len(b)
    )  # fmt: skip
    assert best == pytest.approx(18.0 if share == 0 else 15.0)
    assert sol.status == "OPTIMAL" and sol.objective == pytest.approx(best)
    assert sol.cells is not None
    for c, b in zip(sol.cells, before, strict=True):
        assert len(set(c.tolist()) & b) <= share * len(c)


def test_the_joint_solve_keeps_the_callers_clock() -> None:
    # One clock for the whole call: with the caller's clock run out, no stage runs past
    # it — nothing is found and nothing is claimed (UNKNOWN, not INFEASIBLE), although
    # ``time_limit_s`` alone would allow a proof; with the clock live, the proven optimum
    # of test_a_second_allocation_moves_every_zone's row (12, by enumeration there).
    from kitland.placement._work import Clock  # noqa: PLC0415

    ps = [grid(1, 5, [5, 0, 0, 5, 5], (2, 2)), grid(1, 5, [9, 1, 1, 9, 9], (2, 2))]
    allowed = [np.ones(5, bool)] * 2
    late = solve_joint(ps, allowed, time_limit_s=10 * LIMIT, clock=Clock(0.0))
    assert late.status == "UNKNOWN" and late.cells is None
    sol = solve_joint(ps, allowed, time_limit_s=10 * LIMIT, clock=Clock.after(LIMIT))
    assert sol.status == "OPTIMAL" and sol.objective == pytest.approx(12.0)


def test_the_diagnosis_runs_only_in_the_time_left() -> None:
    # The instance of test_infeasible_names_the_blocking_between_rule with the clock run
    # out: nothing is claimed and the diagnosis says it did not run.
    from kitland.placement._joint import _blocking  # noqa: PLC0415
    from kitland.placement._work import Clock  # noqa: PLC0415

    ps = [grid(1, 4, [1, 2, 3, 4], (2, 2)), grid(1, 4, [4, 3, 2, 1], (2, 2))]
    rules = [Between("apart", "separation", (0, 1), min_m=15.0),
             Between("total", "total_area", (0, 1), max_m2=4 * CELL**2 + 1)]  # fmt: skip
    args = (ps, [np.ones(4, bool)] * 2, rules, ["zone 0", "zone 1"], [])
    assert _blocking(*args, options=SolveOptions(), clock=Clock(0.0)) == ([], False)
    found, done = _blocking(*args, options=SolveOptions(), clock=Clock.after(LIMIT))
    assert done and [name for name, _ in found] == ["apart"]
    # A zone left undecided by its one-zone solve is solved alone again: the zone of 5
    # cells on a row of 4 of test_infeasible_names_the_zone_whose_own_rules_fail.
    own = [ps[0], grid(1, 4, [1, 1, 1, 1], (5, 5))]
    found, done = _blocking(own, [np.ones(4, bool)] * 2, [], ["zone 0", "zone 1"], [1],
                            options=SolveOptions(), clock=Clock.after(LIMIT))  # fmt: skip
    assert done and [name for name, _ in found] == ["zone 1"]
