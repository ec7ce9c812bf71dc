"""An illustrative estate near Sorong (Papua Barat Daya), as a new user's data.

The layout is invented: a ~270 ha estate on the plain east of Sorong near 131.33° E,
0.93° S (south of the equator: WGS 84 / UTM zone 52S, EPSG:32752; the land office's grid
there is DGN95 / Indonesia TM-3 zone 52.2, EPSG:23842), with an arterial along its
south edge, a collector through the middle, local roads between the blocks, a river
across the north-east, a fish pond inside one parcel and a substation inside another.
It is *not* the layout of any real estate (the special economic zone of Sorong lies
elsewhere and looks nothing like it).

It is handed over as a consultant sends it, in formats the earlier trials did not use:
a folder holding

- ``boundary.geojson``: GeoJSON with a ``crs`` member naming TM-3 zone 52.2 (the old
  GeoJSON 2008 way; coordinates in metres) and 3-D (Z) coordinates;
- ``parcels.fgb``: FlatGeobuf in TM-3 zone 52.2, 3-D, MultiPolygons with holes,
  attribute names in Indonesian (``id_persil``, ``guna_lahan``, ``penyewa``, ``tahap``),
  the land uses in Indonesian words (``Industri``, ``Tersedia``, ``RTH``, …), numeric ids
  stored as text with leading zeros;
- ``roads.geojson``: RFC 7946 GeoJSON (lon/lat) with ``kelas`` (``Arteri``, ``Kolektor``,
  ``Lokal``) and ``lebar`` as text (``"12"``), one junction left unsnapped (a local road
  ends 4 m short of the collector's centre line, inside its corridor) and a dangling
  piece of road touching nothing;
- ``gates.fgb``: FlatGeobuf in UTM 52S with ``jenis`` (``Gerbang Kawasan``, …), the gates
  digitised a few metres off the road centre lines;
- ``water.gpkg``: a GeoPackage in UTM 52S whose one layer is named ``perairan``, with
  ``jenis`` (``Sungai``, ``Kolam``);
- ``settlements.geojson``: RFC 7946 GeoJSON with ``nama``.

Unless ``--clean``, one available parcel is digitised up to a local road's centre line
(it overlaps the road corridor by 6 m), and the fish pond is a hole no parcel covers (a
gap). ``--clean`` leaves the data as a careful consultant would: the same files and
attribute names, without those two.

The rules written beside it (``trial7_rules.toml``) are what a user writes from the
README: a 15–16 ha UMKM zone facing industry across a street, 80 m of frontage on the
arterial or the collector, within 1.5 km of an estate gate along the roads, 50 m from
the river, 50 m usable width, near Kampung Makbalim.

Usage::

    python benchmarks/make_trial7.py OUT_DIR [--seed 7] [--clean]

writes the folder ``OUT_DIR/sorong/`` and ``OUT_DIR/trial7_rules.toml``. The same seed
writes the same files.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely import LineString, MultiPolygon, Point, Polygon, box

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_trial6 import _strips  # blocks cut into strips as in the Batu Bara trial

#: The metric CRS the estate is built in (WGS 84 / UTM zone 52S) and the land office's.
BUILD_CRS = "EPSG:32752"
TM3_CRS = "EPSG:23842"  # DGN95 / Indonesia TM-3 zone 52.2 (129°–132° E)
#: The estate's south-west corner, lon/lat.
LON0, LAT0 = 131.33, -0.935
#: The estate's extent, m.
W, H = 2000.0, 1400.0
#: The ground's height, m (the Z the survey recorded).
Z_M = 14.0
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
KELAS = {"arterial": "Arteri", "collector": "Kolektor", "local": "Lokal"}
GUNA = {"industrial": "Industri", "available": "Tersedia", "green": "RTH",
        "commercial": "Komersial", "utility": "Utilitas", "water": "Air"}  # fmt: skip
#: Roads: name, class, centre line (local metres).
ROADS = [
    ("Jalan Trans Papua Barat", "arterial", [(0, 0), (W, 0)]),
    ("Jalan Kolektor Mayamuk", "collector", [(1000, 0), (1000, H)]),
    ("Jalan Lokal 1 Barat", "local", [(0, 470), (1000, 470)]),
    # digitised from the collector's far side: it stops 4 m short of the centre line
    ("Jalan Lokal 1 Timur", "local", [(1004, 470), (W, 470)]),
    ("Jalan Lokal 2", "local", [(0, 940), (W, 940)]),
    ("Jalan Lokal 3", "local", [(500, 0), (500, 940)]),
    ("Jalan Lokal 4", "local", [(1500, 0), (1500, H)]),
    ("Jalan Inspeksi (belum tersambung)", "local", [(220, 1160), (400, 1160)]),  # dangling
]
#: The river's centre line (it runs past the boundary) and its width, m.
RIVER = [(1180, 1460), (1260, 1250), (1420, 1120), (1650, 1060), (1850, 900), (2080, 860)]
RIVER_WIDTH_M = 22.0
#: The fish pond (a hole in an available parcel) and the substation (a utility parcel
#: inside an industrial one), local metres.
POND = box(180, 600, 240, 660)
SUBSTATION = box(1230, 220, 1290, 280)
TENANTS = ("PT Semen Papua Barat (ilustrasi)", "PT Nikel Raja Ampat", "CV Sagu Malamoi",
           "PT Kayu Lapis Klamono", "PT Perikanan Doom – Unit Pengolahan")  # fmt: skip
RULES = """\
# UMKM rules for the invented Sorong estate (benchmarks/make_trial7.py), written from the
# README as a new user would. Illustrative values, not from a regulation.
[zone]
name = "Zona UMKM Sorong"
land_use = "umkm"
min_ha = 15
max_ha = 16
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
min_m = 80

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
min_m = 50

[[prefer]]
name = "dekat Makbalim"
name_en = "near Makbalim"
kind = "near"
to = { layer = "settlements", name = ["Kampung Makbalim"] }

[[prefer]]
name = "garis batas kompak"
name_en = "compact outline"
kind = "compact"
weight = 0.1
"""


def _origin() -> tuple[float, float]:
    """The south-west corner in UTM 52S, rounded to the metre."""
    t = pyproj.Transformer.from_crs("EPSG:4326", BUILD_CRS, always_xy=True)
    x, y = t.transform(LON0, LAT0)
    return round(x), round(y)


def _river() -> Polygon:
    return LineString(RIVER).buffer(RIVER_WIDTH_M / 2)


def _corridors() -> shapely.Geometry:
    return shapely.union_all(
        [LineString(c).buffer(WIDTH_M[k] / 2, cap_style="flat") for _, k, c in ROADS]
    )


def _use(rng: np.random.Generator, block: Polygon, river: Polygon) -> str:
    c = block.centroid
    if (c.x < 500 and c.y > 940) or (500 < c.x < 1000 and 470 < c.y < 940):
        return "available"  # the two reserves
    if block.distance(river) < 15:
        return str(rng.choice(["green", "available"], p=[0.6, 0.4]))
    uses = ["industrial", "available", "green", "commercial"]
    return str(rng.choice(uses, p=[0.6, 0.2, 0.1, 0.1]))


def _parcels(
    rng: np.random.Generator, *, mistakes: bool
) -> list[tuple[str, str, Polygon | MultiPolygon]]:
    river = _river()
    land = box(0, 0, W, H).difference(_corridors())
    rows: list[tuple[str, str, Polygon | MultiPolygon]] = []
    blocks = sorted(
        shapely.get_parts(land.difference(river)), key=lambda p: (p.centroid.y, p.centroid.x)
    )
    for block in blocks:
        if block.area < 500:
            continue
        n = 1 if block.area < 70_000 else (2 if block.area < 150_000 else 3)
        for part in _strips(block, n):
            use = _use(rng, part, river)
            if part.contains(SUBSTATION):
                rows.append(("industrial", "PT Nikel Raja Ampat", part.difference(SUBSTATION)))
                rows.append(("utility", "PLN Gardu Induk (ilustrasi)", SUBSTATION))
                continue
            if part.contains(POND):  # the pond is no parcel's land
                part = part.difference(POND)
            tenant = str(rng.choice(TENANTS)) if use == "industrial" else ""
            rows.append((use, tenant, part))
    for part in shapely.get_parts(river.intersection(land)):
        rows.append(("water", "", part))
    # one tenant's two strips across a local road: one parcel of two parts
    pairs = [(i, j) for i, j in itertools.combinations(range(len(rows)), 2)
             if rows[i][0] == rows[j][0] == "industrial" and rows[i][2].distance(rows[j][2]) < 13
             and rows[i][1] != "PT Nikel Raja Ampat"]  # fmt: skip
    i, j = pairs[0]
    rows[i] = (rows[i][0], rows[i][1], MultiPolygon([rows[i][2], rows[j][2]]))
    del rows[j]
    if mistakes:  # an available parcel digitised to the road's centre line
        k = next(
            k for k, r in enumerate(rows) if r[0] == "available" and abs(r[2].bounds[2] - 494) < 1
        )
        x1, y1, _, y2 = rows[k][2].bounds
        rows[k] = (rows[k][0], rows[k][1], rows[k][2].union(box(x1, y1, 500, y2)))
    else:
        rows.append(("water", "", POND))
    return [(f"{n:03d}", *r) for n, r in enumerate(rows, start=1)]


def build(*, seed: int = 7, mistakes: bool = True) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in UTM 52S, with the consultant's Indonesian attribute names."""
    rng = np.random.default_rng(seed)
    x0, y0 = _origin()
    parcels = _parcels(rng, mistakes=mistakes)
    layers = {
        "boundary": gpd.GeoDataFrame(
            {"nama": ["Kawasan Industri Sorong Timur (ilustrasi)"]}, geometry=[box(0, 0, W, H)]),
        "parcels": gpd.GeoDataFrame(
            {"id_persil": [p[0] for p in parcels], "guna_lahan": [GUNA[p[1]] for p in parcels],
             "penyewa": [p[2] or None for p in parcels],
             "tahap": [str(rng.integers(1, 4)) for _ in parcels]},
            geometry=[p[3] for p in parcels]),
        "roads": gpd.GeoDataFrame(
            {"id_jalan": [str(i + 1) for i in range(len(ROADS))], "nama": [r[0] for r in ROADS],
             "kelas": [KELAS[r[1]] for r in ROADS],
             "lebar": [f"{WIDTH_M[r[1]]:g}" for r in ROADS]},
            geometry=[LineString(r[2]) for r in ROADS]),
        "gates": gpd.GeoDataFrame(
            {"id": ["01", "02", "03"], "jenis": ["Gerbang Kawasan", "Gerbang Kawasan", "Gerbang Pabrik"],
             "nama": ["Gerbang Utama (Trans Papua)", "Gerbang Utara", "Gerbang PT Semen"]},
            geometry=[Point(1000, -9), Point(1007, H - 3), Point(1512, 300)]),
        "water": gpd.GeoDataFrame(
            {"nama": ["Kali Klasaman", "Kolam Ikan Warga"], "jenis": ["Sungai", "Kolam"]},
            geometry=[_river(), POND]),
        "settlements": gpd.GeoDataFrame(
            {"nama": ["Kampung Makbalim", "Kampung Klasaman"]},
            geometry=[Point(-350, 1650), Point(2300, 1800)]),
    }  # fmt: skip
    return {
        k: v.set_geometry(v.geometry.translate(x0, y0)).set_crs(BUILD_CRS)
        for k, v in layers.items()
    }


def _with_crs_member(gdf: gpd.GeoDataFrame, path: Path, epsg: int) -> None:
    """GeoJSON in a projected CRS, named the GeoJSON 2008 way (a ``crs`` member)."""
    doc = json.loads(gdf.to_crs(epsg=epsg).to_json(drop_id=True))
    doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def write(out: Path, *, seed: int = 7, mistakes: bool = True) -> Path:
    """Write the estate folder and the rules; return the folder."""
    folder = out / "sorong"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    layers = build(seed=seed, mistakes=mistakes)
    for name in ("boundary", "parcels"):  # the survey's heights as Z
        g = layers[name].geometry
        layers[name] = layers[name].set_geometry(shapely.force_3d(g.to_numpy(), Z_M), crs=g.crs)
    _with_crs_member(layers["boundary"], folder / "boundary.geojson", 23842)
    layers["parcels"].to_crs(TM3_CRS).to_file(
        folder / "parcels.fgb", driver="FlatGeobuf", engine="pyogrio"
    )
    layers["roads"].to_crs("EPSG:4326").to_file(folder / "roads.geojson", engine="fiona")
    layers["gates"].to_file(folder / "gates.fgb", driver="FlatGeobuf", engine="pyogrio")
    layers["water"].to_file(folder / "water.gpkg", layer="perairan", engine="fiona")
    layers["settlements"].to_crs("EPSG:4326").to_file(
        folder / "settlements.geojson", engine="fiona"
    )
    (out / "trial7_rules.toml").write_text(RULES, encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clean", action="store_true", help="leave out the data mistakes")
    args = parser.parse_args()
    folder = write(args.out, seed=args.seed, mistakes=not args.clean)
    print(f"wrote {folder}/ and {args.out / 'trial7_rules.toml'}")


if __name__ == "__main__":
    main()
