"""``kitland check`` end to end, in-process: real files, text/JSON/JUnit, exit codes."""

from __future__ import annotations

import json
import math
import re
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import geopandas as gpd
import pytest
from conftest import ORIGIN, grid_layers, write_layers
from shapely import LineString, Point, box

from kitland.cli import main

X0, Y0 = ORIGIN
RULES = """
[zone]
area_ha = 12.0
tolerance_ha = 0.5

[[rules]]
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 400

[[rules]]
kind = "network_distance"
name = "gate access"
from = { layer = "gates", kind = ["estate_gate"] }
max_m = 250

[[rules]]
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = 50

[[layout]]
kind = "land_share"
land_use = ["industrial"]
max_pct = 70
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    layers = grid_layers(
        ["IIAAAAAA"] * 5 + ["GGGGGGGG"],
        roads=[(LineString([(-50, 89), (850, 89)]), {"road_id": "c1", "road_class": "collector"})],
        gates=[(Point(0, 80), {"gate_id": "G1", "kind": "estate_gate"})],
        water=[(LineString([(-50, 560), (850, 560)]), {"name": "Kali", "kind": "river"})],
    )
    rules = tmp_path / "rules.toml"
    rules.write_text(textwrap.dedent(RULES), encoding="utf-8")
    return {
        "estate": write_layers(layers, tmp_path / "estate.gpkg"),
        "rules": rules,
        "dir": tmp_path,
    }


def zone_file(
    tmp_path: Path, geom, *, driver: str = "GeoJSON", crs: int = 32749, name: str = "zone"
) -> Path:
    ext = {"GeoJSON": ".geojson", "GPKG": ".gpkg", "ESRI Shapefile": ".shp"}[driver]
    path = tmp_path / f"{name}{ext}"
    gpd.GeoDataFrame({"name": ["z"]}, geometry=[geom], crs=32749).to_crs(crs).to_file(
        path, driver=driver, engine="fiona"
    )
    return path


GOOD = box(
    X0 + 200, Y0 + 100, X0 + 500, Y0 + 500
)  # 12 ha, 400 m on industrial, 60 m from the river
REACH_M = 200 - math.sqrt(11.5**2 - 11**2)


@pytest.mark.parametrize(
    ("driver", "crs"), [("GeoJSON", 4326), ("GPKG", 32749), ("ESRI Shapefile", 23835)]
)
def test_check_passes_on_zone_files_in_any_format_and_crs(
    files, capsys, driver: str, crs: int
) -> None:
    z = zone_file(files["dir"], GOOD, driver=driver, crs=crs)
    code = main(
        [
            "check",
            str(files["estate"]),
            "--zone",
            str(z),
            "--rules",
            str(files["rules"]),
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["passed"] is True
    assert out["zone"]["area_ha"] == pytest.approx(12.0, rel=1e-6)
    assert out["zone"]["crs"] == "EPSG:32749"
    ids = [r["id"] for r in out["rules"]]
    assert ids == ["area", "on", "adjacent#1", "gate access", "setback#3", "land_share#1"]
    rule = {r["id"]: r for r in out["rules"]}
    assert rule["adjacent#1"]["value"] == pytest.approx(400.0, abs=1e-3)
    assert rule["gate access"]["value"] == pytest.approx(REACH_M, abs=0.01)
    assert rule["setback#3"] | {"value": None, "message": None} == {
        "id": "setback#3", "kind": "setback", "passed": True, "value": None, "required": ">= 50",
        "unit": "m", "message": None, "scope": "zone",
    }  # fmt: skip
    assert rule["setback#3"]["value"] == pytest.approx(60.0, abs=1e-3)


def test_failing_rule_exits_1_with_text_table(files, capsys) -> None:
    z = zone_file(files["dir"], box(X0 + 300, Y0 + 100, X0 + 600, Y0 + 500))  # not next to industry
    code = main(["check", str(files["estate"]), "--zone", str(z), "--rules", str(files["rules"])])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("zone: 12.00 ha")
    assert any(line.startswith("adjacent#1") and line.rstrip().endswith("✗") for line in lines)
    assert any(line.startswith("setback#3") and line.rstrip().endswith("✓") for line in lines)
    assert "FAIL: 2 of 6 rules fail" in out  # adjacent, and the gate now 296.6 m away
    assert "✗ adjacent#1: the zone shares 0.0 m of boundary" in out


def test_junit_output_one_case_per_rule(files, capsys) -> None:
    z = zone_file(files["dir"], box(X0 + 300, Y0 + 100, X0 + 600, Y0 + 500), driver="GPKG")
    out_file = files["dir"] / "junit.xml"
    code = main(["check", str(files["estate"]), "--zone", str(z), "--rules", str(files["rules"]),
                 "--format", "junit", "-o", str(out_file)])  # fmt: skip
    assert code == 1
    assert capsys.readouterr().out == ""
    suite = ET.parse(out_file).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("6", "2")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == ["area", "on", "adjacent#1", "gate access", "setback#3", "land_share#1"]
    assert cases["adjacent#1"].find("failure") is not None
    assert cases["setback#3"].find("failure") is None


def test_without_zone_only_layout_rules(files, capsys) -> None:
    code = main(["check", str(files["estate"]), "--rules", str(files["rules"]), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [r["id"] for r in out["rules"]] == ["land_share#1"]
    assert out["rules"][0]["value"] == pytest.approx(100 * 10 / 48, abs=1e-3)
    assert "zone" not in out


def test_road_distance_not_straight_line_fails_through_the_cli(files, capsys) -> None:
    # 400 m east along the road: straight-line from the gate ~ 600 m, road reach at x ≈ 596.6
    z = zone_file(files["dir"], box(X0 + 600, Y0 + 100, X0 + 800, Y0 + 500))
    code = main(
        [
            "check",
            str(files["estate"]),
            "--zone",
            str(z),
            "--rules",
            str(files["rules"]),
            "--format",
            "json",
        ]
    )
    rule = {r["id"]: r for r in json.loads(capsys.readouterr().out)["rules"]}
    assert code == 1
    assert rule["gate access"]["passed"] is False
    assert rule["gate access"]["value"] == pytest.approx(600 - math.sqrt(11.5**2 - 11**2), abs=0.01)


@pytest.mark.parametrize(
    ("rules_text", "message"),
    [
        ('[[rules]]\nkind = "contigous"\n', r"unknown rule kind 'contigous' in .*bad\.toml rule #1; did you mean 'contiguous'\?"),
        ('[[rules]]\nkind = "setback"\nfrom = { layer = "water", kind = ["canal"] }\nmin_m = 1\n',
         r"bad\.toml rule setback#1, key 'from': selector 'water kind=canal' matches no feature"),
        ("[zone\n", r"bad\.toml: not valid TOML: .*line 1"),
    ],
)  # fmt: skip
def test_bad_rules_exit_2_with_one_line(files, capsys, rules_text: str, message: str) -> None:
    bad = files["dir"] / "bad.toml"
    bad.write_text(rules_text, encoding="utf-8")
    z = zone_file(files["dir"], GOOD)
    code = main(["check", str(files["estate"]), "--zone", str(z), "--rules", str(bad)])
    cap = capsys.readouterr()
    assert code == 2 and cap.out == ""
    assert cap.err.count("\n") == 1 and cap.err.startswith("kitland: ")
    assert re.search(message, cap.err), cap.err


def test_bad_zone_files_exit_2(files, capsys) -> None:
    line = files["dir"] / "line.geojson"
    gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 10, Y0 + 10)])], crs=32749).to_file(
        line, engine="fiona"
    )
    assert (
        main(["check", str(files["estate"]), "--zone", str(line), "--rules", str(files["rules"])])
        == 2
    )
    assert "expected a Polygon" in capsys.readouterr().err
    missing = files["dir"] / "nope.geojson"
    assert (
        main(
            ["check", str(files["estate"]), "--zone", str(missing), "--rules", str(files["rules"])]
        )
        == 2
    )
    assert "no such zone file" in capsys.readouterr().err


def test_zone_off_the_estate_is_refused_with_its_distance(files, capsys) -> None:
    """A zone that does not touch the estate (coordinates in another CRS than declared)
    is not judged: exit 2, one line with the file, its distance to the boundary (the
    estate's east edge is at x0 + 800 m, the zone starts 5,000 m east of it) and the CRS."""
    far = zone_file(files["dir"], box(X0 + 5800, Y0 + 100, X0 + 6100, Y0 + 500), name="far")
    code = main(["check", str(files["estate"]), "--zone", str(far), "--rules", str(files["rules"])])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(far) in err
    assert "lies 5.0 km from the estate boundary" in err
    assert "is its CRS right? (it declares EPSG:32749)" in err
    # A zone 1 m inside the boundary is judged as before.
    near = zone_file(files["dir"], box(X0 + 799, Y0 + 100, X0 + 1100, Y0 + 500), name="near")
    assert main(["check", str(files["estate"]), "--zone", str(near), "--rules",
                 str(files["rules"])]) == 1  # fmt: skip


def test_bahasa_table_counts_whole_percent_tight_zone_named(files, capsys) -> None:
    """A count reads "1", not "1,00"; a percentage "20,83%" as Babel writes it (10 of the
    48 cells of 1 ha are industrial); the zone's line is headed by its name."""
    rules = files["dir"] / "named.toml"
    rules.write_text(textwrap.dedent("""
        [zone]
        name = "Zona UMKM Uji"
        area_ha = 12.0
        tolerance_ha = 0.5

        [[rules]]
        name = "satu hamparan"
        kind = "contiguous"

        [[layout]]
        name = "porsi industri"
        kind = "land_share"
        land_use = ["industrial"]
        max_pct = 70
    """), encoding="utf-8")  # fmt: skip
    z = zone_file(files["dir"], GOOD)
    assert main(["check", str(files["estate"]), "--zone", str(z), "--rules", str(rules),
                 "--lang", "id"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Zona UMKM Uji: 12,00 ha, kekompakan ")
    rows = {line.split("  ")[0]: line.split() for line in lines[3:]}
    assert rows["satu hamparan"][2:] == ["1", "=", "1", "✓"]
    assert rows["porsi industri"][2:] == ["20,83%", "≤", "70%", "✓"]


def test_a_reader_that_stops_reading_ends_check_quietly_with_141(tmp_path: Path) -> None:
    """`kitland check … | head` where the reader has gone before the report is written:
    exit 141 (128 + SIGPIPE, as the shell reports such a tool), nothing on stderr; it was
    exit 2 with ``kitland: : Broken pipe``, the code and line of bad input (trial 4)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    estate = write_layers(
        grid_layers(["IIAAAA"] * 4, roads=[(LineString([(-50, -10), (650, -10)]),
                                            {"road_id": "C1", "road_class": "collector"})]),
        tmp_path / "estate.gpkg",
    )  # fmt: skip
    rules = tmp_path / "rules.toml"
    rules.write_text('[[layout]]\nkind = "land_share"\nland_use = ["industrial"]\nmax_pct = 70\n')
    argv = [sys.executable, "-m", "kitland", "check", str(estate), "--rules", str(rules), "-q"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before kitland writes
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141, err
    assert err == ""
    whole = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert whole.returncode == 0 and "PASS" in whole.stdout  # read to the end: the report


def test_the_program_exits_with_mains_code_and_its_objects_frozen(tmp_path: Path) -> None:
    """``kitland`` (``python -m kitland``, the console script) exits with :func:`main`'s
    code, having frozen what is alive (so the collector's pass at exit skips it); a call
    of ``main`` in one process leaves the collector as it was."""
    import gc  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    probe = ("import atexit, gc, sys; atexit.register(lambda: print(gc.get_freeze_count() > 0));"
             " sys.argv = ['kitland', *sys.argv[1:]]; from kitland.cli import run; run()")  # fmt: skip
    rules = tmp_path / "rules.toml"
    rules.write_text('[[layout]]\nkind = "land_share"\nland_use = ["industrial"]\nmax_pct = 1\n')
    for argv, code in ((["check", "--rules", str(rules)], 1), (["check", "--zone", "none.gpkg"], 2)):
        proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True,
                              text=True, timeout=300, check=False)  # fmt: skip
        assert (proc.returncode, proc.stdout.splitlines()[-1]) == (code, "True"), proc.stderr
    frozen = gc.get_freeze_count()
    assert main(["check", "--rules", str(rules), "-q"]) == 1
    assert gc.get_freeze_count() == frozen


def test_one_variant_of_a_kml_is_checked_by_its_name(files, capsys) -> None:
    """A consultant's KML of three variants (GDAL names the placemark's name ``Name``):
    the plain check refuses it and lists the names; ``--feature`` checks the one named,
    with the verdict of that polygon alone in its own file."""
    small = box(X0 + 200, Y0 + 100, X0 + 400, Y0 + 300)  # 4 ha: the area rule fails
    variants = gpd.GeoDataFrame(
        {"Name": ["Varian A", "Varian B", " Varian C "]},
        geometry=[GOOD, small, GOOD],
        crs=32749,
    ).to_crs(4326)
    kml = files["dir"] / "usulan.kml"
    placemarks = "".join(
        f"<Placemark><name>{n}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{x},{y},0" for x, y in g.exterior.coords)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
        for n, g in zip(variants["Name"], variants.geometry, strict=True)
    )
    kml.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/'
                   f'kml/2.2"><Document>{placemarks}</Document></kml>', encoding="utf-8")  # fmt: skip
    base = ["check", str(files["estate"]), "--rules", str(files["rules"]), "--zone", str(kml)]

    assert main(base) == 2
    err = capsys.readouterr().err.strip()
    assert "holds 3 zone geometries" in err and "--feature NAME" in err
    assert err.endswith("Name with --feature NAME (feature= in Python): Varian A, Varian B, Varian C")

    alone = zone_file(files["dir"], small, name="b_alone")
    verdicts = []
    for args in ([*base, "--feature", "Varian B"], [*base[:-1], str(alone)]):
        code = main([*args, "--format", "json"])
        out = json.loads(capsys.readouterr().out)
        verdicts.append((code, out["passed"], [(r["id"], r["passed"]) for r in out["rules"]]))
        assert out["zone"]["area_ha"] == pytest.approx(4.0, rel=1e-4)
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0] == 1 and ("area", False) in verdicts[0][2]

    assert main([*base, "--feature", "Varian C"]) == 0  # the stripped name matches
    capsys.readouterr()
    assert main([*base, "--feature", "Varian D"]) == 2
    err = capsys.readouterr().err.strip()
    assert "0 features with Name 'Varian D'" in err and "Varian A, Varian B, Varian C" in err
    assert "\n" not in err and "Traceback" not in err


def test_feature_needs_a_zone_file_with_a_name_column(files, capsys) -> None:
    base = ["check", str(files["estate"]), "--rules", str(files["rules"])]
    assert main([*base, "--feature", "A"]) == 2
    err = capsys.readouterr().err
    assert "--feature needs --zone ZONE" in err and err.count("\n") == 1
    path = files["dir"] / "unnamed.geojson"
    gpd.GeoDataFrame({"label": ["A", "B"]}, geometry=[GOOD, GOOD], crs=32749).to_file(
        path, driver="GeoJSON", engine="fiona"
    )
    assert main([*base, "--zone", str(path), "--feature", "A"]) == 2
    err = capsys.readouterr().err
    assert "unnamed.geojson: has no zone_id, name or id column to find feature 'A' by" in err
    assert err.count("\n") == 1
