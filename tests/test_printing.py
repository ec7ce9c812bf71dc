"""The printed meeting map: rendered to PNG with poppler's pdftoppm and read back with
pdftotext; every element of the print layout must be on the page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from conftest import grid_layers, pocket_rules, write_layers
from matplotlib.image import imread
from shapely import Point

import kitland
from kitland import DataError
from kitland.cli import main
from kitland.maps import LAND_USE_COLOURS, STATUS_COLOURS, ZONE_COLOURS
from kitland.printing import write_pdf
from kitland.report import Report, RuleResult

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (run `make poppler`)",
)
DPI = 40


@pytest.fixture(scope="module")
def estate() -> kitland.Estate:
    return kitland.load_estate()


@pytest.fixture(scope="module")
def zone(estate: kitland.Estate) -> shapely.Polygon:
    """A 300 m × 300 m square of available land (9 ha: the area rule fails)."""
    available = estate.parcels[estate.parcels["land_use"] == "available"]
    big = available.loc[available.area.idxmax()].geometry
    p = big.representative_point()
    return shapely.box(p.x - 150, p.y - 150, p.x + 150, p.y + 150)


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def _png(pdf: Path) -> np.ndarray:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf),
                    str(pdf.with_suffix(""))], check=True)  # fmt: skip
    return imread(pdf.with_suffix(".png"))[..., :3]


def _is_page(img: np.ndarray, w_mm: float, h_mm: float) -> bool:
    """The picture has the paper's size at DPI (pdftoppm rounds up or down by a pixel)."""
    h, w = img.shape[:2]
    return abs(w - w_mm / 25.4 * DPI) <= 1 and abs(h - h_mm / 25.4 * DPI) <= 1


def _share(img: np.ndarray, colour: str, tol: float = 0.06) -> float:
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return float((np.abs(img - rgb).max(axis=-1) < tol).mean())


def test_the_print_layout_has_every_element(
    estate: kitland.Estate, zone: shapely.Polygon, tmp_path: Path
) -> None:
    rules = kitland.load_rules()
    report = kitland.check(estate, zone, rules)
    assert not report.passed and len(report.failed) >= 1  # "area" at least: 9 ha, not 20
    pdf = write_pdf(estate, tmp_path / "meeting.pdf", zone=zone, report=report, rules=rules,
                    paper="A4", orientation="landscape", score=1234.5)  # fmt: skip
    assert pdf.stat().st_size < 5_000_000
    text = _text(pdf)
    expected = [
        "KIT Batang (ilustratif)",  # title block: estate, date, rules file, status
        "Peta rapat perencanaan", "umkm_rules.toml", f"GAGAL — {len(report.failed)} dari",
        "skor 1.234,5 m", "makin kecil makin baik",  # the score, its meaning and unit
        "Legenda", "kavling industri", "lahan tersedia", "zona UMKM usulan (GAGAL)",  # legend
        "gerbang kawasan", "Hasil pemeriksaan aturan", "Aturan", "Terukur", "Syarat",  # table
        "luas zona", "9,00 ha", "20–21 ha", "bersebelahan dengan industri",
        "Catatan: Tata letak ILUSTRATIF",  # the disclaimer
        "Sumber: Batas desa: cahyadsn/wilayah_boundaries (MIT)",  # sources
        "Grid: EPSG:32749, meter · kitland", "U",  # grid in metres, north arrow
    ]  # fmt: skip
    for words in expected:
        assert words in text, words
    for r in report.results:
        assert r.label("id") in text
    # Grid ticks: eastings of the frame, in metres with Indonesian grouping (e.g. 385.000).
    x0, _, x1, _ = zone.bounds
    ticks = [int(t.replace(".", "")) for t in text.split() if len(t) == 7 and t[3] == "."
             and t.replace(".", "").isdigit()]  # fmt: skip
    assert any(x0 - 2000 < t < x1 + 2000 for t in ticks)
    # Scale bar: a round length in metres.
    assert any(f"{n} m" in text for n in ("100", "200", "500", "1.000")) or " km" in text
    img = _png(pdf)
    assert _is_page(img, 297, 210)  # A4 landscape
    assert _share(img, STATUS_COLOURS["fail"]) > 0.001  # the failing zone's outline, the banner
    assert _share(img, STATUS_COLOURS["pass"]) == 0.0
    h, w = img.shape[:2]
    map_part = img[int(0.25 * h) : int(0.75 * h), int(0.08 * w) : int(0.6 * w)]  # left, middle
    assert (map_part.min(axis=-1) < 0.95).mean() > 0.9  # the map is drawn there, not blank
    assert _share(map_part, LAND_USE_COLOURS["available"], tol=0.03) > 0.05


def test_the_status_colour_follows_the_report(estate: kitland.Estate, zone: shapely.Polygon,
                                              tmp_path: Path) -> None:  # fmt: skip
    ok = Report([RuleResult("area", "area", True, 9.0, "8 .. 10", "ha", "9 ha")])
    pdf = write_pdf(estate, tmp_path / "pass.pdf", zone=zone, report=ok, lang="en",
                    paper="A3", orientation="portrait")  # fmt: skip
    text = _text(pdf)
    assert "PASS — all rules hold" in text and "Legend" in text and "N" in text
    img = _png(pdf)
    assert _is_page(img, 297, 420)  # A3 portrait
    assert _share(img, STATUS_COLOURS["pass"]) > 0.0005
    assert _share(img, STATUS_COLOURS["fail"]) == 0.0


def test_without_a_zone_the_whole_estate_is_printed(estate: kitland.Estate, tmp_path: Path) -> None:
    text = _text(write_pdf(estate, tmp_path / "estate.pdf", lang="en"))
    assert "KIT Batang (illustrative)" in text and "not checked against rules" in text
    assert "PASS" not in text and "FAIL" not in text


@pytest.mark.parametrize(("option", "value"), [("paper", "A5"), ("orientation", "upright"),
                                               ("lang", "fr")])  # fmt: skip
def test_unknown_print_options_are_refused(estate: kitland.Estate, tmp_path: Path, option: str,
                                           value: str) -> None:  # fmt: skip
    out = tmp_path / "x.pdf"
    with pytest.raises(DataError, match=rf"{option}='{value}' is not known"):
        write_pdf(estate, out, **{option: value})
    assert not out.exists()


def test_cli_map_and_place_write_the_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a3.pdf"
    assert main(["map", "--pdf", str(out), "--paper", "A3", "--orientation", "portrait"]) == 0
    assert "a3.pdf (print layout, A3 portrait)" in capsys.readouterr().err
    assert not (tmp_path / "kitland.html").exists()
    assert _is_page(_png(out), 297, 420)
    assert main(["map", "--pdf", str(tmp_path / "a.txt")]) == 2
    assert "--pdf writes .pdf (got .txt)" in capsys.readouterr().err
    assert main(["map", "--pdf", str(tmp_path / "a.pdf"), "--paper", "A5"]) == 2
    assert main(["place", "--pdf", str(tmp_path / "p.txt")]) == 2


def test_cli_place_prints_the_placed_zone_with_its_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 4 ha zone on a grid estate (two 2 × 2 cells of available land, one beside industry)."""
    layers = grid_layers(["AAGGGGG", "AAGGGGG", "GGGGAAI", "GGGGAAI"],
                         settlements=[(Point(0, 400), {"name": "Ketanggan"})])  # fmt: skip
    layers["boundary"] = layers["boundary"].assign(name="Kawasan Uji")
    gpkg = write_layers(layers, tmp_path / "estate.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(pocket_rules(rule_name="dekat industri", rule_name_en="next to industry",
                                  compactness=False))
    pdf, report = tmp_path / "zone.pdf", tmp_path / "r.json"
    placed = tmp_path / "placed.gpkg"
    argv = ["place", str(gpkg), "--rules", str(rules), "--cell-m", "50", "--pdf", str(pdf),
            "--out", str(placed), "--report", str(report), "--lang", "en"]  # fmt: skip
    assert main(argv) == 0
    assert "zone.pdf (print layout, A4 landscape)" in capsys.readouterr().err
    score = json.loads(report.read_text())["alternatives"][0]["score"]
    text = _text(pdf)
    assert "Kawasan Uji" in text  # the boundary's name, not the file's
    assert "PASS — all rules hold" in text and "next to industry" in text
    assert f"score {score:,.1f} m" in text and "lower is better" in text
    assert _share(_png(pdf), STATUS_COLOURS["pass"]) > 0.0005
    # What the solver proved, as the terminal says it, from the report's status and gap.
    assert _proof(json.loads(report.read_text()), "en") in text
    # `map --pdf` of the zone place wrote: its status and gap as placed.
    best = json.loads(report.read_text())["alternatives"][0]
    printed = tmp_path / "printed.pdf"
    assert main(["map", str(gpkg), "--zone", str(placed), "--rules", str(rules), "--pdf",
                 str(printed), "--lang", "en"]) == 0  # fmt: skip
    assert f"as placed: {best['status']}, gap {100 * best['gap']:.2f}%" in _text(printed)
    assert main([*argv[:-2], "--lang", "id", "--time-limit", "4"]) == 0
    capsys.readouterr()
    assert _proof(json.loads(report.read_text()), "id") in _text(pdf)


def _proof(report: dict, lang: str) -> str:
    """The best placement's proof status written out from the JSON report."""
    best = report["alternatives"][0]
    if best["status"] == "OPTIMAL":
        return {"en": "optimal on the 50 m grid", "id": "optimal pada grid 50 m"}[lang]
    gap = f"{100 * best['gap']:.2f}%"
    return {"en": f"feasible, gap {gap} (time limit reached)",
            "id": f"layak, selisih {gap.replace('.', ',')} (batas waktu tercapai)"}[lang]  # fmt: skip


def _words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word of the page in drawing order, with its box (x0, y0, x1, y1) in points."""
    out = subprocess.run(["pdftotext", "-raw", "-bbox", str(pdf), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")  # fmt: skip
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(html.unescape(w), float(a), float(b), float(c), float(d))
            for a, b, c, d, w in re.findall(pattern, out)]  # fmt: skip


def _box_of(words: list[tuple[str, float, float, float, float]], text: str) -> tuple[float, ...]:
    """The box around the first run of words that spells ``text``."""
    want = text.split()
    for i in range(len(words) - len(want) + 1):
        run = words[i : i + len(want)]
        if [w[0] for w in run] == want:
            return (min(w[1] for w in run), min(w[2] for w in run),
                    max(w[3] for w in run), max(w[4] for w in run))  # fmt: skip
    raise AssertionError(f"{text!r} is not on the page")


@pytest.mark.parametrize("paper", ["A4", "A3"])
@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_verdict_badge_leaves_the_title_free(
    estate: kitland.Estate, zone: shapely.Polygon, tmp_path: Path, paper: str, orientation: str
) -> None:
    """The longest title kitland prints (compare's) and a failing verdict: their text boxes,
    read back with pdftotext, lie apart by more than the badge's padding, on the page."""
    rules = kitland.load_rules()
    report = kitland.check(estate, zone, rules)
    title = "KIT Batang (ilustratif) — Usulan dibanding zona terbaik"
    pdf = write_pdf(estate, tmp_path / "t.pdf", zone=zone, report=report, rules=rules,
                    paper=paper, orientation=orientation, title=title, score=1234.5)  # fmt: skip
    words = _words(pdf)
    verdict = f"GAGAL — {len(report.failed)} dari {len(report.results)} aturan tidak terpenuhi"
    t, v = _box_of(words, title), _box_of(words, verdict)
    subtitle = _box_of(words, "Peta rapat perencanaan")
    pad = 0.35 * 13 * (1.25 if paper == "A3" else 1.0)  # the badge's padding, points
    for other in (t, subtitle):
        apart = (v[0] - pad >= other[2] or other[0] >= v[2] + pad
                 or v[1] - pad >= other[3] or other[1] >= v[3] + pad)  # fmt: skip
        assert apart, (other, v)
    w_pt, h_pt = (PAGE_PT[paper][::-1] if orientation == "landscape" else PAGE_PT[paper])
    for box in (t, v, subtitle):
        assert box[0] >= 0 and box[2] <= w_pt and box[1] >= 0 and box[3] <= h_pt
    assert _is_page(_png(pdf), *((297, 420) if paper == "A3" else (210, 297))[
        :: -1 if orientation == "landscape" else 1])


PAGE_PT = {"A4": (595.28, 841.89), "A3": (841.89, 1190.55)}


def test_map_pdf_draws_the_plots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`map --pdf --plots`: the plots in their type's colour and in the legend; without
    --plots neither is on the page."""
    from test_plots import CRS, _at, rect_estate  # noqa: PLC0415

    from kitland.io import write_estate  # noqa: PLC0415
    from kitland.maps import _PLOT_COLOURS  # noqa: PLC0415

    estate = write_estate(rect_estate(), tmp_path / "estate.gpkg")
    zone = tmp_path / "zone.gpkg"
    gpd.GeoDataFrame(geometry=[_at(shapely.box(0, 0, 200, 100))], crs=CRS).to_file(
        zone, layer="zone", engine="fiona"
    )
    rules = tmp_path / "rules.toml"
    rules.write_text('[zone]\narea_ha = 2.0\n[plots]\nroad_width_m = 12\n[[plots.types]]\n'
                     'name = "kios"\nmin_m2 = 400\nmax_m2 = 600\nmin_frontage_m = 10\n'
                     'min_depth_m = 44\nmax_depth_m = 44\n')  # fmt: skip
    layout = tmp_path / "plots.gpkg"
    base = ["map", str(estate), "--zone", str(zone), "--rules", str(rules), "--lang", "id"]
    assert main(["plots", str(estate), "--zone", str(zone), "--rules", str(rules),
                 "--out", str(layout)]) == 0  # fmt: skip
    with_plots, without = tmp_path / "with.pdf", tmp_path / "without.pdf"
    assert main([*base, "--plots", str(layout), "--pdf", str(with_plots)]) == 0
    assert main([*base, "--pdf", str(without)]) == 0
    capsys.readouterr()
    assert "Kavling usaha: kios" in _text(with_plots) and "Jalan dalam kawasan" in _text(with_plots)
    assert "kios" not in _text(without)
    colour = _PLOT_COLOURS[0]
    assert _share(_png(with_plots), colour, tol=0.03) > 0.002
    assert _share(_png(without), colour, tol=0.03) < 0.0002


def test_cli_place_prints_several_named_zones(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Two zones placed together (the strips at the estate's ends, see test_zones_place):
    each filled in its own colour with its name, the west zone's colour left of the east
    one's; the legend names both with their verdict; the rule table holds each zone's
    rules under its name and the between rule with the strips' 400 m."""
    from test_zones_place import ROWS, VILLAGES, rules_text  # noqa: PLC0415

    est = write_layers(grid_layers(ROWS, settlements=VILLAGES), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(rules_text(100))
    pdf = tmp_path / "zones.pdf"
    argv = ["place", str(est), "--rules", str(rules), "--cell-m", "50", "--time-limit", "60",
            "--pdf", str(pdf)]  # fmt: skip
    assert main(argv) == 0
    assert "zones.pdf (print layout, A4 landscape)" in capsys.readouterr().err
    text = _text(pdf)
    for words in ("LULUS — semua aturan terpenuhi", "Barat (LULUS)", "Timur (LULUS)",
                  "antar zona", "apart 400,0 m ≥ 100 m", "luas zona 2,00 ha"):  # fmt: skip
        assert words in text, words
    assert text.count("luas zona") == 2  # one area row per zone
    assert text.index("Barat (LULUS)") < text.index("Timur (LULUS)")
    img = _png(pdf)
    h, w = img.shape[:2]
    cols = []
    for colour in ZONE_COLOURS[:2]:
        rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        hit = np.abs(img[: int(0.8 * h), : int(0.6 * w)] - rgb).max(axis=-1) < 0.06
        assert hit.mean() > 0.0005, colour  # the outline is drawn on the map
        cols.append(np.nonzero(hit)[1].mean())
    assert cols[0] < cols[1]  # Barat (first colour) west of Timur


def test_the_village_basemap_is_credited_only_where_it_is_drawn(tmp_path: Path) -> None:
    """The bundled villages lie around KIT Batang: a user's estate there has them on its
    page and credits them; one 90 km away (the tests' grid estates, or the Subang trial
    estate) has none, so none is credited."""
    from conftest import ORIGIN  # noqa: PLC0415

    from kitland.estate import Estate, bundled_path  # noqa: PLC0415

    batang = tuple(kitland.load_estate().boundary.total_bounds[:2])
    credit = "cahyadsn/wilayah_boundaries"
    villages = gpd.read_file(bundled_path("context/villages.geojson"), engine="fiona")
    for origin, drawn in ((batang, True), (ORIGIN, False)):
        est = Estate.from_layers(grid_layers(["IA", "AG"], origin=origin), name="x")
        box = shapely.box(*est.boundary.total_bounds)
        gap_m = float(villages.to_crs(est.crs).distance(box).min())
        assert (gap_m < 1_000) is drawn  # next to the estate, or 100+ km away
        pdf = write_pdf(est, tmp_path / "p.pdf", lang="en")
        assert (credit in _text(pdf)) is drawn
        page = kitland.make_map(est, offline=True, lang="en").get_root().render()
        assert (credit in page) is drawn


#: The conservative-width lines of a 2 ha zone under a 20 m ``min_width`` rule (its
#: corners charged, not cut), in full and short, in English and Indonesian.
CAVEAT = {"en": "the proof reads min_width#2 conservatively (whole squares of cells, charged "
                "corners): a zone with narrower parts that would still pass check is "
                "not covered by it and may score better",
          "id": "bukti ini membaca min_width#2 secara konservatif (bujur sangkar sel utuh, "
                "sudut dihitung): zona dengan bagian lebih sempit yang masih "
                "lolos pemeriksaan tidak tercakup olehnya dan mungkin skornya lebih baik"}  # fmt: skip
CAVEAT_SHORT = {"en": "min_width#2 read conservatively: a zone with narrower parts is not "
                      "covered by the proof",
                "id": "min_width#2 dibaca secara konservatif: zona dengan bagian lebih sempit "
                      "tidak tercakup oleh bukti"}  # fmt: skip


def _width_estate(tmp_path: Path, *, width: bool) -> tuple[Path, Path]:
    """A 400 × 300 m estate of available land, a village at its corner, and rules for a
    2 ha zone (with a 20 m ``min_width`` rule when ``width``)."""
    est = write_layers(grid_layers(["AAAA"] * 3, settlements=[(Point(0, 0),
                                                              {"name": "Desa"})]),
                       tmp_path / "e.gpkg")  # fmt: skip
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\narea_ha = 2\ntolerance_ha = 0.05\n[[rules]]\nkind = "contiguous"\n'
                     + ('[[rules]]\nkind = "min_width"\nmin_m = 20\n' if width else "")
                     + '[[prefer]]\nkind = "near"\nto = { layer = "settlements" }\n')  # fmt: skip
    return est, rules


@pytest.mark.parametrize("width", [True, False])
def test_the_map_and_the_page_say_what_the_proof_leaves_out(
    width: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under a min_width rule the terminal prints the conservative-width line; the map
    shows it short under the status and the page in full in its footer, inside the
    page, in the language asked. Without the rule none of them does."""
    est, rules = _width_estate(tmp_path, width=width)
    # 1 % of 1.95 ha holds 9.1 right-angled corners of (1 - π/4)·10² m² uncut: no corner is
    # cut (placement.CUT_BELOW_CORNERS), so the line says "charged corners"
    full, short = CAVEAT, CAVEAT_SHORT
    for lang in ("en", "id"):
        html_out, pdf = tmp_path / f"m_{lang}.html", tmp_path / f"p_{lang}.pdf"
        assert main(["place", str(est), "--rules", str(rules), "--cell-m", "50", "--time-limit",
                     "60", "--lang", lang, "--map", str(html_out), "--pdf", str(pdf)]) == 0  # fmt: skip
        said = capsys.readouterr().out
        page, shown = _text(pdf), html_out.read_text(encoding="utf-8")
        assert (full[lang] in said) == width
        assert (full[lang] in page) == width
        assert (f'<span class="kit-caveat">{short[lang]}</span>' in shown) == width
        assert ('class="kit-caveat"' in shown) == width
        if width:  # the footer's line ends inside the page
            words = _words(pdf)
            right = max(w[3] for w in words if w[0] in ("better", "baik"))
            assert right < 297 / 25.4 * 72


@pytest.mark.parametrize("width", [True, False])
def test_the_map_of_a_placed_zone_says_what_its_proof_leaves_out(
    width: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`map --zone` of the zone layer `place --out` wrote shows the short line under the
    status and the full line in the page's footer, as `place --map --pdf` did, from the
    layer's `conservative` and `corners_cut` columns; a file written before those
    columns (here: dropped) maps as before, without a line."""
    est, rules = _width_estate(tmp_path, width=width)
    placed = tmp_path / "z.gpkg"
    assert main(["place", str(est), "--rules", str(rules), "--cell-m", "50", "--time-limit",
                 "60", "--out", str(placed)]) == 0  # fmt: skip
    zone = gpd.read_file(placed, layer="zone")
    assert zone["conservative"].tolist() == ["min_width#2" if width else ""]
    assert zone["corners_cut"].tolist() == [False]
    for lang in ("en", "id"):
        html_out, pdf = tmp_path / f"m_{lang}.html", tmp_path / f"p_{lang}.pdf"
        assert main(["map", str(est), "--zone", str(placed), "--rules", str(rules), "--lang",
                     lang, "--out", str(html_out), "--pdf", str(pdf)]) == 0  # fmt: skip
        shown = html_out.read_text(encoding="utf-8")
        assert (f'<span class="kit-caveat">{CAVEAT_SHORT[lang]}</span>' in shown) == width
        assert ('class="kit-caveat"' in shown) == width
        assert (CAVEAT[lang] in _text(pdf)) == width
    older = tmp_path / "older.gpkg"
    zone.drop(columns=["conservative", "corners_cut"]).to_file(older, layer="zone")
    html_out = tmp_path / "older.html"
    assert main(["map", str(est), "--zone", str(older), "--rules", str(rules), "--lang", "en",
                 "--out", str(html_out)]) == 0  # fmt: skip
    shown = html_out.read_text(encoding="utf-8")
    assert "as placed: OPTIMAL" in shown and 'class="kit-caveat"' not in shown
    capsys.readouterr()


def test_a_zone_layer_whose_model_cut_corners_says_so() -> None:
    """The full line names the rules of the `conservative` column and says "charged or cut
    corners" when `corners_cut` holds; a blank column or none says nothing."""
    from kitland.placement import written_caveat  # noqa: PLC0415

    layer = gpd.GeoDataFrame({"conservative": ["lebar terpakai"], "corners_cut": [True]})
    assert written_caveat(layer) == (
        "the proof reads lebar terpakai conservatively (whole squares of cells, charged or cut "
        "corners): a zone with narrower parts that would still pass check is not covered by it "
        "and may score better"
    )
    assert written_caveat(layer, "id", short=True) == (
        "lebar terpakai dibaca secara konservatif: zona dengan bagian lebih sempit tidak "
        "tercakup oleh bukti"
    )
    assert written_caveat(layer.assign(conservative=[""])) == ""
    assert written_caveat(layer.drop(columns=["conservative", "corners_cut"])) == ""


MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip


def test_the_date_is_written_in_words_of_the_pages_language(
    estate: kitland.Estate, zone: shapely.Polygon, tmp_path: Path
) -> None:
    """Trial 11: the planning office's Indonesian page and map said "tanggal 2026-12-07";
    a meeting reads "tanggal 7 Desember 2026" (the month names typed here by hand)."""
    import datetime as dt  # noqa: PLC0415

    from kitland.maps import make_map, save_map  # noqa: PLC0415

    for lang, word in (("id", "tanggal"), ("en", "date")):
        before = dt.date.today()
        pdf = write_pdf(estate, tmp_path / f"{lang}.pdf", zone=zone, lang=lang)
        page = save_map(make_map(estate, zone=zone, lang=lang, offline=True),
                        tmp_path / f"{lang}.html").read_text(encoding="utf-8")  # fmt: skip
        days = {before, dt.date.today()}  # the test may run over midnight
        said = [f"{word} {d.day} {MONTHS[lang][d.month - 1]} {d.year}" for d in days]
        assert any(s in _text(pdf) for s in said), said
        assert any(s in page for s in said), said
        assert before.isoformat() not in _text(pdf)


def test_another_estates_footer_names_its_data_once(tmp_path: Path) -> None:
    """Trial 11: the footer of a user's estate said "Catatan: Data kawasan: X" in red and
    "Sumber: Data kawasan: X" under it; the notice is the bundled estate's (an
    illustrative layout), so another estate's footer names its data once."""
    layers = grid_layers(["IIAA", "IIAA"])
    path = write_layers(layers, tmp_path / "estate.gpkg")
    est = kitland.load_estate(path)
    for lang, note, sources in (("id", "Catatan:", "Sumber: Data kawasan: test"),
                                ("en", "Disclaimer:", "Sources: Estate data: test")):  # fmt: skip
        text = _text(write_pdf(est, tmp_path / f"{lang}.pdf", lang=lang))
        assert note not in text
        assert text.count(sources) == 1
