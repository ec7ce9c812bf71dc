"""When nothing fits: the rule funnel and which single rule, relaxed, would let a zone fit.

The funnel lists, per rule, the hectares of candidate land left by that rule alone and
by all rules so far. Exclusion rules (road corridors, setbacks) act on the land itself;
the other rules act on cells of the land left after them: a cell survives a rule when a
zone of the maximum diameter ``D`` around it could satisfy the rule (``adjacent`` /
``frontage``: within ``D`` of a cell on the required boundary; ``distance`` /
``network_distance``: within ``D`` of a cell within the limit). The last step keeps the
connected pieces that are at least the minimum area. Each relaxation is a solve without
that one rule (:func:`relaxations`); :func:`street_hints` adds, on an estate with roads,
that an ``adjacent`` rule to relax may count industry across a street instead.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from kitland.estate import Estate
from kitland.i18n import Message
from kitland.placement._cells import CandidateLand
from kitland.placement._model import (
    Problem,
    ReachAny,
    SumAtLeast,
    _components,
    near_cells,
)
from kitland.placement._solve import solve
from kitland.rules import Rules

__all__ = ["advice", "funnel", "relaxations", "street_hints"]


def funnel(land: CandidateLand, problem: Problem, rule_ids: dict[str, str]) -> dict[str, Any]:
    """The rule funnel and the largest pieces left.

    Returns
    -------
    dict
        ``steps``: list of ``{"rule", "kind", "alone_ha", "cumulative_ha"}``;
        ``largest_pieces_ha``: the five largest connected pieces left (ha);
        ``min_area_ha``: what a piece needs.
    """
    base_ha = float(land.base.area) / 1e4
    steps = [{"rule": "on", "kind": "on", "alone_ha": base_ha, "cumulative_ha": base_ha}]
    cur = land.base
    for label, geom in land.removed:
        alone = float(shapely.difference(land.base, geom).area) / 1e4
        cur = shapely.difference(cur, geom)
        kind = "roads" if label == "roads" else rule_ids.get(label, "setback")
        steps.append(
            {"rule": label, "kind": kind, "alone_ha": alone, "cumulative_ha": float(cur.area) / 1e4}
        )
    p = problem
    D = p.max_diameter_m()
    a = p.area_m2
    keep = np.ones(len(p), dtype=bool)
    for name, mask in [(s.name, s.coef > 0) for s in p.sums] + [(r.name, r.mask) for r in p.reach]:
        m = near_cells(p, mask, D)
        keep &= m
        steps.append({"rule": name, "kind": rule_ids.get(name, ""), "alone_ha": float(a[m].sum()) / 1e4,
                      "cumulative_ha": float(a[keep].sum()) / 1e4})  # fmt: skip
    pieces_all = _pieces_m2(p, np.ones(len(p), dtype=bool))
    alone = float(pieces_all[pieces_all >= p.min_area_m2].sum()) / 1e4
    pieces = _pieces_m2(p, keep)
    cum = float(pieces[pieces >= p.min_area_m2].sum()) / 1e4
    steps.append(
        {"rule": "area", "kind": "area+contiguous", "alone_ha": alone, "cumulative_ha": cum}
    )
    largest = sorted((float(x) / 1e4 for x in pieces), reverse=True)[:5]
    return {"steps": steps, "largest_pieces_ha": largest, "min_area_ha": p.min_area_m2 / 1e4}


def _pieces_m2(p: Problem, keep: NDArray[np.bool_]) -> NDArray[np.float64]:
    """The area of each connected piece of the ``keep`` cells, m²."""
    lab = _components(keep, p.edges)
    return np.bincount(lab[keep], weights=p.area_m2[keep]).astype(float)


def advice(text: str, **values: Any) -> dict[str, Any]:
    """A diagnosis sentence: ``text`` (English, with ``values`` put in) and ``message``,
    the catalogue's message and its values, to write it in another language
    (:class:`kitland.i18n.Message`)."""
    return {"text": Message(text, values).render("en"), "message": {"id": text, "values": values}}


def _not_the_obstacle(name: str, value: float, unit: str) -> dict[str, Any]:
    """Text for a rule that the best zone without it meets anyway (value inside the limit):
    the obstacle is elsewhere, typically a zone the model accepts but the final check rejects."""
    return advice("{rule} is not the obstacle: without it the best zone still meets it "
                  "({value:,.0f} {unit}); see the zones rejected by the final check",
                  rule=name, value=value, unit=unit)  # fmt: skip


def relaxations(problem: Problem, *, time_limit_s: float) -> list[dict[str, Any]]:
    """For each hard rule: drop it and find the best value of its measure that still fits.

    ``adjacent``/``frontage``: the most boundary a feasible zone can get; ``distance``/
    ``network_distance``: the least distance of a feasible zone; ``compactness``: whether
    dropping it lets a zone fit. Each try gets an equal share of ``time_limit_s``.
    """

    def without(**change: Any) -> Problem:
        return replace(problem, boundary_weight=0.0, **change)

    zero = np.zeros(len(problem))
    tries: list[tuple[str, str, Problem, Any]] = [
        (s.name, "sum", without(sums=tuple(x for x in problem.sums if x is not s), cost=-s.coef), s)
        for s in problem.sums
    ]
    tries += [(r.name, "reach", without(reach=tuple(x for x in problem.reach if x is not r), cost=zero), r)
              for r in problem.reach]  # fmt: skip
    if problem.min_compactness is not None:
        tries.append(("compactness", "compactness", without(min_compactness=None, cost=zero), None))
    tries.append(("area", "area", without(min_area_m2=0.0, cost=-problem.area_m2), None))
    out: list[dict[str, Any]] = []
    largest_m2 = float(_pieces_m2(problem, np.ones(len(problem), dtype=bool)).max(initial=0.0))
    share = time_limit_s / max(1, len(tries))
    for name, how, prob, orig in tries:
        sol = solve(prob, time_limit_s=share)
        entry: dict[str, Any] = {"rule": name, "status": sol.status, "fits_without": sol.found}
        if sol.found and sol.cells is not None:
            if how == "sum" and isinstance(orig, SumAtLeast):
                v, u = float(orig.coef[sol.cells].sum()), orig.unit
                said = (
                    advice("relax {rule} from {required:g} {unit} to {value:g} {unit}", rule=name,
                           required=orig.min_value, unit=u, value=math.floor(v))
                    if v < orig.min_value
                    else _not_the_obstacle(name, v, u)
                )  # fmt: skip
                entry.update(best_value=v, required=orig.min_value, unit=u, **said)
            elif how == "reach" and isinstance(orig, ReachAny) and orig.value is not None:
                v = float(np.min(orig.value[sol.cells]))
                if not math.isfinite(v):
                    said = advice("drop {rule}: a zone fits, but no road reaches it", rule=name)
                elif v > orig.limit:
                    said = advice("relax {rule} from {required:g} m to {value:g} m", rule=name,
                                  required=orig.limit, value=math.ceil(v))  # fmt: skip
                else:
                    said = _not_the_obstacle(name, v, "m")
                entry.update(best_value=v if math.isfinite(v) else None, required=orig.limit,
                             unit="m", **said)  # fmt: skip
            elif how == "area":
                v = float(problem.area_m2[sol.cells].sum()) / 1e4
                entry.update(best_value=v, unit="ha",
                             **advice("the largest zone meeting every other rule is {area:.2f} ha",
                                      area=v))  # fmt: skip
            else:
                entry.update(advice("drop {rule}: a zone fits without it", rule=name))
        else:
            entry.update(_not_found(name, how, sol.status, problem, largest_m2))
        out.append(entry)
    return out


def _not_found(
    name: str, how: str, status: str, problem: Problem, largest_m2: float
) -> dict[str, Any]:
    """What a try that found no zone proves.

    "Does not help" only when proven: no connected piece of the candidate cells reaches
    the minimum area (any try but ``area``), or the solver proved the relaxed model
    infeasible and that model reads no rule more strictly than the rule (no conservative
    ``min_width``; for ``area``, no ``compactness``: its perimeter row is a chord from
    zero area, far stricter than the rule for small zones)."""
    need_ha = problem.min_area_m2 / 1e4
    if how != "area" and largest_m2 < problem.min_area_m2:
        return advice("relaxing {rule} alone does not help: no connected piece of the allowed "
                      "land reaches {need:.1f} ha", rule=name, need=need_ha)  # fmt: skip
    if status != "INFEASIBLE":
        return advice("{rule}: undecided within the time limit", rule=name)
    strict = problem.conservative
    strict |= how == "area" and problem.min_compactness is not None
    if strict:
        return advice("{rule}: relaxed alone, no zone found as the model reads the other rules "
                      "(conservatively); not proven that none exists", rule=name)  # fmt: skip
    return advice("relaxing {rule} alone does not help", rule=name)


def street_hints(
    estate: Estate, rules: Rules, diagnosis: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """For an ``adjacent`` rule the diagnosis says to relax, on an estate with roads and
    without ``max_gap_m``: blocks parted by streets never share a boundary."""
    if not len(estate.roads):
        return []
    relax = {d["rule"] for d in diagnosis if str(d.get("text", "")).startswith("relax ")}
    return [
        {"rule": r.id, **advice("{rule}: blocks parted by streets never share a boundary; "
                                "`max_gap_m = 20` (with `across = [\"local\", \"collector\"]`) "
                                "counts industry across a street as next to the zone", rule=r.id)}
        for r in rules.rules
        if r.kind == "adjacent" and r.id in relax and not r.get("max_gap_m")
    ]  # fmt: skip
