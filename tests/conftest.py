"""Shared test factories: tiny estates built in code on a grid in a projected CRS.

``grid_layers(["IIAA", "IIAA"])`` makes one parcel per character, ``cell_m`` on a side,
row 0 at the top (north). Characters: I industrial, A available, G green, C commercial,
U utility, H residential, K umkm, W water, R road. Extra layers (roads, gates, water,
settlements) are given as lists of ``(geometry, {attributes})`` in the same local
metres, relative to ``origin`` (the south-west corner of the grid).

Rules texts shared by several test files come from factories too:
:func:`road_front_rules` (with :func:`road_front_layers`: a grid with a collector road,
a gate and the village Desa) and :func:`pocket_rules` (pockets of land near Ketanggan).
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
from kitland.rules import Rules, parse_rules

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


def road_front_layers(
    rows: Sequence[str],
    *,
    village: tuple[float, float] = (300.0, 500.0),
    river_x: float | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """:func:`grid_layers` of ``rows`` (100 m cells) with a collector road ``c`` along the
    south, its centre line at y = 89 m from 50 m beyond the west edge to 50 m beyond the
    east, an estate gate ``g`` at its west end (0, 89), the village ``Desa`` at
    ``village`` and, with ``river_x``, a river ``r`` running north–south at that x from
    y = 500 to 100."""
    east = 100.0 * len(rows[0]) + 50.0
    water: Features = []
    if river_x is not None:
        water = [(LineString([(river_x, 500), (river_x, 100)]), {"water_id": "r", "kind": "river"})]
    return grid_layers(
        rows,
        roads=[(LineString([(-50, 89), (east, 89)]), {"road_id": "c", "road_class": "collector"})],
        gates=[(shapely.Point(0, 89), {"gate_id": "g", "kind": "estate_gate"})],
        water=water,
        settlements=[(shapely.Point(*village), {"name": "Desa"})],
    )


def road_front_rules(
    *, named: bool = True, gate_max_m: float | None = None, river_min_m: float | None = None
) -> str:
    """The rules text of the :func:`road_front_layers` estates: a 4 ± 0.25 ha zone sharing
    100 m with industry (rule ``industry``), 100 m on the collector (``frontage``), in one
    piece, compactness ≥ 0.5, as near the village ``Desa`` as it can be.

    ``named=False`` leaves the first two rules unnamed (ids ``adjacent#1``,
    ``frontage#2``); ``gate_max_m`` adds ``gate``, at most that far along the roads from
    the estate gate, and ``river_min_m`` ``river``, that far from the river (both after
    ``frontage``).
    """
    name = (lambda n: f'name = "{n}"\n') if named else (lambda n: "")
    parts = [
        "[zone]\narea_ha = 4.0\ntolerance_ha = 0.25\n",
        f'[[rules]]\n{name("industry")}kind = "adjacent"\nto = {{ land_use = ["industrial"] }}\n'
        "min_shared_m = 100\n",
        f'[[rules]]\n{name("frontage")}kind = "frontage"\nroad_class = ["collector"]\nmin_m = 100\n',
    ]
    if gate_max_m is not None:
        parts.append('[[rules]]\nname = "gate"\nkind = "network_distance"\n'
                     f'from = {{ layer = "gates", kind = ["estate_gate"] }}\nmax_m = {gate_max_m:g}\n')  # fmt: skip
    if river_min_m is not None:
        parts.append('[[rules]]\nname = "river"\nkind = "setback"\n'
                     f'from = {{ layer = "water", kind = ["river"] }}\nmin_m = {river_min_m:g}\n')  # fmt: skip
    parts += [
        '[[rules]]\nkind = "contiguous"\n',
        '[[rules]]\nkind = "compactness"\nmin = 0.5\n',
        '[[prefer]]\nkind = "near"\nto = { layer = "settlements", name = ["Desa"] }\n',
    ]
    return "\n".join(parts)


def pocket_rules(
    *,
    zone_name: str | None = None,
    rule_name: str | None = None,
    rule_name_en: str | None = None,
    compactness: bool = True,
) -> str:
    """The rules text of the estates with pockets of land near the village Ketanggan: a
    4 ± 0.25 ha zone sharing 100 m with industry (named ``rule_name``, ``rule_name_en``
    in English), of compactness ≥ 0.5 unless ``compactness`` is False, as near Ketanggan
    as it can be. ``zone_name`` names the zone."""
    zone = f'name = "{zone_name}"\n' if zone_name else ""
    names = "".join(f'{key} = "{value}"\n' for key, value in
                    (("name", rule_name), ("name_en", rule_name_en)) if value)  # fmt: skip
    text = (f"[zone]\n{zone}area_ha = 4.0\ntolerance_ha = 0.25\n"
            f'[[rules]]\n{names}kind = "adjacent"\nto = {{ land_use = ["industrial"] }}\n'
            "min_shared_m = 100\n")  # fmt: skip
    if compactness:
        text += '[[rules]]\nkind = "compactness"\nmin = 0.5\n'
    return text + '[[prefer]]\nkind = "near"\nto = { layer = "settlements", name = ["Ketanggan"] }\n'


def width_rules(area_ha: float, tol_ha: float) -> Rules:
    """One piece of ``area_ha`` ± ``tol_ha``, compact (≥ 0.5), 60 m wide, near
    Ketanggan: the rules of the width-model and corner-cut tests."""
    return parse_rules({
        "zone": {"area_ha": area_ha, "tolerance_ha": tol_ha},
        "rules": [{"kind": "contiguous"}, {"kind": "compactness", "min": 0.5},
                  {"kind": "min_width", "min_m": 60}],
        "prefer": [{"kind": "near", "to": {"layer": "settlements", "name": ["Ketanggan"]}}],
    })  # fmt: skip


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
