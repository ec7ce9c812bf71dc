"""Placement on the organic estates of ``make_organic.py``: one table row per seed.

For each seed the estate is written to a GeoPackage (through fiona) with its rules TOML
in a temporary folder; a fresh interpreter then loads both with ``kitland.load_estate``
and ``kitland.load_rules``, runs ``kitland.place`` and re-checks the returned zone with
``kitland.check``, so each row's peak memory (``ru_maxrss``, read before the witness
search) is its own. The time is ``place``'s wall time; when it finds no zone that
includes its diagnosis of the rules. Status and gap are those of the returned zone's
solve; ", no zone" means ``place`` returned none (the zones it found were rejected by
its final ``check``, counted per rule in their column by its English name, ``name_en``,
else its id; or time ran out) and gives the
status of its first solve. The last column says
whether ``make_organic.witness_zone``, a plain search that knows nothing of the
placement engine, found a zone that passes ``check`` (so the rules are satisfiable).
Usage::

    python benchmarks/bench_organic.py [--seeds 12] [--time-limit 60] [--cell-m 25] [--work-rate R]
        [--alternatives K] [--baseline CELL_M [--baseline-limit S] [--baseline-only]]

``--work-rate R`` passes ``SolveOptions(work_rate=R)``: the search's budget is
``R × time limit`` work seconds (default 0.5), so a generous limit with a small rate,
e.g. ``--time-limit 600 --work-rate 0.05`` (30 work-s, the budget of a 60 s limit),
gives a result that does not depend on the machine's load (column ``det``: the
search ended by the budget, not the wall clock). The column ``work s`` is
``solver["work_s"]``.

``--alternatives K`` asks ``place`` for K placements; the last column gives each
alternative's status and gap (rank 2 first), the other columns stay those of rank 1.

``--seeds`` takes a count (seeds 0..N-1) or a comma-separated list (``3,7`` or ``5,``).

``--baseline CELL_M`` then prints a second table (``--baseline-only``: only that one), side by side on the same seeds: the
textbook single-commodity-flow MILP of ``baseline_pulp.py`` (CBC through PuLP) on each
estate at ``CELL_M`` cells (a size it can handle), against kitland on the same cells with
the same time limit and options. CBC gets ``--baseline-limit`` seconds (default 60). The
objective ratio is CBC's score over kitland's (above 1: kitland's zone is better); the
speed ratio compares the time CBC first reached kitland's score (from its log, plus the
model build) and, when CBC proves it, its proof with kitland's wall time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_organic import crs_for, make_organic, rules_text, write_estate, zone_ha_for

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {here!r})
import kitland
from make_organic import witness_zone
from kitland.placement import SolveOptions
estate_path, rules_path, cell, limit, alts = {estate!r}, {rules!r}, {cell!r}, {limit!r}, {alts!r}
options = SolveOptions() if {rate!r} is None else SolveOptions(work_rate={rate!r})
t0 = time.perf_counter()
est = kitland.load_estate(estate_path)
rules = kitland.load_rules(rules_path)
t1 = time.perf_counter()
res = kitland.place(est, rules, cell_m=cell, time_limit_s=limit, options=options,
                    alternatives=alts)
t2 = time.perf_counter()
best = res.alternatives[0] if res.found else None
passed = None
if res.found:
    report = kitland.check(est, res.zone, rules)
    passed = all(r.passed for r in report.results if r.scope == "zone")
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
witness = witness_zone(est, rules) is not None
english = {{r.id: r.name_en or r.id for r in rules.rules}}  # the table is in English
print(json.dumps({{
    "estate_ha": est.area_ha, "load_s": t1 - t0, "place_s": t2 - t1,
    "peak_mb": peak_mb, "witness": witness,
    "status": best.status if best else res.solver.get("status"),
    "gap": best.gap if best else res.solver.get("gap"),
    "cells": res.solver.get("cells"), "found": res.found,
    "rejected": [english.get(r, r) for f in res.solver.get("check_failures", [])
                 for r in f["failed"]],
    "score": best.score if best else None, "check": passed,
    "work_s": res.solver.get("work_s"), "deterministic": res.solver.get("deterministic"),
    "alternatives": [[p.status, p.gap] for p in res.alternatives[1:]],
}}))
"""


BASELINE = """
import json, sys, time
sys.path.insert(0, {here!r})
import kitland
from baseline_pulp import solve_cbc
from kitland.placement import SolveOptions, build_problem
estate_path, rules_path, cell, limit, cbc_limit = {estate!r}, {rules!r}, {cell!r}, {limit!r}, {cbc!r}
options = SolveOptions() if {rate!r} is None else SolveOptions(work_rate={rate!r})
est = kitland.load_estate(estate_path)
rules = kitland.load_rules(rules_path)
t0 = time.perf_counter()
res = kitland.place(est, rules, cell_m=cell, time_limit_s=limit, options=options)
k_s = time.perf_counter() - t0
best = res.alternatives[0] if res.found else None
_, cells, prob = build_problem(est, rules, cell_m=cell)
status, obj, c_s, chosen, found = solve_cbc(prob, time_limit_s=cbc_limit)
print(json.dumps({{
    "cells": len(prob), "k_s": k_s, "k_status": best.status if best else res.solver.get("status"),
    "k_score": best.grid_score if best else None, "c_status": status, "c_score": obj, "c_s": c_s,
    "found": found,
}}))
"""


def baseline(
    seed: int, folder: Path, *, cell_m: float, time_limit_s: float, work_rate: float | None,
    cbc_limit_s: float,
) -> dict:  # fmt: skip
    """kitland and the textbook flow MILP on seed's estate at ``cell_m`` cells, in a fresh
    interpreter (the estate and rules files ``run`` wrote to ``folder``)."""
    code = BASELINE.format(
        here=str(Path(__file__).resolve().parent),
        estate=str(folder / f"organic_{seed}.gpkg"),
        rules=str(folder / f"organic_{seed}.toml"),
        cell=cell_m,
        limit=time_limit_s,
        rate=work_rate,
        cbc=cbc_limit_s,
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=4 * (time_limit_s + cbc_limit_s) + 600,
        check=False,
    )
    if out.returncode != 0:
        return {"seed": seed, "error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return {"seed": seed, "cell_m": cell_m} | json.loads(out.stdout.strip().splitlines()[-1])


def _fmt_baseline(row: dict) -> str:
    """One markdown row of the side-by-side table."""
    if "error" in row:
        return f"| {row['seed']} | – | – | error: {row['error']} | – | – | – | – | – | – |"
    num = lambda v: "–" if v is None else f"{v:,.1f}"  # noqa: E731
    k, c, k_s = row["k_score"], row["c_score"], row["k_s"]
    ratio = "–" if k is None or c is None else f"{c / k:.3f}"
    if k is None:
        speed = "kitland found no zone"
    else:
        tol = 1e-6 * max(1.0, abs(k))
        first = next((t for t, v in row["found"] if v <= k + tol), None)
        if first is None:
            speed = f"CBC did not reach it: > {row['c_s'] / k_s:.1f}×"
        else:
            speed = f"reached after {first:.1f} s: {first / k_s:.1f}×"
            if row["c_status"] == "OPTIMAL" and c is not None and c <= k + tol:
                speed += f"; proved in {row['c_s']:.1f} s: {row['c_s'] / k_s:.1f}×"
    return (
        f"| {row['seed']} | {row['cell_m']:g} | {row['cells']:,} | {row['k_status']} | {num(k)} | "
        f"{k_s:.1f} | {row['c_status']} | {num(c)} | {row['c_s']:.1f} | {ratio} | {speed} |"
    )


def run(
    seed: int, folder: Path, *, cell_m: float, time_limit_s: float, work_rate: float | None,
    alternatives: int = 1,
) -> dict:
    """Build seed's estate and rules in ``folder``, place its zone in a fresh interpreter."""
    estate, rules = _write(seed, folder)
    code = CHILD.format(
        here=str(Path(__file__).resolve().parent),
        estate=str(estate),
        rules=str(rules),
        cell=cell_m,
        limit=time_limit_s,
        rate=work_rate,
        alts=alternatives,
    )
    row = {"seed": seed, "crs": crs_for(seed), "zone_ha": zone_ha_for(seed)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=4 * time_limit_s + 600,
        check=False,
    )
    if out.returncode != 0:
        return row | {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return row | json.loads(out.stdout.strip().splitlines()[-1])


def _write(seed: int, folder: Path) -> tuple[Path, Path]:
    """Seed's estate (GeoPackage) and rules (TOML) written to ``folder``."""
    zone = zone_ha_for(seed)
    estate = write_estate(make_organic(seed, zone_ha=zone), folder / f"organic_{seed}.gpkg")
    rules = folder / f"organic_{seed}.toml"
    rules.write_text(rules_text(zone), encoding="utf-8")
    return estate, rules


def _fmt(row: dict) -> str:
    """One markdown table row."""
    if "error" in row:
        return f"| {row['seed']} | {row['crs']} | – | {row['zone_ha']:g} | – | error: {row['error']} | – | – | – | – | – | – | – | – | – | – |"
    gap = row["gap"]
    gap_s = "–" if gap is None else f"{100 * gap:.2f} %"
    score = "–" if row["score"] is None else f"{row['score']:,.1f}"
    check = {True: "yes", False: "**no**", None: "–"}[row["check"]]
    witness = "yes" if row["witness"] else "none found"
    rejected = row["rejected"]
    counts = ", ".join(f"{r} ×{rejected.count(r)}" for r in dict.fromkeys(rejected)) or "–"
    status = row["status"] if row["found"] else f"{row['status']}, no zone"
    work = "–" if row.get("work_s") is None else f"{row['work_s']:.1f}"
    det = {True: "yes", False: "no", None: "–"}[row.get("deterministic")]
    alts = "; ".join(f"{st} {100 * g:.2f} %" for st, g in row.get("alternatives", [])) or "–"
    return (
        f"| {row['seed']} | {row['crs']} | {row['estate_ha']:,.0f} | {row['zone_ha']:g} | "
        f"{row['cells']:,} | {status} | {gap_s} | {score} | {row['place_s']:.1f} | "
        f"{row['peak_mb']:.0f} | {check} | {counts} | {witness} | {work} | {det} | {alts} |"
    )


def _side_by_side(rows: list[dict], folder: Path, args: argparse.Namespace) -> None:
    """The baseline table on the seeds of ``rows`` (their files are in ``folder``)."""
    print(f"\n## Side by side: kitland and the textbook flow MILP (CBC via PuLP, "
          f"{args.baseline_limit:g} s limit), {args.baseline:g} m cells")  # fmt: skip
    print("| seed | cell m | cells | kitland status | kitland score | kitland s | CBC status "
          "| CBC score | CBC s | objective ratio CBC/kitland | speed at kitland's objective |")  # fmt: skip
    print("| ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    done = []
    for row in rows:
        b = baseline(row["seed"], folder, cell_m=args.baseline, time_limit_s=args.time_limit,
                     work_rate=args.work_rate, cbc_limit_s=args.baseline_limit)  # fmt: skip
        done.append(b)
        print(_fmt_baseline(b), flush=True)
    ok = [b for b in done if "error" not in b and b["k_score"] and b["c_score"]]
    if ok:
        ratios = [b["c_score"] / b["k_score"] for b in ok]
        print(
            f"\nCBC found a zone on {len(ok)} of {len(done)} estates; median objective ratio "
            f"{statistics.median(ratios):.3f}; median kitland time "
            f"{statistics.median(b['k_s'] for b in ok):.1f} s, CBC "
            f"{statistics.median(b['c_s'] for b in ok):.1f} s"
        )


def _seeds(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s] if "," in text else list(range(int(text)))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seeds", default="12", help="a count N (seeds 0..N-1) or a list 3,7")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--cell-m", type=float, default=25.0)
    ap.add_argument(
        "--work-rate",
        type=float,
        default=None,
        help="SolveOptions.work_rate (work seconds per second of the limit)",
    )
    ap.add_argument("--alternatives", type=int, default=1, help="placements asked for (K)")
    ap.add_argument(
        "--baseline",
        type=float,
        default=None,
        metavar="CELL_M",
        help="also run the textbook flow MILP (CBC) and kitland at this cell size",
    )
    ap.add_argument("--baseline-limit", type=float, default=60.0, help="CBC's time limit, s")
    ap.add_argument("--baseline-only", action="store_true", help="only the side-by-side table")
    args = ap.parse_args(argv)
    if args.baseline_only:
        with tempfile.TemporaryDirectory(prefix="organic_") as tmp:
            for seed in _seeds(args.seeds):
                _write(seed, Path(tmp))
            _side_by_side([{"seed": s} for s in _seeds(args.seeds)], Path(tmp), args)
        return
    print(f"## Organic estates, bundled rules per seed, {args.cell_m:g} m cells, "
          f"time limit {args.time_limit:g} s"
          + ("" if args.work_rate is None else f", work rate {args.work_rate:g}")
          + ("" if args.alternatives == 1 else f", {args.alternatives} placements"))  # fmt: skip
    print(
        "| seed | CRS | estate ha | zone ha | cells | status | gap | score | time s | peak MB "
        "| zone passes check | solver zones rejected by check | witness zone | work s | det "
        "| alternatives: status gap |"
    )
    print("| ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | --- "
          "| ---: | --- | --- |")  # fmt: skip
    rows = []
    with tempfile.TemporaryDirectory(prefix="organic_") as tmp:
        for seed in _seeds(args.seeds):
            row = run(seed, Path(tmp), cell_m=args.cell_m, time_limit_s=args.time_limit,
                      work_rate=args.work_rate, alternatives=args.alternatives)  # fmt: skip
            rows.append(row)
            print(_fmt(row), flush=True)
        if args.baseline is not None:
            _side_by_side(rows, Path(tmp), args)
    done = [r for r in rows if "error" not in r]
    if done:
        optimal = sum(r["found"] and r["status"] == "OPTIMAL" for r in done)
        median = statistics.median(r["place_s"] for r in done)
        found = sum(r["found"] for r in done)
        rejected = sum(len(r["rejected"]) for r in done)
        print(
            f"\nmedian place() time {median:.1f} s; proven OPTIMAL {optimal} of {len(rows)}; "
            f"a zone returned for {found} of {len(rows)}; solver zones rejected by check: "
            f"{rejected} (on {sum(bool(r['rejected']) for r in done)} estates); "
            f"witness zone found for {sum(r['witness'] for r in done)} of {len(rows)}"
        )


if __name__ == "__main__":
    main()
