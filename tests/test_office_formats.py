"""Layers as an estate office hands them over (trial 12, Patimban): gates as a CSV of
longitude/latitude columns, parcels in web mercator, a layer file holding several layers,
a GPX file of waypoints. Each file is written with GDAL (fiona) or as plain text."""

from __future__ import annotations

import re

import fiona
import geopandas as gpd
import pyproj
import pytest
from conftest import write_layers
from shapely import Point

from kitland import CRSError, DataError, load_estate
from kitland.cli import main
from kitland.io import read_layers


@pytest.fixture
def layers(small_layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    return small_layers


def _gates_csv(layers: dict[str, gpd.GeoDataFrame], folder, lon: str, lat: str) -> None:
    """The gates as a spreadsheet writes them: attributes, then two columns of degrees."""
    (folder / "gates.geojson").unlink()
    ll = layers["gates"].to_crs(4326)
    rows = [f"gate_id,kind,{lon},{lat}"]
    rows += [f"{g},{k},{p.x:.9f},{p.y:.9f}" for g, k, p in zip(ll.gate_id, ll.kind, ll.geometry, strict=True)]
    (folder / "gates.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("lon", "lat"), [("lon", "lat"), ("Longitude", "Latitude"),
                                          ("bujur", "lintang")])  # fmt: skip
def test_a_csv_of_lon_lat_columns_is_read_as_points(layers, tmp_path, lon, lat) -> None:
    """GDAL's CSV reader makes points only of a WKT column unless told the coordinate
    columns: a CSV of gates with lon/lat columns was "no geometry column". Now it is
    points; without a CRS the line says the coordinates look like degrees, and a .prj of
    EPSG:4326 beside it puts the gate back where it was, to the millimetre."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    _gates_csv(layers, folder, lon, lat)
    with pytest.raises(CRSError, match=re.escape(
        f"{folder / 'gates.csv'} has no CRS, and its coordinates look like longitude/latitude")):  # fmt: skip
        read_layers(folder)
    (folder / "gates.prj").write_text(pyproj.CRS(4326).to_wkt("WKT1_ESRI"), encoding="ascii")
    gates = load_estate(folder).gates
    assert list(gates.columns) == ["gate_id", "kind", "geometry", "name"]  # no lon/lat kept
    assert gates.geometry.iloc[0].distance(layers["gates"].geometry.iloc[0]) < 1e-3


def test_a_csv_of_lon_lat_without_crs_is_one_line_exit_2(layers, tmp_path, capsys) -> None:
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    _gates_csv(layers, folder, "lon", "lat")
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert "gates.csv has no CRS" in err and "--assume-crs EPSG:4326" in err


def _stretch_pct(layers: dict[str, gpd.GeoDataFrame]) -> float:
    """How much larger the parcels are in web mercator than on an equal-area projection
    centred on them (Lambert azimuthal equal-area), per cent."""
    p = layers["parcels"].to_crs(4326)
    c = p.union_all().centroid
    laea = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={c.y} +lon_0={c.x} +ellps=WGS84")
    return (p.to_crs(3857).area.sum() / p.to_crs(laea).area.sum() - 1) * 100


def test_web_mercator_is_never_the_measuring_crs(layers, tmp_path) -> None:
    """Parcels stored in EPSG:3857 (a web map's export): ``crs="input"`` kept them in it,
    as a "metric" CRS, and every area came out 2.2 % large at KIT Batang's latitude (a 20
    ha zone was 19.6 ha of land). They are measured in UTM now, as lon/lat input is; asked
    for by name, web mercator is refused with the stretch, which agrees with the area
    ratio against an equal-area projection."""
    gpkg = write_layers({k: v.to_crs(3857) for k, v in layers.items()}, tmp_path / "e.gpkg")
    est = load_estate(gpkg, crs="input")
    assert est.crs.to_epsg() == 32749
    assert est.parcels.area.sum() == pytest.approx(120_000.0, rel=1e-6)  # 12 cells of 1 ha
    pct = _stretch_pct(layers)
    assert 2.1 < pct < 2.2
    with pytest.raises(CRSError, match=r"crs=EPSG:3857 \(WGS 84 / Pseudo-Mercator\) stretches "
                                       r"areas by (\d\.\d\d)% at the estate") as err:  # fmt: skip
        load_estate(gpkg, crs="EPSG:3857")
    got = float(re.search(r"by (\d\.\d\d)%", str(err.value)).group(1))  # type: ignore[union-attr]
    assert got == pytest.approx(pct, abs=0.02)
    # a TM-3 grid is still kept on request (0.03 % off UTM here)
    tm3 = write_layers({k: v.to_crs(23835) for k, v in layers.items()}, tmp_path / "t.gpkg")
    assert load_estate(tm3, crs="input").crs.to_epsg() == 23835


def _two_layer_parcels(layers, folder, names: tuple[str, str]) -> None:
    (folder / "parcels.geojson").unlink()
    new, old = names
    layers["parcels"].to_file(folder / "parcels.gpkg", layer=new, engine="fiona")
    layers["parcels"].iloc[:5].to_file(folder / "parcels.gpkg", layer=old, engine="fiona")


def test_a_layer_file_of_several_layers_is_not_read_by_its_first(layers, tmp_path, capsys) -> None:
    """An office's ``parcels.gpkg`` holding this year's parcels and an old version: GDAL
    reads the first layer, so which parcels were measured depended on the order the
    layers were saved in. Several layers with features and none named ``parcels`` is
    bad input naming them; one named ``parcels`` is read, whatever its place."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    _two_layer_parcels(layers, folder, ("persil_2019_lama", "persil_2025"))
    assert fiona.listlayers(folder / "parcels.gpkg")[0] == "persil_2019_lama"
    with pytest.raises(DataError, match=re.escape(
        f"{folder / 'parcels.gpkg'}: holds 2 layers with features ('persil_2019_lama', "
        "'persil_2025') and none is named 'parcels'")):  # fmt: skip
        read_layers(folder)
    assert main(["validate", str(folder)]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    folder2 = write_layers(layers, tmp_path / "g", "GeoJSON")
    _two_layer_parcels(layers, folder2, ("PARCELS", "persil_2019_lama"))
    parcels = read_layers(folder2)["parcels"]
    assert len(parcels) == len(layers["parcels"]) == 12
    assert parcels.attrs["source"] == f"{folder2 / 'parcels.gpkg'} layer 'PARCELS'"


def test_a_gpx_of_waypoints_is_read_by_its_only_full_layer(layers, tmp_path) -> None:
    """A GPX file has five layers (waypoints, routes, tracks and their points); a GPS's
    village centres are its waypoints, the only layer with features."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    pts = gpd.GeoDataFrame({"name": ["Desa Patimban", "Desa Kalentambo"]},
                           geometry=[Point(107.86, -6.27), Point(107.84, -6.28)], crs=4326)  # fmt: skip
    pts.to_file(folder / "settlements.gpx", driver="GPX", engine="fiona")
    assert len(fiona.listlayers(folder / "settlements.gpx")) == 5
    got = read_layers(folder)["settlements"]
    assert got["name"].tolist() == ["Desa Patimban", "Desa Kalentambo"]
    assert got.attrs["source"] == f"{folder / 'settlements.gpx'} layer 'waypoints'"


def test_osm_roads_are_named_with_the_column_and_class_they_may_mean(layers, tmp_path) -> None:
    """An OpenStreetMap export's roads: MultiLineStrings (a road of two OSM ways) with
    ``highway`` and ``lanes`` and no ``road_class``. validate names ``highway`` as the
    column that may hold the class, then each OSM value with the class it may mean; once
    renamed, the two ways make one corridor of the collector's 20 m along the 400 m edge."""
    from shapely import MultiLineString  # noqa: PLC0415

    from kitland import validate  # noqa: PLC0415

    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    x0, y0 = layers["roads"].geometry.iloc[0].coords[0]
    ways = MultiLineString([[(x0, y0), (x0 + 250, y0)], [(x0 + 250, y0), (x0 + 500, y0)]])
    osm = gpd.GeoDataFrame({"@id": ["way/1"], "highway": ["secondary"], "lanes": ["2"]},
                           geometry=[ways], crs=layers["roads"].crs).to_crs(4326)  # fmt: skip
    osm.to_file(folder / "roads.geojson", driver="GeoJSON", engine="fiona")
    texts = [f.text("en") for f in validate(load_estate(folder, strict=False)).findings]
    assert any("missing required column 'road_class'" in t and "if 'highway' holds it, rename "
               "that column to road_class" in t for t in texts), texts  # fmt: skip
    osm.rename(columns={"highway": "road_class"}).to_file(folder / "roads.geojson", engine="fiona")
    texts = [f.text("en") for f in validate(load_estate(folder, strict=False)).findings]
    assert any("unknown road_class 'secondary'; did you mean 'collector'?" in t for t in texts)
    osm.assign(road_class="collector").to_file(folder / "roads.geojson", engine="fiona")
    est = load_estate(folder)
    assert est.roads.geometry.iloc[0].length == pytest.approx(500.0, abs=0.01)
    assert est.road_corridors.union_all().area == pytest.approx(500.0 * 20.0, rel=1e-4)


def _kml(placemarks: list[tuple[str, list[list[tuple[float, float]]]]]) -> str:
    """Google Earth's KML: one placemark per (name, rings), the first ring the outer one."""

    def ring(coords: list[tuple[float, float]]) -> str:
        return " ".join(f"{x:.9f},{y:.9f},0" for x, y in coords)

    marks = []
    for name, rings in placemarks:
        inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{ring(r)}</coordinates>"
                        "</LinearRing></innerBoundaryIs>" for r in rings[1:])  # fmt: skip
        marks.append(f"<Placemark><name>{name}</name><Polygon><outerBoundaryIs><LinearRing>"
                     f"<coordinates>{ring(rings[0])}</coordinates></LinearRing></outerBoundaryIs>"
                     f"{inner}</Polygon></Placemark>")  # fmt: skip
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document>{''.join(marks)}</Document></kml>")  # fmt: skip


def test_a_kml_boundary_keeps_its_hole_and_an_enclave_placemark_is_named(layers, tmp_path) -> None:
    """The boundary from Google Earth, 400 × 300 m with a 100 × 100 m enclave: as an inner
    ring the enclave is no estate land (12 − 1 = 11 ha) and, no parcel covering it, no gap;
    drawn as a placemark of its own (Google Earth draws no holes) it adds nothing to the
    12 ha and is named, with its area, as lying inside the boundary."""
    from kitland import validate  # noqa: PLC0415

    to_ll = pyproj.Transformer.from_crs(32749, 4326, always_xy=True)
    x0, y0, x1, y1 = layers["boundary"].total_bounds
    shell = [to_ll.transform(x, y) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]
    hx, hy = x0 + 300, y0 + 100  # the top-right corner's cell is the enclave
    hole = [to_ll.transform(x, y) for x, y in
            [(hx, hy), (hx, hy + 100), (hx + 100, hy + 100), (hx + 100, hy), (hx, hy)]]  # fmt: skip
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "boundary.geojson").unlink()
    parcels = layers["parcels"]
    keep = ~parcels.geometry.centroid.within(gpd.GeoSeries.from_xy([hx + 50], [hy + 50]).buffer(1)[0])
    parcels[keep].to_file(folder / "parcels.geojson", driver="GeoJSON", engine="fiona")
    (folder / "boundary.kml").write_text(_kml([("Kawasan", [shell, hole])]), encoding="utf-8")
    est = load_estate(folder)
    assert est.area_ha == pytest.approx(11.0, rel=1e-4)
    report = validate(est)
    assert [f.code for f in report.findings if f.code in ("gap", "boundary-inside")] == []
    (folder / "boundary.kml").write_text(
        _kml([("Kawasan", [shell]), ("Enklave makam", [hole])]), encoding="utf-8")
    est = load_estate(folder)
    assert est.area_ha == pytest.approx(12.0, rel=1e-4)
    found = [f for f in validate(est).findings if f.code == "boundary-inside"]
    assert [f.message for f in found] == [
        f"{folder / 'boundary.kml'}: boundary feature 'Enklave makam' (1.00 ha) lies inside "
        "'Kawasan' and adds no land; if the estate leaves it out (an enclave), cut it out of "
        "'Kawasan' as a hole (QGIS: Difference) and remove it"]


def test_one_line_for_the_parcels_a_finding_says_the_same_of(capsys) -> None:
    """An office's land uses in Bahasa Indonesia: 7 parcels of 'Industri' were 7 lines of
    the same sentence (trial 12: 200 lines for five words, burying the bow-tie). The text
    gives one line naming five and counting the rest, in both languages; the JSON keeps
    one finding per parcel; a river's parcels, 'Sungai', are told the land use 'water'."""
    from conftest import grid_layers  # noqa: PLC0415

    from kitland import Estate, validate  # noqa: PLC0415

    layers = grid_layers(["IIII", "IIIA", "GGAW"])
    p = layers["parcels"]
    p.loc[p.land_use == "industrial", "land_use"] = "Industri"
    p.loc[p.land_use == "water", "land_use"] = "Sungai"
    report = validate(Estate.from_layers(layers))
    ids = p.loc[p.land_use == "Industri", "parcel_id"].tolist()
    assert len(ids) == 7
    assert [f.feature for f in report.findings if f.code == "unknown-land-use"] == [*ids, p.loc[
        p.land_use == "Sungai", "parcel_id"].iloc[0]]  # fmt: skip
    lines = [ln for ln in report.to_text().splitlines() if "unknown-land-use" in ln]
    assert len(lines) == 2
    assert f"parcels {', '.join(ids[:5])} and 2 more: " in lines[0]
    assert "unknown land_use 'industri'; did you mean 'industrial'?" in lines[0]
    assert "unknown land_use 'sungai'; did you mean 'water'?" in lines[1]
    assert f"{', '.join(ids[:5])} dan 2 lainnya: " in report.to_text("id")
    # and in Jupyter's table: one row for the seven
    assert report._repr_html_().count("unknown land_use &#x27;industri&#x27;") == 1
    assert f"<td>{', '.join(ids[:5])} and 2 more</td>" in report._repr_html_()
