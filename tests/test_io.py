"""kitland.io: reading estate layers from real files, and write_estate (atomic GeoPackage)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import fiona
import geopandas as gpd
import pandas as pd
import pyproj
import pytest
from conftest import grid_layers, write_layers
from shapely import box

from kitland import CRSError, DataError, Estate, load_estate
from kitland.io import read_layers, read_zone, write_estate


@pytest.fixture
def layers(small_layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    return small_layers


@pytest.mark.parametrize(
    ("driver", "suffix"), [("GPKG", ""), ("GeoJSON", ".geojson"), ("ESRI Shapefile", ".shp")]
)
def test_read_layers_from_each_format(layers, tmp_path, driver, suffix) -> None:
    target = write_layers(layers, tmp_path / ("e.gpkg" if driver == "GPKG" else "folder"), driver)
    got = read_layers(target)
    assert sorted(got) == sorted(layers)
    for name, gdf in got.items():
        assert len(gdf) == len(layers[name])
        assert gdf.crs.to_epsg() == 32749
        src = gdf.attrs["source"]
        assert (f"layer '{name}'" in src) if driver == "GPKG" else src.endswith(f"{name}{suffix}")
    assert got["parcels"].area.sum() == pytest.approx(120_000.0)  # 12 cells of 100 m × 100 m


def test_a_folder_of_geoparquet_in_lonlat_is_read(layers, tmp_path) -> None:
    """GeoParquet as ``GeoDataFrame.to_parquet`` writes it (GDAL as fiona ships it has no
    Parquet driver): the same 12 cells of 100 m × 100 m, measured back in UTM 49S; a zone
    file in GeoParquet is read too."""
    folder = tmp_path / "f"
    folder.mkdir()
    for name, gdf in layers.items():
        gdf.to_crs(4326).to_parquet(folder / f"{name}.parquet")
    est = load_estate(folder)
    assert est.crs.to_epsg() == 32749
    assert sorted(est.parcels["parcel_id"]) == sorted(layers["parcels"]["parcel_id"])
    assert est.parcels.area.sum() == pytest.approx(120_000.0, rel=1e-6)
    assert est.parcels.attrs["source"] == str(folder / "parcels.parquet")
    zone = box(*layers["parcels"].geometry.iloc[0].bounds)
    gpd.GeoDataFrame(geometry=[zone], crs=32749).to_crs(4326).to_parquet(tmp_path / "z.parquet")
    got = read_zone(tmp_path / "z.parquet").to_crs(32749)
    assert got.geometry.iloc[0].area == pytest.approx(10_000.0, rel=1e-6)


def test_a_file_geodatabase_is_one_dataset_of_layers(layers, tmp_path) -> None:
    """An Esri File Geodatabase (a ``.gdb`` folder GDAL opens as one dataset, one feature
    class per layer) is read as a GeoPackage is, not as a folder of layer files: the same
    12 cells of 100 m × 100 m, the TM-3 grid it is stored in measured back in UTM 49S; a
    zone in a ``.gdb`` (its one feature class) is read too."""
    gdb = tmp_path / "kawasan.gdb"
    for name, gdf in layers.items():
        gdf.to_crs(23835).to_file(gdb, layer=name, driver="OpenFileGDB", engine="fiona")
    assert gdb.is_dir()
    est = load_estate(gdb)
    assert est.crs.to_epsg() == 32749
    assert sorted(est.parcels["parcel_id"]) == sorted(layers["parcels"]["parcel_id"])
    assert est.parcels.area.sum() == pytest.approx(120_000.0, rel=1e-6)
    assert est.parcels.attrs["source"] == f"{gdb} layer 'parcels'"
    zone = gpd.GeoDataFrame(geometry=[box(*layers["parcels"].geometry.iloc[0].bounds)], crs=32749)
    zone.to_file(tmp_path / "usulan.gdb", layer="usulan", driver="OpenFileGDB", engine="fiona")
    got = read_zone(tmp_path / "usulan.gdb").to_crs(32749)
    assert got.geometry.iloc[0].area == pytest.approx(10_000.0, rel=1e-6)


@pytest.mark.parametrize("suffix", [".tab", ".mif"])
def test_a_folder_of_mapinfo_layers_is_read(layers, tmp_path, suffix) -> None:
    """Each MapInfo layer is several files (TAB: ``.dat``, ``.map``, ``.id``; MIF:
    ``.mid``), parts of the layer and not layers of their own."""
    folder = tmp_path / "mapinfo"
    folder.mkdir()
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name}{suffix}", driver="MapInfo File", engine="fiona")
    est = load_estate(folder)
    assert sorted(est.parcels["parcel_id"]) == sorted(layers["parcels"]["parcel_id"])
    assert est.parcels.area.sum() == pytest.approx(120_000.0, rel=1e-6)
    assert est.parcels.attrs["source"] == str(folder / f"parcels{suffix}")


def test_a_parquet_file_that_is_not_geoparquet_is_one_line(layers, tmp_path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    layers["boundary"].to_parquet(folder / "boundary.parquet")
    pd.DataFrame({"parcel_id": ["A"]}).to_parquet(folder / "parcels.parquet")  # no geometry
    with pytest.raises(DataError, match=r"parcels\.parquet: cannot read as a vector layer") as e:
        read_layers(folder)
    assert "\n" not in str(e.value)
    (folder / "parcels.parquet").write_bytes(b"PAR1 cut short")
    with pytest.raises(DataError, match=r"parcels\.parquet: cannot read as a vector layer"):
        read_layers(folder)


def test_folder_layer_names_ignore_case_and_other_files(layers, tmp_path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    layers["boundary"].to_file(folder / "Boundary.geojson", driver="GeoJSON", engine="fiona")
    layers["parcels"].to_file(folder / "PARCELS.geojson", driver="GeoJSON", engine="fiona")
    (folder / "notes.txt").write_text("not a layer")
    assert sorted(read_layers(folder)) == ["boundary", "parcels"]


def test_gml_folder_reads_without_schema_files_and_writes_none(layers, tmp_path) -> None:
    # GDAL writes an .xsd beside each .gml; the folder's layers are the .gml files alone.
    folder = tmp_path / "gml"
    folder.mkdir()
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name.title()}.gml", driver="GML", engine="fiona")
    got = read_layers(folder)
    assert sorted(got) == sorted(layers)
    assert got["parcels"].area.sum() == pytest.approx(120_000.0)  # 12 cells of 100 m × 100 m
    # Without the .xsd, GDAL's reader would write a .gfs schema beside each file:
    # inputs are never modified.
    for xsd in folder.glob("*.xsd"):
        xsd.unlink()
    before = sorted(p.name for p in folder.iterdir())
    got = read_layers(folder)
    assert sorted(got) == sorted(layers)
    assert len(got["parcels"]) == 12
    assert sorted(p.name for p in folder.iterdir()) == before


def test_shapefile_without_prj_needs_a_crs(layers, tmp_path) -> None:
    folder = write_layers(layers, tmp_path / "shp", "ESRI Shapefile")
    (folder / "roads.prj").unlink()
    with pytest.raises(CRSError, match=r"roads\.shp has no CRS; declare one: add a \.prj"):
        read_layers(folder)
    got = read_layers(folder, assume_crs="EPSG:32749")
    assert got["roads"].crs.to_epsg() == 32749


def test_a_lonlat_zone_without_crs_is_told_epsg_4326(layers, tmp_path) -> None:
    """A consultant's CSV of ``POLYGON Z`` WKT in lon/lat declares no CRS (trial 10): the
    line names EPSG:4326, not the bundled estate's UTM 49S of the general line; with it,
    the 100 m × 100 m cell comes back at its area."""
    cell = layers["parcels"].geometry.iloc[0]
    wkt = gpd.GeoSeries([cell], crs=32749).to_crs(4326).force_3d(12.5).to_wkt(rounding_precision=10).iloc[0]
    csv = tmp_path / "usulan.csv"
    csv.write_text(f'WKT;nama\n"{wkt}";usulan\n', encoding="utf-8")
    with pytest.raises(CRSError) as err:
        read_zone(csv)
    assert str(err.value) == (
        f"{csv} has no CRS, and its coordinates look like longitude/latitude: pass "
        "--assume-crs EPSG:4326 (assume_crs= in Python) or add a .prj of EPSG:4326 beside it"
    )
    got = read_zone(csv, assume_crs="EPSG:4326").to_crs(32749).geometry.iloc[0]
    assert got.area == pytest.approx(10_000.0, rel=1e-6)


@pytest.mark.parametrize("cpg", [False, True])
def test_a_windows_shapefile_without_cpg_keeps_its_dashes_and_quotes(layers, tmp_path, cpg) -> None:
    """A consultant's Shapefile written in Windows-1252 with no ``.cpg``: GDAL reads its
    ``.dbf`` as Latin-1, which turns the en dash (0x96) and curly quotes (0x93, 0x94)
    into control characters; kitland reads such a file as Windows-1252. Letters that
    both encodings share (é, Ñ) read the same either way, and a ``.cpg`` is obeyed."""
    roads = layers["roads"].assign(name=["Jalan Pelabuhan \u2013 \u201cGerbang\u201d Café Ñ"])
    folder = tmp_path / "shp"
    folder.mkdir()
    roads.to_file(folder / "roads.shp", engine="fiona", encoding="cp1252")
    if not cpg:
        (folder / "roads.cpg").unlink()
    assert (folder / "roads.cpg").exists() == cpg
    got = read_layers(folder)["roads"]
    assert got["name"].tolist() == ["Jalan Pelabuhan \u2013 \u201cGerbang\u201d Café Ñ"]


def test_a_shapefile_in_another_code_page_keeps_its_text(layers, tmp_path) -> None:
    """A ``.dbf`` without ``.cpg`` holding 0x81, a byte Windows-1252 leaves undefined, is
    not Windows-1252 text: it is read as Latin-1 as GDAL reads it, so no value is lost
    (read as Windows-1252, GDAL returns an empty string for it)."""
    roads = layers["roads"].assign(name=["Jalan Mawar"])
    folder = tmp_path / "shp"
    folder.mkdir()
    roads.to_file(folder / "roads.shp", engine="fiona", encoding="cp1252")
    (folder / "roads.cpg").unlink()
    dbf = folder / "roads.dbf"
    dbf.write_bytes(dbf.read_bytes().replace(b"Mawar", b"M\x81war\x96"))
    got = read_layers(folder)["roads"]
    assert got["name"].tolist() == ["Jalan M\x81war\x96"]


def test_unreadable_inputs(tmp_path) -> None:
    with pytest.raises(DataError, match="no such file or folder"):
        read_layers(tmp_path / "missing.gpkg")
    (tmp_path / "empty.gpkg").write_bytes(b"")
    with pytest.raises(DataError, match=r"empty\.gpkg: the file is empty"):
        read_layers(tmp_path / "empty.gpkg")
    (tmp_path / "d").mkdir()
    with pytest.raises(DataError, match="folder holds no estate layer files"):
        read_layers(tmp_path / "d")


# -- write_estate -----------------------------------------------------------------


def test_write_estate_round_trip(layers, tmp_path) -> None:
    est = Estate.from_layers(layers, source="grid")
    out = write_estate(est, tmp_path / "out.gpkg")
    assert sorted(fiona.listlayers(out)) == sorted([*layers, "layer_styles"])
    back = load_estate(out)
    assert back.crs.to_epsg() == 32749
    for name in layers:
        assert len(back.layers[name]) == len(est.layers[name])
        assert back.layers[name].geometry.geom_equals(est.layers[name].geometry).all()
    assert back.parcels["parcel_id"].tolist() == est.parcels["parcel_id"].tolist()
    assert back.roads["width_m"].tolist() == [20.0]  # the collector default, written out


def test_write_estate_keeps_empty_layers(layers, tmp_path) -> None:
    layers["gates"] = layers["gates"].iloc[:0]
    est = Estate.from_layers(layers)
    out = write_estate(est, tmp_path / "out.gpkg")
    assert "gates" in fiona.listlayers(out)
    assert len(gpd.read_file(out, layer="gates", engine="fiona")) == 0


def test_write_estate_replaces_the_whole_file(layers, tmp_path) -> None:
    target = tmp_path / "out.gpkg"
    layers["parcels"].to_file(target, layer="junk", driver="GPKG", engine="fiona")
    write_estate(Estate.from_layers(layers), target)
    assert "junk" not in fiona.listlayers(target)


def test_failed_write_keeps_the_previous_file(layers, tmp_path) -> None:
    target = tmp_path / "out.gpkg"
    good = Estate.from_layers(layers)
    write_estate(good, target)
    before = target.read_bytes()
    # Two columns differing only in case: GeoPackage (SQLite) cannot create the table.
    bad_parcels = good.parcels.assign(TENANT="x")
    bad = Estate({**good.layers, "parcels": bad_parcels}, good.crs)
    with pytest.raises(DataError, match=r"out\.gpkg layer 'parcels': cannot write"):
        write_estate(bad, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gpkg"]


def test_write_estate_refuses_its_source_and_missing_folders(layers, tmp_path) -> None:
    src = write_layers(layers, tmp_path / "in.gpkg")
    est = load_estate(src)
    with pytest.raises(DataError, match="is the estate's own source"):
        write_estate(est, src)
    with pytest.raises(DataError, match="does not exist"):
        write_estate(est, tmp_path / "no" / "out.gpkg")


def test_write_estate_in_a_projected_input_crs(tmp_path) -> None:
    layers = {k: v.to_crs(23835) for k, v in grid_layers(["IA"]).items()}
    est = Estate.from_layers(layers, crs="input")
    out = write_estate(est, tmp_path / "tm3.gpkg")
    assert gpd.read_file(out, layer="parcels", engine="fiona").crs.to_epsg() == 23835
    assert box(*est.parcels.total_bounds).area == pytest.approx(
        box(*load_estate(out, crs="input").parcels.total_bounds).area
    )


def _kml(name: str, placemarks: str) -> str:
    """A KML document as Google Earth saves one: placemarks in a folder, lon/lat(/height)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Folder><name>{name}</name>{placemarks}</Folder></Document></kml>\n"
    )


def _kml_polygon(name: str, ring: list[tuple[float, float]], extra: str = "") -> str:
    coords = " ".join(f"{x},{y},0" for x, y in ring)
    return (f"<Placemark><name>{name}</name>{extra}<Polygon><outerBoundaryIs><LinearRing>"
            f"<coordinates>{coords}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
            "</Placemark>")  # fmt: skip


def test_kml_layers_are_read_and_a_kml_without_a_required_field_says_why(
    layers, tmp_path
) -> None:
    # fiona lists no KML driver, GDAL reads KML: a folder's boundary.kml (as Google Earth
    # saves it, lon/lat with heights) is the same boundary as the GeoPackage's.
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "boundary.geojson").unlink()
    lonlat = layers["boundary"].to_crs(4326).geometry.iloc[0]
    ring = list(lonlat.exterior.coords)
    (folder / "boundary.kml").write_text(_kml("boundary", _kml_polygon("Kawasan Ülu", ring)))
    est = load_estate(folder)
    assert est.boundary["name"].tolist() == ["Kawasan Ülu"]
    assert est.boundary.area.sum() == pytest.approx(layers["boundary"].area.sum(), rel=1e-6)
    # A zone sketched in Google Earth is read as `check --zone` reads any zone file.
    zone = tmp_path / "usulan.kml"
    zone.write_text(_kml("usulan", _kml_polygon("Usulan <b>A</b>", ring)))
    assert read_zone(zone).to_crs(32749).area.sum() == pytest.approx(est.boundary.area.sum())
    # GDAL's KML driver reads a placemark's name and description only: a 'kind' kept in
    # ExtendedData is not seen, and the error says so (one line, naming the file).
    kind = ('<ExtendedData><SchemaData schemaUrl="#water"><SimpleData name="kind">pond'
            "</SimpleData></SchemaData></ExtendedData>")  # fmt: skip
    (folder / "water.geojson").unlink(missing_ok=True)
    (folder / "water.kml").write_text(_kml("water", _kml_polygon("Kolam", ring[:3] + ring[:1], kind)))
    with pytest.raises(DataError) as err:
        load_estate(folder)
    assert str(err.value) == (
        f"{folder / 'water.kml'}: missing required column 'kind' (has name, description, "
        "geometry); GDAL reads only the name and description of a KML placemark: save the "
        "layer as GeoPackage or GeoJSON"
    )


def _zip(archive: Path, files: dict[str, Path]) -> Path:
    """``archive`` holding each file under its name there (folders with ``/``)."""
    with zipfile.ZipFile(archive, "w") as z:
        for name, f in files.items():
            z.write(f, name)
    return archive


def _shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str, **kw) -> dict[str, Path]:
    folder.mkdir(exist_ok=True)
    gdf.to_file(folder / f"{stem}.shp", engine="fiona", **kw)
    return {f.name: f for f in folder.glob(f"{stem}.*")}


def test_a_zipped_shapefile_is_the_layer_named_like_the_zip(layers, tmp_path) -> None:
    """A planner's ``parcels.zip`` holds this year's ``parcels.shp`` (12 parcels of
    1 ha) beside last year's ``parcels_2019.shp`` (the first 5): GDAL opens the zip as
    a dataset of both and fiona reads the first layer it lists; kitland reads the one
    named like the zip. A zip holding one Shapefile in a folder is read too."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "parcels.geojson").unlink()
    old = _shapefile(layers["parcels"].iloc[:5], tmp_path / "shp", "parcels_2019")
    new = _shapefile(layers["parcels"], tmp_path / "shp", "parcels")
    _zip(folder / "parcels.zip", old | new)
    assert len(gpd.read_file(folder / "parcels.zip", engine="fiona")) == 5  # GDAL's first
    got = read_layers(folder)["parcels"]
    assert len(got) == 12 and got.area.sum() == pytest.approx(120_000.0)
    assert got.attrs["source"] == str(folder / "parcels.zip")
    _zip(folder / "parcels.zip", {f"data/2026/{n}": f for n, f in new.items()})
    assert read_layers(folder)["parcels"].area.sum() == pytest.approx(120_000.0)


def test_a_zip_of_several_layers_none_named_so_is_refused(layers, tmp_path) -> None:
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "parcels.geojson").unlink()
    a = _shapefile(layers["parcels"].iloc[:5], tmp_path / "shp", "persil_2019")
    b = _shapefile(layers["parcels"], tmp_path / "shp", "persil")
    _zip(folder / "parcels.zip", a | b)
    with pytest.raises(DataError, match=re.escape(
        f"{folder / 'parcels.zip'}: the archive holds 2 layer files (persil_2019.shp, "
        "persil.shp) and none is named parcels; keep one in it, or name the one to "
        "read parcels.shp")):  # fmt: skip
        read_layers(folder)
    (folder / "parcels.zip").write_bytes((folder / "parcels.zip").read_bytes()[:300])
    with pytest.raises(DataError, match=r"parcels\.zip: not a whole zip archive .* cut short"):
        read_layers(folder)
    _zip(folder / "parcels.zip", {"readme.txt": folder / "roads.geojson"})
    with pytest.raises(DataError, match=r"holds no layer file GDAL reads \(it has readme.txt\)"):
        read_layers(folder)


def test_a_kmz_from_google_earth_is_read_as_its_kml(layers, tmp_path) -> None:
    """Google Earth's KMZ is a zip holding ``doc.kml``: the boundary saved as KMZ is the
    boundary of the KML test above, name and area."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "boundary.geojson").unlink()
    ring = list(layers["boundary"].to_crs(4326).geometry.iloc[0].exterior.coords)
    with zipfile.ZipFile(folder / "boundary.kmz", "w") as z:
        z.writestr("doc.kml", _kml("boundary", _kml_polygon("Kawasan Kendal", ring)))
        z.writestr("files/logo.png", b"\x89PNG")
    est = load_estate(folder)
    assert est.boundary["name"].tolist() == ["Kawasan Kendal"]
    assert est.boundary.area.sum() == pytest.approx(120_000.0, rel=1e-6)


def test_a_zipped_windows_shapefile_keeps_its_dashes(layers, tmp_path) -> None:
    """The Windows-1252 reading of a Shapefile without ``.cpg`` holds inside a zip too,
    and a ``.cpg`` inside the zip is obeyed (UTF-8 text is not read again)."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "roads.geojson").unlink()
    name = "Jalan Raya Kaliwungu \u2013 Kendal"
    cp = _shapefile(layers["roads"].assign(name=[name]), tmp_path / "cp", "roads", encoding="cp1252")
    _zip(folder / "roads.zip", {n: f for n, f in cp.items() if not n.endswith(".cpg")})
    assert read_layers(folder)["roads"]["name"].tolist() == [name]
    utf = _shapefile(layers["roads"].assign(name=[name]), tmp_path / "utf", "roads", encoding="utf-8")
    _zip(folder / "roads.zip", utf)
    assert read_layers(folder)["roads"]["name"].tolist() == [name]


def test_a_lonlat_csv_beside_a_layer_without_crs_gets_its_own_prj(layers, tmp_path) -> None:
    """A consultant's DXF declares no CRS (``--assume-crs`` gives it one) and the gates
    come as a CSV of WKT in lon/lat, which declares none either: the one --assume-crs
    would make the gates metres, and the line says so and what to do; a ``.prj`` beside
    the CSV (GDAL reads it) puts the gate back where it was, to the millimetre."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    (folder / "gates.geojson").unlink()
    gates = layers["gates"].to_crs(4326)
    gates.assign(WKT=gates.geometry.to_wkt(rounding_precision=9)).drop(columns="geometry").to_csv(
        folder / "gates.csv", index=False
    )
    with pytest.raises(CRSError, match=re.escape(
        "gates.csv: coordinates look like degrees (111.0000, -6.9662)")) as err:  # fmt: skip
        load_estate(folder, assume_crs="EPSG:32749")
    assert str(err.value).endswith(
        "but the file declares no CRS and --assume-crs gave it the projected EPSG:32749 in "
        "metres; --assume-crs holds for every layer without a CRS: declare this one's, e.g. "
        "a .prj of EPSG:4326 beside it"
    )
    (folder / "gates.prj").write_text(pyproj.CRS(4326).to_wkt("WKT1_ESRI"))
    got = load_estate(folder, assume_crs="EPSG:32749").gates.geometry.iloc[0]
    assert got.distance(layers["gates"].geometry.iloc[0]) < 1e-3


def test_a_zipped_estate_folder_says_to_unzip_it(layers, tmp_path) -> None:
    """An estate handed over as one zip of GeoJSON files: GDAL opens no dataset from it
    (it reads a zip of Shapefiles), and the line says what to do."""
    folder = write_layers(layers, tmp_path / "f", "GeoJSON")
    archive = _zip(tmp_path / "kawasan.zip", {f.name: f for f in folder.iterdir()})
    with pytest.raises(DataError, match=re.escape(
        f"{archive}: a zip archive GDAL does not read as one dataset (it reads Shapefiles "
        "at its root); unzip it and give the folder")):  # fmt: skip
        read_layers(archive)


def test_a_gdal_error_in_another_thread_does_not_mark_this_read_damaged(layers, tmp_path) -> None:
    """GDAL's errors reach one logger for the whole process. A cut-short FlatGeobuf read in
    another thread (a Dask worker thread, say) while this thread reads a whole file must
    not make this read "damaged"; the same cut file read in this thread is collected."""
    import threading  # noqa: PLC0415

    from kitland.io import _gdal_errors  # noqa: PLC0415

    folder = write_layers(layers, tmp_path / "cut", "FlatGeobuf")
    cut = folder / "parcels.fgb"
    cut.write_bytes(cut.read_bytes()[: int(cut.stat().st_size * 0.6)])

    def read_cut() -> None:
        gpd.read_file(cut, engine="fiona")

    with _gdal_errors() as errors:
        other = threading.Thread(target=read_cut)
        other.start()
        other.join()
        got = read_layers(write_layers(layers, tmp_path / "whole", "FlatGeobuf"))
    assert errors == [] and len(got["parcels"]) == len(layers["parcels"])
    with _gdal_errors() as errors:
        read_cut()
    assert errors and "reading feature" in errors[0]
