"""An illustrative estate at Bahodopi, Morowali (Central Sulawesi), as an analyst's data.

The layout is invented: a ~370 ha nickel-processing estate on the coastal plain of
Bahodopi, Kabupaten Morowali, near 122.16° E, 2.85° S (WGS 84 / UTM zone 51S,
EPSG:32751; the land office's grid there is DGN95 / Indonesia TM-3 zone 51.1,
EPSG:23839, 120°–123° E; both checked with pyproj), between the Trans-Sulawesi road on
its west edge and the coast of Teluk Tolo to the east, crossed by two rivers flowing to
the sea. A road runs between every two blocks (the arterial, two collectors, local
roads); each block is cut into irregular parcels (Voronoi cells of seeded points). It is
*not* the layout of the Indonesia Morowali Industrial Park or of any real estate, and
the rivers' and the coast's alignments are invented.

It is written as GeoParquet in longitude/latitude (``geopandas.to_parquet``, one file
per layer, as an analyst's notebook writes it), a format no earlier trial used:
``OUT_DIR/morowali/{boundary,parcels,roads,gates,water,settlements}.parquet``. Names
from data carry the characters real names do (``&``, an apostrophe, ``<`` in a
tenant's note), which every map, PDF and KML must escape.

Two rules files are written beside it (illustrative values, not from a regulation):

- ``trial9_zones_rules.toml``: three zones of different sizes and rules — a food and
  drink UMKM cluster (6–8 ha, beside industry across a street, on a collector), a
  workshop cluster (10–12 ha, beside the smelters, 50 m usable width, near a gate along
  the roads) and worker housing (4–6 ha, near Desa Fatufia, 100 m from the coast),
  the workshops 150 m from the housing, the two clusters at least 17 ha together;
- ``trial9_rules.toml``: the workshop cluster alone as a ``[zone]`` with a ``[plots]``
  table, for ``place``, ``compare``, ``plots``, what-ifs and ``sweep``.

Usage::

    python benchmarks/make_trial9.py OUT_DIR [--seed 9]

The same seed writes the same layers.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely import LineString, Point, Polygon

#: The metric CRS the estate is built in (WGS 84 / UTM zone 51S).
BUILD_CRS = "EPSG:32751"
#: The estate's south-west corner, lon/lat.
LON0, LAT0 = 122.150, -2.862
#: The west edge's length and the south edge's, m; the east edge follows the coast.
H, W = 1800.0, 1900.0
#: The coast's line (local metres): it runs north-north-east, 80–90 m past the east edge.
COAST = [(2000.0, -300.0), (2420.0, 2100.0)]
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
#: Roads: name, class, centre line (local metres; clipped to the boundary).
ROADS = [
    ("Jalan Trans Sulawesi", "arterial", [(0, -200), (0, H + 200)]),
    ("Jalan Kawasan Utama", "collector", [(0, 900), (2600, 900)]),
    ("Jalan Smelter", "collector", [(1000, 0), (1000, H)]),
    ("Jalan Blok Selatan", "local", [(0, 450), (2600, 450)]),
    ("Jalan Blok Utara", "local", [(0, 1350), (2600, 1350)]),
    ("Jalan Blok Barat", "local", [(500, 0), (500, H)]),
    ("Jalan Blok Timur", "local", [(1500, 0), (1500, H)]),
]
#: The rivers' centre lines (they run past the boundary) and widths, m.
RIVERS = [
    ("Sungai Bahodopi (ilustrasi)", [(-100, 230), (400, 300), (900, 200), (1500, 280), (2300, 240)], 24.0),
    ("Sungai Fatufia (ilustrasi)", [(-100, 1600), (600, 1540), (1200, 1640), (2500, 1580)], 16.0),
]  # fmt: skip
TENANTS = ("PT Smelter Nikel Bahodopi (ilustrasi)", "PT Baja Tahan Karat & Feronikel",
           "PT Kokas Tolo", "CV Bengkel Alat Berat Dg. Ma'ruf",
           "PT Asam Sulfat Morowali <unit 2>")  # fmt: skip
RULES_ZONES = """\
# Three zones on the invented Morowali estate (benchmarks/make_trial9.py). Illustrative
# values, not from a regulation.

[[rules]]
name = "satu hamparan"
name_en = "one piece"
kind = "contiguous"

[[rules]]
name = "sempadan sungai"
name_en = "river setback"
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = 50

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1

[[zones]]
name = "UMKM pangan & minuman"
land_use = "umkm"
min_ha = 6
max_ha = 8

  [[zones.rules]]
  name = "dekat industri (pangan)"
  name_en = "next to industry (food)"
  kind = "adjacent"
  to = { land_use = ["industrial"] }
  min_shared_m = 100
  max_gap_m = 25
  across = ["local", "collector"]

  [[zones.rules]]
  name = "muka jalan kolektor"
  name_en = "collector frontage"
  kind = "frontage"
  road_class = ["collector"]
  min_m = 80

[[zones]]
name = "UMKM bengkel"
land_use = "umkm"
min_ha = 10
max_ha = 12

  [[zones.rules]]
  name = "dekat smelter"
  name_en = "next to the smelters"
  kind = "adjacent"
  to = { land_use = ["industrial"] }
  min_shared_m = 150
  max_gap_m = 25
  across = ["local", "collector"]

  [[zones.rules]]
  name = "dekat gerbang"
  name_en = "near a gate"
  kind = "network_distance"
  from = { layer = "gates", kind = ["estate_gate"] }
  max_m = 1500

  [[zones.rules]]
  name = "lebar terpakai"
  name_en = "usable width"
  kind = "min_width"
  min_m = 50

[[zones]]
name = "Hunian pekerja"
land_use = "residential"
min_ha = 4
max_ha = 6

  [[zones.rules]]
  name = "dekat Fatufia"
  name_en = "near Fatufia"
  kind = "distance"
  to = { layer = "settlements", name = ["Desa Fatufia"] }
  max_m = 1200

  [[zones.rules]]
  name = "sempadan pantai"
  name_en = "coastal setback"
  kind = "setback"
  from = { layer = "water", kind = ["coast"] }
  min_m = 100

  [[zones.prefer]]
  name = "dekat Fatufia"
  name_en = "near Fatufia"
  kind = "near"
  to = { layer = "settlements", name = ["Desa Fatufia"] }

[[between]]
name = "tidak tumpang tindih"
name_en = "no overlap"
kind = "separation"
min_m = 0

[[between]]
name = "bengkel jauh dari hunian"
name_en = "workshops apart from housing"
kind = "separation"
zones = ["UMKM bengkel", "Hunian pekerja"]
min_m = 150

[[between]]
name = "luas UMKM total"
name_en = "total UMKM area"
kind = "total_area"
zones = ["UMKM pangan & minuman", "UMKM bengkel"]
min_ha = 17

[plots]
road_width_m = 10
max_road_pct = 25

[[plots.types]]
name = "kios"
min_m2 = 100
max_m2 = 250
min_frontage_m = 8

[[plots.types]]
name = "bengkel kecil"
min_m2 = 400
max_m2 = 900
min_frontage_m = 15
"""
RULES_ONE = """\
# The workshop cluster alone on the invented Morowali estate (benchmarks/make_trial9.py).
# Illustrative values, not from a regulation.
[zone]
name = "UMKM bengkel"
land_use = "umkm"
min_ha = 10
max_ha = 12

[[rules]]
name = "dekat smelter"
name_en = "next to the smelters"
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 150
max_gap_m = 25
across = ["local", "collector"]

[[rules]]
name = "muka jalan"
name_en = "road frontage"
kind = "frontage"
road_class = ["arterial", "collector"]
min_m = 100

[[rules]]
name = "dekat gerbang"
name_en = "near a gate"
kind = "network_distance"
from = { layer = "gates", kind = ["estate_gate"] }
max_m = 1500

[[rules]]
name = "sempadan sungai"
name_en = "river setback"
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = 50

[[rules]]
name = "sempadan pantai"
name_en = "coastal setback"
kind = "setback"
from = { layer = "water", kind = ["coast"] }
min_m = 100

[[rules]]
name = "lebar terpakai"
name_en = "usable width"
kind = "min_width"
min_m = 50

[[prefer]]
name = "dekat Fatufia"
name_en = "near Fatufia"
kind = "near"
to = { layer = "settlements", name = ["Desa Fatufia"] }

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1

[plots]
road_width_m = 10
max_road_pct = 25

[[plots.types]]
name = "bengkel kecil"
min_m2 = 400
max_m2 = 900
min_frontage_m = 15

[[plots.types]]
name = "gudang & bengkel"
min_m2 = 1000
max_m2 = 2500
min_frontage_m = 25
"""


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 51S, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _boundary() -> Polygon:
    """West edge on the arterial's centre line, the east edge 92 m inland of the coast."""
    (cx0, cy0), (cx1, cy1) = COAST
    east = [cx0 + (y - cy0) / (cy1 - cy0) * (cx1 - cx0) - 92.0 for y in (0.0, H)]
    return Polygon([(0, 0), (east[0], 0), (east[1], H), (0, H)])


def _corridor(kind: str, line: list[tuple[float, float]]) -> Polygon:
    return LineString(line).buffer(WIDTH_M[kind] / 2, cap_style="flat")


def _river(line: list[tuple[float, float]], width: float) -> Polygon:
    return LineString(line).buffer(width / 2)


def _use(rng: np.random.Generator, part: Polygon, rivers: Polygon, coast: LineString) -> str:
    c = part.centroid
    if (500 < c.x < 1000 and 450 < c.y < 900) or (1000 < c.x < 1500 and 900 < c.y < 1350):
        return "available"  # two reserves, across the collectors from each other
    if 0 < c.x < 500 and 900 < c.y < 1350:
        return "available"  # a third reserve by the arterial
    if part.distance(rivers) < 20 or c.distance(coast) < 180:
        return str(rng.choice(["green", "available"], p=[0.6, 0.4]))
    uses = ["industrial", "available", "utility", "commercial", "green"]
    return str(rng.choice(uses, p=[0.6, 0.2, 0.08, 0.07, 0.05]))


def _voronoi(rng: np.random.Generator, block: Polygon, parcel_m2: float = 40_000) -> list[Polygon]:
    """``block`` cut into irregular parcels of about ``parcel_m2`` (4 ha unless told;
    Voronoi cells of seeded points)."""
    n = max(1, round(block.area / parcel_m2))
    if n == 1:
        return [block]
    x1, y1, x2, y2 = block.bounds
    pts: list[Point] = []
    while len(pts) < n:
        p = Point(rng.uniform(x1, x2), rng.uniform(y1, y2))
        if block.contains(p):
            pts.append(p)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(pts), extend_to=block))
    out = []
    for cell in cells:
        piece = shapely.set_precision(cell.intersection(block), 0.01)
        out += [p for p in shapely.get_parts(piece) if p.area > 1]
    return out


def build(*, seed: int = 9) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in UTM 51S."""
    rng = np.random.default_rng(seed)
    boundary = _boundary()
    coast = LineString(COAST)
    rivers = shapely.union_all([_river(line, w) for _, line, w in RIVERS])
    corridors = shapely.union_all([_corridor(k, c) for _, k, c in ROADS])
    land = boundary.difference(corridors)
    blocks = sorted(shapely.get_parts(land.difference(rivers)),
                    key=lambda p: (round(p.centroid.y), round(p.centroid.x)))  # fmt: skip
    rows: list[tuple[str, str | None, Polygon]] = []
    for block in blocks:
        if block.area < 200:
            continue
        for part in sorted(_voronoi(rng, block), key=lambda p: (p.centroid.y, p.centroid.x)):
            use = _use(rng, part, rivers, coast)
            rows.append((use, str(rng.choice(TENANTS)) if use == "industrial" else None, part))
    for part in shapely.get_parts(rivers.intersection(land)):
        rows.append(("water", None, part))
    roads = [(n, k, LineString(c).intersection(boundary)) for n, k, c in ROADS]
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Kawasan Industri Bahodopi, Morowali (ilustrasi)"]}, geometry=[boundary]),
        "parcels": gpd.GeoDataFrame(
            {"parcel_id": [f"MRW-{i:03d}" for i in range(1, len(rows) + 1)],
             "land_use": [r[0] for r in rows], "tenant": [r[1] for r in rows],
             "phase": [1 if r[2].centroid.y < 900 else 2 for r in rows]},
            geometry=[r[2] for r in rows]),
        "roads": gpd.GeoDataFrame(
            {"road_id": [f"R{i}" for i in range(1, len(roads) + 1)],
             "name": [r[0] for r in roads], "road_class": [r[1] for r in roads],
             "width_m": [WIDTH_M[r[1]] for r in roads]},
            geometry=[r[2] for r in roads]),
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["G1", "G2", "G3"], "kind": ["estate_gate", "estate_gate", "factory_gate"],
             "name": ["Gerbang Utama Trans Sulawesi", "Gerbang Selatan", "Gerbang PT Kokas Tolo"]},
            geometry=[Point(0, 900), Point(0, 450), Point(1500, 700)]),
        "water": gpd.GeoDataFrame(
            {"name": [r[0] for r in RIVERS] + ["Teluk Tolo"],
             "kind": ["river", "river", "coast"]},
            geometry=[_river(line, w) for _, line, w in RIVERS] + [coast]),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Fatufia", "Desa Bahomakmur", "Desa Keurea & Lalampu"]},
            geometry=[Point(1700, 2150), Point(-600, 300), Point(2300, -500)]),
    }  # fmt: skip
    x0, y0 = _origin()
    return {
        k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
        for k, v in layers.items()
    }


def write(out: Path, *, seed: int = 9) -> Path:
    """Write the estate folder (GeoParquet, lon/lat) and both rules files; return the folder."""
    folder = out / "morowali"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, gdf in build(seed=seed).items():
        gdf.to_crs("EPSG:4326").to_parquet(folder / f"{name}.parquet")
    (out / "trial9_zones_rules.toml").write_text(RULES_ZONES, encoding="utf-8")
    (out / "trial9_rules.toml").write_text(RULES_ONE, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed)
    print(f"wrote {folder}/, {args.out / 'trial9_zones_rules.toml'} and {args.out / 'trial9_rules.toml'}")


if __name__ == "__main__":
    main()
