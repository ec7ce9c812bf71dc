"""Warm starts (``kitland.placement._starts``) on hand-made land, checked by enumeration."""

from __future__ import annotations

import itertools
import logging

import numpy as np
import pytest
import shapely
from shapely import LineString, Polygon

from kitland.placement import SolveOptions
from kitland.placement._cells import make_cells
from kitland.placement._model import Problem, SumAtLeast
from kitland.placement._solve import solve
from kitland.placement._starts import rectangles
from kitland.placement._window import feasible, squares_of

# A trapezoid whose east side, a road, runs slanted across the 25 m grid: every cell
# that touches the road is clipped, so no box of whole cells has any frontage.
ROAD = LineString([(500, 0), (420, 300)])
LAND = Polygon([(0, 0), (500, 0), (420, 300), (0, 300)])


def _frontage_problem(min_frontage_m: float) -> Problem:
    """20,000–21,000 m² on the trapezoid with ``min_frontage_m`` of road frontage;
    cells cost their area times one plus their distance from the south edge in 100 m."""
    cells = make_cells(LAND, cell_m=25.0)
    near_road = shapely.buffer(ROAD, 0.01)
    front = shapely.length(shapely.intersection(cells.exposed, near_road))
    centre_y = shapely.get_y(shapely.centroid(cells.geoms))
    cost = cells.area_m2 * (1.0 + centre_y / 100.0)
    return Problem(cells.area_m2, cells.perimeter_m, cost, cells.row, cells.col, 25.0,
                   cells.edges, cells.shared_m, 20_000.0, 21_000.0,
                   sums=(SumAtLeast("frontage", np.asarray(front, float), min_frontage_m),))  # fmt: skip


def _best_box_by_enumeration(p: Problem) -> float:
    """The least cost of every box of grid positions cut to the land that is a zone."""
    squares = squares_of(p)
    best = np.inf
    rows, cols = range(int(p.row.max()) + 1), range(int(p.col.max()) + 1)
    for r0, r1 in itertools.combinations_with_replacement(rows, 2):
        for c0, c1 in itertools.combinations_with_replacement(cols, 2):
            sel = np.flatnonzero((p.row >= r0) & (p.row <= r1) & (p.col >= c0) & (p.col <= c1))
            area = p.area_m2[sel].sum()
            if not 20_000.0 <= area <= 21_000.0 or p.cost[sel].sum() >= best:
                continue
            if feasible(p, sel, squares):
                best = min(best, float(p.cost[sel].sum()))
    return best


def test_the_box_start_follows_a_slanted_road_and_is_the_best_box() -> None:
    """With 150 m of frontage asked for, the box start reaches the slanted road through
    clipped cells, and no box of the grid cut to the land is cheaper (enumerated)."""
    p = _frontage_problem(150.0)
    (zone,) = rectangles(p, np.ones(len(p), dtype=bool), squares_of(p), top=1)
    assert feasible(p, zone, squares_of(p))
    assert p.sums[0].coef[zone].sum() >= 150.0
    assert (p.area_m2[zone] < 625.0 - 1e-6).any()  # clipped cells along the road
    assert p.objective(zone) == pytest.approx(_best_box_by_enumeration(p))
    whole = p.area_m2 >= 625.0 - 1e-6
    assert p.sums[0].coef[whole].sum() == 0.0  # a box of whole cells could not do it


def _two_pockets() -> Problem:
    """Two 4 × 4 pockets of 10 m cells with no land between them; zones of 4 cells.
    Pocket A (columns 0–3) costs 10 a cell; pocket B (columns 10–13) costs its column
    number plus its row number, so its best zone is the 2 × 2 square at its corner."""
    rows, cols = np.divmod(np.arange(32), 8)  # 4 rows × 8 positions
    cols = np.where(cols < 4, cols, cols + 6)
    cost = np.where(cols < 4, 10.0, (cols - 10) + rows.astype(float))
    pos = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(rows, cols, strict=True))}
    edges = np.array([(i, pos[(r + dr, c + dc)]) for (r, c), i in pos.items()
                      for dr, dc in ((0, 1), (1, 0)) if (r + dr, c + dc) in pos])  # fmt: skip
    n = len(cost)
    return Problem(np.full(n, 100.0), np.full(n, 40.0), cost, rows, cols, 10.0, edges,
                   np.full(len(edges), 10.0), 390.0, 410.0)  # fmt: skip


def _best_by_enumeration(p: Problem) -> float:
    """The least cost of any 4 connected cells: every 4-subset whose rows and columns
    span at most 3 steps in all (no connected set of 4 spans more) is judged."""
    squares, best = squares_of(p), np.inf
    for s in map(np.array, itertools.combinations(range(len(p)), 4)):
        span = np.ptp(p.row[s]) + np.ptp(p.col[s])
        if span <= 3 and feasible(p, s, squares):
            best = min(best, p.objective(s))
    return float(best)


def test_the_neighbourhood_search_goes_on_from_the_next_start() -> None:
    """From a zone in pocket A alone the band search cannot leave A; with a zone of B as
    the next start it reaches B's best zone, the optimum found by enumeration."""
    from kitland.placement._cpsat import improve  # noqa: PLC0415
    from kitland.placement._window import IntObjective  # noqa: PLC0415
    from kitland.placement._work import Clock  # noqa: PLC0415

    p = _two_pockets()
    keep, squares, obj = np.ones(len(p), dtype=bool), squares_of(p), IntObjective.of(p)
    in_a = np.flatnonzero((p.col <= 1) & (p.row <= 1))
    in_b = np.flatnonzero((p.col >= 12) & (p.row >= 2))  # B's dearest 2 × 2 corner
    alone = improve(p, [in_a], keep, squares, obj, Clock(), budget_s=20.0, round_s=2.0, seed=0)
    assert p.objective(alone) == 40.0  # every zone of A costs 40
    both = improve(p, [in_a, in_b], keep, squares, obj, Clock(), budget_s=20.0, round_s=2.0, seed=0)
    assert p.objective(both) == pytest.approx(_best_by_enumeration(p))
    assert (p.col[both] >= 10).all()


def _search(p: Problem, starts: list[np.ndarray], caplog: pytest.LogCaptureFixture,
            ) -> tuple[np.ndarray, list[str]]:  # fmt: skip
    """The neighbourhood search from ``starts`` (20 deterministic s in rounds of 2): its
    zone and the lines it logged for its rounds."""
    from kitland.placement._cpsat import improve  # noqa: PLC0415
    from kitland.placement._window import IntObjective  # noqa: PLC0415
    from kitland.placement._work import Clock  # noqa: PLC0415

    caplog.clear()
    caplog.set_level(logging.DEBUG, logger="kitland.placement._cpsat")
    keep, squares, obj = np.ones(len(p), dtype=bool), squares_of(p), IntObjective.of(p)
    zone = improve(p, starts, keep, squares, obj, Clock(), budget_s=20.0, round_s=2.0, seed=0)
    return zone, [r.getMessage() for r in caplog.records if r.msg.startswith("search round")]


def test_the_neighbourhood_search_ends_at_a_round_that_finds_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """From a zone of pocket A (every zone of A costs 40) the first round finds nothing
    better, and the search ends there, with most of its 20 s budget left; from B's
    dearest corner it descends to B's best zone (the optimum by enumeration) and ends
    with the one round that finds nothing better. Each run twice: the same rounds."""
    p = _two_pockets()
    in_a = np.flatnonzero((p.col <= 1) & (p.row <= 1))
    zone, rounds = _search(p, [in_a], caplog)
    assert p.objective(zone) == 40.0
    assert len(rounds) == 1
    assert rounds[0].endswith("nothing better")
    in_b = np.flatnonzero((p.col >= 12) & (p.row >= 2))
    zone, rounds = _search(p, [in_b], caplog)
    assert p.objective(zone) == pytest.approx(_best_by_enumeration(p))
    assert len(rounds) >= 2  # the start is not B's best
    assert all(r.endswith(" better") and "nothing" not in r for r in rounds[:-1])
    assert rounds[-1].endswith("nothing better")
    again, rounds_again = _search(p, [in_b], caplog)
    assert again.tolist() == zone.tolist()
    assert rounds_again == rounds  # the same rounds in the same deterministic time


def test_a_solve_with_the_search_beside_proves_the_optimum_twice_the_same() -> None:
    """``solve`` with every window probed (so the search's zone is waited for and taken
    in) proves the least cost that enumeration finds, and a second run repeats the zone
    and its work to the digit."""
    from kitland.placement._options import SolveOptions  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    p, opts = _two_pockets(), SolveOptions(probe_min_cells=1)
    first, second = (solve(p, time_limit_s=60, options=opts) for _ in range(2))
    assert first.status == "OPTIMAL"
    assert first.objective == pytest.approx(_best_by_enumeration(p))
    assert first.deterministic
    assert second.cells.tolist() == first.cells.tolist()
    assert second.work_s == first.work_s


def _beside_an_earlier_zone() -> Problem:
    """Six rows of ten 10 m cells; an earlier zone holds columns 7–9, and only column 9
    borders the industry (10 m a cell, 10 m asked for). Zones of 12 cells may overlap
    the earlier zone by a quarter of their area (3 cells): a row of columns 7–9 to reach
    column 9, nine cells west of it. The earlier zone's cells cost 1, the others
    ``10 − column``."""
    rows, cols = np.divmod(np.arange(60), 10)
    earlier = cols >= 7
    cost = np.where(earlier, 1.0, 10.0 - cols)
    pos = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(rows, cols, strict=True))}
    edges = np.array([(i, pos[(r + dr, c + dc)]) for (r, c), i in pos.items()
                      for dr, dc in ((0, 1), (1, 0)) if (r + dr, c + dc) in pos])  # fmt: skip
    industry = SumAtLeast("adjacent", np.where(cols == 9, 10.0, 0.0), 10.0)
    p = Problem(np.full(60, 100.0), np.full(60, 40.0), cost, rows, cols, 10.0, edges,
                np.full(len(edges), 10.0), 1_150.0, 1_250.0, sums=(industry,))  # fmt: skip
    return p.with_avoid(np.flatnonzero(earlier), 0.25)


def _best_armed_box_by_enumeration(p: Problem) -> tuple[float, float]:
    """The least cost of a plain box that is a zone, and of a box without the earlier
    zone's cells but for one or two whole rows or columns along one of its sides."""
    squares, earlier = squares_of(p), np.isin(np.arange(len(p)), p.avoid[0][0])
    plain = armed = np.inf

    def zone_of(sel: np.ndarray) -> bool:
        area = p.area_m2[sel].sum()
        return p.min_area_m2 <= area <= p.max_area_m2 and feasible(p, np.flatnonzero(sel), squares)

    rows, cols = range(int(p.row.max()) + 1), range(int(p.col.max()) + 1)
    for r0, r1 in itertools.combinations_with_replacement(rows, 2):
        for c0, c1 in itertools.combinations_with_replacement(cols, 2):
            box = (p.row >= r0) & (p.row <= r1) & (p.col >= c0) & (p.col <= c1)
            if zone_of(box):
                plain = min(plain, p.objective(np.flatnonzero(box)))
            for t in (1, 2):
                bands = [p.row == r for r in (r0, r1)] + [p.col == c for c in (c0, c1)]
                if t == 2:
                    bands = [(p.row >= r0) & (p.row <= r0 + 1), (p.row >= r1 - 1) & (p.row <= r1),
                             (p.col >= c0) & (p.col <= c0 + 1), (p.col >= c1 - 1) & (p.col <= c1)]  # fmt: skip
                for band in bands:
                    if zone_of(box & (~earlier | band)):
                        armed = min(armed, p.objective(np.flatnonzero(box & (~earlier | band))))
    return plain, armed


def test_an_alternatives_box_reaches_a_rule_through_the_earlier_zone_by_an_arm() -> None:
    """No plain box is a zone (one reaching column 9 overlaps the earlier zone too much);
    the box start is the cheapest box with an arm (enumerated), and its 48 is above the
    problem's optimum of 42 that the solver proves (by hand: the row of columns 7–9 at 3,
    column 6 whole at 6 × 4, three cells of column 5 at 5 each)."""
    from kitland.placement._solve import solve  # noqa: PLC0415

    p = _beside_an_earlier_zone()
    plain, armed = _best_armed_box_by_enumeration(p)
    assert plain == np.inf
    (zone,) = rectangles(p, np.ones(len(p), dtype=bool), squares_of(p), top=1)
    assert feasible(p, zone, squares_of(p))
    assert p.objective(zone) == pytest.approx(armed) == pytest.approx(48.0)
    sol = solve(p, time_limit_s=30)
    assert (sol.status, sol.objective) == ("OPTIMAL", pytest.approx(42.0))


# A rectangle whose east side, a road, lies 5 m past the last whole column of the 25 m
# grid: the cells fronting the road are 5 m slivers (a fifth of a cell), so they lie in no
# width square, only in the caps beside the squares of the last whole columns.
SLIVER_LAND = shapely.box(0.0, 0.0, 305.0, 300.0)
SLIVER_ROAD = LineString([(305.0, 0.0), (305.0, 300.0)])


def _sliver_problem() -> Problem:
    """19,000–20,000 m² with 150 m of frontage on the east road and a width rule of 3 × 3
    cells; cells cost their area times one plus their centre's y in 100 m."""
    cells = make_cells(SLIVER_LAND, cell_m=25.0)
    front = shapely.length(shapely.intersection(cells.exposed, shapely.buffer(SLIVER_ROAD, 0.01)))
    cost = cells.area_m2 * (1.0 + shapely.get_y(shapely.centroid(cells.geoms)) / 100.0)
    return Problem(cells.area_m2, cells.perimeter_m, cost, cells.row, cells.col, 25.0,
                   cells.edges, cells.shared_m, 19_000.0, 20_000.0, width_cells=3,
                   sums=(SumAtLeast("frontage", np.asarray(front, float), 150.0),))  # fmt: skip


def test_work_that_highs_leaves_goes_to_cp_sat_and_proves_the_optimum() -> None:
    """HiGHS's runs held to their first round (allowances of root rounds and nodes near 0)
    leave the window open with almost all the work left; before, the search ended there
    (no warm start is a zone on this land, as every fronting sliver lies in no width
    square: UNKNOWN, no zone, 0.003 of 100 work-s). CP-SAT, given the work left on the
    same model, proves the optimum that HiGHS proves with its usual allowances (a second
    exact method)."""
    p = _sliver_problem()
    held = SolveOptions(mip_nodes_per_s=1e-6, root_rounds_per_s=1e-6, search_share=0.0)
    short, usual = solve(p, time_limit_s=200, options=held), solve(p, time_limit_s=200)
    assert usual.status == short.status == "OPTIMAL"
    assert short.objective == pytest.approx(usual.objective)
    assert feasible(p, short.cells, squares_of(p))
