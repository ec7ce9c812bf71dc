"""Synthetic estates for the placement benchmarks (500 / 4,500 / 20,000 ha).

A square estate near KIT Batang (UTM 49S) cut into 200 m blocks, with a collector
road every 1 km and an arterial through the middle; blocks get land
uses at random (seeded) in roughly the bundled estate's shares, with ``available``
blocks grouped into pockets so 20 ha zones can fit. Two estate gates on the arterial, a
river along a diagonal, and the village centre ``Pusat Desa Ketanggan`` as a point in one corner (so the
``near`` preference is not degenerate). The bundled UMKM rules apply unchanged.

Usage::

    python benchmarks/make_synthetic.py 4500 out.gpkg   # writes a GeoPackage
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely import LineString, Point, box

from kitland import Estate

ORIGIN = (420_000.0, 9_220_000.0)
BLOCK_M = 200.0


def make_layers(area_ha: float, *, seed: int = 4) -> dict[str, gpd.GeoDataFrame]:
    """The layers of a synthetic estate of about ``area_ha`` hectares."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(area_ha * 1e4)
    n = max(2, round(side / BLOCK_M))
    side = n * BLOCK_M
    x0, y0 = ORIGIN
    crs = 32749
    # Pockets of available land: a coarse random field, thresholded.
    coarse = rng.random((n // 4 + 2, n // 4 + 2))
    parcels, uses = [], []
    for r in range(n):
        for c in range(n):
            u = rng.random()
            if coarse[r // 4, c // 4] > 0.8 and u < 0.85:
                lu = "available"
            elif u < 0.72:
                lu = "industrial"
            elif u < 0.85:
                lu = "green"
            elif u < 0.93:
                lu = "commercial"
            else:
                lu = "residential"
            parcels.append(
                box(
                    x0 + c * BLOCK_M,
                    y0 + r * BLOCK_M,
                    x0 + (c + 1) * BLOCK_M,
                    y0 + (r + 1) * BLOCK_M,
                )
            )
            uses.append(lu)
    p = gpd.GeoDataFrame(
        {"parcel_id": [f"S{i:05d}" for i in range(len(parcels))], "land_use": uses},
        geometry=parcels, crs=crs,
    )  # fmt: skip
    roads, classes = [], []
    for k in range(0, n + 1, 5):
        cls = "collector"
        roads.append(LineString([(x0 + k * BLOCK_M, y0), (x0 + k * BLOCK_M, y0 + side)]))
        roads.append(LineString([(x0, y0 + k * BLOCK_M), (x0 + side, y0 + k * BLOCK_M)]))
        classes += [cls, cls]
    mid = y0 + (n // 2) * BLOCK_M
    roads.append(LineString([(x0, mid), (x0 + side, mid)]))
    classes.append("arterial")
    r = gpd.GeoDataFrame({"road_id": [f"R{i}" for i in range(len(roads))], "road_class": classes},
                         geometry=roads, crs=crs)  # fmt: skip
    g = gpd.GeoDataFrame(
        {"gate_id": ["G1", "G2"], "kind": ["estate_gate", "estate_gate"]},
        geometry=[Point(x0, mid), Point(x0 + side, mid)], crs=crs,
    )  # fmt: skip
    w = gpd.GeoDataFrame(
        {"name": ["Kali Sintetis", "Laut Jawa"], "kind": ["river", "coast"]},
        geometry=[
            LineString([(x0 + 0.1 * side, y0 + 0.9 * side), (x0 + 0.9 * side, y0 + 0.1 * side)]),
            LineString([(x0 - 500, y0 + side + 150), (x0 + side + 500, y0 + side + 150)]),
        ],
        crs=crs,
    )  # fmt: skip
    s = gpd.GeoDataFrame(
        {"name": ["Pusat Desa Ketanggan"]},
        geometry=[Point(x0 + 0.8 * side, y0 + 0.85 * side)],
        crs=crs,
    )
    b = gpd.GeoDataFrame(
        {"name": [f"synthetic {area_ha:g} ha"]},
        geometry=[box(x0, y0, x0 + side, y0 + side)],
        crs=crs,
    )
    return {"boundary": b, "parcels": p, "roads": r, "gates": g, "water": w, "settlements": s}


def make_estate(area_ha: float, *, seed: int = 4) -> Estate:
    """A synthetic :class:`~kitland.Estate` of about ``area_ha`` hectares."""
    return Estate.from_layers(
        make_layers(area_ha, seed=seed), source=f"synthetic {area_ha:g} ha", name="synthetic"
    )


def main() -> None:
    area = float(sys.argv[1]) if len(sys.argv) > 1 else 4500.0
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"synthetic_{int(area)}.gpkg")
    for name, gdf in make_layers(area).items():
        gdf.to_file(out, layer=name, driver="GPKG", engine="fiona")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
