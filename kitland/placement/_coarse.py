"""The same problem on a grid twice as coarse: a start for the fine solve.

:func:`coarsen` merges each ``2 × 2`` block of grid positions into one cell of twice the
side (a block's pieces that do not touch stay apart, so every coarse cell is one
connected piece of land): areas, costs and the sums of boundary-length and ``below`` rows
add up, a reach mask holds where any of its cells does, the perimeter is the block's
outline (the pieces' perimeters less twice their shared edges), and two coarse cells are
neighbours where their fine cells are. A coarse zone is therefore a set of fine cells of
the same area, cost, perimeter, row sums and corner losses (a corner pattern fires on
the coarse cells exactly when it does on the fine ones); only the width squares (read
on ``⌊k/2⌋`` coarse cells, a looser rule where ``k`` is odd), the avoid sets (a coarse cell counts as avoided where most
of its area is) and the no-goods (left out) are read differently,
which is why the fine zone is judged again by the fine model
(:func:`._starts.repair`). The coarse solve proves nothing about the fine problem: it
only proposes a zone.

It is worth its work only where the fine search is stuck (elsewhere the warm starts and
the search beside the windows find zones as good, and the start only costs work):
:func:`stuck` decides that from the fine search's progress, counted work and its gap,
never from the clock, so it decides the same on any machine.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from kitland.placement._model import Corners, Problem
from kitland.placement._options import SolveOptions

__all__ = ["coarsen", "stuck"]


def coarsen(p: Problem) -> tuple[Problem, NDArray[np.int64]]:
    """The problem on ``2 × 2`` blocks of ``p``'s grid, and per cell of ``p`` its coarse cell.

    Examples
    --------
    A row of four 10 m cells becomes two 20 m cells (the inner edges go):

    >>> n = 4
    >>> p = Problem(np.full(n, 100.0), np.full(n, 40.0), np.arange(n, dtype=float),
    ...             np.zeros(n, np.int64), np.arange(n), 10.0,
    ...             np.array([[i, i + 1] for i in range(n - 1)]), np.full(n - 1, 10.0), 150.0, 250.0)
    >>> c, of = coarsen(p)
    >>> of.tolist(), c.cost.tolist(), c.perimeter_m.tolist(), c.edges.tolist(), c.cell_m
    ([0, 0, 1, 1], [1.0, 5.0], [60.0, 60.0], [[0, 1]], 20.0)
    """
    n, e = len(p), p.edges.reshape(-1, 2)
    br, bc = p.row // 2, p.col // 2
    inner = (br[e[:, 0]] == br[e[:, 1]]) & (bc[e[:, 0]] == bc[e[:, 1]])
    graph = sp.csr_array((np.ones(int(inner.sum())), (e[inner, 0], e[inner, 1])), shape=(n, n))
    of = np.unique(connected_components(graph, directed=False)[1], return_inverse=True)[1]
    of = of.astype(np.int64)
    m = int(of.max()) + 1 if n else 0
    first = np.unique(of, return_index=True)[1]

    def add(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.bincount(of, weights=v, minlength=m).astype(float)

    area = add(p.area_m2)
    perimeter = add(p.perimeter_m) - 2 * np.bincount(of[e[inner, 0]], weights=p.shared_m[inner],
                                                     minlength=m)  # fmt: skip
    a, b = of[e[~inner, 0]], of[e[~inner, 1]]
    pairs, at = np.unique(np.c_[np.minimum(a, b), np.maximum(a, b)], axis=0, return_inverse=True)
    shared = np.bincount(at.ravel(), weights=p.shared_m[~inner], minlength=len(pairs)).astype(float)
    coarse = replace(
        p, area_m2=area, perimeter_m=perimeter, cost=add(p.cost), row=br[first], col=bc[first],
        cell_m=2 * p.cell_m, edges=pairs.astype(np.int64).reshape(-1, 2), shared_m=shared,
        sums=tuple(replace(s, coef=add(s.coef)) for s in p.sums),
        below=tuple(replace(s, coef=add(s.coef)) for s in p.below),
        reach=tuple(replace(r, mask=add(r.mask.astype(float)) > 0,
                            value=None if r.value is None else _least(of, r.value, m))
                    for r in p.reach),
        width_cells=max(1, p.width_cells // 2), corners=_corners(p.corners, of),
        nogoods=(),
        avoid=tuple((np.flatnonzero(add(p.area_m2 * _mask(n, cells)) >= area / 2), share)
                    for cells, share in p.avoid),
    )  # fmt: skip
    return coarse, of


def _corners(cn: Corners | None, of: NDArray[np.int64]) -> Corners | None:
    """The corner patterns on the coarse cells: a pattern fires when its cell's coarse
    cell is chosen and neither across cell's is, as it does on the fine cells for a zone
    of whole coarse cells; a pattern whose across cell shares its coarse cell never does."""
    if cn is None:
        return None
    ext = np.r_[of, -1]  # index -1 reads "no cell"
    cell, across = of[cn.cell], ext[cn.across]
    live = (across != cell[:, None]).all(axis=1)
    return replace(cn, cell=cell[live], across=across[live], loss_m2=cn.loss_m2[live],
                   cut=None if cn.cut is None else cn.cut[live])  # fmt: skip


def _least(of: NDArray[np.int64], v: NDArray[np.float64], m: int) -> NDArray[np.float64]:
    """Per coarse cell, the least ``v`` of its cells."""
    out = np.full(m, np.inf)
    np.minimum.at(out, of, v)
    return out


def _mask(n: int, cells: NDArray[np.int64]) -> NDArray[np.float64]:
    """1.0 at ``cells``, 0.0 elsewhere."""
    out = np.zeros(n)
    out[cells] = 1.0
    return out


def stuck(spent: float, gap: float, options: SolveOptions) -> bool:
    """Whether the windows' search is stuck: it has spent at least ``coarse_after`` of
    its work (``spent``, a share of its budget, counted work only) and its ``gap`` (inf
    without an incumbent) is still above ``coarse_gap`` (:class:`._options.SolveOptions`).

    Examples
    --------
    >>> opts = SolveOptions(coarse_after=0.1, coarse_gap=0.05)
    >>> stuck(0.05, 0.4, opts), stuck(0.2, 0.4, opts), stuck(0.2, 0.01, opts)
    (False, True, False)
    """
    return spent >= options.coarse_after and gap > options.coarse_gap
