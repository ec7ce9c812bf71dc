"""The road network: a graph of road centrelines, noded at ends and crossings.

SPEC §3 measures ``network_distance`` along this graph: each selected gate is snapped to
its nearest road point, and the target is the nearest centreline point whose corridor
reaches the zone (it lies within ``width_m / 2 + ε + 1 m`` of the zone).

How the graph is built (:meth:`RoadNetwork.from_lines`):

1. road lines are split into simple LineStrings;
2. a line end lying within ε = 0.5 m of another line (a T-junction drawn a little short
   or long) gets a short connector to that line, so the two are joined;
3. all lines are noded together (``shapely.union_all`` on a 1 mm precision grid), so a
   crossing becomes a node even where no vertex was drawn;
4. every noded piece becomes an edge weighted by its length in metres.

Distances from a set of sources (gates) are one multi-source Dijkstra run; the distance
to any point on an edge ``(u, v)`` of length ``L`` at offset ``s`` from ``u`` is then
``min(d[u] + s, d[v] + L - s)`` (or ``|s - s0|`` when a source sits on the same edge at
``s0``). :meth:`NetworkDistances.along` evaluates that for arrays of thousands of points
at once, and :meth:`NetworkDistances.to_geometries` for thousands of polygons (cells).
"""

from __future__ import annotations

import heapq
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import LineString, ops

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

    from kitland.estate import Estate

__all__ = ["EPS_M", "NetworkDistances", "RoadNetwork", "SnappedPoints"]

log = logging.getLogger(__name__)

#: Snapping tolerance of SPEC §3, metres.
EPS_M = 0.5
#: How far beyond its half width a road "reaches" a zone (SPEC §3: ε + 1 m).
REACH_EXTRA_M = EPS_M + 1.0
_GRID_M = 0.001  # precision grid used for noding
_STUB_M = 0.01  # connectors overshoot the line they join by this much, so they cross it

_CACHE: weakref.WeakKeyDictionary[Any, RoadNetwork] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class SnappedPoints:
    """Points placed on the network.

    Attributes
    ----------
    edge
        Index of the nearest edge, per point.
    offset_m
        Distance along that edge from its ``u`` end, per point.
    gap_m
        Straight-line distance from the original point to the network.
    original
        The original points (shapely geometries).
    """

    edge: np.ndarray
    offset_m: np.ndarray
    gap_m: np.ndarray
    original: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Road centrelines as a graph (networkx) plus per-edge arrays.

    Attributes
    ----------
    graph
        :class:`networkx.Graph` on integer nodes (attributes ``x``, ``y``); each edge has
        ``weight`` (metres) and ``edge`` (index into the arrays below; the shortest of
        parallel edges). Built on first use.
    node_xy
        Node coordinates, shape ``(n_nodes, 2)``.
    edge_u, edge_v
        End nodes of each edge (``u`` is at offset 0).
    edge_length_m, edge_width_m
        Length of each edge and the corridor width of the road it belongs to.
    edge_road
        Row (position) in the road layer each edge comes from.
    edge_geoms
        The edges as shapely LineStrings.
    crs
        CRS of the coordinates (metres).

    Examples
    --------
    A cross of two 200 m roads is noded where they cross:

    >>> net = RoadNetwork.from_lines([LineString([(0, 100), (200, 100)]),
    ...                               LineString([(100, 0), (100, 200)])])
    >>> net.graph.number_of_nodes(), net.graph.number_of_edges()
    (5, 4)
    """

    node_xy: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_width_m: np.ndarray
    edge_road: np.ndarray
    edge_geoms: np.ndarray
    crs: Any = None
    _adj: list[list[tuple[int, float, int]]] = field(default_factory=list, repr=False)

    # -- building ---------------------------------------------------------------------
    @classmethod
    def from_estate(cls, estate: Estate) -> RoadNetwork:
        """The network of ``estate.roads`` (built once per estate and cached).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from kitland.estate import Estate
        >>> box = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 300, 300)], crs=32749)
        >>> box["parcel_id"], box["land_use"] = "a", "available"
        >>> roads = gpd.GeoDataFrame({"road_class": ["local", "collector"]}, crs=32749,
        ...     geometry=[LineString([(0, 150), (300, 150)]), LineString([(150, 0), (150, 300)])])
        >>> est = Estate.from_layers({"boundary": box, "parcels": box, "roads": roads})
        >>> net = RoadNetwork.from_estate(est)
        >>> net.graph.number_of_edges(), net.edge_width_m.tolist()
        (4, [12.0, 12.0, 20.0, 20.0])
        >>> RoadNetwork.from_estate(est) is net
        True
        """
        net = _CACHE.get(estate)
        if net is None:
            roads = estate.roads
            net = cls.from_lines(
                roads.geometry.to_numpy(), widths_m=roads["width_m"].to_numpy(float), crs=estate.crs
            )
            _CACHE[estate] = net
        return net

    @classmethod
    def from_lines(
        cls,
        lines: Sequence[shapely.Geometry] | np.ndarray,
        *,
        widths_m: Sequence[float] | np.ndarray | None = None,
        crs: Any = None,
        snap_m: float = EPS_M,
    ) -> RoadNetwork:
        """Build the network from centrelines (LineString/MultiLineString, in metres).

        Parameters
        ----------
        lines
            Road centrelines.
        widths_m
            Corridor width of each line (default 0).
        crs
            CRS of the coordinates, kept for output geometries.
        snap_m
            Line ends within this distance of another line are joined to it.

        Examples
        --------
        A T-junction drawn 0.3 m short is still joined:

        >>> net = RoadNetwork.from_lines([LineString([(0, 0), (200, 0)]),
        ...                               LineString([(100, 0.3), (100, 100)])])
        >>> import networkx as nx
        >>> nx.is_connected(net.graph)
        True
        """
        geoms = np.asarray(lines, dtype=object)
        widths = np.zeros(len(geoms)) if widths_m is None else np.asarray(widths_m, dtype=float)
        parts, src = shapely.get_parts(geoms, return_index=True)
        keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)
        parts, src = parts[keep], src[keep]
        if len(parts) == 0:
            return cls._empty(crs)
        connectors = _connectors(parts, snap_m)
        noded = shapely.union_all(np.concatenate([parts, connectors]), grid_size=_GRID_M)
        edges = shapely.get_parts(noded)
        edges = edges[(shapely.get_type_id(edges) == 1) & (shapely.length(edges) > 0)]
        # Which road each edge belongs to: the nearest original part to its midpoint.
        mids = shapely.line_interpolate_point(edges, 0.5, normalized=True)
        _, nearest = shapely.STRtree(parts).query_nearest(mids, all_matches=False)
        edge_road = src[nearest]
        starts = shapely.get_coordinates(shapely.get_point(edges, 0))
        ends = shapely.get_coordinates(shapely.get_point(edges, -1))
        xy = np.concatenate([starts, ends])
        keys = np.round(xy / _GRID_M).astype(np.int64)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        node_xy = uniq.astype(float) * _GRID_M
        n = len(edges)
        u, v = inverse[:n], inverse[n:]
        length = shapely.length(edges)
        best: dict[tuple[int, int], int] = {}
        for i in np.argsort(-length):  # the shortest of parallel edges is seen last and wins
            a, b = int(u[i]), int(v[i])
            if a != b:
                best[(min(a, b), max(a, b))] = int(i)
        adj: list[list[tuple[int, float, int]]] = [[] for _ in range(len(node_xy))]
        for (a, b), i in best.items():
            adj[a].append((b, float(length[i]), i))
            adj[b].append((a, float(length[i]), i))
        return cls(node_xy, u, v, length, widths[edge_road], edge_road, edges, crs, adj)

    @classmethod
    def _empty(cls, crs: Any) -> RoadNetwork:
        z = np.zeros(0)
        zi = np.zeros(0, dtype=np.int64)
        return cls(np.zeros((0, 2)), zi, zi, z, z, zi, np.empty(0, dtype=object), crs, [])

    # -- queries ----------------------------------------------------------------------
    @cached_property
    def graph(self) -> nx.Graph:
        """The network as a :class:`networkx.Graph` (built on first use).

        Nodes are integers with ``x``, ``y``; each edge has ``weight`` (metres) and
        ``edge`` (index into the arrays; the shortest of parallel edges). Distances
        themselves are computed on the same adjacency without networkx, so that
        ``kitland check`` does not pay for importing it.
        """
        import networkx as nx  # noqa: PLC0415 - ~0.1 s import, only when asked for

        g = nx.Graph()
        for i, (x, y) in enumerate(self.node_xy):
            g.add_node(i, x=float(x), y=float(y))
        for a, nbrs in enumerate(self._adj):
            for b, w, e in nbrs:
                if a < b:
                    g.add_edge(a, b, weight=w, edge=e)
        return g

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`edge_geoms`."""
        return shapely.STRtree(self.edge_geoms)

    @property
    def edges(self) -> gpd.GeoDataFrame:
        """The edges as a GeoDataFrame (``u``, ``v``, ``length_m``, ``width_m``, ``road``)."""
        import geopandas as gpd  # noqa: PLC0415

        return gpd.GeoDataFrame(
            {
                "u": self.edge_u, "v": self.edge_v, "length_m": self.edge_length_m,
                "width_m": self.edge_width_m, "road": self.edge_road,
            },
            geometry=self.edge_geoms, crs=self.crs,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.edge_geoms)

    def snap(self, points: Sequence[shapely.Geometry] | np.ndarray) -> SnappedPoints:
        """Place each geometry on its nearest road point.

        For a polygon or line, the road point nearest to any part of it is used.

        Raises
        ------
        ValueError
            If the network has no edges.

        Examples
        --------
        >>> net = RoadNetwork.from_lines([LineString([(0, 0), (100, 0)])])
        >>> s = net.snap([shapely.Point(30, 5)])
        >>> float(s.offset_m[0]), float(s.gap_m[0])
        (30.0, 5.0)
        """
        pts = np.asarray(points, dtype=object)
        if len(self) == 0:
            msg = "the road network is empty: the estate has no roads to snap to"
            raise ValueError(msg)
        qi, ei = self.tree.query_nearest(pts, all_matches=False, return_distance=False)
        edge = np.full(len(pts), -1, dtype=np.int64)
        edge[qi] = ei
        geoms = self.edge_geoms[edge]
        on_road = shapely.get_point(shapely.shortest_line(pts, geoms), -1)
        offset = shapely.line_locate_point(geoms, on_road)
        gap = shapely.distance(pts, geoms)
        return SnappedPoints(edge, np.asarray(offset, float), np.asarray(gap, float), pts)

    def distances_from(self, points: Sequence[shapely.Geometry] | np.ndarray) -> NetworkDistances:
        """Shortest network distances from the nearest of ``points`` (e.g. gates).

        Each point is snapped to its nearest road point (:meth:`snap`), then one
        multi-source Dijkstra run gives the distance to every node.

        Examples
        --------
        Two roads crossing at (100, 100); a gate at the west end of the east-west road:

        >>> net = RoadNetwork.from_lines([LineString([(0, 100), (200, 100)]),
        ...                               LineString([(100, 0), (100, 200)])])
        >>> d = net.distances_from([shapely.Point(0, 100)])
        >>> d.at([shapely.Point(100, 180), shapely.Point(150, 100)]).tolist()
        [180.0, 150.0]
        """
        snapped = self.snap(points)
        return NetworkDistances.compute(self, snapped)


def _connectors(parts: np.ndarray, snap_m: float) -> np.ndarray:
    """Short lines joining each line end to other lines lying within ``snap_m``."""
    n = len(parts)
    ends = np.concatenate([shapely.get_point(parts, 0), shapely.get_point(parts, -1)])
    owner = np.concatenate([np.arange(n), np.arange(n)])
    pi, li = shapely.STRtree(parts).query(ends, predicate="dwithin", distance=snap_m)
    mask = li != owner[pi]
    pi, li = pi[mask], li[mask]
    if len(pi) == 0:
        return np.empty(0, dtype=object)
    pts, lines = ends[pi], parts[li]
    d = shapely.distance(pts, lines)
    near = shapely.line_interpolate_point(lines, shapely.line_locate_point(lines, pts))
    out = []
    for p, q, dist in zip(pts, near, d, strict=True):
        if dist <= 1e-9:
            continue  # already on the line: noding joins it
        (px, py), (qx, qy) = p.coords[0], q.coords[0]
        k = (dist + _STUB_M) / dist
        out.append(LineString([(px, py), (px + (qx - px) * k, py + (qy - py) * k)]))
    return np.array(out, dtype=object)


@dataclass(frozen=True, eq=False)
class NetworkDistances:
    """Network distances from a set of sources, ready to evaluate anywhere on the roads.

    Attributes
    ----------
    network
        The :class:`RoadNetwork`.
    sources
        The sources as snapped to the network.
    node_m
        Distance from the nearest source to each node (``inf`` when unreachable).
    """

    network: RoadNetwork
    sources: SnappedPoints
    node_m: np.ndarray
    _pred_node: np.ndarray = field(repr=False)
    _pred_src: np.ndarray = field(repr=False)

    @classmethod
    def compute(cls, network: RoadNetwork, sources: SnappedPoints) -> NetworkDistances:
        """Run the multi-source Dijkstra from snapped ``sources``."""
        n = len(network.node_xy)
        dist = np.full(n, np.inf)
        pred_node = np.full(n, -1, dtype=np.int64)
        pred_src = np.full(n, -1, dtype=np.int64)
        heap: list[tuple[float, int, int, int]] = []
        for i, (e, s) in enumerate(zip(sources.edge, sources.offset_m, strict=True)):
            L = network.edge_length_m[e]
            heap.append((float(s), int(network.edge_u[e]), -1, i))
            heap.append((float(L - s), int(network.edge_v[e]), -1, i))
        heapq.heapify(heap)
        done = np.zeros(n, dtype=bool)
        adj = network._adj
        while heap:
            d, node, prev, src = heapq.heappop(heap)
            if done[node]:
                continue
            done[node] = True
            dist[node], pred_node[node], pred_src[node] = d, prev, src
            for nb, w, _ in adj[node]:
                if not done[nb]:
                    heapq.heappush(heap, (d + w, nb, node, -1))
        return cls(network, sources, dist, pred_node, pred_src)

    def along(self, edge: np.ndarray, offset_m: np.ndarray) -> np.ndarray:
        """Distance to points given as (edge index, offset from its ``u`` end), vectorised.

        Examples
        --------
        >>> net = RoadNetwork.from_lines([LineString([(0, 0), (100, 0)])])
        >>> d = net.distances_from([shapely.Point(30, 0)])
        >>> d.along(np.array([0, 0]), np.array([10.0, 100.0])).tolist()
        [20.0, 70.0]
        """
        net = self.network
        e = np.asarray(edge, dtype=np.int64)
        s = np.asarray(offset_m, dtype=float)
        L = net.edge_length_m[e]
        out = np.minimum(self.node_m[net.edge_u[e]] + s, self.node_m[net.edge_v[e]] + (L - s))
        for se, s0 in zip(self.sources.edge, self.sources.offset_m, strict=True):
            same = e == se
            if same.any():
                out[same] = np.minimum(out[same], np.abs(s[same] - s0))
        return out

    def at(self, points: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
        """Distance to each point snapped to its nearest road point."""
        sn = self.network.snap(points)
        return self.along(sn.edge, sn.offset_m)

    def _interval_min(
        self, e: np.ndarray, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Least distance over offsets [a, b] of edges ``e`` and the offset where it is reached."""
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        da, db = self.along(e, lo), self.along(e, hi)
        best = np.minimum(da, db)
        at = np.where(da <= db, lo, hi)
        for se, s0 in zip(self.sources.edge, self.sources.offset_m, strict=True):
            inside = (e == se) & (lo <= s0) & (s0 <= hi)
            best[inside] = 0.0
            at[inside] = s0
        return best, at

    def to_geometries(
        self,
        geoms: Sequence[shapely.Geometry] | np.ndarray,
        *,
        extra_m: float = REACH_EXTRA_M,
        edge_mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distance to the nearest road point whose corridor reaches each geometry.

        A centreline point of an edge of width ``w`` reaches a geometry when it lies
        within ``w / 2 + extra_m`` of it (SPEC §3: ``extra_m`` = ε + 1 m = 1.5 m).

        Parameters
        ----------
        geoms
            Zones or cells (polygons), in the network's CRS.
        extra_m
            Reach beyond the half width.
        edge_mask
            Boolean per edge: only these edges may be targets (default: all).

        Returns
        -------
        tuple of arrays
            ``(metres, edge, offset_m)`` per geometry; ``inf``/``-1``/``nan`` where no
            reachable road point reaches it.

        Examples
        --------
        A 12 m local road (reach 6 + 1.5 m) passing 6 m and 8 m south of two squares: the
        first is reached from x = 100 - √(7.5² - 6²) = 95.5 on, the second not at all.

        >>> net = RoadNetwork.from_lines([LineString([(0, 0), (300, 0)])], widths_m=[12])
        >>> d = net.distances_from([shapely.Point(0, 0)])
        >>> m, e, s = d.to_geometries([shapely.box(100, 6, 200, 106), shapely.box(100, 8, 200, 108)])
        >>> [round(float(x), 1) for x in m]
        [95.5, inf]
        """
        net = self.network
        g = np.asarray(geoms, dtype=object)
        best = np.full(len(g), np.inf)
        best_e = np.full(len(g), -1, dtype=np.int64)
        best_s = np.full(len(g), np.nan)
        if len(net) == 0 or len(g) == 0:
            return best, best_e, best_s
        mask = np.ones(len(net), dtype=bool) if edge_mask is None else np.asarray(edge_mask, bool)
        reach = net.edge_width_m / 2 + extra_m
        for r in np.unique(reach[mask]):
            gi, ei = net.tree.query(g, predicate="dwithin", distance=float(r))
            keep = mask[ei] & (reach[ei] == r)
            gi, ei = gi[keep], ei[keep]
            if len(gi) == 0:
                continue
            ug, ginv = np.unique(gi, return_inverse=True)
            bufs = shapely.buffer(g[ug], float(r), quad_segs=32)
            pieces = shapely.intersection(net.edge_geoms[ei], bufs[ginv.reshape(-1)])
            parts, pidx = shapely.get_parts(pieces, return_index=True)
            ok = ~shapely.is_empty(parts)
            parts, pidx = parts[ok], pidx[ok]
            if len(parts) == 0:
                continue
            is_line = shapely.get_type_id(parts) == 1
            p0 = np.where(is_line, shapely.get_point(parts, 0), parts)
            p1 = np.where(is_line, shapely.get_point(parts, -1), parts)
            edges = ei[pidx]
            eg = net.edge_geoms[edges]
            a = shapely.line_locate_point(eg, p0)
            b = shapely.line_locate_point(eg, p1)
            dist, at = self._interval_min(edges, a, b)
            owner = gi[pidx]
            order = np.lexsort((dist, owner))
            first = np.ones(len(order), dtype=bool)
            first[1:] = owner[order][1:] != owner[order][:-1]
            sel = order[first]
            o = owner[sel]
            better = dist[sel] < best[o]
            o, sel = o[better], sel[better]
            best[o], best_e[o], best_s[o] = dist[sel], edges[sel], at[sel]
        return best, best_e, best_s

    def distance_to_zone(
        self,
        zone: shapely.Geometry,
        *,
        roads_mask: np.ndarray | None = None,
        extra_m: float = REACH_EXTRA_M,
    ) -> tuple[float | None, LineString | None]:
        """Network distance to the zone and the path from the nearest source.

        Returns ``(None, None)`` when no reachable road reaches the zone. ``roads_mask``
        is a boolean per edge of :attr:`network` (see :meth:`to_geometries`).

        Examples
        --------
        A 20 m road (reach 11.5 m) along the south edge of a zone 11.5 m away; the gate
        sits 5 m off the road:

        >>> net = RoadNetwork.from_lines([LineString([(0, 0), (300, 0)])], widths_m=[20])
        >>> d = net.distances_from([shapely.Point(0, -5)])
        >>> m, path = d.distance_to_zone(shapely.box(150, 11.5, 250, 100))
        >>> round(m, 3), round(path.length, 3)
        (150.0, 155.0)
        """
        m, e, s = self.to_geometries([zone], extra_m=extra_m, edge_mask=roads_mask)
        if not np.isfinite(m[0]):
            return None, None
        return float(m[0]), self.path_to(int(e[0]), float(s[0]))

    def path_to(self, edge: int, offset_m: float) -> LineString:
        """The shortest path from the nearest source (its original point) to a road point.

        The path starts at the source's original point, runs to its snap point, then
        along the roads to the point at ``offset_m`` on ``edge``.
        """
        net = self.network
        L = float(net.edge_length_m[edge])
        geom = net.edge_geoms[edge]
        u, v = int(net.edge_u[edge]), int(net.edge_v[edge])
        # Candidates: via u, via v, or directly along the same edge from a source on it.
        cands: list[tuple[float, str, int]] = [
            (float(self.node_m[u] + offset_m), "node", u),
            (float(self.node_m[v] + L - offset_m), "node", v),
        ]
        for i, (se, s0) in enumerate(zip(self.sources.edge, self.sources.offset_m, strict=True)):
            if se == edge:
                cands.append((abs(offset_m - float(s0)), "src", i))
        _, how, ref = min(cands, key=lambda c: c[0])
        # Built backwards, from the target towards the source.
        coords: list[tuple[float, float]] = []

        def add(line: shapely.Geometry) -> None:
            pts = [tuple(c) for c in shapely.get_coordinates(line)]
            if coords and pts and np.allclose(coords[-1], pts[0]):
                pts = pts[1:]
            coords.extend(pts)

        if how == "src":
            src = ref
            add(ops.substring(geom, offset_m, float(self.sources.offset_m[src])))
        else:
            node = ref
            add(ops.substring(geom, offset_m, 0.0 if node == u else L))
            while self._pred_node[node] >= 0:
                prev = int(self._pred_node[node])
                e = next(i for b, _, i in net._adj[node] if b == prev)
                line = net.edge_geoms[e]
                add(line if int(net.edge_u[e]) == node else shapely.reverse(line))
                node = prev
            src = int(self._pred_src[node])
            se = int(self.sources.edge[src])
            sgeom, sL = net.edge_geoms[se], float(net.edge_length_m[se])
            add(
                ops.substring(
                    sgeom,
                    0.0 if node == int(net.edge_u[se]) else sL,
                    float(self.sources.offset_m[src]),
                )
            )
        orig = self.sources.original[src]
        sn = shapely.get_point(
            shapely.shortest_line(orig, net.edge_geoms[self.sources.edge[src]]), 0
        )
        add(sn)
        if len(coords) == 1:
            coords.append(coords[0])
        return LineString(coords[::-1])
