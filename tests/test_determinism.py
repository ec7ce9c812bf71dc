"""Determinism (issue 7): the same input gives byte-identical reports and zones."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fiona
import pytest
from conftest import grid_layers, write_layers
from shapely import LineString, Point
from shapely.geometry import shape

from kitland.cli import main

RULES = """
[zone]
area_ha = 4.0
tolerance_ha = 0.25

[[rules]]
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 100

[[rules]]
kind = "frontage"
road_class = ["collector"]
min_m = 100

[[rules]]
kind = "contiguous"

[[rules]]
kind = "compactness"
min = 0.5

[[prefer]]
kind = "near"
to = { layer = "settlements", name = ["Desa"] }
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_input_same_report_and_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers = grid_layers(
        ["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"],
        roads=[(LineString([(-50, 89), (650, 89)]), {"road_id": "c", "road_class": "collector"})],
        gates=[(Point(0, 89), {"gate_id": "g", "kind": "estate_gate"})],
        settlements=[(Point(300, 500), {"name": "Desa"})],
    )
    est = write_layers(layers, tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    digests, zones = [], []
    for run in range(2):
        rep, out = tmp_path / f"r{run}.json", tmp_path / f"z{run}.gpkg"
        argv = ["place", str(est), "--rules", str(rules), "--cell-m", "50", "--alternatives", "2"]
        code = main([*argv, "--report", str(rep), "--out", str(out)])
        capsys.readouterr()
        assert code == 0
        digests.append(_sha(rep))
        with fiona.open(out, layer="zone") as src:
            zones.append([(f["properties"]["rank"], shape(f["geometry"]).wkb) for f in src])
    assert digests[0] == digests[1]
    assert zones[0] == zones[1]
    assert len(zones[0]) == 2


def test_placement_result_draws_its_map(tmp_path: Path) -> None:
    from kitland import Estate, place  # noqa: PLC0415
    from kitland.rules import load_rules  # noqa: PLC0415

    layers = grid_layers(
        ["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"],
        roads=[(LineString([(-50, 89), (650, 89)]), {"road_id": "c", "road_class": "collector"})],
        gates=[(Point(0, 89), {"gate_id": "g", "kind": "estate_gate"})],
        settlements=[(Point(300, 500), {"name": "Desa"})],
    )
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    res = place(Estate.from_layers(layers), load_rules(rules), cell_m=50, alternatives=2)
    html = res.explore(lang="en").get_root().render()
    assert "UMKM zone" in html and "Alternative" in html
    assert "<table" in res._repr_html_()
