"""An illustrative coastal estate at Batu Bara (North Sumatra), as a new user's data.

The layout is invented: a ~300 ha estate on the Strait of Malacca near 99.43° E, 3.35° N
(north of the equator: WGS 84 / UTM zone 47N, EPSG:32647), with a road between every
two blocks (a dense grid of local roads, a collector each way, arterials on the west and
south edges and an oblique arterial from the south gate to the port), blocks of 2–15 ha
(triangles and trapezoids where the oblique arterial cuts them) and one 30 ha reserve
with no road through it, blocks split into parcels between the roads, a river with a
bend crossing the estate to the sea, and the coast as the estate's north-east edge. It
is *not* the layout of any real estate.

It is handed over as a planner would: a folder of one file per layer in the formats a
land office or consultant sends — the parcels and roads as Shapefile sets (upper-case
attribute names, names longer than 10 characters truncated by the format, the roads'
``.dbf`` in Windows-1252 with no ``.cpg``), the boundary, water and settlements as
GeoJSON in EPSG:4326, the gates as a GeoPackage stored in UTM zone 47S (EPSG:32747, the
southern zone many Indonesian offices use for all of Sumatra: valid coordinates, 10,000
km of false northing), land-use codes in odd case and spacing, tenants with accents.
Unless ``--clean``, the parcels carry the usual mistakes: a duplicated parcel, a bow-tie
ring, a parcel with no land use, one with the Indonesian word ``Industri``, a record with
an empty geometry; the oblique arterial is one MultiLineString of two parts (it is cut
at the river bridge). Even with ``--clean`` a 304 m² corner between the port road and the
shore is in no parcel (a gap: ``validate``'s error, a warning for ``place``).

The rules written beside it (``trial6_rules.toml``) are what a user writes from the
README: a 20–21 ha UMKM zone facing industry across a street, 100 m of frontage on an
arterial or collector, within 2 km of a gate along the roads, 50 m from the river, 100 m
from the coast, 60 m usable width, near the village of Kuala Tanjung.

Usage::

    python benchmarks/make_trial6.py OUT_DIR [--seed 6] [--clean]

writes the folder ``OUT_DIR/batubara/`` (one file per layer) and ``OUT_DIR/trial6_rules.toml``.
The same seed writes the same files.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, MultiLineString, Point, Polygon, box

#: The metric CRS the estate is built in (WGS 84 / UTM zone 47N).
BUILD_CRS = "EPSG:32647"
#: South-west corner, UTM 47N metres (≈ 99.43° E, 3.35° N).
X0, Y0 = 548_000.0, 370_000.0
#: The estate's extent before the coast cuts it, m.
W, H = 2400.0, 1500.0
#: Road widths by class, m.
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
#: North-south roads (x of the centre line, class) and east-west roads (y, class).
NS_ROADS = [(0, "arterial"), (320, "local"), (610, "local"), (930, "collector"),
            (1230, "local"), (1540, "local"), (1860, "local"), (2150, "local")]  # fmt: skip
EW_ROADS = [(0, "arterial"), (280, "local"), (540, "collector"), (830, "local"),
            (1110, "local"), (1380, "local")]  # fmt: skip
#: Road pieces left out (the reserve has no road through it): (axis, at, from, to).
NOT_BUILT = [("x", 610, 540, 1110), ("y", 830, 320, 930)]
#: The oblique arterial from the south gate to the port, and where the river cuts it.
OBLIQUE = ((450.0, 0.0), (1900.0, 1080.0))
#: The river's centre line (it runs past the coast into the sea) and its width, m.
RIVER = [(1700, -40), (1660, 250), (1790, 520), (1720, 700), (1560, 820), (1470, 1050),
         (1440, 1600)]  # fmt: skip
RIVER_WIDTH_M = 25.0
#: Land-use codes as the planner's table spells them (odd case and spacing).
SPELLING = {
    "industrial": ["Industrial", "INDUSTRIAL", "industrial "],
    "available": ["Available", "AVAILABLE", " available"],
    "green": ["Green", "GREEN"],
    "commercial": ["Commercial"],
    "utility": ["Utility"],
    "residential": ["Residential"],
    "water": ["Water"],
}
TENANTS = ("PT Sumatera Baja Pesisir", "PT Inalum Hilir (ilustrasi)", "CV Kopi Batak Mandailing",
           "PT Sawit Nusantara Façade", "Koperasi Nelayan Kuala Tanjung", "PT Ñiaga Ültra Logistik",
           "PT Pelabuhan Kuala Tanjung – Terminal Curah")  # fmt: skip
RULES = """\
# UMKM rules for the invented Batu Bara estate (benchmarks/make_trial6.py), written from
# the README as a new user would. Illustrative values, not from a regulation.
[zone]
name = "Zona UMKM Batu Bara"
land_use = "umkm"
min_ha = 20
max_ha = 21
on = ["available"]

[[rules]]
name = "dekat industri"
name_en = "next to industry"
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 100
max_gap_m = 20
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
max_m = 2000

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
name = "satu hamparan"
name_en = "one piece"
kind = "contiguous"

[[rules]]
name = "bentuk kompak"
name_en = "compact shape"
kind = "compactness"
min = 0.5

[[rules]]
name = "lebar terpakai"
name_en = "usable width"
kind = "min_width"
min_m = 60

[[prefer]]
name = "dekat Kuala Tanjung"
name_en = "near Kuala Tanjung"
kind = "near"
to = { layer = "settlements", name = ["Desa Kuala Tanjung"] }

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1

[[layout]]
name = "porsi hijau"
name_en = "green share"
kind = "land_share"
land_use = ["green"]
min_pct = 10
"""


def _coast(rng: np.random.Generator) -> LineString:
    """The shoreline, north-west to south-east, a little wavy."""
    xs = np.linspace(900.0, 2600.0, 18)
    ys = 1500.0 - 0.6 * (xs - 1200.0) + rng.normal(0.0, 6.0, xs.size)
    return LineString(np.column_stack([xs, ys]))


def _boundary(coast: LineString) -> Polygon:
    land = shapely.Polygon([*coast.coords, (2600, -100), (-100, -100), (-100, 2000), (900, 2000)])
    return box(0, 0, W, H).intersection(land)


def _built(axis: str, at: float, lo: float, hi: float) -> list[tuple[float, float]]:
    """The stretches [lo, hi] of one grid road that are built."""
    spans = [(lo, hi)]
    for a, t, s, e in NOT_BUILT:
        if a == axis and t == at:
            spans = [p for a0, b0 in spans for p in ((a0, s), (e, b0)) if p[1] > p[0]]
    return spans


def _roads(boundary: Polygon, *, mistakes: bool) -> gpd.GeoDataFrame:
    rows: list[tuple[str, str, LineString | MultiLineString]] = []
    for x, cls in NS_ROADS:
        for s, e in _built("x", x, 0, H):
            rows.append((f"Jalan Lintas Utara-Selatan km {x / 1000:.2f}", cls,
                         LineString([(x, s), (x, e)])))  # fmt: skip
    for y, cls in EW_ROADS:
        for s, e in _built("y", y, 0, W):
            rows.append((f"Jalan Poros Timur-Barat km {y / 1000:.2f}", cls,
                         LineString([(s, y), (e, y)])))  # fmt: skip
    oblique = LineString(OBLIQUE)
    if mistakes:  # digitised in two parts, cut where it bridges the river
        bridge = LineString(RIVER).buffer(RIVER_WIDTH_M / 2)
        oblique = MultiLineString(list(shapely.get_parts(oblique.difference(bridge))))
    rows.append(("Jalan Pelabuhan Kuala Tanjung – Gerbang Selatan", "arterial", oblique))
    clipped = [(n, c, g.intersection(boundary)) for n, c, g in rows]
    clipped = [r for r in clipped if not r[2].is_empty and r[2].length > 1]
    return gpd.GeoDataFrame(
        {"ROAD_ID": [f"J{i:02d}" for i in range(len(clipped))], "NAME": [r[0] for r in clipped],
         "nama_jalan_lengkap": [r[0] for r in clipped],
         "ROAD_CLASS": [r[1].capitalize() for r in clipped]},
        geometry=[r[2] for r in clipped], crs=BUILD_CRS,
    )  # fmt: skip


def _strips(block: Polygon, n: int) -> list[Polygon]:
    """``block`` cut into ``n`` strips across its longer side."""
    x1, y1, x2, y2 = block.bounds
    along_x = x2 - x1 >= y2 - y1
    cuts = np.linspace(x1 if along_x else y1, x2 if along_x else y2, n + 1)
    out = []
    for a, b in itertools.pairwise(cuts):
        piece = block.intersection(box(a, y1, b, y2) if along_x else box(x1, a, x2, b))
        out += [p for p in shapely.get_parts(piece) if p.area > 1]
    return out


def _use(rng: np.random.Generator, block: Polygon, river: Polygon, coast: LineString) -> str:
    c = block.centroid
    if 320 < c.x < 930 and 540 < c.y < 1110:
        return "available"  # the reserve
    if block.distance(river) < 40 or block.distance(coast) < 60:
        return str(rng.choice(["green", "available"], p=[0.6, 0.4]))
    uses = ["industrial", "available", "green", "commercial", "utility", "residential"]
    return str(rng.choice(uses, p=[0.48, 0.26, 0.08, 0.08, 0.05, 0.05]))


def _parcels(
    rng: np.random.Generator, boundary: Polygon, roads: gpd.GeoDataFrame, river: Polygon,
    coast: LineString, *, mistakes: bool,
) -> gpd.GeoDataFrame:  # fmt: skip
    widths = [WIDTH_M[c.lower()] for c in roads["ROAD_CLASS"]]
    corridors = shapely.union_all(roads.geometry.buffer(np.array(widths) / 2, cap_style="flat"))
    land = boundary.difference(corridors)
    rows: list[tuple[str, str | None, str | None, Polygon | None]] = []
    for block in sorted(
        shapely.get_parts(land.difference(river)), key=lambda p: (p.centroid.y, p.centroid.x)
    ):
        if block.area < 500:
            continue
        use = _use(rng, block, river, coast)
        n = 1 if block.area < 60_000 else (2 if block.area < 120_000 else 3)
        for part in _strips(block, n):
            tenant = str(rng.choice(TENANTS)) if use == "industrial" else None
            rows.append((f"BB-{len(rows) + 1:03d}", str(rng.choice(SPELLING[use])), tenant, part))
    for part in shapely.get_parts(river.intersection(land)):
        rows.append((f"BB-{len(rows) + 1:03d}", "Water", None, part))
    if mistakes:
        rows.append(rows[7])  # exported twice
        pid, use, tenant, geom = rows[12]
        x1, y1, x2, y2 = geom.bounds  # digitised as a bow-tie
        rows[12] = (pid, use, tenant, Polygon([(x1, y1), (x2, y2), (x2, y1), (x1, y2)]))
        rows[20] = (rows[20][0], None, *rows[20][2:])  # no land use
        rows[25] = (rows[25][0], "Industri", *rows[25][2:])  # the Indonesian word
        rows.append((f"BB-{len(rows) + 1:03d}", "Available", None, None))  # no geometry
    return gpd.GeoDataFrame(
        {"PARCEL_ID": [r[0] for r in rows], "LAND_USE": [r[1] for r in rows],
         "TENANT": [r[2] for r in rows],
         "keterangan_tambahan": ["data konsultan 2025"] * len(rows)},
        geometry=[r[3] for r in rows], crs=BUILD_CRS,
    )  # fmt: skip


def build(*, seed: int = 6, mistakes: bool = True) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in the build CRS's local metres moved to UTM 47N."""
    rng = np.random.default_rng(seed)
    coast = _coast(rng)
    boundary = _boundary(coast)
    river = LineString(RIVER).buffer(RIVER_WIDTH_M / 2).intersection(boundary)
    roads = _roads(boundary, mistakes=mistakes)
    parcels = _parcels(rng, boundary, roads, river, coast, mistakes=mistakes)
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Kawasan Industri Pesisir Batu Bara (ilustrasi)"]}, geometry=[boundary],
            crs=BUILD_CRS),
        "parcels": parcels,
        "roads": roads,
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["G1", "G2", "G3"], "kind": ["Estate_Gate", "estate_gate", "factory_gate"],
             "name": ["Gerbang Selatan", "Gerbang Barat (Jalan Lintas Sumatera)", "Gerbang PT Baja"]},
            geometry=[Point(450, 0), Point(0, 540), Point(1230, 300)], crs=BUILD_CRS),
        "water": gpd.GeoDataFrame(
            {"name": ["Sungai Tanjung", "Selat Malaka"], "kind": ["River", "coast"]},
            geometry=[LineString(RIVER).buffer(RIVER_WIDTH_M / 2), coast], crs=BUILD_CRS),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Kuala Tanjung", "Dusun Pesisir Ûjung"]},
            geometry=[Point(300, 1750), box(2200, -400, 2500, -150)], crs=BUILD_CRS),
    }  # fmt: skip
    return {k: _moved(v) for k, v in layers.items()}


def _moved(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` moved to UTM 47N; a valid polygon that the move's rounding made invalid (a
    spike along the coast) is mended, so only the planted mistakes are invalid."""
    moved = gdf.geometry.translate(X0, Y0).to_numpy()
    mend = gdf.geometry.is_valid.to_numpy() & ~shapely.is_valid(moved)
    mend &= np.isin(shapely.get_type_id(moved), [3, 6])  # polygons
    moved[mend] = shapely.make_valid(moved[mend], method="structure", keep_collapsed=False)
    return gdf.set_geometry(moved)


def write(out: Path, *, seed: int = 6, mistakes: bool = True) -> Path:
    """Write the estate folder and the rules; return the folder."""
    folder = out / "batubara"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    layers = build(seed=seed, mistakes=mistakes)
    layers["boundary"].to_crs("EPSG:4326").to_file(folder / "boundary.geojson", engine="fiona")
    with warnings.catch_warnings():  # the format truncates names to 10 characters, as asked
        warnings.filterwarnings("ignore", "Column names longer than 10", UserWarning)
        layers["parcels"].to_file(folder / "parcels.shp", engine="fiona", encoding="utf-8")
        layers["roads"].to_file(folder / "roads.shp", engine="fiona", encoding="cp1252")
    (folder / "roads.cpg").unlink(missing_ok=True)  # the consultant's export has none
    layers["gates"].to_crs("EPSG:32747").to_file(
        folder / "gates.gpkg", layer="gerbang", engine="fiona"
    )
    for name in ("water", "settlements"):
        layers[name].to_crs("EPSG:4326").to_file(folder / f"{name}.geojson", engine="fiona")
    (out / "trial6_rules.toml").write_text(RULES, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--clean", action="store_true", help="leave out the data mistakes")
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed, mistakes=not args.clean)
    print(f"wrote {folder}/ and {args.out / 'trial6_rules.toml'}")


if __name__ == "__main__":
    main()
