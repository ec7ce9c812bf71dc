"""Progress of a long placement on the terminal: stage, best score, gap, time left.

Drawn with tqdm on stderr only when stderr is a terminal, not under ``-q`` and not in
CI (the ``CI`` environment variable set), so logs stay clean. The library never prints:
:func:`kitland.place` only calls the callback this module provides.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from typing import Any

__all__ = ["Progress", "SweepProgress", "wanted"]

_STAGES = {
    "cells": "cutting the land into cells",
    "solving": "solving",
    "checking": "checking the zone",
    "outline": "straightening the outline",
    "done": "done",
}


def wanted(*, quiet: bool) -> bool:
    """Whether to draw progress: stderr is a terminal, not quiet, not in CI."""
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


class Progress:
    """A tqdm bar over the time limit; call it with the events of :func:`kitland.place`."""

    def __init__(self, time_limit_s: float) -> None:
        from tqdm import tqdm  # noqa: PLC0415 - only the command line on a terminal needs it

        self.total = float(time_limit_s)
        self.t0 = time.monotonic()
        self.bar = tqdm(total=round(self.total, 1), unit="s", file=sys.stderr, leave=False,
                        bar_format="{desc} |{bar}| {n:.0f}/{total:.0f} s")  # fmt: skip
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        # The solver reports between windows; the clock moves on in between.
        threading.Thread(target=self._tick, name="kitland-progress", daemon=True).start()

    def _tick(self) -> None:
        while not self.stopped.wait(0.5):
            with self.lock:
                if self.stopped.is_set():
                    return
                self.bar.n = round(min(self.total, time.monotonic() - self.t0), 1)
                self.bar.refresh()

    def __call__(self, event: dict[str, Any]) -> None:
        """Show one event: ``stage``, ``time_left_s`` and, when known, ``rank``,
        ``best`` (score so far) and ``bound`` (proven lower bound)."""
        parts = [_STAGES.get(str(event.get("stage")), str(event.get("stage")))]
        if "rank" in event:
            parts.append(f"placement {event['rank']}")
        best, bound = event.get("best"), event.get("bound")
        if best is not None and math.isfinite(best):
            parts.append(f"best score {best:,.1f}")
            if bound is not None and math.isfinite(bound) and abs(best) > 0:
                parts.append(f"gap {max(0.0, (best - bound) / abs(best)):.1%}")
        with self.lock:
            if self.stopped.is_set():
                return
            self.bar.n = round(min(self.total, time.monotonic() - self.t0), 1)
            self.bar.set_description_str(", ".join(parts), refresh=False)
            self.bar.refresh()
        if event.get("stage") == "done":
            self.close()

    def close(self) -> None:
        """Stop the clock and remove the bar from the terminal."""
        with self.lock:
            if not self.stopped.is_set():
                self.stopped.set()
                self.bar.close()


class SweepProgress:
    """A tqdm bar over a sweep's scenarios: done, failed and the time left (tqdm's estimate).

    Call it with the events of :func:`kitland.sweeps.sweep`.
    """

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, event: dict[str, Any]) -> None:
        """Show one event (``start``, ``scenario``, ``done``)."""
        stage = event.get("stage")
        if stage == "start":
            from tqdm import tqdm  # noqa: PLC0415

            self.bar = tqdm(total=event["total"], initial=event["reused"], unit="scenario",
                            file=sys.stderr, leave=False, desc="scenarios",
                            bar_format="{desc} |{bar}| {n}/{total}{postfix} [{elapsed}<{remaining}]")  # fmt: skip
            self.bar.set_postfix_str("0 failed", refresh=True)
        elif stage == "scenario" and self.bar is not None:
            self.bar.set_postfix_str(f"{event['failed']} failed", refresh=False)
            self.bar.update(event["done"] - self.bar.n)
            self.bar.refresh()  # scenarios take seconds: draw each one
        elif stage == "done":
            self.close()

    def close(self) -> None:
        """Remove the bar from the terminal."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
