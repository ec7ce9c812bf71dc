"""Placement on plain shapes with one oblique edge: trapezoids, with and without a width rule.

Each estate is one 500 × 400 m frame whose available land is a trapezoid: the top edge
runs down from the left at ``slope`` degrees, the rest is green. A village just outside
the top-right corner draws the zone (``near``) towards the oblique edge. The zone takes
``share`` of the land (tolerance 0.3 ha), is contiguous and, in the width rows, has a
usable width of 60 m. Every estate is built in memory in EPSG:32749; nothing is
read from disk. Each row runs in a fresh interpreter, so its figures are its own.

The column ``no width`` is the proven score of the same zone without the width rule (a
lower bound on any zone with it); the gap between the two is what the width rule costs
on that grid. ``det`` says whether the work budget (not the wall clock) ended the search.
With ``--truegeom`` each width row also runs the independent search over the true geometry
of ``bench_truegeom.py`` (rectangles along every straight edge of the land, discs) and
prints the best candidate that passes ``check`` and by how much it beats kitland's zone
(negative: kitland's zone is better). Usage::

    python benchmarks/bench_shapes.py [--time-limit 600] [--work-rate 0.05] [--truegeom] [--slopes 10,20,28]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
from shapely import Point, Polygon, box

from kitland.estate import Estate
from kitland.rules import Rules, parse_rules

HERE = Path(__file__).resolve().parent
SLOPES = (10.0, 20.0, 28.0)
SHARES = (0.5, 0.7)

CHILD = """
import json, math, sys, time
sys.path.insert(0, {here!r})
from bench_shapes import trapezoid
from kitland.placement import SolveOptions, place
slope, share, width, limit, rate = {slope!r}, {share!r}, {width!r}, {limit!r}, {rate!r}
truegeom = {truegeom!r}
est, r = trapezoid(slope, share, width=width)
t0 = time.perf_counter()
res = place(est, r, cell_m=25, time_limit_s=limit, options=SolveOptions(work_rate=rate))
best = res.alternatives[0] if res.found else None
true_best = None
if truegeom and res.found:
    from bench_truegeom import search
    from kitland.placement import build_problem, zone_score
    _, cells, prob = build_problem(est, r, cell_m=25)
    found, _, _ = search(est, r, lambda z: zone_score(prob, cells, z), math.inf)
    true_best = found if math.isfinite(found) else None
print(json.dumps({{"true_best": true_best, "zone_ha": r.zone.area_ha, "cells": res.solver.get("cells"), "status": res.status,
                  "gap": best.gap if best else None, "score": best.score if best else None,
                  "bound": best.bound if best else None, "time_s": time.perf_counter() - t0,
                  "work_s": res.solver.get("work_s"), "det": res.solver.get("deterministic")}}))
"""


def trapezoid(slope: float, share: float, *, width: bool = True) -> tuple[Estate, Rules]:
    """The estate and rules of one row: the trapezoid of ``slope`` degrees, a zone of
    ``share`` of its land (tolerance 0.3 ha), contiguous, 60 m wide when ``width``."""
    w, h, x0, y0 = 500.0, 400.0, 420000.0, 9230000.0
    rise = math.tan(math.radians(slope)) * w
    land = Polygon([(x0, y0), (x0 + w, y0), (x0 + w, y0 + h - rise), (x0, y0 + h)])
    frame = box(x0, y0, x0 + w, y0 + h)
    crs = "EPSG:32749"
    layers = {
        "boundary": gpd.GeoDataFrame({"name": ["t"]}, geometry=[frame], crs=crs),
        "parcels": gpd.GeoDataFrame({"parcel_id": ["A", "G"], "land_use": ["available", "green"]},
                                    geometry=[land, frame.difference(land)], crs=crs),
        "settlements": gpd.GeoDataFrame({"name": ["Desa"]}, geometry=[Point(x0 + w, y0 + h)],
                                        crs=crs),
    }  # fmt: skip
    est = Estate.from_layers(layers, source="trapezoid", name="trapezoid")
    rules = [{"kind": "contiguous"}] + ([{"kind": "min_width", "min_m": 60}] if width else [])
    ha = round(land.area * share / 1e4, 2)
    return est, parse_rules({"zone": {"area_ha": ha, "tolerance_ha": 0.3}, "rules": rules,
                             "prefer": [{"kind": "near",
                                         "to": {"layer": "settlements", "name": ["Desa"]}}]})  # fmt: skip


def run(slope: float, share: float, width: bool, limit: float, rate: float, *,
        truegeom: bool = False) -> dict:  # fmt: skip
    """One placement in a fresh interpreter; its figures as a dict."""
    code = CHILD.format(slope=slope, share=share, width=width, limit=limit, rate=rate,
                        truegeom=truegeom, here=str(HERE))  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--work-rate", type=float, default=0.05)
    ap.add_argument("--truegeom", action="store_true", help="search the true geometry too")
    ap.add_argument("--slopes", default=",".join(f"{x:g}" for x in SLOPES), help="e.g. 10,28")
    args = ap.parse_args(argv)
    print(f"## Trapezoids, 25 m cells, time limit {args.time_limit:g} s, "
          f"work rate {args.work_rate:g}")  # fmt: skip
    extra = " best true geometry | beats kitland by |" if args.truegeom else ""
    print(
        "| slope ° | share | zone ha | cells | no width | status | gap | score | bound "
        "| time s | work s | det |" + extra
    )
    print(
        "| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        + " ---: | ---: |" * args.truegeom
    )
    for slope in (float(x) for x in args.slopes.split(",")):
        for share in SHARES:
            free = run(slope, share, False, args.time_limit, args.work_rate)
            row = run(slope, share, True, args.time_limit, args.work_rate, truegeom=args.truegeom)
            if "error" in row or "error" in free:
                print(f"| {slope:g} | {share:g} | error: {row.get('error') or free.get('error')} |")
                continue
            gap = "–" if row["gap"] is None else f"{100 * row['gap']:.2f} %"
            score = "–" if row["score"] is None else f"{row['score']:,.1f}"
            bound = "–" if row["bound"] is None else f"{row['bound']:,.1f}"
            print(f"| {slope:g} | {share:g} | {row['zone_ha']:g} | {row['cells']} | "
                  f"{free['score']:,.1f} | {row['status']} | {gap} | {score} | {bound} | "
                  f"{row['time_s']:.1f} | {row['work_s']:.1f} | "
                  f"{'yes' if row['det'] else 'no'} |{_true(row) if args.truegeom else ''}",
                  flush=True)  # fmt: skip


def _true(row: dict) -> str:
    """The true-geometry columns: the best candidate passing check, and by how much it
    beats kitland's zone."""
    if row["true_best"] is None or row["score"] is None:
        return " – | – |"
    return f" {row['true_best']:,.1f} | {100 * (row['score'] - row['true_best']) / abs(row['score']):.2f} % |"


if __name__ == "__main__":
    main()
