"""Crossing rows and implied width rows hold on every zone, and change no optimum.

Small random grid problems (boundary-length sums, reach, the compact preference, width
squares) are enumerated: every cell set the model accepts (:func:`feasible`, on top of
the rules read directly) and that holds a cell of the window's block. Crossing rows are
separated at many points (random column values and the window's LP optimum), and every
row found, with every implied width row, holds on every such zone. With the rows in the
search, HiGHS proves the optimum enumeration finds.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_placement_model import _grid_problem, _model_zones

from kitland.placement import _crossing
from kitland.placement._milp import _build, _Window
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._solve import solve
from kitland.placement._window import Model, squares_of


def _rows_found(p: Problem, block: np.ndarray, rng: np.random.Generator) -> tuple[Model, list]:
    """The model of the whole grid with a cell of ``block`` chosen, and every crossing row
    :func:`_crossing.separate` finds at its LP optimum and at 200 random points."""
    every = np.arange(len(p))
    built = _build(_Window(p, block, squares_of(p)), every)
    mod = built.mod
    lines = _crossing.lines(mod)
    points = []
    built.h.changeColsIntegrality(mod.ncol, np.arange(mod.ncol, dtype=np.int32),
                                  np.zeros(mod.ncol, dtype=np.uint8))  # fmt: skip
    built.h.run()
    if built.h.getSolution().value_valid:
        points.append(np.asarray(built.h.getSolution().col_value))
    for _ in range(200):
        v = np.zeros(mod.ncol)
        v[: mod.m] = rng.random(mod.m) ** rng.choice([0.3, 1.0, 3.0])
        if mod.ny:  # a pair at most its two cells, often less
            ends = np.minimum(v[mod.edges[:, 0]], v[mod.edges[:, 1]])
            v[mod.m : mod.m + mod.ny] = ends * rng.choice([0.0, 0.5, 1.0], size=mod.ny)
        points.append(v)
    rows = [_crossing.separate(mod, lines, v, block) for v in points]
    return mod, [r for r in rows if r[0].shape[0]]


@pytest.mark.parametrize("seed", range(10))
def test_crossing_and_implied_rows_hold_on_every_zone(seed: int) -> None:
    rng = np.random.default_rng(7000 + seed)
    shape = (3, 5) if seed % 2 else (4, 4)
    p = _grid_problem(rng, *shape, width=2 if seed % 3 else 1)
    block = np.flatnonzero(p.col <= int(rng.integers(0, 2)))
    zones = [cells for _, cells in _model_zones(p) if np.isin(block, cells).any()]
    mod, found = _rows_found(p, block, rng)
    assert found, "the random points break some crossing rows"
    implied = mod.rows_of("implied")
    if p.width_cells > 1:
        assert len(implied), "a grid with a width rule has cells at its edge"
    for cells in zones:
        v = mod.columns(np.isin(mod.cells, cells))
        for a, hi in found:
            assert (a @ v <= hi + 1e-9).all()
        act = mod.rows[implied] @ v
        assert (act <= mod.hi[implied] + 1e-9).all()


@pytest.mark.parametrize("seed", range(8))
def test_the_search_with_crossing_rows_proves_the_enumerated_optimum(seed: int) -> None:
    """Every window solved on the LP path (probing, crossing rows at its first LP): the
    optimum is the one enumeration finds, proven."""
    rng = np.random.default_rng(8000 + seed)
    p = _grid_problem(rng, 3, 4 + seed % 2, width=2 if seed % 2 else 1)
    zones = _model_zones(p)
    s = solve(p, time_limit_s=120, options=SolveOptions(probe_min_cells=1))
    if not zones:
        assert s.status == "INFEASIBLE"
    else:
        assert s.status == "OPTIMAL"
        assert s.objective == pytest.approx(min(z for z, _ in zones), abs=1e-6)


def test_a_line_counts_the_fewest_cells_a_square_holds_of_it() -> None:
    """On a 4 × 4 grid with 2 × 2 squares the lines that split it are its two inner rows
    and two inner columns (one at the rim leaves one piece); a square meeting one holds
    two of its cells, and its cells form a path of three pairs."""
    p = _grid_problem(np.random.default_rng(1), 4, 4, width=2, extras=False)
    mod = Model.of(p, np.arange(len(p)), squares_of(p))
    lines = _crossing.lines(mod)

    assert len(lines) == 4
    assert [ln.least for ln in lines] == [2, 2, 2, 2]
    assert [len(ln.members) for ln in lines] == [2, 2, 2, 2]
    assert [len(ln.pairs) for ln in lines] == ([3] * 4 if mod.ny else [0] * 4)

