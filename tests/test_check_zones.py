"""``check`` with several zones: per-zone rules, between rules, the CLI (issue 17 §1).

The estate is a grid of 100 m parcels (two columns of industry, then available land)
with a collector road along the south edge. Zone A is the 200 m × 300 m block
x 200..400 (6 ha; its west side runs 300 m along the industry), zone B the
250 m × 300 m block x 550..800 (7.5 ha). By hand: they are 150 m apart and hold 13.5 ha
together.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pytest
from conftest import ORIGIN, grid_estate, grid_layers, write_layers
from shapely import LineString, box

from kitland import DataError, check
from kitland.between import between_results, check_zones, overlap_m2, separation_m
from kitland.cli import main
from kitland.report import ZonesReport
from kitland.rules import parse_rules

X0, Y0 = ORIGIN
ROWS = ["IIAAAAAA"] * 3
ROAD = [(LineString([(-50, -10), (850, -10)]), {"road_id": "c1", "road_class": "collector"})]
A = box(X0 + 200, Y0, X0 + 400, Y0 + 300)
B = box(X0 + 550, Y0, X0 + 800, Y0 + 300)

RULES = """
[[rules]]
name = "one piece"
kind = "contiguous"

[[zones]]
name = "A"
area_ha = 6
  [[zones.rules]]
  name = "next to industry"
  kind = "adjacent"
  to = { land_use = ["industrial"] }
  min_shared_m = 300

[[zones]]
name = "B"
area_ha = 7.5
  [[zones.rules]]
  kind = "compactness"
  min = 0.7

[[between]]
name = "apart"
kind = "separation"
min_m = {sep}

[[between]]
name = "UMKM total"
kind = "total_area"
zones = ["A", "B"]
min_ha = 13

[[layout]]
kind = "land_share"
land_use = ["industrial"]
max_pct = 30
"""


def _rules(sep: float = 100):
    return parse_rules(
        __import__("tomllib").loads(textwrap.dedent(RULES).replace("{sep}", str(sep))),
        source="zones.toml",
    )


@pytest.fixture
def estate():
    return grid_estate(ROWS, roads=ROAD)


def test_between_measures_match_hand_computed_values() -> None:
    assert separation_m(A, B) == pytest.approx(150.0)
    assert overlap_m2(A, B) == 0.0
    c = box(X0 + 350, Y0, X0 + 600, Y0 + 300)  # 50 m into A, 50 m into B
    assert overlap_m2(A, c) == pytest.approx(50 * 300)
    edge = box(X0 + 399.8, Y0, X0 + 500, Y0 + 300)  # drawn 0.2 m over A's edge: touching
    assert overlap_m2(A, edge) == 0.0 and separation_m(A, edge) == 0.0


def test_two_zones_pass_with_hand_computed_separation_and_total(estate) -> None:
    rep = check(estate, {"A": A, "B": B}, _rules(100))
    assert isinstance(rep, ZonesReport) and rep.passed
    assert list(rep.zones) == ["A", "B"]
    assert [r.id for r in rep.zones["A"].results] == ["area", "on", "one piece", "next to industry"]
    assert [r.id for r in rep.zones["B"].results] == ["area", "on", "one piece", "compactness#1"]
    assert rep["A/area"].value == pytest.approx(6.0)
    assert rep["A/next to industry"].value == pytest.approx(300.0)
    # 250 × 300 rectangle: 4π·75000 / 1100² = 0.7789
    assert rep["B/compactness#1"].value == pytest.approx(4 * 3.141592653589793 * 75000 / 1100**2)
    assert rep["apart"].value == pytest.approx(150.0) and rep["apart"].scope == "between"
    assert rep["UMKM total"].value == pytest.approx(13.5)
    # layout judged once, for the whole estate: 6 of 24 parcels industrial = 25 %
    assert [r.id for r in rep.results] == ["land_share#1"]
    assert rep.results[0].value == pytest.approx(25.0)


def test_separation_fails_when_zones_are_too_close_or_overlap(estate) -> None:
    rep = check(estate, {"A": A, "B": B}, _rules(200))
    assert not rep.passed and [r.id for r in rep.failed] == ["apart"]
    assert rep["apart"].value == pytest.approx(150.0)
    over = box(X0 + 350, Y0, X0 + 600, Y0 + 300)
    rules = _rules(0).replace("B/area", area_ha=7.5, tolerance_ha=3)
    res = between_results({"A": A, "B": over}, rules)
    assert not res[0].passed and "overlap by 15,000 m²" in res[0].message
    # The table shows the overlap (50 × 300 m = 1.5 ha), not a distance of 0 m.
    assert res[0].value_text("en") == "overlap 1.50 ha"
    assert res[0].value_text("id") == "tumpang tindih 1,50 ha"
    assert res[0].to_dict()["overlap_m2"] == pytest.approx(15_000.0)
    # The total counts the shared 1.5 ha once: 6 ha + 7.5 ha - 1.5 ha.
    assert res[1].value == pytest.approx(6.0 + 7.5 - 1.5)
    assert "overlap_m2" not in rep["apart"].to_dict()  # apart, not overlapping


def test_zone_file_with_zone_id_column_through_the_cli(estate, tmp_path: Path, capsys) -> None:
    files = _files(tmp_path, ["A", "B"], [A, B], sep=100)
    code = main(["check", *files, "--format", "json"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["passed"] is True
    assert [z["name"] for z in d["zones"]] == ["A", "B"]
    assert d["zones"][0]["zone"]["area_ha"] == pytest.approx(6.0)
    assert [r["id"] for r in d["zones"][1]["rules"]] == ["area", "on", "one piece", "compactness#1"]
    assert [(r["id"], r["scope"]) for r in d["between"]] == [
        ("apart", "between"),
        ("UMKM total", "between"),
    ]
    assert d["between"][0]["value"] == pytest.approx(150.0)
    assert [r["id"] for r in d["rules"]] == ["land_share#1"]


def test_map_draws_a_file_of_several_zones_with_what_place_proved(tmp_path: Path, capsys) -> None:
    """`kitland map --zone` with a rules file of several zones draws each zone by its
    name (as `place --map` does), and the status and gap `place --out` wrote per zone
    are in the title block, the PDF's title and each zone's tooltip."""
    import subprocess  # noqa: PLC0415

    files = _files(tmp_path, ["B", "A"], [B, A], sep=100)  # the file's order is not the rules'
    zones = Path(files[2])
    gdf = gpd.read_file(zones, layer="zone").assign(rank=1, status="FEASIBLE", gap=0.0312)
    gdf.to_file(zones, layer="zone", engine="fiona")
    out, pdf, kml = tmp_path / "m.html", tmp_path / "m.pdf", tmp_path / "m.kml"
    code = main(["map", *files, "--out", str(out), "--pdf", str(pdf), "--kml", str(kml), "-q"])
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    said = "saat ditempatkan: LAYAK, selisih 3,12%"
    assert f'<span class="kit-proof">{said}</span>' in page  # the title block
    assert page.count(f"LULUS; {said}") == 2  # each zone's tooltip
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert said in " ".join(text.split())
    names = [n.text for n in ET.parse(kml).getroot().iter("{http://www.opengis.net/kml/2.2}name")]
    assert names[-2:] == ["A", "B"]  # the zones folder, in the rules file's order


def test_failing_separation_exits_1_and_text_lists_zones_then_between(
    tmp_path: Path, capsys
) -> None:
    files = _files(tmp_path, ["B", "A"], [B, A], sep=200, column="name")
    assert main(["check", *files]) == 1
    out = capsys.readouterr().out
    heads = re.findall(r"^== (.*) ==$", out, flags=re.M)
    assert heads == ["zone A", "zone B", "between zones", "layout"]
    assert out.rstrip().endswith("FAIL: 1 of 11 rules fail — between zones")
    assert main(["check", *files, "--lang", "id"]) == 1
    out = capsys.readouterr().out
    assert re.findall(r"^== (.*) ==$", out, flags=re.M) == [
        "zona A",
        "zona B",
        "antar zona",
        "tata letak kawasan",
    ]
    assert "150,0 m" in out
    assert main(["check", *files, "--format", "junit"]) == 1
    suites = ET.fromstring(capsys.readouterr().out).findall("testsuite")
    assert [(s.get("name"), s.get("failures")) for s in suites] == [
        ("kitland.check.A", "0"),
        ("kitland.check.B", "0"),
        ("kitland.check.between", "1"),
        ("kitland.check.layout", "0"),
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["A", "Bb"], r"zones\.gpkg layer 'zone' feature 2 \(zone_id 'Bb'\): no zone 'Bb' in .*zones\.toml; did you mean 'B'\?"),
        (["A", "A"], r"zones\.gpkg layer 'zone' feature 2 \(zone_id 'A'\): zone 'A' is also .*feature 1"),
        (["A"], r"zones\.gpkg layer 'zone': no feature for zone 'B' of .*zones\.toml"),
    ],
)  # fmt: skip
def test_zone_names_that_do_not_fit_exit_2(tmp_path: Path, capsys, names, message: str) -> None:
    files = _files(tmp_path, names, [A, B][: len(names)], sep=100)
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["check", *files]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err.count("\n") == 1, cap.err
    assert re.search(message, cap.err), cap.err
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_zone_file_without_names_exits_2(tmp_path: Path, capsys) -> None:
    files = _files(tmp_path, ["A", "B"], [A, B], sep=100, column="label")
    assert main(["check", *files]) == 2
    err = capsys.readouterr().err
    assert (
        "zones.gpkg layer 'zone': no 'zone_id' (or 'name') column" in err and err.count("\n") == 1
    )


def test_rank_one_of_each_zone_is_checked(estate) -> None:
    far = box(X0 + 700, Y0 + 200, X0 + 800, Y0 + 300)
    gdf = gpd.GeoDataFrame(
        {"zone_id": ["A", "B", "A"], "rank": [1, 1, 2]}, geometry=[A, B, far], crs=32749
    )
    rep = check_zones(estate, gdf, _rules(100))
    assert rep.passed and rep["A/area"].value == pytest.approx(6.0)


def test_a_one_zone_report_is_unchanged(estate) -> None:
    rules = parse_rules({"zone": {"area_ha": 6}, "rules": [{"kind": "contiguous"}]})
    rep = check(estate, A, rules)
    assert type(rep).__name__ == "Report"
    assert set(rep.to_dict()) == {"passed", "zone", "rules"}
    gdf = gpd.GeoDataFrame({"zone_id": ["x"]}, geometry=[A], crs=32749)
    assert check(estate, gdf, rules).to_dict() == rep.to_dict()


def _files(tmp_path: Path, names, geoms, *, sep: float, column: str = "zone_id") -> list[str]:
    """estate.gpkg, zones.gpkg (one feature per zone, names in ``column``), zones.toml."""
    estate = write_layers(grid_layers(ROWS, roads=ROAD), tmp_path / "estate.gpkg")
    zones = tmp_path / "zones.gpkg"
    gdf = gpd.GeoDataFrame({column: names}, geometry=list(geoms), crs=32749)
    gdf.to_crs(4326).to_file(zones, layer="zone", engine="fiona")
    rules = tmp_path / "zones.toml"
    rules.write_text(textwrap.dedent(RULES).replace("{sep}", str(sep)), encoding="utf-8")
    return [str(estate), "--zone", str(zones), "--rules", str(rules)]


def test_geometries_are_reprojected_before_measuring(estate) -> None:
    gdf = gpd.GeoDataFrame({"zone_id": ["A", "B"]}, geometry=[A, B], crs=32749).to_crs(4326)
    rep = check_zones(estate, gdf, _rules(100))
    assert rep["apart"].value == pytest.approx(150.0, abs=0.01)
    assert rep["UMKM total"].value == pytest.approx(13.5, abs=1e-4)


def test_a_single_polygon_for_several_zones_is_refused(estate) -> None:
    with pytest.raises(DataError, match=r"zones\.toml has several zones \(A, B\)"):
        check(estate, A, _rules(100))


def test_feature_without_zone_name_on_several_zones_exits_2(tmp_path: Path, capsys) -> None:
    files = _files(tmp_path, ["A", "B"], [A, B], sep=100)
    assert main(["check", *files, "--feature", "A"]) == 2
    err = capsys.readouterr().err
    assert "--feature checks one zone; " in err and "--zone-name NAME" in err
    assert err.count("\n") == 1
