"""KML for Google Earth: the estate's boundary, its parcels by land use, and zones.

GDAL's KML drivers are not in every fiona build (the wheels kitland installs have
neither KML nor LIBKML), so the file is written here with :mod:`xml.etree`, which
escapes every text from data. Coordinates are longitude/latitude (KML is always
WGS 84), rounded to 7 decimals (about 1 cm); parcels are filled in the map's land-use
colours and named by ``parcel_id``, with the land use (in the map's language), tenant
and area in the description.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd
import shapely

from kitland.estate import Estate
from kitland.i18n import number, tr
from kitland.io import atomic_path
from kitland.measure import as_zone

__all__ = ["write_kml"]

_NS = "http://www.opengis.net/kml/2.2"
_ZONE_COLOUR = "#c1121f"


def _abgr(hex_rgb: str, alpha: int) -> str:
    """KML's colour order: alpha, blue, green, red."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{b}{g}{r}"


def _coords(ring: Any) -> str:
    return " ".join(f"{x:.7f},{y:.7f}" for x, y in ring.coords)


def _polygon(parent: ET.Element, poly: shapely.Polygon) -> None:
    p = ET.SubElement(parent, "Polygon")
    outer = ET.SubElement(ET.SubElement(p, "outerBoundaryIs"), "LinearRing")
    ET.SubElement(outer, "coordinates").text = _coords(poly.exterior)
    for hole in poly.interiors:
        inner = ET.SubElement(ET.SubElement(p, "innerBoundaryIs"), "LinearRing")
        ET.SubElement(inner, "coordinates").text = _coords(hole)


def _geometry(parent: ET.Element, geom: shapely.Geometry) -> None:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon)]
    target = parent if len(parts) == 1 else ET.SubElement(parent, "MultiGeometry")
    for part in parts:
        _polygon(target, part)


def _style(doc: ET.Element, sid: str, fill: str, *, line: str = "#5f5f5f", fill_alpha: int = 0xB8,
           width: float = 1.0) -> None:  # fmt: skip
    st = ET.SubElement(doc, "Style", id=sid)
    ls = ET.SubElement(st, "LineStyle")
    ET.SubElement(ls, "color").text = _abgr(line, 0xFF)
    ET.SubElement(ls, "width").text = f"{width:g}"
    ps = ET.SubElement(st, "PolyStyle")
    ET.SubElement(ps, "color").text = _abgr(fill, fill_alpha)
    if fill_alpha == 0:
        ET.SubElement(ps, "fill").text = "0"


def _placemark(folder: ET.Element, name: str, description: str, style: str, geom: Any) -> None:
    pm = ET.SubElement(folder, "Placemark")
    ET.SubElement(pm, "name").text = name
    if description:
        ET.SubElement(pm, "description").text = description
    ET.SubElement(pm, "styleUrl").text = f"#{style}"
    _geometry(pm, geom)


def write_kml(
    path: str | os.PathLike[str],
    estate: Estate,
    *,
    zones: Sequence[tuple[str, Any]] = (),
    lang: str = "id",
) -> Path:
    """Write the estate (boundary, parcels by land use) and ``zones`` as KML, whole or not at all.

    Parameters
    ----------
    path
        The ``.kml`` file to write.
    estate
        The estate.
    zones
        ``(name, zone)`` pairs; a zone is a shapely geometry in the estate's CRS or a
        GeoDataFrame/GeoSeries with a CRS.
    lang
        Language of the land-use names and folder titles.

    Raises
    ------
    DataError
        If a zone is unusable or ``path`` cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib, kitland
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "estate.kml"
    >>> _ = write_kml(out, kitland.load_estate())
    >>> ET.parse(out).getroot().tag
    '{http://www.opengis.net/kml/2.2}kml'
    """
    from kitland.maps import LAND_USE_COLOURS, _label  # noqa: PLC0415 - the map's colours, words

    ET.register_namespace("", _NS)
    kml = ET.Element("kml", xmlns=_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = estate.name
    for use, colour in LAND_USE_COLOURS.items():
        _style(doc, f"lu-{use}", colour)
    _style(doc, "lu-other", "#ffffff")
    _style(doc, "boundary", "#212529", line="#212529", fill_alpha=0, width=3)
    _style(doc, "zone", "#ff8c1a", line=_ZONE_COLOUR, fill_alpha=0x80, width=4)

    def lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
        return gdf.geometry.to_crs(4326)

    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = _label(lang, "L_boundary")
    b = estate.boundary
    names = b["name"] if "name" in b.columns else [None] * len(b)
    for geom, name in zip(lonlat(b), names, strict=True):
        _placemark(folder, name if isinstance(name, str) and name else estate.name, "",
                   "boundary", geom)  # fmt: skip
    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = _label(lang, "L_parcels")
    p = estate.parcels
    for (_, row), geom, area in zip(p.iterrows(), lonlat(p), p.geometry.area, strict=True):
        use = row.get("land_use")
        lines = [_label(lang, use) if isinstance(use, str) else ""]
        tenant = row.get("tenant")
        if isinstance(tenant, str) and tenant:
            lines.append(f"{_label(lang, 'tenant')}: {tenant}")
        lines.append(f"{_label(lang, 'area')}: {number(area / 1e4, lang, 2)} ha")
        style = f"lu-{use}" if use in LAND_USE_COLOURS else "lu-other"
        _placemark(
            folder, str(row.get("parcel_id", "")), "\n".join(x for x in lines if x), style, geom
        )
    if zones:
        folder = ET.SubElement(doc, "Folder")
        ET.SubElement(folder, "name").text = tr(lang, "Zones")
        for name, zone in zones:
            g = as_zone(zone, estate, label=name)
            ll = gpd.GeoSeries([g], crs=estate.crs).to_crs(4326).iloc[0]
            desc = f"{_label(lang, 'area')}: {number(g.area / 1e4, lang, 2)} ha"
            _placemark(folder, name, desc, "zone", ll)
    ET.indent(kml)
    target = Path(path)
    with atomic_path(target) as tmp:
        ET.ElementTree(kml).write(tmp, encoding="utf-8", xml_declaration=True)
    return target
