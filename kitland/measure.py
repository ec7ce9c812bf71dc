"""Measuring zones and layouts against rules (SPEC §3), and :func:`check`.

Every measurement happens in the estate's metric CRS, in metres (areas in hectares).
The snapping tolerance ε = 0.5 m of SPEC §3 lives *inside* the measurements (a band of
ε around parcels, ε + 1 m around road corridors, …); the measured value is then compared
with the rule's threshold exactly (``value >= min`` / ``value <= max``), so a value
exactly at the threshold passes.

One refinement of the literal wording of SPEC §3, for ``adjacent``: the zone boundary
inside the ε band around the selected parcels also contains, at each end of a shared
stretch, boundary that is only leaving the parcel (a zone touching a parcel at one
corner would "share" 2ε = 1 m). Those ends are trimmed: a stretch whose least distance
to the parcels is ``g`` (0 ≤ g ≤ ε) counts its length minus ``ε - g`` at each end (a
closed ring counts whole). A shared edge of 100 m, touching or drawn up to ε apart,
therefore measures 100 m, and a corner touch 0 m; the trim never removes boundary that
runs at the stretch's least distance, since getting from there to the band's edge takes
at least ``ε - g`` of boundary. A stretch is a maximal piece of one boundary ring (two
parts of a zone touching at a point do not end each other's stretches there).
``frontage`` is measured literally (boundary within ε + 1 m of the corridors).

``adjacent`` with ``max_gap_m`` (SPEC §2/§3) measures the same way against
:func:`adjacency_target`: the selected parcels together with the *bridge*, the land
within ``max_gap_m`` of them that may lie in between (the ``across`` roads' corridors, or
any land but the zone's own ``on`` land). A zone facing a factory across a road then
touches the bridge, so its facing edge counts whole and its flanks not at all.

The measurement functions are public so that maps and placement can draw and reuse
them: :func:`area_ha`, :func:`compactness`, :func:`part_count`, :func:`off_land_ha`,
:func:`road_overlap_m2`, :func:`adjacency_target`, :func:`shared_boundary`, :func:`shared_boundary_m`,
:func:`frontage_lines`, :func:`frontage_m`, :func:`network_distance_m`,
:func:`min_distance_m`, :func:`opening_loss_pct`, :func:`land_share_pct`,
:func:`parcel_setback_m`; :func:`diagnostics` returns the geometries behind a check.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely import LineString, MultiPolygon, Polygon, ops

from kitland._errors import CRSError, DataError
from kitland.crs import crs_label
from kitland.i18n import Message
from kitland.io import read_zone, read_zones
from kitland.report import Report, RuleResult
from kitland.rules import Rule, Rules
from kitland.validation import OnInvalid, require_valid

if TYPE_CHECKING:
    from kitland.estate import Estate

__all__ = [
    "EPS_M",
    "ON_TOLERANCE_HA",
    "adjacency_target",
    "adjacent_options",
    "area_ha",
    "as_zone",
    "check",
    "compactness",
    "diagnostics",
    "frontage_lines",
    "frontage_m",
    "land_share_pct",
    "min_distance_m",
    "network_distance_m",
    "off_land_ha",
    "opening_loss_pct",
    "parcel_setback_m",
    "part_count",
    "road_overlap_m2",
    "shared_boundary",
    "shared_boundary_m",
]

log = logging.getLogger(__name__)

#: Snapping tolerance of SPEC §3, metres.
EPS_M = 0.5
#: Uncovered area allowed by the ``on`` rule (SPEC §3), hectares.
ON_TOLERANCE_HA = 0.01
#: Overlap with a road corridor (shrunk by ε) below this is rounding noise, m².
_ROAD_NOISE_M2 = 0.01
#: Features this much beyond a measurement's reach are still taken in (they cannot matter).
_NEAR_MARGIN_M = 2.0
#: Share of area the ``min_width`` opening may remove, percent.
MIN_WIDTH_LOSS_PCT = 1.0

ZoneLike: TypeAlias = Polygon | MultiPolygon | gpd.GeoDataFrame | gpd.GeoSeries
Features: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries


# -- inputs -------------------------------------------------------------------------------
def as_zone(zone: ZoneLike, estate: Estate, *, label: object = None) -> Polygon | MultiPolygon:
    """The zone as one shapely (Multi)Polygon in ``estate.crs``.

    A shapely geometry is taken to be in ``estate.crs`` already; a GeoDataFrame or
    GeoSeries must declare its CRS and is reprojected (its features are united). A
    MultiPolygon whose valid parts share edges (invalid as it stands) is united too.
    Heights (Z) are dropped: every measurement is planar.

    Raises
    ------
    CRSError
        If a GeoDataFrame/GeoSeries has no CRS.
    DataError
        If the zone is empty, not a polygon, or not valid.

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> import geopandas as gpd
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=32749)
    >>> b["parcel_id"], b["land_use"] = "a", "available"
    >>> est = Estate.from_layers({"boundary": b, "parcels": b})
    >>> as_zone(shapely.box(0, 0, 10, 10), est).area
    100.0
    """
    if isinstance(zone, gpd.GeoDataFrame | gpd.GeoSeries):
        label = label or str(zone.attrs.get("source", "zone"))
        if zone.crs is None:
            msg = Message("{source} has no CRS; declare one (the estate's is {crs}: "
                          "`.set_crs('{crs}')` if the zone was drawn in it)",
                          {"source": label, "crs": crs_label(estate.crs)})  # fmt: skip
            raise CRSError(msg)
        geoms = (
            zone.to_crs(estate.crs).geometry
            if isinstance(zone, gpd.GeoDataFrame)
            else zone.to_crs(estate.crs)
        )
        arr = geoms.to_numpy()
        arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
        if len(arr) == 0:
            msg = Message(
                "{source}: the zone has no geometry; expected one polygon", {"source": label}
            )
            raise DataError(msg)
        g = arr[0] if len(arr) == 1 else shapely.union_all(arr)
    elif isinstance(zone, shapely.Geometry):
        g = zone
    else:
        msg = Message(
            "{source} must be a shapely Polygon, a GeoDataFrame or a GeoSeries, got {type}",
            {"source": label or "zone", "type": type(zone).__name__},
        )
        raise DataError(msg)
    label = label or "zone"
    g = shapely.force_2d(g)  # heights (Z) are not measured
    if g.is_empty:
        msg = Message("{source}: the zone geometry is empty; expected a polygon", {"source": label})
        raise DataError(msg)
    if not isinstance(g, Polygon | MultiPolygon):
        msg = Message(
            "{source}: the zone is a {type}; expected a Polygon or MultiPolygon",
            {"source": label, "type": g.geom_type},
        )
        raise DataError(msg)
    if (
        not g.is_valid
        and isinstance(g, MultiPolygon)
        and shapely.is_valid(shapely.get_parts(g)).all()
    ):
        g = shapely.union_all(shapely.get_parts(g))  # valid parts that touch or overlap: unite them
    if not g.is_valid:
        why = shapely.is_valid_reason(g)
        msg = Message(
            "{source}: the zone polygon is not valid ({reason}); repair it (QGIS: Fix Geometries)",
            {"source": label, "reason": why},
        )
        raise DataError(msg)
    declared = zone.crs if isinstance(zone, gpd.GeoDataFrame | gpd.GeoSeries) else None
    _require_on_estate(g, estate, label, declared)
    return g


def _require_on_estate(
    zone: Polygon | MultiPolygon, estate: Estate, label: object, declared: Any
) -> None:
    """Raise when ``zone`` does not touch the estate boundary at all: judging it would
    only measure the distance to the estate (coordinates in another CRS than declared,
    or a bare shapely geometry, ``declared`` None, not in ``estate.crs``)."""
    boundary = estate.boundary_union
    if boundary.is_empty or zone.intersects(boundary):
        return
    d = float(zone.distance(boundary))
    far, unit = (d / 1000, "km") if d >= 1000 else (d, "m")
    values = {"source": label, "far": far, "unit": unit, "crs": crs_label(declared or estate.crs)}
    if declared is not None:
        text = ("{source}: the zone lies {far:,.1f} {unit} from the estate boundary and does not"
                " touch the estate; is its CRS right? (it declares {crs})")  # fmt: skip
    elif max(abs(v) for v in zone.bounds) <= 180:
        text = ("{source}: the zone lies {far:,.1f} {unit} from the estate boundary: a shapely"
                " geometry is taken in the estate's CRS, {crs}, and its coordinates look like"
                " longitude/latitude; reproject it to {crs}, or give a GeoDataFrame with its CRS")  # fmt: skip
    else:
        text = ("{source}: the zone lies {far:,.1f} {unit} from the estate boundary and does not"
                " touch the estate: a shapely geometry is taken in the estate's CRS, {crs}; is"
                " it in another? Give a GeoDataFrame with its CRS")  # fmt: skip
    raise CRSError(Message(text, values))


def _geoms(features: Features) -> np.ndarray:
    g = features.geometry if isinstance(features, gpd.GeoDataFrame) else features
    return np.asarray(g.to_numpy(), dtype=object)


def _near(geoms: np.ndarray, zone: shapely.Geometry, dist_m: float) -> np.ndarray:
    return geoms[shapely.dwithin(geoms, zone, dist_m)]


def _req(op: str, x: float) -> str:
    return f"{op} {x:g}"


def _m(x: float | None) -> str:
    return "—" if x is None else f"{x:,.1f} m"


# -- zone measurements --------------------------------------------------------------------
def area_ha(zone: shapely.Geometry) -> float:
    """Planar area in hectares.

    Examples
    --------
    >>> area_ha(shapely.box(0, 0, 400, 500))
    20.0
    """
    return float(shapely.area(zone)) / 10_000


def compactness(zone: shapely.Geometry) -> float:
    """Polsby–Popper compactness 4π·area / perimeter² (1 for a disc).

    Examples
    --------
    >>> round(compactness(shapely.box(0, 0, 100, 100)), 4)  # π/4
    0.7854
    """
    p = float(shapely.length(zone))
    return 0.0 if p == 0 else 4 * math.pi * float(shapely.area(zone)) / p**2


def part_count(zone: shapely.Geometry) -> int:
    """Number of polygons after union (1 for a contiguous zone).

    Examples
    --------
    >>> part_count(shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]))
    1
    >>> part_count(shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2)]))
    2
    """
    return int(shapely.get_num_geometries(shapely.union_all([zone])))


def off_land_ha(
    zone: shapely.Geometry, estate: Estate, *, on: tuple[str, ...] | list[str]
) -> float:
    """Area of the zone outside the boundary or off parcels whose land use is in ``on``, ha.

    Slits narrower than 2·ε between ``on`` parcels that no other parcel fills count as
    their land (placement's candidate land closes them alike), so parcels digitised a
    few centimetres apart do not put the zone across them off its land.

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> import geopandas as gpd
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b"], "land_use": ["industrial", "available"]},
    ...                      geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> off_land_ha(shapely.box(50, 0, 200, 100), est, on=["available"])
    0.5
    """
    p = estate.parcels
    mask = p["land_use"].isin(list(on)).to_numpy()
    geoms = _geoms(p)
    near = shapely.dwithin(geoms, zone, 2 * EPS_M)
    land = shapely.union_all(geoms[mask & near])
    closed = shapely.buffer(shapely.buffer(land, EPS_M, join_style="mitre"), -EPS_M,
                            join_style="mitre")  # fmt: skip
    closed = shapely.difference(closed, shapely.union_all(geoms[~mask & near]))
    land = shapely.intersection(shapely.union(land, closed), estate.boundary_union)
    return float(shapely.area(shapely.difference(zone, land))) / 10_000


def road_overlap_m2(zone: shapely.Geometry, estate: Estate) -> float:
    """Area of the zone inside road corridors shrunk by ε, m² (touching counts 0).

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> import geopandas as gpd
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=32749)
    >>> b["parcel_id"], b["land_use"] = "a", "available"
    >>> r = gpd.GeoDataFrame({"road_class": ["local"]}, geometry=[LineString([(0, 50), (200, 50)])], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": b, "roads": r})
    >>> road_overlap_m2(shapely.box(0, 56, 200, 100), est)  # touches the 12 m corridor
    0.0
    >>> road_overlap_m2(shapely.box(0, 50, 100, 100), est)  # (6 - 0.5) × (100 - 0.5)
    547.25
    """
    corr = _geoms(estate.road_corridors)
    corr = corr[shapely.intersects(corr, zone)]
    if len(corr) == 0:
        return 0.0
    shrunk = shapely.buffer(corr, -EPS_M, join_style="mitre")
    return float(shapely.area(shapely.intersection(zone, shapely.union_all(shrunk))))


def adjacency_target(
    estate: Estate,
    features: Features,
    *,
    max_gap_m: float = 0.0,
    across: Sequence[str] | None = None,
    on: Sequence[str] = ("available",),
    near: shapely.Geometry | None = None,
) -> shapely.Geometry:
    """What the zone's boundary must lie within ε of to count for ``adjacent`` (SPEC §3).

    The selected ``features`` and, when ``max_gap_m > 0``, the *bridge*: the land within
    ``max_gap_m`` of them that may lie between them and the zone. With ``across``, the
    bridge is the corridors of roads of those classes; without, it is any land the zone
    could not take itself: everything but the parcels of the ``on`` land uses (closed by
    ε, so slits between them do not count) outside road corridors: a road, a green
    strip, another tenant's plot, never a strip of the zone's own kind of land.
    ``max_gap_m = 0`` gives the features alone.

    With ``near`` (a zone), only what lies within ε of it is exact: features farther than
    ``max_gap_m`` + ε + 2 m from it are left out, which keeps :func:`check` fast.

    Examples
    --------
    An industrial block north of a 12 m local road, available land south of it: the
    road's corridor bridges the gap when 15 m may lie between.

    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, -100, 300, 112)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["i", "r", "a"], "land_use": ["industrial", "road", "available"]},
    ...     geometry=[shapely.box(0, 12, 300, 112), shapely.box(0, 0, 300, 12), shapely.box(0, -100, 300, 0)],
    ...     crs=32749)
    >>> r = gpd.GeoDataFrame({"road_class": ["local"]}, geometry=[LineString([(0, 6), (300, 6)])], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p, "roads": r})
    >>> ind = est.parcels[est.parcels["land_use"] == "industrial"]
    >>> adjacency_target(est, ind).bounds  # the parcels alone
    (0.0, 12.0, 300.0, 112.0)
    >>> adjacency_target(est, ind, max_gap_m=15, across=["local"]).bounds  # + the road
    (0.0, 0.0, 300.0, 112.0)
    >>> adjacency_target(est, ind, max_gap_m=15, across=["collector"]).bounds
    (0.0, 12.0, 300.0, 112.0)
    """
    geoms = _geoms(features)
    reach = EPS_M + _NEAR_MARGIN_M
    if near is not None:
        geoms = _near(geoms, near, max(0.0, max_gap_m) + reach)
    sel = shapely.union_all(geoms) if len(geoms) else Polygon()
    if not max_gap_m > 0 or sel.is_empty:
        return sel
    grown = shapely.buffer(sel, max_gap_m, quad_segs=16)
    corr = _geoms(estate.road_corridors)
    if across is not None:
        corr = corr[estate.roads["road_class"].isin(list(across)).to_numpy()]
    if near is not None:
        corr = _near(corr, near, reach)
    roads = shapely.union_all(corr) if len(corr) else Polygon()
    if across is not None:
        bridge = shapely.intersection(grown, roads)
    else:
        p = estate.parcels
        own = _geoms(p[p["land_use"].isin(list(on)).to_numpy()])
        if near is not None:
            own = _near(own, near, reach)
        # Slits narrower than 2ε between the zone's own parcels are data noise, not a bridge.
        land = (
            shapely.buffer(shapely.buffer(shapely.union_all(own), EPS_M), -EPS_M)
            if len(own)
            else Polygon()
        )
        land = shapely.difference(land, roads)
        bridge = shapely.difference(grown, land)
    return shapely.union_all([sel, bridge])


def _trim_ends(
    lines: NDArray[np.object_], target: shapely.Geometry, tolerance_m: float
) -> shapely.Geometry:
    """Trim each stretch in ``lines`` (merged, one ring's at a time) at both ends."""
    parts = shapely.get_parts(lines)
    parts = parts[shapely.get_type_id(parts) == 1]
    if len(parts) == 0:
        return shapely.MultiLineString()
    gap = shapely.distance(parts, target)
    out = []
    for part, g in zip(parts, gap, strict=True):
        if part.is_closed:
            out.append(part)
            continue
        trim = max(0.0, tolerance_m - float(g))
        if part.length > 2 * trim + 1e-6:
            out.append(ops.substring(part, trim, part.length - trim))
    return shapely.MultiLineString(out) if out else shapely.MultiLineString()


def shared_boundary(
    zone: shapely.Geometry,
    features: Features,
    *,
    tolerance_m: float = EPS_M,
    max_gap_m: float = 0.0,
    across: Sequence[str] | None = None,
    estate: Estate | None = None,
    on: Sequence[str] = ("available",),
) -> shapely.Geometry:
    """The zone's boundary lying within ``tolerance_m`` of ``features``, ends trimmed.

    Each stretch (a piece of one boundary ring) loses ``tolerance_m - g`` at both ends,
    ``g`` being its least distance to the features (see the module notes), so a corner
    touch gives an empty result. With ``max_gap_m > 0`` the boundary counts within
    ``tolerance_m`` of :func:`adjacency_target` instead: the features and the land
    within ``max_gap_m`` of them that may bridge the gap (the corridors of roads of the
    ``across`` classes, or any land but the zone's own ``on`` land); ``estate`` is then
    required.

    Raises
    ------
    ValueError
        If ``max_gap_m > 0`` and no ``estate`` is given.

    Examples
    --------
    >>> f = gpd.GeoSeries([shapely.box(0, 0, 100, 100)])
    >>> shared_boundary(shapely.box(100, 0, 300, 100), f).length
    100.0
    >>> shared_boundary(shapely.box(100, 100, 300, 300), f).is_empty
    True
    """
    if max_gap_m > 0:
        if estate is None:
            msg = f"shared_boundary(max_gap_m={max_gap_m:g}) needs the estate (its roads and land) to bridge the gap; pass estate="
            raise ValueError(msg)
        target = adjacency_target(
            estate, features, max_gap_m=max_gap_m, across=across, on=on, near=zone
        )
        if target.is_empty or not shapely.dwithin(target, zone, tolerance_m):
            return shapely.MultiLineString()
    else:
        near = _near(_geoms(features), zone, tolerance_m)
        if len(near) == 0:
            return shapely.MultiLineString()
        target = shapely.union_all(near)
    band = shapely.buffer(target, tolerance_m, quad_segs=16)
    rings = shapely.get_rings(shapely.get_parts(zone))
    stretches = shapely.line_merge(shapely.intersection(rings, band))
    return _trim_ends(stretches, target, tolerance_m)


def shared_boundary_m(
    zone: shapely.Geometry,
    features: Features,
    *,
    tolerance_m: float = EPS_M,
    max_gap_m: float = 0.0,
    across: Sequence[str] | None = None,
    estate: Estate | None = None,
    on: Sequence[str] = ("available",),
) -> float:
    """Length of :func:`shared_boundary`, metres (the ``adjacent`` measurement).

    Examples
    --------
    >>> f = gpd.GeoSeries([shapely.box(0, 0, 100, 100)])
    >>> round(shared_boundary_m(shapely.box(100.4, 0, 300, 100), f), 9)  # 0.4 m gap, within ε
    100.0
    """
    g = shared_boundary(
        zone, features, tolerance_m=tolerance_m, max_gap_m=max_gap_m, across=across,
        estate=estate, on=on,
    )  # fmt: skip
    return float(g.length)


def frontage_lines(
    zone: shapely.Geometry, estate: Estate, *, road_class: tuple[str, ...] | list[str]
) -> shapely.Geometry:
    """The zone's boundary within ε + 1 m of the corridors of roads of ``road_class``.

    Examples
    --------
    See :func:`frontage_m`.
    """
    roads = estate.roads
    corr = _geoms(estate.road_corridors[roads["road_class"].isin(list(road_class)).to_numpy()])
    reach = EPS_M + 1.0
    near = _near(corr, zone, reach)
    if len(near) == 0:
        return shapely.MultiLineString()
    band = shapely.buffer(shapely.union_all(near), reach, quad_segs=16)
    return shapely.line_merge(shapely.intersection(zone.boundary, band))


def frontage_m(
    zone: shapely.Geometry, estate: Estate, *, road_class: tuple[str, ...] | list[str]
) -> float:
    """Frontage on roads of ``road_class``: boundary length within ε + 1 m of their corridors.

    Examples
    --------
    A 300 m wide zone whose south edge lies 1 m from a 20 m collector corridor (11 m
    from its centreline): 300 m of edge plus 0.5 m of each side edge.

    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(-100, -100, 500, 600)], crs=32749)
    >>> b["parcel_id"], b["land_use"] = "a", "available"
    >>> r = gpd.GeoDataFrame({"road_class": ["collector"]}, geometry=[LineString([(-100, -11), (500, -11)])], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": b, "roads": r})
    >>> round(frontage_m(shapely.box(0, 0, 300, 400), est, road_class=["collector"]), 6)
    301.0
    """
    return float(frontage_lines(zone, estate, road_class=road_class).length)


def network_distance_m(
    zone: shapely.Geometry, estate: Estate, *, sources: Features
) -> tuple[float | None, LineString | None]:
    """Road distance from the nearest of ``sources`` (gates) to the zone, and the path.

    Sources are snapped to their nearest road point; the target is the nearest
    centreline point lying within ``width_m / 2 + ε + 1 m`` of the zone (SPEC §3). See
    :mod:`kitland.network`. Returns ``(None, None)`` when no road reaches the zone from
    the sources (or the estate has no roads).

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, -100, 1000, 600)], crs=32749)
    >>> b["parcel_id"], b["land_use"] = "a", "available"
    >>> r = gpd.GeoDataFrame({"road_class": ["collector"]}, geometry=[LineString([(0, -11.5), (1000, -11.5)])], crs=32749)
    >>> g = gpd.GeoDataFrame({"kind": ["estate_gate"]}, geometry=[shapely.Point(200, -20)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": b, "roads": r, "gates": g})
    >>> m, path = network_distance_m(shapely.box(800, 0, 1000, 400), est, sources=est.gates)
    >>> round(m, 3), round(path.length, 3)  # plus the gate's 8.5 m to the road
    (600.0, 608.5)
    """
    from kitland.network import RoadNetwork  # noqa: PLC0415 - networkx only when needed

    net = RoadNetwork.from_estate(estate)
    src = _geoms(sources)
    if len(net) == 0 or len(src) == 0:
        return None, None
    return net.distances_from(src).distance_to_zone(zone)


def min_distance_m(zone: shapely.Geometry, features: Features) -> float:
    """Least Euclidean distance between the zone and any of ``features``, metres.

    Examples
    --------
    >>> min_distance_m(shapely.box(0, 0, 10, 10), gpd.GeoSeries([shapely.Point(13, 14)]))
    5.0
    """
    g = _geoms(features)
    if len(g) == 0:
        return math.inf
    return float(shapely.distance(g, zone).min())


def opening_loss_pct(zone: shapely.Geometry, *, min_m: float) -> float:
    """Share of the zone's area removed by a morphological opening of radius ``min_m / 2``.

    The opening is ``buffer(-r).buffer(+r)``; parts narrower than ``min_m`` vanish.

    Examples
    --------
    A 300 × 400 m rectangle opened with r = 10 m loses only its four corners,
    4 r² (1 - π/4) ≈ 85.8 m² of 120,000 m²; a 15 m wide strip vanishes whole:

    >>> round(opening_loss_pct(shapely.box(0, 0, 300, 400), min_m=20), 3)
    0.072
    >>> opening_loss_pct(shapely.box(0, 0, 15, 400), min_m=20)
    100.0
    """
    a = float(shapely.area(zone))
    if a == 0:
        return 100.0
    r = min_m / 2
    opened = shapely.buffer(shapely.buffer(zone, -r, quad_segs=32), r, quad_segs=32)
    kept = float(shapely.area(shapely.intersection(opened, zone)))
    return max(0.0, 100.0 * (a - kept) / a)


# -- layout measurements ------------------------------------------------------------------
def land_share_pct(estate: Estate, *, land_use: tuple[str, ...] | list[str]) -> float:
    """Share of the estate's (boundary) area held by parcels of these land uses, percent.

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 400, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": list("abcd"), "land_use": ["industrial"] * 3 + ["green"]},
    ...     geometry=[shapely.box(i * 100, 0, i * 100 + 100, 100) for i in range(4)], crs=32749)
    >>> land_share_pct(Estate.from_layers({"boundary": b, "parcels": p}), land_use=["industrial"])
    75.0
    """
    p = estate.parcels
    sel = p["land_use"].isin(list(land_use)).to_numpy()
    total = float(shapely.area(estate.boundary_union))
    if total == 0:
        return math.nan
    return 100.0 * float(shapely.area(_geoms(p)[sel]).sum()) / total


def parcel_setback_m(
    estate: Estate, *, land_use: tuple[str, ...] | list[str], features: Features
) -> pd.Series:
    """Distance from each parcel of these land uses to the nearest of ``features``, metres.

    Returns a Series named ``setback_m`` indexed like ``estate.parcels`` (only the
    parcels of those land uses).

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 200, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b"], "land_use": ["industrial", "green"]},
    ...                      geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> parcel_setback_m(est, land_use=["industrial"], features=gpd.GeoSeries([LineString([(0, 130), (200, 130)])])).tolist()
    [30.0]
    """
    p = estate.parcels
    sel = p[p["land_use"].isin(list(land_use)).to_numpy()]
    target = shapely.union_all(_geoms(features))
    d = shapely.distance(_geoms(sel), target) if len(sel) else np.zeros(0)
    return pd.Series(np.asarray(d, dtype=float), index=sel.index, name="setback_m")


# -- rules --------------------------------------------------------------------------------
def _select(rule: Rule, rules: Rules, key: str, estate: Estate) -> gpd.GeoDataFrame:
    return rule[key].select(estate, rule_label=rules.label(rule, key))


def _area_result(z: shapely.Geometry, rules: Rules) -> RuleResult:
    spec = rules.zone
    assert spec is not None
    a = area_ha(z)
    ok = spec.min_ha <= a <= spec.max_ha
    msg = f"the zone covers {a:,.2f} ha; {spec.name} needs {spec.describe()}"
    return RuleResult("area", "area", ok, a, f"{spec.min_ha:g} .. {spec.max_ha:g}", "ha", msg)


def _on_result(z: shapely.Geometry, estate: Estate, rules: Rules) -> RuleResult:
    spec = rules.zone
    assert spec is not None
    off = off_land_ha(z, estate, on=spec.on)
    road = road_overlap_m2(z, estate)
    ok = off <= ON_TOLERANCE_HA and road <= _ROAD_NOISE_M2
    lands = "|".join(spec.on)
    msg = f"{off:,.3f} ha of the zone lies off {lands} land or outside the boundary (at most {ON_TOLERANCE_HA:g} ha)"
    if road > _ROAD_NOISE_M2:
        msg += f"; it overlaps road corridors by {road:,.0f} m²"
    else:
        msg += "; it overlaps no road corridor"
    return RuleResult("on", "on", ok, off, f"<= {ON_TOLERANCE_HA:g}", "ha", msg)


def adjacent_options(rule: Rule, rules: Rules) -> dict[str, Any]:
    """An ``adjacent`` rule's ``max_gap_m`` (default 0), ``across`` and the zone's ``on``
    land, as keyword arguments of :func:`shared_boundary` and :func:`adjacency_target`.
    """
    across = rule.get("across")
    return {
        "max_gap_m": float(rule.get("max_gap_m") or 0.0),
        "across": None if across is None else tuple(across),
        "on": rules.zone.on if rules.zone is not None else ("available",),
    }


def _gap_text(max_gap_m: float, across: Sequence[str] | None, on: Sequence[str]) -> str:
    """How far the zone may be from the parcels, for messages ('' without a gap)."""
    if not max_gap_m > 0:
        return ""
    if across is not None:
        return f", directly or across ≤ {max_gap_m:g} m of {'|'.join(across)} road"
    return f", directly or across ≤ {max_gap_m:g} m of land that is not {'|'.join(on)}"


def _adjacent(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    sel = _select(rule, rules, "to", estate)
    opts = adjacent_options(rule, rules)
    v = shared_boundary_m(z, sel, estate=estate, **opts)
    need = rule["min_shared_m"]
    how = _gap_text(**opts)
    msg = f"the zone shares {_m(v)} of boundary with {rule['to'].describe()}{how} (needs at least {_m(need)})"
    return RuleResult(rule.id, rule.kind, v >= need, v, _req(">=", need), "m", msg)


def _frontage(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    classes = rule["road_class"]
    v = frontage_m(z, estate, road_class=classes)
    need = rule["min_m"]
    msg = f"the zone fronts {'|'.join(classes)} roads for {_m(v)} (needs at least {_m(need)})"
    return RuleResult(rule.id, rule.kind, v >= need, v, _req(">=", need), "m", msg)


def _network_distance(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    sel = _select(rule, rules, "from", estate)
    need = rule["max_m"]
    what = rule["from"].describe()
    if len(estate.roads) == 0:
        msg = f"the estate has no roads, so no road distance from {what} can be measured"
        return RuleResult(rule.id, rule.kind, False, None, _req("<=", need), "m", msg)
    v, path = network_distance_m(z, estate, sources=sel)
    if v is None or path is None:
        msg = f"no road reaches the zone from {what} (no centreline within its corridor reach of the zone)"
        return RuleResult(rule.id, rule.kind, False, None, _req("<=", need), "m", msg)
    start = shapely.Point(path.coords[0])
    geoms = _geoms(sel)
    i = int(np.argmin(shapely.distance(geoms, start)))
    who = _feature_id(sel, i)
    straight = float(shapely.distance(geoms[i], z))
    msg = (
        f"the nearest of {what} ({who}) is {_m(v)} from the zone along the roads "
        f"({_m(straight)} in a straight line); at most {_m(need)} allowed"
    )
    return RuleResult(rule.id, rule.kind, v <= need, v, _req("<=", need), "m", msg)


def _feature_id(gdf: gpd.GeoDataFrame, i: int) -> str:
    for col in ("parcel_id", "gate_id", "road_id", "name"):
        if col in gdf.columns:
            v = gdf[col].iloc[i]
            if isinstance(v, str) and v:
                return v
    return f"#{gdf.index[i]}"


def _distance(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    sel = _select(rule, rules, "to", estate)
    v = min_distance_m(z, sel)
    need = rule["max_m"]
    msg = (
        f"the zone is {_m(v)} from {rule['to'].describe()} in a straight line (at most {_m(need)})"
    )
    return RuleResult(rule.id, rule.kind, v <= need, v, _req("<=", need), "m", msg)


def _setback(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    sel = _select(rule, rules, "from", estate)
    v = min_distance_m(z, sel)
    need = rule["min_m"]
    msg = f"the zone keeps {_m(v)} from {rule['from'].describe()} (needs at least {_m(need)})"
    return RuleResult(rule.id, rule.kind, v >= need, v, _req(">=", need), "m", msg)


def _contiguous(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    parts = shapely.get_parts(shapely.union_all([z]))
    n = len(parts)
    areas = sorted(shapely.area(parts) / 10_000, reverse=True)
    sizes = ", ".join(f"{a:,.4f} ha" for a in areas[:3]) + (", …" if n > 3 else "")
    msg = (
        "the zone is one piece"
        if n == 1
        else f"the zone falls into {n} separate pieces ({sizes}); it must be one"
    )
    return RuleResult(rule.id, rule.kind, n == 1, float(n), "== 1", "", msg)


def _compactness(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    v = compactness(z)
    need = rule["min"]
    msg = (
        f"Polsby–Popper compactness 4πA/P² is {v:.3f} (needs at least {need:g}; a square is 0.785)"
    )
    return RuleResult(rule.id, rule.kind, v >= need, v, _req(">=", need), "", msg)


def _min_width(z: shapely.Geometry, estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    w = rule["min_m"]
    v = opening_loss_pct(z, min_m=w)
    msg = (
        f"parts narrower than {w:g} m (an opening of radius {w / 2:g} m) hold {v:.2f}% of the zone's "
        f"area; at most {MIN_WIDTH_LOSS_PCT:g}% allowed"
    )
    return RuleResult(
        rule.id, rule.kind, v <= MIN_WIDTH_LOSS_PCT, v, _req("<=", MIN_WIDTH_LOSS_PCT), "%", msg
    )


def _land_share(estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    uses = rule["land_use"]
    v = land_share_pct(estate, land_use=uses)
    lo, hi = rule.get("min_pct"), rule.get("max_pct")
    ok = (lo is None or v >= lo) and (hi is None or v <= hi)
    req = (
        f"{lo:g} .. {hi:g}"
        if lo is not None and hi is not None
        else _req(">=", lo)
        if lo is not None
        else _req("<=", hi)
    )
    msg = f"{'|'.join(uses)} parcels hold {v:.1f}% of the estate's area (required {req}%)"
    return RuleResult(rule.id, rule.kind, ok, v, req, "%", msg, scope="layout")


def _layout_setback(estate: Estate, rule: Rule, rules: Rules) -> RuleResult:
    uses = rule["land_use"]
    sel = _select(rule, rules, "from", estate)
    need = rule["min_m"]
    d = parcel_setback_m(estate, land_use=uses, features=sel)
    what = rule["from"].describe()
    if d.empty:
        msg = f"there are no {'|'.join(uses)} parcels, so none is near {what}"
        return RuleResult(
            rule.id, rule.kind, True, None, _req(">=", need), "m", msg, scope="layout"
        )
    worst = d.idxmin()
    v = float(d.loc[worst])
    pid = estate.parcels.loc[worst, "parcel_id"]
    n_bad = int((d < need).sum())
    msg = f"the closest {'|'.join(uses)} parcel to {what} is {pid} at {_m(v)} (needs at least {_m(need)})"
    if n_bad:
        msg += f"; {n_bad} parcel{'s' * (n_bad != 1)} too close"
    return RuleResult(rule.id, rule.kind, v >= need, v, _req(">=", need), "m", msg, scope="layout")


_ZONE_RULES: dict[str, Callable[[shapely.Geometry, Estate, Rule, Rules], RuleResult]] = {
    "adjacent": _adjacent,
    "frontage": _frontage,
    "network_distance": _network_distance,
    "distance": _distance,
    "setback": _setback,
    "contiguous": _contiguous,
    "compactness": _compactness,
    "min_width": _min_width,
}
_LAYOUT_RULES: dict[str, Callable[[Estate, Rule, Rules], RuleResult]] = {
    "land_share": _land_share,
    "setback": _layout_setback,
}


def check(
    estate: Estate,
    zone: ZoneLike | str | os.PathLike[str] | None,
    rules: Rules,
    *,
    on_invalid: OnInvalid = "raise",
) -> Report:
    """Judge a zone (and the layout) against a rules file.

    The estate is validated first (:func:`kitland.validation.require_valid`, once per
    estate object): data errors raise, data warnings are logged.

    Parameters
    ----------
    estate
        The estate.
    zone
        A shapely (Multi)Polygon in ``estate.crs``, a GeoDataFrame/GeoSeries with a CRS
        (reprojected), a zone file's path (read as ``kitland check --zone`` reads it:
        :func:`kitland.io.read_zone`, or :func:`kitland.io.read_zones` for a rules file
        of several zones), or None to check only the layout rules.
    rules
        From :func:`kitland.load_rules`.
    on_invalid
        ``"raise"`` (default): an estate with data errors raises :class:`DataError`;
        ``"warn"``: they are logged and the check goes on.

    Returns
    -------
    Report
        ``area`` and ``on`` first (when the rules have a ``[zone]`` table and a zone is
        given), then the zone rules and the layout rules in file order. With a rules
        file of several zones (``[[zones]]``) and a zone given, a
        :class:`~kitland.report.ZonesReport` of :func:`kitland.between.check_zones`:
        ``zone`` is then a GeoDataFrame whose features carry the zones' names in a
        ``zone_id`` (or ``name``) column, or a mapping name → polygon.

    Raises
    ------
    RulesError
        Listing every rule (not ``optional``) whose selector matches no feature or
        names a missing column (:meth:`Rules.check_against`); optional ones are
        reported as skipped (``skipped`` True, ``passed`` True).
    DataError, CRSError
        If the estate has data errors (:func:`kitland.validate`), or the zone is unusable
        (empty, not a polygon, invalid, no CRS).

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> from kitland.rules import parse_rules
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 600, 500)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["i", "a"], "land_use": ["industrial", "available"]},
    ...                      geometry=[shapely.box(0, 0, 200, 500), shapely.box(200, 0, 600, 500)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> rules = parse_rules({"zone": {"area_ha": 20}, "rules": [
    ...     {"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared_m": 500}]})
    >>> report = check(est, shapely.box(200, 0, 600, 500), rules)
    >>> [(r.id, r.passed, round(r.value, 2)) for r in report.results]
    [('area', True, 20.0), ('on', True, 0.0), ('adjacent#1', True, 500.0)]
    """
    if isinstance(zone, str | os.PathLike):
        zone = read_zones(zone) if rules.multi_zone else read_zone(zone)
    if rules.multi_zone and zone is not None:
        from kitland.between import check_zones  # noqa: PLC0415 (between builds on this module)

        return check_zones(estate, zone, rules, on_invalid=on_invalid)
    require_valid(estate, on_invalid=on_invalid)
    skip = {r.key: why for r, why in rules.check_against(estate)}
    results: list[RuleResult] = []
    summary: dict[str, Any] = {}
    if zone is not None:
        z = as_zone(zone, estate)
        summary = {
            "area_ha": area_ha(z),
            "compactness": compactness(z),
            "crs": crs_label(estate.crs),
        }
        if rules.zone is not None:
            results += [_area_result(z, rules), _on_result(z, estate, rules)]
        for rule in rules.rules:
            if rule.key in skip:
                results.append(_skipped(rule, skip[rule.key]))
                continue
            results.append(_ZONE_RULES[rule.kind](z, estate, rule, rules))
            log.debug("%s: %s", rule.id, results[-1].message)
    elif rules.rules:
        log.info(
            "no zone given: the %d zone rules of %s are not checked", len(rules.rules), rules.source
        )
    for rule in rules.layout:
        if rule.key in skip:
            results.append(_skipped(rule, skip[rule.key]))
            continue
        results.append(_LAYOUT_RULES[rule.kind](estate, rule, rules))
    english = {r.id: r.name_en for r in rules if r.name_en}
    results = [dataclasses.replace(r, name_en=english[r.id]) if r.id in english else r
               for r in results]  # fmt: skip
    return Report(results, summary)


def _skipped(rule: Rule, why: str) -> RuleResult:
    """The result of an optional rule whose selector matches nothing on this estate."""
    msg = f"skipped: {why} (optional)"
    scope = "layout" if rule.scope == "layout" else "zone"
    return RuleResult(rule.id, rule.kind, True, None, "", "", msg, scope=scope, skipped=True)


def diagnostics(estate: Estate, zone: ZoneLike | None, rules: Rules) -> dict[str, gpd.GeoDataFrame]:
    """The geometries behind a check, for maps, in ``estate.crs``.

    Returns
    -------
    dict
        ``"frontage"`` (boundary along the roads, per frontage rule), ``"adjacent"``
        (shared boundary, per adjacent rule), ``"gate_path"`` (road path from the nearest
        gate, per network_distance rule) and ``"setback_bands"`` (the area within
        ``min_m`` of the features, per zone or layout setback rule). Each frame has
        columns ``rule_id``, ``kind``, ``value`` (metres) and ``geometry``; ``"adjacent"``
        also ``reach`` (``"directly"``, or the gap its ``max_gap_m``/``across`` allow,
        e.g. ``"directly or across ≤ 15 m of local road"``: the shared boundary then
        includes the zone's edges facing the parcels across that gap). Frames may be
        empty. Optional rules skipped on this estate are left out.

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> from kitland.rules import parse_rules
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 600, 500)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["i", "a"], "land_use": ["industrial", "available"]},
    ...                      geometry=[shapely.box(0, 0, 200, 500), shapely.box(200, 0, 600, 500)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> rules = parse_rules({"rules": [{"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared_m": 1}]})
    >>> d = diagnostics(est, shapely.box(200, 0, 600, 500), rules)
    >>> sorted(d), float(d["adjacent"].length.sum())
    (['adjacent', 'frontage', 'gate_path', 'setback_bands'], 500.0)
    """
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("frontage", "adjacent", "gate_path", "setback_bands")
    }
    z = as_zone(zone, estate) if zone is not None else None
    rules = rules.applicable(estate)
    if z is not None:
        for rule in rules.rules:
            base = {"rule_id": rule.id, "kind": rule.kind}
            if rule.kind == "frontage":
                g = frontage_lines(z, estate, road_class=rule["road_class"])
                rows["frontage"].append({**base, "value": g.length, "geometry": g})
            elif rule.kind == "adjacent":
                opts = adjacent_options(rule, rules)
                g = shared_boundary(z, _select(rule, rules, "to", estate), estate=estate, **opts)
                gap = _gap_text(**opts).removeprefix(", ")
                rows["adjacent"].append(
                    {**base, "value": g.length, "reach": gap or "directly", "geometry": g}
                )
            elif rule.kind == "network_distance":
                m, path = network_distance_m(
                    z, estate, sources=_select(rule, rules, "from", estate)
                )
                if path is not None:
                    rows["gate_path"].append({**base, "value": m, "geometry": path})
            elif rule.kind == "setback":
                sel = _select(rule, rules, "from", estate)
                band = shapely.buffer(shapely.union_all(_geoms(sel)), rule["min_m"])
                rows["setback_bands"].append({**base, "value": rule["min_m"], "geometry": band})
    for rule in rules.layout:
        if rule.kind == "setback":
            sel = _select(rule, rules, "from", estate)
            band = shapely.buffer(shapely.union_all(_geoms(sel)), rule["min_m"])
            rows["setback_bands"].append(
                {"rule_id": rule.id, "kind": rule.kind, "value": rule["min_m"], "geometry": band}
            )
    out = {}
    for k, r in rows.items():
        if r:
            out[k] = gpd.GeoDataFrame(r, geometry="geometry", crs=estate.crs)
        else:
            cols = {
                "rule_id": pd.Series(dtype=object),
                "kind": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
            }
            if k == "adjacent":
                cols["reach"] = pd.Series(dtype=object)
            out[k] = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=estate.crs), crs=estate.crs)  # fmt: skip
    return out
