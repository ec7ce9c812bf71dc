"""Same results before and after a change that must not change them (issue 16, a trim).

    .venv/bin/python benchmarks/bench_same.py OUT.jsonl [--only CASE,...] [--folder DIR]
    .venv/bin/python benchmarks/bench_same.py --compare BEFORE.jsonl AFTER.jsonl

Runs, in one process and in this order: the bundled estate and rules, the same with
``alternatives=3``, five warm what-ifs from the first result (``start=``: industry
shared length 100 → 150 m and → 60 m, gate distance 2500 → 3000 m, river setback
50 → 75 m and → 40 m), the two-zone estate of ``tests/test_zones_place.py`` (one and two
allocations) and organic seeds 0–5 (``make_organic.py``, written to ``--folder``). Every
single-zone case has a fixed work budget (``time_limit_s=600``, ``work_rate=0.05``: 30
work-s), so its result does not depend on the load unless ``det`` is false. Per case it
writes one JSON line: status, ``work_s``, gap, a hash of the zone's WKB, per placement
(rank, name, status, score, bound, zone hash, gap), ``solver.start`` of a what-if, the
wall time and the load average. Run it from each tree (``PYTHONPATH=TREE``) and compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kitland
from kitland.placement import PlacementResult, SolveOptions, place
from kitland.rules import parse_rules

HERE = Path(__file__).resolve().parent
OPTIONS = SolveOptions(work_rate=0.05)
WHATIFS = [
    ("tight", "bersebelahan dengan industri", {"min_shared_m": 150.0}),
    ("relax", "bersebelahan dengan industri", {"min_shared_m": 60.0}),
    ("gate_relax", "dekat gerbang kawasan", {"max_m": 3000.0}),
    ("setback", "sempadan sungai", {"min_m": 75.0}),
    ("setback_in", "sempadan sungai", {"min_m": 40.0}),
]
COMPARED = ("status", "work_s", "gap", "zone", "placements", "start")


def _hash(geom: Any) -> str | None:
    return None if geom is None else hashlib.sha256(geom.wkb).hexdigest()[:16]


def facts(case: str, res: PlacementResult, wall_s: float) -> dict[str, Any]:
    """What must not change, and the wall time and load it took."""
    s = res.solver
    placements = [[p.rank, p.name, p.status, round(p.score, 9),
                   round(p.bound, 9) if p.bound > -1e300 else None, _hash(p.zone), p.gap]
                  for p in res.alternatives]  # fmt: skip
    return {"case": case, "status": res.status, "work_s": s.get("work_s"), "gap": s.get("gap"),
            "zone": _hash(res.zone), "placements": placements, "start": s.get("start"),
            "det": s.get("deterministic"), "wall": round(wall_s, 1),
            "load": round(os.getloadavg()[0], 2)}  # fmt: skip


def cases(folder: Path) -> list[tuple[str, Callable[[], PlacementResult]]]:
    """Every case, in the order they run (the what-ifs start from the first)."""
    from make_organic import make_organic, rules_text, write_estate, zone_ha_for  # noqa: PLC0415

    sys.path.insert(0, str(HERE.parent / "tests"))
    from conftest import grid_layers  # noqa: PLC0415
    from test_zones_place import ROWS, VILLAGES  # noqa: PLC0415
    from test_zones_place import rules_text as zones_text  # noqa: PLC0415

    est, rules = kitland.load_estate(), kitland.load_rules()
    first: list[PlacementResult] = []

    def bundled() -> PlacementResult:
        first.append(place(est, rules, time_limit_s=600, options=OPTIONS))
        return first[0]

    out = [("bundled", bundled),
           ("bundled_alt3", lambda: place(est, rules, time_limit_s=600, options=OPTIONS,
                                          alternatives=3))]  # fmt: skip
    for name, rule, change in WHATIFS:
        new = rules.replace(rule, **change)
        out.append((f"whatif_{name}", lambda new=new: place(
            est, new, time_limit_s=600, options=OPTIONS, start=first[0])))  # fmt: skip
    two = kitland.Estate.from_layers(grid_layers(ROWS, settlements=VILLAGES), source="grid")
    two_rules = parse_rules(tomllib.loads(zones_text(100)), source="r.toml")
    out += [("zones", lambda: place(two, two_rules, cell_m=50, time_limit_s=60)),
            ("zones_alt2", lambda: place(two, two_rules, cell_m=50, time_limit_s=60,
                                         alternatives=2))]  # fmt: skip

    def organic(seed: int) -> PlacementResult:
        gpkg, toml = folder / f"organic_{seed}.gpkg", folder / f"organic_{seed}.toml"
        if not gpkg.exists():
            write_estate(make_organic(seed, zone_ha=zone_ha_for(seed)), gpkg)
            toml.write_text(rules_text(zone_ha_for(seed)), encoding="utf-8")
        return place(kitland.load_estate(gpkg), kitland.load_rules(toml), time_limit_s=600,
                     options=OPTIONS)  # fmt: skip

    return out + [(f"organic_{seed}", lambda seed=seed: organic(seed)) for seed in range(6)]


def compare(before: Path, after: Path) -> None:
    """One line per case: SAME or the fields that differ, with work, wall and load."""
    read = [{r["case"]: r for r in map(json.loads, p.read_text().splitlines())}
            for p in (before, after)]  # fmt: skip
    for case, a in read[0].items():
        b = read[1].get(case)
        if b is None:
            print(f"{case:18} missing")
            continue
        diff = [k for k in COMPARED if a.get(k) != b.get(k)]
        print(f"{case:18} {'SAME' if not diff else 'DIFF ' + ','.join(diff):24} {a['status']:9} "
              f"work {a['work_s']} / {b['work_s']}  wall {a['wall']} / {b['wall']} s  "
              f"load {a['load']} / {b['load']}  det {a.get('det')} / {b.get('det')}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--folder", type=Path, default=Path("maps/bench_same"))
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    sys.path.insert(0, str(HERE))
    args.folder.mkdir(parents=True, exist_ok=True)
    only = set(filter(None, args.only.split(",")))
    if any(c.startswith("whatif") for c in only):
        only.add("bundled")  # the what-ifs start from it
    for case, run in cases(args.folder):
        if only and case not in only:
            continue
        t0 = time.perf_counter()
        row = facts(case, run(), time.perf_counter() - t0)
        print(json.dumps(row), flush=True)
        with args.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
