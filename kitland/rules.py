"""The rules file (SPEC §2): parsed into typed, immutable rule objects.

This module only reads and checks the file's form. Measuring a rule on a zone is
:mod:`kitland.measure`; checking that a selector matches features in an estate happens
when rules meet an estate (:meth:`Selector.select`).

Interface (fixed; other modules rely on it):

- :class:`Rules` has ``zone`` (:class:`ZoneSpec` or None), ``rules`` (zone rules),
  ``layout`` (layout rules), ``prefer`` (soft preferences), ``source`` (file label).
- :class:`Rule` has ``id`` (``name`` or ``kind#index``), ``kind``, ``index`` (1-based
  position in its array), ``scope`` (``"zone"``, ``"layout"``, ``"prefer"``,
  ``"between"``), ``zone`` (the ``[[zones]]`` entry of a zone's own rule, else None)
  and ``params`` (the keys of the table other than ``kind``/``name``; selector tables
  are :class:`Selector` objects, lists are tuples, numbers are float).
- Several zones (``[[zones]]``, a kitland extension of SPEC §2): ``Rules.zones`` lists
  every :class:`ZoneSpec` (``(zone,)`` for a ``[zone]`` file), ``Rules.zone_rules`` the
  zones' own rules and preferences, ``Rules.between`` the ``[[between]]`` rules, and
  :meth:`Rules.for_zone` gives one zone's ordinary single-zone :class:`Rules`. A file
  with ``[[zones]]`` has ``zone`` None.

Rule kinds
----------
``[[rules]]`` (judge a zone):

========================  ==========================================================
``adjacent``              ``to`` (selector), ``min_shared_m``
``frontage``              ``road_class`` (list), ``min_m``
``network_distance``      ``from`` (selector, usually gates), ``max_m``
``distance``              ``to`` (selector), ``max_m``
``setback``               ``from`` (selector), ``min_m``
``contiguous``            —
``compactness``           ``min`` (Polsby–Popper, 0..1)
``min_width``             ``min_m``
========================  ==========================================================

``[[layout]]`` (judge the master plan): ``land_share`` (``land_use`` list, ``min_pct``
and/or ``max_pct``) and ``setback`` (``land_use`` list, ``from`` selector, ``min_m``).

``[[prefer]]`` (soft preferences that rank placements; a kitland extension of SPEC §2):
``near`` and ``far``, each with ``to`` (selector) and ``weight`` (default 1.0, ≥ 0).

``[[zones]]`` (several zones at once, instead of one ``[zone]``): the keys of
``[zone]`` with a required, unique ``name``, and the zone's own ``[[zones.rules]]`` and
``[[zones.prefer]]``, which apply to that zone on top of the top-level ``[[rules]]`` and
``[[prefer]]``. A zone's rule may not reuse a top-level rule's name; two zones' rules
may share one (``rules.replace("ZONE/NAME", ...)`` tells them apart).

``[[between]]`` (rules between zones of ``[[zones]]``): ``separation`` (``min_m``, the
least distance between any two of the zones, 0 = they may touch but never overlap;
``zones``, default all) and ``total_area`` (``zones``, ``min_ha`` and/or ``max_ha`` on
the sum of their areas). Measured by :mod:`kitland.between`.

Every table may carry ``name`` (its id in reports) and ``name_en`` (its name in English
reports and maps; :meth:`Rules.replace` and ``rules[...]`` accept either). Default ids are ``kind#index`` with
the index counted in its own array; a layout rule whose default id would repeat a zone
rule's id is called ``layout.kind#index`` so that ids in one report stay unique.

Every table may also carry ``optional = true``: where a selector of the rule matches no
feature of an estate (or names a column the layer lacks), the rule is skipped there
instead of being an error (:meth:`Rules.check_against`); rules without a selector
always apply.

Every problem of a file is reported at once: :class:`RulesError` lists them, one line
each, after a summary line ``rules.toml: 3 problems`` (a single problem is the message
itself).
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import math
import os
import re
import tomllib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kitland._errors import KitlandError, RulesError
from kitland.i18n import Lines, Message

if TYPE_CHECKING:
    import geopandas as gpd

    from kitland.estate import Estate

__all__ = [
    "RULE_KINDS",
    "PlotSpec",
    "PlotType",
    "Rule",
    "Rules",
    "Selector",
    "ZoneSpec",
    "load_rules",
]


def _suggest(word: str, choices: Any) -> Message | str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` (a catalogue message),
    or ``""``."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return Message("; did you mean {word!r}?", {"word": close[0]}) if close else ""


def _listed(words: Any) -> Message | str:
    """``a, b, c`` for a message, or the word "none" (in the message's language)."""
    return ", ".join(map(str, words)) or Message("none")


@dataclass(frozen=True)
class Selector:
    """Which features a rule is about: a layer and column → accepted values.

    All given columns must match (SPEC §2).

    Examples
    --------
    >>> Selector("water", {"kind": ("river",)}).describe()
    'water kind=river'
    """

    layer: str = "parcels"
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        """Short text such as ``water kind=river``."""
        crit = " ".join(f"{k}={'|'.join(v)}" for k, v in self.where.items())
        return f"{self.layer} {crit}".strip()

    def select(self, estate: Estate, *, rule_label: object = "selector") -> gpd.GeoDataFrame:
        """The features of ``estate`` this selector picks.

        The selection is kept per estate object and returned again on the next call
        (the same frame: read it, do not change it).

        Parameters
        ----------
        estate
            The estate to select from.
        rule_label
            Where the selector comes from, for messages (see :meth:`Rules.where`), e.g.
            ``"rules.toml rule setback#4, key 'from'"`` (text or a catalogue message).

        Raises
        ------
        RulesError
            If a column is missing from the layer, or no feature matches.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> from kitland.estate import Estate
        >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 200, 100)], crs=32749)
        >>> p = gpd.GeoDataFrame({"parcel_id": ["a", "b"], "land_use": ["industrial", "available"]},
        ...                      geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=32749)
        >>> est = Estate.from_layers({"boundary": b, "parcels": p})
        >>> list(Selector("parcels", {"land_use": ("industrial",)}).select(est)["parcel_id"])
        ['a']
        """
        key = (self.layer, tuple((c, tuple(v)) for c, v in self.where.items()))
        chosen = _SELECTED.setdefault(estate, {})
        if key in chosen:
            return chosen[key]
        gdf = estate.layer(self.layer)
        mask = None
        for col, values in self.where.items():
            if col not in gdf.columns:
                cols = [c for c in gdf.columns if c != "geometry"]
                msg = Message(
                    "{where}: layer {layer!r} of {source} has no column {column!r}{near}"
                    " (columns: {columns})",
                    {"where": rule_label, "layer": self.layer,
                     "source": estate.source or estate.name, "column": col,
                     "near": _suggest(col, cols), "columns": ", ".join(map(str, cols))},
                )  # fmt: skip
                raise RulesError(msg)
            m = gdf[col].astype(object).isin(values)
            mask = m if mask is None else mask & m
        out = gdf if mask is None else gdf[mask.to_numpy()]
        if len(out) == 0:
            if len(gdf) == 0:
                why = Message("the estate has no {layer!r} features", {"layer": self.layer})
            else:
                present = {
                    c: sorted({str(v) for v in gdf[c].dropna()})[:12]
                    for c in self.where
                    if c in gdf
                }
                hints = Lines(
                    tuple(
                        Message(
                            "{column} values present: {values}", {"column": c, "values": _listed(v)}
                        )
                        for c, v in present.items()
                    ),
                    "; ",
                )
                near = [_suggest(v, present.get(c, ())) for c, vs in self.where.items() for v in vs]
                why = Message(
                    "no feature matches ({hints}){near}",
                    {"hints": hints, "near": Lines(tuple(n for n in near if n)[:3], "")},
                )
            msg = Message(
                "{where}: selector {selector!r} matches no feature: {why}",
                {"where": rule_label, "selector": self.describe(), "why": why},
            )
            raise RulesError(msg)
        chosen[key] = out
        return out


#: Features each selector picked, per estate object (its layers are never changed in
#: place): ``check`` runs once per outline the placement tries and selects the same
#: features each time. A selection that fails is not kept (its message names the rule).
_SELECTED: weakref.WeakKeyDictionary[Estate, dict[Any, gpd.GeoDataFrame]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class ZoneSpec:
    """The ``[zone]`` table: what is placed, how big, on which land.

    ``area_ha`` is the target area; the zone's area must lie in ``[min_ha, max_ha]``.
    Given as ``area_ha ± tolerance_ha`` (SPEC §2) or as ``min_ha`` / ``max_ha``; a
    bound that is not given is ``area_ha ∓ tolerance_ha``, and ``area_ha`` defaults to
    ``min_ha`` when only the band is given ("at least 20 ha": ``min_ha = 20``).

    Examples
    --------
    >>> ZoneSpec(area_ha=20, tolerance_ha=0.5).min_ha, ZoneSpec(min_ha=20, max_ha=21).area_ha
    (19.5, 20.0)
    """

    name: str = "Zona UMKM"
    land_use: str = "umkm"
    area_ha: float = math.nan
    tolerance_ha: float = 0.5
    on: tuple[str, ...] = ("available",)
    min_ha: float = math.nan
    max_ha: float = math.nan

    def __post_init__(self) -> None:
        area = self.area_ha
        if math.isnan(area):
            area = self.min_ha if math.isfinite(self.min_ha) else 20.0
        object.__setattr__(self, "area_ha", float(area))
        if math.isnan(self.min_ha):
            object.__setattr__(self, "min_ha", float(area - self.tolerance_ha))
        if math.isnan(self.max_ha):
            object.__setattr__(self, "max_ha", float(area + self.tolerance_ha))

    def describe(self) -> str:
        """The area as text: ``20 ± 0.5 ha`` or ``20 .. 21 ha (target 20 ha)``."""
        lo, hi, t = self.min_ha, self.max_ha, self.area_ha
        if math.isclose(t - lo, hi - t, abs_tol=1e-9):
            return f"{t:g} ± {hi - t:g} ha"
        return f"{lo:g} .. {hi:g} ha (target {t:g} ha)"


@dataclass(frozen=True)
class PlotType:
    """One kind of plot of the ``[plots]`` table (``[[plots.types]]``): its size band.

    A plot of this type has an area in ``[min_m2, max_m2]`` and at least
    ``min_frontage_m`` of its boundary along a road. Rows of such plots are between
    ``min_depth_m`` and ``max_depth_m`` deep; by default √min_m2 (a square plot of the
    least area) and (min_m2 + max_m2) / 2 / min_frontage_m (the depth at which a plot
    of the least frontage has the middle of the band). ``share_pct`` is the share of
    the plotted land this type should take (default: what the other types' shares
    leave, split evenly).

    Examples
    --------
    >>> t = PlotType("kios", min_m2=150, max_m2=300, min_frontage_m=8)
    >>> round(t.min_depth_m, 2), t.max_depth_m
    (12.25, 28.125)
    """

    name: str
    min_m2: float
    max_m2: float
    min_frontage_m: float
    min_depth_m: float = math.nan
    max_depth_m: float = math.nan
    share_pct: float = math.nan

    def __post_init__(self) -> None:
        if math.isnan(self.min_depth_m):
            object.__setattr__(self, "min_depth_m", math.sqrt(self.min_m2))
        if math.isnan(self.max_depth_m):
            mid = (self.min_m2 + self.max_m2) / 2
            object.__setattr__(self, "max_depth_m", mid / self.min_frontage_m)


@dataclass(frozen=True)
class PlotSpec:
    """The ``[plots]`` table: how a placed zone is cut into plots along internal roads.

    Examples
    --------
    >>> spec = PlotSpec((PlotType("kios", 150, 300, 8), PlotType("bengkel", 600, 1500, 20)))
    >>> spec.road_width_m, spec.max_road_pct, spec.green_pct, spec.shares()
    (12.0, 25.0, 0.0, (0.5, 0.5))
    """

    types: tuple[PlotType, ...]
    road_width_m: float = 12.0
    max_road_pct: float = 25.0
    green_pct: float = 0.0

    def type(self, name: str) -> PlotType | None:
        """The plot type called ``name``, or None."""
        return next((t for t in self.types if t.name == name), None)

    def shares(self) -> tuple[float, ...]:
        """Each type's target share of the plotted land, 0..1 (they add up to 1)."""
        given = [t.share_pct for t in self.types if not math.isnan(t.share_pct)]
        rest = max(0.0, 100 - sum(given))
        n_free = len(self.types) - len(given)
        out = [rest / n_free if math.isnan(t.share_pct) else t.share_pct for t in self.types]
        total = sum(out) or 1.0
        return tuple(x / total for x in out)


@dataclass(frozen=True)
class Rule:
    """One entry of ``[[rules]]``, ``[[layout]]``, ``[[prefer]]`` or ``[[between]]``.

    ``zone`` is the name of the ``[[zones]]`` entry whose ``[[zones.rules]]`` or
    ``[[zones.prefer]]`` the rule comes from; None for a top-level rule.

    ``optional`` rules are skipped on an estate where one of their selectors matches
    no feature (see :meth:`Rules.check_against`).
    """

    id: str
    kind: str
    index: int
    scope: Literal["zone", "layout", "prefer", "between"]
    params: Mapping[str, Any] = field(default_factory=dict)
    optional: bool = False
    name_en: str | None = None
    zone: str | None = None

    @property
    def key(self) -> tuple[str, str | None, int]:
        """``(scope, zone, index)``: where the rule sits in its file, unique per file.

        ``zone`` is the name of the ``[[zones]]`` entry a zone's own rule belongs to
        (None for top-level rules), so a zone's ``rules #1`` and the top-level
        ``rules #1`` differ.
        """
        return (self.scope, self.zone, self.index)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def is_called(self, name: str) -> bool:
        """True when ``name`` is the rule's id or its English name (``name_en``)."""
        return name in (self.id, self.name_en)

    def selectors(self) -> dict[str, Selector]:
        """The rule's selector parameters, key → :class:`Selector` (``to``, ``from``)."""
        return {k: v for k, v in self.params.items() if isinstance(v, Selector)}

    def get(self, key: str, default: Any = None) -> Any:
        """A parameter, or ``default``."""
        return self.params.get(key, default)

    def describe(self) -> str:
        """The parameters as short text, e.g. ``from=water kind=river, min_m=50``."""
        parts = []
        for k, v in self.params.items():
            if isinstance(v, Selector):
                txt = v.describe()
            elif isinstance(v, tuple):
                txt = "|".join(map(str, v))
            else:
                txt = f"{v:g}" if isinstance(v, float) else str(v)
            parts.append(f"{k}={txt}")
        return ", ".join(parts)


_SCOPE_WORD = {
    "zone": "rule",
    "layout": "layout rule",
    "prefer": "prefer rule",
    "between": "between rule",
}
#: Where a rule sits in its file, for messages: ``rule setback#4``, ``layout rule …``.
_SCOPE_WHERE = {
    "zone": "rule {id}",
    "layout": "layout rule {id}",
    "prefer": "prefer rule {id}",
    "between": "between rule {id}",
}


def _where(scope: str, rid: str, zone: str | None = None) -> Message:
    """``rule setback#4`` (``zone 'UMKM pangan' rule setback#1`` for a zone's own rule)
    as a catalogue message."""
    where = Message(_SCOPE_WHERE[scope], {"id": rid})
    return (
        where if zone is None else Message("zone {zone!r} {where}", {"zone": zone, "where": where})
    )


@dataclass(frozen=True)
class Rules:
    """A whole rules file.

    Examples
    --------
    >>> r = Rules(ZoneSpec(), (Rule("contiguous#1", "contiguous", 1, "zone"),), source="r.toml")
    >>> r
    <Rules r.toml: zone 'Zona UMKM' 20 ± 0.5 ha on available; 1 zone rule, 0 layout, 0 prefer>
    >>> r.label(r.rules[0], "min")
    "r.toml rule contiguous#1, key 'min'"
    """

    zone: ZoneSpec | None
    rules: tuple[Rule, ...] = ()
    layout: tuple[Rule, ...] = ()
    prefer: tuple[Rule, ...] = ()
    source: str = ""
    plots: PlotSpec | None = None
    zone_specs: tuple[ZoneSpec, ...] = ()
    zone_rules: tuple[Rule, ...] = ()
    between: tuple[Rule, ...] = ()

    @property
    def zones(self) -> tuple[ZoneSpec, ...]:
        """Every zone to place: the ``[[zones]]`` entries in file order, or ``(zone,)``
        for a file with one ``[zone]`` table, or ``()`` for a file with neither.

        Examples
        --------
        >>> r = parse_rules({"zones": [{"name": "A", "area_ha": 5}, {"name": "B", "area_ha": 3}]})
        >>> [z.name for z in r.zones], r.zone, r.multi_zone
        (['A', 'B'], None, True)
        >>> [z.name for z in parse_rules({"zone": {"area_ha": 5}}).zones]
        ['Zona UMKM']
        """
        if self.zone_specs:
            return self.zone_specs
        return () if self.zone is None else (self.zone,)

    @property
    def multi_zone(self) -> bool:
        """True for a file with ``[[zones]]`` (even a single entry): use :meth:`for_zone`."""
        return bool(self.zone_specs)

    def for_zone(self, name: str) -> Rules:
        """The ordinary single-zone rules of zone ``name``.

        ``zone`` is that zone's :class:`ZoneSpec`; ``rules`` the top-level ``[[rules]]``
        then the zone's own ``[[zones.rules]]``; ``prefer`` the top-level ``[[prefer]]``
        then the zone's ``[[zones.prefer]]``; ``layout``, ``plots`` and ``source`` as in
        the file; no ``between`` rules. Everything single-zone (:func:`kitland.check`,
        placement, measurements) works on it unchanged. For a ``[zone]`` file, the zone's
        own name gives the rules themselves.

        Raises
        ------
        RulesError
            If the file has no zone called ``name`` (the closest name suggested).

        Examples
        --------
        >>> r = parse_rules({"rules": [{"kind": "contiguous"}],
        ...                  "zones": [{"name": "pangan", "area_ha": 5,
        ...                             "rules": [{"kind": "compactness", "min": 0.4}]},
        ...                            {"name": "bengkel", "area_ha": 3}]}, source="r.toml")
        >>> a = r.for_zone("pangan")
        >>> a.zone.name, [x.id for x in a.rules], a.multi_zone
        ('pangan', ['contiguous#1', 'compactness#1'], False)
        >>> [x.id for x in r.for_zone("bengkel").rules]
        ['contiguous#1']
        >>> r.for_zone("pangn")
        Traceback (most recent call last):
        ...
        kitland._errors.RulesError: r.toml: no zone 'pangn'; did you mean 'pangan'? (zones: pangan, bengkel)
        """
        spec = next((z for z in self.zones if z.name == name), None)
        if spec is None:
            names = [z.name for z in self.zones]
            msg = Message(
                "{source}: no zone {name!r}{near} (zones: {zones})",
                {"source": self.source or "rules", "name": name,
                 "near": _suggest(name, names), "zones": _listed(names)},
            )  # fmt: skip
            raise RulesError(msg)
        if not self.zone_specs:
            return self
        own = [r for r in self.zone_rules if r.zone == name]
        return dataclasses.replace(
            self,
            zone=spec,
            rules=(*self.rules, *(r for r in own if r.scope == "zone")),
            prefer=(*self.prefer, *(r for r in own if r.scope == "prefer")),
            zone_specs=(),
            zone_rules=(),
            between=(),
        )

    def label(self, rule: Rule, key: str | None = None) -> str:
        """Where ``rule`` (and ``key``) sit, for messages: ``rules.toml rule setback#4, key 'from'``
        (``rules.toml zone 'UMKM pangan' rule setback#1`` for a zone's own rule)."""
        return self.where(rule, key).render("en")

    def where(self, rule: Rule, key: str | None = None) -> Message:
        """:meth:`label` as a catalogue message, to be written in any language."""
        values = {"source": self.source or "rules", "where": _where(rule.scope, rule.id, rule.zone)}
        if key:
            return Message("{source} {where}, key {key!r}", {**values, "key": key})
        return Message("{source} {where}", values)

    def __iter__(self) -> Any:
        """Every rule: ``rules``, ``layout``, ``prefer``, then the zones' own rules and
        the ``between`` rules (the last two are empty for a ``[zone]`` file)."""
        return iter((*self.rules, *self.layout, *self.prefer, *self.zone_rules, *self.between))

    def check_against(self, estate: Estate) -> tuple[tuple[Rule, str], ...]:
        """Check every selector against ``estate`` at once; return the rules to skip there.

        Parameters
        ----------
        estate
            The estate the rules are about to meet (placement, check, map).

        Returns
        -------
        tuple
            ``(rule, why)`` for each ``optional`` rule a selector of which matches no
            feature of ``estate`` (or names a column its layer lacks), in file order.

        Raises
        ------
        RulesError
            Listing every rule that is not optional and has such a selector, each
            naming the rules file, the rule, the key and what the layer holds.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely import box
        >>> from kitland.estate import Estate
        >>> b = gpd.GeoDataFrame({"name": ["x"]}, geometry=[box(0, 0, 100, 100)], crs=32749)
        >>> p = b.assign(parcel_id="a", land_use="available")
        >>> est = Estate.from_layers({"boundary": b, "parcels": p})
        >>> coast = {"kind": "setback", "from": {"layer": "water", "kind": ["coast"]}, "min_m": 100}
        >>> rules = parse_rules({"rules": [coast | {"optional": True}]}, source="r.toml")
        >>> [(r.id, why) for r, why in rules.check_against(est)]
        [('setback#1', "selector 'water kind=coast' matches no feature on this estate: the estate has no 'water' features")]
        >>> parse_rules({"rules": [coast]}, source="r.toml").check_against(est)
        Traceback (most recent call last):
        ...
        kitland._errors.RulesError: r.toml rule setback#1, key 'from': selector 'water kind=coast' matches no feature: ...
        """
        skipped: list[tuple[Rule, str]] = []
        problems: list[object] = []
        for rule in self:
            for key, sel in rule.selectors().items():
                try:
                    sel.select(estate, rule_label=self.where(rule, key))
                except RulesError as exc:
                    if not rule.optional:
                        problems.append(exc.message)
                        continue
                    why = str(exc).removeprefix(f"{self.label(rule, key)}: ")
                    why = why.replace(
                        " matches no feature: ", " matches no feature on this estate: ", 1
                    )
                    skipped.append((rule, why))
                    break
        if problems:
            where = estate.source or estate.name
            hint = Message(
                "add `optional = true` to a rule to skip it where its selector matches nothing"
            )
            if len(problems) == 1:
                one = Message("{problem}; {hint}", {"problem": problems[0], "hint": hint})
                raise RulesError(one, tuple(problems))
            head = Message(
                "{source}: {n} rules select nothing on {where} ({hint})",
                {
                    "source": self.source or "rules",
                    "n": len(problems),
                    "where": where,
                    "hint": hint,
                },
            )
            raise RulesError(Lines((head, *problems)), tuple(problems))
        return tuple(skipped)

    def without(self, rules: Any) -> Rules:
        """A copy without the given rules (e.g. those :meth:`check_against` skips)."""
        gone = {r.key for r in rules}
        keep = lambda group: tuple(r for r in group if r.key not in gone)  # noqa: E731
        return dataclasses.replace(
            self,
            rules=keep(self.rules),
            layout=keep(self.layout),
            prefer=keep(self.prefer),
            zone_rules=keep(self.zone_rules),
            between=keep(self.between),
        )

    def applicable(self, estate: Estate) -> Rules:
        """The rules that apply on ``estate``: :meth:`check_against`, skipped rules left out."""
        skipped = self.check_against(estate)
        return self.without(r for r, _ in skipped) if skipped else self

    def replace(self, rule_id: str, **params: Any) -> Rules:
        """A copy with one rule's parameters changed, checked as in a rules file.

        For "what if" questions: a wider river setback, a shorter gate distance, …
        ``rule_id`` is ``area`` (or ``zone``, as in ``sweep --vary zone.min_ha=…``) to
        change the zone's ``area_ha``/``tolerance_ha``/
        ``min_ha``/``max_ha``/``on``: a new ``area_ha`` moves the band with it; a new
        ``min_ha`` without ``area_ha`` reads as "at least ``min_ha``" as a file does
        (the target becomes ``min_ha``, and ``max_ha`` stays, or lies the band's width
        above a ``min_ha`` past it); a new ``max_ha`` alone keeps the target inside the
        band. ``optional=True`` marks a rule optional. In a file with ``[[zones]]``,
        ``"ZONE/area"`` changes that zone's area and ``"ZONE/RULE"`` that zone's own rule
        (a zone's rule whose name no other zone uses may also be given bare); a
        ``[[between]]`` rule is reached by its name or id like any other rule.

        Raises
        ------
        RulesError
            If no rule has that id (or a bare id is in several zones), or a parameter
            is unknown or of the wrong type.

        Examples
        --------
        >>> rules = load_rules()
        >>> river = next(r for r in rules.rules if r.kind == "setback")
        >>> wider = rules.replace(river.id, min_m=150)
        >>> wider[river.id]["min_m"], rules[river.id]["min_m"] < 150
        (150.0, True)
        >>> z = rules.replace("area", min_ha=12).zone   # the bundled zone: 20 .. 21 ha
        >>> z.min_ha, z.area_ha, z.max_ha
        (12.0, 12.0, 21.0)
        >>> z = rules.replace("area", min_ha=25).zone
        >>> z.min_ha, z.area_ha, z.max_ha
        (25.0, 25.0, 26.0)
        """
        parser = _Parser(self.source or "rules")
        zone_name, rid = self._split_id(rule_id)
        if rid in ("area", "zone"):
            return self._replace_area(parser, zone_name, params)
        if zone_name is None:
            found = [r for r in (*self.rules, *self.layout, *self.prefer, *self.between)
                     if r.is_called(rid)][:1]  # fmt: skip
            found = found or [r for r in self.zone_rules if r.is_called(rid)]
        else:
            found = [r for r in self.zone_rules if r.zone == zone_name and r.is_called(rid)]
        if len(found) > 1:
            which = ", ".join(repr(f"{r.zone}/{r.id}") for r in found)
            msg = Message(
                "{source}: rule {rule!r} is in several zones; say which: {which}",
                {"source": self.source or "rules", "rule": rid, "which": which},
            )
            raise RulesError(msg)
        if not found:
            ids = [r.id if r.zone is None else f"{r.zone}/{r.id}" for r in self]
            msg = Message(
                "{source}: no rule {rule!r}{near} (rules: {rules})",
                {"source": self.source or "rules", "rule": rule_id,
                 "near": _suggest(rule_id, ids), "rules": _listed(ids)},
            )  # fmt: skip
            raise RulesError(msg)
        new = self._new_rule(parser, found[0], params)
        swap = lambda group: tuple(new if r.key == new.key else r for r in group)  # noqa: E731
        return dataclasses.replace(
            self,
            rules=swap(self.rules),
            layout=swap(self.layout),
            prefer=swap(self.prefer),
            zone_rules=swap(self.zone_rules),
            between=swap(self.between),
        )

    def _split_id(self, rule_id: str) -> tuple[str | None, str]:
        """``"UMKM pangan/min width"`` → ``("UMKM pangan", "min width")``; ids without a
        zone's name and a slash in front → ``(None, rule_id)``."""
        for z in self.zone_specs:
            if rule_id.startswith(f"{z.name}/"):
                return z.name, rule_id.removeprefix(f"{z.name}/")
        return None, rule_id

    def _new_rule(self, parser: _Parser, r: Rule, params: dict[str, Any]) -> Rule:
        """``r`` with ``params`` changed, each checked as in a rules file."""
        keys = RULE_KINDS[r.scope][r.kind]
        where = _where(r.scope, r.id, r.zone)
        optional = r.optional
        if "optional" in params:
            optional = parser.value(where, "optional", _OPTIONAL, params.pop("optional"))
        for k, v in params.items():
            if k not in keys:
                raise parser.fail(where, k, _unknown_key(k, list(keys)))
            if keys[k].type == "selector" and isinstance(v, Selector):
                continue
            params[k] = parser.value(where, k, keys[k], v)
        new = dataclasses.replace(r, params={**r.params, **params}, optional=optional)
        if new.scope == "between":
            _check_between(parser, new, [z.name for z in self.zone_specs], self.zone_specs)
            parser.done()
        return new

    def _replace_area(
        self, parser: _Parser, zone_name: str | None, params: dict[str, Any]
    ) -> Rules:
        """A copy with the area, ``on`` or land use of one zone changed."""
        src = self.source or "rules"
        if zone_name is None and len(self.zone_specs) > 1:
            which = ", ".join(repr(f"{z.name}/area") for z in self.zone_specs)
            msg = Message(
                "{source}: the file has several zones; say which zone's area: {which}",
                {"source": src, "which": which},
            )
            raise RulesError(msg)
        z = self.zones[0] if zone_name is None and self.zones else None
        z = next((s for s in self.zones if s.name == zone_name), z)
        if z is None:
            raise RulesError(
                Message("{source}: there is no [zone] table to change", {"source": src})
            )
        where: object = Message("zone {zone!r}", {"zone": z.name}) if self.zone_specs else "[zone]"
        if self.zone_specs and "name" in params and params["name"] != z.name:
            what = Message("a zone of [[zones]] cannot be renamed by replace")
            raise parser.fail(where, "name", what)
        cur = {"name": z.name, "land_use": z.land_use, "on": list(z.on)}
        vals = parser.table(where, {**cur, **params}, _ZONE_KEYS)
        parser.done()
        assert vals is not None
        if "area_ha" in vals and "tolerance_ha" not in vals:
            # A new target keeps the band's offsets around it (20 in [20, 21] → 30 in [30, 31]).
            vals.setdefault("min_ha", vals["area_ha"] - (z.area_ha - z.min_ha))
            vals.setdefault("max_ha", vals["area_ha"] + (z.max_ha - z.area_ha))
        elif "tolerance_ha" not in vals and "min_ha" in params:
            # "At least min_ha": the target is the floor, as in a file with a band only.
            lo = vals["area_ha"] = vals["min_ha"]
            vals.setdefault("max_ha", z.max_ha if lo <= z.max_ha else lo + (z.max_ha - z.min_ha))
        elif "tolerance_ha" not in vals:
            vals.setdefault("min_ha", z.min_ha)
            vals.setdefault("max_ha", z.max_ha)
            vals["area_ha"] = min(max(z.area_ha, vals["min_ha"]), vals["max_ha"])
        else:
            vals.setdefault("area_ha", z.area_ha)
        zone = _zone_spec(parser, vals, where=where)
        if not self.zone_specs:
            return dataclasses.replace(self, zone=zone)
        specs = tuple(zone if s.name == z.name else s for s in self.zone_specs)
        for b in self.between:
            _check_between(parser, b, [s.name for s in specs], specs)
        parser.done()
        return dataclasses.replace(self, zone_specs=specs)

    def __getitem__(self, rule_id: str) -> Rule:
        for r in self:
            if r.is_called(rule_id):
                return r
        raise KeyError(rule_id)

    def __repr__(self) -> str:
        z = "no zone"
        if self.zone is not None:
            zs = self.zone
            z = f"zone {zs.name!r} {zs.describe()} on {'|'.join(zs.on)}"
        if self.zone_specs:
            z = f"{len(self.zone_specs)} zones ({', '.join(repr(s.name) for s in self.zone_specs)})"
        n = len(self.rules)
        more = ""
        if self.zone_specs:
            more = f", {len(self.zone_rules)} zones' own, {len(self.between)} between"
        return (
            f"<Rules {self.source or '(in memory)'}: {z}; {n} zone rule{'s' * (n != 1)}, "
            f"{len(self.layout)} layout, {len(self.prefer)} prefer{more}>"
        )

    def _repr_html_(self) -> str:
        rows = []
        for zs in self.zones:
            pre = f"{zs.name}/" if self.zone_specs else ""
            band = f"{zs.min_ha:g} .. {zs.max_ha:g} ha, target {zs.area_ha:g} ha"
            rows.append(("zone", f"{pre}area", "area", band))
            rows.append(("zone", f"{pre}on", "on", f"on={'|'.join(zs.on)}"))
        rows += [(r.scope, r.id if r.zone is None else f"{r.zone}/{r.id}", r.kind, r.describe())
                 for r in self]  # fmt: skip
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        title = html.escape(self.source or "rules")
        return (
            f"<div><b>Rules</b> <small>{title}</small><table>"
            f"<tr><th>scope</th><th>id</th><th>kind</th><th>parameters</th></tr>{body}</table></div>"
        )


# -- the schema ------------------------------------------------------------------------

_Type = Literal["number", "distance", "fraction", "pct", "words", "selector", "text", "bool"]


@dataclass(frozen=True)
class _Key:
    type: _Type
    required: bool = True
    vocab: str | None = None  # name of a vocabulary: "land_use" or "road_class"
    default: Any = None


_D = _Key("distance")
#: Keys of each rule kind, per array of the file.
RULE_KINDS: dict[str, dict[str, dict[str, _Key]]] = {
    "zone": {
        "adjacent": {
            "to": _Key("selector"),
            "min_shared_m": _D,
            "max_gap_m": _Key("distance", required=False),
            "across": _Key("words", required=False, vocab="road_class"),
        },
        "frontage": {"road_class": _Key("words", vocab="road_class"), "min_m": _D},
        "network_distance": {"from": _Key("selector"), "max_m": _D},
        "distance": {"to": _Key("selector"), "max_m": _D},
        "setback": {"from": _Key("selector"), "min_m": _D},
        "contiguous": {},
        "compactness": {"min": _Key("fraction")},
        "min_width": {"min_m": _D},
    },
    "layout": {
        "land_share": {
            "land_use": _Key("words", vocab="land_use"),
            "min_pct": _Key("pct", required=False),
            "max_pct": _Key("pct", required=False),
        },
        "setback": {
            "land_use": _Key("words", vocab="land_use"),
            "from": _Key("selector"),
            "min_m": _D,
        },
    },
    "prefer": {
        "near": {"to": _Key("selector"), "weight": _Key("number", required=False, default=1.0)},
        "far": {"to": _Key("selector"), "weight": _Key("number", required=False, default=1.0)},
        "compact": {"weight": _Key("number", required=False, default=0.1)},
    },
    "between": {
        "separation": {"min_m": _D, "zones": _Key("words", required=False)},
        "total_area": {
            "zones": _Key("words"),
            "min_ha": _Key("number", required=False),
            "max_ha": _Key("number", required=False),
        },
    },
}
_ARRAYS = {"rules": "zone", "layout": "layout", "prefer": "prefer"}
_ZONE_KEYS = {
    "name": _Key("text", required=False),
    "land_use": _Key("text", required=False, vocab="land_use"),
    "area_ha": _Key("number", required=False),
    "tolerance_ha": _Key("distance", required=False),
    "min_ha": _Key("number", required=False),
    "max_ha": _Key("number", required=False),
    "on": _Key("words", required=False, vocab="land_use"),
}
_PLOTS_KEYS = {
    "road_width_m": _Key("distance", required=False, default=12.0),
    "max_road_pct": _Key("pct", required=False, default=25.0),
    "green_pct": _Key("pct", required=False, default=0.0),
}
_PLOT_TYPE_KEYS = {
    "name": _Key("text"),
    "min_m2": _Key("distance"),
    "max_m2": _Key("distance"),
    "min_frontage_m": _Key("distance"),
    "min_depth_m": _Key("distance", required=False),
    "max_depth_m": _Key("distance", required=False),
    "share_pct": _Key("pct", required=False),
}
_TYPE_WORDS = {
    "number": Message("a number"),
    "distance": Message("a distance in metres (a number ≥ 0)"),
    "fraction": Message("a number between 0 and 1"),
    "pct": Message("a percentage between 0 and 100"),
    "words": Message("a list of text values"),
    "selector": Message(
        "a selector table such as {example}", {"example": '{ layer = "water", kind = ["river"] }'}
    ),
    "text": Message("a text value"),
    "bool": Message("true or false"),
}
#: The ``optional`` key every rule table may carry.
_OPTIONAL = _Key("bool", required=False, default=False)


def _vocab(name: str) -> tuple[str, ...]:
    from kitland.estate import LAND_USES, ROAD_CLASSES  # noqa: PLC0415

    return {"land_use": LAND_USES, "road_class": ROAD_CLASSES}[name]


def _toml_type(v: Any) -> Message | str:
    """What a TOML value is, in words of the catalogue: ``text``, ``a number``, …"""
    words = {
        bool: Message("a boolean"), str: Message("text"), int: Message("an integer"),
        float: Message("a number"), list: Message("a list"), dict: Message("a table"),
    }  # fmt: skip
    return words.get(type(v), type(v).__name__)


def _expected(what: object, v: Any, *, show: bool = True) -> Message:
    """``expected WHAT, got TYPE VALUE`` (``got TYPE`` when not ``show``)."""
    if not show:
        return Message("expected {what}, got {type}", {"what": what, "type": _toml_type(v)})
    return Message(
        "expected {what}, got {type} {value!r}", {"what": what, "type": _toml_type(v), "value": v}
    )


def _unknown_key(key: str, valid: list[str]) -> Message:
    """``unknown key 'x'; did you mean 'y'? (valid: …)``."""
    return Message(
        "unknown key {key!r}{near} (valid: {valid})",
        {"key": key, "near": _suggest(key, valid), "valid": ", ".join(valid)},
    )


def _above(low: str, lo: float, high: str, hi: float) -> Message:
    """``min_ha = 5 is above max_ha = 3``."""
    return Message(
        "{low} = {lo:g} is above {high} = {hi:g}", {"low": low, "lo": lo, "high": high, "hi": hi}
    )


class _Parser:
    """Checks a rules file's form; :meth:`table` and :func:`parse_rules` collect every
    problem in :attr:`problems` and go on, :meth:`done` raises them all at once."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[object] = []  # catalogue messages (or texts), one per problem

    def fail(self, where: object, key: str | None, what: object) -> RulesError:
        """The error ``FILE WHERE, key 'KEY': WHAT`` (``where`` and ``what`` are catalogue
        messages or plain texts)."""
        values = {"source": self.label, "where": where, "key": key, "what": what}
        if key:
            return RulesError(Message("{source} {where}, key {key!r}: {what}", values))
        return RulesError(Message("{source} {where}: {what}", values))

    def add(self, where: object, key: str | None, what: object) -> None:
        """Collect the problem :meth:`fail` would raise."""
        self.problems.append(self.fail(where, key, what).message)

    def done(self) -> None:
        """Raise one :class:`RulesError` listing every problem collected, if any."""
        if not self.problems:
            return
        unique: dict[str, object] = {}
        for problem in self.problems:
            unique.setdefault(str(problem), problem)
        probs = tuple(unique.values())
        if len(probs) == 1:
            raise RulesError(probs[0], probs)
        head = Message("{source}: {n} problems", {"source": self.label, "n": len(probs)})
        raise RulesError(Lines((head, *probs)), probs)

    def value(self, where: object, key: str, spec: _Key, v: Any) -> Any:
        wrong = _expected(_TYPE_WORDS[spec.type], v)
        if spec.type == "bool":
            if not isinstance(v, bool):
                raise self.fail(where, key, wrong)
            return v
        if spec.type in ("number", "distance", "fraction", "pct"):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise self.fail(where, key, wrong)
            x = float(v)
            if not math.isfinite(x):
                raise self.fail(where, key, Message("{value} is not a finite number", {"value": x}))
            if spec.type == "distance" and x < 0:
                what = Message("{value} is negative; distances are metres ≥ 0", {"value": v})
                raise self.fail(where, key, what)
            if spec.type == "fraction" and not 0 <= x <= 1:
                raise self.fail(where, key, Message("{value} is outside 0..1", {"value": v}))
            if spec.type == "pct" and not 0 <= x <= 100:
                raise self.fail(where, key, Message("{value} is outside 0..100%", {"value": v}))
            return x
        if spec.type == "text":
            if not isinstance(v, str):
                raise self.fail(where, key, wrong)
            if spec.vocab:
                (v,) = self.check_words(where, key, (v,), _vocab(spec.vocab))
            return v
        if spec.type == "words":
            words = self.words(where, key, v, wrong)
            if spec.vocab:
                words = self.check_words(where, key, words, _vocab(spec.vocab))
            return words
        return self.selector(where, key, v)

    def words(self, where: object, key: str, v: Any, wrong: object) -> tuple[str, ...]:
        items = [v] if isinstance(v, str) else v
        if not isinstance(items, list) or not all(
            isinstance(x, str | int) and not isinstance(x, bool) for x in items
        ):
            raise self.fail(where, key, wrong)
        if not items:
            raise self.fail(where, key, Message("the list is empty; give at least one value"))
        return tuple(str(x) for x in items)

    def check_words(
        self, where: object, key: str, words: tuple[str, ...], vocab: tuple[str, ...]
    ) -> tuple[str, ...]:
        """``words`` as the vocabulary spells them (:func:`kitland.estate.coded`, as the
        data are read); an unknown one fails, naming the valid values."""
        from kitland.estate import coded  # noqa: PLC0415

        for w in words:
            if coded(w) not in vocab:
                what = Message(
                    "unknown value {value!r}{near} (valid: {valid})",
                    {"value": w, "near": _suggest(coded(w), vocab), "valid": ", ".join(vocab)},
                )
                raise self.fail(where, key, what)
        return tuple(coded(w) for w in words)

    def selector(self, where: object, key: str, v: Any) -> Selector:
        from kitland.estate import LAYER_SCHEMA  # noqa: PLC0415
        from kitland.io import LAYER_NAMES  # noqa: PLC0415

        if not isinstance(v, dict):
            raise self.fail(where, key, _expected(_TYPE_WORDS["selector"], v))
        layer = v.get("layer", "parcels")
        if not isinstance(layer, str):
            what = _expected(Message("a layer name"), layer, show=False)
            raise self.fail(where, f"{key}.layer", what)
        if layer not in LAYER_NAMES:
            what = Message(
                "unknown layer {layer!r}{near} (layers: {layers})",
                {"layer": layer, "near": _suggest(layer, LAYER_NAMES),
                 "layers": ", ".join(LAYER_NAMES)},
            )  # fmt: skip
            raise self.fail(where, f"{key}.layer", what)
        where_cols: dict[str, tuple[str, ...]] = {}
        spec = LAYER_SCHEMA[layer]
        for col, vals in v.items():
            if col == "layer":
                continue
            sub = f"{key}.{col}"
            words = self.words(
                where, sub, vals, _expected(Message("a list of accepted values"), vals)
            )
            if col in spec.values:
                words = self.check_words(where, sub, words, spec.values[col])
            where_cols[col] = words
        return Selector(layer, where_cols)

    def table(
        self, where: object, t: Any, keys: Mapping[str, _Key], *, skip: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The checked values of table ``t``; None (problems collected) when any is wrong."""
        if not isinstance(t, dict):
            self.add(where, None, _expected(Message("a table"), t, show=False))
            return None
        before = len(self.problems)
        meant = set()  # keys an unknown key is suggested for: not reported missing again
        for k in t:
            if k not in keys and k not in skip:
                valid = [*keys, *skip]
                self.add(where, k, _unknown_key(k, valid))
                meant.update(difflib.get_close_matches(str(k), valid, n=1, cutoff=0.6))
        out: dict[str, Any] = {}
        for k, spec in keys.items():
            if k in t:
                try:
                    out[k] = self.value(where, k, spec, t[k])
                except RulesError as exc:
                    self.problems.append(exc.message)
            elif spec.required and k not in meant:
                what = Message(
                    "missing required key {key!r} ({what})",
                    {"key": k, "what": _TYPE_WORDS[spec.type]},
                )
                self.add(where, k, what)
            elif spec.default is not None:
                out[k] = spec.default
        return out if len(self.problems) == before else None


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read a rules file (SPEC §2); with no path, the bundled UMKM rules.

    Parameters
    ----------
    path
        A TOML rules file.

    Returns
    -------
    Rules
        The zone spec and the typed rules; :attr:`Rules.source` is the file as given.

    Raises
    ------
    RulesError
        If the file is missing or not TOML (with its line), or has an unknown rule kind
        or key, a value of the wrong type, a missing required value, a negative
        distance, a tolerance larger than the area, … Every problem is reported at
        once (``exc.problems``; the message is a summary line and one line per
        problem). Each names the file, the rule (``name`` or ``kind#index``) and the
        key, and suggests the nearest valid word.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = f.write_text('[[rules]]\\nkind = "setback"\\nfrom = { layer = "water", kind = ["river"] }\\nmin_m = 50\\n')
    >>> rules = load_rules(f)
    >>> r = rules.rules[0]
    >>> r.id, r.kind, r["min_m"], r["from"]
    ('setback#1', 'setback', 50.0, Selector(layer='water', where={'kind': ('river',)}))
    >>> _ = f.write_text('[[rules]]\\nkind = "contigous"\\n')
    >>> load_rules(f)
    Traceback (most recent call last):
    ...
    kitland._errors.RulesError: unknown rule kind 'contigous' in ... rule #1; did you mean 'contiguous'?
    """
    if path is None:
        from kitland.estate import bundled_path  # noqa: PLC0415

        try:
            p = bundled_path("umkm_rules.toml")
        except Exception as exc:
            raise RulesError(exc.message if isinstance(exc, KitlandError) else str(exc)) from exc
        label = p.name
    else:
        p = Path(path)
        label = str(path)
    try:  # utf-8-sig: Windows Notepad may begin a UTF-8 file with a byte-order mark
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise RulesError(Message("{path}: no such rules file", {"path": label})) from exc
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        msg = Message("{path}: line {line} is not UTF-8 text; save the rules file as UTF-8 "
                      "(Notepad: Save As, Encoding UTF-8)", {"path": label, "line": line})  # fmt: skip
        raise RulesError(msg) from exc
    except OSError as exc:
        msg = Message(
            "{path}: cannot read the rules file ({reason})", {"path": label, "reason": str(exc)}
        )
        raise RulesError(msg) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        toml = _toml_hint(text, label) or Message(
            "{path}: not valid TOML: {reason}", {"path": label, "reason": str(exc)}
        )
        raise RulesError(toml) from exc
    return parse_rules(data, source=label)


_DECIMAL_COMMA = re.compile(r"^\s*([\w\"'.-]+)\s*=\s*(-?\d+),(\d+)\s*(?:#.*)?$")
_WITH_UNIT = re.compile(r"^\s*([\w\"'.-]+)\s*=\s*(-?\d+(?:\.\d+)?)\s*(m|km|ha|m2|m²|%)\s*(?:#.*)?$")


def _toml_hint(text: str, label: str) -> Message | None:
    """What a planner's invalid TOML line most likely means: a decimal comma (``50,5``,
    as Bahasa Indonesia writes decimals) or a number with its unit (``50 m``)."""
    for n, line in enumerate(text.splitlines(), start=1):
        if m := _DECIMAL_COMMA.match(line):
            return Message("{path}: not valid TOML: line {line}, {key} = {value}: TOML writes "
                           "decimals with a point ({key} = {fixed})",
                           {"path": label, "line": n, "key": m[1], "value": f"{m[2]},{m[3]}",
                            "fixed": f"{m[2]}.{m[3]}"})  # fmt: skip
        if m := _WITH_UNIT.match(line):
            return Message("{path}: not valid TOML: line {line}, {key} = {value} {unit}: write "
                           "the number alone ({key} = {value}); the key says the unit",
                           {"path": label, "line": n, "key": m[1], "value": m[2],
                            "unit": m[3]})  # fmt: skip
    return None


def _zone_spec(ps: _Parser, z: dict[str, Any], *, where: object = "[zone]") -> ZoneSpec:
    """The checked :class:`ZoneSpec` of a parsed ``[zone]`` (or one ``[[zones]]``) table."""
    if "on" in z:
        z["on"] = tuple(z["on"])
    if "tolerance_ha" in z and "min_ha" in z and "max_ha" in z:
        what = Message("give the area as area_ha ± tolerance_ha or as min_ha/max_ha, not both")
        raise ps.fail(where, "tolerance_ha", what)
    zone = ZoneSpec(**z)
    if zone.area_ha <= 0:
        what = Message("{area:g} ha; the zone needs a positive area", {"area": zone.area_ha})
        raise ps.fail(where, "area_ha", what)
    if zone.min_ha < 0:
        key = "min_ha" if "min_ha" in z else "tolerance_ha"
        what = Message(
            "the smallest area would be {area:g} ha; it must be ≥ 0", {"area": zone.min_ha}
        )
        if key == "tolerance_ha":
            what = Message(
                "{tolerance:g} ha is larger than area_ha = {area:g} ha",
                {"tolerance": zone.tolerance_ha, "area": zone.area_ha},
            )
        raise ps.fail(where, key, what)
    if zone.min_ha > zone.max_ha:
        raise ps.fail(where, "min_ha", _above("min_ha", zone.min_ha, "max_ha", zone.max_ha))
    if not zone.min_ha <= zone.area_ha <= zone.max_ha:
        key = "max_ha" if zone.area_ha > zone.max_ha else "min_ha"
        what = Message(
            "the band {lo:g} .. {hi:g} ha does not hold the target area_ha = {area:g} ha",
            {"lo": zone.min_ha, "hi": zone.max_ha, "area": zone.area_ha},
        )
        raise ps.fail(where, key, what)
    return zone


def _rule(
    ps: _Parser, scope: str, i: int, t: Any, seen: dict[str, object], *, zone: str | None = None
) -> Rule | None:
    """Entry ``i`` of an array as a :class:`Rule`; None when its keys have problems
    (collected in ``ps``); raises :class:`RulesError` when it cannot be read at all.
    ``zone`` names the ``[[zones]]`` entry the array belongs to."""
    kinds = RULE_KINDS[scope]
    entry = _where(scope, f"#{i}", zone)
    given = t.get("name") if isinstance(t, dict) else None
    if isinstance(given, str) and given.strip():  # a problem of a named rule names it so
        entry = _where(scope, given, zone)
    if not isinstance(t, dict):
        raise ps.fail(entry, None, _expected(Message("a table"), t, show=False))
    kind = t.get("kind")
    if kind is None:
        what = Message(
            "missing required key {key!r} (one of {valid})",
            {"key": "kind", "valid": ", ".join(kinds)},
        )
        raise ps.fail(entry, "kind", what)
    if not isinstance(kind, str):
        raise ps.fail(entry, "kind", _expected(Message("text"), kind))
    if kind not in kinds:
        values = {"scope": Message(_SCOPE_WORD[scope]), "kind": kind, "source": ps.label,
                  "where": entry, "near": _suggest(kind, kinds), "valid": ", ".join(kinds)}  # fmt: skip
        if values["near"]:
            raise RulesError(
                Message("unknown {scope} kind {kind!r} in {source} {where}{near}", values)
            )
        raise RulesError(
            Message("unknown {scope} kind {kind!r} in {source} {where} (valid: {valid})", values)
        )
    name = t.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        what = Message("expected non-empty text, got {value!r}", {"value": name})
        raise ps.fail(_where(scope, f"{kind}#{i}", zone), "name", what)
    rid = name or f"{kind}#{i}"
    if name is None and scope == "layout" and rid in seen:
        rid = f"layout.{rid}"
    if name is None and scope == "zone" and zone is not None and rid in seen:
        rid = f"zone.{rid}"
    where = _where(scope, rid, zone)
    if rid in seen and scope != "prefer":
        what = Message(
            "the id {id!r} is already used by {other}; names must be unique",
            {"id": rid, "other": seen[rid]},
        )
        raise ps.fail(where, "name", what)
    if scope != "prefer":
        seen[rid] = _where(scope, f"#{i}", zone)
    optional = False
    if "optional" in t:
        try:
            optional = ps.value(where, "optional", _OPTIONAL, t["optional"])
        except RulesError as exc:
            ps.problems.append(exc.message)
    name_en = t.get("name_en")
    if name_en is not None and (not isinstance(name_en, str) or not name_en.strip()):
        ps.add(
            where, "name_en", Message("expected non-empty text, got {value!r}", {"value": name_en})
        )
        name_en = None
    params = ps.table(where, t, kinds[kind], skip=("kind", "name", "name_en", "optional"))
    if params is None:
        return None
    if kind == "land_share":
        lo, hi = params.get("min_pct"), params.get("max_pct")
        if lo is None and hi is None:
            what = Message("give {low} and/or {high}", {"low": "min_pct", "high": "max_pct"})
            raise ps.fail(where, "max_pct", what)
        if lo is not None and hi is not None and lo > hi:
            raise ps.fail(where, "min_pct", _above("min_pct", lo, "max_pct", hi))
    if kind in ("near", "far", "compact") and params["weight"] < 0:
        what = Message("{weight:g} is negative; weights are ≥ 0", {"weight": params["weight"]})
        raise ps.fail(where, "weight", what)
    return Rule(rid, kind, i, scope, params, optional, name_en, zone)  # type: ignore[arg-type]


def parse_rules(data: Mapping[str, Any], *, source: str = "rules") -> Rules:
    """Build :class:`Rules` from an already-parsed TOML mapping (see :func:`load_rules`).

    Raises
    ------
    RulesError
        As :func:`load_rules`: every problem of the file at once.

    Examples
    --------
    >>> parse_rules({"zone": {"area_ha": 5}}).zone.max_ha
    5.5
    >>> parse_rules({"rules": [{"kind": "compactness", "min": 2},
    ...                        {"kind": "setback", "name": "river", "min_m": -5, "optional": "yes"}]},
    ...             source="r.toml")
    Traceback (most recent call last):
    ...
    kitland._errors.RulesError: r.toml: 4 problems
      r.toml rule compactness#1, key 'min': 2 is outside 0..1
      r.toml rule river, key 'optional': expected true or false, got text 'yes'
      r.toml rule river, key 'from': missing required key 'from' (a selector table such as { layer = "water", kind = ["river"] })
      r.toml rule river, key 'min_m': -5 is negative; distances are metres ≥ 0
    """
    ps = _Parser(source)
    if "zone" in data and "zones" in data:
        msg = Message(
            "{source}: give one [zone] table or several [[zones]] tables, not both "
            "(a [zone] is one zone; move it into [[zones]] with a name)",
            {"source": source},
        )
        raise RulesError(msg)
    for k in data:
        if k not in ("zone", "zones", "between", "plots", *_ARRAYS):
            valid = ["zone", "zones", "between", "plots", *_ARRAYS]
            tables = "[zone], [[zones]], [[rules]], [[layout]], [[prefer]], [[between]], [plots]"
            ps.problems.append(Message(
                "{source}: unknown top-level key {key!r}{near} (valid: {valid})",
                {"source": source, "key": k, "near": _suggest(k, valid), "valid": tables},
            ))  # fmt: skip
    zone = None
    if "zone" in data:
        z = ps.table("[zone]", data["zone"], _ZONE_KEYS)
        if z is not None:
            try:
                zone = _zone_spec(ps, z)
            except RulesError as exc:
                ps.problems.append(exc.message)
    arrays: dict[str, list[Rule]] = {"zone": [], "layout": [], "prefer": []}
    seen: dict[str, object] = {
        "area": Message("the zone's area rule"),
        "on": Message("the zone's on rule"),
    }
    for key, scope in _ARRAYS.items():
        entries = data.get(key, [])
        if not isinstance(entries, list):
            ps.problems.append(_not_array(source, key, entries))
            continue
        for i, t in enumerate(entries, start=1):
            try:
                rule = _rule(ps, scope, i, t, seen)
            except RulesError as exc:
                ps.problems.append(exc.message)
                continue
            if rule is not None:
                arrays[scope].append(rule)
    between = _array(ps, "between", "between", data.get("between", []), seen)
    specs, zone_rules = _zones(ps, data.get("zones", []), seen)
    names = [str(z.get("name")) for z in data.get("zones", []) if isinstance(z, dict)]
    for rule in between:
        _check_between(ps, rule, names, specs)
    plots = _plot_spec(ps, data["plots"]) if "plots" in data else None
    ps.done()
    return Rules(
        zone,
        tuple(arrays["zone"]),
        tuple(arrays["layout"]),
        tuple(arrays["prefer"]),
        source,
        plots,
        tuple(specs),
        tuple(zone_rules),
        tuple(between),
    )


def _not_array(where: object, key: str, entries: Any) -> Message:
    """``WHERE: 'KEY' must be an array of tables ([[KEY]]), got TYPE``."""
    return Message(
        "{where}: {key!r} must be an array of tables ([[{key}]]), got {type}",
        {"where": where, "key": key, "type": _toml_type(entries)},
    )


def _array(
    ps: _Parser,
    key: str,
    scope: str,
    entries: Any,
    seen: dict[str, object],
    *,
    zone: str | None = None,
) -> list[Rule]:
    """The rules of one array of tables (``[[between]]``, a zone's ``[[zones.rules]]``, …);
    problems are collected in ``ps``."""
    if not isinstance(entries, list):
        where: object = ps.label
        if zone is not None:
            where = Message("{source} {where}", {"source": ps.label,
                                                 "where": Message("zone {zone!r}", {"zone": zone})})  # fmt: skip
        ps.problems.append(_not_array(where, key, entries))
        return []
    out = []
    for i, t in enumerate(entries, start=1):
        try:
            rule = _rule(ps, scope, i, t, seen, zone=zone)
        except RulesError as exc:
            ps.problems.append(exc.message)
            continue
        if rule is not None:
            out.append(rule)
    return out


def _zones(ps: _Parser, entries: Any, seen: dict[str, object]) -> tuple[list[ZoneSpec], list[Rule]]:
    """The ``[[zones]]`` tables: each zone's spec, and its own rules and preferences.

    A zone's rules share the ids of the top-level rules (``seen``): a zone's rule may
    not take the name of a top-level or ``between`` rule, while two zones may each
    have a rule of the same name. Problems are collected in ``ps``.
    """
    if not isinstance(entries, list):
        ps.problems.append(_not_array(ps.label, "zones", entries))
        return [], []
    keys = {**_ZONE_KEYS, "name": _Key("text")}
    specs: list[ZoneSpec] = []
    rules: list[Rule] = []
    first: dict[str, int] = {}
    for i, t in enumerate(entries, start=1):
        raw = t.get("name") if isinstance(t, dict) else None
        named = isinstance(raw, str) and bool(raw.strip())
        name = str(raw)
        where = Message("zone {zone!r}", {"zone": raw}) if named else Message("zone #{n}", {"n": i})
        z = ps.table(where, t, keys, skip=("rules", "prefer"))
        if z is not None and not named:
            ps.add(where, "name", Message("expected non-empty text"))
        elif z is not None and name in first:
            what = Message(
                "the name {name!r} is already used by zone #{n}; zone names must be unique",
                {"name": name, "n": first[name]},
            )
            ps.add(where, "name", what)
        elif z is not None:
            first[name] = i
            try:
                specs.append(_zone_spec(ps, z, where=where))
            except RulesError as exc:
                ps.problems.append(exc.message)
        if not isinstance(t, dict):
            continue
        label = name if named else f"#{i}"
        own = dict(seen)
        rules += _array(ps, "zones.rules", "zone", t.get("rules", []), own, zone=label)
        rules += _array(ps, "zones.prefer", "prefer", t.get("prefer", []), own, zone=label)
    return specs, rules


def _check_between(ps: _Parser, rule: Rule, names: list[str], specs: Any) -> None:
    """Problems of a ``[[between]]`` rule against the file's zones, collected in ``ps``:
    ``zones`` naming zones the file lacks (or one twice), fewer than two zones to keep
    apart, a ``total_area`` band empty or out of reach of the zones' own bands."""
    where = _where("between", rule.id)
    bad = lambda key, what: ps.add(where, key, what)  # noqa: E731
    if not names:
        bad(
            None,
            Message("between rules are about several zones; give the zones as [[zones]] tables"),
        )
        return
    given = rule.get("zones")
    for z in given or ():
        if z not in names:
            bad("zones", Message("no zone {zone!r}{near} (zones: {zones})",
                                 {"zone": z, "near": _suggest(z, names), "zones": ", ".join(names)}))  # fmt: skip
    if given is not None and len(set(given)) < len(given):
        bad("zones", Message("a zone is named twice"))
    if rule.kind == "separation" and len(set(given or names)) < 2:
        bad("zones", Message("a separation needs at least two zones"))
    if rule.kind != "total_area":
        return
    lo, hi = rule.get("min_ha"), rule.get("max_ha")
    if lo is None and hi is None:
        bad("max_ha", Message("give {low} and/or {high}", {"low": "min_ha", "high": "max_ha"}))
    for key, v in (("min_ha", lo), ("max_ha", hi)):
        if v is not None and v < 0:
            bad(key, Message("{value:g} is negative; areas are ha ≥ 0", {"value": v}))
    if lo is not None and hi is not None and lo > hi:
        bad("min_ha", _above("min_ha", lo, "max_ha", hi))
    band = [s for s in specs if s.name in (given or ())]
    if len(band) != len(set(given or ())):
        return
    most, least = sum(s.max_ha for s in band), sum(s.min_ha for s in band)
    if lo is not None and most < lo - 1e-9:
        bad("min_ha", Message("the zones' max_ha add up to {sum:g} ha, below min_ha = {lo:g}",
                              {"sum": most, "lo": lo}))  # fmt: skip
    if hi is not None and least > hi + 1e-9:
        bad("max_ha", Message("the zones' min_ha add up to {sum:g} ha, above max_ha = {hi:g}",
                              {"sum": least, "hi": hi}))  # fmt: skip


def _plot_type(ps: _Parser, i: int, t: Any, seen: set[str]) -> PlotType | None:
    """Entry ``i`` of ``[[plots.types]]``; None when it has problems (collected in ``ps``)."""
    name = t.get("name") if isinstance(t, dict) else None
    where = (Message("[plots] type {name!r}", {"name": name}) if isinstance(name, str)
             else Message("[plots] type #{n}", {"n": i}))  # fmt: skip
    vals = ps.table(where, t, _PLOT_TYPE_KEYS)
    if vals is None:
        return None
    bad: list[tuple[str, Message]] = []
    if vals["name"] in seen:
        what = Message(
            "the name {name!r} is used by another type; names must be unique",
            {"name": vals["name"]},
        )
        bad.append(("name", what))
    seen.add(vals["name"])
    for key in ("min_m2", "max_m2", "min_frontage_m"):
        if vals[key] <= 0:
            bad.append((key, Message("{value:g} must be above 0", {"value": vals[key]})))
    if vals["min_m2"] > vals["max_m2"]:
        bad.append(("min_m2", _above("min_m2", vals["min_m2"], "max_m2", vals["max_m2"])))
    if not bad:
        ptype = PlotType(**vals)
        if ptype.min_depth_m <= 0 or ptype.min_depth_m > ptype.max_depth_m:
            what = Message(
                "min_depth_m = {min:.1f} must be above 0 and at most max_depth_m = {max:.1f}"
                " (by default min_depth_m is √min_m2 and max_depth_m is"
                " (min_m2 + max_m2) / 2 / min_frontage_m)",
                {"min": ptype.min_depth_m, "max": ptype.max_depth_m},
            )
            bad.append(("min_depth_m", what))
        elif ptype.min_frontage_m * ptype.min_depth_m > ptype.max_m2:
            what = Message(
                "a plot {width:g} m wide and min_depth_m = {depth:g} m deep is already above"
                " max_m2 = {area:g} m²; lower min_depth_m or min_frontage_m, or raise max_m2",
                {"width": ptype.min_frontage_m, "depth": ptype.min_depth_m, "area": ptype.max_m2},
            )
            bad.append(("min_frontage_m", what))
    for key, what in bad:
        ps.add(where, key, what)
    return None if bad else ptype


def _plot_spec(ps: _Parser, t: Any) -> PlotSpec | None:
    """The checked ``[plots]`` table; None when it has problems (collected in ``ps``)."""
    vals = ps.table("[plots]", t, _PLOTS_KEYS, skip=("types",))
    if not isinstance(t, dict):
        return None
    entries = t.get("types")
    if not isinstance(entries, list) or not entries:
        what = Message(
            "give at least one plot type as [[plots.types]] (name, min_m2, max_m2, min_frontage_m)"
        )
        ps.add("[plots]", "types", what)
        return None
    seen: set[str] = set()
    types = [_plot_type(ps, i, e, seen) for i, e in enumerate(entries, start=1)]
    if vals is None or any(ty is None for ty in types):
        return None
    if vals["road_width_m"] <= 0:
        ps.add("[plots]", "road_width_m", Message("must be above 0 m"))
        return None
    shares = [t.share_pct for t in types if t is not None and not math.isnan(t.share_pct)]
    if sum(shares) > 100 + 1e-9 or (len(shares) == len(types) and abs(sum(shares) - 100) > 1e-6):
        what = Message(
            "the types' share_pct add up to {sum:g}%; they must add up to 100% (or leave some out)",
            {"sum": sum(shares)},
        )
        ps.add("[plots]", "share_pct", what)
        return None
    if vals["max_road_pct"] + vals["green_pct"] >= 100:
        what = Message(
            "green_pct = {green:g} and max_road_pct = {road:g} leave no land for plots",
            {"green": vals["green_pct"], "road": vals["max_road_pct"]},
        )
        ps.add("[plots]", "green_pct", what)
        return None
    return PlotSpec(tuple(ty for ty in types if ty is not None), **vals)
