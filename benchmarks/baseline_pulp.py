"""Baseline: the textbook single-commodity-flow MILP over all cells, CBC through PuLP.

Same instances as kitland's placement (the arrays of ``build_problem``: same cells,
same constraints — area band, adjacency/frontage sums, reach, perimeter bound,
min-width squares with their neck rows and the corner opening loss, rooted flow
contiguity), but no windows, no bounds, no cell fixing, no warm start, any cell may
be the root. kitland runs first with the time limit; CBC then gets ten times
kitland's wall time, at least 60 s and at most ``cap`` seconds. The speed at equal
objective compares kitland's wall time with the time CBC first reached kitland's
objective (from CBC's log, plus the model build) and, when CBC proves it, with CBC's
proof. Usage::

    python benchmarks/baseline_pulp.py [time_limit_s] [cap_s] [only]

``only`` keeps the instances whose "name/cell" contains it, e.g. ``bundled/50``.
"""

from __future__ import annotations

import functools
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_organic import make_organic, rules_text, write_estate, zone_ha_for
from make_synthetic import make_estate

import kitland
from kitland.placement import build_problem, dissolve, place
from kitland.placement._model import Problem
from kitland.placement._window import squares_of

_TIME = re.compile(r"\(([\d.]+) seconds\)")
_FOUND = re.compile(r"(?:Integer solution of|Solution found of) ([-+\d.eE]+)")


def incumbents(log: str) -> list[tuple[float, float]]:
    """``(seconds into CBC's solve, objective)`` of each solution CBC's log reports.

    CBC stamps most log lines with ``(t seconds)``; a solution line without a stamp
    (the feasibility pump's "Solution found of v") takes the latest stamp before it.
    """
    out: list[tuple[float, float]] = []
    last = 0.0
    for line in log.splitlines():
        stamp = _TIME.search(line)
        if stamp:
            last = float(stamp.group(1))
        found = _FOUND.search(line)
        if found:
            out.append((last, float(found.group(1))))
    return out


def solve_cbc(
    p: Problem, *, time_limit_s: float
) -> tuple[str, float | None, float, np.ndarray | None, list[tuple[float, float]]]:
    """The plain MILP; returns (status, objective, seconds, chosen cells, incumbents).

    ``incumbents`` are ``(seconds since the model build began, objective)``.
    """
    n = len(p)
    t0 = time.perf_counter()
    m = pulp.LpProblem("umkm", pulp.LpMinimize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
    r = [pulp.LpVariable(f"r{i}", cat="Binary") for i in range(n)]
    cell_cost, edge_cost = p.cell_cost, p.edge_cost
    area = pulp.lpSum(float(p.area_m2[i]) * x[i] for i in range(n))
    m += area >= p.min_area_m2
    m += area <= p.max_area_m2
    for s in p.sums:
        m += pulp.lpSum(float(s.coef[i]) * x[i] for i in range(n) if s.coef[i] > 0) >= s.min_value
    for q in p.reach:
        m += pulp.lpSum(x[i] for i in np.flatnonzero(q.mask)) >= 1
    pb = p.perimeter_bound()
    ys = []
    for e, (i, j) in enumerate(p.edges.tolist()):
        y = pulp.LpVariable(f"y{e}", lowBound=0, upBound=1)
        m += y <= x[i]
        m += y <= x[j]
        ys.append((e, y))
    # The score: per cell, and per chosen neighbour pair (the compact preference).
    m += pulp.lpSum(float(cell_cost[i]) * x[i] for i in range(n)) + pulp.lpSum(
        float(edge_cost[e]) * y for e, y in ys if edge_cost[e] != 0
    )
    if pb is not None:
        per = pulp.lpSum(float(p.perimeter_m[i]) * x[i] for i in range(n)) - pulp.lpSum(
            2 * float(p.shared_m[e]) * y for e, y in ys
        )
        m += per <= pb[0] + pb[1] * (area - p.min_area_m2)
    big = n - 1
    m += pulp.lpSum(r) == 1
    inflow: list[list] = [[] for _ in range(n)]
    outflow: list[list] = [[] for _ in range(n)]
    for i, j in p.edges.tolist():
        for u, v in ((i, j), (j, i)):
            f = pulp.LpVariable(f"f{u}_{v}", lowBound=0)
            m += f <= big * x[u]
            m += f <= big * x[v]
            outflow[u].append(f)
            inflow[v].append(f)
    for i in range(n):
        m += r[i] <= x[i]
        m += pulp.lpSum(inflow[i]) - pulp.lpSum(outflow[i]) >= x[i] - n * r[i]
    if p.width_cells > 1:
        squares = squares_of(p)
        cover: list[list] = [[] for _ in range(n)]
        zvars = []
        for k, sq in enumerate(squares.tolist()):
            z = pulp.LpVariable(f"z{k}", cat="Binary")
            zvars.append(z)
            for i in sq:
                m += z <= x[i]
                cover[i].append(z)
        for i in range(n):
            m += x[i] <= pulp.lpSum(cover[i])
        # No neck narrower than a square: two chosen neighbours share a chosen square.
        zsets: list[set[int]] = [set() for _ in range(n)]
        for k, sq in enumerate(squares.tolist()):
            for i in sq:
                zsets[i].add(k)
        for i, j in p.edges.tolist():
            both = zsets[i] & zsets[j]
            m += x[i] + x[j] - 1 <= pulp.lpSum(zvars[k] for k in both)
    if p.corners is not None:
        # Opening loss at convex corners: b >= x_c - x_n1 - x_n2, sum(loss b) <= share area.
        cn = p.corners
        bs = []
        for q in range(len(cn.cell)):
            b = pulp.LpVariable(f"b{q}", cat="Binary")
            m += b >= x[int(cn.cell[q])] - pulp.lpSum(x[int(j)] for j in cn.across[q] if j >= 0)
            bs.append(float(cn.loss_m2[q]) * b)
        m += pulp.lpSum(bs) <= cn.share * area
    build_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=max(1.0, time_limit_s - build_s), logPath=str(log_path)
        )
        m.solve(solver)
        found = [(build_s + t, v) for t, v in incumbents(log_path.read_text(errors="replace"))]
    secs = time.perf_counter() - t0
    status = pulp.LpStatus[m.status]
    if m.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        chosen = np.array([i for i in range(n) if (x[i].value() or 0) > 0.5], dtype=np.int64)
        obj = p.objective(chosen)
        status = "OPTIMAL" if m.sol_status == pulp.LpSolutionOptimal else "FEASIBLE (time limit)"
        return status, obj, secs, chosen, found
    return status, None, secs, None, found


def _organic(seed: int) -> tuple[kitland.Estate, kitland.Rules]:
    """The organic estate of ``seed`` (through a GeoPackage) and its rules."""
    zone_ha = zone_ha_for(seed)
    folder = Path(tempfile.mkdtemp(prefix="baseline_organic_"))
    path = write_estate(make_organic(seed, zone_ha=zone_ha), folder / f"organic_{seed}.gpkg")
    rules = folder / f"organic_{seed}.toml"
    rules.write_text(rules_text(zone_ha), encoding="utf-8")
    return kitland.load_estate(path), kitland.load_rules(rules)


def main() -> None:
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    cap = float(sys.argv[2]) if len(sys.argv) > 2 else 600.0
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    bundled = kitland.load_rules()
    every = [
        ("synthetic 500 ha", lambda: (make_estate(500), bundled), 50.0),
        ("synthetic 500 ha", lambda: (make_estate(500), bundled), 25.0),
        ("bundled KIT Batang", lambda: (kitland.load_estate(), bundled), 50.0),
        ("bundled KIT Batang", lambda: (kitland.load_estate(), bundled), 25.0),
        *((f"organic {seed}", functools.partial(_organic, seed), 25.0) for seed in range(4)),
    ]
    cases = [(name, *make(), cell) for name, make, cell in every if only in f"{name}/{cell:g}"]
    if not cases:
        names = ", ".join(sorted({f"{name}/{cell:g}" for name, _, cell in every}))
        print(
            f"baseline_pulp.py: no instance matches {only!r} (instances: {names})", file=sys.stderr
        )
        sys.exit(2)
    print(f"## kitland ({limit:g} s limit) vs textbook flow MILP (CBC via PuLP {pulp.__version__}, "
          f"10 × kitland's time, at least 60 s and at most {cap:g} s)")  # fmt: skip
    print(
        "| instance | cell m | cells | kitland s | kitland status | kitland score | CBC limit s | CBC s | CBC status | CBC score | speed at equal objective |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | --- |")
    for name, est, rules, cell in cases:
        t0 = time.perf_counter()
        res = place(est, rules, cell_m=cell, time_limit_s=limit)
        k_s = time.perf_counter() - t0
        k_obj = res.alternatives[0].score if res.found else None
        k_status = res.alternatives[0].status if res.found else res.solver["status"]
        _, cells, prob = build_problem(est, rules, cell_m=cell)
        c_limit = min(cap, max(10 * k_s, 60.0))
        c_status, c_obj, c_s, chosen, found = solve_cbc(prob, time_limit_s=c_limit)
        if chosen is not None:
            rep = kitland.check(est, dissolve(cells, chosen), rules)
            if not all(rr.passed for rr in rep.results if rr.scope == "zone"):
                c_status += " (fails check)"
        if k_obj is None:
            verdict = "kitland found no zone"
        else:
            tol = 1e-6 * max(1.0, abs(k_obj))
            first = next((t for t, v in found if v <= k_obj + tol), None)
            if first is None:
                verdict = f"CBC did not reach it in {c_s:.1f} s: > {c_s / k_s:.0f}×"
            else:
                verdict = f"CBC first reached it after {first:.1f} s: {first / k_s:.1f}×"
                if c_status == "OPTIMAL" and c_obj is not None and c_obj <= k_obj + tol:
                    verdict += f"; proved it in {c_s:.1f} s: {c_s / k_s:.1f}×"
        fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
        print(
            f"| {name} | {cell:g} | {len(prob)} | {k_s:.1f} | {k_status} | {fmt(k_obj)} | {c_limit:.0f} | "
            f"{c_s:.1f} | {c_status} | {fmt(c_obj)} | {verdict} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
