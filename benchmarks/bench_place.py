"""Placement benchmarks: the bundled estate at 25 m, and the scaling table.

Each run happens in a fresh subprocess so its peak memory (``ru_maxrss``) is its own.
Every run is bounded by its solver time limit, so the whole benchmark ends in about
15 minutes. Usage::

    python benchmarks/bench_place.py            # everything
    python benchmarks/bench_place.py bundled    # only the bundled estate
    python benchmarks/bench_place.py scaling    # only the scaling table
"""

from __future__ import annotations

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
what, area, cell, limit = {what!r}, {area!r}, {cell!r}, {limit!r}
t0 = time.perf_counter()
if what == "bundled":
    est = kitland.load_estate()
else:
    from make_synthetic import make_estate
    est = make_estate(area)
rules = kitland.load_rules()
t1 = time.perf_counter()
res = place(est, rules, cell_m=cell, time_limit_s=limit)
t2 = time.perf_counter()
best = res.alternatives[0] if res.found else None
print(json.dumps({{
    "what": what, "area_ha": round(est.area_ha), "cell_m": cell, "load_s": t1 - t0, "place_s": t2 - t1,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "status": res.solver["status"], "gap": res.solver["gap"], "cells": res.solver["cells"],
    "found": res.found, "score": best.score if best else None,
    "passed": bool(best and all(r.passed for r in best.report.results if r.scope == "zone")),
}}))
"""


def run(what: str, area: float, cell: float, limit: float) -> dict:
    """One placement in a fresh interpreter; its figures as a dict."""
    code = CHILD.format(here=str(HERE), what=what, area=area, cell=cell, limit=limit)
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


def bundled(runs: int = 3, limits: tuple[float, ...] = (10.0, 60.0)) -> None:
    print("## Bundled KIT Batang estate, bundled rules, 25 m cells")
    print(
        "| time limit | runs | place() wall, median (min–max) | peak MB | status | gap | score | zone rules pass |"
    )
    print("| ---: | ---: | --- | ---: | --- | ---: | ---: | --- |")
    for limit in limits:
        rows = [run("bundled", 0, 25.0, limit) for _ in range(runs)]
        times = [r["place_s"] for r in rows]
        gaps = sorted({"–" if r["gap"] is None else f"{100 * r['gap']:.2f} %" for r in rows})
        scores = sorted({"–" if r["score"] is None else f"{r['score']:.2f}" for r in rows})
        print(
            f"| {limit:g} s | {runs} | {statistics.median(times):.1f} s ({min(times):.1f}–{max(times):.1f}) | "
            f"{max(r['peak_mb'] for r in rows):.0f} | {', '.join(sorted({r['status'] for r in rows}))} | "
            f"{', '.join(gaps)} | {', '.join(scores)} | "
            f"{all(r['passed'] for r in rows)} |",
            flush=True,
        )
    print()


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
    which = sys.argv[1] if len(sys.argv) > 1 else "all"
    if which in ("all", "bundled"):
        bundled()
    if which in ("all", "scaling"):
        scaling()
