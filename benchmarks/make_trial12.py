"""An illustrative estate near Patimban, Subang (West Java), as an estate office delivers it.

The layout is invented: a ~1,500 ha estate on the coastal plain of Kecamatan
Pusakanagara, Kabupaten Subang, south of the Patimban port, near 107.87° E, 6.28° S
(WGS 84 / UTM zone 48S, EPSG:32748, 102°–108° E south of the equator; the land
office's DGN95 / Indonesia TM-3 zone 48.2 is EPSG:23834, 105°–108° E; both checked with
pyproj in :func:`check_site`). It is *not* the layout of any real estate there. Jalan
Raya Pantura runs along its south edge, the Patimban toll access road through its
middle to the port, the Java Sea 400 m past its north edge, and a river (Kali
Cipunagara, its alignment invented) crosses its east part to the sea. A road runs
between every two blocks; each block is cut into irregular parcels (Voronoi cells of
seeded points). A village cemetery (an enclave the estate never bought) is a hole in
the boundary.

The estate is written as an estate office hands it over (``OUT_DIR/data_kawasan/``):

- ``boundary.kml``: Google Earth's KML, a polygon with an inner ring (the enclave);
- ``parcels.gpkg``: a GeoPackage in web mercator (EPSG:3857) whose one layer is named
  ``persil_2025``; ``land_use`` in mixed Indonesian and English (``Industri``,
  ``industrial``, ``Tersedia``, ``available``, ``RTH``, …); two parcels share an id, one
  is a bow-tie and one a zero-area sliver;
- ``roads.geojson``: an OpenStreetMap export (overpass-turbo style): MultiLineStrings
  with ``highway``, ``lanes``, ``@id`` and no ``road_class`` or ``width_m``;
- ``gates.csv``: gate points as ``lon``/``lat`` columns;
- ``water.shp``: a Shapefile in TM-3 48.2 whose ``.prj`` is ESRI WKT (as ArcGIS writes
  it), the river and the sea as polygons;
- ``settlements.gpx``: village centres as GPS waypoints.

``trial12_rules.toml`` asks for the 20 ha UMKM zone (the bundled rules adapted). The
folder needs renaming before use: ``OUT_DIR/kawasan_patimban.gpkg`` is what the
planner's notebook cells (:func:`convert`: the README's "Data in other words" recipe,
the duplicate id given a suffix, ``--assume-crs EPSG:4326`` for the CSV, and
``validate --fix``'s repair) write from the folder.

Usage::

    PYTHONPATH=. python benchmarks/make_trial12.py OUT_DIR [--seed 12]

The same seed writes the same files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info
from shapely import LineString, MultiLineString, Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_trial9 import _voronoi  # blocks cut into Voronoi parcels as in the Morowali trial

#: The metric CRS the estate is built in (WGS 84 / UTM zone 48S).
BUILD_CRS = "EPSG:32748"
#: The land office's TM-3 zone 48.2 and web mercator.
TM3, WEB = "EPSG:23834", "EPSG:3857"
#: The estate's south-west corner, lon/lat (WGS 84).
LON0, LAT0 = 107.845, -6.300
W, H = 5000.0, 3000.0
#: The coast (local metres), 400 m past the north edge.
COAST_Y = H + 400.0
#: OSM tags of each road: highway, lanes.
TAGS = {"primary": "4", "secondary": "2", "tertiary": "2", "residential": "2"}
#: Roads: name, highway, centre line (local metres; clipped to the boundary), split
#: into OSM ways at these x or y positions.
ROADS = [
    ("Jalan Raya Pantura", "primary", [(-200, 0), (W + 200, 0)]),
    ("Jalan Akses Tol Patimban", "primary", [(2500, -200), (2500, H + 200)]),
    ("Jalan Kawasan Tengah", "secondary", [(0, 1500), (W, 1500)]),
    ("Jalan Blok A", "tertiary", [(800, 0), (800, H)]),
    ("Jalan Blok B", "tertiary", [(1650, 0), (1650, H)]),
    ("Jalan Blok C", "residential", [(3350, 0), (3350, H)]),
    ("Jalan Blok D", "residential", [(0, 750), (W, 750)]),
    ("Jalan Blok E", "residential", [(0, 2250), (W, 2250)]),
]
#: The river's centre line (past the boundary to the sea) and width, m.
RIVER = ("Kali Cipunagara (ilustrasi)",
         [(4350, -300), (4500, 600), (4250, 1400), (4550, 2300), (4400, COAST_Y + 50)], 40.0)  # fmt: skip
#: The cemetery enclave (a hole in the boundary).
ENCLAVE = Polygon([(1150, 1000), (1400, 1000), (1400, 1220), (1150, 1220)])
#: Land use of a block by (column, row): columns split at x = 800, 1650, 2500, 3350 and
#: the river; rows at y = 750, 1500, 2250. The values are as the office typed them.
BLOCK_USE = {
    (0, 0): "Komersial", (1, 0): "Industri", (2, 0): "industrial", (3, 0): "Industri", (4, 0): "Utilitas", (5, 0): "industrial",
    (0, 1): "Tersedia", (1, 1): "available", (2, 1): "Industri", (3, 1): "Tersedia", (4, 1): "industrial", (5, 1): "RTH",
    (0, 2): "Industri", (1, 2): "Tersedia", (2, 2): "available ", (3, 2): "Industri", (4, 2): "Tersedia", (5, 2): "industrial",
    (0, 3): "RTH", (1, 3): "Industri", (2, 3): "Tersedia", (3, 3): "industrial", (4, 3): "Tersedia", (5, 3): "green",
}  # fmt: skip
#: The office's values and what they mean in SPEC §1 (the planner's renaming).
LAND_USE = {"industri": "industrial", "tersedia": "available", "rth": "green",
            "komersial": "commercial", "utilitas": "utility", "sungai": "water"}  # fmt: skip
#: OSM's highway tag to kitland's road class (the planner's renaming).
ROAD_CLASS = {"primary": "arterial", "secondary": "collector", "tertiary": "local",
              "residential": "local"}  # fmt: skip
TENANTS = ("PT Otomotif Subang <Plant 1>", "PT Tekstil \"Pantura\" Jaya", "CV Mitra Tani & Sons",
           "PT Logistik Pelabuhan Patimban")  # fmt: skip
RULES = """\
# Zona UMKM di kawasan ilustrasi dekat Patimban, Subang (benchmarks/make_trial12.py):
# the bundled rules adapted (roads between every block: adjacency across a street).
# Nilai ilustratif, bukan dari peraturan.
[zone]
name = "Zona UMKM Patimban"
land_use = "umkm"
min_ha = 20.0
max_ha = 21.0
on = ["available"]

[[rules]]
name = "bersebelahan dengan industri"
name_en = "next to industry"
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 100
max_gap_m = 30
across = ["local", "collector"]

[[rules]]
name = "muka jalan"
name_en = "road frontage"
kind = "frontage"
road_class = ["arterial", "collector"]
min_m = 150

[[rules]]
name = "dekat gerbang kawasan"
name_en = "near an estate gate"
kind = "network_distance"
from = { layer = "gates", kind = ["estate_gate"] }
max_m = 2500

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
name = "dekat Desa Patimban"
name_en = "near Desa Patimban"
kind = "near"
to = { layer = "settlements", name = ["Desa Patimban"] }
weight = 1.0

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1

[[layout]]
name = "porsi ruang terbuka hijau"
name_en = "green share"
kind = "land_share"
land_use = ["green"]
min_pct = 10
"""


def check_site() -> dict[str, str]:
    """The site's CRSs, checked with pyproj: the UTM zone PROJ names for the corner, and
    that every CRS's area of use holds it (south of the equator, west of 108° E)."""
    aoi = AreaOfInterest(LON0, LAT0, LON0 + 0.05, LAT0 + 0.03)
    utm = {c.code for c in query_utm_crs_info(datum_name="WGS 84", area_of_interest=aoi)}
    assert utm == {"32748"}, utm
    for code in (BUILD_CRS, TM3, WEB):
        a = pyproj.CRS(code).area_of_use
        assert a is not None and a.west <= LON0 <= a.east and a.south <= LAT0 <= a.north, code
    return {c: pyproj.CRS(c).name for c in (BUILD_CRS, TM3, WEB)}


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 48S, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _boundary() -> Polygon:
    """A rectangle with a notch on the north-west (land not sold) and the enclave's hole."""
    shell = [(0, 0), (W, 0), (W, H), (700, H), (700, H - 300), (0, H - 300)]
    return Polygon(shell, [list(ENCLAVE.exterior.coords)])


def _river() -> Polygon:
    return LineString(RIVER[1]).buffer(RIVER[2] / 2)


def _width(highway: str) -> float:
    """The corridor the office's lanes imply: 3.5 m a lane and 2.5 m each side."""
    return 3.5 * int(TAGS[highway]) + 5.0


def _land() -> shapely.Geometry:
    """The boundary less the road corridors and the river."""
    corridors = [LineString(c).buffer(_width(k) / 2, cap_style="flat") for _, k, c in ROADS]
    return _boundary().difference(shapely.union_all([*corridors, _river()]))


def _block_key(part: Polygon) -> tuple[int, int]:
    c = part.representative_point()
    river = LineString(RIVER[1])
    col = int(np.searchsorted([800, 1650, 2500, 3350], c.x))
    if col == 4 and river.interpolate(river.project(c)).x < c.x:
        col = 5
    return col, int(np.searchsorted([750, 1500, 2250], c.y))


def _parcels(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Parcels with the office's values and its three mistakes (a duplicate id, a
    bow-tie, a zero-area sliver)."""
    boundary = _boundary()
    blocks = sorted((p for p in shapely.get_parts(_land()) if p.area > 200),
                    key=lambda p: (round(p.centroid.y), round(p.centroid.x)))  # fmt: skip
    rows: list[tuple[str, str | None, shapely.Geometry]] = []
    for block in blocks:
        use = BLOCK_USE[_block_key(block)]
        for part in sorted(_voronoi(rng, block, parcel_m2=50_000), key=lambda p: (p.centroid.y, p.centroid.x)):
            industrial = LAND_USE.get(use.strip().lower(), use.strip()) == "industrial"
            rows.append((use, str(rng.choice(TENANTS)) if industrial else None, part))
    for part in shapely.get_parts(_river().intersection(boundary)):
        rows.append(("Sungai", None, part))
    ids = [f"PTB-{i:04d}" for i in range(1, len(rows) + 1)]
    ids[41] = ids[40]  # a subdivided parcel keeps its old id for both parts
    ring = list(rows[60][2].exterior.coords)[:-1]
    ring[1], ring[2] = ring[2], ring[1]  # two corners clicked in the wrong order: a bow-tie
    rows[60] = (rows[60][0], rows[60][1], Polygon(ring))
    edge = rows[70][2].exterior.coords
    sliver = Polygon([edge[0], edge[1], edge[0]])  # a digitising slip: no area
    rows.append(("Tersedia", None, sliver))
    ids.append(f"PTB-{len(rows):04d}")
    return gpd.GeoDataFrame(
        {"parcel_id": ids, "land_use": [r[0] for r in rows], "tenant": [r[1] for r in rows],
         "luas_ha": [round(r[2].area / 10_000, 2) for r in rows]},
        geometry=[r[2] for r in rows])  # fmt: skip


def _osm_roads(boundary: Polygon) -> gpd.GeoDataFrame:
    """Roads as an OSM export: one MultiLineString per named road (its ways), tags only."""
    rows = []
    for i, (name, highway, coords) in enumerate(ROADS):
        line = LineString(coords).intersection(boundary.buffer(0.5).exterior.convex_hull)
        a, b = line.coords[0], line.coords[-1]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        ways = MultiLineString([[a, mid], [mid, b]])  # two OSM ways
        rows.append({"@id": f"relation/{9_100_000 + i}", "highway": highway, "name": name,
                     "lanes": TAGS[highway], "surface": "asphalt", "geometry": ways})  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry")


def build(*, seed: int = 12) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in local metres (south-west corner at the origin), UTM 48S axes."""
    rng = np.random.default_rng(seed)
    boundary = _boundary()
    sea = Polygon([(-1000, COAST_Y), (W + 1000, COAST_Y), (W + 1000, COAST_Y + 1500),
                   (-1000, COAST_Y + 1500)])  # fmt: skip
    river = _river().difference(sea)
    return {
        "boundary": gpd.GeoDataFrame(
            {"Name": ["Kawasan Industri Patimban, Subang (ilustrasi)"],
             "Description": ["Batas kawasan; enclave makam desa dikecualikan"]},
            geometry=[boundary]),
        "parcels": _parcels(rng),
        "roads": _osm_roads(boundary),
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["G1", "G2", "G3"], "kind": ["estate_gate", "estate_gate", "factory_gate"],
             "name": ["Gerbang Utama Pantura", "Gerbang Tol Patimban", "Gerbang PT Otomotif"]},
            geometry=[Point(2500, 0), Point(2500, H), Point(1650, 750)]),
        "water": gpd.GeoDataFrame(
            {"nama": [RIVER[0], "Laut Jawa"], "kind": ["River", "coast "]},
            geometry=[river, sea]),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Patimban", "Desa Kalentambo", "Desa Pusakaratu"]},
            geometry=[Point(1200, 3900), Point(-700, 1600), Point(3000, -900)]),
    }  # fmt: skip


def _placed(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """``layers`` moved to the site, in UTM 48S."""
    x0, y0 = _origin()
    return {k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
            for k, v in layers.items()}  # fmt: skip


def _ring(coords: object) -> str:
    return " ".join(f"{x:.7f},{y:.7f},0" for x, y in coords)  # type: ignore[attr-defined]


def _kml(boundary: gpd.GeoDataFrame) -> str:
    """Google Earth's KML of the boundary: one placemark, a polygon with inner rings."""
    row = boundary.to_crs("EPSG:4326").iloc[0]
    poly = row.geometry
    inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{_ring(r.coords)}"
                    "</coordinates></LinearRing></innerBoundaryIs>" for r in poly.interiors)  # fmt: skip
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>batas_kawasan.kml</name>'
            f"<Placemark><name>{row['Name']}</name><description>{row['Description']}</description>"
            "<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing><coordinates>"
            f"{_ring(poly.exterior.coords)}</coordinates></LinearRing></outerBoundaryIs>{inner}"
            "</Polygon></Placemark></Document></kml>\n")  # fmt: skip


def _write_gates_csv(gates: gpd.GeoDataFrame, path: Path) -> None:
    ll = gates.to_crs("EPSG:4326")
    table = pd.DataFrame(ll.drop(columns="geometry"))
    table["lon"] = ll.geometry.x.round(7)
    table["lat"] = ll.geometry.y.round(7)
    table.to_csv(path, index=False)


def _write_osm_geojson(roads: gpd.GeoDataFrame, path: Path) -> None:
    """Overpass turbo's export: RFC 7946 lon/lat, tags as properties, an ``id``."""
    ll = roads.to_crs("EPSG:4326")
    data = json.loads(ll.to_json(drop_id=True))
    for f, rid in zip(data["features"], ll["@id"], strict=True):
        f["id"] = rid
    data["generator"] = "overpass-turbo"
    data["copyright"] = "The data included in this document is illustrative (kitland trial 12)."
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def write(out: Path, *, seed: int = 12) -> Path:
    """Write the estate office's folder and the rules; return the folder."""
    check_site()
    folder = out / "data_kawasan"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    layers = _placed(build(seed=seed))
    (folder / "boundary.kml").write_text(_kml(layers["boundary"]), encoding="utf-8")
    layers["parcels"].to_crs(WEB).to_file(
        folder / "parcels.gpkg", layer="persil_2025", driver="GPKG", engine="fiona")
    _write_osm_geojson(layers["roads"], folder / "roads.geojson")
    _write_gates_csv(layers["gates"], folder / "gates.csv")
    layers["water"].to_crs(TM3).to_file(folder / "water.shp", engine="fiona")
    (folder / "water.prj").write_text(pyproj.CRS(TM3).to_wkt("WKT1_ESRI"), encoding="ascii")
    layers["settlements"].to_crs("EPSG:4326").to_file(
        folder / "settlements.gpx", driver="GPX", engine="fiona")  # fmt: skip
    (out / "trial12_rules.toml").write_text(RULES, encoding="utf-8")
    return folder


def convert(folder: Path, out: Path) -> Path:
    """The planner's notebook cells: the office's values renamed to SPEC §1's, the
    duplicate id suffixed, the road class from OSM's ``highway`` and the width from its
    ``lanes``, the invalid parcels repaired; written to ``out`` (a GeoPackage)."""
    import kitland.io  # noqa: PLC0415 (only this step needs kitland)
    import kitland.validation  # noqa: PLC0415

    estate = kitland.load_estate(folder, strict=False, assume_crs="EPSG:4326")
    parcels = estate.parcels.copy()
    parcels["land_use"] = parcels["land_use"].str.strip().str.lower().replace(LAND_USE)
    dup = parcels["parcel_id"].duplicated()
    parcels.loc[dup, "parcel_id"] = parcels.loc[dup, "parcel_id"] + "-B"
    roads = estate.roads.copy()
    roads["road_class"] = roads["highway"].map(ROAD_CLASS)
    roads["width_m"] = roads["highway"].map(_width)
    layers = {**estate.layers, "parcels": parcels, "roads": roads}
    fixed = kitland.validation.repair(kitland.Estate.from_layers(layers, source=str(folder)))
    return kitland.io.write_estate(fixed, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed)
    gpkg = convert(folder, args.out / "kawasan_patimban.gpkg")
    print(f"wrote {folder}/, {args.out / 'trial12_rules.toml'} and {gpkg} (converted)")


if __name__ == "__main__":
    main()
