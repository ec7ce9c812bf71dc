"""What :func:`kitland.place` reuses from one call to the next (``start=``).

- **Cells and attributes** depend on the estate's content, the zone's ``on`` land, the
  setback rules, each rule's own selectors and ``cell_m``, not on the thresholds the
  rules ask of them nor on the area band. They are kept in a small in-process LRU keyed
  by the content hash of exactly those parts, never by a path, and also by the content
  of the land they cut (:func:`cells_and_attributes`); every call uses it.
- **The previous zone**, mapped onto the new cells (:func:`start_cells`), is offered to
  the solver as a start. When the rules only tightened (:func:`tightens`), the previous
  proven bound holds for the new problem (:func:`floor`): an old optimum that still
  passes is the new one, proven without searching.
- **Beyond the previous proof**: when the rules only relaxed in a form :func:`beyond`
  recognises, a better zone must break a loosened old row, and :func:`solve_beyond`
  searches only those zones, below the old optimum.
- **A setback moved** (:func:`frame`): a zone of the cells that are the same to the model
  (:func:`same_cells_map`) is a zone of the old problem with the same score, so the old
  proof covers it; :func:`solve_setback` searches the zones holding a changed cell, then
  (when needed) those of unchanged cells from the old bound.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from kitland._digest import digest, estate_digest
from kitland.estate import Estate
from kitland.placement._cells import CandidateLand, Cells, cell_attributes
from kitland.placement._model import Corners, Problem, ReachAny, SumBelow
from kitland.placement._options import SolveOptions
from kitland.placement._solve import Solution, gap, solve, status_of
from kitland.placement._window import LEN_SCALE, caps_of, feasible, squares_of
from kitland.placement._work import Work
from kitland.rules import Rule, Rules

__all__ = ["Beyond", "Previous", "Setback", "beyond", "cache_stats", "cells_and_attributes",
           "clear_cache", "floor", "frame", "moved_setbacks", "plan_setback", "relaxes",
           "same_cells_map", "solve_beyond", "start_cells", "tightens"]  # fmt: skip

#: Parameters that only set a threshold on a cell attribute (or weigh it): changing them
#: keeps the cells and the attributes. The model reads them, so :func:`tightens` compares
#: their effect on the problem itself.
THRESHOLDS: dict[str, tuple[str, ...]] = {
    "adjacent": ("min_shared_m",),
    "frontage": ("min_m",),
    "distance": ("max_m",),
    "network_distance": ("max_m",),
    "compactness": ("min",),
    "near": ("weight",),
    "far": ("weight",),
    "compact": ("weight",),
}
#: Rule kinds with a per-cell attribute (:func:`~._cells.cell_attributes`).
ATTRIBUTE_KINDS = ("adjacent", "frontage", "distance", "network_distance", "near", "far")
#: Cell sets (candidate land and cells) kept; each bundled-estate set holds ~7,600 cells.
MAX_CELL_SETS = 4
#: Attribute arrays kept.
MAX_ATTRIBUTES = 64


class _LRU:
    """A least-recently-used map of at most ``size`` entries, safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.data:
                self.hits += 1
                self.data.move_to_end(key)
                return self.data[key]
            self.misses += 1
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


_CELLS = _LRU(MAX_CELL_SETS)
_LANDS = _LRU(MAX_CELL_SETS)  # the same cells, by the content of the land they cut
_ATTRIBUTES = _LRU(MAX_ATTRIBUTES)


def cache_stats() -> dict[str, int]:
    """Hits and misses of the cell and attribute caches since the process started."""
    return {"cells_hits": _CELLS.hits, "cells_misses": _CELLS.misses,
            "attribute_hits": _ATTRIBUTES.hits, "attribute_misses": _ATTRIBUTES.misses}  # fmt: skip


def clear_cache() -> None:
    """Forget every cached cell set and attribute (the counters stay)."""
    for lru in (_CELLS, _LANDS, _ATTRIBUTES):
        with lru.lock:
            lru.data.clear()


def _without_thresholds(rule: Rule) -> list[Any]:
    params = {k: v for k, v in rule.params.items() if k not in THRESHOLDS.get(rule.kind, ())}
    return [rule.scope, rule.id, rule.kind, rule.optional, params]


def _cells_key(estate_hash: str, rules: Rules, cell_m: float) -> str:
    """What the cells depend on: estate content, ``on`` land, setback rules, ``cell_m``."""
    on = list(rules.zone.on) if rules.zone is not None else ["available"]
    setbacks = [_without_thresholds(r) for r in rules.rules if r.kind == "setback"]
    return digest(["cells", estate_hash, on, setbacks, repr(float(cell_m))])


def cells_and_attributes(
    estate: Estate, rules: Rules, *, cell_m: float, land_of: Callable[[], CandidateLand],
    cut: Callable[[CandidateLand], Cells],
) -> tuple[CandidateLand, Cells, dict[str, NDArray[np.float64]], str]:  # fmt: skip
    """The candidate land, cells and attributes of ``rules`` on ``estate``, from the cache
    when their content hash was seen before, else made (``land_of`` makes the land,
    ``cut`` its cells), and the hash that says what else the problem depends on (see
    :class:`Previous`). The attribute arrays are read-only.

    Cells are also kept by the content of the land they cut (:func:`_land_key`): rules
    whose setbacks differ but leave the same land (a band that reaches no candidate
    land) reuse the cells and their attributes.
    """
    estate_hash = estate_digest(estate)
    key = _cells_key(estate_hash, rules, cell_m)

    def make() -> tuple[CandidateLand, Cells, str]:
        land = land_of()
        at = _land_key(estate_hash, land, cell_m)
        return land, _LANDS.get(at, lambda: cut(land)), at

    land, cells, at = _CELLS.get(key, make)
    attrs = {}
    for rule in (*rules.rules, *rules.prefer):
        if rule.kind not in ATTRIBUTE_KINDS:
            continue
        one = Rules(rules.zone, (rule,) if rule in rules.rules else (), (),
                    (rule,) if rule in rules.prefer else (), rules.source)  # fmt: skip

        def attribute(one: Rules = one, rule_id: str = rule.id) -> NDArray[np.float64]:
            arr = np.asarray(cell_attributes(estate, one, cells)[rule_id], dtype=float)
            arr.flags.writeable = False
            return arr

        attrs[rule.id] = _ATTRIBUTES.get(digest(["attr", at, _without_thresholds(rule)]), attribute)
    on = list(rules.zone.on) if rules.zone is not None else []
    shape = digest(["shape", estate_hash, repr(float(cell_m)), on,
                    [_without_thresholds(r) for r in rules]])  # fmt: skip
    return land, cells, attrs, shape


def _land_key(estate_hash: str, land: CandidateLand, cell_m: float) -> str:
    """What cells and attributes depend on: the estate's content, the allowed land's
    geometry (its WKB) and ``cell_m``."""
    wkb = hashlib.sha256(shapely.to_wkb(land.allowed, byte_order=1)).hexdigest()
    return digest(["land", estate_hash, wkb, repr(float(cell_m))])


def _without_setback_distance(rule: Rule) -> list[Any]:
    out = _without_thresholds(rule)
    if rule.kind == "setback":
        out[-1] = {k: v for k, v in out[-1].items() if k != "min_m"}
    return out


def frame(estate: Estate, rules: Rules, *, cell_m: float) -> str:
    """The content hash of what a placement depends on but thresholds and setback
    distances: the estate, ``cell_m``, the zone's ``on`` land and every rule without its
    thresholds, a setback without its ``min_m``. Two placements with the same frame and
    another ``shape`` differ only in a setback's distance (:func:`plan_setback`)."""
    on = list(rules.zone.on) if rules.zone is not None else []
    return digest(["frame", estate_digest(estate), repr(float(cell_m)), on,
                   [_without_setback_distance(r) for r in rules]])  # fmt: skip


def moved_setbacks(old: Rules | None, new: Rules) -> list[str]:
    """The ids of the setback rules of ``new`` whose ``min_m`` differs in ``old``."""
    old_rules = old.rules if old is not None else ()
    before = {r.id: r.get("min_m") for r in old_rules if r.kind == "setback"}
    return [r.id for r in new.rules if r.kind == "setback" and before.get(r.id) != r.get("min_m")]


@dataclass(frozen=True)
class Previous:
    """What a result keeps for :func:`kitland.place` ``start=``: the hash of the estate and
    the rules without their thresholds (``shape``), the cells, the first area band's
    problem the best placement was solved on, and whether its search set no zone aside
    after it failed ``check`` (``whole``: its proof then covers every zone of ``band``;
    False when not known), and :func:`frame` (the hash without setback distances)."""

    shape: str
    cells: Cells
    band: Problem
    whole: bool = False
    #: :func:`frame` of the estate and rules ("": not known, no setback what-if).
    frame: str = ""


def same_cells(a: Cells, b: Cells) -> bool:
    """Whether two cell sets are the same cells in the same order."""
    return a is b or (
        len(a) == len(b) and a.cell_m == b.cell_m and a.angle_deg == b.angle_deg
        and np.array_equal(a.centroids, b.centroids) and np.array_equal(a.area_m2, b.area_m2)
    )  # fmt: skip


def start_cells(
    zone: shapely.Geometry, chosen: NDArray[np.int64], old: Cells | None, cells: Cells
) -> NDArray[np.int64] | None:
    """A previous zone on ``cells``: its cell numbers when the cells are ``old``, else the
    cells whose centre ``zone`` holds (None when it holds none)."""
    if old is not None and same_cells(old, cells) and len(chosen) and chosen.max() < len(cells):
        return np.asarray(chosen, dtype=np.int64)
    if len(cells) == 0 or zone is None or zone.is_empty:
        return None
    inside = shapely.contains_xy(zone, cells.centroids[:, 0], cells.centroids[:, 1])
    idx = np.flatnonzero(inside)
    return idx.astype(np.int64) if len(idx) else None


def tightens(new: Problem, old: Problem) -> bool:
    """Whether every zone ``new`` admits ``old`` admits too (on the same cells).

    Same costs, perimeter weight, width squares and corners (share at most the old
    one, the same cuts); each old sum kept with the same coefficients and a minimum at least as high
    (new sums may be added); each old reach mask kept or narrowed; the area band inside
    the old one; the compactness row's right-hand side at most the old one over the new
    band (it is linear in the area, so both ends decide); no avoided or forbidden zones.
    """
    if len(new) != len(old) or new.cell_m != old.cell_m or new.avoid or old.avoid:
        return False
    if new.nogoods or old.nogoods or new.boundary_weight != old.boundary_weight:
        return False
    if not np.array_equal(new.cost, old.cost) or new.width_cells != old.width_cells:
        return False
    if not _corners_tighten(new, old):
        return False
    if new.min_area_m2 < old.min_area_m2 or new.max_area_m2 > old.max_area_m2:
        return False
    sums = {s.name: s for s in new.sums}
    for s in old.sums:
        t = sums.get(s.name)
        if t is None or t.min_value < s.min_value or not np.array_equal(t.coef, s.coef):
            return False
    reach = {r.name: r for r in new.reach}
    for r in old.reach:
        u = reach.get(r.name)
        if u is None or (u.mask & ~r.mask).any():
            return False
    return _perimeter_tightens(new, old)


def _corners_tighten(new: Problem, old: Problem) -> bool:
    if new.corners is None or old.corners is None:
        return new.corners is None and old.corners is None
    a, b = new.corners, old.corners
    return (np.array_equal(a.cell, b.cell) and np.array_equal(a.across, b.across)
            and np.array_equal(a.loss_m2, b.loss_m2) and a.share <= b.share
            and np.array_equal(a.cut_m2, b.cut_m2))  # fmt: skip


def _perimeter_tightens(new: Problem, old: Problem) -> bool:
    pb_old = old.perimeter_bound()
    if pb_old is None:
        return True
    pb_new = new.perimeter_bound()
    if pb_new is None:
        return False
    for area in (new.min_area_m2, new.max_area_m2):
        allowed_new = pb_new[0] + pb_new[1] * (area - new.min_area_m2)
        allowed_old = pb_old[0] + pb_old[1] * (area - old.min_area_m2)
        if allowed_new > allowed_old + 1e-9 * max(1.0, allowed_old):
            return False
    return True


def relaxes(previous: Previous, shape: str, cells: Cells, band: Problem) -> bool:
    """Whether ``band`` (the new first area band) admits every zone the previous one did,
    on the same estate, cells and rules but for their thresholds: then the previous
    zone still satisfies the model and the new optimum scores no more than it."""
    return (previous.shape == shape and same_cells(previous.cells, cells)
            and tightens(previous.band, band))  # fmt: skip


def floor(previous: Previous, shape: str, cells: Cells, band: Problem,
          chosen: NDArray[np.int64], bound: float) -> float:  # fmt: skip
    """The previous best placement's proven ``bound`` when it holds for ``band`` (the new
    problem's first area band), else −inf.

    It holds when the estate and the rules other than their thresholds are the same
    (``shape``), the cells are the same, the previous zone ``chosen`` lies in the old
    first band (it was found there), and ``band`` :func:`tightens` that band.
    """
    ok = (
        math.isfinite(bound) and previous.shape == shape and len(chosen) > 0
        and same_cells(previous.cells, cells)
        and float(previous.band.area_m2[chosen].sum()) >= previous.band.min_area_m2
        and tightens(band, previous.band)
    )  # fmt: skip
    return bound if ok else -math.inf


@dataclass(frozen=True)
class Beyond:
    """A relaxed what-if's plan: the previous best zone ``cells`` (a zone of the new first
    area band), a proven ``bound`` on the score of every zone of the old one, and one row
    per loosened rule that a better zone must break (``parts``)."""

    cells: NDArray[np.int64]
    bound: float
    parts: tuple[SumBelow, ...]

    @property
    def names(self) -> list[str]:
        """The loosened rules' ids, in the order their parts are searched."""
        return [part.name for part in self.parts]


def beyond(old: Problem, new: Problem) -> tuple[SumBelow, ...] | None:
    """The rows that split the zones ``new`` admits and ``old`` did not, or None.

    ``new`` must admit every zone of ``old`` (:func:`tightens` the other way), and differ
    from it only in sums whose minimum fell (a zone beyond ``old`` then sums below the
    old minimum) and reach masks that grew (it holds no cell of the old mask): with
    those rows put back to their old values the two problems admit the same zones. Any
    other loosening (a wider area band, a lower compactness, a larger corner share, new
    rows) returns None, and so does nothing loosened.
    """
    if not tightens(old, new):
        return None
    sums, reach = {s.name: s for s in old.sums}, {r.name: r for r in old.reach}
    lower = [
        s
        for s in new.sums
        if math.ceil(s.min_value * LEN_SCALE) < math.ceil(sums[s.name].min_value * LEN_SCALE)
    ]
    wider = [r for r in new.reach if (r.mask & ~reach[r.name].mask).any()]
    parts = [SumBelow(s.name, s.coef, sums[s.name].min_value) for s in lower] + \
        [SumBelow(r.name, reach[r.name].mask.astype(float), 1.0) for r in wider]  # fmt: skip
    # the loosened rows put back: the rest must admit exactly the old zones
    moved = {s.name for s in lower} | {r.name for r in wider}
    back = replace(new, sums=tuple(sums[s.name] if s.name in moved else s for s in new.sums),
                   reach=tuple(reach[r.name] if r.name in moved else r for r in new.reach))  # fmt: skip
    return tuple(parts) if parts and tightens(back, old) else None


def plan_beyond(previous: Previous, shape: str, cells: Cells, band: Problem,
                chosen: NDArray[np.int64] | None, *, status: str, bound: float) -> Beyond | None:  # fmt: skip
    """The search beyond the previous proof for ``band`` (the new first area band), or None.

    It needs the previous best placement ``OPTIMAL`` with a proven ``bound`` (the least
    of its grid score and its bound: its outline may be what reached the bound) and no
    zone set aside (``previous.whole``), on the same estate, rules but for thresholds
    (``shape``) and cells, its zone ``chosen`` a zone of ``band``, and ``band`` the old
    first band with rules relaxed as :func:`beyond` recognises.
    """
    ok = (
        status == "OPTIMAL" and previous.whole and chosen is not None and len(chosen) > 0
        and math.isfinite(bound) and previous.shape == shape and same_cells(previous.cells, cells)
    )  # fmt: skip
    parts = beyond(previous.band, band) if ok else None
    if parts is None or chosen is None or not feasible(band, chosen, squares_of(band)):
        return None
    return Beyond(np.unique(chosen), bound, parts)


def solve_beyond(problem: Problem, plan: Beyond | Setback, *, work: Work, **kw: Any) -> Solution:
    """The best zone of ``problem`` (the new first area band, or it with no-goods) by
    searching only past the previous proof: per part of a :class:`Beyond` plan, the zones
    that break that loosened rule's old threshold and score below the best zone so far
    (the old optimum first; :func:`~._solve.solve` with ``ceiling``), each part with an
    even share of the work left; a :class:`Setback` plan goes to :func:`solve_setback`.
    ``kw`` goes to each solve.

    The answer is the best zone found, or the old one; its bound is the least of the old
    bound (no zone the old rules admitted scores below it) and the parts' bounds, so it
    is ``OPTIMAL`` only when the old bound reaches it and every part was proven.
    """
    if isinstance(plan, Setback):
        return solve_setback(problem, plan, work=work, **kw)
    best, sols = plan.cells, []
    for i, part in enumerate(plan.parts):
        sub = replace(problem, below=(*problem.below, part))
        sol = solve(sub, ceiling=best, work=work.part(1.0 / (len(plan.parts) - i)), **kw)
        sols.append(sol)
        if sol.cells is not None:
            best = sol.cells
    return _combined(problem, best, min([plan.bound, *(s.bound for s in sols)]), sols)


def _combined(problem: Problem, best: NDArray[np.int64] | None, bound: float,
              sols: list[Solution]) -> Solution:  # fmt: skip
    """One solution of the parts' solves ``sols``: the zone ``best`` (None: none found;
    ``INFEASIBLE`` when ``bound`` is inf, i.e. every part proved it has none) with the
    proven ``bound``, the parts' times, counters and work added up."""
    stats: dict[str, int] = {}
    for s in sols:
        for k, v in s.stats.items():
            stats[k] = stats.get(k, 0) + v if k != "cells" else v
    time_s, work_s = sum(s.time_s for s in sols), sum(s.work_s for s in sols)
    exact = all(s.deterministic for s in sols)
    if best is None:
        status = "INFEASIBLE" if bound == math.inf else "UNKNOWN"
        return Solution(None, math.inf, bound, status, math.inf, time_s, stats, work_s, exact)
    objective = problem.objective(best)
    bound = min(bound, objective)
    g = gap(objective, bound)
    return Solution(best, objective, bound, status_of(g), g, time_s, stats, work_s, exact)


# -- a setback moved ---------------------------------------------------------------------
@dataclass(frozen=True)
class Setback:
    """A setback what-if's plan: which new cells are ``changed`` (not a cell of the old
    problem with the same rows), the previous best zone on the new cells when it holds no
    changed cell (``cells``; None otherwise), the previous zone mapped onto the new cells
    by cell centre (``start``, a start for the search), a proven ``bound`` on the score of
    every zone of the old first area band, and the setback rules that moved (``names``)."""

    changed: NDArray[np.bool_]
    cells: NDArray[np.int64] | None
    start: NDArray[np.int64] | None
    bound: float
    names: tuple[str, ...] = ()

    def facts(self) -> dict[str, Any]:
        """What ``solver.start.setback`` reports."""
        return {"rules": list(self.names), "changed_cells": int(self.changed.sum()),
                "cells": len(self.changed), "old_zone_kept": self.cells is not None}  # fmt: skip


def _same_problem_rows(old: Problem, new: Problem) -> bool:
    """Whether ``old`` and ``new`` have the same rows but for their per-cell arrays: the
    area band, compactness, width, perimeter weight, corner share, each sum's name, unit
    and minimum, each reach rule's name and limit; no avoided, forbidden or below rows."""
    if old.avoid or new.avoid or old.nogoods or new.nogoods or old.below or new.below:
        return False
    if (old.cell_m, old.min_area_m2, old.max_area_m2, old.min_compactness, old.width_cells,
            old.boundary_weight) != (new.cell_m, new.min_area_m2, new.max_area_m2,
                                     new.min_compactness, new.width_cells, new.boundary_weight):  # fmt: skip
        return False
    shares = [c.share if c is not None else None for c in (old.corners, new.corners)]
    sums = [(s.name, s.unit, s.min_value) for s in old.sums]
    reach = [(r.name, r.limit) for r in old.reach]
    return shares[0] == shares[1] and sums == [(s.name, s.unit, s.min_value) for s in new.sums] \
        and reach == [(r.name, r.limit) for r in new.reach]  # fmt: skip


def _grid_shift(old: Cells, new: Cells) -> tuple[int, int] | None:
    """``(rows, cols)`` to add to a cell of ``new`` for its position on ``old``'s grid, or
    None when the two grids differ (another cell size, turn or anchor, or origins not a
    whole number of cells apart)."""
    if old.cell_m != new.cell_m or old.angle_deg != new.angle_deg:
        return None
    if old.angle_deg and old.pivot != new.pivot:
        return None
    d = (np.asarray(new.origin) - np.asarray(old.origin)) / new.cell_m
    if not np.allclose(d, np.round(d), rtol=0.0, atol=1e-9):
        return None
    return round(float(d[1])), round(float(d[0]))


def same_cells_map(old_cells: Cells, old: Problem, new_cells: Cells, new: Problem) -> NDArray[np.int64] | None:  # fmt: skip
    """Per cell of ``new``, the cell of ``old`` that is the same cell to the model, −1 when
    none is (a changed cell); None when the grids or the problems' other rows differ.

    A cell is the same when it lies at the same grid position with the same centre and
    has the same area, perimeter, cost and per-rule coefficients and masks. Among those
    cells the neighbour pairs (with their shared lengths), the width squares and the
    corner patterns (with the cells across, a changed cell reading as none) and the
    squares' caps must be the same too; a cell where they differ counts as changed. So a zone made only of
    unchanged cells is a zone of ``old`` with the same rows and score, and the converse.
    """
    shift = _grid_shift(old_cells, new_cells)
    if shift is None or not _same_problem_rows(old, new):
        return None
    index: dict[tuple[int, int, float, float], int] = {}
    for i, (r, c, (x, y)) in enumerate(zip(old_cells.row, old_cells.col, old_cells.centroids,
                                           strict=True)):  # fmt: skip
        key = (int(r), int(c), float(x), float(y))
        index[key] = -1 if key in index else i  # two pieces alike: neither is matched
    m = np.array([index.get((int(r) + shift[0], int(c) + shift[1], float(x), float(y)), -1)
                  for r, c, (x, y) in zip(new_cells.row, new_cells.col, new_cells.centroids,
                                          strict=True)], dtype=np.int64)  # fmt: skip
    taken = np.bincount(m[m >= 0], minlength=len(old_cells))
    m[(m >= 0) & (taken[np.maximum(m, 0)] > 1)] = -1
    idx = np.flatnonzero(m >= 0)
    same, o = np.ones(len(idx), dtype=bool), m[idx]
    for a, b in ((new.area_m2, old.area_m2), (new.perimeter_m, old.perimeter_m),
                 (new.cost, old.cost), *((s.coef, t.coef) for s, t in zip(new.sums, old.sums, strict=True)),
                 *((r.mask, u.mask) for r, u in zip(new.reach, old.reach, strict=True))):  # fmt: skip
        same &= a[idx] == b[o]
    m[idx[~same]] = -1
    return np.where(_changed(old, new, m), -1, m)


def _inverse(m: NDArray[np.int64], n_old: int) -> NDArray[np.int64]:
    """Per old cell, the new cell ``m`` maps onto it (−1: none)."""
    inv = np.full(n_old, -1, dtype=np.int64)
    inv[m[m >= 0]] = np.flatnonzero(m >= 0)
    return inv


def _rows_differ(mine: NDArray[np.float64], theirs: NDArray[np.float64]) -> NDArray[np.float64]:
    """The rows one of two arrays holds more (or less) often than the other: each side's
    distinct rows with their counts, and of those the ones only one side has."""
    both = _counted(np.concatenate([_counted(mine), _counted(theirs)]))
    return both[both[:, -1] == 1, :-2]


def _counted(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """The distinct rows of ``a`` (sorted), each with how often it occurs as a last column."""
    rows, counts = np.unique(a, axis=0, return_counts=True)
    return np.column_stack([rows, counts])


def _changed(old: Problem, new: Problem, m: NDArray[np.int64]) -> NDArray[np.bool_]:
    """New mapped cells named in a row of the model one problem holds among mapped cells
    and the other lacks: a neighbour pair (:func:`_pairs`), a width square, a square's
    cap (:func:`_caps`) or a corner pattern (:func:`_patterns`), each in old cell numbers
    (``m``: per new cell its old cell, −1 for none)."""
    inv = _inverse(m, len(old))
    ids = np.where(inv >= 0, np.arange(len(old)), -1)  # per old cell its own number, if mapped
    rows: list[Any] = [(_pairs(new, m), _pairs(old, ids), slice(0, 2))]
    if (k := new.width_cells) > 1:
        sq_old, sq_new = squares_of(old), squares_of(new)
        mine, theirs = m[sq_new], ids[sq_old]
        k2 = k * k  # a cap's column k2 is its side, which names no cell
        rows += [(mine[(mine >= 0).all(axis=1)], theirs[(theirs >= 0).all(axis=1)], slice(None)),
                 (_caps(new, sq_new, m), _caps(old, sq_old, ids), np.r_[0:k2, k2 + 1 : k2 + 1 + k])]  # fmt: skip
    if new.corners is not None and old.corners is not None:
        rows.append((_patterns(new.corners, m), _patterns(old.corners, ids), [0]))
    bad = np.zeros(len(new), dtype=bool)
    for a, b, cols in rows:
        cells = _rows_differ(a.astype(float), b.astype(float))[:, cols]
        bad[inv[cells[cells >= 0].astype(np.int64)]] = True
    return bad


def _pairs(p: Problem, to_old: NDArray[np.int64]) -> NDArray[np.float64]:
    """The neighbour pairs of ``p`` among mapped cells, with their shared lengths."""
    e = to_old[p.edges].reshape(-1, 2)
    keep = (e >= 0).all(axis=1)
    return np.column_stack([np.sort(e[keep], axis=1), p.shared_m[keep]])


def _caps(p: Problem, sq: NDArray[np.int64], to_old: NDArray[np.int64]) -> NDArray[np.float64]:
    """The caps of ``p``'s squares ``sq`` among mapped cells: the square's cells, the side,
    the pieces, ``-2`` where the cap has no land (a cap depends on the land two steps past
    the square, which a setback may move)."""
    cp = caps_of(p, sq)
    pieces = np.where(cp[:, 2:] >= 0, np.r_[to_old, -1][cp[:, 2:]], -2)
    rows = np.column_stack([to_old[sq[cp[:, 0]]], cp[:, 1], pieces])
    return rows[(rows[:, : sq.shape[1]] >= 0).all(axis=1) & (pieces != -1).all(axis=1)]


def _patterns(cn: Corners, to_old: NDArray[np.int64]) -> NDArray[np.float64]:
    """The corner patterns of mapped cells: the cell, the cells across, the loss and the
    cut (an unmapped cell or none across reads as none, as neither can be chosen with a
    zone of mapped cells)."""
    ext = np.r_[to_old, -1]  # index -1 reads "no cell"
    at = to_old[cn.cell] >= 0
    return np.column_stack([to_old[cn.cell[at]], ext[cn.across[at]], cn.loss_m2[at],
                            cn.cut_m2[at]])  # fmt: skip


def plan_setback(previous: Previous, frame: str, cells: Cells, band: Problem,
                 chosen: NDArray[np.int64], *, status: str, bound: float,
                 start: NDArray[np.int64] | None = None, names: tuple[str, ...] = ()) -> Setback | None:  # fmt: skip
    """The search past the previous proof when only a setback distance moved, or None.

    It needs the previous best placement ``OPTIMAL`` with a proven ``bound`` and no zone
    set aside (``previous.whole``), its zone ``chosen`` (cells of ``previous.cells``) found
    in the old first area band, the same :func:`frame` (the estate and the rules but
    for setback distances), and :func:`same_cells_map` to say the grids and the problems'
    other rows are the same. When the old zone holds no changed cell it must be a zone of
    ``band`` (the new first area band), as the argument says it is.
    """
    ok = (
        status == "OPTIMAL" and previous.whole and bool(previous.frame) and previous.frame == frame
        and len(chosen) > 0 and math.isfinite(bound) and int(chosen.max()) < len(previous.cells)
        and float(previous.band.area_m2[chosen].sum()) >= previous.band.min_area_m2
    )  # fmt: skip
    m = same_cells_map(previous.cells, previous.band, cells, band) if ok else None
    if m is None:
        return None
    mine = _inverse(m, len(previous.cells))[np.unique(chosen)]
    kept = np.sort(mine) if (mine >= 0).all() else None
    if kept is not None and not feasible(band, kept, squares_of(band)):
        return None  # the old zone must be a zone of the new problem: trust nothing else
    return Setback(m < 0, kept, start, bound, names)


def solve_setback(problem: Problem, plan: Setback, *, work: Work, **kw: Any) -> Solution:
    """The best zone of ``problem`` (the new first area band) when only a setback moved.

    Zones of unchanged cells score at least ``plan.bound`` (the old proof); the old
    optimum, when it is one of them, is their best. So first the zones that hold a
    changed cell are searched (a :class:`~._model.ReachAny` row over ``plan.changed``),
    below the old optimum when it is kept; then, only when the best zone so far scores
    above the old bound, the zones of unchanged cells (a :class:`~._model.SumBelow` row),
    below the best so far and from the old bound as a floor. The answer is the best zone
    found, its bound the least of the parts' (``OPTIMAL`` when both parts are proven).
    With an ``outline`` in ``kw`` (:func:`~._solve.solve`), a zone counts at the score of
    the caller's zone for it (its straightened outline) when that is lower.
    """
    best, sols = plan.cells, []
    bound_changed = math.inf
    opts = kw.pop("options", None) or SolveOptions()
    slack = 1e-9 * max(1.0, abs(plan.bound))
    outline = kw.get("outline")
    held: dict[bytes, float | None] = {}  # cells → the score of the caller's zone for them

    def worth(cells: NDArray[np.int64] | None) -> float:  # the cells' or their outline's
        if cells is None:
            return math.inf
        key = cells.tobytes()
        if outline is not None and key not in held:
            held[key] = outline(cells)
        got = held.get(key)
        return problem.objective(cells) if got is None else min(problem.objective(cells), got)

    def reached(cells: NDArray[np.int64] | None) -> bool:  # the old bound: best of the rest
        return worth(cells) <= plan.bound + slack

    if plan.changed.any():
        sub = replace(problem, reach=(*problem.reach, ReachAny("changed cells", plan.changed)))
        # Below the old optimum no neighbourhood search beside the windows: it would run its
        # whole budget from zones that hold a changed cell, rarely better than the old one.
        near = replace(opts, search_share=0.0) if reached(best) else opts
        sol = solve(sub, ceiling=best, start=plan.start if best is None else None, options=near,
                    work=work.part(1.0 if reached(best) else 0.5), **kw)  # fmt: skip
        sols.append(sol)
        if sol.cells is not None and math.isfinite(sol.cutoff):  # below its cells: their outline's
            held.setdefault(sol.cells.tobytes(), sol.cutoff)
        if sol.cells is not None and worth(sol.cells) < worth(best):
            best = sol.cells
        bound_changed = sol.bound
    bound_same = plan.bound
    if not reached(best):
        unchanged = SumBelow("unchanged cells", plan.changed.astype(float), 1.0)
        sub = replace(problem, below=(*problem.below, unchanged))
        sol = solve(sub, ceiling=best, start=best, floor=plan.bound, options=opts,
                    work=work.part(), **kw)  # fmt: skip
        sols.append(sol)
        best = sol.cells if sol.cells is not None else best
        bound_same = max(plan.bound, sol.bound)
    return _combined(problem, best, min(bound_changed, bound_same), sols)
