"""kitland's words for people: one message catalogue, Bahasa Indonesia and English.

Messages are written in English in the code and looked up in a gettext catalogue
(``kitland/locale/<lang>/LC_MESSAGES/kitland.po``), read with Babel. A message missing
from a catalogue is shown in English. Numbers are formatted by Babel's locale data, so
a map, a report and the command line write ``19,52 ha`` the same way in Indonesian.

>>> tr("en", "zone")
'zone'
>>> number(1234.5, "id", 1)
'1.234,5'
>>> number(1234.5, "en", 1)
'1,234.5'
>>> label("id", "legend"), label("en", "legend")
('Tata guna lahan', 'Land use')
>>> numbers_in(">= 1250.5 m", "id")
'>= 1.250,5 m'

Code that shows a word to people asks this module: :func:`tr` for an English message,
:func:`label` for a short key of :data:`LABELS` (land uses, road classes, map layers,
verdicts), :func:`number` and :func:`numbers_in` for numbers, :func:`day_text` for
dates. Every message and label has an Indonesian translation in the catalogue (the
tests check it).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGS = ("id", "en")
"""Languages kitland speaks; ``id`` (Bahasa Indonesia) is the default for maps."""

_LOCALE_DIR = Path(__file__).parent / "locale"
_DOMAIN = "kitland"


def catalogue_path(lang: str) -> Path:
    """Where the ``.po`` catalogue for ``lang`` lives."""
    return _LOCALE_DIR / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> Catalog | None:
    """The catalogue for ``lang``, or None for English (the messages themselves)."""
    path = catalogue_path(lang)
    if lang == "en" or not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=_DOMAIN)


def tr(lang: str, message: str) -> str:
    """``message`` in ``lang`` (English when the catalogue has no translation)."""
    cat = catalogue(lang)
    if cat is None:
        return message
    entry = cat.get(message)
    if entry is None or not entry.string or entry.fuzzy:
        return message
    return str(entry.string)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals and the grouping of ``lang``'s locale."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=Locale.parse(lang))


def day_text(day: dt.date, lang: str) -> str:
    """``day`` as people write a date in ``lang``, the month in words.

    >>> day_text(dt.date(2026, 12, 7), "id"), day_text(dt.date(2026, 12, 7), "en")
    ('7 Desember 2026', '7 December 2026')
    """
    return format_date(day, format="d MMMM y", locale=Locale.parse(lang))


def percent(share: float, lang: str, decimals: int = 1) -> str:
    """A share (0.0069) as a percentage in ``lang``'s locale: ``0.69%``, ``0,69%``.

    >>> percent(0.0069, "id", 2)
    '0,69%'
    """
    return f"{number(100 * share, lang, decimals)}%"


def gap_text(gap: float | None, lang: str, decimals: int = 2) -> str:
    """A solve's gap in ``lang``: "gap 7.49%", or "gap unknown" when it is missing or
    not finite.

    >>> gap_text(0.0749, "id"), gap_text(None, "en")
    ('selisih 7,49%', 'gap unknown')
    """
    if gap is None or not math.isfinite(gap):
        return tr(lang, "gap unknown")
    return tr(lang, "gap {gap}").format(gap=percent(gap, lang, decimals))


#: Short keys → English messages (the catalogue's msgids). Vocabulary codes of the data
#: (land uses, road classes, gate and water kinds, rule kinds) are keys as they are.
LABELS: dict[str, str] = {
    # land uses (kitland.estate.LAND_USES)
    "industrial": "industrial plots", "commercial": "commercial", "umkm": "UMKM plots",
    "residential": "residential", "green": "green open space", "utility": "utilities",
    "water": "water body", "road": "road", "available": "available land",
    "(none)": "(none)",  # parcels without a land use (Estate.land_budget)
    # road classes, gate kinds, water kinds
    "toll": "toll road", "arterial": "arterial road", "collector": "collector road",
    "local": "local road", "estate_gate": "estate gate", "toll_exit": "toll exit",
    "factory_gate": "factory gate", "river": "river", "canal": "canal",
    "coast": "coastline", "pond": "pond",
    # rule kinds (kitland.rules), for rules without a name
    "adjacent": "next to", "frontage": "road frontage",
    "network_distance": "distance along roads", "distance": "distance",
    "setback": "setback", "contiguous": "one piece", "compactness": "compactness",
    "min_width": "usable width", "land_share": "land share", "placement": "placement",
    "separation": "separation between zones", "total_area": "total area of zones",
    # the zone's own results (ids "area" and "on")
    "rule_area": "zone area", "rule_on": "on allowed land",
    # map layers and controls
    "L_parcels": "Parcels (land use)", "L_roads": "Roads (class & width)",
    "L_gates": "Gates & toll exit", "L_water": "Rivers & coast",
    "L_bands": "River/coast setbacks", "L_settlements": "Settlements (villages)",
    "L_boundary": "Estate boundary", "L_zone": "UMKM zone", "L_alt": "Alternative",
    "L_frontage": "Diagnostic: zone road frontage",
    "L_adjacent": "Diagnostic: boundary shared with industry",
    "L_gate_path": "Diagnostic: road path from nearest gate",
    "L_context": "Basemap: villages & coast",
    "base_light": "Light canvas (Esri Light Gray)", "base_osm": "OpenStreetMap",
    "base_sat": "Satellite imagery (Esri)",
    "fullscreen": "Full screen", "fullscreen_exit": "Exit full screen",
    "minimap_hide": "Hide overview map", "minimap_show": "Show overview map",
    # words in tips, popups, tables
    "legend": "Land use", "tenant": "Tenant", "phase": "Phase", "status": "Status",
    "area": "Area", "width": "width", "rule": "Rule", "measured": "Measured",
    "required": "Required", "length": "length",
    "rank": "rank", "score": "score", "message": "Message", "reach": "reach",
    "directly": "directly",
    # verdicts
    "PASS": "PASS", "FAIL": "FAIL", "NOT CHECKED": "NOT CHECKED",
    "pass": "PASS — all rules hold", "fail": "FAIL — {n} of {total} rules fail",
    "pass_layout_fails": "PASS — the zone's rules hold; layout rules failing: {n}",
    "no_report": "not checked against rules", "failing": "Rules not met:",
    "skipped": "skipped (optional rule, nothing to measure on this estate)",
    "score_meaning": (
        "score: lower is better; metres of the zone's mean distance to the preferred"
        " places, plus the outline's weighted length (see the rules file's [[prefer]])"
    ),
    # title block, legend, notices
    "subtitle": "Planning meeting map", "rules_file": "rules file", "date": "date",
    "estate": "estate", "bundled_name": "KIT Batang (illustrative)",
    "illustrative": "ILLUSTRATIVE layout — not the official KIT Batang master plan.",
    "attribution": (
        "Village boundaries: cahyadsn/wilayah_boundaries (MIT), based on Kepmendagri codes; "
        "estate layout ILLUSTRATIVE, not the official master plan"
    ),
    "attr_user": "Estate data: {name}",
    "attr_villages": "village basemap: cahyadsn/wilayah_boundaries (MIT)",
    "zone_legend": "proposed UMKM zone", "alt_legend": "alternative",
    "band_legend": "setback band", "north": "N", "scale": "scale",
    "sources": "Sources", "disclaimer": "Disclaimer", "legend_title": "Legend",
    "rule_table": "Rule results", "grid_note": "Grid: {crs}, metres",
    "boundary_legend": "estate boundary", "water_legend": "river / coast",
    "road_legend": "road corridor",
    "unknown_legend": "land use not recognised: {values} (kitland validate)",
}  # fmt: skip


def label(lang: str, key: str) -> str:
    """The :data:`LABELS` entry ``key`` in ``lang`` (``key`` itself when unknown)."""
    return tr(lang, LABELS.get(key, key))


_NUMBER = re.compile(r"(?<![\w.#])-?\d+(?:\.(\d+))?(?![\w.])")


def numbers_in(text: str, lang: str) -> str:
    """``text`` with every plain number written in ``lang``'s locale, decimals kept.

    For texts built with English number formatting, such as a rule's requirement
    ``"19.5 .. 20.5"``; words and identifiers with digits (``setback#4``) are left alone.
    """

    def one(m: re.Match[str]) -> str:
        decimals = len(m.group(1) or "")
        return number(float(m.group(0)), lang, decimals)

    return _NUMBER.sub(one, text)


def quantity(value: float | None, unit: str, lang: str, decimals: int | None = None) -> str:
    """A measured value with its unit, e.g. ``19,52 ha`` or ``6,25%``; ``—`` when there
    is none.

    ``decimals`` defaults to 2 below 100 and 1 from 100 on (as report tables show them).
    """
    if value is None:
        return "—"
    if decimals is None:
        decimals = 2 if abs(value) < 100 else 1
    space = "" if unit == "%" else " "  # 6,25%: as Babel writes percentages
    return f"{number(value, lang, decimals)}{space}{unit}".strip()


class _LocaleFormatter(string.Formatter):
    """``str.format`` whose numbers follow ``lang``'s locale and whose nested
    :class:`Message` values are written in ``lang`` too."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message | Lines):
            return value.render(self.lang)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if self.lang == "en" or not is_number:
            return format(value, format_spec)
        return numbers_in(format(value, format_spec.replace(",", "")), self.lang)


@dataclass(frozen=True)
class Message:
    """An English message of the catalogue and the values to put in it, written later
    in any language (:meth:`render`).

    Numbers take their format from the placeholder (``{area:.1f}``) and the grouping
    and decimal mark of the language; strings (data: names, ids, paths) go in as they
    are; a nested :class:`Message` is written in the same language.

    Examples
    --------
    >>> m = Message("{source}: parcels {a} and {b} overlap by {m2:,.1f} m² ({ha:.4f} ha)",
    ...             {"source": "parcels", "a": "P1", "b": "P2", "m2": 1234.56, "ha": 0.123456})
    >>> m.render("en")
    'parcels: parcels P1 and P2 overlap by 1,234.6 m² (0.1235 ha)'
    >>> m.render("id")
    'parcels: kavling P1 dan P2 bertumpang tindih seluas 1.234,6 m² (0,1235 ha)'
    """

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        """The message in ``lang`` (English when the catalogue has no translation)."""
        return _LocaleFormatter(lang).vformat(tr(lang, self.text), (), dict(self.values))

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class Lines:
    """Several messages (or plain texts) written one after the other in the same
    language, joined by ``sep``: an error's summary line and its problems.

    Examples
    --------
    >>> Lines((Message("{path}: no such rules file", {"path": "r.toml"}), "x"), "; ").render("id")
    'r.toml: tidak ada berkas aturan seperti itu; x'
    """

    parts: tuple[Any, ...]
    sep: str = "\n  "

    def render(self, lang: str = "en") -> str:
        """The parts in ``lang`` (plain texts as they are), joined by :attr:`sep`."""
        return self.sep.join(p.render(lang) if isinstance(p, Message | Lines) else str(p)
                             for p in self.parts)  # fmt: skip

    def __str__(self) -> str:
        return self.render("en")
