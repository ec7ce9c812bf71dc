"""Colours of the land uses, and QGIS layer styles (QML) for the GeoPackages kitland writes.

One place for the land-use colours: the meeting map, the picture, the KML and the QGIS
styles all draw with :data:`LAND_USE_COLOURS`. :func:`qml` builds a QGIS style for a
layer kitland writes (``parcels`` by land use with land-use labels, ``zone`` outlined
like the map's zone, ``boundary``, ``roads`` …); :func:`kitland.io.write_gpkg` stores it
in the GeoPackage's ``layer_styles`` table, so QGIS opens the layer styled.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from kitland.i18n import tr

__all__ = ["LAND_USE_COLOURS", "LAND_USE_WORDS", "qml"]

#: Fill colour per land use (the legend's order is :data:`kitland.estate.LAND_USES`).
LAND_USE_COLOURS = {
    "industrial": "#9b7fc4",
    "commercial": "#e8746b",
    "umkm": "#f4a259",
    "residential": "#f3d55b",
    "green": "#74c476",
    "utility": "#a3a3a3",
    "water": "#6baed6",
    "road": "#d4d4d4",
    "available": "#f4efdf",
}

#: Land use → its name for people (English msgid; :func:`kitland.i18n.tr` translates it).
LAND_USE_WORDS = {
    "industrial": "industrial plots", "commercial": "commercial", "umkm": "UMKM plots",
    "residential": "residential", "green": "green open space", "utility": "utilities",
    "water": "water body", "road": "road", "available": "available land",
}  # fmt: skip

_ZONE_LINE = "#c1121f"
_ZONE_FILL = "#ff8c1a"
# QGIS geometry type codes of <layerGeometryType>: 0 point, 1 line, 2 polygon.
_GEOMETRY_CODE = {"Point": 0, "LineString": 1, "Polygon": 2}


def _rgba(hex_rgb: str, alpha: int = 255) -> str:
    r, g, b = (int(hex_rgb[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{alpha}"


def _options(parent: ET.Element, **values: str) -> None:
    opts = ET.SubElement(parent, "Option", type="Map")
    for name, value in values.items():
        ET.SubElement(opts, "Option", name=name, type="QString", value=value)


def _symbol(parent: ET.Element, name: str, family: str, *, fill: str | None, line: str,
            width_mm: float, fill_alpha: int = 255, dash: bool = False) -> None:  # fmt: skip
    kind = {"Polygon": "fill", "LineString": "line", "Point": "marker"}[family]
    sym = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1",
                        force_rhr="0")  # fmt: skip
    if family == "Polygon":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})  # fmt: skip
        _options(layer, color=_rgba(fill or "#ffffff", fill_alpha if fill else 0),
                 style="solid" if fill else "no", outline_color=_rgba(line),
                 outline_width=f"{width_mm:g}", outline_width_unit="MM",
                 outline_style="dash" if dash else "solid")  # fmt: skip
    elif family == "LineString":
        layer = ET.SubElement(sym, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"})  # fmt: skip
        _options(layer, line_color=_rgba(line), line_width=f"{width_mm:g}", line_width_unit="MM",
                 line_style="dash" if dash else "solid")  # fmt: skip
    else:
        layer = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})  # fmt: skip
        _options(layer, color=_rgba(fill or line), outline_color="255,255,255,255",
                 size=f"{width_mm:g}", size_unit="MM", name="circle")  # fmt: skip


def _labels(root: ET.Element, expression: str, *, max_scale: int) -> None:
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ET.SubElement(settings, "text-style", fieldName=expression, isExpression="1", fontSize="8",
                  fontSizeUnit="Point", textColor="50,50,50,255", fontFamily="Sans Serif")  # fmt: skip
    ET.SubElement(settings, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferColor="255,255,255,255",
                  bufferSizeUnits="MM")  # fmt: skip
    ET.SubElement(settings, "placement", placement="1")  # around/over the centroid
    ET.SubElement(settings, "rendering", scaleVisibility="1", scaleMin="1", scaleMax=str(max_scale))
    ET.SubElement(root, "labelsEnabled").text = "1"


def _quote(text: str) -> str:
    """A QGIS expression string literal."""
    return "'" + text.replace("'", "''") + "'"


def qml(layer: str, family: str, *, lang: str = "id") -> str | None:
    """A QGIS style (QML text) for a layer kitland writes; None for a layer it does not style.

    ``parcels`` are filled by ``land_use`` in the map's colours and labelled with the
    land use's name in ``lang`` (and the parcel id) at 1:10,000 and closer; ``zone``
    (placements) is outlined in the map's zone red and labelled ``zone_id``; ``boundary``
    is a dashed outline; other layers get a plain symbol of their geometry ``family``
    (``Polygon``, ``LineString`` or ``Point``).

    Examples
    --------
    >>> text = qml("parcels", "Polygon", lang="en")
    >>> ET.fromstring(text.split("\\n", 1)[1]).find("renderer-v2").get("attr")
    'land_use'
    """
    if family not in _GEOMETRY_CODE:
        return None
    root = ET.Element("qgis", version="3.28.0", styleCategories="Symbology|Labeling")
    if layer == "parcels" and family == "Polygon":
        r = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr="land_use",
                          symbollevels="0", enableorderby="0", forceraster="0")  # fmt: skip
        cats = ET.SubElement(r, "categories")
        syms = ET.SubElement(r, "symbols")
        for i, (use, colour) in enumerate(LAND_USE_COLOURS.items()):
            ET.SubElement(cats, "category", value=use, symbol=str(i), render="true",
                          label=tr(lang, LAND_USE_WORDS[use]))  # fmt: skip
            _symbol(
                syms, str(i), family, fill=colour, line="#5f5f5f", width_mm=0.15, fill_alpha=200
            )
        whens = " ".join(
            f"WHEN {_quote(u)} THEN {_quote(tr(lang, w))}" for u, w in LAND_USE_WORDS.items()
        )
        _labels(root, f'"parcel_id" || \'\\n\' || CASE "land_use" {whens} ELSE "land_use" END',
                max_scale=10_000)  # fmt: skip
    else:
        r = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0",
                          enableorderby="0", forceraster="0")  # fmt: skip
        syms = ET.SubElement(r, "symbols")
        if layer == "zone":
            _symbol(
                syms, "0", family, fill=_ZONE_FILL, line=_ZONE_LINE, width_mm=0.9, fill_alpha=110
            )
            _labels(root, '"zone_id"', max_scale=50_000)
        elif layer == "boundary":
            _symbol(syms, "0", family, fill=None, line="#212529", width_mm=0.7, dash=True)
        else:
            _symbol(syms, "0", family, fill="#6baed6", line="#495057", width_mm=0.4, fill_alpha=150)
    ET.SubElement(root, "layerGeometryType").text = str(_GEOMETRY_CODE[family])
    ET.indent(root)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(
        root, encoding="unicode"
    )
