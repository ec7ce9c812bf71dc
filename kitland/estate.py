"""The estate model: layers in one metric CRS, with the defaults of SPEC §1.

:func:`load_estate` reads an estate (the bundled KIT Batang one by default), checks that
its coordinates can be right for the CRS each layer declares, reprojects every layer to
one metric projected CRS and fills defaults (road widths by class). It does not judge
the layout: that is :func:`kitland.validate`.
"""

from __future__ import annotations

import html
import logging
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from kitland._errors import CRSError, DataError
from kitland.crs import areal_scale, crs_label, is_metric_projected, metric_crs_for
from kitland.i18n import Message
from kitland.io import LAYER_NAMES, read_layers, similar_layers

__all__ = [
    "BUNDLED_SOURCE",
    "GATE_KINDS",
    "LAND_USES",
    "LAYER_SCHEMA",
    "ROAD_CLASSES",
    "ROAD_WIDTH_M",
    "WATER_KINDS",
    "Estate",
    "Finding",
    "bundled_path",
    "load_estate",
]

log = logging.getLogger(__name__)

#: :attr:`Estate.source` of the bundled illustrative KIT Batang estate.
BUNDLED_SOURCE = "bundled KIT Batang estate"

LAND_USES = (
    "industrial",
    "commercial",
    "umkm",
    "residential",
    "green",
    "utility",
    "water",
    "road",
    "available",
)
#: Default corridor width per road class, metres (SPEC §1).
ROAD_WIDTH_M = {"toll": 40.0, "arterial": 30.0, "collector": 20.0, "local": 12.0}
ROAD_CLASSES = tuple(ROAD_WIDTH_M)
GATE_KINDS = ("estate_gate", "toll_exit", "factory_gate")
WATER_KINDS = ("river", "canal", "coast", "pond")


@dataclass(frozen=True)
class LayerSpec:
    """What a layer may hold: geometry types, required and optional columns."""

    geom_types: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_POLY = ("Polygon", "MultiPolygon")
LAYER_SCHEMA: dict[str, LayerSpec] = {
    "boundary": LayerSpec(_POLY, (), ("name",)),
    "parcels": LayerSpec(
        _POLY, ("parcel_id", "land_use"), ("tenant", "phase", "status"), {"land_use": LAND_USES}
    ),
    "roads": LayerSpec(
        ("LineString", "MultiLineString"),
        ("road_class",),
        ("road_id", "name", "width_m"),
        {"road_class": ROAD_CLASSES},
    ),
    "gates": LayerSpec(
        ("Point", "MultiPoint"), ("kind",), ("gate_id", "name"), {"kind": GATE_KINDS}
    ),
    "water": LayerSpec(
        ("LineString", "MultiLineString", *_POLY), ("kind",), ("name",), {"kind": WATER_KINDS}
    ),
    "settlements": LayerSpec((*_POLY, "Point", "MultiPoint"), ("name",), ()),
}
REQUIRED_LAYERS = ("boundary", "parcels")


@dataclass(frozen=True)
class Finding:
    """One problem found in estate data.

    Attributes
    ----------
    code
        Stable identifier, e.g. ``"overlap"`` or ``"missing-crs"``.
    severity
        ``"error"`` (the data is wrong) or ``"warning"`` (worth a look).
    layer, feature
        Where: the layer name and the feature id (``parcel_id``, ``road_id``, … or
        ``#row``); empty when the finding concerns the whole layer.
    message
        One line a planner can act on, in English.
    msg
        The same line as a catalogue message with its values, to write it in another
        language (:meth:`text`); None for a message that has no translation.
    """

    code: str
    severity: Literal["error", "warning"]
    layer: str
    feature: str
    message: str
    msg: Message | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        code: str,
        severity: Literal["error", "warning"],
        layer: str,
        feature: str,
        text: str,
        /,
        **values: Any,
    ) -> Finding:
        """A finding whose message is the catalogue's ``text`` with ``values`` put in."""
        m = Message(text, values)
        return cls(code, severity, layer, feature, m.render("en"), m)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (numbers in its locale; data as it is)."""
        return self.message if self.msg is None else self.msg.render(lang)

    def __str__(self) -> str:
        where = self.layer + (f" {self.feature}" if self.feature else "")
        return f"{self.severity.upper():7} {self.code:22} {where}: {self.message}"


def bundled_path(name: str) -> Path:
    """Path of a file shipped with kitland (``kit_batang.gpkg``, ``umkm_rules.toml``, …).

    Installed wheels carry the files in ``kitland/_bundled``; a source checkout reads
    them from ``parcels/``.

    Raises
    ------
    DataError
        If the file is in neither place.
    """
    packaged = Path(str(resources.files("kitland"))) / "_bundled" / name
    if packaged.exists():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "parcels" / name
    if checkout.exists():
        return checkout
    msg = Message("bundled file {name!r} is missing from the kitland installation", {"name": name})
    raise DataError(msg)


def _feature_label(gdf: gpd.GeoDataFrame, layer: str, i: int) -> str:
    id_col = {"parcels": "parcel_id", "roads": "road_id", "gates": "gate_id"}.get(layer, "name")
    if id_col in gdf.columns:
        v = gdf[id_col].iloc[i]
        if isinstance(v, str) and v.strip():
            return v
    return f"#{i}"


def _lonlat_bounds(
    bounds: tuple[float, float, float, float], crs: pyproj.CRS
) -> tuple[float, float, float, float]:
    """``bounds`` in ``crs`` as lon/lat, transforming only the (densified) bounding box,
    not every vertex."""
    x0, y0, x1, y1 = bounds
    if crs.is_geographic:
        return (x0, y0, x1, y1)
    t = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    w, s, e, n = t.transform_bounds(x0, y0, x1, y1, densify_pts=21)
    return (float(w), float(s), float(e), float(n))


def _stretched(crs: Any, lonlat: tuple[float, float, float, float]) -> Message | None:
    """The line saying that ``crs`` stretches areas by more than 0.5 % at the centre of
    ``lonlat`` (web mercator: 1.9 % at 6.3° S), or None (UTM and TM-3
    stay within 0.25 % inside their zones)."""
    c = pyproj.CRS.from_user_input(crs)
    w, s, e, n = lonlat
    lon, lat = (w + e) / 2, (s + n) / 2
    pct = (areal_scale(c, lon, lat) - 1) * 100
    if abs(pct) <= 0.5:
        return None
    return Message(
        "crs={crs} ({name}) stretches areas by {pct:.2f}% at the estate (lon {lon:.3f}, "
        "lat {lat:.3f}); measure in a CRS true to area there, such as its UTM zone "
        "(the default, crs=None) or a TM-3 grid",
        {"crs": crs_label(c), "name": c.name, "pct": pct, "lon": lon, "lat": lat},
    )


def _check_coordinates(gdf: gpd.GeoDataFrame, label: str) -> list[Finding]:
    """Raise CRSError on coordinates impossible for the declared CRS; warn on odd ones."""
    geoms = gdf.geometry.to_numpy()
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if not len(geoms):
        return []
    x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
    crs = pyproj.CRS.from_user_input(gdf.crs)
    if not all(map(math.isfinite, (x0, y0, x1, y1))):
        msg = Message("{source}: coordinates are not finite (NaN or infinity)", {"source": label})
        raise CRSError(msg)
    if crs.is_geographic:
        if abs(y0) > 90 or abs(y1) > 90:
            values = {"source": label, "crs": crs_label(crs), "x": x1, "y": y1}
            msg = Message(
                "{source}: latitudes beyond ±90 in {crs}; longitude and latitude look swapped"
                " (GeoJSON and EPSG:4326 data here are lon, lat)"
                if abs(x0) <= 90 and abs(x1) <= 90 else
                "{source}: coordinates up to ({x:.0f}, {y:.0f}) are not degrees but the layer"
                " declares {crs}; declare its real projected CRS",
                values,
            )  # fmt: skip
            raise CRSError(msg)
        if abs(x0) > 180 or abs(x1) > 180:
            msg = Message(
                "{source}: longitudes beyond ±180 in {crs}",
                {"source": label, "crs": crs_label(crs)},
            )
            raise CRSError(msg)
    elif max(abs(x0), abs(x1)) <= 180 and max(abs(y0), abs(y1)) <= 90 and (x1 - x0) < 2:
        msg = Message(
            "{source}: coordinates look like degrees ({x:.4f}, {y:.4f}) but the file declares no"
            " CRS and --assume-crs gave it the projected {crs} in metres; --assume-crs holds for"
            " every layer without a CRS: declare this one's, e.g. a .prj of EPSG:4326 beside it"
            if gdf.attrs.get("assumed_crs") else
            "{source}: coordinates look like degrees ({x:.4f}, {y:.4f}) but the layer declares"
            " the projected {crs} in metres; declare EPSG:4326",
            {"source": label, "x": x0, "y": y0, "crs": crs_label(crs)},
        )  # fmt: skip
        raise CRSError(msg)
    findings: list[Finding] = []
    aou = crs.area_of_use
    if aou is not None:
        w, s, e, n = _lonlat_bounds((x0, y0, x1, y1), crs)
        margin = 1.0  # degrees: projections stay usable a little past their area of use
        if (
            w > aou.east + margin
            or e < aou.west - margin
            or s > aou.north + margin
            or n < aou.south - margin
        ):
            findings.append(
                Finding.of(
                    "outside-crs-area",
                    "warning",
                    str(gdf.attrs.get("layer", "")),
                    "",
                    "{source}: data at lon {west:.3f}..{east:.3f}, lat {south:.3f}..{north:.3f} "
                    "lies outside the area of use of {crs} ({area}); is the CRS right?",
                    source=label, west=w, east=e, south=s, north=n, crs=crs_label(crs),
                    area=aou.name,
                )
            )  # fmt: skip
    return findings


#: Column names planners commonly give the required columns in Bahasa Indonesia, for the
#: hint of a missing column (the rename is the user's to make: README, "Data in other words");
#: ``layer`` is a CAD drawing's layer name as GDAL reads a DXF (``JALAN_ARTERI``);
#: ``highway`` an OpenStreetMap export's tag, ``fclass`` Geofabrik's Shapefiles' column.
_COLUMN_WORDS = {
    "parcel_id": ("id_persil", "id_kavling", "no_persil", "no_kavling", "kode_persil", "kode_kavling"),
    "land_use": ("guna_lahan", "penggunaan_lahan", "peruntukan", "tata_guna", "penggunaan", "layer"),
    "road_class": ("kelas_jalan", "kelas", "fungsi_jalan", "fungsi", "highway", "fclass", "layer"),
    "kind": ("jenis", "tipe", "layer"),
    "name": ("nama",),
}  # fmt: skip


def _normalise(
    layer: str, gdf: gpd.GeoDataFrame, crs: pyproj.CRS, strict: bool
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    label = gdf.attrs.get("source", layer)
    spec = LAYER_SCHEMA[layer]
    findings: list[Finding] = []
    gdf = gdf.copy()
    gdf.attrs["layer"] = layer
    findings += _check_coordinates(gdf, label)
    # Heights (a survey's Z) are dropped: every measurement is planar (SPEC §3).
    geom = gdf.geometry
    gdf[geom.name] = gpd.GeoSeries(shapely.force_2d(geom.to_numpy()), index=gdf.index, crs=geom.crs)
    gdf.columns = [c if c == gdf.geometry.name else str(c).lower() for c in gdf.columns]
    gdf = gdf.rename_geometry("geometry") if gdf.geometry.name != "geometry" else gdf
    has = ", ".join(map(str, gdf.columns))  # the file's own, not those added below
    for col in spec.required:
        if col not in gdf.columns:
            word = next((c for c in _COLUMN_WORDS.get(col, ()) if c in gdf.columns), None)
            text = ("{source}: missing required column {column!r} (has {columns}); GDAL "
                    "reads only the name and description of a KML placemark: save the layer "
                    "as GeoPackage or GeoJSON" if gdf.attrs.get("kml") else
                    "{source}: missing required column {column!r} (has {columns}); if {word!r} "
                    "holds it, rename that column to {column} (README, \"Data in other words\")"
                    if word else "{source}: missing required column {column!r} (has {columns})")  # fmt: skip
            missing = Finding.of("missing-column", "error", layer, "", text,
                                 source=label, column=col, columns=has, word=word)  # fmt: skip
            if strict:
                raise DataError(missing.msg)
            findings.append(missing)
            gdf[col] = None
    for col in spec.optional:
        if col not in gdf.columns:
            gdf[col] = None
    # Null and empty geometries cannot be measured: they are dropped and reported.
    bad = gdf.geometry.isna() | gdf.geometry.is_empty
    for i in np.flatnonzero(bad.to_numpy()):
        findings.append(
            Finding.of(
                "empty-geometry",
                "error",
                layer,
                _feature_label(gdf, layer, int(i)),
                "{source}: feature has no geometry (NULL or empty); it is ignored",
                source=label,
            )
        )
    gdf = gdf[~bad.to_numpy()]
    # Text identifiers: parcel_id 17 and "17" are the same parcel.
    for col in ("parcel_id", "road_id", "gate_id", "name", "land_use", "road_class", "kind"):
        if col in gdf.columns:
            # A list, not Series.map: pandas 3 would turn the None back into NaN.
            gdf[col] = pd.Series([_as_text(v) for v in gdf[col]], index=gdf.index, dtype=object)
    for col in spec.values:
        gdf[col] = pd.Series(
            [coded(v) if isinstance(v, str) else v for v in gdf[col]],
            index=gdf.index,
            dtype=object,
        )
    if layer == "roads":
        gdf["width_m"] = _road_widths(gdf, label)
    if gdf.crs is not None and not pyproj.CRS.from_user_input(gdf.crs).equals(crs):
        gdf = gdf.to_crs(crs)
    gdf = gdf.reset_index(drop=True)
    gdf.attrs["source"] = label
    gdf.attrs["layer"] = layer
    return gdf, findings


#: A layer lying farther than this from the boundary declares a CRS its coordinates are
#: not in: no rule measures across such a distance, while a mixed-up CRS moves a layer by
#: hundreds of kilometres (neighbouring TM-3 zones, a UTM zone for a TM-3 grid).
APART_KM = 50.0


def _box(gdf: gpd.GeoDataFrame) -> list[float] | None:
    g = gdf.geometry
    g = g[g.notna() & ~g.is_empty]
    return None if g.empty else [float(v) for v in g.total_bounds]


def _apart_m(a: Sequence[float], b: Sequence[float]) -> float:
    """The distance between two boxes ``(x0, y0, x1, y1)``; 0 when they overlap."""
    dx = max(0.0, a[0] - b[2], b[0] - a[2])
    dy = max(0.0, a[1] - b[3], b[1] - a[3])
    return math.hypot(dx, dy)


def _require_together(layers: Mapping[str, gpd.GeoDataFrame], stored: Mapping[str, str]) -> None:
    """Raise CRSError when a layer lies apart from the boundary, so it declares a CRS its
    coordinates are not in (each layer alone looked plausible to
    :func:`_check_coordinates`): the parcels when their extent does not even overlap the
    boundary's, any other layer when it lies more than :data:`APART_KM` from it (a river
    in a wrong CRS would pass every setback)."""
    if "boundary" not in layers:
        return
    boundary = _box(layers["boundary"])
    if boundary is None:
        return
    for name in LAYER_NAMES[1:]:
        box = _box(layers[name]) if name in layers else None
        if box is None:
            continue
        gap_m = _apart_m(boundary, box)
        if gap_m > (0.0 if name == "parcels" else APART_KM * 1000):
            msg = Message(
                "{boundary} (stored in {boundary_crs}) lies {km:,.1f} km from the parcels of "
                "{parcels} (stored in {parcels_crs}) and overlaps none of them: one of the two "
                "layers declares a CRS its coordinates are not in; declare its real CRS"
                if name == "parcels" else
                "{layer} (stored in {layer_crs}) lies {km:,.1f} km from the boundary of "
                "{boundary} (stored in {boundary_crs}): one of the two layers declares a CRS "
                "its coordinates are not in; declare its real CRS",
                {"boundary": layers["boundary"].attrs.get("source", "boundary"),
                 "parcels": layers[name].attrs.get("source", name),
                 "layer": layers[name].attrs.get("source", name),
                 "boundary_crs": stored.get("boundary", "?"), "parcels_crs": stored.get(name, "?"),
                 "layer_crs": stored.get(name, "?"), "km": gap_m / 1000},
            )  # fmt: skip
            raise CRSError(msg)


def coded(value: str) -> str:
    """A coded value (SPEC §1 vocabularies: land uses, road classes, kinds) as the
    vocabularies spell it: the data's and the rules' ``"Industrial "`` mean
    ``industrial``.

    >>> coded(" Industrial "), coded("KIOS")
    ('industrial', 'kios')
    """
    return value.strip().lower()


def _as_text(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _road_widths(gdf: gpd.GeoDataFrame, label: str) -> pd.Series:
    """``width_m`` in metres, the class default where it is empty; a width given as text
    that is no number (``"32,5"`` with a decimal comma, ``"12 m"``) raises, since taking
    the default instead would silently change the corridor."""
    given = pd.to_numeric(gdf["width_m"], errors="coerce")
    typed = np.array([_as_text(v) not in (None, "") for v in gdf["width_m"]], dtype=bool)
    for i in np.flatnonzero(given.isna().to_numpy() & typed)[:1]:
        v = str(gdf["width_m"].iloc[i])
        comma = re.fullmatch(r"\s*(\d+),(\d+)\s*", v)
        msg = Message(
            "{source}: road {road} has width_m = {width!r}, not a number; write metres with "
            "a decimal point ({fixed})" if comma else
            "{source}: road {road} has width_m = {width!r}, not a number; give metres (12.5) "
            "or leave it empty for the class default",
            {"source": label, "road": _feature_label(gdf, "roads", i), "width": v,
             "fixed": f"{comma[1]}.{comma[2]}" if comma else ""},
        )  # fmt: skip
        raise DataError(msg)
    default = gdf["road_class"].map(ROAD_WIDTH_M)
    width = given.where(given.notna(), default)
    bad = width.notna() & ~(width > 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        msg = Message(
            "{source}: road {road} has width_m = {width}; widths must be positive metres"
            " (leave empty for the class default)",
            {"source": label, "road": _feature_label(gdf, "roads", i), "width": given.iloc[i]},
        )
        raise DataError(msg)
    return width.astype(float)


@dataclass(frozen=True, eq=False)
class Estate:
    """An estate: its layers, all in one metric projected CRS.

    Build one with :func:`load_estate` or :meth:`from_layers`. Layers absent from the
    source are empty frames with the columns of SPEC §1, so code can always ask for
    ``estate.roads``.

    Attributes
    ----------
    layers
        Layer name → GeoDataFrame in :attr:`crs`.
    crs
        The metric projected CRS of every layer.
    source
        Where the estate came from (a path, or ``"bundled"``).
    name
        Display name.
    source_crs
        Layer name → the CRS label it was stored in.
    load_findings
        Problems noticed while loading (dropped empty geometries, CRS warnings, …);
        :func:`kitland.validate` reports them with the rest.
    """

    layers: Mapping[str, gpd.GeoDataFrame]
    crs: pyproj.CRS
    source: str = ""
    name: str = "estate"
    source_crs: Mapping[str, str] = field(default_factory=dict)
    load_findings: tuple[Finding, ...] = ()

    @classmethod
    def from_layers(
        cls,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        crs: Any = None,
        source: str = "",
        name: str = "estate",
        strict: bool = True,
        near: Mapping[str, str] | None = None,
    ) -> Estate:
        """Build an estate from GeoDataFrames (one per layer name of SPEC §1).

        Parameters
        ----------
        layers
            Layer name → GeoDataFrame with a CRS.
        crs
            Metric projected CRS to measure in. Default: the WGS 84 UTM zone of the
            parcels (EPSG:32749 at KIT Batang), whatever CRS they are stored in;
            ``"input"`` keeps the parcels' CRS when it is projected and in metres
            (e.g. the land office's TM-3 grid, EPSG:23835) and stretches areas there by
            at most 0.5 % (web mercator, EPSG:3857, does not: 1.9 % at 6.3° S).
        strict
            When True, a missing required layer or column raises; when False it is
            recorded in :attr:`load_findings` (for :func:`kitland.validate`).
        near
            Required layer → a file or layer named like it that was not read
            (:func:`kitland.io.similar_layers`), named in the missing layer's message.

        Raises
        ------
        DataError
            A required layer or column is missing (``strict``), an unknown layer name,
            a negative road width.
        CRSError
            A layer without CRS, coordinates impossible for their CRS, a boundary
            whose extent does not overlap the parcels', another layer lying more than
            :data:`APART_KM` from the boundary, or a ``crs`` that is not metric and
            projected or stretches areas at the estate by more than 0.5 % (web mercator).

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> b = gpd.GeoDataFrame({"name": ["demo"]}, geometry=[box(0, 0, 200, 100)], crs=32749)
        >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b"], "land_use": ["industrial", "available"]},
        ...                      geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=32749)
        >>> Estate.from_layers({"boundary": b, "parcels": p}).area_ha
        2.0
        """
        unknown = set(layers) - set(LAYER_NAMES)
        if unknown:
            msg = Message(
                "unknown layer name(s) {names}; expected {expected}",
                {"names": str(sorted(unknown)), "expected": ", ".join(LAYER_NAMES)},
            )
            raise DataError(msg)
        findings: list[Finding] = []
        for req in REQUIRED_LAYERS:
            if req not in layers or len(layers[req]) == 0:
                what = "missing" if req not in layers else "empty"
                text = {
                    "missing": "{source}: required layer {layer!r} is missing",
                    "empty": "{source}: required layer {layer!r} is empty",
                }[what]
                if what == "missing" and (near or {}).get(req):
                    text = (
                        "{source}: required layer {layer!r} is missing; {near} is not read "
                        "as it: rename it to {layer} if it is that layer"
                    )
                found = Finding.of(f"{what}-layer", "error", req, "", text,
                                   source=source or "estate", layer=req,
                                   near=(near or {}).get(req, ""))  # fmt: skip
                if strict:
                    raise DataError(found.msg)
                findings.append(found)
        for lname, gdf in layers.items():
            if gdf.crs is None:
                msg = Message(
                    "{source} has no CRS; declare one", {"source": gdf.attrs.get("source", lname)}
                )
                raise CRSError(msg)
        work = cls._working_crs(layers, crs)
        out: dict[str, gpd.GeoDataFrame] = {}
        src: dict[str, str] = {}
        for lname in LAYER_NAMES:
            if lname not in layers:
                continue
            src[lname] = crs_label(layers[lname].crs)
            gdf, f = _normalise(lname, layers[lname], work, strict)
            out[lname] = gdf
            findings += f
        _require_together(out, src)
        return cls(out, work, source, name, src, tuple(findings))

    @staticmethod
    def _working_crs(layers: Mapping[str, gpd.GeoDataFrame], crs: Any) -> pyproj.CRS:
        ref = next(
            (layers[n] for n in ("parcels", "boundary") if n in layers and len(layers[n])), None
        )
        if ref is None:
            ref = next(iter(layers.values()))
        geoms = ref.geometry.to_numpy()
        geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
        lonlat = None
        if len(geoms):
            _check_coordinates(ref, ref.attrs.get("source", ""))  # it skips missing, empty ones
            x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(geoms))
            lonlat = _lonlat_bounds((x0, y0, x1, y1), pyproj.CRS.from_user_input(ref.crs))
        if crs is not None and not (isinstance(crs, str) and crs == "input"):
            c = pyproj.CRS.from_user_input(crs)
            if not is_metric_projected(c):
                msg = Message(
                    "crs={crs} is not a projected CRS in metres; choose one such as EPSG:32749",
                    {"crs": crs_label(c)},
                )
                raise CRSError(msg)
            stretched = None if lonlat is None else _stretched(c, lonlat)
            if stretched is not None:
                raise CRSError(stretched)
            return c
        keep = crs == "input" and is_metric_projected(ref.crs)
        stretched = _stretched(ref.crs, lonlat) if keep and lonlat is not None else None
        if stretched is not None:
            log.info("%s; measured in its UTM zone", stretched)
            keep = False  # as a lon/lat input is
        return metric_crs_for(ref.crs, lonlat, keep_input=keep)

    # -- layers -------------------------------------------------------------------
    def layer(self, name: str) -> gpd.GeoDataFrame:
        """The layer ``name``, or an empty frame with its columns when absent.

        Raises
        ------
        DataError
            If ``name`` is not a layer name of SPEC §1.
        """
        if name not in LAYER_SCHEMA:
            msg = Message(
                "unknown layer {layer!r}; expected one of {layers}",
                {"layer": name, "layers": ", ".join(LAYER_NAMES)},
            )
            raise DataError(msg)
        if name in self.layers:
            return self.layers[name]
        spec = LAYER_SCHEMA[name]
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in (*spec.required, *spec.optional)},
            geometry=gpd.GeoSeries([], crs=self.crs),
            crs=self.crs,
        )
        empty.attrs.update(layer=name, source=f"{self.source or self.name} (no {name} layer)")
        return empty

    @property
    def boundary(self) -> gpd.GeoDataFrame:
        """The estate boundary polygon(s)."""
        return self.layer("boundary")

    @property
    def parcels(self) -> gpd.GeoDataFrame:
        """Parcels, with ``parcel_id`` and ``land_use`` as text."""
        return self.layer("parcels")

    @property
    def roads(self) -> gpd.GeoDataFrame:
        """Road centrelines with ``width_m`` filled from the class default where missing."""
        return self.layer("roads")

    @property
    def gates(self) -> gpd.GeoDataFrame:
        """Gates (estate gates, toll exits, factory gates)."""
        return self.layer("gates")

    @property
    def water(self) -> gpd.GeoDataFrame:
        """Rivers, canals, coast and ponds."""
        return self.layer("water")

    @property
    def settlements(self) -> gpd.GeoDataFrame:
        """Villages and other settlements."""
        return self.layer("settlements")

    @cached_property
    def boundary_union(self) -> shapely.Geometry:
        """The boundary as one (multi)polygon; invalid parts (a bow-tie) are repaired with
        :func:`shapely.make_valid` first, so measuring never fails on them
        (:func:`kitland.validate` reports them as errors)."""
        geoms = self.boundary.geometry.to_numpy()
        bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
        if bad.any():
            geoms = geoms.copy()
            geoms[bad] = shapely.make_valid(geoms[bad])
        return shapely.union_all(geoms)

    @property
    def title(self) -> str:
        """The estate's name for titles: the boundary's ``name`` values, else :attr:`name`.

        Several boundary features with different names are joined with " / ".

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> b = gpd.GeoDataFrame({"name": [" KI Kendal "]}, geometry=[shapely.box(0, 0, 9, 9)],
        ...                      crs=32749)
        >>> p = b.assign(parcel_id="P1", land_use="industrial")
        >>> Estate.from_layers({"boundary": b, "parcels": p}, name="kendal_user").title
        'KI Kendal'
        """
        b = self.boundary
        if "name" in b.columns:
            names = [str(n).strip() for n in b["name"].dropna() if str(n).strip()]
            if names:
                return " / ".join(dict.fromkeys(names))
        return self.name

    @property
    def area_ha(self) -> float:
        """Planar area of the boundary in hectares."""
        return float(shapely.area(self.boundary_union)) / 10_000

    @cached_property
    def road_corridors(self) -> gpd.GeoSeries:
        """Each road's corridor: centreline buffered by ``width_m / 2`` with flat caps."""
        r = self.roads
        geoms = shapely.buffer(
            r.geometry.to_numpy(), r["width_m"].to_numpy(float) / 2, cap_style="flat"
        )
        return gpd.GeoSeries(geoms, index=r.index, crs=self.crs, name="corridor")

    def land_budget(self) -> pd.DataFrame:
        """Hectares and share of the estate per land use.

        Shares are of the boundary's area. Land uses with no parcel are left out.

        Examples
        --------
        >>> est = load_estate()
        >>> budget = est.land_budget()
        >>> list(budget.columns)
        ['area_ha', 'share_pct', 'parcels']
        >>> bool(budget["share_pct"].sum() > 95)
        True
        """
        p = self.parcels
        area = p.geometry.area / 10_000
        blank = p["land_use"].map(lambda v: v is None or (isinstance(v, str) and not v.strip()))
        use = p["land_use"].where(~(blank | p["land_use"].isna()), "(none)")
        g = pd.DataFrame({"land_use": use, "area_ha": area})
        out = g.groupby("land_use", sort=False).agg(
            area_ha=("area_ha", "sum"), parcels=("area_ha", "size")
        )
        order = [u for u in LAND_USES if u in out.index] + sorted(set(out.index) - set(LAND_USES))
        out = out.loc[order]
        total = self.area_ha or float(area.sum()) or 1.0
        out.insert(1, "share_pct", 100 * out["area_ha"] / total)
        out.index.name = "land_use"
        return out

    def select(self, layer: str = "parcels", **criteria: Any) -> gpd.GeoDataFrame:
        """Features of ``layer`` whose columns take one of the given values.

        Examples
        --------
        >>> est = load_estate()
        >>> len(est.select("water", kind=["river"])) > 0
        True
        """
        gdf = self.layer(layer)
        mask = pd.Series(True, index=gdf.index)
        for col, values in criteria.items():
            if col not in gdf.columns:
                msg = Message(
                    "layer {layer!r} has no column {column!r}", {"layer": layer, "column": col}
                )
                raise DataError(msg)
            vals = [values] if isinstance(values, str | int | float) else list(values)
            mask &= gdf[col].isin([_as_text(v) for v in vals])
        return gdf[mask]

    # -- display ------------------------------------------------------------------
    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.layers.items())
        return f"<Estate {self.title!r} {self.area_ha:,.1f} ha, {crs_label(self.crs)}: {counts}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(k)}</td><td>{len(v)}</td>"
            f"<td>{html.escape(self.source_crs.get(k, ''))}</td></tr>"
            for k, v in self.layers.items()
        )
        budget = self.land_budget()
        brows = "".join(
            f"<tr><td>{html.escape(str(u))}</td><td>{r.area_ha:,.1f}</td><td>{r.share_pct:.1f}%</td>"
            f"<td>{int(r.parcels)}</td></tr>"
            for u, r in budget.iterrows()
        )
        return (
            f"<div><b>Estate {html.escape(self.title)}</b> — {self.area_ha:,.1f} ha, "
            f"measured in {html.escape(crs_label(self.crs))}<br><small>{html.escape(self.source)}</small>"
            "<table><tr><th>layer</th><th>features</th><th>stored CRS</th></tr>"
            f"{rows}</table><table><tr><th>land use</th><th>ha</th><th>share</th><th>parcels</th></tr>"
            f"{brows}</table></div>"
        )

    def explore(self, **kwargs: Any) -> Any:
        """The interactive Folium map of this estate (see :func:`kitland.make_map`)."""
        from kitland.maps import make_map  # noqa: PLC0415 - maps sit above the model

        return make_map(self, **kwargs)

    map = explore


def load_estate(
    path: str | os.PathLike[str] | None = None,
    *,
    crs: Any = None,
    assume_crs: str | None = None,
    strict: bool = True,
) -> Estate:
    """Load an estate; with no path, the bundled illustrative KIT Batang estate.

    Parameters
    ----------
    path
        A GeoPackage (or any multi-layer vector file) or a folder of per-layer files.
    crs
        Metric projected CRS to measure in. Default: the UTM zone of the data
        (EPSG:32749 at KIT Batang) whatever CRS it is stored in, so areas do not depend
        on the storage CRS; ``"input"`` keeps a metric projected input CRS such as
        DGN95 / Indonesia TM-3 zone 49.1 (EPSG:23835), not web mercator (EPSG:3857),
        which stretches areas.
    assume_crs
        CRS for layers that declare none (otherwise they are an error).
    strict
        Raise on missing required layers/columns (True) or record them for
        :func:`kitland.validate` (False).

    Raises
    ------
    DataError
        Unreadable input, missing required layer or column.
    CRSError
        Missing CRS, or coordinates impossible for the declared CRS.

    Examples
    --------
    >>> est = load_estate()
    >>> est.crs.to_epsg(), len(est.parcels) > 100
    (32749, True)
    """
    if path is None:
        p = bundled_path("kit_batang.gpkg")
        name, source = "KIT Batang (illustrative)", BUNDLED_SOURCE
    else:
        p = Path(path)
        name, source = p.stem, str(p)
    layers = read_layers(p, assume_crs=assume_crs)
    missing = [n for n in REQUIRED_LAYERS if n not in layers]
    near = similar_layers(p, missing) if missing else {}
    return Estate.from_layers(layers, crs=crs, source=source, name=name, strict=strict, near=near)
