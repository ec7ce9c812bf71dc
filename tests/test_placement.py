"""Placement engine (issue 4): estates built in code whose answer is known independently."""

from __future__ import annotations

import functools
import itertools
import json
import logging
import math
import sys
import time
from pathlib import Path

import fiona
import numpy as np
import pytest
import shapely
from conftest import ORIGIN, grid_estate, grid_layers, pocket_rules, write_layers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from kitland import InfeasibleError, RulesError
from kitland.cli import main
from kitland.measure import check
from kitland.placement import place, write_placement
from kitland.placement._cells import make_cells
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._work import Work
from kitland.rules import Rules, parse_rules

X0, Y0 = ORIGIN


def _rules(
    area_ha: float, tol_ha: float, rules: list[dict], prefer: list[dict] | None = None
) -> Rules:
    return parse_rules({"zone": {"area_ha": area_ha, "tolerance_ha": tol_ha}, "rules": rules,
                        "prefer": prefer or []})  # fmt: skip


ADJ = {"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared_m": 100}
NEAR_K = [{"kind": "near", "to": {"layer": "settlements", "name": ["Ketanggan"]}}]

# Two 4 ha pockets of available land: A at the north-west, next to Ketanggan but away
# from any industry; B at the south-east, next to an industrial column. Growing from
# the best-scoring cell (in A) can never satisfy the adjacency rule; only B fits.
ONE_SPOT = ["AAGGGGG", "AAGGGGG", "GGGGAAI", "GGGGAAI"]
KETANGGAN = [(Point(0, 400), {"name": "Ketanggan"})]


def _one_spot_rules(min_shared_m: float = 100) -> Rules:
    adj = {**ADJ, "min_shared_m": min_shared_m}
    return _rules(
        4.0, 0.25, [adj, {"kind": "contiguous"}, {"kind": "compactness", "min": 0.5}], NEAR_K
    )


def test_exactly_one_spot_is_found() -> None:
    est = grid_estate(ONE_SPOT, settlements=KETANGGAN)
    res = place(est, _one_spot_rules(), cell_m=50, time_limit_s=120)
    assert res.found
    spot_b = box(X0 + 400, Y0, X0 + 600, Y0 + 200)
    assert res.zone is not None
    assert shapely.symmetric_difference(res.zone, spot_b).area < 1.0
    assert res.report.passed
    assert res.solver["status"] == "OPTIMAL" and res.solver["gap"] == 0.0
    # The adjacency measured by check is the 200 m of shared edge with the industrial column.
    assert res.report["adjacent#1"].value == pytest.approx(200.0, abs=0.01)
    # Score: area-weighted distance of the 16 cell centres to Ketanggan per nominal area.
    centres = [Point(X0 + 425 + 50 * i, Y0 + 25 + 50 * j) for i in range(4) for j in range(4)]
    k = Point(X0, Y0 + 400)
    expected = sum(2500 * c.distance(k) for c in centres) / 40_000
    assert res.alternatives[0].score == pytest.approx(expected, rel=1e-9)


def test_greedy_from_best_cell_would_fail() -> None:
    """The best-scoring cell lies in pocket A, which has no industrial neighbour at all."""
    est = grid_estate(ONE_SPOT, settlements=KETANGGAN)
    rules = _one_spot_rules()
    pocket_a = box(X0, Y0 + 200, X0 + 200, Y0 + 400)
    assert check(est, pocket_a, rules)["adjacent#1"].passed is False
    assert check(est, pocket_a, rules)["adjacent#1"].value == 0.0


def test_infeasible_names_the_culprit_rule(tmp_path: Path) -> None:
    est = grid_estate(ONE_SPOT, settlements=KETANGGAN)
    res = place(est, _one_spot_rules(min_shared_m=500), cell_m=50, time_limit_s=120)
    assert not res.found and res.zone is None and res.alternatives == []
    d = json.loads(res.report.to_json())
    assert d["passed"] is False
    steps = {s["rule"]: s for s in d["funnel"]["steps"]}
    assert steps["on"]["alone_ha"] == pytest.approx(8.0)
    diag = {x["rule"]: x for x in d["diagnosis"]}
    # Only dropping the adjacency rule helps; the best boundary is pocket B's 200 m edge.
    assert diag["adjacent#1"]["fits_without"] is True
    assert diag["adjacent#1"]["best_value"] == pytest.approx(200.0, abs=2.0)
    assert "adjacent#1" in diag["adjacent#1"]["text"]
    assert diag["compactness"]["fits_without"] is False
    assert "no placement" in res.summary()
    # In Jupyter it says what the proof covers, as the terminal does (it said "(proven)").
    assert ("<div><b>no placement satisfies the rules (proven for zones of the 50 m grid&#x27;s cells)"
            in res._repr_html_())  # fmt: skip
    with pytest.raises(InfeasibleError, match="holds no placement"):
        write_placement(res, tmp_path / "x.gpkg")


# -- optimum by enumeration ---------------------------------------------------------------
ENUM_ROWS = ["IAAAA", "IAAGA", "IAAAA", "GAAAA"]


def _enum_setup() -> tuple:
    est = grid_estate(ENUM_ROWS, cell_m=50, settlements=[(Point(250, 100), {"name": "Ketanggan"})])
    rules = _rules(1.25, 0.1, [{**ADJ, "min_shared_m": 100}, {"kind": "contiguous"},
                              {"kind": "compactness", "min": 0.4}], NEAR_K)  # fmt: skip
    return est, rules


def _brute_force(est, rules, accept=lambda zone: True) -> tuple[float, shapely.Geometry | None]:  # type: ignore[no-untyped-def]
    """Independent method: every 5-cell set of available 50 m squares, judged by check."""
    avail = [
        box(X0 + 50 * c, Y0 + 50 * (len(ENUM_ROWS) - 1 - r), X0 + 50 * (c + 1), Y0 + 50 * (len(ENUM_ROWS) - r))
        for r, line in enumerate(ENUM_ROWS) for c, ch in enumerate(line) if ch == "A"
    ]  # fmt: skip
    k = Point(X0 + 250, Y0 + 100)
    best_score, best_zone = math.inf, None
    for combo in itertools.combinations(range(len(avail)), 5):
        zone = shapely.union_all([avail[i] for i in combo])
        if zone.geom_type != "Polygon" or not accept(zone):
            continue
        if not check(est, zone, rules).passed:
            continue
        score = sum(2500 * avail[i].centroid.distance(k) for i in combo) / 12_500
        if score < best_score - 1e-9:
            best_score, best_zone = score, zone
    return best_score, best_zone


def test_optimum_matches_brute_force_enumeration() -> None:
    """The cells are the enumerated optimum; the zone returned (their outline, refined
    over the true geometry) scores no more and passes ``check``."""
    from kitland.placement import build_problem, dissolve  # noqa: PLC0415

    est, rules = _enum_setup()
    best_score, best_zone = _brute_force(est, rules)
    assert best_zone is not None
    res = place(est, rules, cell_m=50, time_limit_s=120)
    assert res.found and res.solver["status"] == "OPTIMAL"
    p = res.alternatives[0]
    assert p.grid_score == pytest.approx(best_score, rel=1e-9)
    _, cells, _ = build_problem(est, rules, cell_m=50)
    assert shapely.symmetric_difference(dissolve(cells, p.cells), best_zone).area < 1.0
    assert p.score <= p.grid_score + 1e-9
    assert check(est, p.zone, rules).passed


def test_near_gives_the_best_zone_covering_half_the_proposal() -> None:
    """``near``: the best zone that covers at least half of a proposed site, by enumeration."""
    est, rules = _enum_setup()
    proposal = box(X0 + 150, Y0 + 100, X0 + 250, Y0 + 200)  # 1 ha, the four north-east squares
    free_best, _ = _brute_force(est, rules)
    best_score, best_zone = _brute_force(
        est,
        rules,
        lambda z: shapely.area(shapely.intersection(z, proposal)) >= 0.5 * proposal.area - 1e-6,
    )
    assert best_zone is not None and best_score > free_best  # the proposal costs something
    res = place(est, rules, cell_m=50, time_limit_s=120, near=proposal)
    assert res.found and res.status == "OPTIMAL"
    p = res.alternatives[0]
    assert p.grid_score == pytest.approx(best_score, rel=1e-9)
    assert p.score <= p.grid_score + 1e-9 and check(est, p.zone, rules).passed
    # The refined zone still covers half the proposal (the squares are the cells: the
    # model's measure on the cells is the true overlap).
    share = shapely.area(shapely.intersection(p.zone, proposal)) / proposal.area
    assert share >= 0.5 - 1e-6
    assert res.solver["near"] == {"share_min": 0.5, "overlap": [pytest.approx(share)]}
    with pytest.raises(ValueError, match="near_share"):
        place(est, rules, cell_m=50, near=proposal, near_share=0)
    with pytest.raises(ValueError, match="near: expected"):
        place(est, rules, cell_m=50, near=Point(X0, Y0))


def test_same_input_same_zone() -> None:
    est, rules = _enum_setup()
    a = place(est, rules, cell_m=50, time_limit_s=120, alternatives=2)
    b = place(est, rules, cell_m=50, time_limit_s=120, alternatives=2)
    assert [p.zone.wkb for p in a.alternatives] == [p.zone.wkb for p in b.alternatives]


def test_alternatives_overlap_at_most_the_share() -> None:
    est, rules = _enum_setup()
    res = place(est, rules, cell_m=50, time_limit_s=120, alternatives=3, max_overlap=0.25)
    zones = [p.zone for p in res.alternatives]
    assert len(zones) >= 2
    assert [p.rank for p in res.alternatives] == list(range(1, len(zones) + 1))
    scores = [p.score for p in res.alternatives]
    assert scores == sorted(scores)
    for i, j in itertools.combinations(range(len(zones)), 2):
        assert zones[i].intersection(zones[j]).area <= 0.25 * zones[j].area + 1e-6
    assert all(p.report.passed for p in res.alternatives)
    assert len(res.report.extra["alternatives"]) == len(zones)
    assert res.report.extra["alternatives_requested"] == 3
    assert ("found 2 of 3 placements" in res.summary()) == (len(zones) == 2)


# -- roads split cells ----------------------------------------------------------------------
def test_cells_split_by_road_are_not_neighbours() -> None:
    # A 12 m local road at x = 150 (corridor 144..156) crosses grid columns 125..150 / 150..175.
    allowed = shapely.difference(box(0, 0, 300, 100), box(144, -1, 156, 101))
    cells = make_cells(allowed, cell_m=25.0)
    west = cells.centroids[:, 0] < 150
    crossing = west[cells.edges[:, 0]] != west[cells.edges[:, 1]]
    assert not crossing.any()
    assert cells.area_m2.sum() == pytest.approx(288 * 100)


def test_a_whole_number_cell_size_keeps_fractional_shared_edges() -> None:
    # A disc clips its border cells, so many shared edges are shorter than the cell;
    # ``cell_m=25`` (an int, as a notebook user types it) must measure them as 25.0 does.
    allowed = Point(0, 0).buffer(140.0, quad_segs=32)
    as_int, as_float = make_cells(allowed, cell_m=25), make_cells(allowed, cell_m=25.0)
    short = as_float.shared_m < 25.0 - 1e-6
    assert short.sum() >= 8
    assert not np.allclose(as_float.shared_m[short], np.round(as_float.shared_m[short]))
    assert as_int.shared_m.dtype.kind == "f"
    np.testing.assert_array_equal(as_int.edges, as_float.edges)
    np.testing.assert_allclose(as_int.shared_m, as_float.shared_m)


def test_no_two_piece_zone_across_a_road() -> None:
    road = [(LineString([(150, -50), (150, 150)]), {"road_id": "r", "road_class": "local"})]
    est = grid_estate(["AAA", "AAA"], cell_m=50, roads=road)
    rules = _rules(2.0, 0.5, [{"kind": "contiguous"}])
    # Each side holds 1.44 ha (< 1.5 ha); only a zone in two pieces would reach the area.
    res = place(est, rules, cell_m=25, time_limit_s=120)
    assert not res.found
    assert max(res.report.extra["funnel"]["largest_pieces_ha"]) == pytest.approx(1.44)


# -- every returned zone passes check ------------------------------------------------------
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.lists(st.text(alphabet="AAAIG", min_size=5, max_size=5), min_size=4, max_size=4),
    area_ha=st.sampled_from([0.75, 1.0, 1.5]),
    min_shared=st.sampled_from([0, 50, 100]),
    compact=st.sampled_from([0.3, 0.5, 0.7]),
)
def test_property_every_placed_zone_passes_check(grid: list[str], area_ha: float, min_shared: int,
                                                 compact: float) -> None:  # fmt: skip
    est = grid_estate(grid, cell_m=50, settlements=[(Point(0, 0), {"name": "Ketanggan"})])
    rules_list: list[dict] = [{"kind": "contiguous"}, {"kind": "compactness", "min": compact}]
    if min_shared and "I" in "".join(grid):
        rules_list.append({**ADJ, "min_shared_m": min_shared})
    rules = _rules(area_ha, 0.25, rules_list, NEAR_K)
    res = place(est, rules, cell_m=25, time_limit_s=120, alternatives=2)
    for p in res.alternatives:
        assert check(est, p.zone, rules).passed
    assert res.found == bool(res.alternatives)


# -- errors ------------------------------------------------------------------------------
def test_errors() -> None:
    est = grid_estate(ONE_SPOT)
    with pytest.raises(RulesError, match=r"has no \[zone\] table"):
        place(est, Rules(zone=None))
    with pytest.raises(ValueError, match="alternatives=0"):
        place(est, _one_spot_rules(), alternatives=0)
    with pytest.raises(ValueError, match="cell_m=0"):
        place(est, _one_spot_rules(), cell_m=0)
    with pytest.raises(ValueError, match="max_overlap=2"):
        place(est, _one_spot_rules(), max_overlap=2)


# -- outputs ------------------------------------------------------------------------------
def test_write_placement_layers(tmp_path: Path) -> None:
    est, rules = _enum_setup()
    res = place(est, rules, cell_m=50, time_limit_s=120, alternatives=2)
    out = tmp_path / "placed.gpkg"
    write_placement(res, out)
    assert sorted(fiona.listlayers(out)) == ["layer_styles", "parcels", "zone"]
    with fiona.open(out, layer="zone") as src:
        props = [dict(f["properties"]) for f in src]
        assert {"zone_id", "land_use", "area_ha", "rank", "score"} <= set(src.schema["properties"])
    assert [p["rank"] for p in props] == [1, 2]
    assert all(p["land_use"] == "umkm" for p in props)
    with fiona.open(out, layer="parcels") as src:
        feats = [(dict(f["properties"]), shapely.geometry.shape(f["geometry"])) for f in src]
    new = [g for p, g in feats if p["land_use"] == "umkm"]
    assert len(new) == 1 and new[0].area == pytest.approx(res.zone.area)
    ids = [p["parcel_id"] for p, _ in feats]
    assert len(ids) == len(set(ids))
    # The layout keeps the estate's parcel area: the zone was carved out, not added on top.
    total = sum(g.area for _, g in feats)
    assert total == pytest.approx(est.parcels.area.sum(), abs=1.0)
    avail_after = sum(g.area for p, g in feats if p["land_use"] == "available")
    assert avail_after == pytest.approx(
        est.parcels[est.parcels.land_use == "available"].area.sum() - res.zone.area, abs=1.0
    )
    assert not list(tmp_path.glob(".placed.gpkg.*"))


def test_cli_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = grid_layers(ONE_SPOT, settlements=KETANGGAN)
    gpkg = write_layers(layers, tmp_path / "estate.gpkg")
    ok = tmp_path / "ok.toml"
    ok.write_text(pocket_rules())
    out, rep = tmp_path / "out.gpkg", tmp_path / "r.json"
    code = main(
        [
            "place",
            str(gpkg),
            "--rules",
            str(ok),
            "--out",
            str(out),
            "--report",
            str(rep),
            "--cell-m",
            "50",
        ]
    )
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert "placement 1" in stdout
    d = json.loads(rep.read_text())
    assert d["passed"] is True and len(d["alternatives"]) == 1
    assert d["solver"]["status"] == "OPTIMAL"
    assert sorted(fiona.listlayers(out)) == ["layer_styles", "parcels", "zone"]
    bad = tmp_path / "bad.toml"
    bad.write_text(ok.read_text().replace("min_shared_m = 100", "min_shared_m = 900"))
    rep2, out2 = tmp_path / "r2.json", tmp_path / "out2.gpkg"
    code = main(
        [
            "place",
            str(gpkg),
            "--rules",
            str(bad),
            "--out",
            str(out2),
            "--report",
            str(rep2),
            "--cell-m",
            "50",
        ]
    )
    stdout = capsys.readouterr().out
    assert code == 1
    assert "no placement" in stdout
    d2 = json.loads(rep2.read_text())
    assert d2["passed"] is False and d2["funnel"]["steps"]
    assert not out2.exists()


def test_result_displays() -> None:
    est = grid_estate(ONE_SPOT, settlements=KETANGGAN)
    res = place(est, _one_spot_rules(), cell_m=50, time_limit_s=120)
    shown = res._repr_html_()
    assert "<table>" in shown
    # What the solver proved, worded as the terminal says it (it showed "gap 0.0"):
    assert "<td>optimal on the 50 m grid</td>" in shown and "OPTIMAL, gap 0.00%," in shown
    assert res.summary().startswith("placement 1: 4.00 ha")
    assert np.isfinite(res.solver["time_s"])


def test_relaxations_never_tighten_a_rule() -> None:
    """On a feasible problem no rule is the obstacle: the advice must never propose a
    "relaxation" beyond the rule's own limit (e.g. adjacency 100 m "relaxed" to 200 m)."""
    from kitland.placement import build_problem  # noqa: PLC0415
    from kitland.placement._diagnose import relaxations  # noqa: PLC0415

    est, rules = _enum_setup()
    _, _, prob = build_problem(est, rules, cell_m=50)
    advice = relaxations(prob, time_limit_s=10)
    adjacency = next(a for a in advice if a["rule"] == "adjacent#1")
    assert adjacency["fits_without"] and adjacency["best_value"] >= 100
    assert adjacency["text"].startswith("adjacent#1 is not the obstacle")
    assert not any(a["text"].startswith("relax ") for a in advice)


# -- the two window solvers agree ----------------------------------------------------------
def _width_setup() -> tuple:
    # 9 ha: at least 7.8 ha is needed before a 60 m width rule can pass at all.
    est = grid_estate(["AAAAAAA"] * 6 + ["IIIIAAA"], cell_m=50,
                      settlements=[(Point(350, 350), {"name": "Ketanggan"})])  # fmt: skip
    rules = _rules(9.0, 0.5, [{**ADJ, "min_shared_m": 100}, {"kind": "contiguous"},
                              {"kind": "compactness", "min": 0.5},
                              {"kind": "min_width", "min_m": 60}], NEAR_K)  # fmt: skip
    return est, rules


@pytest.mark.parametrize(
    ("setup", "cell_m"),
    [(_enum_setup, 50.0), (lambda: (grid_estate(ONE_SPOT, settlements=KETANGGAN), _one_spot_rules()), 50.0),
     (_width_setup, 25.0)],
)  # fmt: skip
def test_highs_and_cpsat_windows_agree(setup, cell_m: float) -> None:  # type: ignore[no-untyped-def]
    """A second method: the CP-SAT flow model and the HiGHS model with generated
    connectivity rows prove the same optimum on the same arrays."""
    from kitland.placement import build_problem  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    est, rules = setup()
    _, _, prob = build_problem(est, rules, cell_m=cell_m)
    a = solve(prob, time_limit_s=120, backend="highs")
    b = solve(prob, time_limit_s=120, backend="cpsat")
    assert a.status == b.status == "OPTIMAL"
    assert a.objective == pytest.approx(b.objective, rel=1e-9)


def test_necks_are_found_between_barely_overlapping_squares() -> None:
    """Two 3 × 3 squares of a 4 × 6 grid overlapping by two columns: the pairs that cross
    between them lie in no fully chosen square."""
    from kitland.placement._window import Model, squares_of  # noqa: PLC0415

    cols, rows = 4, 6
    n = rows * cols
    idx = np.arange(n).reshape(rows, cols)
    edges = np.r_[np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()],
                  np.c_[idx[:-1, :].ravel(), idx[1:, :].ravel()]]  # fmt: skip
    prob = Problem(np.full(n, 625.0), np.full(n, 100.0), np.zeros(n), np.repeat(np.arange(rows), cols), np.tile(np.arange(cols), rows), 25.0, edges,
                   np.full(len(edges), 25.0), 0.0, 1e9, width_cells=3)  # fmt: skip
    mod = Model.of(prob, np.arange(n), squares_of(prob))
    assert len(mod.squares) == (rows - 2) * (cols - 2)
    chosen = np.zeros(n, dtype=bool)
    chosen[idx[0:3, 0:3].ravel()] = True
    chosen[idx[3:6, 1:4].ravel()] = True
    necks = sorted(tuple(sorted(e)) for e in mod.edges[mod.open_necks(chosen)].tolist())
    assert necks == [(int(idx[2, 1]), int(idx[3, 1])), (int(idx[2, 2]), int(idx[3, 2]))]
    chosen[idx[3:6, 0]] = True  # widen the lower square to the left: the neck is 75 m
    chosen[idx[0:3, 3]] = True
    assert len(mod.open_necks(chosen)) == 0


def test_unknown_solver_backend_is_named() -> None:
    from kitland.placement import build_problem  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    est, rules = _enum_setup()
    _, _, prob = build_problem(est, rules, cell_m=50)
    with pytest.raises(ValueError, match="backend='higs': expected 'highs' or 'cpsat'"):
        solve(prob, backend="higs")


def test_a_window_starts_from_a_zone_that_passes_check() -> None:
    """A window's own warm start (greedy growth or its best rectangle) lies in the window,
    touches its block and, as the zone the search checks (dissolved, its corners cut by
    what the width rule's corner budget needs: :func:`zone_of`), passes every zone rule of
    ``check``, including a 60 m width that greedy growth alone rarely meets."""
    from kitland.placement import build_problem, zone_of  # noqa: PLC0415
    from kitland.placement._model import _adjacency  # noqa: PLC0415
    from kitland.placement._starts import greedy, window_start  # noqa: PLC0415
    from kitland.placement._window import squares_of  # noqa: PLC0415

    est, rules = _width_setup()
    _, cells, prob = build_problem(est, rules, cell_m=25)
    adj = _adjacency(len(prob), prob.edges)
    squares = squares_of(prob)
    win = np.zeros(len(prob), dtype=bool)
    win[squares.ravel()] = True
    block = win & (prob.col >= int(prob.col.max()) - 3)  # the east edge, by the industry
    start = window_start(prob, win, block, adj, squares)
    assert start is not None and win[start].all() and block[start].any()
    report = check(est, zone_of(cells, prob, start), rules)
    assert report.passed, [(r.id, r.value) for r in report.failed]
    grown = greedy(prob, win, block, adj, squares)
    if grown is not None:
        assert prob.cost[start].sum() <= prob.cost[grown].sum() + 1e-9


def test_an_error_in_a_window_stops_the_search_beside_it(caplog: pytest.LogCaptureFixture) -> None:
    """The neighbourhood search runs in a second thread beside the HiGHS windows; when the
    window loop fails (here the progress callback, first called with the warm start's
    score), the error comes out and the search stops instead of running on: it says it
    was stopped with deterministic time left (the thread's end is waited for, however
    loaded the machine)."""
    import threading  # noqa: PLC0415

    from kitland.placement import _solve, build_problem  # noqa: PLC0415

    # Open land with the preferred point at a corner: the search has many rounds to do.
    est = grid_estate(
        ["A" * 10] * 10, cell_m=50, settlements=[(Point(500, 500), {"name": "Ketanggan"})]
    )
    rules = _rules(10.0, 0.5, [{"kind": "contiguous"}, {"kind": "compactness", "min": 0.5},
                               {"kind": "min_width", "min_m": 60}], NEAR_K)  # fmt: skip
    _, _, prob = build_problem(est, rules, cell_m=25)
    before = set(threading.enumerate())

    def broken(best: float, bound: float) -> None:
        raise RuntimeError("window failed")

    caplog.set_level(logging.DEBUG, logger="kitland.placement._cpsat")
    with pytest.raises(RuntimeError, match="window failed"):
        _solve.solve(prob, time_limit_s=120, on_progress=broken)
    extra = [t for t in threading.enumerate() if t not in before]
    for t in extra:
        t.join(timeout=600)  # a bound against a hang only
    assert not any(t.is_alive() for t in extra)
    stopped = [r.args for r in caplog.records if r.msg.startswith("search beside stopped")]
    assert len(stopped) == 1
    left, budget = stopped[0]
    assert 0 < left < budget  # stopped early, not at the end of its own budget


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread policy is Linux's")
def test_the_search_beside_the_windows_yields_the_cores_to_highs() -> None:
    """The search beside the windows (:class:`Beside`, what ``solve`` runs the
    neighbourhood search in) runs under ``SCHED_IDLE`` in a thread of its own, so HiGHS's
    two threads keep both cores; the caller's own policy and priority are left as they were."""
    import os  # noqa: PLC0415
    import threading  # noqa: PLC0415

    from kitland.placement._cpsat import Beside  # noqa: PLC0415

    me = threading.get_native_id()
    mine = os.getpriority(os.PRIO_PROCESS, me), os.sched_getscheduler(me)
    seen: list[tuple[int, int]] = []
    started, go = threading.Event(), threading.Event()

    def search(stop: object) -> np.ndarray:
        seen.append((threading.get_native_id(), os.sched_getscheduler(threading.get_native_id())))
        started.set()
        go.wait(600)  # result() gives the ordinary priority back: read the policy before it
        return np.arange(3)

    beside = Beside(search)
    assert started.wait(600)  # a bound against a hang only, not a timing assertion
    go.set()
    assert beside.result().tolist() == [0, 1, 2]
    assert len(seen) == 1
    tid, policy = seen[0]
    assert tid != me
    assert policy == os.SCHED_IDLE
    assert (os.getpriority(os.PRIO_PROCESS, me), os.sched_getscheduler(me)) == mine


# -- windows solved against targets (LP probing) --------------------------------------------
@pytest.mark.parametrize("stop", [0.0, 0.125, 1.0])
def test_probing_keeps_every_cell_of_every_zone_cheaper_than_the_target(stop: float) -> None:
    """Independent method: every 5-cell set of the enumeration estate judged by ``check``
    (as in the brute-force test); each zone cheaper than the target keeps all its cells,
    however early the probing stages stop (``probe_min_found`` 1.0 with rounds of one
    cell: at the first probe that finds nothing)."""
    from kitland.placement import _milp, build_problem  # noqa: PLC0415

    est, rules = _enum_setup()
    _, cells, prob = build_problem(est, rules, cell_m=50.0)
    w, _ = _whole_window(prob, SolveOptions(probe_round=1 if stop == 1.0 else 32,
                                            probe_min_found=stop))  # fmt: skip
    k = Point(X0 + 250, Y0 + 100)
    centre = {(round(x), round(y)): i for i, (x, y) in enumerate(cells.centroids.tolist())}
    zones = []
    for combo in itertools.combinations(sorted(centre), 5):
        boxes = [box(x - 25, y - 25, x + 25, y + 25) for x, y in combo]
        zone = shapely.union_all(boxes)
        if zone.geom_type == "Polygon" and check(est, zone, rules).passed:
            score = sum(2500 * b.centroid.distance(k) for b in boxes) / 12_500
            zones.append((score, [centre[c] for c in combo]))
    zones.sort()
    assert len(zones) >= 3
    all_cells = np.arange(len(prob))
    for target in (zones[0][0] + 1e-6, zones[2][0] + 1e-6):
        kept_cells, ones = _milp._probe(w, all_cells, target, Work(math.inf), fix=True)
        kept = set(kept_cells.tolist())
        cheaper = [cs for score, cs in zones if score < target]
        assert cheaper and all(set(cs) <= kept for cs in cheaper)
        # the cells fixed in are held by every cheaper zone
        assert set(ones.tolist()) <= set.intersection(*(set(cs) for cs in cheaper))
        if target < zones[1][0] and stop < 1.0:  # only the best zone is cheaper: cells go
            assert len(kept) < len(prob)


@pytest.mark.parametrize(("gaps", "below"), [((1e-6, 1e-4), True), ((0.05,), False)])
def test_targets_below_and_above_the_optimum_prove_it(gaps: tuple[float, ...], below: bool) -> None:
    """The HiGHS window solved against targets (the first one below the optimum, so it
    is raised; or above it) proves the optimum the CP-SAT flow model proves."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415

    prob, squares, _, b = _width_window()
    options = SolveOptions(probe_min_cells=1, target_gaps=gaps)
    every = np.arange(len(prob))
    a = HighsWindows(prob, squares, options).solve(every, every, incumbent=None, start=None,
                                                   time_s=120)  # fmt: skip
    assert a.status == "OPTIMAL" and a.cells is not None
    assert prob.objective(a.cells) == pytest.approx(b.objective, rel=1e-9)
    assert a.targets and (a.targets[0][0] < b.objective) == below


def test_a_window_with_a_worse_incumbent_proves_the_optimum() -> None:
    """Given the second-best zone as incumbent and start (CP-SAT's optimum once the best is
    forbidden), the HiGHS window (targets, probing; a MILP against a target that HiGHS
    ends with a zone above the target proves nothing lies below it) returns the optimum
    CP-SAT proves, a second exact method."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    prob, squares, _, b = _width_window()
    second = solve(prob.with_nogood(b.cells), time_limit_s=120, backend="cpsat")
    assert second.status == "OPTIMAL" and second.cells is not None
    assert second.objective >= b.objective
    every = np.arange(len(prob))
    a = HighsWindows(prob, squares, SolveOptions(probe_min_cells=1)).solve(
        every, every, incumbent=second.cells, start=second.cells, time_s=120
    )
    assert a.status == "OPTIMAL" and a.cells is not None
    assert prob.objective(a.cells) == pytest.approx(b.objective, rel=1e-9)


def _whole_window(prob, opts=None):  # type: ignore[no-untyped-def]
    """The HiGHS window over every cell of ``prob`` and the width squares."""
    from kitland.placement import _milp  # noqa: PLC0415
    from kitland.placement._window import squares_of  # noqa: PLC0415

    squares = squares_of(prob)
    w = _milp._Window(p=prob, block=np.arange(len(prob)), squares=squares,
                      opts=opts or SolveOptions())  # fmt: skip
    return w, squares


@functools.cache
def _width_window() -> tuple:
    """The width estate's arrays at 25 m, its whole window and the CP-SAT optimum (built
    once: the tests only read them)."""
    from kitland.placement import build_problem  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    est, rules = _width_setup()
    _, _, prob = build_problem(est, rules, cell_m=25.0)
    w, squares = _whole_window(prob)
    best = solve(prob, time_limit_s=120, backend="cpsat")
    assert best.status == "OPTIMAL" and best.cells is not None
    return prob, squares, w, best


def test_probing_fixes_in_only_cells_the_optimum_holds() -> None:
    """Against the CP-SAT optimum (a second solver): with the target just above its cost,
    every cell probing fixes in is one of its cells, and probing does fix cells in."""
    from kitland.placement import _milp  # noqa: PLC0415

    prob, _, w, best = _width_window()
    target = best.objective + 1e-6
    keep, ones = _milp._probe(w, np.arange(len(prob)), target, Work(math.inf), fix=True)
    assert set(best.cells.tolist()) <= set(keep.tolist())
    assert len(ones) > 0
    assert set(ones.tolist()) <= set(best.cells.tolist())
    # Without ``fix`` nothing is fixed in, and the same cells are kept.
    keep2, ones2 = _milp._probe(w, np.arange(len(prob)), target, Work(math.inf))
    assert len(ones2) == 0 and np.array_equal(keep, keep2)


@pytest.mark.parametrize("second", [False, True])
def test_a_zone_in_hand_becomes_the_target_and_the_optimum_is_still_proven(second: bool) -> None:
    """A zone in hand (here the CP-SAT optimum, or the best dearer zone CP-SAT finds once
    the optimal ones are forbidden; as the search beside HiGHS's zone would be) is the only target;
    probing fixes cells in, and the window still proves the CP-SAT optimum."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415
    from kitland.placement._solve import solve  # noqa: PLC0415

    prob, squares, _, best = _width_window()
    given = best.cells
    if second:  # forbid the optimal zones (ties included) until a dearer one is best
        worse, other = prob, best
        for _ in range(4):
            worse = worse.with_nogood(other.cells)
            other = solve(worse, time_limit_s=120, backend="cpsat")
            assert other.status == "OPTIMAL"
            if other.objective > best.objective + 1e-6:
                break
        assert other.objective > best.objective + 1e-6
        given = other.cells
    # The first target is above both zones, so the given zone is the one in hand;
    # probing reaches as far as that target.
    options = SolveOptions(probe_min_cells=1, target_gaps=(0.1,), probe_gap=0.1)
    every = np.arange(len(prob))
    a = HighsWindows(prob, squares, options).solve(every, every, incumbent=given, start=given,
                                                   time_s=120)  # fmt: skip
    assert a.status == "OPTIMAL" and a.cells is not None
    assert prob.objective(a.cells) == pytest.approx(best.objective, rel=1e-9)
    assert len(a.targets) == 1
    target, _, n_ones = a.targets[0]
    assert target == pytest.approx(prob.cost[given].sum(), rel=1e-8) and n_ones > 0


def test_highs_time_limit_counts_the_instance_s_run_time() -> None:
    """HiGHS compares an LP's ``time_limit`` with the run time the instance has
    accumulated over all its runs (a second run given the first run's budget stops at
    once); the LPs of a window therefore set it from ``getRunTime()``."""
    import highspy  # noqa: PLC0415

    from kitland.placement import _milp  # noqa: PLC0415

    prob, _, w, _ = _width_window()
    m = _milp._build(w, np.arange(len(prob)))
    assert _milp._relaxation(m, Work(math.inf), SolveOptions()) is not None
    first = m.h.getRunTime()
    m.h.setOptionValue("time_limit", first)  # what "the same budget again" would be
    m.h.clearSolver()
    m.h.run()
    assert m.h.getModelStatus() == highspy.HighsModelStatus.kTimeLimit
    t_end = time.monotonic() + 30
    _milp._time_limit(m.h, t_end)
    m.h.clearSolver()
    m.h.run()
    assert m.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert m.h.getOptions().time_limit >= m.h.getRunTime() - 1e-9
