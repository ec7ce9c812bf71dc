"""Benchmark ``kitland check`` (issue 3, Performance).

1. Median wall time of ``python -m kitland check --zone Z`` (bundled estate, bundled UMKM
   rules, a 20 ha zone inside the largest available parcel) against
   ``python -c "import geopandas, folium"``, on the same machine. Target ratio < 1.5.
2. Layout-level rules (land shares + a coastal setback) on a synthetic 10,000-parcel grid
   estate, in-process. Target < 2 s.

3. With ``--estates``, (1) on estates the tuning never saw: organic seeds of
   ``make_organic.py`` (``--seeds``), trial 6's Shapefile folder (``make_trial6.py
   --clean``) and a 10,000-parcel grid GeoPackage (``bench_scale.make_estate``), each
   with a zone inside its largest available parcel and its own rules.
4. With ``--against TREE`` (another worktree, e.g. main), every ``check`` above is run
   from TREE's code too, interleaved with this tree's and the baseline, and the outputs
   are compared: exit code, stdout of ``--format text`` and ``--format json``, stderr.
   Each estate's line is followed by the median CPU seconds (user + system) of the same
   runs.
5. With ``--bytecode``, both trees' ``kitland`` is compiled to bytecode before timing, as
   pip compiles an installed package (the baseline's libraries are): a source tree run
   with ``PYTHONDONTWRITEBYTECODE`` set otherwise compiles kitland's modules on every run.

Run: ``.venv/bin/python benchmarks/bench_check.py [--runs 7] [--estates [--seeds 4]]
[--against /work/main] [--bytecode]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from shapely import LineString, box

from kitland import Estate, load_estate
from kitland.measure import check
from kitland.rules import parse_rules


def zone_in_available_parcel(
    target_ha: float = 20.0, est: Estate | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """A ~``target_ha`` zone: a square around the largest available parcel's inner point,
    clipped to it (the bundled estate's unless ``est``)."""
    est = load_estate() if est is None else est
    avail = est.parcels[est.parcels["land_use"] == "available"]
    parcel = avail.loc[avail.area.idxmax()]
    inner = parcel.geometry.buffer(-1.0)
    c = inner.representative_point()
    lo, hi = 10.0, 5000.0
    for _ in range(60):  # bisection on the square's side: clipped area grows with it
        mid = (lo + hi) / 2
        a = inner.intersection(box(c.x - mid / 2, c.y - mid / 2, c.x + mid / 2, c.y + mid / 2)).area
        lo, hi = (mid, hi) if a < target_ha * 10_000 else (lo, mid)
    geom = inner.intersection(box(c.x - hi / 2, c.y - hi / 2, c.x + hi / 2, c.y + hi / 2))
    return gpd.GeoDataFrame({"name": ["bench zone"]}, geometry=[geom], crs=est.crs), str(
        parcel["parcel_id"]
    )


def median_wall_s(
    cmds: list[list[str]], runs: int, cwds: list[Path | None] | None = None,
    cpu: list[list[float]] | None = None,
) -> list[tuple[float, int, list[float]]]:  # fmt: skip
    """Median wall time, last exit code and every time of each command, runs interleaved.

    Interleaving (a, b, a, b, …) keeps a load change on a shared machine from
    favouring one command. ``cwds[i]``: the working directory (and ``PYTHONPATH``) of
    command ``i``, to run another tree's code with ``python -m kitland``. ``cpu``: a list
    per command that gets each run's CPU seconds (user + system of the child, less
    sensitive to the machine's load than wall time).
    """
    cwds = cwds or [None] * len(cmds)
    times: list[list[float]] = [[] for _ in cmds]
    codes = [0] * len(cmds)
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            t, c = time.perf_counter(), _child_cpu_s()
            codes[i] = _run(cmd, cwds[i]).returncode
            times[i].append(time.perf_counter() - t)
            if cpu is not None:
                cpu[i].append(_child_cpu_s() - c)
    return [(statistics.median(t), c, t) for t, c in zip(times, codes, strict=True)]


def _child_cpu_s() -> float:
    """User + system CPU seconds of the finished children so far."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(cmd: list[str], tree: Path | None) -> subprocess.CompletedProcess[str]:
    env = None if tree is None else {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=tree, env=env)


def _estates(folder: Path, seeds: int) -> list[tuple[str, list[str]]]:
    """Estates the check has never been tuned on, written to ``folder``, each with a zone
    in its largest available parcel: (name, ``check`` arguments)."""
    from bench_scale import RULES, make_estate  # noqa: PLC0415
    from make_organic import make_organic, rules_text, write_estate, zone_ha_for  # noqa: PLC0415
    from make_trial6 import write as write_trial6  # noqa: PLC0415

    from kitland.rules import load_rules  # noqa: PLC0415

    out = []
    for seed in range(seeds):
        gpkg, rules = folder / f"organic_{seed}.gpkg", folder / f"organic_{seed}.toml"
        write_estate(make_organic(seed, zone_ha=zone_ha_for(seed)), gpkg)
        rules.write_text(rules_text(zone_ha_for(seed)), encoding="utf-8")
        out.append((f"organic seed {seed}", gpkg, rules))
    trial6 = write_trial6(folder / "trial6", mistakes=False)
    out.append(("trial6 (Shapefiles, --clean)", trial6, folder / "trial6" / "trial6_rules.toml"))
    grid, rules = folder / "grid_10000.gpkg", folder / "grid_10000.toml"
    make_estate(10_000, grid)
    rules.write_text(RULES, encoding="utf-8")
    out.append(("10,000-parcel grid", grid, rules))
    cases = []
    for name, estate, rules in out:
        zone, _ = zone_in_available_parcel(load_rules(rules).zone.area_ha, load_estate(estate))
        zpath = folder / f"zone_{len(cases)}.geojson"
        zone.to_file(zpath, driver="GeoJSON", engine="fiona")
        cases.append((name, [str(estate), "--zone", str(zpath), "--rules", str(rules)]))
    return cases


def _same_outputs(args: list[str], here: Path, there: Path) -> str:
    """``same`` when ``check args`` gives the same exit code, text and JSON reports and
    stderr from both trees, else what differs."""
    py = sys.executable
    diffs = []
    for fmt in ("text", "json"):
        a, b = (
            _run([py, "-m", "kitland", "check", *args, "--format", fmt], t) for t in (here, there)
        )
        diffs += [f"{what} ({fmt})" for what, x, y in (
            ("exit code", a.returncode, b.returncode), ("stdout", a.stdout, b.stdout),
            ("stderr", a.stderr, b.stderr)) if x != y]  # fmt: skip
    return "same" if not diffs else "DIFFERENT: " + ", ".join(diffs)


def _spread(t: list[float]) -> str:
    return f"{statistics.median(t):.3f} ({min(t):.3f}–{max(t):.3f})"


def compare_checks(cases: list[tuple[str, list[str]]], runs: int, against: Path | None) -> None:
    """Time each case's ``check`` (and ``against``'s) interleaved with the baseline; print
    medians with ranges, ratios and whether the outputs are the same."""
    py = sys.executable
    here = Path(__file__).resolve().parent.parent
    base_cmd = [py, "-c", "import geopandas, folium"]
    head = f"{'estate':30} {'baseline s':>22} {'check s':>22} {'ratio':>6}"
    if against is not None:
        head += f" {'against s':>22} {'ratio':>6}  outputs"
    print(head)
    for name, args in cases:
        cmd = [py, "-m", "kitland", "check", *args]
        trees: list[Path | None] = [None, here] + ([against] if against is not None else [])
        cmds = [base_cmd, cmd] + ([cmd] if against is not None else [])
        for c, t in zip(cmds, trees, strict=True):  # warm the file cache
            _run(c, t)
        cpu: list[list[float]] = [[] for _ in cmds]
        res = median_wall_s(cmds, runs, trees, cpu)
        base = res[0][0]
        line = (
            f"{name:30} {_spread(res[0][2]):>22} {_spread(res[1][2]):>22} {res[1][0] / base:6.2f}"
        )
        if against is not None:
            line += f" {_spread(res[2][2]):>22} {res[2][0] / base:6.2f}  "
            line += _same_outputs(args, here, against)
        print(line + f"  (exit {res[1][1]})", flush=True)
        cpu_s = [statistics.median(c) for c in cpu]
        print(f"{'  CPU s':30} {cpu_s[0]:>22.3f} {cpu_s[1]:>22.3f} {cpu_s[1] / cpu_s[0]:6.2f}"
              + (f" {cpu_s[2]:>22.3f} {cpu_s[2] / cpu_s[0]:6.2f}" if against is not None else ""),
              flush=True)  # fmt: skip


def grid_estate(n: int = 100, cell_m: float = 50.0):
    x0, y0 = 500_000.0, 9_230_000.0
    cells = [box(x0 + i * cell_m, y0 + j * cell_m, x0 + (i + 1) * cell_m, y0 + (j + 1) * cell_m)
             for j in range(n) for i in range(n)]  # fmt: skip
    uses = ["industrial", "available", "green", "commercial"]
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"p{k}" for k in range(n * n)], "land_use": [uses[k % 4] for k in range(n * n)]},
        geometry=cells, crs=32749,
    )  # fmt: skip
    boundary = gpd.GeoDataFrame(
        {"name": ["grid"]}, geometry=[box(x0, y0, x0 + n * cell_m, y0 + n * cell_m)], crs=32749
    )
    coast = LineString(
        [(x0 - 100, y0 + n * cell_m + 80), (x0 + n * cell_m + 100, y0 + n * cell_m + 80)]
    )
    water = gpd.GeoDataFrame({"name": ["coast"], "kind": ["coast"]}, geometry=[coast], crs=32749)
    return Estate.from_layers({"boundary": boundary, "parcels": parcels, "water": water})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--estates", action="store_true", help="also organic, trial6, 10,000 parcels")
    ap.add_argument("--seeds", type=int, default=4, help="organic seeds with --estates")
    ap.add_argument("--against", type=Path, help="another tree to time and compare outputs with")
    ap.add_argument("--bytecode", action="store_true",
                    help="compile both trees' kitland to bytecode first (__pycache__, which git "
                         "ignores), as an installed kitland is")  # fmt: skip
    args = ap.parse_args()
    py = sys.executable
    against = None if args.against is None else args.against.resolve()
    if args.bytecode:  # else, under PYTHONDONTWRITEBYTECODE, each run compiles kitland anew
        for tree in (Path(__file__).resolve().parent.parent, against):
            if tree is not None:
                subprocess.run([py, "-m", "compileall", "-q", str(tree / "kitland")], check=True)

    zone, pid = zone_in_available_parcel()
    with tempfile.TemporaryDirectory() as tmp:
        zpath = Path(tmp) / "zone.geojson"
        zone.to_file(zpath, driver="GeoJSON", engine="fiona")
        # warm the file cache once for both commands
        _run([py, "-c", "import geopandas, folium"], None)
        _run([py, "-m", "kitland", "check", "--zone", str(zpath)], None)
        check_cmd = [py, "-m", "kitland", "check", "--zone", str(zpath)]
        (base, _, _), (chk, code, _) = median_wall_s(
            [[py, "-c", "import geopandas, folium"], check_cmd], args.runs
        )
        report = _run(check_cmd, None)
        if args.estates or against is not None:
            cases = [("bundled", ["--zone", str(zpath)])]
            if args.estates:
                cases += _estates(Path(tmp), args.seeds)
            print(f"runs: {args.runs}; medians (range), ratio to the baseline's median")
            compare_checks(cases, args.runs, against)

    t0 = time.perf_counter()
    est = grid_estate()
    build_s = time.perf_counter() - t0
    rules = parse_rules({"layout": [
        {"kind": "land_share", "land_use": ["industrial"], "max_pct": 70},
        {"kind": "land_share", "land_use": ["green"], "min_pct": 10},
        {"kind": "setback", "land_use": ["industrial"], "from": {"layer": "water", "kind": ["coast"]}, "min_m": 50},
    ]})  # fmt: skip
    lay = []
    for _ in range(args.runs):
        t = time.perf_counter()
        rep = check(est, None, rules)
        lay.append(time.perf_counter() - t)
    layout_s = statistics.median(lay)

    print(
        f"zone: {zone.area.iloc[0] / 10_000:.2f} ha inside available parcel {pid}; runs: {args.runs}"
    )
    print(f"{'measurement':48} {'median s':>9}")
    base_label = 'python -c "import geopandas, folium"'
    print(f"{base_label:48} {base:9.3f}")
    print(f"{'kitland check --zone Z (exit ' + str(code) + ')':48} {chk:9.3f}")
    print(f"{'ratio (target < 1.5)':48} {chk / base:9.2f}")
    print(f"{'layout rules, 10,000-parcel grid (target < 2 s)':48} {layout_s:9.3f}")
    print(f"{'  (building that estate in memory, once)':48} {build_s:9.3f}")
    print(f"layout verdict: {'PASS' if rep.passed else 'FAIL'} ({len(est.parcels)} parcels)")
    print("check report on the bench zone:")
    print(report.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
