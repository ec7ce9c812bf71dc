"""Crossing rows: a zone that must reach across a line of cells holds cells of the line.

A window's LP (:mod:`._milp`) meets the boundary-length rules with a mixture: a block of
cheap cells at 1 and, apart from it, cells along the road at a share. The integer zone
has to reach from one to the other; these rows say so, and are valid for every zone of
the window, so they only tighten its LP.

A *line* ``N`` is a straight run across the window: consecutive grid positions in one row
or column, each holding exactly one of the window's cells (so its cells and their pairs
form a path). The window's cells without ``N`` fall into pieces. A connected zone
holding a cell ``u`` of piece ``A`` either holds no cell of ``N`` (then it lies in ``A``
and finds all of every rule's length there) or holds cells of ``N``:

- at least ``k(N)`` of them: with the width rule every cell of a zone lies in a square
  or cap the zone holds whole (:func:`._window.holds`), and ``k(N)`` is the fewest cells
  of ``N`` that one meeting ``N`` holds (1 without a width rule);
- in at least one stretch, and ``Σ_N x_v − Σ_{pairs of N} y_e`` counts its stretches
  (at least that: ``y_e`` is at most ``x_i·x_j``).

So, with ``Σ_F g_f x_f ≥ G`` a boundary-length rule, a reach mask (``G = 1``) or the
window's block, every zone of the window meets

    x_u ≤ Σ_A (g_f / G) x_f + Σ_N x_v / k(N)
    x_u ≤ Σ_A (g_f / G) x_f + Σ_N x_v − Σ_{pairs of N} y_e

and, for ``u`` and ``w`` in different pieces, ``x_u + x_w − 1 ≤`` either measure of ``N``.
:func:`separate` finds those the LP's values break (``u``: each piece's cell of most
``x``); :class:`Found` keeps them for every model of the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kitland.placement._model import _components
from kitland.placement._window import Model, holds

__all__ = ["Found", "Line", "lines", "separate"]

#: How far a row must be broken to be taken (in the rows' units: shares of a cell).
_TOL = 1e-4


@dataclass(frozen=True)
class Line:
    """A straight run ``cells`` (model columns), its ``pairs`` (``y`` columns; empty when
    the model has none), the piece of every other cell of the window (−1 on the line),
    the members of each piece, and ``least``: ``k(N)`` (0: no zone holds a cell of it)."""

    cells: NDArray[np.int64]
    pairs: NDArray[np.int64]
    piece: NDArray[np.int64]
    members: tuple[NDArray[np.int64], ...]
    least: int


def lines(mod: Model) -> list[Line]:
    """Every straight run of the model's cells that splits the window (one per maximal
    run of single-cell positions in each row and column)."""
    p, cells = mod.p, mod.cells
    r, c = p.row[cells], p.col[cells]
    key = (r - r.min()) * (int(c.max() - c.min()) + 1) + (c - c.min())
    uniq, count = np.unique(key, return_counts=True)
    alone = np.isin(key, uniq[count == 1])
    groups = holds(mod)
    out = []
    for along, across in ((c, r), (r, c)):
        for at in np.unique(across[alone]).tolist():
            on = np.flatnonzero(alone & (across == at))
            on = on[np.argsort(along[on], kind="stable")]
            for run in np.split(on, np.flatnonzero(np.diff(along[on]) > 1) + 1):
                line = _line(mod, run, groups)
                if line is not None:
                    out.append(line)
    return out


def _line(mod: Model, run: NDArray[np.int64], groups: sp.csr_array | None) -> Line | None:
    """The :class:`Line` of the cells ``run``, or None when it does not split the window."""
    on = np.zeros(mod.m, dtype=bool)
    on[run] = True
    piece = _components(~on, mod.edges)
    pieces = int(piece.max()) + 1
    if pieces < 2:
        return None
    e = mod.edges
    inner = np.flatnonzero(on[e[:, 0]] & on[e[:, 1]]) if len(e) else np.zeros(0, np.int64)
    path = len(inner) == len(run) - 1 and bool((inner < mod.ny).all()) and mod.ny > 0
    least = 1
    if groups is not None:
        meet = groups @ on.astype(np.float64)
        least = int(meet[meet > 0].min()) if (meet > 0).any() else 0
    members = tuple(np.flatnonzero(piece == k) for k in range(pieces))
    pairs = mod.m + inner if path else np.zeros(0, np.int64)
    return Line(run, pairs, piece, members, least)


def _needs(mod: Model, block: NDArray[np.int64]) -> list[tuple[NDArray[np.float64], float]]:
    """What every zone of the window reaches, ``(g, G)`` with ``Σ g_i x_i ≥ G``: each
    boundary-length rule, each reach mask and the window's block."""
    p, cells = mod.p, mod.cells
    out = [(s.coef[cells], s.min_value) for s in p.sums if s.min_value > 0]
    out += [(r.mask[cells].astype(np.float64), 1.0) for r in p.reach]
    at = mod.loc[block]
    inside = np.zeros(mod.m)
    inside[at[at >= 0]] = 1.0
    return [*out, (inside, 1.0)] if inside.sum() < mod.m else out


def separate(mod: Model, lines_: list[Line], sol: NDArray[np.float64],
             block: NDArray[np.int64]) -> tuple[sp.csr_array, NDArray[np.float64]]:  # fmt: skip
    """The crossing rows ``a·v ≤ hi`` over the model's columns that the column values
    ``sol`` break by more than a hair."""
    x = sol[: mod.m]
    needs = _needs(mod, block)
    rows: list[tuple[NDArray[np.int64], NDArray[np.float64], float]] = []
    for ln in lines_:
        measures = []  # (columns, coefficients, value) of each measure of the line
        if ln.least > 0:
            measures.append((ln.cells, np.full(len(ln.cells), 1.0 / ln.least),
                             float(x[ln.cells].sum()) / ln.least))  # fmt: skip
        if len(ln.pairs):
            cols = np.r_[ln.cells, ln.pairs]
            vals = np.r_[np.ones(len(ln.cells)), -np.ones(len(ln.pairs))]
            measures.append((cols, vals, float(vals @ sol[cols])))
        tops = [int(mem[np.argmax(x[mem])]) for mem in ln.members]
        for g, big in needs:
            have = [float(g[mem] @ x[mem]) / big for mem in ln.members]
            for mem, u, got in zip(ln.members, tops, have, strict=True):
                for cols, vals, v in measures:
                    if x[u] - got - v > _TOL:
                        sel = mem[g[mem] > 0]
                        rows.append((np.r_[u, sel, cols],
                                     np.r_[1.0, -g[sel] / big, -vals], 0.0))  # fmt: skip
        u, w = sorted(tops, key=lambda t: -x[t])[:2]
        for cols, vals, v in measures:
            if x[u] + x[w] - 1.0 - v > _TOL:
                rows.append((np.r_[u, w, cols], np.r_[1.0, 1.0, -vals], 1.0))
    if not rows:
        return sp.csr_array((0, mod.ncol)), np.zeros(0)
    r = np.concatenate([np.full(len(c), k) for k, (c, _, _) in enumerate(rows)])
    c = np.concatenate([c for c, _, _ in rows])
    a = sp.csr_array((np.concatenate([v for _, v, _ in rows]), (r, c)), shape=(len(rows), mod.ncol))
    a.sum_duplicates()
    return a, np.array([h for _, _, h in rows])


@dataclass
class Found:
    """The crossing rows found for one window, over the problem's columns (its cells,
    then its neighbour pairs), with the cells of the model each was found on: a model of
    those cells or fewer takes them (a zone of fewer cells is a zone of the window). A
    row read by a model without some of its columns loses them: a cell left out is 0, as
    is a pair one of whose cells is left out, and a pair the model has no column for
    appears only with a positive coefficient in a ``≤`` row, so leaving it out only
    loosens the row."""

    n: int
    rows: list[sp.csr_array] = field(default_factory=list)
    hi: list[NDArray[np.float64]] = field(default_factory=list)
    on: list[NDArray[np.int64]] = field(default_factory=list)

    def add(self, mod: Model, a: sp.csr_array, hi: NDArray[np.float64]) -> None:
        """Keep the rows ``a·v ≤ hi`` over ``mod``'s columns."""
        a = sp.coo_array(a)
        glob = np.r_[mod.cells, self.n + mod.edge_ids[: mod.ny]]
        ok = a.col < len(glob)
        shape = (a.shape[0], self.n + len(mod.p.edges))
        self.rows.append(sp.csr_array((a.data[ok], (a.row[ok], glob[a.col[ok]])), shape=shape))
        self.hi.append(np.asarray(hi, dtype=np.float64))
        self.on.append(mod.cells)

    def of(self, mod: Model) -> tuple[sp.csr_array, NDArray[np.float64]]:
        """The rows kept that hold for ``mod`` (found on its cells or more), over its
        columns."""
        take = [k for k, on in enumerate(self.on) if np.isin(mod.cells, on).all()]
        if not take:
            return sp.csr_array((0, mod.ncol)), np.zeros(0)
        a = sp.coo_array(sp.vstack([self.rows[k] for k in take]))
        col = np.full(a.shape[1], -1, dtype=np.int64)
        col[mod.cells] = np.arange(mod.m)
        col[self.n + mod.edge_ids[: mod.ny]] = mod.m + np.arange(mod.ny)
        to = col[a.col]
        ok = to >= 0
        rows = sp.csr_array((a.data[ok], (a.row[ok], to[ok])), shape=(a.shape[0], mod.ncol))
        return rows, np.concatenate([self.hi[k] for k in take])
