"""The placement model over a set of cells, written once: columns, sparse rows, lazy rows.

:meth:`Model.of` builds, from the :class:`~._model.Problem` arrays and a set of cells
(a window), every column and row of the model (the rules themselves are defined in
:mod:`._model`). The HiGHS MILP (:mod:`._milp`) takes the rows in one call, the CP-SAT
model (:mod:`._cpsat`) adds each row as a linear constraint, and the check used by the
warm starts (:func:`feasible`) evaluates the same rows with numpy on the columns a cell
set implies (:meth:`Model.columns`).

Columns, all in ``[0, 1]``: ``x_i`` per cell (the only integer columns); ``y_e ≤ x_i,
x_j`` per neighbour pair when the perimeter enters a row or the objective; ``z_q`` per
``k × k`` width square, ``≤`` each of its cells; ``c`` per cap of a square (the slivers
between its side and the land's edge, :func:`caps_of`), ``≤`` its square and each of its
pieces; ``b_p ≥ x_c − x_n1 − x_n2`` per corner pattern of ``min_width``; ``h_p ≤ b_p`` per
pattern whose corner may be cut, the share of its cut taken (continuous in HiGHS, all or
nothing in CP-SAT); ``g_p ≥ h_p`` per such corner of a cell that counts for a boundary
or reach rule, integer (1: cut, so the rule no longer counts on the corner's edges). Rows ``lo ≤ A·v ≤ hi`` have integer coefficients (areas in
0.01 m², lengths in cm, the perimeter bound in 0.1 mm) so CP-SAT takes them exactly;
``scale`` per row brings them back to m² and m for HiGHS. One function per rule kind
writes its rows (``_area``, ``_sums``, ...): **a new rule kind is one more such function
listed in** :data:`_RULES`, and both solvers and the check obey it. Kinds in :data:`CUTS`
are valid rows, not rules (the disc's perimeter floor, the width rule's implied rows):
only HiGHS takes them.

Two families stay implicit, as neither solver wants all of them up front: connectivity
(HiGHS adds vertex-separator rows when its zone falls apart, CP-SAT writes a rooted
flow, the check searches the chosen cells) and the width rule's neck rows
``x_i + x_j − Σ_{q ∋ i,j} z_q − Σ_{c ∋ i,j} c ≤ 1`` (:attr:`Model.necks`: HiGHS adds
those its zone breaks, CP-SAT and the check take all).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from kitland.placement._model import Problem, SumBelow, _components
from kitland.placement._work import Work

__all__ = [
    "AREA_MARGIN_M2", "CUTS", "IntObjective", "Model", "WindowResult", "WindowSolver", "below_units",
    "caps_of", "cuts_taken", "feasible", "held_edges", "holds", "squares_of", "width_cells",
]  # fmt: skip

AREA_SCALE = 100.0  # m² → integer units (0.01 m²)
LEN_SCALE = 100.0  # m → cm
AREA_MARGIN_M2 = 0.05  # keep the area this far inside the band (float noise of the dissolve)
COMPACTNESS_MARGIN = 1e-6  # the model asks for a hair more than the rule
CAP_SHARE = 0.5  # a sliver joins a cap when it shares this much of a cell side with the square
_OBJ_MAX = 1_000_000  # largest objective coefficient after scaling (CP-SAT's integers)


@dataclass
class WindowResult:
    """What a window solver returns: the best zone found (``cells``, None if none);
    ``status`` OPTIMAL (no zone of the window is cheaper than ``cells``, or than the
    incumbent when ``cells`` is None), FEASIBLE or UNKNOWN (time ran out) or INFEASIBLE
    (none cheaper than the incumbent); ``bound`` on every zone of the window cheaper than
    the incumbent; MILP ``rounds``; per MILP against a target ``(target, cells kept,
    cells fixed in)`` (HiGHS); the work seconds spent (:mod:`._work`)."""

    cells: NDArray[np.int64] | None
    status: str
    bound: float
    rounds: int = 0
    targets: list[tuple[float, int, int]] = field(default_factory=list)
    work: float = 0.0


class WindowSolver(Protocol):
    """One window's search: the best zone among ``cells`` holding a cell of ``block``.

    ``incumbent`` is the best zone so far (only cheaper zones are wanted), ``start`` a
    zone to start from (the incumbent, or one of the window's own), ``work`` the
    window's share of the budget (:class:`~._work.Work`, charged with what the solve
    counts; or ``time_s`` work seconds), ``cutoff`` the score of a zone held outside
    the model (only zones cheaper than it are wanted either; a solver may ignore it,
    as it only saves work). Implemented by :class:`~._milp.HighsWindows` and
    :class:`~._cpsat.CpsatWindows`.
    """

    def solve(
        self, cells: NDArray[np.int64], block: NDArray[np.int64], *,
        incumbent: NDArray[np.int64] | None, start: NDArray[np.int64] | None,
        work: Work | None = None, time_s: float | None = None, cutoff: float = math.inf,
    ) -> WindowResult: ...  # fmt: skip


@dataclass(frozen=True)
class IntObjective:
    """The score in CP-SAT's integers: per cell ``cell``, per neighbour pair ``edge``."""

    cell: NDArray[np.int64]
    edge: NDArray[np.int64]
    scale: float

    @classmethod
    def of(cls, p: Problem) -> IntObjective:
        """The score of ``p`` scaled so its largest coefficient is about a million."""
        cc, ec = p.cell_cost, p.edge_cost
        top = max(float(np.abs(cc).max(initial=0.0)), float(np.abs(ec).max(initial=0.0)))
        scale = _OBJ_MAX / max(top, 1e-12)
        return cls(np.round(cc * scale).astype(np.int64), np.round(ec * scale).astype(np.int64),
                   scale)  # fmt: skip

    def value(self, p: Problem, cells: NDArray[np.int64]) -> int:
        """The integer score of a cell set."""
        v = int(self.cell[cells].sum())
        if self.edge.any() and len(p.edges):
            sel = np.zeros(len(p), dtype=bool)
            sel[cells] = True
            v += int(self.edge[sel[p.edges[:, 0]] & sel[p.edges[:, 1]]].sum())
        return v


def _pieces(p: Problem) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per cell: alone at its grid position and at least half a cell (``full``), alone
    and under half a cell (``sliver``)."""
    key = p.row * (int(p.col.max()) + 2) + p.col
    uniq, counts = np.unique(key, return_counts=True)
    alone = np.isin(key, uniq[counts == 1])
    half = p.area_m2 >= 0.5 * p.cell_m**2
    return alone & half, alone & ~half


def squares_of(p: Problem) -> NDArray[np.int64]:
    """Every ``k × k`` square of whole grid cells (rows of cell ids, row-major), for
    ``p.width_cells = k > 1``; an empty ``(0, 1)`` array otherwise.

    Squares are made of grid positions holding exactly one piece of at least half a
    cell (cells clipped by a road edge count; ``check`` judges the exact opening).
    Smaller pieces join a square as its cap (:func:`caps_of`).
    """
    k = p.width_cells
    if k <= 1 or len(p) == 0:
        return np.zeros((0, 1), dtype=np.int64)
    full, _ = _pieces(p)
    r0, c0 = int(p.row.min()), int(p.col.min())
    grid = np.full((int(p.row.max()) - r0 + k, int(p.col.max()) - c0 + k), -1, dtype=np.int64)
    grid[p.row[full] - r0, p.col[full] - c0] = np.flatnonzero(full)
    sq = np.lib.stride_tricks.sliding_window_view(grid, (k, k)).reshape(-1, k * k)
    return np.ascontiguousarray(sq[(sq >= 0).all(axis=1)])


#: The four sides of a square as grid steps (rows, columns) out of it.
_SIDES = ((-1, 0), (1, 0), (0, -1), (0, 1))


def caps_of(p: Problem, squares: NDArray[np.int64]) -> NDArray[np.int64]:
    """The squares' caps: rows ``(square, side, piece_0, …, piece_{k−1})``.

    The rows of :func:`_caps` whose pieces are all :func:`width_cells` (kept in ``p.memo``
    as :func:`_caps` keeps its rows).
    """

    def kept() -> NDArray[np.int64]:
        caps = _caps(p, squares)
        held = np.r_[_width_cells(p, squares, caps), False]  # last: read for −1, no land
        return caps[(held[caps[:, 2:]] | (caps[:, 2:] < 0)).all(axis=1)]

    return _memo(p, "kept caps", squares, kept)


def width_cells(p: Problem, squares: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Per cell, may a zone hold it under the width rule (all True without one)?

    The cells of ``squares`` (all the problem's :func:`squares_of`) and the pieces
    that lie inside the strip of a cap or of two caps on the same side: beyond an inner
    cell of a square's side (not one of its two corner cells) in some row of
    :func:`_caps`, or at the first end of one such row and the last end of another (with
    squares of 2 × 2 cells a side has no inner cell, and this is how a sliver joins a
    strip along the land's edge). A piece only ever at a strip's end, in the corner where
    the land's edge turns and the opening cuts, is in no zone. A cap is in the
    model when all its pieces are such cells (:func:`caps_of`), so every zone of the
    model lies in them, the cells the search looks at (:func:`~._solve._candidates`).
    """
    if p.width_cells <= 1:
        return np.ones(len(p), dtype=bool)
    return _width_cells(p, squares, _caps(p, squares))


def _width_cells(
    p: Problem, squares: NDArray[np.int64], caps: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """:func:`width_cells` given the rows of :func:`_caps`."""
    k = p.width_cells
    held = np.zeros(len(p) + 1, dtype=bool)  # index n: written for −1, no land
    held[squares.ravel()] = True
    held[caps[:, 3 : k + 1].ravel()] = True  # beyond the side's inner cells
    for side in range(len(_SIDES)):  # at the first end of one cap, the last of another
        on = caps[caps[:, 1] == side]
        both = np.intersect1d(on[:, 2], on[:, k + 1])
        held[both[both >= 0]] = True
    return held[:-1]


def _caps(p: Problem, squares: NDArray[np.int64]) -> NDArray[np.int64]:
    """:func:`_cap_rows`, computed once per problem and squares (:func:`_memo`): every
    window's model and every warm start's check reads them."""
    return _memo(p, "caps", squares, lambda: _cap_rows(p, squares))


def _memo(
    p: Problem, name: str, squares: NDArray[np.int64], make: Callable[[], NDArray[np.int64]]
) -> NDArray[np.int64]:
    """``make()`` of ``p`` and ``squares``, made once and kept read-only in ``p.memo``."""
    key = (name, squares.shape, squares.tobytes())
    if key not in p.memo:
        made = make()
        made.flags.writeable = False
        p.memo[key] = made
    return p.memo[key]


def _cap_rows(p: Problem, squares: NDArray[np.int64]) -> NDArray[np.int64]:
    """Every row of pieces one step out of a square's side that can be a cap.

    A cap is the row of grid positions one step out of a side of a width square
    (``side`` indexes :data:`_SIDES`; ``piece_j``: the piece beyond the side's ``j``-th
    cell, −1 where there is no land of the strip) when it holds a sliver: a piece under
    half a cell sharing an edge with the square's cell next to it. Where a position holds
    several pieces (a road narrower than a cell runs through it, land on both sides), the
    piece beyond is the one sharing an edge with the square's cell (none: −1). A row whose
    pieces have land beside them two steps out (a piece there sharing an edge with them)
    is not at the land's edge and is no cap; land across a road is not beside them. A
    zone may hold a cap's pieces when it holds the square and the whole cap
    (:func:`_width`): square and cap then fill a ``k``-cell strip up to the land's edge,
    whose opening loses only its corners.
    """
    k = p.width_cells
    if k <= 1 or len(squares) == 0 or len(p) == 0:
        return np.zeros((0, 2 + max(k, 1)), dtype=np.int64)
    full, sliver = _pieces(p)
    thin = p.area_m2 < 0.5 * p.cell_m**2
    r0, c0 = int(p.row.min()) - 2, int(p.col.min()) - 2
    count = np.zeros((int(p.row.max()) - r0 + 3, int(p.col.max()) - c0 + 3), dtype=np.int64)
    np.add.at(count, (p.row - r0, p.col - c0), 1)
    at = np.where(count > 1, -2, -1)  # per position: its piece, −1 none, −2 several
    alone = full | sliver
    at[p.row[alone] - r0, p.col[alone] - c0] = np.flatnonzero(alone)
    n, width = len(p), count.shape[1]
    pos = (p.row - r0) * width + (p.col - c0)  # each piece's position, a number
    a, b = np.r_[p.edges[:, 0], p.edges[:, 1]], np.r_[p.edges[:, 1], p.edges[:, 0]]
    beside = np.unique(a * count.size + pos[b])  # (piece, a position holding a neighbour)
    wide = np.tile(p.shared_m >= CAP_SHARE * p.cell_m, 2)
    across = _one_per_key(a[wide] * count.size + pos[b[wide]], b[wide])
    ekey = np.sort(p.edges[wide[: len(p.edges)]], axis=1) @ np.array([n, 1])
    grid = squares.reshape(-1, k, k)
    side_cells = (grid[:, 0, :], grid[:, k - 1, :], grid[:, :, 0], grid[:, :, k - 1])
    out = []
    for side, ((dr, dc), cells) in enumerate(zip(_SIDES, side_cells, strict=True)):
        there = (p.row[cells] + dr - r0) * width + (p.col[cells] + dc - c0)
        beyond = at.ravel()[there]
        several = beyond == -2  # the piece sharing an edge with the square's cell, if any
        beyond[several] = across(cells[several] * count.size + there[several])
        is_sliver = (beyond >= 0) & thin[np.maximum(beyond, 0)]
        key = np.minimum(beyond, cells) * n + np.maximum(beyond, cells)
        joined = ~is_sliver | np.isin(key, ekey)
        past = there + dr * width + dc  # the land's edge: nothing beside the piece there
        edge = (beyond < 0) | ~np.isin(np.maximum(beyond, 0) * count.size + past, beside)
        ok = (is_sliver.any(axis=1) & (beyond >= -1).all(axis=1) & joined.all(axis=1)
              & edge.all(axis=1))  # fmt: skip
        q = np.flatnonzero(ok)
        out.append(np.c_[q, np.full(len(q), side), beyond[q]])
    return np.concatenate(out).astype(np.int64)


def _one_per_key(
    keys: NDArray[np.int64], values: NDArray[np.int64]
) -> Callable[[NDArray[np.int64]], NDArray[np.int64]]:
    """A lookup of ``values`` by ``keys``: the value of a key given once, −2 for a key
    given with several values, −1 for a key not given."""
    pairs = np.unique(np.c_[keys, values], axis=0)
    uniq, first, counts = np.unique(pairs[:, 0], return_index=True, return_counts=True)
    vals = np.where(counts == 1, pairs[first, 1], -2) if len(pairs) else np.zeros(0, np.int64)

    def look(q: NDArray[np.int64]) -> NDArray[np.int64]:
        i = np.minimum(np.searchsorted(uniq, q), max(len(uniq) - 1, 0))
        hit = (uniq[i] == q) if len(uniq) else np.zeros(len(q), dtype=bool)
        return np.where(hit, vals[i] if len(uniq) else -1, -1).astype(np.int64)

    return look


def held_edges(p: Problem, squares: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Per neighbour pair of ``p.edges``: may a zone hold both cells (with a width rule:
    both lie in squares, or a cap holds them together)? A zone is connected through
    such pairs, so its pieces of candidate land are read through them alone. The pairs
    of every row of :func:`_caps` count, kept as a cap or not: a few more than a zone
    may hold, so a piece of land is never split wrongly, and the pieces (so the
    windows) are those read before caps were kept by :func:`width_cells`."""
    held = np.ones(len(p.edges), dtype=bool)
    if p.width_cells <= 1 or not len(p.edges):
        return held
    in_sq = np.zeros(len(p), dtype=bool)
    in_sq[squares.ravel()] = True
    held = in_sq[p.edges[:, 0]] & in_sq[p.edges[:, 1]]
    a, b, _ = _cap_pairs(squares, _caps(p, squares), p.width_cells)
    n = len(p)
    pairs = np.minimum(a, b) * n + np.maximum(a, b)
    return held | np.isin(p.edges.min(axis=1) * n + p.edges.max(axis=1), pairs)


def _cap_pairs(
    squares: NDArray[np.int64], caps: NDArray[np.int64], k: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The pairs each cap holds together, ``(a, b, cap)``: each piece with the square's
    cell next to it, and two pieces side by side."""
    grid = squares.reshape(-1, k, k)
    cap, j = np.nonzero(caps[:, 2:] >= 0)
    piece, side = caps[cap, 2 + j], caps[cap, 1]
    row = np.select([side == 0, side == 1], [0, k - 1], j)
    col = np.select([side == 2, side == 3], [0, k - 1], j)
    nxt = np.flatnonzero((cap[1:] == cap[:-1]) & (j[1:] == j[:-1] + 1))
    a = np.r_[piece, piece[nxt]]
    b = np.r_[grid[caps[cap, 0], row, col], piece[nxt + 1]]
    return a, b, np.r_[cap, cap[nxt]]


@dataclass(frozen=True)
class Model:
    """The model over ``cells``: column blocks, rows ``lo ≤ rows·v ≤ hi``, neck rows.

    Columns are ordered ``x`` (one per cell, ``cells[k]`` is column ``k``), ``y``
    (``pairs``), ``z`` (``squares``), ``b`` (``patterns``), ``h`` (``patterns[cuts]``,
    the corners that may be cut), ``g`` (``cuts[guards]``, those of cells a boundary or
    reach rule counts on; integer, as ``x``). ``edges`` are the window's
    neighbour pairs (local cell indices), ``edge_ids`` their rows in ``p.edges``;
    ``caps`` the squares' caps (:func:`caps_of`; local square and cell indices), one
    ``c`` column each after the ``z`` columns.
    """

    p: Problem
    cells: NDArray[np.int64]
    loc: NDArray[np.int64]  # per problem cell (and one more, for -1): its column, or -1
    edges: NDArray[np.int64]
    edge_ids: NDArray[np.int64]
    ny: int
    squares: NDArray[np.int64]
    patterns: NDArray[np.int64]
    block: NDArray[np.int64] | None = None
    perimeter: bool = True
    cost: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    rows: sp.csr_array = field(default_factory=lambda: sp.csr_array((0, 0)))
    lo: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    hi: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    scale: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    kinds: tuple[tuple[str, int], ...] = ()
    necks: sp.csr_array = field(default_factory=lambda: sp.csr_array((0, 0)))
    caps: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 3), np.int64))
    cuts: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    guards: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def m(self) -> int:
        """Number of cells (``x`` columns)."""
        return len(self.cells)

    @property
    def a(self) -> NDArray[np.float64]:
        """Cell areas in whole 0.01 m²."""
        return np.round(self.p.area_m2[self.cells] * AREA_SCALE)

    @property
    def z0(self) -> int:
        return self.m + self.ny

    @property
    def c0(self) -> int:
        return self.z0 + len(self.squares)

    @property
    def b0(self) -> int:
        return self.c0 + len(self.caps)

    @property
    def h0(self) -> int:
        return self.b0 + len(self.patterns)

    @property
    def g0(self) -> int:
        return self.h0 + len(self.cuts)

    @property
    def ncol(self) -> int:
        return self.g0 + len(self.guards)

    @property
    def ints(self) -> NDArray[np.int32]:
        """The integer columns: ``x`` and ``g``."""
        return np.r_[np.arange(self.m), self.g0 + np.arange(len(self.guards))].astype(np.int32)

    @classmethod
    def of(
        cls, p: Problem, cells: NDArray[np.int64], squares: NDArray[np.int64], *,
        block: NDArray[np.int64] | None = None, perimeter: bool = True, corners: bool = True,
        columns_only: bool = False,
    ) -> Model:  # fmt: skip
        """The model over ``cells`` (sorted global ids) with a cell of ``block`` chosen.

        ``squares`` are :func:`squares_of`; those not inside ``cells`` are dropped.
        Without ``perimeter`` or ``corners`` the compactness row or the corner columns
        and rows are left out (a relaxation: every zone of the full model stays
        feasible, at the same cost). With ``columns_only``, the layout without rows.
        """
        n, m = len(p), len(cells)
        loc = np.full(n + 1, -1, dtype=np.int64)  # index n (and -1) read "not in the window"
        loc[cells] = np.arange(m)
        in_w = loc >= 0
        ew = np.flatnonzero(in_w[p.edges[:, 0]] & in_w[p.edges[:, 1]]) if len(p.edges) else \
            np.zeros(0, np.int64)  # fmt: skip
        edges = loc[p.edges[ew]].reshape(-1, 2)
        with_y = (perimeter and p.perimeter_bound() is not None) or p.boundary_weight > 0
        ny = len(ew) if with_y else 0
        sq_in = np.asarray(in_w[squares].all(axis=1), dtype=bool) & (p.width_cells > 1)
        sq = squares[sq_in]
        pats = (np.flatnonzero(in_w[p.corners.cell]) if p.corners is not None and corners
                else np.zeros(0, np.int64))  # fmt: skip
        caps = caps_of(p, squares)  # of all squares: which caps are kept depends on them all
        caps = caps[sq_in[caps[:, 0]] & (in_w[caps[:, 2:]] | (caps[:, 2:] < 0)).all(axis=1)]
        caps[:, 0] = (np.cumsum(sq_in) - 1)[caps[:, 0]]
        caps[:, 2:] = np.where(caps[:, 2:] >= 0, loc[caps[:, 2:]], -1)
        cuts = (np.flatnonzero(p.corners.cut_m2[pats] > 0) if p.corners is not None
                else np.zeros(0, np.int64))  # fmt: skip
        guards = (np.flatnonzero(_counted(p)[p.corners.cell[pats[cuts]]])
                  if len(cuts) and p.corners is not None else np.zeros(0, np.int64))  # fmt: skip
        w = cls(p, cells, loc, edges, ew, ny, loc[sq], pats, block, perimeter, caps=caps,
                cuts=cuts, guards=guards)  # fmt: skip
        if columns_only:
            return w
        named = [(name, b) for name, rule in _RULES if (b := rule(w)) is not None and b[0].shape[0]]
        rows, lo, hi, scale = _stack([b for _, b in named])  # never empty: the area row
        cost = np.zeros(w.ncol)
        cost[:m] = p.cell_cost[cells]
        cost[m : m + ny] = p.edge_cost[ew[:ny]]
        kinds = tuple((name, b[0].shape[0]) for name, b in named)
        return replace(w, cost=cost, rows=rows, lo=lo, hi=hi, scale=scale, kinds=kinds,
                       necks=_neck_rows(w))  # fmt: skip

    def rows_of(self, *kinds: str) -> NDArray[np.int64]:
        """The indices of the rows written by the rule functions named ``kinds``."""
        ends = np.cumsum([0, *(k for _, k in self.kinds)])
        return np.concatenate([np.arange(ends[i], ends[i + 1]) for i, (name, _) in
                               enumerate(self.kinds) if name in kinds] or [np.zeros(0, np.int64)])  # fmt: skip

    def columns(self, sel: NDArray[np.bool_]) -> NDArray[np.float64]:
        """The column values a choice of cells implies (``sel``: one flag per ``x``)."""
        v = np.zeros(self.ncol)
        v[: self.m] = sel
        if self.ny:
            v[self.m : self.z0] = sel[self.edges[:, 0]] & sel[self.edges[:, 1]]
        if len(self.squares):
            z = np.asarray(sel[self.squares].all(axis=1), dtype=bool)
            v[self.z0 : self.c0] = z
            if len(self.caps):  # a piece −1 (no land) reads the True appended to sel
                pieces = np.r_[sel, True][self.caps[:, 2:]].all(axis=1)
                v[self.c0 : self.b0] = z[self.caps[:, 0]] & pieces
        if len(self.patterns) and self.p.corners is not None:
            full = np.zeros(len(self.p), dtype=bool)
            full[self.cells[sel]] = True
            v[self.b0 : self.h0] = self.p.corners.fired(full)[self.patterns]
            v[self.h0 : self.g0] = self._cuts_needed(v)
            v[self.g0 :] = v[self.h0 + self.guards] > 0
        return v

    def _cuts_needed(self, v: NDArray[np.float64]) -> NDArray[np.float64]:
        """The least cuts that bring the loss within the corner budget (:func:`_corners`'s
        units): whole cuts of the fired corners, those no boundary or reach rule counts
        on first, then of the cells that cost the most per m² (the cut lowers the score
        most there), the last one in part; all fired corners cut whole when even that
        does not."""
        loss, credit, share = _corner_units(self)
        need = float(loss @ v[self.b0 : self.h0] - share @ v[: self.m])
        credit = credit * v[self.b0 + self.cuts]
        cell = self.p.corners.cell[self.patterns[self.cuts]] if self.p.corners else self.cuts
        guarded = np.zeros(len(self.cuts))
        guarded[self.guards] = 1.0
        order = np.lexsort((-self.p.cost[cell] / self.p.area_m2[cell], guarded))
        before = np.cumsum(np.r_[0.0, credit[order]])[:-1]
        h = np.zeros(len(self.cuts))
        with np.errstate(divide="ignore", invalid="ignore"):
            h[order] = np.clip((need - before) / credit[order] * (1 + 1e-12), 0.0, 1.0)
        h[credit <= 0] = 0.0
        return h

    def open_necks(self, sel: NDArray[np.bool_]) -> NDArray[np.int64]:
        """The neck rows (window edges) the chosen cells ``sel`` break."""
        if self.necks.shape[0] == 0:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.necks @ self.columns(sel) > 1 + 1e-6)

    def connected(self, sel: NDArray[np.bool_]) -> bool:
        """Whether the chosen cells form one piece through the window's edges."""
        lab = _components(sel, self.edges)
        return bool(sel.any()) and int(lab.max()) == 0


def feasible(p: Problem, cells: NDArray[np.int64], squares: NDArray[np.int64]) -> bool:
    """Does a cell set satisfy every row of the model (and connectivity)?

    The model is laid out over the set itself with every cell chosen: cells outside are 0
    in any window's model, so the rows read exactly what a window's rows read. Rule by
    rule, stopping at the first block of rows the set breaks.
    """
    if len(cells) == 0:
        return False
    w = Model.of(p, np.unique(cells), squares, columns_only=True)
    sel = np.ones(w.m, dtype=bool)
    v = w.columns(sel)
    for name, rule in _RULES:
        b = None if name in CUTS else rule(w)
        if b is None or not b[0].shape[0]:
            continue
        act = b[0] @ v
        if ((act < b[1] - 1e-6) | (act > b[2] + 1e-6)).any():
            return False
    return not (_neck_rows(w) @ v > 1 + 1e-6).any() and w.connected(sel)


def shortfalls(
    p: Problem, cells: NDArray[np.int64], squares: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Per boundary-length rule, then per reach rule, how much its row of the model falls
    short for the cell set ``cells`` (laid out as :func:`feasible` lays it), as a share
    of the row's minimum; 0 where the row holds."""
    w = Model.of(p, np.unique(cells), squares, columns_only=True)
    v = w.columns(np.ones(w.m, dtype=bool))
    out = [np.zeros(0)]
    for rule in (_sums, _reach):
        b = rule(w)
        if b is not None and b[0].shape[0]:
            out.append(np.maximum(0.0, b[1] - b[0] @ v) / np.maximum(b[1], 1e-9))
    return np.concatenate(out)


def cuts_taken(p: Problem, chosen: NDArray[np.int64]) -> NDArray[np.float64]:
    """The triangles to cut off the corners of the zone of ``chosen`` cells, shape
    ``(k, 3, 2)``: of each fired corner that may be cut, the share λ of its cut that
    :meth:`Model.columns` takes (the least the corner budget needs, dearest cells
    first), as its triangle scaled by √λ from the corner."""
    if p.corners is None or p.corners.cut is None or len(chosen) == 0:
        return np.zeros((0, 3, 2))
    w = Model.of(p, np.unique(chosen), np.zeros((0, 1), np.int64), columns_only=True)
    h = w.columns(np.ones(w.m, dtype=bool))[w.h0 : w.g0]
    on = h > 0
    tri = p.corners.cut[w.patterns[w.cuts[on]]]
    return tri[:, :1] + np.sqrt(h[on])[:, None, None] * (tri - tri[:, :1])


# -- the rows, one function per rule kind ---------------------------------------------------
_Block = tuple[sp.csr_array, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def _one(w: Model, cols: NDArray[np.int64], vals: NDArray[np.float64], lo: float, hi: float,
         scale: float) -> _Block:  # fmt: skip
    """A block of one row."""
    a = sp.csr_array((vals, (np.zeros(len(cols), np.int64), cols)), shape=(1, w.ncol))
    return a, np.array([lo]), np.array([hi]), np.array([scale])


def _many(w: Model, r: NDArray[np.int64], c: NDArray[np.int64], v: NDArray[np.float64],
          lo: float, hi: float, nrow: int, scale: float = 1.0) -> _Block | None:  # fmt: skip
    """A block of ``nrow`` rows with the same bounds, from (row, column, value) triples."""
    if nrow == 0:
        return None
    a = sp.csr_array((v, (r, c)), shape=(nrow, w.ncol))
    return a, np.full(nrow, lo), np.full(nrow, hi), np.full(nrow, scale)


def _stack(parts: Sequence[_Block | None]) -> _Block:
    """The blocks one under the other (None: no rows)."""
    ok = [b for b in parts if b is not None]
    if not ok:
        return sp.csr_array((0, 0)), np.zeros(0), np.zeros(0), np.zeros(0)
    a = sp.csr_array(sp.vstack([b[0] for b in ok], format="csr"))
    return a, *(np.concatenate([b[i] for b in ok]) for i in (1, 2, 3))


def _area(w: Model) -> _Block:
    """``A_min ≤ Σ a_i x_i ≤ A_max``, kept ``AREA_MARGIN_M2`` inside the band; with
    corners that may be cut, ``Σ a_i x_i − Σ cut_p h_p ≥ A_min`` (the zone as cut; the
    cells alone keep within ``A_max``)."""
    p = w.p
    lo = math.ceil((p.min_area_m2 + AREA_MARGIN_M2) * AREA_SCALE)
    hi = math.floor((p.max_area_m2 - AREA_MARGIN_M2) * AREA_SCALE)
    if not len(w.cuts):
        return _one(w, np.arange(w.m), w.a, lo, hi, 1 / AREA_SCALE)
    cut = np.ceil(_cut_m2(w) * AREA_SCALE)
    cols = np.r_[np.arange(w.m), w.h0 + np.arange(len(w.cuts))]
    return _stack([_one(w, cols, np.r_[w.a, -cut], lo, math.inf, 1 / AREA_SCALE),
                   _one(w, np.arange(w.m), w.a, -math.inf, hi, 1 / AREA_SCALE)])  # fmt: skip


def _cut_m2(w: Model) -> NDArray[np.float64]:
    """The whole cut of each ``h`` column's corner, m²."""
    assert w.p.corners is not None
    return w.p.corners.cut_m2[w.patterns[w.cuts]]


def _sums(w: Model) -> _Block | None:
    """``Σ g_i x_i ≥ g_min`` per boundary-length rule, in whole cm.

    Cell lengths are rounded, not floored: the ε trim at each cell's stretch ends makes
    a 50 m edge of two cells measure 49.998 m each, which the dissolved zone measures
    as the full 100 m that :func:`kitland.check` then judges.
    """
    out = []
    cell, legs = _guarded(w)
    for s in w.p.sums:
        u = np.round(s.coef[w.cells] * LEN_SCALE)
        nz = np.flatnonzero(u > 0)
        on = np.flatnonzero(s.coef[cell] > 0)
        cols, vals = np.r_[nz, w.g0 + on], np.r_[u[nz], -np.ceil(legs[on] * LEN_SCALE)]
        out.append(_one(w, cols, vals, math.ceil(s.min_value * LEN_SCALE), math.inf, 1 / LEN_SCALE))
    return _stack(out)


def _counted(p: Problem) -> NDArray[np.bool_]:
    """Per cell: does a boundary-length or reach rule count on it (a cut corner then
    needs its ``g`` column)?"""
    out = np.zeros(len(p), dtype=bool)
    for s in p.sums:
        out |= s.coef > 0
    for r in p.reach:
        out |= r.mask
    return out


def _guarded(w: Model) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Per ``g`` column: its corner's cell and the length of its two legs, m (what a cut
    can take from a boundary-length rule: the cut's own edge only adds)."""
    if not len(w.guards):
        return np.zeros(0, np.int64), np.zeros(0)
    assert w.p.corners is not None and w.p.corners.cut is not None
    pat = w.patterns[w.cuts[w.guards]]
    tri = w.p.corners.cut[pat]
    legs = np.hypot(*(tri[:, 1] - tri[:, 0]).T) + np.hypot(*(tri[:, 2] - tri[:, 0]).T)
    return w.p.corners.cell[pat], legs


def below_units(row: SumBelow) -> tuple[NDArray[np.float64], int]:
    """A :class:`~._model.SumBelow` row in the sums' whole centimetres: per cell
    coefficients ``u`` and the most ``Σ u_i x_i`` may be (one less than the earlier
    row's ``⌈limit⌉``, so the two rows split every cell set exactly)."""
    return np.round(row.coef * LEN_SCALE), math.ceil(row.limit * LEN_SCALE) - 1


def _below(w: Model) -> _Block | None:
    """``Σ u_i x_i ≤ ⌈limit⌉ − 1`` per ``below`` row (:func:`below_units`)."""
    out = []
    for row in w.p.below:
        u, most = below_units(row)
        u = u[w.cells]
        nz = np.flatnonzero(u != 0)
        out.append(_one(w, nz, u[nz], -math.inf, most, 1 / LEN_SCALE))
    return _stack(out)


def _reach(w: Model) -> _Block | None:
    """``Σ_{mask} x_i − Σ_{mask} g_p ≥ 1`` per reach rule (a cell of the mask chosen and
    none of its corners cut), and a cell of the window's block chosen."""
    cell, _ = _guarded(w)
    out = []
    for r in w.p.reach:  # a cut cell may no longer reach: count the cells left whole
        mk, on = np.flatnonzero(r.mask[w.cells]), np.flatnonzero(r.mask[cell])
        out.append(_one(w, np.r_[mk, w.g0 + on], np.r_[np.ones(len(mk)), -np.ones(len(on))],
                        1.0, math.inf, 1.0))  # fmt: skip
    if w.block is not None:
        b_loc = w.loc[w.block]
        in_block = np.zeros(w.m, dtype=bool)
        in_block[b_loc[b_loc >= 0]] = True
        if not in_block.all():
            out.append(_one(w, np.flatnonzero(in_block), np.ones(int(in_block.sum())), 1.0,
                            math.inf, 1.0))  # fmt: skip
    return _stack(out)


def _pairs(w: Model) -> _Block | None:
    """``y_e ≤ x_i`` and ``y_e ≤ x_j`` for each pair column."""
    if not w.ny:
        return None
    e = np.arange(w.ny)
    r = np.r_[e, e, w.ny + e, w.ny + e]
    c = np.r_[w.m + e, w.edges[:, 0], w.m + e, w.edges[:, 1]]
    v = np.r_[np.ones(w.ny), -np.ones(w.ny), np.ones(w.ny), -np.ones(w.ny)]
    return _many(w, r, c, v, -math.inf, 0.0, 2 * w.ny)


def _perimeter(w: Model) -> _Block | None:
    """The compactness bound ``P ≤ k'(√A_min + s(A − A_min))`` (see :mod:`._model`).

    In units of 0.0001 m so the integers are exact: cell ``i`` contributes
    ``⌈10⁴·p_i⌉ − ⌊10⁴·s·a_i⌋``, a chosen pair ``−2⌊10⁴·L_ij⌋``.
    """
    p = w.p
    pb = p.perimeter_bound()
    if pb is None or not w.ny or not w.perimeter:
        return None
    c = p.min_compactness or 0.0
    k_adj = math.sqrt(c / (c + COMPACTNESS_MARGIN))
    p0, slope = pb[0] * k_adj, pb[1] * k_adj
    q = 100.0 * LEN_SCALE
    per_cell = np.ceil(p.perimeter_m[w.cells] * q) - np.floor(slope * q * p.area_m2[w.cells])
    per_edge = -2.0 * np.floor(p.shared_m[w.edge_ids] * q)
    rhs = math.floor((p0 - slope * p.min_area_m2) * q)
    # A cut corner takes area from the zone (and less perimeter, not counted): ``+s·cut``.
    per_cut = np.ceil(slope * q * _cut_m2(w)) if len(w.cuts) else np.zeros(0)
    cols = np.r_[np.arange(w.m + w.ny), w.h0 + np.arange(len(w.cuts))]
    return _one(w, cols, np.r_[per_cell, per_edge, per_cut], -math.inf, rhs, 1 / q)


def _perimeter_floor(w: Model) -> _Block | None:
    """No shape has less perimeter than a disc of its area (with the compact preference).

    Not a rule but a valid row: without it the LP spreads the zone thin and counts
    almost no perimeter cost. In 0.1 mm, rounded up (so it only loosens).
    """
    p = w.p
    floor = p.perimeter_floor_row()
    if floor is None or not w.ny:
        return None
    slope, rhs = floor
    q = 100.0 * LEN_SCALE
    cell = np.ceil((p.perimeter_m[w.cells] - slope * p.area_m2[w.cells]) * q)
    edge = np.ceil(-2.0 * p.shared_m[w.edge_ids] * q)
    return _one(w, np.arange(w.m + w.ny), np.r_[cell, edge], math.floor(rhs * q), math.inf, 1 / q)


def _width(w: Model) -> _Block | None:
    """``z_q ≤ x_i`` for each cell of a square; ``c ≤ z_q`` and ``c ≤ x_j`` for each cap
    ``c`` of square ``q`` and each piece ``j`` of it; ``x_i ≤ Σ_{q ∋ i} z_q + Σ_{c ∋ i} c``."""
    if w.p.width_cells <= 1:
        return None
    nsq, kk = w.squares.shape
    z = w.z0 + np.repeat(np.arange(nsq), kk)
    members = w.squares.ravel()
    r = np.arange(nsq * kk)
    links = _many(w, np.r_[r, r], np.r_[z, members], np.r_[np.ones(len(r)), -np.ones(len(r))],
                  -math.inf, 0.0, len(r))  # fmt: skip
    c = w.c0 + np.repeat(np.arange(len(w.caps)), w.caps.shape[1] - 1)
    other = np.c_[w.z0 + w.caps[:, 0], w.caps[:, 2:]].ravel()
    c, other = c[other >= 0], other[other >= 0]
    r = np.arange(len(c))
    cap_links = _many(w, np.r_[r, r], np.r_[c, other], np.r_[np.ones(len(r)), -np.ones(len(r))],
                      -math.inf, 0.0, len(r))  # fmt: skip
    cap, pos = np.nonzero(w.caps[:, 2:] >= 0)
    held = w.caps[cap, 2 + pos]
    cover = _many(w, np.r_[np.arange(w.m), members, held], np.r_[np.arange(w.m), z, w.c0 + cap],
                  np.r_[np.ones(w.m), -np.ones(len(members) + len(held))], -math.inf, 0.0, w.m)  # fmt: skip
    return _stack([links, cap_links, cover])


def _corner_units(w: Model) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                       NDArray[np.float64]]:  # fmt: skip
    """The corner budget's coefficients in 0.01 m²: each pattern's loss (rounded up),
    each ``h`` column's credit ``(1 − share)·cut`` and each cell's ``share·a`` (down)."""
    cn = w.p.corners
    assert cn is not None
    loss = np.ceil(cn.loss_m2[w.patterns] * AREA_SCALE)
    credit = np.floor((1 - cn.share) * _cut_m2(w) * AREA_SCALE) if len(w.cuts) else np.zeros(0)
    return loss, credit, np.floor(cn.share * w.a)


def _corners(w: Model) -> _Block | None:
    """``b_p ≥ x_c − x_n1 − x_n2`` per pattern; ``h_p ≤ b_p`` per corner that may be cut
    and ``h_p ≤ g_p`` where a rule counts on its cell;
    ``Σ loss_p b_p − Σ (1 − share)·cut_p h_p ≤ share·Σ a_i x_i``: the loss left after
    the cuts within the share of the zone as cut (:class:`._model.Corners`)."""
    cn = w.p.corners
    if cn is None or not len(w.patterns):
        return None
    npat = len(w.patterns)
    b = w.b0 + np.arange(npat)
    acr = w.loc[cn.across[w.patterns]]  # -1: outside the window, never chosen
    r, c = [np.arange(npat)] * 2, [b, w.loc[cn.cell[w.patterns]]]
    v = [np.ones(npat), -np.ones(npat)]
    for col in acr.T:
        ok = col >= 0
        r.append(np.flatnonzero(ok))
        c.append(col[ok])
        v.append(np.ones(int(ok.sum())))
    fire = _many(w, np.concatenate(r), np.concatenate(c), np.concatenate(v), 0.0, math.inf, npat)
    nh = len(w.cuts)
    h = w.h0 + np.arange(nh)
    link = _many(w, np.r_[np.arange(nh), np.arange(nh)], np.r_[h, b[w.cuts]],
                 np.r_[np.ones(nh), -np.ones(nh)], -math.inf, 0.0, nh)  # fmt: skip
    ng = len(w.guards)
    g = w.g0 + np.arange(ng)
    guard = _many(w, np.r_[np.arange(ng), np.arange(ng)], np.r_[h[w.guards], g],
                  np.r_[np.ones(ng), -np.ones(ng)], -math.inf, 0.0, ng)  # fmt: skip
    loss, credit, share = _corner_units(w)
    budget = _one(w, np.r_[b, h, np.arange(w.m)], np.r_[loss, -credit, -share], -math.inf, 0.0,
                  1 / AREA_SCALE)  # fmt: skip
    return _stack([fire, link, guard, budget])


def _avoid(w: Model) -> _Block | None:
    """Overlap with an earlier placement ``≤ share·area``, in thousandths of the share;
    the area is the zone's as cut (a cut counted as taken from outside the overlap)."""
    out = []
    cols = np.r_[np.arange(w.m), w.h0 + np.arange(len(w.cuts))]
    cut = np.ceil(_cut_m2(w) * AREA_SCALE) if len(w.cuts) else np.zeros(0)
    for prev, share in w.p.avoid:
        pin = np.zeros(len(w.p), dtype=bool)
        pin[prev] = True
        coef = (1000 * pin[w.cells] - round(share * 1000)) * w.a
        coef = np.r_[coef, round(share * 1000) * cut]
        out.append(_one(w, cols, coef, -math.inf, 0.0, 1e-3 / AREA_SCALE))
    return _stack(out)


def _nogoods(w: Model) -> _Block | None:
    """``Σ_{ng} x − Σ_{others} x ≤ |ng| − 1``: never exactly a cell set that failed ``check``."""
    out = []
    for ng in w.p.nogoods:
        if (w.loc[ng] >= 0).all():
            coef = -np.ones(w.m)
            coef[w.loc[ng]] = 1.0
            out.append(_one(w, np.arange(w.m), coef, -math.inf, len(ng) - 1.0, 1.0))
    return _stack(out)


def holds(w: Model) -> sp.csr_array | None:
    """What a zone holds whole under the width rule: one row per square of the window
    (its cells) and per cap (its square's cells and its pieces), over the ``x`` columns;
    None without a width rule. Every cell a zone holds lies in a row it holds whole (the
    ``cover`` rows of :func:`_width`)."""
    if w.p.width_cells <= 1 or not len(w.squares):
        return None
    groups = [w.squares]
    if len(w.caps):
        groups.append(np.c_[w.squares[w.caps[:, 0]], w.caps[:, 2:]])
    r = np.concatenate([np.repeat(np.arange(len(g)), g.shape[1]) for g in groups])
    r[len(w.squares) * w.squares.shape[1] :] += len(w.squares)
    c = np.concatenate([g.ravel() for g in groups])
    on = c >= 0
    a = sp.csr_array((np.ones(int(on.sum())), (r[on], c[on])), shape=(sum(map(len, groups)), w.m))
    a.sum_duplicates()
    return a


def _implied(w: Model) -> _Block | None:
    """``x_i ≤ x_j`` where every square and cap that may hold cell ``i`` holds ``j`` too
    (a cell at the land's edge: the cells inward of it): a zone holding ``i`` holds one
    of them whole. Not a rule but a valid row (:data:`CUTS`): without it the LP takes a
    cell at the edge at a share its squares' other cells need not match."""
    a = holds(w)
    if a is None:
        return None
    a = sp.csr_array((a > 0).astype(np.float64))
    count = np.asarray(a.sum(axis=0)).ravel()
    both = sp.coo_array(a.T @ a)
    i, j = both.row, both.col
    ok = (i != j) & (count[i] > 0) & (both.data == count[i])
    i, j = i[ok], j[ok]
    r = np.arange(len(i))
    return _many(w, np.r_[r, r], np.r_[i, j], np.r_[np.ones(len(i)), -np.ones(len(i))],
                 -math.inf, 0.0, len(i))  # fmt: skip


#: Row kinds that are valid cuts, not rules: every zone satisfies them; they only tighten
#: an LP relaxation (HiGHS), and CP-SAT and the set check leave them out.
CUTS = ("perimeter_floor", "implied")

_RULES: tuple[tuple[str, Callable[[Model], _Block | None]], ...] = (
    ("area", _area), ("sums", _sums), ("below", _below), ("reach", _reach), ("pairs", _pairs),
    ("perimeter", _perimeter), ("perimeter_floor", _perimeter_floor), ("width", _width),
    ("corners", _corners), ("avoid", _avoid), ("nogoods", _nogoods), ("implied", _implied),
)  # fmt: skip


def _neck_rows(w: Model) -> sp.csr_array:
    """``x_i + x_j − Σ_{q ∋ i,j} z_q − Σ_{c ∋ i,j} c ≤ 1`` per window edge (width rule):
    no neck narrower than a square where two squares barely overlap. A cap holds its
    pairs too: each piece with the square's cell next to it, and two pieces side by side."""
    k = w.p.width_cells
    ne = len(w.edges)
    if k <= 1 or ne == 0:
        return sp.csr_array((0, w.ncol))
    grid = w.squares.reshape(-1, k, k)
    a = np.r_[grid[:, :, :-1].ravel(), grid[:, :-1, :].ravel()]
    b = np.r_[grid[:, :, 1:].ravel(), grid[:, 1:, :].ravel()]
    pairs = np.repeat(np.arange(len(grid)), k * (k - 1))
    q = w.z0 + np.r_[pairs, pairs]
    if len(w.caps):
        ca, cb, cap = _cap_pairs(w.squares, w.caps, k)
        a, b, q = np.r_[a, ca], np.r_[b, cb], np.r_[q, w.c0 + cap]
    key = np.minimum(a, b) * w.m + np.maximum(a, b)
    ekey = np.minimum(w.edges[:, 0], w.edges[:, 1]) * w.m + np.maximum(w.edges[:, 0], w.edges[:, 1])
    order = np.argsort(ekey)
    pos = np.searchsorted(ekey[order], key)
    hit = (pos < ne) & (ekey[order][np.minimum(pos, ne - 1)] == key)
    e = order[pos[hit]]
    r = np.r_[np.arange(ne), np.arange(ne), e]
    c = np.r_[w.edges[:, 0], w.edges[:, 1], q[hit]]
    v = np.r_[np.ones(2 * ne), -np.ones(int(hit.sum()))]
    return sp.csr_array((v, (r, c)), shape=(ne, w.ncol))
