"""An illustrative estate near Kendal (Central Java), as a new user's data.

The layout is invented: a ~230 ha estate on the coastal plain of Kaliwungu, Kabupaten
Kendal, near 110.24° E, 6.95° S (WGS 84 / UTM zone 49S, EPSG:32749; the land office's
grid there is DGN95 / Indonesia TM-3 zone 49.1, EPSG:23835, 108°–111° E, checked with
pyproj), with the Pantura arterial along its south edge, a collector through the middle,
local roads between the blocks, a river across the north-west and the Java Sea coast
beyond the north edge. It is *not* the layout of the Kendal Industrial Park or of any
real estate.

It is handed over as a planner in Java gets it, in formats the earlier trials did not
use: a folder holding

- ``boundary.kml``: KML as Google Earth exports it (lon/lat, a ``Placemark`` with a
  ``name`` and an HTML ``description``; GDAL reads them as ``Name`` and ``Description``);
- ``parcels.zip``: a zipped Shapefile in TM-3 zone 49.1 (``.shp``, ``.shx``, ``.dbf``,
  ``.prj``, ``.cpg`` inside), ids as text with leading zeros, land uses in odd case and
  with trailing spaces (``Industrial ``, ``AVAILABLE``), and a ``luas`` column of text
  that holds numbers and words;
- ``roads.dxf``: a DXF from a consultant's CAD, no CRS (TM-3 zone 49.1 coordinates), each
  road corridor drawn as a closed polyline (an outline, not a centre line), the class in
  the CAD layer name (``JALAN_ARTERI``, ``JALAN_KOLEKTOR``, ``JALAN_LOKAL``);
- ``gates.csv``: CSV with a ``WKT`` column in lon/lat and no CRS; a gate with an entry and
  an exit lane is a MultiPoint; ``gate_id`` holds ``01``, ``2`` and ``G3``;
- ``water.gml``: GML in UTM 49S (the river as a polygon, the coast as a line);
- ``settlements.kmz``: Google Earth's zipped KML, villages as placemarks.

Unless ``--clean``, the parcels hold a planner's mistakes: one parcel drawn twice (an
exact copy), two neighbours digitised 0.4 m apart (a slit), a bow-tie, and a record with
no geometry. ``--clean`` leaves those out.

The rules written beside it (``trial8_rules.toml``) are what a user writes from the
README: a 12–13 ha UMKM zone facing industry across a street, 60 m of frontage on the
arterial or the collector, within 1.2 km of an estate gate along the roads, 50 m from the
river and 100 m from the coast, 50 m usable width, near Desa Mororejo, a compact outline.

Usage::

    python benchmarks/make_trial8.py OUT_DIR [--seed 8] [--clean]

writes the folder ``OUT_DIR/kendal/`` and ``OUT_DIR/trial8_rules.toml``. The same seed
writes the same files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely import LineString, MultiPoint, Polygon, box

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_trial6 import _strips  # blocks cut into strips as in the Batu Bara trial

#: The metric CRS the estate is built in (WGS 84 / UTM zone 49S) and the land office's.
BUILD_CRS = "EPSG:32749"
TM3_CRS = "EPSG:23835"  # DGN95 / Indonesia TM-3 zone 49.1 (108°–111° E)
#: The estate's south-west corner, lon/lat.
LON0, LAT0 = 110.235, -6.962
#: The estate's extent, m.
W, H = 1800.0, 1300.0
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
CAD_LAYER = {"arterial": "JALAN_ARTERI", "collector": "JALAN_KOLEKTOR", "local": "JALAN_LOKAL"}
#: Roads: name, class, centre line (local metres).
ROADS = [
    ("Jalan Raya Kaliwungu – Kendal (Pantura)", "arterial", [(0, 0), (W, 0)]),
    ("Jalan Kawasan Utama", "collector", [(900, 0), (900, H)]),
    ("Jalan Blok A", "local", [(0, 430), (W, 430)]),
    ("Jalan Blok B", "local", [(0, 860), (W, 860)]),
    ("Jalan Blok C", "local", [(450, 0), (450, 860)]),
    ("Jalan Blok D", "local", [(1350, 0), (1350, H)]),
]
#: The river's centre line (it runs past the boundary) and its width, m.
RIVER = [(-40, 980), (180, 1060), (420, 1180), (640, 1340)]
RIVER_WIDTH_M = 18.0
#: The coast, beyond the north edge.
COAST = [(-200, 1420), (W + 200, 1380)]
TENANTS = ("PT Mebel Jati Kendal (ilustrasi)", "PT Garmen Kaliwungu", "CV Makanan Ringan Bodri",
           "PT Baja Ringan Pantura", "PT Pengolahan Ikan Mororejo – Unit 2")  # fmt: skip
#: How the planner's table writes each land use.
WRITTEN = {"industrial": "Industrial ", "available": "AVAILABLE", "green": "green",
           "commercial": "Commercial", "utility": "utility ", "water": "Water"}  # fmt: skip
RULES = """\
# UMKM rules for the invented Kendal estate (benchmarks/make_trial8.py), written from the
# README as a new user would. Illustrative values, not from a regulation.
[zone]
name = "Zona UMKM Kaliwungu"
land_use = "umkm"
min_ha = 12
max_ha = 13
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
min_m = 60

[[rules]]
name = "dekat gerbang"
name_en = "near a gate"
kind = "network_distance"
from = { layer = "gates", kind = ["estate_gate"] }
max_m = 1200

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
name = "dekat Mororejo"
name_en = "near Mororejo"
kind = "near"
to = { layer = "settlements", name = ["Desa Mororejo"] }

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1
"""


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 49S, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _river() -> Polygon:
    return LineString(RIVER).buffer(RIVER_WIDTH_M / 2)


def _corridor(kind: str, line: list[tuple[float, float]]) -> Polygon:
    return LineString(line).buffer(WIDTH_M[kind] / 2, cap_style="flat")


def _use(rng: np.random.Generator, block: Polygon, river: Polygon) -> str:
    c = block.centroid
    if (c.x < 450 and 430 < c.y < 860) or (900 < c.x < 1350 and 430 < c.y < 860):
        return "available"  # the two reserves
    if block.distance(river) < 15:
        return "green"
    uses = ["industrial", "available", "green", "commercial"]
    return str(rng.choice(uses, p=[0.6, 0.2, 0.1, 0.1]))


def _bow_tie(p: Polygon) -> Polygon:
    """``p``'s bounding box with two corners swapped: a self-intersecting ring."""
    x1, y1, x2, y2 = p.bounds
    return Polygon([(x1, y1), (x2, y2), (x2, y1), (x1, y2)])


def _parcels(
    rng: np.random.Generator, *, mistakes: bool
) -> list[tuple[str, str, str, Polygon | None]]:
    river = _river()
    corridors = shapely.union_all([_corridor(k, c) for _, k, c in ROADS])
    land = box(0, 0, W, H).difference(corridors)
    blocks = sorted(
        shapely.get_parts(land.difference(river)), key=lambda p: (p.centroid.y, p.centroid.x)
    )
    rows: list[tuple[str, str, Polygon | None]] = []
    for block in blocks:
        if block.area < 500:
            continue
        n = 1 if block.area < 60_000 else (2 if block.area < 140_000 else 3)
        for part in _strips(block, n):
            use = _use(rng, part, river)
            tenant = str(rng.choice(TENANTS)) if use == "industrial" else ""
            rows.append((use, tenant, part))
    for part in shapely.get_parts(river.intersection(land)):
        rows.append(("water", "", part))
    if mistakes:
        # two industrial neighbours digitised 0.4 m apart: a slit between them
        k = next(k for k, r in enumerate(rows) if r[0] == "industrial" and r[2] is not None
                 and rows[k + 1][0] == "industrial")  # fmt: skip
        g = rows[k][2]
        assert g is not None
        x1, y1, x2, y2 = g.bounds
        rows[k] = (rows[k][0], rows[k][1], g.intersection(box(x1, y1, x2 - 0.4, y2)))
        # a green strip along the river drawn as a bow-tie
        k = next(k for k, r in enumerate(rows) if r[0] == "green")
        g = rows[k][2]
        assert g is not None
        rows[k] = (rows[k][0], rows[k][1], _bow_tie(g))
        rows.append(("commercial", "", None))  # a record whose geometry was deleted
    return [(f"{n:03d}", *r) for n, r in enumerate(rows, start=1)]


def build(*, seed: int = 8, mistakes: bool = True) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in UTM 49S, with the planner's columns and values."""
    rng = np.random.default_rng(seed)
    x0, y0 = _origin()
    parcels = _parcels(rng, mistakes=mistakes)
    luas = [f"{g.area / 10_000:.2f}" if g is not None and i % 4 else "belum diukur"
            for i, (_, _, _, g) in enumerate(parcels)]  # fmt: skip
    if mistakes:  # one industrial parcel drawn twice: an exact copy
        k = next(k for k, p in enumerate(parcels) if p[1] == "industrial")
        parcels.append(parcels[k])
        luas.append(luas[k])
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"name": ["Kawasan Industri Kaliwungu Kendal (ilustrasi)"]}, geometry=[box(0, 0, W, H)]),
        "parcels": gpd.GeoDataFrame(
            {"parcel_id": [p[0] for p in parcels], "land_use": [WRITTEN[p[1]] for p in parcels],
             "tenant": [p[2] or None for p in parcels], "luas": luas},
            geometry=[p[3] for p in parcels]),
        "roads": gpd.GeoDataFrame(
            {"Layer": [CAD_LAYER[r[1]] for r in ROADS], "name": [r[0] for r in ROADS]},
            geometry=[_corridor(r[1], r[2]).intersection(box(-20, -20, W + 20, H + 20))
                      for r in ROADS]),
        "gates": gpd.GeoDataFrame(
            {"gate_id": ["01", "2", "G3"], "kind": ["estate_gate", "Estate_Gate", "factory_gate"],
             "name": ["Gerbang Utama Pantura", "Gerbang Timur", "Gerbang PT Baja Ringan"]},
            geometry=[MultiPoint([(895, -6), (905, -6)]), MultiPoint([(W + 4, 860)]),
                      MultiPoint([(1350, 300)])]),
        "water": gpd.GeoDataFrame(
            {"name": ["Kali Aji (ilustrasi)", "Laut Jawa"], "kind": ["River", "COAST"]},
            geometry=[_river(), LineString(COAST)]),
        "settlements": gpd.GeoDataFrame(
            {"name": ["Desa Mororejo", "Desa Wonorejo"]},
            geometry=[shapely.Point(-300, 1550), shapely.Point(2150, 250)]),
    }  # fmt: skip
    return {
        k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
        for k, v in layers.items()
    }


def _kml(gdf: gpd.GeoDataFrame, title: str) -> str:
    """KML as Google Earth writes it: placemarks with a name and an HTML description."""
    marks = []
    for row in gdf.to_crs("EPSG:4326").itertuples():
        geom = row.geometry
        if geom.geom_type == "Point":
            shape = f"<Point><coordinates>{geom.x:.7f},{geom.y:.7f},0</coordinates></Point>"
        else:
            ring = " ".join(f"{x:.7f},{y:.7f},0" for x, y in geom.exterior.coords)
            shape = ("<Polygon><tessellate>1</tessellate><outerBoundaryIs><LinearRing>"
                     f"<coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon>")  # fmt: skip
        desc = escape(f"<b>{row.name}</b><br/>Sumber: survei lapangan 2026 (ilustrasi)")
        marks.append(f"<Placemark><name>{escape(row.name)}</name><description>{desc}"
                     f"</description>{shape}</Placemark>")  # fmt: skip
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2" '
            'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document>'
            f"<name>{escape(title)}</name><Folder><name>{escape(title)}</name>"
            + "".join(marks) + "</Folder></Document></kml>\n")  # fmt: skip


def _zipped_shapefile(gdf: gpd.GeoDataFrame, path: Path, tmp: Path) -> None:
    tmp.mkdir()
    gdf.to_file(tmp / f"{path.stem}.shp", engine="fiona", encoding="utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(tmp.iterdir()):
            z.write(f, f.name)
    shutil.rmtree(tmp)


def _dxf(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Closed polylines on CAD layers, no CRS (a DXF declares none)."""
    outlines = gdf.set_geometry(gdf.geometry.exterior)[["Layer", "geometry"]]
    outlines.to_file(path, driver="DXF", engine="pyogrio")


def write(out: Path, *, seed: int = 8, mistakes: bool = True) -> Path:
    """Write the estate folder and the rules; return the folder."""
    folder = out / "kendal"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    layers = build(seed=seed, mistakes=mistakes)
    boundary = layers["boundary"]
    (folder / "boundary.kml").write_text(_kml(boundary, "batas kawasan"), encoding="utf-8")
    _zipped_shapefile(layers["parcels"].to_crs(TM3_CRS), folder / "parcels.zip", out / ".shp")
    _dxf(layers["roads"].to_crs(TM3_CRS), folder / "roads.dxf")
    gates = layers["gates"].to_crs("EPSG:4326")
    gates.assign(WKT=gates.geometry.to_wkt(rounding_precision=7)).drop(columns="geometry").to_csv(
        folder / "gates.csv", index=False
    )
    layers["water"].to_file(folder / "water.gml", driver="GML", engine="pyogrio")
    with zipfile.ZipFile(folder / "settlements.kmz", "w") as z:
        z.writestr("doc.kml", _kml(layers["settlements"], "desa"))
    (out / "trial8_rules.toml").write_text(RULES, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--clean", action="store_true", help="leave out the data mistakes")
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed, mistakes=not args.clean)
    print(f"wrote {folder}/ and {args.out / 'trial8_rules.toml'}")


if __name__ == "__main__":
    main()
