"""Placing the zone: the best placement under the rules, proven optimal, with alternatives.

:func:`place` runs three stages:

1. **cells** (:mod:`._cells`): the land the zone may take (``on`` parcels inside the
   boundary, minus road corridors and setback bands) is cut into ``cell_m`` squares
   clipped to it, on a grid turned to the land's edges; per cell the rule attributes
   are measured as arrays (:func:`problem_on` makes the :class:`._model.Problem`).
   Where the edge the zone must touch runs oblique to that grid, a second grid turned
   to it is searched too (:func:`_best_of_grids`);
2. **model and solve** (:mod:`._window`, :mod:`._solve`): one exact integer model on
   those arrays, solved window by window (HiGHS, a CP-SAT search beside) with bounds
   that prove the optimum, within a budget of counted work (:mod:`._work`); the best
   placement first, then each alternative with an overlap limit (:func:`_ranks`);
3. **the geometry decides**: the chosen cells are dissolved into one polygon, checked
   with :func:`kitland.check` exactly as a user would, straightened, and refined by
   moving its edges over the true geometry (:mod:`._outline`, every step checked); a
   zone that fails is cut from the model and the solve repeated (:func:`_best_at_rank`),
   so a failing zone is never returned as a success.

The score is the ``[[prefer]]`` objective: for ``near`` the area-weighted distance of the
zone's cells to the selection per nominal zone area (``Σ a_i d_i / A_nominal``, metres;
it equals the zone's mean distance when the zone has its nominal area), times ``weight``;
``far`` counts negatively; ``compact`` adds its weight per metre of perimeter. Lower is
better.

When nothing fits, the result carries the rule funnel and the relaxations that would
make a placement possible (:mod:`._diagnose`). A result's words (its summary, each
placement's proof, the funnel's lines) are :mod:`._summary`'s. ``place(start=)`` reuses an earlier
result (:mod:`._reuse`). With several zones (``[[zones]]``) :func:`place` hands over to
:mod:`._zones`, which places them together with the joint model of :mod:`._joint`.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely import Polygon

from kitland._errors import DataError, InfeasibleError, RulesError, UsageError
from kitland.estate import Estate
from kitland.i18n import Message
from kitland.placement import _reuse, _summary
from kitland.placement._cells import (
    CandidateLand,
    Cells,
    candidate_land,
    cell_attributes,
    corner_cuts,
    corner_loss_m2,
    grid_angle,
    make_cells,
    oblique_angles,
)
from kitland.placement._model import Corners, Problem, ReachAny, SumAtLeast
from kitland.placement._options import SolveOptions
from kitland.placement._outline import cut_corners, refine, straighten, vertex_count
from kitland.placement._solve import Solution, gap, solve
from kitland.placement._summary import proof_text, work_left, written_caveat
from kitland.placement._window import cuts_taken
from kitland.placement._work import Clock, Work
from kitland.report import Report, RuleResult
from kitland.rules import Rules
from kitland.validation import OnInvalid, require_valid

__all__ = [
    "Placement",
    "PlacementResult",
    "SolveOptions",
    "place",
    "preference_cost",
    "proof_text",
    "score",
    "write_placement",
    "written_caveat",
]

log = logging.getLogger(__name__)

#: How often a placement that fails ``check`` is cut and the solve repeated, per rank.
MAX_RECHECKS = 5
#: Earlier zones of a solve checked when its best fails ``check`` and no work is left.
RUNNERS_UP = 3
#: Relative safety margin on the opening loss the model allows at convex corners.
CORNER_LOSS_MARGIN = 0.01
#: Corners may be cut for ``min_width`` only when the band's smallest zone cannot afford
#: this many right-angled corners uncut (a rectangle with two steps): larger zones need
#: no cut, and the cut columns only enlarge their models.
CUT_BELOW_CORNERS = 8
#: Remnants of parcels smaller than this are dropped from the new layout, m².
SLIVER_M2 = 1.0
#: Most cells the candidate land may be cut into; a smaller ``cell_m`` is refused.
MAX_CELLS = 100_000
_SOLVER_NAME = "HiGHS MILP + OR-Tools CP-SAT"
#: An alternative's earlier placements: each returned zone with the share of an outline's
#: area it may overlap (:func:`_overlap_kept`).
Places = tuple[tuple[shapely.Geometry, float], ...]
#: A rank's start from ``place(start=)``: the previous zone's cells and a proven floor.
_Warm = tuple[NDArray[np.int64] | None, float]
#: The search past the previous proof (:mod:`._reuse`).
_Plan = _reuse.Beyond | _reuse.Setback


@dataclass(frozen=True)
class Placement:
    """One placed zone.

    Attributes
    ----------
    zone
        The zone polygon in the estate CRS.
    score
        The preference score (lower is better; 0 without ``[[prefer]]`` rules).
    rank
        1 for the best placement.
    report
        :func:`kitland.check` of the zone.
    area_ha
        Planar area.
    cells
        Indices of the grid cells the solver chose (the outline straightens them).
    status
        ``OPTIMAL`` (no zone of the grid's cells that passes the rules scores better than
        this placement; its cells need not be the grid's best zone) or
        ``FEASIBLE`` (found when time ran out; ``gap`` to the proven ``bound``).
    gap
        ``(score − bound) / |score|``; 0 when proven.
    bound
        Proven lower bound on the score of any zone of this rank made of grid cells (a
        zone that is not made of cells may score below it).
    grid_score
        The score of the cells the solver chose; ``score`` is that of the final outline,
        whose straight edges may score lower (the search stops once no zone of cells
        can beat the straightened outline: ``bound`` is then that outline's score), and
        lower still once refined over the true geometry (then ``score < bound``).
    rescued
        True when the solver's cells failed ``check`` and their straightened outline
        passed (then ``FEASIBLE``, its gap measured against the grid's bound).
    note
        Why a ``FEASIBLE`` placement is not proven, when it is not the time limit.
    name
        The zone's name when several zones were placed together (``[[zones]]``).
    grids
        When the best placement was searched on more than one turned grid: the angles
        (degrees) of the grids its status covers, its own grid first (``OPTIMAL``: no
        zone of those grids' cells scores better); empty with one grid.
    """

    zone: Polygon
    score: float
    rank: int
    report: Report
    area_ha: float
    cells: NDArray[np.int64] = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    status: str = "OPTIMAL"
    gap: float = 0.0
    bound: float = -math.inf
    grid_score: float = math.nan
    rescued: bool = False
    note: str = ""
    name: str = ""
    grids: tuple[float, ...] = ()

    @property
    def vertices(self) -> int:
        """Corners of the outline a surveyor stakes out (holes included)."""
        return vertex_count(self.zone)

    @property
    def proven(self) -> bool:
        """True when no better placement exists (solver status OPTIMAL)."""
        return self.status == "OPTIMAL"

    def to_dict(self) -> dict[str, Any]:
        """The entry of ``alternatives`` in the JSON report."""
        return {
            "rank": self.rank, "score": round(self.score, 3), "area_ha": round(self.area_ha, 4),
            "grid_score": _finite(self.grid_score, 3),
            "vertices": self.vertices, "rescued_by_outline": self.rescued,
            "passed": self.report.zone_passed,
            "status": self.status, "solver_status": self.status,
            "gap": _finite(self.gap, 6),
            **({"grids_deg": [round(a, 3) for a in self.grids]} if self.grids else {}),
            "rules": [r.to_dict() for r in self.report.results],
        }  # fmt: skip


@dataclass(frozen=True)
class PlacementResult:
    """What :func:`place` returns.

    Attributes
    ----------
    found
        True when at least one placement satisfies every rule.
    zone
        The best zone (None if none).
    alternatives
        Placements, best first (the best one included, rank 1).
    report
        The best zone's check report; its ``extra`` holds ``alternatives``, ``solver``
        and, when nothing fits, ``funnel`` and ``diagnosis``.
    solver
        ``name``, ``status``, ``gap``, ``time_s``, ``time_limit_hit``, ``cells``,
        ``grid_m``, ``placements`` (rank, status, gap of each placement returned).
    crs
        The estate CRS.
    status
        ``OPTIMAL`` or ``FEASIBLE`` (the best placement's), ``INFEASIBLE`` (proven: no
        zone of the grid's cells satisfies the rules) or ``UNDECIDED`` (time ran out
        before either was found).
    zones
        With several zones (``[[zones]]``): one placement per zone, in the rules file's
        order (``name`` set; ``zone`` is then None and ``report`` a
        :class:`~kitland.report.ZonesReport`). Empty for one zone.
    """

    found: bool
    zone: Polygon | None
    alternatives: list[Placement]
    report: Report
    solver: dict[str, Any]
    crs: Any = None
    rules: Rules | None = field(default=None, repr=False)
    estate: Estate | None = field(default=None, repr=False)
    status: str = "OPTIMAL"
    zones: tuple[Placement, ...] = ()
    #: What ``place(start=this)`` reuses (:class:`._reuse.Previous`).
    previous: _reuse.Previous | None = field(default=None, repr=False)

    def summary(self, lang: str = "en") -> str:
        """A few lines for the terminal: each placement with its own status, or why none
        (:func:`._summary.summary`)."""
        return _summary.summary(self, lang)

    def caveat(self, lang: str = "en", *, short: bool = False) -> str:
        """What the proof does not cover, in ``lang`` (:func:`._summary.caveat`): under
        ``min_width``, zones with narrower parts that would still pass ``check``; "" when
        it covers every zone of the grid's cells. ``short``: the line a map shows."""
        return _summary.caveat(self, lang, short=short)

    def __repr__(self) -> str:
        return self.summary()

    def explore(self, **kwargs: Any) -> Any:
        """The meeting map of this result: the zone, its rule results and the alternatives.

        Keyword arguments go to :func:`kitland.maps.make_map` (``lang``, ``offline``, …).

        Raises
        ------
        DataError
            If the result holds no estate (it was built by hand).
        """
        from kitland.maps import make_map  # noqa: PLC0415 - maps sit above placement

        if self.estate is None:
            msg = Message("this placement result holds no estate to draw; use "
                          "kitland.make_map(estate, ...)")  # fmt: skip
            raise DataError(msg)
        kwargs.setdefault("rules", self.rules)
        kwargs.setdefault("caveat", self.caveat(kwargs.get("lang", "id"), short=True))
        if self.zones:  # several zones: each drawn with its name, no alternatives
            return make_map(self.estate, zones=self.zones, **kwargs)
        grid_m = self.solver.get("grid_m")
        kwargs.setdefault("statuses", [proof_text(p, grid_m, kwargs.get("lang", "id"))
                                       for p in self.alternatives])  # fmt: skip
        return make_map(
            self.estate,
            zone=self.zone,
            report=self.report if self.found else None,
            alternatives=self.alternatives[1:],
            **kwargs,
        )

    map = explore

    def _repr_html_(self) -> str:
        return _summary.html_table(self)


def _as_inputs(estate: Any, rules: Any) -> tuple[Estate, Rules]:
    """The estate and rules, loaded first when given as paths (as in a notebook)."""
    if isinstance(estate, str | os.PathLike):
        from kitland.estate import load_estate  # noqa: PLC0415

        estate = load_estate(estate)
    if isinstance(rules, str | os.PathLike):
        from kitland.rules import load_rules  # noqa: PLC0415

        rules = load_rules(rules)
    if not isinstance(estate, Estate):
        msg = Message("estate: expected an Estate (kitland.load_estate) or a path, got {type}",
                      {"type": type(estate).__name__})  # fmt: skip
        raise UsageError(msg)
    if not isinstance(rules, Rules):
        msg = Message("rules: expected Rules (kitland.load_rules) or a path, got {type}",
                      {"type": type(rules).__name__})  # fmt: skip
        raise UsageError(msg)
    return estate, rules


# -- front end: rules → arrays ----------------------------------------------------------
def build_problem(
    estate: Estate, rules: Rules, *, cell_m: float
) -> tuple[CandidateLand, Cells, Problem]:
    """Candidate land, its cells and the array problem for ``rules``.

    Optional rules whose selectors match nothing on ``estate`` are left out of the model
    (:meth:`Rules.applicable`).

    Raises
    ------
    RulesError
        If the rules have no ``[zone]`` table, or selectors of rules that are not
        optional match nothing (all listed at once).
    UsageError
        If ``cell_m`` would make more than :data:`MAX_CELLS` cells.
    """
    return _build(estate, rules, cell_m=cell_m)[:3]


def _cut(allowed: shapely.Geometry, cell_m: float) -> Cells:
    """The cells of ``allowed`` (on the grid :func:`grid_angle` turns to its edges)."""
    _check_cell_count(allowed, cell_m)
    return make_cells(allowed, cell_m=cell_m, angle_deg=grid_angle(allowed))


def _build(
    estate: Estate, rules: Rules, *, cell_m: float
) -> tuple[CandidateLand, Cells, Problem, str]:
    """:func:`build_problem`, the cells and attributes from the cache when their content
    was seen before (:mod:`._reuse`), and the hash of what else the problem depends on."""
    zone = rules.zone
    if zone is None:
        msg = Message("{source}: has no [zone] table; placing needs the zone's area and land",
                      {"source": rules.source or "rules"})  # fmt: skip
        raise RulesError(msg)
    rules = rules.applicable(estate)  # every selector checked at once; optional ones may drop
    land, cells, attrs, shape = _reuse.cells_and_attributes(
        estate, rules, cell_m=cell_m, land_of=lambda: candidate_land(estate, rules),
        cut=lambda land: _cut(land.allowed, cell_m),
    )  # fmt: skip
    return land, cells, problem_on(estate, rules, cells, attrs=attrs), shape


def problem_on(
    estate: Estate,
    rules: Rules,
    cells: Cells,
    *,
    attrs: dict[str, NDArray[np.float64]] | None = None,
    cut_corners: bool = True,
) -> Problem:
    """The array problem of ``rules`` (one zone, applicable on ``estate``) on ``cells``.

    :func:`build_problem` cuts the zone's own land into cells; several zones share one
    set of cells cut from their lands together (:mod:`._zones`). ``attrs`` are the
    cells' rule attributes when already known (the cache of :mod:`._reuse`). With
    ``cut_corners`` the zone's convex corners may be cut for ``min_width`` where its
    smallest area needs it (:func:`_needs_cuts`, :func:`_corners`).
    """
    zone = rules.zone
    assert zone is not None
    cell_m = cells.cell_m
    if attrs is None:
        attrs = cell_attributes(estate, rules, cells)
    sums, reach = [], []
    min_c: float | None = None
    width, width_m = 1, 0.0
    for rule in rules.rules:
        if rule.kind == "adjacent":
            sums.append(SumAtLeast(rule.id, attrs[rule.id], float(rule["min_shared_m"])))
        elif rule.kind == "frontage":
            sums.append(SumAtLeast(rule.id, attrs[rule.id], float(rule["min_m"])))
        elif rule.kind in ("distance", "network_distance"):
            lim = float(rule["max_m"])
            d = attrs[rule.id]
            reach.append(ReachAny(rule.id, d <= lim - 1e-6, d, lim))
        elif rule.kind == "compactness":
            c = float(rule["min"])
            min_c = c if min_c is None else max(min_c, c)
        elif rule.kind == "min_width":
            w = float(rule["min_m"])
            width = max(width, math.ceil(w / cell_m - 1e-9))
            width_m = max(width_m, w)
    cost, boundary_weight = preference_cost(rules, cells, attrs)
    return Problem(
        area_m2=cells.area_m2, perimeter_m=cells.perimeter_m, cost=cost, row=cells.row, col=cells.col,
        cell_m=cell_m, edges=cells.edges, shared_m=cells.shared_m,
        min_area_m2=zone.min_ha * 1e4, max_area_m2=zone.max_ha * 1e4, sums=tuple(sums),
        reach=tuple(reach), min_compactness=min_c, width_cells=width,
        corners=_corners(cells, width_m, cut_corners and _needs_cuts(zone.min_ha * 1e4, width_m))
        if width_m > 0 else None,
        boundary_weight=boundary_weight,
    )  # fmt: skip


def preference_cost(
    rules: Rules, cells: Cells, attrs: dict[str, NDArray[np.float64]]
) -> tuple[NDArray[np.float64], float]:
    """The ``[[prefer]]`` objective on ``cells``: each cell's cost and the perimeter weight.

    ``near`` costs ``weight · a_i · d_i / A_nominal`` per cell (``d_i`` from ``attrs``),
    ``far`` the same negated; ``compact`` adds its weight per metre of the zone's
    perimeter. A zone's score is the sum over what it covers (:func:`zone_score`).
    """
    assert rules.zone is not None
    a_nom = rules.zone.area_ha * 1e4
    cost = np.zeros(len(cells))
    boundary_weight = 0.0
    for rule in rules.prefer:
        if rule.kind == "compact":
            boundary_weight += float(rule["weight"])
            continue
        sign = -1.0 if rule.kind == "far" else 1.0
        cost += sign * float(rule.get("weight", 1.0)) * cells.area_m2 * attrs[rule.id] / a_nom
    return cost, boundary_weight


def score(
    estate: Estate | str | os.PathLike[str],
    zone: Any,
    rules: Rules | str | os.PathLike[str],
    *,
    cell_m: float = 25.0,
) -> float:
    """The preference score of any zone, by the definition :func:`place` optimises.

    The zone is scored on the ``cell_m`` grid :func:`place` cuts, as :func:`zone_score`
    scores a placement; parts of it outside the candidate land (a drawn zone may cross a
    road) are cut into cells of their own on the same grid angle, so every square metre
    counts. For a zone :func:`place` returned, the result is its ``score``. Lower is
    better; 0 without ``[[prefer]]`` rules.

    Parameters
    ----------
    estate, rules
        As for :func:`place` (objects or paths); ``rules`` needs a ``[zone]`` table
        (the nominal area divides the score).
    zone
        A shapely geometry in the estate's CRS, a GeoDataFrame/GeoSeries with a CRS, or
        a path to a zone file (read as ``kitland check --zone`` reads it).
    cell_m
        The grid :func:`place` used (its ``--cell-m``, default 25 m).

    Raises
    ------
    RulesError
        If the rules have no ``[zone]`` table.
    DataError
        If the zone is empty, not polygonal or has no CRS.
    UsageError
        If ``cell_m`` is not a positive number, or would cut the land and the zone into
        more than :data:`MAX_CELLS` cells.

    Examples
    --------
    >>> import kitland
    >>> from shapely import box
    >>> est = kitland.load_estate()
    >>> x, y = est.boundary.geometry.iloc[0].representative_point().coords[0]
    >>> round(score(est, box(x, y, x + 500, y + 400), kitland.load_rules()), 1) > 0
    True
    """
    from kitland.measure import as_zone  # noqa: PLC0415 - placement sits above measuring

    estate, rules = _as_inputs(estate, rules)
    if rules.zone is None:
        msg = Message("{source}: has no [zone] table; a score needs its nominal area",
                      {"source": rules.source or "rules"})  # fmt: skip
        raise RulesError(msg)
    if isinstance(zone, str | os.PathLike):
        from kitland.io import read_zone  # noqa: PLC0415

        zone = read_zone(zone)
    geom = as_zone(zone, estate)
    _check_cell_m(cell_m)
    rules = rules.applicable(estate)
    prefer_only = Rules(rules.zone, (), (), rules.prefer, rules.source)
    if all(r.kind == "compact" for r in rules.prefer):  # no cell costs: no grid needed
        _, weight = preference_cost(prefer_only, make_cells(shapely.Polygon(), cell_m=cell_m), {})
        return weight * float(geom.length)
    land = candidate_land(estate, rules)
    _check_cell_count(shapely.union(land.allowed, geom), float(cell_m))
    angle = grid_angle(land.allowed)
    cells = make_cells(land.allowed, cell_m=float(cell_m), angle_deg=angle, within=geom)
    cost, weight = preference_cost(prefer_only, cells, cell_attributes(estate, prefer_only, cells))
    total = _covered_cost(cells, cost, geom) + weight * float(geom.length)
    outside = shapely.difference(geom, land.allowed)
    if not outside.is_empty and outside.area > 0:
        extra = make_cells(outside, cell_m=float(cell_m), angle_deg=angle)
        attrs = cell_attributes(estate, prefer_only, extra)
        total += float(preference_cost(prefer_only, extra, attrs)[0].sum())
    return total


def _covered_cost(
    cells: Cells, cost: NDArray[np.float64], zone: shapely.Geometry,
    tree: shapely.STRtree | None = None,
) -> float:  # fmt: skip
    """Each cell's cost in proportion to the share of it ``zone`` covers, summed (``tree``:
    an index of ``cells.geoms`` that finds the cells ``zone`` touches faster)."""
    idx, share = _covered(cells, zone, tree)
    return float((share * cost[idx]).sum())


def _covered(
    cells: Cells, zone: shapely.Geometry, tree: shapely.STRtree | None = None
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The cells ``zone`` touches and the share of each it covers (``tree``: an index of
    ``cells.geoms``, as :func:`_covered_cost` takes it)."""
    idx = (
        np.flatnonzero(shapely.intersects(cells.geoms, zone))
        if tree is None
        else tree.query(zone, predicate="intersects")
    )
    return idx, shapely.area(shapely.intersection(cells.geoms[idx], zone)) / cells.area_m2[idx]


def _check_cell_count(allowed: shapely.Geometry, cell_m: float) -> None:
    """Refuse a ``cell_m`` that would cut ``allowed`` into more than :data:`MAX_CELLS` cells
    (counted on its area and on its bounding box, before any cell is made), naming the
    smallest size that would do."""
    if allowed.is_empty:
        return
    x0, y0, x1, y1 = allowed.bounds
    box_m2 = max(x1 - x0, cell_m) * max(y1 - y0, cell_m)
    area_m2 = float(allowed.area)
    cells = area_m2 / cell_m**2
    if cells <= MAX_CELLS and box_m2 / cell_m**2 <= 20 * MAX_CELLS:
        return
    need = max(math.sqrt(area_m2 / MAX_CELLS), math.sqrt(box_m2 / (20 * MAX_CELLS)))
    need = math.ceil(need * 10) / 10
    msg = Message("cell_m={cell_m}: the {ha:,.1f} ha of candidate land would make about "
                  "{cells:,.0f} cells (at most {most:,}); use a cell size of at least {need:g} m "
                  "(--cell-m {arg})", {"cell_m": f"{cell_m:g}", "ha": area_m2 / 1e4, "cells": cells,
                                      "most": MAX_CELLS, "need": need, "arg": f"{need:g}"})  # fmt: skip
    raise UsageError(msg)


def _needs_cuts(min_area_m2: float, width_m: float) -> bool:
    """May the zone's corners be cut? Only when the ``min_width`` allowance of the band's
    smallest zone holds fewer than :data:`CUT_BELOW_CORNERS` right-angled corners, each
    losing :func:`._cells.corner_loss_m2` to the opening (r = ``width_m`` / 2).

    >>> _needs_cuts(5e4, 60.0), _needs_cuts(10e4, 60.0), _needs_cuts(20e4, 60.0)
    (True, True, False)
    """
    from kitland.measure import MIN_WIDTH_LOSS_PCT  # noqa: PLC0415 - one threshold for both

    corner = float(corner_loss_m2(math.pi / 2, width_m / 2))
    return MIN_WIDTH_LOSS_PCT / 100 * min_area_m2 < CUT_BELOW_CORNERS * corner


def _corners(cells: Cells, width_m: float, cut: bool) -> Corners:
    """The model's account of the ``min_width`` opening loss (see :class:`._model.Corners`),
    with ``cut`` the corners' cuts (:func:`._cells.corner_cuts`).

    Each corner's loss is inflated by :data:`CORNER_LOSS_MARGIN` and the allowed share
    deflated by it, so float noise and polygonised buffers in :func:`kitland.check`
    cannot turn a zone the model accepts into one the check rejects.
    """
    from kitland.measure import MIN_WIDTH_LOSS_PCT  # noqa: PLC0415 - one threshold for both

    cell, across, loss, cuts = corner_cuts(cells, radius_m=width_m / 2)
    share = MIN_WIDTH_LOSS_PCT / 100 / (1 + CORNER_LOSS_MARGIN)
    return Corners(cell, across, loss * (1 + CORNER_LOSS_MARGIN), share, cuts if cut else None)


def _calibrate_width(
    prob: Problem, report: Report, rules: Rules, chosen: NDArray[np.int64]
) -> Problem:
    """After a zone failed ``min_width``: scale the corners' share by what check measured.

    The corner charge is exact for corners with long straight edges; short steps where
    clipped cells meet a slanted border can make the opening take more. The measured
    loss of the failed zone tells by how much, so the next solve asks for that much less.
    """
    if prob.corners is None:
        return prob
    widths = [r for r in rules.rules if r.kind == "min_width"]
    res = [report[r.id] for r in widths]
    failed = [float(r.value) for r in res if not r.passed and r.value is not None]
    if not failed:
        return prob
    sel = np.zeros(len(prob), dtype=bool)
    sel[chosen] = True
    taken = float(shapely.area(shapely.polygons(cuts_taken(prob, chosen))).sum())
    charged = prob.corners.loss(sel) / (1 + CORNER_LOSS_MARGIN) - taken
    area = float(prob.area_m2[chosen].sum()) - taken
    measured = max(failed) / 100 * area
    if charged <= 0 or measured <= charged:
        return prob
    share = prob.corners.share * charged / measured / (1 + CORNER_LOSS_MARGIN)
    log.info("min_width: the opening took %.0f m² where the model counted %.0f m²; "
             "asking for %.3f %% instead of %.3f %%", measured, charged, 100 * share,
             100 * prob.corners.share)  # fmt: skip
    return replace(prob, corners=replace(prob.corners, share=share))


def zone_of(cells: Cells, prob: Problem, chosen: NDArray[np.int64]) -> Polygon:
    """The zone of the chosen cells: :func:`dissolve` d, with the corners cut that the
    width rule's corner budget needs (:func:`._window.cuts_taken`)."""
    zone = dissolve(cells, chosen)
    if not isinstance(zone, Polygon):
        return zone
    return cut_corners(zone, cuts_taken(prob, chosen))


def dissolve(cells: Cells, chosen: NDArray[np.int64]) -> Polygon:
    """The zone polygon: the chosen cells united, seams and pin-holes removed."""
    g = shapely.union_all(cells.geoms[chosen])
    if not isinstance(g, Polygon) or any(shapely.area(Polygon(r)) < 1.0 for r in g.interiors):
        g = shapely.buffer(shapely.buffer(g, 0.01, join_style="mitre"), -0.01, join_style="mitre")
    if isinstance(g, Polygon):
        holes = [r for r in g.interiors if Polygon(r).area >= 1.0]
        g = Polygon(g.exterior, holes)
    elif g.geom_type == "MultiPolygon":
        parts = sorted(shapely.get_parts(g), key=lambda p: -p.area)
        if parts[1].area < 1.0:  # only seam dust besides the zone
            g = parts[0]
    return shapely.normalize(shapely.simplify(g, 0.0))


def _finite(x: float, digits: int) -> float | None:
    """``x`` rounded to ``digits`` for the report, None when it is not finite."""
    return round(x, digits) if math.isfinite(x) else None


def _stable(solver: dict[str, Any]) -> dict[str, Any]:
    """Solver facts for the JSON report: wall time is left out so reports are reproducible."""
    return {k: v for k, v in solver.items() if k != "time_s"}


@dataclass
class _Attempts:
    """What the solves behind one rank found: the best zone, its proof, and why not."""

    placement: Placement | None = None
    #: Least proven lower bound of the score of any zone that passes ``check``.
    bound: float = -math.inf
    #: True while every "no zone" answer so far is a proof (no heuristic tightening).
    exact: bool = True
    #: True when a solve ended before its proof (for any reason).
    timed_out: bool = False
    #: True when the budget or the wall clock ended it, or the work left could not pay
    #: for the least CP-SAT run (``SolveOptions.cpsat_least_s``): ``time_limit_hit``.
    budget_hit: bool = False
    proven_infeasible: bool = False
    failures: list[dict[str, Any]] = field(default_factory=list)


def _progress_cb(progress: Any, stage: str, deadline: float, **info: Any) -> None:
    if progress is not None:
        progress({"stage": stage, "time_left_s": max(0.0, deadline - time.monotonic()), **info})


def _bands(prob: Problem, target_m2: float) -> list[Problem]:
    """The area bands to try in turn: zones of at least the target area first (a zone
    below it is placed only when none that large fits), then the whole band."""
    if prob.min_area_m2 < target_m2 - 1.0 <= prob.max_area_m2:
        # The solver keeps areas a hair inside the band; a zone of exactly the target
        # area (whole cells often make one) must stay in.
        return [replace(prob, min_area_m2=target_m2 - 1.0), prob]
    return [prob]


def _best_at_rank(
    s: _Search, cells: Cells, prob: Problem, *, rank: int, work: Work, warm: _Warm | None = None,
    beyond: _Plan | None = None, apart: Places = (),
) -> _Attempts:  # fmt: skip
    """The best zone of ``prob`` (on ``cells``) that passes ``check``, with what is proven
    about it, spending at most ``work`` (an alternative's first solve runs its warm starts
    even when none is left).

    ``warm``: a starting zone and a proven floor for the first area band (−inf: none).
    ``beyond``: the first solve searches only past the previous proof
    (:func:`._reuse.solve_beyond`). ``apart``: an alternative's earlier placements, whose
    overlap limit every outline keeps (:func:`_overlap_kept`) as its cells keep
    ``prob.avoid``. A zone that fails ``check`` is cut (a no-good) and the solve repeated.
    """
    out = _Attempts()
    opts = s.options or SolveOptions()
    outlines = _Outlines(s.estate, s.rules, cells, s.land, prob, apart, opts,
                         refine=len(cells) >= opts.refine_search_cells)  # fmt: skip
    bands = _bands(prob, s.target_m2)
    current, band_i = bands[0], 0
    first, below = warm if warm is not None else (None, -math.inf)
    deadline = work.clock.deadline

    def told(stage: str, **info: Any) -> None:
        _progress_cb(s.progress, stage, deadline, rank=rank, **info)

    def on_progress(best: float, bound: float) -> None:
        told("solving", best=best, bound=bound)

    for attempt in range(MAX_RECHECKS + len(bands)):
        # An alternative's first solve runs even with no work left: its warm starts may
        # still give a zone (FEASIBLE, gap stated), better than none.
        if work.done and (attempt > 0 or rank == 1):
            out.timed_out = out.budget_hit = True
            break
        told("solving")
        outlines.band = (current.min_area_m2, current.max_area_m2)
        if beyond is not None and attempt == 0:  # a zone set aside: the full search after
            sol = _reuse.solve_beyond(current, beyond, options=s.options, work=work.part(),
                                      on_progress=on_progress, outline=outlines)  # fmt: skip
        else:
            sol = solve(current, options=s.options, work=work.part(), start=first,
                        floor=below if band_i == 0 else -math.inf, on_progress=on_progress,
                        outline=outlines)  # fmt: skip
        if sol.status == "UNKNOWN" or (sol.found and sol.status != "OPTIMAL"):
            out.timed_out = True
            out.budget_hit = out.budget_hit or work.done or work.left < opts.cpsat_least_s
        if not sol.found or sol.cells is None:
            if sol.status == "INFEASIBLE" and band_i + 1 < len(bands):
                band_i += 1  # nothing of the target area: the whole band
                # with the no-goods and width calibration learnt on the target area
                current = replace(bands[band_i], nogoods=current.nogoods, corners=current.corners)
                out.bound = -math.inf
                continue
            out.proven_infeasible = sol.status == "INFEASIBLE" and out.exact
            return out
        if out.exact:  # nogoods only cut zones that fail check: the bound still holds
            out.bound = max(out.bound, sol.bound)
        told("checking", best=sol.objective)
        zone = zone_of(cells, current, sol.cells)
        report = outlines.checked(zone)
        if report is not None and report.zone_passed:
            told("outline", best=sol.objective)
            out.placement = _finish(outlines, sol, zone, report, rank, out)
            return out
        failed = [r.id for r in report.failed if r.scope == "zone"] if report else ["contiguous"]
        # Straight edges may pass where the cells' staircase did not (its corners cost
        # min_width area): any passing outline, whatever its score.
        rescued = (outlines.straightened(zone, ceiling=math.inf, max_accept_calls=6)
                   if report is not None else None)  # fmt: skip
        if rescued is not None:
            outline, rep = outlines.refined(*rescued)
            got = zone_score(prob, cells, outline)
            out.placement = _placed(outline, rep, rank, sol, out, got, proof=got, rescued=True)
            out.failures.append({"rank": rank, "failed": failed, "rescued_by_outline": True})
            return out
        out.failures.append({"rank": rank, "failed": failed})
        if work.done:  # no work to solve again: the search's earlier zones, best first
            for cells_ in sol.runners_up[:RUNNERS_UP]:
                z = zone_of(cells, current, cells_)
                seen = outlines.checked(z)
                if seen is not None and seen.zone_passed:
                    alt = replace(sol, cells=cells_, objective=current.objective(cells_),
                                  status="FEASIBLE")  # fmt: skip
                    told("outline", best=alt.objective)
                    out.placement = _finish(outlines, alt, z, seen, rank, out)
                    return out
        log.info("placement rank %d failed check (%s); excluding it and solving again",
                 rank, ", ".join(failed))  # fmt: skip
        current = current.with_nogood(sol.cells)
        if report is not None:
            tighter = _calibrate_width(current, report, s.rules, sol.cells)
            out.exact = out.exact and tighter is current
            current = tighter
    return out


def _warm(
    start: PlacementResult | None, estate: Estate, shape: str, cells: Cells, band: Problem
) -> dict[int, _Warm]:
    """Per rank, the previous result's zone on ``cells`` and, for rank 1, the floor its
    proof gives the first area band ``band`` (:func:`._reuse.floor`)."""
    if start is None or start.crs is None or not estate.crs.equals(start.crs):
        return {}
    prev = start.previous
    out: dict[int, _Warm] = {}
    for p in start.alternatives:
        first = _reuse.start_cells(p.zone, p.cells, prev.cells if prev else None, cells)
        below = -math.inf
        if p.rank == 1 and prev is not None and first is not None:
            below = _reuse.floor(prev, shape, cells, band, first, p.bound)
        out[p.rank] = (first, below)
    return out


def _beyond(
    start: PlacementResult | None, warm: dict[int, _Warm], shape: str, cells: Cells,
    band: Problem, *, frame: str = "", rules: Rules | None = None,
) -> _Plan | None:  # fmt: skip
    """The search past the previous proof when the rules only relaxed
    (:func:`._reuse.plan_beyond`) or only a setback distance of ``rules`` moved
    (:func:`._reuse.plan_setback`; ``frame`` is :func:`._reuse.frame` of the new input)."""
    if start is None or start.previous is None or not start.alternatives:
        return None
    best, first = start.alternatives[0], warm.get(1, (None, 0.0))[0]
    bound = min(best.grid_score, best.bound)
    plan = _reuse.plan_beyond(start.previous, shape, cells, band, first, status=best.status,
                              bound=bound)  # fmt: skip
    if plan is None and rules is not None and start.previous.shape != shape:
        return _reuse.plan_setback(start.previous, frame, cells, band, best.cells,
                                   status=best.status, bound=bound, start=first,
                                   names=tuple(_reuse.moved_setbacks(start.rules, rules)))  # fmt: skip
    return plan


def _start_facts(
    warm: dict[int, _Warm], start: PlacementResult, shape: str, cells: Cells, band: Problem,
    beyond: _Plan | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``solver.start``: what the previous result gave: a starting zone, a proven floor
    (the rules tightened) or a ceiling (they only relaxed), the rules past whose old
    thresholds alone the search went (``beyond``, :func:`._reuse.beyond`), and the
    facts of a setback what-if (``setback``, :func:`._reuse.plan_setback`)."""
    first, below = warm.get(1, (None, -math.inf))
    prev = start.previous
    relaxed = (first is not None and prev is not None and bool(start.alternatives)
               and _reuse.relaxes(prev, shape, cells, band))  # fmt: skip
    return {"zone_offered": first is not None,
            "tightened": math.isfinite(below), "floor": _finite(below, 6),
            "relaxed": relaxed,
            "ceiling": round(start.alternatives[0].grid_score, 6) if relaxed else None,
            "beyond": beyond.names if isinstance(beyond, _reuse.Beyond) else None,
            "setback": beyond.facts() if isinstance(beyond, _reuse.Setback) else None}  # fmt: skip


def _finish(
    o: _Outlines, sol: Solution, zone: Polygon, report: Report, rank: int, at: _Attempts
) -> Placement:
    """The placement of a zone that passed ``check``: its straightened and refined outline
    (as ``o`` made it during the search, when it did), with its status and gap against the
    bound ``at`` proved (:func:`_placed`)."""
    assert sol.cells is not None
    key = sol.cells.tobytes()
    taken = o.found.get(key) if o.refine else None
    if taken is not None:  # refined when the search took it
        outline, report = taken
    else:
        straight = o.found[key] if key in o.found else o.straightened(zone)
        outline, report = o.refined(*(straight or (zone, report)))
    got = zone_score(o.prob, o.cells, outline)
    proof = min(got, sol.objective)
    note = (
        ""
        if _reaches(proof, at.bound, at.exact) or sol.status != "OPTIMAL"
        else "proven only for the width model as tightened after a zone failed check"
    )
    return _placed(outline, report, rank, sol, at, got, proof=proof, note=note)


def _placed(
    outline: Polygon, report: Report, rank: int, sol: Solution, at: _Attempts, score_: float,
    *, proof: float, **kw: Any,
) -> Placement:  # fmt: skip
    """The placement of ``outline`` (scoring ``score_``) made from ``sol``'s cells:
    ``OPTIMAL`` when ``proof``, the score its status rests on, reaches the bound ``at``
    proved (:func:`_reaches`), else ``FEASIBLE`` with its gap to it."""
    assert sol.cells is not None
    proven = _reaches(proof, at.bound, at.exact)
    return Placement(outline, score_, rank, report, float(outline.area) / 1e4, sol.cells,
                     "OPTIMAL" if proven else "FEASIBLE", 0.0 if proven else gap(proof, at.bound),
                     at.bound, grid_score=sol.objective, **kw)  # fmt: skip


@dataclass
class _Outlines:
    """The outlines of one rank's zones of ``cells`` (``prob``): straightened
    (:meth:`straightened`) and refined over the true geometry (:meth:`refined`), each
    checked against ``rules`` on ``estate`` and keeping the overlap limit against the
    earlier placements ``apart`` (:func:`_overlap_kept`)."""

    estate: Estate
    rules: Rules
    cells: Cells
    land: CandidateLand
    prob: Problem
    apart: Places = ()
    options: SolveOptions = field(default_factory=SolveOptions)
    refine: bool = False
    band: tuple[float, float] = (0.0, math.inf)
    found: dict[bytes, tuple[Polygon, Report] | None] = field(default_factory=dict)
    reports: dict[bytes, Report] = field(default_factory=dict)

    def __call__(self, chosen: NDArray[np.int64]) -> float | None:
        """The search's ``outline`` (:func:`._solve.solve`): the score of the zone's
        straightened (with ``refine``, also refined) outline when the zone and it pass
        ``check``'s zone rules and it scores below the zone, else None; kept in ``found``."""
        key = chosen.tobytes()
        if key not in self.found:
            zone = zone_of(self.cells, self.prob, chosen)
            if not isinstance(zone, Polygon) or not self.accept(zone, apart=False):
                return None
            got = self.straightened(zone)
            if self.refine:
                got = self.refined(*(got or (zone, self.reports[zone.wkb])))
                got = None if got[0] is zone else got  # nothing passed below the zone
            self.found[key] = got
        got = self.found[key]
        return None if got is None else zone_score(self.prob, self.cells, got[0])

    def accept(self, z: Polygon, *, apart: bool = True) -> bool:
        """``check``'s zone rules as an ``accept`` for the outline steps (the layout rules
        judge the master plan, the same for every outline), refusing first (``apart``) an
        outline that breaks the overlap limit; the reports kept by outline."""
        from kitland.measure import check  # noqa: PLC0415 - placement sits above measuring

        if apart and not _overlap_kept(z, self.apart):
            return False
        # "warn": place() validated the estate on entry and applied the caller's policy.
        rep = check(self.estate, z, replace(self.rules, layout=()), on_invalid="warn")
        self.reports[z.wkb] = rep
        return rep.zone_passed

    def final(self, best: Polygon) -> tuple[Polygon, Report]:
        """``best`` (accepted) with coordinates rounded to the centimetre when that still
        passes, and its full report (the layout rules added)."""
        from kitland.measure import check  # noqa: PLC0415

        rounded = shapely.set_precision(best, 0.01)
        if isinstance(rounded, Polygon) and rounded.is_valid and self.accept(rounded):
            best = rounded
        rep = self.reports[best.wkb]
        if self.rules.layout:
            layout = check(self.estate, None, self.rules, on_invalid="warn").results
            rep = Report([*rep.results, *layout], rep.zone, rep.extra)
        return best, rep

    def checked(self, zone: Polygon) -> Report | None:
        """:func:`kitland.check` of a zone of cells; None when they are not one polygon."""
        from kitland.measure import check  # noqa: PLC0415 - placement sits above measuring

        if not isinstance(zone, Polygon):
            return None
        # "warn": place() validated the estate on entry and applied the caller's policy.
        return check(self.estate, zone, self.rules, on_invalid="warn")

    def straightened(
        self, zone: Polygon, *, ceiling: float | None = None, max_accept_calls: int = 12
    ) -> tuple[Polygon, Report] | None:
        """The best outline with straight edges that passes ``check``
        (:func:`._outline.straighten`, scoring below ``ceiling``, by default below the
        zone) and keeps the overlap limit, coordinates rounded to the centimetre when that
        still passes, and its full report (:meth:`final`); None when none passes."""
        best = straighten(zone, allowed=self.land.allowed, cell_m=self.cells.cell_m,
                          angle_deg=self.cells.angle_deg, accept=self.accept,
                          score=lambda z: zone_score(self.prob, self.cells, z),
                          ceiling=ceiling, max_accept_calls=max_accept_calls)  # fmt: skip
        return None if best is zone else self.final(best)

    def refined(self, zone: Polygon, report: Report) -> tuple[Polygon, Report]:
        """``zone`` (which passes ``check``) with its edges moved over the true geometry to
        a lower score (:func:`._outline.refine`, area in ``band``, at most
        ``SolveOptions.refine_checks`` checks), and its report; ``zone`` and ``report``
        themselves when no move passes. A move passes :meth:`accept` and
        :func:`_model_rows_hold` (the model's rows ``check`` does not judge)."""
        if self.options.refine_checks == 0:
            return zone, report
        cells, prob = self.cells, self.prob
        tree = shapely.STRtree(cells.geoms)

        def accept(z: Polygon) -> bool:
            return _model_rows_hold(prob, cells, z, tree) and self.accept(z)

        try:
            best = refine(zone, allowed=self.land.allowed, area_m2=self.band, step_m=cells.cell_m,
                          cost=lambda g: _covered_cost(cells, prob.cost, g, tree),
                          perimeter_weight=prob.boundary_weight, accept=accept,
                          max_accept_calls=self.options.refine_checks)  # fmt: skip
        except shapely.errors.GEOSException as err:  # a topology failure: the outline as it was
            log.warning("outline refinement stopped by GEOS (%s); the straightened outline kept",
                        err)  # fmt: skip
            return zone, report
        if best is zone:
            return zone, report
        out, rep = self.final(best)  # checks the outline rounded to the centimetre
        gained = zone_score(prob, cells, out) <= zone_score(prob, cells, zone)
        return (out, rep) if gained and _model_rows_hold(prob, cells, out, tree) else (zone, report)


def _reaches(score: float, bound: float, exact: bool) -> bool:
    """Whether a zone scoring ``score`` is proven optimal on the grid: ``bound`` is a proven
    lower bound on the score of every zone of the grid's cells that passes the rules
    (``exact``: no heuristic tightening made it one of a smaller set) and the zone scores
    no more. The zone need not be made of cells: a straightened outline that scores at
    most the bound is at least as good as every zone of cells.

    Examples
    --------
    >>> _reaches(99.0, 100.0, True), _reaches(101.0, 100.0, True), _reaches(99.0, 100.0, False)
    (True, False, False)
    """
    return exact and score <= bound + 1e-9 * max(1.0, abs(score))


def _model_rows_hold(prob: Problem, cells: Cells, zone: Polygon, tree: shapely.STRtree) -> bool:
    """Whether ``zone`` keeps the rows of ``prob`` that ``check`` does not judge, each cell
    counted in proportion to the share of it ``zone`` covers: the overlap with
    ``place(near=)`` (a sum in m²) and with the better placements (``avoid``)."""
    idx, share = _covered(cells, zone, tree)
    if any(float((r.coef[idx] * share).sum()) < r.min_value for r in prob.sums if r.unit == "m²"):
        return False
    covered = cells.area_m2[idx] * share
    return all(float(covered[np.isin(idx, prev)].sum()) <= limit * float(zone.area)
               for prev, limit in prob.avoid)  # fmt: skip


def _overlap_kept(zone: shapely.Geometry, places: Places) -> bool:
    """True when ``zone`` overlaps each earlier place ``(geometry, share)`` by at most that
    share of its own area (1 m² of slack): the overlap limit of an alternative's outline.

    Examples
    --------
    >>> from shapely import box
    >>> z = box(0, 0, 100, 100)
    >>> _overlap_kept(z, [(box(75, 0, 200, 100), 0.25)]), _overlap_kept(z, [(box(70, 0, 200, 100), 0.25)])
    (True, False)
    """
    area = float(zone.area)
    return all(
        float(shapely.intersection(zone, g).area) <= share * area + 1.0 for g, share in places
    )


def zone_score(prob: Problem, cells: Cells, zone: Polygon) -> float:
    """The score of any zone polygon, as the model scores cell sets: each cell's cost
    in proportion to the share of it the zone covers, plus the compact preference's
    weight times the zone's perimeter. For a zone made of whole cells it equals
    :meth:`._model.Problem.objective`."""
    return _covered_cost(cells, prob.cost, zone) + prob.boundary_weight * float(zone.length)


def place(
    estate: Estate | str | os.PathLike[str],
    rules: Rules | str | os.PathLike[str],
    *,
    alternatives: int = 1,
    cell_m: float = 25.0,
    time_limit_s: float = 60.0,
    max_overlap: float = 0.25,
    progress: Any = None,
    on_invalid: OnInvalid = "raise",
    options: SolveOptions | None = None,
    near: shapely.Geometry | None = None,
    near_share: float = 0.5,
    start: PlacementResult | None = None,
) -> PlacementResult:
    """Place the zone of ``rules`` on ``estate``: the best placement, proven, and alternatives.

    Parameters
    ----------
    estate, rules
        :func:`kitland.load_estate` and :func:`kitland.load_rules` (or paths to load);
        the rules need a ``[zone]`` table, or ``[[zones]]`` (placed together, :mod:`._zones`).
    alternatives
        Number of placements wanted (1 = only the best).
    cell_m
        Side of the cells the land is cut into, metres (smaller: finer zones, slower).
    time_limit_s
        Time limit for the whole call, turned up front into a budget of counted work
        (``SolveOptions.work_rate`` work seconds per second; :mod:`._work`): 60 % for
        the best placement when alternatives are asked for, the rest shared by the
        others. When it is spent the best zone found is returned ``FEASIBLE`` with its
        gap (``UNDECIDED`` with none). The same input and options give the same
        placements whatever the load; when the wall clock stops the search at the limit
        itself, ``solver["deterministic"]`` is False.
    max_overlap
        Each alternative overlaps every better placement by at most this share of its
        own area: its cells their cells, its outline their returned zones (1 m² slack).
    progress
        Called with a dict (``stage``, ``rank``, ``best``, ``bound``, ``time_left_s``).
    on_invalid
        ``"raise"``: an estate with data errors (:func:`kitland.validate`) raises
        :class:`DataError` before anything is placed; ``"warn"``: logged, and placing
        goes on.
    options
        How the search spends its time (:class:`SolveOptions`; defaults when None).
    near, near_share
        A polygon in the estate's CRS: every zone covers at least ``near_share`` of it
        (measured on the cells; ``solver.near`` gives each zone's true share).
    start
        A previous result (a what-if): its zones are offered as starting zones and its
        proof reused where it still holds (:mod:`._reuse`; ``solver.start`` says what
        was used); what does not fit is not used.

    Returns
    -------
    PlacementResult
        ``found``, ``status``, ``zone``, ``alternatives`` (each with its own status and
        gap) and ``report`` (with ``alternatives``, ``solver`` and, when proven that
        nothing fits, ``funnel`` and ``diagnosis``).

    Raises
    ------
    DataError
        If the estate has data errors (:func:`kitland.validation.require_valid`).
    RulesError
        If the rules have no ``[zone]`` table, or selectors of rules that are not
        ``optional`` match nothing (all listed at once).
    UsageError
        (a ``ValueError``) If ``alternatives < 1``, ``cell_m`` is not a positive number
        or would cut the land into more than :data:`MAX_CELLS` cells, ``time_limit_s``
        is not positive, ``max_overlap`` is outside [0, 1], or ``near``, ``near_share``
        or ``start`` is not what it should be.

    Examples
    --------
    >>> import kitland
    >>> result = place(kitland.load_estate(), kitland.load_rules())  # doctest: +SKIP
    >>> result.status, result.report.passed  # doctest: +SKIP
    ('OPTIMAL', True)
    """
    estate, rules = _as_inputs(estate, rules)
    several = len(rules.zones) > 1
    if rules.multi_zone and not several:  # one [[zones]] entry: an ordinary zone
        rules = rules.for_zone(rules.zones[0].name)
    _check_options(rules, several=several, alternatives=alternatives, cell_m=cell_m,
                   time_limit_s=time_limit_s, max_overlap=max_overlap, near=near,
                   near_share=near_share, start=start)  # fmt: skip
    require_valid(estate, on_invalid=on_invalid, command="kitland.place()")
    if several:
        from kitland.placement._zones import place_zones  # noqa: PLC0415

        return place_zones(estate, rules, cell_m=float(cell_m), time_limit_s=time_limit_s,
                           options=options, progress=progress, alternatives=int(alternatives),
                           max_overlap=max_overlap)  # fmt: skip
    t0 = time.monotonic()
    clock = Clock.after(time_limit_s)
    opts = options or SolveOptions()
    budget = Work.of(time_limit_s, opts, clock)
    cell_m = float(cell_m)
    _progress_cb(progress, "cells", clock.deadline)
    land, cells, prob, shape = _build(estate, rules, cell_m=cell_m)
    frame = _reuse.frame(estate, rules, cell_m=cell_m)
    prob = _with_near(prob, cells, near, near_share)
    assert rules.zone is not None
    target_m2 = rules.zone.area_ha * 1e4
    first_band = _bands(prob, target_m2)[0]
    warm = _warm(start, estate, shape, cells, first_band)
    beyond = _beyond(start, warm, shape, cells, first_band, frame=frame, rules=rules)
    log.info("placement: %d cells of %g m, %.1f ha of candidate land", len(cells), cell_m,
             float(cells.area_m2.sum()) / 1e4)  # fmt: skip
    turned = [make_cells(land.allowed, cell_m=cell_m, angle_deg=a)
              for a in oblique_angles(cells, _touching(prob), min_share=opts.turn_share,
                                      min_turn_deg=opts.turn_min_deg)]  # fmt: skip
    grids = [(cells, prob)] + [
        (c, _with_near(problem_on(estate, rules, c), c, near, near_share)) for c in turned
    ]
    search = _Search(estate, rules, land, target_m2, progress, options)
    ranks, cells, prob = _ranks(search, grids, budget, alternatives=alternatives,
                                max_overlap=max_overlap, warm=warm, beyond=beyond)  # fmt: skip
    _progress_cb(progress, "done", clock.deadline)
    placements = [a.placement for a in ranks if a.placement is not None]
    angles = [round(float(c.angle_deg), 3) for c, _ in grids] if len(grids) > 1 else None
    result = _result(estate, rules, land, prob, cells, placements, ranks,
                     alternatives=alternatives, t0=t0, budget=budget, time_limit_s=time_limit_s,
                     grids_deg=angles)  # fmt: skip
    # place(start=) reuses the returned placements' grid: their cell numbers are its own,
    # and on another grid the floor of _reuse.floor is not claimed (the cells differ).
    band = _bands(prob, target_m2)[0]
    whole = bool(ranks) and not ranks[0].failures  # no zone set aside: the proof covers all
    result = replace(result, previous=_reuse.Previous(shape, cells, band, whole, frame))
    if start is not None:
        facts = _start_facts(warm, start, shape, cells, band, beyond)
        result.solver["start"] = result.report.extra["solver"]["start"] = facts
    if near is not None:
        overlap = [round(float(shapely.area(shapely.intersection(p.zone, near)) / near.area), 6)
                   for p in placements]  # fmt: skip
        result.solver["near"] = result.report.extra["solver"]["near"] = {
            "share_min": near_share, "overlap": overlap}  # fmt: skip
    return result


@dataclass(frozen=True)
class _Search:
    """What every rank's search of :func:`place` shares."""

    estate: Estate
    rules: Rules
    land: CandidateLand
    target_m2: float
    progress: Any
    options: SolveOptions | None


def _ranks(
    s: _Search, grids: list[tuple[Cells, Problem]], budget: Work, *, alternatives: int,
    max_overlap: float, warm: dict[int, _Warm], beyond: _Plan | None,
) -> tuple[list[_Attempts], Cells, Problem]:  # fmt: skip
    """Each rank's search in turn, until one finds no zone; with the grid and problem
    of the best placement (its alternatives are placed on its grid).

    The best placement gets 60 % of the work when alternatives are asked for (its proof
    matters most); the others share what is left evenly. Shares are of the work left
    (counted, not timed), so the split does not depend on the load.
    """
    cells, prob = grids[0]
    current = prob
    ranks: list[_Attempts] = []
    apart: Places = ()

    def at_rank(rank: int, work: Work, **kw: Any) -> _Attempts:
        return _best_at_rank(s, cells, current, rank=rank, work=work, warm=warm.get(rank),
                             apart=apart, **kw)  # fmt: skip

    for rank in range(1, alternatives + 1):
        left = alternatives - rank + 1
        share = 0.6 if rank == 1 and left > 1 else 1.0 / left
        if rank == 1 and len(grids) > 1:
            att, cells, current = _best_of_grids(s, grids, work=budget.part(share),
                                                 warm=warm.get(rank), beyond=beyond)  # fmt: skip
            prob = current
        else:
            att = at_rank(rank, budget.part(share), beyond=beyond if rank == 1 else None)
        if att.placement is None and rank > 1 and att.timed_out and not budget.done:
            # The ranks after this one would look for the same zones: give it all the work left.
            att = at_rank(rank, budget.part())
        ranks.append(att)
        if att.placement is None:
            break
        current = current.with_avoid(att.placement.cells, max_overlap)
        apart = (*apart, (att.placement.zone, max_overlap))
    return ranks, cells, prob


def _touching(prob: Problem) -> NDArray[np.bool_]:
    """Cells whose boundary counts for a length rule (``frontage``, ``adjacent``)."""
    touch = np.zeros(len(prob), dtype=bool)
    for row in prob.sums:
        if row.unit == "m":
            touch |= row.coef > 0
    return touch


def _with_near(prob: Problem, cells: Cells, near: shapely.Geometry | None, share: float) -> Problem:
    """``prob`` with the ``near`` row of :func:`place`: the zone covers at least ``share``
    of the ``near`` area (measured on the cells); ``prob`` itself without ``near``."""
    if near is None:
        return prob
    cover = shapely.area(shapely.intersection(cells.geoms, near)).astype(float)
    row = SumAtLeast("near", cover, share * float(near.area), unit="m²")
    return replace(prob, sums=(*prob.sums, row))


def _best_of_grids(
    s: _Search, grids: list[tuple[Cells, Problem]], *, work: Work, warm: _Warm | None,
    beyond: _Plan | None = None,
) -> tuple[_Attempts, Cells, Problem]:  # fmt: skip
    """The best placement over several turned grids, each searched in turn with an even
    share of the work left (``warm`` and ``beyond`` on the first), and the grid it lies on.

    Zones of the target area come first, then the least score on the first grid (the
    one :func:`score` uses; the placement's ``score`` is that one). The placement's
    status is its own grid's; ``grids`` lists that grid and every other grid whose
    proven bound its score there reaches (no zone of that grid scores better), and
    ``bound`` is the least of the grids' bounds.
    """
    tries = [
        _best_at_rank(s, cells, prob, rank=1, work=work.part(1.0 / (len(grids) - i)),
                      warm=warm if i == 0 else None, beyond=beyond if i == 0 else None)
        for i, (cells, prob) in enumerate(grids)
    ]  # fmt: skip
    first_cells, first_prob = grids[0]

    def key(i: int) -> tuple[bool, float]:
        p, (_, prob) = tries[i].placement, grids[i]
        if p is None:
            return (True, math.inf)
        small = float(prob.area_m2[p.cells].sum()) < s.target_m2 - 1.0
        return (small, zone_score(first_prob, first_cells, p.zone))

    k = min(range(len(grids)), key=key)
    best = tries[k].placement
    if best is None:
        # "No zone" is proven only when it is on every grid searched.
        tries[0].proven_infeasible = all(t.proven_infeasible for t in tries)
        tries[0].timed_out = any(t.timed_out for t in tries)
        tries[0].budget_hit = any(t.budget_hit for t in tries)
        return tries[0], first_cells, first_prob
    covered = [float(grids[k][0].angle_deg)]
    for i, (cells, prob) in enumerate(grids):
        t = tries[i]
        # A bound found in the target-area band covers no smaller zone: a smaller winner
        # is compared only with a grid that also ended in the whole band (its zone small).
        same_band = not key(k)[0] or (t.placement is not None and key(i)[0])
        reached = same_band and _reaches(zone_score(prob, cells, best.zone), t.bound, t.exact)
        if i != k and (t.proven_infeasible or reached):
            covered.append(float(cells.angle_deg))
    bound = min(math.inf if t.proven_infeasible else t.bound if t.exact else -math.inf
                for t in tries)  # fmt: skip
    tries[k].placement = replace(best, score=key(k)[1], grids=tuple(covered), bound=bound)
    tries[k].timed_out = any(t.timed_out for t in tries)
    tries[k].budget_hit = any(t.budget_hit for t in tries)
    tries[k].failures = [f for t in tries for f in t.failures]
    return tries[k], grids[k][0], grids[k][1]


def _check_options(
    rules: Rules, *, several: bool, alternatives: Any, cell_m: Any, time_limit_s: Any,
    max_overlap: Any, near: Any, near_share: Any, start: Any,
) -> None:  # fmt: skip
    """Refuse a keyword of :func:`place` it cannot take, naming it with the value as it was
    given: ``near`` with several zones, a number out of range, a bad ``near`` or ``start``."""
    if several and near is not None:
        msg = Message("near: not available when placing several zones ([[zones]] of {source}); "
                      "place them without it", {"source": rules.source or "the rules"})  # fmt: skip
        raise UsageError(msg)
    given = {"alternatives": alternatives, "cell_m": cell_m, "time_limit_s": time_limit_s,
             "max_overlap": max_overlap}  # fmt: skip
    for name, value in given.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = Message("{name}={value}: expected a number, got {type}",
                          {"name": name, "value": repr(value), "type": type(value).__name__})  # fmt: skip
            raise UsageError(msg)
    if alternatives < 1 or alternatives != int(alternatives):
        msg = Message("alternatives={value}: expected a whole number, at least 1",
                      {"value": str(alternatives)})  # fmt: skip
        raise UsageError(msg)
    _check_cell_m(cell_m)
    if not time_limit_s > 0:
        msg = Message("time_limit_s={value}: expected a positive number of seconds, e.g. 60",
                      {"value": str(time_limit_s)})  # fmt: skip
        raise UsageError(msg)
    if not 0.0 <= max_overlap <= 1.0:
        msg = Message("max_overlap={value}: expected a share between 0 and 1",
                      {"value": str(max_overlap)})  # fmt: skip
        raise UsageError(msg)
    _check_near(near, near_share)
    if start is not None and not isinstance(start, PlacementResult):
        msg = Message("start: expected a PlacementResult of an earlier place(), got {type}",
                      {"type": type(start).__name__})  # fmt: skip
        raise UsageError(msg)


def _check_cell_m(cell_m: Any) -> None:
    """Refuse a ``cell_m`` that is not a positive, finite number."""
    if isinstance(cell_m, bool) or not isinstance(cell_m, int | float) or not 0 < cell_m < math.inf:
        msg = Message("cell_m={value}: expected a positive cell size in metres, e.g. 25",
                      {"value": repr(cell_m)})  # fmt: skip
        raise UsageError(msg)


def _check_near(near: shapely.Geometry | None, share: float) -> None:
    """Refuse a ``near`` that is not one valid, non-empty polygonal geometry, or a bad share."""
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        msg = Message("near_share={value}: expected a share in (0, 1], e.g. 0.5",
                      {"value": repr(share)})  # fmt: skip
        raise UsageError(msg)
    if near is None:
        return
    if not isinstance(near, shapely.Polygon | shapely.MultiPolygon) or near.is_empty:
        msg = Message("near: expected a non-empty Polygon or MultiPolygon, got {type}",
                      {"type": getattr(near, "geom_type", type(near).__name__)})  # fmt: skip
        raise UsageError(msg)
    if not near.is_valid:
        msg = Message(
            "near: invalid geometry ({reason})", {"reason": shapely.is_valid_reason(near)}
        )
        raise UsageError(msg)


def _result(
    estate: Estate, rules: Rules, land: CandidateLand, prob: Problem, cells: Cells,
    placements: list[Placement], ranks: list[_Attempts], *, alternatives: int, t0: float,
    budget: Work, time_limit_s: float, grids_deg: list[float] | None = None,
) -> PlacementResult:  # fmt: skip
    """The result of :func:`place`: statuses, solver facts (``grids_deg``: the grids
    searched, when more than one) and, when proven, the funnel."""
    status = (placements[0].status if placements
              else "INFEASIBLE" if ranks[0].proven_infeasible else "UNDECIDED")  # fmt: skip
    solver: dict[str, Any] = {
        "name": _SOLVER_NAME, "status": status,
        "gap": _finite(placements[0].gap, 6) if placements else None,
        "time_s": round(time.monotonic() - t0, 3), "time_limit_s": time_limit_s,
        "time_limit_hit": any(a.budget_hit for a in ranks),
        "work_s": round(budget.spent, 3), "work_budget_s": round(budget.spent + budget.left, 3),
        "deterministic": not budget.clock.hit,
        "cells": len(cells), "grid_m": cells.cell_m,
        "grid_angle_deg": round(float(cells.angle_deg), 3),
        "scope": f"optimal among zones made of the {cells.cell_m:g} m grid's cells",
        "placements": [{"rank": p.rank, "status": p.status, "gap": round(p.gap, 6)} for p in placements],
        "conservative": ["min_width"] if prob.conservative else [],
    }  # fmt: skip
    if grids_deg:
        solver["grids_deg"] = grids_deg
        solver["scope"] = (f"optimal among zones made of the cells of the {cells.cell_m:g} m "
                           "grids its placement's grids_deg lists (the grid turned by "
                           "grid_angle_deg first)")  # fmt: skip
    if prob.corners is not None and prob.corners.cut is not None:
        solver["corners_cut"] = True
        solver["scope"] += (", convex corners cut straight where min_width needs it (scored "
                            "as their cells),")  # fmt: skip
    if solver["conservative"]:  # the proof covers the zones the width model admits
        solver["scope"] += " that the width model admits (min_width read conservatively)"
    failures = [f for a in ranks for f in a.failures]
    if failures:
        solver["check_failures"] = failures
    if len(placements) < alternatives and placements:
        last = ranks[len(placements)]
        if not last.proven_infeasible:
            missing = "not found within the time limit; it is not proven that none exists"
        elif solver["conservative"]:
            missing = ("proven for zones of the grid's cells that the width model admits: no "
                       "further zone satisfies the rules and overlaps the better ones little "
                       "enough")  # fmt: skip
        else:
            missing = ("proven for zones of the grid's cells: no further zone satisfies the rules "
                       "and overlaps the better ones little enough")  # fmt: skip
        solver["alternatives_missing"] = missing
    if placements:
        best = placements[0]
        extra = {"status": status, "alternatives": [p.to_dict() for p in placements],
                 "alternatives_requested": alternatives, "solver": _stable(solver)}  # fmt: skip
        report = Report(best.report.results, best.report.zone, extra)
        return PlacementResult(True, best.zone, placements, report, solver, estate.crs, rules,
                               estate, status)  # fmt: skip
    extra = {"passed": False, "status": status, "alternatives": [], "solver": _stable(solver)}
    if status == "INFEASIBLE":
        from kitland.placement._diagnose import funnel, relaxations, street_hints  # noqa: PLC0415

        why = _summary.infeasible_text(solver)
        extra["funnel"] = funnel(land, prob, {r.id: r.kind for r in rules.rules})
        rate = budget.left / max(budget.left + budget.spent, 1e-9)  # share of the work left
        diag_s = max(2.0, min(30.0, rate * time_limit_s))
        diagnosis = relaxations(prob, time_limit_s=diag_s) if len(prob) else []
        extra["diagnosis"] = diagnosis + street_hints(estate, rules, diagnosis)
    elif work_left(solver):
        why = (f"no placement found: the search ended at {budget.spent:.1f} of its "
               f"{solver['work_budget_s']:g} work-s, without a zone or a proof that none "
               "exists")  # fmt: skip
    else:
        why = (f"no placement found within {time_limit_s:g} s; it is not proven that none "
               "exists")  # fmt: skip
    res = RuleResult("placement", "placement", False, None, "a zone meeting every rule", "", why)
    report = Report([res], {}, extra)
    return PlacementResult(False, None, [], report, solver, estate.crs, rules, estate, status)


def write_placement(result: PlacementResult, path: str | os.PathLike[str]) -> None:
    """Write the placements and the new parcel layout to a GeoPackage, whole or not at all.

    Layers: ``zone`` (one feature per placement: ``zone_id``, ``land_use``, ``area_ha``,
    ``rank``, ``score``, ``status``, ``gap``, and what the proof leaves out for the map to
    say (:func:`written_caveat`): ``conservative``, the rules it reads conservatively
    ("" for none), and ``corners_cut``) and ``parcels`` (the estate's parcels with the best zone carved
    out, remnants under 1 m² dropped, and the zone added as a parcel of the zone's land
    use with a new ``parcel_id``). With several zones (``[[zones]]``), one feature per
    zone, ``zone_id`` = the zone's name, and every zone carved out and added.

    Raises
    ------
    InfeasibleError
        If the result holds no placement.
    DataError
        If ``path`` cannot be written (names the file and the layer).
    """
    from kitland.io import write_gpkg  # noqa: PLC0415

    several = bool(result.zones)
    if not result.found or (result.zone is None and not several) or result.estate is None \
            or result.rules is None:  # fmt: skip
        msg = Message("write_placement: the result holds no placement (nothing fits the rules); "
                      "nothing to write")  # fmt: skip
        raise InfeasibleError(msg)
    estate, rules = result.estate, result.rules
    if several:
        specs = {z.name: z for z in rules.zones}
        ids = [p.name for p in result.alternatives]  # every allocation, by rank
        uses = [specs[p.name].land_use for p in result.alternatives]
        names = ids
    else:
        assert rules.zone is not None
        uses = [rules.zone.land_use] * len(result.alternatives)
        ids = [f"{uses[0].upper()}-{p.rank}" for p in result.alternatives]
        names = [rules.zone.name] * len(result.alternatives)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": ids,
            "name": names,
            "land_use": uses,
            "area_ha": [round(p.area_ha, 4) for p in result.alternatives],
            "rank": [p.rank for p in result.alternatives],
            "score": [round(p.score, 3) for p in result.alternatives],
            "status": [p.status for p in result.alternatives],
            "gap": [_finite(p.gap, 6) for p in result.alternatives],
            "conservative": _summary.conservative_rules(result),
            "corners_cut": bool(result.solver.get("corners_cut")),
        },
        geometry=[p.zone for p in result.alternatives], crs=estate.crs,
    )  # fmt: skip
    layout = _carved(estate, [(p.zone, specs[p.name].land_use) for p in result.zones]
                     if several else [(result.zone, uses[0])])  # fmt: skip
    write_gpkg(path, {"zone": zones, "parcels": layout})
    log.info("wrote %s (zone: %d placements; parcels: %d)", path, len(zones), len(layout))


def _carved(estate: Estate, new_zones: list[tuple[Any, str]]) -> gpd.GeoDataFrame:
    """The estate's parcels with every zone carved out (remnants under :data:`SLIVER_M2`
    dropped) and each zone added as a parcel of its land use with a new ``parcel_id``."""
    parcels = estate.parcels.copy()
    cut = shapely.difference(
        parcels.geometry.to_numpy(), shapely.union_all([g for g, _ in new_zones])
    )
    cut = shapely.make_valid(cut)
    polys = []
    for g in cut:
        parts = [
            q for q in shapely.get_parts(g) if q.geom_type == "Polygon" and q.area >= SLIVER_M2
        ]
        polys.append(
            None if not parts else parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
        )
    parcels = parcels.set_geometry(gpd.GeoSeries(polys, index=parcels.index, crs=estate.crs))
    parcels = parcels[parcels.geometry.notna()]
    taken = set(parcels["parcel_id"].astype(str))
    types = parcels.dtypes.drop("geometry", errors="ignore")
    nullable = {c: "Int64" if pd.api.types.is_integer_dtype(t) else "boolean" for c, t in types.items()
                if pd.api.types.is_integer_dtype(t) or pd.api.types.is_bool_dtype(t)}  # fmt: skip
    parcels = parcels.astype(nullable)  # a new parcel's missing value: NA, NaN or None
    row = {c: pd.NA if c in nullable else np.nan if pd.api.types.is_float_dtype(t) else None
           for c, t in types.items()}  # fmt: skip
    rows = []
    for _, land_use in new_zones:
        base = f"{land_use.upper()}-1"
        new_id, k = base, 1
        while new_id in taken:
            k += 1
            new_id = f"{base}-{k}"
        taken.add(new_id)
        rows.append({**row, "parcel_id": new_id, "land_use": land_use})
        if "status" in row:
            rows[-1]["status"] = "planned"
    new = gpd.GeoDataFrame(rows, geometry=[g for g, _ in new_zones], crs=estate.crs)
    new = new.astype({c: parcels[c].dtype for c in row if c in parcels.columns})
    return gpd.GeoDataFrame(
        pd.concat([parcels, new], ignore_index=True), geometry="geometry", crs=estate.crs
    )
