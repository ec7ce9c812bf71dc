"""A what-if in a second (issue 19 §2): ``place(start=previous)`` and the cell cache.

Small grid estates at 50 m cells that HiGHS proves optimal in a second or two cold,
under a limit they never reach: every answer compared here is a proven optimum, and a
warm answer must be the cold one (same score to 1e-9, proven).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import road_front_layers, road_front_rules, write_layers

import kitland
from kitland.placement import _reuse
from kitland.rules import load_rules

LIMIT_S = 120.0


def _layers(industry_col: int = 0) -> dict[str, Any]:
    row = ["A"] * 8
    row[industry_col] = "I"
    rows = ["".join(row)] * 4 + ["GGGGGGGG"]
    return road_front_layers(rows, village=(450, 520), river_x=600)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _placed(tmp_path_factory.mktemp("whatif"), gate_max_m=900)


def _placed(root: Path, *, gate_max_m: float) -> dict[str, Any]:
    """The what-if estate and rules written to ``root`` and read back, and their proven
    placement at 50 m."""
    path = write_layers(_layers(), root / "estate.gpkg")
    (root / "rules.toml").write_text(road_front_rules(gate_max_m=gate_max_m, river_min_m=30))
    est, rules = kitland.load_estate(path), load_rules(root / "rules.toml")
    first = kitland.place(est, rules, cell_m=50, time_limit_s=LIMIT_S)
    assert first.status == "OPTIMAL"
    return {"estate": est, "rules": rules, "first": first, "root": root}


def _cold(est: kitland.Estate, rules: kitland.Rules) -> kitland.PlacementResult:
    _reuse.clear_cache()
    return kitland.place(est, rules, cell_m=50, time_limit_s=LIMIT_S)


@pytest.mark.parametrize(
    ("rule", "change", "tightened", "relaxed"),
    [
        ("industry", {"min_shared_m": 150.0}, True, False),  # the old zone may still pass
        ("industry", {"min_shared_m": 80.0}, False, True),  # the old bound says nothing
        ("gate", {"max_m": 700.0}, True, False),
        ("frontage", {"min_m": 300.0}, True, False),
        ("river", {"min_m": 80.0}, False, False),  # other cells: the old zone mapped onto them
        ("area", {"area_ha": 3.0}, False, False),  # other costs (the nominal area divides them)
    ],
)
def test_a_warm_start_gives_the_cold_proven_optimum(
    base: dict[str, Any], rule: str, change: dict[str, float], tightened: bool, relaxed: bool
) -> None:
    rules = base["rules"].replace(rule, **change)
    cold = _cold(base["estate"], rules)
    warm = kitland.place(base["estate"], rules, cell_m=50, time_limit_s=LIMIT_S,
                         start=base["first"])  # fmt: skip
    assert cold.status == warm.status
    assert warm.solver["start"]["tightened"] is tightened
    if cold.found:
        assert warm.status == "OPTIMAL"
        assert math.isclose(warm.alternatives[0].grid_score, cold.alternatives[0].grid_score,
                            rel_tol=1e-9, abs_tol=1e-9)  # fmt: skip
        assert warm.alternatives[0].report.passed
    assert warm.solver["start"]["relaxed"] is relaxed
    if relaxed:  # the old zone still passes: the new optimum is no worse
        old_score = base["first"].alternatives[0].grid_score
        assert warm.solver["start"]["ceiling"] == pytest.approx(old_score, rel=1e-9)
        assert cold.alternatives[0].grid_score <= old_score + 1e-9 * abs(old_score)
    if tightened:  # the old proof: no zone passing the tighter rules scores below it
        old = base["first"].alternatives[0]
        assert warm.solver["start"]["floor"] == pytest.approx(old.bound, rel=1e-9)
        if cold.found:
            assert cold.alternatives[0].grid_score >= old.bound - 1e-9 * abs(old.bound)


def test_a_tightened_rule_the_old_optimum_still_passes_is_proven_at_once(
    base: dict[str, Any],
) -> None:
    """The old zone shares ``v`` m with industry: asking for ``v`` m keeps it, so it is the
    optimum again (the old proof covers every zone the tighter rule admits)."""
    old = base["first"].alternatives[0]
    shared = float(old.report["industry"].value)
    rules = base["rules"].replace("industry", min_shared_m=math.floor(shared))
    warm = kitland.place(base["estate"], rules, cell_m=50, time_limit_s=LIMIT_S,
                         start=base["first"])  # fmt: skip
    assert warm.status == "OPTIMAL"
    assert sorted(warm.alternatives[0].cells.tolist()) == sorted(old.cells.tolist())
    assert warm.alternatives[0].grid_score == pytest.approx(old.grid_score, rel=1e-12)
    cold = _cold(base["estate"], rules)
    assert cold.alternatives[0].grid_score == pytest.approx(old.grid_score, rel=1e-9)


def test_the_cache_hits_on_a_threshold_and_misses_on_new_content_at_the_same_path(
    base: dict[str, Any], tmp_path: Path
) -> None:
    path = write_layers(_layers(), tmp_path / "estate.gpkg")
    rules = base["rules"]
    _reuse.clear_cache()
    before = _reuse.cache_stats()
    kitland.place(kitland.load_estate(path), rules, cell_m=50, time_limit_s=LIMIT_S)
    after_first = _reuse.cache_stats()
    assert after_first["cells_misses"] == before["cells_misses"] + 1
    kitland.place(kitland.load_estate(path), rules.replace("gate", max_m=800.0), cell_m=50,
                  time_limit_s=LIMIT_S)  # fmt: skip
    after_threshold = _reuse.cache_stats()
    assert after_threshold["cells_misses"] == after_first["cells_misses"]
    assert after_threshold["cells_hits"] == after_first["cells_hits"] + 1
    assert after_threshold["attribute_misses"] == after_first["attribute_misses"]
    path.unlink()  # the same path, other content: industry in another column
    write_layers(_layers(industry_col=7), path)
    moved = kitland.place(kitland.load_estate(path), rules, cell_m=50, time_limit_s=LIMIT_S)
    after_content = _reuse.cache_stats()
    assert after_content["cells_misses"] == after_threshold["cells_misses"] + 1
    # measured on the new content: between the river's 30 m band (x = 630 m) and the
    # industry (x = 700 m) lie 70 m × 400 m = 2.8 ha, less than the 3.75 ha the zone needs
    assert moved.status == "INFEASIBLE"
    # the setback's distance defines the cells: another value is another cell set
    kitland.place(kitland.load_estate(path), rules.replace("river", min_m=60.0), cell_m=50,
                  time_limit_s=LIMIT_S)  # fmt: skip
    assert _reuse.cache_stats()["cells_misses"] == after_content["cells_misses"] + 1


def test_a_start_from_another_estate_or_other_rules_does_no_harm(
    base: dict[str, Any], tmp_path: Path
) -> None:
    other = kitland.load_estate(write_layers(_layers(industry_col=2), tmp_path / "o.gpkg"))
    cold = _cold(other, base["rules"])
    warm = kitland.place(other, base["rules"], cell_m=50, time_limit_s=LIMIT_S,
                         start=base["first"])  # fmt: skip
    assert warm.status == cold.status == "OPTIMAL"
    assert warm.solver["start"]["tightened"] is False
    assert warm.alternatives[0].grid_score == pytest.approx(cold.alternatives[0].grid_score,
                                                            rel=1e-9)  # fmt: skip
    assert warm.alternatives[0].report.passed
    # a start placed on another grid (40 m) maps onto the 50 m cells by their centres
    fine = kitland.place(base["estate"], base["rules"], cell_m=40, time_limit_s=LIMIT_S)
    again = kitland.place(base["estate"], base["rules"], cell_m=50, time_limit_s=LIMIT_S,
                          start=fine)  # fmt: skip
    assert again.alternatives[0].grid_score == pytest.approx(
        base["first"].alternatives[0].grid_score, rel=1e-9)  # fmt: skip
    with pytest.raises(kitland.UsageError, match="start: expected a PlacementResult"):
        kitland.place(base["estate"], base["rules"], cell_m=50, start="previous.gpkg")  # type: ignore[arg-type]


def test_tightens_reads_each_part_of_the_problem(base: dict[str, Any]) -> None:
    from kitland.placement import build_problem  # noqa: PLC0415

    est, rules = base["estate"], base["rules"]
    _, _, p = build_problem(est, rules, cell_m=50)

    def prob(**change: Any) -> Any:
        ((rule, params),) = change.items()
        rule = {"compactness": "compactness#6"}.get(rule, rule)  # an unnamed rule's id
        return build_problem(est, rules.replace(rule, **params), cell_m=50)[2]

    assert _reuse.tightens(p, p)
    assert _reuse.tightens(prob(industry={"min_shared_m": 200.0}), p)
    assert not _reuse.tightens(p, prob(industry={"min_shared_m": 200.0}))
    # every cell lies within 900 m of the gate by road (the estate is 800 m long), and some
    # lie farther than 500 m
    assert _reuse.tightens(prob(gate={"max_m": 500.0}), p)
    assert not _reuse.tightens(p, prob(gate={"max_m": 500.0}))
    assert _reuse.tightens(prob(gate={"max_m": 1500.0}), p)  # no cell is added
    assert _reuse.tightens(prob(compactness={"min": 0.6}), p)
    assert not _reuse.tightens(prob(compactness={"min": 0.4}), p)
    # A narrower band is no tightening under a compactness rule: the model's perimeter
    # limit is the chord of √A over the band, and over 3.9–4.1 ha that chord lies above
    # the 3.75–4.25 ha one (√A is concave), so the narrower model admits more perimeter.
    assert not _reuse.tightens(prob(area={"tolerance_ha": 0.1}), p)
    assert not _reuse.tightens(prob(area={"tolerance_ha": 0.5}), p)
    assert not _reuse.tightens(p, prob(area={"tolerance_ha": 0.1}))  # the wider band: more area
    assert not _reuse.tightens(prob(area={"area_ha": 3.9}), p)  # the costs change


def test_a_sweep_over_a_threshold_cuts_the_cells_once(base: dict[str, Any], tmp_path: Path) -> None:
    """The worker's cache (here: serial, in this process) serves every scenario after the
    first; the rows are the proven optima a cold place gives."""
    _reuse.clear_cache()
    before = _reuse.cache_stats()
    res = kitland.sweep(base["estate"], base["rules"], vary=["industry.min_shared_m=100,150,200"],
                        out=tmp_path / "s", workers=0, cell_m=50, time_limit_s=LIMIT_S)  # fmt: skip
    after = _reuse.cache_stats()
    assert after["cells_misses"] - before["cells_misses"] == 1
    # the 2 later scenarios, and the problem of each one's chain predecessor (its floor)
    assert after["cells_hits"] - before["cells_hits"] == 2 + 2
    assert res.results["start"].fillna("cold").tolist() == ["cold", "floor", "floor"]
    row = res.results.set_index("industry.min_shared_m").loc[150.0]
    cold = _cold(base["estate"], base["rules"].replace("industry", min_shared_m=150.0))
    assert row["status"] == cold.status == "OPTIMAL"
    assert row["score"] == pytest.approx(cold.alternatives[0].score, rel=1e-9)


def test_the_placement_report_is_the_full_check_of_the_zone_it_returns() -> None:
    """The outline step checks the outlines it tries on the zone rules only and adds the
    layout rules once: the report must be what a full ``check`` of the zone says."""
    est, rules = kitland.load_estate(), kitland.load_rules()
    res = kitland.place(est, rules, cell_m=50, time_limit_s=LIMIT_S)
    assert res.found
    full = kitland.check(est, res.zone, rules)
    assert any(r.scope == "layout" for r in full.results)
    got = [(r.id, r.scope, r.passed, r.value) for r in res.report.results]
    assert got == [(r.id, r.scope, r.passed, r.value) for r in full.results]
    assert res.report.zone == full.zone


# -- a relaxed threshold: only the zones past the previous proof are searched -------------
@pytest.fixture(scope="module")
def near_gate(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The what-if estate with the zone within 200 m of the gate along the roads: the
    zone nearest the village (its nearest cell 247 m from the gate) is out of reach."""
    placed = _placed(tmp_path_factory.mktemp("relax"), gate_max_m=200)
    assert float(placed["first"].alternatives[0].report["gate"].value) <= 200.0
    return placed


@pytest.mark.parametrize(
    ("fixture", "rule", "change", "moves"),
    [
        ("near_gate", "gate", {"max_m": 300.0}, True),  # the new optimum holds a new cell
        ("near_gate", "gate", {"max_m": 600.0}, True),
        ("base", "industry", {"min_shared_m": 80.0}, False),  # the old optimum stays
        ("base", "industry", {"min_shared_m": 0.0}, True),  # shares less than the old 100 m
    ],
)
def test_a_relaxed_rule_searches_only_past_the_old_proof_and_finds_the_cold_optimum(
    request: pytest.FixtureRequest, fixture: str, rule: str, change: dict[str, float],
    moves: bool,
) -> None:  # fmt: skip
    case = request.getfixturevalue(fixture)
    old = case["first"].alternatives[0]
    rules = case["rules"].replace(rule, **change)
    cold = _cold(case["estate"], rules)
    warm = kitland.place(case["estate"], rules, cell_m=50, time_limit_s=LIMIT_S,
                         start=case["first"])  # fmt: skip
    facts = warm.solver["start"]
    assert facts["beyond"] == [rule]
    assert facts["relaxed"] is True and facts["tightened"] is False
    assert cold.status == warm.status == "OPTIMAL"
    assert warm.alternatives[0].report.passed
    new_score = warm.alternatives[0].grid_score
    assert new_score == pytest.approx(cold.alternatives[0].grid_score, rel=1e-9, abs=1e-9)
    assert (new_score < old.grid_score - 1e-6) is moves
    if moves:  # a better zone must break the old threshold
        value = float(warm.alternatives[0].report[rule].value)
        old_limit = float(case["rules"][rule].params["max_m" if rule == "gate" else "min_shared_m"])
        assert value > old_limit if rule == "gate" else value < old_limit
    else:
        assert sorted(warm.alternatives[0].cells.tolist()) == sorted(old.cells.tolist())


def _runs(n: int, length: int) -> list[np.ndarray]:
    return [np.arange(i, i + length) for i in range(n - length + 1)]


def test_solve_beyond_equals_enumeration_on_a_row_of_cells() -> None:
    """A row of 12 cells of 10 m²; zones of 30 m² are the 10 runs of three cells, so the
    optimum of each problem is found by trying them all. A distance limit widened (reach
    mask cells 0–3 → 0–7) and a length minimum lowered (4 → 2), each alone and both
    together: the warm answer past the old proof is the enumerated optimum, proven."""
    from kitland.placement._model import Problem, ReachAny, SumAtLeast  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415
    from kitland.placement._work import Work  # noqa: PLC0415

    n = 12
    rng = np.random.default_rng(7)
    length = np.array([3, 0, 4, 0, 0, 2, 2, 0, 1, 3, 0, 4], dtype=float)

    def problem(cost: np.ndarray, reach_to: int, min_len: float) -> Problem:
        mask = np.arange(n) <= reach_to
        return Problem(np.full(n, 10.0), np.full(n, 14.0), cost, np.zeros(n, np.int64),
                       np.arange(n), 1.0, np.array([[i, i + 1] for i in range(n - 1)]),
                       np.full(n - 1, 1.0), 25.0, 36.0,
                       sums=(SumAtLeast("len", length, min_len),),
                       reach=(ReachAny("gate", mask),))  # fmt: skip

    def best(p: Problem) -> float:
        ok = [p.objective(z) for z in _runs(n, 3)
              if p.reach[0].mask[z].any() and length[z].sum() >= p.sums[0].min_value]  # fmt: skip
        return min(ok, default=math.inf)

    moved = stayed = 0
    for _ in range(25):
        cost = rng.uniform(0.0, 10.0, n).round(3)
        old = problem(cost, 3, 4.0)
        first = solve(old, time_limit_s=LIMIT_S)
        assert first.status == "OPTIMAL" and first.objective == pytest.approx(best(old))
        assert first.cells is not None
        for new in (problem(cost, 7, 4.0), problem(cost, 3, 2.0), problem(cost, 7, 2.0)):
            parts = _reuse.beyond(old, new)
            assert parts is not None
            wider, lower = bool(new.reach[0].mask.sum() > 4), new.sums[0].min_value < 4
            assert len(parts) == int(wider) + int(lower)
            plan = _reuse.Beyond(first.cells, first.bound, parts)
            sol = _reuse.solve_beyond(new, plan, work=Work(LIMIT_S))
            assert sol.status == "OPTIMAL"
            assert sol.objective == pytest.approx(best(new), abs=1e-9)
            assert sol.bound == pytest.approx(sol.objective, abs=1e-9)
            moved += sol.objective < first.objective - 1e-9
            stayed += sol.objective >= first.objective - 1e-9
    assert moved and stayed  # both cases met


def test_beyond_recognises_only_exact_relaxations(base: dict[str, Any]) -> None:
    from kitland.placement import build_problem  # noqa: PLC0415

    est, rules = base["estate"], base["rules"]
    p = build_problem(est, rules, cell_m=50)[2]

    def prob(rule: str, **params: Any) -> Any:
        return build_problem(est, rules.replace(rule, **params), cell_m=50)[2]

    assert _reuse.beyond(p, p) is None  # nothing loosened
    parts = _reuse.beyond(p, prob("industry", min_shared_m=60.0))
    assert parts is not None and [b.name for b in parts] == ["industry"]
    assert parts[0].limit == 100.0
    assert _reuse.beyond(p, prob("industry", min_shared_m=150.0)) is None  # tightened
    assert _reuse.beyond(p, prob("compactness#6", min=0.4)) is None  # not of that form
    assert _reuse.beyond(p, prob("area", tolerance_ha=0.5)) is None
    tight = prob("gate", max_m=500.0)
    parts = _reuse.beyond(tight, p)
    assert parts is not None and [b.name for b in parts] == ["gate"]
    assert np.array_equal(parts[0].coef > 0, tight.reach[0].mask)


def test_a_search_past_the_proof_that_runs_out_of_work_is_not_proven() -> None:
    """Six 10 m² cells, zones of three in a row; the old rule reached cell 0 (its only
    zone, 0–2, scores 27), the new one all six. With no work to spend no window is
    solved: the warm starts find 3–5 (score 3) but nothing proves it, so it is
    ``FEASIBLE`` with the knapsack's bound; with work it is proven."""
    from kitland.placement._model import Problem, ReachAny  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415
    from kitland.placement._work import Work  # noqa: PLC0415

    n = 6
    cost = np.array([9.0, 9.0, 9.0, 1.0, 1.0, 1.0])

    def problem(reach_to: int) -> Problem:
        return Problem(np.full(n, 10.0), np.full(n, 14.0), cost, np.zeros(n, np.int64),
                       np.arange(n), 1.0, np.array([[i, i + 1] for i in range(n - 1)]),
                       np.full(n - 1, 1.0), 25.0, 36.0,
                       reach=(ReachAny("gate", np.arange(n) <= reach_to),))  # fmt: skip

    old, new = problem(0), problem(5)
    first = solve(old, time_limit_s=LIMIT_S)
    assert first.cells is not None and first.cells.tolist() == [0, 1, 2]
    assert first.status == "OPTIMAL" and first.bound == pytest.approx(27.0)
    parts = _reuse.beyond(old, new)
    assert parts is not None
    plan = _reuse.Beyond(first.cells, first.bound, parts)
    idle = _reuse.solve_beyond(new, plan, work=Work(0.0))
    assert idle.cells is not None and idle.cells.tolist() == [3, 4, 5]
    assert idle.status == "FEASIBLE" and idle.bound < idle.objective == pytest.approx(3.0)
    assert idle.gap > 0
    done = _reuse.solve_beyond(new, plan, work=Work(LIMIT_S))
    assert done.status == "OPTIMAL" and done.bound == pytest.approx(3.0)


def test_the_search_past_the_proof_needs_a_proven_previous_with_nothing_set_aside(
    base: dict[str, Any],
) -> None:
    """Without a proven bound, or when the previous search set a zone aside after it failed
    ``check`` (its bound then does not cover that zone, which the relaxed rules may pass),
    the relaxed what-if is a full search."""
    from dataclasses import replace  # noqa: PLC0415

    from kitland import placement as pl  # noqa: PLC0415

    first = base["first"]
    best = first.alternatives[0]
    rules = base["rules"].replace("industry", min_shared_m=60.0)
    _, cells, prob, shape = pl._build(base["estate"], rules, cell_m=50)
    band = pl._bands(prob, rules.zone.area_ha * 1e4)[0]
    prev = first.previous
    assert prev is not None and prev.whole
    plan = _reuse.plan_beyond(prev, shape, cells, band, best.cells, status="OPTIMAL",
                              bound=best.bound)  # fmt: skip
    assert plan is not None and plan.names == ["industry"]
    assert plan.bound == best.bound
    for changed, status, bound in [(prev, "FEASIBLE", best.bound), (prev, "OPTIMAL", -math.inf),
                                   (replace(prev, whole=False), "OPTIMAL", best.bound)]:  # fmt: skip
        assert _reuse.plan_beyond(changed, shape, cells, band, best.cells, status=status,
                                  bound=bound) is None  # fmt: skip


def _seeded(root: Path, seed: int) -> dict[str, Any]:
    """A seeded variant of the what-if estate: industry in one of the three western
    columns (so a zone beside it lies within 300 m of the gate along the roads), the
    village and the river at random x."""
    rng = np.random.default_rng(seed)
    row = ["A"] * 8
    row[int(rng.integers(0, 3))] = "I"
    rows = ["".join(row)] * 4 + ["GGGGGGGG"]
    village = (float(rng.uniform(300, 800)), float(rng.uniform(300, 550)))
    layers = road_front_layers(rows, village=village, river_x=float(rng.uniform(150, 650)))
    path = write_layers(layers, root / "estate.gpkg")
    (root / "rules.toml").write_text(road_front_rules(gate_max_m=300, river_min_m=30))
    est, rules = kitland.load_estate(path), load_rules(root / "rules.toml")
    first = kitland.place(est, rules, cell_m=50, time_limit_s=LIMIT_S)
    assert first.status == "OPTIMAL"
    return {"estate": est, "rules": rules, "first": first}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_relaxed_reach_or_a_moved_setback_on_seeded_estates_gives_the_cold_optimum(
    seed: int, tmp_path: Path
) -> None:
    """The gate limit raised 300 → 600 m (zones holding no cell the old limit reached are
    the only ones searched) and the river setback moved 30 → 60 m (zones holding a changed
    cell): each warm answer is the cold proven one, by a search past the old proof."""
    case = _seeded(tmp_path, seed)
    for rule, change in (("gate", {"max_m": 600.0}), ("river", {"min_m": 60.0})):
        rules = case["rules"].replace(rule, **change)
        cold = _cold(case["estate"], rules)
        warm = kitland.place(case["estate"], rules, cell_m=50, time_limit_s=LIMIT_S,
                             start=case["first"])  # fmt: skip
        facts = warm.solver["start"]
        if rule == "gate":
            assert facts["beyond"] == ["gate"]
        else:
            assert 0 < facts["setback"]["changed_cells"] < facts["setback"]["cells"]
        assert cold.status == warm.status == "OPTIMAL"
        assert warm.alternatives[0].grid_score == pytest.approx(
            cold.alternatives[0].grid_score, rel=1e-9, abs=1e-9)  # fmt: skip
