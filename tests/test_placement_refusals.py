"""The placement engine's refusals in the terminal's language (``--lang id``).

Each line is written out by hand: the words are the catalogue's; keyword names, files,
rules and the values given stay as they are, numbers kitland works out are written in the
language's locale (``20,0 ha``). From the command line: exit 2, one line, nothing written.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import shapely
from conftest import grid_estate, grid_layers, write_layers
from shapely import LineString, Point, box

import kitland
from kitland import InfeasibleError, RulesError, UsageError
from kitland.cli import main
from kitland.placement import PlacementResult, SolveOptions, place, score, write_placement
from kitland.placement._cells import rule_selection
from kitland.report import Report
from kitland.rules import Rule

RULES = '[zone]\narea_ha = 4\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n'


def _layers() -> dict:
    """20 parcels of 1 ha available (x 500..900), a local road over road parcels
    (x 400..500) and a collector south of the boundary: 20 ha of candidate land."""
    return grid_layers(
        ["IICGRAAAAI"] * 5,
        roads=[
            (LineString([(450, -20), (450, 520)]), {"road_id": "L1", "road_class": "local"}),
            (LineString([(-50, -10), (1050, -10)]), {"road_id": "C1", "road_class": "collector"}),
        ],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_engines_refusals_on_the_command_line_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cell size that would cut the land into too many cells, rules with no [zone]:
    the exact line under ``--lang id``, ``--lang en`` and without ``--lang``."""
    estate = write_layers(_layers(), tmp_path / "estate.gpkg")
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    no_zone = tmp_path / "nozone.toml"
    no_zone.write_text('[[rules]]\nkind = "contiguous"\n')
    out = tmp_path / "out.gpkg"
    # 20 ha at 1 m: 200,000 cells; the least size: ceil(10·√(200,000 / 100,000)) / 10 m.
    need = math.ceil(10 * math.sqrt(200_000 / 100_000)) / 10
    assert need == 1.5
    cases = [
        (["place", str(estate), "--rules", str(rules), "--cell-m", "1", "--out", str(out)],
         "cell_m=1: the 20.0 ha of candidate land would make about 200,000 cells (at most "
         "100,000); use a cell size of at least 1.5 m (--cell-m 1.5)",
         "cell_m=1: 20,0 ha lahan yang dapat ditempati zona akan terbagi menjadi sekitar "
         "200.000 sel (paling banyak 100.000); gunakan ukuran sel paling sedikit 1,5 m "
         "(--cell-m 1.5)"),
        (["place", str(estate), "--rules", str(no_zone), "--out", str(out)],
         f"{no_zone}: has no [zone] table; placing needs the zone's area and land",
         f"{no_zone}: tidak memiliki tabel [zone]; penempatan memerlukan luas dan lahan zona"),
    ]  # fmt: skip
    before = sorted(tmp_path.iterdir())
    for argv, english, indonesian in cases:
        for extra, expected in ((["--lang", "id"], indonesian), (["--lang", "en"], english),
                                ([], english)):  # fmt: skip
            code, stdout, err = _run([*argv, *extra], capsys)
            assert (code, stdout) == (2, ""), (argv, extra, err)
            assert err == f"kitland: {expected}\n", (argv, extra)
    assert sorted(tmp_path.iterdir()) == before  # nothing written


def _python_refusals(tmp_path: Path) -> list[tuple[type[Exception], object, str, str]]:
    """(error, a call that raises it, English line, Indonesian line)."""
    est = grid_estate(["IAAA", "IAAA"])
    rules = kitland.Rules(kitland.rules.ZoneSpec(area_ha=2.0), source="r.toml")
    bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    empty = PlacementResult(False, None, [], Report([], {}, {}), {})
    two = tmp_path / "two.toml"
    two.write_text('[[zones]]\nname = "a"\narea_ha = 1\n[[zones]]\nname = "b"\narea_ha = 1\n')
    return [
        (UsageError, lambda: place(est, rules, alternatives=0),
         "alternatives=0: expected a whole number, at least 1",
         "alternatives=0: diharapkan bilangan bulat, paling sedikit 1"),
        (UsageError, lambda: place(est, rules, alternatives=2.5),
         "alternatives=2.5: expected a whole number, at least 1",
         "alternatives=2.5: diharapkan bilangan bulat, paling sedikit 1"),
        (UsageError, lambda: score(est, est.boundary.geometry.iloc[0], rules, cell_m=0),
         "cell_m=0: expected a positive cell size in metres, e.g. 25",
         "cell_m=0: diharapkan ukuran sel positif dalam meter, misalnya 25"),
        (UsageError, lambda: place(est, rules, cell_m=-2.5),
         "cell_m=-2.5: expected a positive cell size in metres, e.g. 25",
         "cell_m=-2.5: diharapkan ukuran sel positif dalam meter, misalnya 25"),
        (UsageError, lambda: place(est, rules, time_limit_s=0),
         "time_limit_s=0: expected a positive number of seconds, e.g. 60",
         "time_limit_s=0: diharapkan angka positif dalam detik, misalnya 60"),
        (UsageError, lambda: place(est, rules, max_overlap=1.5),
         "max_overlap=1.5: expected a share between 0 and 1",
         "max_overlap=1.5: diharapkan porsi antara 0 dan 1"),
        (UsageError, lambda: place(est, rules, cell_m="25"),
         "cell_m='25': expected a number, got str", "cell_m='25': diharapkan angka, yang diberikan str"),
        (UsageError, lambda: place(est, rules, near_share=0),
         "near_share=0: expected a share in (0, 1], e.g. 0.5",
         "near_share=0: diharapkan porsi dalam (0, 1], misalnya 0.5"),
        (UsageError, lambda: place(est, rules, near=Point(1, 1)),
         "near: expected a non-empty Polygon or MultiPolygon, got Point",
         "near: diharapkan Polygon atau MultiPolygon yang tidak kosong, yang diberikan Point"),
        (UsageError, lambda: place(est, rules, near=bow),
         "near: invalid geometry (Self-intersection[5 5])",
         "near: geometri tidak valid (Self-intersection[5 5])"),
        (UsageError, lambda: place(est, two, near=box(0, 0, 1, 1)),
         f"near: not available when placing several zones ([[zones]] of {two}); place them without it",
         f"near: tidak tersedia saat menempatkan beberapa zona ([[zones]] dari {two}); tempatkan "
         "zona-zona itu tanpa near"),
        (UsageError, lambda: place(est, rules, start=3),
         "start: expected a PlacementResult of an earlier place(), got int",
         "start: diharapkan PlacementResult dari place() sebelumnya, yang diberikan int"),
        (UsageError, lambda: place(3, rules),
         "estate: expected an Estate (kitland.load_estate) or a path, got int",
         "estate: diharapkan Estate (kitland.load_estate) atau jalur berkas, yang diberikan int"),
        (UsageError, lambda: place(est, None),
         "rules: expected Rules (kitland.load_rules) or a path, got NoneType",
         "rules: diharapkan Rules (kitland.load_rules) atau jalur berkas, yang diberikan NoneType"),
        (RulesError, lambda: score(est, box(0, 0, 1, 1), kitland.Rules(None, source="r.toml")),
         "r.toml: has no [zone] table; a score needs its nominal area",
         "r.toml: tidak memiliki tabel [zone]; skor memerlukan luas nominal zona"),
        (RulesError, lambda: rule_selection(est, Rule("setback#1", "setback", 1, "zone")),
         "rule setback#1: needs a selector table (to or from = { ... })",
         "aturan setback#1: memerlukan tabel selektor (to atau from = { ... })"),
        (InfeasibleError, lambda: write_placement(empty, tmp_path / "z.gpkg"),
         "write_placement: the result holds no placement (nothing fits the rules); nothing to write",
         "write_placement: hasil tidak memuat penempatan (tidak ada yang memenuhi aturan); "
         "tidak ada yang ditulis"),
        (kitland.DataError, empty.explore,
         "this placement result holds no estate to draw; use kitland.make_map(estate, ...)",
         "hasil penempatan ini tidak memuat kawasan untuk digambar; gunakan "
         "kitland.make_map(estate, ...)"),
        (UsageError, lambda: SolveOptions(work_rate=0),
         "SolveOptions(work_rate=0): expected a number above 0, e.g. 0.5",
         "SolveOptions(work_rate=0): diharapkan angka di atas 0, misalnya 0.5"),
        (UsageError, lambda: SolveOptions(probe_gap=-0.5),
         "SolveOptions(probe_gap=-0.5): expected a number of at least 0, e.g. 0.02",
         "SolveOptions(probe_gap=-0.5): diharapkan angka paling sedikit 0, misalnya 0.02"),
        (UsageError, lambda: SolveOptions(target_gaps=(0.01, math.nan)),
         "SolveOptions(target_gaps=(0.01, nan)): expected numbers of at least 0, e.g. (0.005, 0.02)",
         "SolveOptions(target_gaps=(0.01, nan)): diharapkan angka-angka yang masing-masing paling "
         "sedikit 0, misalnya (0.005, 0.02)"),
    ]  # fmt: skip


def test_the_engines_refusals_in_python_are_english_and_render_in_indonesian(
    tmp_path: Path,
) -> None:
    """``str(error)`` is the English line; ``error.render("id")`` the Indonesian one."""
    for kind, call, english, indonesian in _python_refusals(tmp_path):
        with pytest.raises(kind) as info:
            call()
        assert str(info.value) == english
        assert info.value.render("id") == indonesian
        assert info.value.render("en") == english


def test_score_refuses_a_cell_size_that_would_exhaust_memory() -> None:
    """``score`` cuts the land into cells as ``place`` does, so it refuses the same sizes
    (before making any), naming the size and the least one that would do."""
    est, rules = kitland.load_estate(), kitland.load_rules()  # [[prefer]] rules: cells needed
    x, y = est.boundary.geometry.iloc[0].representative_point().coords[0]
    with pytest.raises(UsageError, match=r"^cell_m=0\.01: .* use a cell size of at least"):
        score(est, box(x, y, x + 500, y + 400), rules, cell_m=0.01)
