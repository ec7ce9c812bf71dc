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
    _cut,
    _finite,
    _Outlines,
    _overlap_kept,
    _progress_cb,
    _stable,
    dissolve,
    problem_on,
    zone_score,
)
from kitland.placement._cells import CandidateLand, Cells, candidate_land
from kitland.placement._joint import Between, JointSolution, solve_joint
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._summary import _width_caveat
from kitland.placement._work import Clock
from kitland.report import Report, RuleResult
from kitland.rules import Rules

__all__ = ["place_zones"]

log = logging.getLogger(__name__)


def place_zones(
    estate: Estate, rules: Rules, *, cell_m: float, time_limit_s: float,
    options: SolveOptions | None, progress: Any, alternatives: int = 1, max_overlap: float = 0.25,
) -> PlacementResult:  # fmt: skip
    """Every zone of ``rules`` (``[[zones]]``, two or more) placed together, proven
    optimal for the summed score or with its gap; see :func:`kitland.place`.

    With ``alternatives`` > 1, further allocations follow, each the best one in which
    every zone overlaps its own place in each earlier allocation by at most
    ``max_overlap`` of its area (every zone moves). The first gets 60 % of the time, the
    others share the rest evenly.
    """
    t0 = time.monotonic()
    deadline = t0 + time_limit_s
    _progress_cb(progress, "cells", deadline)
    rules = rules.applicable(estate)
    names = [z.name for z in rules.zones]
    each = [dataclasses.replace(rules.for_zone(n), layout=()) for n in names]
    lands = [candidate_land(estate, r) for r in each]
    union = shapely.union_all([land.allowed for land in lands])
    cells = _cut(union, cell_m)
    masks = [_inside(cells, land.allowed) for land in lands]
    probs = [problem_on(estate, r, cells, cut_corners=False) for r in each]
    between = _between(rules, names)
    log.info("placing %d zones on %d cells of %g m", len(names), len(cells), cell_m)
    failures: list[dict[str, Any]] = []
    found: list[tuple[JointSolution, list[Placement]]] = []
    missing = ""
    for rank in range(1, alternatives + 1):
        left = alternatives - rank + 1
        share = (deadline - time.monotonic()) * (0.6 if rank == 1 and left > 1 else 1.0 / left)
        step = (estate, rules, each, cells, lands, masks, between)
        sol, placed = _allocate(step, probs, rank=rank, deadline=time.monotonic() + share,
                                failures=failures, options=options, progress=progress)  # fmt: skip
        if placed is None:
            if rank > 1:
                missing = _missing_text(proven=sol.status == "INFEASIBLE" and not failures,
                                        conservative=any(p.conservative for p in probs))  # fmt: skip
            break
        found.append((sol, placed))
        assert sol.cells is not None
        probs = [p.with_avoid(c, max_overlap) for p, c in zip(probs, sol.cells, strict=True)]
    _progress_cb(progress, "done", deadline)
    return _result(estate, rules, cells, lands, probs, masks, sol if not found else found[0][0],
                   found, failures, t0=t0, time_limit_s=time_limit_s, asked=alternatives,
                   missing=missing)  # fmt: skip


def _allocate(
    step: tuple[Estate, Rules, list[Rules], Cells, list[CandidateLand], list[NDArray[np.bool_]],
                list[Between]],
    probs: list[Problem], *, rank: int, deadline: float, failures: list[dict[str, Any]],
    options: SolveOptions | None, progress: Any,
) -> tuple[JointSolution, list[Placement] | None]:  # fmt: skip
    """The best allocation of ``probs`` that passes ``check`` (None: none found), solving
    again with a no-good on a zone whose cells fail it (``failures`` records them)."""
    estate, rules, each, cells, lands, masks, between = step
    names = [z.name for z in rules.zones]
    probs = list(probs)
    sol = None
    for _ in range(MAX_RECHECKS + 1):
        _progress_cb(progress, "solving", deadline, rank=rank)
        sol = solve_joint(probs, masks, between, time_limit_s=max(deadline - time.monotonic(), 0.0),
                          options=options, names=names, diagnose=rank == 1, clock=Clock(deadline),
                          on_progress=lambda best, bound: _progress_cb(
                              progress, "solving", deadline, rank=rank, best=best, bound=bound))  # fmt: skip
        if sol.cells is None:
            return sol, None
        _progress_cb(progress, "checking", deadline, rank=rank, best=sol.objective)
        placed, bad = _finish(estate, each, cells, lands, probs, sol, rules, rank=rank)
        if bad is None:
            return sol, placed
        failed = [r.id for r in placed[bad].report.failed if r.scope == "zone"]
        failures.append({"zone": names[bad], "failed": failed, "rank": rank})
        probs[bad] = probs[bad].with_nogood(sol.cells[bad])
    assert sol is not None
    return sol, None


def _missing_text(*, proven: bool, conservative: bool) -> str:
    """Why fewer allocations were found than asked, saying what a proof covers."""
    if not proven:
        return "not found within the time limit; it is not proven that none exists"
    if conservative:
        return ("proven for zones of the grid's cells that the width model admits: no further "
                "allocation satisfies the rules with every zone overlapping its earlier places "
                "little enough")  # fmt: skip
    return ("proven for zones of the grid's cells: no further allocation satisfies the rules with "
            "every zone overlapping its earlier places little enough")  # fmt: skip


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
    probs: list[Problem], sol: JointSolution, rules: Rules, *, rank: int = 1,
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
        ok = rep.zone_passed
        best = _Outlines(estate, r, cells, land, probs[z]).straightened(
            raw[z], ceiling=None if ok else math.inf)  # fmt: skip
        if best is not None and not _overlap_kept(
            best[0], tuple((dissolve(cells, prev), share) for prev, share in probs[z].avoid)
        ):
            best = None  # straightened back onto an earlier allocation's place
        if best is None and not ok:
            return [*out, _placement(name, raw[z], rep, cells, probs[z], sol, z, rank=rank)], z
        outline, rep = best or (raw[z], rep)
        final[z] = outline
        out.append(_placement(name, outline, rep, cells, probs[z], sol, z, rescued=not ok,
                              rank=rank))  # fmt: skip
    if not all(r.passed for r in between_results(dict(zip(names, final, strict=True)), rules)):
        # The cells' own outlines hold the model's between rows exactly.
        log.info("a straightened outline broke a between rule; keeping the cells' outlines")
        out = [_placement(n, g, rep, cells, p, sol, z, rank=rank) for z, (n, g, rep, p) in
               enumerate(zip(names, raw, reports, probs, strict=True))]  # fmt: skip
        bad = next((z for z, rep in enumerate(reports) if not rep.zone_passed), None)
        return out, bad
    return out, None


def _placement(name: str, zone: shapely.Geometry, report: Report, cells: Cells, prob: Problem,
               sol: JointSolution, z: int, *, rescued: bool = False, rank: int = 1) -> Placement:  # fmt: skip
    assert sol.cells is not None
    status = "FEASIBLE" if rescued else sol.status
    return Placement(zone, zone_score(prob, cells, zone), rank, report, float(zone.area) / 1e4,
                     sol.cells[z], status, sol.gap, -math.inf, grid_score=prob.objective(sol.cells[z]),
                     rescued=rescued, name=name)  # fmt: skip


def _result(
    estate: Estate, rules: Rules, cells: Cells, lands: list[CandidateLand], probs: list[Problem],
    masks: list[NDArray[np.bool_]], sol: JointSolution,
    found: list[tuple[JointSolution, list[Placement]]], failures: list[dict[str, Any]], *,
    t0: float, time_limit_s: float, asked: int = 1, missing: str = "",
) -> PlacementResult:  # fmt: skip
    """The result: one placement per zone (and allocation), the first allocation's
    report, the solver's facts (``sol``: the first allocation's solve) and, when no
    allocation fits, each zone's funnel on its problem (``probs``)."""
    from kitland.between import between_results  # noqa: PLC0415 - above placement
    from kitland.measure import check  # noqa: PLC0415
    from kitland.report import ZonesReport  # noqa: PLC0415

    names = [z.name for z in rules.zones]
    placed = found[0][1] if found else None
    if placed is not None:
        status = "FEASIBLE" if any(p.rescued for p in placed) else sol.status
    else:
        status = "INFEASIBLE" if sol.status == "INFEASIBLE" and not failures else "UNDECIDED"
    solver: dict[str, Any] = {
        "name": _SOLVER_NAME + " (joint)", "status": status,
        "gap": _finite(sol.gap, 6),
        "time_s": round(time.monotonic() - t0, 3), "time_limit_s": time_limit_s,
        "time_limit_hit": sol.status in ("FEASIBLE", "UNKNOWN"), "cells": len(cells),
        "grid_m": cells.cell_m, "grid_angle_deg": round(float(cells.angle_deg), 3),
        "scope": f"optimal among allocations made of the {cells.cell_m:g} m grid's cells",
        "objective": _finite(sol.objective, 3),
        "bound": _finite(sol.bound, 3),
        "one_by_one": _finite(sol.start, 3),
        "zones": [{"name": n, "cells": int(m.sum())} for n, m in zip(names, masks, strict=True)],
        "conservative": ["min_width"] if any(p.conservative for p in probs) else [],
    }  # fmt: skip
    if solver["conservative"]:  # the proof covers the zones the width model admits
        solver["scope"] += " that the width model admits (min_width read conservatively)"
    if failures:
        solver["check_failures"] = failures
    if asked > 1:
        solver["allocations"] = [
            {"rank": k, "objective": round(s.objective, 3), "status": s.status,
             "gap": _finite(s.gap, 6)}
            for k, (s, _) in enumerate(found, start=1)
        ]  # fmt: skip
        if len(found) < asked and found:
            solver["alternatives_missing"] = missing
    every = [p for _, ps in found for p in ps]
    if placed is not None:
        layout = check(estate, None, Rules(None, layout=rules.layout, source=rules.source),
                       on_invalid="warn")  # fmt: skip
        geoms = {p.name: p.zone for p in placed}
        facts: dict[str, Any] = {"status": status, "solver": _stable(solver),
                 "placements": [{"name": p.name, **p.to_dict()} for p in every]}  # fmt: skip
        if asked > 1:
            facts["alternatives_requested"] = asked
        report = ZonesReport(layout.results, {}, facts, zones={p.name: p.report for p in placed},
                             between=between_results(geoms, rules))  # fmt: skip
        return PlacementResult(True, None, every, report, solver, estate.crs, rules, estate,
                               status, zones=tuple(placed))  # fmt: skip
    extra: dict[str, Any] = {"passed": False, "status": status, "alternatives": [],
                             "solver": _stable(solver)}  # fmt: skip
    if status == "INFEASIBLE":
        from kitland.placement._diagnose import funnel  # noqa: PLC0415

        extra["funnel"] = {
            n: funnel(land, p.take(m), {r.id: r.kind for r in rules.for_zone(n).rules})
            for n, land, p, m in zip(names, lands, probs, masks, strict=True)
        }
        extra["blocking"] = [{"rule": b, "text": f"{b}: {why}", "reason": why}
                             for b, why in sol.blocking]  # fmt: skip
        extra["diagnosed"] = sol.diagnosed
        why = (f"no allocation of the {len(names)} zones satisfies the rules (proven for zones "
               f"of the {cells.cell_m:g} m grid's cells)" + _width_caveat(solver, "en"))  # fmt: skip
    else:
        why = f"no allocation found within {time_limit_s:g} s; it is not proven that none exists"
    res = RuleResult("placement", "placement", False, None, "a zone per [[zones]] meeting every rule",
                     "", why)  # fmt: skip
    return PlacementResult(False, None, [], Report([res], {}, extra), solver, estate.crs, rules,
                           estate, status)  # fmt: skip
