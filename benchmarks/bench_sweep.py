"""Scenario sweeps on Dask: serial vs a LocalCluster of 1 and 2 workers.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--scenarios N] [--cell-m M]
[--modes serial,local1,local2,cold0,cold2] [--vary TEXT ...] [--organic SEED]``. The scenarios are the river setback (50–250 m) ×
the zone's target area (16–24 ha) × the gate distance (1,500–5,000 m) on the bundled
estate: 5 × 5 × 8 = 200; ``--scenarios N`` below 200 runs a seeded sample of N of them
(the same N in every mode). Each mode writes to a fresh folder, so nothing is reused
between modes. The sweeps are chained (each gate distance warm-starts from the one
above it, see ``kitland.sweep(chain=)``); mode ``cold2`` is the same 2-worker run with
every scenario started cold, the baseline of the chains, whose answers are compared
with the chained ones (status, and score to 1e-9 where proven); ``cold0`` the same
serially. ``--vary`` (repeated) sweeps other values instead (the chains run along the
last one of a rule, e.g. a setback distance) and ``--organic SEED`` uses the seed's estate of
``make_organic.py`` and its rules (the bundled ones with the seed's zone size).

Measured: wall time, scenarios per minute, peak resident memory of each worker process
(``ru_maxrss`` asked of the workers after the sweep), the scheduler's cost per task
(1,000 empty tasks on the same cluster), the pickled size of what is shipped (the
estate once per worker, the rules with each scenario), and whether the serial and the
distributed rows agree (``cells_hash`` per scenario). A projection for 20,000 scenarios
on 50 workers is made from the measured cost per scenario and per task. The figures go
to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VARY = [
    "river setback.min_m=50:250:50",
    "zone.area_ha=16:24:2",
    "near an estate gate.max_m=1500:5000:500",
]
FULL = 5 * 5 * 8


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _noop(i: int) -> int:
    return i


def _run(mode: str, n_workers: int, args: argparse.Namespace, root: Path,
         inputs: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    import kitland  # noqa: PLC0415

    out = root / mode
    sample = args.scenarios if args.scenarios < FULL else None
    common = {"vary": args.vary or VARY, "out": out, "sample": sample, "seed": 0,
              "cell_m": args.cell_m, "time_limit_s": args.time_limit,
              "chain": not mode.startswith("cold"), **inputs}  # fmt: skip
    if n_workers == 0:
        t0 = time.perf_counter()
        res = kitland.sweep(workers=0, **common)
        wall = time.perf_counter() - t0
        return _facts(mode, res, wall, [_peak_rss_mb()], None)
    from distributed import Client, LocalCluster  # noqa: PLC0415

    # The same cluster sweep() makes by default, kept open to ask the workers afterwards.
    with (
        LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                     dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        t0 = time.perf_counter()
        res = kitland.sweep(scheduler=cluster.scheduler_address, **common)
        wall = time.perf_counter() - t0
        rss = list(client.run(_peak_rss_mb).values())
        t1 = time.perf_counter()
        client.gather(client.map(_noop, range(1000)))
        per_task = (time.perf_counter() - t1) / 1000
    return _facts(mode, res, wall, rss, per_task)


def _facts(
    mode: str, res: Any, wall: float, rss: list[float], per_task: float | None
) -> dict[str, Any]:
    t = res.results
    return {
        "mode": mode,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "scenarios": len(t),
        "wall_s": round(wall, 1),
        "per_minute": round(len(t) / wall * 60, 2),
        "solve_s_median": round(float(t["time_s"].median()), 2),
        "solve_s_sum": round(float(t["time_s"].sum()), 1),
        "statuses": t["status"].value_counts().to_dict(),
        "starts": t["start"].fillna("cold").value_counts().to_dict(),
        "solve_s_median_by_start": {
            k: round(float(v), 2)
            for k, v in t.groupby(t["start"].fillna("cold"))["time_s"].median().items()
        },
        "peak_rss_mb": [round(x) for x in rss],
        "task_overhead_ms": None if per_task is None else round(per_task * 1000, 2),
        "rows": dict(
            zip(t["scenario"], zip(t["status"], t["cells_hash"], strict=True), strict=True)
        ),
        "scores": dict(zip(t["scenario"], t["score"], strict=True)),
    }


def _same_scores(warm: dict[str, Any], cold: dict[str, Any]) -> None:
    """Chained against cold: the same status, and where proven the same score."""
    status = sum(warm["rows"][k][0] == v[0] for k, v in cold["rows"].items())
    proven = [k for k, v in cold["rows"].items() if v[0] == "OPTIMAL" == warm["rows"][k][0]]
    score = sum(math.isclose(warm["scores"][k], cold["scores"][k], rel_tol=1e-9, abs_tol=1e-9)
                for k in proven)  # fmt: skip
    cells = sum(warm["rows"][k][1] == cold["rows"][k][1] for k in proven)
    print(f"{cold['mode']} (cold) vs {warm['mode']} (chained): {status} of {len(cold['rows'])} "
          f"statuses equal; {score} of {len(proven)} proven scores equal to 1e-9 "
          f"({cells} with the same cells; ties may pick other cells)", flush=True)  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", type=int, default=FULL, help=f"at most {FULL} (default)")
    p.add_argument("--cell-m", type=float, default=50.0, help="cell size, m (default 50)")
    p.add_argument("--time-limit", type=float, default=120.0, help="per scenario, s")
    p.add_argument("--modes", default="serial,local1,local2", help="which runs, comma-separated")
    p.add_argument("--vary", action="append", default=[],
                   help="sweep these values instead (repeat; the chains run along the last)")  # fmt: skip
    p.add_argument("--organic", type=int, default=None,
                   help="the seeded estate of make_organic.py and its rules instead")  # fmt: skip
    args = p.parse_args()
    import kitland  # noqa: PLC0415

    if args.organic is None:
        estate, rules = kitland.load_estate(), kitland.load_rules()
    else:
        from bench_organic import _write  # noqa: PLC0415 - beside this script

        e, r = _write(args.organic, Path(tempfile.mkdtemp(prefix="sweep_organic_")))
        estate, rules = kitland.load_estate(e), kitland.load_rules(r)
    inputs = {"estates": estate, "rules": rules}
    print(json.dumps({"estate": "bundled" if args.organic is None else f"organic {args.organic}",
                      "vary": args.vary or VARY, "cell_m": args.cell_m}), flush=True)  # fmt: skip
    shipped = {"estate_kb": round(len(pickle.dumps(estate)) / 1024),
               "rules_kb": round(len(pickle.dumps(rules)) / 1024, 1)}  # fmt: skip
    workers = {"serial": 0, "local1": 1, "local2": 2, "cold0": 0, "cold2": 2}
    runs = []
    print(json.dumps({"load_before": [round(x, 2) for x in os.getloadavg()]}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for mode in args.modes.split(","):
            facts = _run(mode, workers[mode], args, Path(tmp), inputs)
            runs.append(facts)
            shown = {k: v for k, v in facts.items() if k not in ("rows", "scores")}
            print(json.dumps(shown), flush=True)
    chained = [r for r in runs if not r["mode"].startswith("cold")]
    base = chained[0] if chained else runs[0]
    for r in runs:
        if r is base:
            continue
        if r["mode"].startswith("cold"):
            _same_scores(base, r)
            continue
        same = sum(base["rows"][k] == v for k, v in r["rows"].items())
        proven = sum(s[0] in ("OPTIMAL", "INFEASIBLE") for s in r["rows"].values())
        print(f"{r['mode']} vs {base['mode']}: {same} of {len(r['rows'])} rows identical "
              f"(status, cells_hash); {proven} proven", flush=True)  # fmt: skip
    one = next((r for r in runs if r["mode"] == "local1"), None)
    if one is not None:
        per_scenario = one["wall_s"] / one["scenarios"]
        overhead = (one["task_overhead_ms"] or 0) / 1000
        solve = per_scenario * 20_000 / 50
        sched = overhead * 20_000
        print(f"projection, 20,000 scenarios on 50 workers: {per_scenario:.2f} s per scenario "
              f"on one worker → {solve / 3600:.2f} h of solving per worker; scheduler "
              f"{overhead * 1000:.2f} ms per task → {sched:.0f} s in all; estate shipped once "
              f"per worker ({shipped['estate_kb']} kB), rules {shipped['rules_kb']} kB per "
              f"scenario; median solve {one['solve_s_median']:.2f} s", flush=True)  # fmt: skip
    print(json.dumps(shipped))


if __name__ == "__main__":
    sys.exit(main())
