"""Rules between zones (``[[between]]`` of a rules file with ``[[zones]]``), measured.

``separation``
    The least Euclidean distance between any two of the rule's zones, metres; it
    passes when at least ``min_m``. Two zones that overlap never pass (tables show the
    area they share, :attr:`~kitland.report.RuleResult.overlap_m2`), whatever
    ``min_m`` (with ``min_m = 0`` they may touch): they overlap when one reaches more
    than ε = 0.5 m (SPEC §3) inside the other, so zones drawn edge to edge with a
    little slack still only touch.
``total_area``
    The area of the union of the rule's zones, hectares (land two zones share counts
    once); it passes inside ``min_ha`` .. ``max_ha`` (either may be absent).

Measurements happen in the zones' own metric CRS. Used by :func:`kitland.check` for a
zone file with several zones, and by placement to re-check the zones it places.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from kitland._errors import DataError
from kitland.i18n import Lines, Message
from kitland.measure import EPS_M, area_ha, as_zone, check
from kitland.report import Report, RuleResult, ZonesReport
from kitland.rules import Rule, Rules, _suggest
from kitland.validation import OnInvalid

if TYPE_CHECKING:
    from kitland.estate import Estate

__all__ = ["between_results", "check_zones", "overlap_m2", "separation_m", "zone_geometries"]


def separation_m(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Least distance between two zones, metres (0 when they touch or overlap).

    Examples
    --------
    >>> separation_m(shapely.box(0, 0, 100, 100), shapely.box(130, 0, 200, 100))
    30.0
    """
    return float(shapely.distance(a, b))


def overlap_m2(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Area two zones share, m², counting only overlap deeper than ε = 0.5 m.

    The area of ``a ∩ b`` when either zone reaches more than ε inside the other,
    else 0 (zones drawn edge to edge, or up to ε over each other's edge, touch).

    Examples
    --------
    >>> overlap_m2(shapely.box(0, 0, 100, 100), shapely.box(90, 0, 200, 100))
    1000.0
    >>> overlap_m2(shapely.box(0, 0, 100, 100), shapely.box(99.7, 0, 200, 100))
    0.0
    """
    deep = shapely.intersects(shapely.buffer(a, -EPS_M), b) or shapely.intersects(
        shapely.buffer(b, -EPS_M), a
    )
    if not deep:
        return 0.0
    return float(shapely.area(shapely.intersection(a, b)))


def _zones_of(rule: Rule, rules: Rules) -> tuple[str, ...]:
    """The zones a between rule is about: its ``zones``, or every zone of the file."""
    return tuple(rule.get("zones") or (z.name for z in rules.zones))


def _separation(
    rule: Rule, geoms: Mapping[str, shapely.Geometry], names: tuple[str, ...]
) -> RuleResult:
    need = rule["min_m"]
    pairs = list(itertools.combinations(names, 2))
    overlaps = [(a, b, overlap_m2(geoms[a], geoms[b])) for a, b in pairs]
    overlaps = [o for o in overlaps if o[2] > 0]
    dists = [(separation_m(geoms[a], geoms[b]), a, b) for a, b in pairs]
    d, a, b = min(dists)
    if overlaps:
        a, b, m2 = max(overlaps, key=lambda o: o[2])
        more = f" (and {len(overlaps) - 1} more pairs)" if len(overlaps) > 1 else ""
        msg = f"{a} and {b} overlap by {m2:,.0f} m²{more}; zones never overlap"
        return RuleResult(rule.id, rule.kind, False, 0.0, f">= {need:g}", "m", msg, scope="between",
                          overlap_m2=m2)  # fmt: skip
    msg = f"the closest zones, {a} and {b}, are {d:,.1f} m apart (need at least {need:g} m)"
    if need == 0:
        msg = f"no two zones overlap; the closest, {a} and {b}, are {d:,.1f} m apart"
    return RuleResult(rule.id, rule.kind, d >= need, d, f">= {need:g}", "m", msg, scope="between")


def _total_area(
    rule: Rule, geoms: Mapping[str, shapely.Geometry], names: tuple[str, ...]
) -> RuleResult:
    total = area_ha(shapely.union_all([geoms[n] for n in names]))  # land shared counts once
    lo, hi = rule.get("min_ha"), rule.get("max_ha")
    ok = (lo is None or total >= lo) and (hi is None or total <= hi)
    if lo is not None and hi is not None:
        req, need = f"{lo:g} .. {hi:g}", f"{lo:g} .. {hi:g} ha"
    elif lo is not None:
        req, need = f">= {lo:g}", f"at least {lo:g} ha"
    else:
        req, need = f"<= {hi:g}", f"at most {hi:g} ha"
    msg = f"{', '.join(names)} cover {total:,.2f} ha together (need {need})"
    return RuleResult(rule.id, rule.kind, ok, total, req, "ha", msg, scope="between")


def between_results(zones: Mapping[str, shapely.Geometry], rules: Rules) -> list[RuleResult]:
    """Judge every ``[[between]]`` rule of ``rules`` on the zones' geometries.

    Parameters
    ----------
    zones
        Zone name → (Multi)Polygon, all in one metric CRS (the estate's).
    rules
        A rules file with ``[[zones]]`` (:attr:`Rules.between`; none: no results).

    Returns
    -------
    list of RuleResult
        One per between rule in file order, ``scope`` ``"between"``, ``name_en`` kept.

    Raises
    ------
    DataError
        If a zone a rule is about has no geometry in ``zones``.

    Examples
    --------
    >>> from kitland.rules import parse_rules
    >>> rules = parse_rules({"zones": [{"name": "A", "area_ha": 1}, {"name": "B", "area_ha": 0.7}],
    ...     "between": [{"kind": "separation", "min_m": 20},
    ...                 {"kind": "total_area", "zones": ["A", "B"], "min_ha": 1.5}]})
    >>> res = between_results({"A": shapely.box(0, 0, 100, 100), "B": shapely.box(130, 0, 200, 100)}, rules)
    >>> [(r.id, r.passed, r.value) for r in res]
    [('separation#1', True, 30.0), ('total_area#2', True, 1.7)]
    """
    out = []
    for rule in rules.between:
        names = _zones_of(rule, rules)
        missing = [n for n in names if n not in zones]
        if missing:
            msg = Message(
                "{where}: no geometry for zone {zone!r} (zones given: {zones})",
                {"where": rules.where(rule), "zone": missing[0],
                 "zones": ", ".join(zones) or Message("none")},
            )  # fmt: skip
            raise DataError(msg)
        measure = _separation if rule.kind == "separation" else _total_area
        res = measure(rule, zones, names)
        out.append(dataclasses.replace(res, name_en=rule.name_en))
    return out


def zone_geometries(
    zones: gpd.GeoDataFrame | Mapping[str, Any], estate: Estate, rules: Rules
) -> dict[str, shapely.Geometry]:
    """Each zone's geometry in ``estate.crs``, by the zone names of ``rules``.

    Parameters
    ----------
    zones
        A GeoDataFrame with one feature per zone and the zone's name in a ``zone_id``
        (or else ``name``) column (a ``rank`` column: only rank 1 is taken, as in the
        ``zone`` layer ``kitland place`` writes); or a mapping name → geometry (shapely
        in ``estate.crs``, or a GeoDataFrame/GeoSeries with a CRS).
    estate
        The estate (its CRS).
    rules
        A rules file with ``[[zones]]``.

    Returns
    -------
    dict
        Zone name → (Multi)Polygon, in the rules file's zone order.

    Raises
    ------
    DataError
        In one line naming the zone file and the features: no ``zone_id``/``name``
        column, a name the rules file does not have (the closest suggested), a zone
        given twice, a zone of the rules file given no feature; or an unusable
        geometry (:func:`kitland.measure.as_zone`).
    """
    names = [z.name for z in rules.zones]
    if isinstance(zones, gpd.GeoDataFrame):
        label = str(zones.attrs.get("source", "zone file"))
        col = next((c for c in ("zone_id", "name") if c in zones.columns), None)
        if col is None:
            msg = Message(
                "{source}: no 'zone_id' (or 'name') column; with several zones in {rules} each"
                " feature names its zone ({zones})",
                {"source": label, "rules": rules.source or Message("the rules"),
                 "zones": ", ".join(names)},
            )  # fmt: skip
            raise DataError(msg)
        if "rank" in zones.columns:
            zones = zones[pd.to_numeric(zones["rank"], errors="coerce") == 1]
        items: list[tuple[Message, Any, Any]] = [
            (Message("{source} feature {n} ({column} {value!r})",
                     {"source": label, "n": i + 1, "column": col, "value": v}),
             v, zones.iloc[[i]])
            for i, v in enumerate(zones[col])
        ]  # fmt: skip
    elif isinstance(zones, Mapping):
        label = "zones"
        items = [(Message("zone {zone!r}", {"zone": k}), k, g) for k, g in zones.items()]
    else:
        msg = Message(
            "{rules} has several zones ({zones}): give them as a GeoDataFrame with a 'zone_id'"
            " column or a mapping name → polygon, not a {type}",
            {"rules": rules.source or Message("the rules"), "zones": ", ".join(names),
             "type": type(zones).__name__},
        )  # fmt: skip
        raise DataError(msg)
    source = rules.source or Message("the rules")
    problems: list[Message] = []
    first: dict[str, Message] = {}
    for where, v, _ in items:
        if not isinstance(v, str) or v not in names:
            near = _suggest(v, names) if isinstance(v, str) else ""
            problems.append(Message("{where}: no zone {zone!r} in {rules}{near}",
                                    {"where": where, "zone": v, "rules": source, "near": near}))  # fmt: skip
        elif v in first:
            problems.append(Message("{where}: zone {zone!r} is also {other}; give one feature per zone",
                                    {"where": where, "zone": v, "other": first[v]}))  # fmt: skip
        else:
            first[v] = where
    missing = [n for n in names if n not in first]
    if missing and not problems:
        problems.append(Message(
            "{source}: no feature for zone {zones} of {rules} (zones given: {given})",
            {"source": label, "zones": ", ".join(map(repr, missing)), "rules": source,
             "given": ", ".join(map(repr, first)) or Message("none")},
        ))  # fmt: skip
    if problems:
        raise DataError(Lines(tuple(problems), "; "))
    geoms = {v: as_zone(g, estate, label=where) for where, v, g in items}
    return {n: geoms[n] for n in names}


def check_zones(
    estate: Estate,
    zones: gpd.GeoDataFrame | Mapping[str, Any],
    rules: Rules,
    *,
    on_invalid: OnInvalid = "raise",
) -> ZonesReport:
    """Judge several zones against a rules file with ``[[zones]]``.

    Each zone is checked as :func:`kitland.check` checks one, against
    :meth:`Rules.for_zone` (without the layout rules); then the ``[[between]]`` rules
    are measured on the zones' geometries (:func:`between_results`) and the layout
    rules judged once.

    Parameters
    ----------
    estate
        The estate.
    zones
        The zones, by name (see :func:`zone_geometries`).
    rules
        A rules file with ``[[zones]]``.
    on_invalid
        As :func:`kitland.check`.

    Returns
    -------
    ZonesReport
        One single-zone report per zone (in the rules file's order), the between
        results and the layout results.

    Raises
    ------
    DataError
        As :func:`zone_geometries`; or the estate has data errors.
    RulesError
        As :func:`kitland.check` (a selector that matches nothing, not optional).

    Examples
    --------
    >>> from kitland.estate import Estate
    >>> from kitland.rules import parse_rules
    >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.box(0, 0, 600, 200)], crs=32749)
    >>> est = Estate.from_layers({"boundary": b, "parcels": b.assign(parcel_id="a", land_use="available")})
    >>> rules = parse_rules({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 6}],
    ...                      "between": [{"kind": "separation", "min_m": 100}]})
    >>> rep = check_zones(est, {"A": shapely.box(0, 0, 100, 200), "B": shapely.box(300, 0, 600, 200)}, rules)
    >>> rep.passed, rep["A/area"].value, rep["separation#1"].value
    (True, 2.0, 200.0)
    """
    geoms = zone_geometries(zones, estate, rules)
    reports: dict[str, Report] = {}
    for name, g in geoms.items():
        reports[name] = check(
            estate, g, dataclasses.replace(rules.for_zone(name), layout=()), on_invalid=on_invalid
        )
    layout_only = Rules(None, layout=rules.layout, source=rules.source)
    layout = check(estate, None, layout_only, on_invalid=on_invalid)
    return ZonesReport(layout.results, zones=reports, between=between_results(geoms, rules))
