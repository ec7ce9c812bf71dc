"""Scale: a 100,000-parcel synthetic estate loads, validates and checks within 4 GB.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--parcels N]``. Each stage runs in a
fresh child process so its peak resident memory (ru_maxrss) is its own; the figures go
to benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

CHILD = r"""
import json, resource, sys, time
import kitland
t0 = time.perf_counter()
est = kitland.load_estate(sys.argv[1])
t1 = time.perf_counter()
out = {"load_s": t1 - t0}
if sys.argv[2] in ("validate", "all"):
    rep = kitland.validate(est)
    out["validate_s"] = time.perf_counter() - t1
    out["findings"] = len(rep.findings)
if sys.argv[2] in ("check", "all"):
    t2 = time.perf_counter()
    rules = kitland.load_rules(sys.argv[3])
    z = kitland.load_estate(sys.argv[1]).parcels
    zone = z[z.land_use == "available"].geometry.iloc[0]
    r = kitland.check(est, zone, rules)
    out["check_s"] = time.perf_counter() - t2
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

RULES = """
[zone]
area_ha = 1.0
tolerance_ha = 0.5

[[rules]]
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 10

[[rules]]
kind = "compactness"
min = 0.5

[[layout]]
kind = "land_share"
land_use = ["industrial"]
max_pct = 70
"""


def make_estate(n_parcels: int, path: Path) -> None:
    """A square grid of 30 m parcels, ~n_parcels of them, in EPSG:32749."""
    side = int(np.ceil(np.sqrt(n_parcels)))
    cell = 30.0
    x0, y0 = 500_000.0, 9_230_000.0
    ix, iy = np.meshgrid(np.arange(side), np.arange(side))
    ix, iy = ix.ravel()[:n_parcels], iy.ravel()[:n_parcels]
    geoms = shapely.box(x0 + ix * cell, y0 + iy * cell, x0 + (ix + 1) * cell, y0 + (iy + 1) * cell)
    rng = np.random.default_rng(7)
    uses = rng.choice(
        ["industrial", "available", "green", "commercial"], size=n_parcels, p=[0.6, 0.2, 0.15, 0.05]
    )
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"p{i}" for i in range(n_parcels)], "land_use": uses},
        geometry=geoms,
        crs=32749,
    )
    boundary = gpd.GeoDataFrame(
        {"name": ["synthetic"]}, geometry=[shapely.union_all(geoms)], crs=32749
    )
    boundary.to_file(path, layer="boundary", engine="fiona")
    parcels.to_file(path, layer="parcels", engine="fiona")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "synthetic.gpkg"
        rules = Path(d) / "rules.toml"
        rules.write_text(RULES)
        t = time.perf_counter()
        make_estate(args.parcels, path)
        print(f"generated {args.parcels:,} parcels in {time.perf_counter() - t:.1f} s")
        for stage in ("load", "validate", "check"):
            res = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), stage, str(rules)],
                capture_output=True,
                text=True,
                check=True,
            )
            print(stage, json.loads(res.stdout.strip().splitlines()[-1]))
    print("children peak", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "MB")


if __name__ == "__main__":
    main()
