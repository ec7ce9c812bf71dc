"""A sweep over a setback distance searches past the previous proof (issue 19 §1 and §2).

The estate of ``test_whatif_setback.py``: industry in the east column, a river at
x = 350 m whose setback band lies beside the best zone. At 50 m cells each scenario is
proven optimal by HiGHS in a second or two, under a limit it never reaches, so every
answer is the proven optimum: a chained sweep (each setback from the one before,
searching only the zones that hold a changed cell) must give the cold sweep's statuses
and scores, and the serial, LocalCluster and resumed runs the same rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import road_front_layers, road_front_rules, write_layers

import kitland
from kitland.placement import _reuse
from kitland.sweeps import run_scenario, start_of

LIMIT_S = 120.0
#: 10 → 30 m gives the old zone's land back: it holds no changed cell; 30 → 80 m takes
#: land the old zone held, so the zones of unchanged cells are searched too.
VARY = ["zone.area_ha=3.5,4", "river.min_m=80,10,30"]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("sweep_setback")
    layers = road_front_layers(["AAAAAAAI"] * 4 + ["GGGGGGGG"], village=(400.0, 300.0),
                               river_x=350.0)  # fmt: skip
    path = write_layers(layers, root / "estate.gpkg")
    (root / "rules.toml").write_text(road_front_rules(gate_max_m=900, river_min_m=30))
    est, rules = kitland.load_estate(path), kitland.load_rules(root / "rules.toml")
    kw = {"vary": VARY, "cell_m": 50, "time_limit_s": LIMIT_S}
    chained = kitland.sweep(est, rules, out=root / "chained", workers=0, **kw)
    cold = kitland.sweep(est, rules, out=root / "cold", workers=0, chain=False, **kw)
    return {"estate": est, "rules": rules, "root": root, "kw": kw,
            "chained": chained.results.set_index("scenario"),
            "cold": cold.results.set_index("scenario")}  # fmt: skip


def _same_rows(table: pd.DataFrame, serial: pd.DataFrame) -> None:
    table = table.set_index("scenario").loc[serial.index]
    for col in ("status", "cells_hash", "start"):
        assert list(table[col].fillna("cold")) == list(serial[col].fillna("cold")), col
    assert np.allclose(table["score"], serial["score"], rtol=1e-12, atol=0.0)


def test_a_chained_setback_sweep_searches_past_the_proof_and_scores_as_cold(
    case: dict[str, Any],
) -> None:
    """Each chain runs 10 → 30 → 80 m (a minimum from low to high); the 30 and 80 m
    scenarios start from the one before with the setback plan, and every scenario has
    the cold sweep's status and score."""
    w, c = case["chained"], case["cold"].loc[case["chained"].index]
    assert (w["status"] == "OPTIMAL").all() and (c["status"] == "OPTIMAL").all()
    assert np.allclose(w["score"], c["score"], rtol=1e-9, atol=1e-9)
    starts = w.set_index(["zone.area_ha", "river.min_m"])["start"]
    for area in (3.5, 4.0):
        assert pd.isna(starts[(area, 10.0)])
        assert starts[(area, 30.0)] == starts[(area, 80.0)] == "setback"
    assert c["start"].isna().all()
    # the 80 m band takes land the 30 m zone held: the zone moves
    hashes = w.set_index(["zone.area_ha", "river.min_m"])["cells_hash"]
    assert all(hashes[(a, 80.0)] != hashes[(a, 30.0)] for a in (3.5, 4.0))
    records = [
        json.loads(p.read_text()) for p in (case["root"] / "chained" / "scenarios").glob("*.json")
    ]
    assert len(records) == 6 and all(r["warm"]["whole"] is True for r in records)


def test_a_start_from_a_record_is_the_start_from_the_result(case: dict[str, Any]) -> None:
    """The start a sweep rebuilds from a scenario's record (just made, or read back from
    disk) reuses what ``place(start=result)`` reuses: the same previous problem, and the
    same setback plan, whose proven answer is the cold one."""
    est, rules = case["estate"], case["rules"]
    old, new = rules.replace("river", min_m=30.0), rules.replace("river", min_m=80.0)
    first = kitland.place(est, old, cell_m=50, time_limit_s=LIMIT_S)
    rec = run_scenario(est, old, cell_m=50, time_limit_s=LIMIT_S)
    disk = json.loads(json.dumps(rec, sort_keys=True))
    a, b = (start_of(est, old, r, cell_m=50, then=new).previous for r in (rec, disk))
    for prev in (a, b):
        assert prev is not None and prev.whole is first.previous.whole is True
        assert (prev.shape, prev.frame) == (first.previous.shape, first.previous.frame)
        assert _reuse.same_cells(prev.cells, first.previous.cells)
        assert np.array_equal(prev.band.cost, first.previous.band.cost)
    _reuse.clear_cache()
    cold = kitland.place(est, new, cell_m=50, time_limit_s=LIMIT_S)
    by_result = kitland.place(est, new, cell_m=50, time_limit_s=LIMIT_S, start=first)
    by_record = kitland.place(est, new, cell_m=50, time_limit_s=LIMIT_S,
                              start=start_of(est, old, disk, cell_m=50, then=new))  # fmt: skip
    facts = by_record.solver["start"]["setback"]
    assert facts == by_result.solver["start"]["setback"]
    assert facts["rules"] == ["river"] and facts["old_zone_kept"] is False
    assert 0 < facts["changed_cells"] < facts["cells"]
    assert by_record.status == cold.status == "OPTIMAL"
    assert by_record.alternatives[0].grid_score == pytest.approx(
        cold.alternatives[0].grid_score, rel=1e-9, abs=1e-9)  # fmt: skip


def test_no_setback_plan_from_a_record_whose_proof_set_a_zone_aside(case: dict[str, Any]) -> None:
    """A record whose search set a zone aside after it failed ``check`` (``whole`` False),
    or an older record that does not say, gives a start without the plan: the full
    search, the cold answer."""
    est, rules = case["estate"], case["rules"]
    old, new = rules.replace("river", min_m=30.0), rules.replace("river", min_m=80.0)
    rec = run_scenario(est, old, cell_m=50, time_limit_s=LIMIT_S)
    for warm in (
        {**rec["warm"], "whole": False},
        {k: v for k, v in rec["warm"].items() if k != "whole"},
    ):
        start = start_of(est, old, {**rec, "warm": warm}, cell_m=50, then=new)
        assert start.previous is not None and start.previous.whole is False
        res = kitland.place(est, new, cell_m=50, time_limit_s=LIMIT_S, start=start)
        assert res.solver["start"]["setback"] is None
        assert res.status == "OPTIMAL"
    # a zone on a turned grid: its cell numbers are not the first grid's, so no previous
    # problem is rebuilt (place(start=result) reuses only the outline there too)
    turned = start_of(est, old, {**rec, "grid_angle_deg": rec["grid_angle_deg"] + 30.0},
                      cell_m=50, then=new)  # fmt: skip
    assert turned.previous is None and turned.zone.equals(start.zone)


@pytest.mark.slow
def test_a_setback_sweep_on_a_local_cluster_gives_the_serial_rows(
    case: dict[str, Any], tmp_path: Path
) -> None:
    """Two worker processes of a real LocalCluster on 127.0.0.1: the chains land on
    either worker, each start comes from its predecessor's record alone."""
    res = kitland.sweep(case["estate"], case["rules"], out=tmp_path / "s", workers=2, **case["kw"])
    assert res.computed == 6 and res.dashboard is not None
    _same_rows(res.results, case["chained"])


def test_a_setback_chain_resumed_from_its_stored_records_gives_the_uninterrupted_rows(
    case: dict[str, Any], tmp_path: Path
) -> None:
    """Killed after each chain's first two scenarios (10 and 30 m): the 80 m ones start
    from the 30 m records read back from disk, as in the uninterrupted run."""
    import shutil  # noqa: PLC0415

    out = tmp_path / "sweep"
    shutil.copytree(case["root"] / "chained", out)
    done = set(case["chained"].index[case["chained"]["river.min_m"] < 50.0])
    for path in (out / "scenarios").glob("*.json"):
        if path.stem not in done:
            path.unlink()
    (out / "results.parquet").unlink()
    res = kitland.sweep(case["estate"], case["rules"], out=out, workers=0, **case["kw"])
    assert (res.computed, res.reused) == (2, 4)
    _same_rows(res.results, case["chained"])
