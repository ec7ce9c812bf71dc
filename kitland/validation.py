"""Validating estate data: every problem found at once, and the land budget against the norms.

:func:`validate` judges an :class:`~kitland.estate.Estate` as data: geometry that cannot be
measured (invalid, wrong type), parcels that overlap, leave gaps or cross the boundary,
identifiers and coded values that are missing, repeated or unknown, road widths, empty
layers, and the problems the loader already noticed (:attr:`Estate.load_findings`). It
returns one :class:`ValidationReport` with every :class:`~kitland.estate.Finding`, the
land budget and the Indonesian industrial-estate norms; it never raises on bad data.

:func:`repair` returns a new estate whose invalid geometries are fixed with
:func:`shapely.make_valid`; it never touches its input.

Thresholds (metres, square metres in the estate's metric CRS):

- overlaps and parcel area outside the boundary count from 1 m² (digitising slivers below
  that are ignored); an overlap narrower than 1 m everywhere (parcels drawn over each
  other within the snapping tolerance) is a warning, not an error;
- gaps count from 0.01 ha (100 m²), as in SPEC §3; land under a road corridor is not
  a gap (an estate may draw its roads as centrelines only, without road parcels), nor is
  a water polygon (a pond in a parcel's hole, a river drawn only in the water layer).

The norms are those of the Ministry of Industry's technical guideline for industrial
estates (Permenperin No. 40/M-IND/PER/7/2016), as shares of the estate's area:

==========================  =============  =============================================
norm                        share          land uses counted
==========================  =============  =============================================
industrial plots            ≤ 70 %         ``industrial``
green open space            ≥ 10 %         ``green``
roads                       8 - 12 %       ``road`` parcels (else the road corridors)
supporting facilities       6 - 12 %       ``commercial``, ``utility``, ``residential``,
                                           ``umkm``
==========================  =============  =============================================

``available`` (and ``water``) land counts towards no norm. A norm that is not met is a
*warning*: the norms are planning targets, not data errors.
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import logging
import math
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from kitland._errors import DataError
from kitland.crs import crs_label
from kitland.estate import (
    BUNDLED_SOURCE,
    LAND_USES,
    LAYER_SCHEMA,
    REQUIRED_LAYERS,
    WATER_KINDS,
    Estate,
    Finding,
)
from kitland.i18n import LABELS, Message, label, number, numbers_in, percent, tr
from kitland.io import LAYER_NAMES

__all__ = [
    "NORMS",
    "NORMS_SOURCE",
    "Norm",
    "NormResult",
    "OnInvalid",
    "ValidationReport",
    "repair",
    "require_valid",
    "validate",
]

log = logging.getLogger(__name__)

#: Smallest overlap between two parcels, and smallest parcel area outside the boundary,
#: that is reported (m²).
MIN_OVERLAP_M2 = 1.0
#: Smallest uncovered piece inside the boundary reported as a gap (m²; 0.01 ha).
MIN_GAP_M2 = 100.0
#: An uncovered piece narrower than this everywhere (2ε, SPEC §3: parcels digitised
#: apart) is a slit, which the rules count as the parcels' land: a warning, not a gap.
SLIT_M = 1.0
#: Road widths outside this range (m) are reported as implausible.
PLAUSIBLE_WIDTH_M = (3.0, 100.0)
#: Land uses whose parcels may lie under a road corridor: a ``road`` parcel is the
#: corridor's land, and a road crosses ``water`` on a bridge.
UNDER_ROADS = ("road", "water")

# Indonesian words planners commonly type for the land uses, kinds and classes, and
# OpenStreetMap's road tags.
_SYNONYMS = {
    "industri": "industrial", "kavling industri": "industrial", "komersial": "commercial",
    "perdagangan": "commercial", "perumahan": "residential", "hunian": "residential",
    "hijau": "green", "rth": "green", "ruang terbuka hijau": "green", "utilitas": "utility",
    "air": "water", "jalan": "road", "tersedia": "available", "kosong": "available",
    "tol": "toll", "arteri": "arterial", "kolektor": "collector", "lokal": "local",
    "sungai": "river", "kanal": "canal", "saluran": "canal", "pantai": "coast",
    "kolam": "pond", "gerbang": "estate_gate", "gerbang kawasan": "estate_gate",
    "gerbang pabrik": "factory_gate", "gerbang tol": "toll_exit", "pintu tol": "toll_exit",
    # OpenStreetMap's highway values (an OSM export's roads)
    "motorway": "toll", "trunk": "arterial", "primary": "arterial", "secondary": "collector",
    "tertiary": "local", "residential": "local", "unclassified": "local",
}  # fmt: skip

_SEVERITY_RANK = {"error": 0, "warning": 1}
_ID_COLUMN = {"parcels": "parcel_id", "roads": "road_id", "gates": "gate_id"}
_FAMILY = {
    "Polygon": "polygon", "MultiPolygon": "polygon", "LineString": "line",
    "MultiLineString": "line", "LinearRing": "line", "Point": "point", "MultiPoint": "point",
}  # fmt: skip


@dataclass(frozen=True)
class Norm:
    """A land-budget norm: the share of the estate the listed land uses may take.

    Attributes
    ----------
    key
        Short identifier used in finding codes (``norm-<key>``).
    name
        What a planner calls it.
    land_uses
        The ``land_use`` values counted.
    min_pct, max_pct
        Bounds on the share of the estate's area, percent (None: unbounded).
    """

    key: str
    name: str
    land_uses: tuple[str, ...]
    min_pct: float | None = None
    max_pct: float | None = None

    @property
    def requirement(self) -> str:
        """The bound as text, e.g. ``"≤ 70%"`` or ``"8–12%"``."""
        if self.min_pct is not None and self.max_pct is not None:
            return f"{self.min_pct:g}–{self.max_pct:g}%"
        if self.max_pct is not None:
            return f"≤ {self.max_pct:g}%"
        return f"≥ {self.min_pct:g}%"


#: Where :data:`NORMS` come from, written into every validation report. kitland could not
#: check the figures against the regulation's own text (only secondary summaries were at
#: hand), so ``verified`` is False; a verified scorecard (e.g. Permenperin 26/2025's
#: accreditation figures) is to be added only from the regulation's text.
NORMS_SOURCE = {
    "regulation": "Permenperin No. 40/M-IND/PER/7/2016",
    "year": 2016,
    "verified": False,
    "note": (
        "figures as summarised publicly, not checked against the regulation's text; "
        "whether this regulation is still in force was not checked either"
    ),
}

#: The Indonesian industrial-estate norms (see the module documentation).
NORMS = (
    Norm("industrial", "industrial plots", ("industrial",), max_pct=70.0),
    Norm("green", "green open space", ("green",), min_pct=10.0),
    Norm("roads", "roads", ("road",), min_pct=8.0, max_pct=12.0),
    Norm(
        "supporting", "supporting facilities",
        ("commercial", "utility", "residential", "umkm"), min_pct=6.0, max_pct=12.0,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class NormResult:
    """One norm judged on an estate.

    Attributes
    ----------
    norm
        The :class:`Norm`.
    area_ha
        Area counted, hectares.
    share_pct
        Share of the estate's area, percent (None when the estate has no area).
    passed
        Whether the share lies within the bounds (None when it cannot be measured).
    basis
        What was counted, e.g. ``"road parcels"`` or ``"road corridors"``.
    """

    norm: Norm
    area_ha: float
    share_pct: float | None
    passed: bool | None
    basis: str
    via_corridors: bool = False
    unknown_ha: float = 0.0

    def basis_text(self, lang: str = "en") -> str:
        """:attr:`basis` in ``lang`` (land uses and numbers through the catalogue)."""
        if lang == "en":
            return self.basis
        t = functools.partial(tr, lang)
        if self.via_corridors:
            text = t("road corridors (no road parcels)")
        else:
            uses = " + ".join(label(lang, u) for u in self.norm.land_uses)
            text = t("{land_uses} parcels").format(land_uses=uses)
        if self.unknown_ha > 0:
            text += "; " + t("not judged: {area} ha have an unknown land_use").format(
                area=number(self.unknown_ha, lang, 1))  # fmt: skip
        return text

    @property
    def mark(self) -> str:
        """✓, ✗ or ? (not measurable)."""
        return "?" if self.passed is None else ("✓" if self.passed else "✗")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "norm": self.norm.key,
            "name": self.norm.name,
            "land_uses": list(self.norm.land_uses),
            "area_ha": _round(self.area_ha),
            "share_pct": _round(self.share_pct),
            "min_pct": self.norm.min_pct,
            "max_pct": self.norm.max_pct,
            "required": self.norm.requirement,
            "passed": self.passed,
            "basis": self.basis,
        }


def _round(v: Any, nd: int = 3) -> Any:
    if isinstance(v, float | np.floating):
        return round(float(v), nd) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """Everything :func:`validate` found in one estate.

    Attributes
    ----------
    findings
        Every :class:`~kitland.estate.Finding`, errors first, then by layer.
    budget
        The land budget (:meth:`Estate.land_budget`: ``area_ha``, ``share_pct``,
        ``parcels`` per land use) with a column ``norm`` naming the norm each land use
        counts towards (empty for none).
    norms
        One :class:`NormResult` per entry of :data:`NORMS`.
    estate
        Name of the estate (its file's name); ``title`` the name its boundary gives it
        (:attr:`Estate.title <kitland.estate.Estate.title>`), which the text shows;
        ``source`` where it came from; ``crs`` the CRS measured in; ``area_ha`` the area
        inside its boundary.
    """

    findings: tuple[Finding, ...]
    budget: pd.DataFrame
    norms: tuple[NormResult, ...]
    estate: str = ""
    source: str = ""
    crs: str = ""
    area_ha: float = 0.0
    title: str = ""

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity ``error``."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The findings of severity ``warning``."""
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def has_errors(self) -> bool:
        """True when at least one finding is an error (``kitland validate`` exits 1)."""
        return any(f.severity == "error" for f in self.findings)

    @property
    def norms_met(self) -> bool:
        """True when every norm is met."""
        return all(n.passed for n in self.norms)

    def codes(self) -> list[str]:
        """The finding codes, in report order (handy in tests and scripts)."""
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form; the same report always gives the same dict."""
        budget = [
            {
                "land_use": str(u),
                "area_ha": _round(float(r["area_ha"])),
                "share_pct": _round(float(r["share_pct"])),
                "parcels": int(r["parcels"]),
                "norm": str(r["norm"]),
            }
            for u, r in self.budget.iterrows()
        ]
        return {
            "passed": not self.has_errors,
            "estate": self.estate,
            "title": self.title or self.estate,
            "source": self.source,
            "crs": self.crs,
            "area_ha": _round(self.area_ha),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "layer": f.layer,
                    "feature": f.feature,
                    "message": f.message,
                }
                for f in self.findings
            ],
            "budget": budget,
            "norms": [n.to_dict() for n in self.norms],
            "norms_source": dict(NORMS_SOURCE),
        }

    def to_json(self) -> str:
        """Deterministic JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self, lang: str = "en") -> str:
        """One line: the verdict and the counts (words and numbers in ``lang``)."""
        ne, nw = len(self.errors), len(self.warnings)
        met = sum(bool(n.passed) for n in self.norms)
        if lang == "en":
            return (
                f"{'FAIL' if ne else 'OK'}: {ne} error{'s' * (ne != 1)}, "
                f"{nw} warning{'s' * (nw != 1)}; land-budget norms met: {met} of {len(self.norms)}"
            )
        verdict = tr(lang, "FAIL" if ne else "OK")
        return tr(lang, "{verdict}: {errors} errors, {warnings} warnings; land-budget norms "
                        "met: {met} of {total}").format(verdict=verdict, errors=ne, warnings=nw,
                                                        met=met, total=len(self.norms))  # fmt: skip

    def to_text(self, lang: str = "en") -> str:
        """Findings one per line (one line for the features of which a finding says the
        same, :func:`_finding_lines`), then the land budget and the norms with ✓/✗.

        Words come from the message catalogue and numbers follow ``lang``'s locale,
        the findings' sentences included (:meth:`Finding.text`); names, ids, codes and
        layer names are data and stay as they are.
        """
        t = functools.partial(tr, lang)
        area = number(self.area_ha, lang, 2)
        bundled = self.estate == LABELS["bundled_name"]
        name = label(lang, "bundled_name") if bundled else self.title or self.estate
        out = [t("{estate} — {area} ha inside the boundary, measured in {crs}").format(
            estate=name, area=area, crs=self.crs)]  # fmt: skip
        out += _finding_lines(self.findings, lang) or [t("no data problems found")]
        out.append("")
        out.append(t("land budget"))
        rows = [
            (
                str(u) if lang == "en" else label(lang, str(u)),
                number(r["area_ha"], lang, 2),
                percent(r["share_pct"] / 100, lang, 1),
                str(int(r["parcels"])),
                t(str(r["norm"])) if r["norm"] else "",
            )
            for u, r in self.budget.iterrows()
        ]
        head = tuple(t(h) for h in ("land use", "area ha", "share", "parcels", "norm"))
        out += _table(head, rows, right=(1, 2, 3))
        out.append("")
        out.append(t("norms ({regulation}, share of the estate; figures not verified against "
                     "the regulation's text)").format(regulation=NORMS_SOURCE["regulation"]))  # fmt: skip
        nrows = [
            (
                n.mark,
                t(n.norm.name),
                "—" if n.share_pct is None else percent(n.share_pct / 100, lang, 1),
                numbers_in(n.norm.requirement, lang),
                n.basis_text(lang),
            )
            for n in self.norms
        ]
        out += _table(("", *(t(h) for h in ("norm", "share", "required", "counted"))), nrows,
                      right=(2,))  # fmt: skip
        out.append("")
        out.append(self.summary(lang))
        return "\n".join(out) + "\n"

    def __repr__(self) -> str:
        return f"<ValidationReport {self.estate!r}: {self.summary()}>"

    def _repr_html_(self) -> str:
        colour = "#cf222e" if self.has_errors else "#1a7f37"
        frows = "".join(
            f"<tr><td style='color:{'#cf222e' if f.severity == 'error' else '#9a6700'}'>"
            f"{f.severity}</td><td>{html.escape(f.code)}</td><td>{html.escape(f.layer)}</td>"
            f"<td>{html.escape(f.feature)}</td><td>{html.escape(f.message)}</td></tr>"
            for f in _merged(self.findings, "en")
        )
        brows = "".join(
            f"<tr><td>{html.escape(str(u))}</td><td style='text-align:right'>{r['area_ha']:,.2f}</td>"
            f"<td style='text-align:right'>{r['share_pct']:.1f}%</td><td>{int(r['parcels'])}</td>"
            f"<td>{html.escape(str(r['norm']))}</td></tr>"
            for u, r in self.budget.iterrows()
        )
        nrows = "".join(
            f"<tr><td>{n.mark}</td><td>{html.escape(n.norm.name)}</td>"
            f"<td style='text-align:right'>{'—' if n.share_pct is None else f'{n.share_pct:.1f}%'}</td>"
            f"<td>{html.escape(n.norm.requirement)}</td></tr>"
            for n in self.norms
        )
        return (
            f"<div><b style='color:{colour}'>{html.escape(self.summary())}</b><br>"
            f"<small>{html.escape(self.estate)} — {self.area_ha:,.2f} ha, {html.escape(self.crs)}</small>"
            "<table><tr><th>severity</th><th>code</th><th>layer</th><th>feature</th><th>message</th></tr>"
            f"{frows}</table><table><tr><th>land use</th><th>ha</th><th>share</th><th>parcels</th>"
            f"<th>norm</th></tr>{brows}</table><table><tr><th></th><th>norm</th><th>share</th>"
            f"<th>required</th></tr>{nrows}</table></div>"
        )


def _finding_lines(findings: Sequence[Finding], lang: str) -> list[str]:
    """A line per finding of :func:`_merged`."""
    return [_finding_text(f, lang) for f in _merged(findings, lang)]


def _merged(findings: Sequence[Finding], lang: str) -> list[Finding]:
    """The findings, but one for the features of which findings say the same (an
    unknown land_use on 72 parcels), naming the first five and counting the rest (the
    JSON report lists each)."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        same = f.feature and f.feature not in f.message
        key = (f.code, f.severity, f.layer, f.message) if same else (str(id(f)),)
        groups.setdefault(key, []).append(f)
    out = []
    for group in groups.values():
        first, n = group[0], len(group)
        if n > 1:
            names = ", ".join(g.feature for g in group[:5])
            more = Message("{names} and {n} more", {"names": names, "n": n - 5}).render(lang)
            first = replace(first, feature=more if n > 5 else names)
        out.append(first)
    return out


def _finding_text(f: Finding, lang: str) -> str:
    """A finding's line; in another language than English its severity and sentence are
    translated (the code, layer and feature are identifiers and data)."""
    if lang == "en":
        return str(f)
    where = f.layer + (f" {f.feature}" if f.feature else "")
    severity = tr(lang, {"error": "ERROR", "warning": "WARNING"}.get(f.severity, f.severity))
    return f"{severity:10} {f.code:22} {where}: {f.text(lang)}"


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], *, right: Iterable[int] = ()
) -> list[str]:
    right = set(right)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(r: Sequence[str]) -> str:
        cells = (
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    return [line(head), *(line(r) for r in rows)]


# -- the checks ----------------------------------------------------------------------


def _labels(gdf: gpd.GeoDataFrame, layer: str) -> np.ndarray:
    """Feature label per row: its id (``parcel_id``, ``road_id``, …) or ``#row``."""
    col = _ID_COLUMN.get(layer, "name")
    rows = np.array([f"#{i}" for i in range(len(gdf))], dtype=object)
    if col in gdf.columns:
        ids = gdf[col].to_numpy(dtype=object)
        ok = np.array([isinstance(v, str) and bool(v.strip()) for v in ids], dtype=bool)
        rows[ok] = [_short(v) for v in ids[ok]]
    return rows


def _short(text: str, n: int = 60) -> str:
    """``text`` cut to ``n`` characters (a value can be megabytes long)."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _is_blank(v: Any) -> bool:
    """True for None, NaN and text of only spaces."""
    if isinstance(v, str):
        return not v.strip()
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _suggest(value: str, allowed: Sequence[str]) -> Message | None:
    """The allowed word nearest to ``value`` as advice (None when none is near)."""
    low = value.strip().lower()
    if low in allowed:
        return Message("did you mean {value!r}? (values are lower case)", {"value": low})
    if low in _SYNONYMS and _SYNONYMS[low] in allowed:
        return Message("did you mean {value!r}?", {"value": _SYNONYMS[low]})
    if _SYNONYMS.get(low) in WATER_KINDS and "water" in allowed:  # a land use of 'sungai'
        return Message("did you mean {value!r}?", {"value": "water"})
    near = difflib.get_close_matches(low.replace(" ", "_"), allowed, n=1, cutoff=0.6)
    return Message("did you mean {value!r}?", {"value": near[0]}) if near else None


def _either(words: Sequence[str]) -> Message:
    """``a, b or c``: the last word joined by the language's "or"."""
    if len(words) == 1:
        return Message("{a}", {"a": words[0]})
    return Message("{a} or {b}", {"a": ", ".join(words[:-1]), "b": words[-1]})


def _missing_columns(estate: Estate) -> set[tuple[str, str]]:
    """(layer, column) pairs the loader reported as missing."""
    out = set()
    for f in estate.load_findings:
        if f.code == "missing-column":
            m = re.search(r"missing required column '([^']+)'", f.message)
            if m:
                out.add((f.layer, m.group(1)))
    return out


def _check_types(
    layer: str, gdf: gpd.GeoDataFrame, labels: np.ndarray
) -> tuple[list[Finding], np.ndarray]:
    """Geometry types against :data:`LAYER_SCHEMA`; returns findings and the mask of good rows."""
    allowed = LAYER_SCHEMA[layer].geom_types
    types = gdf.geom_type.to_numpy(dtype=object)
    ok = np.isin(types, allowed)
    label = gdf.attrs.get("source", layer)
    # A closed line where polygons belong: a CAD drawing's closed polyline (GDAL reads a
    # DXF's as a line), which kitland does not turn into a polygon by itself.
    ring = (
        ("Polygon" in allowed)
        & shapely.is_closed(gdf.geometry.to_numpy())
        & (types == "LineString")
    )
    # Roads digitised as their corridors' polygons: kitland buffers centre lines.
    corridor = (layer == "roads") & np.isin(types, ("Polygon", "MultiPolygon"))
    out = [
        Finding.of(
            "wrong-geometry-type",
            "error",
            layer,
            str(labels[i]),
            "{source}: geometry is a closed {type}; the {layer} layer holds {types}: make "
            "the closed lines polygons (QGIS: Vector > Geometry Tools > Lines to Polygons)"
            if ring[i] else
            "{source}: geometry is a {type}; the {layer} layer holds {types}: give each "
            "road's centre line (its corridor is the centre line buffered by width_m / 2)"
            if corridor[i] else "{source}: geometry is a {type}; the {layer} layer holds {types}",
            source=label, type=types[i], layer=layer, types=_either(allowed),
        )
        for i in np.flatnonzero(~ok)
    ]  # fmt: skip
    return out, ok


def _check_valid(
    layer: str, gdf: gpd.GeoDataFrame, labels: np.ndarray
) -> tuple[list[Finding], np.ndarray]:
    """Invalid geometries with shapely's reason; returns findings and the invalid mask."""
    geoms = gdf.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    label = gdf.attrs.get("source", layer)
    idx = np.flatnonzero(invalid)
    reasons = shapely.is_valid_reason(geoms[idx]) if len(idx) else []
    out = [
        Finding.of(
            "invalid-geometry",
            "error",
            layer,
            str(labels[i]),
            "{source}: invalid geometry ({reason}); `kitland validate --fix OUT.gpkg` repairs it",
            source=label,
            reason=reason,
        )
        for i, reason in zip(idx, reasons, strict=True)
    ]
    return out, invalid


def _check_values(
    layer: str, gdf: gpd.GeoDataFrame, labels: np.ndarray, missing: set[tuple[str, str]]
) -> list[Finding]:
    """Required columns without value; coded columns with values outside their list."""
    spec = LAYER_SCHEMA[layer]
    label = gdf.attrs.get("source", layer)
    out: list[Finding] = []
    for col in spec.required:
        if (
            col not in gdf.columns
            or (layer, col) in missing
            or (layer == "parcels" and col == "parcel_id")
        ):
            continue  # reported by the loader, or by the id check
        empty = gdf[col].map(_is_blank).to_numpy(bool)
        if len(gdf) and empty.all():
            out.append(Finding.of("missing-value", "error", layer, "",
                                  "{source}: column {column!r} has no value in any of the {n} "
                                  "features", source=label, column=col, n=len(gdf)))  # fmt: skip
            continue
        out += [
            Finding.of("missing-value", "error", layer, str(labels[i]),
                       "{source}: no {column} given", source=label, column=col)
            for i in np.flatnonzero(empty)
        ]  # fmt: skip
    for col, allowed in spec.values.items():
        if col not in gdf.columns:
            continue
        vals = gdf[col].to_numpy(dtype=object)
        # bool(): an empty string in the list would make numpy read it as text, where
        # "False" is not empty, and flag every value of the column.
        for i in np.flatnonzero(
            [bool(isinstance(v, str) and v.strip() and v not in allowed) for v in vals]
        ):
            hint = _suggest(vals[i], allowed) if len(vals[i]) <= 60 else None
            out.append(
                Finding.of(f"unknown-{col.replace('_', '-')}", "error", layer, str(labels[i]),
                           "{source}: unknown {column} {value!r}; {hint} (expected one of "
                           "{allowed})" if hint else
                           "{source}: unknown {column} {value!r} (expected one of {allowed})",
                           source=label, column=col, value=_short(vals[i]), hint=hint,
                           allowed=", ".join(allowed))
            )  # fmt: skip
    return out


def _check_ids(parcels: gpd.GeoDataFrame, missing: set[tuple[str, str]]) -> list[Finding]:
    if "parcel_id" not in parcels.columns or ("parcels", "parcel_id") in missing:
        return []
    label = parcels.attrs.get("source", "parcels")
    ids = parcels["parcel_id"]
    empty = ids.map(_is_blank).to_numpy(bool)
    out = [
        Finding.of(
            "empty-id",
            "error",
            "parcels",
            f"#{i}",
            "{source}: parcel in row {row} has no parcel_id",
            source=label,
            row=str(i),
        )
        for i in np.flatnonzero(empty)
    ]
    named = ids[~empty]
    dup = named[named.duplicated(keep=False)]
    for pid, rows in dup.groupby(dup, sort=False).groups.items():
        where = ", ".join(str(r) for r in rows[:20]) + (", …" if len(rows) > 20 else "")
        out.append(
            Finding.of(
                "duplicate-id",
                "error",
                "parcels",
                _short(str(pid)),
                "{source}: parcel_id {id!r} is used by {n} parcels (rows {rows}); ids must be unique",
                source=label,
                id=_short(str(pid)),
                n=len(rows),
                rows=where,
            )
        )
    return out


def _check_widths(
    roads: gpd.GeoDataFrame, labels: np.ndarray, missing: set[tuple[str, str]]
) -> list[Finding]:
    """Roads without a width (none given, no class to take one from: not again for each
    road when the layer has no ``road_class`` column, a finding of its own) or an
    implausible one."""
    if "width_m" not in roads.columns:
        return []
    label = roads.attrs.get("source", "roads")
    width = pd.to_numeric(roads["width_m"], errors="coerce").to_numpy(float)
    no_class = ("roads", "road_class") in missing
    unknown = np.flatnonzero(np.isnan(width) & (not no_class))
    out = [
        Finding.of(
            "road-width",
            "error",
            "roads",
            str(labels[i]),
            "{source}: no width_m and no known road_class to take a default width from",
            source=label,
        )
        for i in unknown
    ]
    lo, hi = PLAUSIBLE_WIDTH_M
    for i in np.flatnonzero(~np.isnan(width) & ((width < lo) | (width > hi))):
        out.append(Finding.of("road-width", "warning", "roads", str(labels[i]),
                              "{source}: width_m = {width:g} m is implausible for a road "
                              "(expected {lo:g}–{hi:g} m)", source=label, width=float(width[i]),
                              lo=lo, hi=hi))  # fmt: skip
    return out


def _check_outlines(roads: gpd.GeoDataFrame, labels: np.ndarray) -> list[Finding]:
    """Roads drawn as the outline of their corridor (a CAD polygon exported as a closed
    line): a closed line whose inside lies within its own corridor (the largest circle
    inside it is no wider than ``width_m``, 1 % allowed for rounding) and is longer than
    a square's outline of that width (a small roundabout is a circle, π times its width
    around). Such a line is not a centre line: its corridor would be a band around the
    road's own outline, twice as wide, and the network would run around its kerbs."""
    label = roads.attrs.get("source", "roads")
    width = pd.to_numeric(roads["width_m"], errors="coerce").to_numpy(float)
    parts, rows = shapely.get_parts(roads.geometry.to_numpy(), return_index=True)
    closed = np.flatnonzero(
        (shapely.get_type_id(parts) == 1) & shapely.is_closed(parts) & ~np.isnan(width[rows])
    )
    out: list[Finding] = []
    for i in closed:
        ring = shapely.Polygon(shapely.get_coordinates(parts[i]))
        inside = keep_family(shapely.make_valid(ring), "polygon")
        if inside.area <= 0:
            continue
        across = 2 * shapely.maximum_inscribed_circle(inside, 0.01).length  # to 1 cm
        w = float(width[rows[i]])
        if across <= 1.01 * w and parts[i].length > 4 * across:
            out.append(Finding.of(
                "road-outline", "error", "roads", str(labels[rows[i]]),
                "{source}: the road is a closed line around a strip {d:.1f} m wide, inside its "
                "own {w:g} m corridor: it is the outline of the road (a polygon from CAD or "
                "QGIS), not its centre line; a road's corridor is its centre line buffered by "
                "width_m / 2, so give the centre line",
                source=label, d=across, w=w))  # fmt: skip
    return out


#: SPEC §3's snapping tolerance: a road end this close to another road is joined to it.
_JOIN_M = 0.5


def _check_network(roads: gpd.GeoDataFrame, labels: np.ndarray) -> list[Finding]:
    """Road ends that stop inside another road's corridor without being joined to it
    (farther than :data:`_JOIN_M` from its centre line: the network of SPEC §3 does not
    route from one to the other there), and roads joined to no other road."""
    label = roads.attrs.get("source", "roads")
    lines = shapely.get_parts(shapely.line_merge(roads.geometry.to_numpy()), return_index=True)
    parts, rows = lines[0], lines[1]
    ok = shapely.get_type_id(parts) == 1  # LineStrings (no empty or odd parts)
    parts, rows = parts[ok], rows[ok]
    half = pd.to_numeric(roads["width_m"], errors="coerce").to_numpy(float)[rows] / 2
    out: list[Finding] = []
    tree = shapely.STRtree(parts)
    reach = float(np.nanmax(half, initial=0.0))  # no width known: no corridor to end in
    for i, part in enumerate(parts):
        for end in (shapely.get_point(part, 0), shapely.get_point(part, -1)):
            for j in tree.query(end, predicate="dwithin", distance=reach):
                if rows[j] == rows[i] or shapely.dwithin(part, parts[j], _JOIN_M):
                    continue
                d = float(shapely.distance(end, parts[j]))
                corridor = shapely.buffer(parts[j], half[j], cap_style="flat")
                if shapely.intersects(corridor, end):
                    out.append(Finding.of(
                        "unjoined-road-end", "warning", "roads", str(labels[rows[i]]),
                        "{source}: the road ends {d:.1f} m from the centre line of road {other}, "
                        "inside its corridor, but is not joined to it (a join is at most {eps:g} m "
                        "off): network_distance does not route from one road to the other there; "
                        "move the end onto that line",
                        source=label, d=d, other=str(labels[rows[j]]), eps=_JOIN_M))  # fmt: skip
    return out + _apart(parts, rows, labels, label)


def _inside(inner: shapely.Geometry, outer: shapely.Geometry) -> bool:
    """Whether ``inner`` lies inside ``outer`` but for at most 1 m² (an edge drawn along
    the outer one's, moved by a reprojection's rounding)."""
    return float(shapely.area(shapely.difference(inner, outer))) <= 1.0


def _check_nested(boundary: gpd.GeoDataFrame, labels: np.ndarray) -> list[Finding]:
    """Boundary features lying inside another (:func:`_inside`): they add no land, and an enclave
    drawn so (Google Earth draws no holes, so an office draws the land left out as a
    polygon of its own) is counted as the estate's."""
    geoms = _polygons(boundary.geometry.to_numpy())
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    label = boundary.attrs.get("source", "boundary")
    findings = []
    for i in np.flatnonzero(ok):
        outer = next((j for j in np.flatnonzero(ok) if j != i and shapely.area(geoms[j]) >
                      shapely.area(geoms[i]) and _inside(geoms[i], geoms[j])), None)  # fmt: skip
        if outer is None:
            continue
        findings.append(Finding.of(
            "boundary-inside", "warning", "boundary", str(labels[i]),
            "{source}: boundary feature {inner!r} ({ha:,.2f} ha) lies inside {outer!r} and adds "
            "no land; if the estate leaves it out (an enclave), cut it out of {outer!r} as a "
            "hole (QGIS: Difference) and remove it",
            source=label, inner=str(labels[i]), outer=str(labels[outer]),
            ha=float(shapely.area(geoms[i])) / 10_000))  # fmt: skip
    return findings


def _check_gates(
    gates: gpd.GeoDataFrame, labels: np.ndarray, ok: np.ndarray, estate: Estate
) -> list[Finding]:
    """Gates beyond every road corridor's reach (ε + 1 m, SPEC §3): ``network_distance``
    snaps a gate to its nearest road point and counts the roads from there, so the leg
    from the gate to that point is not counted; with a gate off the roads (drawn outside
    the estate, beside a road not in the layer) a zone can be "0 m along the roads"."""
    roads = estate.roads
    lines = roads.geometry.to_numpy()
    width = pd.to_numeric(roads["width_m"], errors="coerce").to_numpy(float)
    keep = np.isin(shapely.get_type_id(lines), (1, 5)) & ~shapely.is_empty(lines) & (width >= 0)
    points = gates.geometry.to_numpy()
    rows = np.flatnonzero(ok & ~shapely.is_empty(points))
    if not keep.any() or not len(rows):
        return []
    road_labels = _labels(roads, "roads")[keep]
    corridors = estate.road_corridors.to_numpy()[keep]
    far = ~shapely.dwithin(shapely.union_all(corridors), points[rows], _JOIN_M + SLIT_M)
    tree = shapely.STRtree(lines[keep])
    near, d = tree.query_nearest(points[rows[far]], return_distance=True, all_matches=False)
    return [
        Finding.of(
            "gate-off-road", "warning", "gates", str(labels[rows[far][g]]),
            "{source}: the gate lies {d:,.1f} m from the nearest road centre line ({road}), "
            "outside every road corridor: network_distance starts at that road's nearest "
            "point, so distances along the roads leave these {d:,.1f} m out; move the gate "
            "onto its road",
            source=gates.attrs.get("source", "gates"), d=float(dist),
            road=str(road_labels[r]),
        )
        for g, r, dist in zip(near[0], near[1], d, strict=True)
    ]  # fmt: skip


def _apart(parts: np.ndarray, rows: np.ndarray, labels: np.ndarray, label: str) -> list[Finding]:
    """Roads joined to none of the network's largest connected part (by length): parts
    within :data:`_JOIN_M` of each other are joined, as the network joins them."""
    from scipy.sparse import coo_array  # noqa: PLC0415
    from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

    a, b = shapely.STRtree(parts).query(parts, predicate="dwithin", distance=_JOIN_M)
    joined = coo_array((np.ones(len(a)), (a, b)), shape=(len(parts), len(parts)))
    n, group = connected_components(joined, directed=False)
    if n < 2:
        return []
    length = np.bincount(group, weights=shapely.length(parts), minlength=n)
    main = int(np.argmax(length))
    others = [g for g in dict.fromkeys(group.tolist()) if g != main]  # in the layer's order
    return [
        Finding.of(
            "road-apart", "warning", "roads",
            ", ".join(dict.fromkeys(str(labels[r]) for r in rows[group == g])),
            "{source}: {m:,.0f} m of road joined to none of the other {main:,.0f} m: "
            "network_distance cannot reach a zone along it from a gate on the rest",
            source=label, m=float(length[g]), main=float(length[main]),
        )
        for g in others
    ]  # fmt: skip


def _lonlat(crs: pyproj.CRS, xy: np.ndarray) -> np.ndarray:
    t = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _where(crs: pyproj.CRS, pts: np.ndarray) -> list[Message]:
    """``E … N … (lon …, lat …)`` for points in ``crs``."""
    if not len(pts):
        return []
    xy = shapely.get_coordinates(pts)
    ll = _lonlat(crs, xy)
    return [
        Message("E {x:,.0f} N {y:,.0f} (lon {lon:.5f}, lat {lat:.5f})",
                {"x": float(x), "y": float(y), "lon": float(lo), "lat": float(la)})
        for (x, y), (lo, la) in zip(xy, ll, strict=True)
    ]  # fmt: skip


def _polygons(geoms: np.ndarray) -> np.ndarray:
    """Measurable polygonal versions of ``geoms`` (invalid ones made valid, other parts dropped)."""
    fixed = geoms.copy()
    bad = ~shapely.is_valid(fixed)
    if bad.any():
        fixed[bad] = [keep_family(g, "polygon") for g in shapely.make_valid(fixed[bad])]
    return fixed


class _Overlaps(NamedTuple):
    """Pairs ``first[k] < second[k]`` of parcels whose interiors meet, with the land
    they share (``shared``, its area ``area_m2``), and the most the pairs not measured
    can share (``unmeasured_m2``)."""

    first: np.ndarray
    second: np.ndarray
    shared: np.ndarray
    area_m2: np.ndarray
    unmeasured_m2: float


def _overlap_areas(parcels: np.ndarray) -> _Overlaps:
    """Pairs ``i < j`` of parcels whose interiors meet (and whose bounding boxes share
    more than :data:`MIN_OVERLAP_M2`), the land and the area their interiors share, and
    the most the other pairs can share (the area their bounding boxes share)."""
    none = np.array([], dtype=np.int64)
    if len(parcels) < 2:
        return _Overlaps(none, none, np.array([], dtype=object), np.array([]), 0.0)
    i, j = shapely.STRtree(parcels).query(parcels)  # bounding boxes that meet
    keep = i < j
    i, j = i[keep], j[keep]
    # Cheap filters first: the overlap is no larger than the overlap of the bounding
    # boxes (zero for neighbours that only touch along a straight edge), and the
    # intersection is only computed where the interiors meet (DE-9IM ``2********``):
    # neighbours that only touch share no area.
    b = shapely.bounds(parcels)
    w = np.minimum(b[i, 2], b[j, 2]) - np.maximum(b[i, 0], b[j, 0])
    h = np.minimum(b[i, 3], b[j, 3]) - np.maximum(b[i, 1], b[j, 1])
    keep = w * h > MIN_OVERLAP_M2
    unmeasured = float(np.maximum(w * h, 0.0)[~keep].sum())
    i, j = i[keep], j[keep]
    keep = shapely.relate_pattern(parcels[i], parcels[j], "2********")
    i, j = i[keep], j[keep]
    shared = shapely.intersection(parcels[i], parcels[j])
    return _Overlaps(i, j, shared, shapely.area(shared), unmeasured)


def _check_overlaps(overlaps: _Overlaps, labels: np.ndarray, label: str) -> list[Finding]:
    """Pairs of parcels (:func:`_overlap_areas`) whose interiors share more than
    :data:`MIN_OVERLAP_M2`: an error where the shared land is wider than :data:`SLIT_M`
    somewhere, a warning (``overlap-slit``) where it is narrower everywhere — parcels
    drawn over each other within the snapping tolerance (a long shared edge bent by a
    reprojection or a format's coordinate grid), as a slit between them is no gap."""
    keep = overlaps.area_m2 > MIN_OVERLAP_M2
    i, j, area = overlaps.first[keep], overlaps.second[keep], overlaps.area_m2[keep]
    narrow = shapely.is_empty(shapely.buffer(overlaps.shared[keep], -SLIT_M / 2))
    out = []
    for a, c, m2, thin in zip(i, j, area, narrow, strict=True):
        values = {"source": label, "a": str(labels[a]), "b": str(labels[c]), "m2": float(m2),
                  "ha": float(m2) / 10_000}  # fmt: skip
        feature = f"{labels[a]}, {labels[c]}"
        if thin:
            text = ("{source}: parcels {a} and {b} overlap by {m2:,.1f} m² ({ha:.4f} ha) in a "
                    "strip under {width:g} m wide everywhere: drawn over each other within the "
                    "snapping tolerance")  # fmt: skip
            out.append(Finding.of("overlap-slit", "warning", "parcels", feature, text,
                                  width=SLIT_M, **values))  # fmt: skip
            continue
        text = "{source}: parcels {a} and {b} overlap by {m2:,.1f} m² ({ha:.4f} ha)"
        out.append(Finding.of("overlap", "error", "parcels", feature, text, **values))
    return out


def _check_on_roads(
    parcels: np.ndarray, labels: np.ndarray, uses: np.ndarray, estate: Estate, label: str
) -> list[Finding]:
    """Parcels (other than :data:`UNDER_ROADS`) reaching into a road's corridor: more
    than :data:`MIN_OVERLAP_M2` of overlap, wider than :data:`SLIT_M` somewhere (a
    parcel drawn to the kerb within the snapping tolerance is not reported)."""
    roads = estate.roads
    corridors = estate.road_corridors.to_numpy()
    keep = ~np.isin(uses, UNDER_ROADS)
    if not len(corridors) or not keep.any():
        return []
    parcels, labels = parcels[keep], labels[keep]
    i, j = shapely.STRtree(corridors).query(parcels, predicate="intersects")
    # Only a parcel reaching into the corridor shrunk by nearly SLIT_M / 2 can reach in
    # wider than SLIT_M (a parcel drawn to the kerb does not): the overlap is computed
    # for those alone. 0.45 · SLIT_M, not 0.5: the buffers' arcs cannot hide one.
    core = shapely.buffer(corridors, -0.45 * SLIT_M)
    reach = shapely.intersects(parcels[i], core[j])
    i, j = i[reach], j[reach]
    overlap = shapely.intersection(parcels[i], corridors[j])
    area = shapely.area(overlap)
    deep = (area > MIN_OVERLAP_M2) & ~shapely.is_empty(shapely.buffer(overlap, -SLIT_M / 2))
    i, j, overlap, area = i[deep], j[deep], overlap[deep], area[deep]
    road_labels = _labels(roads, "roads")
    width = roads["width_m"].to_numpy(float)
    where = _where(estate.crs, shapely.centroid(overlap))
    return [
        Finding.of("parcel-on-road", "warning", "parcels", str(labels[a]),
                   "{source}: parcel {parcel} reaches {m2:,.0f} m² ({ha:.4f} ha) into the "
                   "{width:g} m corridor of road {road}, centred at {where}: a zone never takes "
                   "corridor land, but the land budget counts it as the parcel's; draw the "
                   "parcel to the road's edge or check the road's width_m",
                   source=label, parcel=str(labels[a]), m2=float(m2), ha=float(m2) / 10_000,
                   width=float(width[b]), road=str(road_labels[b]), where=w)
        for a, b, m2, w in zip(i, j, area, where, strict=True)
    ]  # fmt: skip


def _uncovered_at_most_m2(
    boundary: shapely.Geometry, parcels: np.ndarray, outside_m2: float, shared_m2: float
) -> float:
    """The most of the boundary's area that no parcel covers, without their union: the
    union holds at least the parcels' areas inside the boundary (less ``outside_m2``)
    less all they share pairwise (``shared_m2``, Bonferroni), to within 1e-9 of the
    boundary's area for rounding."""
    area_m2 = float(shapely.area(boundary))
    inside_m2 = float(shapely.area(parcels).sum()) - outside_m2
    return area_m2 - inside_m2 + shared_m2 + 1e-9 * area_m2


def _union(parcels: np.ndarray, *, overlapping: bool) -> shapely.Geometry:
    """The parcels' union; ``overlapping``: some share area, so they are no clean
    coverage (no need to ask :func:`shapely.coverage_is_valid`, as costly as a union)."""
    if not overlapping and len(parcels) and shapely.coverage_is_valid(parcels):
        return shapely.coverage_union_all(parcels)  # much faster, exact for a clean coverage
    return shapely.union_all(parcels)


def _check_gaps(
    boundary: shapely.Geometry,
    covered: shapely.Geometry,
    crs: pyproj.CRS,
    label: str,
    cover: np.ndarray,
    parcels: np.ndarray,
    labels: np.ndarray,
) -> list[Finding]:
    """Pieces of the boundary larger than :data:`MIN_GAP_M2` that no parcel covers, nor
    ``cover`` (road corridors, water polygons); a piece in a parcel's hole names it."""
    uncovered = shapely.difference(boundary, covered)
    cover = cover[~shapely.is_missing(cover)]
    if len(cover) and shapely.area(uncovered) > MIN_GAP_M2:
        uncovered = shapely.difference(uncovered, shapely.union_all(cover))
    gaps = shapely.get_parts(uncovered)
    gaps = gaps[shapely.get_type_id(gaps) == 3]  # polygons only
    area = shapely.area(gaps)
    big = area > MIN_GAP_M2
    gaps, area = gaps[big], area[big]
    slit = shapely.is_empty(shapely.buffer(gaps, -SLIT_M / 2))
    return _gap_findings(gaps[~slit], crs, label, parcels, labels) + _slit_findings(
        gaps[slit], crs, label
    )


def _ordered(pieces: np.ndarray, crs: pyproj.CRS) -> tuple[np.ndarray, list[Message]]:
    """``pieces`` largest first (then north to south, west to east), and where each lies."""
    cents = shapely.centroid(pieces)
    xy = shapely.get_coordinates(cents)
    order = np.lexsort((xy[:, 0], -xy[:, 1], -np.round(shapely.area(pieces), 3)))
    return pieces[order], _where(crs, cents[order])


def _holding(gaps: np.ndarray, parcels: np.ndarray, labels: np.ndarray) -> list[str | None]:
    """For each gap, the parcel in whose hole it lies (the smallest parcel outline that
    holds it: a parcel in another's hole may have a hole too), or None. Only parcels
    with holes are looked at: a gap, covered by no parcel, lies inside no other's
    outline."""
    parts, rows = shapely.get_parts(parcels, return_index=True)
    holed = shapely.get_num_interior_rings(parts) > 0
    parts, rows = parts[holed], rows[holed]
    filled = shapely.polygons(shapely.get_exterior_ring(parts))
    g, k = shapely.STRtree(filled).query(shapely.point_on_surface(gaps), predicate="within")
    holder: list[str | None] = [None] * len(gaps)
    for n in np.argsort(-shapely.area(filled[k]), kind="stable"):  # the smallest last
        holder[g[n]] = str(labels[rows[k[n]]])
    return holder


def _gap_findings(
    gaps: np.ndarray, crs: pyproj.CRS, label: str, parcels: np.ndarray, labels: np.ndarray
) -> list[Finding]:
    gaps, where = _ordered(gaps, crs)
    out = []
    for k, (g, w, parcel) in enumerate(
        zip(gaps, where, _holding(gaps, parcels, labels), strict=True), start=1
    ):
        m2 = float(shapely.area(g))
        if parcel is None:
            text = ("{source}: {m2:,.0f} m² ({ha:.4f} ha) inside the boundary is covered by no "
                    "parcel, centred at {where}")  # fmt: skip
        else:
            text = ("{source}: a hole of {m2:,.0f} m² ({ha:.4f} ha) in parcel {parcel} is covered "
                    "by no parcel and no water polygon, centred at {where}")  # fmt: skip
        held = {} if parcel is None else {"parcel": parcel}
        out.append(Finding.of("gap", "error", "parcels", f"gap {k}", text, source=label,
                              m2=m2, ha=m2 / 10_000, where=w, **held))  # fmt: skip
    return out


def _strip_length(strip: shapely.Geometry) -> float:
    """The length of a thin strip: half its perimeter less its mean width (2·area/perimeter)."""
    perimeter = float(shapely.length(strip))
    return perimeter / 2 - 2 * float(shapely.area(strip)) / perimeter


def _slit_findings(slits: np.ndarray, crs: pyproj.CRS, label: str) -> list[Finding]:
    slits, where = _ordered(slits, crs)
    out = []
    for k, (g, w) in enumerate(zip(slits, where, strict=True), start=1):
        text = ("{source}: a slit {length:,.0f} m long and under {width:g} m wide between "
                "parcels ({m2:,.0f} m²), centred at {where}: parcels digitised apart; the rules "
                "count it as the parcels' land")  # fmt: skip
        out.append(Finding.of("slit", "warning", "parcels", f"slit {k}", text, source=label,
                              length=_strip_length(g), width=SLIT_M,
                              m2=float(shapely.area(g)), where=w))  # fmt: skip
    return out


def _outside(parcels: np.ndarray, boundary: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """The parcels the boundary does not cover, and the area of each outside it."""
    shapely.prepare(boundary)
    idx = np.flatnonzero(~shapely.covers(boundary, parcels))
    return idx, shapely.area(shapely.difference(parcels[idx], boundary))


def _check_outside(
    parcels: np.ndarray, labels: np.ndarray, boundary: shapely.Geometry,
    outside: tuple[np.ndarray, np.ndarray], label: str,
) -> list[Finding]:  # fmt: skip
    """Parcels with more than :data:`MIN_OVERLAP_M2` outside the boundary (``outside``:
    :func:`_outside`) farther than ε (SPEC §3's snapping tolerance, half of
    :data:`SLIT_M`) from it. A parcel drawn to a boundary stored in another CRS or as
    rounded lon/lat (a KML's 7 decimals, GeoJSON's 6: 1–11 cm) pokes past it by
    millimetres along a whole edge: square metres outside that are no error."""
    idx, area = outside
    if not len(idx):
        return []
    far = shapely.area(shapely.difference(parcels[idx], shapely.buffer(boundary, SLIT_M / 2)))
    out = []
    for n, m2, far_m2 in zip(idx, area, far, strict=True):
        if far_m2 > MIN_OVERLAP_M2:
            share = 100 * m2 / max(float(shapely.area(parcels[n])), 1e-9)
            out.append(
                Finding.of(
                    "outside-boundary",
                    "error",
                    "parcels",
                    str(labels[n]),
                    "{source}: {m2:,.1f} m² ({ha:.4f} ha, {share:.0f}% of the parcel) lies "
                    "outside the estate boundary",
                    source=label,
                    m2=float(m2),
                    ha=float(m2) / 10_000,
                    share=float(share),
                )
            )
    return out


def _indonesian_crs(label: str) -> bool:
    """DGN95 (EPSG:4755), its TM-3 grids (EPSG:23830-23845) or a UTM zone over Java."""
    try:
        code = int(label.split(":")[1]) if label.startswith("EPSG:") else 0
    except ValueError:
        return False
    return code == 4755 or 23830 <= code <= 23845 or 32748 <= code <= 32750


def _check_location(estate: Estate) -> list[Finding]:
    """Data stored in an Indonesian grid whose estate lies outside Indonesia (the area of
    use of DGN95, EPSG:4755, which spans Sumatra to Papua): the CRS is likely wrong.

    Estates elsewhere, or stored in a worldwide CRS, are judged by the CRS area of use
    when loading (``outside-crs-area``) instead.
    """
    if not any(_indonesian_crs(c) for c in estate.source_crs.values()):
        return []
    ref = estate.boundary if len(estate.boundary) else estate.parcels
    if not len(ref):
        return []
    b = ref.total_bounds
    centre = np.array([[(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]])
    lon, lat = _lonlat(estate.crs, centre)[0]
    area = pyproj.CRS.from_epsg(4755).area_of_use
    assert area is not None  # EPSG:4755 always has one
    if area.west <= lon <= area.east and area.south <= lat <= area.north:
        return []
    return [Finding.of("outside-indonesia", "warning", "boundary", "",
                       "{source}: stored in an Indonesian grid but the estate lies at lon "
                       "{lon:.3f}, lat {lat:.3f}, outside Indonesia; check the CRS the files "
                       "declare",
                       source=estate.source or estate.name, lon=float(lon), lat=float(lat))]  # fmt: skip


def _norms(estate: Estate, budget: pd.DataFrame) -> tuple[tuple[NormResult, ...], list[Finding]]:
    total_ha = float(estate.area_ha) or float(budget["area_ha"].sum())
    results: list[NormResult] = []
    findings: list[Finding] = []
    # Parcels whose land use is unknown could belong to any norm: the shares cannot be judged.
    unknown = [u for u in budget.index if u not in LAND_USES]
    unknown_ha = float(budget.loc[unknown, "area_ha"].sum()) if unknown else 0.0
    for norm in NORMS:
        rows = budget.index.intersection(list(norm.land_uses))
        area_ha = float(budget.loc[rows, "area_ha"].sum())
        basis = " + ".join(norm.land_uses) + " parcels"
        if norm.key == "roads" and area_ha == 0 and len(estate.roads):
            corridors = shapely.union_all(estate.road_corridors.to_numpy())
            if len(estate.boundary):
                corridors = shapely.intersection(corridors, estate.boundary_union)
            area_ha = float(shapely.area(corridors)) / 10_000
            basis = "road corridors (no road parcels)"
        via = basis.startswith("road corridors")
        if total_ha <= 0:
            results.append(NormResult(norm, area_ha, None, None, basis, via))
            continue
        share = 100 * area_ha / total_ha
        if unknown_ha > 0:
            basis += f"; not judged: {unknown_ha:,.1f} ha have an unknown land_use"
            results.append(NormResult(norm, area_ha, share, None, basis, via, unknown_ha))
            continue
        ok = (norm.min_pct is None or share >= norm.min_pct) and (
            norm.max_pct is None or share <= norm.max_pct
        )
        results.append(NormResult(norm, area_ha, share, ok, basis, via))
        if not ok:
            findings.append(Finding.of(
                f"norm-{norm.key}", "warning", "parcels", "",
                "{norm}: {share:.1f}% of the estate ({area:,.1f} ha); the norm is {required} "
                "(Permenperin 40/2016)", norm=Message(norm.name), share=share, area=area_ha,
                required=norm.requirement))  # fmt: skip
    return tuple(results), findings


def _sort_key(f: Finding) -> tuple[int, int]:
    layer = LAYER_NAMES.index(f.layer) if f.layer in LAYER_NAMES else len(LAYER_NAMES)
    return (_SEVERITY_RANK.get(f.severity, 2), layer)


def validate(estate: Estate) -> ValidationReport:
    """Check an estate's data and land budget; collect every problem, then report once.

    Findings (code: severity):

    - ``invalid-geometry``: error, with shapely's reason (:func:`shapely.is_valid_reason`);
    - ``wrong-geometry-type``: error, e.g. points in the parcels layer (SPEC §1 types);
    - ``overlap``: error, two parcels share more than 1 m², wider than :data:`SLIT_M`
      somewhere, with the area; ``overlap-slit``: warning, such shared land narrower than
      :data:`SLIT_M` everywhere (drawn over each other within the snapping tolerance);
    - ``gap``: error, more than 0.01 ha inside the boundary covered by no parcel, no
      road corridor and no water polygon (a pond in a parcel's hole is none), with its
      area and centre, and the parcel when it lies in a parcel's hole;
    - ``slit``: warning, such a piece narrower than :data:`SLIT_M` everywhere (parcels
      digitised apart), with its length, area and centre;
    - ``outside-boundary``: error, a parcel has more than 1 m² outside the boundary
      farther than ε = 0.5 m from it (the area reported is all it has outside);
    - ``duplicate-id`` / ``empty-id``: error, ``parcel_id`` repeated or missing;
    - ``unknown-land-use`` / ``unknown-road-class`` / ``unknown-kind``: error, with the
      nearest valid value;
    - ``missing-value``: error, a required column without value;
    - ``missing-layer`` / ``missing-column`` / ``empty-layer`` / ``empty-geometry``:
      from loading (an empty optional layer is a warning);
    - ``road-width``: error without any width, warning when implausible;
    - ``road-outline``: error, a road drawn as a closed line around its own corridor (the
      outline of a road polygon, as CAD exports it) instead of its centre line;
    - ``unjoined-road-end``: warning, a road ends inside another road's corridor but
      more than 0.5 m from its centre line, so the network does not join them there;
    - ``road-apart``: warning, roads joined to none of the network's largest part;
    - ``gate-off-road``: warning, a gate lies beyond every road corridor's reach, so
      ``network_distance`` leaves out the leg from it to its nearest road point;
    - ``parcel-on-road``: warning, a parcel (not ``road`` or ``water``) reaches more than
      1 m² into a road's corridor, wider than :data:`SLIT_M` somewhere, with the area;
      a zone never takes corridor land (SPEC §3, ``on``);
    - ``boundary-inside``: warning, a boundary feature lies wholly inside another (an
      enclave drawn as a polygon of its own is counted as the estate's land);
    - ``outside-crs-area`` / ``outside-indonesia`` (data in an Indonesian grid only): warnings
      on the location;
    - ``norm-industrial`` / ``norm-green`` / ``norm-roads`` / ``norm-supporting``:
      warnings, a land-budget norm is not met (see :data:`NORMS`).

    Validating the same estate twice gives the same report.

    Parameters
    ----------
    estate
        The estate; load it with ``load_estate(path, strict=False)`` so that missing
        layers and columns become findings instead of errors.

    Returns
    -------
    ValidationReport
        The findings (errors first), the land budget and the norms.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> x, y = 500_000, 9_230_000  # metres in EPSG:32749, near KIT Batang
    >>> b = gpd.GeoDataFrame({"name": ["demo"]}, geometry=[box(x, y, x + 300, y + 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "a"], "land_use": ["industrial", "industri"]},
    ...                      geometry=[box(x, y, x + 100, y + 100), box(x + 150, y, x + 300, y + 100)],
    ...                      crs=32749)
    >>> report = validate(Estate.from_layers({"boundary": b, "parcels": p}))
    >>> report.has_errors
    True
    >>> [(f.code, f.feature) for f in report.errors]
    [('unknown-land-use', 'a'), ('duplicate-id', 'a'), ('gap', 'gap 1')]
    >>> print(report.errors[0].message.split(" (expected")[0])
    parcels: unknown land_use 'industri'; did you mean 'industrial'?
    >>> print(report.errors[2].message.split(", centred")[0])
    boundary: 5,000 m² (0.5000 ha) inside the boundary is covered by no parcel
    """
    findings: list[Finding] = list(estate.load_findings)
    missing = _missing_columns(estate)
    seen_empty = {
        f.layer for f in estate.load_findings if f.code in ("empty-layer", "missing-layer")
    }
    parcel_geoms = np.array([], dtype=object)
    parcel_labels = np.array([], dtype=object)
    parcel_uses = np.array([], dtype=object)
    for layer in LAYER_NAMES:
        if layer not in estate.layers:
            continue
        gdf = estate.layers[layer]
        if len(gdf) == 0:
            if layer not in seen_empty:
                severity: Literal["error", "warning"] = (
                    "error" if layer in REQUIRED_LAYERS else "warning"
                )
                findings.append(Finding.of("empty-layer", severity, layer, "",
                                           "{source}: the layer has no features",
                                           source=gdf.attrs.get("source", layer)))  # fmt: skip
            continue
        labels = _labels(gdf, layer)
        type_findings, type_ok = _check_types(layer, gdf, labels)
        valid_findings, _ = _check_valid(layer, gdf, labels)
        findings += valid_findings + type_findings
        findings += _check_values(layer, gdf, labels, missing)
        if layer == "parcels":
            findings += _check_ids(gdf, missing)
            parcel_geoms = _polygons(gdf.geometry.to_numpy()[type_ok])
            parcel_labels = labels[type_ok]
            uses = gdf["land_use"] if "land_use" in gdf.columns else pd.Series("", gdf.index)
            parcel_uses = uses.to_numpy(dtype=object)[type_ok]
            nonempty = ~shapely.is_empty(parcel_geoms)
            parcel_geoms, parcel_labels = parcel_geoms[nonempty], parcel_labels[nonempty]
            parcel_uses = parcel_uses[nonempty]
        if layer == "roads":
            findings += _check_widths(gdf, labels, missing)
            findings += _check_outlines(gdf, labels)
            findings += _check_network(gdf, labels)
        if layer == "boundary":
            findings += _check_nested(gdf, labels)
        if layer == "gates" and "roads" in estate.layers:
            findings += _check_gates(gdf, labels, type_ok, estate)
    label = estate.layer("parcels").attrs.get("source", "parcels")
    overlaps = _overlap_areas(parcel_geoms)
    findings += _check_overlaps(overlaps, parcel_labels, label)
    if len(parcel_geoms):
        findings += _check_on_roads(parcel_geoms, parcel_labels, parcel_uses, estate, label)
    # Without parcels, every part of the boundary would be a "gap": the missing or empty
    # layer is the one finding.
    if len(estate.boundary) and "parcels" not in seen_empty:
        boundary = _polygons(estate.boundary.geometry.to_numpy())
        boundary = shapely.union_all(boundary[shapely.get_type_id(boundary) >= 0])
        outside = _outside(parcel_geoms, boundary)
        if len(parcel_geoms):
            findings += _check_outside(parcel_geoms, parcel_labels, boundary, outside, label)
        shared_m2 = float(overlaps.area_m2.sum()) + overlaps.unmeasured_m2
        uncovered_m2 = _uncovered_at_most_m2(
            boundary, parcel_geoms, float(outside[1].sum()), shared_m2
        )
        if uncovered_m2 >= MIN_GAP_M2:  # else no piece of it can be a gap or a slit
            covered = _union(parcel_geoms, overlapping=bool((overlaps.area_m2 > 0).any()))
            water = estate.water.geometry.to_numpy()
            water = _polygons(water[np.isin(shapely.get_type_id(water), (3, 6))])  # not lines
            findings += _check_gaps(
                boundary,
                covered,
                estate.crs,
                estate.boundary.attrs.get("source", "boundary"),
                np.concatenate([estate.road_corridors.to_numpy(), water]),
                parcel_geoms,
                parcel_labels,
            )
    if not any(f.code == "outside-crs-area" for f in findings):
        findings += _check_location(estate)
    budget = estate.land_budget()
    norm_results, norm_findings = _norms(estate, budget)
    findings += norm_findings if "parcels" not in seen_empty else []
    counts = {n.norm.key: n.norm.name for n in norm_results}
    in_norm = {u: counts[n.key] for n in NORMS for u in n.land_uses}
    budget = budget.assign(norm=[in_norm.get(str(u), "") for u in budget.index])
    unique = list(dict.fromkeys(findings))
    unique.sort(key=_sort_key)
    return ValidationReport(
        findings=tuple(unique),
        budget=budget,
        norms=norm_results,
        estate=estate.name,
        title=estate.title,
        source=estate.source,
        crs=crs_label(estate.crs),
        area_ha=float(estate.area_ha),
    )


# -- the gate before measuring -------------------------------------------------------

#: What :func:`require_valid` does with data errors: ``"raise"`` a :class:`DataError`, or
#: ``"warn"`` (log them and go on; measurements on broken data may be wrong or fail).
OnInvalid = Literal["raise", "warn"]

#: Reports of the estates already validated (an :class:`Estate` is immutable).
_VALIDATED: weakref.WeakKeyDictionary[Estate, ValidationReport] = weakref.WeakKeyDictionary()
#: Estates whose findings were logged (once per estate).
_LOGGED: weakref.WeakSet[Estate] = weakref.WeakSet()
#: Warnings logged one by one; more are counted on one line.
_SHOWN_WARNINGS = 3
_FEATURE_WORD = {"parcels": "parcel", "roads": "road", "gates": "gate"}


def _commands(estate: Estate) -> tuple[str, str]:
    """How to list the problems and how to repair geometry, for this estate's source."""
    if estate.source == BUNDLED_SOURCE:
        return "`kitland validate`", "`kitland validate --fix OUT.gpkg`"
    if estate.source and Path(estate.source).exists():
        return (
            f"`kitland validate {estate.source}`",
            f"`kitland validate {estate.source} --fix OUT.gpkg`",
        )
    return "kitland.validate(estate)", "kitland.validation.repair(estate)"


#: Data errors that leave every measurement sound: a zone may only take ``on`` parcels
#: inside the boundary anyway, so unparcelled land, parcels reaching past the boundary and
#: features with no geometry (ignored: the land they stood for is a gap) are reported as
#: warnings by :func:`require_valid` (``kitland validate`` still counts them).
_NOT_BLOCKING = frozenset({"gap", "outside-boundary", "empty-geometry"})


def _blocking(report: ValidationReport) -> tuple[Finding, ...]:
    """The errors :func:`require_valid` stops on."""
    return tuple(f for f in report.errors if f.code not in _NOT_BLOCKING)


def _error_line(estate: Estate, report: ValidationReport, command: str, lang: str = "en") -> str:
    """One line: the file, the first offending feature, the problem, the ``command`` the
    errors stop and where to go next."""
    first = _blocking(report)[0]
    labels = [str(g.attrs.get("source", name)) for name, g in estate.layers.items()]
    label = next((lb for lb in labels if first.message.startswith(f"{lb}: ")), "")
    text = first.text(lang)
    rest = text.removeprefix(f"{label}: ").split("; `kitland validate --fix")[0]
    label = label or estate.source or estate.name
    ids = [i for i in first.feature.split(", ") if i]
    if ids and not all(i in rest for i in ids):
        noun = "" if first.feature.startswith("gap ") else _FEATURE_WORD.get(first.layer, "")
        rest = f"{tr(lang, noun) if noun else ''} {first.feature}: {rest}".lstrip()
    n, total = len(_blocking(report)), len(report.findings)
    listing, fixing = _commands(estate)
    errors = Message("{n} data error that stops {command}" if n == 1
                     else "{n} data errors that stop {command}", {"n": n, "command": command})  # fmt: skip
    findings = Message("{n} finding in all" if total == 1 else "{n} findings in all", {"n": total})
    line = Message("{where}: {problem}; {errors} ({findings}: {listing} lists them)",
                   {"where": label, "problem": rest, "errors": errors, "findings": findings,
                    "listing": listing})  # fmt: skip
    if any(f.code == "invalid-geometry" for f in report.errors):
        line = Message(
            "{line}, {fixing} repairs invalid geometry", {"line": line, "fixing": fixing}
        )
    return line.render(lang)


@dataclass(frozen=True)
class _StopLine:
    """The line :func:`require_valid` raises, in any language (:meth:`render`)."""

    estate: Estate
    report: ValidationReport
    command: str

    def render(self, lang: str = "en") -> str:
        return _error_line(self.estate, self.report, self.command, lang)


def require_valid(
    estate: Estate, *, on_invalid: OnInvalid = "raise", command: str = "kitland.check()"
) -> ValidationReport:
    """Validate ``estate`` before measuring on it: data errors stop, warnings are logged.

    :func:`kitland.check` and :func:`kitland.place` call this first, so a zone is never
    chosen or judged around a broken parcel. The report is kept per estate object (an
    estate is immutable; do not change its frames in place), so calling it again costs
    nothing and logs nothing.

    Parameters
    ----------
    estate
        The estate.
    on_invalid
        ``"raise"``: data errors that would make a measurement wrong (invalid geometry,
        overlapping parcels, duplicate ids, unknown land uses, missing values, …) raise;
        gaps, parcels past the boundary and features with no geometry (ignored) are
        logged as warnings, since a zone only takes ``on`` parcels inside the boundary; ``"warn"``: every error is logged as a
        warning and the caller goes on.
    command
        What the errors stop, as the error line names it: the function or the command
        the user ran (``"kitland.place()"``, ``"`kitland map`"``).

    Returns
    -------
    ValidationReport
        The report of :func:`validate`.

    Raises
    ------
    DataError
        One line: the layer's file, the first offending feature (its ``parcel_id``), the
        problem, how many errors there are, what they stop (``command``) and the command
        that lists or repairs them.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon, box
    >>> bowtie = Polygon([(100, 0), (200, 100), (200, 0), (100, 100)])
    >>> b = gpd.GeoDataFrame({"name": ["demo"]}, geometry=[box(0, 0, 200, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["ok", "x"], "land_use": ["industrial", "available"]},
    ...                      geometry=[box(0, 0, 100, 100), bowtie], crs=32749)
    >>> require_valid(Estate.from_layers({"boundary": b, "parcels": p}))
    Traceback (most recent call last):
    ...
    kitland._errors.DataError: parcels: parcel x: invalid geometry (Self-intersection[150 50]); ...
    """
    report = _VALIDATED.get(estate)
    if report is None:
        report = validate(estate)
        _VALIDATED[estate] = report
    if _blocking(report) and on_invalid == "raise":
        raise DataError(_StopLine(estate, report, command))
    if estate not in _LOGGED:
        _LOGGED.add(estate)
        _log_findings(estate, report)
    return report


def mark_reported(estate: Estate) -> None:
    """Treat ``estate``'s data findings as logged already: :func:`require_valid` will not
    log them (a sweep's worker, whose sweep logged them once)."""
    _LOGGED.add(estate)


def _log_findings(estate: Estate, report: ValidationReport) -> None:
    shown = list(report.findings)  # errors first (only when on_invalid="warn")
    for f in shown[:_SHOWN_WARNINGS]:
        # "gap 1", not "gap gap 1"; an error that does not stop a command is a warning here
        code = f.feature if f.feature.startswith(f.code) else f"{f.code} {f.feature}".strip()
        stops = f.severity == "error" and f.code not in _NOT_BLOCKING
        said = Message("data error ({code}): {text}" if stops else "data warning ({code}): {text}",
                       {"code": code, "text": f.msg or f.message})  # fmt: skip
        log.warning("%s", said, extra={"said": said})  # the CLI writes it in its --lang
    if len(shown) > _SHOWN_WARNINGS:
        listing, _ = _commands(estate)
        said = Message("… and {n} more data findings; {command} lists them",
                       {"n": len(shown) - _SHOWN_WARNINGS, "command": listing})  # fmt: skip
        log.warning("%s", said, extra={"said": said})


# -- repair --------------------------------------------------------------------------


def _without_copies(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """``gdf`` without the features that repeat an earlier one exactly (every attribute
    and the geometry's coordinates), the number dropped logged."""
    if len(gdf) < 2:
        return gdf
    keys = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    keys["__wkb__"] = shapely.to_wkb(gdf.geometry.to_numpy())
    copies = keys.duplicated(keep="first").to_numpy(bool)
    if not copies.any():
        return gdf
    ids = sorted(dict.fromkeys(str(v) for v in _labels(gdf, layer)[copies]))
    said = Message("{layer}: {n} exact duplicate features dropped ({ids})" if copies.sum() > 1
                   else "{layer}: {n} exact duplicate feature dropped ({ids})",
                   {"layer": str(gdf.attrs.get("source", layer)), "n": int(copies.sum()),
                    "ids": _short(", ".join(ids))})  # fmt: skip
    log.warning("%s", said, extra={"said": said})
    out = gdf[~copies].reset_index(drop=True)
    out.attrs.update(gdf.attrs)
    return out


def keep_family(geom: shapely.Geometry, family: str) -> shapely.Geometry:
    """The parts of ``geom`` of one family (polygon, line, point), as one geometry."""
    parts = [
        p
        for p in shapely.get_parts(shapely.get_parts(geom))
        if _FAMILY.get(p.geom_type) == family and not p.is_empty
    ]
    single, multi = {
        "polygon": (shapely.Polygon, shapely.MultiPolygon),
        "line": (shapely.LineString, shapely.MultiLineString),
        "point": (shapely.Point, shapely.MultiPoint),
    }[family]
    if not parts:
        return single()
    return parts[0] if len(parts) == 1 else multi(parts)


def repair(estate: Estate) -> Estate:
    """A new estate with invalid geometries fixed by :func:`shapely.make_valid` and exact
    duplicate features dropped.

    A feature that repeats an earlier one of its layer exactly (the same attributes and
    the same coordinates) is dropped, the first kept, and the number dropped is logged.
    Polygon layers keep only the polygonal parts of the repair, line layers only the
    lines (a layer holding both, such as ``water``, keeps each feature's own kind). A
    feature whose repair leaves nothing is dropped and logged. Nothing else is changed:
    overlaps, gaps, unknown values and features sharing an id but not everything else
    remain for a planner to resolve. The input estate is never modified.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon, box
    >>> bowtie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    >>> b = gpd.GeoDataFrame({"name": ["demo"]}, geometry=[box(0, 0, 100, 100)], crs=32749)
    >>> p = gpd.GeoDataFrame({"parcel_id": ["x", "x"], "land_use": ["green", "green"]},
    ...                      geometry=[bowtie, bowtie], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": p})
    >>> fixed = repair(est)
    >>> len(fixed.parcels), fixed.parcels.geom_type[0], float(fixed.parcels.area[0])
    (1, 'MultiPolygon', 5000.0)
    >>> len(est.parcels), bool(est.parcels.is_valid[0])
    (2, False)
    """
    layers: dict[str, gpd.GeoDataFrame] = {}
    for name, gdf in estate.layers.items():
        gdf = _without_copies(gdf, name)
        geoms = gdf.geometry.to_numpy()
        bad = np.flatnonzero(~shapely.is_valid(geoms))
        if not len(bad):
            layers[name] = gdf.copy()
            continue
        fixed = geoms.copy()
        made = shapely.make_valid(geoms[bad])
        for k, g in zip(bad, made, strict=True):
            fixed[k] = keep_family(g, _FAMILY.get(geoms[k].geom_type, "polygon"))
        out = gdf.copy()
        out = out.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
        labels = _labels(gdf, name)
        gone = shapely.is_empty(fixed)
        for k in np.flatnonzero(gone):
            log.warning(
                "%s: feature %s has no area or length left after repair; dropped", name, labels[k]
            )
        for k in bad:
            log.info("%s: repaired feature %s", name, labels[k])
        out = out[~gone].reset_index(drop=True)
        out.attrs.update(gdf.attrs)
        layers[name] = out
    # The dropped NULL/empty geometries are not in the repaired estate.
    kept = tuple(f for f in estate.load_findings if f.code != "empty-geometry")
    return replace(estate, layers=layers, load_findings=kept)
