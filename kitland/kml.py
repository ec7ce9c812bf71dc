"""KML for Google Earth: the estate's boundary, parcels by land use, roads, water,
gates, and zones.

GDAL's KML drivers are not in every fiona build (the wheels kitland installs have
neither KML nor LIBKML), so the file is written here with :mod:`xml.etree`, which
escapes every text from data. Coordinates are longitude/latitude (KML is always
WGS 84), rounded to 7 decimals (about 1 cm); parcels are filled in the map's land-use
colours and named by ``parcel_id``, with the land use (in the map's language), tenant
and area in the description. Roads are their corridors (the centreline buffered by
half the width, as the rules measure them) in the map's road-class colours; rivers,
canals and the coast are lines and ponds polygons, in the map's water colours; gates are
points in the map's gate colours; each in a folder of its own, named as the map's
layer, the class, kind and width in the description. Zones are drawn as the map draws them: one zone in the
map's zone colour, several (zones or ranks) each in a colour of its own
(:data:`kitland.maps.ZONE_COLOURS`), every one outlined in its verdict's colour
(:data:`kitland.maps.STATUS_COLOURS`), its verdict and failing rules in the description.

Google Earth shows a description as HTML, so the text from data in it is escaped for
HTML (and its ``$[…]`` entities) before the XML escaping; a placemark's balloon shows
its description only, which starts with the name (escaped the same way).
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
from kitland.report import Report

__all__ = ["write_kml"]

_NS = "http://www.opengis.net/kml/2.2"
#: A zone's fill opacity (0–255), as the map's zone layer.
_ZONE_ALPHA = 0x80


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
    parts = [g for g in shapely.get_parts(geom)
             if isinstance(g, shapely.Polygon | shapely.LineString | shapely.Point) and not g.is_empty]  # fmt: skip
    target = parent if len(parts) == 1 else ET.SubElement(parent, "MultiGeometry")
    for part in parts:
        if isinstance(part, shapely.Polygon):
            _polygon(target, part)
        else:  # a LineString or a Point: its coordinates as they are
            kind = "LineString" if isinstance(part, shapely.LineString) else "Point"
            ET.SubElement(ET.SubElement(target, kind), "coordinates").text = _coords(part)


def _style(doc: ET.Element, sid: str, fill: str, *, line: str = "#5f5f5f", fill_alpha: int = 0xB8,
           width: float = 1.0, icon: str | None = None) -> None:  # fmt: skip
    st = ET.SubElement(doc, "Style", id=sid)
    ls = ET.SubElement(st, "LineStyle")
    ET.SubElement(ls, "color").text = _abgr(line, 0xFF)
    ET.SubElement(ls, "width").text = f"{width:g}"
    ps = ET.SubElement(st, "PolyStyle")
    ET.SubElement(ps, "color").text = _abgr(fill, fill_alpha)
    if fill_alpha == 0:
        ET.SubElement(ps, "fill").text = "0"
    if icon is not None:  # points: the pushpin in the fill colour
        ET.SubElement(ET.SubElement(st, "IconStyle"), "color").text = _abgr(icon, 0xFF)
    # The balloon shows the escaped description only (it starts with the name), never
    # the raw name as HTML.
    ET.SubElement(ET.SubElement(st, "BalloonStyle"), "text").text = "$[description]"


def _placemark(folder: ET.Element, name: str, lines: Sequence[str], style: str, geom: Any) -> None:
    """A placemark; its name in bold and ``lines`` (text, data included) become its HTML
    description, each escaped."""
    from kitland.maps import _esc  # noqa: PLC0415 - the map's escaping of data for HTML

    pm = ET.SubElement(folder, "Placemark")
    ET.SubElement(pm, "name").text = name
    html = [f"<b>{_esc(name)}</b>", *(_esc(x) for x in lines if x)]
    ET.SubElement(pm, "description").text = "<br>".join(html)
    ET.SubElement(pm, "styleUrl").text = f"#{style}"
    _geometry(pm, geom)


def write_kml(
    path: str | os.PathLike[str],
    estate: Estate,
    *,
    zones: Sequence[tuple[str, Any] | tuple[str, Any, Report | None]] = (),
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
        ``(name, zone)`` or ``(name, zone, report)``: a zone is a shapely geometry in the
        estate's CRS or a GeoDataFrame/GeoSeries with a CRS; its report (from
        :func:`kitland.check`, or a placement's) gives the outline's colour and the
        verdict in the description (none: "not checked").
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
    from kitland.maps import LAND_USE_COLOURS, _label, estate_title  # noqa: PLC0415

    ET.register_namespace("", _NS)
    kml = ET.Element("kml", xmlns=_NS)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = estate_title(estate, lang)
    for use, colour in LAND_USE_COLOURS.items():
        _style(doc, f"lu-{use}", colour)
    _style(doc, "lu-other", "#ffffff")
    _style(doc, "boundary", "#212529", line="#212529", fill_alpha=0, width=3)
    zone_folder = _zones(doc, estate, zones, lang) if zones else None  # styles come first

    def lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoSeries:
        return gdf.geometry.to_crs(4326)

    folder = ET.SubElement(doc, "Folder")
    ET.SubElement(folder, "name").text = _label(lang, "L_boundary")
    b = estate.boundary
    names = b["name"] if "name" in b.columns else [None] * len(b)
    for geom, name in zip(lonlat(b), names, strict=True):
        _placemark(folder, name if isinstance(name, str) and name.strip() else estate.name, (),
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
        _placemark(folder, str(row.get("parcel_id", "")), lines, style, geom)
    _features(doc, estate, lang)
    if zone_folder is not None:
        doc.append(zone_folder)
    ET.indent(kml)
    target = Path(path)
    with atomic_path(target) as tmp:
        ET.ElementTree(kml).write(tmp, encoding="utf-8", xml_declaration=True)
    return target


def _features(doc: ET.Element, estate: Estate, lang: str) -> None:
    """The roads, water and gates folders (each only when the estate has the layer),
    with their styles, in the map's colours and words."""
    from kitland.maps import _GATE_STYLE, _ROAD_STYLE, _WATER_STYLE, _label  # noqa: PLC0415

    def text(row: Any, col: str) -> str:
        v = row.get(col)
        return v if isinstance(v, str) and v else ""

    def folder(key: str) -> ET.Element:
        f = ET.SubElement(doc, "Folder")
        ET.SubElement(f, "name").text = _label(lang, key)
        return f

    r = estate.roads
    if not r.empty:
        for cls, st in _ROAD_STYLE.items():
            _style(doc, f"road-{cls}", st["fillColor"], line=st["color"], fill_alpha=0xD9)
        corridors = estate.road_corridors.to_crs(4326)
        f = folder("L_roads")
        for (_, row), geom in zip(r.iterrows(), corridors, strict=True):
            cls = text(row, "road_class")
            width = f"{_label(lang, 'width')}: {number(float(row['width_m']), lang, 0)} m"
            _placemark(f, text(row, "name") or text(row, "road_id"),
                       [_label(lang, cls) if cls else "", width],
                       f"road-{cls if cls in _ROAD_STYLE else 'local'}", geom)  # fmt: skip
    w = estate.water
    if not w.empty:
        for kind, st in _WATER_STYLE.items():
            _style(doc, f"water-{kind or 'other'}", st.get("fillColor", st["color"]),
                   line=st["color"], width=st["weight"],
                   fill_alpha=round(255 * st.get("fillOpacity", 0.6)))  # fmt: skip
        f = folder("L_water")
        for (_, row), geom in zip(w.iterrows(), w.geometry.to_crs(4326), strict=True):
            kind = text(row, "kind")
            name = text(row, "name") or (_label(lang, kind) if kind else "")
            _placemark(f, name, [_label(lang, kind) if kind else ""],
                       f"water-{kind if kind in _WATER_STYLE else 'other'}", geom)  # fmt: skip
    g = estate.gates
    if not g.empty:
        for kind, st in _GATE_STYLE.items():
            _style(doc, f"gate-{kind}", st["fillColor"], icon=st["fillColor"])
        _style(doc, "gate-other", "#000000", icon="#000000")
        f = folder("L_gates")
        for (_, row), geom in zip(g.iterrows(), g.geometry.to_crs(4326), strict=True):
            kind = text(row, "kind")
            _placemark(f, text(row, "name") or text(row, "gate_id"),
                       [_label(lang, kind) if kind else ""],
                       f"gate-{kind if kind in _GATE_STYLE else 'other'}", geom)  # fmt: skip


def _zones(
    doc: ET.Element,
    estate: Estate,
    zones: Sequence[tuple[str, Any] | tuple[str, Any, Report | None]],
    lang: str,
) -> ET.Element:
    """The zones' folder (not yet in ``doc``); each zone's style (fill, verdict outline)
    is added to ``doc``."""
    from kitland.maps import (  # noqa: PLC0415 - the map's colours and words
        _ZONE_STYLE,
        STATUS_COLOURS,
        ZONE_COLOURS,
        _failing_lines,
        _label,
        _verdict,
        status_of,
    )

    geoms = [as_zone(z[1], estate, label=z[0]) for z in zones]
    folder = ET.Element("Folder")
    ET.SubElement(folder, "name").text = tr(lang, "Zones")
    lonlat = gpd.GeoSeries(geoms, crs=estate.crs).to_crs(4326)
    for i, (z, g, ll) in enumerate(zip(zones, geoms, lonlat, strict=True)):
        name = str(z[0])
        report = z[2] if len(z) > 2 else None
        report = report if isinstance(report, Report) else None
        fill = _ZONE_STYLE["fillColor"] if len(zones) == 1 else ZONE_COLOURS[i % len(ZONE_COLOURS)]
        sid = f"zone-{i + 1}"
        _style(doc, sid, fill, line=STATUS_COLOURS[status_of(report)], fill_alpha=_ZONE_ALPHA,
               width=4)  # fmt: skip
        lines = [
            _verdict(report, lang),
            f"{_label(lang, 'area')}: {number(g.area / 1e4, lang, 2)} ha",
            *_failing_lines(report, lang),
        ]
        _placemark(folder, name, lines, sid, ll)
    return folder
