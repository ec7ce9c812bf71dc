"""Rule results and reports: text table, JSON (SPEC §5) and JUnit XML.

A :class:`RuleResult` is one rule judged on one zone or layout; a :class:`Report` is the
verdict of a whole rules file. Both are plain data and know nothing of geometry.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from kitland.i18n import label, numbers_in, quantity, tr

__all__ = ["Report", "RuleResult", "ZonesReport", "rule_label"]


def _round(v: Any, nd: int = 3) -> Any:
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        return round(v, nd)
    return v


def rule_label(rule_id: str, kind: str, lang: str, *, name_en: str | None = None) -> str:
    """A rule's name for people in ``lang`` (see :meth:`RuleResult.label`)."""
    if lang == "en":
        return name_en or rule_id
    if rule_id in ("area", "on") and kind == rule_id:
        return label(lang, f"rule_{rule_id}")
    if kind == "plots":  # check_plots' fixed ids ("plots valid", …) are messages themselves
        return tr(lang, rule_id)
    unnamed = re.fullmatch(r"(layout\.)?([a-z_]+)#(\d+)", rule_id)
    if unnamed and unnamed.group(2) == kind:
        return f"{label(lang, kind)} #{unnamed.group(3)}"
    return rule_id


#: Units of measured quantities (shown with decimals); any other unit counts things.
_MEASURES = frozenset({"m", "ha", "%", "m²", "m2"})


#: A requirement's signs as people write them (``>= 50`` is the report's, for scripts).
_SIGNS = {">= ": "≥ ", "<= ": "≤ ", "== ": "= ", " .. ": "–"}


def _tight_percent(text: str) -> str:
    """``0.52 %`` → ``0.52%``, as Babel writes percentages in both languages."""
    return text[:-2] + "%" if text.endswith(" %") else text


@dataclass(frozen=True)
class RuleResult:
    """One rule judged.

    Attributes
    ----------
    id
        The rule's ``name`` or ``kind#index`` (e.g. ``setback#4``); ``area`` and ``on``
        for the zone's own rules.
    kind
        The rule kind (``adjacent``, ``setback``, …).
    passed
        The verdict.
    value
        The measured value (None when it cannot be measured, e.g. no road reaches).
    required
        The requirement as text, e.g. ``">= 50"`` or ``"19.5 .. 20.5"``.
    unit
        ``"m"``, ``"ha"``, ``"%"`` or ``""``.
    message
        One human sentence saying what was measured and why it passes or fails.
    scope
        ``"zone"`` or ``"layout"``.
    skipped
        True for an ``optional`` rule whose selector matches no feature on this estate:
        it was not measured, ``passed`` is True and ``value`` None.
    name_en
        The rule's English name (``name_en`` in the rules file), shown instead of ``id``
        in English; not part of the JSON report.
    overlap_m2
        For a ``separation`` rule between zones that overlap: the area they share, m²
        (tables show it instead of the distance; JSON ``overlap_m2`` when > 0).
    """

    id: str
    kind: str
    passed: bool
    value: float | None
    required: str
    unit: str
    message: str
    scope: str = "zone"
    skipped: bool = False
    name_en: str | None = None
    overlap_m2: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of SPEC §5 (``"skipped": true`` is added only to skipped rules)."""
        d = {
            "id": self.id,
            "kind": self.kind,
            "passed": bool(self.passed),
            "value": _round(self.value),
            "required": self.required,
            "unit": self.unit,
            "message": self.message,
            "scope": self.scope,
        }
        if self.skipped:
            d["skipped"] = True
        if self.overlap_m2 > 0:
            d["overlap_m2"] = _round(self.overlap_m2)
        return d

    @property
    def mark(self) -> str:
        """✓, ✗, or – for a skipped rule."""
        if self.skipped:
            return "–"
        return "✓" if self.passed else "✗"

    @property
    def is_count(self) -> bool:
        """The value counts things (pieces, plots): a whole number, shown as ``1``."""
        return (
            self.unit not in _MEASURES and self.value is not None and float(self.value).is_integer()
        )

    def value_text(self, lang: str = "en") -> str:
        """The value with its unit, for tables (numbers in ``lang``'s locale); zones that
        overlap show the area they share (``overlap 4.07 ha``)."""
        if self.overlap_m2 > 0:
            area = quantity(self.overlap_m2 / 1e4, "ha", lang)
            return tr(lang, "overlap {area}").format(area=area)
        text = quantity(self.value, tr(lang, self.unit), lang, 0 if self.is_count else None)
        return _tight_percent(text)

    def required_text(self, lang: str = "en") -> str:
        """The requirement with its unit, e.g. ``>= 150 m`` (numbers in ``lang``'s locale);
        in Bahasa Indonesia as people write it, ``≥ 150 m``, ``19,5–20,5 ha``, ``= 1``
        (English keeps the report's signs, which scripts read)."""
        text = f"{self.required} {tr(lang, self.unit)}".strip()
        if lang != "en":
            for sign, word in _SIGNS.items():
                text = text.replace(sign, word)
        return _tight_percent(numbers_in(text, lang))

    def label(self, lang: str = "en") -> str:
        """The rule's name for people in ``lang``.

        In English ``name_en``, else the ``id``. In other languages the zone's own
        ``area``/``on`` results and unnamed rules (``kind#index``) by their kind's word,
        otherwise the ``id`` (the rules file's ``name``).

        Examples
        --------
        >>> RuleResult("setback#4", "setback", True, 60.0, ">= 50", "m", "").label("id")
        'sempadan #4'
        >>> RuleResult("area", "area", True, 20.0, "20 .. 21", "ha", "").label("id")
        'luas zona'
        """
        return rule_label(self.id, self.kind, lang, name_en=self.name_en)


@dataclass(frozen=True)
class Report:
    """The verdict of a rules file on one zone and/or the layout.

    Attributes
    ----------
    results
        One :class:`RuleResult` per rule, in file order (zone rules, then layout rules).
    zone
        Zone summary for the report: ``area_ha``, ``compactness``, ``crs`` (empty when
        only layout rules were checked).
    extra
        More top-level JSON keys (``place`` adds ``alternatives`` and ``funnel``).
    """

    results: Sequence[RuleResult]
    zone: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when every rule passes."""
        return all(r.passed for r in self.results)

    @property
    def zone_passed(self) -> bool:
        """True when every zone rule passes (the layout rules judge the master plan)."""
        return all(r.passed for r in self.results if r.scope == "zone")

    @property
    def failed(self) -> list[RuleResult]:
        """The results that fail."""
        return [r for r in self.results if not r.passed]

    @property
    def skipped(self) -> list[RuleResult]:
        """The optional rules skipped on this estate (they count as passed)."""
        return [r for r in self.results if r.skipped]

    def __getitem__(self, rule_id: str) -> RuleResult:
        for r in self.results:
            if rule_id in (r.id, r.name_en):
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of SPEC §5."""
        d: dict[str, Any] = {"passed": self.passed}
        if self.zone:
            d["zone"] = {k: _round(v) for k, v in self.zone.items()}
        d["rules"] = [r.to_dict() for r in self.results]
        d.update(self.extra)
        return d

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys inside rules kept in SPEC order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_text(self, lang: str = "en", *, name: str | None = None) -> str:
        """A table for the terminal: rule, value, required, ✓/✗ (words and numbers in ``lang``).

        Rules are named by :meth:`RuleResult.label` (``name_en`` in English). In English
        each failing rule is followed by the sentence explaining it; in Indonesian by its
        value and requirement (the explaining sentences are English only). ``name`` (the
        zone's ``name`` in the rules file) heads the zone's line instead of "zone".
        """
        if lang != "en":
            return self._text_in(lang, name)
        rows = [
            (r.label(), r.kind, r.value_text(), f"{r.required} {r.unit}".strip(), r.mark)
            for r in self.results
        ]
        head = ("rule", "kind", "value", "required", "")
        widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(5)]
        line = lambda t: "  ".join(str(c).ljust(w) for c, w in zip(t, widths, strict=True)).rstrip()  # noqa: E731
        out = [line(head), line(tuple("-" * w for w in widths))]
        out += [line(r) for r in rows]
        n_fail, n_skip = len(self.failed), len(self.skipped)
        verdict = (
            "PASS: all rules hold"
            if self.passed
            else f"FAIL: {n_fail} of {len(self.results)} rules fail"
        )
        if n_skip:
            verdict += f" ({n_skip} optional rule{'s' * (n_skip != 1)} skipped)"
        if self.zone:
            z = self.zone
            out.insert(
                0,
                f"{name or 'zone'}: {z.get('area_ha', 0):.2f} ha, compactness {z.get('compactness', 0):.2f}, {z.get('crs', '')}",
            )
        out.append(verdict)
        for r in self.failed:
            out.append(f"  ✗ {r.label()}: {r.message}")
        for r in self.skipped:
            out.append(f"  – {r.label()}: {r.message}")
        return "\n".join(out) + "\n"

    def _text_in(self, lang: str, name: str | None = None) -> str:
        rows = [(r.label(lang), r.value_text(lang), r.required_text(lang), r.mark)
                for r in self.results]  # fmt: skip
        head = (label(lang, "rule"), label(lang, "measured"), label(lang, "required"), "")
        widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(4)]
        line = lambda t: "  ".join(str(c).ljust(w) for c, w in zip(t, widths, strict=True)).rstrip()  # noqa: E731
        out = [line(head), line(tuple("-" * w for w in widths))]
        out += [line(r) for r in rows]
        if self.zone:
            z = self.zone
            out.insert(0, f"{name or label(lang, 'L_zone')}: {quantity(z.get('area_ha', 0), 'ha', lang)}, "
                          f"{label(lang, 'compactness')} {quantity(z.get('compactness', 0), '', lang)}, "
                          f"{z.get('crs', '')}")  # fmt: skip
        n_fail = len(self.failed)
        out.append(
            label(lang, "pass")
            if self.passed
            else label(lang, "fail").format(n=n_fail, total=len(self.results))
        )
        for r in self.failed:
            out.append(
                f"  ✗ {r.label(lang)}: {r.value_text(lang)} ({label(lang, 'required')} {r.required_text(lang)})"
            )
        for r in self.skipped:
            out.append(f"  – {r.label(lang)}: {label(lang, 'skipped')}")
        return "\n".join(out) + "\n"

    def to_junit(self, *, suite: str = "kitland.check") -> str:
        """JUnit XML: one test case per rule, a ``<failure>`` for each failing rule."""
        return _junit([_testsuite(self.results, suite)])

    def __repr__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        verdict = "PASS" if self.passed else "FAIL"
        z = ""
        if self.zone:
            z = html.escape(
                f" — zone {self.zone.get('area_ha', 0):.2f} ha, compactness "
                f"{self.zone.get('compactness', 0):.2f}, {self.zone.get('crs', '')}"
            )
        return f"<div><b style='color:{colour}'>{verdict}</b>{z}{_html_table(self.results)}</div>"


@dataclass(frozen=True, repr=False)
class ZonesReport(Report):
    """The verdict of a rules file with several zones (``[[zones]]``) on a zone layout.

    Attributes
    ----------
    zones
        Zone name → that zone's single-zone :class:`Report` (``area``, ``on``, the
        top-level and the zone's own rules; no layout rules), in the rules file's order.
    between
        The ``[[between]]`` results (``scope`` ``"between"``).
    results
        The layout rules' results (judged once, for the whole estate).
    """

    zones: Mapping[str, Report] = field(default_factory=dict)
    between: Sequence[RuleResult] = ()

    def all_results(self) -> list[RuleResult]:
        """Every result: each zone's, then the between rules', then the layout rules'."""
        each = [r for rep in self.zones.values() for r in rep.results]
        return [*each, *self.between, *self.results]

    @property
    def passed(self) -> bool:
        """True when every zone's rules, every between rule and every layout rule pass."""
        return all(r.passed for r in self.all_results())

    @property
    def failed(self) -> list[RuleResult]:
        """The results that fail, in :meth:`all_results` order."""
        return [r for r in self.all_results() if not r.passed]

    @property
    def skipped(self) -> list[RuleResult]:
        """The optional rules skipped, in :meth:`all_results` order."""
        return [r for r in self.all_results() if r.skipped]

    def __getitem__(self, rule_id: str) -> RuleResult:
        """``"ZONE/RULE"`` for a zone's result, else a between or layout rule's id."""
        for name, rep in self.zones.items():
            if rule_id.startswith(f"{name}/"):
                return rep[rule_id.removeprefix(f"{name}/")]
        for r in (*self.between, *self.results):
            if rule_id in (r.id, r.name_en):
                return r
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (SPEC §5, several zones): ``passed``, ``zones`` (per zone
        ``name``, ``passed``, ``zone`` summary and ``rules``), ``between``, ``rules``."""
        zones = []
        for name, rep in self.zones.items():
            one = rep.to_dict()
            zones.append({"name": name, "passed": one.pop("passed"), **one})
        d: dict[str, Any] = {"passed": self.passed, "zones": zones}
        d["between"] = [r.to_dict() for r in self.between]
        d["rules"] = [r.to_dict() for r in self.results]
        d.update(self.extra)
        return d

    def to_text(self, lang: str = "en", *, name: str | None = None) -> str:
        """Each zone's table under its name, then the between rules, then the layout
        rules, then the verdict on all of them (words and numbers in ``lang``); ``name``
        is unused (each zone carries its own)."""
        out = []
        for name, rep in self.zones.items():
            z = rep.zone
            summary = (f"{name}: {quantity(z.get('area_ha', 0), 'ha', lang)}, "
                       f"{label(lang, 'compactness')} {quantity(z.get('compactness', 0), '', lang)}, "
                       f"{z.get('crs', '')}")  # fmt: skip
            table = Report(rep.results, extra=rep.extra).to_text(lang)
            out += [f"== {tr(lang, 'zone')} {name} ==", summary, table]
        for title, results in (("between zones", self.between), ("layout", self.results)):
            if results:
                out += [f"== {tr(lang, title)} ==", Report(results).to_text(lang)]
        n, total = len(self.failed), len(self.all_results())
        if self.passed:
            verdict = "PASS: all rules hold" if lang == "en" else label(lang, "pass")
        elif lang == "en":
            verdict = f"FAIL: {n} of {total} rules fail"
        else:
            verdict = label(lang, "fail").format(n=n, total=total)
        where = [
            f"{name} ({len(rep.failed)})" for name, rep in self.zones.items() if not rep.passed
        ]
        where += [tr(lang, "between zones")] * any(not r.passed for r in self.between)
        where += [tr(lang, "layout")] * any(not r.passed for r in self.results)
        if where:
            verdict += f" — {', '.join(where)}"
        return "\n".join([*out, verdict]) + "\n"

    def to_junit(self, *, suite: str = "kitland.check") -> str:
        """JUnit XML: a test suite per zone (``SUITE.ZONE``), one for the between rules
        and one for the layout rules."""
        suites = [_testsuite(rep.results, f"{suite}.{name}") for name, rep in self.zones.items()]
        suites.append(_testsuite(self.between, f"{suite}.between"))
        suites.append(_testsuite(self.results, f"{suite}.layout"))
        return _junit(suites)

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        parts = [f"<b style='color:{colour}'>{'PASS' if self.passed else 'FAIL'}</b>"]
        for name, rep in self.zones.items():
            parts.append(f"<h4>{html.escape(name)}</h4>{rep._repr_html_()}")
        if self.between:
            parts.append(f"<h4>between zones</h4>{_html_table(self.between)}")
        if self.results:
            parts.append(f"<h4>layout</h4>{_html_table(self.results)}")
        return f"<div>{''.join(parts)}</div>"


def _html_table(results: Sequence[RuleResult]) -> str:
    """Rule results as an HTML table (every text escaped)."""
    rows = "".join(
        f"<tr><td>{html.escape(r.id)}</td><td>{html.escape(r.kind)}</td>"
        f"<td style='text-align:right'>{html.escape(r.value_text())}</td>"
        f"<td>{html.escape(r.required_text())}</td>"
        f"<td style='color:{'#6e7781' if r.skipped else '#1a7f37' if r.passed else '#cf222e'}'>{r.mark}</td>"
        f"<td>{html.escape(r.message)}</td></tr>"
        for r in results
    )
    return (
        "<table><tr><th>rule</th><th>kind</th><th>value</th><th>required</th><th></th>"
        f"<th>message</th></tr>{rows}</table>"
    )


def _testsuite(results: Sequence[RuleResult], suite: str) -> ET.Element:
    """One JUnit ``<testsuite>``: a test case per result."""
    failed = [r for r in results if not r.passed]
    ts = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(len(failed)),
        errors="0",
        skipped=str(sum(r.skipped for r in results)),
    )
    for r in results:
        tc = ET.SubElement(ts, "testcase", classname=f"{suite}.{r.scope}", name=r.id)
        tc.set("time", "0")
        if r.skipped:
            ET.SubElement(tc, "skipped", message=r.message)
        elif not r.passed:
            f = ET.SubElement(tc, "failure", message=r.message, type=r.kind)
            f.text = f"value {r.value_text()}, required {r.required} {r.unit}".strip()
        out = ET.SubElement(tc, "system-out")
        out.text = r.message
    return ts


def _junit(suites: Sequence[ET.Element]) -> str:
    """A JUnit XML document of ``suites``."""
    root = ET.Element("testsuites")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
