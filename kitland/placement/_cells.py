"""Geometry front end: the land a zone may take, cut into cells with their rule attributes.

Everything here turns GeoDataFrames into plain numpy arrays for the solver core
(:mod:`kitland.placement._model` and the solvers after it), which never sees a
geometry. Cells are squares of ``cell_m`` on a grid turned to the direction the land's
edges mostly run in (:func:`grid_angle`; north-up, aligned to multiples of ``cell_m``,
when none dominates), clipped to the candidate land; a square split by a road or a
setback band becomes several cells (one per piece). Two cells are neighbours only where
their clipped shapes share more than :data:`MIN_SHARED_M` of edge.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from kitland._errors import RulesError
from kitland.estate import Estate
from kitland.i18n import Message
from kitland.measure import adjacency_target, adjacent_options
from kitland.rules import Rule, Rules, Selector
from kitland.validation import keep_family

__all__ = [
    "EPS_M",
    "MIN_SHARED_M",
    "CandidateLand",
    "Cells",
    "adjacency_coefficient",
    "candidate_land",
    "cell_attributes",
    "grid_angle",
    "make_cells",
    "oblique_angles",
    "rule_selection",
]

log = logging.getLogger(__name__)

#: Snapping tolerance of SPEC §3.
EPS_M = 0.5
#: Cells sharing less edge than this are not neighbours.
MIN_SHARED_M = 1.0
#: Slivers smaller than this share of a full cell are dropped.
MIN_CELL_SHARE = 0.02
#: Extra distance added to setback buffers so polygonal buffers stay outside the true one.
SETBACK_MARGIN_M = 0.25
_STRIP_M = 0.05  # width of the strips used to measure shared edges
_TILE = 32  # cells per side of the tiles used to clip boundary cells
_SEAM_M = 0.001  # neighbours are grown by this much to cut their shared edge from a boundary
_TOUCH_M = 0.05  # adjacency lines are cut this far around touching cells that are not neighbours
_BAND_MARGIN_M = 0.001  # a polygonised ε band's edge lies at least ε − 0.6 mm from its target


@dataclass(frozen=True)
class CandidateLand:
    """The land a zone may take and the steps that made it (for the rule funnel).

    Attributes
    ----------
    base
        Parcels whose land use is in ``zone.on``, inside the boundary.
    allowed
        ``base`` minus road corridors and setback bands.
    removed
        ``(label, geometry)`` per exclusion step: ``roads`` and each setback rule id.
    """

    base: shapely.Geometry
    allowed: shapely.Geometry
    removed: tuple[tuple[str, shapely.Geometry], ...]


@dataclass(frozen=True)
class Cells:
    """Cells of candidate land as arrays (index ``i`` = one cell piece).

    Attributes
    ----------
    geoms
        Clipped cell polygons.
    row, col
        Grid position (row 0 at the south).
    area_m2, perimeter_m
        Planar area and boundary length of each clipped cell.
    edges, shared_m
        Neighbour pairs ``(i, j)`` with ``i < j`` and the length of edge they share.
    exposed
        The part of each cell's boundary not shared with another cell (lines).
    cell_m, origin
        Grid spacing and south-west corner of grid cell ``(0, 0)`` (in the turned
        frame when ``angle_deg`` is set).
    angle_deg, pivot
        The grid's turn (counter-clockwise, degrees) and the point it turns about.
    """

    geoms: NDArray[np.object_]
    row: NDArray[np.int64]
    col: NDArray[np.int64]
    area_m2: NDArray[np.float64]
    perimeter_m: NDArray[np.float64]
    edges: NDArray[np.int64]
    shared_m: NDArray[np.float64]
    exposed: NDArray[np.object_]
    cell_m: float
    origin: tuple[float, float]
    centroids: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    angle_deg: float = 0.0
    pivot: tuple[float, float] = (0.0, 0.0)

    def __len__(self) -> int:
        return len(self.geoms)


def rule_selection(estate: Estate, rule: Rule, *keys: str) -> gpd.GeoDataFrame:
    """Features a rule is about: its first :class:`Selector` parameter among ``keys``.

    Raises
    ------
    RulesError
        If the rule carries no selector (names the rule).
    """
    for key in keys or ("to", "from"):
        sel = rule.get(key)
        if isinstance(sel, Selector):
            return sel.select(estate, rule_label=rule.id)
    *first, last = keys or ("to", "from")
    names = Message("{a} or {b}", {"a": ", ".join(first), "b": last}) if first else last
    msg = Message("rule {rule}: needs a selector table ({keys} = {{ ... }})",
                  {"rule": rule.id, "keys": names})  # fmt: skip
    raise RulesError(msg)


def road_corridors_for(estate: Estate, rule: Rule) -> NDArray[np.object_]:
    """Corridors of the roads a ``frontage`` rule names (``road_class`` or a selector)."""
    roads = estate.roads
    classes = rule.get("road_class")
    if classes is not None:
        vals = (classes,) if isinstance(classes, str) else tuple(classes)
        mask = roads["road_class"].isin(vals).to_numpy()
    else:
        sel = rule_selection(estate, rule, "to", "from", "roads")
        mask = roads.index.isin(sel.index)
    return np.asarray(estate.road_corridors.to_numpy()[mask], dtype=object)


def _union(geoms: Sequence[shapely.Geometry] | NDArray[np.object_]) -> shapely.Geometry:
    arr = np.asarray(geoms, dtype=object)
    if len(arr) == 0:
        return shapely.Polygon()
    return shapely.union_all(shapely.make_valid(arr))


def _union_meeting(geoms: NDArray[np.object_], region: shapely.Geometry) -> shapely.Geometry:
    """The union of those of ``geoms`` that meet ``region``: ``region`` minus it is
    ``region`` minus the union of all, at the cost of the few near it."""
    fixed = shapely.make_valid(np.asarray(geoms, dtype=object))
    shapely.prepare(region)
    return shapely.union_all(fixed[shapely.intersects(region, fixed)])


def candidate_land(estate: Estate, rules: Rules) -> CandidateLand:
    """Land the zone may take: ``on`` parcels ∩ boundary − road corridors − setbacks.

    Slits narrower than 2·ε between ``on`` parcels that no other parcel fills are closed.

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> b = gpd.GeoDataFrame(geometry=[box(0, 0, 200, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b"], "land_use": ["industrial", "available"]},
    ...                      geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> from kitland.rules import Rules, ZoneSpec
    >>> land = candidate_land(est, Rules(zone=ZoneSpec()))
    >>> round(land.allowed.area)
    10000
    """
    zone = rules.zone
    on = zone.on if zone is not None else ("available",)
    parcels = estate.parcels
    mask = parcels["land_use"].isin(on).to_numpy()
    geoms = parcels.geometry.to_numpy()
    # Close hairline cracks between ``on`` parcels (data rounded to the centimetre leaves
    # millimetre slits at their shared edges) where no other parcel lies: without it the
    # cells on either side are no neighbours, a zone across the crack looks cut in two
    # and its perimeter far too long.
    on_land = _union(geoms[mask])
    closed = shapely.buffer(
        shapely.buffer(on_land, EPS_M, join_style="mitre"), -EPS_M, join_style="mitre"
    )
    if (~mask).any():
        closed = shapely.difference(closed, _union_meeting(geoms[~mask], closed))
    base = shapely.intersection(shapely.union(on_land, closed), estate.boundary_union)
    removed: list[tuple[str, shapely.Geometry]] = []
    if len(estate.roads):
        removed.append(("roads", _union_meeting(estate.road_corridors.to_numpy(), base)))
    for rule in rules.rules:
        if rule.kind != "setback":
            continue
        sel = rule_selection(estate, rule, "from", "to")
        dist = float(rule["min_m"]) + SETBACK_MARGIN_M
        band = shapely.buffer(_union(sel.geometry.to_numpy()), dist, quad_segs=16)
        removed.append((rule.id, band))
    allowed = base
    for _, geom in removed:
        allowed = shapely.difference(allowed, geom)
    allowed = shapely.make_valid(allowed)
    polys = [g for g in shapely.get_parts(allowed) if g.geom_type == "Polygon" and g.area > 0]
    allowed = shapely.MultiPolygon(polys) if len(polys) != 1 else polys[0]
    return CandidateLand(base=base, allowed=allowed, removed=tuple(removed))


def grid_angle(allowed: shapely.Geometry, *, min_alignment: float = 0.2) -> float:
    """The direction the land's edges mostly run in, degrees in [−45, 45) (0: north-up).

    Edge directions are folded onto a quarter turn (a rectangle's four sides agree);
    the direction holding the most edge length (within ±1°) wins, refined by the
    length-weighted mean of the edges near it. A ragged outline where that direction
    holds less than ``min_alignment`` of the length keeps the north-up grid, as does a
    direction within 0.5° of north.

    Examples
    --------
    >>> from shapely import affinity, box
    >>> round(grid_angle(affinity.rotate(box(0, 0, 400, 300), 30)), 6)
    30.0
    >>> grid_angle(box(0, 0, 400, 300))
    0.0
    """
    if allowed.is_empty:
        return 0.0
    _, d = _edges(allowed)
    deg, share = _peak(d)
    return 0.0 if share < min_alignment or abs(deg) < 0.5 else deg


def oblique_angles(
    cells: Cells, touch: NDArray[np.bool_], *, min_share: float = 0.25, min_turn_deg: float = 5.0
) -> list[float]:
    """Angles of further grids worth searching: the direction the land's edges run along
    where the zone must touch something (a road to front, a neighbour to share an edge
    with), when it is oblique to ``cells``' grid.

    The outline of the cells' land where it bounds the cells in ``touch`` (the land's
    edge there) is folded onto a quarter turn as in :func:`grid_angle`; when its strongest direction holds at least
    ``min_share`` of that length and is more than ``min_turn_deg`` off the grid, the
    direction is returned: on a grid turned to it, a band along that edge is whole cells,
    which the ``min_width`` squares hold. Empty otherwise.

    Examples
    --------
    >>> from shapely import affinity, box
    >>> land = affinity.rotate(box(0, 0, 400, 100), 30, origin=(0, 0))
    >>> cells = make_cells(land, cell_m=25.0)
    >>> oblique_angles(cells, np.ones(len(cells), bool))
    [30.0]
    >>> turned = make_cells(land, cell_m=25.0, angle_deg=30.0)
    >>> oblique_angles(turned, np.ones(len(turned), bool))
    []
    """
    if not touch.any():
        return []
    land = shapely.union_all(cells.geoms)
    edge = shapely.intersection(shapely.boundary(land), shapely.union_all(cells.geoms[touch]))
    lines = shapely.get_parts(shapely.line_merge(shapely.simplify(edge, 0.5)))
    xy, part = shapely.get_coordinates(lines, return_index=True)
    d = (xy[1:] - xy[:-1])[part[1:] == part[:-1]]
    deg, share = _peak(d)
    turn = abs((deg - cells.angle_deg + 45.0) % 90.0 - 45.0)
    return [deg] if share >= min_share and turn > min_turn_deg else []


def _peak(d: NDArray[np.float64]) -> tuple[float, float]:
    """The direction (degrees in [−45, 45)) holding the most length of the vectors ``d``
    within ±1° (folded onto a quarter turn, refined by the length-weighted mean near it)
    and the share of the length it holds."""
    length = np.hypot(d[:, 0], d[:, 1])
    total = float(length.sum())
    if total <= 0:
        return 0.0, 0.0
    theta = np.degrees(np.arctan2(d[:, 1], d[:, 0])) % 90.0  # [0, 90)
    hist, _ = np.histogram(theta, bins=360, range=(0.0, 90.0), weights=length)
    window = np.convolve(np.r_[hist[-4:], hist, hist[:4]], np.ones(9), mode="valid")
    peak = (int(np.argmax(window)) + 0.5) * 0.25  # centre of the best ±1° window
    off = (theta - peak + 45.0) % 90.0 - 45.0
    near = np.abs(off) <= 1.25  # the window's bins, whole
    deg = peak + float(np.average(off[near], weights=length[near]))
    return round((deg + 45.0) % 90.0 - 45.0, 6), float(length[near].sum()) / total


def make_cells(
    allowed: shapely.Geometry, *, cell_m: float, angle_deg: float = 0.0,
    within: shapely.Geometry | None = None,
) -> Cells:  # fmt: skip
    """Cut ``allowed`` into grid cells of ``cell_m``; find neighbours and exposed edges.

    With ``angle_deg`` the grid is turned by that angle (counter-clockwise) about the
    start of the land's longest edge in that direction, so cells line up with land that
    does not run north-up (:func:`grid_angle`); rows and columns then count along the
    turned axes.

    With ``within``, only the land within two cells of its bounding box is cut, on the
    grid the whole of ``allowed`` sets: every cell that meets ``within`` is the cell the
    whole land gives (same shape, area and centroid); cells at the edge of that box are
    cut by it, and rows and columns count from its corner.

    Examples
    --------
    >>> from shapely import box
    >>> c = make_cells(box(0, 0, 100, 50), cell_m=25.0)
    >>> len(c), float(c.area_m2.sum()), len(c.edges), float(c.shared_m.sum())
    (8, 5000.0, 10, 250.0)
    >>> part = make_cells(box(0, 0, 100, 50), cell_m=25.0, within=box(80, 30, 90, 40))
    >>> meets = shapely.intersects(part.geoms, box(80, 30, 90, 40))
    >>> len(part), float(part.area_m2.sum()), part.area_m2[meets].tolist()
    (6, 3500.0, [625.0])
    """
    cell_m = float(cell_m)  # an int size would make the shared lengths integer arrays
    pivot = _anchor(allowed, angle_deg) if angle_deg and not allowed.is_empty else None
    if within is not None and not allowed.is_empty:
        x0, y0, x1, y1 = shapely.bounds(within)
        g = 2 * cell_m
        box = shapely.box(x0 - g, y0 - g, x1 + g, y1 + g)
        allowed = keep_family(shapely.intersection(allowed, box), "polygon")
    if angle_deg and pivot is not None and not allowed.is_empty:
        turn = _rotation(angle_deg, pivot)
        back = turn[:, :2]  # forward: q = (p − pivot) @ back, a grid node at the pivot
        straight = make_cells(
            shapely.transform(allowed, lambda xy: (xy - np.asarray(pivot)) @ back), cell_m=cell_m
        )

        def ahead(xy: NDArray[np.float64]) -> NDArray[np.float64]:  # the grid's frame to the map
            return xy @ turn[:, :2].T + turn[:, 2]

        return replace(straight, geoms=shapely.transform(straight.geoms, ahead),
                       exposed=shapely.transform(straight.exposed, ahead),
                       centroids=ahead(straight.centroids), angle_deg=angle_deg, pivot=pivot)  # fmt: skip
    empty_i = np.zeros(0, dtype=np.int64)
    if allowed.is_empty:
        e = np.zeros(0, dtype=object)
        return Cells(e, empty_i, empty_i, np.zeros(0), np.zeros(0), np.zeros((0, 2), np.int64),
                     np.zeros(0), e, cell_m, (0.0, 0.0))  # fmt: skip
    x0, y0, x1, y1 = allowed.bounds
    ox, oy = math.floor(x0 / cell_m) * cell_m, math.floor(y0 / cell_m) * cell_m
    nc, nr = max(1, math.ceil((x1 - ox) / cell_m)), max(1, math.ceil((y1 - oy) / cell_m))
    rr, cc = np.divmod(np.arange(nr * nc, dtype=np.int64), nc)
    boxes = shapely.box(
        ox + cc * cell_m, oy + rr * cell_m, ox + (cc + 1) * cell_m, oy + (rr + 1) * cell_m
    )
    shapely.prepare(allowed)
    inside = shapely.contains_properly(allowed, boxes)
    touch = ~inside & shapely.intersects(allowed, boxes)
    geoms = np.array(boxes, dtype=object)
    geoms[~inside] = None
    # Boundary cells: intersect with the allowed land clipped to their tile (cheap pieces).
    t_idx = np.flatnonzero(touch)
    tile = (rr[t_idx] // _TILE) * (nc // _TILE + 1) + cc[t_idx] // _TILE
    order = np.argsort(tile, kind="stable")
    t_idx, tile = t_idx[order], tile[order]
    starts = np.flatnonzero(np.r_[True, tile[1:] != tile[:-1]])
    for s, e in zip(starts, [*starts[1:], len(tile)], strict=True):
        idx = t_idx[s:e]
        r0, c0 = rr[idx].min(), cc[idx].min()
        r1, c1 = rr[idx].max() + 1, cc[idx].max() + 1
        piece = shapely.clip_by_rect(allowed, ox + c0 * cell_m - 1, oy + r0 * cell_m - 1,
                                     ox + c1 * cell_m + 1, oy + r1 * cell_m + 1)  # fmt: skip
        geoms[idx] = shapely.intersection(boxes[idx], piece)
    keep = inside | touch
    idx_all = np.flatnonzero(keep)
    parts, part_of = shapely.get_parts(geoms[idx_all], return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    parts, part_of = parts[is_poly], part_of[is_poly]
    area = shapely.area(parts)
    big = area >= MIN_CELL_SHARE * cell_m * cell_m
    parts, part_of, area = parts[big], part_of[big], area[big]
    src = idx_all[part_of]
    row, col = rr[src], cc[src]
    edges, shared = _neighbours(parts, row, col, area, cell_m=cell_m, origin=(ox, oy))
    exposed = _exposed(parts, edges, shared, area, cell_m=cell_m)
    cent = shapely.get_coordinates(shapely.centroid(parts)) if len(parts) else np.zeros((0, 2))
    return Cells(
        geoms=parts, row=row, col=col, area_m2=area, perimeter_m=shapely.length(parts),
        edges=edges, shared_m=shared, exposed=exposed, cell_m=cell_m, origin=(ox, oy),
        centroids=cent,
    )  # fmt: skip


def _rotation(angle_deg: float, pivot: tuple[float, float]) -> NDArray[np.float64]:
    """2 × 3 affine matrix from the grid's frame (pivot at 0, 0) back to the map."""
    a = math.radians(angle_deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, pivot[0]], [s, c, pivot[1]]])


def _edges(
    allowed: shapely.Geometry,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start points and vectors of the edges of the land's rings (simplified by 0.5 m)."""
    rings = shapely.get_rings(shapely.get_parts(shapely.simplify(allowed, 0.5)))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    return xy[:-1][same], (xy[1:] - xy[:-1])[same]


def _anchor(allowed: shapely.Geometry, angle_deg: float) -> tuple[float, float]:
    """Start of the longest edge running in the grid's direction: grid lines pass there,
    so a parcel with that edge is cut into whole cells along it."""
    a, d = _edges(allowed)
    theta = np.degrees(np.arctan2(d[:, 1], d[:, 0])) % 90.0
    off = np.abs((theta - angle_deg + 45.0) % 90.0 - 45.0)
    length = np.where(off <= 1.25, np.hypot(d[:, 0], d[:, 1]), -1.0)
    k = int(np.argmax(length))
    return float(a[k, 0]), float(a[k, 1])


def _neighbours(
    geoms: NDArray[np.object_], row: NDArray[np.int64], col: NDArray[np.int64],
    area: NDArray[np.float64], *, cell_m: float, origin: tuple[float, float],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """Neighbour pairs (east and north of each cell) and their shared edge length."""
    n = len(geoms)
    if n == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0)
    full = np.isclose(area, cell_m * cell_m, rtol=1e-9, atol=1e-6)
    df = pd.DataFrame({"i": np.arange(n), "r": row, "c": col})
    out_e, out_s = [], []
    for dr, dc in ((0, 1), (1, 0)):
        nb = df.rename(columns={"i": "j"}).assign(r=df["r"] - dr, c=df["c"] - dc)
        pairs = df.merge(nb, on=["r", "c"])
        i, j = pairs["i"].to_numpy(), pairs["j"].to_numpy()
        shared = np.full(len(i), cell_m)
        part = ~(full[i] & full[j])
        if part.any():
            pi, pj = i[part], j[part]
            r, c = row[pi], col[pi]
            ox, oy = origin
            d = _STRIP_M
            if dc:  # j east of i: shared line x = X
                X = ox + (c + 1) * cell_m
                ylo, yhi = oy + r * cell_m, oy + (r + 1) * cell_m
                sa = shapely.intersection(geoms[pi], shapely.box(X - d, ylo, X, yhi))
                sb = shapely.intersection(geoms[pj], shapely.box(X, ylo, X + d, yhi))
                sa = shapely.transform(sa, lambda xy, d=d: xy + np.array([d, 0.0]))
            else:  # j north of i: shared line y = Y
                Y = oy + (r + 1) * cell_m
                xlo, xhi = ox + c * cell_m, ox + (c + 1) * cell_m
                sa = shapely.intersection(geoms[pi], shapely.box(xlo, Y - d, xhi, Y))
                sb = shapely.intersection(geoms[pj], shapely.box(xlo, Y, xhi, Y + d))
                sa = shapely.transform(sa, lambda xy, d=d: xy + np.array([0.0, d]))
            shared[part] = shapely.area(shapely.intersection(sa, sb)) / d
        out_e.append(np.column_stack([i, j]))
        out_s.append(shared)
    edges = np.concatenate(out_e).astype(np.int64)
    shared = np.concatenate(out_s)
    ok = shared > MIN_SHARED_M
    edges, shared = edges[ok], np.minimum(shared[ok], cell_m)
    edges = np.sort(edges, axis=1)
    order = np.lexsort((edges[:, 1], edges[:, 0]))
    return edges[order], shared[order]


def _exposed(
    geoms: NDArray[np.object_], edges: NDArray[np.int64], shared: NDArray[np.float64],
    area: NDArray[np.float64], *, cell_m: float,
) -> NDArray[np.object_]:  # fmt: skip
    """Each cell's boundary minus the parts it shares with neighbour cells."""
    n = len(geoms)
    if n == 0:
        return np.zeros(0, dtype=object)
    shared_sum = np.bincount(edges.ravel(), weights=np.r_[shared, shared], minlength=n)
    interior = np.isclose(shared_sum, shapely.length(geoms), atol=1e-6) & np.isclose(
        area, cell_m * cell_m
    )
    exposed = np.where(interior, shapely.LineString(), shapely.boundary(geoms))
    both = np.concatenate([edges, edges[:, ::-1]])
    both = both[~interior[both[:, 0]]]
    if len(both) == 0:
        return exposed
    nbuf = np.full(n, None, dtype=object)
    need = np.unique(both[:, 1])
    nbuf[need] = shapely.buffer(geoms[need], _SEAM_M, join_style="mitre")
    _cut_away(exposed, both[:, 0], nbuf, both[:, 1])
    return exposed


def _cut_away(
    geoms: NDArray[np.object_], owner: NDArray[np.int64], cutters: NDArray[np.object_],
    by: NDArray[np.int64],
) -> None:  # fmt: skip
    """``geoms[owner[k]]`` minus ``cutters[by[k]]`` for every ``k``, in place: each
    geometry's cuts in the order of ``by``, one vectorised difference per round."""
    order = np.lexsort((by, owner))
    owner, by = owner[order], by[order]
    first = np.r_[True, owner[1:] != owner[:-1]]
    rank = np.arange(len(owner)) - np.maximum.accumulate(np.where(first, np.arange(len(owner)), 0))
    for k in range(int(rank.max()) + 1):
        sel = rank == k
        geoms[owner[sel]] = shapely.difference(geoms[owner[sel]], cutters[by[sel]])


def _intersect_tiled(
    lines: NDArray[np.object_], poly: shapely.Geometry, *, tile_m: float
) -> NDArray[np.object_]:
    """``intersection(lines, poly)``, ``poly`` first cut to the lines of each tile.

    Intersecting each cell's few edges with a band around a whole estate's parcels
    (tens of thousands of vertices) rebuilds that band's topology per cell; cut to the
    extent of the lines whose centres share a ``tile_m`` square, it is small. The result
    is the same: each line lies inside the rectangle its piece was cut to.
    """
    out = np.empty(len(lines), dtype=object)
    if len(lines) == 0:
        return out
    key = np.floor(shapely.get_coordinates(shapely.centroid(lines)) / tile_m).astype(np.int64)
    _, tile = np.unique(key, axis=0, return_inverse=True)
    tile = tile.ravel()
    b = shapely.bounds(lines)
    for t in range(int(tile.max()) + 1):
        sel = tile == t
        lo, hi = b[sel, :2].min(axis=0) - 1.0, b[sel, 2:].max(axis=0) + 1.0
        piece = shapely.intersection(poly, shapely.box(lo[0], lo[1], hi[0], hi[1]))
        out[sel] = shapely.intersection(lines[sel], piece)
    return out


def boundary_length_near(
    cells: Cells, target: shapely.Geometry, *, within_m: float
) -> NDArray[np.float64]:
    """Per cell: length of its exposed boundary lying within ``within_m`` of ``target``."""
    out = np.zeros(len(cells))
    if target is None or target.is_empty or len(cells) == 0:
        return out
    zone = shapely.buffer(target, within_m, quad_segs=8)
    shapely.prepare(zone)
    hit = shapely.intersects(zone, cells.exposed)
    idx = np.flatnonzero(hit)
    if len(idx):
        near = _intersect_tiled(cells.exposed[idx], zone, tile_m=_TILE * cells.cell_m)
        out[idx] = shapely.length(near)
    return out


def adjacency_coefficient(
    cells: Cells, target: shapely.Geometry, *, tolerance_m: float = EPS_M
) -> NDArray[np.float64]:
    """Per cell: the ``adjacent`` length it brings to any zone that holds it (m).

    :func:`kitland.measure.shared_boundary` counts the zone's boundary within
    ``tolerance_m`` of ``target`` (:func:`kitland.measure.adjacency_target`) and trims each
    stretch by ``tolerance_m - g`` at both ends. A cell counts only boundary that is the
    zone's whatever else is chosen: its exposed edges (the candidate land's outline) within
    the band, less ~5 cm around any other cell touching it there (a corner or an edge too
    short to make a neighbour: the zone may hold that cell too). Each piece of that line
    then gives up, at each end ``x``, the distance ``d(x)`` from ``x`` to ``target``
    (+ 1 mm for the band's polygonised arcs); a closed piece counts whole.

    Why this is never more than the check measures (SPEC §3, adjacent): a chosen cell's
    pieces lie on the zone's boundary, each inside one stretch. A stretch ends on the
    band's edge, at distance ``tolerance_m`` from ``target``; the distance changes by at
    most 1 m per metre along the boundary, so from a piece's end ``x`` the stretch runs on
    for at least ``tolerance_m - d(x)`` before it ends, and its trim (at most
    ``tolerance_m``) reaches at most ``d(x)`` into the piece; where it eats a piece whole,
    the rest is covered by the next piece's allowance the same way. So over any set of
    cells the coefficients sum to at most the measured length of their union: the model
    may be conservative (by ``d`` at piece ends, ~0 where the target abuts the land, and
    by boundary between chosen and unchosen cells, which it never counts), never
    optimistic.

    Examples
    --------
    Two 25 m cells south of a parcel they touch: each brings its 25 m north edge (less
    3 mm); the 0.5 m of its side edge inside the band is given up (d = ε there, and the
    check trims it too), the seam between them costs nothing (d = 0 there):

    >>> from shapely import box
    >>> c = make_cells(box(0, 0, 50, 25), cell_m=25.0)
    >>> [round(float(v), 2) for v in adjacency_coefficient(c, box(-10, 25, 60, 40))]
    [25.0, 25.0]
    """
    n = len(cells)
    out = np.zeros(n)
    if target is None or target.is_empty or n == 0:
        return out
    band = shapely.buffer(target, tolerance_m, quad_segs=16)
    shapely.prepare(band)
    idx = np.flatnonzero(shapely.intersects(band, cells.exposed))
    if len(idx) == 0:
        return out
    lines = _intersect_tiled(cells.exposed[idx], band, tile_m=_TILE * cells.cell_m)
    # Other cells touching these lines that are not neighbours: cut the lines there.
    qi, qj = shapely.STRtree(cells.geoms).query(cells.geoms[idx], predicate="intersects")
    ci = idx[qi]
    keys = np.minimum(ci, qj) * n + np.maximum(ci, qj)
    other = (ci != qj) & ~np.isin(keys, cells.edges[:, 0] * n + cells.edges[:, 1])
    qi, qj = qi[other], qj[other]
    near = shapely.dwithin(lines[qi], cells.geoms[qj], _TOUCH_M)
    qi, qj = qi[near], qj[near]
    if len(qi):
        cut = np.full(n, None, dtype=object)
        need = np.unique(qj)
        cut[need] = shapely.buffer(cells.geoms[need], _TOUCH_M, quad_segs=2)
        _cut_away(lines, qi, cut, qj)
    parts, owner = shapely.get_parts(shapely.line_merge(lines), return_index=True)
    line = shapely.get_type_id(parts) == 1
    parts, owner = parts[line], owner[line]
    if len(parts) == 0:
        return out
    shapely.prepare(target)
    d_a = shapely.distance(shapely.get_point(parts, 0), target)
    d_b = shapely.distance(shapely.get_point(parts, -1), target)
    length = shapely.length(parts)
    give = d_a + d_b + 2 * _BAND_MARGIN_M
    value = np.where(shapely.is_closed(parts), length, np.maximum(0.0, length - give))
    out[idx] = np.bincount(owner, weights=value, minlength=len(idx))
    return out


def cell_network_distance(estate: Estate, rule: Rule, cells: Cells) -> NDArray[np.float64]:
    """Per cell: network distance from the nearest selected gate (SPEC §3; inf if none).

    The target is the nearest centreline point lying within ``width_m / 2 + ε + 1 m``
    of the cell, as :meth:`kitland.network.NetworkDistances.to_geometries` measures it;
    the zone's distance is the least over its cells.
    """
    from kitland.network import RoadNetwork  # noqa: PLC0415 - networkx only when needed

    out = np.full(len(cells), np.inf)
    net = RoadNetwork.from_estate(estate)
    if len(net) == 0 or len(cells) == 0:
        return out
    gates = rule_selection(estate, rule, "from", "to")
    if len(gates) == 0:
        return out
    dist = net.distances_from(gates.geometry.to_numpy())
    metres, _, _ = dist.to_geometries(cells.geoms)
    return np.asarray(metres, dtype=float)


def cell_attributes(estate: Estate, rules: Rules, cells: Cells) -> dict[str, NDArray[np.float64]]:
    """Per-rule cell attributes, keyed by rule id.

    - ``adjacent``: what the cell brings to the ``adjacent`` measurement of any zone that
      holds it, a lower bound (:func:`adjacency_coefficient`; m);
    - ``frontage``: exposed boundary within ε + 1 m of the selected corridors (m);
    - ``distance``: Euclidean distance of the cell to the selection (m);
    - ``network_distance``: network distance from the nearest selected gate to the
      nearest centreline point whose corridor reaches the cell (m; inf if none);
    - ``prefer`` rules: distance of the cell's centroid to the selection (m).
    """
    out: dict[str, NDArray[np.float64]] = {}
    for rule in (*rules.rules, *rules.prefer):
        if rule.kind == "adjacent":
            sel = rule_selection(estate, rule, "to", "from")
            target = adjacency_target(estate, sel, **adjacent_options(rule, rules))
            out[rule.id] = adjacency_coefficient(cells, target)
        elif rule.kind == "frontage":
            corr = _union(road_corridors_for(estate, rule))
            out[rule.id] = boundary_length_near(cells, corr, within_m=EPS_M + 1.0)
        elif rule.kind in ("distance", "near", "far"):
            target = _union(rule_selection(estate, rule, "to", "from").geometry.to_numpy())
            shapely.prepare(target)
            geoms = cells.geoms if rule.kind == "distance" else shapely.points(cells.centroids)
            out[rule.id] = shapely.distance(geoms, target) if len(cells) else np.zeros(0)
        elif rule.kind == "network_distance":
            out[rule.id] = cell_network_distance(estate, rule, cells)
    return out


def corner_loss_m2(angle_rad: NDArray[np.float64] | float, radius_m: float) -> NDArray[np.float64]:
    """Area an opening of radius ``r`` removes at a convex corner of interior angle θ.

    The disk of radius ``r`` touching both edges leaves ``(cot(θ/2) − (π − θ)/2)·r²``
    uncovered in the corner (exact when both edges run straight for ``r·cot(θ/2)``);
    a right angle loses ``(1 − π/4)·r²``. Straight and reflex corners lose nothing.

    Examples
    --------
    >>> round(float(corner_loss_m2(math.pi / 2, 30.0)), 2)
    193.14
    >>> float(corner_loss_m2(math.pi, 30.0))
    0.0
    """
    t = np.clip(np.asarray(angle_rad, dtype=np.float64), 1e-6, math.pi)
    loss = (1.0 / np.tan(t / 2) - (math.pi - t) / 2) * radius_m * radius_m
    return np.where(t < math.pi - 1e-9, np.maximum(loss, 0.0), 0.0)


def corner_cuts(
    cells: Cells, *, radius_m: float, min_loss_m2: float = 0.01
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Convex cell corners, the opening loss they cause when they are zone corners, and
    per corner the triangle that may be cut off it.

    A vertex ``q`` of cell ``c`` with interior angle θ < π becomes a corner of the zone
    with that angle when ``c`` is chosen and neither cell across the two edges of ``c``
    meeting at ``q`` is (an edge on the land's own border has no cell across it). The
    zone then loses :func:`corner_loss_m2` there to the ``min_width`` opening. This is
    how the placement model keeps the opening loss of its zones within the rule: per
    pattern ``(c, n1, n2)`` the zone pays ``loss`` when ``x_c ∧ ¬x_n1 ∧ ¬x_n2``.

    The cut runs along the tangent to the opening's arc at the corner (perpendicular to
    the bisector): the corner of angle θ becomes two of angle φ = (π + θ)/2, the opening
    is unchanged, and the zone gives up to the cut the area the opening would have lost
    there, :func:`corner_loss_m2` (θ) − 2·:func:`corner_loss_m2` (φ) (a right angle: legs
    of (2 − √2)·r, 0.1716·r² of its 0.2146·r²). A smaller cut parallel to it (the same
    triangle scaled by √λ) takes λ of that area and leaves the opening as it is too, so
    the loss falls by exactly what is cut. Where a leg would be longer than the cell's
    edge the triangle is the corner point itself (no cut).

    Returns
    -------
    cell, across, loss
        Per pattern: the cell, the two cells across its edges at the corner (−1 where
        there is none) and the loss in m².
    cut
        Per pattern the triangle ``(corner, end on the edge in, end on the edge out)``,
        shape ``(n, 3, 2)``.

    Examples
    --------
    Two 25 m cells side by side: each has two right-angled corners on the outside
    (a neighbour across one edge) and two on the shared edge:

    >>> from shapely import box
    >>> cell, across, loss, _ = corner_cuts(make_cells(box(0, 0, 50, 25), cell_m=25.0),
    ...                                     radius_m=30.0)
    >>> len(cell), sorted(set(across[:, 1].tolist()) | set(across[:, 0].tolist()))
    (8, [-1, 0, 1])
    >>> _, _, loss, cut = corner_cuts(make_cells(box(0, 0, 25, 25), cell_m=25.0), radius_m=30.0)
    >>> round(float(shapely.area(shapely.polygons(cut[0]))), 1), round(float(loss[0]), 1)
    (154.4, 193.1)
    """
    n = len(cells)
    none = (np.zeros(0, np.int64), np.zeros((0, 2), np.int64), np.zeros(0), np.zeros((0, 3, 2)))
    if n == 0:
        return none
    rings = shapely.get_exterior_ring(shapely.orient_polygons(cells.geoms))
    xy, owner = shapely.get_coordinates(rings, return_index=True)
    # Drop each ring's closing point; prev/next wrap inside each ring.
    last = np.r_[owner[1:] != owner[:-1], True]
    xy, owner = xy[~last], owner[~last]
    start = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    count = np.diff(np.r_[start, len(owner)])
    first = np.repeat(start, count)
    pos = np.arange(len(owner)) - first
    size = np.repeat(count, count)
    prev = xy[first + (pos - 1) % size]
    nxt = xy[first + (pos + 1) % size]
    u_in, u_out = xy - prev, nxt - xy
    l_in, l_out = np.hypot(*u_in.T), np.hypot(*u_out.T)
    ok = (l_in > 1e-9) & (l_out > 1e-9)
    cross = u_in[:, 0] * u_out[:, 1] - u_in[:, 1] * u_out[:, 0]
    dot = (u_in * u_out).sum(axis=1)
    turn = np.arctan2(cross, dot)  # left turn > 0 on a counter-clockwise ring
    angle = math.pi - turn
    loss = corner_loss_m2(angle, radius_m)
    sel = ok & (turn > 1e-9) & (loss >= min_loss_m2)
    xy, owner, u_in, u_out = xy[sel], owner[sel], u_in[sel], u_out[sel]
    l_in, l_out, loss, angle = l_in[sel], l_out[sel], loss[sel], angle[sel]
    if len(owner) == 0:
        return none
    # Probe points just outside each incident edge, near the corner: the cell there, if
    # any, is the one across that edge (the outside of a counter-clockwise ring is right).
    delta = 0.01
    d_in, d_out = u_in / l_in[:, None], u_out / l_out[:, None]
    right_in = np.column_stack([d_in[:, 1], -d_in[:, 0]])
    right_out = np.column_stack([d_out[:, 1], -d_out[:, 0]])
    s_in = np.minimum(0.5 * l_in, 1.0)[:, None]
    s_out = np.minimum(0.5 * l_out, 1.0)[:, None]
    probes = np.concatenate(
        [xy - s_in * d_in + delta * right_in, xy + s_out * d_out + delta * right_out]
    )
    tree = shapely.STRtree(cells.geoms)
    hit_pt, hit_cell = tree.query(shapely.points(probes), predicate="within")
    across_flat = np.full(len(probes), -1, dtype=np.int64)
    across_flat[hit_pt] = hit_cell
    m = len(owner)
    across = np.column_stack([across_flat[:m], across_flat[m:]])
    across[across == owner[:, None]] = -1
    half = np.clip(angle / 2, 1e-6, None)
    leg = radius_m * (1 / np.tan(half) - 1 / np.tan((math.pi + angle) / 4))
    fits = (leg <= l_in) & (leg <= l_out)
    leg = np.where(fits, leg, 0.0)[:, None]
    cut = np.stack([xy, xy - leg * d_in, xy + leg * d_out], axis=1)
    tri = shapely.polygons(cut)
    outside = shapely.area(shapely.difference(tri, cells.geoms[owner])) > 1e-6
    cut[outside] = xy[outside][:, None, :]  # a notch of a clipped cell: no cut
    return owner.astype(np.int64), across, loss, cut
