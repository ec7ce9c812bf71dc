"""``kitland validate`` in-process through ``main(argv)``: exit codes, outputs, ``--fix``.

Exit codes (SPEC §4): 0 no data errors, 1 data errors found, 2 bad input (one line on
stderr, no traceback).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import fiona
import geopandas as gpd
import pytest
import shapely
from conftest import ORIGIN, grid_layers, write_layers
from shapely import Polygon

from kitland import load_estate
from kitland.cli import main

X0, Y0 = ORIGIN


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def checksums(path: Path) -> dict[str, str]:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return {str(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


@pytest.fixture
def clean() -> dict[str, gpd.GeoDataFrame]:
    return grid_layers(["IIAA", "IIAA", "GGAA"])


def spiked(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """P0_0 (top-left cell) drawn with a spike: invalid, and make_valid restores the cell."""
    x, y = X0, Y0 + 200
    ring = [
        (x, y),
        (x + 100, y),
        (x + 100, y + 100),
        (x + 100, y + 150),
        (x + 100, y + 100),
        (x, y + 100),
    ]
    layers["parcels"].loc[0, "geometry"] = Polygon(ring)
    return layers


# -- exit codes -------------------------------------------------------------------


@pytest.mark.parametrize("driver", ["GPKG", "GeoJSON"])
def test_clean_estate_exits_0_and_prints_the_budget(clean, tmp_path, capsys, driver) -> None:
    target = tmp_path / ("e.gpkg" if driver == "GPKG" else "folder")
    code, out, err = run(["validate", str(write_layers(clean, target, driver))], capsys)
    assert code == 0, err
    assert "no data problems found" not in out  # norm warnings are listed
    assert "land budget" in out
    assert "industrial     4.00  33.3%" in out  # 4 of 12 cells of 1 ha
    assert out.rstrip().splitlines()[-1].startswith("OK: 0 errors")


def test_data_errors_exit_1(clean, tmp_path, capsys) -> None:
    clean["parcels"].loc[0, "land_use"] = "industri"
    code, out, _ = run(["validate", str(write_layers(clean, tmp_path / "e.gpkg"))], capsys)
    assert code == 1
    assert "ERROR   unknown-land-use" in out
    assert "did you mean 'industrial'?" in out


def test_norm_warnings_alone_exit_0(tmp_path, capsys) -> None:
    layers = grid_layers(["IIIIIIIIIA"])  # 90 % industrial, no green, roads or facilities
    code, out, _ = run(["validate", str(write_layers(layers, tmp_path / "e.gpkg"))], capsys)
    assert code == 0
    assert "WARNING norm-industrial" in out
    assert "✗  industrial plots       90.0%  ≤ 70%" in out


def test_json_report_to_a_file(clean, tmp_path, capsys) -> None:
    est = write_layers(spiked(clean), tmp_path / "e.gpkg")
    out_file = tmp_path / "report.json"
    code, out, _ = run(["validate", str(est), "--format", "json", "-o", str(out_file)], capsys)
    assert code == 1
    assert out == ""
    d = json.loads(out_file.read_text(encoding="utf-8"))
    assert d["passed"] is False
    assert [f["code"] for f in d["findings"] if f["severity"] == "error"] == ["invalid-geometry"]
    assert d["findings"][0]["feature"] == "P0_0"
    assert d["area_ha"] == 12.0


# -- bad input: exit 2 ------------------------------------------------------------


def test_shapefile_without_prj(clean, tmp_path, capsys) -> None:
    folder = write_layers(clean, tmp_path / "shp", "ESRI Shapefile")
    (folder / "parcels.prj").unlink()
    code, _, err = run(["validate", str(folder)], capsys)
    assert code == 2
    one_line(err, "parcels.shp", "has no CRS", "add a .prj", "--assume-crs EPSG:")
    code, out, err = run(["validate", str(folder), "--assume-crs", "EPSG:32749"], capsys)
    assert code == 0, err
    assert "OK: 0 errors" in out


def test_degrees_labelled_as_metres(clean, tmp_path, capsys) -> None:
    wrong = {k: v.to_crs(4326).set_crs(32749, allow_override=True) for k, v in clean.items()}
    code, _, err = run(["validate", str(write_layers(wrong, tmp_path / "e.gpkg"))], capsys)
    assert code == 2
    one_line(err, "e.gpkg", "look like degrees", "EPSG:32749", "declare EPSG:4326")


def test_swapped_lat_lon(clean, tmp_path, capsys) -> None:
    swapped = {
        k: v.to_crs(4326).set_geometry(
            shapely.transform(v.to_crs(4326).geometry.to_numpy(), lambda c: c[:, ::-1])
        )
        for k, v in clean.items()
    }
    code, _, err = run(["validate", str(write_layers(swapped, tmp_path / "e.gpkg"))], capsys)
    assert code == 2
    one_line(err, "e.gpkg", "look swapped")


def test_unreadable_and_empty_files(tmp_path, capsys) -> None:
    garbage = tmp_path / "notes.gpkg"
    garbage.write_text("this is not a GeoPackage\n")
    code, _, err = run(["validate", str(garbage)], capsys)
    assert code == 2
    one_line(err, "notes.gpkg", "not a vector file")
    empty = tmp_path / "empty.gpkg"
    empty.write_bytes(b"")
    code, _, err = run(["validate", str(empty)], capsys)
    assert code == 2
    one_line(err, "empty.gpkg", "the file is empty")
    code, _, err = run(["validate", str(tmp_path / "nowhere.gpkg")], capsys)
    assert code == 2
    one_line(err, "nowhere.gpkg", "no such file")


# -- --fix ------------------------------------------------------------------------


@pytest.mark.parametrize("driver", ["GPKG", "ESRI Shapefile"])
def test_fix_leaves_input_byte_identical_and_output_validates_clean(
    clean, tmp_path, capsys, driver
) -> None:
    target = tmp_path / ("in.gpkg" if driver == "GPKG" else "in_shp")
    est = write_layers(spiked(clean), target, driver)
    before = checksums(est)
    fixed = tmp_path / "fixed.gpkg"
    code, out, err = run(["validate", str(est), "--fix", str(fixed)], capsys)
    assert code == 1  # the input has an error
    assert "invalid-geometry" in out
    assert f"repaired estate written to {fixed}" in err
    assert checksums(est) == before
    assert sorted(fiona.listlayers(fixed)) == ["boundary", "layer_styles", "parcels"]
    code, out, err = run(["validate", str(fixed)], capsys)
    assert code == 0, out + err
    assert "ERROR" not in out
    repaired = load_estate(fixed)
    assert repaired.crs.to_epsg() == 32749
    assert float(repaired.parcels.area.sum()) == pytest.approx(120_000.0)  # 12 cells of 1 ha
    assert list(tmp_path.glob(".fixed.gpkg.*")) == []  # no temporary file left


def test_fix_drops_exact_duplicates_and_keeps_other_repeated_ids(clean, tmp_path, capsys) -> None:
    """P0_0 twice, exactly (same id, attributes and coordinates), and P1_1's id given to a
    different parcel: --fix drops the exact copy and says so (one feature), and the
    repaired estate still holds the other repeated id as an error, each parcel once."""
    layers = dict(clean)
    p = layers["parcels"]
    other = p[p["parcel_id"] == "P2_0"].assign(parcel_id="P1_1")
    layers["parcels"] = gpd.GeoDataFrame(
        gpd.pd.concat([p, p[p["parcel_id"] == "P0_0"], other], ignore_index=True), crs=p.crs
    )
    est = write_layers(layers, tmp_path / "in.gpkg")
    before = checksums(est)
    fixed = tmp_path / "fixed.gpkg"
    code, out, err = run(["validate", str(est), "--fix", str(fixed), "--format", "json"], capsys)
    assert code == 1
    dup = {f["feature"] for f in json.loads(out)["findings"] if f["code"] == "duplicate-id"}
    assert dup == {"P0_0", "P1_1"}
    assert "in.gpkg layer 'parcels': 1 exact duplicate feature dropped (P0_0)" in err
    assert checksums(est) == before
    repaired = load_estate(fixed)
    assert len(repaired.parcels) == len(p) + 1  # the twelve cells and the renamed copy
    assert repaired.parcels["parcel_id"].value_counts().to_dict()["P0_0"] == 1
    code, out, _ = run(["validate", str(fixed), "--format", "json"], capsys)
    dup = {f["feature"] for f in json.loads(out)["findings"] if f["code"] == "duplicate-id"}
    assert code == 1 and dup == {"P1_1"}
    code, _, err = run(["validate", str(est), "--fix", str(tmp_path / "f2.gpkg"), "--lang", "id"],
                       capsys)  # fmt: skip
    assert "in.gpkg layer 'parcels': 1 fitur duplikat persis dibuang (P0_0)" in err


def test_fix_refuses_to_overwrite_its_input(clean, tmp_path, capsys) -> None:
    est = write_layers(spiked(clean), tmp_path / "in.gpkg")
    before = checksums(est)
    code, _, err = run(["validate", str(est), "--fix", str(est)], capsys)
    assert code == 2
    assert f"{est}: is one of this command's inputs" in err  # refused before validating
    assert checksums(est) == before


def test_missing_parcels_layer_is_the_one_finding_with_a_hint(tmp_path, capsys) -> None:
    """A folder without ``parcels``: one error, no gaps invented over the whole boundary;
    ``parcel.geojson`` beside it is named in the same line."""
    layers = grid_layers(["IAA", "AAI"])
    folder = tmp_path / "est"
    folder.mkdir()
    layers["boundary"].to_file(folder / "boundary.geojson", driver="GeoJSON", engine="fiona")
    code, out, _ = run(["validate", str(folder), "--format", "json"], capsys)
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["layer"]) for f in findings] == [("missing-layer", "parcels")]
    assert "is not read" not in findings[0]["message"]
    layers["parcels"].to_file(folder / "parcel.geojson", driver="GeoJSON", engine="fiona")
    code, out, _ = run(["validate", str(folder), "--format", "json"], capsys)
    findings = json.loads(out)["findings"]
    assert [(f["code"], f["layer"]) for f in findings] == [("missing-layer", "parcels")]
    assert f"{folder / 'parcel.geojson'} is not read as it: rename it to parcels" in findings[0]["message"]


def test_columns_named_in_another_language_list_only_the_files_columns(
    clean, tmp_path, capsys
) -> None:
    """A Shapefile whose parcels say id_persil and guna_lahan: each missing column is an
    error listing the columns the file has; the second listed parcel_id, which the file
    lacks (trial 4)."""
    layers = dict(clean)
    layers["parcels"] = clean["parcels"].rename(
        columns={"parcel_id": "id_persil", "land_use": "guna_lahan"}
    )
    folder = write_layers(layers, tmp_path / "estate", driver="ESRI Shapefile")
    code, out, _ = run(["validate", str(folder), "--format", "json"], capsys)
    assert code == 1
    missing = [f["message"] for f in json.loads(out)["findings"] if f["code"] == "missing-column"]
    source = folder / "parcels.shp"
    assert missing == [
        f"{source}: missing required column {col!r} (has id_persil, guna_lahan, geometry); "
        f"if {word!r} holds it, rename that column to {col} (README, \"Data in other words\")"
        for col, word in (("parcel_id", "id_persil"), ("land_use", "guna_lahan"))
    ]


def test_the_text_names_the_estate_by_its_boundary_and_the_json_keeps_the_file_name(
    clean: dict[str, gpd.GeoDataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean["boundary"]["name"] = ["  Kawasan Industri Kendal <Tahap 1> "]
    path = write_layers(clean, tmp_path / "kendal_user.gpkg")
    code, out, _ = run(["validate", str(path), "--format", "json"], capsys)
    assert code == 0
    got = json.loads(out)
    assert (got["estate"], got["title"]) == ("kendal_user", "Kawasan Industri Kendal <Tahap 1>")
    code, out, _ = run(["validate", str(path)], capsys)
    assert out.splitlines()[0].startswith("Kawasan Industri Kendal <Tahap 1> — ")
    clean["boundary"] = clean["boundary"].drop(columns="name")
    path = write_layers(clean, tmp_path / "unnamed.gpkg")
    code, out, _ = run(["validate", str(path)], capsys)
    assert out.splitlines()[0].startswith("unnamed — ")
