"""The command line's text in Bahasa Indonesia (issue 18 §2): `place`, `check`, `validate`
and `compare` with `--lang id`, and the sweep report's summary and plots, are words of the
catalogue, numbers in the Indonesian locale, and data (names, codes) — nothing else."""

from __future__ import annotations

import ast
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from babel.numbers import format_percent
from conftest import grid_layers, write_layers
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from shapely import LineString, box
from test_maps_browser import _leftover_words
from test_zones_place import ROWS, VILLAGES, rules_text

import kitland
from kitland.cli import main
from kitland.estate import LAND_USES, bundled_path
from kitland.i18n import catalogue
from kitland.rules import parse_rules
from kitland.sweep_report import _jumps, _score_figure, _stability_figure, _summary, stability_cells

SOLVER = "HiGHS MILP + OR-Tools CP-SAT"  # the solvers' proper names


def _translations() -> list[str]:
    """Every Indonesian text of the catalogue, cut at its placeholders."""
    cat = catalogue("id")
    assert cat is not None
    parts = [re.split(r"\{\w+(?:![rsa])?(?::[^{}]*)?\}", str(m.string)) for m in cat
             if m.id and m.string]  # fmt: skip
    return [p.strip() for pieces in parts for p in pieces if p.strip()]


#: Calls whose argument (by position) is a catalogue message: ``tr(lang, …)``, a
#: ``t = partial(tr, lang)``, a :class:`~kitland.i18n.Message`, a finding
#: (``Finding.of``), a diagnosis sentence (``advice``) and the CLI's stderr notes.
MESSAGE_ARG = {"tr": 1, "_tr": 1, "t": 0, "Message": 0, "of": 4, "advice": 0, "_note": 1,
               "_wrote": 2}  # fmt: skip
#: A placeholder, with its conversion and format: ``{area}``, ``{value!r}``, ``{m2:,.1f}``.
PLACEHOLDER = r"\{(\w+(?:![rsa])?(?::[^{}]*)?)\}"


def _literals(node: ast.AST) -> list[str]:
    """The strings a message argument can be: a literal, or either branch of an ``if``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def test_every_message_the_code_translates_is_in_the_catalogue() -> None:
    """Each English literal given as a message (:data:`MESSAGE_ARG`) has an Indonesian
    translation with the same placeholders, conversions and number formats."""
    cat = catalogue("id")
    assert cat is not None
    have = {str(m.id): str(m.string) for m in cat if m.id and m.string and not m.fuzzy}
    used = {}
    for path in Path(kitland.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            i = MESSAGE_ARG.get(str(name))
            if i is None or len(node.args) <= i or (name == "t" and len(node.args) != 1):
                continue
            for text in _literals(node.args[i]):
                used[text] = f"{path.name}:{node.lineno}"
    assert len(used) > 50  # the walk finds the calls
    # Messages chosen from tables: argparse's lines, the units of number arguments, the
    # words naming where a rule sits in its file.
    from kitland.cli import _ARGPARSE_MESSAGES  # noqa: PLC0415
    from kitland.rules import _SCOPE_WHERE, _SCOPE_WORD  # noqa: PLC0415

    tables = [m for _, m in _ARGPARSE_MESSAGES] + ["metres", "seconds", "placements", "scenarios"]
    used |= dict.fromkeys([*tables, *_SCOPE_WORD.values(), *_SCOPE_WHERE.values()], "a table")
    assert {"wrote {path} ({what})", "relaxing {rule} alone does not help",
            "{source}: no {column} given"} <= set(used)  # fmt: skip
    missing = {m: where for m, where in used.items() if m not in have}
    assert missing == {}
    for m in used:
        assert set(re.findall(PLACEHOLDER, have[m])) == set(re.findall(PLACEHOLDER, m)), m


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The text reports of check (of a placed zone) and validate, in both languages."""
    folder = tmp_path_factory.mktemp("lang")
    zone = folder / "zone.gpkg"
    assert main(["place", "--cell-m", "100", "--time-limit", "30", "-q", "--out", str(zone)]) == 0
    out: dict[str, dict[str, str]] = {"id": {}, "en": {}}
    for lang in ("id", "en"):
        for command, args in (("check", ["--zone", str(zone), "--cell-m", "100"]),
                              ("validate", [])):  # fmt: skip
            text = folder / f"{command}_{lang}.txt"
            assert main([command, *args, "--lang", lang, "-q", "-o", str(text)]) == 0
            out[lang][command] = text.read_text(encoding="utf-8")
    return out


def test_check_and_validate_speak_indonesian(runs: dict[str, dict[str, str]]) -> None:
    """Every word left after removing the catalogue's translations is data: rule names of
    the bundled rules, the CRS, the solvers' names. In English the same check leaves words."""
    rules = kitland.load_rules()
    data = [r.id for r in (*rules.rules, *rules.layout)] + ["EPSG:32749", SOLVER, "UMKM",
                                                            "Permenperin No. 40/M-IND/PER/7/2016"]  # fmt: skip
    allowed = [*_translations(), *data]
    for command in ("check", "validate"):
        left = _leftover_words(runs["id"][command].splitlines(), allowed)
        assert left == [], (command, left)
        assert len(_leftover_words(runs["en"][command].splitlines(), allowed)) > 5, command


def test_place_and_compare_text_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`place --lang id` and `compare --lang id` stdout: words of the catalogue only; the
    first placement line checked by hand against the JSON report."""
    zone, report = tmp_path / "zone.gpkg", tmp_path / "r.json"
    rules = kitland.load_rules()
    data = [r.id for r in (*rules.rules, *rules.layout)] + ["EPSG:32749", SOLVER]
    allowed = [*_translations(), *data]
    texts = {}
    for lang in ("id", "en"):
        capsys.readouterr()
        assert main(["place", "--cell-m", "100", "--time-limit", "30", "--lang", lang, "-q",
                     "--out", str(zone), "--report", str(report)]) == 0  # fmt: skip
        texts[("place", lang)] = capsys.readouterr().out
        proposal = tmp_path / "proposal.gpkg"
        z = gpd.read_file(zone, layer="zone", engine="fiona")
        z.geometry = z.translate(-300, 0)
        z[["geometry"]].to_file(proposal, layer="zone", engine="fiona")
        code = main(["compare", "--zone", str(proposal), "--cell-m", "100", "--time-limit", "30",
                     "--lang", lang, "-q"])  # fmt: skip
        assert code in (0, 1)
        texts[("compare", lang)] = capsys.readouterr().out
    for command in ("place", "compare"):
        left = _leftover_words(texts[(command, "id")].splitlines(), allowed)
        assert left == [], (command, left, texts[(command, "id")])
        assert len(_leftover_words(texts[(command, "en")].splitlines(), allowed)) > 5
    # The placement line by hand: area and score from the report, Indonesian separators.
    first = json.loads(report.read_text())["alternatives"][0]
    line = texts[("place", "id")].splitlines()[0]
    area = f"{first['area_ha']:.2f}".replace(".", ",")
    score = f"{first['score']:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert line.startswith(f"penempatan 1: {area} ha, skor {score}, kekompakan "), line
    assert line.endswith("semua aturan zona terpenuhi"), line
    assert "Harga usulan: skor +" in texts[("compare", "id")]
    assert "The price of the proposal: score +" in texts[("compare", "en")]


@pytest.mark.parametrize("min_m", [100, 450])
def test_several_zones_summary_in_indonesian(min_m: float, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """`place --lang id` with two zones (placed, and blocked by a separation no strip of
    land 600 m long allows): words of the catalogue only, zone and rule names as data;
    the first zone's line checked by hand against the JSON report."""
    est = write_layers(grid_layers(ROWS, settlements=VILLAGES), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(rules_text(min_m))
    texts, report = {}, tmp_path / "r.json"
    for lang in ("id", "en"):
        capsys.readouterr()
        code = main(["place", str(est), "--rules", str(rules), "--cell-m", "50", "--time-limit",
                     "60", "--lang", lang, "-q", "--report", str(report)])  # fmt: skip
        assert code == (0 if min_m == 100 else 1)
        texts[lang] = capsys.readouterr().out
    allowed = [*_translations(), "Barat", "Timur", "apart", "HiGHS MILP + OR-Tools CP-SAT"]
    left = _leftover_words(texts["id"].splitlines(), allowed)
    assert left == [], (left, texts["id"])
    assert len(_leftover_words(texts["en"].splitlines(), allowed)) > 5
    if min_m == 100:
        first = json.loads(report.read_text())["placements"][0]
        area = f"{first['area_ha']:.2f}".replace(".", ",")
        assert texts["id"].startswith(f"zona Barat: {area} ha, skor "), texts["id"]
        assert "penempatan bersama optimal pada grid 50 m: jumlah skor " in texts["id"]
    else:
        assert "tidak ada alokasi 2 zona yang memenuhi aturan" in texts["id"]
        assert "terhalang oleh apart: tanpa aturan ini zona-zona muat" in texts["id"]


def test_bundled_clusters_summary_in_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled clusters file placed with `--lang id`: every word is the catalogue's or
    a zone's or rule's name from the file, whatever the solve reaches in its time."""
    path = bundled_path("umkm_clusters_rules.toml")
    rules = kitland.load_rules(path)
    code = main(["place", "--rules", str(path), "--cell-m", "100", "--time-limit", "15",
                 "--lang", "id", "-q"])  # fmt: skip
    assert code in (0, 1, 3)  # 3: nothing found in the 15 s (the joint search is timed)
    out = capsys.readouterr().out
    names = [z.name for z in rules.zones] + [r.id for r in (*rules.rules, *rules.between)]
    names += [r.id for z in rules.zones for r in rules.for_zone(z.name).rules]
    left = _leftover_words(out.splitlines(), [*_translations(), *names, SOLVER])
    assert left == [], (left, out)
    assert out.count("zona ") >= len(rules.zones) or "tidak ada alokasi" in out


def test_validate_in_indonesian_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled estate's land budget: the industrial row's area and share computed here
    from the parcels, written with Indonesian separators."""
    estate = kitland.load_estate()
    assert main(["validate", "--lang", "id"]) == 0
    lines = capsys.readouterr().out.splitlines()
    total = float(estate.boundary_union.area) / 1e4
    ind = float(estate.parcels.loc[estate.parcels["land_use"] == "industrial"].area.sum()) / 1e4
    n = int((estate.parcels["land_use"] == "industrial").sum())
    loc = lambda v, d: f"{v:,.{d}f}".replace(",", " ").replace(".", ",").replace(" ", ".")  # noqa: E731
    assert lines[0] == f"KIT Batang (ilustratif) — {loc(total, 2)} ha di dalam batas kawasan, diukur dalam EPSG:32749"
    assert lines[1] == "tidak ditemukan masalah data"
    row = next(line for line in lines if line.startswith("kavling industri "))
    assert row.split() == ["kavling", "industri", loc(ind, 2), loc(100 * ind / total, 1) + "%",
                           str(n), "kavling", "industri"]  # fmt: skip
    # Every percentage as Babel writes it in Indonesian ("59,2%"), none with a space.
    assert format_percent(ind / total, "#,##0.0%", locale="id") in row
    assert not re.search(r"\d %", "\n".join(lines))
    assert lines[-1] == "BAIK: 0 kesalahan, 0 peringatan; norma neraca lahan terpenuhi: 4 dari 4"
    assert main(["validate"]) == 0  # the terminal text's default stays English
    assert capsys.readouterr().out.splitlines()[1] == "no data problems found"


def _drawn_texts(fig: Any) -> list[str]:
    """The texts a PNG of ``fig`` shows: visible ones, less the axis labels and tick labels
    of axes drawn without axes (``set_axis_off``)."""
    FigureCanvasAgg(fig).draw()  # the tick labels exist once drawn
    hidden = set()
    for ax in fig.axes:
        if not ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                hidden |= {id(axis.label), *(id(t) for t in axis.get_ticklabels())}
    return [t.get_text() for t in fig.findobj(Text)
            if t.get_text().strip() and t.get_visible() and id(t) not in hidden]  # fmt: skip


# -- the sweep report ----------------------------------------------------------------------
TABLE = pd.DataFrame({"scenario": list("abcd"), "estate": "e", "s.min_m": [50.0, 100, 150, 200],
                      "status": ["OPTIMAL", "OPTIMAL", "FEASIBLE", "INFEASIBLE"],
                      "score": [900.5, 910.0, 1250.25, None], "message": ""})  # fmt: skip
ZONES = gpd.GeoDataFrame({"scenario": list("abc")},
                         geometry=[box(0, 0, 100, 100), box(10, 0, 110, 100), box(300, 0, 400, 100)],
                         crs=32749)  # fmt: skip


def test_sweep_summary_in_indonesian_by_hand() -> None:
    """Zones at x 0..100, 10..110, 300..400, then none: the site moves by 290 m between
    100 and 150 (no overlap) and the zone disappears at 200."""
    jumps = _jumps(TABLE, ZONES, ["s.min_m"])
    assert _summary(TABLE, jumps, ["s.min_m"], "id").splitlines() == [
        "4 skenario: 2 OPTIMAL, 1 LAYAK, 1 TIDAK LAYAK",
        "Zona LAYAK ditemukan saat anggaran kerja habis dan belum terbukti terbaik; masukan "
        "dan --time-limit yang sama menghasilkannya lagi, kecuali jam dinding menghentikan "
        "pencarian lebih dulu (mesin yang jauh lebih sibuk daripada perkiraan anggaran)",
        "s.min_m: lokasi terbaik berubah pada",
        "  100 → 150: berpindah 290 m (tumpang tindih 0%)",
        "  150 → 200: tidak ada zona",
    ]
    assert _summary(TABLE, jumps, ["s.min_m"], "en").splitlines()[3] == (
        "  100 → 150: moves 290 m (overlap 0%)"
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sweep_plots_are_labelled_in_the_language(lang: str) -> None:
    """Every text of the score plot and the stability PNG: catalogue words, numbers, the
    varied column's name; in English the same check leaves the English labels."""
    cells = stability_cells(ZONES, cell_m=50, runs=3)
    figs = [_score_figure(TABLE, "s.min_m", [], lang),
            _stability_figure(cells, None, "kestabilan lokasi zona: e (3 skenario)", lang)]  # fmt: skip
    texts = [t for fig in figs for t in _drawn_texts(fig)]
    left = _leftover_words(texts, [*_translations(), "s.min_m", "e"])
    if lang == "id":
        assert left == [], left
        assert "skor zona terbaik (makin kecil makin baik)" in texts
        assert any(t.endswith("%") for t in texts)  # the share's ticks as percentages
    else:
        assert {"score", "share", "scenarios"} <= set(left)


# -- stderr notes, validate's findings and the funnel's hints (issue 18, left over) -----------
def _data_words(*paths: Path) -> list[str]:
    """Paths named on stderr, and the logger's name: data, not words."""
    codes = ["norm-green", "norm-roads", "norm-supporting"]  # the findings' codes
    return [*(str(p) for p in paths), *codes, "kitland.validation", "kitland"]


def test_stderr_notes_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`place`, `map`, `check` and `validate --fix` with `--lang id`: every "wrote" line, the
    data warnings and the notes on stderr are catalogue words, numbers or data (paths,
    codes); in English the same check leaves words. The "wrote" line of the GeoPackage by
    hand: its two placements."""
    est = write_layers(grid_layers(ROWS, settlements=VILLAGES), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\nname = "UMKM"\nmin_ha = 1.99\nmax_ha = 2.01\n'
                     '[[rules]]\nkind = "contiguous"\n')  # fmt: skip
    errs: dict[str, str] = {}
    for lang in ("id", "en"):
        d = tmp_path / lang
        d.mkdir()
        files = [d / "z.gpkg", d / "m.html", d / "r.json", d / "k.kml", d / "p.png",
                 d / "c.txt", d / "fixed.gpkg", d / "m2.html"]  # fmt: skip
        z, m, r, k, png, txt, fixed, m2 = files
        capsys.readouterr()
        assert main(["place", str(est), "--rules", str(rules), "--cell-m", "50", "--lang", lang,
                     "--alternatives", "2", "--out", str(z), "--map", str(m), "--report", str(r),
                     "--kml", str(k)]) == 0  # fmt: skip
        assert main(["map", str(est), "--zone", str(z), "--rules", str(rules), "--png", str(png),
                     "--out", str(m2), "--lang", lang]) == 0  # fmt: skip
        assert main(["check", str(est), "--zone", str(z), "--rules", str(rules), "--cell-m",
                     "50", "--lang", lang, "-o", str(txt)]) == 0  # fmt: skip
        assert main(["validate", str(est), "--fix", str(fixed), "--lang", lang, "-o",
                     str(d / "v.txt")]) == 0  # fmt: skip
        errs[lang] = capsys.readouterr().err
        # A zone file's source is "FILE layer 'zone'" in every message (data, like a path).
        sources = [f"{z} layer 'zone'", "UMKM-1"]
        allowed = [*_translations(), *_data_words(est, *files, d / "v.txt"), *sources]
        left = _leftover_words(errs[lang].splitlines(), allowed)
        if lang == "id":
            assert left == [], (left, errs[lang])
            assert f"kitland: menulis {z} (lapisan zone: 2 penempatan; lapisan parcels: tata " \
                   "letak baru)" in errs[lang].splitlines()  # fmt: skip
            assert f"kitland: {z} layer 'zone': 2 fitur zona dengan kolom rank; yang diperiksa " \
                   "rank 1 (UMKM-1)" in errs[lang].splitlines()  # fmt: skip
            assert "peringatan data (norm-green)" in errs[lang]  # a data warning, in Bahasa
        else:
            assert len(left) > 10, left
    assert errs["en"].count("kitland: wrote ") == errs["id"].count("kitland: menulis ") == 8


def test_validate_findings_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An estate with a finding of most kinds: `validate --lang id` writes each finding's
    sentence from the catalogue (codes, layers, ids, values and GEOS's reasons are data);
    the overlap's line by hand: parcels P0_0 and X overlap by 10 × 100 = 1.000,0 m²."""
    layers = grid_layers(["IA", "AG"])
    parcels = layers["parcels"]
    x0, y0 = parcels.total_bounds[:2]
    extra = gpd.GeoDataFrame(
        {"parcel_id": ["X", "P0_1", "Y", "Z"], "land_use": ["industri", "green", "", "Green"]},
        geometry=[box(x0 + 90, y0 + 100, x0 + 100, y0 + 200),  # overlaps P0_0 by 10 × 100
                  box(x0 + 200, y0, x0 + 260, y0 + 50),  # a duplicate id, 60 × 50 outside
                  shapely.Polygon([(x0, y0), (x0 + 5, y0 + 5), (x0 + 5, y0), (x0, y0 + 5)]),
                  box(x0 + 10, y0 + 10, x0 + 20, y0 + 20)],
        crs=parcels.crs)  # fmt: skip
    layers["parcels"] = pd.concat([parcels.iloc[:3], extra], ignore_index=True)  # P1_1 is a gap
    layers["roads"] = gpd.GeoDataFrame({"road_id": ["r1"], "road_class": ["local"],
                                        "width_m": [2.0]},
                                       geometry=[LineString([(x0, y0 - 5), (x0 + 200, y0 - 5)])],
                                       crs=parcels.crs)  # fmt: skip
    est = write_layers(layers, tmp_path / "kawasan_uji.gpkg")
    texts = {}
    for lang in ("id", "en"):
        assert main(["validate", str(est), "--lang", lang]) == 1
        texts[lang] = capsys.readouterr().out
    codes = [line.split()[1] for line in texts["en"].splitlines() if line.startswith(("ERROR", "WARNING"))]
    assert {"overlap", "gap", "duplicate-id", "unknown-land-use", "invalid-geometry",
            "outside-boundary", "road-width", "missing-value"} <= set(codes), codes  # fmt: skip
    src = f"{est} layer 'parcels'"
    data = [*codes, src, f"{est} layer 'roads'", f"{est} layer 'boundary'", "parcels", "roads", "P0_0", "P0_1", "P1_0",
            "P1_1", "X", "Y", "Z", "r1", "industri", "Green", "land_use", "width_m",
            *LAND_USES, "EPSG:32749", "Permenperin No. 40/M-IND/PER/7/2016",
            "gap 1", "kawasan_uji", "test"]  # the boundary's name  # fmt: skip
    reasons = re.findall(r"invalid geometry \(([^)]*)\)", texts["en"])  # GEOS's own words
    # Values are quoted ('industri'): the quotes go, here and in what is allowed.
    allowed = [a.replace("'", " ").strip() for a in [*_translations(), *data, *reasons]]
    unquoted = {lang: text.replace("'", " ").splitlines() for lang, text in texts.items()}
    left = _leftover_words(unquoted["id"], allowed)
    assert left == [], (left, texts["id"])
    assert len(_leftover_words(unquoted["en"], allowed)) > 20
    line = next(x for x in texts["id"].splitlines() if " overlap " in x)
    assert line.endswith(f"{src}: kavling P0_0 dan X bertumpang tindih seluas 1.000,0 m² "
                         "(0,1000 ha)"), line  # fmt: skip
    assert "maksudnya 'industrial'?" in texts["id"] and "did you mean" not in texts["id"]
    # Only X's "industri" is unknown ("Green" reads as green), though Y has no land use.
    assert codes.count("unknown-land-use") == 1 and codes.count("missing-value") == 1


def test_funnel_hints_in_indonesian(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two 4 ha pockets, one next to 200 m of industry; 500 m of shared boundary asked:
    no placement, and the diagnosis says to relax the rule to the 200 m pocket B has —
    in Bahasa, every word of the catalogue or a rule's id."""
    rows = ["AAGGGGG", "AAGGGGG", "GGGGAAI", "GGGGAAI"]
    est = write_layers(grid_layers(rows, cell_m=50), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\narea_ha = 1.0\ntolerance_ha = 0.0625\n'
                     '[[rules]]\nkind = "adjacent"\nto = { land_use = ["industrial"] }\n'
                     'min_shared_m = 500\n[[rules]]\nkind = "contiguous"\n')  # fmt: skip
    texts = {}
    for lang in ("id", "en"):
        capsys.readouterr()
        code = main(["place", str(est), "--rules", str(rules), "--cell-m", "50",
                     "--time-limit", "60", "--lang", lang, "-q", "--report",
                     str(tmp_path / "r.json")])  # fmt: skip
        assert code == 1
        texts[lang] = capsys.readouterr().out
    best = next(d for d in json.loads((tmp_path / "r.json").read_text())["diagnosis"]
                if d["rule"] == "adjacent#1")["best_value"]  # fmt: skip
    assert best == pytest.approx(100.0, abs=2.0)  # pocket B's edge on the industrial column
    hints = [x for x in texts["id"].splitlines() if x.startswith("  - ")]
    # the unnamed rule by its kind's word, as check's table names it
    assert f"  - longgarkan bersebelahan #1 dari 500 m menjadi {math.floor(best)} m" in hints, hints
    assert f"  - relax adjacent#1 from 500 m to {math.floor(best)} m" in texts["en"].splitlines()
    allowed = [*_translations(), "adjacent#1", "contiguous#2", "area", SOLVER]
    assert _leftover_words(texts["id"].splitlines(), allowed) == [], texts["id"]
    assert len(_leftover_words(texts["en"].splitlines(), allowed)) > 5


@pytest.mark.parametrize(("lang", "undecided", "solver"), [
    ("en", "no {what} found within 30 s; it is not proven that none exists; try --time-limit 120",
     "HiGHS MILP{joint}: 31.2 s (time limit reached), 1,250 cells of 12.5 m"),
    ("id", "tidak ada {what} ditemukan dalam 30 detik; belum terbukti bahwa tidak ada; coba "
           "--time-limit 120",
     "HiGHS MILP{joint}: 31,2 detik (batas waktu tercapai), 1.250 sel 12,5 m"),
])  # fmt: skip
def test_one_zone_and_several_zones_say_undecided_alike(lang: str, undecided: str, solver: str) -> None:
    """The "not found within" line and the solver's line of an undecided search, written by
    hand: the same sentence for one zone ("placement") and several ("allocation")."""
    facts = {"name": "HiGHS MILP", "time_limit_s": 30.0, "time_s": 31.2, "time_limit_hit": True,
             "cells": 1250, "grid_m": 12.5}  # fmt: skip
    one = kitland.load_rules()
    two = parse_rules(tomllib.loads(rules_text(100)), source="r.toml")
    what = {"en": ("placement", "allocation"), "id": ("penempatan", "alokasi")}[lang]
    for rules, noun, name in ((one, what[0], "HiGHS MILP"), (two, what[1], "HiGHS MILP (joint)")):
        res = kitland.PlacementResult(False, None, [], kitland.Report([], {}, {}),
                                      {**facts, "name": name}, rules=rules, status="UNDECIDED")  # fmt: skip
        joint = {"en": " (joint)", "id": " (bersama)"}[lang] if rules is two else ""
        assert res.summary(lang).splitlines()[-2:] == [undecided.format(what=noun),
                                                       solver.format(joint=joint)]  # fmt: skip


@pytest.mark.parametrize(("facts", "lang", "undecided", "solver"), [
    # trial 10: the search ended by itself at 18.1 of its 30 work-s after 76.4 s of 600
    ({"work_s": 18.148, "deterministic": True, "time_limit_hit": False}, "en",
     "no placement found: the search ended at 18.1 of its 30.0 work-s, without a zone or a "
     "proof that none exists; try --time-limit 2400",
     "HiGHS MILP: 76.4 s (ended with work left), 1,980 cells of 25 m"),
    ({"work_s": 18.148, "deterministic": True, "time_limit_hit": False}, "id",
     "tidak ada penempatan ditemukan: pencarian berhenti pada 18,1 dari 30,0 detik-kerja "
     "anggarannya, tanpa zona maupun bukti bahwa tidak ada; coba --time-limit 2400",
     "HiGHS MILP: 76,4 detik (berhenti dengan sisa anggaran kerja), 1.980 sel 25 m"),
    # the budget spent (29.8 ≥ 99 % of 30), or the wall clock stopped it: the time limit
    ({"work_s": 29.8, "deterministic": True}, "en",
     "no placement found within 600 s; it is not proven that none exists; try --time-limit 2400",
     "HiGHS MILP: 76.4 s (time limit reached), 1,980 cells of 25 m"),
    ({"work_s": 18.148, "deterministic": False}, "en",
     "no placement found within 600 s; it is not proven that none exists; try --time-limit 2400",
     "HiGHS MILP: 76.4 s (time limit reached) (stopped by the wall clock: not deterministic), "
     "1,980 cells of 25 m"),
])  # fmt: skip
def test_an_undecided_search_that_ended_with_work_left_says_so(
    facts: dict, lang: str, undecided: str, solver: str
) -> None:
    """An undecided search says what it spent when it ended with work of its budget left,
    rather than "within 600 s" and "time limit reached" (written by hand from the facts)."""
    base = {"name": "HiGHS MILP", "time_limit_s": 600.0, "time_s": 76.4, "time_limit_hit": True,
            "work_budget_s": 30.0, "cells": 1980, "grid_m": 25.0}  # fmt: skip
    res = kitland.PlacementResult(False, None, [], kitland.Report([], {}, {}), {**base, **facts},
                                  rules=kitland.load_rules(), status="UNDECIDED")  # fmt: skip
    assert res.summary(lang).splitlines()[-2:] == [undecided, solver]


@pytest.mark.parametrize(("work_s", "lang", "line", "hit"), [
    (22.587, "en", "placements found when the search ended at 22.6 of its 30.0 work-s; the same "
                   "input and --time-limit return them again; a longer --time-limit may prove them",
     False),
    (22.587, "id", "penempatan ditemukan saat pencarian berhenti pada 22,6 dari 30,0 detik-kerja "
                   "anggarannya; masukan dan --time-limit yang sama menghasilkannya lagi; "
                   "--time-limit yang lebih panjang dapat membuktikannya", False),
    (30.0, "en", "placements found when the work budget ran out; the same input and --time-limit "
                 "return them again; a longer --time-limit may prove them", True),
    # ``make demo``: rank 2 ran out of its share of the work, rank 3 was proven early, so
    # the search as a whole ended at 67.6 of its 90 work-s; the budget ended rank 2
    (67.6, "en", "placements found when the work budget ran out; the same input and --time-limit "
                 "return them again; a longer --time-limit may prove them", True),
])  # fmt: skip
def test_a_feasible_search_that_ended_with_work_left_says_where(
    work_s: float, lang: str, line: str, hit: bool
) -> None:
    """Trial 10's 50 m search: FEASIBLE, ended by itself at 22.587 of its 30 work-s; the
    line under its placement said the work budget ran out."""
    from kitland.placement._summary import _feasible_line  # noqa: PLC0415

    budget = 90.0 if work_s == 67.6 else 30.0
    solver = {"work_s": work_s, "work_budget_s": budget, "deterministic": True, "time_limit_hit": hit}
    assert _feasible_line(solver, lang) == line


#: Errors raised on purpose that stay English: bugs of kitland itself (a map's own code,
#: its vendored files), the bottom CRS module (it imports nothing of kitland, and the
#: command line checks a CRS before it gets there) and ``sweep`` (its terminal is English).
ENGLISH_ERRORS = {("crs.py", "metric_crs_for"), ("maps.py", "_check_no_jinja"),
                  ("maps.py", "__init__"), ("maps.py", "_asset_text"), ("maps.py", "_inline_assets"),
                  ("cli.py", "cmd_sweep")}  # fmt: skip


def test_errors_of_the_command_lines_modules_are_raised_with_catalogue_messages() -> None:
    """No ``raise DataError(f"...")`` (or a ``msg`` built as text) in the modules whose
    errors the command line meets: each is a :class:`~kitland.i18n.Message`, written in
    the terminal's language. (``placement`` and ``sweeps`` are not walked yet.)"""
    errors = {
        "RulesError",
        "CRSError",
        "UsageError",
        "DataError",
        "InfeasibleError",
        "KitlandError",
    }
    modules = ["rules", "crs", "estate", "io", "validation", "measure", "between", "comparison",
               "maps", "plots", "printing", "cli", "kml", "report", "network"]  # fmt: skip

    def text(node: ast.AST) -> bool:
        join = isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "join"
        return join or isinstance(node, ast.JoinedStr | ast.BinOp) or bool(_literals(node))

    found = set()
    root = Path(kitland.__file__).parent
    for name in modules:
        for fn in ast.walk(ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef):
                continue
            built = {t.id: n.value for n in ast.walk(fn) if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name) and text(n.value)}  # fmt: skip
            for node in ast.walk(fn):
                call = node.exc if isinstance(node, ast.Raise) else None
                if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) in errors):
                    continue
                arg = call.args[0] if call.args else None
                if arg is not None and (text(arg) or getattr(arg, "id", None) in built):
                    found.add((f"{name}.py", fn.name))
    assert found == ENGLISH_ERRORS


def test_a_between_rule_is_named_by_name_en_in_english() -> None:
    """The terminal line of a ``[[between]]`` rule in English names it by ``name_en``, as
    the map, PDF and every zone rule do; in Bahasa Indonesia by its ``name``."""
    from kitland.placement._summary import _between_line  # noqa: PLC0415
    from kitland.report import RuleResult  # noqa: PLC0415

    r = RuleResult("tidak tumpang tindih", "separation", True, 540.0, ">= 0", "m",
                   "no two zones overlap", name_en="no overlap")  # fmt: skip
    assert _between_line(r, "en") == "between no overlap: no two zones overlap (pass)"
    assert _between_line(r, "id") == "antar zona tidak tumpang tindih: 540,0 m (syarat ≥ 0 m), terpenuhi"
