"""Meeting maps: the interactive Folium map and the static PNG of an estate and its zone.

This is the only module that reprojects to EPSG:4326 (longitude/latitude for Leaflet);
everything else measures in the estate's metric CRS. Every layer is drawn from data
in the estate's CRS, simplified there within a tolerance far below the snapping
tolerance of the rules (so no displayed rule result can change), reprojected, and its
coordinates rounded to 6 decimals of a degree (about 0.1 m).

Every text that comes from data (parcel ids, tenants, names, rule messages, the title)
is HTML-escaped before it reaches the page, and it is passed to the page as JSON data,
never as template source: a tenant named ``<img src=x onerror=alert(1)>`` or
``{{ x }}`` shows as that text.

Offline maps (``offline=True``) inline Leaflet and the plugins from the copies in
``kitland/_assets`` (taken from their npm packages, see the README there), draw no tile
layer, and show the bundled village boundaries and coastline as the context basemap.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import xyzservices.providers as xyz
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from kitland._errors import DataError, KitlandError
from kitland.estate import BUNDLED_SOURCE, LAND_USES, Estate, bundled_path
from kitland.i18n import LANGS, Message, day_text, label, number
from kitland.io import atomic_path
from kitland.measure import as_zone
from kitland.report import Report, RuleResult, ZonesReport, rule_label
from kitland.rules import Rules
from kitland.styles import LAND_USE_COLOURS

__all__ = [
    "LAND_USE_COLOURS", "LANGS", "STATUS_COLOURS", "add_draw_tool", "add_plots",
    "add_share_layer", "add_table", "compare_map", "estate_title", "make_map", "save_map",
    "save_png", "status_of", "verdict_text",
]  # fmt: skip

log = logging.getLogger(__name__)


_UNKNOWN_COLOUR = "#ffffff"
#: Outline (and title) colour of a zone by its verdict: passes, fails, not checked.
STATUS_COLOURS = {"pass": "#1a7f37", "fail": "#d00000", "unchecked": "#5f3dc4"}
#: Parcel ids and tenants are labelled from this zoom level on (about 1:8,000 on screen).
LABEL_MIN_ZOOM = 17
_ZONE_STYLE: dict[str, Any] = {
    "color": "#c1121f",
    "weight": 4,
    "fillColor": "#ff8c1a",
    "fillOpacity": 0.45,
}
_ALT_STYLE: dict[str, Any] = {
    "color": "#6a1b9a",
    "weight": 3,
    "dashArray": "8 6",
    "fillColor": "#ba68c8",
    "fillOpacity": 0.12,
}
_ROAD_STYLE: dict[str, dict[str, Any]] = {
    "toll": {"color": "#b8470b", "fillColor": "#e8590c"},
    "arterial": {"color": "#c77700", "fillColor": "#f59f00"},
    "collector": {"color": "#b08900", "fillColor": "#fcc419"},
    "local": {"color": "#6b6b6b", "fillColor": "#bdbdbd"},
}
_GATE_STYLE: dict[str, dict[str, Any]] = {
    "estate_gate": {"radius": 7, "fillColor": "#2b8a3e"},
    "toll_exit": {"radius": 9, "fillColor": "#d9480f"},
    "factory_gate": {"radius": 5, "fillColor": "#495057"},
}
_WATER_STYLE: dict[str, dict[str, Any]] = {
    "river": {"color": "#1971c2", "weight": 4, "fillColor": "#74c0fc", "fillOpacity": 0.6},
    "canal": {"color": "#4dabf7", "weight": 3, "fillColor": "#74c0fc", "fillOpacity": 0.6},
    "coast": {"color": "#0b3d91", "weight": 4, "fillColor": "#74c0fc", "fillOpacity": 0.4},
    "pond": {"color": "#1971c2", "weight": 1, "fillColor": "#74c0fc", "fillOpacity": 0.7},
    "": {"color": "#1971c2", "weight": 3},
}
_DIAG_STYLE: dict[str, dict[str, Any]] = {
    "frontage": {"color": "#0096c7", "weight": 8, "opacity": 0.9},
    "adjacent": {"color": "#5a189a", "weight": 8, "opacity": 0.9},
    "gate_path": {"color": "#1d3557", "weight": 5, "dashArray": "10 6", "opacity": 0.95},
    "setback_bands": {
        "color": "#1c7ed6",
        "weight": 1,
        "dashArray": "4 4",
        "fillColor": "#4dabf7",
        "fillOpacity": 0.2,
    },
}

# Simplification tolerance per layer, metres. The rules snap at ε = 0.5 m (SPEC §3);
# drawn geometry moves by at most this much, and the zone itself is never simplified.
_SIMPLIFY_M = {
    "parcels": 0.5,
    "roads": 0.5,
    "water": 0.5,
    "boundary": 0.5,
    "settlements": 2.0,
    "context": 5.0,
}
_JINJA_OPEN = re.compile(r"\{[{%#]")
_DECIMALS = 6  # degrees: 1e-6° ≈ 0.11 m of latitude
_CONTEXT_MARGIN_M = 4000.0


# --------------------------------------------------------------------------- text
def _esc(value: Any) -> str:
    """Text made safe for HTML, attribute values and JavaScript template literals."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = html.escape(str(value), quote=True)
    # Also neutral in JavaScript template literals and to Jinja (see _js).
    return (
        text.replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("\\", "&#92;")
        .replace("{", "&#123;")
    )


def _js(value: Any) -> str:
    """JSON for a ``<script>`` block that no data can break out of.

    ``<``, ``>`` and ``&`` are escaped so no tag can close the block. Braces that would
    open a Jinja tag (``{{``, ``{%``, ``{#``) are escaped too: branca compiles the text
    that a macro renders as a template once more, so such text in data would be
    evaluated (template injection) instead of shown. JSON syntax itself never puts
    two such characters side by side, so only string contents change.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("{{", "{\\u007b").replace("{%", "{\\u0025").replace("{#", "{\\u0023")


def _not_a_language(lang: str) -> Message:
    """The error line of a ``lang`` kitland does not speak."""
    return Message(
        "lang={lang!r} is not a map language; expected one of {langs}",
        {"lang": lang, "langs": ", ".join(LANGS)},
    )


def _check_no_jinja(code: str) -> str:
    if _JINJA_OPEN.search(code):
        msg = "internal: generated map code would open a Jinja tag; escape it with _js()"
        raise KitlandError(msg)
    return code


def _num(value: float, lang: str, decimals: int = 0) -> str:
    return number(value, lang, decimals)


def _label(lang: str, key: str) -> str:
    return label(lang, key)


def status_of(report: Report | None) -> str:
    """``"pass"``, ``"fail"`` or ``"unchecked"`` (no report): the key of :data:`STATUS_COLOURS`.

    The verdict is the zone's: its own rules (and between rules). A layout rule judges the
    estate's plan, which the zone does not make pass or fail, so it does not turn the
    zone red; :func:`verdict_text` names it beside the verdict.
    """
    if report is None:
        return "unchecked"
    return "fail" if any(r.scope != "layout" for r in report.failed) else "pass"


def verdict_text(report: Report, lang: str) -> str:
    """The verdict line: "PASS — all rules hold", "FAIL — 2 of 11 rules fail", or, when
    only layout rules fail, "PASS — the zone's rules hold; 1 layout rule fails"."""
    results = report.all_results() if isinstance(report, ZonesReport) else report.results
    if status_of(report) == "fail":
        return _label(lang, "fail").format(n=len(report.failed), total=len(results))
    if report.failed:
        return _label(lang, "pass_layout_fails").format(n=len(report.failed))
    return _label(lang, "pass")


def _verdict(report: Report | None, lang: str) -> str:
    """LULUS / GAGAL / BELUM DIPERIKSA (PASS / FAIL / NOT CHECKED)."""
    return _label(
        lang, {"pass": "PASS", "fail": "FAIL", "unchecked": "NOT CHECKED"}[status_of(report)]
    )


def _failing_lines(report: Report | None, lang: str) -> list[str]:
    """One line per failing rule: its name, measured value and requirement (plain text)."""
    if report is None:
        return []
    return [
        f"✗ {r.label(lang)}: {r.value_text(lang)} ({_label(lang, 'required')} {r.required_text(lang)})"
        for r in report.failed
    ]


def estate_title(estate: Estate, lang: str = "id") -> str:
    """The estate's name for a title: the boundary's ``name`` attribute, else ``estate.name``.

    The bundled estate is called "KIT Batang (illustrative)" in ``lang``.

    Examples
    --------
    >>> import kitland
    >>> estate_title(kitland.load_estate(), "id")
    'KIT Batang (ilustratif)'
    """
    if estate.source == BUNDLED_SOURCE:
        return _label(lang, "bundled_name")
    return estate.title


def _score_text(score: float, lang: str) -> str:
    return f"{_label(lang, 'score')} {number(score, lang, 1)} m"


# --------------------------------------------------------------------------- geometry
def _zone_geometry(zone: Any, estate: Estate, what: str = "zone") -> shapely.Geometry | None:
    """The zone as one shapely geometry in the estate's CRS (see :func:`kitland.measure.as_zone`)."""
    if zone is None:
        return None
    return as_zone(zone, estate, label=what)


def _to_lonlat(
    geoms: Iterable[shapely.Geometry], crs: Any, *, simplify_m: float = 0.0
) -> list[Any]:
    """Simplify in the metric CRS, reproject to EPSG:4326, round to ~0.1 m."""
    arr = np.asarray(list(geoms), dtype=object)
    if arr.size == 0:
        return []
    if simplify_m > 0:
        arr = shapely.simplify(arr, simplify_m, preserve_topology=True)
    lonlat = gpd.GeoSeries(arr, crs=crs).to_crs(4326).to_numpy()
    rounded = shapely.transform(lonlat, lambda xy: np.round(xy, _DECIMALS))
    return [shapely.geometry.mapping(g) for g in rounded]


def _collection(
    gdf: gpd.GeoDataFrame, crs: Any, props: Sequence[dict[str, Any]], *, simplify_m: float = 0.0
) -> dict[str, Any]:
    geoms = _to_lonlat(gdf.geometry.to_numpy(), crs, simplify_m=simplify_m)
    feats = [
        {"type": "Feature", "geometry": g, "properties": p}
        for g, p in zip(geoms, props, strict=True)
        if g is not None
    ]
    return {"type": "FeatureCollection", "features": feats}


def _col(row: pd.Series, name: str) -> Any:
    v = row.get(name)
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v


def _tip(title: Any, *lines: tuple[str, Any]) -> str:
    parts = [f"<b>{_esc(title)}</b>"] if title not in (None, "") else []
    parts += [f"{_esc(k)}: {_esc(v)}" if k else _esc(v) for k, v in lines if v not in (None, "")]
    return "<br>".join(parts)


# --------------------------------------------------------------------------- folium elements
class _GeoLayer(folium.map.Layer):
    """A GeoJSON overlay: styles by category, escaped tooltips and popups from properties.

    Data reach the page through ``tojson`` only (never as template source).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            interactive: {{ this.interactive|tojson }},
            style: function (f) {
                var s = {{ this.styles_js }};
                return s[f.properties.c] || s[""] || {};
            },
            pointToLayer: function (f, latlng) {
                var s = {{ this.styles_js }};
                if (f.properties.label) {  // a name: escaped text in a label icon
                    return L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon(
                        {className: "kit-label", html: f.properties.label, iconSize: null})});
                }
                return L.circleMarker(latlng, s[f.properties.c] || s[""] || {});
            },
            onEachFeature: function (f, layer) {
                var p = f.properties;
                if (p.tip) { layer.bindTooltip(p.tip, {sticky: true}); }
                if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 520}); }
                {% if this.highlight %}
                layer.on("mouseover", function () { layer.setStyle({weight: 3, color: "#000"}); });
                layer.on("mouseout", function () { {{ this.get_name() }}.resetStyle(layer); });
                {% endif %}
            }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        styles: Mapping[str, Mapping[str, Any]],
        show: bool = True,
        interactive: bool = True,
        highlight: bool = False,
        kind: str = "",
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoLayer"
        self.data = data
        self.data_js = _js(data)
        self.styles_js = _js({k: dict(v) for k, v in styles.items()})
        self.interactive = interactive
        self.highlight = highlight
        self.kind = kind  # what the layer shows (tests and tools can find it)


class _Script(MacroElement):
    """A script block with code built by kitland (user text inside only as escaped JSON)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) { {{ this.code }} })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "KitScript"
        self.code = _check_no_jinja(code)


class _Head(MacroElement):
    """Raw content for ``<head>`` (kitland's CSS, or the inlined offline assets)."""

    _template = Template("{% macro header(this, kwargs) %}{{ this.content }}{% endmacro %}")

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "KitHead"
        if "endraw" in content:
            msg = "internal: <head> content cannot be protected from Jinja (contains 'endraw')"
            raise KitlandError(msg)
        # branca renders a macro's output as a template again: keep it verbatim.
        self.content = "{% raw %}" + content + "{% endraw %}"


class _Body(MacroElement):
    """Raw HTML for ``<body>`` built by kitland from escaped text (the title block)."""

    _template = Template("{% macro html(this, kwargs) %}{{ this.content }}{% endmacro %}")

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "KitBody"
        self.content = _check_no_jinja(content)


class _MiniMapAssets(JSCSSMixin, MacroElement):
    """Links the leaflet-minimap plugin (kitland draws its own inset with it, see _inset_js)."""

    _template = Template("")
    default_js = list(folium.plugins.MiniMap.default_js)  # noqa: RUF012 - as folium's plugins
    default_css = list(folium.plugins.MiniMap.default_css)  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self._name = "KitMiniMapAssets"


class _LayerControl(folium.LayerControl):
    """The layer control, listing overlays top-most first (as GIS desktop tools do)."""

    def render(self, **kwargs: Any) -> Any:
        self.reset()
        parent = self._parent
        assert parent is not None, "add the layer control to a map first"
        for item in parent._children.values():
            if isinstance(item, folium.map.Layer) and item.control:
                table = self.overlays if item.overlay else self.base_layers
                table[item.layer_name] = item.get_name()
        self.overlays = OrderedDict(reversed(list(self.overlays.items())))
        return MacroElement.render(self, **kwargs)


_CSS = """
<style>
.kit-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
  background:rgba(255,255,255,.93);padding:6px 14px;border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);
  font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:center;max-width:60%;pointer-events:none}
.kit-title b{font-size:16px}
.kit-title .kit-warn{color:#b00020;font-weight:600}
.kit-title{border-top:6px solid var(--kit-status,#888)}
.kit-verdict{display:inline-block;margin-left:8px;padding:1px 10px;border-radius:4px;color:#fff;
  font-weight:700;font-size:15px;letter-spacing:.04em;background:var(--kit-status,#888)}
.kit-failing{margin:3px 0;padding:0;list-style:none;color:#9b0000;font-weight:600;text-align:left;display:inline-block}
.kit-title .kit-note{color:#555;font-size:11px}
.kit-proof{font-weight:600;color:#333}
.kit-caveat{font-size:11px;color:#555}
.kit-plabel{white-space:nowrap;transform:translate(-50%,-50%);font:600 10px/1.15 system-ui,sans-serif;
  color:#222;text-align:center;text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;pointer-events:none}
.kit-legend{background:rgba(255,255,255,.93);padding:6px 10px;border-radius:6px;
  box-shadow:0 1px 5px rgba(0,0,0,.35);font:12px/1.45 system-ui,sans-serif;max-height:45vh;overflow:auto}
.kit-legend i{display:inline-block;width:16px;height:11px;margin-right:6px;vertical-align:-1px;border:1px solid #555}
.kit-legend b{display:block;margin-bottom:2px}
.kit-label{white-space:nowrap;transform:translate(-50%,-50%);font:italic 600 12px system-ui,sans-serif;
  color:#4e342e;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;pointer-events:none}
.kit-popup table{border-collapse:collapse;font:12px system-ui,sans-serif}
.kit-popup td,.kit-popup th{padding:2px 6px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.kit-popup .ok{color:#1a7f37;font-weight:700}.kit-popup .ko{color:#cf222e;font-weight:700}
.kit-offline .leaflet-container{background:#dfeef7}
</style>
"""


# --------------------------------------------------------------------------- offline assets
_ASSETS = Path(__file__).resolve().parent / "_assets"
# folium asset name → vendored file (None: not needed by kitland maps, dropped offline).
_OFFLINE_JS = {
    "leaflet": "leaflet/leaflet.js",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "leaflet_measure_js": "leaflet-measure/leaflet-measure.min.js",
    "Control_MiniMap_js": "leaflet-minimap/Control.MiniMap.min.js",
    "leaflet_draw_js": "leaflet-draw/leaflet.draw.js",
    "Leaflet.Sync": "leaflet.sync/L.Map.Sync.js",
    "jquery": None,
    "bootstrap": None,
    "awesome_markers": None,
}
_OFFLINE_CSS = {
    "leaflet_css": "leaflet/leaflet.css",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet_measure_css": "leaflet-measure/leaflet-measure.css",
    "Control_MiniMap_css": "leaflet-minimap/Control.MiniMap.min.css",
    "leaflet_draw_css": "leaflet-draw/leaflet.draw.css",
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}
#: File name in a CDN URL of an online map → the vendored copy under kitland/_assets
#: (for serving an online map's assets locally, e.g. in tests without network).
CDN_FILE_TO_VENDORED = {
    "leaflet.js": "leaflet/leaflet.js", "leaflet.css": "leaflet/leaflet.css",
    "Control.FullScreen.min.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "leaflet-measure.min.js": "leaflet-measure/leaflet-measure.min.js",
    "leaflet-measure.min.css": "leaflet-measure/leaflet-measure.css",
    "Control.MiniMap.js": "leaflet-minimap/Control.MiniMap.min.js",
    "Control.MiniMap.css": "leaflet-minimap/Control.MiniMap.min.css",
    "leaflet.draw.js": "leaflet-draw/leaflet.draw.js",
    "leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
    "L.Map.Sync.min.js": "leaflet.sync/L.Map.Sync.js",
}  # fmt: skip
_MIME = {".png": "image/png", ".svg": "image/svg+xml"}


@cache
def _asset_text(rel: str) -> str:
    path = _ASSETS / rel
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".css":

        def inline(m: re.Match[str]) -> str:
            ref = m.group(1).strip("'\"")
            if ref.startswith(("data:", "#")):
                return m.group(0)
            img = path.parent / ref
            data = base64.b64encode(img.read_bytes()).decode("ascii")
            return f"url(data:{_MIME[img.suffix]};base64,{data})"

        text = re.sub(r"url\(([^)]*)\)", inline, text)
    text = re.sub(r"^\s*(//|/\*)# sourceMappingURL=.*$", "", text, flags=re.MULTILINE)
    if re.search(r"</(script|style)", text, flags=re.IGNORECASE):
        msg = f"vendored asset {rel} contains a closing tag and cannot be inlined"
        raise KitlandError(msg)
    return text


def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)


def _inline_assets(m: folium.Map, *, root: Element | None = None) -> None:
    """Replace every CDN link of the map and its plugins (of everything under ``root``,
    default ``m``) by inlined vendored content, placed in ``m``."""
    js: dict[str, str] = {}
    css: dict[str, str] = {}
    for el in _walk(root or m):
        for attr, table, out in (
            ("default_js", _OFFLINE_JS, js),
            ("default_css", _OFFLINE_CSS, css),
        ):
            for name, url in getattr(el, attr, None) or []:
                if name not in table:
                    msg = f"offline map: no vendored copy of {name!r} ({url}); add it to kitland/_assets"
                    raise KitlandError(msg)
                rel = table[name]
                if rel is not None:
                    out.setdefault(name, rel)
            if getattr(el, attr, None):
                setattr(el, attr, [])  # instance attribute: this map only
    # kitland's own offline minimap (a GeoJSON context layer, not a folium plugin).
    js.setdefault("Control_MiniMap_js", str(_OFFLINE_JS["Control_MiniMap_js"]))
    css.setdefault("Control_MiniMap_css", str(_OFFLINE_CSS["Control_MiniMap_css"]))
    order_js = [k for k in _OFFLINE_JS if k in js]
    order_css = [k for k in _OFFLINE_CSS if k in css]
    head = "".join(f"<style>{_asset_text(css[k])}</style>" for k in order_css)
    head += "".join(f"<script>{_asset_text(js[k])}</script>" for k in order_js)
    head += f"<script>{_default_icon_js()}</script>"
    m.add_child(_Head(head), index=0)


def _default_icon_js() -> str:
    """Leaflet's default marker icon inlined (the measure tool adds an invisible marker;
    offline, Leaflet cannot find the icon's folder and asks for a missing file)."""
    icon = base64.b64encode((_ASSETS / "leaflet/images/marker-icon.png").read_bytes()).decode()
    url = f"data:image/png;base64,{icon}"
    no_shadow = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="
    return (
        f"L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({{iconUrl:'{url}',"
        f"iconRetinaUrl:'{url}',shadowUrl:'{no_shadow}'}});"
    )


# --------------------------------------------------------------------------- layers
def _parcels_layer(estate: Estate, lang: str) -> _GeoLayer:
    p = estate.parcels
    area_ha = p.geometry.area / 10_000
    props = []
    for (_, row), a in zip(p.iterrows(), area_ha, strict=True):
        use = _col(row, "land_use")
        props.append(
            {
                "c": use if use in LAND_USE_COLOURS else "",
                "tip": _tip(
                    _col(row, "parcel_id"),
                    ("", _label(lang, str(use)) if use else None),
                    (_label(lang, "tenant"), _col(row, "tenant")),
                    (_label(lang, "phase"), _col(row, "phase")),
                    (_label(lang, "status"), _col(row, "status")),
                    (_label(lang, "area"), f"{_num(a, lang, 2)} ha"),
                ),
            }
        )
    styles = {
        u: {"fillColor": c, "fillOpacity": 0.72, "color": "#5f5f5f", "weight": 0.6}
        for u, c in LAND_USE_COLOURS.items()
    }
    styles[""] = {
        "fillColor": _UNKNOWN_COLOUR,
        "fillOpacity": 0.6,
        "color": "#5f5f5f",
        "weight": 0.6,
    }
    data = _collection(p, estate.crs, props, simplify_m=_SIMPLIFY_M["parcels"])
    return _GeoLayer(
        data, name=_label(lang, "L_parcels"), styles=styles, highlight=True, kind="parcels"
    )


def _roads_layer(estate: Estate, lang: str) -> _GeoLayer | None:
    r = estate.roads
    if r.empty:
        return None
    corridors = gpd.GeoDataFrame(geometry=estate.road_corridors, crs=estate.crs)
    props = [
        {
            "c": _col(row, "road_class") or "",
            "tip": _tip(
                _col(row, "name") or _col(row, "road_id"),
                ("", _label(lang, str(_col(row, "road_class")))),
                (
                    _label(lang, "width"),
                    f"{_num(float(row['width_m']), lang, 0)} m" if _col(row, "width_m") else None,
                ),
            ),
        }
        for _, row in r.iterrows()
    ]
    styles = {k: {**v, "weight": 1, "fillOpacity": 0.85} for k, v in _ROAD_STYLE.items()}
    styles[""] = {"color": "#555", "fillColor": "#999", "weight": 1, "fillOpacity": 0.85}
    data = _collection(corridors, estate.crs, props, simplify_m=_SIMPLIFY_M["roads"])
    return _GeoLayer(data, name=_label(lang, "L_roads"), styles=styles, kind="roads")


def _gates_layer(estate: Estate, lang: str) -> _GeoLayer | None:
    g = estate.gates
    if g.empty:
        return None
    props = [
        {
            "c": _col(row, "kind") or "",
            "tip": _tip(
                _col(row, "name") or _col(row, "gate_id"),
                ("", _label(lang, str(_col(row, "kind")))),
            ),
        }
        for _, row in g.iterrows()
    ]
    styles = {
        k: {**v, "color": "#fff", "weight": 2, "fillOpacity": 1} for k, v in _GATE_STYLE.items()
    }
    styles[""] = {"radius": 6, "color": "#fff", "weight": 2, "fillColor": "#000", "fillOpacity": 1}
    data = _collection(g, estate.crs, props)
    return _GeoLayer(data, name=_label(lang, "L_gates"), styles=styles, kind="gates")


def _water_layer(estate: Estate, lang: str) -> _GeoLayer | None:
    w = estate.water
    if w.empty:
        return None
    props = [
        {
            "c": _col(row, "kind") or "",
            "tip": _tip(_col(row, "name"), ("", _label(lang, str(_col(row, "kind"))))),
        }
        for _, row in w.iterrows()
    ]
    data = _collection(w, estate.crs, props, simplify_m=_SIMPLIFY_M["water"])
    return _GeoLayer(data, name=_label(lang, "L_water"), styles=_WATER_STYLE, kind="water")


def _settlements_layer(estate: Estate, lang: str) -> _GeoLayer | None:
    s = estate.settlements
    if s.empty:
        return None
    props = [{"c": "", "tip": _tip(_col(row, "name"))} for _, row in s.iterrows()]
    styles = {
        "": {
            "color": "#8d6e63",
            "weight": 1.2,
            "dashArray": "3 3",
            "fillColor": "#d7ccc8",
            "fillOpacity": 0.35,
            "radius": 6,
        }
    }
    data = _collection(s, estate.crs, props, simplify_m=_SIMPLIFY_M["settlements"])
    # Names as labels at a point inside each settlement (a centroid may fall outside).
    named = s[s["name"].notna()]
    spots = gpd.GeoDataFrame(geometry=named.geometry.representative_point(), crs=estate.crs)
    labels = [{"c": "", "label": _esc(name)} for name in named["name"]]
    data["features"] += _collection(spots, estate.crs, labels)["features"]
    return _GeoLayer(data, name=_label(lang, "L_settlements"), styles=styles, kind="settlements")


def _boundary_layer(estate: Estate, lang: str) -> _GeoLayer:
    b = estate.boundary
    props = [{"c": ""} for _ in range(len(b))]
    styles = {"": {"color": "#212529", "weight": 3, "dashArray": "12 6", "fill": False}}
    data = _collection(b, estate.crs, props, simplify_m=_SIMPLIFY_M["boundary"])
    return _GeoLayer(
        data, name=_label(lang, "L_boundary"), styles=styles, interactive=False, kind="boundary"
    )


def _setback_bands(estate: Estate, rules: Rules | None) -> gpd.GeoDataFrame | None:
    """Bands of width ``min_m`` around the features each setback rule keeps away from."""
    if rules is None:
        return None
    rows = []
    for rule in (*rules.rules, *rules.layout):
        sel = rule.get("from") if rule.kind == "setback" else None
        min_m = rule.get("min_m")
        if sel is None or min_m is None:
            continue
        try:
            feats = estate.select(sel.layer, **dict(sel.where))
        except KitlandError as exc:
            log.warning("setback band of rule %s not drawn: %s", rule.id, exc)
            continue
        if feats.empty:
            continue
        src = shapely.union_all(feats.geometry.to_numpy())
        band = (
            shapely.difference(shapely.buffer(src, float(min_m)), src)
            if src.area > 0
            else shapely.buffer(src, float(min_m))
        )
        rows.append(
            {"rule_id": rule.id, "kind": "setback", "value": float(min_m), "geometry": band}
        )
    if not rows:
        return None
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=estate.crs)


def _diag_lines(
    gdf: gpd.GeoDataFrame, row: pd.Series, lang: str, names_en: Mapping[str, str], *, band: bool
) -> list[tuple[str, Any]]:
    """Tooltip lines of a diagnostic feature: its rule, value in metres, other columns."""
    lines: list[tuple[str, Any]] = []
    for col in gdf.columns:
        v = _col(row, col)
        if col in (gdf.geometry.name, "kind", "length_m") or v is None:
            continue
        if col == "rule_id":
            kind = str(_col(row, "kind") or "")
            lines.append(
                (_label(lang, "rule"), rule_label(str(v), kind, lang, name_en=names_en.get(str(v))))
            )
        elif col == "value" and isinstance(v, int | float):
            word = _label(lang, "width" if band else "measured")
            lines.append((word, f"{_num(float(v), lang, 0 if band else 1)} m"))
        elif col == "reach":
            lines.append(
                (_label(lang, "reach"), _label(lang, "directly") if v == "directly" else v)
            )
        else:
            lines.append((str(col), v))
    return lines


def _bands_layer(
    bands: gpd.GeoDataFrame, crs: Any, lang: str, names_en: Mapping[str, str] | None = None
) -> _GeoLayer:
    props = []
    for _, row in bands.iterrows():
        lines = _diag_lines(bands, row, lang, names_en or {}, band=True)
        props.append({"c": "", "tip": _tip(_label(lang, "L_bands"), *lines)})
    data = _collection(bands, crs, props)
    return _GeoLayer(
        data,
        name=_label(lang, "L_bands"),
        styles={"": _DIAG_STYLE["setback_bands"]},
        kind="setback_bands",
    )


def _with_proof(verdict: str, proof: str) -> str:
    """A verdict and what the solver proved: "LULUS; layak, selisih 7,49% (…)"."""
    return f"{verdict}; {proof}" if proof else verdict


def _rule_tip(r: RuleResult, lang: str) -> str:
    """A rule row's tooltip: its sentence in English; in other languages (the sentences
    are English only) the rule, what was measured and what it needs, in ``lang``."""
    if lang == "en":
        return r.message
    return (
        f"{r.label(lang)}: {_label(lang, 'measured')} {r.value_text(lang)}, "
        f"{_label(lang, 'required')} {r.required_text(lang)}"
    )


def _report_html(
    report: Report | None,
    lang: str,
    *,
    title: str,
    area_ha: float,
    score: float | None = None,
    proof: str = "",
) -> str:
    head = f"<b>{_esc(title)}</b> — {_num(area_ha, lang, 2)} ha"
    if score is not None:
        head += f" — {_esc(_score_text(score, lang))}"
    if proof:
        head += f'<br><span class="kit-proof">{_esc(proof)}</span>'
    if report is None:
        return f'<div class="kit-popup">{head}<br><i>{_esc(_label(lang, "no_report"))}</i></div>'
    verdict = f'<span class="{"ok" if status_of(report) == "pass" else "ko"}">{_esc(verdict_text(report, lang))}</span>'
    rows = "".join(
        f'<tr><td class="{"ok" if r.passed else "ko"}">{_esc(r.mark)}</td><td title="{_esc(_rule_tip(r, lang))}">{_esc(r.label(lang))}</td>'
        f"<td>{_esc(r.value_text(lang))}</td><td>{_esc(r.required_text(lang))}</td></tr>"
        for r in report.results
    )
    table = (
        f"<table><tr><th></th><th>{_esc(_label(lang, 'rule'))}</th><th>{_esc(_label(lang, 'measured'))}</th>"
        f"<th>{_esc(_label(lang, 'required'))}</th></tr>{rows}</table>"
    )
    return f'<div class="kit-popup">{head}<br>{verdict}{table}</div>'


def _zone_layer(
    geom: shapely.Geometry,
    estate: Estate,
    report: Report | None,
    lang: str,
    *,
    score: float | None = None,
    proof: str = "",
) -> _GeoLayer:
    area_ha = float(geom.area) / 10_000
    title = _label(lang, "L_zone")
    tip = f"{title} — {_with_proof(_verdict(report, lang), proof)}"
    props = [{"c": "", "tip": _tip(tip, (_label(lang, "area"), f"{_num(area_ha, lang, 2)} ha")),
              "popup": _report_html(report, lang, title=title, area_ha=area_ha, score=score,
                                    proof=proof)}]  # fmt: skip
    data = _collection(gpd.GeoDataFrame(geometry=[geom], crs=estate.crs), estate.crs, props)
    style = {**_ZONE_STYLE, "color": STATUS_COLOURS[status_of(report)]}
    return _GeoLayer(data, name=title, styles={"": style}, kind="zone")


#: Fill colours of several named zones, in the rules file's order (then again); no red
#: or green, which are the verdict's (:data:`STATUS_COLOURS`, each zone's outline).
ZONE_COLOURS = ("#1d4ed8", "#b45309", "#7c3aed", "#0e7490", "#78350f", "#475569")


def _named_zone_layers(
    zones: Sequence[Any], estate: Estate, lang: str, *, statuses: Sequence[str] = ()
) -> list[_GeoLayer]:
    """One layer per named zone: filled in a colour of its own, outlined in its verdict's
    colour (:data:`STATUS_COLOURS`: a passing zone is never drawn red), its name on it;
    ``statuses[i]``, what the solver proved of zone ``i``, beside its verdict in its
    tooltip and popup."""
    layers = []
    for i, z in enumerate(zones):
        geom = _zone_geometry(z.zone, estate, what=f"zones[{i}]")
        if geom is None:
            continue
        name = str(z.name)
        report = getattr(z, "report", None)
        report = report if isinstance(report, Report) else None
        area_ha = float(geom.area) / 10_000
        score = getattr(z, "score", None)
        proof = statuses[i] if i < len(statuses) else ""
        props = [
            {"c": "", "tip": _tip(name, (_label(lang, "area"), f"{_num(area_ha, lang, 2)} ha"),
                                  ("", _with_proof(_verdict(report, lang), proof))),
             "popup": _report_html(report, lang, title=name, area_ha=area_ha, score=score,
                                   proof=proof)},
            {"c": "", "label": _esc(z.name)},
        ]  # fmt: skip
        frame = gpd.GeoDataFrame(geometry=[geom, geom.representative_point()], crs=estate.crs)
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        style = {**_ZONE_STYLE, "color": STATUS_COLOURS[status_of(report)], "fillColor": colour}
        # The layer control shows names as HTML: the zone's name goes in escaped.
        layers.append(_GeoLayer(_collection(frame, estate.crs, props), name=_esc(name),
                                styles={"": style}, kind="zone"))  # fmt: skip
    return layers


def _alternative_layers(
    alternatives: Sequence[Any], estate: Estate, lang: str, *, statuses: Sequence[str] = ()
) -> list[_GeoLayer]:
    layers = []
    for i, alt in enumerate(alternatives):
        geom = _zone_geometry(getattr(alt, "zone", alt), estate, what=f"alternatives[{i}]")
        if geom is None:
            msg = Message(
                "alternatives[{i}]: has no zone geometry; expected .zone or a shapely geometry",
                {"i": i},
            )
            raise DataError(msg)
        rank = getattr(alt, "rank", None)
        rank = int(rank) if rank is not None else i + 2
        score = getattr(alt, "score", None)
        name = f"{_label(lang, 'L_alt')} {rank}"
        if score is not None:
            name += f" ({_score_text(float(score), lang)})"
        report = getattr(alt, "report", None)
        area_ha = float(geom.area) / 10_000
        proof = statuses[i] if i < len(statuses) else ""
        props = [{"c": "", "tip": _tip(name, (_label(lang, "area"), f"{_num(area_ha, lang, 2)} ha"),
                                       ("", proof)),
                  "popup": _report_html(report if isinstance(report, Report) else None, lang,
                                        title=name, area_ha=area_ha, proof=proof)}]  # fmt: skip
        data = _collection(gpd.GeoDataFrame(geometry=[geom], crs=estate.crs), estate.crs, props)
        layers.append(
            _GeoLayer(data, name=name, styles={"": _ALT_STYLE}, show=False, kind="alternative")
        )
    return layers


def _diagnostics(
    estate: Estate,
    geom: shapely.Geometry,
    rules: Rules | None,
    given: Mapping[str, gpd.GeoDataFrame] | None,
) -> dict[str, gpd.GeoDataFrame]:
    if given is not None:
        return dict(given)
    if rules is None:
        return {}
    try:
        from kitland.measure import diagnostics  # noqa: PLC0415 - optional, a higher stage
    except ImportError:
        log.info("kitland.measure.diagnostics is not available; diagnostic layers skipped")
        return {}
    try:
        return dict(diagnostics(estate, geom, rules))
    except KitlandError as exc:
        log.warning("diagnostic layers skipped: %s", exc)
        return {}


def _diagnostic_layer(
    key: str, gdf: gpd.GeoDataFrame, estate: Estate, lang: str, names_en: Mapping[str, str]
) -> _GeoLayer | None:
    if gdf is None or gdf.empty:
        return None
    if gdf.crs is not None and not pyproj.CRS.from_user_input(gdf.crs).equals(estate.crs):
        gdf = gdf.to_crs(estate.crs)
    name = _label(lang, f"L_{key}")
    lengths = gdf["length_m"] if "length_m" in gdf.columns else gdf.geometry.length
    if key == "gate_path":
        name += (
            f" ({_num(float(pd.to_numeric(lengths, errors='coerce').fillna(0).sum()), lang, 0)} m)"
        )
    props = []
    for (_, row), length in zip(gdf.iterrows(), lengths, strict=True):
        lines = _diag_lines(gdf, row, lang, names_en, band=False)
        if length and gdf.geom_type.iloc[0] in ("LineString", "MultiLineString"):
            lines.append((_label(lang, "length"), f"{_num(float(length), lang, 1)} m"))
        props.append({"c": "", "tip": _tip(name, *lines)})
    data = _collection(gdf, estate.crs, props)
    return _GeoLayer(
        data, name=name, styles={"": _DIAG_STYLE.get(key, {"color": "#000"})}, kind=key
    )


def _context_frames(estate: Estate) -> dict[str, gpd.GeoDataFrame]:
    """The bundled village boundaries and coastline near the estate, in the estate's CRS."""
    out: dict[str, gpd.GeoDataFrame] = {}
    window = shapely.box(*estate.boundary.total_bounds).buffer(_CONTEXT_MARGIN_M)
    for name in ("villages", "coastline"):
        try:
            path = bundled_path(f"context/{name}.geojson")
        except DataError:
            log.warning(
                "bundled context layer %s.geojson is missing; offline basemap without it", name
            )
            continue
        gdf = gpd.read_file(path, engine="fiona")
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        gdf = gdf.to_crs(estate.crs)
        gdf = gdf[gdf.intersects(window)]
        gdf = gdf.set_geometry(gdf.geometry.intersection(window))
        out[name] = gdf[~gdf.geometry.is_empty]
    return out


def _context_layer(
    frames: Mapping[str, gpd.GeoDataFrame], estate: Estate, lang: str
) -> tuple[_GeoLayer | None, dict[str, Any]]:
    feats: list[dict[str, Any]] = []
    for name, gdf in frames.items():
        label_col = next((c for c in ("name", "nama", "village", "desa") if c in gdf.columns), None)
        props = [
            {
                "c": name,
                "tip": _tip(_col(row, label_col)) if label_col else "",
            }
            for _, row in gdf.iterrows()
        ]
        feats += _collection(gdf, estate.crs, props, simplify_m=_SIMPLIFY_M["context"])["features"]
    if not feats:
        return None, {}
    data = {"type": "FeatureCollection", "features": feats}
    styles = {
        "villages": {"color": "#9e9e9e", "weight": 1, "fillColor": "#f7f4ea", "fillOpacity": 1},
        "coastline": {"color": "#0b3d91", "weight": 2},
        "": {"color": "#9e9e9e", "weight": 1},
    }
    mini = {
        "type": "FeatureCollection",
        "features": [{**f, "properties": {"c": f["properties"]["c"]}} for f in feats],
    }
    return _GeoLayer(data, name=_label(lang, "L_context"), styles=styles, kind="context"), mini


def _parcel_labels_js(estate: Estate, parcels_var: str) -> str:
    """Parcel ids (and tenants) at each parcel, shown from :data:`LABEL_MIN_ZOOM` on while
    the parcels layer is on."""
    p = estate.parcels
    spots = p.geometry.representative_point()
    geoms = _to_lonlat(spots.to_numpy(), estate.crs)
    rows = []
    for (_, row), g in zip(p.iterrows(), geoms, strict=True):
        text = [_esc(v) for v in (_col(row, "parcel_id"), _col(row, "tenant")) if v is not None]
        if text and g is not None:
            lon, lat = g["coordinates"]
            rows.append([lat, lon, "<br>".join(text)])
    return (
        f"var pts={_js(rows)},grp=L.layerGroup();pts.forEach(function(q){{L.marker([q[0],q[1]],"
        "{interactive:false,keyboard:false,icon:L.divIcon({className:'kit-plabel',html:q[2],"
        "iconSize:null})}).addTo(grp);});"
        f"function upd(){{var on=map.getZoom()>={LABEL_MIN_ZOOM}&&map.hasLayer({parcels_var});"
        "if(on&&!map.hasLayer(grp)){grp.addTo(map);}else if(!on&&map.hasLayer(grp)){map.removeLayer(grp);}}"
        "map.on('zoomend overlayadd overlayremove',upd);upd();"
    )


def _inset_zoom(bounds_lonlat: Sequence[float], *, px: int) -> int:
    """The Web Mercator zoom at which the lon/lat box fits in ``px`` × ``px`` pixels."""
    to_merc = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    x0, y0 = to_merc.transform(bounds_lonlat[0], bounds_lonlat[1])
    x1, y1 = to_merc.transform(bounds_lonlat[2], bounds_lonlat[3])
    world = 2 * np.pi * 6378137.0  # metres across the Web Mercator world at zoom 0 (256 px)
    span = max(x1 - x0, y1 - y0, 1.0)
    return int(np.clip(np.floor(np.log2(px * world / (256 * span))), 1, 18))


def _inset_js(data: dict[str, Any], *, centre: tuple[float, float], zoom: int, lang: str,
              tiles: tuple[str, str] | None) -> str:  # fmt: skip
    """The corner inset: the whole estate (context, boundary, zone) at a fixed zoom, with a
    rectangle showing where the main map looks."""
    tile = f"L.tileLayer({_js(tiles[0])},{{attribution:{_js(tiles[1])}}})," if tiles else ""
    strings = {"hideText": _label(lang, "minimap_hide"), "showText": _label(lang, "minimap_show")}
    return (
        f"var mm=L.layerGroup([{tile}L.geoJSON({_js(data)},{{interactive:false,style:function(f){{"
        "var c=f.properties.c;return c==='coastline'?{color:'#0b3d91',weight:1}:"
        "c==='boundary'?{color:'#212529',weight:2,fill:false}:"
        "c==='zone'?{color:f.properties.colour,weight:2,fillColor:f.properties.colour,fillOpacity:0.6}:"
        "{color:'#9e9e9e',weight:0.5,fillColor:'#f7f4ea',fillOpacity:1};}})]);"
        f"new L.Control.MiniMap(mm,{{toggleDisplay:true,position:'bottomright',width:180,height:180,"
        f"zoomLevelFixed:{zoom},centerFixed:{_js(list(centre))},strings:{_js(strings)}}}).addTo(map);"
    )


# --------------------------------------------------------------------------- public API
def make_map(
    estate: Estate,
    zone: Any = None,
    report: Report | None = None,
    alternatives: Sequence[Any] | None = None,
    *,
    lang: str = "id",
    offline: bool = False,
    title: str | None = None,
    rules_source: str | None = None,
    rules: Rules | None = None,
    diagnostics: Mapping[str, gpd.GeoDataFrame] | None = None,
    score: float | None = None,
    zones: Sequence[Any] | None = None,
    statuses: Sequence[str] | None = None,
    caveat: str = "",
) -> folium.Map:
    """The interactive meeting map of an estate, its UMKM zone and the rule results.

    The verdict reads at a glance: the title block says LULUS / GAGAL (PASS / FAIL) on
    the verdict's colour (:data:`STATUS_COLOURS`, also the zone's outline) and lists the
    failing rules. With a zone the map opens on the zone, the whole estate in a corner
    inset; parcel ids and tenants are labelled from zoom :data:`LABEL_MIN_ZOOM` on.

    Layers (each toggleable): parcels by land use with a legend, roads by class and
    width, gates and the toll exit, rivers and coast, setback bands, settlements,
    the boundary, the zone with a popup of every rule result, alternatives, and the
    diagnostic layers (frontage, shared boundary with industry, path from the gate).

    Parameters
    ----------
    estate
        The estate (layers in its metric CRS).
    zone
        The zone: a shapely geometry in ``estate.crs``, or a GeoDataFrame/GeoSeries with
        a CRS (its features are merged).
    report
        The rule results of the zone, shown in its popup.
    alternatives
        Other placements: objects with ``.zone`` (and optionally ``.rank``, ``.score``,
        ``.report``) or plain geometries; each becomes a layer, hidden at first.
    lang
        ``"id"`` (Indonesian, default) or ``"en"``.
    offline
        One self-contained file: Leaflet and the plugins inlined, no tile layers, the
        bundled village boundaries and coastline as basemap; it makes no network request.
    title
        Title of the map (default: :func:`estate_title`, the boundary's ``name``).
    rules_source
        The rules file named in the title block (default: ``rules.source``).
    rules
        The rules: setback bands are drawn with their widths, and the diagnostic layers
        are computed by :func:`kitland.measure.diagnostics` when it is available.
    diagnostics
        Precomputed diagnostic layers (``"frontage"``, ``"adjacent"``, ``"gate_path"``,
        ``"setback_bands"`` → GeoDataFrame); overrides the computation from ``rules``.
    score
        The zone's preference score (``place``), shown with its meaning and unit.
    zones
        Several named zones (``place`` with ``[[zones]]``: its ``zones``): objects with
        ``.name``, ``.zone`` and optionally ``.report`` and ``.score``; each is drawn in
        a fill colour of its own (:data:`ZONE_COLOURS`), outlined in its verdict's colour
        (:data:`STATUS_COLOURS`), with its name on the map, and the map opens on them all.
    statuses
        What the solver proved of the zone and of each alternative, in that order and in
        ``lang`` (``place``: :func:`kitland.placement.proof_text`, e.g. "feasible, gap
        7.49% (time limit reached)"): shown beside each verdict — title block, legend,
        tooltip and popup — so an unproven placement is not read as the proven best.
        With ``zones``, one per zone in their order: beside each zone's verdict in its
        tooltip and popup, and in the title block when the zones share it (as the zones
        of one joint solve do).
    caveat
        What the solver's proof does not cover, short and in ``lang`` (``place``:
        :meth:`kitland.placement.PlacementResult.caveat`, e.g. "min_width#3 read
        conservatively: …"): a second line under the proof in the title block.

    Returns
    -------
    folium.Map

    Raises
    ------
    DataError
        If ``lang`` is unknown, or the zone is empty, of an unknown type or has no CRS.

    Examples
    --------
    >>> import kitland
    >>> m = make_map(kitland.load_estate(), lang="en")
    >>> type(m).__name__
    'Map'
    """
    if lang not in LANGS:
        raise DataError(_not_a_language(lang))
    geom = _zone_geometry(zone, estate)
    bounds = (
        gpd.GeoSeries([shapely.box(*_frame_bounds(estate))], crs=estate.crs)
        .to_crs(4326)
        .total_bounds
    )
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=14,
        max_zoom=19,
        tiles=None,
        control_scale=False,  # kitland's own, metric only (below)
        prefer_canvas=False,
    )
    name = title or estate_title(estate, lang)
    root: Any = m.get_root()
    root.title = _esc(name)
    m.add_child(_Head(_CSS))
    m.add_child(_Script(f"document.documentElement.lang={_js(lang)};"))  # for browsers, readers

    mini_data: dict[str, Any] = {}
    if offline:
        context, mini_data = _context_layer(_context_frames(estate), estate, lang)
        if context is not None:
            m.add_child(context)
        m.add_child(_Script("map.getContainer().parentElement.classList.add('kit-offline');"))
    else:
        # CartoDB now needs an API key (xyzservices warns); Esri's light grey canvas does not.
        folium.TileLayer(
            xyz.Esri.WorldGrayCanvas,
            name=_label(lang, "base_light"),
            max_native_zoom=16,
            max_zoom=19,
        ).add_to(m)
        folium.TileLayer(
            xyz.OpenStreetMap.Mapnik, name=_label(lang, "base_osm"), show=False, max_zoom=19
        ).add_to(m)
        folium.TileLayer(
            xyz.Esri.WorldImagery,
            name=_label(lang, "base_sat"),
            show=False,
            max_native_zoom=18,
            max_zoom=19,
        ).add_to(m)

    # Drawing order, bottom to top; the layer control lists them top-most first.
    diags: dict[str, gpd.GeoDataFrame] = (
        _diagnostics(estate, geom, rules, diagnostics) if geom is not None else {}
    )
    names_en = {r.id: r.name_en for r in rules or [] if r.name_en}
    proofs = [*(statuses or [])] or [""]
    zone_proofs = proofs if zones else []
    if zones:  # the title block says what the zones share (one joint solve), if anything
        proofs = [proofs[0] if len(set(proofs)) == 1 else ""]
    bands = diags.get("setback_bands")
    if bands is None:
        bands = _setback_bands(estate, rules)
    layers: list[_GeoLayer | None] = [
        _settlements_layer(estate, lang),
        _parcels_layer(estate, lang),
        _water_layer(estate, lang),
        _bands_layer(bands, estate.crs, lang, names_en)
        if bands is not None and not bands.empty
        else None,
        _roads_layer(estate, lang),
        _boundary_layer(estate, lang),
        *reversed(_alternative_layers(alternatives or [], estate, lang, statuses=proofs[1:])),
        _zone_layer(geom, estate, report, lang, score=score, proof=proofs[0])
        if geom is not None
        else None,
        *_named_zone_layers(zones or [], estate, lang, statuses=zone_proofs),
        *(
            _diagnostic_layer(k, diags[k], estate, lang, names_en)
            for k in ("frontage", "adjacent", "gate_path")
            if k in diags
        ),
        _gates_layer(estate, lang),
    ]
    drawn = [layer for layer in layers if layer is not None]
    for layer in drawn:
        m.add_child(layer)
    # Leaflet draws a layer switched back on at the top; restore the order after each toggle.
    order = ",".join(layer.get_name() for layer in drawn)
    m.add_child(_Script(
        f"var order=[{order}];map.on('overlayadd',function(){{order.forEach(function(l){{"
        "if(map.hasLayer(l)){l.bringToFront();}});});"
    ))  # fmt: skip

    view = bounds
    around_all = geom if not zones else shapely.union_all([z.zone for z in zones])
    if around_all is not None:  # open on the zone(s) and the surroundings
        x0, y0, x1, y1 = around_all.bounds
        margin = max(250.0, 0.5 * max(x1 - x0, y1 - y0))
        around = shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        view = gpd.GeoSeries([around], crs=estate.crs).to_crs(4326).total_bounds
    m.fit_bounds([[view[1], view[0]], [view[3], view[2]]], padding=(20, 20))
    m.add_child(_Script("L.control.scale({imperial:false,maxWidth:160}).addTo(map);"))
    parcels = next(layer for layer in drawn if layer.kind == "parcels")
    m.add_child(_Script(_parcel_labels_js(estate, parcels.get_name())))
    _LayerControl(collapsed=False, position="topright").add_to(m)
    folium.plugins.Fullscreen(
        title=_label(lang, "fullscreen"), title_cancel=_label(lang, "fullscreen_exit")
    ).add_to(m)
    folium.plugins.MeasureControl(position="topleft", **_measure_options(lang)).add_to(m)
    add_control_words(m, lang=lang)
    add_draw_tool(m, lang=lang, land_use=rules.zone.land_use if rules and rules.zone else "umkm",
                  zone=None if geom is None else _to_lonlat([geom], estate.crs)[0])  # fmt: skip
    # The inset: the whole estate, its zone in the verdict's colour (and the village
    # basemap offline, OpenStreetMap tiles online).
    inset = _collection(
        estate.boundary, estate.crs, [{"c": "boundary"}] * len(estate.boundary), simplify_m=5.0
    )["features"]
    if geom is not None:
        zone_props = [{"c": "zone", "colour": STATUS_COLOURS[status_of(report)]}]
        inset += _collection(gpd.GeoDataFrame(geometry=[geom], crs=estate.crs), estate.crs,
                             zone_props, simplify_m=5.0)["features"]  # fmt: skip
    whole = gpd.GeoSeries([shapely.box(*estate.boundary.total_bounds)], crs=estate.crs)
    wb = whole.to_crs(4326).total_bounds
    m.add_child(_MiniMapAssets())
    osm = xyz.OpenStreetMap.Mapnik
    m.add_child(_Script(_inset_js(
        {"type": "FeatureCollection", "features": [*mini_data.get("features", []), *inset]},
        centre=((wb[1] + wb[3]) / 2, (wb[0] + wb[2]) / 2), zoom=_inset_zoom(wb, px=170),
        lang=lang, tiles=None if offline else (osm.build_url(), osm.html_attribution),
    )))  # fmt: skip
    m.add_child(
        _Script(
            _legend_js(
                estate,
                lang,
                zone_colour=STATUS_COLOURS[status_of(report)],
                zone_verdict=_with_proof(_verdict(report, lang), proofs[0]),
                has_zone=geom is not None,
                has_alt=bool(alternatives),
                has_bands=bands is not None,
            )
        )
    )
    m.add_child(
        _Script(
            "map.attributionControl.addAttribution("
            f"{_js(_esc(_attribution(estate, lang, offline=offline)))});"
        )
    )
    source = (
        rules_source if rules_source is not None else (rules.source if rules is not None else None)
    )
    m.add_child(_Body(_title_html(
        name, lang, source, bundled=estate.source == BUNDLED_SOURCE, report=report,
        has_zone=geom is not None, score=score, proof=proofs[0], caveat=caveat,
    )))  # fmt: skip
    if offline:
        _inline_assets(m)
    return m


def _attribution(estate: Estate, lang: str, *, offline: bool) -> str:
    """The bundled estate's sources and "illustrative" notice; for other estates, their name
    (and the village basemap's source when the offline basemap draws villages: the bundled
    ones lie around KIT Batang only)."""
    if estate.source == BUNDLED_SOURCE:
        return _label(lang, "attribution")
    text = _label(lang, "attr_user").format(name=estate_title(estate, lang))
    villages = _context_frames(estate).get("villages") if offline else None
    drawn = villages is not None and not villages.empty
    return f"{text}; {_label(lang, 'attr_villages')}" if drawn else text


def _frame_bounds(estate: Estate, *, reach_m: float = 5_000.0) -> tuple[float, float, float, float]:
    """What a static map must show: the boundary, plus the gates and point settlements within
    ``reach_m`` of it (rules measure from them, e.g. an estate gate on the national road)."""
    frame = shapely.box(*estate.boundary.total_bounds)
    near = frame.buffer(reach_m)
    points = [estate.gates.geometry]
    s = estate.settlements
    points.append(s.geometry[s.geom_type.isin(["Point", "MultiPoint"])])
    for g in points:
        arr = g.to_numpy()
        arr = arr[shapely.intersects(arr, near)] if len(arr) else arr
        if len(arr):
            frame = shapely.union(frame, shapely.box(*shapely.total_bounds(arr)))
    x0, y0, x1, y1 = frame.bounds
    return (x0, y0, x1, y1)


def _title_html(
    name: str,
    lang: str,
    rules_source: str | None,
    *,
    bundled: bool = True,
    report: Report | None = None,
    has_zone: bool = False,
    score: float | None = None,
    proof: str = "",
    caveat: str = "",
) -> str:
    """The title block: name and verdict in its colour, what the solver proved of the
    zone and what the proof leaves out, failing rules, date, rules file."""
    status = status_of(report)
    head = f"<b>{_esc(name)}</b>"
    if has_zone:
        head += f'<span class="kit-verdict">{_esc(_verdict(report, lang))}</span>'
    if proof:  # the zone's, or that of several zones placed together
        head += f'<br><span class="kit-proof">{_esc(proof)}</span>'
    if caveat:
        head += f'<br><span class="kit-caveat">{_esc(caveat)}</span>'
    failing = _failing_lines(report, lang) if has_zone else []
    if failing:
        items = "".join(f"<li>{_esc(line)}</li>" for line in failing)
        head += f'<br><ul class="kit-failing">{items}</ul>'
    parts = [
        f"{_esc(_label(lang, 'subtitle'))}",
        f"{_esc(_label(lang, 'date'))} {day_text(dt.date.today(), lang)}",
    ]
    if rules_source:
        parts.append(
            f"{_esc(_label(lang, 'rules_file'))}: {_esc(Path(rules_source).name or rules_source)}"
        )
    if score is not None:
        parts.append(_esc(_score_text(score, lang)))
    note = (
        f'<br><span class="kit-note">{_esc(_label(lang, "score_meaning"))}</span>'
        if score is not None
        else ""
    )
    warn = (
        f'<br><span class="kit-warn">{_esc(_label(lang, "illustrative"))}</span>' if bundled else ""
    )
    colour = STATUS_COLOURS[status] if has_zone else "#888"
    return (
        f'<div class="kit-title kit-{status}" style="--kit-status:{colour}">{head}<br>'
        f"{' · '.join(parts)}{note}{warn}</div>"
    )


def _legend_js(
    estate: Estate,
    lang: str,
    *,
    has_zone: bool,
    has_alt: bool,
    has_bands: bool,
    zone_colour: str = _ZONE_STYLE["color"],
    zone_verdict: str = "",
) -> str:
    present = set(estate.parcels["land_use"].dropna())
    rows = [
        f'<i style="background:{LAND_USE_COLOURS[u]}"></i>{_esc(_label(lang, u))}<br>'
        for u in LAND_USES
        if u in present
    ]
    unknown = _unknown_uses(estate, lang)
    if unknown:
        rows.append(
            f'<i style="background:{_UNKNOWN_COLOUR};border:1px solid #5f5f5f"></i>{_esc(unknown)}<br>'
        )
    if has_zone:
        rows.append(
            f'<i style="background:{_ZONE_STYLE["fillColor"]};border:2px solid {zone_colour}"></i>{_esc(_label(lang, "zone_legend"))} ({_esc(zone_verdict)})<br>'
        )
    if has_alt:
        rows.append(
            f'<i style="background:#eee;border:2px dashed {_ALT_STYLE["color"]}"></i>{_esc(_label(lang, "alt_legend"))}<br>'
        )
    if has_bands:
        rows.append(
            f'<i style="background:{_DIAG_STYLE["setback_bands"]["fillColor"]};opacity:.6"></i>{_esc(_label(lang, "band_legend"))}<br>'
        )
    content = f"<b>{_esc(_label(lang, 'legend'))}</b>" + "".join(rows)
    return (
        "var lg=L.control({position:'bottomleft'});"
        f"lg.onAdd=function(){{var d=L.DomUtil.create('div','kit-legend');d.innerHTML={_js(content)};return d;}};"
        "lg.addTo(map);"
    )


def save_map(m: folium.Map | folium.plugins.DualMap, path: str | os.PathLike[str]) -> Path:
    """Write the map's HTML to ``path`` whole or not at all.

    Raises
    ------
    DataError
        If the folder of ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib, kitland
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "map.html"
    >>> save_map(make_map(kitland.load_estate()), out).stat().st_size > 10_000
    True
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        m.save(str(tmp))
    log.info("wrote map %s (%.2f MB)", target, target.stat().st_size / 1e6)
    return target


# --------------------------------------------------------------------------- static picture
def save_png(
    estate: Estate,
    path: str | os.PathLike[str],
    *,
    zone: Any = None,
    report: Report | None = None,
    lang: str = "id",
    dpi: int = 150,
) -> Path:
    """A static picture of the estate (and zone) for reports and slides.

    Drawn in the estate's metric CRS with matplotlib: parcels by land use, road
    corridors, water, gates, the boundary and the zone, with a legend, a scale bar,
    a north arrow and the rule verdict in the title. Written whole or not at all.

    Raises
    ------
    DataError
        If ``lang`` is unknown, the zone is unusable or the folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib, kitland
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "estate.png"
    >>> save_png(kitland.load_estate(), out, dpi=40).read_bytes()[:4]
    b'\\x89PNG'
    """
    from matplotlib.figure import Figure as MplFigure  # noqa: PLC0415 - heavy, only for PNGs

    if lang not in LANGS:
        raise DataError(_not_a_language(lang))
    geom = _zone_geometry(zone, estate)
    fig = MplFigure(figsize=(11, 8.5), dpi=dpi)
    ax = fig.add_subplot()
    ax.set_facecolor("#eef4f8")
    p = estate.parcels
    colours = p["land_use"].map(LAND_USE_COLOURS).fillna(_UNKNOWN_COLOUR)
    p.plot(ax=ax, color=colours.to_list(), edgecolor="#666", linewidth=0.3)
    if not estate.roads.empty:
        cols = estate.roads["road_class"].map(
            lambda c: _ROAD_STYLE.get(c, _ROAD_STYLE["local"])["fillColor"]
        )
        estate.road_corridors.plot(ax=ax, color=cols.to_list(), linewidth=0)
    w = estate.water
    if not w.empty:
        w.plot(ax=ax, color="#1971c2", linewidth=1.6)
    estate.boundary.boundary.plot(ax=ax, color="#212529", linewidth=1.4, linestyle="--")
    if geom is not None:
        gpd.GeoSeries([geom], crs=estate.crs).plot(
            ax=ax,
            facecolor=_ZONE_STYLE["fillColor"],
            edgecolor=STATUS_COLOURS[status_of(report)],
            linewidth=2.2,
            alpha=0.85,
        )
    g = estate.gates
    if not g.empty:
        for kind, sub in g.groupby(g["kind"].fillna("")):
            style = _GATE_STYLE.get(str(kind), {"radius": 6, "fillColor": "#000"})
            sub.plot(
                ax=ax,
                color=style["fillColor"],
                markersize=float(style["radius"]) ** 2 * 1.5,
                edgecolor="white",
                zorder=5,
            )
    x0, y0, x1, y1 = _frame_bounds(estate)
    pad = 0.04 * max(x1 - x0, y1 - y0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.legend(
        handles=_png_legend(estate, geom, report, lang),
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        title=_label(lang, "legend"),
        frameon=False,
    )
    _scale_bar(ax, lang)
    ax.annotate(
        _label(lang, "north"), xy=(0.95, 0.95), xytext=(0.95, 0.85), xycoords="axes fraction", ha="center", va="center",
        fontsize=13, fontweight="bold", arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2},
    )  # fmt: skip
    verdict = ""
    if report is not None:
        verdict = " — " + verdict_text(report, lang)
    ax.set_title(f"{estate_title(estate, lang)}{verdict}", fontsize=13, loc="left")
    ax.annotate(
        f"{_attribution(estate, lang, offline=False)}.", xy=(0, -0.01), xycoords="axes fraction", va="top",
        fontsize=7, color="#555",
    )  # fmt: skip
    fig.subplots_adjust(left=0.02, right=0.78, top=0.94, bottom=0.05)
    target = Path(path)
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.15)
    return target


def _png_legend(
    estate: Estate, geom: shapely.Geometry | None, report: Report | None, lang: str
) -> list[Any]:
    """The PNG's legend entries: the land uses present, the zone with its verdict, then
    :func:`_estate_handles` of what the estate has."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - heavy, only for PNGs

    handles = _land_use_handles(estate, lang)
    if geom is not None:
        handles.append(
            Patch(
                facecolor=_ZONE_STYLE["fillColor"],
                edgecolor=STATUS_COLOURS[status_of(report)],
                label=f"{_label(lang, 'zone_legend')} ({_verdict(report, lang)})",
            )
        )
    return handles + _estate_handles(estate, lang, only_present=True)


def _land_use_handles(estate: Estate, lang: str) -> list[Any]:
    """Legend entries (matplotlib) for the land uses of the estate's parcels, in
    :data:`LAND_USES` order."""
    from matplotlib.patches import Patch  # noqa: PLC0415 - heavy, only for pictures

    present = set(estate.parcels["land_use"].dropna())
    handles = [
        Patch(facecolor=LAND_USE_COLOURS[u], edgecolor="#666", label=_label(lang, u))
        for u in LAND_USES
        if u in present
    ]
    unknown = _unknown_uses(estate, lang)
    if unknown:
        handles.append(Patch(facecolor=_UNKNOWN_COLOUR, edgecolor="#666", label=unknown))
    return handles


def _unknown_uses(estate: Estate, lang: str) -> str:
    """The legend's words for parcels drawn blank: the land uses kitland does not know
    (an office's ``Industri``, ``Tersedia``), the first four by name; empty when none."""
    values = sorted({str(v) for v in estate.parcels["land_use"].dropna()} - set(LAND_USE_COLOURS))
    if not values:
        return ""
    shown = ", ".join(values[:4]) + (", …" if len(values) > 4 else "")
    return _label(lang, "unknown_legend").format(values=shown)


def _estate_handles(estate: Estate, lang: str, *, only_present: bool) -> list[Any]:
    """Legend entries (matplotlib) for the boundary, the road corridors and the water
    (with ``only_present``, those the estate has), then each kind of gate it has."""
    from matplotlib.lines import Line2D  # noqa: PLC0415 - heavy, only for pictures
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles: list[Any] = [
        Line2D([], [], color="#212529", linestyle="--", label=_label(lang, "boundary_legend"))
    ]
    if not (only_present and estate.roads.empty):
        handles.append(
            Patch(facecolor=_ROAD_STYLE["arterial"]["fillColor"], label=_label(lang, "road_legend"))
        )
    if not (only_present and estate.water.empty):
        handles.append(
            Line2D([], [], color="#1971c2", linewidth=1.5, label=_label(lang, "water_legend"))
        )
    g = estate.gates
    for kind in dict.fromkeys(str(k) for k in g["kind"].dropna()) if not g.empty else []:
        style = _GATE_STYLE.get(kind, {"fillColor": "#000"})
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", color=style["fillColor"], label=_label(lang, kind)
            )
        )
    return handles


def _scale_bar(
    ax: Any, lang: str, *, fontsize: float = 9, box: dict[str, Any] | None = None
) -> None:
    """A scale bar of a round length about a fifth of the axes width (axes in metres);
    ``box`` is the label's background (matplotlib ``bbox``), none by default."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    exp = 10 ** np.floor(np.log10(target))
    length = max(s * exp for s in (1, 2, 5) if s * exp <= target)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot(
        [bx, bx + length], [by, by], color="black", linewidth=4, solid_capstyle="butt", zorder=6
    )
    ax.plot(
        [bx, bx + length / 2], [by, by], color="white", linewidth=2, solid_capstyle="butt", zorder=7
    )
    text = f"{_num(length / 1000, lang, 1)} km" if length >= 1000 else f"{_num(length, lang, 0)} m"
    ax.text(bx + length / 2, by + 0.015 * (y1 - y0), text, ha="center", va="bottom",
            fontsize=fontsize, zorder=7, bbox=box)  # fmt: skip


#: Fill colours of plot types, in the order of the ``[plots]`` types met on the map.
_PLOT_COLOURS = ("#f28e2b", "#4e79a7", "#59a14f", "#b07aa1", "#edc948", "#76b7b2")
_INTERNAL_ROAD = "#8f8f8f"


def add_plots(
    m: folium.Map,
    estate: Estate,
    plots: gpd.GeoDataFrame,
    internal_roads: gpd.GeoDataFrame,
    *,
    lang: str = "id",
) -> folium.Map:
    """Draw a plot layout on a map from :func:`make_map`: plots by type, internal roads.

    Every attribute shown (plot id, type, area, frontage) is escaped.

    Parameters
    ----------
    m
        The map to draw on (changed in place and returned).
    estate
        The estate (its CRS for measuring).
    plots
        Layer ``plots`` of :func:`kitland.plots.plots` (``plot_id``, ``type``,
        ``area_m2``, ``frontage_m``).
    internal_roads
        Layer ``internal_roads``.
    lang
        ``"id"`` or ``"en"``.

    Examples
    --------
    >>> import kitland, shapely
    >>> est = kitland.load_estate()
    >>> p = gpd.GeoDataFrame({"plot_id": ["P-1"], "type": ["<b>kios</b>"]},
    ...                      geometry=[shapely.box(384950, 9232900, 384960, 9232930)], crs=est.crs)
    >>> m = add_plots(make_map(est), est, p, p.iloc[:0])
    >>> page = m.get_root().render()
    >>> "<b>kios" in page, "&lt;b&gt;kios".replace("&", chr(92) + "u0026") in page  # escaped, as JSON
    (False, True)
    """
    from kitland.i18n import number, tr  # noqa: PLC0415

    if lang not in LANGS:
        raise DataError(_not_a_language(lang))
    pl = plots.to_crs(estate.crs)
    types = list(dict.fromkeys(str(t) for t in pl["type"]))
    styles = {
        str(i): {"fillColor": _PLOT_COLOURS[i % len(_PLOT_COLOURS)], "fillOpacity": 0.75,
                 "color": "#333", "weight": 0.5}
        for i in range(len(types))
    }  # fmt: skip
    props = []
    for _, row in pl.iterrows():
        g = row.geometry
        area = float(g.area) if g is not None else 0.0
        front = _col(row, "frontage_m")
        props.append({
            "c": str(types.index(str(row["type"]))),
            "tip": _tip(
                _col(row, "plot_id"),
                (tr(lang, "plot type"), _col(row, "type")),
                (tr(lang, "plot area"), f"{number(area, lang, 0)} m²"),
                (tr(lang, "frontage on a road"), f"{number(float(front), lang, 1)} m" if front is not None else None),
            ),
        })  # fmt: skip
    _add_under_control(m, _GeoLayer(_collection(pl, estate.crs, props), name=tr(lang, "Plots"),
                                    styles=styles, highlight=True, kind="plots"))  # fmt: skip
    rd = internal_roads.to_crs(estate.crs)
    rprops = [
        {"c": "", "tip": _tip(_col(row, "road_id"), ("", tr(lang, "internal road")),
                              (tr(lang, "road width"), f"{number(float(row['width_m']), lang, 0)} m"
                               if _col(row, "width_m") is not None else None))}
        for _, row in rd.iterrows()
    ]  # fmt: skip
    road_style = {
        "": {"fillColor": _INTERNAL_ROAD, "fillOpacity": 0.9, "color": "#777", "weight": 0.5}
    }
    _add_under_control(m, _GeoLayer(_collection(rd, estate.crs, rprops), name=tr(lang, "Internal roads"),
                                    styles=road_style, kind="internal_roads"))  # fmt: skip
    return m


def _add_under_control(m: folium.Map, layer: _GeoLayer) -> None:
    """Add ``layer`` to a finished map before its layer control, which must see it defined."""
    m.add_child(layer)
    children = list(m._children.items())
    at = next((i for i, (_, c) in enumerate(children) if isinstance(c, folium.LayerControl)), None)
    if at is None:
        return
    item = children.pop()
    children.insert(at, item)
    m._children = OrderedDict(children)


# --------------------------------------------------------------------------- sweep stability
#: Ten steps of share (0–10 %, …, 90–100 %), light to dark (ColorBrewer YlOrRd-like).
SHARE_COLOURS = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c",
                 "#fc4e2a", "#e31a1c", "#bd0026", "#990026", "#800026")  # fmt: skip


def add_share_layer(
    m: folium.Map, cells: gpd.GeoDataFrame, *, name: str, lang: str = "id"
) -> folium.Map:
    """Add cells coloured by their ``share`` column (0..1) to the map ``m``.

    Used for a sweep's stability map: each cell's share of the scenarios whose zone
    holds it (:mod:`kitland.sweep_report`). The tooltip gives the share in percent.

    Parameters
    ----------
    m
        A map from :func:`make_map`.
    cells
        Polygons with a CRS and a ``share`` column.
    name
        The layer's name in the layer control (escaped).

    Examples
    --------
    >>> import kitland
    >>> from shapely import box
    >>> est = kitland.load_estate()
    >>> x, y = est.boundary.union_all().centroid.coords[0]
    >>> cells = gpd.GeoDataFrame({"share": [0.25]}, geometry=[box(x, y, x + 50, y + 50)], crs=est.crs)
    >>> m = add_share_layer(make_map(est), cells, name="stability")
    >>> "25%" in m.get_root().render()
    True
    """
    from kitland.i18n import percent, tr  # noqa: PLC0415

    label = tr(lang, "share of scenarios whose zone holds this cell")
    shares = cells["share"].to_numpy(dtype=float)
    props = [{"c": str(min(9, int(s * 10))), "tip": _tip(name, (label, percent(s, lang, 0)))}
             for s in shares]  # fmt: skip
    styles = {str(i): {"fillColor": c, "color": c, "weight": 0.5, "fillOpacity": 0.75}
              for i, c in enumerate(SHARE_COLOURS)}  # fmt: skip
    data = _collection(cells, cells.crs, props)
    _add_under_control(m, _GeoLayer(data, name=name, styles=styles, kind="stability"))
    return m


# --------------------------------------------------------------------------- propose and compare
#: What the draw tool's export writes: one polygon feature a user can pass to
#: ``kitland check --zone`` / ``kitland compare --zone`` as it is.
DRAWN_FILENAME = "usulan_zona.geojson"

# Leaflet.draw's own words shown on a kitland map (L.drawLocal paths → English msgid).
_DRAW_WORDS = {
    "draw.toolbar.buttons.polygon": "Draw a zone (polygon)",
    "draw.toolbar.buttons.rectangle": "Draw a zone (rectangle)",
    "draw.toolbar.actions.title": "Cancel drawing",
    "draw.toolbar.actions.text": "Cancel",
    "draw.toolbar.finish.title": "Finish drawing",
    "draw.toolbar.finish.text": "Finish",
    "draw.toolbar.undo.title": "Delete the last point drawn",
    "draw.toolbar.undo.text": "Delete last point",
    "draw.handlers.polygon.tooltip.start": "Click to start the zone's outline.",
    "draw.handlers.polygon.tooltip.cont": "Click to continue the outline.",
    "draw.handlers.polygon.tooltip.end": "Click the first point to close the outline.",
    "draw.handlers.rectangle.tooltip.start": "Click and drag to draw a rectangle.",
    "draw.handlers.simpleshape.tooltip.end": "Release the mouse to finish drawing.",
    "edit.toolbar.actions.save.title": "Save the changes",
    "edit.toolbar.actions.save.text": "Save",
    "edit.toolbar.actions.cancel.title": "Cancel editing, discard all changes",
    "edit.toolbar.actions.cancel.text": "Cancel",
    "edit.toolbar.actions.clearAll.title": "Clear the drawn zone",
    "edit.toolbar.actions.clearAll.text": "Clear all",
    "edit.toolbar.buttons.edit": "Edit the drawn zone",
    "edit.toolbar.buttons.editDisabled": "No drawn zone to edit",
    "edit.toolbar.buttons.remove": "Delete the drawn zone",
    "edit.toolbar.buttons.removeDisabled": "No drawn zone to delete",
    "edit.handlers.edit.tooltip.text": "Drag the corners to edit the zone.",
    "edit.handlers.edit.tooltip.subtext": "Cancel to undo the changes.",
    "edit.handlers.remove.tooltip.text": "Click the zone to delete it.",
}

#: Words of Leaflet's own controls and of leaflet-measure (English msgids) that no plugin
#: option sets; :func:`add_control_words` puts them in the map's language.
CONTROL_WORDS = (
    "Zoom in", "Zoom out", "Layers", "A JavaScript library for interactive maps",
    "Close popup",
    # leaflet-measure 2.1.7 (its own locales have no Bahasa Indonesia)
    "Measure", "Measure distances and areas", "Create a new measurement",
    "Start creating a measurement by adding points to the map", "Finish measurement",
    "Last point", "Area", "Perimeter", "Point location", "Area measurement",
    "Linear measurement", "Path distance", "Center on this area", "Center on this line",
    "Center on this location", "Cancel", "Delete",
)  # fmt: skip


def _measure_options(lang: str) -> dict[str, Any]:
    """leaflet-measure in metric units with ``lang``'s decimal and grouping signs."""
    from babel.numbers import get_decimal_symbol, get_group_symbol  # noqa: PLC0415

    units = {"m": {"factor": 1, "display": "m", "decimals": 0},
             "km": {"factor": 0.001, "display": "km", "decimals": 2},
             "ha": {"factor": 0.0001, "display": "ha", "decimals": 2},
             "m2": {"factor": 1, "display": "m²", "decimals": 0}}  # fmt: skip
    return {"primary_length_unit": "m", "secondary_length_unit": "km",
            "primary_area_unit": "ha", "secondary_area_unit": "m2", "units": units,
            "dec_point": get_decimal_symbol(lang), "thousands_sep": get_group_symbol(lang)}  # fmt: skip


#: The measure tool's hemisphere letters (after a coordinate) → English msgid.
_HEMISPHERES = {"N": "N (latitude)", "S": "S (latitude)", "E": "E (longitude)",
                "W": "W (longitude)"}  # fmt: skip


def add_control_words(m: folium.Map, *, lang: str = "id") -> folium.Map:
    """Put the words of the map's controls in ``lang``: zoom buttons, the layer control,
    Leaflet's attribution link and the measure tool (panel and result popups).

    These words have no option in their plugins: a script rewrites the titles, labels and
    texts of :data:`CONTROL_WORDS` under the map's control corners and in measure popups,
    now and whenever the controls draw themselves again, and writes the measure tool's
    coordinates (the two halves around its ``coorddivider``) with ``lang``'s decimal sign
    and hemisphere letters (``LS``/``BT``).
    Data never passes through it.
    """
    from babel.numbers import get_decimal_symbol  # noqa: PLC0415

    if lang == "en":
        return m
    words = {w: _tr(lang, w) for w in CONTROL_WORDS}
    hemi = {k: _tr(lang, v) for k, v in _HEMISPHERES.items()}
    m.add_child(_Script(
        f"var words={_js(words)},hemi={_js(hemi)},dp={_js(get_decimal_symbol(lang))},"
        "root=map.getContainer(),busy=false;"
        "function dec(t){return t.replace(/(\\d)\\.(\\d)/g,'$1'+dp+'$2');}"
        "function coords(t){var m=t.match(/^(.+) ([NSEW])$/);"
        "if(m){return dec(m[1])+' '+hemi[m[2]];}return /^-?\\d+\\.\\d+$/.test(t)?dec(t):null;}"
        "function fix(el){['title','aria-label'].forEach(function(a){var v=el.getAttribute(a);"
        "if(v&&words[v.trim()]){el.setAttribute(a,words[v.trim()]);}});"
        "el.childNodes.forEach(function(n){if(n.nodeType!==3){return;}var t=n.nodeValue.trim(),"
        "c=el.querySelector(':scope>.coorddivider')?coords(t):null;"
        "if(words[t]){n.nodeValue=n.nodeValue.replace(t,words[t]);}"
        "else if(c!==null&&c!==t){n.nodeValue=n.nodeValue.replace(t,c);}"
        "else{var w=t.slice(t.lastIndexOf(' ')+1);"  # a last word: "404 m (0,40 km) Perimeter"
        "if(t.indexOf(' ')>0&&words[w]){n.nodeValue=n.nodeValue.replace(new RegExp(' '+w+'(\\\\s*)$'),' '+words[w]+'$1');}}});}"
        "function all(){busy=false;root.querySelectorAll('.leaflet-control-container *,"
        ".leaflet-measure-resultpopup *').forEach(fix);}"
        "all();new MutationObserver(function(){if(!busy){busy=true;setTimeout(all,0);}})"
        ".observe(root,{subtree:true,childList:true,characterData:true,attributes:true,"
        "attributeFilter:['title','aria-label']});"
    ))  # fmt: skip
    return m


#: Height of the comparison map's two panes, percent of the page; the table fills the rest.
COMPARE_PANES_PCT = 62.0


_DRAW_CSS = """
<style>
/* .leaflet-container ahead: outranks Leaflet's .leaflet-touch .leaflet-bar a (30 px wide) */
.leaflet-container .kit-export a{display:block;width:auto;height:auto;line-height:1.4;white-space:nowrap;background:#fff;
  padding:4px 8px;font:600 12px system-ui,sans-serif;color:#1d3557;text-decoration:none;border-radius:4px}
.leaflet-container .kit-export a:hover{background:#f4f4f4}
.kit-export .kit-note{display:block;font:11px system-ui,sans-serif;color:#555;padding:0 8px 3px;max-width:220px}
.kit-table{position:absolute;left:50%;bottom:24px;transform:translateX(-50%);z-index:1000;
  background:rgba(255,255,255,.96);padding:4px 10px;border-radius:6px;box-shadow:0 1px 5px rgba(0,0,0,.35);
  font:12px/1.35 system-ui,sans-serif;max-height:40vh;max-width:92vw;overflow:auto}
.kit-table.kit-below{left:0;right:0;bottom:0;top:{TOP}%;transform:none;max-height:none;
  max-width:none;border-radius:0;box-shadow:0 -1px 4px rgba(0,0,0,.3)}
.kit-table summary{font-weight:700;cursor:pointer}
.kit-table table{border-collapse:collapse}
.kit-table td,.kit-table th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
.kit-table td:first-child,.kit-table th:first-child{text-align:left}
.kit-table .kit-price{font-weight:700;color:#b00020;padding:3px 0}
.kit-pane{background:rgba(255,255,255,.93);padding:4px 10px;border-radius:6px;
  box-shadow:0 1px 5px rgba(0,0,0,.35);font:700 14px system-ui,sans-serif}
</style>
""".replace("{TOP}", f"{COMPARE_PANES_PCT:g}")


def _tr(lang: str, message: str) -> str:
    from kitland.i18n import tr  # noqa: PLC0415 - the gettext catalogue

    return tr(lang, message)


def add_draw_tool(
    m: folium.Map, *, lang: str = "id", land_use: str = "umkm", zone: dict[str, Any] | None = None
) -> folium.Map:
    """Add the sketching tools to a map: draw or edit one zone, and export it as GeoJSON.

    Leaflet.draw (folium's ``Draw``) draws polygons and rectangles; a new drawing
    replaces the previous one, so the map holds one proposal at a time. The export button
    downloads :data:`DRAWN_FILENAME`: a GeoJSON FeatureCollection (RFC 7946, longitude /
    latitude on WGS 84) with the one polygon and its attributes (``name``, ``land_use``,
    ``source``, ``drawn_on``), which ``kitland check --zone`` and ``kitland compare
    --zone`` read as they are (reprojected to the estate's CRS). With ``zone`` (a GeoJSON
    geometry in longitude/latitude), a button puts a copy of it in the sketch, to edit
    with the edit tool and export. The tools' words follow ``lang``. Offline maps get
    Leaflet.draw inlined like every other plugin.

    Examples
    --------
    >>> import kitland
    >>> m = add_draw_tool(folium.Map(tiles=None), lang="en")
    >>> any(type(c).__name__ == "Draw" for c in m._children.values())
    True
    """
    group = folium.FeatureGroup(name=_tr(lang, "Drawn zone"), control=False)
    m.add_child(group)
    # The words first: Leaflet.draw reads L.drawLocal when its toolbar is built.
    words = {k: _tr(lang, v) for k, v in _DRAW_WORDS.items()}
    m.add_child(_Script(
        f"var words={_js(words)};Object.keys(words).forEach(function(path){{"
        "var keys=path.split('.'),o=L.drawLocal;for(var i=0;i<keys.length-1;i++){o=o[keys[i]];}"
        "o[keys[keys.length-1]]=words[path];});"
    ))  # fmt: skip
    folium.plugins.Draw(
        feature_group=group,
        position="topleft",
        show_geometry_on_click=False,
        draw_options={
            "polyline": False, "circle": False, "marker": False, "circlemarker": False,
            "polygon": {"allowIntersection": False, "showArea": True, "metric": True},
            "rectangle": {"showArea": True, "metric": True},
        },
        edit_options={"poly": {"allowIntersection": False}},
    ).add_to(m)  # fmt: skip
    m.add_child(_Head(_DRAW_CSS))
    props = {
        "name": _tr(lang, "Proposed zone"),
        "land_use": land_use,
        "source": "kitland map draw tool",
        "drawn_on": dt.date.today().isoformat(),
    }
    label = _tr(lang, "Export the drawn zone (GeoJSON)")
    empty = _tr(lang, "Draw a zone first (polygon or rectangle tool).")
    hint = _tr(lang, "then: kitland check --zone {file}").format(file=DRAWN_FILENAME)
    g = group.get_name()
    code = (
        f"map.on('draw:created',function(e){{{g}.eachLayer(function(l){{if(l!==e.layer){{{g}.removeLayer(l);}}}});}});"
        "var ex=L.control({position:'topleft'});ex.onAdd=function(){"
        "var d=L.DomUtil.create('div','kit-export leaflet-bar');var a=L.DomUtil.create('a','',d);"
        f"a.href='#';a.textContent={_js(label)};a.title={_js(hint)};"
        "var note=L.DomUtil.create('span','kit-note',d);"
        "L.DomEvent.disableClickPropagation(d);"
        "L.DomEvent.on(a,'click',function(ev){L.DomEvent.preventDefault(ev);"
        f"var fs={g}.toGeoJSON().features.filter(function(f){{return f.geometry&&"
        "(f.geometry.type==='Polygon'||f.geometry.type==='MultiPolygon');});"
        f"if(!fs.length){{note.textContent={_js(empty)};return;}}"
        f"var fc={{type:'FeatureCollection',features:fs.map(function(f){{return {{type:'Feature',"
        f"properties:{_js(props)},geometry:f.geometry}};}})}};"
        "var url=URL.createObjectURL(new Blob([JSON.stringify(fc)],{type:'application/geo+json'}));"
        f"var dl=document.createElement('a');dl.href=url;dl.download={_js(DRAWN_FILENAME)};"
        "document.body.appendChild(dl);dl.click();dl.remove();"
        f"note.textContent={_js(hint)};setTimeout(function(){{URL.revokeObjectURL(url);}},60000);}});"
        "return d;};ex.addTo(map);"
    )
    if zone is not None:
        copy = _tr(lang, "Copy the zone into the sketch (to edit it)")
        code += (
            "var cz=L.control({position:'topleft'});cz.onAdd=function(){"
            "var d=L.DomUtil.create('div','kit-export kit-copy leaflet-bar');"
            f"var a=L.DomUtil.create('a','',d);a.href='#';a.textContent={_js(copy)};"
            "L.DomEvent.disableClickPropagation(d);"
            f"L.DomEvent.on(a,'click',function(ev){{L.DomEvent.preventDefault(ev);{g}.clearLayers();"
            f"L.geoJSON({_js(zone)}).eachLayer(function(l){{{g}.addLayer(l);}});}});"
            "return d;};cz.addTo(map);"
        )
    m.add_child(_Script(code))
    return m


def _table_html(
    rows: Sequence[Sequence[str]], *, title: str, price: str = "", below: bool = False
) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    line = f'<div class="kit-price">{_esc(price)}</div>' if price else ""
    return (
        f'<div class="kit-table{" kit-below" if below else ""}"><details{" open" if below else ""}>'
        f"<summary>{_esc(title)}</summary>{line}"
        f"<table><tr>{head}</tr>{body}</table></details></div>"
    )


def add_table(
    m: folium.Map | folium.plugins.DualMap,
    rows: Sequence[Sequence[str]],
    *,
    title: str,
    price: str = "",
) -> None:
    """Add a table (a header row, then rows of text) at the foot of the map, foldable.

    Every cell is escaped. Used for the side-by-side comparison
    (:func:`kitland.comparison.side_by_side`): the proposal against the best zone, or each
    alternative against placement 1. On a ``DualMap`` (whose panes :func:`compare_map`
    makes :data:`COMPARE_PANES_PCT` high) the table sits below both panes, not over them,
    open; on a map it lies over the map's foot, folded to its title until clicked, so
    it covers neither the zone the map opens on nor the legend.
    """
    dual = isinstance(m, folium.plugins.DualMap)
    target = m.m1 if isinstance(m, folium.plugins.DualMap) else m
    target.add_child(_Head(_DRAW_CSS))
    target.add_child(_Body(_table_html(rows, title=title, price=price, below=dual)))


def _candidate_layer(
    geom: shapely.Geometry, estate: Estate, report: Report | None, lang: str, *, name: str,
    style: Mapping[str, Any], kind: str,
) -> _GeoLayer:  # fmt: skip
    area_ha = float(geom.area) / 10_000
    verdict = "" if report is None else (" ✓" if report.passed else " ✗")
    if report is not None:  # outlined in the verdict's colour
        style = {**style, "color": STATUS_COLOURS[status_of(report)]}
    props = [{"c": "", "tip": _tip(name + verdict, (_label(lang, "area"), f"{_num(area_ha, lang, 2)} ha")),
              "popup": _report_html(report, lang, title=name, area_ha=area_ha)}]  # fmt: skip
    data = _collection(gpd.GeoDataFrame(geometry=[geom], crs=estate.crs), estate.crs, props)
    return _GeoLayer(data, name=name, styles={"": dict(style)}, kind=kind)


_NEAR_STYLE: dict[str, Any] = {**_ALT_STYLE, "fillOpacity": 0.25}
_OUTLINE_STYLE: dict[str, Any] = {
    "color": "#c1121f",
    "weight": 2,
    "dashArray": "6 5",
    "fill": False,
}


def _pane(
    m: folium.Map, estate: Estate, lang: str, *, offline: bool, zones: Sequence[_GeoLayer],
    title: str, bands: gpd.GeoDataFrame | None,
) -> None:  # fmt: skip
    """One pane of the comparison map: the estate, its zones, a layer control, a title."""
    if offline:
        context, _ = _context_layer(_context_frames(estate), estate, lang)
        if context is not None:
            m.add_child(context)
    else:
        folium.TileLayer(xyz.Esri.WorldGrayCanvas, name=_label(lang, "base_light"),
                         max_native_zoom=16, max_zoom=19).add_to(m)  # fmt: skip
        folium.TileLayer(xyz.Esri.WorldImagery, name=_label(lang, "base_sat"), show=False,
                         max_native_zoom=18, max_zoom=19).add_to(m)  # fmt: skip
    layers = [
        _settlements_layer(estate, lang),
        _parcels_layer(estate, lang),
        _water_layer(estate, lang),
        _bands_layer(bands, estate.crs, lang) if bands is not None and not bands.empty else None,
        _roads_layer(estate, lang),
        _boundary_layer(estate, lang),
        *zones,
        _gates_layer(estate, lang),
    ]
    for layer in layers:
        if layer is not None:
            m.add_child(layer)
    _LayerControl(collapsed=True, position="topright").add_to(m)
    m.add_child(_Script("L.control.scale({imperial:false,maxWidth:160}).addTo(map);"))
    add_control_words(m, lang=lang)
    m.add_child(_Script(
        "var t=L.control({position:'topright'});t.onAdd=function(){var d=L.DomUtil.create('div',"
        f"'kit-pane');d.textContent={_js(title)};return d;}};t.addTo(map);"
    ))  # fmt: skip


def compare_map(
    estate: Estate,
    comparison: Any,
    *,
    rules: Rules | None = None,
    lang: str = "id",
    offline: bool = False,
) -> folium.plugins.DualMap:
    """The comparison map: the proposal and the best zone in two synced panes, and a table.

    The left pane shows the proposal (its rule results in its popup) and the best zone
    that covers at least half of it; the right pane the best zone, with the proposal's
    outline dashed for reference. Both panes pan and zoom together (folium ``DualMap``,
    Leaflet.Sync). Below them, foldable, the side-by-side table of
    :meth:`kitland.comparison.Comparison.table` and the price of the proposal in one line.

    Parameters
    ----------
    estate
        The estate.
    comparison
        A :class:`kitland.comparison.Comparison`.
    rules
        The rules (setback bands are drawn).
    lang
        ``"id"`` (default) or ``"en"``.
    offline
        One self-contained file (Leaflet, the plugins and Leaflet.Sync inlined, the
        bundled village basemap instead of tiles).

    Returns
    -------
    folium.plugins.DualMap
    """
    if lang not in LANGS:
        raise DataError(_not_a_language(lang))
    zones = [c.zone for _, c in comparison.columns() if c is not None]
    x0, y0, x1, y1 = shapely.total_bounds(np.asarray(zones, dtype=object))
    box = shapely.box(x0, y0, x1, y1).buffer(max(200.0, 0.3 * max(x1 - x0, y1 - y0)))
    x0, y0, x1, y1 = gpd.GeoSeries([box], crs=estate.crs).to_crs(4326).total_bounds
    m = folium.plugins.DualMap(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=15,
                               tiles=None, max_zoom=19, control_scale=False)  # fmt: skip
    for pane in (m.m1, m.m2):  # the panes above, the table below them (never over a pane)
        pane.height = (COMPARE_PANES_PCT, "%")
    m.m1.add_child(_Head(_CSS))
    bands = _setback_bands(estate, rules)
    prop = comparison.proposal
    left = [_candidate_layer(prop.zone, estate, prop.report, lang, name=_tr(lang, "proposal"),
                             style=_ZONE_STYLE, kind="proposal")]  # fmt: skip
    if comparison.near_proposal is not None:
        near = comparison.near_proposal
        left.insert(0, _candidate_layer(near.zone, estate, near.report, lang,
                                        name=comparison.heading("best zone near the proposal", lang),
                                        style=_NEAR_STYLE, kind="near_proposal"))  # fmt: skip
    outline = {**_OUTLINE_STYLE, "color": STATUS_COLOURS[status_of(prop.report)]}
    right = [_candidate_layer(prop.zone, estate, None, lang, name=_tr(lang, "proposal"),
                              style=outline, kind="proposal_outline")]  # fmt: skip
    if comparison.best is not None:
        right.append(_candidate_layer(comparison.best.zone, estate, comparison.best.report, lang,
                                      name=comparison.heading("best zone", lang), style=_ZONE_STYLE,
                                      kind="best"))  # fmt: skip
    _pane(m.m1, estate, lang, offline=offline, zones=left, title=_tr(lang, "proposal"), bands=bands)
    _pane(m.m2, estate, lang, offline=offline, zones=right, title=comparison.heading("best zone", lang),
          bands=bands)  # fmt: skip
    m.fit_bounds([[y0, x0], [y1, x1]])
    source = rules.source if rules is not None else comparison.rules_source
    title = f"{estate_title(estate, lang)} — {_tr(lang, 'Proposal against the best zone')}"
    if source:
        title += f" ({_label(lang, 'rules_file')}: {Path(source).name or source})"
    add_table(m, comparison.table(lang), title=title, price=comparison.price_line(lang))
    if offline:
        _inline_assets(m.m1, root=m.get_root())
    return m
