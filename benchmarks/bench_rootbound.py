"""The deciding window's LP: which rows keep a window's bound below its zone (issue 16 §2).

Places a zone at a fixed work budget, records the windows the HiGHS solver is given
(its ``solve`` wrapped for the run), takes the window left open with the most cells
(on the bundled estate at 5 and 10 ha and on organic seed 2 the only one, whose bound
is the proof's) and prints its relaxations:

- the LP of all its rows: value, how many cells are fractional, the perimeter the LP
  counts against the disc (``2√(πA)``) and grid (``4√A``) floors;
- the LP with each family of rows left out (``area``, ``sums``, ``pairs``, ...);
- the LP with a rectilinear isoperimetric row ``Σ ℓ_i x_i − 2 Σ L_e y_e ≥ 4√A`` (chord
  over the area band; ``ℓ_i`` the cell's boundary measured as ``|dx| + |dy|`` on the
  grid's axes, so the row holds for every set of cells);
- the LP after rounds of connectivity cuts found by max flow over the LP's values:
  vertex separators between two chosen cells, and for each boundary-length rule (``G``
  metres from cells of ``g_i``), reach mask and the window's block the cut
  ``G·x_k ≤ G·Σ_N x_v + Σ_{f on k's side of N} g_f x_f`` (a connected zone holding
  ``k`` and no cell of ``N`` finds all its length on ``k``'s side);
- the least LP over the zones split by their first cell of the frontage rule
  (``x_r = 1``, the rule's cells before ``r`` out);
- with ``--milp-s``, the MILP without connectivity rows (all rows; no ``sums``; no
  ``width``) for that many wall seconds each, against the zone's score: its status,
  bound and nodes (wall-limited, so only an indication).

Usage::

    python benchmarks/bench_rootbound.py --area 10 [--time-limit 600 --work-rate 0.05] [--milp-s 120]
    python benchmarks/bench_rootbound.py --seed 2 [--time-limit 600 --work-rate 0.05]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_organic import _write

import kitland
from kitland.placement import SolveOptions, build_problem, place
from kitland.placement import _milp as milp
from kitland.placement._cells import Cells
from kitland.placement._model import _components
from kitland.placement._window import Model

_SCALE = 10**4  # max-flow capacities: LP values times this, as integers
_BIG = 2**30


def capture(estate: kitland.Estate, rules: kitland.Rules, limit: float, rate: float) -> dict:
    """Place a zone (printing its status, gap, score and work) and return the last solve
    of the largest window left open: its problem, cells, block, squares, incumbent."""
    calls: list[dict] = []
    solve = milp.HighsWindows.solve

    def record(
        self: milp.HighsWindows, cells: np.ndarray, block: np.ndarray, **kw: object
    ) -> object:
        res = solve(self, cells, block, **kw)  # type: ignore[arg-type]
        calls.append({"p": self.p, "squares": self.squares, "cells": cells, "block": block,
                      "incumbent": kw.get("incumbent"), "cutoff": kw.get("cutoff", math.inf), "status": res.status, "bound": res.bound})  # fmt: skip
        return res

    milp.HighsWindows.solve = record  # type: ignore[method-assign]
    try:
        res = place(estate, rules, cell_m=25, time_limit_s=limit,
                    options=SolveOptions(work_rate=rate))  # fmt: skip
    finally:
        milp.HighsWindows.solve = solve  # type: ignore[method-assign]
    print(f"place: {res.status}, gap {100 * res.solver['gap']:.2f} %, score "
          f"{res.alternatives[0].score:,.2f}, {res.solver['work_s']:.1f} work s")  # fmt: skip
    opened = [c for c in calls if c["status"] != "OPTIMAL"] or calls
    return max(reversed(opened), key=lambda c: len(c["cells"]))  # the last solve of the largest


def l1_perimeter(cells: Cells) -> np.ndarray:
    """Per cell, its boundary as ``Σ |dx| + |dy|`` on the grid's axes."""
    rings, owner = shapely.get_rings(cells.geoms, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    d = (xy[1:] - xy[:-1])[same]
    a = math.radians(cells.angle_deg)
    dx, dy = (
        d[:, 0] * math.cos(a) + d[:, 1] * math.sin(a),
        d[:, 1] * math.cos(a) - d[:, 0] * math.sin(a),
    )
    per_ring = np.bincount(ring[:-1][same], weights=np.abs(dx) + np.abs(dy), minlength=len(rings))
    return np.bincount(owner, weights=per_ring, minlength=len(cells.geoms))


def lp(mod: Model, *, drop: tuple[str, ...] = (), mip: bool = False) -> highspy.Highs:
    """The model's rows but ``drop`` in a fresh HiGHS instance (integer ``x`` with ``mip``)."""
    h = milp._new_highs()
    h.setOptionValue("threads", 2)  # as in the solve: HiGHS sizes its scheduler once
    h.addVars(mod.ncol, np.zeros(mod.ncol), np.ones(mod.ncol))
    h.changeColsCost(mod.ncol, np.arange(mod.ncol, dtype=np.int32), mod.cost)
    keep = np.ones(mod.rows.shape[0], dtype=bool)
    keep[mod.rows_of(*drop)] = False
    a = sp.csr_array(sp.diags_array(mod.scale) @ mod.rows)[keep]
    milp._add_rows(h, a, (mod.lo * mod.scale)[keep], (mod.hi * mod.scale)[keep])
    if mip:
        h.changeColsIntegrality(len(mod.ints), mod.ints,
                                np.full(len(mod.ints), highspy.HighsVarType.kInteger))  # fmt: skip
    return h


def value(h: highspy.Highs) -> float:
    """Solve ``h``; its objective (inf when infeasible)."""
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value if ok else math.inf


def floor_row(mod: Model, ell: np.ndarray, k: float = 4.0) -> tuple[sp.csr_array, float]:
    """``Σ ℓ_i x_i − 2 Σ L_e y_e − s·A ≥ rhs``: the chord of ``k√A`` over the area band."""
    p = mod.p
    lo, hi = p.min_area_m2, p.max_area_m2
    s = k * (math.sqrt(hi) - math.sqrt(lo)) / (hi - lo)
    coef = np.r_[ell[mod.cells] - s * p.area_m2[mod.cells], -2 * p.shared_m[mod.edge_ids][: mod.ny]]
    row = sp.csr_array(
        (coef, (np.zeros(len(coef), np.int64), np.arange(len(coef)))), shape=(1, mod.ncol)
    )
    return row, k * math.sqrt(lo) - s * lo


def min_cut(mod: Model, k: int, weight: np.ndarray, sinks: np.ndarray,
            to_sink: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:  # fmt: skip
    """The least ``Σ_N weight_v + Σ_{f ∈ sinks on k's side} to_sink_f`` over vertex sets
    ``N`` (not ``k``) and the cut: ``N`` and the sinks left on ``k``'s side."""
    m, e = mod.m, mod.edges
    src = np.r_[np.arange(m), m + e[:, 0], m + e[:, 1], m + sinks]
    dst = np.r_[m + np.arange(m), e[:, 1], e[:, 0], np.full(len(sinks), 2 * m)]
    cap = np.r_[np.round(weight * _SCALE), np.full(2 * len(e), _BIG), np.round(to_sink * _SCALE)]
    cap = np.minimum(cap, _BIG).astype(np.int32)
    cap[k] = _BIG
    g = sp.csr_array((cap, (src, dst)), shape=(2 * m + 1, 2 * m + 1))
    g.sum_duplicates()
    flow = maximum_flow(g, m + k, 2 * m)
    f = sp.csr_array(flow.flow)
    left = sp.csr_array((g - f).maximum(0) + sp.csr_array(f.T).maximum(0))
    left.eliminate_zeros()
    seen = np.zeros(2 * m + 1, dtype=bool)
    seen[breadth_first_order(left, m + k, directed=True, return_predecessors=False)] = True
    cut = np.flatnonzero(seen[:m] & ~seen[m : 2 * m])
    return flow.flow_value / _SCALE, cut[cut != k], sinks[seen[m + sinks]]


def needs(mod: Model, block: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """What every zone of the window must reach: ``(g, G)`` with ``Σ g_i x_i ≥ G``."""
    p, cells = mod.p, mod.cells
    out = [(s.coef[cells], s.min_value) for s in p.sums if s.min_value > 0]
    out += [(r.mask[cells].astype(float), 1.0) for r in p.reach]
    b = mod.loc[block]
    inside = np.zeros(mod.m)
    inside[b[b >= 0]] = 1.0
    return [*out, (inside, 1.0)] if inside.sum() < mod.m else out


def cut_rounds(mod: Model, h: highspy.Highs, block: np.ndarray, rounds: int = 40,
               per: int = 30) -> tuple[float, int]:  # fmt: skip
    """Rounds of connectivity cuts added to the LP ``h`` while they raise it by 0.01 or
    more: per need of :func:`needs` and chosen cell ``k``, ``x_k − Σ_N x_v − Σ_{side}
    g_f x_f / G ≤ 0``; between the cell of most ``x`` and another chosen cell ``j``,
    ``x_top + x_j − Σ_N x_v ≤ 1``. Its value and the rows added."""
    rows, last = 0, value(h)
    for _ in range(rounds):
        x = np.asarray(h.getSolution().col_value)[: mod.m]
        ks = np.flatnonzero(x > 1e-3)[np.argsort(-x[x > 1e-3], kind="stable")]
        ks = ks[:: max(1, len(ks) // per)].tolist()
        new: list[tuple[np.ndarray, float]] = []
        for g, big_g in needs(mod, block):
            on = np.flatnonzero(g > 0)
            for k in ks:
                cut, n, side = min_cut(mod, k, big_g * x, on, g[on] * x[on])
                if cut < big_g * x[k] - 1e-4 * big_g:
                    coef = np.zeros(mod.ncol)
                    coef[n] -= 1.0
                    coef[side] -= g[side] / big_g
                    coef[k] += 1.0
                    new.append((coef, 0.0))
        top = int(np.argmax(x))
        for j in (j for j in ks if j != top):
            weight = x.copy()
            weight[j] = math.inf
            cut, n, _ = min_cut(mod, top, weight, np.array([j]), np.array([math.inf]))
            if cut < x[top] + x[j] - 1 - 1e-4:
                coef = np.zeros(mod.ncol)
                coef[[top, j]] = 1.0
                coef[n] -= 1.0
                new.append((coef, 1.0))
        if not new:
            break
        milp._add_rows(h, sp.csr_array(np.array([c for c, _ in new])), np.full(len(new), -np.inf),
                       np.array([b for _, b in new]))  # fmt: skip
        rows += len(new)
        now = value(h)
        done, last = now < last + 1e-2, now
        if done:
            break
    return last, rows


def roots(mod: Model, h: highspy.Highs, rule: np.ndarray) -> tuple[float, int]:
    """The least LP over the zones split by their first cell of ``rule`` (``x_r = 1``,
    earlier cells of the rule out), and the number of splits."""
    order = np.flatnonzero(rule > 0)
    best = math.inf
    for i, r in enumerate(order.tolist()):
        lo, hi = np.zeros(mod.ncol), np.ones(mod.ncol)
        lo[r] = 1.0
        hi[order[:i]] = 0.0
        h.changeColsBounds(mod.ncol, np.arange(mod.ncol, dtype=np.int32), lo, hi)
        best = min(best, value(h))
    return best, len(order)


def report(win: dict, ell: np.ndarray | None, milp_s: float) -> None:
    """Print the relaxations of the window ``win``."""
    p, cells, inc = win["p"], win["cells"], win["incumbent"]
    mod = Model.of(p, cells, win["squares"], block=win["block"])
    zone = min(p.objective(inc), win["cutoff"] or math.inf)  # the score a proof must reach
    print(f"window: {len(cells)} cells, {win['status']}, bound {win['bound']:,.2f}; the "
          f"incumbent's cells {p.objective(inc):,.2f} ({len(inc)} cells), the score to "
          f"prove {zone:,.2f}\n")  # fmt: skip
    print("| relaxation | value | below the score to prove |\n| --- | ---: | ---: |")

    def row(name: str, v: float) -> None:
        print(f"| {name} | {v:,.2f} | {100 * (zone - v) / zone:.2f} % |")

    h = lp(mod)
    row("LP, every row", value(h))
    sol = np.asarray(h.getSolution().col_value)
    x, y = sol[: mod.m], sol[mod.m : mod.m + mod.ny]
    per = p.perimeter_m[cells] @ x - 2 * p.shared_m[mod.edge_ids[: mod.ny]] @ y
    area = p.area_m2[cells] @ x
    pieces = int(_components(x > 1e-6, mod.edges).max()) + 1
    for name, _ in mod.kinds:
        row(f"LP without `{name}`", value(lp(mod, drop=(name,))))
    if ell is not None:
        a, rhs = floor_row(mod, ell)
        h2 = lp(mod)
        milp._add_rows(h2, a, np.array([rhs * (1 - 1e-3)]), np.array([np.inf]))
        row("LP + rectilinear floor 4√A", value(h2))
    v, n = cut_rounds(mod, lp(mod), win["block"])
    row(f"LP + {n} connectivity cuts (max flow)", v)
    front = [s for s in p.sums if s.min_value > 0]
    if front:
        v, n = roots(mod, lp(mod), front[-1].coef[cells])
        row(f"least LP over {n} first cells of `{front[-1].name}`", v)
    for drop in [(), ("sums",), ("width",)][: 3 if milp_s > 0 else 0]:
        hm = lp(mod, drop=drop, mip=True)
        hm.setOptionValue("time_limit", float(milp_s))
        hm.setOptionValue("mip_rel_gap", 0.0)
        hm.setOptionValue("objective_bound", zone)
        hm.run()
        info, sol = hm.getInfo(), hm.getSolution()
        found = np.asarray(sol.col_value)[: mod.m] > 0.5 if sol.value_valid else None
        parts = (
            "no zone"
            if found is None
            else f"its zone in {_components(found, mod.edges).max() + 1} piece(s)"
        )
        print(f"| MILP, no connectivity rows{', without `' + drop[0] + '`' if drop else ''}: "
              f"{hm.getModelStatus().name}, {info.mip_node_count} nodes, {parts} | "
              f"{info.mip_dual_bound:,.2f} | {100 * (zone - info.mip_dual_bound) / zone:.2f} % |")  # fmt: skip
    frac = int(((x > 1e-6) & (x < 1 - 1e-6)).sum())
    sel = np.isin(np.arange(len(p)), inc)
    inner = sel[p.edges[:, 0]] & sel[p.edges[:, 1]]
    own = p.perimeter_m[sel].sum() - 2 * p.shared_m[inner].sum()
    print(f"\nLP optimum: {int((x >= 1 - 1e-6).sum())} cells at 1, {frac} fractional, {pieces} "
          f"piece(s) of cells above 0; its perimeter {per:,.1f} m at {area / 1e4:,.2f} ha (disc "
          f"floor {2 * math.sqrt(math.pi * area):,.1f}, 4√A {4 * math.sqrt(area):,.1f}); the "
          f"zone's cells: {own:,.1f} m at {p.area_m2[sel].sum() / 1e4:,.2f} ha")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--area", type=float, help="the bundled estate, zone of this many ha")
    which.add_argument("--seed", type=int, help="an organic estate (make_organic.py)")
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--work-rate", type=float, default=0.05)
    ap.add_argument("--milp-s", type=float, default=0.0, help="wall seconds per MILP (0: none)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.area is not None:
            estate = kitland.load_estate()
            rules = kitland.load_rules().replace("area", area_ha=args.area)
        else:
            paths = _write(args.seed, Path(tmp))
            estate, rules = kitland.load_estate(paths[0]), kitland.load_rules(paths[1])
        win = capture(estate, rules, args.time_limit, args.work_rate)
        _, cells, prob = build_problem(estate, rules, cell_m=25)
    same = len(prob) == len(win["p"]) and np.allclose(prob.perimeter_m, win["p"].perimeter_m)
    report(win, l1_perimeter(cells) if same else None, args.milp_s)


if __name__ == "__main__":
    main()
