"""Cut corners: small zones under the width rule.

``min_width`` allows 1 % of the zone's area in parts narrower than the rule; a right-angled
corner loses ``(1 − π/4)·r²`` to the opening of radius ``r``, so four of them take 1.55 %
of a 5 ha rectangle and no rectangle of grid cells that size passes. A corner cut along the
tangent to the opening's arc gives up that area to the cut instead (the opening stays as it
was), and the model may cut any share of it (``Corners.cut``). These tests measure the
cut with shapely's own opening and place the one zone a 5 ha lot holds.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
import shapely
from conftest import ORIGIN, grid_estate, width_rules
from shapely import Point, box

from kitland.measure import check, opening_loss_pct
from kitland.placement import CORNER_LOSS_MARGIN, CUT_BELOW_CORNERS, build_problem, place, zone_of
from kitland.placement._cells import corner_cuts, corner_loss_m2, make_cells
from kitland.placement._model import Corners
from kitland.placement._outline import cut_corners
from kitland.placement._window import cuts_taken, feasible, squares_of

X0, Y0 = ORIGIN
R = 30.0  # opening radius of a 60 m width rule
C = 25.0
#: Area a whole cut takes off a right-angled corner: legs of (2 − √2)·r.
RIGHT_CUT_M2 = ((2 - math.sqrt(2)) * R) ** 2 / 2


def _zone_cuts(zone: shapely.Geometry, share: float) -> tuple[np.ndarray, float]:
    """The cuts of ``zone``'s own corners (all its cells chosen), each scaled to ``share``
    of its area as the model scales them, and the full loss the model charges them."""
    cells = make_cells(zone, cell_m=C)
    cell, across, loss, cut = corner_cuts(cells, radius_m=R)
    fired = Corners(cell, across, loss, 0.01, cut).fired(np.ones(len(cells), dtype=bool))
    tri = cut[fired]
    return tri[:, :1] + math.sqrt(share) * (tri - tri[:, :1]), float(loss[fired].sum())


def test_a_whole_cut_is_the_corner_loss_less_two_135_degree_corners() -> None:
    right, obtuse = corner_loss_m2(math.pi / 2, R), corner_loss_m2(3 * math.pi / 4, R)
    assert float(right - 2 * obtuse) == pytest.approx(RIGHT_CUT_M2)
    tri, _ = _zone_cuts(box(0, 0, 250, 200), 1.0)
    assert len(tri) == 4
    assert shapely.area(shapely.polygons(tri)) == pytest.approx(np.full(4, RIGHT_CUT_M2))


@pytest.mark.parametrize("share", [0.0, 0.3, 0.7, 1.0])
def test_the_opening_loses_exactly_what_the_cut_did_not_take(share: float) -> None:
    """A 250 × 200 m rectangle (5 ha): shapely's opening, on the rectangle with its corners
    cut by ``share`` of the whole cut, loses the four right angles' charge less the area
    cut."""
    rect = box(0, 0, 250, 200)
    tri, charge = _zone_cuts(rect, share)
    zone = cut_corners(rect, tri)
    taken = rect.area - zone.area
    assert taken == pytest.approx(4 * share * RIGHT_CUT_M2, abs=1e-6)
    assert charge == pytest.approx(4 * (1 - math.pi / 4) * R * R)
    measured = opening_loss_pct(zone, min_m=2 * R) / 100 * zone.area
    assert measured == pytest.approx(charge - taken, rel=0.01)


def test_a_5_ha_rectangle_fails_min_width_unless_its_corners_are_cut() -> None:
    rect = box(0, 0, 250, 200)
    assert opening_loss_pct(rect, min_m=60) == pytest.approx(400 * (1 - math.pi / 4) * R * R / rect.area, rel=0.005)
    tri, _ = _zone_cuts(rect, 1.0)
    assert opening_loss_pct(cut_corners(rect, tri), min_m=60) < 0.33


def test_the_only_zone_of_a_5_ha_lot_is_found_cut_and_proven() -> None:
    """A lot of exactly 200 × 250 m and a band of [4.95, 5.05] ha: of the 80 cells of 25 m,
    every set but the whole lot holds at most 79 cells (4.94 ha), so the lot is the only
    zone of cells, and it fails ``min_width`` as it is (1.55 %). The model cuts its
    corners by the least area the corner budget needs; the zone passes ``check``."""
    est = grid_estate(["AAAA"] * 5, cell_m=50, settlements=[(Point(0, 0), {"name": "Ketanggan"})])
    rules = width_rules(5.0, 0.05)
    lot = box(X0, Y0, X0 + 200, Y0 + 250)
    assert 79 * C * C < 4.95e4 <= 80 * C * C
    assert not check(est, lot, rules).passed
    assert opening_loss_pct(lot, min_m=60) > 1.0
    _, cells, prob = build_problem(est, rules, cell_m=C)
    assert len(cells) == 80
    assert feasible(prob, np.arange(80), squares_of(prob))
    assert prob.corners is not None
    uncut = Corners(prob.corners.cell, prob.corners.across, prob.corners.loss_m2,
                    prob.corners.share)  # fmt: skip
    assert not feasible(replace(prob, corners=uncut), np.arange(80), squares_of(prob))
    # The model's zone: the lot cut by no more than the corner budget needs (its loss
    # and share carry the model's 1 % margin): 4·L·(1 + m) − τ·(1 − s) = s·A with
    # s = 1 % / (1 + m) (the model's rows round each of the 80 cells' share down to
    # 0.01 m²: within 1 m²); the loss left sits just under the rule's 1 %.
    m = CORNER_LOSS_MARGIN
    s = 0.01 / (1 + m)
    need = (4 * (1 - math.pi / 4) * R * R * (1 + m) - s * lot.area) / (1 - s)
    tri = cuts_taken(prob, np.arange(80))
    assert shapely.area(shapely.polygons(tri)).sum() == pytest.approx(need, abs=1.0)
    zone = zone_of(cells, prob, np.arange(80))
    assert zone.area == pytest.approx(lot.area - need, abs=1.0)
    assert 0.95 < opening_loss_pct(zone, min_m=60) < 1.0
    assert check(est, zone, rules).passed
    # place proves it the optimum (the outline step may then move its edges, each step
    # checked).
    res = place(est, rules, cell_m=C, time_limit_s=600)
    assert res.status == "OPTIMAL"
    assert res.zone is not None and len(res.alternatives[0].cells) == 80
    assert check(est, res.zone, rules).passed
    assert res.zone.area >= 4.95e4
    assert "convex corners cut straight where min_width needs it" in res.solver["scope"]
    assert "(whole squares of cells, charged or cut corners)" in res.caveat()


def test_corners_are_cut_only_where_the_smallest_zone_needs_it() -> None:
    """Under a 60 m rule a right-angled corner loses (1 − π/4)·30² = 193.1 m²; 1 % of the
    band's low end holds 2.6 of them at 5 ha, 5.2 at 10 ha, 10.4 at 20 ha: the model may
    cut corners below 8 (5 and 10 ha), not at 20 ha, whose zones need no cut."""
    est = grid_estate(["AAAA"] * 5, cell_m=50, settlements=[(Point(0, 0), {"name": "Ketanggan"})])
    corner = (1 - math.pi / 4) * 30**2
    for ha, cut in ((5.0, True), (10.0, True), (20.0, False)):
        assert (0.01 * ha * 1e4 < CUT_BELOW_CORNERS * corner) == cut
        _, _, prob = build_problem(est, width_rules(ha, 0.05), cell_m=C)
        assert prob.corners is not None and (prob.corners.cut is not None) == cut


def test_a_problem_taken_on_some_cells_keeps_each_corner_s_cut() -> None:
    """``Problem.take`` keeps the corner patterns of the cells it keeps, each with its own
    cut triangle (the 5 ha lot: its west half)."""
    est = grid_estate(["AAAA"] * 5, cell_m=50, settlements=[(Point(0, 0), {"name": "Ketanggan"})])
    _, _, prob = build_problem(est, width_rules(5.0, 0.05), cell_m=C)
    assert prob.corners is not None and prob.corners.cut is not None
    keep = prob.col < 4
    part = prob.take(keep)
    assert part.corners is not None and part.corners.cut is not None
    at = keep[prob.corners.cell]
    assert len(part.corners.cut) == len(part.corners.cell) == int(at.sum())
    assert part.corners.cut_m2 == pytest.approx(prob.corners.cut_m2[at])
