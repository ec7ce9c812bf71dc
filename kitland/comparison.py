"""Comparing a proposed zone with the best placement and with the best one near it.

:func:`compare` answers the planning meeting's question "what does the site the village
head proposes cost against the best one?": it checks the proposal against the rules,
places the best zone (:func:`kitland.place`), and places again *near the proposal*
(the best zone that covers at least half of the proposal's area; ``place(near=…)``).
Each of the three is scored by the definition ``place`` optimises
(:func:`kitland.score`) and measured the same way: every rule's value, the
road distance from the nearest estate gate, the boundary shared with industry, the road
frontage and the land it leaves unusable. :func:`price` puts the difference in one
line: the score difference and the rules the proposal fails.

:func:`versus_first` gives the same table for the alternatives of one placement run
(what each costs against placement 1).
"""

from __future__ import annotations

import html
import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely import MultiPolygon, Polygon

from kitland._errors import DataError, UsageError
from kitland.estate import Estate
from kitland.i18n import Message, gap_text, number, quantity, tr
from kitland.measure import (
    adjacent_options,
    as_zone,
    check,
    frontage_m,
    network_distance_m,
    shared_boundary_m,
)
from kitland.placement import PlacementResult, place, score
from kitland.placement._summary import infeasible_text
from kitland.report import Report, RuleResult
from kitland.rules import Rules

__all__ = [
    "Candidate",
    "Comparison",
    "candidates_of",
    "compare",
    "side_by_side",
    "unusable_ha",
    "versus_first",
]

log = logging.getLogger(__name__)

#: Parts of the cut parcels narrower than this are counted as unusable, when the rules
#: have no ``min_width`` rule (then its ``min_m`` is used), metres.
DEFAULT_USABLE_WIDTH_M = 30.0
#: The share of the proposal a zone "near the proposal" must cover.
NEAR_SHARE = 0.5

#: The figures measured on every zone, in table order: key → (English label, unit, decimals).
FIGURES: dict[str, tuple[str, str, int]] = {
    "score": ("preference score (lower is better)", "", 1),
    "area_ha": ("area", "ha", 2),
    "compactness": ("compactness", "", 2),
    "gate_road_m": ("road distance from the nearest estate gate", "m", 0),
    "industry_shared_m": ("boundary shared with industry", "m", 0),
    # every road class, unlike a frontage rule of the rules file (which the table also shows)
    "frontage_m": ("road frontage, all road classes", "m", 0),
    "unusable_ha": ("land left unusable", "ha", 2),
}


@dataclass(frozen=True)
class Candidate:
    """One zone of a comparison: its rule results and figures.

    Attributes
    ----------
    zone
        The zone in the estate's CRS.
    report
        :func:`kitland.check` of the zone, with ``zone["score"]`` added.
    figures
        ``score``, ``area_ha``, ``compactness``, ``gate_road_m`` (None when no road
        reaches), ``industry_shared_m``, ``frontage_m``, ``unusable_ha``.
    status
        ``CHECKED`` for the proposal; the placement's ``OPTIMAL`` / ``FEASIBLE``.
    overlap
        Share of the proposal's area this zone covers.
    gap
        A placement's relative gap to its proven bound (0 when ``OPTIMAL``; None for the
        proposal or when unknown).
    """

    zone: Polygon | MultiPolygon
    report: Report
    figures: dict[str, float | None]
    status: str = "CHECKED"
    overlap: float | None = None
    gap: float | None = None

    @property
    def score(self) -> float:
        """The preference score (lower is better)."""
        return float(self.figures["score"] or 0.0)

    @property
    def failed(self) -> list[RuleResult]:
        """The zone rules it fails (layout rules judge the master plan, not the zone)."""
        return [r for r in self.report.results if r.scope == "zone" and not r.passed]

    def to_dict(self) -> dict[str, Any]:
        """A SPEC §5 report, with ``status``, ``figures`` and ``overlap`` added."""
        d = self.report.to_dict()
        d["passed_zone_rules"] = not self.failed
        d["status"] = self.status
        d["figures"] = {k: _round(v) for k, v in self.figures.items()}
        d["overlap_with_proposal"] = _round(self.overlap)
        return d


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` returns.

    Attributes
    ----------
    proposal
        The proposed zone, checked.
    best
        The best placement (None when none was found; see ``best_status``).
    near_proposal
        The best placement covering at least ``near_share`` of the proposal (None when
        none exists or none was found; see ``near_status``).
    best_status, near_status
        The statuses of the two ``place`` runs (``OPTIMAL``, ``FEASIBLE``,
        ``INFEASIBLE``, ``UNDECIDED``).
    best_solver, near_solver
        The two runs' ``solver`` blocks (:attr:`PlacementResult.solver`): what an
        ``INFEASIBLE`` proved (the grid, the rules read conservatively).
    """

    proposal: Candidate
    best: Candidate | None
    near_proposal: Candidate | None
    best_status: str
    near_status: str
    near_share: float = NEAR_SHARE
    rules_source: str | None = None
    best_solver: dict[str, Any] = field(default_factory=dict, repr=False)
    near_solver: dict[str, Any] = field(default_factory=dict, repr=False)
    estate: Estate | None = field(default=None, repr=False)
    rules: Rules | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        """True when the proposal passes every zone rule."""
        return not self.proposal.failed

    @property
    def price(self) -> dict[str, Any]:
        """``score_delta`` (proposal − best; > 0: the proposal scores worse; None without a
        best zone) and ``failed_rules`` (the ids of the zone rules the proposal fails)."""
        delta = None if self.best is None else self.proposal.score - self.best.score
        return {"score_delta": _round(delta), "failed_rules": [r.id for r in self.proposal.failed]}

    def price_line(self, lang: str = "en") -> str:
        """The price of the proposal in one line."""
        p = self.price
        if p["score_delta"] is None:
            head = tr(lang, "no best zone to compare with")
        elif self.best is not None and self.best.status != "OPTIMAL":
            head = tr(lang, "score {delta} against the {best} (lower is better)").format(
                delta=_signed(p["score_delta"], lang), best=self.heading("best zone", lang)
            )
        else:
            head = tr(lang, "score {delta} against the best zone (lower is better)").format(
                delta=_signed(p["score_delta"], lang)
            )
        fails = (
            tr(lang, "fails: {rules}").format(
                rules=", ".join(r.label(lang) for r in self.proposal.failed)
            )
            if p["failed_rules"]
            else tr(lang, "passes every zone rule")
        )
        return f"{tr(lang, 'The price of the proposal')}: {head}; {fails}"

    def columns(self) -> list[tuple[str, Candidate | None]]:
        """The compared zones with their column titles (English msgids)."""
        return [
            ("proposal", self.proposal),
            ("best zone", self.best),
            ("best zone near the proposal", self.near_proposal),
        ]

    def heading(self, title: str, lang: str = "en") -> str:
        """A column's title (an English msgid of :meth:`columns`) in ``lang``; a placement
        not proven optimal is "best found" with its status (in ``lang``) and gap, e.g.
        ``best found (FEASIBLE, gap 3.2%)``; one that found nothing says why, e.g. ``best
        zone near the proposal (none found within the time limit (not proven that none
        exists))``."""
        c = dict(self.columns()).get(title)
        ran = {"best zone": self.best_status, "best zone near the proposal": self.near_status}
        if c is None and ran.get(title) in _STATUS_TEXT:  # the column is all "—": say why
            return f"{tr(lang, title)} ({tr(lang, _STATUS_TEXT[ran[title]])})"
        if c is None or c.status in ("OPTIMAL", "CHECKED"):
            return tr(lang, title)
        gap = gap_text(c.gap, lang, 1)
        found = tr(lang, _FOUND.get(title, title))
        return f"{found} ({tr(lang, c.status)}, {gap})"

    def table(self, lang: str = "en") -> list[list[str]]:
        """The side-by-side table: a header row, then one row per figure and per rule."""
        return side_by_side([(self.heading(t, lang), c) for t, c in self.columns()], lang=lang)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: ``proposal``, ``best``, ``near_proposal`` and ``price``."""
        return {
            "passed": self.passed,
            "proposal": self.proposal.to_dict(),
            "best": None if self.best is None else self.best.to_dict(),
            "near_proposal": None if self.near_proposal is None else self.near_proposal.to_dict(),
            "price": self.price,
            "best_status": self.best_status,
            "best_gap": None if self.best is None else _round(self.best.gap, 6),
            "near_status": self.near_status,
            "near_gap": None if self.near_proposal is None else _round(self.near_proposal.gap, 6),
            "near_share": self.near_share,
            "rules_source": self.rules_source,
        }

    def to_json(self) -> str:
        """The JSON report as text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def summary(self, lang: str = "en") -> str:
        """The table and the price, for the terminal."""
        rows = self.table(lang)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        for title, status, solver in (("best zone", self.best_status, self.best_solver),
                                      ("best zone near the proposal", self.near_status,
                                       self.near_solver)):  # fmt: skip
            if status == "INFEASIBLE" and solver:  # what was proven, as place says it
                lines.append(f"{tr(lang, title)}: {infeasible_text(solver, lang)}")
            elif status in ("INFEASIBLE", "UNDECIDED"):
                lines.append(f"{tr(lang, title)}: {tr(lang, _STATUS_TEXT[status])}")
        lines.append(self.price_line(lang))
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """The side-by-side table and the price line, for Jupyter (every cell escaped)."""
        head, *rows = self.table()
        cells = lambda tag, r: "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in r)  # noqa: E731
        body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows)
        colour = "#1a7f37" if self.passed else "#cf222e"
        return (f"<div><table><tr>{cells('th', head)}</tr>{body}</table>"
                f"<b style='color:{colour}'>{html.escape(self.price_line())}</b></div>")  # fmt: skip

    def explore(self, **kwargs: Any) -> Any:
        """The comparison map (:func:`kitland.maps.compare_map`); keywords go to it."""
        from kitland.maps import compare_map  # noqa: PLC0415 - maps sit above compare

        if self.estate is None:
            raise UsageError(Message("this comparison holds no estate to draw"))
        return compare_map(self.estate, self, rules=self.rules, **kwargs)


#: A column's title when its placement is not proven optimal.
_FOUND = {"best zone": "best found", "best zone near the proposal": "best found near the proposal"}

_STATUS_TEXT = {
    "INFEASIBLE": "no zone of the grid's cells satisfies the rules (proven)",
    "UNDECIDED": "none found within the time limit (not proven that none exists)",
}


def _round(v: Any, nd: int = 3) -> Any:
    if isinstance(v, float):
        return round(v, nd) if math.isfinite(v) else None
    return v


def _signed(v: float, lang: str, decimals: int = 1) -> str:
    return ("+" if v > 0 else "−" if v < 0 else "±") + number(abs(v), lang, decimals)


def _cell(value: float | None, unit: str, decimals: int, lang: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return quantity(value, unit, lang, decimals)


def side_by_side(
    columns: Sequence[tuple[str, Candidate | None]], *, lang: str = "en"
) -> list[list[str]]:
    """A table of zones side by side: the figures, then each rule (value and ✓/✗).

    The first column names the row; every column after the first zone also shows the
    difference to the first zone where both have a value (e.g. ``875,2 (+12,0)``).
    """
    head = ["", *[t for t, _ in columns]]
    rows = [head]
    first = columns[0][1]
    for key, (label, unit, dec) in FIGURES.items():
        row = [tr(lang, label)]
        for i, (_, c) in enumerate(columns):
            v = None if c is None else c.figures.get(key)
            text = _cell(v, unit, dec, lang)
            ref = None if first is None else first.figures.get(key)
            if (
                i > 0
                and v is not None
                and ref is not None
                and math.isfinite(v)
                and math.isfinite(ref)
            ):
                text += f" ({_signed(float(v) - float(ref), lang, dec)})"
            row.append(text if c is not None else "—")
        rows.append(row)
    zone_results = [
        r for r in (first.report.results if first is not None else []) if r.scope == "zone"
    ]
    for rid, name in ((r.id, r.label(lang)) for r in zone_results):
        row = [name]
        for _, c in columns:
            if c is None:
                row.append("—")
                continue
            try:
                r = c.report[rid]
            except KeyError:
                row.append("—")
                continue
            decimals = 0 if r.is_count else 1 if r.unit == "m" else 2  # "1" piece, not "1,00"
            value = "—" if r.value is None else _cell(float(r.value), r.unit, decimals, lang)
            row.append(f"{r.mark} {value}")
        rows.append(row)
    return rows


def unusable_ha(
    estate: Estate, zone: shapely.Geometry, *, on: Sequence[str] = ("available",), width_m: float
) -> float:
    """Land the zone leaves unusable: the parts of the ``on`` parcels it cuts into that are
    narrower than ``width_m`` (what an opening of radius ``width_m / 2`` removes from
    each parcel's remainder), hectares.

    Examples
    --------
    A 100 × 100 m parcel with a 100 × 80 m zone leaves a 20 m strip: unusable at 30 m.

    >>> import geopandas as gpd
    >>> from shapely import box
    >>> p = gpd.GeoDataFrame({"parcel_id": ["a"], "land_use": ["available"]},
    ...                      geometry=[box(0, 0, 100, 100)], crs=32749)
    >>> est = Estate.from_layers({"boundary": p.assign(name="x"), "parcels": p})
    >>> unusable_ha(est, box(0, 0, 100, 80), width_m=30)
    0.2
    """
    p = estate.parcels
    cut = p[
        p["land_use"].isin(list(on)).to_numpy() & shapely.intersects(p.geometry.to_numpy(), zone)
    ]
    if cut.empty:
        return 0.0
    rest = shapely.difference(cut.geometry.to_numpy(), zone)
    r = width_m / 2
    opened = shapely.buffer(shapely.buffer(rest, -r, join_style="mitre"), r, join_style="mitre")
    lost = shapely.area(shapely.difference(rest, opened))
    return round(float(lost.sum()) / 1e4, 4)


def _industry_gap(rules: Rules) -> dict[str, Any]:
    """How the rules count a boundary with industry: the gap options of the first
    ``adjacent`` rule whose selector names the ``industrial`` land use (none: touching)."""
    for rule in rules.rules:
        to = rule.get("to") if rule.kind == "adjacent" else None
        if to is not None and "industrial" in to.where.get("land_use", ()):
            return adjacent_options(rule, rules)
    return {"on": rules.zone.on if rules.zone is not None else ("available",)}


def _usable_width(rules: Rules) -> float:
    widths = [float(r["min_m"]) for r in rules.rules if r.kind == "min_width"]
    return max(widths) if widths else DEFAULT_USABLE_WIDTH_M


def figures(
    estate: Estate, zone: shapely.Geometry, rules: Rules, report: Report, *, score_value: float
) -> dict[str, float | None]:
    """The comparison figures of one zone (see :data:`FIGURES`)."""
    gates = estate.gates
    if not gates.empty and "kind" in gates.columns and (gates["kind"] == "estate_gate").any():
        gates = gates[gates["kind"] == "estate_gate"]
    gate_m = network_distance_m(zone, estate, sources=gates)[0] if not gates.empty else None
    p = estate.parcels
    industry = p[p["land_use"] == "industrial"]
    classes = sorted(set(estate.roads["road_class"].dropna())) if not estate.roads.empty else []
    on = rules.zone.on if rules.zone is not None else ("available",)
    return {
        "score": score_value,
        "area_ha": float(report.zone.get("area_ha", zone.area / 1e4)),
        "compactness": float(report.zone.get("compactness", 0.0)),
        "gate_road_m": gate_m,
        "industry_shared_m": (
            shared_boundary_m(zone, industry, estate=estate, **_industry_gap(rules))
            if not industry.empty
            else 0.0
        ),
        "frontage_m": frontage_m(zone, estate, road_class=classes) if classes else 0.0,
        "unusable_ha": unusable_ha(estate, zone, on=on, width_m=_usable_width(rules)),
    }


def candidate(
    estate: Estate,
    zone: shapely.Geometry,
    rules: Rules,
    *,
    report: Report | None = None,
    score_value: float | None = None,
    status: str = "CHECKED",
    proposal: shapely.Geometry | None = None,
    cell_m: float = 25.0,
    gap: float | None = None,
) -> Candidate:
    """One zone measured for a comparison (checked and scored unless given)."""
    rep = check(estate, zone, rules) if report is None else report
    s = score(estate, zone, rules, cell_m=cell_m) if score_value is None else score_value
    rep = Report(rep.results, {**rep.zone, "score": s}, {})
    overlap = None
    if proposal is not None and proposal.area > 0:
        overlap = float(shapely.area(shapely.intersection(zone, proposal)) / proposal.area)
    return Candidate(zone, rep, figures(estate, zone, rules, rep, score_value=s), status, overlap,
                     gap)  # fmt: skip


def _from_placement(
    estate: Estate, rules: Rules, result: PlacementResult, proposal: shapely.Geometry
) -> Candidate | None:
    if not result.found or not result.alternatives:
        return None
    p = result.alternatives[0]
    return candidate(estate, p.zone, rules, report=p.report, score_value=p.score,
                     status=p.status, proposal=proposal, gap=p.gap)  # fmt: skip


def compare(
    estate: Estate | str | os.PathLike[str],
    zone: Any,
    rules: Rules | str | os.PathLike[str],
    *,
    time_limit_s: float = 120.0,
    cell_m: float = 25.0,
    near_share: float = NEAR_SHARE,
    zone_name: str | None = None,
) -> Comparison:
    """Compare a proposed zone with the best placement and the best one near it.

    Parameters
    ----------
    estate, rules
        As for :func:`kitland.place` (objects or paths); ``rules`` needs a ``[zone]``,
        or ``[[zones]]`` with ``zone_name`` naming the one compared.
    zone
        The proposal: a shapely (Multi)Polygon in the estate's CRS, or a
        GeoDataFrame/GeoSeries with a CRS (e.g. the GeoJSON the map's draw tool exports).
        With ``zone_name``, a file or GeoDataFrame of several zones whose ``zone_id`` (or
        ``name``) column names them (as ``place`` writes) gives that zone's feature.
    time_limit_s
        For both placements together: half each (see :func:`kitland.place`).
    cell_m
        The placement grid (also the grid the proposal is scored on).
    near_share
        The share of the proposal's area the zone "near the proposal" must cover.
    zone_name
        Of a rules file with ``[[zones]]``, the zone compared (its rules are
        :meth:`Rules.for_zone`); may be left out when the file has one zone.

    Returns
    -------
    Comparison
        ``proposal``, ``best``, ``near_proposal``, ``price``; ``to_json()``,
        ``summary()``, ``explore()``.

    Raises
    ------
    DataError, CRSError, RulesError, UsageError
        For an unusable estate, zone, rules or option (as :func:`kitland.check` and
        :func:`kitland.place`).

    Examples
    --------
    >>> import kitland
    >>> c = kitland.compare(kitland.load_estate(), "proposal.geojson", kitland.load_rules())  # doctest: +SKIP
    >>> c.price  # doctest: +SKIP
    {'score_delta': 212.4, 'failed_rules': ['road frontage']}
    """
    from kitland.placement import _as_inputs  # noqa: PLC0415 - the same loading as place()

    estate, rules = _as_inputs(estate, rules)
    rules = one_zone(rules, zone_name)
    if isinstance(zone, str | os.PathLike):
        from kitland.io import read_zone, read_zones  # noqa: PLC0415

        zone = read_zone(zone) if zone_name is None else read_zones(zone)
    if zone_name is not None:
        zone = named_feature(zone, zone_name)
    if rules.zone is None:
        from kitland._errors import RulesError  # noqa: PLC0415

        msg = Message(
            "{source}: has no [zone] table; a comparison places the zone",
            {"source": rules.source or "rules"},
        )
        raise RulesError(msg)
    if not time_limit_s > 0:
        msg = Message(
            "time_limit_s={value}: expected a positive number of seconds",
            {"value": str(time_limit_s)},
        )
        raise UsageError(msg)
    source = getattr(zone, "attrs", {}).get("source")
    geom = as_zone(zone, estate, label=f"proposal {source}" if source else "proposal")
    proposal = candidate(estate, geom, rules, cell_m=cell_m, proposal=geom)
    half = time_limit_s / 2
    best = place(estate, rules, cell_m=cell_m, time_limit_s=half)
    near = place(estate, rules, cell_m=cell_m, time_limit_s=half, near=geom, near_share=near_share)
    return Comparison(
        proposal=proposal,
        best=_from_placement(estate, rules, best, geom),
        near_proposal=_from_placement(estate, rules, near, geom),
        best_status=best.status,
        near_status=near.status,
        best_solver=dict(best.solver),
        near_solver=dict(near.solver),
        near_share=near_share,
        rules_source=rules.source,
        estate=estate,
        rules=rules,
    )


def one_zone(rules: Rules, zone_name: str | None, *, command: str = "compare") -> Rules:
    """The single-zone rules a comparison places (or ``command`` takes): ``rules`` itself,
    or of a file with ``[[zones]]`` the zone ``zone_name`` (:meth:`Rules.for_zone`; the
    only one if unnamed).

    Raises
    ------
    RulesError
        If the file has several zones and ``zone_name`` is None, or no zone of that name.

    Examples
    --------
    >>> from kitland.rules import parse_rules
    >>> r = parse_rules({"zones": [{"name": "A", "area_ha": 5}, {"name": "B", "area_ha": 3}]},
    ...                 source="r.toml")
    >>> one_zone(r, "B").zone.name
    'B'
    >>> one_zone(r, None)
    Traceback (most recent call last):
    ...
    kitland._errors.RulesError: r.toml: has 2 zones ([[zones]]) and compare takes one: name it with --zone-name NAME (zone_name= in Python); zones: A, B
    """
    from kitland._errors import RulesError  # noqa: PLC0415

    if zone_name is not None:
        return rules.for_zone(zone_name)
    if rules.multi_zone and len(rules.zones) == 1:
        return rules.for_zone(rules.zones[0].name)
    if rules.multi_zone:
        msg = Message(
            "{source}: has {n} zones ([[zones]]) and {command} takes one: name it with "
            "--zone-name NAME (zone_name= in Python); zones: {zones}",
            {"source": rules.source or "rules", "n": len(rules.zones), "command": command,
             "zones": ", ".join(z.name for z in rules.zones)},
        )  # fmt: skip
        raise RulesError(msg)
    return rules


def named_feature(zone: Any, name: str) -> Any:
    """Of a GeoDataFrame of several zones with a ``zone_id`` (or ``name``) column, the
    feature of zone ``name`` (rank 1 of a ``rank`` column); anything else as it is.

    Raises
    ------
    DataError
        If the column has no feature (at rank 1) of that name, or several.
    """
    import geopandas as gpd  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    if not isinstance(zone, gpd.GeoDataFrame) or len(zone) < 2:
        return zone
    col = next((c for c in ("zone_id", "name") if c in zone.columns), None)
    if col is None:
        return zone
    if "rank" in zone.columns:
        zone = zone[pd.to_numeric(zone["rank"], errors="coerce") == 1]
    hit = zone[zone[col] == name]
    if len(hit) != 1:
        label = zone.attrs.get("source", "proposal")
        have = ", ".join(dict.fromkeys(str(v) for v in zone[col]))
        msg = Message(
            "{source}: {n} features with {column} {name!r}; expected one (it has: {have})",
            {"source": label, "n": len(hit), "column": col, "name": name, "have": have},
        )
        raise DataError(msg)
    return hit


def versus_first(result: PlacementResult) -> list[dict[str, Any]]:
    """What each alternative of a placement run costs against placement 1.

    One entry per placement after the first: ``rank``, ``score_delta`` (its score −
    placement 1's; ≥ 0 as placement 1 scores best), ``figures`` and ``figures_delta``
    (each figure minus placement 1's), and ``rules_delta`` (each zone rule's value minus
    placement 1's, where both were measured).
    """
    cands = candidates_of(result)
    if not cands:
        return []
    ref = cands[0]
    out = []
    for p, c in zip(result.alternatives[1:], cands[1:], strict=True):
        fig_delta = {k: _delta(v, ref.figures.get(k)) for k, v in c.figures.items()}
        rule_delta = {}
        for r in c.report.results:
            if r.scope == "zone" and r.id in {q.id for q in ref.report.results}:
                d = _delta(r.value, ref.report[r.id].value)
                if d is not None:
                    rule_delta[r.id] = d
        out.append({
            "rank": p.rank,
            "score_delta": _round(p.score - result.alternatives[0].score),
            "figures": {k: _round(v) for k, v in c.figures.items()},
            "figures_delta": fig_delta,
            "rules_delta": rule_delta,
        })  # fmt: skip
    return out


def _delta(v: float | None, ref: float | None) -> float | None:
    if v is None or ref is None or not (math.isfinite(v) and math.isfinite(ref)):
        return None
    return _round(float(v) - float(ref))


def candidates_of(result: PlacementResult) -> list[Candidate]:
    """Every placement of ``result`` measured as a :class:`Candidate` (for the map's table)."""
    if not result.found or result.estate is None or result.rules is None:
        return []
    return [
        candidate(
            result.estate,
            p.zone,
            result.rules,
            report=p.report,
            score_value=p.score,
            status=p.status,
        )
        for p in result.alternatives
    ]
