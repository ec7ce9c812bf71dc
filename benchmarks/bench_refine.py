"""The outline's continuous refinement: each zone before and after it, the time it adds,
and the independent true-geometry search against both.

For each estate ``place`` runs once with the refinement off (``SolveOptions(refine_checks=0)``:
the zone of the straightened outline, as before the refinement existed), and then the
refinement runs on that zone exactly as ``place`` runs it (``placement._Outlines.refined``,
with the area band the zone's search held it to), timed on its own. The search does not
depend on the refinement (it runs after it, on a fixed work budget), so the second zone is
the one ``place`` returns with the default options when the search is not stopped by the
wall clock (``det`` yes). With ``--truegeom`` the search of ``bench_truegeom.py`` (which
knows nothing of the engine) looks for a zone passing ``check`` that scores below the
unrefined zone; "beats" is ``(kitland − best) / |kitland|`` (negative: kitland is better).

Estates: the six trapezoids of ``bench_shapes.py`` with the width rule (``trap S/F``: slope
S°, share F; ``trap:S/F`` names one), organic seeds of ``make_organic.py`` (``organic N``), the bundled estate
(``bundled``). Usage::

    python benchmarks/bench_refine.py --estates trap,organic:0-5,bundled [--truegeom]
        [--time-limit 600] [--work-rate 0.05]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_shapes import SHARES, SLOPES, trapezoid
from bench_truegeom import search
from make_organic import make_organic, rules_text, write_estate, zone_ha_for

import kitland
from kitland.estate import Estate
from kitland.placement import SolveOptions, _Outlines, build_problem, place, zone_score
from kitland.rules import Rules


def estates(spec: str, folder: Path) -> Iterator[tuple[str, Estate, Rules]]:
    """The estates named in ``spec`` (``trap``, ``trap:S/F``, ``organic:A-B``, ``bundled``),
    in turn."""
    for part in spec.split(","):
        if part == "trap":
            for slope in SLOPES:
                for share in SHARES:
                    yield (f"trap {slope:g}/{share:g}", *trapezoid(slope, share))
        elif part.startswith("trap:"):
            slope, share = (float(x) for x in part[5:].split("/"))
            yield (f"trap {slope:g}/{share:g}", *trapezoid(slope, share))
        elif part.startswith("organic:"):
            a, _, b = part.split(":")[1].partition("-")
            for seed in range(int(a), int(b or a) + 1):
                ha = zone_ha_for(seed)
                path = write_estate(make_organic(seed, zone_ha=ha), folder / f"o{seed}.gpkg")
                (folder / f"o{seed}.toml").write_text(rules_text(ha), encoding="utf-8")
                yield (
                    f"organic {seed}",
                    kitland.load_estate(path),
                    kitland.load_rules(folder / f"o{seed}.toml"),
                )
        elif part == "bundled":
            yield "bundled", kitland.load_estate(), kitland.load_rules()


def run(name: str, est: Estate, rules: Rules, args: argparse.Namespace) -> str:
    """One estate's row."""
    t0 = time.perf_counter()
    res = place(est, rules, cell_m=25.0, time_limit_s=args.time_limit,
                options=SolveOptions(work_rate=args.work_rate, refine_checks=0))  # fmt: skip
    place_s = time.perf_counter() - t0
    if not res.found:
        return f"| {name} | {res.status} | – |"
    p = res.alternatives[0]
    land, cells, prob = build_problem(est, rules, cell_m=25.0)
    assert rules.zone is not None
    target = rules.zone.area_ha * 1e4
    first = prob.min_area_m2 < target - 1.0 <= prob.max_area_m2
    first = first and float(prob.area_m2[p.cells].sum()) >= target - 1.0
    band = (target - 1.0 if first else prob.min_area_m2, prob.max_area_m2)
    t1 = time.perf_counter()
    out, rep = _Outlines(est, rules, cells, land, prob, band=band).refined(p.zone, p.report)
    refine_s = time.perf_counter() - t1
    before, after = p.score, zone_score(prob, cells, out)
    true = beat = "–"
    if args.truegeom:
        best, _, _ = search(est, rules, lambda z: zone_score(prob, cells, z), before)
        if math.isfinite(best):
            true = f"{best:,.1f}"
            beat = f"{100 * (before - best) / abs(before):.2f} % / {100 * (after - best) / abs(after):.2f} %"
    passed = all(r.passed for r in rep.results if r.scope == "zone")
    return (f"| {name} | {rules.zone.area_ha:g} | {p.status} | {before:,.1f} | {after:,.1f} | "
            f"{100 * (before - after) / abs(before):.2f} % | {out.area / 1e4:.3f} | "
            f"{'yes' if passed else 'NO'} | {refine_s:.2f} | {place_s:.1f} | "
            f"{res.solver.get('work_s')} | {'yes' if res.solver.get('deterministic') else 'no'} | "
            f"{true} | {beat} |")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--estates", default="trap,organic:0-5,bundled")
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--work-rate", type=float, default=0.05)
    ap.add_argument("--truegeom", action="store_true", help="search the true geometry too")
    args = ap.parse_args(argv)
    print(
        f"## Refinement, 25 m cells, time limit {args.time_limit:g} s, work rate {args.work_rate:g}"
    )
    print("| estate | zone ha | status | straightened | refined | gain | ha | check | refine s "
          "| place s | work s | det | best true geometry | beats straightened / refined |")  # fmt: skip
    print(
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |"
    )
    with tempfile.TemporaryDirectory(prefix="refine_") as tmp:
        for name, est, rules in estates(args.estates, Path(tmp)):
            print(run(name, est, rules, args), flush=True)


if __name__ == "__main__":
    main()
