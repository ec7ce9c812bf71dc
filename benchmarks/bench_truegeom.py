"""The discretisation gap: does any zone over the true geometry beat kitland's zone?

``place`` proves its zone optimal among zones made of the grid's cells (then straightens
the outline). A zone drawn freely over the real parcels may score better. For each
organic estate (``make_organic.py``) this runs ``place`` and then an independent search
that knows nothing of the placement engine: on the ``on`` land outside the setbacks
(``make_organic._land``) it lays rectangles along every straight edge of the land
(frontage on a road, a river setback, a neighbour) at several depths and positions,
and discs on a grid of centres, each cut to the zone's minimum area (bisection), and
keeps those that pass every zone rule of ``kitland.check``. Both zones are scored by
the same definition (``kitland.placement.zone_score``: the preference score ``place``
optimises, lower is better); only candidates scoring below kitland's zone are checked.
The column "beats kitland by" is ``(kitland − best) / |kitland|`` for the best such
candidate (target: at most 1 %). ``--work-rate R`` passes ``SolveOptions(work_rate=R)``
to ``place`` as ``bench_organic.py`` does: ``--time-limit 600 --work-rate 0.05`` is a budget
of 30 work seconds ended by the budget, not the wall clock, so kitland's zone does not
depend on the machine's load (column ``det``). Usage::

    python benchmarks/bench_truegeom.py [--seeds 4] [--time-limit 60] [--cell-m 25] [--work-rate R]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import shapely
from shapely import Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_organic import _land, make_organic, rules_text, write_estate, zone_ha_for

import kitland
from kitland.estate import Estate
from kitland.placement import SolveOptions, build_problem, place, zone_score
from kitland.rules import Rules

DEPTHS = (0.3, 0.45, 0.6, 0.8, 1.0, 1.3)  # rectangle depth, × √(zone area)
STEPS_PER_EDGE = 6  # positions along each land edge
MIN_EDGE_M = 40.0  # shorter straight edges are not frontages worth a rectangle


def _cut(
    piece: Polygon, shape_of: Callable[[float], Polygon], area_m2: float, hi: float
) -> Polygon | None:
    """``piece`` ∩ ``shape_of(s)`` with ``s`` bisected so the cut's largest part has ``area_m2``."""

    def part(s: float) -> Polygon | None:
        got = piece.intersection(shape_of(s))
        polys = [g for g in getattr(got, "geoms", [got]) if g.geom_type == "Polygon"]
        return max(polys, key=lambda g: g.area, default=None)

    whole = part(hi)
    if whole is None or whole.area < area_m2:
        return None
    lo = 0.0
    for _ in range(30):
        mid = (lo + hi) / 2
        got = part(mid)
        if got is None or got.area < area_m2:
            lo = mid
        else:
            hi = mid
    return part(hi)


def _edges(piece: Polygon) -> Iterator[tuple[np.ndarray, np.ndarray, float]]:
    """Start, unit direction and length of every straight edge of ``piece`` (simplified to 2 m)."""
    simple = piece.simplify(2.0)
    for ring in [simple.exterior, *simple.interiors]:
        xy = np.asarray(ring.coords)
        for a, b in itertools.pairwise(xy):
            d = b - a
            length = float(np.hypot(*d))
            if length >= MIN_EDGE_M:
                yield a, d / length, length


def candidates(piece: Polygon, area_m2: float) -> Iterator[Polygon]:
    """Rectangles along the edges of ``piece`` and discs inside it, each of ``area_m2``."""
    root = math.sqrt(area_m2)
    span = 8.0 * root
    for a, u, length in _edges(piece):
        for normal in (np.array([-u[1], u[0]]), np.array([u[1], -u[0]])):
            for depth in DEPTHS:
                d = depth * root
                for t in np.linspace(0.0, length, STEPS_PER_EDGE):
                    o = a + t * u - 0.5 * normal  # half a metre outside: the edge itself counts
                    for sign in (1.0, -1.0):
                        w = sign * u

                        def rect(s: float, o=o, w=w, n=normal, d=d) -> Polygon:
                            return Polygon([o, o + s * w, o + s * w + d * n, o + d * n])

                        got = _cut(piece, rect, area_m2, span)
                        if got is not None:
                            yield got
    step = max(25.0, root / 3)
    x0, y0, x1, y1 = piece.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    inside = shapely.contains_xy(piece, xs.ravel(), ys.ravel())
    for x, y in zip(xs.ravel()[inside], ys.ravel()[inside], strict=True):
        centre = Point(x, y)
        got = _cut(piece, lambda r, c=centre: c.buffer(r, quad_segs=16), area_m2, 2 * root)
        if got is not None:
            yield got


def search(
    estate: Estate, rules: Rules, score: Callable[[Polygon], float], below: float
) -> tuple[float, int, int]:
    """The best score of a candidate passing ``check`` and scoring below ``below``; the
    number of candidates made and checked."""
    assert rules.zone is not None
    area = rules.zone.area_ha * 1e4 * (1 + 2e-4)  # the target: place() holds zones to it first
    best, made, checked = math.inf, 0, 0
    for piece in _land(estate, rules):
        for zone in candidates(piece, area):
            made += 1
            s = score(zone)
            if s >= min(best, below):
                continue
            checked += 1
            report = kitland.check(estate, zone, rules)
            if all(r.passed for r in report.results if r.scope == "zone"):
                best = s
    return best, made, checked


def run(
    seed: int, folder: Path, *, cell_m: float, time_limit_s: float, work_rate: float | None
) -> dict:
    """Place seed's zone, then search the true geometry for a better one."""
    zone_ha = zone_ha_for(seed)
    path = write_estate(make_organic(seed, zone_ha=zone_ha), folder / f"organic_{seed}.gpkg")
    rules_path = folder / f"organic_{seed}.toml"
    rules_path.write_text(rules_text(zone_ha), encoding="utf-8")
    estate, rules = kitland.load_estate(path), kitland.load_rules(rules_path)
    options = SolveOptions() if work_rate is None else SolveOptions(work_rate=work_rate)
    res = place(estate, rules, cell_m=cell_m, time_limit_s=time_limit_s, options=options)
    _, cells, prob = build_problem(estate, rules, cell_m=cell_m)

    def score(zone: Polygon) -> float:
        return zone_score(prob, cells, zone)

    ours = score(res.zone) if res.found and res.zone is not None else math.inf
    t0 = time.perf_counter()
    best, made, checked = search(estate, rules, score, ours)
    return {
        "seed": seed, "zone_ha": zone_ha, "status": res.status, "ours": ours, "best": best,
        "gap": res.solver.get("gap"), "grid": res.solver.get("grid_angle_deg"),
        "work_s": res.solver.get("work_s"), "det": res.solver.get("deterministic"),
        "made": made, "checked": checked, "search_s": time.perf_counter() - t0,
    }  # fmt: skip


def _fmt(row: dict) -> str:
    ours, best = row["ours"], row["best"]
    beat = "none" if not math.isfinite(best) else f"{100 * (ours - best) / abs(ours):.2f} %"
    ours_s = f"{ours:,.1f}" if math.isfinite(ours) else "no zone"
    best_s = f"{best:,.1f}" if math.isfinite(best) else "–"
    gap = "–" if row["gap"] is None else f"{100 * row['gap']:.2f} %"
    return (
        f"| {row['seed']} | {row['zone_ha']:g} | {row['status']} | {gap} | {row['grid']} | "
        f"{ours_s} | {best_s} | {beat} | {row['made']:,} | {row['checked']:,} | "
        f"{row['search_s']:.0f} | {row['work_s']} | {'yes' if row['det'] else 'no'} |"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--seeds", default="4", help="a count N (seeds 0..N-1) or a list 3,7")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--cell-m", type=float, default=25.0)
    ap.add_argument(
        "--work-rate",
        type=float,
        default=None,
        help="SolveOptions.work_rate (work seconds per second of the limit)",
    )
    args = ap.parse_args(argv)
    seeds = (
        [int(s) for s in args.seeds.split(",") if s]
        if "," in args.seeds
        else list(range(int(args.seeds)))
    )
    print(
        f"## Discretisation gap: true-geometry search against kitland's zone "
        f"({args.cell_m:g} m cells, time limit {args.time_limit:g} s"
        + ("" if args.work_rate is None else f", work rate {args.work_rate:g}")
        + ")"
    )
    print("| seed | zone ha | kitland status | gap | grid ° | kitland score "
          "| best true-geometry score | beats kitland by | candidates | checked | search s "
          "| work s | det |")  # fmt: skip
    print(
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    with tempfile.TemporaryDirectory(prefix="truegeom_") as tmp:
        for seed in seeds:
            row = run(
                seed,
                Path(tmp),
                cell_m=args.cell_m,
                time_limit_s=args.time_limit,
                work_rate=args.work_rate,
            )
            print(_fmt(row), flush=True)


if __name__ == "__main__":
    main()
