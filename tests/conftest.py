"""Shared test factories: tiny estates built in code on a grid in a projected CRS.

``grid_layers(["IIAA", "IIAA"])`` makes one parcel per character, ``cell_m`` on a side,
row 0 at the top (north). Characters: I industrial, A available, G green, C commercial,
U utility, H residential, K umkm, W water, R road. Extra layers (roads, gates, water,
settlements) are given as lists of ``(geometry, {attributes})`` in the same local
metres, relative to ``origin`` (the south-west corner of the grid).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import hypothesis
import pytest
import shapely
from shapely import LineString, affinity, box

from kitland import Estate

ORIGIN = (500_000.0, 9_230_000.0)  # UTM 49S, near KIT Batang
CODES = {
    "I": "industrial", "A": "available", "G": "green", "C": "commercial", "U": "utility",
    "H": "residential", "K": "umkm", "W": "water", "R": "road",
}  # fmt: skip

Features = Sequence[tuple[shapely.Geometry, dict[str, Any]]]


def _shift(g: shapely.Geometry, origin: tuple[float, float]) -> shapely.Geometry:
    return affinity.translate(g, origin[0], origin[1])


def _frame(feats: Features, crs: Any, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    rows = [dict(a) for _, a in feats]
    geoms = [_shift(g, origin) for g, _ in feats]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)


def grid_layers(
    rows: Sequence[str],
    *,
    cell_m: float = 100.0,
    origin: tuple[float, float] = ORIGIN,
    crs: Any = 32749,
    roads: Features = (),
    gates: Features = (),
    water: Features = (),
    settlements: Features = (),
) -> dict[str, gpd.GeoDataFrame]:
    """Layers of a grid estate in local metres shifted to ``origin`` (see module doc)."""
    n_rows, n_cols = len(rows), len(rows[0])
    parcels = []
    for r, line in enumerate(rows):
        for c, ch in enumerate(line):
            if ch == ".":
                continue
            geom = box(
                c * cell_m, (n_rows - 1 - r) * cell_m, (c + 1) * cell_m, (n_rows - r) * cell_m
            )
            parcels.append((geom, {"parcel_id": f"P{r}_{c}", "land_use": CODES[ch]}))
    layers = {
        "boundary": _frame(
            [(box(0, 0, n_cols * cell_m, n_rows * cell_m), {"name": "test"})], crs, origin
        ),
        "parcels": _frame(parcels, crs, origin),
    }
    for name, feats in (
        ("roads", roads),
        ("gates", gates),
        ("water", water),
        ("settlements", settlements),
    ):
        if feats:
            layers[name] = _frame(feats, crs, origin)
    return layers


def grid_estate(rows: Sequence[str], **kwargs: Any) -> Estate:
    """An :class:`Estate` built from :func:`grid_layers`."""
    return Estate.from_layers(grid_layers(rows, **kwargs), source="test grid", name="grid")


def write_layers(layers: dict[str, gpd.GeoDataFrame], target: Path, driver: str = "GPKG") -> Path:
    """Write layers as one GeoPackage (``driver="GPKG"``) or a folder of per-layer files."""
    if driver == "GPKG":
        for name, gdf in layers.items():
            gdf.to_file(target, layer=name, driver="GPKG", engine="fiona")
        return target
    target.mkdir(parents=True, exist_ok=True)
    ext = {"GeoJSON": ".geojson", "ESRI Shapefile": ".shp", "FlatGeobuf": ".fgb"}[driver]
    for name, gdf in layers.items():
        gdf.to_file(target / f"{name}{ext}", driver=driver, engine="fiona")
    return target


@pytest.fixture
def small_layers() -> dict[str, gpd.GeoDataFrame]:
    """A 4 × 3 grid of 100 m parcels with a collector road along the south edge."""
    from shapely import LineString, Point  # noqa: PLC0415

    return grid_layers(
        ["IIAA", "IIAA", "GGAA"],
        roads=[
            (LineString([(-50, -10), (450, -10)]), {"road_id": "r1", "road_class": "collector"})
        ],
        gates=[(Point(0, -10), {"gate_id": "g1", "kind": "estate_gate"})],
        water=[(LineString([(-50, 350), (450, 350)]), {"name": "coast", "kind": "coast"})],
    )


#: Corridor widths of SPEC §1 (the class defaults), metres.
ROAD_WIDTH_M = {"toll": 40.0, "arterial": 30.0, "collector": 20.0, "local": 12.0}


def _gap_width(gap: str) -> float:
    if gap.startswith("green:"):
        return float(gap.split(":", 1)[1])
    return ROAD_WIDTH_M[gap] if gap else 0.0


def street_layers(
    rows: Sequence[str],
    *,
    block_m: float = 100.0,
    between_rows: Sequence[str] | None = None,
    between_cols: Sequence[str] | None = None,
    origin: tuple[float, float] = ORIGIN,
    crs: Any = 32749,
    gates: Features = (),
    settlements: Features = (),
) -> dict[str, gpd.GeoDataFrame]:
    """Blocks of ``block_m`` separated by streets, one parcel per block (codes as
    :func:`grid_layers`, row 0 at the north).

    ``between_rows[k]`` is what lies between block rows ``k`` and ``k + 1`` (north to
    south), ``between_cols[k]`` between columns ``k`` and ``k + 1``: a road class
    (``"local"`` 12 m, ``"collector"`` 20 m, ``"arterial"`` 30 m: a centreline across the
    whole estate with its class width, and a ``road`` parcel under it), ``"green:W"`` (a
    green strip W m wide) or ``""`` (the blocks touch). Default: local roads everywhere.
    Horizontal strips run the full width; vertical ones only between the horizontal
    strips, so parcels never overlap and cover the boundary.
    """
    n_rows, n_cols = len(rows), len(rows[0])
    hr = list(between_rows) if between_rows is not None else ["local"] * (n_rows - 1)
    vc = list(between_cols) if between_cols is not None else ["local"] * (n_cols - 1)
    xs = [0.0]  # west edge of each block column
    for k in range(n_cols - 1):
        xs.append(xs[-1] + block_m + _gap_width(vc[k]))
    width = xs[-1] + block_m
    tops = [0.0]  # distance of each block row's north edge below the estate's north edge
    for k in range(n_rows - 1):
        tops.append(tops[-1] + block_m + _gap_width(hr[k]))
    height = tops[-1] + block_m
    parcels: list[tuple[shapely.Geometry, dict[str, Any]]] = []
    roads: list[tuple[shapely.Geometry, dict[str, Any]]] = []
    for r, line in enumerate(rows):
        y1 = height - tops[r]
        for c, ch in enumerate(line):
            geom = box(xs[c], y1 - block_m, xs[c] + block_m, y1)
            parcels.append((geom, {"parcel_id": f"B{r}_{c}", "land_use": CODES[ch]}))
    for k, gap in enumerate(hr):
        w = _gap_width(gap)
        if w == 0:
            continue
        y1 = height - tops[k] - block_m
        use = "green" if gap.startswith("green:") else "road"
        parcels.append((box(0, y1 - w, width, y1), {"parcel_id": f"H{k}", "land_use": use}))
        if use == "road":
            line_ = LineString([(0, y1 - w / 2), (width, y1 - w / 2)])
            roads.append((line_, {"road_id": f"h{k}", "road_class": gap}))
    for k, gap in enumerate(vc):
        w = _gap_width(gap)
        if w == 0:
            continue
        x0 = xs[k] + block_m
        use = "green" if gap.startswith("green:") else "road"
        for r in range(n_rows):
            y1 = height - tops[r]
            parcels.append(
                (box(x0, y1 - block_m, x0 + w, y1), {"parcel_id": f"V{k}_{r}", "land_use": use})
            )
        if use == "road":
            line_ = LineString([(x0 + w / 2, 0), (x0 + w / 2, height)])
            roads.append((line_, {"road_id": f"v{k}", "road_class": gap}))
    layers = {
        "boundary": _frame([(box(0, 0, width, height), {"name": "streets"})], crs, origin),
        "parcels": _frame(parcels, crs, origin),
    }
    for name, feats in (("roads", roads), ("gates", gates), ("settlements", settlements)):
        if feats:
            layers[name] = _frame(feats, crs, origin)
    return layers


def organic_layers(
    n_blocks: int = 40,
    *,
    side_m: float = 1200.0,
    seed: int = 0,
    shares: tuple[float, float, float] = (0.4, 0.45, 0.15),
    origin: tuple[float, float] = ORIGIN,
    crs: Any = 32749,
) -> dict[str, gpd.GeoDataFrame]:
    """Organic blocks: Voronoi cells of ``n_blocks`` seeded random points in a square,
    separated by 12 m local roads along every Voronoi edge; each block is industrial,
    available or green with probabilities ``shares``. Road land is a ``road`` parcel."""
    import numpy as np  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    frame = box(0, 0, side_m, side_m)
    pts = shapely.multipoints(rng.uniform(0, side_m, size=(n_blocks, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    edges = shapely.get_parts(
        shapely.line_merge(shapely.union_all(shapely.boundary(cells)).difference(frame.boundary))
    )
    corridor = shapely.union_all(shapely.buffer(edges, 6.0, cap_style="flat"))
    corridor = shapely.intersection(corridor, frame)
    uses = rng.choice(["industrial", "available", "green"], size=len(cells), p=list(shares))
    parcels: list[tuple[shapely.Geometry, dict[str, Any]]] = []
    for i, (cell, use) in enumerate(zip(cells, uses, strict=True)):
        block = shapely.difference(cell, corridor)
        for j, part in enumerate(shapely.get_parts(block)):
            if part.area > 1.0:
                parcels.append((part, {"parcel_id": f"O{i}_{j}", "land_use": str(use)}))
    for j, part in enumerate(shapely.get_parts(corridor)):
        parcels.append((part, {"parcel_id": f"road{j}", "land_use": "road"}))
    roads = [(e, {"road_id": f"e{k}", "road_class": "local"}) for k, e in enumerate(edges)]
    return {
        "boundary": _frame([(frame, {"name": "organic"})], crs, origin),
        "parcels": _frame(parcels, crs, origin),
        "roads": _frame(roads, crs, origin),
    }


# CI runs the property tests on a fixed sequence of examples (the same run gives the same
# result); locally Hypothesis explores new ones and keeps failures in its database.
hypothesis.settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")
