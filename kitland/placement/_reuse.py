"""What :func:`kitland.place` reuses from one call to the next (``start=``).

**Cells and attributes.** The candidate land, its cells and each rule's per-cell
attribute (shared boundary, frontage, distance, network distance, preference distance)
depend on the estate's content, the zone's ``on`` land, the setback rules, the rule's
own selectors and ``cell_m``, but not on the thresholds the rules then ask of them
(``min_shared_m``, ``min_m``, ``max_m``, ``weight``) nor on the area band. They are kept
in a small in-process LRU keyed by the content hash of exactly those parts
(:func:`kitland._digest.estate_digest`), never by a path: moving a threshold reuses
them; the same file with other content does not. Every call uses the cache, with or
without ``start``; a sweep's worker process keeps it from one scenario to the next.

**The previous zone.** A previous result's zones, mapped onto the new cells (the same
cell numbers when the cells are the same, else the cells whose centre the old zone
holds), are offered to the solver as starting zones; the solver takes one only when it
satisfies the new model. When the new problem is the previous one with thresholds only
tightened (:func:`tightens`: same estate, cells, costs and rules; each minimum at least
as high, each reach mask and the area band inside the old ones), every zone the new
rules accept the old ones accepted, so the previous proven bound holds for the new
problem (:func:`floor`). A previous optimum that still satisfies the new rules is then
the new optimum, proven without searching.

**Beyond the previous proof.** When the new problem is the previous one with thresholds
only relaxed, and in a form recognised exactly (:func:`beyond`: a boundary-length
minimum lowered, a distance limit raised; nothing else changed), every zone the old
rules admitted the new ones admit, and the old optimum, proven on the same cells, scores
no more than any of them. A better zone must break a loosened old row: hold no cell the
old distance limit reached, or share less than the old minimum. :func:`solve_beyond`
searches only those zones, one :class:`~._model.SumBelow` row per loosened rule, with
the old optimum as the incumbent (so only zones scoring below it are looked for), and
returns the better of the two, proven when every part is.
"""

from __future__ import annotations

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
from kitland.placement._model import Problem, SumBelow
from kitland.placement._solve import Solution, solve
from kitland.placement._window import LEN_SCALE, feasible, squares_of
from kitland.placement._work import Work
from kitland.rules import Rule, Rules

__all__ = ["Beyond", "Previous", "beyond", "cache_stats", "cells_and_attributes", "clear_cache",
           "floor", "relaxes", "solve_beyond", "start_cells", "tightens"]  # fmt: skip

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
_ATTRIBUTES = _LRU(MAX_ATTRIBUTES)


def cache_stats() -> dict[str, int]:
    """Hits and misses of the cell and attribute caches since the process started."""
    return {"cells_hits": _CELLS.hits, "cells_misses": _CELLS.misses,
            "attribute_hits": _ATTRIBUTES.hits, "attribute_misses": _ATTRIBUTES.misses}  # fmt: skip


def clear_cache() -> None:
    """Forget every cached cell set and attribute (the counters stay)."""
    for lru in (_CELLS, _ATTRIBUTES):
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
    estate: Estate, rules: Rules, *, cell_m: float,
    cut: Callable[[], tuple[CandidateLand, Cells]],
) -> tuple[CandidateLand, Cells, dict[str, NDArray[np.float64]], str]:  # fmt: skip
    """The candidate land, cells and attributes of ``rules`` on ``estate``, from the cache
    when their content hash was seen before, else made (``cut`` makes the land and
    cells), and the hash that says what else the problem depends on (see
    :class:`Previous`). The attribute arrays are read-only."""
    estate_hash = estate_digest(estate)
    key = _cells_key(estate_hash, rules, cell_m)
    land, cells = _CELLS.get(key, cut)
    attrs = {}
    for rule in (*rules.rules, *rules.prefer):
        if rule.kind not in ATTRIBUTE_KINDS:
            continue
        one = Rules(rules.zone, (rule,) if rule in rules.rules else (), (),
                    (rule,) if rule in rules.prefer else (), rules.source)  # fmt: skip

        def make(one: Rules = one, rule_id: str = rule.id) -> NDArray[np.float64]:
            arr = np.asarray(cell_attributes(estate, one, cells)[rule_id], dtype=float)
            arr.flags.writeable = False
            return arr

        attrs[rule.id] = _ATTRIBUTES.get(digest(["attr", key, _without_thresholds(rule)]), make)
    on = list(rules.zone.on) if rules.zone is not None else []
    shape = digest(["shape", estate_hash, repr(float(cell_m)), on,
                    [_without_thresholds(r) for r in rules]])  # fmt: skip
    return land, cells, attrs, shape


@dataclass(frozen=True)
class Previous:
    """What a result keeps for :func:`kitland.place` ``start=``: the hash of the estate and
    the rules without their thresholds (``shape``), the cells, the first area band's
    problem the best placement was solved on, and whether its search set no zone aside
    after it failed ``check`` (``whole``: its proof then covers every zone of ``band``;
    False when not known)."""

    shape: str
    cells: Cells
    band: Problem
    whole: bool = False


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
    one); each old sum kept with the same coefficients and a minimum at least as high
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
            and np.array_equal(a.loss_m2, b.loss_m2) and a.share <= b.share)  # fmt: skip


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


def solve_beyond(problem: Problem, plan: Beyond, *, work: Work, **kw: Any) -> Solution:
    """The best zone of ``problem`` (the new first area band, or it with no-goods) by
    searching only past the previous proof: per part of ``plan``, the zones that break
    that loosened rule's old threshold and score below the best zone so far (the old
    optimum first; :func:`~._solve.solve` with ``ceiling``), each part with an even
    share of the work left. ``kw`` goes to each solve.

    The answer is the best zone found, or the old one; its bound is the least of the old
    bound (no zone the old rules admitted scores below it) and the parts' bounds, so it
    is ``OPTIMAL`` only when the old bound reaches it and every part was proven.
    """
    best, sols = plan.cells, []
    for i, part in enumerate(plan.parts):
        sub = replace(problem, below=(*problem.below, part))
        sol = solve(sub, ceiling=best, work=work.part(1.0 / (len(plan.parts) - i)), **kw)
        sols.append(sol)
        if sol.cells is not None:
            best = sol.cells
    objective = problem.objective(best)
    bound = min([plan.bound, *(s.bound for s in sols)])
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-9))
    stats: dict[str, int] = {}
    for s in sols:
        for k, v in s.stats.items():
            stats[k] = stats.get(k, 0) + v if k != "cells" else v
    return Solution(best, objective, bound, "OPTIMAL" if gap <= 1e-9 else "FEASIBLE", gap,
                    sum(s.time_s for s in sols), stats, sum(s.work_s for s in sols),
                    all(s.deterministic for s in sols))  # fmt: skip
