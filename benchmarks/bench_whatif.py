"""A what-if in a second (issue 19 §2): ``place(start=previous)`` against a cold ``place``.

Run: ``.venv/bin/python benchmarks/bench_whatif.py [--cell-m 25] [--time-limit 60]
[--work-rate R] [--organic SEED] [--only TEXT]``.

On the bundled estate and rules (or, with ``--organic``, the seed's estate of
``make_organic.py`` and its rules: the bundled rules with the seed's zone size), one placement is made first (the "previous" result,
untimed). Then for each of ten threshold changes (river setback, ``min_shared_m``, gate
distance, frontage, compactness, the area band) the new rules are placed twice in this
process, one after the other:

- **cold**: the cell cache emptied, no ``start``: what ``place`` costs today;
- **warm**: the cache as the previous run left it (its cells re-cut, untimed) and
  ``start=previous``.

Both get the same time limit. The figures are wall-clock medians over the ten changes,
with the load average before and after (the machine is shared); whether each warm
answer has the cold one's status and score (to 1e-9) is checked and printed. With
``--phases`` each warm run is profiled (cProfile, which slows it) and split into where
its time went: cells and attributes, the model, the solve, the check of the solver's
zone, the outline step, the diagnosis, the rest. The figures go to
benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import statistics
import time
from typing import Any

#: (label, rule name or "area", the change); the bundled rules' names.
CHANGES: list[tuple[str, str, dict[str, float]]] = [
    ("river setback 50 → 75 m", "sempadan sungai", {"min_m": 75.0}),
    ("river setback 50 → 40 m", "sempadan sungai", {"min_m": 40.0}),
    ("industry shared 100 → 150 m", "bersebelahan dengan industri", {"min_shared_m": 150.0}),
    ("industry shared 100 → 60 m", "bersebelahan dengan industri", {"min_shared_m": 60.0}),
    ("gate distance 2500 → 2000 m", "dekat gerbang kawasan", {"max_m": 2000.0}),
    ("gate distance 2500 → 3000 m", "dekat gerbang kawasan", {"max_m": 3000.0}),
    ("frontage 150 → 200 m", "muka jalan", {"min_m": 200.0}),
    ("compactness 0.50 → 0.55", "bentuk kompak", {"min": 0.55}),
    ("area tolerance 0.5 → 0.25 ha", "area", {"tolerance_ha": 0.25}),
    ("area 20 → 22 ha", "area", {"area_ha": 22.0}),
]


#: (phase, module file ending, function): the profiled functions that split a warm run.
PHASES = [
    ("cells", "placement/_reuse.py", "cells_and_attributes"),
    ("model", "placement/__init__.py", "problem_on"),
    ("solve", "placement/_solve.py", "solve"),
    ("outline", "placement/__init__.py", "straightened"),
    ("diagnosis", "placement/_diagnose.py", "relaxations"),
    ("all", "placement/__init__.py", "place"),
]


def _phases(fn: Any) -> tuple[Any, dict[str, float]]:
    """Run ``fn`` under cProfile; the cumulative seconds of each of :data:`PHASES`, the
    check of the solver's zones (``check`` less what the outline step spent in it) and
    the rest."""
    import pstats  # noqa: PLC0415

    prof = cProfile.Profile()
    out = prof.runcall(fn)
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    cum: dict[str, float] = {}
    check_all = check_outline = 0.0
    for (path, _, name), (_, _, _, ct, callers) in stats.items():
        for phase, end, func in PHASES:
            if name == func and path.endswith(end):
                cum[phase] = cum.get(phase, 0.0) + ct
        if name == "check" and path.endswith("kitland/measure.py"):
            check_all += ct
            check_outline += sum(c[3] for (p, _, n), c in callers.items()
                                 if n in ("accept", "straightened"))  # fmt: skip
    cum["check"] = check_all - check_outline
    cum["rest"] = cum.get("all", 0.0) - sum(v for k, v in cum.items() if k != "all")
    return out, {k: round(v, 3) for k, v in cum.items()}


def _timed(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _row(label: str, cold: Any, t_cold: float, warm: Any, t_warm: float) -> dict[str, Any]:
    def score(r: Any) -> float | None:
        return r.alternatives[0].grid_score if r.found else None

    same = cold.status == warm.status and (
        not cold.found or math.isclose(score(cold), score(warm), rel_tol=1e-9, abs_tol=1e-9)
    )
    return {"change": label, "cold_s": round(t_cold, 2), "cold": cold.status,
            "warm_s": round(t_warm, 2), "warm": warm.status,
            "tightened": warm.solver["start"]["tightened"],
            "beyond": warm.solver["start"].get("beyond"),
            "setback": warm.solver["start"].get("setback"), "score": score(warm),
            "same_answer": same,
            "work_s": [round(float(r.solver.get("work_s", math.nan)), 2) for r in (cold, warm)],
            "deterministic": [r.solver.get("deterministic") for r in (cold, warm)]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell-m", type=float, default=25.0)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--previous-time-limit", type=float, default=None,
                    help="limit of the first placement (default: --time-limit)")  # fmt: skip
    ap.add_argument("--organic", type=int, default=None,
                    help="the seeded estate of make_organic.py and its rules instead")  # fmt: skip
    ap.add_argument("--only", default="",
                    help="only the changes whose label holds this text, e.g. 'setback'")  # fmt: skip
    ap.add_argument("--phases", action="store_true",
                    help="also profile each warm run once more and print where its time went")  # fmt: skip
    ap.add_argument("--work-rate", type=float, default=None,
                    help="SolveOptions.work_rate (work-s per second of limit): a fixed work "
                         "budget under a generous limit, e.g. --time-limit 600 --work-rate 0.05")  # fmt: skip
    args = ap.parse_args()
    import kitland  # noqa: PLC0415
    from kitland.placement import SolveOptions, _reuse, build_problem  # noqa: PLC0415

    if args.organic is None:
        est, rules = kitland.load_estate(), kitland.load_rules()
    else:
        import tempfile  # noqa: PLC0415
        from pathlib import Path  # noqa: PLC0415

        from bench_organic import _write  # noqa: PLC0415 - beside this script

        e, r = _write(args.organic, Path(tempfile.mkdtemp(prefix="whatif_organic_")))
        est, rules = kitland.load_estate(e), kitland.load_rules(r)
    load_before = os.getloadavg()
    opts = SolveOptions(work_rate=args.work_rate) if args.work_rate else None
    kw = {"cell_m": args.cell_m, "time_limit_s": args.time_limit, "options": opts}
    first = args.previous_time_limit or args.time_limit
    previous, t_prev = _timed(lambda: kitland.place(est, rules, cell_m=args.cell_m,
                                                    time_limit_s=first, options=opts))  # fmt: skip
    print(f"previous: {previous.status} in {t_prev:.1f} s", flush=True)
    rows = []
    for label, name, change in [c for c in CHANGES if args.only in c[0]]:
        new = rules.replace(name, **change)
        _reuse.clear_cache()
        cold, t_cold = _timed(lambda new=new: kitland.place(est, new, **kw))
        _reuse.clear_cache()
        build_problem(est, rules, cell_m=args.cell_m)  # the cache as the previous run left it
        warm, t_warm = _timed(lambda new=new: kitland.place(est, new, start=previous, **kw))
        rows.append(_row(label, cold, t_cold, warm, t_warm))
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        if args.phases:  # profiled apart: cProfile slows the run it watches
            _reuse.clear_cache()
            build_problem(est, rules, cell_m=args.cell_m)
            _, phases = _phases(lambda new=new: kitland.place(est, new, start=previous, **kw))
            print(json.dumps({"change": label, "warm_phases_s": phases}, ensure_ascii=False),
                  flush=True)  # fmt: skip
    load_after = os.getloadavg()
    cold_med = statistics.median(r["cold_s"] for r in rows)
    warm_med = statistics.median(r["warm_s"] for r in rows)
    proven = sum(r["warm"] == "OPTIMAL" for r in rows)
    print(json.dumps({
        "estate": "bundled" if args.organic is None else f"organic {args.organic}",
        "cell_m": args.cell_m, "time_limit_s": args.time_limit, "work_rate": args.work_rate,
        "previous": previous.status,
        "cold_median_s": round(cold_med, 2), "warm_median_s": round(warm_med, 2),
        "ratio": round(cold_med / warm_med, 1) if warm_med > 0 else None,
        "warm_proven": f"{proven} of {len(rows)}",
        "warm_within_1s": sum(r["warm_s"] <= 1.0 and r["warm"] == "OPTIMAL" for r in rows),
        "same_answers": sum(r["same_answer"] for r in rows),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
