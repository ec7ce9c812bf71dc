"""Propose and compare (issue 18 §1): the score of any zone, ``compare``, the alternatives'
table, and the hand-over files (QGIS styles, one geometry type per layer, KML)."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import fiona
import geopandas as gpd
import pytest
import shapely
from conftest import ORIGIN, grid_estate, grid_layers, pocket_rules, street_layers, write_layers
from shapely import Point, box

import kitland
from kitland.cli import main
from kitland.comparison import compare, figures, unusable_ha, versus_first
from kitland.maps import compare_map
from kitland.placement import place, score
from kitland.rules import Rules, parse_rules

X0, Y0 = ORIGIN
# Two 4 ha pockets of available land: A (north-west, next to Ketanggan, no industry) and
# B (south-east, next to an industrial column).
POCKETS = ["AAGGGGG", "AAGGGGG", "GGGGAAI", "GGGGAAI"]
KETANGGAN = [(Point(0, 400), {"name": "Ketanggan"})]
POCKET_A = box(X0, Y0 + 200, X0 + 200, Y0 + 400)
POCKET_B = box(X0 + 400, Y0, X0 + 600, Y0 + 200)
NEAR = {"kind": "near", "to": {"layer": "settlements", "name": ["Ketanggan"]}}
ADJ = {"name": "next to industry", "kind": "adjacent", "to": {"land_use": ["industrial"]},
       "min_shared_m": 100}  # fmt: skip


COMPACT = {"kind": "compactness", "min": 0.5}


def _rules(*rules: dict, compact: float = 0.0) -> Rules:
    prefer = [NEAR] + ([{"kind": "compact", "weight": compact}] if compact else [])
    return parse_rules({"zone": {"area_ha": 4.0, "tolerance_ha": 0.25},
                        "rules": [{"kind": "contiguous"}, COMPACT, *rules],
                        "prefer": prefer})  # fmt: skip


def _near_score(zone: shapely.Polygon, cell_m: float, *, weight: float = 0.0) -> float:
    """The score by hand: cells of ``cell_m`` on the 100 m grid, each weighted by its area
    inside the zone and its centre's distance to Ketanggan, per nominal area (4 ha)."""
    k = Point(X0, Y0 + 400)
    x0, y0, x1, y1 = zone.bounds
    total = 0.0
    x = x0
    while x < x1 - 1e-9:
        y = y0
        while y < y1 - 1e-9:
            c = box(x, y, x + cell_m, y + cell_m)
            total += c.intersection(zone).area * c.centroid.distance(k)
            y += cell_m
        x += cell_m
    return total / 40_000 + weight * zone.length


@pytest.fixture(scope="module")
def estate() -> kitland.Estate:
    return grid_estate(POCKETS, settlements=KETANGGAN)


# -- the score -------------------------------------------------------------------------


def test_score_of_a_drawn_zone_by_hand(estate: kitland.Estate, tmp_path: Path) -> None:
    rules = _rules(compact=0.1)
    assert score(estate, POCKET_B, rules, cell_m=50) == pytest.approx(
        _near_score(POCKET_B, 50, weight=0.1), rel=1e-9
    )
    # The drawn file, as the map's draw tool exports it (GeoJSON, lon/lat), by its path.
    drawn = tmp_path / "usulan_zona.geojson"
    gpd.GeoDataFrame(geometry=[POCKET_B], crs=32749).to_crs(4326).to_file(drawn, driver="GeoJSON")
    assert score(estate, drawn, rules, cell_m=50) == pytest.approx(
        _near_score(POCKET_B, 50, weight=0.1), rel=1e-6
    )


def test_score_counts_the_part_off_the_candidate_land(estate: kitland.Estate) -> None:
    """A zone half on green land (no candidate cells there) is scored on every m²."""
    zone = box(X0 + 200, Y0 + 200, X0 + 400, Y0 + 400)  # columns 2-3 of the top rows: green
    half = box(X0 + 100, Y0 + 200, X0 + 300, Y0 + 400)  # half on pocket A, half on green
    rules = _rules()
    assert score(estate, zone, rules, cell_m=50) == pytest.approx(_near_score(zone, 50), rel=1e-9)
    assert score(estate, half, rules, cell_m=50) == pytest.approx(_near_score(half, 50), rel=1e-9)


def test_checking_place_s_zone_gives_place_s_score(estate: kitland.Estate) -> None:
    rules = _rules(compact=0.1)
    res = place(estate, rules, cell_m=50, time_limit_s=120, alternatives=2)
    for p in res.alternatives:
        assert score(estate, p.zone, rules, cell_m=50) == pytest.approx(p.score, rel=1e-12)


def test_check_cli_reports_place_s_score(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    est_path = write_layers(grid_layers(POCKETS, settlements=KETANGGAN), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(
        '[zone]\narea_ha = 4.0\ntolerance_ha = 0.25\n[[rules]]\nkind = "contiguous"\n'
        '[[rules]]\nkind = "compactness"\nmin = 0.5\n'
        '[[prefer]]\nkind = "near"\nto = { layer = "settlements", name = ["Ketanggan"] }\n'
        '[[prefer]]\nkind = "compact"\nweight = 0.1\n'
    )
    out, rep = tmp_path / "z.gpkg", tmp_path / "p.json"
    args = [str(est_path), "--rules", str(rules), "--cell-m", "50", "-q"]
    assert (
        main(["place", *args, "--time-limit", "120", "--out", str(out), "--report", str(rep)]) == 0
    )
    placed = json.loads(rep.read_text())["alternatives"][0]["score"]
    capsys.readouterr()
    assert main(["check", *args, "--zone", str(out), "--format", "json"]) == 0
    checked = json.loads(capsys.readouterr().out)["zone"]["score"]
    assert checked == pytest.approx(placed, abs=1e-3)
    assert main(["check", *args, "--zone", str(out)]) == 0
    assert f"score {placed:,.1f} (the preference score place optimises" in capsys.readouterr().out


def test_place_map_and_report_compare_the_alternatives(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    est_path = write_layers(grid_layers(POCKETS, settlements=KETANGGAN), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(
        '[zone]\narea_ha = 4.0\ntolerance_ha = 0.25\n[[rules]]\nkind = "contiguous"\n'
        '[[rules]]\nkind = "compactness"\nmin = 0.5\n'
        '[[prefer]]\nkind = "near"\nto = { layer = "settlements", name = ["Ketanggan"] }\n'
    )
    rep, html = tmp_path / "p.json", tmp_path / "p.html"
    code = main(["place", str(est_path), "--rules", str(rules), "--cell-m", "50", "-q",
                 "--alternatives", "2", "--report", str(rep), "--map", str(html), "--lang", "en"])  # fmt: skip
    assert code == 0
    d = json.loads(rep.read_text())
    scores = [a["score"] for a in d["alternatives"]]
    (entry,) = d["versus_first"]
    assert entry["rank"] == 2 and entry["score_delta"] == pytest.approx(
        scores[1] - scores[0], abs=2e-3
    )
    page = html.read_text()
    assert "What each placement costs against placement 1" in page
    assert "<th>placement 1</th><th>placement 2</th>" in page


# -- compare ---------------------------------------------------------------------------


def test_compare_prices_a_passing_proposal(estate: kitland.Estate) -> None:
    rules = _rules()
    c = compare(estate, POCKET_B, rules, cell_m=50, time_limit_s=120)
    assert c.passed
    assert c.best is not None and c.near_proposal is not None
    assert shapely.symmetric_difference(c.best.zone, POCKET_A).area < 1.0
    # Near the proposal: only pocket B covers half of it.
    assert shapely.symmetric_difference(c.near_proposal.zone, POCKET_B).area < 1.0
    assert c.near_proposal.overlap == pytest.approx(1.0)
    delta = _near_score(POCKET_B, 50) - _near_score(POCKET_A, 50)
    assert c.price == {"score_delta": pytest.approx(delta, abs=1e-3), "failed_rules": []}
    # Figures measured independently: pocket B shares 200 m with the industrial column.
    assert c.proposal.figures["industry_shared_m"] == pytest.approx(200.0)
    assert c.best.figures["industry_shared_m"] == pytest.approx(0.0)
    d = json.loads(c.to_json())
    assert set(d) >= {"proposal", "best", "near_proposal", "price"}
    assert d["proposal"]["zone"]["score"] == pytest.approx(_near_score(POCKET_B, 50), abs=1e-3)
    assert [r["id"] for r in d["best"]["rules"]] == [r["id"] for r in d["proposal"]["rules"]]
    line = c.price_line("en")
    assert line.startswith("The price of the proposal: score +") and "passes every" in line
    assert c.best.status == "OPTIMAL" and d["best_gap"] == 0.0
    assert c.table("en")[0][2] == "best zone" and "found" not in line
    # the frontage figure (every road class) is not named as the bundled frontage rule
    # ("road frontage" / "muka jalan", arterial and collector roads only) is
    for lang, words in (("en", "road frontage, all road classes"),
                        ("id", "muka jalan, semua kelas jalan")):  # fmt: skip
        assert words in [row[0] for row in c.table(lang)]
    # The same best zone had time run out before its proof: every place that calls it
    # "best" says so, with its gap (the table, the price line, the map's table, JSON).
    unproven = dataclasses.replace(
        c, best=dataclasses.replace(c.best, status="FEASIBLE", gap=0.032)
    )
    assert unproven.table("en")[0][2] == "best found (FEASIBLE, gap 3.2%)"
    assert unproven.table("id")[0][2] == "terbaik yang ditemukan (LAYAK, selisih 3,2%)"
    assert "against the best found (FEASIBLE, gap 3.2%) (lower" in unproven.price_line("en")
    assert "dibanding terbaik yang ditemukan (LAYAK, selisih 3,2%)" in unproven.price_line("id")
    assert json.loads(unproven.to_json())["best_gap"] == pytest.approx(0.032)
    html = compare_map(estate, unproven, rules=rules, lang="id").get_root().render()
    assert "terbaik yang ditemukan (LAYAK, selisih 3,2%)" in html


def test_compare_names_the_rules_a_proposal_fails(estate: kitland.Estate) -> None:
    rules = _rules(ADJ)
    c = compare(estate, POCKET_A, rules, cell_m=50, time_limit_s=30)
    assert not c.passed
    assert c.price["failed_rules"] == ["next to industry"]
    assert c.best is not None  # only pocket B has industry next to it
    assert shapely.symmetric_difference(c.best.zone, POCKET_B).area < 1.0
    assert c.price["score_delta"] == pytest.approx(
        _near_score(POCKET_A, 50) - _near_score(POCKET_B, 50), abs=1e-3
    )
    # No zone that passes covers half of pocket A (whether the solver proves it in its
    # time or not, it finds none), so near_proposal is null.
    assert c.near_proposal is None and c.near_status in ("INFEASIBLE", "UNDECIDED")
    assert json.loads(c.to_json())["near_proposal"] is None
    # Its column is all "—": the heading, on the map's table too, says why.
    why = {"INFEASIBLE": ("no zone of the grid's cells satisfies the rules (proven)",
                          "tidak ada zona dari sel grid yang memenuhi aturan (terbukti)"),
           "UNDECIDED": ("none found within the time limit (not proven that none exists)",
                         "tidak ditemukan dalam batas waktu (belum terbukti bahwa tidak ada)"),
           }[c.near_status]  # fmt: skip
    assert c.table("en")[0][3] == f"best zone near the proposal ({why[0]})"
    assert c.table("id")[0][3] == f"zona terbaik dekat usulan ({why[1]})"
    assert all(row[3].endswith("—") for row in c.table("id")[1:])
    html = compare_map(estate, c, rules=rules, lang="id").get_root().render()
    assert f"zona terbaik dekat usulan ({why[1]})" in html
    if c.near_status == "INFEASIBLE":  # the line under the table: what place proved
        assert ("best zone near the proposal: no placement satisfies the rules (proven for "
                "zones of the 50 m grid's cells)") in c.summary("en")  # fmt: skip
    assert "next to industry" in c.price_line("en")
    # In Jupyter: the same table and price line, the failed rule marked, the price in red.
    shown = c._repr_html_()
    assert "<th>proposal</th><th>best zone</th>" in shown
    assert "<tr><td>next to industry</td><td>✗ " in shown
    assert f"<b style='color:#cf222e'>{c.price_line('en')}</b>" in shown


def test_compare_cli_exit_codes_and_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    est_path = write_layers(grid_layers(POCKETS, settlements=KETANGGAN), tmp_path / "e.gpkg")
    rules = tmp_path / "r.toml"
    rules.write_text(pocket_rules(rule_name="next to industry"))
    for name, geom in (("a", POCKET_A), ("b", POCKET_B)):
        # The proposal as the map's draw tool exports it: GeoJSON in longitude/latitude.
        gpd.GeoDataFrame({"name": ["usulan"]}, geometry=[geom], crs=32749).to_crs(4326).to_file(
            tmp_path / f"{name}.geojson", driver="GeoJSON", engine="fiona"
        )
    base = ["compare", str(est_path), "--rules", str(rules), "--cell-m", "50", "-q",
            "--time-limit", "120", "--lang", "en"]  # fmt: skip
    rep = tmp_path / "c.json"
    html = tmp_path / "c.html"
    assert main([*base, "--zone", str(tmp_path / "b.geojson"), "--report", str(rep),
                 "--map", str(html)]) == 0  # fmt: skip
    d = json.loads(rep.read_text())
    # Pocket B is the only place next to industry: the proposal is the best zone.
    assert d["price"] == {"score_delta": pytest.approx(0.0, abs=1e-3), "failed_rules": []}
    assert "The price of the proposal" in capsys.readouterr().out
    assert html.stat().st_size > 10_000
    pdf = tmp_path / "c.pdf"
    assert main([*base, "--zone", str(tmp_path / "a.geojson"), "--pdf", str(pdf)]) == 1
    assert "fails: next to industry" in capsys.readouterr().out
    if shutil.which("pdftotext"):  # make test installs poppler-utils
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
        text = " ".join(out.stdout.decode("utf-8").split())
        assert "Proposal against the best zone" in text and "FAIL" in text
        assert "next to industry" in text
    far = tmp_path / "far.geojson"  # 5 km east of the estate
    gpd.GeoDataFrame(geometry=[shapely.affinity.translate(POCKET_B, 5000, 0)], crs=32749).to_file(
        far, driver="GeoJSON", engine="fiona"
    )
    assert main([*base, "--zone", str(far), "--report", str(tmp_path / "far.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"proposal {far}" in err
    assert "lies 4.7 km from the estate boundary" in err and "is its CRS right?" in err
    assert not (tmp_path / "far.json").exists()
    assert main([*base, "--zone", str(tmp_path / "missing.geojson")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.geojson: no such zone file" in err


def test_unusable_land_by_hand() -> None:
    """Pocket-sized parcel 200 × 200 m; a 200 × 170 m zone leaves a 30 m strip (unusable at
    60 m) and a 200 × 100 m zone leaves a usable 100 m half."""
    est = grid_estate(["AA", "AA"])
    zone = box(X0, Y0 + 30, X0 + 200, Y0 + 200)
    assert unusable_ha(est, zone, width_m=60) == pytest.approx(0.6)
    assert unusable_ha(est, box(X0, Y0 + 100, X0 + 200, Y0 + 200), width_m=60) == 0.0


def test_alternatives_are_compared_with_placement_1(estate: kitland.Estate, tmp_path: Path) -> None:
    rules = _rules()
    res = place(estate, rules, cell_m=50, time_limit_s=120, alternatives=2)
    v = versus_first(res)
    assert [e["rank"] for e in v] == [2]
    a1, a2 = res.alternatives
    assert v[0]["score_delta"] == pytest.approx(a2.score - a1.score, abs=1e-3)
    assert v[0]["score_delta"] > 0
    shared = v[0]["figures_delta"]["industry_shared_m"]
    assert shared == pytest.approx(200.0)  # pocket B is next to industry, pocket A is not


# -- hand-over files -----------------------------------------------------------------------


def test_place_out_has_one_geometry_type_and_qgis_styles(tmp_path: Path) -> None:
    """A zone placed in the middle of one long parcel cuts it in two: the new layout mixes
    that MultiPolygon with Polygons, and is written all MultiPolygon."""
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["g1", "a", "g2"], "land_use": ["green", "available", "green"]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 200), box(X0 + 100, Y0, X0 + 700, Y0 + 200),
                  box(X0 + 700, Y0, X0 + 800, Y0 + 200)], crs=32749)  # fmt: skip
    est = kitland.Estate.from_layers({
        "boundary": gpd.GeoDataFrame({"name": ["long"]}, geometry=[box(X0, Y0, X0 + 800, Y0 + 200)],
                                     crs=32749),
        "parcels": parcels,
        "settlements": gpd.GeoDataFrame({"name": ["Ketanggan"]}, geometry=[Point(X0 + 400, Y0 + 100)],
                                        crs=32749),
    })  # fmt: skip
    res = place(est, _rules(), cell_m=50, time_limit_s=120)
    assert res.zone is not None
    assert shapely.symmetric_difference(res.zone, box(X0 + 300, Y0, X0 + 500, Y0 + 200)).area < 1
    from kitland.placement import write_placement  # noqa: PLC0415

    out = tmp_path / "placed.gpkg"
    write_placement(res, out)
    with fiona.open(out, layer="parcels") as src:
        assert src.schema["geometry"] == "MultiPolygon"
        feats = {f.properties["parcel_id"]: f.geometry for f in src}
    assert {g["type"] for g in feats.values()} == {"MultiPolygon"}
    assert len(feats["a"]["coordinates"]) == 2  # the parcel the zone cut in two
    with fiona.open(out, layer="zone") as src:
        assert src.schema["geometry"] in ("Polygon", "MultiPolygon")
    with sqlite3.connect(out) as db:
        rows = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
        geom_cols = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    assert sorted(r[0] for r in rows) == ["parcels", "zone"]
    for table, column, text, default in rows:
        assert column == geom_cols[table] and default == 1
        root = ET.fromstring(text.split("\n", 1)[1])  # after the DOCTYPE line
        assert root.tag == "qgis"
        if table == "parcels":
            r = root.find("renderer-v2")
            assert r is not None and r.get("attr") == "land_use"
            cats = {c.get("value"): c.get("label") for c in r.iter("category")}
            assert cats["industrial"] == "kavling industri"  # Bahasa Indonesia by default
            fill = next(s for s in r.iter("symbol") if s.get("name") == "0")
            colour = fill.find(".//Option[@name='color']")
            assert colour is not None and colour.get("value") == "155,127,196,200"  # #9b7fc4
            assert root.find("labeling") is not None


def test_kml_for_google_earth(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    layers = grid_layers(["IA"])
    layers["parcels"]["tenant"] = ["<b>PT A&B</b> ]]>", None]
    est_path = write_layers(layers, tmp_path / "e.gpkg")
    zone = tmp_path / "z.geojson"
    gpd.GeoDataFrame(geometry=[box(X0 + 100, Y0, X0 + 150, Y0 + 50)], crs=32749).to_file(
        zone, driver="GeoJSON", engine="fiona"
    )
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\nname = "Zona UMKM"\narea_ha = 0.25\ntolerance_ha = 0.1\n')
    out = tmp_path / "e.kml"
    code = main(["map", str(est_path), "--zone", str(zone), "--rules", str(rules),
                 "--kml", str(out), "--lang", "en"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(out).getroot()
    marks = root.findall(".//k:Placemark", ns)
    names = [m.findtext("k:name", namespaces=ns) for m in marks]
    assert names == ["test", "P0_0", "P0_1", "Zona UMKM"]  # the boundary by its name
    assert root.findtext("k:Document/k:name", namespaces=ns) == "test"  # not the file's "e"
    desc = marks[1].findtext("k:description", namespaces=ns)
    # Google Earth reads a description as HTML: the data is escaped for HTML, then for XML.
    assert "Tenant: &lt;b&gt;PT A&amp;B&lt;/b&gt; ]]&gt;" in desc and "<b>PT" not in desc
    # Coordinates are longitude/latitude of the parcel's corners.
    ring = marks[2].findtext(".//k:coordinates", namespaces=ns).split()
    lon, lat = (float(v) for v in ring[0].split(","))
    back = gpd.GeoSeries([Point(lon, lat)], crs=4326).to_crs(32749).iloc[0]
    corners = shapely.get_coordinates(layers["parcels"].geometry.iloc[1].exterior)
    assert min(Point(c).distance(back) for c in corners) < 0.05
    assert main(["map", str(est_path), "--kml", str(tmp_path / "e.kmz")]) == 2


def test_norms_name_their_regulation_and_say_they_are_unverified(
    capsys: pytest.CaptureFixture,
) -> None:
    assert main(["validate", "--format", "json"]) == 0
    src = json.loads(capsys.readouterr().out)["norms_source"]
    assert src["regulation"] == "Permenperin No. 40/M-IND/PER/7/2016" and src["verified"] is False
    assert main(["validate"]) == 0
    assert "norms (Permenperin No. 40/M-IND/PER/7/2016" in capsys.readouterr().out


def test_score_without_cell_preferences_is_the_perimeter_term(estate: kitland.Estate) -> None:
    only_compact = parse_rules({"zone": {"area_ha": 4.0, "tolerance_ha": 0.25},
                                "prefer": [{"kind": "compact", "weight": 0.1}]})  # fmt: skip
    assert score(estate, POCKET_B, only_compact) == pytest.approx(0.1 * 800.0)
    none = parse_rules({"zone": {"area_ha": 4.0, "tolerance_ha": 0.25}})
    assert score(estate, POCKET_B, none) == 0.0


def test_the_public_api_names() -> None:
    import kitland.comparison  # noqa: PLC0415 - the module must not shadow the function

    assert kitland.compare is kitland.comparison.compare
    assert kitland.score is score


def test_the_industry_figure_counts_as_the_adjacency_rule_does() -> None:
    """A zone facing factories across a 12 m local road: with the rule's ``max_gap_m`` the
    figure is the rule's 60 m (it said 0 m beside a passing rule); without one, 0 m."""
    est = kitland.Estate.from_layers(
        street_layers(["III", "AAA", "III"], between_rows=["local", "collector"])
    )
    zone = shapely.affinity.translate(box(132, 170, 192, 220), *ORIGIN)
    for gap, expected in ((15, 60.0), (0, 0.0)):
        rules = parse_rules({"zone": {"area_ha": 0.3, "tolerance_ha": 0.1}, "rules": [
            {**ADJ, "min_shared_m": 50, "max_gap_m": gap}]})  # fmt: skip
        report = kitland.check(est, zone, rules)
        figs = figures(est, zone, rules, report, score_value=0.0)
        assert figs["industry_shared_m"] == pytest.approx(expected, abs=1e-6)
        assert figs["industry_shared_m"] == pytest.approx(report["next to industry"].value)


def test_the_table_writes_percentages_as_check_does() -> None:
    """The width rule's loss in the side-by-side table: "0.43%" as `check` and Babel
    write it ("0,43%" in Indonesian), not "0.43 %"; lengths keep their space."""
    from kitland.comparison import _cell  # noqa: PLC0415

    assert [_cell(0.43, "%", 2, "en"), _cell(0.43, "%", 2, "id")] == ["0.43%", "0,43%"]
    assert [_cell(1020.5, "m", 1, "en"), _cell(1020.5, "m", 1, "id")] == ["1,020.5 m", "1.020,5 m"]


def test_the_table_writes_a_count_as_check_does() -> None:
    """Trial 11: the side-by-side table wrote the one-piece rule's count "1,00" where
    `check` writes "1"; measured values keep their decimals (a setback 1 decimal, a
    share 2)."""
    from kitland.comparison import Candidate, side_by_side  # noqa: PLC0415
    from kitland.report import Report, RuleResult  # noqa: PLC0415

    results = [RuleResult("satu hamparan", "contiguous", True, 1.0, "== 1", "", ""),
               RuleResult("sempadan", "setback", True, 221.6, ">= 50", "m", ""),
               RuleResult("lebar", "min_width", True, 0.77, "<= 1", "%", "")]  # fmt: skip
    c = Candidate(shapely.box(0, 0, 1, 1), Report(results), {}, "CHECKED", 1.0)
    rows = {row[0]: row[1] for row in side_by_side([("usulan", c)], lang="id")}
    assert rows["satu hamparan"] == "✓ 1"
    assert rows["sempadan"] == "✓ 221,6 m"
    assert rows["lebar"] == "✓ 0,77%"
