"""Placement benchmarks: the bundled estate at 25 m, and the scaling table.

Each run happens in a fresh subprocess so its peak memory (``ru_maxrss``) is its own.
Every run is bounded by its solver time limit, so the whole benchmark ends in about
15 minutes. Usage::

    python benchmarks/bench_place.py            # everything
    python benchmarks/bench_place.py bundled    # only the bundled estate
    python benchmarks/bench_place.py scaling    # only the scaling table
    python benchmarks/bench_place.py bundled --time-limit 600 --work-rate 0.05 --runs 1

``--work-rate R`` passes ``SolveOptions(work_rate=R)`` (a fixed budget of ``R × limit``
work seconds, so the result does not depend on the machine's load); ``--time-limit``
replaces the bundled rows' limits (10 s and 60 s) by one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = """
import json, resource, sys, time
sys.path.insert(0, {here!r})
import kitland
from kitland.placement import place
from kitland.placement import SolveOptions
what, area, cell, limit, rate = {what!r}, {area!r}, {cell!r}, {limit!r}, {rate!r}
t0 = time.perf_counter()
if what == "bundled":
    est = kitland.load_estate()
else:
    from make_synthetic import make_estate
    est = make_estate(area)
rules = kitland.load_rules()
t1 = time.perf_counter()
options = None if rate is None else SolveOptions(work_rate=rate)
res = place(est, rules, cell_m=cell, time_limit_s=limit, options=options)
t2 = time.perf_counter()
best = res.alternatives[0] if res.found else None
print(json.dumps({{
    "what": what, "area_ha": round(est.area_ha), "cell_m": cell, "load_s": t1 - t0, "place_s": t2 - t1,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "status": res.solver["status"], "gap": res.solver["gap"], "cells": res.solver["cells"],
    "found": res.found, "score": best.score if best else None,
    "passed": bool(best and all(r.passed for r in best.report.results if r.scope == "zone")),
    "work_s": res.solver.get("work_s"), "deterministic": res.solver.get("deterministic"),
}}))
"""


def run(what: str, area: float, cell: float, limit: float, rate: float | None = None) -> dict:
    """One placement in a fresh interpreter; its figures as a dict."""
    code = CHILD.format(here=str(HERE), what=what, area=area, cell=cell, limit=limit, rate=rate)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=limit * 4 + 600
    )
    if out.returncode != 0:
        return {
            "what": what,
            "area_ha": area,
            "cell_m": cell,
            "error": out.stderr.strip().splitlines()[-1:],
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def bundled(
    runs: int = 3, limits: tuple[float, ...] = (10.0, 60.0), rate: float | None = None
) -> None:
    print("## Bundled KIT Batang estate, bundled rules, 25 m cells"
          + ("" if rate is None else f", work rate {rate:g} (work s, det per run)"))  # fmt: skip
    print(
        "| time limit | runs | place() wall, median (min–max) | peak MB | status | gap | score | zone rules pass |"
    )
    print("| ---: | ---: | --- | ---: | --- | ---: | ---: | --- |")
    for limit in limits:
        rows = [run("bundled", 0, 25.0, limit, rate) for _ in range(runs)]
        times = [r["place_s"] for r in rows]
        gaps = sorted({"–" if r["gap"] is None else f"{100 * r['gap']:.2f} %" for r in rows})
        scores = sorted({"–" if r["score"] is None else f"{r['score']:.2f}" for r in rows})
        print(
            f"| {limit:g} s | {runs} | {statistics.median(times):.1f} s ({min(times):.1f}–{max(times):.1f}) | "
            f"{max(r['peak_mb'] for r in rows):.0f} | {', '.join(sorted({r['status'] for r in rows}))} | "
            f"{', '.join(gaps)} | {', '.join(scores)} | "
            f"{all(r['passed'] for r in rows)} |" + ("" if rate is None else f" {_work(rows)} |"),
            flush=True,
        )
    print()


def _work(rows: list[dict]) -> str:
    """Each run's work seconds and whether the budget (not the wall clock) ended it."""
    return ", ".join(f"{r['work_s']:.1f} {r['deterministic']}" for r in rows)


def scaling(limit: float = 45.0) -> None:
    print(f"## Scaling (synthetic estates, bundled rules, time limit {limit:g} s per run)")
    print("| estate ha | cell m | cells | place s | peak MB | status | gap | score |")
    print("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
    for area in (500, 4500, 20000):
        for cell in (50.0, 25.0, 10.0):
            r = run("synthetic", area, cell, limit)
            if "error" in r:
                print(
                    f"| {area} | {cell:g} | – | – | – | error: {r['error']} | – | – |", flush=True
                )
                continue
            gap = "–" if r["gap"] is None else f"{100 * r['gap']:.1f} %"
            score = "–" if r["score"] is None else f"{r['score']:.1f}"
            print(
                f"| {r['area_ha']} | {cell:g} | {r['cells']} | {r['place_s']:.1f} | {r['peak_mb']:.0f} | "
                f"{r['status']} | {gap} | {score} |",
                flush=True,
            )
    print()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("which", nargs="?", default="all", choices=("all", "bundled", "scaling"))
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--work-rate", type=float, default=None)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    which = args.which
    if which in ("all", "bundled"):
        lim = (10.0, 60.0) if args.time_limit is None else (args.time_limit,)
        bundled(args.runs, lim, args.work_rate)
    if which in ("all", "scaling"):
        scaling()
