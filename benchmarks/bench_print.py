"""Print layout (``kitland.write_pdf``) size and time on the bundled estate.

    .venv/bin/python benchmarks/bench_print.py [--runs 5]

A failing 9 ha square of available land with its rule results (the check is not timed),
in Bahasa Indonesia, on A4 landscape and A3 portrait. Size must stay under 5 MB.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import shapely

import kitland


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    estate, rules = kitland.load_estate(), kitland.load_rules()
    available = estate.parcels[estate.parcels["land_use"] == "available"]
    p = available.loc[available.area.idxmax()].geometry.representative_point()
    zone = shapely.box(p.x - 150, p.y - 150, p.x + 150, p.y + 150)
    report = kitland.check(estate, zone, rules)
    print("| page | file size | write, median (min–max) |")
    print("| --- | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        for paper, orientation in (("A4", "landscape"), ("A3", "portrait")):
            out = Path(tmp) / f"{paper}.pdf"
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                kitland.write_pdf(estate, out, zone=zone, report=report, rules=rules,
                                  paper=paper, orientation=orientation)  # fmt: skip
                times.append(time.perf_counter() - t0)
            size = out.stat().st_size / 1e6
            print(f"| {paper} {orientation} | {size:.2f} MB | {statistics.median(times):.2f} s "
                  f"({min(times):.2f}–{max(times):.2f}) |")  # fmt: skip


if __name__ == "__main__":
    main()
