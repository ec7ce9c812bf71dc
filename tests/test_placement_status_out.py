"""The `zone` layer of `place --out` carries each placement's own status and gap."""

from __future__ import annotations

from pathlib import Path

import fiona
import geopandas as gpd
from conftest import grid_estate
from shapely import Point

from kitland.placement import place, write_placement
from kitland.rules import parse_rules


def test_zone_layer_has_status_and_gap(tmp_path: Path) -> None:
    est = grid_estate(["AAAAAA", "AAAAAA"], settlements=[(Point(0, 0), {"name": "Desa"})])
    rules = parse_rules({"zone": {"area_ha": 2, "tolerance_ha": 0.1},
                         "rules": [{"kind": "contiguous"}],
                         "prefer": [{"kind": "near", "to": {"layer": "settlements", "name": ["Desa"]}}]})  # fmt: skip
    res = place(est, rules, cell_m=50, time_limit_s=60, alternatives=2)
    out = tmp_path / "z.gpkg"
    write_placement(res, out)
    with fiona.open(out, layer="zone") as src:
        assert src.schema["geometry"] == "Polygon"
    z = gpd.read_file(out, layer="zone")
    assert list(z["status"]) == [p.status for p in res.alternatives] == ["OPTIMAL", "OPTIMAL"]
    assert list(z["gap"]) == [0.0, 0.0]
