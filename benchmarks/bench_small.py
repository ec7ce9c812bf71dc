"""Zone sizes: the bundled estate and rules with the zone's area changed.

The engine must not depend on the zone size it was tuned for (issue 16 §2). For each
area ``A`` this places a zone of band ``[A, A + 1]`` ha (``rules.replace("area",
area_ha=A)``) on the bundled estate and prints its status, gap, score, work and wall
time. With ``--truegeom``, an area that gets no zone is searched over the true geometry
(``bench_truegeom.search``: rectangles along the land's edges and discs, each passing
``kitland.check``), to tell "no zone of the grid" from "no zone at all". Usage::

    python benchmarks/bench_small.py [--areas 5,10,30] [--time-limit 60] [--work-rate R] [--truegeom]

``--time-limit 600 --work-rate 0.05`` is a fixed budget of 30 work seconds.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_truegeom import search

import kitland
from kitland.placement import SolveOptions, build_problem, place, zone_score


def run(area_ha: float, *, time_limit_s: float, work_rate: float | None, truegeom: bool) -> str:
    """One row: place a zone of ``area_ha`` on the bundled estate (and search if none)."""
    estate = kitland.load_estate()
    rules = kitland.load_rules().replace("area", area_ha=area_ha)
    options = SolveOptions() if work_rate is None else SolveOptions(work_rate=work_rate)
    t0 = time.perf_counter()
    res = place(estate, rules, cell_m=25, time_limit_s=time_limit_s, options=options)
    wall = time.perf_counter() - t0
    s = res.solver
    gap = s.get("gap")
    score = res.alternatives[0].score if res.alternatives else None
    row = (f"| {area_ha:g} ha | {res.status} | {'–' if gap is None else f'{100 * gap:.2f} %'} | "
           f"{'–' if score is None else f'{score:,.2f}'} | {s.get('work_s', 0):.1f} | {wall:.1f} |")  # fmt: skip
    if truegeom and not res.found:
        _, cells, prob = build_problem(estate, rules, cell_m=25)
        best, made, checked = search(estate, rules, lambda z: zone_score(prob, cells, z), math.inf)
        row += f" true geometry: {best:,.2f} ({made} made, {checked} checked) |"
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--areas", default="5,10,30", help="zone areas in ha, comma-separated")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--work-rate", type=float, default=None)
    ap.add_argument("--truegeom", action="store_true")
    args = ap.parse_args(argv)
    print("| area | status | gap | score | work s | wall s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for a in (float(x) for x in args.areas.split(",")):
        print(run(a, time_limit_s=args.time_limit, work_rate=args.work_rate,
                  truegeom=args.truegeom), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
