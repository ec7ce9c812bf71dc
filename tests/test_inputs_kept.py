"""An output named like one of the command's inputs is refused before any work (trial 4).

A planner who gives ``--out`` the estate's own GeoPackage, or ``-o`` a file of the
Shapefile estate or the zone file, would otherwise lose the input: kitland writes its
output beside it and renames it over it. Each case is exit 2 with one line naming the
file, and every input file keeps its bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import fiona
import pytest
from conftest import grid_layers, write_layers
from shapely import LineString, Point, box

from kitland.cli import main

RULES = '[zone]\narea_ha = 4\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n'
ROWS = ["IIAAAA"] * 4


def _layers() -> dict:
    return grid_layers(
        ROWS,
        roads=[(LineString([(-50, -10), (650, -10)]), {"road_id": "C1", "road_class": "collector"})],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )


def _digests(*paths: Path) -> dict[str, str]:
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}


def _refused(argv: list[str], path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2, err
    assert out == ""
    assert lines == [f"kitland: {path}: is one of this command's inputs; inputs are never"
                     " modified: write to a new file"]  # fmt: skip


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    p = tmp_path / "rules.toml"
    p.write_text(RULES)
    return p


def test_place_out_over_the_estate_geopackage_is_refused(
    tmp_path: Path, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    estate = write_layers(_layers(), tmp_path / "estate.gpkg")
    before = _digests(estate, rules_file)
    _refused(["place", str(estate), "--rules", str(rules_file), "--out", str(estate)],
             estate, capsys)  # fmt: skip
    assert _digests(estate, rules_file) == before
    assert {"boundary", "parcels", "roads", "gates"} <= set(fiona.listlayers(estate))


@pytest.mark.parametrize("target", ["parcels.dbf", "parcels.shp", "roads.prj"])
def test_check_report_over_a_file_of_a_shapefile_estate_is_refused(
    tmp_path: Path, rules_file: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    estate = write_layers(_layers(), tmp_path / "estate", driver="ESRI Shapefile")
    before = _digests(estate)
    _refused(["check", str(estate), "--rules", str(rules_file), "-o", str(estate / target)],
             estate / target, capsys)  # fmt: skip
    assert _digests(estate) == before


def test_a_zone_shapefile_and_its_parts_are_inputs_but_a_report_beside_it_is_not(
    tmp_path: Path, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import geopandas as gpd  # noqa: PLC0415

    estate = write_layers(_layers(), tmp_path / "estate.gpkg")
    zone = tmp_path / "zone.shp"
    # 4 ha of available land (x 200..400, y 0..200 in the grid's local metres)
    layers = _layers()
    x0, y0 = layers["boundary"].total_bounds[:2]
    gpd.GeoDataFrame(geometry=[box(x0 + 200, y0, x0 + 400, y0 + 200)], crs=32749).to_file(zone)
    before = _digests(tmp_path)
    for part in ("zone.dbf", "zone.shx", "zone.shp"):
        argv = ["check", str(estate), "--rules", str(rules_file), "--zone", str(zone),
                "-o", str(tmp_path / part)]  # fmt: skip
        _refused(argv, tmp_path / part, capsys)
    assert _digests(tmp_path) == before
    report = tmp_path / "zone.json"  # same stem, another file: written
    code = main(["check", str(estate), "--rules", str(rules_file), "--zone", str(zone),
                 "--format", "json", "-o", str(report)])  # fmt: skip
    capsys.readouterr()
    assert code == 0
    assert '"passed": true' in report.read_text()


@pytest.mark.parametrize(
    ("zone_name", "parts"),
    [("zone.tab", ["zone.dat", "zone.map", "zone.id", "zone.tab"]), ("zone.mif", ["zone.mid"])],
)
def test_the_parts_of_a_mapinfo_zone_are_inputs(
    tmp_path: Path,
    rules_file: Path,
    zone_name: str,
    parts: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A MapInfo zone is several files (trial 10: ``-o zone.dat`` wrote the text report
    over the TAB's attribute table, and the zone could no longer be read)."""
    import geopandas as gpd  # noqa: PLC0415

    estate = write_layers(_layers(), tmp_path / "estate.gpkg")
    zone = tmp_path / zone_name
    x0, y0 = _layers()["boundary"].total_bounds[:2]
    gpd.GeoDataFrame({"nama": ["usulan"]}, geometry=[box(x0 + 200, y0, x0 + 400, y0 + 200)],
                     crs=32749).to_file(zone, driver="MapInfo File", engine="fiona")  # fmt: skip
    assert {p.name for p in tmp_path.iterdir()} >= set(parts)
    before = _digests(tmp_path)
    for part in parts:
        argv = ["check", str(estate), "--rules", str(rules_file), "--zone", str(zone),
                "-o", str(tmp_path / part)]  # fmt: skip
        _refused(argv, tmp_path / part, capsys)
    assert _digests(tmp_path) == before
    assert main(["check", str(estate), "--rules", str(rules_file), "--zone", str(zone)]) == 0


def test_a_map_over_the_rules_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    estate = write_layers(_layers(), tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.html"  # a rules file is TOML whatever its name
    rules.write_text(RULES)
    before = _digests(tmp_path)
    _refused(["map", str(estate), "--rules", str(rules), "--out", str(rules)], rules, capsys)
    assert _digests(tmp_path) == before
