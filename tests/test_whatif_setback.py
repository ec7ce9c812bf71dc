"""A setback what-if answered past the previous proof (issue 19 §2, ``_reuse.plan_setback``).

Small grid estates at 50 m cells (about a hundred cells) that HiGHS proves optimal in
seconds cold, under a limit they never reach: a warm answer must be the cold one (same
status, score to 1e-9 and cells), and the arrays' claim behind it (a zone of unchanged
cells is the old problem's zone with the same rows and score) is checked on zones drawn
at random; :func:`_reuse.solve_setback` is checked against enumeration.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ORIGIN, road_front_layers, road_front_rules, write_layers

import kitland
from kitland.placement import SolveOptions, _reuse, build_problem
from kitland.placement._model import Problem, ReachAny
from kitland.placement._window import feasible, squares_of
from kitland.rules import load_rules

LIMIT_S = 120.0
#: A short neighbourhood search beside the windows: the same proofs, sooner.
OPTS = SolveOptions(search_max_s=1.0)


def _estate(root: Path, *, turn_deg: float = 0.0) -> dict[str, Any]:
    """Industry in the east column, a river at x = 350 m with a 30 m setback and the
    village just east of it, so the best zone lies against the setback band; the whole
    estate turned by ``turn_deg`` about its origin. Placed once at 50 m."""
    rows = ["AAAAAAAI"] * 4 + ["GGGGGGGG"]
    layers = road_front_layers(rows, village=(400.0, 300.0), river_x=350.0)
    if turn_deg:
        layers = {k: g.set_geometry(g.geometry.rotate(turn_deg, origin=ORIGIN))
                  for k, g in layers.items()}  # fmt: skip
    path = write_layers(layers, root / "estate.gpkg")
    (root / "rules.toml").write_text(road_front_rules(gate_max_m=900, river_min_m=30))
    est, rules = kitland.load_estate(path), load_rules(root / "rules.toml")
    first = kitland.place(est, rules, cell_m=50, time_limit_s=LIMIT_S, options=OPTS)
    assert first.status == "OPTIMAL"
    return {"estate": est, "rules": rules, "first": first}


@pytest.fixture(scope="module")
def river(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _estate(tmp_path_factory.mktemp("setback"))


def _cold_and_warm(case: dict[str, Any], rules: kitland.Rules) -> tuple[Any, Any]:
    _reuse.clear_cache()
    cold = kitland.place(case["estate"], rules, cell_m=50, time_limit_s=LIMIT_S, options=OPTS)
    warm = kitland.place(case["estate"], rules, cell_m=50, time_limit_s=LIMIT_S, options=OPTS,
                         start=case["first"])  # fmt: skip
    return cold, warm


def _same_answer(cold: Any, warm: Any) -> None:
    assert cold.status == warm.status == "OPTIMAL"
    c, w = cold.alternatives[0], warm.alternatives[0]
    assert w.grid_score == pytest.approx(c.grid_score, rel=1e-9, abs=1e-9)
    assert sorted(w.cells.tolist()) == sorted(c.cells.tolist())
    assert w.report.passed


@pytest.mark.parametrize(("min_m", "kept"), [(80.0, False), (10.0, True)])
def test_a_moved_river_setback_gives_the_cold_proven_optimum(
    river: dict[str, Any], min_m: float, kept: bool
) -> None:
    """80 m: the band takes land the old zone held, so the old optimum holds changed
    cells and the zones of unchanged cells are searched too (the zone moves away); 10 m:
    the band gives land back, the old zone holds no changed cell and stays the best."""
    old = river["first"].alternatives[0]
    cold, warm = _cold_and_warm(river, river["rules"].replace("river", min_m=min_m))
    _same_answer(cold, warm)
    facts = warm.solver["start"]["setback"]
    assert facts["rules"] == ["river"] and facts["old_zone_kept"] is kept
    assert 0 < facts["changed_cells"] < facts["cells"] == warm.solver["cells"]
    assert warm.solver["start"]["beyond"] is None and warm.solver["start"]["tightened"] is False
    moved = warm.alternatives[0].grid_score > old.grid_score + 1e-6
    assert moved is not kept  # a raised setback took the old zone's land: it scores worse


def test_a_setback_what_if_falls_back_when_the_grid_anchor_moves(tmp_path: Path) -> None:
    """Turned 12°, the grid's anchor is the start of the land's longest edge, which the
    river band's edge moves: the cells are on another grid, so no cell is the old one
    and the what-if is today's full search (the same answer as cold)."""
    case = _estate(tmp_path, turn_deg=12.0)
    rules = case["rules"].replace("river", min_m=80.0)
    old_cells = case["first"].previous.cells
    new_cells = build_problem(case["estate"], rules, cell_m=50)[1]
    assert old_cells.angle_deg == new_cells.angle_deg == pytest.approx(12.0)
    assert old_cells.pivot != new_cells.pivot
    cold, warm = _cold_and_warm(case, rules)
    _same_answer(cold, warm)
    assert warm.solver["start"]["setback"] is None


def _random_zones(p: Problem, allowed: np.ndarray, rng: np.random.Generator, count: int) -> list[np.ndarray]:  # fmt: skip
    """Connected cell sets grown at random through ``p``'s edges inside ``allowed``."""
    adj: list[list[int]] = [[] for _ in range(len(p))]
    for i, j in p.edges.tolist():
        if allowed[i] and allowed[j]:
            adj[i].append(j)
            adj[j].append(i)
    zones = []
    seeds = np.flatnonzero(allowed)
    for _ in range(count):
        zone = {int(rng.choice(seeds))}
        for _ in range(int(rng.integers(1, 24))):
            rim = sorted({j for i in zone for j in adj[i]} - zone)
            if not rim:
                break
            zone.add(int(rng.choice(rim)))
        zones.append(np.array(sorted(zone), dtype=np.int64))
    return zones


@pytest.mark.parametrize("min_m", [80.0, 10.0])
def test_a_zone_of_unchanged_cells_is_the_old_zone_with_the_same_rows_and_score(
    river: dict[str, Any], min_m: float, tmp_path: Path
) -> None:
    """The claim the plan rests on, checked on 400 random zones of unchanged cells (grown
    cell by cell, and unions of width squares): mapped onto the old cells, each has the
    same area, perimeter, score, rule sums, reach, fully chosen width squares, corner
    loss and model feasibility (the rules get a 100 m ``min_width`` for this)."""
    est = river["estate"]
    width = '\n[[rules]]\nname = "width"\nkind = "min_width"\nmin_m = 100\n'
    (tmp_path / "rules.toml").write_text(road_front_rules(gate_max_m=900, river_min_m=30) + width)
    old_rules = load_rules(tmp_path / "rules.toml")
    new_rules = old_rules.replace("river", min_m=min_m)
    _, old_cells, old, _ = _build(est, old_rules)
    _, new_cells, new, _ = _build(est, new_rules)
    assert new.width_cells == 2 and new.corners is not None
    m = _reuse.same_cells_map(old_cells, old, new_cells, new)
    assert m is not None
    same = m >= 0
    assert 0 < (~same).sum() < len(new)
    rng = np.random.default_rng(19)
    sq_new, sq_old = squares_of(new), squares_of(old)
    for zone in _random_zones(new, same, rng, 200) + _square_zones(sq_new, same, rng, 200):
        them = np.sort(m[zone])
        a, b = _selected(len(new), zone), _selected(len(old), them)
        assert new.area_m2[a].sum() == pytest.approx(old.area_m2[b].sum(), abs=1e-9)
        assert _perimeter(new, a) == pytest.approx(_perimeter(old, b), abs=1e-9)
        assert new.objective(zone) == pytest.approx(old.objective(them), rel=1e-12, abs=1e-9)
        for s, t in zip(new.sums, old.sums, strict=True):
            assert s.coef[a].sum() == pytest.approx(t.coef[b].sum(), abs=1e-9)
        for r, u in zip(new.reach, old.reach, strict=True):
            assert r.mask[a].any() == u.mask[b].any()
        full_new = {tuple(sorted(m[q].tolist())) for q in sq_new if a[q].all()}
        assert full_new == {tuple(sorted(q.tolist())) for q in sq_old if b[q].all()}
        assert new.corners.loss(a) == pytest.approx(old.corners.loss(b), abs=1e-9)
        assert feasible(new, zone, sq_new) == feasible(old, them, sq_old)
    # and cells the band moved are changed: none of the new cells inside the old band
    river_x = ORIGIN[0] + 350.0
    inside_old_band = np.abs(new_cells.centroids[:, 0] - river_x) < 30.0
    assert not same[inside_old_band].any()


def _square_zones(squares: np.ndarray, allowed: np.ndarray, rng: np.random.Generator,
                  count: int) -> list[np.ndarray]:  # fmt: skip
    """Unions of 1–6 width squares inside ``allowed``, each next square sharing a cell
    with those before (zones the width rule may admit)."""
    inside = squares[allowed[squares].all(axis=1)]
    zones = []
    for _ in range(count):
        zone = set(inside[rng.integers(len(inside))].tolist())
        for _ in range(int(rng.integers(0, 6))):
            near = [q for q in inside.tolist() if zone & set(q) and not set(q) <= zone]
            if not near:
                break
            zone |= set(near[rng.integers(len(near))])
        zones.append(np.array(sorted(zone), dtype=np.int64))
    return zones


def _selected(n: int, zone: np.ndarray) -> np.ndarray:
    sel = np.zeros(n, dtype=bool)
    sel[zone] = True
    return sel


def _perimeter(p: Problem, sel: np.ndarray) -> float:
    inner = sel[p.edges[:, 0]] & sel[p.edges[:, 1]]
    return float(p.perimeter_m[sel].sum() - 2 * p.shared_m[inner].sum())


def _build(est: kitland.Estate, rules: kitland.Rules) -> tuple[Any, Any, Problem, str]:
    from kitland import placement as pl  # noqa: PLC0415

    _reuse.clear_cache()
    land, cells, prob, shape = pl._build(est, rules, cell_m=50)
    return land, cells, pl._bands(prob, rules.zone.area_ha * 1e4)[0], shape


def _row(cost: np.ndarray) -> Problem:
    """A row of ``len(cost)`` cells of 10 m², zones of 25–36 m² (runs of three cells)
    that reach a cell from the third on."""
    n = len(cost)
    return Problem(np.full(n, 10.0), np.full(n, 14.0), cost, np.zeros(n, np.int64),
                   np.arange(n), 1.0, np.array([[i, i + 1] for i in range(n - 1)]),
                   np.full(n - 1, 1.0), 25.0, 36.0,
                   reach=(ReachAny("gate", np.arange(n) >= 2),))  # fmt: skip


def _runs(n: int, length: int) -> list[np.ndarray]:
    return [np.arange(i, i + length) for i in range(n - length + 1)]


def test_solve_setback_equals_enumeration_on_a_row_of_cells() -> None:
    """A row of 12 cells of 10 m²; zones of 30 m² are the 10 runs of three cells, so each
    problem's optimum is found by trying them all. The setback moved: cells 7–11 (a band
    at the east end) get other costs. Warm past the old proof (the old optimum kept when
    it holds none of them, else the unchanged zones searched too) equals enumeration, and
    so it does from a looser old bound."""
    from kitland.placement._solve import solve  # noqa: PLC0415
    from kitland.placement._work import Work  # noqa: PLC0415

    n = 12
    rng = np.random.default_rng(11)
    band = np.arange(n) >= 7

    def best(p: Problem) -> float:
        return min(p.objective(z) for z in _runs(n, 3) if p.reach[0].mask[z].any())

    seen: dict[tuple[bool, bool], int] = {}
    for _ in range(30):
        cost = rng.uniform(0.0, 10.0, n).round(3)
        old = _row(cost)
        first = solve(old, time_limit_s=LIMIT_S)
        assert first.status == "OPTIMAL" and first.cells is not None
        assert first.objective == pytest.approx(best(old))
        moved = cost.copy()
        moved[band] = rng.uniform(0.0, 10.0, int(band.sum())).round(3)
        new = _row(moved)
        kept = None if band[first.cells].any() else first.cells
        plan = _reuse.Setback(band, kept, None, first.bound)
        sol = _reuse.solve_setback(new, plan, work=Work(LIMIT_S))
        assert sol.status == "OPTIMAL"
        assert sol.objective == pytest.approx(best(new), abs=1e-9)
        assert sol.bound == pytest.approx(sol.objective, abs=1e-9)
        key = (kept is not None, sol.objective < first.objective - 1e-9)
        seen[key] = seen.get(key, 0) + 1
        # a looser old bound (true, but below the old optimum): the rest is searched too
        loose = _reuse.solve_setback(new, _reuse.Setback(band, kept, None, first.bound - 5.0),
                                     work=Work(LIMIT_S))  # fmt: skip
        assert loose.status == "OPTIMAL" and loose.objective == pytest.approx(best(new), abs=1e-9)
    assert len(seen) == 4, seen  # kept or not, better or not: every case met


def test_a_setback_what_if_needs_a_proven_previous_with_nothing_set_aside(
    river: dict[str, Any],
) -> None:
    """Without a proven bound, with a zone set aside after ``check``, or with another
    frame (another estate or rules but for setbacks), there is no plan: a full search."""
    from dataclasses import replace  # noqa: PLC0415

    first = river["first"]
    best = first.alternatives[0]
    rules = river["rules"].replace("river", min_m=80.0)
    _, cells, band, _ = _build(river["estate"], rules)
    frame = _reuse.frame(river["estate"], rules, cell_m=50)
    prev = first.previous
    assert prev is not None and prev.whole and prev.frame == frame
    plan = _reuse.plan_setback(prev, frame, cells, band, best.cells, status="OPTIMAL",
                               bound=best.bound)  # fmt: skip
    assert plan is not None and plan.changed.any()
    other = _reuse.frame(river["estate"], rules.replace("industry", min_shared_m=60.0), cell_m=50)
    assert other == frame  # a threshold is not part of the frame ...
    assert _reuse.frame(river["estate"], rules, cell_m=25) != frame  # ... the cell size is
    # a threshold moved with the setback: the same frame, but other rows, so no plan
    _, cells2, band2, _ = _build(river["estate"], rules.replace("industry", min_shared_m=60.0))
    assert _reuse.plan_setback(prev, other, cells2, band2, best.cells, status="OPTIMAL",
                               bound=best.bound) is None  # fmt: skip
    for changed, status, bound, fr in [
        (prev, "FEASIBLE", best.bound, frame), (prev, "OPTIMAL", -math.inf, frame),
        (replace(prev, whole=False), "OPTIMAL", best.bound, frame),
        (prev, "OPTIMAL", best.bound, "another frame"), (replace(prev, frame=""), "OPTIMAL", best.bound, ""),
    ]:  # fmt: skip
        assert _reuse.plan_setback(changed, fr, cells, band, best.cells, status=status,
                                   bound=bound) is None  # fmt: skip


def test_an_outline_at_the_old_bound_ends_the_search_of_the_unchanged_zones() -> None:
    """The old search stopped at its optimum's outline, so the old bound is the outline's
    score, below the old cells'. With ``outline`` the kept old zone counts at that score:
    the unchanged cells' zones (all at or above the old bound) are not searched again,
    and the answer is the kept zone unless a zone of changed cells scores below the held
    outline (enumeration)."""
    from kitland.placement._solve import solve  # noqa: PLC0415
    from kitland.placement._work import Work  # noqa: PLC0415

    n = 12
    rng = np.random.default_rng(5)
    band = np.arange(n) >= 7

    tried = 0
    for _ in range(40):
        cost = rng.uniform(0.0, 10.0, n).round(3)
        first = solve(_row(cost), time_limit_s=LIMIT_S)
        assert first.status == "OPTIMAL" and first.cells is not None
        if band[first.cells].any():
            continue
        kept = first.cells
        held = first.objective - 1.0  # the old outline: a real zone below every old zone
        asked: list[bytes] = []

        def outline(cells: np.ndarray, kept: np.ndarray = kept, held: float = held,
                    asked: list[bytes] = asked) -> float | None:  # fmt: skip
            asked.append(cells.tobytes())
            return held if np.array_equal(cells, kept) else None

        moved = cost.copy()
        moved[band] = rng.uniform(0.0, 10.0, int(band.sum())).round(3)
        new = _row(moved)
        plan = _reuse.Setback(band, kept, None, held)
        sol = _reuse.solve_setback(new, plan, work=Work(LIMIT_S), outline=outline)
        changed = [new.objective(z) for z in _runs(n, 3)
                   if band[z].any() and new.reach[0].mask[z].any()]  # fmt: skip
        if min(changed) >= held:
            assert sorted(sol.cells.tolist()) == sorted(kept.tolist())
        else:
            assert sol.objective == pytest.approx(min(changed), abs=1e-9)
        assert sol.bound <= min([held, *changed]) + 1e-9
        assert asked.count(kept.tobytes()) == 1  # no second search from the kept zone
        tried += 1
    assert tried >= 5
