"""The words of a placement result: the terminal summary, the proof line of each
placement, the funnel and diagnosis lines, and the notebook's table.

Words come from the message catalogue (:mod:`kitland.i18n`) and numbers are written in
the language's locale. Several zones placed together (``[[zones]]``) have their own
lines (:func:`zones_summary`).
"""

from __future__ import annotations

import functools
import html
import math
from typing import TYPE_CHECKING, Any

from kitland.i18n import Message, gap_text, label, number, numbers_in, tr
from kitland.report import RuleResult, rule_label

if TYPE_CHECKING:
    import pandas as pd

    from kitland.placement import Placement, PlacementResult
    from kitland.rules import Rules

__all__ = [
    "caveat",
    "conservative_rules",
    "html_table",
    "infeasible_text",
    "proof_text",
    "summary",
    "width_caveat",
    "written_caveat",
    "zones_summary",
]


def summary(result: PlacementResult, lang: str = "en") -> str:
    """A few lines for the terminal: each placement with its own status, or why none.

    Words come from the message catalogue (:mod:`kitland.i18n`) and numbers are
    written in ``lang``'s locale, the funnel's diagnosis sentences included. Several
    zones placed together have their own lines (:func:`zones_summary`).
    """
    if result.rules is not None and len(result.rules.zones) > 1:
        return zones_summary(result, lang)
    s = result.solver
    t = functools.partial(tr, lang)
    lines = [_placement_line(p, s.get("grid_m"), lang) for p in result.alternatives]
    if result.found:
        asked = int(result.report.extra.get("alternatives_requested", len(result.alternatives)))
        if line := caveat(result, lang):
            lines.append(line)
        if len(result.alternatives) < asked:
            lines.append(t("found {n} of {asked} placements: {why}").format(
                n=len(result.alternatives), asked=asked,
                why=t(s.get("alternatives_missing", ""))))  # fmt: skip
        proven = all(p.status == "OPTIMAL" for p in result.alternatives)
        if not s.get("deterministic", True) and not proven:  # a proven score is any run's
            lines.append(t(_wall_clock_text(s)))
        elif any(
            p.status == "FEASIBLE" and not p.rescued and not p.note for p in result.alternatives
        ):
            lines.append(_feasible_line(s, lang))
        failing = [r for r in result.report.results if r.scope == "layout" and not r.passed]
        if failing:
            lines.append(t("layout rules (the master plan, not the zone) that fail, so the "
                           "report says passed: false: {rules}").format(rules="; ".join(
                               f"{r.label(lang)} {r.value_text(lang)}, "
                               f"{t('needs')} {r.required_text(lang)}"
                               for r in failing)))  # fmt: skip
    elif result.status == "UNDECIDED":
        lines.append(_undecided_line(t("placement"), s, lang))
    else:
        lines.append(infeasible_text(s, lang))
        lines += _funnel_lines(result.report.extra, lang, _names_en(result.rules))
        rejected = [r for f in s.get("check_failures", []) for r in f.get("failed", [])]
        if rejected:
            counts = ", ".join(f"{r} ({rejected.count(r)}×)" for r in dict.fromkeys(rejected))
            lines.append("  " + t("zones found by the solver failed the final check on: "
                                  "{rules}").format(rules=counts))  # fmt: skip
    lines.append(_solver_line(s, lang))
    return "\n".join(lines) + "\n"


def caveat(result: PlacementResult, lang: str = "en", *, short: bool = False) -> str:
    """What the proof does not cover, in ``lang`` (:meth:`PlacementResult.caveat`)."""
    return width_caveat(conservative_rules(result), lang, short=short,
                        corners_cut=bool(result.solver.get("corners_cut")))  # fmt: skip


def conservative_rules(result: PlacementResult) -> str:
    """The rules the proof reads conservatively, as the caveat names them ("" for none)."""
    kinds = result.solver.get("conservative")
    return ", ".join(_rule_names(result.rules, kinds)) if kinds else ""


def written_caveat(zone: pd.DataFrame, lang: str = "en", *, short: bool = False) -> str:
    """The caveat of a ``zone`` layer ``place --out`` wrote, from its ``conservative`` and
    ``corners_cut`` columns; "" for a file without them (written before they were) or
    whose proof covers every zone of the grid's cells."""
    if "conservative" not in zone.columns:
        return ""
    rules = next((v for v in zone["conservative"] if isinstance(v, str) and v.strip()), "")
    cut = "corners_cut" in zone.columns and any(v == 1 for v in zone["corners_cut"])
    return width_caveat(rules, lang, short=short, corners_cut=cut)


def width_caveat(
    rules: str, lang: str = "en", *, short: bool = False, corners_cut: bool = False
) -> str:
    """The line saying the proof reads ``rules`` (their names) conservatively, in
    ``lang``: ``short`` for a map's title block, else the terminal's and the page's
    ("charged or cut corners" where ``corners_cut``); "" without rules."""
    if not rules:
        return ""
    if short:
        return tr(lang, "{rules} read conservatively: a zone with narrower parts is not "
                        "covered by the proof").format(rules=rules)  # fmt: skip
    if corners_cut:
        return tr(lang, "the proof reads {rules} conservatively (whole squares of cells, charged "
                        "or cut corners): a zone with narrower parts that would still pass check "
                        "is not covered by it and may score better").format(rules=rules)  # fmt: skip
    return tr(lang, "the proof reads {rules} conservatively (whole squares of cells, charged "
                    "corners): a zone with narrower parts that would still pass check is not "
                    "covered by it and may score better").format(rules=rules)  # fmt: skip


def _rule_names(rules: Rules | None, kinds: list[str]) -> list[str]:
    """The ids of the rules of these kinds, every zone's, each once (the kinds
    themselves without rules)."""
    if rules is None:
        return kinds
    several = len(rules.zones) > 1
    each = [rules.for_zone(z.name) for z in rules.zones] if several else [rules]
    ids = [r.id for one in each for r in one.rules if r.kind in kinds]
    return list(dict.fromkeys(ids)) or kinds


def html_table(result: PlacementResult) -> str:
    """The notebook's view of a result: a line of status, a row per placement, the report."""
    rows = "".join(
        f"<tr><td>{html.escape(p.name) if result.zones else p.rank}</td><td>{p.area_ha:.2f}</td>"
        f"<td>{p.score:,.1f}</td><td>{html.escape(proof_text(p, result.solver.get('grid_m')))}</td>"
        f"<td>{'✓' if p.report.passed else '✗'}</td></tr>"
        for p in result.alternatives
    )
    undecided = next((r.message for r in result.report.results if r.kind == "placement"),
                     "no placement found within the time limit (not proven that none exists)")  # fmt: skip
    head = {"INFEASIBLE": infeasible_text(result.solver), "UNDECIDED": undecided,
            }.get(result.status, "placed")  # fmt: skip
    s = result.solver
    return (
        f"<div><b>{html.escape(head)}</b> <small>{html.escape(str(s.get('name')))}: "
        f"{html.escape(result.status)}, {gap_text(s.get('gap'), 'en')}, {s.get('time_s', 0):.1f} s</small>"
        f"<table><tr><th>{'zone' if result.zones else 'rank'}</th><th>ha</th><th>score</th><th>status</th><th>rules</th></tr>{rows}</table>"
        f"{result.report._repr_html_()}</div>"
    )


def _feasible_line(solver: dict[str, Any], lang: str) -> str:
    """The line under placements not proven optimal: found when the work budget ran out
    (of the whole search, or of one placement's share: ``time_limit_hit``), or when the
    search ended by itself with work left (:func:`work_left`)."""
    if solver.get("time_limit_hit") or not work_left(solver):
        return tr(lang, "placements found when the work budget ran out; the same input and "
                        "--time-limit return them again; a longer --time-limit may prove them")  # fmt: skip
    return tr(lang, "placements found when the search ended at {spent} of its {budget} work-s; "
                    "the same input and --time-limit return them again; a longer --time-limit "
                    "may prove them").format(
        spent=number(solver["work_s"], lang, 1), budget=number(solver["work_budget_s"], lang, 1))  # fmt: skip


def work_left(solver: dict[str, Any]) -> bool:
    """Whether the search ended by itself with work of its budget left (more than 1 %),
    neither the budget nor the wall clock stopping it."""
    spent, budget = solver.get("work_s"), solver.get("work_budget_s")
    if spent is None or budget is None or not solver.get("deterministic", True):
        return False
    return float(spent) < 0.99 * float(budget)


def _undecided_line(what: str, solver: dict[str, Any], lang: str) -> str:
    """The line of a search that found no ``what`` (a placement, an allocation: already
    in ``lang``): within its time limit, or the work it spent when it ended with work
    of its budget left; and the longer limit to try."""
    limit = float(solver.get("time_limit_s", 0.0))
    more = f"{max(60.0, 4 * limit):g}"
    if work_left(solver):
        return tr(lang, "no {what} found: the search ended at {spent} of its {budget} work-s, "
                        "without a zone or a proof that none exists; try --time-limit {more}").format(
            what=what, spent=number(solver["work_s"], lang, 1),
            budget=number(solver["work_budget_s"], lang, 1), more=more)  # fmt: skip
    return tr(lang, "no {what} found within {limit} s; it is not proven that none exists; "
                    "try --time-limit {more}").format(
        what=what, limit=numbers_in(f"{limit:g}", lang), more=more)  # fmt: skip


def _solver_line(solver: dict[str, Any], lang: str) -> str:
    """The last line of a summary: the solver, its time (and why it stopped), the grid."""
    t = functools.partial(tr, lang)
    hit = ""
    if solver.get("time_limit_hit"):
        hit = t(" (time limit reached)")
    elif solver.get("status") not in ("OPTIMAL", "INFEASIBLE") and work_left(solver):
        hit = t(" (ended with work left)")
    if not solver.get("deterministic", True):
        hit += t(" (stopped by the wall clock: not deterministic)")
    name = str(solver.get("name")).replace(" (joint)", t(" (joint)"))
    return t("{solver}: {time} s{hit}, {cells} cells of {grid} m").format(
        solver=name, time=number(solver.get("time_s", 0), lang, 1), hit=hit,
        cells=number(solver.get("cells", 0), lang),
        grid=numbers_in(f"{solver.get('grid_m', 0):g}", lang))  # fmt: skip


def proof_text(p: Placement, grid_m: float | None, lang: str = "en") -> str:
    """What the solver proved of placement ``p``, in ``lang``, as the terminal says it:
    "optimal on the 25 m grid", "feasible, gap 7.49% (time limit reached)", …

    Maps and the printed page show it beside the verdict, so a placement found when time
    ran out is not read as the proven best site.
    """
    t = functools.partial(tr, lang)
    if p.status == "OPTIMAL" and grid_m and p.grids:
        text = ("optimal on the {grid} m grid at {angles}" if len(p.grids) == 1
                else "optimal on the {grid} m grids at {angles}")  # fmt: skip
    elif p.status == "OPTIMAL":
        text = "optimal on the {grid} m grid" if grid_m else "optimal"
    elif p.rescued:
        text = ("feasible, {gap} to the grid's bound: the straightened outline of the solver's "
                "cells, which failed check themselves")  # fmt: skip
    elif p.grids and grid_m:  # several grids searched: say which one the zone lies on
        text = "feasible on the {grid} m grid at {angle}, {gap} ({why})"
    else:
        text = "feasible, {gap} ({why})"
    return t(text).format(
        grid=numbers_in(f"{grid_m:g}", lang) if grid_m else "", gap=gap_text(p.gap, lang),
        angles=t(" and ").join(numbers_in(f"{a:.1f}°", lang) for a in p.grids),
        angle=numbers_in(f"{p.grids[0]:.1f}°", lang) if p.grids else "",
        why=t(p.note or "time limit reached"))  # fmt: skip


def _placement_line(p: Placement, grid_m: Any, lang: str = "en") -> str:
    t = functools.partial(tr, lang)
    c = p.report.zone.get("compactness", float("nan"))
    st = proof_text(p, grid_m, lang)
    if (
        not p.rescued
        and not p.grids
        and not math.isclose(p.score, p.grid_score, rel_tol=1e-9, abs_tol=1e-9)
    ):
        st += t("; cells scored {score}, outline straightened").format(
            score=number(p.grid_score, lang, 1))  # fmt: skip
    elif p.rescued and p.status == "OPTIMAL":
        st += t("; the straightened outline of the solver's cells, which failed check "
                "themselves and scored {score}").format(score=number(p.grid_score, lang, 1))  # fmt: skip
    verdict = t("all zone rules pass") if p.report.zone_passed else t("FAILS")
    return t("placement {rank}: {area} ha, score {score}, compactness {compactness}, "
             "{vertices} vertices, {status}, {verdict}").format(
                 rank=p.rank, area=number(p.area_ha, lang, 2), score=number(p.score, lang, 1),
                 compactness=number(c, lang, 2), vertices=p.vertices, status=st,
                 verdict=verdict)  # fmt: skip


def infeasible_text(solver: dict[str, Any], lang: str = "en") -> str:
    """What "INFEASIBLE" proves: nothing of the grid's cells fits the model's reading."""
    t = functools.partial(tr, lang)
    grid = numbers_in(f"{solver.get('grid_m', 0):g}", lang)
    if solver.get("grids_deg"):  # every grid searched holds no zone (_best_of_grids)
        angles = t(" and ").join(numbers_in(f"{a:.1f}°", lang) for a in solver["grids_deg"])
        text = t("no placement satisfies the rules (proven for zones of the cells of the "
                 "{grid} m grids at {angles})").format(grid=grid, angles=angles)  # fmt: skip
    else:
        text = t("no placement satisfies the rules (proven for zones of the {grid} m grid's "
                 "cells)").format(grid=grid)  # fmt: skip
    if solver.get("conservative"):
        return text + _width_caveat(solver, lang)
    return text


def _funnel_lines(
    extra: dict[str, Any], lang: str = "en", names_en: dict[str, str] | None = None
) -> list[str]:
    t = functools.partial(tr, lang)
    fun = extra.get("funnel", {})
    alone, so_far = t("alone"), t("so far")
    steps = fun.get("steps", [])
    names = [_funnel_rule(st["rule"], lang, names_en or {}) for st in steps]
    width = max((len(n) for n in names), default=0)
    lines = [f"  {name:<{width}}  {alone} {number(st['alone_ha'], lang, 1):>9} ha   "
             f"{so_far} {number(st['cumulative_ha'], lang, 1):>9} ha"
             for name, st in zip(names, steps, strict=True)]  # fmt: skip
    if fun.get("largest_pieces_ha"):
        pieces = ", ".join(number(x, lang, 1) for x in fun["largest_pieces_ha"])
        lines.append("  " + t("largest pieces left: {pieces} ha (need {need} ha)").format(
            pieces=pieces, need=number(fun["min_area_ha"], lang, 1)))  # fmt: skip
    lines += [f"  - {_advice_text(d, lang, names_en or {})}" for d in extra.get("diagnosis", [])]
    return lines


def _names_en(rules: Rules | None) -> dict[str, str]:
    """Each rule's English name (``name_en``) by its id."""
    return {r.id: r.name_en for r in (rules.rules if rules else []) if r.name_en}


def _funnel_rule(rule: str, lang: str, names_en: dict[str, str]) -> str:
    """A funnel or diagnosis row's rule for people in ``lang``: the rule's ``name`` (or
    ``name_en`` in English); the funnel's own steps (``on``, ``roads``, ``area``,
    ``compactness``) in words."""
    if rule in ("area", "on"):
        return label(lang, f"rule_{rule}")
    if rule in ("roads", "compactness"):
        return label(lang, rule)
    return rule_label(rule, rule.split("#")[0], lang, name_en=names_en.get(rule))


def _advice_text(entry: dict[str, Any], lang: str, names_en: dict[str, str] | None = None) -> str:
    """A diagnosis entry's sentence in ``lang`` (its ``message``), else its ``text``; the
    rule it names written as :func:`_funnel_rule` writes it."""
    m = entry.get("message")
    if not m:
        return str(entry.get("text", ""))
    values = dict(m["values"])
    if isinstance(values.get("rule"), str):
        values["rule"] = _funnel_rule(values["rule"], lang, names_en or {})
    return Message(m["id"], values).render(lang)


def _wall_clock_text(solver: dict[str, Any]) -> str:
    """Why the wall clock, not the work budget, ended a search: a solver run that went on
    past the budget (its work is counted when it returns), or a busy or slow machine.

    >>> _wall_clock_text({"work_s": 143.6, "work_budget_s": 90.0})[:40]
    'the wall clock stopped a solver run that'
    """
    if solver.get("work_s", 0.0) > solver.get("work_budget_s", math.inf):
        return (
            "the wall clock stopped a solver run that had gone past the work budget (its "
            "work is counted when it returns): another run may return other placements"
        )
    return (
        "the wall clock stopped the search before its work budget (a busy or slow machine): "
        "another run may return other placements"
    )


def zones_summary(result: PlacementResult, lang: str = "en") -> str:
    """The terminal lines of several zones: one per zone, the between rules, the status.

    Words come from the message catalogue (:mod:`kitland.i18n`), numbers are written in
    ``lang``'s locale; a between rule's line in English is its measured sentence, in
    another language its name, value and requirement.
    """
    t = functools.partial(tr, lang)
    s = result.solver
    lines = []
    for p in result.zones:
        c = p.report.zone.get("compactness", float("nan"))
        verdict = t("all zone rules pass") if p.report.zone_passed else t("FAILS")
        lines.append(t("zone {name}: {area} ha, score {score}, compactness {compactness}, "
                       "{vertices} vertices, {verdict}").format(
                           name=p.name, area=number(p.area_ha, lang, 2), score=number(p.score, lang, 1),
                           compactness=number(c, lang, 2), vertices=p.vertices, verdict=verdict))  # fmt: skip
    lines += [_between_line(r, lang) for r in getattr(result.report, "between", ())]
    grid = numbers_in(f"{s.get('grid_m', 0):g}", lang)
    if result.found:
        lines += _found_lines(result, grid, lang)
        if line := result.caveat(lang):
            lines.append(line)
        lines += _more_lines(result, lang)
    elif result.status == "UNDECIDED":
        lines.append(_undecided_line(t("allocation"), s, lang))
    else:
        lines += _infeasible_lines(result, grid, lang)
    lines.append(_solver_line(s, lang))
    return "\n".join(lines) + "\n"


def _width_caveat(solver: dict[str, Any], lang: str) -> str:
    """What an INFEASIBLE line adds when the model (one zone's, or the zones') reads
    ``min_width`` conservatively; "charged or cut corners" where corners could be cut."""
    if not solver.get("conservative"):
        return ""
    rules = ", ".join(solver["conservative"])
    if solver.get("corners_cut"):
        return tr(lang, "; the model reads {rules} conservatively (whole squares of cells, charged "
                        "or cut corners), so a zone with narrower parts that would still pass "
                        "check is not ruled out").format(rules=rules)  # fmt: skip
    return tr(lang, "; the model reads {rules} conservatively (whole squares of cells, charged "
                    "corners), so a zone with narrower parts that would still pass check is not "
                    "ruled out").format(rules=rules)  # fmt: skip


def _between_line(r: RuleResult, lang: str) -> str:
    """One between rule's line: its sentence (English) or name, value and requirement."""
    t = functools.partial(tr, lang)
    verdict = t("pass") if r.passed else t("FAILS")
    if lang == "en":
        return f"between {r.label(lang)}: {r.message} ({verdict})"
    return t("between {rule}: {value} (required {required}), {verdict}").format(
        rule=r.label(lang), value=r.value_text(lang), required=r.required_text(lang),
        verdict=verdict)  # fmt: skip


def _found_lines(result: PlacementResult, grid: str, lang: str) -> list[str]:
    t = functools.partial(tr, lang)
    s = result.solver
    score = number(s["objective"], lang, 1)
    if result.status == "OPTIMAL":
        lines = [t("joint placement optimal on the {grid} m grid: summed score {score}").format(
            grid=grid, score=score)]  # fmt: skip
    else:
        gap = gap_text(s.get("gap"), lang)
        bound = "-inf" if s["bound"] is None else number(s["bound"], lang, 1)
        lines = [t("joint placement feasible, {gap} (summed score {score}, proven bound "
                   "{bound})").format(gap=gap, score=score, bound=bound)]  # fmt: skip
    if s.get("one_by_one") is not None:
        lines.append(t("placing the zones one by one scored {score}").format(
            score=number(s["one_by_one"], lang, 1)))  # fmt: skip
    return lines


def _more_lines(result: PlacementResult, lang: str) -> list[str]:
    """The allocations after the first: a line each, its zones' lines under it, and
    why fewer were found than asked."""
    t = functools.partial(tr, lang)
    s = result.solver
    lines = []
    for a in s.get("allocations", [])[1:]:
        state = t("optimal") if a["status"] == "OPTIMAL" else gap_text(a["gap"], lang)
        lines.append(t("allocation {rank}: summed score {score}, {status}").format(
            rank=a["rank"], score=number(a["objective"], lang, 1), status=state))  # fmt: skip
        for p in (p for p in result.alternatives if p.rank == a["rank"]):
            lines.append("  " + t("zone {name}: {area} ha, score {score}").format(
                name=p.name, area=number(p.area_ha, lang, 2), score=number(p.score, lang, 1)))  # fmt: skip
    asked = int(result.report.extra.get("alternatives_requested", 1))
    n = len(s.get("allocations", []))
    if asked > 1 and n < asked:
        lines.append(t("found {n} of {asked} allocations: {why}").format(
            n=n, asked=asked, why=t(s.get("alternatives_missing", ""))))  # fmt: skip
    return lines


def _infeasible_lines(result: PlacementResult, grid: str, lang: str) -> list[str]:
    t = functools.partial(tr, lang)
    extra = result.report.extra
    lines = [t("no allocation of the {n} zones satisfies the rules (proven for zones of the "
               "{grid} m grid's cells)").format(n=len(result.rules.zones) if result.rules else 0,
                                                grid=grid) + _width_caveat(result.solver, lang)]  # fmt: skip
    for name, fun in extra.get("funnel", {}).items():
        lines.append(" " + t("zone {name}:").format(name=name))
        lines += _funnel_lines({"funnel": fun}, lang, _names_en(result.rules))
    for b in extra.get("blocking", []):
        lines.append("  - " + t("blocked by {name}: {why}").format(
            name=b["rule"], why=t(b.get("reason", b["text"]))))  # fmt: skip
    if not extra.get("diagnosed", True):
        lines.append("  - " + t("not diagnosed within the time limit"))
    elif not extra.get("blocking"):
        lines.append("  - " + t("no single between rule or zone was proven to block the others"))
    return lines
