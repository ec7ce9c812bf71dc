"""An illustrative estate at Manyar, Gresik (East Java), as an estate developer delivers it.

The layout is invented: a ~400 ha estate on the coastal plain of Kecamatan Manyar,
Kabupaten Gresik, near 112.585° E, 7.125° S — where the Java Integrated Industrial and
Port Estate (KEK Gresik JIIPE) lies, but *not* its layout (WGS 84 / UTM zone 49S,
EPSG:32749, 108°–114° E south of the equator; the old national datum's ID74 / UTM zone 49S
is EPSG:23889 and the land office's DGN95 / Indonesia TM-3 zone 49.2 is EPSG:23836,
111°–114° E; all three checked with pyproj in :func:`check_site`). The Jalan Raya
Manyar arterial runs along its south edge, the coast of the Java Sea 90 m past its north
edge (east-north-east), and a river (Kali Manyar, its alignment invented) crosses its
east part to the sea. A road runs between every two blocks (the arterial, two
collectors, four local roads); each block is cut into irregular parcels (Voronoi cells
of seeded points).

The estate is written as an estate developer hands it to the regency's planning office:
a folder whose name has spaces (``OUT_DIR/Data Kawasan JIIPE/``), one file per layer, in
the old CRSs the developer's surveys used, written by GDAL as old software writes them:
GeoJSON with a ``crs`` member (the 2008 GeoJSON form RFC 7946 dropped) in ID74 / UTM 49S
(boundary, parcels), DGN95 TM-3 49.2 (gates) and ID74 longitude/latitude, EPSG:4238
(water); the settlements in plain RFC 7946 GeoJSON; the roads as a GeoPackage whose one
layer is named with spaces (``Jaringan Jalan Kawasan``) in TM-3 49.2, with QGIS's
``layer_styles`` table. Names carry ``&``, ``<``, quotes and Javanese words.
``trial11_rules.toml`` asks for a 10 ha UMKM zone (in Bahasa Indonesia), and
``trial11_rules_sungai100.toml`` the what-if "50 m more from the river".

Usage::

    python benchmarks/make_trial11.py OUT_DIR [--seed 11]

The same seed writes the same files.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from shapely import LineString, Point, Polygon

#: The metric CRS the estate is built in (WGS 84 / UTM zone 49S).
BUILD_CRS = "EPSG:32749"
#: The developer's CRSs: ID74 / UTM 49S, DGN95 / TM-3 49.2, ID74 longitude/latitude.
ID74_UTM, TM3, ID74_LL = "EPSG:23889", "EPSG:23836", "EPSG:4238"
#: The estate's south-west corner, lon/lat (WGS 84).
LON0, LAT0 = 112.585, -7.125
H = 1700.0
#: The coast's line (local metres): east-north-east, 90 m past the north edge.
COAST = [(-300.0, 1760.0), (2900.0, 1900.0)]
COAST_GAP_M = 90.0
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
W = 2600.0
#: Roads: name, class, centre line (local metres; clipped to the boundary).
ROADS = [
    ("Jalan Raya Manyar", "arterial", [(-200, 0), (W + 200, 0)]),
    ("Jalan Kawasan Utama", "collector", [(1000, 0), (1000, 2000)]),
    ("Jalan Lingkar \"Tengah\"", "collector", [(0, 850), (W, 850)]),
    ("Jalan Blok A", "local", [(500, 0), (500, 2000)]),
    ("Jalan Blok B", "local", [(1500, 0), (1500, 2000)]),
    ("Jalan Blok C", "local", [(0, 450), (W, 450)]),
    ("Jalan Blok D", "local", [(0, 1250), (W, 1250)]),
]
#: The river's centre line (it runs past the boundary) and width, m.
RIVER = ("Kali Manyar (ilustrasi)", [(1950, -200), (2080, 500), (1960, 1100), (2120, 1950)], 25.0)  # fmt: skip
#: Land use of each block by (column, row): columns split at x = 500, 1000, 1500 and the
#: river; rows at y = 450, 850, 1250.
BLOCK_USE = {
    (0, 0): "commercial", (1, 0): "industrial", (2, 0): "industrial", (3, 0): "industrial", (4, 0): "utility",
    (0, 1): "available", (1, 1): "available", (2, 1): "industrial", (3, 1): "available", (4, 1): "industrial",
    (0, 2): "industrial", (1, 2): "available", (2, 2): "available", (3, 2): "industrial", (4, 2): "available",
    (0, 3): "green", (1, 3): "available", (2, 3): "industrial", (3, 3): "available", (4, 3): "green",
}  # fmt: skip
TENANTS = ("PT Smelter & Refinery Gresik <Unit 2>", "PT Petrokimia 'Manyar' (ilustrasi)",
           "CV Sumber Rejeki Jaya", "PT Galangan Kapal Ujung Pangkah")  # fmt: skip
RULES = """\
# Zona UMKM di kawasan ilustrasi Manyar, Gresik (benchmarks/make_trial11.py).
# Nilai ilustratif, bukan dari peraturan.
[zone]
name = "Zona UMKM Manyar"
land_use = "umkm"
area_ha = 10.0
tolerance_ha = 1.0

[[rules]]
name = "dekat industri"
name_en = "next to industry"
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
min_m = {river}

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
min_m = 60

[[rules]]
name = "satu hamparan"
name_en = "one piece"
kind = "contiguous"

[[prefer]]
name = "dekat Desa Manyarejo"
name_en = "near Desa Manyarejo"
kind = "near"
to = { layer = "settlements", name = ["Desa Manyarejo"] }

[plots]
road_width_m = 10
max_road_pct = 25

[[plots.types]]
name = "kios"
min_m2 = 120
max_m2 = 300
min_frontage_m = 8

[[plots.types]]
name = "bengkel"
min_m2 = 600
max_m2 = 1500
min_frontage_m = 20
"""


def check_site() -> dict[str, str]:
    """The site's CRSs, checked with pyproj: the UTM zone PROJ names for the corner, and
    that every CRS's area of use holds it (south of the equator)."""
    aoi = AreaOfInterest(LON0, LAT0, LON0 + 0.03, LAT0 + 0.02)
    utm = {c.code for c in query_utm_crs_info(datum_name="WGS 84", area_of_interest=aoi)}
    assert utm == {"32749"}, utm
    for code in (BUILD_CRS, ID74_UTM, TM3, ID74_LL):
        a = pyproj.CRS(code).area_of_use
        assert a is not None and a.west <= LON0 <= a.east and a.south <= LAT0 <= a.north, code
    assert LAT0 < 0
    return {c: pyproj.CRS(c).name for c in (BUILD_CRS, ID74_UTM, TM3, ID74_LL)}


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 49S, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _north_y(x: float) -> float:
    (cx0, cy0), (cx1, cy1) = COAST
    return cy0 + (x - cx0) / (cx1 - cx0) * (cy1 - cy0) - COAST_GAP_M


def _boundary() -> Polygon:
    """South edge on the arterial's centre line, the north edge 90 m inland of the coast,
    the west edge with a notch (land not sold to the estate)."""
    return Polygon([(0, 0), (W, 0), (W, _north_y(W)), (0, _north_y(0.0)),
                    (0, 1050), (180, 1000), (180, 700), (0, 650)])  # fmt: skip


def _river() -> Polygon:
    return LineString(RIVER[1]).buffer(RIVER[2] / 2)


def _land() -> shapely.Geometry:
    """The boundary less the road corridors and the river."""
    corridors = [LineString(c).buffer(WIDTH_M[k] / 2, cap_style="flat") for _, k, c in ROADS]
    return _boundary().difference(shapely.union_all([*corridors, _river()]))


def _block_key(part: Polygon) -> tuple[int, int]:
    c = part.representative_point()
    river = LineString(RIVER[1])
    col = int(np.searchsorted([500, 1000, 1500], c.x))
    if col == 3 and river.interpolate(river.project(c)).x < c.x:
        col = 4
    return col, int(np.searchsorted([450, 850, 1250], c.y))


def _voronoi(rng: np.random.Generator, block: Polygon) -> list[Polygon]:
    """``block`` cut into irregular parcels of about 3 ha (Voronoi cells of seeded points)."""
    n = max(1, round(block.area / 30_000))
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


def build(*, seed: int = 11) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in local metres (south-west corner at the origin), UTM 49S axes."""
    rng = np.random.default_rng(seed)
    boundary = _boundary()
    blocks = sorted((p for p in shapely.get_parts(_land()) if p.area > 200),
                    key=lambda p: (round(p.centroid.y), round(p.centroid.x)))  # fmt: skip
    rows: list[tuple[str, str | None, Polygon]] = []
    for block in blocks:
        use = BLOCK_USE[_block_key(block)]
        for part in sorted(_voronoi(rng, block), key=lambda p: (p.centroid.y, p.centroid.x)):
            rows.append((use, str(rng.choice(TENANTS)) if use == "industrial" else None, part))
    for part in shapely.get_parts(_river().intersection(boundary)):
        rows.append(("water", None, part))
    roads = [(n, k, LineString(c).intersection(boundary)) for n, k, c in ROADS]
    return {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Kawasan Industri Manyar, Gresik (ilustrasi) — Tahap 3"]}, geometry=[boundary]),
        "parcels": gpd.GeoDataFrame(
            {"parcel_id": [f"MNY-{i:03d}" for i in range(1, len(rows) + 1)],
             "land_use": [r[0] for r in rows], "tenant": [r[1] for r in rows],
             "phase": np.array([3 if r[2].centroid.y < 850 else 4 for r in rows], dtype="int32")},
            geometry=[r[2] for r in rows]),
        "roads": gpd.GeoDataFrame(
            {"road_id": [f"JL-{i}" for i in range(1, len(roads) + 1)],
             "name": [r[0] for r in roads], "road_class": [r[1] for r in roads],
             "width_m": [WIDTH_M[r[1]] for r in roads]},
            geometry=[r[2] for r in roads]),
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["G1", "G2", "G3"], "kind": ["estate_gate", "estate_gate", "factory_gate"],
             "name": ["Gerbang Utama Jl. Raya Manyar", "Gerbang Barat", "Gerbang PT Smelter & Refinery"]},
            geometry=[Point(1000, 0), Point(0, 850), Point(1500, 450)]),
        "water": gpd.GeoDataFrame(
            {"name": [RIVER[0], "Laut Jawa (pantai)"], "kind": ["river", "coast"]},
            geometry=[LineString(RIVER[1]), LineString(COAST)]),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Manyarejo", "Desa Roomo <Dusun Krajan>", "Desa Tanjungwidoro"]},
            geometry=[Point(-600, 1200), Point(1200, -700), Point(2900, 300)]),
    }  # fmt: skip


def _placed(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """``layers`` moved to the site, in UTM 49S."""
    x0, y0 = _origin()
    return {k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
            for k, v in layers.items()}  # fmt: skip


#: Each layer's file and CRS as the developer delivers it.
DELIVERY = {
    "boundary": ("boundary.geojson", ID74_UTM),
    "parcels": ("parcels.geojson", ID74_UTM),
    "roads": ("roads.gpkg", TM3),
    "gates": ("gates.geojson", TM3),
    "water": ("water.geojson", ID74_LL),
    "settlements": ("settlements.geojson", "EPSG:4326"),
}
#: The roads' layer name inside ``roads.gpkg``.
ROADS_LAYER = "Jaringan Jalan Kawasan"


def _qgis_styles(gpkg: Path) -> None:
    """QGIS's ``layer_styles`` table with one (empty) default style, registered in
    ``gpkg_contents`` as QGIS does."""
    with contextlib.closing(sqlite3.connect(gpkg)) as db, db:
        db.execute("CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "f_table_catalog TEXT, f_table_schema TEXT, f_table_name TEXT, "
                   "f_geometry_column TEXT, styleName TEXT, styleQML TEXT, styleSLD TEXT, "
                   "useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, "
                   "update_time DATETIME DEFAULT CURRENT_TIMESTAMP)")  # fmt: skip
        db.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier) "
                   "VALUES ('layer_styles', 'attributes', 'layer_styles')")  # fmt: skip
        db.execute("INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, "
                   "styleQML, useAsDefault) VALUES (?, 'geom', ?, '<qgis/>', 1)",
                   (ROADS_LAYER, ROADS_LAYER))  # fmt: skip


def write(out: Path, *, seed: int = 11) -> Path:
    """Write the estate's folder and both rules files; return the folder."""
    check_site()
    folder = out / "Data Kawasan JIIPE"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, gdf in _placed(build(seed=seed)).items():
        file, crs = DELIVERY[name]
        path = folder / file
        stored = gdf.to_crs(crs)
        if name == "roads":
            stored.to_file(path, layer=ROADS_LAYER, driver="GPKG", engine="fiona")
            _qgis_styles(path)
        elif crs == "EPSG:4326":
            stored.to_file(path, driver="GeoJSON", engine="fiona")
        else:  # the 2008 form: a ``crs`` member naming the EPSG code
            stored.to_file(path, driver="GeoJSON", engine="fiona", RFC7946="NO")
    (out / "trial11_rules.toml").write_text(RULES.replace("{river}", "50"), encoding="utf-8")
    what_if = RULES.replace("{river}", "100")
    (out / "trial11_rules_sungai100.toml").write_text(what_if, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed)
    print(f"wrote {folder}/, {args.out / 'trial11_rules.toml'} and "
          f"{args.out / 'trial11_rules_sungai100.toml'}")  # fmt: skip


if __name__ == "__main__":
    main()
