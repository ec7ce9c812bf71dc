"""Seeded estates whose arterial runs obliquely across a north-up block layout.

A planner's estate that the organic seeds do not cover: local roads on a north-up grid
of blocks (``block_m`` apart), and a straight arterial crossing it at ``angle`` degrees
(seeded, 20–40° unless given). The blocks (cut by the arterial) along it, in the middle
of its run, are ``available`` but for a ``back_m`` strip at their north edge, the others ``industrial`` (with ``--split-blocks``, only the land
within ``band_m`` of the arterial is available, a band along the road); every fifth block
away from the road is ``green``. One estate gate sits where the arterial enters the boundary, and the point
``Pusat Desa Ketanggan`` near the arterial's middle, so the bundled rules (frontage on
the arterial, next to industry, near the village centre) run on it. With ``--turn-all``
the whole layout (blocks too) is turned by the angle, so the first grid already follows
the road and no second grid is expected. The geography is invented (UTM zone 49S
coordinates inland of Batang); the output is written in ``--crs``.

Usage::

    python benchmarks/make_oblique.py 1 oblique_1.gpkg --rules oblique_1.toml
    python benchmarks/make_oblique.py 2 oblique_2.gpkg --crs EPSG:4326 --angle 3
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString, Point, affinity, box

from kitland.estate import bundled_path

#: The metric CRS the estates are built in (WGS 84 / UTM zone 49S).
BUILD_CRS = "EPSG:32749"
#: South-west corner of the estate in the build CRS (invented, inland of Batang).
ORIGIN = (392_000.0, 9_226_000.0)


def make(
    seed: int, *, angle: float | None = None, size: tuple[float, float] = (2400.0, 1600.0),
    block_m: float = 500.0, band_m: float = 220.0, turn_all: bool = False,
    split_blocks: bool = False, back_m: float = 0.0,
) -> dict[str, gpd.GeoDataFrame]:  # fmt: skip
    """The estate's layers (boundary, parcels, roads, gates, settlements) in the build CRS."""
    rng = np.random.default_rng(seed)
    deg = float(rng.uniform(20.0, 40.0)) if angle is None else float(angle)
    w, h = size
    frame = box(0, 0, w, h)
    y0 = float(rng.uniform(0.15, 0.35)) * h
    far = 2 * (w + h)
    art = LineString([(-far * math.cos(math.radians(deg)), y0 - far * math.sin(math.radians(deg))),
                      (far * math.cos(math.radians(deg)), y0 + far * math.sin(math.radians(deg)))])  # fmt: skip
    art = shapely.intersection(art, frame)
    locals_ = [LineString([(x, 0), (x, h)]) for x in np.arange(block_m, w, block_m)]
    locals_ += [LineString([(0, y), (w, y)]) for y in np.arange(block_m, h, block_m)]
    if turn_all:  # the blocks follow the road: local roads turned by the angle too
        c = (w / 2, h / 2)
        locals_ = [shapely.intersection(affinity.rotate(affinity.scale(g, 2, 2, origin=c), deg, origin=c), frame)
                   for g in locals_]  # fmt: skip
        locals_ = [g for g in locals_ if not g.is_empty]
    corridors = shapely.union_all([art.buffer(15, cap_style="flat")] +
                                  [g.buffer(6, cap_style="flat") for g in locals_])  # fmt: skip
    blocks = shapely.get_parts(shapely.difference(frame, corridors))
    band = art.buffer(15 + band_m, cap_style="flat")
    ids, uses, geoms = [], [], []
    for i, blk in enumerate(sorted(blocks, key=lambda b: (b.centroid.x, b.centroid.y))):
        green = (i % 5 == 4 and not blk.intersects(band)) or blk.area < 2_000
        if split_blocks:  # the band along the road available, the rest of the block not
            pieces = [(blk.intersection(band), "available"), (blk.difference(band), "industrial")]
        else:  # whole blocks along the road available: the allowed land runs north-up
            along = art.project(blk.centroid, normalized=True)
            near = blk.distance(art) < 20 and 0.3 <= along <= 0.7
            top = box(-1, blk.bounds[3] - back_m, w + 1, h + 1)  # north strip: industry
            pieces = ([(blk.difference(top), "available"), (blk.intersection(top), "industrial")]
                      if near else [(blk, "industrial")])  # fmt: skip
        for j, (g, use) in enumerate(pieces):
            for k, part in enumerate(shapely.get_parts(shapely.make_valid(g))):
                if part.area < 1.0:
                    continue
                ids.append(f"B{i:02d}-{j}{k}")
                uses.append("green" if green else use)
                geoms.append(part)
    place = affinity.translate
    ox, oy = ORIGIN
    parcels = gpd.GeoDataFrame({"parcel_id": ids, "land_use": uses},
                               geometry=[_polygonal(place(g, ox, oy)) for g in geoms],
                               crs=BUILD_CRS)  # fmt: skip
    roads = gpd.GeoDataFrame(
        {"road_id": ["A1"] + [f"L{i}" for i in range(len(locals_))],
         "road_class": ["arterial"] + ["local"] * len(locals_)},
        geometry=[place(g, ox, oy) for g in [art, *locals_]], crs=BUILD_CRS,
    )  # fmt: skip
    entry = Point(art.coords[0])
    gates = gpd.GeoDataFrame({"gate_id": ["G1"], "kind": ["estate_gate"], "name": ["Gerbang Barat"]},
                             geometry=[place(entry, ox, oy)], crs=BUILD_CRS)  # fmt: skip
    mid = art.interpolate(float(rng.uniform(0.3, 0.5)), normalized=True)
    village = gpd.GeoDataFrame({"name": ["Pusat Desa Ketanggan"]},
                               geometry=[place(mid, ox, oy + 40)], crs=BUILD_CRS)  # fmt: skip
    boundary = gpd.GeoDataFrame({"name": [f"Oblique {seed}"]}, geometry=[place(frame, ox, oy)],
                                crs=BUILD_CRS)  # fmt: skip
    return {"boundary": boundary, "parcels": parcels, "roads": roads, "gates": gates,
            "settlements": village}  # fmt: skip


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """``g`` made valid, its polygons only (translation may leave a sliver self-touching)."""
    parts = shapely.get_parts(shapely.make_valid(g))
    return shapely.union_all([p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")])


def main() -> None:
    """Write one seeded estate (and, with ``--rules``, the bundled rules at ``--zone-ha``)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--crs", default=BUILD_CRS)
    ap.add_argument("--angle", type=float, default=None)
    ap.add_argument("--turn-all", action="store_true")
    ap.add_argument("--split-blocks", action="store_true")
    ap.add_argument("--zone-ha", type=float, default=8.0)
    ap.add_argument("--rules", type=Path, default=None)
    a = ap.parse_args()
    layers = make(a.seed, angle=a.angle, turn_all=a.turn_all, split_blocks=a.split_blocks)
    a.out.unlink(missing_ok=True)
    for name, gdf in layers.items():
        gdf.to_crs(a.crs).to_file(a.out, layer=name, driver="GPKG")
    if a.rules is not None:
        text = bundled_path("umkm_rules.toml").read_text(encoding="utf-8")
        text = text.replace("min_ha = 20.0", f"min_ha = {a.zone_ha}")
        text = text.replace("max_ha = 21.0", f"max_ha = {a.zone_ha + 0.5}")
        # industry lies across the local roads: count it within a road's width
        text = text.replace("min_shared_m = 100", "min_shared_m = 100\nmax_gap_m = 15")
        a.rules.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
