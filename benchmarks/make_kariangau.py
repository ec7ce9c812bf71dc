"""An illustrative estate at Kariangau (Balikpapan, East Kalimantan), as a new user's data.

The layout is invented: 4 × 4 blocks of 420 m × 340 m (road centre to road centre) with
a road between every two blocks — arterials around the edge, a collector down the middle,
local roads between — each block cut into three parcels, built in WGS 84 / UTM 50S
(EPSG:32750) near 116.81° E, 1.26° S. It is *not* the layout of any real estate. It tries
what a new user's data looks like: layers in different CRSs (the boundary, gates and
settlements in EPSG:4326, the roads in the land office's TM-3 zone 50.1, EPSG:23837), a
road stopping 6 m short of the arterial and one starting 3 m from it, a 0.3 m slit and a
2.5 m sliver between parcels, non-ASCII and HTML/script names, and, with ``--mistakes``,
a bow-tie parcel and two parcels without a land use. The rules file written beside it
(``kariangau_rules.toml``) asks for an 8–9 ha UMKM zone facing industry across a street,
fronting an arterial or the collector, with a 50 m usable width.

The collector's kerb lies 5 m off the 25 m grid (the zone's cells along it are 5 m
slivers); at ``--cell-m 50`` the same rules place a zone scoring about 1,040 beside it.

Usage::

    python benchmarks/make_kariangau.py OUT_DIR [--mistakes]

writes ``OUT_DIR/kariangau.gpkg`` (one layer per table) and ``OUT_DIR/kariangau_rules.toml``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
from shapely import LineString, Point, Polygon, box

#: The metric CRS the estate is built in (WGS 84 / UTM zone 50S).
BUILD_CRS = "EPSG:32750"
#: South-west corner, UTM 50S metres.
X0, Y0 = 478_000.0, 9_860_000.0
#: Blocks west to east and south to north, and their pitch (road centre to road centre), m.
NX, NY, PITCH_X, PITCH_Y = 4, 4, 420.0, 340.0
#: Road widths by class, m.
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}
#: Land use of each block (column, row), row 0 in the south.
USES = {
    (0, 0): "industrial", (1, 0): "industrial", (2, 0): "available", (3, 0): "industrial",
    (0, 1): "green", (1, 1): "available", (2, 1): "available", (3, 1): "industrial",
    (0, 2): "industrial", (1, 2): "available", (2, 2): "utility", (3, 2): "available",
    (0, 3): "residential", (1, 3): "industrial", (2, 3): "commercial", (3, 3): "green",
}  # fmt: skip
TENANTS = ("PT Kaltim Baja Nusantara", "CV Ñusa Ülin Kayu", "PT 石油 Kariangau",
           "<script>alert('x')</script>", 'PT Sawit & Oleo "Makmur"', "{{ tenant }}")  # fmt: skip
RULES = """\
# Illustrative UMKM rules for the invented Kariangau estate (benchmarks/make_kariangau.py).
[zone]
name = "Zona UMKM Kariangau"
land_use = "umkm"
min_ha = 8
max_ha = 9
on = ["available"]

[[rules]]
name = "dekat pabrik"
name_en = "near factories"
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 80
max_gap_m = 15
across = ["local", "collector"]

[[rules]]
name = "akses jalan"
name_en = "road access"
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
name = "sempadan Sungai Wain"
name_en = "Wain river setback"
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = 100

[[rules]]
kind = "contiguous"

[[rules]]
kind = "compactness"
min = 0.55

[[rules]]
kind = "min_width"
min_m = 50

[[prefer]]
name = "dekat Kariangau"
kind = "near"
to = { layer = "settlements", name = ["Kelurahan Kariangau"] }

[[prefer]]
kind = "compact"
weight = 0.1

[[layout]]
name = "porsi hijau"
name_en = "green share"
kind = "land_share"
land_use = ["green"]
min_pct = 10
"""


def _line_class(i: int, n: int, *, middle: bool) -> str:
    return "arterial" if i in (0, n) else ("collector" if middle and i == 2 else "local")


def _roads() -> gpd.GeoDataFrame:
    rows = []
    for i in range(NX + 1):  # north-south lines; line 3 stops 6 m short of the north edge
        x, cls = X0 + i * PITCH_X, _line_class(i, NX, middle=True)
        top = Y0 + NY * PITCH_Y - (6.0 if i == 3 else 0.0)
        rows.append((f"R{i}", f"Jalan Utara–Selatan {i}", cls, LineString([(x, Y0), (x, top)])))
    for j in range(NY + 1):  # east-west lines; line 2 starts 3 m off the west arterial
        y, cls = Y0 + j * PITCH_Y, _line_class(j, NY, middle=False)
        west = X0 + (3.0 if j == 2 else 0.0)
        line = LineString([(west, y), (X0 + NX * PITCH_X, y)])
        rows.append((f"R{NX + 1 + j}", f"Jalan Timur–Barat {j}", cls, line))
    return gpd.GeoDataFrame(
        {"road_id": [r[0] for r in rows], "name": [r[1] for r in rows],
         "road_class": [r[2] for r in rows], "width_m": [WIDTH_M[r[2]] for r in rows]},
        geometry=[r[3] for r in rows], crs=BUILD_CRS,
    )  # fmt: skip


def _half(i: int, n: int, *, middle: bool) -> float:
    return WIDTH_M[_line_class(i, n, middle=middle)] / 2


def _parcels(mistakes: bool) -> gpd.GeoDataFrame:
    rows: list[tuple[str, str | None, str | None, Polygon]] = []
    for (i, j), use in USES.items():
        xw = X0 + i * PITCH_X + _half(i, NX, middle=True)
        xe = X0 + (i + 1) * PITCH_X - _half(i + 1, NX, middle=True)
        ys = Y0 + j * PITCH_Y + _half(j, NY, middle=False)
        yn = Y0 + (j + 1) * PITCH_Y - _half(j + 1, NY, middle=False)
        xs = [xw + k * (xe - xw) / 3 for k in range(4)]
        for k in range(3):
            west = xs[k] + {((1, 1), 1): 0.3, ((2, 1), 2): 2.5}.get(((i, j), k), 0.0)
            n = len(rows)
            tenant = TENANTS[n % len(TENANTS)] if use == "industrial" else None
            rows.append((f"P-{n:03d}", use, tenant, box(west, ys, xs[k + 1], yn)))
    if mistakes:
        pid, use, _, geom = rows[43]  # a commercial parcel digitised as a bow-tie
        x1, y1, x2, y2 = geom.bounds
        rows[43] = (pid, use, "Kantin <b>Bu Sri</b>", Polygon([(x1, y1), (x2, y2), (x2, y1), (x1, y2)]))
        rows[33] = (*rows[33][:1], None, *rows[33][2:])  # no land use
        rows[38] = (*rows[38][:1], "", *rows[38][2:])  # a blank land use
    return gpd.GeoDataFrame(
        {"parcel_id": [r[0] for r in rows], "land_use": [r[1] for r in rows],
         "tenant": [r[2] for r in rows]},
        geometry=[r[3] for r in rows], crs=BUILD_CRS,
    )  # fmt: skip


def build(*, mistakes: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers, each in the CRS it is written in."""
    w, h = NX * PITCH_X, NY * PITCH_Y
    water = gpd.GeoDataFrame(
        {"name": ["Sungai Wain", "Teluk Balikpapan"], "kind": ["river", "coast"]},
        geometry=[LineString([(X0 - 200, Y0 - 100), (X0 + 0.4 * w, Y0 - 60), (X0 + w + 200, Y0 - 150)]),
                  LineString([(X0 + w + 400, Y0 - 300), (X0 + w + 420, Y0 + h + 300)])],
        crs=BUILD_CRS,
    )  # fmt: skip
    gates = gpd.GeoDataFrame(
        {"gate_id": ["G1", "G2"], "kind": ["estate_gate", "estate_gate"],
         "name": ["Gerbang Utama Kariangau", "Gerbang Timur — Pelabuhan"]},
        geometry=[Point(X0, Y0 + 1.5 * PITCH_Y), Point(X0 + w, Y0 + 0.5 * PITCH_Y)], crs=BUILD_CRS,
    )  # fmt: skip
    settlements = gpd.GeoDataFrame(
        {"name": ["Kelurahan Kariangau", "Dusun Ûlu <img src=x onerror=alert(1)>"]},
        geometry=[Point(X0 - 300, Y0 + 2.5 * PITCH_Y), Point(X0 + w + 150, Y0 + h + 200)],
        crs=BUILD_CRS,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(
        {"name": ["Kawasan Industri Kariangau (ilustrasi)"]}, geometry=[box(X0, Y0, X0 + w, Y0 + h)],
        crs=BUILD_CRS,
    )  # fmt: skip
    return {
        "boundary": boundary.to_crs("EPSG:4326"),
        "parcels": _parcels(mistakes),
        "roads": _roads().to_crs("EPSG:23837"),  # DGN95 / Indonesia TM-3 zone 50.1
        "gates": gates.to_crs("EPSG:4326"),
        "water": water,
        "settlements": settlements.to_crs("EPSG:4326"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mistakes", action="store_true", help="a bow-tie, missing land uses")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "kariangau.gpkg"
    target.unlink(missing_ok=True)
    for name, gdf in build(mistakes=args.mistakes).items():
        gdf.to_file(target, layer=name, engine="fiona")
    (args.out / "kariangau_rules.toml").write_text(RULES)
    print(f"wrote {target} and {args.out / 'kariangau_rules.toml'}")


if __name__ == "__main__":
    main()
