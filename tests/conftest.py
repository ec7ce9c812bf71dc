"""Shared test factories: tiny estates built in code on a grid in a projected CRS.

``grid_layers(["IIAA", "IIAA"])`` makes one parcel per character, ``cell_m`` on a side,
row 0 at the top (north). Characters: I industrial, A available, G green, C commercial,
U utility, H residential, K umkm, W water, R road. Extra layers (roads, gates, water,
settlements) are given as lists of ``(geometry, {attributes})`` in the same local
metres, relative to ``origin`` (the south-west corner of the grid).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely import affinity, box

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
