"""Every tunable of the placement search, in one frozen value that tests and benchmarks pass in.

The defaults are the values measured to pay on the bundled and synthetic estates (the
figures are in ``benchmarks/CHANGELOG.md``, how to reproduce them in
``benchmarks/README.md``). None of them changes
what is proven: they only decide how the time is spent, except ``turn_share`` and
``turn_min_deg``, which decide which grids are searched (the status names the grids a
proof covers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from kitland._errors import UsageError
from kitland.i18n import Message

__all__ = ["SolveOptions"]


@dataclass(frozen=True)
class SolveOptions:
    """How the search spends its time.

    Attributes
    ----------
    probe_min_cells
        Windows of at least this many cells are solved against targets with LP probing
        (smaller ones by the MILP directly).
    target_gaps, probe_gap
        The targets tried first, as shares above the window's LP bound; probing runs
        only against targets at most ``probe_gap`` above it (further, it drops too few
        cells to pay).
    probe_share, target_share
        Share of a window's work left that one probing stage, or one MILP against a
        target below the cutoff, may take.
    probe_round, probe_min_found
        Probe columns per round between the two LP copies (they exchange what they found
        after each round, so the cells kept do not depend on thread timing); a stage
        stops after a round that drops or fixes in fewer than ``probe_min_found`` of the
        cells it probed (the cells not probed are kept).
    cuts_per_piece
        Vertex-separator rows added per piece when the MILP's zone falls apart.
    greedy_windows
        Best-bound windows that get a greedy warm start.
    search_share, search_max_s, search_round_s, search_starts
        The CP-SAT large-neighbourhood search beside HiGHS: this share of the budget, at
        most ``search_max_s`` (CP-SAT deterministic seconds), in rounds of at most
        ``search_round_s``, from ``search_starts`` zones in turn (the incumbent, then the
        next best warm starts), each until a round finds nothing better.
    cpsat_least_s
        The least CP-SAT deterministic seconds a window solve is given (below it CP-SAT
        rarely gets past its presolve): the CP-SAT windows of ``backend="cpsat"`` get at
        least this, and a window left open by HiGHS whose share of the work left is less
        is not given to CP-SAT.
    start_boxes
        The cheapest boxes cut to the land that are taken as warm starts
        (:func:`._starts.rectangles`).
    work_rate
        Work seconds (:mod:`._work`) the search may spend per second of the time limit;
        the budget is fixed up front, so the result does not depend on the load.
    lp_iters_per_s, lp_run_iters
        HiGHS simplex iterations charged as one work second; each LP or MILP run also
        counts ``lp_run_iters`` iterations (what setting a run up costs). A run is allowed
        the iterations its share of the work buys: an LP stops at them, a MILP at the
        first line of HiGHS's progress log at or past them (written after most root
        rounds, and between dives in the tree) or at the first line from which they
        would not pay for ``stretch_margin`` stretches as dear as the dearest so far (at
        the root its rounds after the LP, in the tree its dives with the root counted as
        one).
    stretch_margin
        How many times the dearest stretch of a MILP's root (between two lines of its
        log after the LP), or of its tree (the root counted as one), so far the
        iterations it has left must be for it to go on into another: HiGHS cannot stop
        a heuristic at the root or a dive, and one may cost several times the dearest
        before it.
    ipm_min_cells, ipm_nnz_per_s
        A window's first LP relaxation is solved by interior point (then crossover to
        the basis that probing starts from) when it has at least ``ipm_min_cells``
        cells: dual simplex crawls on the degenerate LPs of large windows. An
        interior-point iteration over an LP of ``N`` nonzeros is charged
        ``N / ipm_nnz_per_s`` work seconds.
    mip_nodes_per_s, root_rounds_per_s
        Branch-and-bound nodes, and rounds of the root node (its calls back between cut
        rounds and heuristics), a HiGHS MILP of 1,000 cells may take per work second of
        its share (smaller MILPs proportionally more, up to ten times).
    joint_start_share, joint_probe_share, joint_diagnose_s
        Several zones: the share of the time limit for the warm start (half for each zone
        alone, half for placing them one by one), the share of what is left for probing,
        and the most seconds the search for what blocks an infeasible allocation takes.
    turn_share, turn_min_deg
        A second grid, turned to the land's edge where the zone must touch something
        (``frontage``, ``adjacent``), is searched when that direction holds at least
        ``turn_share`` of that edge's length and runs more than ``turn_min_deg`` degrees
        off the first grid (:func:`._cells.oblique_angles`); a share above 1 turns it off.
    coarse_after, coarse_gap, coarse_share
        Once the windows' search has spent at least ``coarse_after`` of its work and its
        gap is still above ``coarse_gap`` (:func:`._coarse.stuck`, read before each
        window), the same problem on a grid twice as coarse (:mod:`._coarse`) is solved
        with ``coarse_share`` of the work left, and its zone, repaired into a zone of the
        fine model (:func:`._starts.repair`), is offered as the incumbent; it proves
        nothing about the fine problem, whose status and bound are its own. A share of
        0 turns it off.
    refine_checks
        Calls to ``check`` the refinement of each placement's outline over the true
        geometry may make (:func:`._outline.refine`); 0 turns it off.
    crossing_rounds, crossing_gain
        Rounds of crossing rows (:mod:`._crossing`: a zone that must reach across a
        straight line of cells holds cells of it) added to a large window's LP when it
        is first solved, while a round lifts it by more than ``crossing_gain`` of its
        value; the rows are kept for every model of the window. 0 rounds turns them off.
    refine_search_cells
        On grids of at least this many cells every zone the search takes is refined so
        (not only the one returned), and its refined outline's score is the cutoff the
        windows are solved against: on fine grids (10 m) a window's LP bound lies within
        a few per mille of the best zones, which the cells' own outlines do not reach
        and the refined one can, closing the window without a MILP.

    Examples
    --------
    >>> SolveOptions().target_gaps, SolveOptions(probe_share=0.5).probe_share
    ((0.005, 0.02), 0.5)

    Every value is a finite number of at least 0 (the rates above 0); anything else is
    refused with a :class:`~kitland.UsageError` naming the option:

    >>> SolveOptions(work_rate=0)
    Traceback (most recent call last):
    ...
    kitland._errors.UsageError: SolveOptions(work_rate=0): expected a number above 0, e.g. 0.5
    """

    probe_min_cells: int = 256
    target_gaps: tuple[float, ...] = (0.005, 0.02)
    probe_gap: float = 0.02
    probe_share: float = 0.25
    target_share: float = 0.5
    probe_round: int = 32
    probe_min_found: float = 0.125
    cuts_per_piece: int = 20
    greedy_windows: int = 20
    search_share: float = 0.15
    search_max_s: float = 10.0
    search_round_s: float = 2.0
    search_starts: int = 1
    start_boxes: int = 3
    cpsat_least_s: float = 0.5
    work_rate: float = 0.5
    lp_iters_per_s: float = 8_000.0
    lp_run_iters: int = 20
    stretch_margin: float = 2.0
    ipm_min_cells: int = 2_000
    ipm_nnz_per_s: float = 1.5e6
    mip_nodes_per_s: float = 100.0
    root_rounds_per_s: float = 2.0
    joint_start_share: float = 0.5
    joint_probe_share: float = 0.3
    joint_diagnose_s: float = 30.0
    turn_share: float = 0.25
    turn_min_deg: float = 5.0
    coarse_after: float = 0.1
    coarse_gap: float = 0.1
    coarse_share: float = 0.1
    refine_checks: int = 24
    refine_search_cells: int = 20_000
    crossing_rounds: int = 30
    crossing_gain: float = 1e-5

    def __post_init__(self) -> None:
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            for v in value if isinstance(value, tuple) else (value,):
                if not _number_ok(v, positive=f.name in _POSITIVE):
                    text = _EXPECTED[isinstance(default, tuple), f.name in _POSITIVE]
                    said = {"name": f.name, "value": repr(value), "default": repr(default)}
                    raise UsageError(Message(text, said))


#: Options that divide or scale the budget, or cut it into rounds: 0 would stop every
#: search before it starts, or charge its rounds nothing.
_POSITIVE = frozenset(
    {"work_rate", "lp_iters_per_s", "ipm_nnz_per_s", "mip_nodes_per_s", "root_rounds_per_s",
     "search_round_s"}
)  # fmt: skip
#: The refusal of a bad value, by (a tuple of values, a positive option).
_EXPECTED = {
    (False, False): "SolveOptions({name}={value}): expected a number of at least 0, e.g. {default}",
    (False, True): "SolveOptions({name}={value}): expected a number above 0, e.g. {default}",
    (True, False): "SolveOptions({name}={value}): expected numbers of at least 0, e.g. {default}",
    (True, True): "SolveOptions({name}={value}): expected numbers above 0, e.g. {default}",
}


def _number_ok(v: object, *, positive: bool) -> bool:
    """A finite real number (not a bool) of at least 0, or above 0 when ``positive``."""
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return False
    return v > 0 if positive else v >= 0
