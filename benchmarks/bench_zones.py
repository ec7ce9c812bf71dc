"""Three zones placed together on the bundled estate at 25 m: time to proof, or the gap.

    .venv/bin/python benchmarks/bench_zones.py [--time-limit 60] [--runs 1] [--zones 3]

The zones are the first ``--zones`` of ``parcels/umkm_clusters_rules.toml`` (by default
the two UMKM clusters and the worker housing; its between rules that name a zone left
out are dropped). Per run it prints the status, the gap to the proven bound, the summed
score of the cells, the score of placing the zones one by one (the warm start, measured
in the same run), the wall time and the 1-minute load average before the run (the
machine is shared: figures are comparable only within one run).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import kitland
from kitland.estate import bundled_path


def three_zones(n: int) -> kitland.Rules:
    """The clusters file cut to its first ``n`` zones."""
    rules = kitland.load_rules(bundled_path("umkm_clusters_rules.toml"))
    keep = rules.zone_specs[:n]
    names = {z.name for z in keep}
    between = tuple(b for b in rules.between if set(b.get("zones") or names) <= names)
    return dataclasses.replace(
        rules, zone_specs=keep, zone_rules=tuple(r for r in rules.zone_rules if r.zone in names),
        between=between,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--zones", type=int, default=3)
    args = ap.parse_args()
    estate = kitland.load_estate()
    rules = three_zones(args.zones)
    print(f"zones: {', '.join(z.name for z in rules.zones)}; cell 25 m; limit {args.time_limit:g} s")
    print(f"{'run':>3} {'load':>5} {'status':>9} {'gap %':>7} {'score':>9} {'bound':>9} "
          f"{'one-by-one':>10} {'time s':>7}")  # fmt: skip
    for run in range(1, args.runs + 1):
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        res = kitland.place(estate, rules, cell_m=25.0, time_limit_s=args.time_limit)
        dt = time.perf_counter() - t0
        s = res.solver
        gap = "-" if s["gap"] is None else f"{100 * s['gap']:.2f}"

        def num(v: float | None) -> str:
            return "-" if v is None else f"{v:,.1f}"

        print(f"{run:>3} {load:>5.2f} {res.status:>9} {gap:>7} {num(s['objective']):>9} "
              f"{num(s['bound']):>9} {num(s['one_by_one']):>10} {dt:>7.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
