"""Reading estate layers and zone files through fiona, and writing outputs atomically.

An estate is either one multi-layer file (a GeoPackage) or a folder holding one file per
layer (``boundary.geojson``, ``parcels.shp``, …, any format GDAL reads). Layers are
returned in their own CRS; :mod:`kitland.estate` reprojects them.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import re
import sqlite3
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import fiona
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from kitland._errors import CRSError, DataError
from kitland.i18n import Message

if TYPE_CHECKING:
    from kitland.estate import Estate

__all__ = [
    "LAYER_NAMES",
    "atomic_path",
    "check_writable",
    "input_files",
    "one_geometry_type",
    "read_layers",
    "read_zone",
    "read_zones",
    "write_estate",
    "write_gpkg",
]

log = logging.getLogger(__name__)

#: Layer names of an estate (SPEC §1), in drawing order.
LAYER_NAMES = ("boundary", "parcels", "roads", "gates", "water", "settlements")

# Files in a layer folder that are parts of another file, not layers of their own: a
# Shapefile's, a MapInfo TAB's (.dat, .map, .id, .ind) or MIF's (.mid), a CSV's column
# types (.csvt), GML schemas.
_SIDECARS = {".dbf", ".shx", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".aux",
             ".qpj", ".xsd", ".gfs", ".dat", ".map", ".id", ".ind", ".mid", ".csvt"}  # fmt: skip


#: Folders GDAL opens as one multi-layer dataset, not as a folder of layer files: an Esri
#: File Geodatabase (``estate.gdb``, one feature class per layer).
_DATASET_FOLDERS = {".gdb"}


#: GDAL open options by file suffix. GDAL's GML reader would otherwise write a ``.gfs``
#: schema file beside a ``.gml`` that has none, and inputs are never modified. A CSV's
#: points come from a ``WKT`` column or, as a GPS or a spreadsheet writes them, from
#: longitude/latitude (or x/y) columns, named in English or Bahasa Indonesia.
_OPEN_OPTIONS: dict[str, dict[str, str]] = {
    ".gml": {"WRITE_GFS": "NO"},
    ".csv": {"X_POSSIBLE_NAMES": "lon,lng,long,longitude,bujur,x",
             "Y_POSSIBLE_NAMES": "lat,latitude,lintang,y", "KEEP_GEOM_COLUMNS": "NO"},
}  # fmt: skip


def _suffix(path: Path | str) -> str:
    return Path(path).suffix.lower()


def _options(path: Path | str) -> dict[str, str]:
    return _OPEN_OPTIONS.get(_suffix(path), {})


#: Suffixes of files GDAL reads that fiona leaves off its list of supported drivers
#: (``fiona.supported_drivers``): KML, as Google Earth and kitland's ``--kml`` write it.
_UNLISTED = {".kml"}


#: GeoParquet (``GeoDataFrame.to_parquet``): one layer a file, read by geopandas through
#: pyarrow, as the GDAL that fiona ships has no Parquet driver.
_PARQUET = {".parquet", ".geoparquet"}


def _read(
    path: Path | str, layer: str | None, label: str, assume_crs: str | None
) -> gpd.GeoDataFrame:
    """``path``'s layer (a file, or a ``/vsizip/`` member: a string, as GDAL spells it)."""
    unlisted = {"allow_unsupported_drivers": True} if _suffix(path) in _UNLISTED else {}
    parquet = _suffix(path) in _PARQUET and not str(path).startswith("/vsizip/")
    try:
        with _gdal_errors() as errors:
            gdf = (gpd.read_parquet(path) if parquet else
                   gpd.read_file(path, layer=layer, engine="fiona", **_options(path), **unlisted))  # fmt: skip
    except Exception as exc:  # fiona/GDAL/pyarrow raise many types; all mean "cannot read"
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())  # one line
        msg = Message("{source}: cannot read as a vector layer ({reason})",
                      {"source": label, "reason": reason})  # fmt: skip
        raise DataError(msg) from exc
    if not parquet:  # a Parquet file is read whole or not at all (its footer counts the rows)
        _require_whole(path, layer, unlisted, label, len(gdf), errors)
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        msg = Message(
            "{source}: has no geometry column; expected a vector layer", {"source": label}
        )
        raise DataError(msg)
    if _windows_text(path, gdf):
        gdf = gpd.read_file(path, layer=layer, engine="fiona", encoding="cp1252")
    gdf.attrs["kml"] = bool(unlisted)  # GDAL's KML reader drops a placemark's own fields
    if gdf.crs is None:
        if assume_crs is None:
            raise CRSError(_no_crs(gdf, label))
        try:
            gdf = gdf.set_crs(assume_crs)
            gdf.attrs["assumed_crs"] = True
        except pyproj.exceptions.CRSError as exc:
            bad = Message(
                "assume_crs={crs!r} (--assume-crs): not a CRS pyproj knows, e.g. EPSG:23835 ({reason})",
                {"crs": assume_crs, "reason": str(exc)},
            )
            raise CRSError(bad) from exc
    return gdf


def _no_crs(gdf: gpd.GeoDataFrame, label: str) -> Message:
    """The line for a layer without a CRS: how to declare one, and EPSG:4326 when every
    coordinate lies within ±180 / ±90 (a CSV or GeoJSON Lines in longitude/latitude)."""
    bounds = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)].total_bounds
    if len(gdf) and np.isfinite(bounds).all() and (np.abs(bounds) <= [180, 90, 180, 90]).all():
        return Message("{source} has no CRS, and its coordinates look like longitude/latitude:"
                       " pass --assume-crs EPSG:4326 (assume_crs= in Python) or add a .prj of"
                       " EPSG:4326 beside it", {"source": label})  # fmt: skip
    return Message(
        "{source} has no CRS; declare one: add a .prj beside a Shapefile or CSV, set the CRS "
        "in QGIS (Layer > Set CRS), run `ogr2ogr -a_srs EPSG:XXXX out.gpkg in.gpkg`, "
        "or pass --assume-crs EPSG:XXXX (assume_crs= in Python)",
        {"source": label},
    )


#: Archives a layer may come in: a zipped Shapefile (or other layer file) and Google
#: Earth's KMZ, read through GDAL's ``/vsizip/``.
_ARCHIVES = {".zip", ".kmz"}
#: Suffixes of the layer files GDAL reads that a zip may hold beside other files.
_LAYER_SUFFIXES = {".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".gml", ".csv",
                   ".dxf", ".tab", ".mif", ".gpx", ".sqlite"}  # fmt: skip
_VSIZIP = re.compile(r"/vsizip/(.+?\.(?:zip|kmz))/(.+)", re.IGNORECASE)


def _unzipped(path: Path) -> str:
    """The layer file inside the archive ``path``, as a ``/vsizip/`` path: its only layer
    file, or the one named like the archive (``parcels.zip`` holding ``parcels.shp``; a
    KMZ's ``doc.kml``), in any folder of the archive.

    Raises
    ------
    DataError
        If the archive cannot be opened, holds no layer file, or several with none named so.
    """
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/") and "__MACOSX" not in n]
    except (zipfile.BadZipFile, OSError) as exc:
        msg = Message("{source}: not a whole zip archive ({reason}); the file is damaged "
                      "or cut short: export or copy it again",
                      {"source": str(path), "reason": str(exc)})  # fmt: skip
        raise DataError(msg) from exc
    files = [n for n in names if _suffix(n) in _LAYER_SUFFIXES]
    own = {path.stem.lower()} | ({"doc"} if _suffix(path) == ".kmz" else set())
    named = [n for n in files if Path(n).stem.lower() in own]
    if len(files) == 1 or len(named) == 1:
        return f"/vsizip/{path}/{files[0] if len(files) == 1 else named[0]}"
    if not files:
        msg = Message("{source}: the archive holds no layer file GDAL reads (it has {names})",
                      {"source": str(path), "names": ", ".join(names) or "nothing"})  # fmt: skip
    else:
        msg = Message("{source}: the archive holds {n} layer files ({names}) and none is named "
                      "{layer}; keep one in it, or name the one to read {layer}{suffix}",
                      {"source": str(path), "n": len(files), "names": ", ".join(files),
                       "layer": path.stem, "suffix": Path(files[0]).suffix})  # fmt: skip
    raise DataError(msg)


@contextlib.contextmanager
def _gdal_errors() -> Iterator[list[str]]:
    """Collect the errors GDAL reports while a file is read. fiona only logs them (on
    the ``fiona._env`` logger) and goes on: a damaged FlatGeobuf ends at the first
    feature GDAL cannot parse, a cut-short Shapefile gives the rest no geometry.

    Only this thread's errors are collected: GDAL reports an error in the thread that
    met it, and another thread's read (a Dask worker thread in the same process, say)
    says nothing about this file."""
    errors: list[str] = []
    reader = threading.get_ident()

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.thread == reader:
                errors.append(record.getMessage())

    handler = _Collect(logging.ERROR)
    gdal_log = logging.getLogger("fiona._env")
    gdal_log.addHandler(handler)
    try:
        yield errors
    finally:
        gdal_log.removeHandler(handler)


def _require_whole(
    path: Path | str, layer: str | None, unlisted: dict[str, bool], label: str, read: int,
    errors: list[str],
) -> None:  # fmt: skip
    """Raise DataError when a layer was read only in part: GDAL reported an error, or
    fewer features came than the layer declares (a FlatGeobuf or Shapefile header, a
    GeoPackage's table; drivers that cannot count are taken at their word)."""
    try:
        with fiona.open(path, layer=layer, **_options(path), **unlisted) as src:
            declared: int | None = len(src)
    except Exception:  # fiona/GDAL raise many types; a count unknown is no finding
        declared = None
    if errors:
        msg = Message("{source}: GDAL could not read all of it ({reason}); the file is damaged "
                      "or cut short: export or copy it again",
                      {"source": label, "reason": errors[0]})  # fmt: skip
        raise DataError(msg)
    if declared is not None and read < declared:
        msg = Message("{source}: the file declares {declared} features but only the first "
                      "{read} can be read; it is damaged or cut short: export or copy it again",
                      {"source": label, "declared": declared, "read": read})  # fmt: skip
        raise DataError(msg)


#: C1 control characters: text that holds them was read as Latin-1 from Windows-1252 bytes.
_C1 = re.compile("[\x80-\x9f]")


def _windows_text(path: Path | str, gdf: gpd.GeoDataFrame) -> bool:
    """Was a Shapefile without a ``.cpg`` written in Windows-1252? GDAL then reads its
    ``.dbf`` as Latin-1, which turns the bytes 0x80–0x9F (Windows-1252's dashes, quotes
    and €) into control characters no text holds; the file is read again as
    Windows-1252, which reads every other byte alike. Not when a value holds one of the
    five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): the text is
    then in some other code page, and GDAL would blank that value; Latin-1 keeps it."""
    stem = str(path)[: -len(".shp")]
    if _suffix(path) != ".shp" or any(_exists(stem + s) for s in (".cpg", ".CPG")):
        return False
    values = gdf.select_dtypes(exclude="geometry").astype(str).to_numpy().ravel()
    c1 = [v for v in values if _C1.search(v)]
    return bool(c1) and all(_decodes_as_cp1252(v) for v in c1)


def _exists(path: Path | str) -> bool:
    """Does ``path`` exist, also inside a zip (``/vsizip/archive.zip/member``)?"""
    inside = _VSIZIP.match(str(path))
    if inside is None:
        return Path(path).exists()
    with zipfile.ZipFile(inside[1]) as z:
        return inside[2] in z.namelist()


def _decodes_as_cp1252(text: str) -> bool:
    try:
        text.encode("latin-1").decode("cp1252")
    except UnicodeError:
        return False
    return True


#: Tables GDAL lists as layers that hold no data layer (QGIS styles, written by QGIS and kitland).
_NOT_DATA = {"layer_styles"}


def _list_layers(path: Path) -> list[str]:
    if _suffix(path) in _PARQUET and path.is_file():
        return [path.stem]  # GeoParquet holds one layer
    try:
        return [n for n in fiona.listlayers(path, **_options(path)) if n.lower() not in _NOT_DATA]
    except Exception as exc:
        if path.exists() and path.stat().st_size == 0:
            msg = Message("{path}: the file is empty", {"path": str(path)})
        elif _suffix(path) in _ARCHIVES and zipfile.is_zipfile(path):
            msg = Message("{path}: a zip archive GDAL does not read as one dataset (it reads "
                          "Shapefiles at its root); unzip it and give the folder",
                          {"path": str(path)})  # fmt: skip
        else:
            msg = Message("{path}: not a vector file GDAL can read ({reason})",
                          {"path": str(path), "reason": f"{type(exc).__name__}: {exc}"})  # fmt: skip
        raise DataError(msg) from exc


def _file_layer(source: Path | str, name: str, label: str) -> str | None:
    """The layer of a folder's layer file to read as ``name``: None when the file holds
    one layer; else the one named ``name`` (any case), or the only one with features (a
    GPX file's waypoints beside its empty routes and tracks).

    Raises
    ------
    DataError
        If several layers hold features and none is named ``name``: GDAL would read the
        first, which may be an old version of the layer.
    """
    try:  # a /vsizip/ member stays a string: a Path would fold its "//"
        names = [
            n for n in fiona.listlayers(source, **_options(source)) if n.lower() not in _NOT_DATA
        ]
    except Exception:  # fiona raises many types; _read says why the file cannot be read
        return None
    if len(names) <= 1:
        return None
    own = next((n for n in names if n.lower() == name), None)
    if own is not None:
        return own
    full = [n for n in names if _has_features(source, n)]
    if len(full) == 1:
        return full[0]
    msg = Message("{source}: holds {n} layers with features ({layers}) and none is named "
                  "{layer!r}; rename the one to read {layer}, or keep it alone in the file",
                  {"source": label, "n": len(full), "layers": ", ".join(map(repr, full)),
                   "layer": name})  # fmt: skip
    raise DataError(msg)


def _has_features(source: Path | str, layer: str) -> bool:
    """Whether ``layer`` of ``source`` holds a feature (False when GDAL cannot open it)."""
    try:
        with fiona.open(source, layer=layer, **_options(source)) as c:
            return next(iter(c), None) is not None
    except Exception:  # fiona raises many types; a layer it cannot open holds nothing to read
        return False


def _layer_folder(path: Path) -> bool:
    """True for a folder of per-layer files; False for a file or a folder GDAL opens as one
    dataset (a File Geodatabase)."""
    return path.is_dir() and _suffix(path) not in _DATASET_FOLDERS


def similar_layers(path: str | os.PathLike[str], names: Sequence[str]) -> dict[str, str]:
    """For each of ``names``, a file (in a folder) or layer (in a file) at ``path`` that
    is not read but is named like it (``parcel.fgb`` for ``parcels``), for hints."""
    p = Path(path)
    if _layer_folder(p):
        found = {f.stem.lower(): str(f) for f in p.iterdir()
                 if f.is_file() and _suffix(f) not in _SIDECARS}  # fmt: skip
    else:
        found = {n.lower(): f"{p} layer {n!r}" for n in _list_layers(p)}
    unread = {k: v for k, v in found.items() if k not in LAYER_NAMES}
    out = {}
    for name in names:
        close = difflib.get_close_matches(name, list(unread), n=1, cutoff=0.75)
        if close:
            out[name] = unread[close[0]]
    return out


def read_layers(
    path: str | os.PathLike[str], *, assume_crs: str | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Read the estate layers found at ``path``, each in its own CRS.

    Parameters
    ----------
    path
        A multi-layer file (GeoPackage, an Esri File Geodatabase ``.gdb`` folder, …) or
        a folder with one file per layer; layer and file names are matched to
        :data:`LAYER_NAMES` ignoring case.
    assume_crs
        CRS to give layers that declare none. Without it such a layer is an error.

    Returns
    -------
    dict
        Layer name → GeoDataFrame, only for the layers present. Each frame carries
        ``attrs["source"]``, a label naming the file and layer for messages.

    Raises
    ------
    DataError
        If ``path`` does not exist or cannot be read as vector data.
    CRSError
        If a layer declares no CRS and ``assume_crs`` is not given.
    """
    p = Path(path)
    if not p.exists():
        msg = Message("{path}: no such file or folder", {"path": str(p)})
        raise DataError(msg)
    layers: dict[str, gpd.GeoDataFrame] = {}
    if _layer_folder(p):
        files = sorted(f for f in p.iterdir() if f.is_file() and _suffix(f) not in _SIDECARS)
        for f in files:
            name = f.stem.lower()
            if name not in LAYER_NAMES:
                log.info("%s: not an estate layer name, skipped", f)
                continue
            if name in layers:
                msg = Message("{path}: two files for layer {layer!r} ({a}, {b})",
                              {"path": str(p), "layer": name, "a": layers[name].attrs["source"],
                               "b": str(f)})  # fmt: skip
                raise DataError(msg)
            source = _unzipped(f) if _suffix(f) in _ARCHIVES else f
            layer = _file_layer(source, name, str(f))
            label = str(f) if layer is None else f"{f} layer {layer!r}"
            gdf = _read(source, layer, label, assume_crs)
            gdf.attrs["source"] = label
            layers[name] = gdf
        if not layers:
            msg = Message("{path}: folder holds no estate layer files (expected e.g. parcels.geojson)",
                          {"path": str(p)})  # fmt: skip
            raise DataError(msg)
        return layers
    names = _list_layers(p)
    by_lower = {n.lower(): n for n in names}
    for name in LAYER_NAMES:
        if name in by_lower:
            label = f"{p} layer {by_lower[name]!r}"
            gdf = _read(p, by_lower[name], label, assume_crs)
            gdf.attrs["source"] = label
            layers[name] = gdf
    if not layers:
        has = ", ".join(map(repr, names))
        msg = Message(
            "{path}: no estate layers found (it has {layers}; expected {expected})"
            if has
            else "{path}: no estate layers found (it has none; expected {expected})",
            {"path": str(p), "layers": has, "expected": ", ".join(LAYER_NAMES)},
        )
        raise DataError(msg)
    return layers


def read_zone(
    path: str | os.PathLike[str], *, assume_crs: str | None = None, feature: str | None = None
) -> gpd.GeoDataFrame:
    """Read a zone file: one polygon feature, or the layer ``zone`` of a multi-layer file.

    ``feature`` picks one of several features (variants of one zone, e.g. a KML's
    placemarks) by its ``zone_id``, ``name`` or ``id`` column (in any case, as GDAL names
    a KML's ``Name``); the source label then names it.

    Several features are accepted only with a ``rank`` column (as in the ``zone`` layer
    ``kitland place`` writes, one feature per placement): the one with ``rank`` 1 is
    taken, and ``attrs["note"]`` says so (``attrs["note_message"]``: the same as a
    :class:`kitland.i18n.Message`, to write it in another language). Without a ``rank`` column, in any format,
    several features are refused with their count.

    Raises
    ------
    DataError
        If the file cannot be read, or holds no polygon, or more than one without a
        ``rank`` column, or not exactly one with ``rank`` 1.
    CRSError
        If the file declares no CRS and ``assume_crs`` is not given.
    """
    gdf, label = _zone_layer(path, assume_crs)
    note = None
    if feature is not None:
        gdf, label = _feature(gdf, label, feature)
    elif len(gdf) > 1 and "rank" in gdf.columns:
        n = len(gdf)
        ranks = pd.to_numeric(gdf["rank"], errors="coerce")
        gdf = gdf[ranks == 1]
        if len(gdf) != 1:
            seen = ", ".join(sorted({f"{r:g}" for r in ranks.dropna()})) or Message("none")
            msg = Message(
                "{source}: holds {n} zone geometries and {k} with rank 1 (ranks: {ranks}); "
                "expected exactly one with rank 1, or a single polygon",
                {"source": label, "n": n, "k": len(gdf), "ranks": seen},
            )
            raise DataError(msg)
        zid = gdf["zone_id"].iloc[0] if "zone_id" in gdf.columns else None
        which = f" ({zid})" if isinstance(zid, str) and zid else ""
        note = Message("{source}: {n} zone features with a rank column; checking rank 1{which}",
                       {"source": label, "n": n, "which": which})  # fmt: skip
        log.info("%s", note)
    if len(gdf) != 1:
        col = _name_column(gdf)
        if len(gdf) > 1 and col is not None:
            msg = Message(
                "{source}: holds {n} zone geometries; expected exactly one polygon (or a "
                "'rank' column: rank 1 is checked); check one by its {column} with --feature "
                "NAME (feature= in Python): {have}",
                {"source": label, "n": len(gdf), "column": col, "have": _names(gdf[col])},
            )
            raise DataError(msg)
        msg = Message(
            "{source}: holds {n} zone geometries; expected exactly one polygon (or a 'rank' "
            "column: rank 1 is checked)"
            if len(gdf) > 1
            else "{source}: holds {n} zone geometries; expected exactly one polygon",
            {"source": label, "n": len(gdf)},
        )
        raise DataError(msg)
    gdf = _zone_checked(gdf, label)
    if note is not None:
        gdf.attrs["note"] = note.render("en")
        gdf.attrs["note_message"] = note  # the same in any language (kitland.i18n.Message)
    return gdf


def read_zones(path: str | os.PathLike[str], *, assume_crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a zone file with several zones: every polygon feature of it.

    The file's one layer, or its layer ``zone``. Which feature is which zone (a
    ``zone_id`` or ``name`` column, rank 1 of a ``rank`` column) is decided where the
    zones meet the rules (:func:`kitland.between.zone_geometries`).

    Raises
    ------
    DataError
        If the file cannot be read, or holds no polygon, or a feature that is not one.
    CRSError
        If the file declares no CRS and ``assume_crs`` is not given.
    """
    gdf, label = _zone_layer(path, assume_crs)
    if len(gdf) == 0:
        msg = Message(
            "{source}: holds no zone geometry; expected a polygon per zone", {"source": label}
        )
        raise DataError(msg)
    return _zone_checked(gdf, label)


def _zone_layer(
    path: str | os.PathLike[str], assume_crs: str | None
) -> tuple[gpd.GeoDataFrame, str]:
    """A zone file's layer (its only one, or ``zone``) without empty geometries, and
    its label for messages."""
    p = Path(path)
    if not p.exists():
        msg = Message("{path}: no such zone file", {"path": str(p)})
        raise DataError(msg)
    names = _list_layers(p)
    layer = next((n for n in names if n.lower() == "zone"), None)
    if layer is None and len(names) > 1:
        msg = Message("{path}: has layers {layers}; expected one layer or a 'zone' layer",
                      {"path": str(p), "layers": ", ".join(map(repr, names))})  # fmt: skip
        raise DataError(msg)
    label = f"{p}" + (f" layer {layer!r}" if layer else "")
    gdf = _read(p, layer or names[0], label, assume_crs)
    return gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty], label


def _name_column(gdf: gpd.GeoDataFrame) -> str | None:
    """The column naming a zone file's features: ``zone_id``, ``name`` or ``id``, in any
    case."""
    lower = {str(c).lower(): str(c) for c in gdf.columns if c != gdf.geometry.name}
    return next((lower[k] for k in ("zone_id", "name", "id") if k in lower), None)


def _names(values: pd.Series) -> str:
    """A column's values, each once, for a message."""
    return ", ".join(dict.fromkeys(str(v).strip() for v in values))


def _feature(gdf: gpd.GeoDataFrame, label: str, name: str) -> tuple[gpd.GeoDataFrame, str]:
    """The one feature of ``gdf`` whose name column (:func:`_name_column`) is ``name``
    (surrounding spaces ignored), and the label naming it."""
    col = _name_column(gdf)
    if col is None:
        msg = Message("{source}: has no zone_id, name or id column to find feature {name!r} by",
                      {"source": label, "name": name})  # fmt: skip
        raise DataError(msg)
    hit = gdf[gdf[col].astype(str).str.strip() == name.strip()]
    if len(hit) != 1:
        msg = Message(
            "{source}: {n} features with {column} {name!r}; expected one (it has: {have})",
            {"source": label, "n": len(hit), "column": col, "name": name, "have": _names(gdf[col])},
        )
        raise DataError(msg)
    return hit, f"{label} ({col} {name!r})"


def _zone_checked(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Zone features whose coordinates fit their CRS and that are polygons, re-indexed,
    with ``attrs["source"]`` = ``label``."""
    if gdf.crs is not None and gdf.crs.is_geographic:
        x0, y0, x1, y1 = (float(v) for v in gdf.total_bounds)
        if max(abs(x0), abs(x1)) > 180 or max(abs(y0), abs(y1)) > 90:
            msg = Message(
                "{source}: coordinates up to ({x:.0f}, {y:.0f}) are not degrees, but the file"
                " declares {crs} (GeoJSON is always longitude/latitude); save the zone with its"
                " real CRS, e.g. as a GeoPackage",
                {"source": label, "x": x1, "y": y1, "crs": gdf.crs.to_string()},
            )
            raise CRSError(msg)
    bad = [i for i, t in enumerate(gdf.geom_type) if t not in ("Polygon", "MultiPolygon")]
    if bad:
        raise DataError(_not_polygon(gdf, bad, label))
    gdf = gdf.reset_index(drop=True)
    gdf.attrs["source"] = label
    return gdf


def _not_polygon(gdf: gpd.GeoDataFrame, bad: list[int], label: str) -> Message:
    """The line naming the first feature of ``gdf`` (position ``bad[0]``) that is not a
    polygon: its number in the file, its name (:func:`_name_column`) and its type."""
    i = bad[0]
    pos = gdf.index[i]
    num = int(pos) + 1 if isinstance(pos, int | np.integer) else i + 1
    col = _name_column(gdf)
    ident = f" ({col} {gdf[col].iloc[i]!r})" if col is not None else ""
    values = {"source": label, "n": num, "ident": ident, "type": gdf.geom_type.iloc[i],
              "more": len(bad) - 1}  # fmt: skip
    if _closed_line(gdf.geometry.iloc[i]):
        if len(bad) > 1:
            return Message("{source}: feature {n}{ident}: zone geometry is a closed {type};"
                           " expected a Polygon or MultiPolygon ({more} more features are not"
                           " polygons): make the closed lines polygons (QGIS: Vector > Geometry"
                           " Tools > Lines to Polygons)", values)  # fmt: skip
        return Message("{source}: feature {n}{ident}: zone geometry is a closed {type}; expected"
                       " a Polygon or MultiPolygon: make the closed line a polygon (QGIS: Vector"
                       " > Geometry Tools > Lines to Polygons)", values)  # fmt: skip
    if len(bad) > 1:
        return Message("{source}: feature {n}{ident}: zone geometry is a {type}; expected a Polygon"
                       " or MultiPolygon ({more} more features are not polygons)", values)  # fmt: skip
    return Message("{source}: feature {n}{ident}: zone geometry is a {type}; expected a Polygon"
                   " or MultiPolygon", values)  # fmt: skip


def _closed_line(geom: shapely.Geometry) -> bool:
    """True for a LineString or MultiLineString whose every line is closed (a polygon's
    outline drawn as a line, as a CAD or GPS tool exports it)."""
    if geom.geom_type not in ("LineString", "MultiLineString"):
        return False
    return bool(shapely.is_closed(shapely.get_parts(geom)).all())


def check_writable(target: str | os.PathLike[str]) -> Path:
    """``target`` as a Path, if a file can be written there; else :class:`DataError`.

    The folder must exist and take new files (tried by creating and removing a
    temporary file, which also works where permission bits do not tell, e.g. for root),
    and ``target`` must not be a folder. Outputs are checked before long work starts.

    Raises
    ------
    DataError
        Naming ``target`` and what is wrong with it.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_writable(folder)
    Traceback (most recent call last):
    ...
    kitland._errors.DataError: /tmp/...: is a folder; give the name of a file to write inside it
    """
    t = Path(target)
    if t.is_dir():
        msg = Message(
            "{path}: is a folder; give the name of a file to write inside it", {"path": str(t)}
        )
        raise DataError(msg)
    folder = t.parent
    if not folder.exists():
        msg = Message(
            "{path}: the folder {folder} does not exist", {"path": str(t), "folder": str(folder)}
        )
        raise DataError(msg)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{t.name}.", suffix=".probe", dir=folder)
    except OSError as exc:
        msg = Message("{path}: cannot write in the folder {folder} ({reason})",
                      {"path": str(t), "folder": str(folder), "reason": str(exc.strerror or exc)})  # fmt: skip
        raise DataError(msg) from exc
    os.close(fd)
    Path(probe).unlink()
    return t


def input_files(*paths: str | os.PathLike[str] | None) -> set[Path]:
    """The files that reading ``paths`` reads, resolved: outputs must never be one of them.

    A folder (an estate of per-layer files) gives every file in it; a file gives itself
    and the parts GDAL keeps beside it (a Shapefile's ``.dbf``, ``.shx``, ``.prj``, …, a
    MapInfo TAB's ``.dat``, ``.map``, ``.id``, named by its stem; ``parcels.shp.xml``).
    ``None`` and paths that do not exist give nothing.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("zone.shp", "zone.dbf", "zone.json"):
    ...     _ = (d / name).write_text("")
    >>> sorted(f.name for f in input_files(d / "zone.shp"))  # zone.json is another file
    ['zone.dbf', 'zone.shp']
    """
    found: set[Path] = set()
    for path in paths:
        if path is None:
            continue
        p = Path(path)
        if p.is_dir():
            found.update(f.resolve() for f in p.iterdir() if f.is_file())
        elif p.is_file():
            found.add(p.resolve())
            for f in p.parent.iterdir():
                part = f.name[len(p.stem) :].lower() if f.name.startswith(p.stem) else ""
                if part in _SIDECARS or part == f"{_suffix(p)}.xml":
                    found.add(f.resolve())
    return found


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any error (or interruption) the temporary file is removed and ``target`` keeps
    its previous content, so outputs are written whole or not at all.

    Raises
    ------
    DataError
        If ``target`` is a folder, its folder does not exist or takes no new files, or
        the finished file cannot be renamed onto it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.json"
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("{}")
    >>> out.read_text()
    '{}'
    """
    t = check_writable(target)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{t.name}.", suffix=f".part{t.suffix}", dir=t.parent
        )
    except OSError as exc:
        msg = Message("{path}: cannot write in the folder {folder} ({reason})",
                      {"path": str(t), "folder": str(t.parent), "reason": str(exc.strerror or exc)})  # fmt: skip
        raise DataError(msg) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers (GDAL) want to create the file themselves
    try:
        yield tmp
        try:
            tmp.replace(t)
        except OSError as exc:
            msg = Message(
                "{path}: cannot write ({reason})",
                {"path": str(t), "reason": str(exc.strerror or exc)},
            )
            raise DataError(msg) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def write_gpkg(
    path: str | os.PathLike[str], layers: Mapping[str, gpd.GeoDataFrame], *, lang: str = "id"
) -> Path:
    """Write GeoDataFrames as the layers of one GeoPackage, whole or not at all.

    Each layer has one geometry type (single and multi parts of one family are written
    all multi, :func:`one_geometry_type`), and a QGIS style in the ``layer_styles``
    table (:mod:`kitland.styles`; land-use labels in ``lang``).

    Raises
    ------
    DataError
        If ``path`` cannot be written (see :func:`atomic_path`) or GDAL refuses a layer;
        the message names the file and the layer, and ``path`` keeps its previous content.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from shapely import box
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "zone.gpkg"
    >>> z = gpd.GeoDataFrame({"rank": [1]}, geometry=[box(0, 0, 10, 10)], crs=32749)
    >>> _ = write_gpkg(out, {"zone": z})
    >>> fiona.listlayers(out)
    ['zone', 'layer_styles']
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        for name, gdf in layers.items():
            gdf = one_geometry_type(gdf)
            with warnings.catch_warnings():
                # An empty layer is written fine by the GPKG driver; geopandas warns anyway.
                warnings.filterwarnings(
                    "ignore", "You are attempting to write an empty", UserWarning
                )
                try:
                    gdf.to_file(tmp, layer=name, driver="GPKG", engine="fiona")
                except OSError as exc:  # disk full, permissions
                    msg = Message("{path} layer {layer!r}: cannot write ({reason})",
                                  {"path": str(target), "layer": name,
                                   "reason": str(exc.strerror or exc)})  # fmt: skip
                    raise DataError(msg) from exc
                except Exception as exc:  # fiona/GDAL raise many types; all mean "cannot write"
                    msg = Message("{path} layer {layer!r}: cannot write ({reason})",
                                  {"path": str(target), "layer": name,
                                   "reason": f"{type(exc).__name__}: {exc}"})  # fmt: skip
                    raise DataError(msg) from exc
            log.info("%s: wrote layer %r (%d features)", target, name, len(gdf))
        _write_styles(tmp, lang=lang)
    return target


_MULTI = {"Polygon": "MultiPolygon", "LineString": "MultiLineString", "Point": "MultiPoint"}


def one_geometry_type(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` with single and multi geometries of one family made all multi.

    A layer of Polygons and MultiPolygons becomes all MultiPolygon (QGIS then adds it as
    one layer instead of asking for a sub-layer); other layers are returned as they are
    (a layer mixing families, e.g. river lines and pond polygons, keeps both).

    Examples
    --------
    >>> from shapely import MultiPolygon, box
    >>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), MultiPolygon([box(2, 2, 3, 3)])])
    >>> sorted(set(one_geometry_type(g).geom_type))
    ['MultiPolygon']
    """
    types = set(gdf.geom_type.dropna())
    for single, multi in _MULTI.items():
        if types == {single, multi}:
            geoms = gdf.geometry.to_numpy().copy()
            is_single = (gdf.geom_type == single).to_numpy()
            make = {"MultiPolygon": shapely.multipolygons, "MultiLineString": shapely.multilinestrings,
                    "MultiPoint": shapely.multipoints}[multi]  # fmt: skip
            geoms[is_single] = [make([g]) for g in geoms[is_single]]
            return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    return gdf


_FAMILY = {"POLYGON": "Polygon", "MULTIPOLYGON": "Polygon", "LINESTRING": "LineString",
           "MULTILINESTRING": "LineString", "POINT": "Point", "MULTIPOINT": "Point"}  # fmt: skip


def _write_styles(gpkg: Path, *, lang: str) -> None:
    """Store a QGIS style (:func:`kitland.styles.qml`) for each layer in ``layer_styles``.

    The table is the one QGIS reads and writes (``Layer Properties > Style > Save as
    default``); each style is the layer's default, so QGIS opens the layers coloured like
    the map. It is registered in ``gpkg_contents`` as an attributes table (as QGIS does),
    so GDAL lists it among the layers; kitland's readers pass over it.
    """
    from kitland.styles import qml  # noqa: PLC0415

    with contextlib.closing(sqlite3.connect(gpkg)) as db, db:
        cols = db.execute(
            "SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns"
        ).fetchall()
        db.execute(_LAYER_STYLES_SQL)
        db.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
            "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles')"
        )
        for table, column, gtype in cols:
            family = _FAMILY.get(str(gtype).upper())
            text = None if family is None else qml(table, family, lang=lang)
            if text is None:
                continue
            db.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, '', '')",
                (table, column, table, text, "kitland: coloured like the meeting map"),
            )


_LAYER_STYLES_SQL = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256), f_table_schema TEXT(256),
  f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT,
  styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"""


def write_estate(estate: Estate, path: str | os.PathLike[str]) -> Path:
    """Write every layer of ``estate`` to one GeoPackage, whole or not at all.

    Layers are written in the estate's metric CRS to a temporary file beside ``path``
    (:func:`atomic_path`), which then replaces ``path``. The estate's own source file is
    never overwritten.

    Parameters
    ----------
    estate
        The estate to write (e.g. the result of :func:`kitland.validation.repair`).
    path
        The GeoPackage to write.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DataError
        If ``path`` is the estate's source, its folder does not exist, or GDAL cannot
        write a layer (``path`` then keeps its previous content).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from kitland.estate import Estate
    >>> b = gpd.GeoDataFrame({"name": ["demo"]}, geometry=[box(0, 0, 100, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a"], "land_use": ["green"]},
    ...                      geometry=[box(0, 0, 100, 100)], crs=32749)
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "estate.gpkg"
    >>> _ = write_estate(Estate.from_layers({"boundary": b, "parcels": p}), out)
    >>> sorted(fiona.listlayers(out))  # the QGIS styles too (:func:`write_gpkg`)
    ['boundary', 'layer_styles', 'parcels']
    """
    target = Path(path)
    if (
        estate.source
        and Path(estate.source).exists()
        and Path(estate.source).resolve() == target.resolve()
    ):
        msg = Message("{path}: is the estate's own source; write the repaired estate to a new file",
                      {"path": str(target)})  # fmt: skip
        raise DataError(msg)
    layers = {}
    for name, gdf in estate.layers.items():
        out = gpd.GeoDataFrame(gdf.copy(), geometry="geometry", crs=estate.crs)
        out.attrs = {}
        layers[name] = out
    return write_gpkg(target, layers)
