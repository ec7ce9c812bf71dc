"""Placing several zones (``[[zones]]``) together: the front end of :mod:`._joint`.

The zones' candidate lands (each :meth:`Rules.for_zone` read as one zone is) are cut
into one set of cells on one grid; a zone may use a cell whose piece lies in its own
land. Each zone's problem is :func:`~kitland.placement.problem_on` those cells, so it
holds exactly the rows the zone would have alone. :func:`~._joint.solve_joint` places
them all at once. Each zone's cells are then dissolved, checked with
:func:`kitland.check` against its own rules and straightened on its land minus the
other zones (and their separation distance), and the ``[[between]]`` rules are
measured on the final outlines (:func:`kitland.between.between_results`); if a
straightened outline breaks a between rule, the cells' own outlines are kept.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import time
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from kitland.estate import Estate
from kitland.placement import (
    _SOLVER_NAME,
    MAX_RECHECKS,
    Placement,
    PlacementResult,
    _check_cell_count,
    _funnel_lines,
    _progress_cb,
    _stable,
    _straightened,
    _zone_rules_pass,
    dissolve,
    problem_on,
    zone_score,
)
from kitland.placement._cells import CandidateLand, Cells, candidate_land, grid_angle, make_cells
from kitland.placement._joint import Between, JointSolution, solve_joint
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._work import Clock
from kitland.report import Report, RuleResult
from kitland.rules import Rules

__all__ = ["place_zones", "summary"]

log = logging.getLogger(__name__)


def place_zones(
    estate: Estate, rules: Rules, *, cell_m: float, time_limit_s: float,
    options: SolveOptions | None, progress: Any,
) -> PlacementResult:  # fmt: skip
    """Every zone of ``rules`` (``[[zones]]``, two or more) placed together, proven
    optimal for the summed score or with its gap; see :func:`kitland.place`."""
    t0 = time.monotonic()
    deadline = t0 + time_limit_s
    _progress_cb(progress, "cells", deadline)
    rules = rules.applicable(estate)
    names = [z.name for z in rules.zones]
    each = [dataclasses.replace(rules.for_zone(n), layout=()) for n in names]
    lands = [candidate_land(estate, r) for r in each]
    union = shapely.union_all([land.allowed for land in lands])
    _check_cell_count(union, cell_m)
    cells = make_cells(union, cell_m=cell_m, angle_deg=grid_angle(union))
    masks = [_inside(cells, land.allowed) for land in lands]
    probs = [problem_on(estate, r, cells) for r in each]
    between = _between(rules, names)
    log.info("placing %d zones on %d cells of %g m", len(names), len(cells), cell_m)
    failures: list[dict[str, Any]] = []
    placed: list[Placement] | None = None
    sol = None
    for _ in range(MAX_RECHECKS + 1):
        _progress_cb(progress, "solving", deadline, rank=1)
        sol = solve_joint(probs, masks, between, time_limit_s=max(deadline - time.monotonic(), 0.0),
                          options=options, names=names, clock=Clock(deadline))  # fmt: skip
        if sol.cells is None:
            break
        _progress_cb(progress, "checking", deadline, rank=1, best=sol.objective)
        placed, bad = _finish(estate, each, cells, lands, probs, sol, rules)
        if bad is None:
            break
        failures.append({"zone": names[bad], "failed": _failed(placed, bad)})
        probs[bad] = probs[bad].with_nogood(sol.cells[bad])
        placed = None
    assert sol is not None
    _progress_cb(progress, "done", deadline)
    return _result(estate, rules, cells, lands, probs, masks, sol, placed, failures,
                   t0=t0, time_limit_s=time_limit_s)  # fmt: skip


def _inside(cells: Cells, allowed: shapely.Geometry) -> NDArray[np.bool_]:
    """The cells whose piece lies in ``allowed`` (all but a millionth of its area)."""
    shapely.prepare(allowed)
    share = shapely.area(shapely.intersection(cells.geoms, allowed)) / np.maximum(
        cells.area_m2, 1e-12
    )
    return np.asarray(share >= 1 - 1e-6, dtype=bool)


def _between(rules: Rules, names: list[str]) -> list[Between]:
    """The ``[[between]]`` rules as the joint model reads them (zones by index)."""
    at = {n: i for i, n in enumerate(names)}
    out = []
    for r in rules.between:
        zs = tuple(at[n] for n in (r.get("zones") or names))
        if r.kind == "separation":
            out += [Between(r.id, "separation", pair, min_m=float(r["min_m"]))
                    for pair in itertools.combinations(zs, 2)]  # fmt: skip
        elif r.kind == "total_area":
            lo, hi = r.get("min_ha"), r.get("max_ha")
            out.append(Between(r.id, "total_area", zs, min_m2=0.0 if lo is None else lo * 1e4,
                               max_m2=math.inf if hi is None else hi * 1e4))  # fmt: skip
    return out


def _apart_m(rules: Rules, a: str, b: str) -> float:
    """The distance the between rules ask between zones ``a`` and ``b`` (0: may touch)."""
    names = [z.name for z in rules.zones]
    return max([float(r["min_m"]) for r in rules.between if r.kind == "separation"
                and {a, b} <= set(r.get("zones") or names)], default=0.0)  # fmt: skip


def _finish(
    estate: Estate, each: list[Rules], cells: Cells, lands: list[CandidateLand],
    probs: list[Problem], sol: JointSolution, rules: Rules,
) -> tuple[list[Placement], int | None]:  # fmt: skip
    """Each zone dissolved, checked and straightened (clear of the other zones); the
    index of the first zone whose cells fail ``check`` with no outline that passes."""
    from kitland.between import between_results  # noqa: PLC0415 - above placement
    from kitland.measure import check  # noqa: PLC0415

    assert sol.cells is not None
    names = [r.zones[0].name for r in each]
    raw = [dissolve(cells, c) for c in sol.cells]
    reports = [check(estate, z, r, on_invalid="warn") for z, r in zip(raw, each, strict=True)]
    final: list[shapely.Geometry] = list(raw)
    out: list[Placement] = []
    for z, (name, r, rep) in enumerate(zip(names, each, reports, strict=True)):
        clear = shapely.union_all([shapely.buffer(g, _apart_m(rules, name, names[k]))
                                   for k, g in enumerate(final) if k != z])  # fmt: skip
        land = dataclasses.replace(lands[z], allowed=shapely.difference(lands[z].allowed, clear))
        ok = _zone_rules_pass(rep)
        best = _straightened(estate, r, cells, land, probs[z], raw[z],
                             ceiling=None if ok else math.inf)  # fmt: skip
        if best is None and not ok:
            return [*out, _placement(name, raw[z], rep, cells, probs[z], sol, z)], z
        outline, rep = best or (raw[z], rep)
        final[z] = outline
        out.append(_placement(name, outline, rep, cells, probs[z], sol, z, rescued=not ok))
    if not all(r.passed for r in between_results(dict(zip(names, final, strict=True)), rules)):
        # The cells' own outlines hold the model's between rows exactly.
        log.info("a straightened outline broke a between rule; keeping the cells' outlines")
        out = [_placement(n, g, rep, cells, p, sol, z) for z, (n, g, rep, p) in
               enumerate(zip(names, raw, reports, probs, strict=True))]  # fmt: skip
        bad = next((z for z, rep in enumerate(reports) if not _zone_rules_pass(rep)), None)
        return out, bad
    return out, None


def _placement(name: str, zone: shapely.Geometry, report: Report, cells: Cells, prob: Problem,
               sol: JointSolution, z: int, *, rescued: bool = False) -> Placement:  # fmt: skip
    assert sol.cells is not None
    status = "FEASIBLE" if rescued else sol.status
    return Placement(zone, zone_score(prob, cells, zone), 1, report, float(zone.area) / 1e4,
                     sol.cells[z], status, sol.gap, -math.inf, grid_score=prob.objective(sol.cells[z]),
                     rescued=rescued, name=name)  # fmt: skip


def _failed(placed: list[Placement], bad: int) -> list[str]:
    return [r.id for r in placed[bad].report.failed if r.scope == "zone"]


def _result(
    estate: Estate, rules: Rules, cells: Cells, lands: list[CandidateLand], probs: list[Problem],
    masks: list[NDArray[np.bool_]], sol: JointSolution, placed: list[Placement] | None,
    failures: list[dict[str, Any]], *, t0: float, time_limit_s: float,
) -> PlacementResult:  # fmt: skip
    """The result: one placement per zone, the zones' report, the solver's facts."""
    from kitland.between import between_results  # noqa: PLC0415 - above placement
    from kitland.measure import check  # noqa: PLC0415
    from kitland.report import ZonesReport  # noqa: PLC0415

    names = [z.name for z in rules.zones]
    if placed is not None:
        status = "FEASIBLE" if any(p.rescued for p in placed) else sol.status
    else:
        status = "INFEASIBLE" if sol.status == "INFEASIBLE" and not failures else "UNDECIDED"
    solver: dict[str, Any] = {
        "name": _SOLVER_NAME + " (joint)", "status": status,
        "gap": round(sol.gap, 6) if math.isfinite(sol.gap) else None,
        "time_s": round(time.monotonic() - t0, 3), "time_limit_s": time_limit_s,
        "time_limit_hit": sol.status in ("FEASIBLE", "UNKNOWN"), "cells": len(cells),
        "grid_m": cells.cell_m, "grid_angle_deg": round(float(cells.angle_deg), 3),
        "scope": f"optimal among allocations made of the {cells.cell_m:g} m grid's cells",
        "objective": round(sol.objective, 3) if math.isfinite(sol.objective) else None,
        "bound": round(sol.bound, 3) if math.isfinite(sol.bound) else None,
        "one_by_one": round(sol.start, 3) if math.isfinite(sol.start) else None,
        "zones": [{"name": n, "cells": int(m.sum())} for n, m in zip(names, masks, strict=True)],
    }  # fmt: skip
    if failures:
        solver["check_failures"] = failures
    if placed is not None:
        layout = check(estate, None, Rules(None, layout=rules.layout, source=rules.source),
                       on_invalid="warn")  # fmt: skip
        geoms = {p.name: p.zone for p in placed}
        facts = {"status": status, "solver": _stable(solver),
                 "placements": [{"name": p.name, **p.to_dict()} for p in placed]}  # fmt: skip
        report = ZonesReport(layout.results, {}, facts, zones={p.name: p.report for p in placed},
                             between=between_results(geoms, rules))  # fmt: skip
        return PlacementResult(True, None, placed, report, solver, estate.crs, rules, estate,
                               status, zones=tuple(placed))  # fmt: skip
    extra: dict[str, Any] = {"passed": False, "status": status, "alternatives": [],
                             "solver": _stable(solver)}  # fmt: skip
    if status == "INFEASIBLE":
        from kitland.placement._diagnose import funnel  # noqa: PLC0415

        extra["funnel"] = {
            n: funnel(land, p.take(m), {r.id: r.kind for r in rules.for_zone(n).rules})
            for n, land, p, m in zip(names, lands, probs, masks, strict=True)
        }
        extra["blocking"] = [{"rule": b, "text": f"{b}: {why}"} for b, why in sol.blocking]
        extra["diagnosed"] = sol.diagnosed
        why = (f"no allocation of the {len(names)} zones satisfies the rules (proven for zones "
               f"of the {cells.cell_m:g} m grid's cells)")  # fmt: skip
    else:
        why = f"no allocation found within {time_limit_s:g} s; it is not proven that none exists"
    res = RuleResult("placement", "placement", False, None, "a zone per [[zones]] meeting every rule",
                     "", why)  # fmt: skip
    return PlacementResult(False, None, [], Report([res], {}, extra), solver, estate.crs, rules,
                           estate, status)  # fmt: skip


def summary(result: PlacementResult) -> str:
    """The terminal lines of several zones: one per zone, the between rules, the status."""
    s = result.solver
    lines = []
    for p in result.zones:
        c = p.report.zone.get("compactness", float("nan"))
        verdict = "all zone rules pass" if _zone_rules_pass(p.report) else "FAILS"
        lines.append(f"zone {p.name}: {p.area_ha:.2f} ha, score {p.score:,.1f}, compactness "
                     f"{c:.2f}, {p.vertices} vertices, {verdict}")  # fmt: skip
    for r in getattr(result.report, "between", ()):
        lines.append(f"between {r.id}: {r.message} ({'pass' if r.passed else 'FAILS'})")
    grid = f"the {s.get('grid_m', 0):g} m grid"
    if result.found:
        if result.status == "OPTIMAL":
            lines.append(f"joint placement optimal on {grid}: summed score {s['objective']:,.1f}")
        else:
            gap = f"gap {s['gap']:.2%}" if s.get("gap") is not None else "gap unknown"
            lines.append(f"joint placement feasible, {gap} (summed score {s['objective']:,.1f}, "
                         f"proven bound {'-inf' if s['bound'] is None else format(s['bound'], ',.1f')})")  # fmt: skip
        if s.get("one_by_one") is not None:
            lines.append(f"placing the zones one by one scored {s['one_by_one']:,.1f}")
    elif result.status == "UNDECIDED":
        limit = float(s.get("time_limit_s", 0.0))
        lines.append(f"no allocation found within {limit:g} s; it is not proven that none "
                     f"exists; try --time-limit {max(60.0, 4 * limit):g}")  # fmt: skip
    else:
        lines.append(result.report.results[0].message)
        for name, fun in result.report.extra.get("funnel", {}).items():
            lines.append(f" zone {name}:")
            lines += _funnel_lines({"funnel": fun})
        for b in result.report.extra.get("blocking", []):
            lines.append(f"  - blocked by {b['text']}")
        if not result.report.extra.get("diagnosed", True):
            lines.append("  - not diagnosed within the time limit")
        elif not result.report.extra.get("blocking"):
            lines.append("  - no single between rule or zone was proven to block the others")
    hit = " (time limit reached)" if s.get("time_limit_hit") else ""
    lines.append(f"{s.get('name')}: {s.get('time_s', 0):.1f} s{hit}, {s.get('cells', 0)} cells "
                 f"of {s.get('grid_m', 0):g} m")  # fmt: skip
    return "\n".join(lines) + "\n"
