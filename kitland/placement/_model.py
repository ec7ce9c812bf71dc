"""The placement problem as plain arrays (no geometry): what the solver core works on.

A :class:`Problem` holds, per cell ``i``: area ``a_i``, perimeter ``p_i``, grid position,
objective cost ``c_i``, and per rule a coefficient or a mask; per neighbour pair
``(i, j)`` the shared edge length ``L_ij``. A zone is a set ``S`` of cells; it is
feasible when

- ``A_min ≤ Σ_S a_i ≤ A_max`` (area band),
- ``S`` is connected through neighbour pairs (contiguous),
- ``Σ_S g_i ≥ g_min`` for every boundary-length rule (``adjacent``, ``frontage``),
- ``S`` holds a cell of every ``reach`` mask (``distance``, ``network_distance``),
- perimeter ``P(S) = Σ_S p_i − 2 Σ_{i,j∈S} L_ij`` obeys the compactness bound below,
- with ``width_cells = k > 1``, every cell lies in a fully selected ``k × k`` square or
  in the fully selected cap of one (the row of pieces between a side of the square and
  the land's edge, holding a piece under half a cell; :func:`._window.caps_of`),
- ``S`` breaks every ``below`` row: ``Σ_S coef_i`` under its limit (a what-if searching
  only the zones an earlier, stricter rule excluded; see :mod:`._reuse`),
- with ``corners``, the opening loss of the zone's convex corners stays within the share
  of the zone's area that ``min_width`` allows (see :class:`Corners`).

The objective (the zone's score, lower is better) is ``Σ_S c_i + w·P(S)``: the cells'
costs (the ``near``/``far`` preferences) plus ``boundary_weight`` ``w`` per metre of
perimeter (the ``compact`` preference). Per cell that is ``c_i + w·p_i``, and each
chosen neighbour pair takes back ``2·w·L_ij`` (:meth:`Problem.objective`).

**Compactness.** Polsby–Popper ``4πA/P² ≥ c`` ⇔ ``P ≤ √(4π/c)·√A``. ``√A`` is concave,
so on ``[A_min, A_max]`` it lies above its chord; requiring
``P ≤ √(4π/c)·(√A_min + s·(A − A_min))`` with ``s = (√A_max − √A_min)/(A_max − A_min)``
is therefore *sufficient*, linear in the cells, and exact at both ends of the band (it
gives away at most 0.02 % of perimeter inside a ±2.5 % band). It also bounds the zone's
diameter: ``diam ≤ P/2 ≤ √(4π/c)·√A_max / 2``, which is what makes windows exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Corners", "Problem", "ReachAny", "SumAtLeast", "SumBelow"]


@dataclass(frozen=True)
class SumAtLeast:
    """``Σ_S coef_i ≥ min_value`` (boundary-length rules; overlap with ``near``, in m²)."""

    name: str
    coef: NDArray[np.float64]
    min_value: float
    unit: str = "m"


@dataclass(frozen=True)
class ReachAny:
    """At least one selected cell has ``mask_i`` (distance rules: the nearest cell decides)."""

    name: str
    mask: NDArray[np.bool_]
    value: NDArray[np.float64] | None = None
    limit: float = math.inf


@dataclass(frozen=True)
class SumBelow:
    """``Σ_S coef_i < limit``: the zone breaks the row ``Σ_S coef_i ≥ limit`` of an earlier
    problem, in the sums' whole centimetres (:mod:`._window`), so the two rows split the
    zones exactly. A 0/1 ``coef`` with ``limit`` 1 says the zone holds no cell of a mask
    (it breaks that :class:`ReachAny`)."""

    name: str
    coef: NDArray[np.float64]
    limit: float


@dataclass(frozen=True)
class Corners:
    """The ``min_width`` opening loss at the zone's convex corners.

    Squares of ``k × k`` cells hold the opening's disk, so a zone made of them loses
    area only at its convex corners (about ``(1 − π/4)·r²`` at a right angle). Pattern
    ``p`` fires when ``cell[p]`` is chosen and neither ``across[p]`` cell is (−1: no
    cell); the zone then loses ``loss_m2[p]``. A zone is feasible when the losses of the
    patterns that fire add up to at most ``share`` of its area.

    ``cut`` holds per pattern the triangle that may be cut off the corner
    (:func:`._cells.corner_cuts`; a point where none may). Cutting λ of it (the triangle
    scaled by √λ) takes ``λ·cut_m2`` from the zone's area and from the corner's loss, as
    the opening stays as it was: a fired pattern costs ``loss − (1 − share)·λ·cut_m2`` of
    the share, and the zone's area is that much less (:func:`._window._corners`).
    """

    cell: NDArray[np.int64]
    across: NDArray[np.int64]
    loss_m2: NDArray[np.float64]
    share: float
    cut: NDArray[np.float64] | None = None

    @property
    def cut_m2(self) -> NDArray[np.float64]:
        """Area of each pattern's whole cut, m² (0 where none may be cut)."""
        if self.cut is None:
            return np.zeros(len(self.cell))
        (x0, y0), (x1, y1), (x2, y2) = np.moveaxis(self.cut, (1, 2), (0, 1))
        return np.abs((x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)) / 2

    def fired(self, sel: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Which patterns fire for the chosen-cell mask ``sel``."""
        sel_ext = np.r_[sel, False]  # index -1 reads "no cell": never chosen
        return sel[self.cell] & ~sel_ext[self.across[:, 0]] & ~sel_ext[self.across[:, 1]]

    def loss(self, sel: NDArray[np.bool_]) -> float:
        """Opening loss of the chosen cells, m²."""
        return float(self.loss_m2[self.fired(sel)].sum())


@dataclass(frozen=True)
class Problem:
    """A placement problem on ``n`` cells.

    Attributes
    ----------
    area_m2, perimeter_m, cost
        Per cell: area, boundary length, objective cost (the score a zone gets is
        ``Σ_S cost_i``; lower is better).
    row, col, cell_m
        Grid position of each cell and the grid spacing (for windows and widths).
    edges, shared_m
        Neighbour pairs and their shared edge length.
    min_area_m2, max_area_m2
        The area band.
    sums, reach
        Boundary-length minima and "reach at least one" requirements.
    min_compactness
        Polsby–Popper minimum, or None.
    width_cells
        Side of the squares every selected cell must lie in (1: no width rule).
    avoid
        ``(cells, share)``: the zone may overlap the area of ``cells`` by at most
        ``share`` of its own area (alternatives).
    nogoods
        Cell sets that may not be chosen again exactly (placements that failed check).
    corners
        Opening loss at convex corners (``min_width``), or None.
    boundary_weight
        Score per metre of the zone's perimeter (the ``compact`` preference; ≥ 0).
    below
        Rows the zone must break (:class:`SumBelow`; a what-if's search beyond an
        earlier proof, :mod:`._reuse`).
    memo
        Arrays derived from the problem alone, kept once computed (the caps of its
        squares, :func:`._window.caps_of`; its grid points, :func:`grid_points`); a copy
        made with :func:`dataclasses.replace` starts with none.
    """

    area_m2: NDArray[np.float64]
    perimeter_m: NDArray[np.float64]
    cost: NDArray[np.float64]
    row: NDArray[np.int64]
    col: NDArray[np.int64]
    cell_m: float
    edges: NDArray[np.int64]
    shared_m: NDArray[np.float64]
    min_area_m2: float
    max_area_m2: float
    sums: tuple[SumAtLeast, ...] = ()
    reach: tuple[ReachAny, ...] = ()
    min_compactness: float | None = None
    width_cells: int = 1
    avoid: tuple[tuple[NDArray[np.int64], float], ...] = ()
    nogoods: tuple[NDArray[np.int64], ...] = field(default_factory=tuple)
    corners: Corners | None = None
    boundary_weight: float = 0.0
    below: tuple[SumBelow, ...] = ()
    memo: dict[object, NDArray[Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __len__(self) -> int:
        return len(self.area_m2)

    # -- the objective ----------------------------------------------------------------
    @property
    def cell_cost(self) -> NDArray[np.float64]:
        """Per cell, what choosing it adds to the score: ``c_i + w·p_i``."""
        if self.boundary_weight == 0:
            return self.cost
        return self.cost + self.boundary_weight * self.perimeter_m

    @property
    def edge_cost(self) -> NDArray[np.float64]:
        """Per neighbour pair, what choosing both adds to the score: ``−2·w·L_ij``."""
        return -2.0 * self.boundary_weight * self.shared_m

    def objective(self, cells: NDArray[np.int64]) -> float:
        """The score of a cell set: ``Σ c_i + w·P(S)``, ``P(S) = Σ p_i − 2 Σ_{i,j∈S} L_ij``.

        Examples
        --------
        >>> p = Problem(np.full(2, 100.0), np.full(2, 40.0), np.array([1.0, 2.0]),
        ...             np.array([0, 0]), np.array([0, 1]), 10.0, np.array([[0, 1]]),
        ...             np.array([10.0]), 150.0, 250.0, boundary_weight=0.5)
        >>> p.objective(np.array([0, 1]))  # 1 + 2 + 0.5 · (40 + 40 − 2 · 10)
        33.0
        """
        if not self.boundary_weight:
            return float(self.cost[cells].sum())
        sel = np.zeros(len(self), dtype=bool)
        sel[cells] = True
        inner = sel[self.edges[:, 0]] & sel[self.edges[:, 1]] if len(self.edges) else sel[:0]
        per = self.perimeter_m[sel].sum() - 2 * self.shared_m[inner].sum()
        return float(self.cost[sel].sum()) + self.boundary_weight * float(per)

    def perimeter_floor(self) -> float:
        """A lower bound on ``w·P(S)`` for every feasible zone: a disc's perimeter
        ``2√(π·A_min)`` has the least perimeter of any shape of its area."""
        return self.boundary_weight * 2.0 * math.sqrt(math.pi * max(self.min_area_m2, 0.0))

    def perimeter_floor_row(self) -> tuple[float, float] | None:
        """``(s, rhs)`` with ``P(S) − s·A(S) ≥ rhs`` for every feasible zone, or None
        without the compact preference. The disc bound ``P ≥ 2√(πA)`` is concave in
        ``A``, so on the area band it lies above its chord; the chord, loosened by 0.1 %,
        is the row."""
        if self.boundary_weight <= 0 or self.min_area_m2 <= 0:
            return None
        p0, slope = self._chord(2.0 * math.sqrt(math.pi))
        rhs = p0 - slope * self.min_area_m2
        return slope, rhs - 1e-3 * abs(rhs)

    # -- derived bounds ---------------------------------------------------------------
    def perimeter_bound(self) -> tuple[float, float] | None:
        """``(P0, slope)`` such that feasible zones have ``P ≤ P0 + slope·(A − A_min)``."""
        c = self.min_compactness
        if c is None or c <= 0:
            return None
        return self._chord(math.sqrt(4 * math.pi / c))

    def _chord(self, k: float) -> tuple[float, float]:
        """``(k·√A_min, slope)`` of the chord of ``k·√A`` over the area band."""
        lo, hi = self.min_area_m2, max(self.max_area_m2, self.min_area_m2)
        span = hi - lo
        slope = k * (math.sqrt(hi) - math.sqrt(lo)) / span if span > 0 else 0.0
        return k * math.sqrt(lo), slope

    def max_diameter_m(self) -> float:
        """Upper bound on the distance between two points of a feasible zone."""
        pb = self.perimeter_bound()
        if pb is None:
            return math.inf
        p0, slope = pb
        return (p0 + slope * (self.max_area_m2 - self.min_area_m2)) / 2

    @property
    def conservative(self) -> bool:
        """Whether the model reads ``min_width`` conservatively (squares of cells, charged
        or cut corners): its proofs cover only the zones the width model admits."""
        return self.width_cells > 1 or self.corners is not None

    def with_avoid(self, cells: NDArray[np.int64], share: float) -> Problem:
        """A copy that also limits the overlap with ``cells`` to ``share`` of the zone."""
        return replace(self, avoid=(*self.avoid, (np.asarray(cells, np.int64), float(share))))

    def take(self, keep: NDArray[np.bool_]) -> Problem:
        """The problem on the cells ``keep`` marks only (renumbered in order): edges,
        rule masks, corners, avoid sets and no-goods follow; a corner's neighbour left
        out reads "no cell", a no-good that needs a cell left out goes."""
        new = np.full(len(self) + 1, -1, dtype=np.int64)  # index -1 reads "no cell"
        new[np.flatnonzero(keep)] = np.arange(int(keep.sum()))
        ek = keep[self.edges[:, 0]] & keep[self.edges[:, 1]] if len(self.edges) else keep[:0]
        cn = self.corners
        if cn is not None:
            at = keep[cn.cell]
            cn = replace(cn, cell=new[cn.cell[at]], across=new[cn.across[at]],
                         loss_m2=cn.loss_m2[at], cut=None if cn.cut is None else cn.cut[at])  # fmt: skip
        return replace(
            self, area_m2=self.area_m2[keep], perimeter_m=self.perimeter_m[keep],
            cost=self.cost[keep], row=self.row[keep], col=self.col[keep],
            edges=new[self.edges[ek]].reshape(-1, 2), shared_m=self.shared_m[ek],
            sums=tuple(replace(s, coef=s.coef[keep]) for s in self.sums),
            below=tuple(replace(b, coef=b.coef[keep]) for b in self.below),
            reach=tuple(replace(r, mask=r.mask[keep],
                                value=None if r.value is None else r.value[keep]) for r in self.reach),
            avoid=tuple((new[c][new[c] >= 0], share) for c, share in self.avoid),
            nogoods=tuple(new[g] for g in self.nogoods if keep[g].all()), corners=cn,
        )  # fmt: skip

    def with_nogood(self, cells: NDArray[np.int64]) -> Problem:
        """A copy that forbids choosing exactly ``cells`` again."""
        return replace(self, nogoods=(*self.nogoods, np.sort(np.asarray(cells, np.int64))))


# -- graph helpers ----------------------------------------------------------------------
def _adjacency(n: int, edges: NDArray[np.int64]) -> list[list[int]]:
    adj: list[list[int]] = [[] for _ in range(n)]
    for i, j in edges.tolist():
        adj[i].append(j)
        adj[j].append(i)
    return adj


def _components(keep: NDArray[np.bool_], edges: NDArray[np.int64]) -> NDArray[np.int64]:
    """Component label of each kept cell through ``edges`` (-1 elsewhere), numbered in
    the order of each component's first cell."""
    # scipy loads here, not with the package (kitland check never solves)
    import scipy.sparse as sp  # noqa: PLC0415
    from scipy.sparse.csgraph import connected_components  # noqa: PLC0415

    e = edges[keep[edges[:, 0]] & keep[edges[:, 1]]] if len(edges) else edges.reshape(0, 2)
    graph = sp.csr_array((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(len(keep), len(keep)))
    lab = np.full(len(keep), -1, dtype=np.int64)
    lab[keep] = np.unique(
        connected_components(graph, directed=False)[1][keep], return_inverse=True
    )[1]
    return lab


def grid_points(p: Problem) -> NDArray[np.object_]:
    """The cells' grid positions as shapely points, made once per problem (``p.memo``)."""
    import shapely  # noqa: PLC0415 - only a point index over grid positions

    if "points" not in p.memo:
        p.memo["points"] = shapely.points(p.col * p.cell_m, p.row * p.cell_m)
    return p.memo["points"]


def near_cells(p: Problem, seeds: NDArray[np.bool_], dist_m: float) -> NDArray[np.bool_]:
    """Cells whose grid square may lie within ``dist_m`` of a seed cell's square."""
    import shapely  # noqa: PLC0415 - only a point index over grid positions

    if not seeds.any():
        return np.zeros(len(p), dtype=bool)
    if not math.isfinite(dist_m):
        return np.ones(len(p), dtype=bool)
    pts = grid_points(p)
    tree = shapely.STRtree(pts[seeds])
    hit, _ = tree.query_nearest(
        pts, max_distance=dist_m + math.sqrt(2) * p.cell_m + 1e-6, all_matches=False
    )
    out = np.zeros(len(p), dtype=bool)
    out[hit] = True
    return out
