"""Benchmark ``kitland check`` (issue 3, Performance).

1. Median wall time of ``python -m kitland check --zone Z`` (bundled estate, bundled UMKM
   rules, a 20 ha zone inside the largest available parcel) against
   ``python -c "import geopandas, folium"``, on the same machine. Target ratio < 1.5.
2. Layout-level rules (land shares + a coastal setback) on a synthetic 10,000-parcel grid
   estate, in-process. Target < 2 s.

Run: ``.venv/bin/python benchmarks/bench_check.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from shapely import LineString, box

from kitland import Estate, load_estate
from kitland.measure import check
from kitland.rules import parse_rules


def zone_in_available_parcel(target_ha: float = 20.0) -> tuple[gpd.GeoDataFrame, str]:
    """A ~20 ha zone: a square around the largest available parcel's inner point, clipped to it."""
    est = load_estate()
    avail = est.parcels[est.parcels["land_use"] == "available"]
    parcel = avail.loc[avail.area.idxmax()]
    inner = parcel.geometry.buffer(-1.0)
    c = inner.representative_point()
    lo, hi = 10.0, 5000.0
    for _ in range(60):  # bisection on the square's side: clipped area grows with it
        mid = (lo + hi) / 2
        a = inner.intersection(box(c.x - mid / 2, c.y - mid / 2, c.x + mid / 2, c.y + mid / 2)).area
        lo, hi = (mid, hi) if a < target_ha * 10_000 else (lo, mid)
    geom = inner.intersection(box(c.x - hi / 2, c.y - hi / 2, c.x + hi / 2, c.y + hi / 2))
    return gpd.GeoDataFrame({"name": ["bench zone"]}, geometry=[geom], crs=est.crs), str(
        parcel["parcel_id"]
    )


def median_wall_s(cmds: list[list[str]], runs: int) -> list[tuple[float, int]]:
    """Median wall time and last exit code of each command, runs interleaved.

    Interleaving (a, b, a, b, …) keeps a load change on a shared machine from
    favouring one command.
    """
    times: list[list[float]] = [[] for _ in cmds]
    codes = [0] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            t = time.perf_counter()
            codes[i] = subprocess.run(cmd, capture_output=True, check=False).returncode
            times[i].append(time.perf_counter() - t)
    return [(statistics.median(t), c) for t, c in zip(times, codes, strict=True)]


def grid_estate(n: int = 100, cell_m: float = 50.0):
    x0, y0 = 500_000.0, 9_230_000.0
    cells = [box(x0 + i * cell_m, y0 + j * cell_m, x0 + (i + 1) * cell_m, y0 + (j + 1) * cell_m)
             for j in range(n) for i in range(n)]  # fmt: skip
    uses = ["industrial", "available", "green", "commercial"]
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"p{k}" for k in range(n * n)], "land_use": [uses[k % 4] for k in range(n * n)]},
        geometry=cells, crs=32749,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(
        {"name": ["grid"]}, geometry=[box(x0, y0, x0 + n * cell_m, y0 + n * cell_m)], crs=32749
    )
    coast = LineString(
        [(x0 - 100, y0 + n * cell_m + 80), (x0 + n * cell_m + 100, y0 + n * cell_m + 80)]
    )
    water = gpd.GeoDataFrame({"name": ["coast"], "kind": ["coast"]}, geometry=[coast], crs=32749)
    return Estate.from_layers({"boundary": boundary, "parcels": parcels, "water": water})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable

    zone, pid = zone_in_available_parcel()
    with tempfile.TemporaryDirectory() as tmp:
        zpath = Path(tmp) / "zone.geojson"
        zone.to_file(zpath, driver="GeoJSON", engine="fiona")
        # warm the file cache once for both commands
        subprocess.run([py, "-c", "import geopandas, folium"], capture_output=True, check=True)
        subprocess.run(
            [py, "-m", "kitland", "check", "--zone", str(zpath)], capture_output=True, check=False
        )
        check_cmd = [py, "-m", "kitland", "check", "--zone", str(zpath)]
        (base, _), (chk, code) = median_wall_s(
            [[py, "-c", "import geopandas, folium"], check_cmd], args.runs
        )
        report = subprocess.run(
            [py, "-m", "kitland", "check", "--zone", str(zpath)],
            capture_output=True,
            text=True,
            check=False,
        )

    t0 = time.perf_counter()
    est = grid_estate()
    build_s = time.perf_counter() - t0
    rules = parse_rules({"layout": [
        {"kind": "land_share", "land_use": ["industrial"], "max_pct": 70},
        {"kind": "land_share", "land_use": ["green"], "min_pct": 10},
        {"kind": "setback", "land_use": ["industrial"], "from": {"layer": "water", "kind": ["coast"]}, "min_m": 50},
    ]})  # fmt: skip
    lay = []
    for _ in range(args.runs):
        t = time.perf_counter()
        rep = check(est, None, rules)
        lay.append(time.perf_counter() - t)
    layout_s = statistics.median(lay)

    print(
        f"zone: {zone.area.iloc[0] / 10_000:.2f} ha inside available parcel {pid}; runs: {args.runs}"
    )
    print(f"{'measurement':48} {'median s':>9}")
    base_label = 'python -c "import geopandas, folium"'
    print(f"{base_label:48} {base:9.3f}")
    print(f"{'kitland check --zone Z (exit ' + str(code) + ')':48} {chk:9.3f}")
    print(f"{'ratio (target < 1.5)':48} {chk / base:9.2f}")
    print(f"{'layout rules, 10,000-parcel grid (target < 2 s)':48} {layout_s:9.3f}")
    print(f"{'  (building that estate in memory, once)':48} {build_s:9.3f}")
    print(f"layout verdict: {'PASS' if rep.passed else 'FAIL'} ({len(est.parcels)} parcels)")
    print("check report on the bench zone:")
    print(report.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
