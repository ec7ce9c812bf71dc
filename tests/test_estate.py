"""load_estate on real files: defaults, the working CRS and CRS round trips; the bundled estate.

Areas are compared with the hand-computed areas of the grid (100 m cells: 10,000 m²).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from conftest import ORIGIN, grid_layers, road_front_layers, road_front_rules, write_layers
from shapely import LineString, box

from kitland import CRSError, load_estate
from kitland.cli import main
from kitland.estate import bundled_path
from kitland.validation import validate

DRIVERS = ["GPKG", "GeoJSON", "ESRI Shapefile"]
CELL_M2 = 100.0 * 100.0


def _target(tmp_path: Path, driver: str) -> Path:
    return tmp_path / ("e.gpkg" if driver == "GPKG" else f"e_{driver.split()[0].lower()}")


# -- defaults ---------------------------------------------------------------------


def test_road_widths_default_by_class(tmp_path: Path) -> None:
    line = LineString([(0, -10), (400, -10)])
    roads = [
        (line, {"road_id": f"r{k}", "road_class": k})
        for k in ("toll", "arterial", "collector", "local")
    ]
    est = load_estate(write_layers(grid_layers(["IIAA"], roads=roads), tmp_path / "e.gpkg"))
    assert dict(zip(est.roads["road_id"], est.roads["width_m"], strict=True)) == {
        "rtoll": 40.0, "rarterial": 30.0, "rcollector": 20.0, "rlocal": 12.0,
    }  # fmt: skip
    # corridor of the local road: 400 m × 12 m with flat caps
    assert est.road_corridors.area.iloc[3] == pytest.approx(400 * 12)


@pytest.mark.parametrize("driver", DRIVERS)
def test_given_widths_are_kept_and_missing_ones_defaulted(tmp_path: Path, driver: str) -> None:
    line = LineString([(0, -10), (400, -10)])
    roads = [
        (line, {"road_id": "a", "road_class": "collector", "width_m": 25.0}),
        (line, {"road_id": "b", "road_class": "collector", "width_m": None}),
    ]
    est = load_estate(
        write_layers(grid_layers(["IIAA"], roads=roads), _target(tmp_path, driver), driver)
    )
    assert est.roads["width_m"].tolist() == [25.0, 20.0]


@pytest.mark.parametrize("driver", DRIVERS)
def test_parcel_ids_are_text(tmp_path: Path, driver: str) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"]["parcel_id"] = [17, 18]  # an integer column in the file
    est = load_estate(write_layers(layers, _target(tmp_path, driver), driver))
    assert est.parcels["parcel_id"].tolist() == ["17", "18"]
    assert len(est.select("parcels", parcel_id=[17])) == 1


def test_column_names_ignore_case_and_optional_columns_exist(tmp_path: Path) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"] = layers["parcels"].rename(
        columns={"parcel_id": "PARCEL_ID", "land_use": "Land_Use"}
    )
    est = load_estate(write_layers(layers, tmp_path / "e.gpkg"))
    assert {"parcel_id", "land_use", "tenant", "phase", "status"} <= set(est.parcels.columns)
    assert est.parcels["land_use"].tolist() == ["industrial", "available"]


# -- the working CRS and CRS round trips --------------------------------------------


def _batang_origin() -> tuple[float, float]:
    """UTM 49S coordinates of a point in KIT Batang (lon 109.95, lat -6.93)."""
    x, y = pyproj.Transformer.from_crs(4326, 32749, always_xy=True).transform(109.95, -6.93)
    return (float(x), float(y))


def _stored(tmp_path: Path, epsg: int, driver: str) -> Path:
    layers = grid_layers(["IIAA", "IIAA", "GGAA"], origin=_batang_origin())
    layers = {k: v.to_crs(epsg) for k, v in layers.items()}
    tmp_path.mkdir(parents=True, exist_ok=True)
    return write_layers(layers, _target(tmp_path, driver), driver)


def _scale_ratio(epsg: int) -> float:
    """Areal scale of ``epsg`` over that of UTM 49S at the grid, from pyproj's factors."""
    lon, lat = 109.95 + 0.002, -6.93 + 0.0014  # the grid's centre, near enough
    return (
        pyproj.Proj(epsg).get_factors(lon, lat).areal_scale
        / pyproj.Proj(32749).get_factors(lon, lat).areal_scale
    )


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("stored", [4326, 32749, 23835])
def test_working_crs_and_areas(tmp_path: Path, driver: str, stored: int) -> None:
    est = load_estate(_stored(tmp_path, stored, driver))
    assert est.crs.to_epsg() == 32749  # measured in the data's UTM zone whatever it is stored in
    assert set(est.source_crs.values()) == {f"EPSG:{stored}"}
    np.testing.assert_allclose(est.parcels.area.to_numpy(), CELL_M2, rtol=1e-4)
    assert est.area_ha == pytest.approx(12 * CELL_M2 / 10_000, rel=1e-4)
    assert validate(est).errors == ()


def test_same_areas_in_every_storage_crs(tmp_path: Path) -> None:
    areas = [
        load_estate(_stored(tmp_path / str(epsg), epsg, "GPKG")).parcels.area.to_numpy()
        for epsg in (4326, 32749, 23835)
    ]
    for a in areas:
        np.testing.assert_allclose(a, CELL_M2, rtol=1e-4)  # within 0.01 %


def test_input_crs_kept_on_request(tmp_path: Path) -> None:
    # crs="input" keeps the land office's TM-3 grid; its planar areas then carry the
    # projection's scale change relative to UTM (0.033 % at KIT Batang).
    est = load_estate(_stored(tmp_path, 23835, "GPKG"), crs="input")
    assert est.crs.to_epsg() == 23835
    np.testing.assert_allclose(
        est.parcels.area.to_numpy(), CELL_M2 * _scale_ratio(23835), rtol=1e-4
    )
    # degrees cannot be kept: they still go to UTM
    assert load_estate(_stored(tmp_path / "g", 4326, "GPKG"), crs="input").crs.to_epsg() == 32749


def test_assume_crs_for_a_shapefile_without_prj(tmp_path: Path) -> None:
    folder = _stored(tmp_path, 23835, "ESRI Shapefile")
    for prj in folder.glob("*.prj"):
        prj.unlink()
    with pytest.raises(CRSError, match=r"boundary\.shp has no CRS; declare one"):
        load_estate(folder)
    est = load_estate(folder, assume_crs="EPSG:23835")
    assert est.crs.to_epsg() == 32749
    assert est.source_crs["parcels"] == "EPSG:23835"
    np.testing.assert_allclose(est.parcels.area.to_numpy(), CELL_M2, rtol=1e-4)


# -- the bundled estate -----------------------------------------------------------


def _bundled_exists() -> bool:
    try:
        bundled_path("kit_batang.gpkg")
    except Exception:
        return False
    return True


@pytest.mark.skipif(not _bundled_exists(), reason="parcels/kit_batang.gpkg is not built yet")
def test_bundled_estate_validates_clean_within_the_norms() -> None:
    report = validate(load_estate())
    assert report.errors == (), "\n".join(map(str, report.errors))
    assert report.norms_met, report.to_text()
    assert 4_000 < report.area_ha < 4_700
    assert report.crs == "EPSG:32749"


def test_bundled_estate_is_read_by_gdal_directly() -> None:
    if not _bundled_exists():
        pytest.skip("parcels/kit_batang.gpkg is not built yet")
    parcels = gpd.read_file(bundled_path("kit_batang.gpkg"), layer="parcels", engine="fiona")
    assert parcels["parcel_id"].is_unique


# -- heights ----------------------------------------------------------------------


def test_a_surveyed_estate_with_heights_places_and_checks_as_its_plane_self(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Layers whose every vertex carries a height (Z = 14 m, as a survey exports them) are
    measured in the plane: ``place`` proves the same zone as on the same estate without
    heights (it stopped with an internal error, exit 70), and ``check`` of a zone drawn
    with heights measures the hand-computed 4 ha of a 200 m square."""
    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"])
    high = {name: g.set_geometry(shapely.force_3d(g.geometry.to_numpy(), 14.0), crs=g.crs)
            for name, g in layers.items()}  # fmt: skip
    assert all(g.has_z.all() for g in high.values())
    rules = tmp_path / "rules.toml"
    rules.write_text(road_front_rules(named=False))
    reports = []
    for name, lay in (("plane", layers), ("high", high)):
        estate = write_layers(lay, tmp_path / f"{name}.gpkg")
        out = tmp_path / f"{name}.json"
        argv = ["place", str(estate), "--rules", str(rules), "--cell-m", "50", "--report", str(out)]
        assert main(argv) == 0, capsys.readouterr().err
        reports.append(json.loads(out.read_text()))
    plane, high_rep = reports
    assert high_rep["solver"]["status"] == plane["solver"]["status"] == "OPTIMAL"
    assert high_rep["zone"] == plane["zone"]
    x0, y0 = ORIGIN
    drawn = gpd.GeoDataFrame(
        geometry=[shapely.force_3d(box(x0 + 100, y0 + 100, x0 + 300, y0 + 300), 14.0)], crs=32749
    )
    drawn.to_file(tmp_path / "drawn.geojson", engine="fiona")
    assert shapely.has_z(gpd.read_file(tmp_path / "drawn.geojson").geometry.iloc[0])
    checked = tmp_path / "checked.json"
    argv = ["check", str(tmp_path / "high.gpkg"), "--rules", str(rules),
            "--zone", str(tmp_path / "drawn.geojson"), "--format", "json", "-o", str(checked)]  # fmt: skip
    assert main(argv) in (0, 1), capsys.readouterr().err
    assert json.loads(checked.read_text())["zone"]["area_ha"] == pytest.approx(4.0)


def test_repr_names_the_estate_by_its_boundary_name_else_its_file(tmp_path: Path) -> None:
    layers = grid_layers(["AA", "AA"])
    layers["boundary"] = layers["boundary"].drop(columns="name", errors="ignore")
    unnamed = load_estate(write_layers(layers, tmp_path / "wijaya.gpkg"))
    assert repr(unnamed).startswith("<Estate 'wijaya' ")
    layers["boundary"]["name"] = "KI <Wijayakusuma>"
    named = load_estate(write_layers(layers, tmp_path / "named.gpkg"))
    assert repr(named).startswith("<Estate 'KI <Wijayakusuma>' ")
    assert "<b>Estate KI &lt;Wijayakusuma&gt;</b>" in named._repr_html_()
