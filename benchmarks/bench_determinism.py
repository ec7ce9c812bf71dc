"""What the deterministic work budget costs: the same estates placed by two versions of kitland.

Each estate (the bundled one, and organic estates of ``make_organic.py`` with their
rules) is placed ``--runs`` times by each version, the versions interleaved so a change in
the machine's load does not favour one. Every run is a fresh interpreter with
``PYTHONPATH`` set to the version's source tree (``--before``, default ``/work/main``;
``--after``, default this tree), running ``kitland.place(estate, rules, cell_m=25,
time_limit_s=LIMIT, alternatives=K)`` (with ``--work-rate R``,
``options=SolveOptions(work_rate=R)``: a budget of ``R × LIMIT`` work seconds, so a generous
limit makes the result independent of the load). Per run: wall time of ``place``, the
status, gap and score of each placement, whether the result says it is
deterministic (new versions only), the work spent (``solver["work_s"]``) and a digest of
every placement's cells, so runs that returned other zones show. The load average is
printed before and after. Usage::

    python benchmarks/bench_determinism.py [--seeds 4,10] [--runs 2] [--time-limit 60]
        [--alternatives 1] [--work-rate R] [--no-bundled] [--before /work/main] [--after .]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_organic import make_organic, rules_text, write_estate, zone_ha_for  # noqa: E402

CHILD = """
import hashlib, json, time
import kitland
from kitland.placement import SolveOptions
est = kitland.load_estate({estate!r}) if {estate!r} else kitland.load_estate()
rules = kitland.load_rules({rules!r}) if {rules!r} else kitland.load_rules()
t0 = time.perf_counter()
opts = None if {rate!r} is None else SolveOptions(work_rate={rate!r})
res = kitland.place(est, rules, cell_m=25, time_limit_s={limit!r}, alternatives={alts!r},
                    options=opts)
t1 = time.perf_counter()
print(json.dumps({{
    "time_s": t1 - t0, "status": res.status,
    "placements": [[p.status, p.gap, p.score] for p in res.alternatives],
    "cells": hashlib.sha256(b"".join(p.cells.tobytes() for p in res.alternatives)).hexdigest()[:10],
    "deterministic": res.solver.get("deterministic"), "work_s": res.solver.get("work_s"),
}}))
"""


def run(
    src: Path, estate: str, rules: str, *, limit: float, alts: int, rate: float | None = None
) -> dict:
    """One ``place`` call in a fresh interpreter on the kitland source tree ``src``."""
    code = CHILD.format(estate=estate, rules=rules, limit=limit, alts=alts, rate=rate)
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=src, timeout=4 * limit + 300, check=False)  # fmt: skip
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _describe(rows: list[dict]) -> str:
    """Median time, statuses with gaps (and scores), distinct results, determinism flags,
    median work."""
    ok = [r for r in rows if "error" not in r]
    if not ok:
        return f"error: {rows[0]['error']}"
    med = statistics.median(r["time_s"] for r in ok)
    st = "; ".join(
        ", ".join(f"{s} {100 * g:.2f} % ({v:,.1f})" for s, g, v in r["placements"]) or r["status"]
        for r in ok
    )
    digests = len({r["cells"] for r in ok})
    det = {r["deterministic"] for r in ok}
    work = [r["work_s"] for r in ok if r.get("work_s") is not None]
    work_s = f"{statistics.median(work):.1f}" if work else "–"
    flags = "/".join(str(d) for d in sorted(det, key=str))
    return f"{med:.1f} s | {st} | {digests} | {flags} | {work_s}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seeds", default="4,10", help="organic seeds, comma-separated")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--alternatives", type=int, default=1)
    ap.add_argument("--work-rate", type=float, default=None, help="SolveOptions.work_rate")
    ap.add_argument("--bundled", action=argparse.BooleanOptionalAction, default=True,
                    help="place the bundled estate too (default)")  # fmt: skip
    ap.add_argument("--before", type=Path, default=Path("/work/main"))
    ap.add_argument("--after", type=Path, default=HERE.parent)
    args = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)
    print("| estate | version | median time | status, gap per run | distinct results "
          "| deterministic flag | median work s |")  # fmt: skip
    print("| --- | --- | ---: | --- | ---: | --- | ---: |")
    with tempfile.TemporaryDirectory(prefix="det_") as tmp:
        cases = [("bundled", "", "")] if args.bundled else []
        for seed in [int(s) for s in args.seeds.split(",") if s]:
            zone = zone_ha_for(seed)
            est = write_estate(make_organic(seed, zone_ha=zone), Path(tmp) / f"o{seed}.gpkg")
            rules = Path(tmp) / f"o{seed}.toml"
            rules.write_text(rules_text(zone), encoding="utf-8")
            cases.append((f"organic {seed} ({zone:g} ha)", str(est), str(rules)))
        for name, est_path, rules_path in cases:
            rows: dict[str, list[dict]] = {"before": [], "after": []}
            for _ in range(args.runs):
                for version in ("before", "after"):
                    src = args.before if version == "before" else args.after
                    rows[version].append(run(src.resolve(), est_path, rules_path,
                                             limit=args.time_limit, alts=args.alternatives,
                                             rate=args.work_rate))  # fmt: skip
            for version in ("before", "after"):
                print(f"| {name} | {version} | {_describe(rows[version])} |", flush=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
