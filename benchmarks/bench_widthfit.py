"""The width rule's model against ``check``: the trials placed, and zones sampled.

Two tables, each on the trials (Kariangau ``make_kariangau.py``, Batu Bara
``make_trial6.py --clean``, Sorong ``make_trial7.py`` with its words mapped as README's
"Data in other words" does, Kendal ``make_trial8.py`` clean with its roads as centre lines
and its words in lower case, Morowali ``make_trial9.py`` with its one-zone rules), the
bundled estate and, with ``--seeds``, the organic estates of ``make_organic.py``:

- ``--place``: ``kitland.place`` at 25 m cells with ``--time-limit`` and ``--work-rate``
  (``--time-limit 600 --work-rate 0.05``: 30 work-s): status, gap, score, work-s, whether
  the budget ended the search (``det``) and the rules ``check`` failed on the solver's
  zones (``solver["check_failures"]``; a zone rescued by its outline counts).
- ``--audit N``: N zones of the model per estate, each grown from a random width
  square of the problem by adding touching squares (seeded) until its area lies in
  the zone's band (squares only: no caps, no cut corners). Per zone the model's corner
  charge (its 1 % margin included) is compared with shapely's opening loss
  (``kitland.measure.opening_loss_pct``) on the cells' polygon: how many the model
  admits that ``check`` rejects (the model too loose: a bug), how many it rejects that
  ``check`` accepts (too strict: zones lost), and the charge over the loss (median,
  lowest, highest).

Usage::

    python benchmarks/bench_widthfit.py [--place] [--audit 200] [--seeds 12]
        [--trials kariangau,trial6,trial7,trial8,trial9,bundled]
        [--time-limit 600] [--work-rate 0.05]

Run from another tree with ``PYTHONPATH=that/tree`` to measure its code (this script's
folder comes first on ``sys.path`` for the ``make_*`` modules only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import LineString

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kitland
from kitland.estate import Estate, bundled_path
from kitland.measure import MIN_WIDTH_LOSS_PCT, opening_loss_pct
from kitland.placement import SolveOptions, build_problem, dissolve
from kitland.placement._model import Problem
from kitland.placement._window import squares_of

TRIALS = ("kariangau", "trial6", "trial7", "trial8", "trial9", "bundled")


def _rules(text: str, folder: Path) -> kitland.Rules:
    path = folder / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return kitland.load_rules(path)


def load(name: str, folder: Path) -> tuple[Estate, kitland.Rules]:
    """The estate and rules of a trial, ``bundled`` or ``organic N``, written under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if name.startswith("organic"):
        from make_organic import make_organic, rules_text, write_estate, zone_ha_for  # noqa: PLC0415

        seed = int(name.split()[1])
        zone = zone_ha_for(seed)
        path = write_estate(make_organic(seed, zone_ha=zone), folder / "organic.gpkg")
        return kitland.load_estate(path), _rules(rules_text(zone), folder)
    if name == "bundled":
        return (kitland.load_estate(bundled_path("kit_batang.gpkg")),
                kitland.load_rules(bundled_path("umkm_rules.toml")))  # fmt: skip
    if name == "kariangau":
        import make_kariangau as m  # noqa: PLC0415

        return Estate.from_layers(m.build()), _rules(m.RULES, folder)
    if name == "trial6":
        import make_trial6 as m  # noqa: PLC0415

        return kitland.load_estate(m.write(folder, mistakes=False)), kitland.load_rules(
            folder / "trial6_rules.toml"
        )
    if name == "trial7":
        return _trial7(folder)
    if name == "trial8":
        return _trial8(folder)
    if name == "trial9":
        import make_trial9 as m  # noqa: PLC0415

        return kitland.load_estate(m.write(folder)), kitland.load_rules(
            folder / "trial9_rules.toml"
        )
    raise SystemExit(f"unknown estate {name!r}")


def _trial7(folder: Path) -> tuple[Estate, kitland.Rules]:
    """Sorong with its Indonesian columns and words mapped to SPEC §1's."""
    import make_trial7 as m  # noqa: PLC0415

    columns = {"id_persil": "parcel_id", "guna_lahan": "land_use", "penyewa": "tenant",
               "id_jalan": "road_id", "kelas": "road_class", "lebar": "width_m",
               "jenis": "kind", "nama": "name"}  # fmt: skip
    words = {v: k for k, v in {**m.GUNA, **m.KELAS}.items()} | {
        "Sungai": "river", "Kolam": "pond", "Gerbang Kawasan": "estate_gate",
        "Gerbang Pabrik": "factory_gate"}  # fmt: skip
    layers = {}
    for name, g in m.build(mistakes=False).items():
        g = g.rename(columns=columns)
        for col in {"land_use", "road_class", "kind"} & set(g.columns):
            g[col] = g[col].replace(words)
        if "width_m" in g.columns:
            g["width_m"] = g["width_m"].astype(float)
        layers[name] = g
    return Estate.from_layers(layers), _rules(m.RULES, folder)


def _trial8(folder: Path) -> tuple[Estate, kitland.Rules]:
    """Kendal clean, its roads as centre lines with their class widths, words in lower case."""
    import make_trial8 as m  # noqa: PLC0415

    layers = m.build(mistakes=False)
    x0, y0 = m._origin()
    layers["roads"] = gpd.GeoDataFrame(
        {"road_id": [str(i) for i in range(len(m.ROADS))], "name": [r[0] for r in m.ROADS],
         "road_class": [r[1] for r in m.ROADS], "width_m": [m.WIDTH_M[r[1]] for r in m.ROADS]},
        geometry=[shapely.affinity.translate(LineString(r[2]), x0, y0) for r in m.ROADS],
        crs=m.BUILD_CRS)  # fmt: skip
    for layer, col in (("parcels", "land_use"), ("gates", "kind"), ("water", "kind")):
        layers[layer][col] = layers[layer][col].str.strip().str.lower()
    return Estate.from_layers(layers), _rules(m.RULES, folder)


def place_row(name: str, estate: Estate, rules: kitland.Rules, args: argparse.Namespace) -> str:
    """One markdown row of ``place`` on the estate."""
    res = kitland.place(estate, rules, cell_m=25, time_limit_s=args.time_limit,
                        options=SolveOptions(work_rate=args.work_rate))  # fmt: skip
    s = res.solver
    best = res.alternatives[0] if res.found else None
    status = best.status if best else f"{s.get('status')}, no zone"
    gap = "–" if best is None or best.gap is None else f"{100 * best.gap:.2f} %"
    score = "–" if best is None else f"{best.score:,.2f}"
    english = {r.id: r.name_en or r.id for r in rules.rules}
    failed = [english.get(r, r) for f in s.get("check_failures", []) for r in f["failed"]]
    rejected = ", ".join(f"{r} ×{failed.count(r)}" for r in dict.fromkeys(failed)) or "–"
    det = "yes" if s.get("deterministic") else "no"
    return (f"| {name} | {s.get('cells', 0):,} | {status} | {gap} | {score} | "
            f"{s.get('work_s', 0):.2f} | {det} | {rejected} |")  # fmt: skip


def audit_row(name: str, estate: Estate, rules: kitland.Rules, zones: int, seed: int) -> str:
    """One markdown row of the sampled zones' model charge against the opening."""
    widths = [float(r["min_m"]) for r in rules.rules if r.kind == "min_width"]
    _, cells, prob = build_problem(estate, rules, cell_m=25)
    if not widths or prob.corners is None:
        return f"| {name} | {len(prob):,} | no width rule | – | – | – | – |"
    squares = squares_of(prob)
    if len(squares) == 0:
        return f"| {name} | {len(prob):,} | no width square | – | – | – | – |"
    rng = np.random.default_rng(seed)
    loose = strict = both = 0
    ratios = []
    for _ in range(zones):
        chosen = _grow(prob, squares, rng)
        if chosen is None:
            continue
        sel = np.zeros(len(prob), dtype=bool)
        sel[chosen] = True
        area = float(prob.area_m2[chosen].sum())
        charge = prob.corners.loss(sel)
        admits = charge <= prob.corners.share * area
        zone = dissolve(cells, chosen)
        lost_pct = opening_loss_pct(zone, min_m=widths[0])
        passes = lost_pct <= MIN_WIDTH_LOSS_PCT
        loose += admits and not passes
        strict += passes and not admits
        both += 1
        ratios.append(charge / max(lost_pct / 100 * float(zone.area), 1e-9))
    if not ratios:
        return f"| {name} | {len(prob):,} | no zone grown | – | – | – | – |"
    return (f"| {name} | {len(prob):,} | {both} | {loose} | {strict} | "
            f"{statistics.median(ratios):.3f} | {min(ratios):.3f}–{max(ratios):.3f} |")  # fmt: skip


def _grow(
    prob: Problem, squares: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64] | None:
    """Cells of width squares grown from a random square, each step a random square
    holding the cell next to the zone nearest the start (a compact zone, as the
    compactness rule and the preferences make them), until the area lies in the band
    (None: no square fits under its top)."""
    lo, hi = prob.min_area_m2, prob.max_area_m2
    holding: list[list[int]] = [[] for _ in range(len(prob))]
    for s, row in enumerate(squares):
        for c in row:
            holding[int(c)].append(s)
    nbrs: list[list[int]] = [[] for _ in range(len(prob))]
    for a, b in prob.edges:
        nbrs[int(a)].append(int(b))
        nbrs[int(b)].append(int(a))
    chosen: set[int] = set()
    frontier: list[int] = []

    def add(cells: set[int]) -> None:
        chosen.update(cells)
        frontier.extend(n for c in cells for n in nbrs[c] if n not in chosen and holding[n])

    first = squares[rng.integers(len(squares))]
    row0, col0 = float(prob.row[first].mean()), float(prob.col[first].mean())
    add({int(c) for c in first})
    area = float(prob.area_m2[list(chosen)].sum())
    while area < lo:
        frontier[:] = [c for c in frontier if c not in chosen]
        if not frontier:
            return None
        far = np.hypot(prob.row[frontier] - row0, prob.col[frontier] - col0)
        c = frontier.pop(int(np.argmin(far + rng.random(len(far)))))
        new = {int(x) for x in squares[holding[c][rng.integers(len(holding[c]))]]} - chosen
        more = float(prob.area_m2[list(new)].sum())
        if area + more <= hi:
            add(new)
            area += more
    return np.array(sorted(chosen), dtype=np.int64)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--place", action="store_true", help="place on each estate")
    ap.add_argument("--audit", type=int, default=0, help="zones sampled per estate")
    ap.add_argument("--seeds", default="", help="organic seeds: a count N or a list 3,7")
    ap.add_argument("--trials", default=",".join(TRIALS))
    ap.add_argument("--time-limit", type=float, default=600.0)
    ap.add_argument("--work-rate", type=float, default=0.05)
    args = ap.parse_args(argv)
    seeds = ([int(s) for s in args.seeds.split(",") if s] if "," in args.seeds
             else list(range(int(args.seeds or 0))))  # fmt: skip
    names = [f"organic {s}" for s in seeds] + [t for t in args.trials.split(",") if t]
    if args.place:
        print(f"## place, 25 m cells, {args.time_limit:g} s, work rate {args.work_rate:g}")
        print("| estate | cells | status | gap | score | work s | det | rejected by check |")
        print("| --- | ---: | --- | ---: | ---: | ---: | --- | --- |")
    if args.audit:
        print(f"## {args.audit} zones of width squares per estate, uncut")
        print("| estate | cells | zones | model admits, check rejects | check accepts, model "
              "rejects | charge / loss median | lowest–highest |")  # fmt: skip
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(names):
            estate, rules = load(name, Path(tmp) / str(i))
            if args.place:
                print(place_row(name, estate, rules, args), flush=True)
            if args.audit:
                print(audit_row(name, estate, rules, args.audit, seed=i), flush=True)


if __name__ == "__main__":
    main()
