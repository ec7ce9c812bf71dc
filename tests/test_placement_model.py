"""The one model and its three readings agree: numpy rows, HiGHS MILP, CP-SAT model.

Random small problems on a grid (area band, boundary-length sums, reach, compactness,
the compact preference, width squares, corner losses, overlap with an earlier zone, a
no-good). For many random connected cell sets the numpy check says feasible exactly when
HiGHS, with the cells fixed, finds the model feasible, and exactly when CP-SAT does. On
tiny problems both solvers prove the optimum that brute force over every cell set finds,
judged by a direct reading of the rules written here (not the model's rows).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import highspy
import numpy as np
import pytest
from ortools.sat.python import cp_model

from kitland.placement._cpsat import cp_model_of
from kitland.placement._milp import HighsWindows, _add_rows, _build, _probe, _targets, _Window
from kitland.placement._model import Corners, Problem, ReachAny, SumAtLeast, SumBelow
from kitland.placement._options import SolveOptions
from kitland.placement._solve import solve
from kitland.placement._window import IntObjective, Model, feasible, squares_of
from kitland.placement._work import Clock, Work

CELL = 10.0


def _grid_problem(rng: np.random.Generator, rows: int, cols: int, *, width: int = 1,
                  corners: bool = False, extras: bool = True) -> Problem:  # fmt: skip
    """A random problem on a ``rows × cols`` grid of 10 m cells (100 m² each)."""
    n = rows * cols
    idx = np.arange(n).reshape(rows, cols)
    edges = np.r_[np.c_[idx[:, :-1].ravel(), idx[:, 1:].ravel()],
                  np.c_[idx[:-1, :].ravel(), idx[1:, :].ravel()]]  # fmt: skip
    r, c = np.repeat(np.arange(rows), cols), np.tile(np.arange(cols), rows)
    k_lo = int(rng.integers(max(2, width * width), max(3, n // 2)))
    band = (100.0 * k_lo - 50.0, 100.0 * (k_lo + int(rng.integers(1, 4))) - 50.0)
    sums, reach = [], []
    if extras and rng.random() < 0.7:
        coef = np.where(rng.random(n) < 0.3, CELL, 0.0)
        sums.append(SumAtLeast("adjacent#1", coef, float(CELL * rng.integers(1, 3))))
    if extras and rng.random() < 0.6:
        reach.append(ReachAny("distance#1", rng.random(n) < 0.2))
    cn = None
    if corners:  # a loss at each diagonal corner of a cell whose two sides are open
        cell, across = [], []
        for i in range(n):
            for dr, dc in itertools.product((-1, 1), repeat=2):
                a = idx[r[i] + dr, c[i]] if 0 <= r[i] + dr < rows else -1
                b = idx[r[i], c[i] + dc] if 0 <= c[i] + dc < cols else -1
                cell.append(i)
                across.append((a, b))
        cn = Corners(np.array(cell), np.array(across), np.full(len(cell), 6.0),
                     float(rng.choice([0.02, 0.05, 0.1])))  # fmt: skip
    prev = rng.choice(n, size=n // 3, replace=False)
    return Problem(
        np.full(n, 100.0), np.full(n, 4 * CELL), np.round(rng.random(n) * 10, 1), r, c, CELL,
        edges, np.full(len(edges), CELL), *band, tuple(sums), tuple(reach),
        min_compactness=float(rng.choice([0.3, 0.5, 0.6])) if rng.random() < 0.6 else None,
        width_cells=width, corners=cn, boundary_weight=float(rng.choice([0.0, 0.05])),
        avoid=((prev, 0.5),) if extras and rng.random() < 0.4 else (),
    )  # fmt: skip


def _random_connected(rng: np.random.Generator, p: Problem, squares: np.ndarray) -> np.ndarray:
    """A random connected cell set about the band's size: grown cell by cell, or (width
    rule) square by square."""
    n = len(p)
    lo, hi = math.ceil(p.min_area_m2 / 100), math.floor(p.max_area_m2 / 100)
    size = min(n - 1, int(rng.integers(max(1, lo - 2), hi + 3)))
    nb: list[list[int]] = [[] for _ in range(n)]
    for i, j in p.edges.tolist():
        nb[i].append(j)
        nb[j].append(i)
    if len(squares) and rng.random() < 0.8:
        chosen = set(squares[rng.integers(len(squares))].tolist())
        while len(chosen) < size:
            touching = [
                q for q in squares if chosen & set(q.tolist()) and not set(q.tolist()) <= chosen
            ]
            if not touching:
                break
            chosen |= set(touching[rng.integers(len(touching))].tolist())
        return np.array(sorted(chosen))
    chosen = {int(rng.integers(n))}
    while len(chosen) < size:
        frontier = sorted({v for u in chosen for v in nb[u]} - chosen)
        chosen.add(frontier[rng.integers(len(frontier))])
    return np.array(sorted(chosen))


def _highs_accepts(p: Problem, squares: np.ndarray, cells: np.ndarray) -> bool:
    """The HiGHS MILP of the whole grid, with every neck row, with ``x`` fixed to ``cells``."""
    every = np.arange(len(p))
    built = _build(_Window(p, every, squares), every)
    h, mod = built.h, built.mod
    _add_rows(h, mod.necks, np.full(mod.necks.shape[0], -math.inf), np.ones(mod.necks.shape[0]))
    x = np.isin(every, cells).astype(float)
    h.changeColsBounds(len(p), every.astype(np.int32), x, x)
    h.run()
    status = h.getModelStatus()
    assert status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
    return status == highspy.HighsModelStatus.kOptimal


def _cpsat_accepts(p: Problem, squares: np.ndarray, cells: np.ndarray) -> bool:
    """The CP-SAT model of the whole grid (rows, neck rows, flow) with ``x`` fixed."""
    every = np.arange(len(p))
    mod = Model.of(p, every, squares)
    model, v = cp_model_of(mod, IntObjective.of(p), roots=every)
    for i in range(len(p)):
        model.add(v[i] == int(i in set(cells.tolist())))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    st = solver.solve(model)
    assert st in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
    return st != cp_model.INFEASIBLE


@pytest.mark.parametrize("seed", range(12))
def test_numpy_highs_and_cpsat_accept_the_same_cell_sets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    width = 2 if seed % 3 == 2 else 1
    p = _grid_problem(rng, 5, 6, width=width, corners=seed % 4 == 3)
    if seed % 2:  # a no-good: one random set may not be chosen again exactly
        p = p.with_nogood(_random_connected(rng, p, squares_of(p)))
    squares = squares_of(p)
    verdicts = []
    for _ in range(40):
        cells = _random_connected(rng, p, squares)
        ok = feasible(p, cells, squares)
        assert _highs_accepts(p, squares, cells) == ok, cells.tolist()
        assert _cpsat_accepts(p, squares, cells) == ok, cells.tolist()
        verdicts.append(ok)
    for ng in p.nogoods:  # the no-good itself is refused by all three
        assert not feasible(p, ng, squares) and not _highs_accepts(p, squares, ng)
        assert not _cpsat_accepts(p, squares, ng)
    assert not all(verdicts)  # the sets probe the rules, not only the easy side


def test_every_reading_accepts_some_sets() -> None:
    """Across the seeds the random sets include feasible ones (the agreement is not only
    on refusals)."""
    accepted = 0
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        p = _grid_problem(rng, 4, 5, width=1, extras=False)
        squares = squares_of(p)
        for _ in range(30):
            cells = _random_connected(rng, p, squares)
            ok = feasible(p, cells, squares)
            assert _highs_accepts(p, squares, cells) == ok == _cpsat_accepts(p, squares, cells)
            accepted += ok
    assert accepted >= 20


def test_a_set_in_two_pieces_is_refused_by_the_flow_and_the_check() -> None:
    rng = np.random.default_rng(7)
    p = _grid_problem(rng, 3, 5, extras=False)
    p = Problem(p.area_m2, p.perimeter_m, p.cost, p.row, p.col, CELL, p.edges, p.shared_m,
                150.0, 450.0)  # fmt: skip
    apart = np.array([0, 4])  # two corners of the top row
    assert not feasible(p, apart, squares_of(p))
    assert not _cpsat_accepts(p, squares_of(p), apart)
    assert feasible(p, np.array([0, 1]), squares_of(p))


# -- both solvers prove the brute-force optimum -----------------------------------------------
def _direct_score(p: Problem, sel: np.ndarray) -> float | None:
    """The score of a cell set read straight from the rules (None: it breaks one)."""
    rows, cols = int(p.row.max()) + 1, int(p.col.max()) + 1
    g = np.zeros((rows + 2, cols + 2), dtype=bool)
    g[p.row[sel] + 1, p.col[sel] + 1] = True
    area = 100.0 * int(sel.sum())
    if not p.min_area_m2 + 0.05 <= area <= p.max_area_m2 - 0.05:
        return None
    perim = CELL * int((g[1:, :] != g[:-1, :]).sum() + (g[:, 1:] != g[:, :-1]).sum())
    if any(s.coef[sel].sum() < s.min_value for s in p.sums):
        return None
    if any(not r.mask[sel].any() for r in p.reach):
        return None
    if any(b.coef[sel].sum() >= b.limit for b in p.below):
        return None
    if p.min_compactness is not None:  # the chord of √A over the band, as _model says
        k = math.sqrt(4 * math.pi / (p.min_compactness + 1e-6))
        lo, hi = math.sqrt(p.min_area_m2), math.sqrt(p.max_area_m2)
        if perim > k * (lo + (hi - lo) / (p.max_area_m2 - p.min_area_m2) * (area - p.min_area_m2)):
            return None
    for prev, share in p.avoid:
        if 100.0 * np.isin(np.flatnonzero(sel), prev).sum() > share * area:
            return None
    # connected: flood fill over the grid
    todo, seen = [tuple(np.argwhere(g)[0])], set()
    while todo:
        a, b = todo.pop()
        if (a, b) in seen or not g[a, b]:
            continue
        seen.add((a, b))
        todo += [(a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)]
    if len(seen) != int(sel.sum()):
        return None
    return float(p.cost[sel].sum()) + p.boundary_weight * perim


@pytest.mark.parametrize("seed", range(8))
def test_both_solvers_prove_the_brute_force_optimum(seed: int) -> None:
    _both_solvers_prove_enumeration(_grid_problem(np.random.default_rng(1000 + seed), 3, 4))


def _both_solvers_prove_enumeration(p: Problem) -> None:
    """HiGHS and CP-SAT both prove the optimum enumeration finds (or that none exists)."""
    best = min((z for z, _ in _every_zone(p)), default=math.inf)
    for backend in ("highs", "cpsat"):
        s = solve(p, time_limit_s=120, backend=backend)
        if math.isinf(best):
            assert s.status == "INFEASIBLE", backend
        else:
            assert s.status == "OPTIMAL", backend
            assert s.objective == pytest.approx(best, abs=1e-6), backend


@pytest.mark.parametrize("setup", ["enum", "width"])
def test_the_readings_agree_on_estates_built_from_geometry(setup: str) -> None:
    """The same agreement on problems built by ``build_problem`` from grid estates
    (adjacency, distance, compactness, and for ``width`` a 60 m width with corner losses)."""
    from test_placement import _enum_setup, _width_setup  # noqa: PLC0415

    from kitland.placement import build_problem  # noqa: PLC0415

    est, rules = (_enum_setup if setup == "enum" else _width_setup)()
    _, _, p = build_problem(est, rules, cell_m=50.0 if setup == "enum" else 25.0)
    squares = squares_of(p)
    rng = np.random.default_rng(5)
    verdicts = []
    for _ in range(25):
        cells = _random_connected(rng, p, squares)
        ok = feasible(p, cells, squares)
        assert _highs_accepts(p, squares, cells) == ok == _cpsat_accepts(p, squares, cells)
        verdicts.append(ok)
    best = solve(p, time_limit_s=120, backend="cpsat")
    assert best.cells is not None and feasible(p, best.cells, squares)
    assert _highs_accepts(p, squares, best.cells) and _cpsat_accepts(p, squares, best.cells)


def _every_zone(p: Problem) -> list[tuple[float, np.ndarray]]:
    """Every feasible cell set of a tiny problem with its score, by brute force."""
    n = len(p)
    out = []
    for mask in range(1, 2**n):
        sel = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
        score = _direct_score(p, sel)
        if score is not None:
            out.append((score, np.flatnonzero(sel)))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_the_probing_path_proves_the_brute_force_optimum(seed: int) -> None:
    """With every window solved against targets (LP probing, the search beside HiGHS
    taken in before probing), the optimum is still the brute-force one."""
    p = _grid_problem(np.random.default_rng(2000 + seed), 3, 4)
    zones = _every_zone(p)
    s = solve(p, time_limit_s=120, options=SolveOptions(probe_min_cells=1))
    if not zones:
        assert s.status == "INFEASIBLE"
    else:
        assert s.status == "OPTIMAL"
        assert s.objective == pytest.approx(min(z for z, _ in zones), abs=1e-6)


def _model_zones(p: Problem) -> list[tuple[float, np.ndarray]]:
    """:func:`_every_zone` kept to the sets :func:`feasible` accepts (the width squares
    and corner losses, which the direct reading leaves out)."""
    squares = squares_of(p)
    return [(z, cells) for z, cells in _every_zone(p) if feasible(p, cells, squares)]


@pytest.mark.parametrize("seed", range(8))
def test_the_interior_point_path_proves_the_brute_force_optimum(seed: int) -> None:
    """Every window's first LP solved by interior point and crossover (its basis then
    starts the probes), with width squares and corners: still the optimum of brute force
    (the rules read directly, and the width and corner rows by :func:`feasible`)."""
    p = _grid_problem(np.random.default_rng(2500 + seed), 3, 4, width=2 if seed % 2 else 1,
                      corners=seed % 4 == 1)  # fmt: skip
    zones = _model_zones(p)
    s = solve(p, time_limit_s=120, options=SolveOptions(probe_min_cells=1, ipm_min_cells=1))
    if not zones:
        assert s.status == "INFEASIBLE"
    else:
        assert s.status == "OPTIMAL"
        assert s.objective == pytest.approx(min(z for z, _ in zones), abs=1e-6)


def test_the_window_lp_is_the_same_by_both_methods_and_bounds_every_zone() -> None:
    """The window LP that :func:`_targets` reads (and a window's bound takes) has the same
    value by interior point and by simplex, and no feasible zone scores below it."""
    compared = 0
    for seed in range(10):
        p = _grid_problem(np.random.default_rng(3500 + seed), 3, 4, width=2 if seed % 2 else 1)
        zones = _model_zones(p)
        every = np.arange(len(p))
        lps = [
            _targets(_Window(p, every, squares_of(p), SolveOptions(ipm_min_cells=m)), every,
                     math.inf, Work(math.inf, Clock()))[2]
            for m in (1, len(p) + 1)
        ]  # fmt: skip
        assert lps[0] == pytest.approx(lps[1], abs=1e-6)
        if zones:
            assert lps[0] <= min(z for z, _ in zones) + 1e-6
            compared += 1
    assert compared > 0


def test_a_cutoff_below_the_window_lp_ends_the_window_without_a_milp() -> None:
    """A window whose LP bound already reaches the cutoff is closed at once (no MILP
    round, no probe): INFEASIBLE, and indeed no feasible zone scores below the cutoff."""
    closed = 0
    for seed in range(10):
        p = _grid_problem(np.random.default_rng(4500 + seed), 3, 4)
        zones = _model_zones(p)
        every = np.arange(len(p))
        opts = SolveOptions(probe_min_cells=1)
        lp = _targets(_Window(p, every, squares_of(p), opts), every, math.inf,
                      Work(math.inf, Clock()))[2]  # fmt: skip
        if not zones or not math.isfinite(lp):
            continue
        cutoff = lp - 1e-3 * max(1.0, abs(lp))
        res = HighsWindows(p, squares_of(p), opts).solve(every, every, incumbent=None, start=None,
                                                         cutoff=cutoff)  # fmt: skip
        assert res.status == "INFEASIBLE" and res.rounds == 0 and not res.targets
        assert all(z >= cutoff for z, _ in zones)
        closed += 1
    assert closed > 0


def test_probing_drops_and_fixes_only_what_enumeration_allows() -> None:
    """A cell the probes drop lies in no zone cheaper than the target, a cell they fix in
    lies in every one: checked against every feasible zone, at targets between the
    optimum and the worst zone; the probes are not idle across the seeds."""
    dropped = fixed = 0
    for seed in range(10):
        p = _grid_problem(np.random.default_rng(3000 + seed), 3, 4)
        zones = _every_zone(p)
        if not zones:
            continue
        every = np.arange(len(p))
        scores = sorted(z for z, _ in zones)
        for target in {scores[0] + 1e-3, scores[len(scores) // 4], scores[len(scores) // 2]}:
            w = _Window(p, every, squares_of(p))
            keep, ones = _probe(w, every, target, Work(math.inf, Clock()), fix=True)
            for score, cells in zones:
                if score < target - 1e-9:
                    assert np.isin(cells, keep).all(), (seed, target, cells.tolist())
                    assert np.isin(ones, cells).all(), (seed, target, cells.tolist())
            dropped += len(p) - len(keep)
            fixed += len(ones)
    assert dropped > 0 and fixed > 0


def test_the_runners_up_are_earlier_zones_of_the_model_best_first() -> None:
    """A solve also returns the zones that were its incumbent before the answer: each
    satisfies the model, scores above the answer, and they come best first."""
    seen = 0
    for seed in range(8):
        p = _grid_problem(np.random.default_rng(2000 + seed), 3, 4)
        s = solve(p, time_limit_s=120, options=SolveOptions(probe_min_cells=1))
        scores = [p.objective(z) for z in s.runners_up]
        assert all(feasible(p, z, squares_of(p)) for z in s.runners_up)
        assert all(v > s.objective for v in scores) and scores == sorted(scores)
        seen += len(scores)
    assert seen > 0


# -- the rows of a what-if past an earlier proof (``below``) ------------------------------------
def _with_below(rng: np.random.Generator, p: Problem) -> Problem:
    """``p`` with a zone required to break an earlier rule: to sum under a length minimum
    (coefficients 0 or one cell side), or to hold no cell of a mask, or both."""
    n = len(p)
    rows = []
    if rng.random() < 0.7:
        coef = np.where(rng.random(n) < 0.4, CELL, 0.0)
        rows.append(SumBelow("adjacent#9", coef, float(CELL * rng.integers(1, 3))))
    if not rows or rng.random() < 0.5:
        rows.append(SumBelow("distance#9", (rng.random(n) < 0.25).astype(float), 1.0))
    return replace(p, below=tuple(rows))


@pytest.mark.parametrize("seed", range(8))
def test_the_three_readings_agree_on_below_rows(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    p = _with_below(rng, _grid_problem(rng, 5, 6, extras=seed % 2 == 0))
    squares = squares_of(p)
    verdicts = []
    for _ in range(40):
        cells = _random_connected(rng, p, squares)
        ok = feasible(p, cells, squares)
        sel = np.isin(np.arange(len(p)), cells)
        if any(b.coef[sel].sum() >= b.limit for b in p.below):  # the direct reading
            assert not ok
        assert _highs_accepts(p, squares, cells) == ok, cells.tolist()
        assert _cpsat_accepts(p, squares, cells) == ok, cells.tolist()
        verdicts.append(ok)
    assert not all(verdicts)


@pytest.mark.parametrize("seed", range(6))
def test_both_solvers_prove_the_brute_force_optimum_with_below_rows(seed: int) -> None:
    rng = np.random.default_rng(3000 + seed)
    _both_solvers_prove_enumeration(_with_below(rng, _grid_problem(rng, 3, 4)))
