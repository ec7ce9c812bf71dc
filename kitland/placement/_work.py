"""The search's budget: deterministic work, with the wall clock only as a safety stop.

The time limit is turned once, up front, into a budget of *work seconds*
(:meth:`Work.of`: the limit times :attr:`~._options.SolveOptions.work_rate`). Every
solver call is given a share of the work left, stops at about what it buys, and is
charged, afterwards, for what it counted: HiGHS simplex iterations
(:attr:`~._options.SolveOptions.lp_iters_per_s` per work second) and CP-SAT
deterministic time (one of its seconds per work second). These
counts do not depend on the machine's load, so neither do the shares, the limits they set
nor the zones found: the same input and options give the same result.

The wall clock (:class:`Clock`) still stops a search at the time limit on a machine far
slower or busier than the rates assume; when it does, :attr:`Clock.hit` records it and the
result is flagged not deterministic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kitland.placement._options import SolveOptions

__all__ = ["Clock", "Work"]


@dataclass
class Clock:
    """The wall-clock safety stop (``deadline`` on :func:`time.monotonic`) and whether it
    has stopped any search (``hit``)."""

    deadline: float = float("inf")
    hit: bool = False

    @classmethod
    def after(cls, seconds: float) -> Clock:
        """A clock that stops searches ``seconds`` from now."""
        return cls(time.monotonic() + seconds)

    def left(self) -> float:
        """Wall seconds to the deadline (negative once past)."""
        return self.deadline - time.monotonic()

    def out(self) -> bool:
        """True (and recorded in ``hit``) once the deadline has passed."""
        if time.monotonic() >= self.deadline:
            self.hit = True
        return self.hit


@dataclass
class Work:
    """A budget of work seconds; what a part spends is also spent by the whole it came from.

    Examples
    --------
    >>> w = Work(10.0, Clock())
    >>> part = w.part(0.5)
    >>> part.spend(2.0)
    >>> part.left, w.left, w.spent
    (3.0, 8.0, 2.0)
    """

    left: float
    clock: Clock = field(default_factory=Clock)
    parent: Work | None = None
    spent: float = 0.0

    @classmethod
    def of(cls, time_limit_s: float, options: SolveOptions, clock: Clock | None = None) -> Work:
        """The budget of a time limit: ``work_rate`` work seconds per second, with the wall
        clock stopping at the limit (``clock`` when given, shared with other budgets)."""
        return cls(time_limit_s * options.work_rate, clock or Clock.after(time_limit_s))

    def part(self, share: float = 1.0) -> Work:
        """A part of ``share`` of the work left, charged to this one."""
        return Work(max(0.0, share * self.left), self.clock, self)

    def spend(self, work_s: float) -> None:
        """Charge ``work_s`` work seconds here and to every budget above."""
        w: Work | None = self
        while w is not None:
            w.left -= work_s
            w.spent += work_s
            w = w.parent

    @property
    def done(self) -> bool:
        """No work left (deterministic), or the wall clock has run out (recorded)."""
        return self.left <= 1e-9 or self.clock.out()
