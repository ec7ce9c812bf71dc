"""Propose and compare in a real browser (issue 18 §1): draw a zone with the map's draw
tool, export it, check the file; the comparison map's two panes and its table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import grid_layers, pocket_rules, write_layers
from test_compare import ADJ, KETANGGAN, POCKET_A, POCKET_B, POCKETS, _rules
from test_maps_browser import Page, _serve_vendored, browser_context  # noqa: F401 - a fixture

from kitland.cli import main
from kitland.comparison import compare
from kitland.estate import load_estate
from kitland.maps import DRAWN_FILENAME, STATUS_COLOURS, estate_title, make_map, save_map

pytestmark = pytest.mark.browser

RULES_TOML = pocket_rules(zone_name="Zona UMKM", rule_name="next to industry")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("draw")
    estate = write_layers(grid_layers(POCKETS, settlements=KETANGGAN), folder / "estate.gpkg")
    rules = folder / "rules.toml"
    rules.write_text(RULES_TOML)
    return {"folder": folder, "estate": estate, "rules": rules}


def _check_json(files: dict[str, Path], zone: Path, capsys: pytest.CaptureFixture) -> dict:
    capsys.readouterr()
    main(["check", str(files["estate"]), "--zone", str(zone), "--rules", str(files["rules"]),
          "--format", "json", "--cell-m", "50", "-q"])  # fmt: skip
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("offline", [True, False])
def test_draw_export_and_check(
    browser_context: Any,  # noqa: F811 - the fixture imported above
    files: dict[str, Path],
    capsys: pytest.CaptureFixture,
    offline: bool,
) -> None:
    """Draw pocket B with mouse clicks, export it, and check the exported file: the same
    report as for the same polygon written by hand."""
    estate = load_estate(files["estate"])
    m = make_map(estate, offline=offline)
    path = save_map(m, files["folder"] / f"draw_{offline}.html")
    pg = Page(browser_context)
    if not offline:
        pg.page.route(re.compile(r"^https?://"), _serve_vendored)
    page = pg.open(path)
    page.click(".leaflet-draw-draw-polygon")
    x0, y0, x1, y1 = POCKET_B.bounds
    inset = 2.0  # metres inside the pocket's edges
    corners = [(x0 + inset, y0 + inset), (x1 - inset, y0 + inset), (x1 - inset, y1 - inset),
               (x0 + inset, y1 - inset)]  # fmt: skip
    pixels = [pg.point_of(m.get_name(), x, y) for x, y in corners]
    for px in [*pixels, pixels[0]]:  # the first point again closes the outline
        page.mouse.click(*px)
        page.wait_for_timeout(150)
    assert page.locator("path.leaflet-interactive").count() > 0
    with page.expect_download() as dl:
        page.click(".kit-export:not(.kit-copy) a")
    drawn = files["folder"] / f"drawn_{offline}.geojson"
    assert dl.value.suggested_filename == DRAWN_FILENAME
    dl.value.save_as(drawn)
    # The same polygon by hand: the map's own lon/lat of the clicked points, 6 decimals
    # as Leaflet writes GeoJSON, in a FeatureCollection written here with json.
    box = page.locator(".folium-map").bounding_box()
    lonlat = page.evaluate(
        f"(pts) => pts.map(p => {{ var q = {m.get_name()}.containerPointToLatLng(p);"
        " return [Math.round(q.lng * 1e6) / 1e6, Math.round(q.lat * 1e6) / 1e6]; })",
        [[x - box["x"], y - box["y"]] for x, y in pixels],
    )
    assert pg.errors == []
    page.close()
    fc = json.loads(drawn.read_text())
    assert len(fc["features"]) == 1
    feat = fc["features"][0]
    assert feat["properties"]["land_use"] == "umkm" and feat["geometry"]["type"] == "Polygon"
    by_hand = files["folder"] / f"by_hand_{offline}.geojson"
    ring = [*lonlat, lonlat[0]]
    by_hand.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    ]}))  # fmt: skip
    got, want = _check_json(files, drawn, capsys), _check_json(files, by_hand, capsys)
    assert got["passed"] == want["passed"]
    assert got["zone"]["area_ha"] == pytest.approx(want["zone"]["area_ha"], abs=1e-4)
    assert got["zone"]["score"] == pytest.approx(want["zone"]["score"], abs=1e-2)
    assert [(r["id"], r["passed"]) for r in got["rules"]] == [
        (r["id"], r["passed"]) for r in want["rules"]
    ]
    for a, b in zip(got["rules"], want["rules"], strict=True):
        assert a["value"] == pytest.approx(b["value"], abs=1e-2)
    # And both are the pocket within what a click can place (a pixel is < 1 m here).
    assert got["zone"]["area_ha"] == pytest.approx((200 - 2 * inset) ** 2 / 1e4, abs=0.03)


@pytest.mark.parametrize("offline", [True, False])
def test_compare_map_shows_two_panes_and_the_table(
    browser_context: Any,  # noqa: F811 - the fixture imported above
    files: dict[str, Path],
    offline: bool,
) -> None:
    estate = load_estate(files["estate"])
    rules = _rules(ADJ)
    c = compare(estate, POCKET_A, rules, cell_m=50, time_limit_s=30)
    path = save_map(c.explore(lang="id", offline=offline), files["folder"] / f"cmp_{offline}.html")
    pg = Page(browser_context)
    if not offline:
        pg.page.route(re.compile(r"^https?://"), _serve_vendored)
    page = pg.open(path)
    assert pg.errors == []
    if offline:
        assert [u for u in pg.requests if u != path.as_uri()] == []
    panes = page.locator(".folium-map")
    assert panes.count() == 2
    left, right = panes.nth(0).bounding_box(), panes.nth(1).bounding_box()
    assert left["width"] > 300 and right["x"] >= left["x"] + left["width"] - 1  # side by side
    for i in range(2):
        assert panes.nth(i).locator("path.leaflet-interactive").count() > 10
    assert [t.strip() for t in page.locator(".kit-pane").all_inner_texts()] == ["usulan", "zona terbaik"]
    table = page.locator(".kit-table")
    rows = table.locator("tr")
    assert rows.count() == len(c.table("id"))
    near = "zona terbaik dekat usulan"
    if c.near_status in ("INFEASIBLE", "UNDECIDED"):  # the column is all "—": it says why
        near += {"INFEASIBLE": " (tidak ada zona dari sel grid yang memenuhi aturan (terbukti))",
                 "UNDECIDED": " (tidak ditemukan dalam batas waktu (belum terbukti bahwa tidak "
                              "ada))"}[c.near_status]  # fmt: skip
    assert rows.nth(0).inner_text().split("\t")[1:] == ["usulan", "zona terbaik", near]
    assert "Harga usulan" in table.inner_text() and "next to industry" in table.inner_text()
    assert "zona" in rows.nth(2).inner_text() or "luas" in rows.nth(2).inner_text()
    names_of_rows = [rows.nth(i).inner_text().split("\t")[0] for i in range(rows.count())]
    assert "area" not in names_of_rows and "on" not in names_of_rows  # luas zona, di lahan …
    assert {"luas zona", "di lahan yang diizinkan"} <= set(names_of_rows)
    # The title is the boundary's name, as on the meeting map (not the file's name).
    title = page.locator(".kit-table summary").inner_text()
    assert title.startswith(f"{estate_title(estate, 'id')} — ") and "estate.gpkg" not in title
    # The table lies below both panes, and each pane's zones are in its first view.
    tbox = table.bounding_box()
    for i, box in enumerate((left, right)):
        assert box["y"] + box["height"] <= tbox["y"] + 0.5, (i, box, tbox)
        verdicts = ", ".join(f"path.leaflet-interactive[stroke='{STATUS_COLOURS[k]}']"
                             for k in ("pass", "fail"))  # fmt: skip
        for path in panes.nth(i).locator(verdicts).all():
            z = path.bounding_box()
            assert box["x"] <= z["x"] and z["x"] + z["width"] <= box["x"] + box["width"]
            assert box["y"] <= z["y"] and z["y"] + z["height"] <= box["y"] + box["height"]
    # Outlines in the verdicts' colours: the failing proposal red, the passing best zone
    # green (red says GAGAL), the proposal's outline on the right pane red too.
    assert not c.proposal.report.passed and c.best is not None and c.best.report.passed
    fill = "path.leaflet-interactive[fill='#ff8c1a']"  # the zones' fill (_ZONE_STYLE)
    assert {e.get_attribute("stroke") for e in panes.nth(0).locator(fill).all()} == {STATUS_COLOURS["fail"]}
    assert {e.get_attribute("stroke") for e in panes.nth(1).locator(fill).all()} == {STATUS_COLOURS["pass"]}
    outline = panes.nth(1).locator("path.leaflet-interactive[fill='none']").all()
    assert STATUS_COLOURS["fail"] in {e.get_attribute("stroke") for e in outline}
    # Metric scale bars only, one per pane.
    scales = page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(scales) == 2 and all(re.fullmatch(r"\d+ k?m", t.strip()) for t in scales), scales
    # The panes are synced: zooming the left one zooms the right one.
    names = page.evaluate(
        "() => Object.keys(window).filter(k => /^map_/.test(k) && window[k] && window[k].getZoom)"
    )
    assert len(names) == 2
    page.evaluate(f"() => {names[0]}.setZoom({names[0]}.getZoom() + 1, {{animate: false}})")
    page.wait_for_timeout(400)
    z = page.evaluate(f"() => [{names[0]}.getZoom(), {names[1]}.getZoom()]")
    assert z[0] == z[1]
    page.close()


def test_edit_a_copy_of_the_zone_and_export_it(
    browser_context: Any,  # noqa: F811 - the fixture imported above
    files: dict[str, Path],
    capsys: pytest.CaptureFixture,
) -> None:
    """Copy pocket B into the sketch, drag its north-east corner 50 m east, save, export:
    the file checks as the 200 × 200 m square plus a 50 × 200 / 2 m triangle (4.5 ha)."""
    estate = load_estate(files["estate"])
    m = make_map(estate, zone=POCKET_B, offline=True)
    path = save_map(m, files["folder"] / "edit.html")
    pg = Page(browser_context)
    page = pg.open(path)
    page.click(".kit-copy a")
    page.click(".leaflet-draw-edit-edit")
    _, _, x1, y1 = POCKET_B.bounds
    start = pg.point_of(m.get_name(), x1, y1)
    end = pg.point_of(m.get_name(), x1 + 50, y1)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    page.click(".leaflet-draw-actions a:has-text('Simpan')")  # Bahasa Indonesia tools
    with page.expect_download() as dl:
        page.click(".kit-export:not(.kit-copy) a")
    edited = files["folder"] / "edited.geojson"
    dl.value.save_as(edited)
    assert pg.errors == []
    page.close()
    got = _check_json(files, edited, capsys)
    assert got["zone"]["area_ha"] == pytest.approx(4.5, abs=0.03)
