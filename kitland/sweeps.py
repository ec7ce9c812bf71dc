"""Scenario sweeps: many ``place`` runs over rule values, on Dask distributed.

A sweep varies rule parameters (``--vary "river setback.min_m=50:200:25"``) over every
combination (or a seeded sample) and places the zone once per scenario and estate. The
scenarios run on a Dask cluster: by default a :class:`distributed.LocalCluster` on this
machine (one process per core, one thread per process: a solve is never shared between
threads of one process), or an existing cluster given by its scheduler's address. Dask
does the scheduling, and re-runs a scenario elsewhere when its worker dies.

Each finished scenario is written at once, atomically, to
``SWEEP_DIR/scenarios/<key>.json``, where ``key`` hashes the estate's *content*, the
scenario's rules and the cell size; a sweep started again with the same arguments reads
those files and runs only the rest. A proven answer (``OPTIMAL``, ``INFEASIBLE``) and a
scenario that raised are final; a ``FEASIBLE`` zone is kept unless the new
``--time-limit`` is longer than the one it was found with or the wall clock stopped its
search before its work budget ran out; an ``UNDECIDED`` scenario
(time ran out before any zone was found) is always run again. At the end they are gathered into
``SWEEP_DIR/results.parquet`` (one row per scenario and estate) and
``SWEEP_DIR/zones.gpkg`` (layer ``zones``), and the inputs are described in
``SWEEP_DIR/sweep.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import secrets
import signal
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kitland._digest import canonical as _canonical
from kitland._digest import estate_digest, rules_digest
from kitland._errors import UsageError
from kitland.estate import Estate
from kitland.rules import Rules

__all__ = ["SweepResult", "Vary", "parse_vary", "run_scenario", "sweep"]

log = logging.getLogger(__name__)

#: Names that stand for the ``[zone]`` table in ``--vary`` (``zone.area_ha``).
ZONE_NAMES = ("zone", "area")
#: The ``[zone]`` numbers a sweep can vary.
ZONE_KEYS = ("area_ha", "tolerance_ha", "min_ha", "max_ha")
#: Version of the scenario files; a change makes older files be recomputed (3: each record
#: holds what the next scenario of its chain starts from; 4: and whether its proof covers
#: every zone, for the searches past it).
FORMAT = 4
#: Most scenarios in one chain (see :func:`_chains`): a sweep along one axis still runs
#: in parallel, and a chain's length never depends on the number of workers.
CHAIN_LENGTH = 8

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


@dataclass(frozen=True)
class Vary:
    """One varied rule parameter: ``rule`` (an id, or ``area`` for ``[zone]``), ``key``
    and the ``values`` it takes.

    Examples
    --------
    >>> parse_vary("river setback.min_m=50:100:25")
    Vary(rule='river setback', key='min_m', values=(50.0, 75.0, 100.0), text='river setback.min_m=50:100:25')
    >>> parse_vary("zone.area_ha=10,20").rule
    'area'
    """

    rule: str
    key: str
    values: tuple[float, ...]
    text: str = ""

    @property
    def column(self) -> str:
        """The results column: ``river setback.min_m``, ``zone.area_ha``."""
        return f"{'zone' if self.rule == 'area' else self.rule}.{self.key}"


def _bad(text: str, what: str) -> UsageError:
    return UsageError(f"--vary {text!r}: {what}")


def _number(text: str, part: str) -> float:
    if not re.fullmatch(_NUMBER, part.strip()):
        raise _bad(text, f"{part.strip()!r} is not a number")
    return float(part)


def parse_vary(text: str) -> Vary:
    """Read ``NAME.KEY=START:STOP:STEP`` or ``NAME.KEY=V1,V2,…``.

    ``NAME`` is a rule's ``name`` or id (as :meth:`Rules.replace` takes it; it may hold
    spaces and dots, the key is what follows the last dot), or ``zone`` for the
    ``[zone]`` table. A range holds ``START`` and every step up to ``STOP`` inclusive.

    Raises
    ------
    UsageError
        Naming the part of ``text`` that is wrong (no ``=``, no key, a value that is
        not a number, a step that is not positive, a range that runs backwards, more
        than 10,000 values).

    Examples
    --------
    >>> parse_vary("usable width.min_m=40,60").values
    (40.0, 60.0)
    >>> parse_vary("river setback.min_m=50:x:25")
    Traceback (most recent call last):
    ...
    kitland._errors.UsageError: --vary 'river setback.min_m=50:x:25': 'x' is not a number
    """
    name, eq, spec = text.partition("=")
    example = (
        "give NAME.KEY=START:STOP:STEP or NAME.KEY=V1,V2, e.g. 'river setback.min_m=50:200:25'"
    )
    if not eq:
        raise _bad(text, f"no '='; {example}")
    rule, dot, key = name.strip().rpartition(".")
    if not dot or not rule.strip() or not key.strip():
        raise _bad(text, f"{name.strip()!r} is not NAME.KEY; {example}")
    if not key.strip().isidentifier():
        raise _bad(text, f"{key.strip()!r} is not a key name; {example}")
    if not spec.strip():
        raise _bad(text, f"no values after '='; {example}")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise _bad(text, f"{spec.strip()!r}: a range is START:STOP:STEP (three numbers)")
        start, stop, step = (_number(text, p) for p in parts)
        if not step > 0:
            raise _bad(text, f"step {parts[2].strip()!r} must be positive")
        if stop < start:
            raise _bad(text, f"the range runs backwards ({parts[0].strip()} > {parts[1].strip()})")
        n = math.floor((stop - start) / step + 1e-9) + 1
        if n > 10_000:
            raise _bad(text, f"{n:,} values; at most 10,000")
        values = tuple(round(start + i * step, 9) for i in range(n))
    else:
        items = spec.split(",")
        if any(not p.strip() for p in items):
            raise _bad(text, f"an empty value in {spec.strip()!r}")
        values = tuple(dict.fromkeys(_number(text, p) for p in items))
    rule = rule.strip()
    return Vary("area" if rule in ZONE_NAMES else rule, key.strip(), values, text)


# -- content hashes ---------------------------------------------------------------------
def cells_hash(cells: Iterable[int]) -> str:
    """SHA-256 (16 hex digits) of a zone's grid cells: sorted indices as little-endian int64.

    Examples
    --------
    >>> cells_hash([3, 1, 2]) == cells_hash(np.array([1, 2, 3]))
    True
    """
    arr = np.sort(np.asarray(list(cells), dtype="<i8"))
    return hashlib.sha256(arr.tobytes()).hexdigest()[:16]


# -- one scenario -----------------------------------------------------------------------
def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def run_scenario(
    estate: Estate, rules: Rules, *, cell_m: float, time_limit_s: float, quiet_data: bool = False,
    after: dict[str, Any] | None = None, after_rules: Rules | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Place the zone once and return the scenario's record (plain values).

    Runs on a Dask worker (or in this process for a serial sweep). An error inside
    :func:`kitland.place` becomes a record with ``status`` ``FAILED`` and its one-line
    ``message``, so the other scenarios go on; the death of the worker process is left
    to Dask, which runs the scenario again on another worker. With ``quiet_data`` the
    estate's data warnings are not logged (on a worker: the sweep logged them once).
    The cells and their attributes come from :func:`kitland.place`'s cache when the
    worker placed on the same estate and land before (only a threshold differs).

    ``after`` is the record of the scenario before this one in its chain, placed with
    ``after_rules``: its zone is the warm start (:func:`start_of`), so the start depends
    on the record alone, never on what the worker ran before.

    Returns
    -------
    dict
        ``status``, ``message``, ``gap``, ``score``, ``area_ha``, ``cells`` (count),
        ``cells_hash`` (of the cell ids on the grid turned by ``grid_angle_deg``, the
        grid the zone is made of), ``centroid_x``/``centroid_y`` (estate CRS), ``time_s``, ``rule:<id>``
        (each zone rule's measured value), ``deterministic`` (False when the wall clock
        stopped the search before its work budget ran out, or stopped the search of the
        chain's scenario this one started from: another run may differ), ``zone_wkb``
        (hex, or None), ``start``
        (:func:`_start_kind`: ``None``, ``"zone"``: the previous zone was offered,
        ``"floor"``: and its proven bound held, ``"beyond"``: only the zones past the
        previous proof of a relaxed rule were searched, ``"setback"``: only the zones
        holding a cell a moved setback changed) and ``warm`` (what the next scenario of
        the chain starts from).
    """
    from kitland.placement import place  # noqa: PLC0415 - placement sits below sweeps
    from kitland.validation import mark_reported  # noqa: PLC0415

    if quiet_data:
        mark_reported(estate)
    try:
        start = (start_of(estate, after_rules, after, cell_m=cell_m, then=rules)
                 if after_rules is not None else None)  # fmt: skip
        result = place(estate, rules, cell_m=cell_m, time_limit_s=time_limit_s, start=start)
    except Exception as exc:  # recorded, so the other scenarios go on
        log.info("scenario failed: %s", exc, exc_info=True)
        return {"status": "FAILED", "message": _one_line(exc)}
    facts = result.solver.get("start") or {}
    rec: dict[str, Any] = {
        "status": result.status,
        "message": "" if result.found else result.summary().splitlines()[0],
        "time_s": float(result.solver.get("time_s", math.nan)),
        "time_limit_s": float(time_limit_s),
        "start": _start_kind(facts),
        "deterministic": bool(result.solver.get("deterministic", True))
        and bool((after or {}).get("deterministic", True)),
    }  # fmt: skip
    if not result.found:
        return rec
    best = result.alternatives[0]
    centre = best.zone.centroid
    rec |= {
        "gap": float(best.gap) if math.isfinite(best.gap) else None,
        "score": float(best.score),
        "area_ha": float(best.area_ha),
        "cells": len(best.cells),
        "cells_hash": cells_hash(best.cells),
        "grid_angle_deg": float(result.solver.get("grid_angle_deg", 0.0)),
        "centroid_x": round(float(centre.x), 3),
        "centroid_y": round(float(centre.y), 3),
        "zone_wkb": shapely.to_wkb(best.zone, hex=True, byte_order=1),
        "warm": {"cells": [int(i) for i in np.sort(best.cells)],
                 "bound": float(best.bound) if math.isfinite(best.bound) else None,
                 "grid_score": float(best.grid_score), "status": best.status,
                 "whole": bool(result.previous is not None and result.previous.whole)},
    }  # fmt: skip
    for r in best.report.results:
        if r.scope == "zone":
            rec[f"rule:{r.id}"] = None if r.value is None else float(r.value)
    return rec


def _start_kind(facts: dict[str, Any]) -> str | None:
    """The ``start`` column: what ``solver.start`` says the previous result gave."""
    if facts.get("tightened"):
        return "floor"
    if facts.get("beyond"):
        return "beyond"
    if facts.get("setback"):
        return "setback"
    return "zone" if facts.get("zone_offered") else None


def start_of(
    estate: Estate, rules: Rules, record: dict[str, Any] | None, *, cell_m: float,
    then: Rules | None = None,
) -> Any:  # fmt: skip
    """The :class:`~kitland.placement.PlacementResult` that ``place(start=)`` takes, made
    from a scenario's ``record`` (placed with ``rules``), or None when it holds no zone.

    Only what the record stores is used (zone, cells, proven bound, score, the grid's
    turn, whether the proof covers every zone), so a start made from a record read back
    from disk is the same as one made when the scenario had just finished. The previous
    problem (:class:`~kitland.placement._reuse.Previous`, for a proven floor or a search
    past the proof) is rebuilt only when the rules ``then`` placed next cut the same cells
    or differ only in thresholds and setback distances (:func:`_reuse.frame`), and the
    record's zone lies on the first grid those rules cut (a zone on a turned grid gives
    ``place`` nothing but its outline, which it maps onto the new cells by their centres).
    ``place`` checks everything else it needs before it reuses a proof.
    """
    from kitland import placement as pl  # noqa: PLC0415 - placement sits below sweeps
    from kitland.placement import _reuse  # noqa: PLC0415
    from kitland.report import Report  # noqa: PLC0415

    warm = (record or {}).get("warm")
    if not warm or not record or not record.get("zone_wkb"):
        return None
    rules = _one_zone(rules)
    assert rules.zone is not None
    zone = shapely.from_wkb(record["zone_wkb"])
    cells = np.asarray(warm["cells"], dtype=np.int64)
    bound = -math.inf if warm["bound"] is None else float(warm["bound"])
    best = pl.Placement(zone, float(record["score"]), 1, Report([]), float(record["area_ha"]),
                        cells, str(warm["status"]), bound=bound,
                        grid_score=float(warm["grid_score"]))  # fmt: skip
    previous = None
    frame = _reuse.frame(estate, rules, cell_m=cell_m)
    if then is None or _same_land(estate, rules, then, cell_m=cell_m) or \
            frame == _reuse.frame(estate, _one_zone(then), cell_m=cell_m):  # fmt: skip
        _, grid, prob, shape = pl._build(estate, rules, cell_m=cell_m)
        if round(float(grid.angle_deg), 3) == float(record.get("grid_angle_deg", 0.0)):
            band = pl._bands(prob, rules.zone.area_ha * 1e4)[0]
            previous = _reuse.Previous(shape, grid, band, bool(warm.get("whole")), frame)
    return pl.PlacementResult(True, zone, [best], Report([]), {}, estate.crs, rules, estate,
                              best.status, previous=previous)  # fmt: skip


def _one_zone(rules: Rules) -> Rules:
    """``rules`` as :func:`kitland.place` takes them: a file of one ``[[zones]]`` entry
    read as that zone's rules."""
    return rules.for_zone(rules.zones[0].name) if rules.multi_zone else rules


def _same_land(estate: Estate, a: Rules, b: Rules, *, cell_m: float) -> bool:
    """Whether rules ``a`` and ``b`` cut ``estate`` into the same cells (the same ``on``
    land, setback rules and ``cell_m``: the cell cache's key)."""
    from kitland.placement import _reuse  # noqa: PLC0415

    h = estate_digest(estate)
    keys = [_reuse._cells_key(h, r.applicable(estate), cell_m) for r in (a, b)]
    return keys[0] == keys[1]


# -- the sweep --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scenario:
    """One run: an estate (by index), the varied values and the rules they make."""

    index: int
    estate: int
    values: dict[str, float]
    key: str
    rules: Rules | None  # None when the values make no valid rules (see ``error``)
    error: str = ""


@dataclass(frozen=True)
class SweepResult:
    """What :func:`sweep` returns.

    Attributes
    ----------
    results
        One row per scenario and estate (the contents of ``results.parquet``).
    out
        The sweep folder.
    computed
        Scenarios run now.
    reused
        Scenarios read from the folder, finished by an earlier run with the same inputs.
    failed
        Scenarios whose status is ``FAILED``.
    dashboard
        Dask's dashboard link when a cluster was used.
    """

    results: pd.DataFrame
    out: Path
    computed: int
    reused: int
    failed: int
    dashboard: str | None = None

    def __repr__(self) -> str:
        counts = self.results["status"].value_counts().to_dict()
        text = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return (f"<SweepResult {self.out}: {len(self.results)} scenarios ({text}); "
                f"{self.computed} run now, {self.reused} reused>")  # fmt: skip


def _as_estates(estates: Any) -> list[Estate]:
    from kitland.estate import load_estate  # noqa: PLC0415

    if estates is None:
        return [load_estate()]
    if isinstance(estates, Estate | str | os.PathLike):
        estates = [estates]
    out = [e if isinstance(e, Estate) else load_estate(e) for e in estates]
    return out or [load_estate()]


def _check_varies(rules: Rules, varies: Sequence[Vary]) -> None:
    """Each varied key and value must be one the rules file could hold.

    A zone value is checked for its key only: whether ``min_ha = 5`` fits depends on the
    ``max_ha`` it meets, so a scenario whose zone values contradict each other is
    recorded as failed instead (the others go on).
    """
    seen: set[tuple[str, str]] = set()
    for v in varies:
        if (v.rule, v.key) in seen:
            raise _bad(v.text, f"{v.column} is varied twice; give its values in one --vary")
        seen.add((v.rule, v.key))
        if v.rule == "area":
            if v.key not in ZONE_KEYS:
                what = f"the zone has no number {v.key!r} (zone keys: {', '.join(ZONE_KEYS)})"
                raise _bad(v.text, what)
            continue
        for value in v.values:
            try:
                rules.replace(v.rule, **{v.key: value})
            except UsageError:
                raise
            except ValueError as exc:
                raise _bad(v.text, str(exc)) from exc


def _combinations(
    varies: Sequence[Vary], *, sample: int | None, seed: int
) -> list[dict[str, float]]:
    sizes = [len(v.values) for v in varies]
    total = math.prod(sizes)
    picks: Iterable[int] = range(total)
    if sample is not None and sample < total:
        rng = np.random.default_rng(seed)
        picks = sorted(int(i) for i in rng.choice(total, size=sample, replace=False))
    combos = []
    for i in picks:
        idx = np.unravel_index(i, sizes) if sizes else ()
        combos.append({v.column: v.values[int(j)] for v, j in zip(varies, idx, strict=True)})
    return combos


def _scenario_rules(rules: Rules, varies: Sequence[Vary], values: dict[str, float]) -> Rules:
    """The rules with the scenario's values: one :meth:`Rules.replace` per varied rule."""
    by_rule: dict[str, dict[str, float]] = {}
    for v in varies:
        by_rule.setdefault(v.rule, {})[v.key] = values[v.column]
    for rule_id, params in by_rule.items():
        rules = rules.replace(rule_id, **params)
    return rules


def _scenarios(
    estates: Sequence[Estate], rules: Rules, varies: Sequence[Vary], combos: list[dict[str, float]],
    *, cell_m: float,
) -> list[_Scenario]:  # fmt: skip
    digests = [estate_digest(e) for e in estates]
    out: list[_Scenario] = []
    for values in combos:
        try:
            sc_rules: Rules | None = _scenario_rules(rules, varies, values)
            error = ""
            what = rules_digest(sc_rules) if sc_rules else ""
        except ValueError as exc:
            sc_rules, error = None, _one_line(exc)
            what = json.dumps(_canonical(values), sort_keys=True) + rules_digest(rules)
        for e, digest in enumerate(digests):
            key_text = json.dumps([FORMAT, digest, what, repr(float(cell_m))])
            key = hashlib.sha256(key_text.encode()).hexdigest()[:24]
            out.append(_Scenario(len(out), e, values, key, sc_rules, error))
    return out


def _chains(scenarios: Sequence[_Scenario], varies: Sequence[Vary]) -> dict[int, int]:
    """Each scenario's predecessor in its chain (index → index); a chain's first is absent.

    A chain holds one estate's scenarios that differ only in the value of one vary
    (:func:`_chain_axis`), at most :data:`CHAIN_LENGTH` of them, from the loosest value
    to the tightest (:func:`_loose_first`), so the previous proven bound holds where it
    can. It depends on the scenarios alone (never on workers or timing), so every run,
    serial, distributed or resumed, starts each scenario from the same predecessor.
    """
    last = _chain_axis(varies)
    order = {value: i for i, value in enumerate(_loose_first(last))}
    groups: dict[tuple[Any, ...], list[_Scenario]] = {}
    for sc in scenarios:
        group = (sc.estate, *(sc.values[v.column] for v in varies if v is not last))
        groups.setdefault(group, []).append(sc)
    after: dict[int, int] = {}
    for members in groups.values():
        members.sort(key=lambda sc: (order[sc.values[last.column]], sc.index))
        for i in range(1, len(members)):
            if i % CHAIN_LENGTH:
                after[members[i].index] = members[i - 1].index
    return after


def _chain_axis(varies: Sequence[Vary]) -> Vary:
    """The vary a chain runs along: the last one of a rule, whose steps reuse the previous
    proof (a threshold tightened or relaxed, a setback moved); a ``zone.*`` vary only when
    nothing else varies, as a new area gives a new objective and no proof carries over.

    Examples
    --------
    >>> _chain_axis([parse_vary("river.min_m=50,100"), parse_vary("zone.area_ha=10,20")]).rule
    'river'
    >>> _chain_axis([parse_vary("zone.area_ha=10,20"), parse_vary("zone.tolerance_ha=1,2")]).key
    'tolerance_ha'
    """
    return next((v for v in reversed(varies) if v.rule != "area"), varies[-1])


def _loose_first(vary: Vary) -> tuple[float, ...]:
    """``vary``'s values from the loosest to the tightest: a maximum (``max_m``,
    ``max_ha``) from high to low, a minimum (``min_shared_m``, ``min_m``, ``min``) from
    low to high, anything else (areas, weights) in the order given."""
    if vary.key.startswith("max"):
        return tuple(sorted(vary.values, reverse=True))
    if vary.key.startswith("min"):
        return tuple(sorted(vary.values))
    return vary.values


def _in_chain_order(todo: Sequence[_Scenario], after: dict[int, int]) -> list[_Scenario]:
    """``todo`` chain by chain, each in its order (a scenario after its predecessor)."""

    def place_in_chain(i: int) -> tuple[int, int]:
        depth = 0
        while i in after:
            i, depth = after[i], depth + 1
        return i, depth

    return sorted(todo, key=lambda sc: place_in_chain(sc.index))


def _record_path(out: Path, key: str) -> Path:
    return out / "scenarios" / f"{key}.json"


def _read_record(out: Path, key: str, *, time_limit_s: float) -> dict[str, Any] | None:
    """A finished scenario's record, or None when it must be run (again): never found,
    lost with its workers, ``UNDECIDED``, or ``FEASIBLE`` under a shorter time limit or
    stopped by the wall clock (not deterministic)."""
    path = _record_path(out, key)
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if rec.get("retry") or rec.get("status") == "UNDECIDED":
        return None
    if rec.get("status") == "FEASIBLE" and (
        float(rec.get("time_limit_s", 0.0)) < time_limit_s or rec.get("deterministic") is False
    ):
        return None  # more time, or a search its budget ends, may prove it or do better
    return rec


def _write_record(out: Path, key: str, rec: dict[str, Any]) -> None:
    """Write one scenario's record whole or not at all (rename of a finished file)."""
    from kitland.io import atomic_path  # noqa: PLC0415

    with atomic_path(_record_path(out, key)) as tmp:
        tmp.write_text(json.dumps(rec, sort_keys=True), encoding="utf-8")


@dataclass(frozen=True)
class _Start:
    """Where a scenario's warm start comes from: its chain predecessor ``before`` (run now
    when it is in the same batch, else its finished ``record``), or nothing."""

    before: _Scenario | None = None
    record: dict[str, Any] | None = None


def _serial(
    estates: Sequence[Estate], todo: Sequence[_Scenario], starts: dict[int, _Start], *,
    cell_m: float, time_limit_s: float,
) -> Generator[tuple[_Scenario, dict[str, Any]], None, None]:  # fmt: skip
    done: dict[int, dict[str, Any]] = {}
    for sc in todo:
        assert sc.rules is not None
        st = starts.get(sc.index, _Start())
        before = st.before
        record = done.get(before.index) if before is not None else None
        record = st.record if record is None else record
        rec = run_scenario(estates[sc.estate], sc.rules, cell_m=cell_m, time_limit_s=time_limit_s,
                           after=record, after_rules=before.rules if before else None)  # fmt: skip
        done[sc.index] = rec
        yield sc, rec


def _identity(x: Any) -> Any:
    return x


def _distributed(
    client: Any, estates: Sequence[Estate], todo: Sequence[_Scenario], starts: dict[int, _Start],
    *, cell_m: float, time_limit_s: float,
) -> Generator[tuple[_Scenario, dict[str, Any]], None, None]:  # fmt: skip
    """Submit every scenario to ``client``; yield each record as it arrives.

    The estates are shipped once each as a task that returns them, so a worker that
    dies holding one only costs its recomputation from the task (scattered data would
    be lost with it). A scenario whose chain predecessor runs now takes that task's
    result as a dependency (Dask runs it after, preferably on the same worker, and
    recomputes the predecessor if its worker dies); ``todo`` is in chain order, so
    each predecessor is submitted first.
    """
    from distributed import as_completed  # noqa: PLC0415

    run = secrets.token_hex(4)
    held = {
        i: client.submit(_identity, e, key=f"kitland-estate-{estate_digest(e)[:16]}-{run}")
        for i, e in enumerate(estates)
        if any(sc.estate == i for sc in todo)
    }
    futures: dict[Any, _Scenario] = {}
    by_index: dict[int, Any] = {}
    for sc in todo:
        st = starts.get(sc.index, _Start())
        before = st.before
        after = by_index.get(before.index, st.record) if before is not None else None
        fut = client.submit(run_scenario, held[sc.estate], sc.rules, cell_m=cell_m,
                            time_limit_s=time_limit_s, quiet_data=True, after=after,
                            after_rules=before.rules if before else None,
                            key=f"kitland-scenario-{sc.key}-{run}")  # fmt: skip
        by_index[sc.index] = fut
        futures[fut] = sc
    try:
        for fut in as_completed(list(futures)):
            sc = futures.pop(fut)
            try:
                rec = fut.result()
            except Exception as exc:  # KilledWorker: the scenario took down its workers
                rec = {"status": "FAILED", "message": _one_line(exc), "retry": True}
            fut.release()
            yield sc, rec
    finally:
        for fut in futures:
            fut.cancel()
        for fut in held.values():
            fut.release()
        by_index.clear()


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    """A Dask client of the cluster at ``scheduler``, or of a new LocalCluster."""
    from distributed import Client, LocalCluster  # noqa: PLC0415

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="20s"), None
        except OSError as exc:
            msg = f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
            raise UsageError(msg) from exc
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                           preload=[__name__])  # fmt: skip
    return Client(cluster), cluster


def dask_setup(worker: Any) -> None:
    """Dask preload of the LocalCluster's workers: they ignore Ctrl-C (SIGINT) and keep
    Dask's own log records to themselves.

    A terminal sends Ctrl-C to every process of the sweep, the workers included; a
    solver interrupted inside its C++ code aborts with noise (``std::bad_function_call``)
    instead of stopping. The sweep's own process catches Ctrl-C and closes the cluster.

    The workers write to the sweep's terminal. While the cluster closes, a worker still
    busy in a solve may find the scheduler gone and log "Failed to communicate with
    scheduler during heartbeat" with a traceback (``CommClosedError``); ``silence_logs``
    does not hold it back (it sets handler levels, restored as the worker closes, and
    lets errors through). What a worker has to say about a scenario reaches the sweep
    as the scenario's result or failure, so its ``distributed`` records stay unshown.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)


def sweep(
    estates: Any = None,
    rules: Rules | str | os.PathLike[str] | None = None,
    *,
    vary: Sequence[str | Vary],
    out: str | os.PathLike[str],
    sample: int | None = None,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    cell_m: float = 25.0,
    time_limit_s: float = 60.0,
    chain: bool = True,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> SweepResult:
    """Place the zone for every combination (or a seeded sample) of rule values.

    Parameters
    ----------
    estates
        An estate, a path, or a list of them; None: the bundled KIT Batang estate.
    rules
        The base rules (or a path); None: the bundled UMKM rules.
    vary
        What to vary: ``"NAME.KEY=START:STOP:STEP"`` / ``"NAME.KEY=V1,V2"`` (see
        :func:`parse_vary`) or :class:`Vary` objects. ``zone.area_ha`` varies the zone.
    out
        The sweep folder (created if missing): ``results.parquet``, ``zones.gpkg``,
        ``sweep.json`` and ``scenarios/`` (one finished record per scenario).
    sample
        Run this many combinations drawn at random (seeded by ``seed``) instead of all.
    seed
        Seed of the sample.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); the scenarios run on
        its workers.
    workers
        Without ``scheduler``: worker processes of a new LocalCluster (default one per
        core); 0 runs the scenarios one after another in this process, without Dask.
    cell_m, time_limit_s
        As :func:`kitland.place`, for each scenario.
    chain
        Warm-start each scenario from the one before it in its chain (:func:`_chains`:
        the scenarios that differ only in the last ``vary`` of a rule, or in the last
        ``zone.*`` one when no rule varies, from its loosest value to its tightest, at
        most :data:`CHAIN_LENGTH` a chain): ``place(start=)`` takes the
        previous zone, its proven bound when the rules only tightened, and searches only
        past the previous proof when only a setback distance moved. The chains
        run in parallel, each in order; a resumed sweep starts a chain again from its
        last finished record, so every run gives the same rows. False: every scenario
        starts cold.
    progress
        Called with a dict: ``{"stage": "start", "total", "reused", "again", "dashboard"}``
        once (``again``: scenarios found in the folder that are run again),
        then ``{"stage": "scenario", "status", "done", "failed", "total"}`` per
        scenario, and ``{"stage": "done"}``.

    Returns
    -------
    SweepResult
        The results table and how many scenarios were run now or reused.

    Raises
    ------
    UsageError
        If a ``vary`` text is malformed or names a rule or key the rules lack (naming
        the part), ``sample`` is below 1, or both ``scheduler`` and ``workers`` are given.
    RulesError, DataError
        If the rules do not fit an estate, or an estate has data errors.

    Examples
    --------
    >>> import tempfile
    >>> res = sweep(vary=["river setback.min_m=50,150"], out=tempfile.mkdtemp(),
    ...             workers=0, cell_m=50)  # doctest: +SKIP
    >>> list(res.results["status"])  # doctest: +SKIP
    ['OPTIMAL', 'OPTIMAL']
    """
    from kitland.placement import _as_inputs  # noqa: PLC0415
    from kitland.validation import require_valid  # noqa: PLC0415

    if sample is not None and sample < 1:
        msg = f"sample={sample}: expected at least 1 scenario"
        raise UsageError(msg)
    if scheduler is not None and workers is not None:
        msg = "give --scheduler (an existing cluster) or --workers (a local one), not both"
        raise UsageError(msg)
    if workers is not None and workers < 0:
        msg = f"workers={workers}: expected 0 (serial) or more"
        raise UsageError(msg)
    varies = [v if isinstance(v, Vary) else parse_vary(v) for v in vary]
    if not varies:
        msg = 'nothing to vary: give at least one --vary "NAME.KEY=VALUES"'
        raise UsageError(msg)
    estate_list = _as_estates(estates)
    if rules is None:
        from kitland.rules import load_rules  # noqa: PLC0415

        rules = load_rules()
    base = _as_inputs(estate_list[0], rules)[1]
    if len(base.zones) > 1:  # a sweep's rows and zones layer hold one zone per scenario
        msg = (f"{base.source or 'rules'}: a sweep places one zone per scenario and this file "
               f"has {len(base.zones)} [[zones]]; sweep one of them: --zone-name NAME "
               "(Rules.for_zone(NAME) in Python)")  # fmt: skip
        raise UsageError(msg)
    _check_varies(base, varies)
    for e in estate_list:
        require_valid(e, command="kitland.sweep()")
        base.check_against(e)
    combos = _combinations(varies, sample=sample, seed=seed)
    scenarios = _scenarios(estate_list, base, varies, combos, cell_m=cell_m)
    folder = Path(out)
    records: dict[int, dict[str, Any]] = {}
    todo, contradictory, again = [], [], 0
    for sc in scenarios:
        rec = _read_record(folder, sc.key, time_limit_s=time_limit_s)
        if rec is not None:
            records[sc.index] = rec
        elif sc.rules is None:
            contradictory.append(sc)
        else:
            todo.append(sc)
            again += _record_path(folder, sc.key).exists()
    reused = len(records)
    todo, starts = _starts(scenarios, varies, todo, records, chain=chain)
    log.info("sweep: %d scenarios, %d finished before, %d to run", len(scenarios), reused,
             len(todo))  # fmt: skip
    client = cluster = None
    dashboard = None
    if todo and workers != 0:  # reach the cluster before anything is written
        client, cluster = _client(scheduler, workers)
        dashboard = client.dashboard_link
    try:
        (folder / "scenarios").mkdir(parents=True, exist_ok=True)
        _write_manifest(folder, estate_list, base, varies, sample=sample, seed=seed,
                        cell_m=cell_m, time_limit_s=time_limit_s, n=len(scenarios))  # fmt: skip
        for sc in contradictory:
            rec = {"status": "FAILED", "message": sc.error}
            _write_record(folder, sc.key, rec)
            records[sc.index] = rec
        failed = sum(r.get("status") == "FAILED" for r in records.values())
        _emit(progress, stage="start", total=len(scenarios), reused=reused, again=again,
              dashboard=dashboard)  # fmt: skip
        stream = (_serial(estate_list, todo, starts, cell_m=cell_m, time_limit_s=time_limit_s)
                  if client is None else
                  _distributed(client, estate_list, todo, starts, cell_m=cell_m,
                               time_limit_s=time_limit_s))  # fmt: skip
        with contextlib.closing(stream):  # its futures are cancelled before the client closes
            for sc, rec in stream:
                _write_record(folder, sc.key, rec)
                records[sc.index] = rec
                failed += rec.get("status") == "FAILED"
                _emit(progress, stage="scenario", status=rec.get("status"), done=len(records),
                      failed=failed, total=len(scenarios))  # fmt: skip
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    table = _gather(folder, estate_list, varies, scenarios, records)
    _emit(progress, stage="done")
    return SweepResult(table, folder, len(todo), reused, failed, dashboard)


def _starts(
    scenarios: Sequence[_Scenario], varies: Sequence[Vary], todo: Sequence[_Scenario],
    records: dict[int, dict[str, Any]], *, chain: bool,
) -> tuple[list[_Scenario], dict[int, _Start]]:  # fmt: skip
    """``todo`` in chain order and where each of its scenarios starts from."""
    if not chain:
        return list(todo), {}
    after = _chains(scenarios, varies)
    running = {sc.index for sc in todo}
    starts = {}
    for sc in todo:
        before = scenarios[after[sc.index]] if sc.index in after else None
        if before is None or before.rules is None:
            continue
        starts[sc.index] = _Start(before, None if before.index in running
                                  else records.get(before.index))  # fmt: skip
    return _in_chain_order(todo, after), starts


def _emit(progress: Callable[[dict[str, Any]], None] | None, **event: Any) -> None:
    if progress is not None:
        progress(event)


def _write_manifest(
    folder: Path, estates: Sequence[Estate], rules: Rules, varies: Sequence[Vary], *,
    sample: int | None, seed: int, cell_m: float, time_limit_s: float, n: int,
) -> None:  # fmt: skip
    """``sweep.json``: what was swept, for the report and for people."""
    from kitland.io import atomic_path  # noqa: PLC0415

    data = {
        "estates": [{"name": label, "source": _where(e), "digest": estate_digest(e)}
                    for e, label in zip(estates, estate_labels(estates), strict=True)],
        "rules": {"source": rules.source, "digest": rules_digest(rules)},
        "vary": [{"column": v.column, "rule": v.rule, "key": v.key, "values": list(v.values),
                  "text": v.text} for v in varies],
        "sample": sample, "seed": seed, "cell_m": cell_m, "time_limit_s": time_limit_s,
        "scenarios": n,
    }  # fmt: skip
    with atomic_path(folder / "sweep.json") as tmp:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")


def estate_labels(estates: Sequence[Estate]) -> list[str]:
    """The estates' names, made unique (``estate``, ``estate (2)``) for the ``estate`` column.

    Examples
    --------
    >>> from types import SimpleNamespace as E
    >>> estate_labels([E(name="a"), E(name="b"), E(name="a")])
    ['a', 'b', 'a (2)']
    """
    seen: dict[str, int] = {}
    out = []
    for e in estates:
        seen[e.name] = seen.get(e.name, 0) + 1
        out.append(e.name if seen[e.name] == 1 else f"{e.name} ({seen[e.name]})")
    return out


def _where(estate: Estate) -> str | None:
    """Where ``estate`` can be read again: None for the bundled one, else its absolute path."""
    from kitland.estate import BUNDLED_SOURCE  # noqa: PLC0415

    if estate.source == BUNDLED_SOURCE:
        return None
    path = Path(estate.source)
    return str(path.resolve()) if path.exists() else estate.source


def _gather(
    folder: Path, estates: Sequence[Estate], varies: Sequence[Vary],
    scenarios: Sequence[_Scenario], records: dict[int, dict[str, Any]],
) -> pd.DataFrame:  # fmt: skip
    """Write ``results.parquet`` and ``zones.gpkg`` from the records; return the table."""
    from kitland.io import atomic_path, write_gpkg  # noqa: PLC0415

    rows, zones = [], []
    labels = estate_labels(estates)
    for sc in scenarios:
        rec = dict(records[sc.index])
        wkb = rec.pop("zone_wkb", None)
        rec.pop("retry", None)
        rec.pop("warm", None)
        est = estates[sc.estate]
        row = {"scenario": sc.key, "estate": labels[sc.estate], "crs": est.crs.to_string(),
               **sc.values, **rec}  # fmt: skip
        rows.append(row)
        if wkb:
            geom = shapely.from_wkb(wkb)
            if not est.crs.equals(estates[0].crs):
                geom = gpd.GeoSeries([geom], crs=est.crs).to_crs(estates[0].crs).iloc[0]
            zones.append({"scenario": sc.key, "estate": labels[sc.estate], **sc.values,
                          "status": rec["status"], "score": rec.get("score"),
                          "area_ha": rec.get("area_ha"), "cells_hash": rec.get("cells_hash"),
                          "geometry": geom})  # fmt: skip
    table = pd.DataFrame(rows)
    front = ["scenario", "estate", *[v.column for v in varies], "status", "message", "gap",
             "score", "area_ha", "cells", "cells_hash", "grid_angle_deg", "centroid_x", "centroid_y",
             "crs"]  # fmt: skip
    for col in front:
        if col not in table:
            table[col] = None
    table = table[[*front, *sorted(c for c in table.columns if c not in front)]]
    with atomic_path(folder / "results.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    cols = ["scenario", "estate", *[v.column for v in varies], "status", "score", "area_ha",
            "cells_hash"]  # fmt: skip
    zone_gdf = gpd.GeoDataFrame(zones or None, columns=[*cols, "geometry"], geometry="geometry",
                                crs=estates[0].crs)  # fmt: skip
    write_gpkg(folder / "zones.gpkg", {"zones": zone_gdf})
    return table
