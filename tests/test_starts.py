"""Warm starts (``kitland.placement._starts``) on hand-made land, checked by enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely
from shapely import LineString, Polygon

from kitland.placement._cells import make_cells
from kitland.placement._model import Problem, SumAtLeast
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
