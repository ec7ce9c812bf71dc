"""Rules that travel (issue 15, item 10).

A rules file reports every problem at once, naming the file, the rule and the key; all
selectors are checked against an estate at once; a rule may say ``optional = true`` and
is then skipped (and reported as skipped) where its selector matches nothing. The
bundled rules run on an estate without a coast, a river or the village of Ketanggan.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pytest
import shapely
from conftest import ORIGIN, grid_estate, grid_layers, write_layers
from shapely import LineString, Point, box

import kitland
from kitland import RulesError
from kitland.cli import main
from kitland.measure import diagnostics, min_distance_m
from kitland.rules import load_rules, parse_rules

X0, Y0 = ORIGIN


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# -- every problem of a rules file at once ---------------------------------------------

THREE_PROBLEMS = """
[zone]
area_ha = 20

[[rules]]
name = "river setback"
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = -50

[[rules]]
name = "shape"
kind = "compactness"
min = 1.5

[[layout]]
kind = "land_share"
land_use = ["industri"]
max_pct = 70
"""


def test_load_rules_reports_every_problem_at_once(tmp_path: Path) -> None:
    f = tmp_path / "rules.toml"
    f.write_text(THREE_PROBLEMS)
    with pytest.raises(RulesError) as info:
        load_rules(f)
    assert str(info.value).splitlines() == [
        f"{f}: 3 problems",
        f"  {f} rule river setback, key 'min_m': -50 is negative; distances are metres ≥ 0",
        f"  {f} rule shape, key 'min': 1.5 is outside 0..1",
        f"  {f} layout rule land_share#1, key 'land_use': unknown value 'industri'; did you "
        "mean 'industrial'? (valid: industrial, commercial, umkm, residential, green, utility, "
        "water, road, available)",
    ]
    assert len(info.value.problems) == 3
    assert isinstance(info.value, ValueError)


def test_cli_prints_every_rules_problem_and_exits_2(tmp_path: Path, capsys) -> None:
    est = write_layers(grid_layers(["IA"]), tmp_path / "estate.gpkg")
    f = tmp_path / "rules.toml"
    f.write_text(THREE_PROBLEMS)
    out = tmp_path / "out.gpkg"
    code, stdout, err = _run(["place", str(est), "--rules", str(f), "--out", str(out)], capsys)
    assert code == 2 and stdout == ""
    lines = err.splitlines()
    assert lines[0] == f"kitland: {f}: 3 problems"
    assert [ln.split(", key ")[0] for ln in lines[1:]] == [
        f"  {f} rule river setback",
        f"  {f} rule shape",
        f"  {f} layout rule land_share#1",
    ]
    assert "Traceback" not in err and not out.exists()


def test_a_single_problem_stays_one_line(tmp_path: Path) -> None:
    with pytest.raises(
        RulesError, match=r"^r\.toml rule compactness#1, key 'min': 2 is outside 0\.\.1$"
    ):
        parse_rules({"rules": [{"kind": "compactness", "min": 2}]}, source="r.toml")


def test_a_mistyped_key_is_one_problem_not_two() -> None:
    rules = {"rules": [{"kind": "adjacent", "to": {"land_use": ["industrial"]}, "min_shared": 1}]}
    with pytest.raises(RulesError) as info:
        parse_rules(rules, source="r.toml")
    assert info.value.problems == (
        "r.toml rule adjacent#1, key 'min_shared': unknown key 'min_shared'; did you mean "
        "'min_shared_m'? (valid: to, min_shared_m, max_gap_m, across, kind, name, name_en, optional)",
    )


# -- optional ---------------------------------------------------------------------------

COAST = {"kind": "setback", "name": "coastal setback", "from": {"layer": "water", "kind": ["coast"]}, "min_m": 100}  # fmt: skip


def test_optional_is_a_boolean_on_every_kind_of_rule() -> None:
    rules = parse_rules(
        {
            "rules": [COAST | {"optional": True}, {"kind": "contiguous"}],
            "layout": [{"kind": "land_share", "land_use": ["green"], "min_pct": 10, "optional": False}],
            "prefer": [{"kind": "near", "to": {"layer": "settlements"}, "optional": True}],
        }
    )  # fmt: skip
    assert [r.optional for r in rules] == [True, False, False, True]
    assert "optional" not in rules["coastal setback"].params
    with pytest.raises(
        RulesError, match=r"coastal setback, key 'optional': expected true or false, got text 'yes'"
    ):
        parse_rules({"rules": [COAST | {"optional": "yes"}]})
    assert rules.replace("contiguous#2", optional=True)["contiguous#2"].optional is True


def _inland_layers() -> dict[str, gpd.GeoDataFrame]:
    """80 ha, no water, no settlements: industry, a local road over road parcels between
    the industrial blocks, 40 ha of available land, commerce and green; a collector along
    the south edge and an estate gate on it. Every land-budget norm is met."""
    return grid_layers(
        ["IIRIAAAAACGG"] * 8,
        roads=[
            (LineString([(250, -20), (250, 820)]), {"road_id": "L1", "road_class": "local"}),
            (LineString([(-50, -10), (1250, -10)]), {"road_id": "C1", "road_class": "collector"}),
        ],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )


def test_non_optional_rules_selecting_nothing_are_all_listed_at_once() -> None:
    est = kitland.Estate.from_layers(_inland_layers(), source="inland.gpkg")
    rules = parse_rules(
        {"zone": {"area_ha": 20}, "rules": [COAST, {"kind": "setback", "from": {"layer": "water", "kind": ["river"]}, "min_m": 50}]},
        source="strict.toml",
    )  # fmt: skip
    with pytest.raises(RulesError) as info:
        kitland.check(est, box(X0 + 400, Y0, X0 + 900, Y0 + 400), rules)
    lines = str(info.value).splitlines()
    assert lines[0] == (
        "strict.toml: 2 rules select nothing on inland.gpkg (add `optional = true` to a rule "
        "to skip it where its selector matches nothing)"
    )
    assert lines[1:] == [
        "  strict.toml rule coastal setback, key 'from': selector 'water kind=coast' matches no "
        "feature: the estate has no 'water' features",
        "  strict.toml rule setback#2, key 'from': selector 'water kind=river' matches no "
        "feature: the estate has no 'water' features",
    ]


@pytest.fixture
def inland(tmp_path: Path) -> dict[str, Path]:
    zf = tmp_path / "zone.geojson"
    zone = box(X0 + 400, Y0, X0 + 900, Y0 + 400)  # 20 ha, 400 m on industry, 500 m frontage
    gpd.GeoDataFrame({"n": [1]}, geometry=[zone], crs=32749).to_file(zf, engine="fiona")
    return {"estate": write_layers(_inland_layers(), tmp_path / "inland.gpkg"), "zone": zf}


# The bundled rules' ids (``name``, Bahasa Indonesia); their ``name_en`` in English text.
SKIPPED = ["sempadan sungai", "sempadan pantai", "industri berjarak dari pantai"]


def test_bundled_rules_check_an_estate_without_coast_reporting_skipped_rules(
    inland, capsys
) -> None:
    argv = ["check", str(inland["estate"]), "--zone", str(inland["zone"])]
    code, stdout, err = _run([*argv, "--format", "json"], capsys)
    assert code == 0, err
    assert err == ""
    report = json.loads(stdout)
    assert report["passed"] is True
    rules = {r["id"]: r for r in report["rules"]}
    assert [i for i, r in rules.items() if r.get("skipped")] == SKIPPED
    assert rules["sempadan pantai"] == {
        "id": "sempadan pantai", "kind": "setback", "passed": True, "value": None,
        "required": "", "unit": "", "scope": "zone", "skipped": True,
        "message": "skipped: selector 'water kind=coast' matches no feature on this estate: "
                   "the estate has no 'water' features (optional)",
    }  # fmt: skip
    assert "skipped" not in rules["bersebelahan dengan industri"]  # measured rules keep SPEC §5 keys
    assert rules["bersebelahan dengan industri"]["value"] == pytest.approx(400.0)
    code, stdout, _ = _run(argv, capsys)
    assert code == 0
    assert "PASS: all rules hold (3 optional rules skipped)" in stdout
    assert any(ln.startswith("coastal setback") and ln.endswith("–") for ln in stdout.splitlines())
    code, stdout, _ = _run([*argv, "--format", "junit"], capsys)
    suite = ET.fromstring(stdout).find("testsuite")
    assert suite is not None and suite.get("skipped") == "3" and suite.get("failures") == "0"
    skipped = [tc.get("name") for tc in suite.iter("testcase") if tc.find("skipped") is not None]
    assert skipped == SKIPPED


def test_bundled_rules_place_on_an_estate_without_coast(inland, tmp_path: Path, capsys) -> None:
    out = tmp_path / "placed.gpkg"
    argv = ["place", str(inland["estate"]), "--out", str(out), "--cell-m", "50"]  # small: proven
    code, stdout, err = _run(argv, capsys)
    assert code == 0, err
    assert err.splitlines() == [
        "kitland: optional rules skipped, their selectors match nothing here: river setback, "
        "coastal setback, industry off the coast, near Ketanggan",
        f"kitland: wrote {out} (layer zone: 1 placement; layer parcels: the new layout)",
    ]
    assert "optimal" in stdout and "all zone rules pass" in stdout
    zone = gpd.read_file(out, layer="zone")
    assert 20.0 <= zone.area.iloc[0] / 1e4 <= 21.0  # the bundled [zone]: min_ha 20, max_ha 21


def test_place_names_the_skipped_rules_in_indonesian(inland, capsys) -> None:
    argv = ["place", str(inland["estate"]), "--cell-m", "50", "--lang", "id"]
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    assert err.splitlines()[0] == (
        "kitland: aturan opsional dilewati, pemilihnya tidak cocok dengan apa pun di sini: "
        "sempadan sungai, sempadan pantai, industri berjarak dari pantai, dekat Ketanggan"
    )


def test_check_reads_a_zone_file_path(inland) -> None:
    # As `check --zone FILE` reads it (and as kitland.score and kitland.compare take a path).
    est = kitland.load_estate(inland["estate"])
    rules = kitland.load_rules()
    by_path = kitland.check(est, inland["zone"], rules)
    by_frame = kitland.check(est, gpd.read_file(inland["zone"]), rules)
    assert by_path.passed and by_path.to_dict() == by_frame.to_dict()
    assert by_path["bersebelahan dengan industri"].value == pytest.approx(400.0)


def test_subprocess_bundled_rules_on_an_estate_without_coast(inland) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kitland",
            "check",
            str(inland["estate"]),
            "--zone",
            str(inland["zone"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "3 optional rules skipped" in proc.stdout


def test_python_check_and_place_skip_optional_rules() -> None:
    est = kitland.Estate.from_layers(_inland_layers())
    rules = kitland.load_rules()
    report = kitland.check(est, box(X0 + 400, Y0, X0 + 900, Y0 + 400), rules)
    assert [r.id for r in report.skipped] == SKIPPED
    assert report.passed
    assert diagnostics(est, box(X0 + 400, Y0, X0 + 900, Y0 + 400), rules)["setback_bands"].empty
    result = kitland.place(est, rules, cell_m=50, time_limit_s=120)
    assert result.found and result.status == "OPTIMAL"
    assert [r.id for r in result.report.results if r.skipped] == SKIPPED


def test_an_optional_rule_that_matches_is_measured_and_placed_by() -> None:
    # A coast 100 m north of the estate: the optional 150 m setback applies, keeps the
    # zone out of the northern 50 m and is measured like any rule.
    coast = [(LineString([(-50, 600), (650, 600)]), {"name": "coast", "kind": "coast"})]
    est = grid_estate(["IAAAAA"] * 5, water=coast)
    rules = parse_rules(
        {
            "zone": {"area_ha": 12, "tolerance_ha": 0.5},
            "rules": [COAST | {"min_m": 150, "optional": True}, {"kind": "contiguous"}],
        },
        source="r.toml",
    )
    near = box(X0 + 100, Y0 + 200, X0 + 500, Y0 + 500)  # 12 ha up to 100 m from the coast
    res = kitland.check(est, near, rules)["coastal setback"]
    assert not res.skipped and not res.passed
    assert res.value == pytest.approx(100.0)
    result = kitland.place(est, rules, cell_m=50, time_limit_s=120)
    assert result.found and result.zone is not None
    assert min_distance_m(result.zone, est.water) >= 150.0
    assert shapely.box(X0, Y0 + 450, X0 + 600, Y0 + 500).intersection(result.zone).area < 1.0


def test_notes_held_back_when_place_then_stops_on_a_bad_cell_size(inland, capsys) -> None:
    # The note about skipped rules is printed only once every input check has passed.
    code, stdout, err = _run(["place", str(inland["estate"]), "--cell-m", "0.01"], capsys)
    assert code == 2 and stdout == ""
    assert err.splitlines() == [
        "kitland: cell_m=0.01: the 40.0 ha of candidate land would make about 4,000,000,000 "
        "cells (at most 100,000); use a cell size of at least 2 m (--cell-m 2)"
    ]
