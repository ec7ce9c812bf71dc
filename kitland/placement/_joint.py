"""Several zones at once: one MILP holding every zone's model, solved exactly.

Every zone ``z`` is an ordinary :class:`~._model.Problem` on one shared set of cells
with a mask of the cells it may use. Its model (:meth:`~._window.Model.of`, over the
cells of its mask that :func:`~._solve._candidates` keeps) is one block of columns;
the blocks sit side by side, so each zone obeys exactly the rows it would obey alone.
Rows between the blocks couple them:

- a cell is used by at most one zone: ``Σ_z x_{z,i} ≤ 1``;
- ``separation`` (zones ``a``, ``b``, ``min_m > 0``): ``x_{a,i} + x_{b,j} ≤ 1`` for
  every pair of cells whose grid squares lie less than ``min_m`` apart (a cell lies in
  its square, so zones kept apart this way are at least ``min_m`` apart);
- ``total_area`` (a group of zones): ``lo ≤ Σ_{z ∈ group} Σ_i a_i x_{z,i} ≤ hi``.

The objective is the zones' scores summed. Each zone is first solved alone with the
one-zone :func:`~._solve.solve` (the sum of their bounds bounds the joint score); the
warm start places them one by one, each on the cells the earlier ones left
(:func:`sequential`), and LP probing drops the cells no zone of a cheaper allocation
can hold (:func:`_prune`). HiGHS then solves the whole model with each zone's
connectivity rows added lazily (:func:`~._milp.lazy_solve`, the loop the one-zone
windows use).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from kitland.placement._milp import (
    _add_rows,
    _new_highs,
    _probe,
    _settings,
    _shift,
    _Window,
    lazy_solve,
)
from kitland.placement._model import Problem
from kitland.placement._options import SolveOptions
from kitland.placement._solve import _candidates, gap, solve, status_of
from kitland.placement._window import AREA_MARGIN_M2, Model, squares_of
from kitland.placement._work import Clock, Work

__all__ = ["Between", "JointSolution", "sequential", "solve_joint"]

log = logging.getLogger(__name__)

_INF = highspy.kHighsInf


@dataclass(frozen=True)
class Between:
    """A rule between zones (indices into the zone list).

    ``kind`` ``"separation"``: ``zones = (a, b)`` at least ``min_m`` apart (0: they may
    touch; no zones ever overlap); ``"total_area"``: the ``zones`` together hold between
    ``min_m2`` and ``max_m2``. ``name`` is how a diagnosis names it.
    """

    name: str
    kind: str
    zones: tuple[int, ...]
    min_m: float = 0.0
    min_m2: float = 0.0
    max_m2: float = math.inf


@dataclass
class JointSolution:
    """What :func:`solve_joint` returns.

    ``cells`` per zone (global cell ids; None when no allocation was found), the summed
    ``objective``, the proven lower ``bound``, ``status`` (``OPTIMAL``; ``FEASIBLE``: time
    ran out, ``gap`` > 0; ``INFEASIBLE``: proven that no allocation satisfies the model;
    ``UNKNOWN``: time ran out before any), ``gap``, ``start`` the sequential warm start's
    score (inf when it found none), and when infeasible
    ``blocking``: ``(name, reason)`` of each between rule or zone a solve proved to block,
    ``diagnosed`` False when the time limit ended the diagnosis before every trial ran.
    """

    cells: list[NDArray[np.int64]] | None
    objective: float
    bound: float
    status: str
    gap: float
    start: float = math.inf
    blocking: list[tuple[str, str]] = field(default_factory=list)
    diagnosed: bool = True

    @property
    def found(self) -> bool:
        """True when an allocation was found."""
        return self.cells is not None


@dataclass(frozen=True)
class _Zone:
    """One zone's block: its problem on its own cells (``ids``: their global ids)."""

    p: Problem
    ids: NDArray[np.int64]
    mod: Model
    squares: NDArray[np.int64]


def _zone(p: Problem, allowed: NDArray[np.bool_]) -> _Zone:
    """The zone on its own cells, its model over those a zone of it may hold."""
    sub = p.take(allowed)
    squares = squares_of(sub)
    cand = np.flatnonzero(_candidates(sub, squares))
    return _Zone(sub, np.flatnonzero(allowed), Model.of(sub, cand, squares), squares)


def solve_joint(
    problems: Sequence[Problem], allowed: Sequence[NDArray[np.bool_]],
    between: Sequence[Between] = (), *, time_limit_s: float = 60.0,
    options: SolveOptions | None = None, diagnose: bool = True, names: Sequence[str] = (),
    on_progress: Callable[[float, float], None] | None = None, clock: Clock | None = None,
) -> JointSolution:  # fmt: skip
    """The allocation of least summed score: one cell set per zone, each satisfying its
    own problem (connected), none overlapping, every ``between`` rule holding.

    Parameters
    ----------
    problems
        One problem per zone, all on the same cells (same areas, grid and edges).
    allowed
        Per zone, a mask of the cells it may use.
    between
        The rules between zones.
    time_limit_s
        Wall-clock limit for the whole call (every solver call gets a share of the time
        left); ``clock``, when given, may end it sooner.
    options
        The tunables (``joint_*``: the shares of the time).
    diagnose, names
        When the allocation is proven infeasible, name what blocks it (:func:`_blocking`),
        the zones by ``names`` (default ``zone 0``, ``zone 1``, ...).
    on_progress
        Called with ``(best, bound)`` when the one-by-one start is found and when the
        joint solve ends.
    clock
        A wall-clock stop shared with the caller.

    Raises
    ------
    ValueError
        If the problems do not share their cells, or a mask or rule does not fit them.

    Examples
    --------
    Four 10 m cells in a row, two zones of one or two cells; zone 0 prefers the left,
    zone 1 the right end:

    >>> n = 4
    >>> mk = lambda cost: Problem(np.full(n, 100.0), np.full(n, 40.0), np.array(cost),
    ...     np.zeros(n, np.int64), np.arange(n), 10.0, np.array([[0, 1], [1, 2], [2, 3]]),
    ...     np.full(3, 10.0), 90.0, 200.0)
    >>> s = solve_joint([mk([1., 2., 3., 4.]), mk([4., 3., 2., 1.])], [np.ones(n, bool)] * 2,
    ...                 time_limit_s=10)
    >>> s.status, [c.tolist() for c in s.cells], s.objective
    ('OPTIMAL', [[0], [3]], 2.0)
    """
    t0 = time.monotonic()
    opts = options or SolveOptions()
    _check(problems, allowed, between)
    names = list(names) or [f"zone {z}" for z in range(len(problems))]
    clock = Clock(min(t0 + time_limit_s, clock.deadline if clock else math.inf))
    limit = clock.deadline - t0
    # The start's time: half for each zone alone (its bound is the joint model's too),
    # the rest for placing them one by one.
    t_alone = t0 + opts.joint_start_share * limit / 2
    t_start = t0 + opts.joint_start_share * limit
    alone = [solve(p.take(a), options=opts,
                   work=_budget(clock, (t_alone - time.monotonic()) / (len(problems) - z), opts))
             for z, (p, a) in enumerate(zip(problems, allowed, strict=True))]  # fmt: skip
    lb_alone = sum(s.bound for s in alone)  # each zone alone: a relaxation of the joint model
    if any(s.status == "INFEASIBLE" for s in alone):
        blocking = [(names[z], _own_rules(problems[z]))
                    for z, s in enumerate(alone) if s.status == "INFEASIBLE"]  # fmt: skip
        return JointSolution(None, math.inf, math.inf, "INFEASIBLE", math.inf, blocking=blocking)
    first = [
        None if s.cells is None else np.flatnonzero(a)[s.cells]
        for s, a in zip(alone, allowed, strict=True)
    ]
    start = sequential(problems, allowed, between, options=opts, first=first,
                       time_limit_s=max(0.0, t_start - time.monotonic()), clock=clock)  # fmt: skip
    score0 = math.inf if start is None else _score(problems, start)
    if on_progress is not None and start is not None:
        on_progress(score0, min(lb_alone, score0))
    if (
        start is not None
        and all(s.status == "OPTIMAL" for s in alone)
        and score0 <= lb_alone + 1e-9 * max(1.0, abs(score0))
    ):
        # every zone's own optimum, and they fit together: nothing can be better
        return JointSolution(start, score0, score0, "OPTIMAL", 0.0, score0)
    zones = [_zone(p, a) for p, a in zip(problems, allowed, strict=True)]
    cutoff = None
    if start is not None:  # only strictly better allocations are wanted now
        cutoff = score0 - 1e-9 * max(1.0, abs(score0))
        t_probe = time.monotonic() + opts.joint_probe_share * clock.left()
        for k, s in enumerate(alone):  # each zone an equal share of what is left
            t_stop = time.monotonic() + (t_probe - time.monotonic()) / (len(zones) - k)
            zones[k] = _prune(zones[k], s.bound + cutoff - lb_alone, t_stop, opts)
    h, blocks, v0 = _build(zones, between, start)
    _settings(h, seed=0, cutoff=cutoff)
    h.setOptionValue("threads", 2)
    # Presolve and symmetry detection ignore HiGHS's time limit and reduce nothing on the
    # joint model, its separation rows by the hundred thousand (benchmarks/CHANGELOG.md,
    # "The time limit held").
    h.setOptionValue("presolve", "off")
    h.setOptionValue("mip_detect_symmetry", False)
    lz = lazy_solve(h, blocks, start=v0, t_end=clock.deadline,
                    cuts_per_piece=opts.cuts_per_piece)  # fmt: skip
    log.info("joint solve of %d zones (%s cells): %s after %d rounds, bound %.3f (alone %.3f), "
             "start %.3f", len(zones), [z.mod.m for z in zones], lz.status, lz.rounds, lz.bound,
             lb_alone, score0)  # fmt: skip
    if lz.chosen is not None:
        cells = [z.ids[z_cells] for z, z_cells in zip(zones, lz.chosen, strict=True)]
        proven = lz.status == "OPTIMAL"
    elif start is not None:  # nothing better than the start found (INFEASIBLE: none exists)
        cells, proven = start, lz.status == "INFEASIBLE"
    else:
        status = "INFEASIBLE" if lz.status == "INFEASIBLE" else "UNKNOWN"
        bound = max(lz.bound, lb_alone) if status == "UNKNOWN" else math.inf
        out = JointSolution(None, math.inf, bound, status, math.inf)
        if status == "INFEASIBLE" and diagnose:
            undecided = [z for z, s in enumerate(alone) if s.cells is None]
            out.blocking, out.diagnosed = _blocking(problems, allowed, between, names,
                                                    undecided, options=opts, clock=clock)  # fmt: skip
        return out
    obj = _score(problems, cells)
    bound = obj if proven else min(max(lz.bound, lb_alone), obj)
    if on_progress is not None:
        on_progress(obj, bound)
    g = gap(obj, bound)
    return JointSolution(cells, obj, bound, status_of(g), g, score0)


def _budget(clock: Clock, seconds: float, opts: SolveOptions) -> Work:
    """A one-zone solve's budget: ``seconds`` from now (none when negative), its wall
    clock stopping then or at ``clock``'s deadline, whichever comes first."""
    now = time.monotonic()
    end = min(now + max(seconds, 0.0), clock.deadline)
    return Work.of(max(end - now, 0.0), opts, Clock(end))


def _prune(z: _Zone, target: float, t_stop: float, opts: SolveOptions) -> _Zone:
    """The zone without the cells no zone of it cheaper than ``target`` can hold.

    In an allocation cheaper than the start, zone ``z`` costs less than the start's
    score minus the other zones' bounds alone: that is ``target``. A cell whose LP
    relaxation of the zone's model with the cell forced in reaches it cannot be in such
    a zone (the one-zone engine's probing, :func:`~._milp._probe`). Stops at ``t_stop``,
    keeping the cells not yet probed.
    """
    if time.monotonic() >= t_stop or z.mod.m < opts.probe_min_cells:
        return z
    w = _Window(z.p, z.mod.cells, z.squares, opts)
    keep, _ = _probe(w, z.mod.cells, target, Work(math.inf, Clock(t_stop)))
    return replace(z, mod=Model.of(z.p, keep, z.squares))


def sequential(
    problems: Sequence[Problem], allowed: Sequence[NDArray[np.bool_]],
    between: Sequence[Between] = (), *, time_limit_s: float = 10.0,
    options: SolveOptions | None = None, first: Sequence[NDArray[np.int64] | None] = (),
    clock: Clock | None = None,
) -> list[NDArray[np.int64]] | None:  # fmt: skip
    """Zones placed one by one in the order given, each the best (within its share of
    the time) on the cells the earlier ones left, away from them as far as the
    separation rules ask; None when a zone finds no place.

    The area bands of a ``total_area`` group are narrowed first, each zone's share of
    what the group lacks (or has too much) in proportion to its band's width
    (:func:`_spread`), so zones placed one at a time still add up. ``first`` holds each
    zone's best placement alone (None: unknown), taken when it fits beside the zones
    before it. ``clock`` (when given) ends the whole at its deadline if that is sooner.
    """
    problems = _spread(problems, between)
    n = len(problems[0])
    used = np.zeros(n, dtype=bool)
    out: list[NDArray[np.int64]] = []
    clock = Clock(min(time.monotonic() + time_limit_s, clock.deadline if clock else math.inf))
    opts = options or SolveOptions()
    for z, p in enumerate(problems):
        keep = allowed[z] & ~used
        for b in between:
            if b.kind == "separation" and b.min_m > 0 and z in b.zones:
                (other,) = set(b.zones) - {z} or {z}
                if other < z:
                    keep &= ~_near(p, out[other], b.min_m)
        own = first[z] if z < len(first) else None
        area = float(p.area_m2[own].sum()) if own is not None else 0.0
        if own is not None and keep[own].all() and p.min_area_m2 < area < p.max_area_m2:
            out.append(own)
        else:
            left = clock.left() / (len(problems) - z)
            if not keep.any() or left <= 0:
                return None
            sol = solve(p.take(keep), options=opts, work=_budget(clock, left, opts))
            if sol.cells is None:
                return None
            out.append(np.flatnonzero(keep)[sol.cells])
        used[out[-1]] = True
    return out


def _spread(problems: Sequence[Problem], between: Sequence[Between]) -> list[Problem]:
    """The zones' area bands narrowed so that any areas within them meet every
    ``total_area`` band: what a group's least areas lack of its minimum is shared out
    in proportion to each zone's band width (likewise an excess over its maximum)."""
    out = list(problems)
    for b in between:
        if b.kind != "total_area":
            continue
        zs = list(b.zones)
        lo = np.array([out[z].min_area_m2 for z in zs])
        hi = np.array([out[z].max_area_m2 for z in zs])
        width = np.maximum(hi - lo, 0.0)
        if width.sum() <= 0:
            continue
        lack = max(0.0, b.min_m2 + AREA_MARGIN_M2 - lo.sum())
        excess = max(0.0, hi.sum() - (b.max_m2 - AREA_MARGIN_M2))
        new_lo = lo + lack * width / width.sum()
        new_hi = hi - excess * width / width.sum()
        for z, a, c in zip(zs, new_lo, new_hi, strict=True):
            out[z] = replace(out[z], min_area_m2=float(a), max_area_m2=float(max(a, c)))
    return out


def _score(problems: Sequence[Problem], cells: Sequence[NDArray[np.int64]]) -> float:
    return sum(p.objective(c) for p, c in zip(problems, cells, strict=True))


def _build(
    zones: list[_Zone], between: Sequence[Between], start: list[NDArray[np.int64]] | None
) -> tuple[highspy.Highs, list[tuple[int, Model]], NDArray[np.float64] | None]:
    """The joint MILP: the zones' models side by side, the coupling rows, and the start's
    column values (None without a start, or when it is not a point of this model)."""
    offs = np.cumsum([0, *(z.mod.ncol for z in zones)]).tolist()
    ncol = int(offs[-1])
    h = _new_highs()
    h.addVars(ncol, np.zeros(ncol), np.ones(ncol))
    h.changeColsCost(
        ncol, np.arange(ncol, dtype=np.int32), np.concatenate([z.mod.cost for z in zones])
    )
    col = [off + np.arange(z.mod.m) for off, z in zip(offs, zones, strict=False)]  # the x columns
    ints = np.concatenate(col).astype(np.int32)
    h.changeColsIntegrality(len(ints), ints, np.full(len(ints), highspy.HighsVarType.kInteger))
    for off, z in zip(offs, zones, strict=False):
        m = z.mod
        a, _, _ = _shift(sp.diags_array(m.scale) @ m.rows, off, ncol, 0.0, 0.0)
        _add_rows(h, a, m.lo * m.scale, m.hi * m.scale)
    for a, lo, hi in _coupling(zones, col, ncol, between):
        _add_rows(h, a, lo, hi)
    blocks = [(int(off), z.mod) for off, z in zip(offs, zones, strict=False)]
    v0 = None
    if start is not None:
        parts = []
        for z, cells in zip(zones, start, strict=True):
            local = np.searchsorted(z.ids, cells)
            sel = np.isin(z.mod.cells, local)
            if sel.sum() != len(cells):  # a cell the model does not hold
                return h, blocks, None
            parts.append(z.mod.columns(sel))
        v0 = np.concatenate(parts)
    return h, blocks, v0


def _coupling(
    zones: list[_Zone], col: list[NDArray[np.int64]], ncol: int, between: Sequence[Between]
) -> list[tuple[sp.csr_array, NDArray[np.float64], NDArray[np.float64]]]:
    """The rows between the zones' blocks (see the module docstring; ``col``: per zone the
    model columns of its cells' ``x``)."""
    gid = [z.ids[z.mod.cells] for z in zones]  # per zone, the global cell of each x column
    out = []
    g, c = np.concatenate(gid), np.concatenate(col)
    _, inv, cnt = np.unique(g, return_inverse=True, return_counts=True)
    shared = cnt[inv] > 1
    if shared.any():
        r = np.unique(inv[shared], return_inverse=True)[1]
        k = int(r.max()) + 1
        a = sp.csr_array((np.ones(len(r)), (r, c[shared])), shape=(k, ncol))
        out.append((a, np.full(k, -_INF), np.ones(k)))
    for b in between:
        if b.kind == "separation" and b.min_m > 0:
            za, zb = b.zones
            pos = [
                (zones[z].p.row[zones[z].mod.cells], zones[z].p.col[zones[z].mod.cells])
                for z in (za, zb)
            ]
            pairs = _close(pos[0], pos[1], zones[za].p.cell_m, b.min_m)
            k = len(pairs)
            if k:
                rr = np.repeat(np.arange(k), 2)
                cc = np.c_[col[za][pairs[:, 0]], col[zb][pairs[:, 1]]].ravel()
                out.append((sp.csr_array((np.ones(2 * k), (rr, cc)), shape=(k, ncol)),
                            np.full(k, -_INF), np.ones(k)))  # fmt: skip
        elif b.kind == "total_area":
            cols = np.concatenate([col[z] for z in b.zones])
            area = np.concatenate([zones[z].p.area_m2[zones[z].mod.cells] for z in b.zones])
            a = sp.csr_array((area, (np.zeros(len(cols), np.int64), cols)), shape=(1, ncol))
            lo = b.min_m2 + AREA_MARGIN_M2 if b.min_m2 > 0 else -_INF
            hi = b.max_m2 - AREA_MARGIN_M2 if math.isfinite(b.max_m2) else _INF
            out.append((a, np.array([lo]), np.array([hi])))
    return out


def _close(
    a: tuple[NDArray[np.int64], NDArray[np.int64]], b: tuple[NDArray[np.int64], NDArray[np.int64]],
    cell_m: float, min_m: float,
) -> NDArray[np.int64]:  # fmt: skip
    """Pairs ``(k, l)`` of cells, ``k`` of ``a`` and ``l`` of ``b`` (each given as grid
    rows and columns), whose grid squares lie less than ``min_m`` apart."""
    ta, tb = (cKDTree(np.c_[c, r] * cell_m) for r, c in (a, b))
    hits = ta.query_ball_tree(tb, min_m + math.sqrt(2) * cell_m + 1e-6)
    k = np.repeat(np.arange(len(a[0])), [len(x) for x in hits])
    if not len(k):
        return np.zeros((0, 2), np.int64)
    l_ = np.concatenate([np.asarray(x, np.int64) for x in hits if x])
    dr = np.maximum(np.abs(a[0][k] - b[0][l_]) - 1, 0) * cell_m
    dc = np.maximum(np.abs(a[1][k] - b[1][l_]) - 1, 0) * cell_m
    close = np.hypot(dr, dc) < min_m
    return np.c_[k[close], l_[close]]


def _near(p: Problem, cells: NDArray[np.int64], min_m: float) -> NDArray[np.bool_]:
    """The cells of ``p`` whose grid squares lie less than ``min_m`` from one of ``cells``."""
    pairs = _close((p.row, p.col), (p.row[cells], p.col[cells]), p.cell_m, min_m)
    out = np.zeros(len(p), dtype=bool)
    out[pairs[:, 0]] = True
    return out


def _check(problems: Sequence[Problem], allowed: Sequence[NDArray[np.bool_]],
           between: Sequence[Between]) -> None:  # fmt: skip
    """Refuse problems that do not share their cells, and masks or rules that do not fit."""
    if not problems or len(allowed) != len(problems):
        msg = f"expected one mask per zone, got {len(allowed)} masks for {len(problems)} zones"
        raise ValueError(msg)
    n = len(problems[0])
    if any(len(p) != n or len(a) != n for p, a in zip(problems, allowed, strict=True)):
        msg = f"every zone's problem and mask must cover the same {n} cells"
        raise ValueError(msg)
    for b in between:
        bad = b.kind not in ("separation", "total_area") or any(
            not 0 <= z < len(problems) for z in b.zones) or (
            b.kind == "separation" and len(set(b.zones)) != 2)  # fmt: skip
        if bad:
            msg = f"between rule {b.name!r}: kind {b.kind!r} over zones {b.zones} does not fit {len(problems)} zones"
            raise ValueError(msg)


def _own_rules(problem: Problem) -> str:
    """Why a zone blocks when its own problem has no zone, saying what the one-zone solve
    proved: no zone of the grid's cells (that the width model admits, under ``min_width``)."""
    if problem.conservative:
        return ("its own rules allow no zone on its land (proven for zones of the grid's cells "
                "that the width model admits)")  # fmt: skip
    return "its own rules allow no zone on its land (proven for zones of the grid's cells)"


def _blocking(
    problems: Sequence[Problem], allowed: Sequence[NDArray[np.bool_]],
    between: Sequence[Between], names: Sequence[str], undecided: Sequence[int], *,
    options: SolveOptions, clock: Clock,
) -> tuple[list[tuple[str, str]], bool]:  # fmt: skip
    """What a solve proves blocks an infeasible allocation.

    The zones ``undecided`` (their one-zone solve in :func:`solve_joint` found no zone
    and did not prove that none exists; every other zone's found one) are solved alone
    again, with the time of the diagnosis: a
    zone whose own problem then has no zone (proven) blocks on its own rules. Otherwise
    each between rule in turn is dropped: if an allocation then exists
    (found, so proven), that rule blocks. With none found that way, each zone in turn is
    dropped: if the others then fit, that zone blocks them. Every solve gets an equal
    share of ``options.joint_diagnose_s`` or of the time ``clock`` leaves, whichever is
    less; what is not proven is not claimed. Also returns whether every trial ran (False:
    the time limit ended the diagnosis).
    """
    clock = Clock(min(time.monotonic() + options.joint_diagnose_s, clock.deadline))
    out: list[tuple[str, str]] = []
    zones = range(len(problems))
    for z in undecided:
        left = clock.left() / (len(undecided) + len(between) + 1)
        if left <= 0.05:
            return out, False
        sol = solve(problems[z].take(allowed[z]), options=options,
                    work=_budget(clock, left, options))  # fmt: skip
        if sol.status == "INFEASIBLE":
            out.append((names[z], _own_rules(problems[z])))
    if out:
        return out, True
    trials: list[tuple[str, str, list[int], list[Between]]] = [
        (b.name, "without it the zones fit (an allocation was found)", list(zones),
         [o for o in between if o is not b]) for b in between
    ]  # fmt: skip
    for z in zones if len(problems) > 2 else ():
        rest = [k for k in zones if k != z]
        renum = {k: i for i, k in enumerate(rest)}
        keep = [replace(b, zones=tuple(renum[k] for k in b.zones)) for b in between
                if z not in b.zones]  # fmt: skip
        trials.append((names[z], "without it the other zones fit (an allocation was found)",
                       rest, keep))  # fmt: skip
    for k, (name, reason, which, rules) in enumerate(trials):
        left = clock.left() / (len(trials) - k)
        if left <= 0.05:
            return out, False
        joint = solve_joint([problems[z] for z in which], [allowed[z] for z in which], rules,
                            time_limit_s=left, options=options, diagnose=False,
                            clock=clock)  # fmt: skip
        if joint.found:
            out.append((name, reason))
    return out, True
