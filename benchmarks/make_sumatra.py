"""A seeded, illustrative estate in North Sumatra, as a new user's Shapefile set.

The geometry is invented: a rectangular grid of blocks turned 23° off north, placed
on the coast plain near Kuala Tanjung (Kabupaten Batu Bara, North Sumatra), in WGS 84 /
UTM zone 47N (EPSG:32647), and written as one Shapefile per layer in longitude/latitude
(EPSG:4326, with a ``.prj``). It is *not* the layout of any real estate. It tries what
a new user's data looks like: mixed-case file names (``Boundary.shp``, ``PARCELS.shp``),
upper-case field names (``PARCEL_ID``, ``LAND_USE``, ``ROAD_CLASS``), land-use values in
mixed case, extra fields kitland does not use, a road between every two blocks, and, with
``--mistakes``, one bow-tie parcel and one duplicate ``PARCEL_ID``.

Usage::

    python benchmarks/make_sumatra.py OUT_DIR [--seed 7] [--mistakes]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, Point, Polygon, affinity

#: The metric CRS the estate is built in (WGS 84 / UTM zone 47N).
BUILD_CRS = "EPSG:32647"
#: The CRS the layers are written in.
OUT_CRS = "EPSG:4326"
#: South-west corner of the grid, UTM 47N metres (about 99.46° E, 3.33° N).
ORIGIN = (551_000.0, 368_000.0)
#: The grid's turn, degrees anticlockwise from east.
TURN_DEG = 23.0
#: Block widths (west to east) and depths (south to north), m, measured between the
#: centrelines of the roads around them.
WIDTHS_M = (380.0, 520.0, 600.0, 450.0)
DEPTHS_M = (320.0, 480.0, 560.0)
#: Road widths by class, m.
WIDTH_M = {"arterial": 30.0, "collector": 20.0, "local": 12.0}


def _turn(geom: shapely.Geometry) -> shapely.Geometry:
    return affinity.rotate(geom, TURN_DEG, origin=ORIGIN, use_radians=False)


def _edges(sizes: tuple[float, ...]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(sizes)])


def build(seed: int = 7, *, mistakes: bool = False) -> dict[str, gpd.GeoDataFrame]:
    """The estate's layers in EPSG:4326, keyed by the file stem they are written as.

    Parameters
    ----------
    seed
        Seeds the parcel splits, land uses and tenants.
    mistakes
        Add a bow-tie parcel and a duplicate ``PARCEL_ID``.

    Returns
    -------
    dict of str to GeoDataFrame
        ``Boundary``, ``PARCELS``, ``Roads``, ``Gates``, ``water`` layers.
    """
    rng = np.random.default_rng(seed)
    x0, y0 = ORIGIN
    xs, ys = x0 + _edges(WIDTHS_M), y0 + _edges(DEPTHS_M)
    boundary = Polygon([(xs[0], ys[0]), (xs[-1], ys[0]), (xs[-1], ys[-1]), (xs[0], ys[-1])])
    # roads: every inner grid line; the middle row line is the arterial, the middle
    # column line a collector, the rest local roads
    roads = []
    for i, x in enumerate(xs[1:-1], start=1):
        cls = "collector" if i == 2 else "local"
        roads.append((LineString([(x, ys[0]), (x, ys[-1])]), cls, f"Jalan {i}"))
    for j, y in enumerate(ys[1:-1], start=1):
        cls = "arterial" if j == 1 else "local"
        roads.append((LineString([(xs[0], y), (xs[-1], y)]), cls, f"Jalan Lintas {j}"))
    corridors = shapely.union_all(
        [line.buffer(WIDTH_M[cls] / 2, cap_style="flat") for line, cls, _ in roads]
    )
    # blocks, each split into 1-4 parcels along its longer side
    parcels = []
    available = {(2, 1), (3, 2)}  # (column, row) blocks left undeveloped
    green = {(0, 2)}
    for c in range(len(WIDTHS_M)):
        for r in range(len(DEPTHS_M)):
            block = Polygon(
                [(xs[c], ys[r]), (xs[c + 1], ys[r]), (xs[c + 1], ys[r + 1]), (xs[c], ys[r + 1])]
            ).difference(corridors)
            use = (
                "AVAILABLE" if (c, r) in available else "Green" if (c, r) in green else "Industrial"
            )
            pieces = 1 if use != "Industrial" else int(rng.integers(2, 5))
            bx0, by0, bx1, by1 = block.bounds
            cuts = np.sort(rng.uniform(0.2, 0.8, pieces - 1)) if pieces > 1 else np.array([])
            edges = np.concatenate([[0.0], cuts, [1.0]])
            for k in range(pieces):
                a, b = bx0 + (bx1 - bx0) * edges[k], bx0 + (bx1 - bx0) * edges[k + 1]
                strip = block.intersection(Polygon([(a, by0), (b, by0), (b, by1), (a, by1)]))
                tenant = (
                    f"PT Batu Bara {rng.choice(['Sawit', 'Logam', 'Kemasan', 'Kimia'])} {c}{r}{k}"
                )
                parcels.append({
                    "PARCEL_ID": f"KT-{c}{r}-{k + 1}", "LAND_USE": use,
                    "TENANT": tenant if use == "Industrial" else None,
                    "Luas_Ha": round(strip.area / 1e4, 2), "Pemilik": "illustrative",
                    "geometry": strip,
                })  # fmt: skip
    if mistakes:
        bx0, by0, _, _ = parcels[0]["geometry"].bounds
        parcels[0]["geometry"] = Polygon(
            [
                (bx0 + 10, by0 + 10),
                (bx0 + 110, by0 + 110),
                (bx0 + 110, by0 + 10),
                (bx0 + 10, by0 + 110),
            ]
        )  # a bow-tie
        parcels[2]["PARCEL_ID"] = parcels[1]["PARCEL_ID"]
    gates = [
        {"GATE_ID": "G1", "KIND": "Estate_Gate", "NAME": "Gerbang Barat", "geometry": Point(xs[0] + 1, ys[1])},
        {"GATE_ID": "G2", "KIND": "estate_gate", "NAME": "Gerbang Timur", "geometry": Point(xs[-1] - 1, ys[1])},
    ]  # fmt: skip
    river = LineString(
        [(xs[0] - 50, ys[-1] + 60), (xs[2], ys[-1] + 90), (xs[-1] + 50, ys[-1] + 40)]
    )
    layers = {
        "Boundary": gpd.GeoDataFrame(
            {"NAME": ["Kawasan Industri Kuala Tanjung (ilustrasi)"]},
            geometry=[boundary],
            crs=BUILD_CRS,
        ),
        "PARCELS": gpd.GeoDataFrame(parcels, crs=BUILD_CRS),
        "Roads": gpd.GeoDataFrame(
            {
                "ROAD_ID": [f"R{i}" for i in range(len(roads))],
                "NAME": [n for _, _, n in roads],
                "ROAD_CLASS": [cls.title() for _, cls, _ in roads],
                "WIDTH_M": [WIDTH_M[cls] for _, cls, _ in roads],
            },
            geometry=[line for line, _, _ in roads],
            crs=BUILD_CRS,
        ),
        "Gates": gpd.GeoDataFrame(gates, crs=BUILD_CRS),
        "water": gpd.GeoDataFrame(
            {"NAME": ["Sungai Tanjung"], "KIND": ["River"]}, geometry=[river], crs=BUILD_CRS
        ),
    }
    return {
        name: gdf.set_geometry(gdf.geometry.map(_turn)).to_crs(OUT_CRS)
        for name, gdf in layers.items()
    }


def main() -> None:
    """Write the estate's Shapefiles into OUT_DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mistakes", action="store_true")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, gdf in build(args.seed, mistakes=args.mistakes).items():
        gdf.to_file(out / f"{name}.shp", engine="fiona")


if __name__ == "__main__":
    main()
