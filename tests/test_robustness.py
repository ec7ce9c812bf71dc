"""Bad input, interrupted writes and untouched inputs (issue 7).

Every bad input gets exit code 2 (or 1 where SPEC §4 says the answer is "no"), one line
on stderr naming the file/layer/feature, no traceback, and no output file created.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from conftest import grid_layers, write_layers
from shapely import LineString, Point, Polygon, box

from kitland.cli import main
from kitland.io import atomic_path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str, *needles: str) -> None:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def _digest(path: Path) -> str:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    h = hashlib.sha256()
    for f in files:
        if f.is_file():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


# -- unreadable or unusable estate files: exit 2 ------------------------------------


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    est = tmp_path / "estate.gpkg"
    est.write_bytes(b"")
    out = tmp_path / "report.txt"
    code, _, err = _run(["validate", str(est), "-o", str(out)], capsys)
    assert code == 2
    _one_line_error(err, str(est), "empty")
    assert not out.exists()


def test_not_a_vector_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    est = tmp_path / "estate.gpkg"
    est.write_text("this is a meeting agenda, not a GeoPackage\n")
    code, _, err = _run(["check", str(est), "--zone", str(est)], capsys)
    assert code == 2
    _one_line_error(err, str(est))


def test_geopackage_without_parcels_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layers = grid_layers(["IA"])
    del layers["parcels"]
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _, err = _run(["check", str(est)], capsys)
    assert code == 2
    _one_line_error(err, "parcels", "missing")
    # validate reports it as a data error (the answer is "no"), not a crash
    code, out, _ = _run(["validate", str(est)], capsys)
    assert code == 1
    assert "parcels" in out


def test_missing_required_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"] = layers["parcels"].drop(columns="land_use")
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _, err = _run(["check", str(est)], capsys)
    assert code == 2
    _one_line_error(err, "parcels", "land_use")


def test_no_crs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = grid_layers(["IA"])
    folder = write_layers(layers, tmp_path / "shp", driver="ESRI Shapefile")
    for prj in folder.glob("*.prj"):
        prj.unlink()
    code, _, err = _run(["validate", str(folder)], capsys)
    assert code == 2
    _one_line_error(err, "no CRS", "EPSG")


def test_crs_contradicting_coordinates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # UTM metres labelled as WGS 84 degrees
    layers = {k: v.set_crs(4326, allow_override=True) for k, v in grid_layers(["IA"]).items()}
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _, err = _run(["validate", str(est)], capsys)
    assert code == 2
    _one_line_error(err, "not degrees")


def test_degrees_labelled_as_metres(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layers = {
        k: v.to_crs(4326).set_crs(32749, allow_override=True)
        for k, v in grid_layers(["IA"]).items()
    }
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _, err = _run(["validate", str(est)], capsys)
    assert code == 2
    _one_line_error(err, "look like degrees")


def test_lat_lon_swapped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shapely  # noqa: PLC0415

    layers = {}
    for k, v in grid_layers(["IA"]).items():
        g = v.to_crs(4326)
        g["geometry"] = shapely.transform(g.geometry.to_numpy(), lambda c: c[:, ::-1])
        layers[k] = g
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _, err = _run(["validate", str(est)], capsys)
    assert code == 2
    _one_line_error(err, "swapped")


# -- data errors found: exit 1 with findings ------------------------------------------


def _validate_finds(
    layers: dict[str, gpd.GeoDataFrame], tmp_path: Path, capsys, *needles: str
) -> str:
    est = write_layers(layers, tmp_path / "estate.gpkg")
    before = _digest(est)
    code, out, err = _run(["validate", str(est)], capsys)
    assert code == 1, (out, err)
    assert "Traceback" not in err
    for n in needles:
        assert n in out, (n, out)
    assert _digest(est) == before
    return out


def test_points_where_polygons_belong(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    p = layers["parcels"]
    layers["parcels"] = gpd.GeoDataFrame(
        {"parcel_id": ["pt"], "land_use": ["industrial"]},
        geometry=[Point(p.total_bounds[:2])],
        crs=p.crs,
    )
    _validate_finds(layers, tmp_path, capsys, "pt")


def test_null_geometry(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"].loc[1, "geometry"] = None
    _validate_finds(layers, tmp_path, capsys, "P0_1")


def test_bow_tie_and_self_touching(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    x0, y0 = layers["parcels"].total_bounds[:2]
    bow = Polygon([(x0, y0), (x0 + 100, y0 + 100), (x0 + 100, y0), (x0, y0 + 100)])
    touch = Polygon(
        [(x0 + 100, y0), (x0 + 200, y0), (x0 + 200, y0 + 100), (x0 + 150, y0), (x0 + 100, y0 + 100)]
    )
    layers["parcels"]["geometry"] = [bow, touch]
    out = _validate_finds(layers, tmp_path, capsys, "P0_0")
    assert "elf-intersection" in out or "Ring Self" in out


def test_duplicate_ids(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"]["parcel_id"] = ["same", "same"]
    _validate_finds(layers, tmp_path, capsys, "same")


def test_unknown_land_use(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"]["land_use"] = ["industrail", "available"]
    _validate_finds(layers, tmp_path, capsys, "industrail", "industrial")


def test_ten_megabyte_attribute(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"]["tenant"] = ["x" * 10_000_000, "PT Kecil"]
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, out, err = _run(["validate", str(est)], capsys)
    assert code == 0, err
    assert len(out) < 100_000  # the huge value is not echoed


@pytest.mark.parametrize("width", [np.nan, -5.0])
def test_road_width_nan_or_negative(tmp_path: Path, capsys, width: float) -> None:
    layers = grid_layers(
        ["IA"],
        roads=[
            (
                LineString([(0, -10), (200, -10)]),
                {"road_id": "r9", "road_class": "local", "width_m": width},
            )
        ],
    )
    est = write_layers(layers, tmp_path / "estate.gpkg")
    code, _out, err = _run(["validate", str(est)], capsys)
    if np.isnan(width):  # missing width: the class default applies (SPEC §1)
        assert code == 0, err
    else:
        assert code == 2
        _one_line_error(err, "r9", "width_m")


# -- zone files ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 2])
def test_zone_file_with_zero_or_two_polygons(tmp_path: Path, capsys, n: int) -> None:
    layers = grid_layers(["IA"])
    est = write_layers(layers, tmp_path / "estate.gpkg")
    x0, y0 = layers["parcels"].total_bounds[:2]
    zone = gpd.GeoDataFrame(
        {"name": [f"z{i}" for i in range(n)]},
        geometry=[box(x0 + 100 + i, y0, x0 + 150 + i, y0 + 50) for i in range(n)],
        crs=32749,
    )
    zf = tmp_path / "zone.geojson"
    if n:
        zone.to_file(zf, driver="GeoJSON", engine="fiona")
    else:
        zf.write_text('{"type": "FeatureCollection", "features": []}')
    code, _, err = _run(["check", str(est), "--zone", str(zf)], capsys)
    assert code == 2
    _one_line_error(err, str(zf), f"{n} zone")


# -- outputs are atomic --------------------------------------------------------------


def test_interrupted_write_leaves_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    script = textwrap.dedent(
        f"""
        import sys, time
        from kitland.io import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            with open(tmp, "w") as f:
                f.write("half of a new rep")
                f.flush()
                print("writing", flush=True)
                time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert target.read_text() == "previous report\n"


def test_failed_write_removes_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    with pytest.raises(RuntimeError, match="boom"), atomic_path(target) as tmp:
        tmp.write_text("<html>")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_into_missing_folder_is_exit_2(tmp_path: Path, capsys) -> None:
    est = write_layers(grid_layers(["IA"]), tmp_path / "estate.gpkg")
    out = tmp_path / "no" / "such" / "report.txt"
    code, _, err = _run(["validate", str(est), "-o", str(out)], capsys)
    assert code == 2
    _one_line_error(err, "does not exist")
    assert not (tmp_path / "no").exists()  # nothing created on the way


# -- rules files ---------------------------------------------------------------------

_RULE_ERRORS = [
    ('[zone]\narea_ha = 20\n[[rules]\nkind = "contiguous"\n', "not valid TOML"),
    ('[[rules]]\nkind = "contigous"\n', "did you mean 'contiguous'"),
    (
        '[[rules]]\nkind = "setback"\nfrom = { layer = "water", kind = ["river"] }\nmin_m = "fifty"\n',
        "setback#1, key 'min_m'",
    ),
    (
        '[[rules]]\nname = "river"\nkind = "setback"\nfrom = { layer = "water", kind = ["river"] }\nmin_m = -50\n',
        "rule river, key 'min_m'",
    ),
]


@pytest.mark.parametrize(("text", "needle"), _RULE_ERRORS)
def test_bad_rules_file(tmp_path: Path, capsys, text: str, needle: str) -> None:
    est = write_layers(grid_layers(["IA"]), tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.toml"
    rules.write_text(text)
    out, rep = tmp_path / "out.gpkg", tmp_path / "report.json"
    code, _, err = _run(
        ["place", str(est), "--rules", str(rules), "--out", str(out), "--report", str(rep)], capsys
    )
    assert code == 2
    _one_line_error(err, str(rules), needle)
    assert not out.exists() and not rep.exists()


def test_area_larger_than_all_available_land(tmp_path: Path, capsys) -> None:
    est = write_layers(grid_layers(["IAA", "IAA"]), tmp_path / "estate.gpkg")  # 4 ha available
    rules = tmp_path / "rules.toml"
    rules.write_text('[zone]\narea_ha = 20\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n')
    out = tmp_path / "out.gpkg"
    before = _digest(est)
    code, stdout, err = _run(
        ["place", str(est), "--rules", str(rules), "--out", str(out), "--cell-m", "50"], capsys
    )
    assert code == 1, err
    assert "Traceback" not in err
    assert "area" in stdout  # the diagnosis names the area rule
    assert not out.exists()
    assert _digest(est) == before


def test_zone_geojson_with_projected_coordinates(tmp_path: Path, capsys) -> None:
    layers = grid_layers(["IA"])
    est = write_layers(layers, tmp_path / "estate.gpkg")
    x0, y0 = layers["parcels"].total_bounds[:2]
    zf = tmp_path / "zone.geojson"  # UTM metres written without a CRS: GeoJSON means lon/lat
    ring = [[x0 + 100, y0], [x0 + 200, y0], [x0 + 200, y0 + 100], [x0 + 100, y0]]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    zf.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    code, _, err = _run(["check", str(est), "--zone", str(zf)], capsys)
    assert code == 2
    _one_line_error(err, str(zf), "are not degrees")


def test_check_with_nothing_to_check(tmp_path: Path, capsys) -> None:
    est = write_layers(grid_layers(["IA"]), tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nkind = "contiguous"\n')
    code, out, err = _run(["check", str(est), "--rules", str(rules)], capsys)
    assert code == 2
    assert out == ""
    _one_line_error(err, "nothing to check", "--zone")
