"""The coarse-to-fine start (``kitland.placement._coarse``, ``_starts.repair``) and its gate.

The coarse problem is checked against the fine model's own sums on zones of whole
coarse cells; the repaired start against every row of the fine model (numpy) and
against ``check`` on its dissolved zone; the fine solve's proven optimum with the gate
open against the one with it closed; the gate's decision against its rule, on counted
work only.
"""

from __future__ import annotations

import logging
import math
import tomllib

import numpy as np
import pytest
from conftest import grid_estate, road_front_layers, road_front_rules, width_rules
from shapely import Point

from kitland import Estate, check
from kitland.placement import SolveOptions, build_problem, zone_of
from kitland.placement._coarse import coarsen, stuck
from kitland.placement._model import Problem
from kitland.placement._solve import _candidates, _Coarse, solve
from kitland.placement._starts import repair
from kitland.placement._window import Model, squares_of
from kitland.placement._work import Clock, Work
from kitland.rules import Rules, parse_rules


def _estate_rules(width: bool) -> tuple[Estate, Rules]:
    """Without ``width``: three rows of parcels between industry, a collector along the
    south, the village near it, 4 ± 0.25 ha sharing 100 m with industry, 100 m on the
    collector, within 900 m of the gate along the roads, compact. With ``width``: a
    600 × 400 m lot with a 100 m hole, 4 ± 0.25 ha, 60 m wide (squares of 3 × 3 cells of
    25 m, cut corners), compact, near the village."""
    if width:
        rows = ["AAAAAA", "AA.AAA", "AAAAAA", "AAAAAA"]
        est = grid_estate(rows, settlements=[(Point(250, 150), {"name": "Ketanggan"})])
        return est, width_rules(4.0, 0.25)
    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"], village=(300, 150))
    est = Estate.from_layers(layers, source="test", name="front")
    return est, parse_rules(tomllib.loads(road_front_rules(gate_max_m=900)))


def _rows_hold(p: Problem, zone: np.ndarray) -> bool:
    """Every row of the fine model over ``zone`` holds, read with numpy: the rows of
    :class:`Model` at the columns the zone implies, its neck rows, and one piece."""
    w = Model.of(p, np.unique(zone), squares_of(p))
    v = w.columns(np.ones(w.m, dtype=bool))
    act = w.rows @ v
    rows_ok = bool(((act >= w.lo - 1e-6) & (act <= w.hi + 1e-6)).all())
    necks_ok = not (w.necks @ v > 1 + 1e-6).any() if w.necks.shape[0] else True
    return rows_ok and necks_ok and w.connected(np.ones(w.m, dtype=bool))


@pytest.mark.parametrize("width", [False, True])
def test_a_zone_of_whole_coarse_cells_scores_as_its_fine_cells(width: bool) -> None:
    """On 40 random unions of coarse cells: area, score, each boundary sum, each reach
    and the corner loss of the coarse zone equal those of its fine cells."""
    est, rules = _estate_rules(width)
    _, _, p = build_problem(est, rules, cell_m=25.0)
    c, of = coarsen(p)
    assert len(c) < len(p) and c.cell_m == 50.0
    rng = np.random.default_rng(16)
    for _ in range(40):
        chosen = np.flatnonzero(rng.random(len(c)) < 0.3)
        fine = np.flatnonzero(np.isin(of, chosen))
        assert c.area_m2[chosen].sum() == pytest.approx(p.area_m2[fine].sum())
        assert c.objective(chosen) == pytest.approx(p.objective(fine))
        for sc, sf in zip(c.sums, p.sums, strict=True):
            assert sc.coef[chosen].sum() == pytest.approx(sf.coef[fine].sum())
        for rc, rf in zip(c.reach, p.reach, strict=True):
            assert bool(rc.mask[chosen].any()) == bool(rf.mask[fine].any())
        if width:
            assert p.corners is not None and c.corners is not None
            sel_c, sel_f = np.isin(np.arange(len(c)), chosen), np.isin(np.arange(len(p)), fine)
            assert c.corners.loss(sel_c) == pytest.approx(p.corners.loss(sel_f))


#: The gate open before the first window (no work spent, any gap), and closed.
OPEN, CLOSED = SolveOptions(coarse_after=0.0, coarse_gap=0.0), SolveOptions(coarse_share=0.0)


@pytest.mark.parametrize("width", [False, True])
def test_the_repaired_start_is_a_zone_and_changes_no_proof(
    width: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """The coarse optimum, mapped onto the fine cells and repaired, satisfies every row of
    the fine model and passes ``check`` as a dissolved zone; the fine solve whose gate
    opens before its first window proves the same optimum as the one whose gate stays
    closed, with a bound of its own."""
    est, rules = _estate_rules(width)
    _, cells, p = build_problem(est, rules, cell_m=25.0)
    squares = squares_of(p)
    keep = _candidates(p, squares)
    c, of = coarsen(p.take(keep))
    coarse = solve(c, time_limit_s=600)
    assert coarse.status == "OPTIMAL" and coarse.cells is not None
    zone = repair(p, np.flatnonzero(keep)[np.isin(of, coarse.cells)], keep, squares)
    assert zone is not None
    assert _rows_hold(p, zone)
    assert check(est, zone_of(cells, p, zone), rules).passed
    with caplog.at_level(logging.DEBUG, logger="kitland.placement._solve"):
        started = solve(p, time_limit_s=600, options=OPEN)
    (line,) = [r.getMessage() for r in caplog.records if "coarse start" in r.getMessage()]
    assert line.startswith("coarse start at 0.00 of the work")
    assert f"repaired {round(p.objective(zone), 2)} against" in line
    plain = solve(p, time_limit_s=600, options=CLOSED)
    assert started.status == plain.status == "OPTIMAL"
    assert started.objective == pytest.approx(plain.objective)
    assert started.bound == pytest.approx(plain.bound)
    assert started.objective <= p.objective(zone) + 1e-9


@pytest.mark.parametrize("spent", [0.0, 0.1, 0.25, 0.5, 1.0])
@pytest.mark.parametrize("gap", [0.0, 0.01, 0.05, 0.3, math.inf])
def test_the_gate_opens_past_a_share_of_the_work_above_a_gap(spent: float, gap: float) -> None:
    """``stuck`` is the rule as written: at least ``coarse_after`` of the work spent and a
    gap strictly above ``coarse_gap`` (no incumbent: an infinite gap)."""
    opts = SolveOptions(coarse_after=0.25, coarse_gap=0.05)
    assert stuck(spent, gap, opts) == (spent >= 0.25 and gap > 0.05)


def test_the_gate_reads_the_work_counted() -> None:
    """The gate of a solve reads the share of its budget that counted work has spent
    since it was made: on a budget of 10 work s (1 spent before) with ``coarse_after``
    0.3 it stays shut at 2.5 work s spent and opens at 3.5, once only."""
    est, rules = _estate_rules(False)
    _, _, p = build_problem(est, rules, cell_m=25.0)
    squares = squares_of(p)
    keep = _candidates(p, squares)
    work = Work(11.0, Clock())
    work.spend(1.0)
    opts = SolveOptions(coarse_after=0.3, coarse_gap=0.05)
    gate = _Coarse(p, keep, squares, work, 0, "highs", opts)
    work.spend(2.5)
    assert gate(200.0, 100.0) is None and not gate.done
    work.spend(1.0)
    zone = gate(200.0, 100.0)
    assert zone is not None and gate.done
    assert gate(200.0, 100.0) is None
