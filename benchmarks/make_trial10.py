"""An illustrative estate at Galang Batang, Bintan (Riau Islands), and a consultant's layouts.

The layout is invented: a ~360 ha estate on the east coast of Bintan, Kecamatan Gunung
Kijang, near 104.59° E, 1.01° N — north of the equator (WGS 84 / UTM zone 48N,
EPSG:32648, 102°–108° E north of the equator; the land office's grid there is DGN95 /
Indonesia TM-3 zone 48.1, EPSG:23833, 102°–105° E up to 1.68° N; both checked with
pyproj in :func:`check_site`). The Lintas Timur road runs along its west edge, the
coast of the South China Sea 90 m past its east edge (north-north-east), and a river
crosses its north part to the sea. A road runs between every two blocks (the arterial,
two collectors, four local roads); each block is cut into irregular parcels (Voronoi
cells of seeded points). It is *not* the layout of the Galang Batang special economic
zone or of any real estate; the river's and the coast's alignments are invented.

The estate is written as the estate office keeps it, an Esri File Geodatabase
(``OUT_DIR/galang_batang.gdb``, one feature class per layer) in TM-3 zone 48.1. Beside
it, ``OUT_DIR/usulan/`` holds a consultant's proposed zones (``V01`` … ``V13``) in the
formats consultants deliver and no earlier trial used — Google Earth KML with heights
and styles, a Shapefile with a ``.cpg`` of ``LATIN1`` in TM-3, MapInfo TAB and MIF,
GML with heights, CSV of WKT with heights and no CRS, SQLite, GeoJSON Lines — with the
messes such files have: rings drawn clockwise, a duplicate vertex, heights, Indonesian
attribute names, a zone drawn as a closed line, a MultiPolygon with a sliver. Each
variant is valid or breaks one rule of ``trial10_rules.toml`` (``VARIANTS`` says which);
``OUT_DIR/usulan/expected.json`` lists them.

Usage::

    python benchmarks/make_trial10.py OUT_DIR [--seed 10]

The same seed writes the same files.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from shapely import LineString, Point, Polygon

#: The metric CRS the estate is built in (WGS 84 / UTM zone 48N).
BUILD_CRS = "EPSG:32648"
#: The land office's grid the estate is stored in (DGN95 / Indonesia TM-3 zone 48.1).
STORE_CRS = "EPSG:23833"
#: The estate's south-west corner, lon/lat.
LON0, LAT0 = 104.590, 1.010
H = 1600.0
#: The coast's line (local metres): it runs north-north-east, 90 m past the east edge.
COAST = [(2150.0, -300.0), (2500.0, 1900.0)]
COAST_GAP_M = 90.0
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
#: Roads: name, class, centre line (local metres; clipped to the boundary).
ROADS = [
    ("Jalan Lintas Timur", "arterial", [(0, -200), (0, H + 200)]),
    ("Jalan Kawasan Galang Batang", "collector", [(0, 800), (2700, 800)]),
    ("Jalan Pelabuhan", "collector", [(1000, 0), (1000, H)]),
    ("Jalan Blok Selatan", "local", [(0, 400), (2700, 400)]),
    ("Jalan Blok Utara", "local", [(0, 1100), (2700, 1100)]),
    ("Jalan Blok Barat", "local", [(500, 0), (500, H)]),
    ("Jalan Blok Timur", "local", [(1500, 0), (1500, H)]),
]
#: The river's centre line (it runs past the boundary) and width, m.
RIVER = ("Sungai Galang Batang (ilustrasi)", [(-100, 1520), (1000, 1480), (1800, 1560), (2700, 1500)], 20.0)  # fmt: skip
#: Land use of each block by (column, row): columns split at x = 500, 1000, 1500; rows
#: at y = 400, 800, 1100 and the river ("r3n" north of it).
BLOCK_USE = {
    (0, 0): "commercial", (1, 0): "industrial", (2, 0): "industrial", (3, 0): "industrial",
    (0, 1): "commercial", (1, 1): "available", (2, 1): "industrial", (3, 1): "available",
    (0, 2): "available", (1, 2): "utility", (2, 2): "available", (3, 2): "industrial",
    (0, 3): "available", (1, 3): "industrial", (2, 3): "available", (3, 3): "industrial",
    (0, 4): "green", (1, 4): "green", (2, 4): "green", (3, 4): "green",
}  # fmt: skip
TENANTS = ("PT Bintan Alumina Indonesia (ilustrasi)", "PT Galang Batang Smelter",
           "CV Bengkel Kapal Kijang", "PT Pelabuhan Curah Bintan")  # fmt: skip
RULES = """\
# The UMKM zone on the invented Galang Batang estate (benchmarks/make_trial10.py).
# Illustrative values, not from a regulation.
[zone]
name = "Zona UMKM Galang Batang"
land_use = "umkm"
area_ha = 9.25
tolerance_ha = 1.25

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
max_m = 1000

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
min_m = 60

[[rules]]
name = "satu hamparan"
name_en = "one piece"
kind = "contiguous"

[[prefer]]
name = "dekat Desa Galang Batang"
name_en = "near Desa Galang Batang"
kind = "near"
to = { layer = "settlements", name = ["Desa Galang Batang"] }

[plots]
road_width_m = 10
max_road_pct = 25

[[plots.types]]
name = "kios"
min_m2 = 120
max_m2 = 300
min_frontage_m = 8

[[plots.types]]
name = "bengkel kapal"
min_m2 = 600
max_m2 = 1500
min_frontage_m = 20
"""
#: The consultant's variants: file, the box (local metres) cut from the estate's land
#: (``None``: built by hand in :func:`_variant_zones`), and the rule ids it breaks
#: (empty: valid; ``"unreadable"``: not a polygon, exit 2).
VARIANTS = [
    ("V01_sah.kml", (700, 470, 990, 790), []),
    ("V02_sah.shp", (1010, 810, 1300, 1094), []),
    ("V03_tanpa_industri.tab", (15, 810, 330, 1094), ["dekat industri"]),
    ("V04_tanpa_muka_jalan.gml", (506, 406, 806, 730), ["muka jalan"]),
    ("V05_jauh_gerbang.csv", (1010, 1106, 1300, 1400), ["dekat gerbang"]),
    ("V06_sempadan_sungai.sqlite", (15, 1250, 494, 1460), ["sempadan sungai"]),
    ("V07_sempadan_pantai.kml", (1950, 406, 2400, 790), ["sempadan pantai"]),
    ("V08_lebar.mif", None, ["lebar terpakai"]),
    ("V09_luas.shp", (600, 406, 990, 790), ["area"]),
    ("V10_tumpang_tindih.gml", (1010, 810, 1494, 1010), ["on"]),
    ("V11_luar_batas.kml", (-10, 1106, 494, 1300), ["on"]),
    ("V12_serpihan.geojson", None, ["satu hamparan"]),
    ("V13_garis.geojsonl", (1010, 810, 1300, 1094), ["unreadable"]),
]


def check_site() -> dict[str, str]:
    """The site's CRSs, checked with pyproj: the UTM zone PROJ names for the corner,
    and that both CRSs' areas of use hold it (north of the equator)."""
    aoi = AreaOfInterest(LON0, LAT0, LON0 + 0.03, LAT0 + 0.02)
    utm = [c.code for c in query_utm_crs_info(datum_name="WGS 84", area_of_interest=aoi)]
    assert utm == ["32648"], utm
    for code in (BUILD_CRS, STORE_CRS):
        a = pyproj.CRS(code).area_of_use
        assert a is not None and a.west <= LON0 <= a.east and a.south <= LAT0 <= a.north, code
    assert LAT0 > 0
    return {c: pyproj.CRS(c).name for c in (BUILD_CRS, STORE_CRS)}


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 48N, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _east_x(y: float) -> float:
    (cx0, cy0), (cx1, cy1) = COAST
    return cx0 + (y - cy0) / (cy1 - cy0) * (cx1 - cx0) - COAST_GAP_M


def _boundary() -> Polygon:
    """West edge on the arterial's centre line, the east edge 90 m inland of the coast."""
    return Polygon([(0, 0), (_east_x(0.0), 0), (_east_x(H), H), (0, H)])


def _river() -> Polygon:
    return LineString(RIVER[1]).buffer(RIVER[2] / 2)


def _land() -> shapely.Geometry:
    """The boundary less the road corridors and the river."""
    corridors = [LineString(c).buffer(WIDTH_M[k] / 2, cap_style="flat") for _, k, c in ROADS]
    return _boundary().difference(shapely.union_all([*corridors, _river()]))


def _block_key(part: Polygon) -> tuple[int, int]:
    c = part.representative_point()
    col = int(np.searchsorted([500, 1000, 1500], c.x))
    if c.y > 1100 and LineString(RIVER[1]).interpolate(LineString(RIVER[1]).project(c)).y < c.y:
        return col, 4
    return col, int(np.searchsorted([400, 800, 1100], c.y))


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


def _use(rng: np.random.Generator, key: tuple[int, int], part: Polygon) -> str:
    use = BLOCK_USE[key]
    if key == (2, 2) and part.centroid.x > 1420:
        return "commercial"  # the east end of reserve D is let to shops
    if use == "industrial" and key[1] == 0:  # the southern row also holds utilities and shops
        return str(rng.choice(["industrial", "utility", "commercial"], p=[0.85, 0.1, 0.05]))
    return use


def build(*, seed: int = 10) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in local metres (south-west corner at the origin), UTM 48N axes."""
    rng = np.random.default_rng(seed)
    boundary = _boundary()
    blocks = sorted((p for p in shapely.get_parts(_land()) if p.area > 200),
                    key=lambda p: (round(p.centroid.y), round(p.centroid.x)))  # fmt: skip
    rows: list[tuple[str, str | None, Polygon]] = []
    for block in blocks:
        key = _block_key(block)
        for part in sorted(_voronoi(rng, block), key=lambda p: (p.centroid.y, p.centroid.x)):
            use = _use(rng, key, part)
            rows.append((use, str(rng.choice(TENANTS)) if use == "industrial" else None, part))
    for part in shapely.get_parts(_river().intersection(boundary)):
        rows.append(("water", None, part))
    roads = [(n, k, LineString(c).intersection(boundary)) for n, k, c in ROADS]
    east_gate = Point(_east_x(800.0), 800.0)
    return {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Kawasan Industri Galang Batang, Bintan (ilustrasi)"]}, geometry=[boundary]),
        "parcels": gpd.GeoDataFrame(
            {"parcel_id": [f"GB-{i:03d}" for i in range(1, len(rows) + 1)],
             "land_use": [r[0] for r in rows], "tenant": [r[1] for r in rows],
             "phase": np.array([1 if r[2].centroid.y < 800 else 2 for r in rows], dtype="int32")},
            geometry=[r[2] for r in rows]),
        "roads": gpd.GeoDataFrame(
            {"road_id": [f"J{i}" for i in range(1, len(roads) + 1)],
             "name": [r[0] for r in roads], "road_class": [r[1] for r in roads],
             "width_m": [WIDTH_M[r[1]] for r in roads]},
            geometry=[r[2] for r in roads]),
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["G1", "G2", "G3"], "kind": ["estate_gate", "estate_gate", "factory_gate"],
             "name": ["Gerbang Utama Lintas Timur", "Gerbang Pelabuhan", "Gerbang PT Galang Batang Smelter"]},
            geometry=[Point(0, 800), east_gate, Point(1500, 200)]),
        "water": gpd.GeoDataFrame(
            {"name": [RIVER[0], "Laut Cina Selatan (pantai)"], "kind": ["river", "coast"]},
            geometry=[LineString(RIVER[1]), LineString(COAST)]),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Galang Batang", "Kampung Masiran", "Desa Kawal"]},
            geometry=[Point(800, 1950), Point(-700, 300), Point(1200, -600)]),
    }  # fmt: skip


def _placed(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """``layers`` moved to the site, in UTM 48N."""
    x0, y0 = _origin()
    return {k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
            for k, v in layers.items()}  # fmt: skip


def _variant_zones(land: shapely.Geometry) -> dict[str, shapely.Geometry]:
    """Each variant's zone in local metres (valid polygons; the messes are added on writing)."""
    out = {}
    for name, box, _ in VARIANTS:
        if box is not None:
            out[name] = shapely.set_precision(land.intersection(shapely.box(*box)), 0.01)
    # past the boundary and across the arterial: the box as drawn, not cut by the land
    out["V11_luar_batas.kml"] = shapely.box(-10, 1106, 494, 1300)
    # a 50 m wide arm along the collector, under the 60 m usable width
    out["V08_lebar.mif"] = shapely.union(
        shapely.box(700, 470, 990, 790), shapely.box(506, 740, 700, 790)
    )
    # the valid V01 with a sliver drawn 0.3 m off its corner (a digitising slip)
    sliver = Polygon([(700.0, 469.7), (712.0, 469.7), (700.0, 469.0)])
    out["V12_serpihan.geojson"] = shapely.MultiPolygon([shapely.box(700, 470, 990, 790), sliver])
    return out


def _messy(geom: Polygon) -> Polygon:
    """``geom`` (one polygon) drawn clockwise, its first vertex repeated, with heights."""
    ring = list(shapely.orient_polygons(geom, exterior_cw=True).exterior.coords)[:-1]
    ring = [ring[0], *ring]  # a duplicate vertex
    return Polygon([(x, y, 12.5) for x, y in ring])


def _kml(name: str, desc: str, geom: Polygon, colour: str) -> str:
    """One Google Earth placemark (lon, lat, height; styles) as Google Earth saves it."""
    coords = " ".join(f"{x:.7f},{y:.7f},{z:.1f}" for x, y, z in geom.exterior.coords)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>{name}.kml</name>
  <Style id="usulan"><LineStyle><color>ff{colour}</color><width>3</width></LineStyle>
    <PolyStyle><color>66{colour}</color></PolyStyle></Style>
  <Folder><name>Usulan zona UMKM</name>
  <Placemark>
    <name>{name}</name>
    <description><![CDATA[<b>Usulan konsultan</b><br/>{desc}]]></description>
    <styleUrl>#usulan</styleUrl>
    <ExtendedData><Data name="luas_ha"><value>{geom.area / 1e4:.2f}</value></Data></ExtendedData>
    <Polygon><extrude>1</extrude><altitudeMode>relativeToGround</altitudeMode>
      <outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs>
    </Polygon>
  </Placemark>
  </Folder>
</Document>
</kml>
"""


def _write_variant(folder: Path, name: str, geom: shapely.Geometry) -> None:
    """Write one variant as its file type is delivered."""
    x0, y0 = _origin()
    placed = shapely.affinity.translate(geom, x0, y0)
    stem, suffix = name.rsplit(".", 1)
    attrs = {"nama": stem.replace("_", " "), "keterangan": "Usulan tata letak — revisi 2",
             "luas_ha": round(geom.area / 1e4, 2)}  # fmt: skip
    drawn = _messy(placed) if isinstance(placed, Polygon) else shapely.force_3d(placed, 12.5)
    utm = gpd.GeoDataFrame({k: [v] for k, v in attrs.items()}, geometry=[drawn], crs=BUILD_CRS)
    path = folder / name
    if suffix == "kml":
        ll = utm.to_crs("EPSG:4326").geometry.iloc[0]
        path.write_text(_kml(stem, attrs["keterangan"], ll, "00a5ff"), encoding="utf-8")
    elif suffix == "shp":
        attrs_l1 = utm.assign(keterangan="Usulan tata letak, revisi 2 - café & kios")
        attrs_l1.to_crs(STORE_CRS).to_file(path, driver="ESRI Shapefile", encoding="LATIN1")
    elif suffix in ("tab", "mif"):
        utm.to_crs(STORE_CRS).to_file(path, driver="MapInfo File")
    elif suffix == "gml":
        utm.to_file(path, driver="GML", FORMAT="GML3")
    elif suffix == "csv":
        ll = utm.to_crs("EPSG:4326")
        wkt = shapely.to_wkt(ll.geometry.iloc[0], rounding_precision=8, output_dimension=3)
        path.write_text(f'WKT;nama;luas_ha\n"{wkt}";{attrs["nama"]};{str(attrs["luas_ha"]).replace(".", ",")}\n',
                        encoding="utf-8")  # fmt: skip
    elif suffix == "sqlite":
        utm.to_file(path, driver="SQLite")
    elif suffix == "geojson":
        utm.to_crs("EPSG:4326").to_file(path, driver="GeoJSON")
    elif suffix == "geojsonl":  # the zone drawn as a closed line
        line = LineString(list(_messy(placed).exterior.coords))
        utm.set_geometry([line], crs=BUILD_CRS).to_crs("EPSG:4326").to_file(
            path, driver="GeoJSONSeq"
        )


def write(out: Path, *, seed: int = 10) -> Path:
    """Write the estate (File Geodatabase, TM-3 48.1), the rules and the variants; return
    the estate's path."""
    check_site()
    layers = build(seed=seed)
    gdb = out / "galang_batang.gdb"
    folder = out / "usulan"
    for old in (gdb, folder):
        shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, gdf in _placed(layers).items():
        gdf.to_crs(STORE_CRS).to_file(gdb, layer=name, driver="OpenFileGDB")
    (out / "trial10_rules.toml").write_text(RULES, encoding="utf-8")
    zones = _variant_zones(_land())
    for name, geom in zones.items():
        _write_variant(folder, name, geom)
    expected = {name: {"breaks": breaks, "area_ha": round(zones[name].area / 1e4, 4)}
                for name, _, breaks in VARIANTS}  # fmt: skip
    (folder / "expected.json").write_text(json.dumps(expected, indent=1), encoding="utf-8")
    return gdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    gdb = write(args.out, seed=args.seed)
    print(f"wrote {gdb}, {args.out / 'trial10_rules.toml'} and {args.out / 'usulan'}/")


if __name__ == "__main__":
    main()
