"""Determinism (issues 7 and 15): the same input gives the same zones, whatever the load.

The search is limited by counted work (:mod:`kitland.placement._work`), not by the wall
clock: runs with a budget too small to prove anything are repeated while other processes
keep both cores busy, and must return the same cells, statuses and gaps. Alternatives are
counted against an enumeration of every zone of a small estate.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import fiona
import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import (
    ORIGIN,
    grid_estate,
    organic_layers,
    road_front_layers,
    road_front_rules,
    write_layers,
)
from numpy.typing import NDArray
from shapely import Point, box
from shapely.geometry import shape

from kitland.cli import main
from kitland.estate import Estate
from kitland.measure import check
from kitland.placement import PlacementResult, SolveOptions, build_problem, place
from kitland.placement._model import Problem
from kitland.placement._solve import solve
from kitland.placement._window import WindowResult
from kitland.placement._work import Clock, Work
from kitland.rules import Rules, parse_rules

X0, Y0 = ORIGIN


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_input_same_report_and_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"])
    est = write_layers(layers, tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.toml"
    rules.write_text(road_front_rules(named=False))
    digests, zones = [], []
    for run in range(2):
        rep, out = tmp_path / f"r{run}.json", tmp_path / f"z{run}.gpkg"
        argv = ["place", str(est), "--rules", str(rules), "--cell-m", "50", "--alternatives", "2"]
        code = main([*argv, "--report", str(rep), "--out", str(out)])
        capsys.readouterr()
        assert code == 0
        digests.append(_sha(rep))
        with fiona.open(out, layer="zone") as src:
            zones.append([(f["properties"]["rank"], shape(f["geometry"]).wkb) for f in src])
    assert digests[0] == digests[1]
    assert zones[0] == zones[1]
    assert len(zones[0]) == 2


def test_placement_result_draws_its_map(tmp_path: Path) -> None:
    from kitland.rules import load_rules  # noqa: PLC0415

    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"])
    rules = tmp_path / "rules.toml"
    rules.write_text(road_front_rules(named=False))
    res = place(Estate.from_layers(layers), load_rules(rules), cell_m=50, alternatives=2)
    html = res.explore(lang="en").get_root().render()
    assert "UMKM zone" in html and "Alternative" in html
    assert "<table" in res._repr_html_()


# -- the same cells under load ---------------------------------------------------------------
@contextlib.contextmanager
def _busy(n: int = 3) -> Iterator[None]:
    """``n`` processes spinning on the CPU (more than the machine's two cores) meanwhile."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _organic(seed: int, zone_ha: float) -> tuple[Estate, Rules]:
    """A Voronoi estate with 12 m roads between every block, and rules that need a zone
    facing industry across a road, near a village at its north-west."""
    layers = organic_layers(40, seed=seed)
    village = Point(X0 + 100, Y0 + 1100)
    layers["settlements"] = gpd.GeoDataFrame({"name": ["Desa"]}, geometry=[village],
                                             crs=layers["parcels"].crs)  # fmt: skip
    rules = parse_rules({
        "zone": {"area_ha": zone_ha, "tolerance_ha": 0.25},
        "rules": [{"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared_m": 100,
                   "max_gap_m": 15}, {"kind": "contiguous"}, {"kind": "compactness", "min": 0.5}],
        "prefer": [{"kind": "near", "to": {"layer": "settlements", "name": ["Desa"]}}],
    })  # fmt: skip
    return Estate.from_layers(layers, source=f"organic {seed}"), rules


def _outcome(res: PlacementResult) -> list[tuple[int, str, float, list[int]]]:
    return [(p.rank, p.status, p.gap, p.cells.tolist()) for p in res.alternatives]


@pytest.mark.parametrize(("seed", "zone_ha"), [(0, 6.0), (1, 6.0)])
def test_same_placements_whatever_the_load(seed: int, zone_ha: float) -> None:
    """A small work budget (0.6 work seconds for two ranks) and a generous wall-clock
    limit: counted work, not the clock, ends every search (HiGHS's runs at their
    allowances, then CP-SAT on the windows left open), so a run while three processes
    keep the cores busy returns exactly what a run without them returns."""
    est, rules = _organic(seed, zone_ha)
    opts = SolveOptions(work_rate=0.005)
    quiet = place(est, rules, cell_m=25, alternatives=2, time_limit_s=120, options=opts)
    with _busy():
        loaded = place(est, rules, cell_m=25, alternatives=2, time_limit_s=120, options=opts)
    assert quiet.solver["deterministic"] and loaded.solver["deterministic"]
    assert len(quiet.alternatives) == 2
    assert _outcome(quiet) == _outcome(loaded)
    assert quiet.solver["work_s"] == loaded.solver["work_s"]


def test_the_wall_clock_stop_is_reported() -> None:
    """A search stopped by the wall clock (here: a clock already past its deadline) says
    its result is not deterministic; one stopped by its work budget says it is."""
    est, rules = _organic(0, 6.0)
    _, _, prob = build_problem(est, rules, cell_m=25)
    stopped = solve(prob, work=Work(100.0, Clock(deadline=0.0)))
    assert not stopped.deterministic and stopped.status != "OPTIMAL"
    spent = [solve(prob, work=Work(0.05, Clock())) for _ in range(2)]
    assert all(s.deterministic and s.cells is not None for s in spent)
    assert spent[0].cells.tolist() == spent[1].cells.tolist()  # type: ignore[union-attr]


# -- K alternatives when K exist, by enumeration ----------------------------------------------
ENUM_ROWS = ["IAAAAI", "IAAGAI", "IAAAAI", "GAAAAI"]
KETANGGAN = Point(X0 + 250, Y0 + 100)


def _enum_zones() -> tuple[Estate, Rules, list[tuple[float, frozenset[tuple[int, int]]]]]:
    """Every 5-square zone of the 50 m squares of available land that passes ``check``,
    with its score (mean distance of its area to Ketanggan), best first."""
    village = [(Point(250, 100), {"name": "Ketanggan"})]  # local metres: KETANGGAN
    est = grid_estate(ENUM_ROWS, cell_m=50, settlements=village)
    rules = parse_rules({
        "zone": {"area_ha": 1.25, "tolerance_ha": 0.1},
        "rules": [{"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared_m": 100},
                  {"kind": "contiguous"}, {"kind": "compactness", "min": 0.4}],
        "prefer": [{"kind": "near", "to": {"layer": "settlements", "name": ["Ketanggan"]}}],
    })  # fmt: skip
    squares = [(r, c) for r, line in enumerate(ENUM_ROWS) for c, ch in enumerate(line) if ch == "A"]

    def square(rc: tuple[int, int]) -> shapely.Polygon:
        r, c = rc
        y0 = Y0 + 50 * (len(ENUM_ROWS) - 1 - r)
        return box(X0 + 50 * c, y0, X0 + 50 * (c + 1), y0 + 50)

    zones = []
    for combo in itertools.combinations(squares, 5):
        zone = shapely.union_all([square(rc) for rc in combo])
        if zone.geom_type == "Polygon" and check(est, zone, rules).passed:
            score = sum(2500 * square(rc).centroid.distance(KETANGGAN) for rc in combo) / 12_500
            zones.append((score, frozenset(combo)))
    return est, rules, sorted(zones, key=lambda z: z[0])


def test_as_many_alternatives_as_exist() -> None:
    """Rank ``r`` is the best zone sharing at most one square (25 % of its area) with each
    better placement; by enumeration, rank after rank, that zone's score is the one
    returned, and the ranks stop exactly where the enumeration finds no zone left."""
    est, rules, zones = _enum_zones()
    _, cells, _ = build_problem(est, rules, cell_m=50)
    at = {(round(x), round(y)): i for i, (x, y) in enumerate(cells.centroids.tolist())}

    def cell_ids(zone: frozenset[tuple[int, int]]) -> set[int]:
        return {at[(round(X0 + 50 * c + 25), round(Y0 + 50 * (len(ENUM_ROWS) - 1 - r) + 25))]
                for r, c in zone}  # fmt: skip

    res = place(est, rules, cell_m=50, time_limit_s=120, alternatives=8, max_overlap=0.25)
    returned = [set(p.cells.tolist()) for p in res.alternatives]
    expected = 0
    for rank in range(len(returned) + 1):
        left = [
            s for s, z in zones if all(len(cell_ids(z) & prev) <= 1 for prev in returned[:rank])
        ]
        if not left:
            break
        expected += 1
        if rank < len(returned):
            assert res.alternatives[rank].status == "OPTIMAL"
            assert res.alternatives[rank].grid_score == pytest.approx(left[0], rel=1e-9)
    assert expected >= 3  # the instance has at least three placements to give
    assert len(returned) == expected
    assert res.solver["alternatives_missing"].startswith(
        "proven for zones of the grid's cells: no further zone"
    )
    three = place(est, rules, cell_m=50, time_limit_s=120, alternatives=3, max_overlap=0.25)
    assert [p.cells.tolist() for p in three.alternatives] == [
        p.cells.tolist() for p in res.alternatives[:3]
    ]


@pytest.mark.parametrize(
    ("work_s", "words_en", "words_id"),
    [(143.6, "had gone past the work budget", "sudah melewati anggaran kerja"),
     (61.0, "a busy or slow machine", "mesin sibuk atau lambat")],
)  # fmt: skip
def test_the_wall_clock_stop_says_why(work_s: float, words_en: str, words_id: str) -> None:
    """A search the wall clock ended says whether a solver run had overrun the work budget
    (work spent above it: the machine was not the cause) or the machine was busy or slow."""
    est, rules = _organic(0, 6.0)
    # 3 work-s, with the wall clock far off: the budget, not the load, ends the search
    res = place(est, rules, cell_m=25, time_limit_s=600, options=SolveOptions(work_rate=0.005))
    assert res.found and res.solver["deterministic"]
    assert res.solver["work_budget_s"] == pytest.approx(3.0)
    unproven = replace(res.alternatives[0], status="FEASIBLE", gap=0.05)
    stopped = replace(res, alternatives=[unproven], solver={
        **res.solver, "deterministic": False, "work_s": work_s, "work_budget_s": 90.0})  # fmt: skip
    assert words_en in stopped.summary()
    assert words_id in stopped.summary("id")


# -- a HiGHS run stops at its allowance of simplex iterations --------------------------------
def test_the_iteration_count_is_read_from_the_progress_lines() -> None:
    """The counts of HiGHS's MIP progress lines (a source letter or none; thousands as k),
    by hand; other lines of its log give none."""
    from kitland.placement._milp import _progress  # noqa: PLC0415

    root = "         0       0         0   0.00%   1055.5   1162   9.16%   1045  32  4   172  0.1s"
    tree = " B     205      13        97  47.56%   1069.8   1149   6.89%   1108  41 2273 1234k 2.0s"
    assert _progress(root) == (0, 172)
    assert _progress(tree) == (205, 1_234_000)
    assert _progress("40 rows, 60 cols, 733 nonzeros 0s") is None
    assert _progress("  Nodes             71") is None


def test_a_run_is_spent_at_the_first_progress_line_at_its_allowance() -> None:
    """By hand: the allowance is reached at the first progress line whose count is at or
    past it (the run's time limit is then set to 0); a call back stops the run after it,
    or after its root rounds; other lines of the log change nothing."""
    from kitland.placement._milp import _Limits  # noqa: PLC0415

    lim = _Limits()
    lim.reset(rounds=2, iters=10_000, t_end=float("inf"))
    assert not lim.line("   0   0   0   0.00%   10   20   50%   0  0  0   1000  0.1s")
    assert not lim.stop(0) and not lim.stop(0) and lim.stop(0)  # the third root call back
    lim.reset(rounds=100, iters=10_000, t_end=float("inf"))
    assert not lim.line("   0   1   0   0.00%   10   20   50%   0  0  0   9999  0.1s")
    assert not lim.line("Solving report") and not lim.stop(0)
    assert lim.line(" 204   2 101   9.00%   10   20   50%   0  0  0    10k  2.0s")  # 10,000
    assert lim.spent and lim.below == 9_999 and lim.stop(204)
    assert not lim.line(" 406   2 201   9.00%   10   20   50%   0  0  0    20k  4.0s")  # once


def test_a_tree_stretch_the_allowance_left_cannot_pay_for_is_declined() -> None:
    """By hand: once the root is done (a line's node count above 0), the run is spent at
    the first line from which the iterations left are fewer than the dearest stretch of
    its tree so far, the root (all of it) counted as the first; at the root its LP (the
    first line with iterations) is no stretch, and a round the iterations left pay for
    does not stop it."""
    from kitland.placement._milp import _Limits  # noqa: PLC0415

    def line(nodes: int, count: int) -> str:
        return f" {nodes:4d}   0   0   0.00%   10   20   50%   0  0  0  {count:6d}  0.1s"

    lim = _Limits()
    lim.reset(rounds=100, iters=10_000, t_end=float("inf"))
    # the root: an LP of 5,000, then a round of 1,000 (4,000 left pays for one)
    assert not any(lim.line(line(0, c)) for c in (0, 5_000, 6_000))
    assert lim.line(line(1, 6_500)) and lim.below == 6_500  # 3,500 left of a 6,500 root
    lim.reset(rounds=100, iters=10_000, t_end=float("inf"))
    assert not lim.line(line(0, 0)) and not lim.line(line(1, 1_000))  # a root of 1,000
    assert not lim.line(line(3, 3_000))  # a stretch of 2,000
    assert not lim.line(line(20, 6_500))  # one of 3,500, and 3,500 left: paid
    assert lim.line(line(40, 7_100)) and lim.spent  # 2,900 left
    assert not lim.line(line(90, 9_000))  # once


def test_a_tree_stretch_needs_its_margin_left() -> None:
    """By hand: with a margin of 2 the run goes on into another stretch of its tree only
    while the iterations left pay for two stretches as dear as the dearest so far (the
    root counted as one); with a margin of 1, for one."""
    from kitland.placement._milp import _Limits  # noqa: PLC0415

    def line(nodes: int, count: int) -> str:
        return f" {nodes:4d}   0   0   0.00%   10   20   50%   0  0  0  {count:6d}  0.1s"

    for margin, spent_at in ((2.0, 6_500), (1.0, None)):
        lim = _Limits()
        lim.reset(rounds=100, iters=10_000, t_end=float("inf"), margin=margin)
        assert not lim.line(line(0, 0))
        assert not lim.line(line(1, 2_000))  # a root of 2,000; 8,000 left pays for two
        assert not lim.line(line(3, 3_000))  # a stretch of 1,000; 7,000 left
        # a stretch of 3,500: 3,500 left pays for one such, not for two
        assert lim.line(line(10, 6_500)) == (spent_at == 6_500)
    lim = _Limits()
    lim.reset(rounds=100, iters=10_000, t_end=float("inf"), margin=2.0)
    assert lim.line(line(1, 3_500))  # a root of 3,500: 6,500 left is less than two such


def test_a_root_stretch_needs_its_margin_left() -> None:
    """By hand: at the root (node count 0) the run goes on only while the iterations left
    pay for ``margin`` rises as dear as the dearest between two root lines after its LP
    (the first line with iterations: the LP is not solved again, so it is no stretch);
    with a margin of 2 it is spent at the first line from which they do not, with a
    margin of 1 one line later, with none only at the allowance."""
    from kitland.placement._milp import _Limits  # noqa: PLC0415

    def line(count: int) -> str:
        return f"    0   0   0   0.00%   10   20   50%   0  0  0  {count:6d}  0.1s"

    # an LP of 4,000 (6,000 left: less than two such, not a stretch), then rounds of 500,
    # 1,500 (4,000 left pays for two), 1,200 (2,800 left: one of 1,500, not two), 1,600
    # (1,200 left: not one), 1,700 (past the allowance)
    counts = (0, 4_000, 4_500, 6_000, 7_200, 8_800, 10_500)
    for margin, spent_at in ((2.0, 7_200), (1.0, 8_800), (0.0, 10_500)):
        lim = _Limits()
        lim.reset(rounds=100, iters=10_000, t_end=float("inf"), margin=margin)
        ends = [c for c in counts if lim.line(line(c))]
        assert ends == [spent_at] and lim.spent


def _progress_lines(
    prob: Problem, squares: NDArray[np.int64], opts: SolveOptions
) -> list[tuple[int, int]]:  # fmt: skip
    """The node and iteration counts of every progress line of the window's MILP (all
    cells), run to its end by HiGHS with the search's settings, read by a logging call
    back of this test's own: nothing stops it."""
    import highspy  # noqa: PLC0415

    from kitland.placement import _milp  # noqa: PLC0415

    every = np.arange(len(prob))
    m = _milp._build(_milp._Window(prob, every, squares, opts), every)
    _milp._settings(m.h, seed=0, cutoff=None)
    lines: list[tuple[int, int]] = []

    def on_log(_k: object, msg: str, _o: object, _i: object, _d: object) -> None:
        got = _milp._progress(msg)
        if got is not None:
            lines.append(got)

    m.h.setOptionValue("output_flag", True)
    m.h.setOptionValue("log_to_console", False)
    m.h.setOptionValue("mip_min_logging_interval", 0.0)
    m.h.setCallback(on_log, None)
    m.h.startCallback(highspy.cb.HighsCallbackType.kCallbackLogging)
    m.h.run()
    assert m.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return lines


def _progress_counts(prob: Problem, squares: NDArray[np.int64], opts: SolveOptions) -> list[int]:
    """The iteration counts of :func:`_progress_lines`."""
    return [count for _, count in _progress_lines(prob, squares, opts)]


@pytest.mark.parametrize("work_s", [0.04, 0.1, 0.2])
def test_a_run_stops_at_its_allowance_plus_one_stretch_and_repeats(work_s: float) -> None:
    """The width estate's whole window (180 cells at 25 m), with node and root-round limits
    that never bind and no stretch margin (the tests by hand above check it): given
    ``work_s``, the run is charged exactly the count of the first progress line at or
    past its allowance (plus ``lp_run_iters``), read from the log of
    the same MILP run to its end without any stop (HiGHS is deterministic): the slack is
    the iterations between two progress lines. Its bound is below the CP-SAT optimum (a
    second solver), and the wall clock is not said to have stopped it; the same input
    twice gives the same result and the same work."""
    from test_placement import _width_window  # noqa: PLC0415

    from kitland.placement._milp import HighsWindows  # noqa: PLC0415

    prob, squares, _, best = _width_window()
    every = np.arange(len(prob))
    opts = SolveOptions(probe_min_cells=10**6, mip_nodes_per_s=1e6, root_rounds_per_s=1e6,
                        stretch_margin=0)  # fmt: skip
    counts = _progress_counts(prob, squares, opts)
    allowed = work_s * opts.lp_iters_per_s
    assert counts[-1] > allowed  # the run to its end goes past every allowance here
    first = next(c for c in counts if c >= allowed)
    slack = max(b - a for a, b in itertools.pairwise(counts))

    def run(work: Work) -> WindowResult:
        return HighsWindows(prob, squares, opts).solve(every, every, incumbent=None, start=None,
                                                       work=work)  # fmt: skip

    budget = Work(work_s)
    got, again = run(budget), run(Work(work_s))
    assert got.status != "OPTIMAL" and not budget.clock.hit  # the budget stopped it, not the clock
    assert got.work * opts.lp_iters_per_s == pytest.approx(first + opts.lp_run_iters, abs=1e-6)
    assert got.work <= work_s + (slack + opts.lp_run_iters) / opts.lp_iters_per_s
    assert got.bound <= best.objective + 1e-7
    assert (got.status, got.bound, got.work) == (again.status, again.bound, again.work)


def _seeded_grid(seed: int = 5) -> Problem:
    """Ten by ten 10 m cells with seeded costs, zones of 20–23 cells, a compactness rule
    and a price per metre of boundary: HiGHS's MILP over them needs a tree."""
    n = 10
    rng = np.random.default_rng(seed)
    row, col = np.divmod(np.arange(n * n), n)
    edges = np.array([[i, i + 1] for i in range(n * n) if (i + 1) % n]
                     + [[i, i + n] for i in range(n * n - n)])  # fmt: skip
    return Problem(np.full(n * n, 100.0), np.full(n * n, 40.0), rng.normal(0, 1, n * n).round(3),
                   row, col, 10.0, edges, np.full(len(edges), 10.0), 2_000.0, 2_300.0,
                   min_compactness=0.6, boundary_weight=0.02)  # fmt: skip


def test_a_tree_stretch_past_the_allowance_is_declined_and_repeats() -> None:
    """A seeded grid whose MILP, run to its end, goes on into its tree: given an
    allowance of one and a half times the count at the end of its root (less than the
    root again), the run is declined its first stretch of dives. It is charged exactly
    the count at the end of the root (plus ``lp_run_iters``), within the allowance, where
    the free run goes on past it; its bound is below the CP-SAT optimum (a second
    solver), the wall clock did not stop it, and the same input twice gives the same
    result and the same work."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415
    from kitland.placement._window import squares_of  # noqa: PLC0415

    prob = _seeded_grid()
    squares = squares_of(prob)
    every = np.arange(len(prob))
    opts = SolveOptions(probe_min_cells=10**6, mip_nodes_per_s=1e6, root_rounds_per_s=1e6)
    lines = _progress_lines(prob, squares, opts)
    root = next(c for nodes, c in lines if nodes > 0)  # the count when the root is done
    work_s = 1.5 * root / opts.lp_iters_per_s
    assert lines[-1][1] > work_s * opts.lp_iters_per_s  # the free run's tree goes past it
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert best.status == "OPTIMAL"

    def run(work: Work) -> WindowResult:
        return HighsWindows(prob, squares, opts).solve(every, every, incumbent=None, start=None,
                                                       work=work)  # fmt: skip

    budget = Work(work_s)
    got, again = run(budget), run(Work(work_s))
    assert got.status != "OPTIMAL" and not budget.clock.hit
    assert got.work * opts.lp_iters_per_s == pytest.approx(root + opts.lp_run_iters, abs=1e-6)
    assert got.work <= work_s
    assert got.bound <= best.objective + 1e-7
    assert (got.status, got.bound, got.work) == (again.status, again.bound, again.work)


def test_a_search_whose_tree_would_go_past_its_budget_ends_within_it_and_repeats() -> None:
    """A seeded grid (seed 7) whose MILP, run to its end, dives for 3.4 times its root
    right after it, searched whole with 1.6 work seconds, HiGHS held by its iterations
    alone: with one stretch as dear as the dearest so far left to pay (the old rule) the
    dive is let run and the search ends past its budget; with two (the default margin)
    it is declined, the work left goes to CP-SAT, and the search ends within its budget,
    proven, on the optimum of the CP-SAT backend (a second solver), the same twice."""
    prob = _seeded_grid(7)
    budget = 1.6

    def run(margin: float) -> tuple[str, list[int], float]:
        opts = SolveOptions(stretch_margin=margin, mip_nodes_per_s=1e6, root_rounds_per_s=1e6)
        sol = solve(prob, work=Work(budget), options=opts)
        assert sol.deterministic and sol.cells is not None
        return sol.status, sol.cells.tolist(), sol.work_s

    assert run(1.0)[2] > budget
    got = run(SolveOptions().stretch_margin)
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert got[0] == "OPTIMAL" and got[2] <= budget
    assert prob.objective(np.array(got[1])) == pytest.approx(best.objective, abs=1e-9)
    assert run(SolveOptions().stretch_margin) == got


def test_a_root_stretch_past_the_allowance_is_declined_and_repeats() -> None:
    """A seeded grid (seed 1) whose MILP, run to its end, ends its root with a stretch
    as dear as four of its LPs and dives on: given an allowance between its last root
    line and its first line in the tree, the run is declined the dive after its root
    (the rounds after its LP showed the allowance left could not pay for two stretches
    as dear as that last one). It is charged exactly the count of its last root line
    (plus ``lp_run_iters``), within the allowance, where the free run goes on past it;
    its bound is below the CP-SAT optimum (a second solver), the wall clock did not
    stop it, and the same input twice gives the same result and the same work."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415
    from kitland.placement._window import squares_of  # noqa: PLC0415

    prob = _seeded_grid(1)
    squares = squares_of(prob)
    every = np.arange(len(prob))
    opts = SolveOptions(probe_min_cells=10**6, mip_nodes_per_s=1e6, root_rounds_per_s=1e6)
    lines = _progress_lines(prob, squares, opts)
    root = [c for nodes, c in lines if nodes == 0]  # the LP ends at the first count above 0
    tree = next(c for nodes, c in lines if nodes > 0)
    rises = [b - a for a, b in itertools.pairwise(root) if a > 0]
    allowed = (root[-1] + tree) // 2
    assert root[-1] < allowed < tree  # the free run's first line in the tree goes past it
    assert root[-1] + opts.stretch_margin * max(rises) > allowed  # two such are not paid
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert best.status == "OPTIMAL"

    def run(work: Work) -> WindowResult:
        return HighsWindows(prob, squares, opts).solve(every, every, incumbent=None, start=None,
                                                       work=work)  # fmt: skip

    work_s = allowed / opts.lp_iters_per_s
    budget = Work(work_s)
    got, again = run(budget), run(Work(work_s))
    assert got.status != "OPTIMAL" and not budget.clock.hit
    assert got.work * opts.lp_iters_per_s == pytest.approx(root[-1] + opts.lp_run_iters, abs=1e-6)
    assert got.work <= work_s
    assert got.bound <= best.objective + 1e-7
    assert (got.status, got.bound, got.work) == (again.status, again.bound, again.work)


def test_a_search_whose_root_would_go_past_its_budget_ends_within_it_proven() -> None:
    """A seeded grid (seed 10) searched whole with 0.5 work seconds, HiGHS held by its
    iterations alone and CP-SAT's least run lowered to 0.2: with no stretch margin, or a
    margin of 1, HiGHS's root goes on into a stretch past its allowance and the search
    ends past its budget, unproven; with the default margin of 2 the root is stopped
    before it, the work left goes to CP-SAT, and the search ends within its budget,
    proven, on the optimum of the CP-SAT backend (a second solver), the same twice."""
    prob = _seeded_grid(10)
    budget = 0.5

    def run(margin: float) -> tuple[str, list[int], float]:
        opts = SolveOptions(stretch_margin=margin, mip_nodes_per_s=1e6, root_rounds_per_s=1e6,
                            cpsat_least_s=0.2)  # fmt: skip
        sol = solve(prob, work=Work(budget), options=opts)
        assert sol.deterministic and sol.cells is not None
        return sol.status, sol.cells.tolist(), sol.work_s

    for margin in (0.0, 1.0):
        status, _, work_s = run(margin)
        assert status != "OPTIMAL" and work_s > budget
    got = run(SolveOptions().stretch_margin)
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert got[0] == "OPTIMAL" and got[2] <= budget
    assert prob.objective(np.array(got[1])) == pytest.approx(best.objective, abs=1e-9)
    assert run(SolveOptions().stretch_margin) == got


def test_cpsat_is_not_given_a_window_below_its_least_run() -> None:
    """The seeded grid (seed 7) with 0.5 work seconds: HiGHS leaves its window open with
    less than CP-SAT's least run (0.5 deterministic seconds) left, so CP-SAT is not
    started (it would take at least that) and the search ends within its budget, its
    zone stated with a gap; with that least run lowered CP-SAT spends what is left and
    proves the optimum of the CP-SAT backend (a second solver), still within the budget."""
    prob = _seeded_grid(7)
    budget = 0.5
    held = solve(prob, work=Work(budget))
    assert held.status == "FEASIBLE" and 0 < held.work_s < budget and held.deterministic
    assert held.stats["solved"] == 2  # the HiGHS window, twice; no CP-SAT window
    lowered = solve(prob, work=Work(budget), options=SolveOptions(cpsat_least_s=0.3))
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert lowered.status == "OPTIMAL" and lowered.work_s <= budget
    assert lowered.objective == pytest.approx(best.objective, abs=1e-9)


def test_a_window_left_open_is_not_solved_again_with_less_work() -> None:
    """The seeded grid's window, left open by a budget that ends its MILP at the root, is
    not solved again below the same cutoff with no more work (no work spent, the same
    bound, no zone); with more work it is, and proves the CP-SAT optimum (a second
    solver)."""
    from kitland.placement._milp import HighsWindows  # noqa: PLC0415
    from kitland.placement._window import squares_of  # noqa: PLC0415

    prob = _seeded_grid()
    squares = squares_of(prob)
    every = np.arange(len(prob))
    opts = SolveOptions(probe_min_cells=10**6, mip_nodes_per_s=1e6, root_rounds_per_s=1e6)
    windows = HighsWindows(prob, squares, opts)

    def run(work_s: float) -> WindowResult:
        return windows.solve(every, every, incumbent=None, start=None, work=Work(work_s))

    first = run(0.1)
    assert first.status in ("FEASIBLE", "UNKNOWN") and first.work > 0
    again = run(0.1)
    assert (again.cells, again.status, again.bound, again.work) == (None, "UNKNOWN", first.bound, 0.0)
    more = run(60.0)
    best = solve(prob, time_limit_s=60, backend="cpsat")
    assert more.work > 0.1 and more.status == "OPTIMAL" and more.cells is not None
    assert prob.objective(more.cells) == pytest.approx(best.objective, abs=1e-6)
