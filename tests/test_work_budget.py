"""A HiGHS MILP run stays within the work it is given (issue 16 §2, the work overrun).

A run is limited by counts (root rounds and branch-and-bound nodes, see
:func:`kitland.placement._milp.lazy_solve`); the two limits share one allowance, so a run
that spends half of it at the root has half of its nodes left. What a run is charged
(simplex iterations) is then compared with what the limits assumed, and later runs are
limited at the pace measured.
"""

from __future__ import annotations

import highspy
import numpy as np

from kitland.placement._milp import Pace, _mip_limits, _new_highs


def _knapsacks(n: int = 60, m: int = 30, seed: int = 0) -> highspy.Highs:
    """A multi-dimensional 0/1 knapsack: a MILP that needs many nodes to prove."""
    rng = np.random.default_rng(seed)
    h = _new_highs()
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -rng.integers(20, 100, n).astype(float))
    ints = np.arange(n, dtype=np.int32)
    h.changeColsIntegrality(n, ints, np.full(n, highspy.HighsVarType.kInteger))
    for _ in range(m):
        h.addRow(-highspy.kHighsInf, 0.3 * n * 25, n, ints, rng.integers(1, 50, n).astype(float))
    return h


def _run(allowed: int, nodes: int) -> tuple[float, float, int]:
    h = _knapsacks()
    limits = _mip_limits(h)
    limits.update(allowed=allowed, nodes=nodes, seen=0, node=0)
    h.setOptionValue("mip_max_nodes", nodes)
    h.run()
    return limits["seen"], h.getInfo().mip_node_count, int(h.getInfo().simplex_iteration_count)


def test_root_rounds_and_nodes_share_one_allowance() -> None:
    """Alone, the instance runs its root rounds and many nodes. Allowed twice its root
    rounds and half its nodes, the root uses half the allowance, so the run stops after
    about a quarter of its nodes (two independent limits would let it run half of them:
    1.5 allowances). HiGHS honours the interrupt within a few calls back, and the same
    limits give the same run again."""
    free_roots, free_nodes, _ = _run(10**6, 10**6)
    assert free_roots >= 10 and free_nodes >= 200  # the instance is not trivial
    allowed, nodes = 2 * int(free_roots), int(free_nodes) // 2
    seen, node, iters = _run(allowed, nodes)
    assert seen == free_roots  # the root ran to its end
    assert node > 0 and seen / allowed + node / nodes <= 1.0 + 4.0 / allowed + 4.0 / nodes
    assert (seen, node, iters) == _run(allowed, nodes)  # counts only: deterministic


def test_pace_divides_later_limits_by_the_overrun_measured() -> None:
    """A run charged three times what its limits predicted sets the pace to 3; runs too
    small to measure, or cheaper than predicted, do not lower it."""
    pace = Pace()
    assert pace.factor == 1.0
    pace.record(charged=0.5, planned=0.01)  # under the floor: set-up cost, not counted
    assert pace.factor == 1.0
    pace.record(charged=6.0, planned=2.0)
    pace.record(charged=1.0, planned=2.0)
    assert pace.factor == 3.0
