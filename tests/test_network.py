"""The road graph: noding at crossings, ε snapping, gate snapping, distances, paths."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import shapely
from conftest import grid_estate
from shapely import LineString, Point, box

from kitland.network import RoadNetwork

X0, Y0 = 500_000.0, 9_230_000.0


def line(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


def pt(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def test_crossing_without_a_vertex_becomes_a_node() -> None:
    net = RoadNetwork.from_lines([line((0, 100), (400, 100)), line((100, 0), (100, 400))])
    assert net.graph.number_of_nodes() == 5 and net.graph.number_of_edges() == 4
    assert sorted(net.edge_length_m.round(6).tolist()) == [100.0, 100.0, 300.0, 300.0]
    d = net.distances_from([pt(400, 100)])
    # gate at the east end: 300 m to the crossing, then 300 m north
    assert d.at([pt(100, 400)])[0] == pytest.approx(600.0)
    assert d.at([pt(0, 100)])[0] == pytest.approx(400.0)


def test_ends_within_eps_are_joined_but_not_beyond() -> None:
    main = line((0, 0), (400, 0))
    joined = RoadNetwork.from_lines([main, line((200, 0.45), (200, 300))])
    assert nx.is_connected(joined.graph)
    assert joined.distances_from([pt(0, 0)]).at([pt(200, 300)])[0] == pytest.approx(
        200 + 0.45 + 299.55, abs=0.02
    )
    apart = RoadNetwork.from_lines([main, line((200, 0.6), (200, 300))])
    assert not nx.is_connected(apart.graph)
    assert math.isinf(apart.distances_from([pt(0, 0)]).at([pt(200, 300)])[0])
    overshoot = RoadNetwork.from_lines([main, line((200, -0.3), (200, 300))])  # drawn past the road
    assert overshoot.distances_from([pt(0, 0)]).at([pt(200, 300)])[0] == pytest.approx(
        500.0, abs=0.01
    )


def test_distances_agree_with_networkx_dijkstra_on_a_grid() -> None:
    lines = [line((0, y), (300, y)) for y in (0, 100, 200, 300)] + [
        line((x, 0), (x, 300)) for x in (0, 100, 200, 300)
    ]
    net = RoadNetwork.from_lines(lines)
    assert net.graph.number_of_nodes() == 16 and net.graph.number_of_edges() == 24
    gate = pt(0, 0)
    d = net.distances_from([gate])
    # independent: networkx Dijkstra from the node at the gate
    src = int(np.argmin(np.hypot(*(net.node_xy - [X0, Y0]).T)))
    ref = nx.single_source_dijkstra_path_length(net.graph, src)
    for node, dist in ref.items():
        assert d.node_m[node] == pytest.approx(dist)
    # Manhattan distance on a grid, also for points inside edges
    for x, y in [(50, 100), (300, 250), (170, 300)]:
        assert d.at([pt(x, y)])[0] == pytest.approx(x + y)


def test_gate_snaps_to_its_nearest_road_point_and_same_edge_distance() -> None:
    net = RoadNetwork.from_lines([line((0, 0), (1000, 0))])
    d = net.distances_from([pt(400, 30)])  # 30 m off the road
    assert d.sources.gap_m[0] == pytest.approx(30.0)
    assert d.at([pt(100, 0), pt(900, 0), pt(400, 0)]).tolist() == pytest.approx([300.0, 500.0, 0.0])
    e = np.zeros(2, dtype=int)
    assert d.along(e, np.array([450.0, 350.0])).tolist() == pytest.approx([50.0, 50.0])


def test_multi_source_takes_the_nearest_gate() -> None:
    net = RoadNetwork.from_lines([line((0, 0), (1000, 0))])
    d = net.distances_from([pt(0, 0), pt(1000, 0)])
    assert d.at([pt(300, 0), pt(800, 0)]).tolist() == pytest.approx([300.0, 200.0])


def test_path_follows_the_roads_from_the_gate() -> None:
    # U-shaped road: gate on the west leg, zone beside the east leg
    net = RoadNetwork.from_lines([line((0, 0), (0, 500), (400, 500), (400, 0))], widths_m=[12])
    d = net.distances_from([pt(-10, 0)])
    zone = box(X0 + 410, Y0 + 0, X0 + 600, Y0 + 100)  # 10 m east of the east leg: reach 7.5 m? no
    m, path = d.distance_to_zone(zone)
    assert m is None and path is None
    zone = box(
        X0 + 405, Y0 + 0, X0 + 600, Y0 + 100
    )  # 5 m away: reached up to y = 100 + √(7.5² - 5²)
    m, path = d.distance_to_zone(zone)
    reach_y = 100 + math.sqrt(7.5**2 - 5**2)
    assert m == pytest.approx(500 + 400 + (500 - reach_y), abs=0.02)
    assert path.length == pytest.approx(m + 10, abs=0.02)
    assert Point(path.coords[0]).equals_exact(pt(-10, 0), 1e-6)
    assert shapely.distance(Point(path.coords[-1]), zone) == pytest.approx(7.5, abs=0.02)


def test_to_geometries_matches_one_by_one_and_respects_the_mask() -> None:
    net = RoadNetwork.from_lines(
        [line((0, 0), (1000, 0)), line((500, -500), (500, 500))], widths_m=[20, 12]
    )
    d = net.distances_from([pt(0, 0)])
    cells = [box(X0 + x, Y0 + 20, X0 + x + 50, Y0 + 70) for x in range(0, 1000, 50)]
    m, _, _ = d.to_geometries(cells)
    one = [d.distance_to_zone(c)[0] for c in cells]
    assert [None if math.isinf(v) else v for v in m] == pytest.approx(one)
    # cells 20 m north of the 20 m road are beyond its reach (11.5 m); only the 12 m road at
    # x = 500 reaches (6 + 1.5 = 7.5 m): cells [450, 500] and [500, 550], from y = 20 - 7.5 on
    assert np.isfinite(m).tolist() == [x in (450, 500) for x in range(0, 1000, 50)]
    assert m[9] == pytest.approx(500 + 12.5, abs=0.01) and m[10] == pytest.approx(512.5, abs=0.01)
    masked, _, _ = d.to_geometries(cells, edge_mask=net.edge_width_m > 15)
    assert np.isinf(masked).all()


def test_from_estate_is_cached_and_carries_widths() -> None:
    est = grid_estate(
        ["AA"],
        roads=[
            (LineString([(0, -10), (200, -10)]), {"road_class": "collector"}),
            (LineString([(100, -10), (100, -200)]), {"road_class": "local", "width_m": 8}),
        ],
    )
    net = RoadNetwork.from_estate(est)
    assert RoadNetwork.from_estate(est) is net
    assert sorted(set(net.edge_width_m.tolist())) == [8.0, 20.0]
    assert len(net.edges) == 3 and net.edges.crs == est.crs


def test_empty_network() -> None:
    net = RoadNetwork.from_lines([])
    assert len(net) == 0
    with pytest.raises(ValueError, match="the road network is empty"):
        net.snap([pt(0, 0)])
