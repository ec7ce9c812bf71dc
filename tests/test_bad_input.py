"""Bad arguments and bad data are exit 2 with one line (issue 15, item 4).

Every case: exit code 2, exactly one line on stderr naming the option, file or parcel,
no traceback, and no output file left behind. In Python the same mistakes raise kitland
errors that are also ``ValueError``.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from conftest import ORIGIN, grid_estate, grid_layers, write_layers
from shapely import LineString, Point, Polygon, box

import kitland
import kitland.io
from kitland import DataError, Estate, UsageError
from kitland.cli import main
from kitland.rules import parse_rules

RULES = '[zone]\narea_ha = 4\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n'


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str, *needles: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


#: 50 ha meeting every land-budget norm (no data warnings): industrial 30 %, commercial
#: 10 %, green 10 %, road parcels 10 % (the column under the local road), available 40 %.
ROWS = ["IICGRAAAAI"] * 5


def _layers(rows: list[str] = ROWS) -> dict[str, gpd.GeoDataFrame]:
    """Two blocks of 100 m parcels with a 12 m local road between them over a column of
    road parcels (x 400..500), a collector along the south edge, a gate."""
    return grid_layers(
        rows,
        roads=[
            (LineString([(450, -20), (450, 520)]), {"road_id": "L1", "road_class": "local"}),
            (LineString([(-50, -10), (1050, -10)]), {"road_id": "C1", "road_class": "collector"}),
        ],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )


@pytest.fixture
def estate_file(tmp_path: Path) -> Path:
    return write_layers(_layers(), tmp_path / "estate.gpkg")


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    p = tmp_path / "rules.toml"
    p.write_text(RULES)
    return p


# -- arguments -------------------------------------------------------------------------

_BAD_ARGS = [
    (["--cell-m", "0"], "--cell-m", "positive number of metres, got 0"),
    (["--cell-m", "-5"], "--cell-m", "got -5"),
    (["--cell-m", "nan"], "--cell-m", "got nan"),
    (["--cell-m", "inf"], "--cell-m", "got inf"),
    (["--time-limit", "0"], "--time-limit", "positive number of seconds, got 0"),
    (["--time-limit", "-1"], "--time-limit", "got -1"),
    (["--alternatives", "0"], "--alternatives", "at least 1, got 0"),
    (["--alternatives", "-2"], "--alternatives", "at least 1, got -2"),
]


@pytest.mark.parametrize(("args", "option", "needle"), _BAD_ARGS)
def test_bad_place_argument_is_exit_2_naming_the_option(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys, args, option, needle
) -> None:
    out = tmp_path / "out.gpkg"
    argv = ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out), *args]
    code, stdout, err = _run(argv, capsys)
    assert code == 2
    assert stdout == ""
    _one_line(err, f"argument {option}:", needle)
    assert not out.exists()


@pytest.mark.parametrize("command", ["place", "check", "plots", "compare"])
def test_an_unknown_option_points_at_its_subcommands_help(command: str, capsys) -> None:
    zone = [] if command == "place" else ["--zone", "z.geojson"]  # plots, compare need one
    code, stdout, err = _run([command, *zone, "--colour=red"], capsys)
    assert (code, stdout) == (2, "")
    assert err == f"kitland: unrecognized arguments: --colour=red (see `kitland {command} --help`)\n"


def test_cell_size_that_makes_millions_of_cells_is_refused_with_one_that_would_do(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out.gpkg"
    argv = ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out)]
    code, _, err = _run([*argv, "--cell-m", "0.01"], capsys)
    assert code == 2
    line = _one_line(err, "cell_m=0.01", "cells (at most 100,000)", "--cell-m ")
    assert not out.exists()
    # The available land: 20 parcels of 1 ha; the local road's corridor (x 444..456) stays
    # on the road parcels, the collector's (y -20..0) outside the boundary.
    land_m2 = 20 * 100 * 100
    assert f"{land_m2 / 1e4:,.1f} ha" in line
    assert f"about {land_m2 / 0.01**2:,.0f} cells" in line
    need = float(line.rsplit("--cell-m ", 1)[1].rstrip(")"))
    assert need == pytest.approx(math.ceil(math.sqrt(land_m2 / 100_000) * 10) / 10)
    # The size it names passes the guard (placing at 1 m would take long: not run here).
    from kitland.placement import _check_cell_count  # noqa: PLC0415

    _check_cell_count(shapely.box(0, 0, 400, 500), need)
    with pytest.raises(UsageError):
        _check_cell_count(shapely.box(0, 0, 400, 500), need - 0.1)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"cell_m": 0}, "cell_m=0"),
        ({"cell_m": -1.0}, "cell_m=-1"),
        ({"cell_m": math.nan}, "cell_m=nan"),
        ({"cell_m": 0.01}, "at most 100,000"),
        ({"time_limit_s": 0}, "time_limit_s=0"),
        ({"time_limit_s": math.nan}, "time_limit_s=nan"),
        ({"alternatives": 0}, "alternatives=0"),
    ],
)
def test_place_raises_usage_error_that_is_a_value_error(kwargs, needle: str) -> None:
    est = grid_estate(["IAA", "IAA"])
    rules = parse_rules({"zone": {"area_ha": 2}})
    with pytest.raises(UsageError, match=needle) as info:
        kitland.place(est, rules, **kwargs)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, kitland.KitlandError)


def test_subprocess_bad_argument_prints_no_traceback(estate_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kitland", "place", str(estate_file), "--cell-m", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    _one_line(proc.stderr, "--cell-m")


# -- data errors stop place and check ------------------------------------------------


def _bow_tie(layers: dict[str, gpd.GeoDataFrame], pid: str) -> dict[str, gpd.GeoDataFrame]:
    """Replace parcel ``pid`` by a bow-tie over the same square (self-intersecting)."""
    p = layers["parcels"]
    i = p.index[p["parcel_id"] == pid][0]
    x0, y0, x1, y1 = p.geometry[i].bounds
    p.loc[i, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    return layers


@pytest.fixture
def bow_tie_file(tmp_path: Path) -> Path:
    return write_layers(_bow_tie(_layers(), "P1_6"), tmp_path / "bowtie.gpkg")


def _zone_file(tmp_path: Path) -> Path:
    x0, y0 = _layers()["parcels"].total_bounds[:2]
    zf = tmp_path / "zone.geojson"
    zone = box(x0 + 500, y0, x0 + 700, y0 + 200)  # 4 ha over the available parcels
    gpd.GeoDataFrame({"name": ["z"]}, geometry=[zone], crs=32749).to_file(zf, driver="GeoJSON")
    return zf


def _bow_tie_line(path: Path) -> list[str]:
    return [
        f"{path} layer 'parcels': parcel P1_6: invalid geometry (Self-intersection[",
        f"`kitland validate {path}` lists them",
        f"`kitland validate {path} --fix OUT.gpkg` repairs invalid geometry",
    ]


@pytest.mark.parametrize("out", [True, False])
def test_place_on_a_bow_tie_parcel_is_exit_2_naming_the_parcel(
    bow_tie_file: Path, rules_file: Path, tmp_path: Path, capsys, out: bool
) -> None:
    target = tmp_path / "X.gpkg"
    argv = ["place", str(bow_tie_file), "--rules", str(rules_file)]
    code, stdout, err = _run([*argv, "--out", str(target)] if out else argv, capsys)
    assert code == 2
    assert stdout == ""
    _one_line(err, *_bow_tie_line(bow_tie_file))
    assert not target.exists()


def test_check_on_a_bow_tie_parcel_is_exit_2_not_pass(
    bow_tie_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    zf = _zone_file(tmp_path)
    report = tmp_path / "report.json"
    argv = ["check", str(bow_tie_file), "--zone", str(zf), "--rules", str(rules_file)]
    code, stdout, err = _run([*argv, "-o", str(report)], capsys)
    assert code == 2
    assert stdout == ""
    _one_line(err, *_bow_tie_line(bow_tie_file))
    assert not report.exists()
    # The same zone on the sound estate passes: the bow-tie is what stops it.
    sound = write_layers(_layers(), tmp_path / "sound.gpkg")
    code, stdout, err = _run(
        ["check", str(sound), "--zone", str(zf), "--rules", str(rules_file)], capsys
    )
    assert code == 0, err
    assert "PASS" in stdout


def test_the_stop_line_counts_stopping_errors_and_all_findings(
    bow_tie_file: Path, rules_file: Path, capsys
) -> None:
    """The bow-tie parcel is the one error that stops check; validate lists every finding
    (the bow-tie, the gap it leaves, norm warnings): the line gives both counts."""
    code, out, _ = _run(["validate", str(bow_tie_file), "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    stopping = [f for f in findings if f["severity"] == "error"
                and f["code"] not in ("gap", "outside-boundary")]  # fmt: skip
    assert [f["code"] for f in stopping] == ["invalid-geometry"]
    assert len(findings) > 1
    code, _, err = _run(["place", str(bow_tie_file), "--rules", str(rules_file)], capsys)
    assert code == 2
    _one_line(err, f"; 1 data error that stops `kitland place` ({len(findings)} findings in "
                   f"all: `kitland validate {bow_tie_file}` lists them)")  # fmt: skip


@pytest.mark.parametrize("command", ["map", "check", "plots", "compare"])
def test_the_stop_line_names_the_command_that_stopped(
    command: str, bow_tie_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    """The bow-tie stops every command that measures a zone: the line names the one the
    user ran (``map`` used to say "data errors that stop place/check"), in Indonesian
    too, and nothing is written; in Python it names the function."""
    zf = _zone_file(tmp_path)
    out = tmp_path / "out.html"
    argv = [command, str(bow_tie_file), "--zone", str(zf), "--rules", str(rules_file)]
    argv += {"map": ["--out", str(out)], "compare": ["--map", str(out)]}.get(command, [])
    code, _, err = _run(argv, capsys)
    assert code == 2
    _one_line(err, f"; 1 data error that stops `kitland {command}` (")
    assert not out.exists()
    if command != "plots":  # plots speaks English only
        code, _, err = _run([*argv, "--lang", "id"], capsys)
        assert code == 2
        _one_line(err, f"; 1 kesalahan data yang menghentikan `kitland {command}` (")
    with pytest.raises(DataError, match=r"1 data error that stops kitland\.check\(\) \("):
        kitland.check(kitland.load_estate(bow_tie_file), gpd.read_file(zf),
                      parse_rules(__import__("tomllib").loads(RULES), source="r.toml"))  # fmt: skip


def test_a_gap_is_a_warning_for_check_said_once(tmp_path: Path, rules_file: Path, capsys) -> None:
    """A missing parcel leaves a gap: validate's error, check's warning ("gap 1", not
    "gap gap 1"), with no module name in front."""
    layers = _layers()
    p = layers["parcels"]
    layers["parcels"] = p[p["parcel_id"] != "P0_0"]  # a 1 ha corner no parcel covers
    est = write_layers(layers, tmp_path / "gap.gpkg")
    code, out, _ = _run(["validate", str(est), "--format", "json"], capsys)
    gaps = [f for f in json.loads(out)["findings"] if f["code"] == "gap"]
    assert code == 1 and [(g["severity"], g["feature"]) for g in gaps] == [("error", "gap 1")]
    code, _, err = _run(["check", str(est), "--zone", str(_zone_file(tmp_path)), "--rules",
                         str(rules_file)], capsys)  # fmt: skip
    assert code == 0, err
    gap_lines = [line for line in err.splitlines() if "gap" in line]
    assert len(gap_lines) == 1
    assert gap_lines[0].startswith("WARNING: data warning (gap 1): ")
    assert "10,000 m² (1.0000 ha) inside the boundary is covered by no parcel" in gap_lines[0]


def test_a_parcel_without_geometry_is_ignored_and_check_goes_on(
    tmp_path: Path, rules_file: Path, capsys
) -> None:
    """A parcel record with no geometry (an export's deleted polygon): validate's error,
    "it is ignored", and so check's warning, not a stop; its land is the gap it leaves."""
    layers = _layers()
    p = layers["parcels"]
    p.loc[p["parcel_id"] == "P0_0", "geometry"] = None
    est = write_layers(layers, tmp_path / "null.gpkg")
    code, out, _ = _run(["validate", str(est), "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    errors = {f["code"]: f["feature"] for f in findings if f["severity"] == "error"}
    assert code == 1 and errors == {"empty-geometry": "P0_0", "gap": "gap 1"}
    code, _, err = _run(["check", str(est), "--zone", str(_zone_file(tmp_path)), "--rules",
                         str(rules_file)], capsys)  # fmt: skip
    assert code == 0, err
    assert "WARNING: data warning (empty-geometry P0_0): " in err
    assert "feature has no geometry (NULL or empty); it is ignored" in err


def test_overlap_and_duplicate_ids_stop_place(tmp_path: Path, rules_file: Path, capsys) -> None:
    layers = _layers()
    p = layers["parcels"]
    i = p.index[p["parcel_id"] == "P0_7"][0]
    p.loc[i, "geometry"] = shapely.affinity.translate(p.geometry[i], 30, 0)  # onto P0_8
    est = write_layers(layers, tmp_path / "overlap.gpkg")
    code, _, err = _run(["place", str(est), "--rules", str(rules_file)], capsys)
    assert code == 2
    _one_line(err, f"{est} layer 'parcels': parcels P0_7 and P0_8 overlap by 3,000.0 m²")
    layers = _layers()
    layers["parcels"].loc[layers["parcels"]["parcel_id"] == "P2_8", "parcel_id"] = "P2_7"
    est = write_layers(layers, tmp_path / "dup.gpkg")
    code, _, err = _run(
        ["check", str(est), "--zone", str(_zone_file(tmp_path)), "--rules", str(rules_file)], capsys
    )
    assert code == 2
    _one_line(err, f"{est} layer 'parcels': parcel_id 'P2_7' is used by 2 parcels")


def test_data_warnings_are_printed_and_the_run_goes_on(
    rules_file: Path, tmp_path: Path, capsys
) -> None:
    # 30 ha without green (norm >= 10 %) or supporting facilities (norm 6-12 %).
    estate_file = write_layers(_layers(["IIIIRAAAAA"] * 3), tmp_path / "e.gpkg")
    code, stdout, err = _run(
        [
            "check",
            str(estate_file),
            "--zone",
            str(_zone_file(tmp_path)),
            "--rules",
            str(rules_file),
        ],
        capsys,
    )
    assert code == 0, err
    assert "PASS" in stdout
    lines = err.strip().splitlines()
    assert lines == [
        "WARNING: data warning (norm-green): green open space: 0.0% of "
        "the estate (0.0 ha); the norm is ≥ 10% (Permenperin 40/2016)",
        "WARNING: data warning (norm-supporting): supporting facilities: "
        "0.0% of the estate (0.0 ha); the norm is 6–12% (Permenperin 40/2016)",
    ]
    argv = ["check", str(estate_file), "--zone", str(_zone_file(tmp_path)), "--rules",
            str(rules_file), "--lang", "id"]  # fmt: skip
    code, stdout, err = _run(argv, capsys)
    assert code == 0 and "0,0% dari kawasan" in err and "≥ 10%" in err and "6–12%" in err
    assert not re.search(r"\d %", stdout + err)  # percentages as Babel writes them
    code, _, err = _run(
        [
            "-q",
            "check",
            str(estate_file),
            "--zone",
            str(_zone_file(tmp_path)),
            "--rules",
            str(rules_file),
        ],
        capsys,
    )
    assert code == 0 and err == ""


def test_python_place_and_check_refuse_a_bow_tie_estate() -> None:
    est = Estate.from_layers(_bow_tie(_layers(), "P1_6"), source="", name="demo")
    rules = parse_rules({"zone": {"area_ha": 4}, "rules": [{"kind": "contiguous"}]})
    with pytest.raises(
        DataError, match=r"^parcels: parcel P1_6: invalid geometry .*kitland\.validate\(estate\)"
    ):
        kitland.place(est, rules)
    zone = shapely.box(*_layers()["parcels"].total_bounds[:2], 0, 0)
    with pytest.raises(DataError, match="parcel P1_6: invalid geometry"):
        kitland.check(est, zone, rules)


def test_on_invalid_warn_logs_the_errors_and_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    layers = _bow_tie(_layers(), "P1_0")  # an industrial parcel away from the zone
    est = Estate.from_layers(layers, name="demo")
    x0, y0 = layers["parcels"].total_bounds[:2]
    rules = parse_rules({"zone": {"area_ha": 4}, "rules": [{"kind": "contiguous"}]})
    with caplog.at_level("WARNING", logger="kitland.validation"):
        report = kitland.check(est, box(x0 + 500, y0, x0 + 700, y0 + 200), rules, on_invalid="warn")
    assert report.passed
    assert "data error (invalid-geometry P1_0)" in caplog.text


def test_land_under_a_road_corridor_is_no_gap(tmp_path: Path) -> None:
    # Two blocks 12 m apart with a 12 m local road between them and no road parcels.
    def layers(gap_m: float) -> dict[str, gpd.GeoDataFrame]:
        out = grid_layers(
            ["IA"],
            roads=[
                (
                    LineString([(100 + gap_m / 2, -5), (100 + gap_m / 2, 105)]),
                    {"road_id": "L1", "road_class": "local"},
                )
            ],
        )
        p = out["parcels"]
        p.loc[1, "geometry"] = shapely.affinity.translate(p.geometry[1], gap_m, 0)
        out["boundary"].loc[0, "geometry"] = box(*p.total_bounds)
        return out

    est = Estate.from_layers(layers(12.0))
    assert [f.code for f in kitland.validate(est).errors] == []
    wide = kitland.validate(Estate.from_layers(layers(30.0)))  # 18 m × 100 m uncovered
    assert [f.code for f in wide.errors] == ["gap", "gap"]
    assert "900 m²" in wide.errors[0].message


def test_subprocess_bow_tie_place_prints_one_line_no_traceback(
    bow_tie_file: Path, rules_file: Path, tmp_path: Path
) -> None:
    target = tmp_path / "X.gpkg"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "kitland",
            "place",
            str(bow_tie_file),
            "--rules",
            str(rules_file),
            "--out",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    _one_line(proc.stderr, *_bow_tie_line(bow_tie_file))
    assert not target.exists()


# -- library errors never reach the user as a traceback ------------------------------


def test_out_that_is_a_folder_fails_before_the_solve(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "maps"
    folder.mkdir()
    code, stdout, err = _run(
        ["place", str(estate_file), "--rules", str(rules_file), "--out", str(folder)], capsys
    )
    assert code == 2
    assert stdout == ""  # no summary: nothing was placed
    _one_line(err, f"{folder}: is a folder")
    assert list(folder.iterdir()) == []


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_out_into_a_folder_that_takes_no_files(estate_file: Path, rules_file: Path, capsys) -> None:
    code, stdout, err = _run(
        ["place", str(estate_file), "--rules", str(rules_file), "--report", "/proc/report.json"],
        capsys,
    )
    assert code == 2 and stdout == ""
    _one_line(err, "/proc/report.json: cannot write in the folder /proc")


def test_out_into_a_missing_folder_fails_before_the_solve(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    def no_solve(*args, **kwargs):
        raise AssertionError("place() ran although its output cannot be written")

    monkeypatch.setattr("kitland.placement.place", no_solve)
    out = tmp_path / "no" / "such" / "zone.gpkg"
    code, stdout, err = _run(
        ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out)], capsys
    )
    assert code == 2 and stdout == ""
    _one_line(err, f"{out}: the folder {out.parent} does not exist")


def test_gdal_failing_to_write_the_placement_is_exit_2_naming_file_and_layer(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    import fiona  # noqa: PLC0415

    real = gpd.GeoDataFrame.to_file

    def failing(self, filename, *args, **kwargs):
        if kwargs.get("layer") == "parcels":
            raise fiona.errors.DriverError("sqlite3_exec(CREATE TABLE) failed: disk I/O error")
        return real(self, filename, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", failing)
    out = tmp_path / "X.gpkg"
    code, stdout, err = _run(
        ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out)], capsys
    )
    assert code == 2
    assert stdout.startswith("placement 1:")  # the answer was shown before the write failed
    line = err.strip().splitlines()[-1]
    assert line == (
        f"kitland: {out} layer 'parcels': cannot write (DriverError: sqlite3_exec(CREATE TABLE) "
        "failed: disk I/O error)"
    )
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["estate.gpkg", "rules.toml"]


def _zone_cases(tmp_path: Path) -> list[tuple[Path, str]]:
    x0, y0 = _layers()["parcels"].total_bounds[:2]
    z = box(x0 + 500, y0, x0 + 700, y0 + 200)
    cases = []
    empty = tmp_path / "empty.geojson"
    empty.write_bytes(b"")
    cases.append((empty, "the file is empty"))
    nocrs = tmp_path / "nocrs.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[z], crs=None).to_file(nocrs, engine="fiona")
    cases.append((nocrs, "has no CRS; declare one"))
    gc = tmp_path / "collection.gpkg"
    gpd.GeoDataFrame(
        {"n": [1]}, geometry=[shapely.GeometryCollection([z, Point(x0, y0)])], crs=32749
    ).to_file(gc, engine="fiona")
    cases.append((gc, "feature 1: zone geometry is a GeometryCollection; expected a Polygon"))
    line = tmp_path / "closed_line.geojson"  # the outline of z drawn as a line (trial 10)
    gpd.GeoDataFrame({"n": [1]}, geometry=[z.exterior], crs=32749).to_file(line, engine="fiona")
    cases.append((line, "feature 1: zone geometry is a closed LineString; expected a Polygon or"
                  " MultiPolygon: make the closed line a polygon (QGIS: Vector > Geometry Tools >"
                  " Lines to Polygons)"))  # fmt: skip
    open_line = tmp_path / "open_line.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[LineString(list(z.exterior.coords)[:-1])],
                     crs=32749).to_file(open_line, engine="fiona")  # fmt: skip
    cases.append((open_line, "feature 1: zone geometry is a LineString; expected a Polygon or"
                  " MultiPolygon"))  # fmt: skip
    bow = tmp_path / "bowtie.geojson"
    ring = [(x0 + 500, y0), (x0 + 700, y0 + 200), (x0 + 700, y0), (x0 + 500, y0 + 200)]
    gpd.GeoDataFrame({"n": [1]}, geometry=[Polygon(ring)], crs=32749).to_file(bow, engine="fiona")
    cases.append((bow, "the zone polygon is not valid (Self-intersection"))
    folder = tmp_path / "afolder"
    folder.mkdir()
    cases.append((folder, "not a vector file GDAL can read"))
    return cases


def test_odd_zone_files_are_exit_2_naming_the_file(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    for path, needle in _zone_cases(tmp_path):
        code, stdout, err = _run(
            ["check", str(estate_file), "--zone", str(path), "--rules", str(rules_file)], capsys
        )
        assert code == 2, (path, err)
        assert stdout == ""
        _one_line(err, str(path), needle)


def test_a_zone_file_with_a_point_names_the_feature_and_its_type(tmp_path: Path) -> None:
    # A polygon, a point and a line: the first feature that is not a polygon is named, by
    # its number and zone_id, with its own type, every time.
    x0, y0 = _layers()["parcels"].total_bounds[:2]
    path = tmp_path / "mixed.geojson"
    geoms = [box(x0, y0, x0 + 100, y0 + 100), Point(x0, y0), LineString([(x0, y0), (x0, y0 + 9)])]
    gpd.GeoDataFrame({"zone_id": ["A", "B", "C"]}, geometry=geoms, crs=32749).to_file(
        path, engine="fiona"
    )
    want = (f"{path}: feature 2 (zone_id 'B'): zone geometry is a Point; expected a Polygon or "
            "MultiPolygon (1 more features are not polygons)")  # fmt: skip
    for _ in range(4):
        with pytest.raises(kitland.DataError) as err:
            kitland.io.read_zones(path)
        assert str(err.value) == want


def test_unknown_assume_crs_is_exit_2(estate_file: Path, capsys) -> None:
    code, _, err = _run(["check", str(estate_file), "--assume-crs", "EPSG:NOPE"], capsys)
    assert code == 2
    _one_line(err, "argument --assume-crs: not a CRS pyproj knows: 'EPSG:NOPE'")
    with pytest.raises(
        kitland.CRSError, match=r"assume_crs='EPSG:NOPE' \(--assume-crs\): not a CRS"
    ):
        kitland.io.read_zone(_zone_cases(Path(tempfile.mkdtemp()))[1][0], assume_crs="EPSG:NOPE")


def test_an_unexpected_error_is_one_line_exit_70(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    def broken(*args, **kwargs):
        raise shapely.errors.GEOSException("TopologyException: side location conflict at 1 2")

    monkeypatch.setattr("kitland.measure.check", broken)
    argv = [
        "check",
        str(estate_file),
        "--zone",
        str(_zone_file(tmp_path)),
        "--rules",
        str(rules_file),
    ]
    code, stdout, err = _run(argv, capsys)
    assert code == 70 and stdout == ""
    assert err == (
        "kitland: internal error in `kitland check` (GEOSException: TopologyException: side "
        "location conflict at 1 2); please report it with the command you ran (-v shows the "
        "traceback)\n"
    )
    code, _, err = _run(["-v", *argv], capsys)
    assert code == 70
    assert "Traceback (most recent call last)" in err  # -v: the traceback for the report
    assert "shapely.errors.GEOSException: TopologyException" in err
    assert err.strip().splitlines()[-1].startswith("kitland: internal error")


def test_a_bow_tie_boundary_is_exit_2_naming_the_boundary(
    tmp_path: Path, rules_file: Path, capsys
) -> None:
    """Roads but no road parcels: the roads norm intersects the corridors with the
    boundary, which raised GEOS's TopologyException (exit 70) on a bow-tie boundary."""
    road = (
        LineString([(0, 100), (300, 100)]),
        {"road_id": "R1", "road_class": "local", "width_m": 12},
    )
    layers = grid_layers(["AAI", "AAI"], roads=[road])
    x0, y0, x1, y1 = layers["boundary"].total_bounds
    bow = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    layers["boundary"] = gpd.GeoDataFrame({"name": ["bow"]}, geometry=[bow], crs=32749)
    path = write_layers(layers, tmp_path / "bowb.gpkg")
    code, stdout, _ = _run(["validate", str(path), "--format", "json"], capsys)
    assert code == 1
    codes = {(f["code"], f["layer"]) for f in json.loads(stdout)["findings"]}
    assert ("invalid-geometry", "boundary") in codes
    code, stdout, err = _run(["place", str(path), "--rules", str(rules_file)], capsys)
    assert code == 2 and stdout == ""
    _one_line(err, f"{path} layer 'boundary': bow: invalid geometry (Self-intersection[")


# -- the one line in the terminal's language -----------------------------------------------


def _bad_lines(tmp: Path, estate: Path, rules: Path, bow_tie: Path) -> list[tuple[list[str], str, str]]:
    """(argv, English line, Indonesian line) of bad inputs: the words are the catalogue's,
    paths, values and GEOS's reason are data."""
    nope = tmp / "nope"
    return [
        (["place", str(nope)], f"{nope}: no such file or folder",
         f"{nope}: tidak ada berkas atau folder seperti itu"),
        (["check", str(estate), "--rules", str(rules), "--zone", f"{nope}.geojson"],
         f"{nope}.geojson: no such zone file", f"{nope}.geojson: tidak ada berkas zona seperti itu"),
        (["place", str(estate), "--rules", f"{nope}.toml"], f"{nope}.toml: no such rules file",
         f"{nope}.toml: tidak ada berkas aturan seperti itu"),
        (["place", str(estate), "--rules", str(rules), "--out", str(tmp / "z.json")],
         f"{tmp / 'z.json'}: --out writes .gpkg (got .json); name the file accordingly",
         f"{tmp / 'z.json'}: --out menulis .gpkg (yang diberikan .json); beri nama berkas yang sesuai"),
        (["place", str(estate), "--rules", str(rules), "--map", str(nope / "m.html")],
         f"{nope / 'm.html'}: the folder {nope} does not exist",
         f"{nope / 'm.html'}: folder {nope} tidak ada"),
        (["place", str(bow_tie), "--rules", str(rules)],
         f"{bow_tie} layer 'parcels': parcel P1_6: invalid geometry (Self-intersection[",
         f"{bow_tie} layer 'parcels': kavling P1_6: geometri tidak valid (Self-intersection["),
    ]  # fmt: skip


def test_bad_input_lines_speak_the_terminals_language(
    estate_file: Path, rules_file: Path, bow_tie_file: Path, tmp_path: Path, capsys
) -> None:
    for argv, english, indonesian in _bad_lines(tmp_path, estate_file, rules_file, bow_tie_file):
        for lang, expected in (("en", english), ("id", indonesian)):
            code, stdout, err = _run([*argv, "--lang", lang], capsys)
            assert (code, stdout) == (2, ""), err
            assert _one_line(err).startswith(f"kitland: {expected}"), (lang, err)
        code, _, err = _run(argv, capsys)  # without --lang: English, as scripts read it
        assert code == 2 and err.startswith(f"kitland: {english}")
    # the stop line's own words, after GEOS's reason
    code, _, err = _run(["place", str(bow_tie_file), "--rules", str(rules_file), "--lang", "id"], capsys)
    assert code == 2
    assert err.rstrip().endswith(
        f"; 1 kesalahan data yang menghentikan `kitland place` (3 temuan seluruhnya: `kitland validate "
        f"{bow_tie_file}` mencantumkan semuanya), `kitland validate {bow_tie_file} --fix OUT.gpkg` "
        "memperbaiki geometri yang tidak valid"
    )


def test_python_errors_stay_english_and_render_in_indonesian(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope: no such file or folder$") as info:
        kitland.load_estate(tmp_path / "nope")
    assert info.value.render("id") == f"{tmp_path / 'nope'}: tidak ada berkas atau folder seperti itu"
    assert UsageError("plain text").render("id") == "plain text"  # raised without the catalogue


# -- every family of bad input in the terminal's language (errors-id) -----------------------


def _rules_file(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _family_lines(tmp: Path, estate: Path, rules: Path) -> list[tuple[str, list[str], str, str]]:
    """(family, argv, English line, Indonesian line), each line written out by hand: the
    words are the catalogue's; files, rules, keys and the values typed are data, numbers
    kitland works out are in the language's locale (1.234,5 km; -2,5 ha)."""
    words = _rules_file(tmp, "words.toml", RULES + '[[rules]]\nkind = "setback"\nname = "sempadan sungai"\n'
                        'from = { layer = "water", kind = ["river"] }\nmin_m = "lima puluh"\n')  # fmt: skip
    table = _rules_file(tmp, "table.toml", RULES + '[[rule]]\nkind = "contiguous"\n')
    area = _rules_file(tmp, "area.toml", "[zone]\narea_ha = -2.5\n")
    coast = _rules_file(tmp, "coast.toml", RULES + '[[rules]]\nkind = "setback"\n'
                        'from = { layer = "water", kind = ["coast"] }\nmin_m = 100\n')  # fmt: skip
    utm = tmp / "utm.geojson"  # metres in a GeoJSON file, which is longitude/latitude
    ring = [[400000, 9000000], [400100, 9000000], [400100, 9000100], [400000, 9000000]]
    utm.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))  # fmt: skip
    _, y0, x1, _ = _layers()["boundary"].total_bounds
    far = tmp / "far.gpkg"  # 1,234.5 km east of the estate's east edge
    gpd.GeoDataFrame({"n": [1]}, geometry=[box(x1 + 1_234_500, y0, x1 + 1_234_600, y0 + 100)],
                     crs=32749).to_file(far, engine="fiona")  # fmt: skip
    point = tmp / "point.geojson"
    gpd.GeoDataFrame({"zone_id": ["B"]}, geometry=[Point(5, 5)], crs=32749).to_file(
        point, engine="fiona"
    )
    check = ["check", str(estate), "--rules", str(rules), "--zone"]
    hint_en = "add `optional = true` to a rule to skip it where its selector matches nothing"
    hint_id = ("tambahkan `optional = true` pada aturan untuk melewatinya bila selektornya tidak "
               "cocok dengan apa pun")  # fmt: skip
    return [
        ("rules", ["place", str(estate), "--rules", str(words)],
         f"{words} rule sempadan sungai, key 'min_m': expected a distance in metres (a number ≥ 0), got text 'lima puluh'",
         f"{words} aturan sempadan sungai, kunci 'min_m': diharapkan jarak dalam meter (angka ≥ 0), yang diberikan teks 'lima puluh'"),
        ("rules", ["place", str(estate), "--rules", str(table)],
         f"{table}: unknown top-level key 'rule'; did you mean 'rules'? (valid: [zone], [[zones]], [[rules]], [[layout]], [[prefer]], [[between]], [plots])",
         f"{table}: kunci tingkat atas 'rule' tidak dikenal; maksudnya 'rules'? (yang sah: [zone], [[zones]], [[rules]], [[layout]], [[prefer]], [[between]], [plots])"),
        ("rules", ["place", str(estate), "--rules", str(area)],
         f"{area} [zone], key 'area_ha': -2.5 ha; the zone needs a positive area",
         f"{area} [zone], kunci 'area_ha': -2,5 ha; zona memerlukan luas positif"),
        ("rules", ["place", str(estate), "--rules", str(coast)],
         f"{coast} rule setback#2, key 'from': selector 'water kind=coast' matches no feature: the estate has no 'water' features; {hint_en}",
         f"{coast} aturan setback#2, kunci 'from': selektor 'water kind=coast' tidak cocok dengan fitur mana pun: kawasan tidak memiliki fitur 'water'; {hint_id}"),
        ("crs", [*check, str(utm)],
         f"{utm}: coordinates up to (400100, 9000100) are not degrees, but the file declares EPSG:4326 (GeoJSON is always longitude/latitude); save the zone with its real CRS, e.g. as a GeoPackage",
         f"{utm}: koordinat hingga (400.100, 9.000.100) bukan derajat, tetapi berkas menyatakan EPSG:4326 (GeoJSON selalu bujur/lintang); simpan zona dengan CRS yang sebenarnya, misalnya sebagai GeoPackage"),
        ("crs", [*check, str(far)],
         f"{far}: the zone lies 1,234.5 km from the estate boundary and does not touch the estate; is its CRS right? (it declares EPSG:32749)",
         f"{far}: zona berada 1.234,5 km dari batas kawasan dan tidak menyentuh kawasan; apakah CRS-nya benar? (zona menyatakan EPSG:32749)"),
        ("data", [*check, str(point)],
         f"{point}: feature 1 (zone_id 'B'): zone geometry is a Point; expected a Polygon or MultiPolygon",
         f"{point}: fitur 1 (zone_id 'B'): geometri zona berupa Point; diharapkan Polygon atau MultiPolygon"),
        ("data", ["place", str(estate), "--rules", str(tmp / "nope.toml")],
         f"{tmp / 'nope.toml'}: no such rules file", f"{tmp / 'nope.toml'}: tidak ada berkas aturan seperti itu"),
        ("usage", ["place", "--cell-m", "-5"],
         "argument --cell-m: expected a positive number of metres, got -5 (see `kitland place --help`)",
         "argumen --cell-m: diharapkan angka positif dalam meter, yang diberikan -5 (lihat `kitland place --help`)"),
        ("usage", ["place", "--time-limit", "abc"],
         "argument --time-limit: expected a number of seconds, got 'abc' (see `kitland place --help`)",
         "argumen --time-limit: diharapkan angka dalam detik, yang diberikan 'abc' (lihat `kitland place --help`)"),
        ("usage", ["map", "--nosuch"], "unrecognized arguments: --nosuch (see `kitland map --help`)",
         "argumen tidak dikenal: --nosuch (lihat `kitland map --help`)"),
        ("usage", ["place", "--paper", "A9"],
         "argument --paper: invalid choice: 'A9' (choose from 'A4', 'A3') (see `kitland place --help`)",
         "argumen --paper: pilihan tidak sah: 'A9' (pilih dari 'A4', 'A3') (lihat `kitland place --help`)"),
        ("usage", ["check", "--cell-m"],  # --lang follows: --cell-m has no value
         "argument --cell-m: expected one argument (see `kitland check --help`)",
         "argumen --cell-m: diharapkan satu nilai (lihat `kitland check --help`)"),
        ("usage", ["compare"], "the following arguments are required: --zone (see `kitland compare --help`)",
         "argumen berikut wajib diberikan: --zone (lihat `kitland compare --help`)"),
    ]  # fmt: skip


def test_each_family_of_bad_input_speaks_the_terminals_language(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    """A rules file, a CRS, a data file and the arguments: under ``--lang id`` the line is
    Indonesian, under ``--lang en`` and without ``--lang`` the English line, unchanged;
    exit 2, one line, no traceback, nothing written."""
    cases = _family_lines(tmp_path, estate_file, rules_file)
    assert {family for family, *_ in cases} == {"rules", "crs", "data", "usage"}
    before = sorted(tmp_path.iterdir())
    for _, argv, english, indonesian in cases:
        for extra, expected in ((["--lang", "id"], indonesian), (["--lang=en"], english),
                                ([], english)):  # fmt: skip
            code, stdout, err = _run([*argv, *extra], capsys)
            assert (code, stdout) == (2, ""), (argv, extra, err)
            assert _one_line(err) == f"kitland: {expected}", (argv, extra)
    assert sorted(tmp_path.iterdir()) == before


def test_a_rules_file_with_several_problems_lists_them_in_indonesian(
    estate_file: Path, tmp_path: Path, capsys
) -> None:
    """The summary line and one line per problem, each in the terminal's language."""
    bad = _rules_file(tmp_path, "bad.toml", '[zone]\narea_ha = 4\n[[rules]]\nkind = "contigous"\n'
                      '[[rules]]\nkind = "compactness"\nmin = 2\noptional = "yes"\n')  # fmt: skip
    code, _, err = _run(["place", str(estate_file), "--rules", str(bad), "--lang", "id"], capsys)
    assert code == 2 and "Traceback" not in err
    assert err.splitlines() == [
        f"kitland: {bad}: 3 masalah",
        f"  jenis aturan 'contigous' tidak dikenal di {bad} aturan #1; maksudnya 'contiguous'?",
        f"  {bad} aturan compactness#2, kunci 'optional': diharapkan true atau false, yang diberikan teks 'yes'",
        f"  {bad} aturan compactness#2, kunci 'min': 2 di luar 0..1",
    ]  # fmt: skip
    code, _, err = _run(["place", str(estate_file), "--rules", str(bad)], capsys)
    assert code == 2
    assert err.splitlines() == [
        f"kitland: {bad}: 3 problems",
        f"  unknown rule kind 'contigous' in {bad} rule #1; did you mean 'contiguous'?",
        f"  {bad} rule compactness#2, key 'optional': expected true or false, got text 'yes'",
        f"  {bad} rule compactness#2, key 'min': 2 is outside 0..1",
    ]
    with pytest.raises(kitland.RulesError) as info:
        kitland.load_rules(bad)
    assert info.value.problems == tuple(line.strip() for line in err.splitlines()[1:])


def test_the_command_line_reads_lang_before_argparse_in_a_real_process(tmp_path: Path) -> None:
    """``python -m kitland`` (argv from the process, not from ``main``): argparse's line
    in Indonesian under ``--lang id``; English for ``sweep`` and for an unknown language."""

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kitland", *argv], capture_output=True,
                              text=True, cwd=tmp_path, check=False)  # fmt: skip

    said = run("place", "--lang", "id", "--cell-m", "-5")
    assert (said.returncode, said.stdout) == (2, "")
    assert said.stderr == ("kitland: argumen --cell-m: diharapkan angka positif dalam meter, "
                           "yang diberikan -5 (lihat `kitland place --help`)\n")  # fmt: skip
    said = run("sweep", "--lang", "id")  # sweep's --lang is its maps': its terminal is English
    assert said.stderr == ("kitland: the following arguments are required: --vary, --out "
                           "(see `kitland sweep --help`)\n")  # fmt: skip
    said = run("place", "--lang", "xx")
    assert said.returncode == 2
    assert said.stderr == ("kitland: argument --lang: invalid choice: 'xx' (choose from 'id', 'en') "
                           "(see `kitland place --help`)\n")  # fmt: skip


@pytest.mark.parametrize(
    ("driver", "suffix", "gdal_says"),
    [("FlatGeobuf", ".fgb", "reading feature"), ("ESRI Shapefile", ".shp", "from .shp file")],
)
def test_a_layer_file_cut_short_is_exit_2_not_a_smaller_estate(
    tmp_path: Path, rules_file: Path, capsys, driver: str, suffix: str, gdal_says: str
) -> None:
    """A parcels file cut short (a copy or download that stopped at 60 %): GDAL reads a
    FlatGeobuf up to the first feature it cannot parse and gives a Shapefile's later
    records no geometry, and both went on as a smaller estate (a proven "no placement"
    on the trial's estate). Now ``validate`` and ``place`` say the file is damaged, exit
    2, and write nothing; the whole file reads its 50 parcels (5 rows of 10)."""
    whole = write_layers(_layers(), tmp_path / "whole", driver)
    assert len(kitland.load_estate(whole).parcels) == 50
    folder = write_layers(_layers(), tmp_path / "cut", driver)
    parcels = folder / f"parcels{suffix}"
    data = parcels.read_bytes()
    parcels.write_bytes(data[: int(len(data) * 0.6)])
    out = tmp_path / "out.gpkg"
    for argv in (["validate", str(folder)],
                 ["place", str(folder), "--rules", str(rules_file), "--out", str(out)]):  # fmt: skip
        code, _, err = _run(argv, capsys)
        assert code == 2
        _one_line(err, str(parcels), gdal_says, "damaged or cut short")
    assert not out.exists()


def test_a_river_in_another_grid_than_it_declares_is_exit_2_naming_it(
    tmp_path: Path, rules_file: Path, capsys
) -> None:
    """Trial 11: a developer's water layer declared one TM-3 zone and held another's
    coordinates, 662 km from the estate; every setback from it passed ("sempadan sungai
    ✓ 666.477,8 m") and ``check`` said LULUS. Here the river 100 m north of the estate is
    moved 300 km east, as a false easting of another grid puts it: its extent (x −100 ..
    1,100 m before the move) lies 300,000 − 1,100 = 298.9 km past the boundary's (x 0 ..
    1,000 m), by hand. Every command stops at reading, naming the layer and the
    boundary; in its place, or with a village 40 km off (a real, far preference), the
    estate reads."""
    river = [(LineString([(-100, 600), (1100, 600)]), {"name": "Kali", "kind": "river"})]
    far_village = [(Point(40_000, 250), {"name": "Kota"})]
    layers = _layers() | {k: v for k, v in grid_layers(
        ROWS, water=river, settlements=far_village).items() if k in ("water", "settlements")}  # fmt: skip
    kitland.Estate.from_layers(layers)  # the river in its place and the far village read
    w = layers["water"]
    layers["water"] = w.set_geometry(w.geometry.translate(300_000.0, 0.0))
    folder = write_layers(layers, tmp_path / "est", "GeoJSON")
    x0, y0 = ORIGIN
    zone = gpd.GeoDataFrame(geometry=[box(x0 + 500, y0, x0 + 900, y0 + 100)], crs=32749)
    zone.to_file(tmp_path / "zone.geojson", engine="fiona")
    out = tmp_path / "out.gpkg"
    for argv in (["validate", str(folder)],
                 ["place", str(folder), "--rules", str(rules_file), "--out", str(out)],
                 ["check", str(folder), "--rules", str(rules_file),
                  "--zone", str(tmp_path / "zone.geojson"), "--lang", "id"]):  # fmt: skip
        code, _, err = _run(argv, capsys)
        assert code == 2
        words = ("berada 298,9 km dari batas kawasan" if "id" in argv
                 else "(stored in EPSG:32749) lies 298.9 km from the boundary of")  # fmt: skip
        _one_line(err, "water.geojson", words, "boundary.geojson")
    assert not out.exists()


def test_fewer_features_than_the_layer_declares_is_a_damaged_file(tmp_path: Path) -> None:
    """The second guard, for a driver that stops without a word from GDAL: a layer that
    declares 50 features (5 rows of 10 parcels) and gives fewer is refused."""
    folder = write_layers(_layers(), tmp_path / "fgb", "FlatGeobuf")
    parcels = folder / "parcels.fgb"
    with pytest.raises(DataError, match=r"declares 50 features but only the first 49 can be read"):
        kitland.io._require_whole(parcels, None, {}, str(parcels), 49, [])
    kitland.io._require_whole(parcels, None, {}, str(parcels), 50, [])


def test_a_boundary_apart_from_its_parcels_is_exit_2_naming_both_layers(
    tmp_path: Path, rules_file: Path, capsys
) -> None:
    """The boundary's coordinates are in another grid than it declares (here 100 km east
    of the parcels, as a false easting of another zone puts them): every command said
    something else — ``place`` "no placement satisfies the rules (proven …)" after 50
    outside-boundary warnings, ``check`` that the drawn *zone* lies far from the estate.
    Now each stops at reading, naming both layers and the gap between their extents:
    100,000 m − the 1,000 m width of the grid = 99.0 km by hand."""
    layers = _layers()
    b = layers["boundary"]
    layers["boundary"] = b.set_geometry(b.geometry.translate(100_000.0, 0.0))
    folder = write_layers(layers, tmp_path / "est", "GeoJSON")
    x0, y0 = ORIGIN
    zone = gpd.GeoDataFrame(geometry=[box(x0 + 500, y0, x0 + 900, y0 + 100)], crs=32749)
    zone.to_file(tmp_path / "zone.geojson", engine="fiona")
    out = tmp_path / "out.gpkg"
    for argv in (["validate", str(folder)],
                 ["place", str(folder), "--rules", str(rules_file), "--out", str(out)],
                 ["check", str(folder), "--rules", str(rules_file),
                  "--zone", str(tmp_path / "zone.geojson")]):  # fmt: skip
        code, _, err = _run(argv, capsys)
        assert code == 2
        line = _one_line(err, "boundary.geojson (stored in EPSG:32749) lies 99.0 km from",
                         "parcels.geojson (stored in EPSG:32749)")  # fmt: skip
        assert "zone.geojson" not in line
    assert not out.exists()
