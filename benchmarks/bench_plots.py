"""Plots in the bundled 20 ha zone: kitland's rows against a fixed grid of equal plots.

    .venv/bin/python benchmarks/bench_plots.py [--runs 5]

The zone is the one `kitland place` draws on the bundled estate (AVL-0005, between the
collector C01 and the local road L04; 20.02 ha). For each plot mix (the bundled
``[plots]`` types together, and each type alone) it prints kitland's plot count, the
share of the zone in plots, roads and leftover, and the median time of
``kitland.plots`` over ``--runs`` calls; then the same for the *baseline*: a fixed
grid of equal plots (the middle of the type's band: kios 10 × 22.5 m, bengkel
30 × 35 m) in double rows back to back between 12 m roads, laid from the zone's
south-west corner along the zone's long axis (north-south) and across it, clipped to
the zone; a clipped cell counts as a plot when it keeps at least the band's least
area, four corners and the type's frontage on a road (measured as kitland measures
it), and both directions are reported. The baseline ignores whether its roads reach
an estate road; the last column gives ``check_plots``' count of road pieces that do.
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import shapely
from shapely import box

import kitland
from kitland.plots import FRONT_REACH_M, check_plots, frontage_m, plots
from kitland.rules import PlotSpec, PlotType

ZONE = shapely.Polygon(
    [(384950, 9232944), (385300, 9232944), (385300, 9232310), (385151.07, 9232310),
     (384950, 9232526.15)]
)  # fmt: skip
ROAD_M = 12.0
GRID = {"kios": (10.0, 22.5), "bengkel": (30.0, 35.0)}  # plot width, depth (m)


def _corners(g: shapely.Geometry) -> int:
    if g.geom_type != "Polygon":
        return 0
    return len(shapely.simplify(g, 0.01).exterior.coords) - 1


def grid_baseline(
    zone: shapely.Polygon, ptype: PlotType, fronting: shapely.Geometry, *, north_south: bool
) -> dict:
    """Equal plots in double rows between roads, clipped to the zone (see module doc)."""
    width, depth = GRID[ptype.name]
    if not north_south:  # rows east-west: swap the axes of the zone and the roads
        zone = shapely.transform(zone, lambda xy: xy[:, ::-1])
        fronting = shapely.transform(fronting, lambda xy: xy[:, ::-1])
    x0, y0, x1, y1 = zone.bounds
    cells, roads = [], []
    x = x0
    while x < x1:  # along x: plot, plot, road (rows run along y)
        for dx in (0.0, depth):
            cells += [box(x + dx, y, x + dx + depth, y + width)
                      for y in _steps(y0, y1, width)]  # fmt: skip
        roads.append(box(x + 2 * depth, y0, x + 2 * depth + ROAD_M, y1))
        x += 2 * depth + ROAD_M
    clipped = [zone.intersection(c) for c in cells]
    inside = zone.intersection(shapely.union_all(roads))
    front = frontage_m(clipped, shapely.union_all([inside, fronting]))
    good = [
        c
        for c, f in zip(clipped, front, strict=True)
        if c.area >= ptype.min_m2 - 0.01 and _corners(c) == 4 and f >= ptype.min_frontage_m
    ]
    road = inside.area
    plotted = sum(c.area for c in good)
    if not north_south:  # back to the zone's own axes
        good = [shapely.transform(c, lambda xy: xy[:, ::-1]) for c in good]
        inside = shapely.transform(inside, lambda xy: xy[:, ::-1])
    return {"count": len(good), "plotted": plotted, "road": road,
            "leftover": zone.area - plotted - road, "plots": good, "roads": inside}  # fmt: skip


def joined(estate: kitland.Estate, spec: PlotSpec, plot_geoms: list, roads: list) -> str:
    """``check_plots``' verdict on the roads: pieces joined to an estate road, of all."""
    crs = estate.crs
    pl = gpd.GeoDataFrame({"plot_id": range(len(plot_geoms)), "type": spec.types[0].name},
                          geometry=plot_geoms, crs=crs)  # fmt: skip
    rd = gpd.GeoDataFrame(geometry=roads, crs=crs)
    res = {r.id: r for r in check_plots(estate, ZONE, pl, rd, spec=spec)}
    bad = int(res["internal roads connected"].value or 0)
    n = sum(len(shapely.get_parts(r)) for r in roads)
    return f"{n - bad} of {n}"


def _steps(lo: float, hi: float, step: float) -> list[float]:
    n = int((hi - lo) // step) + 1
    return [lo + i * step for i in range(n)]


def _row(name: str, count: int, plotted: float, road: float, leftover: float, secs: str,
         roads_ok: str) -> str:  # fmt: skip
    a = ZONE.area
    return (
        f"| {name} | {count} | {100 * plotted / a:.1f} % | {100 * road / a:.1f} % "
        f"| {leftover / 10_000:.2f} ha ({100 * leftover / a:.1f} %) | {roads_ok} | {secs} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    estate = kitland.load_estate()
    zone = gpd.GeoDataFrame(geometry=[ZONE], crs=estate.crs)
    bundled = kitland.load_rules().plots
    assert bundled is not None
    mixes = {"kios + bengkel": bundled.types, **{t.name: (t,) for t in bundled.types}}
    print(f"zone {ZONE.area / 10_000:.2f} ha, {args.runs} runs each")
    print("| layout | plots | in plots | roads | leftover | road pieces joined to an estate road | time, median |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    corridors = estate.road_corridors
    fronting = shapely.union_all(corridors[corridors.distance(ZONE) <= FRONT_REACH_M].to_numpy())
    plots(estate, zone)  # validation of the estate is cached after the first call
    for name, types in mixes.items():
        spec = PlotSpec(types, road_width_m=ROAD_M)
        times, layout = [], None
        for _ in range(args.runs):
            t = time.perf_counter()
            layout = plots(estate, zone, spec=spec)
            times.append(time.perf_counter() - t)
        assert layout is not None
        d = layout.to_dict()
        ok = joined(estate, spec, list(layout.plots.geometry), list(layout.internal_roads.geometry))
        print(_row(f"kitland, {name}", d["plots"]["count"], d["plotted_ha"] * 1e4,
                   d["road_ha"] * 1e4, d["leftover_ha"] * 1e4,
                   f"{statistics.median(times):.2f} s", ok))  # fmt: skip
        if len(types) == 1:
            for ns in (True, False):
                t = time.perf_counter()
                b = grid_baseline(ZONE, types[0], fronting, north_south=ns)
                secs = time.perf_counter() - t
                way = "N-S" if ns else "E-W"
                ok = joined(estate, spec, b["plots"], list(shapely.get_parts(b["roads"])))
                print(_row(f"grid baseline, {name}, rows {way}", b["count"], b["plotted"],
                           b["road"], b["leftover"], f"{secs:.2f} s", ok))  # fmt: skip


if __name__ == "__main__":
    main()
