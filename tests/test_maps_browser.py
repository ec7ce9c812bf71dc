"""Meeting maps in a real browser: Debian's headless Chromium driven by Playwright.

The online map's CDN and tile requests are answered from the vendored assets (there is
no network here); the offline map must need no answer at all.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyproj
import pytest
from babel import Locale
from conftest import ORIGIN
from shapely import box
from test_maps import REPORT, RULES, XSS, ZONE, _estate

from kitland.i18n import catalogue
from kitland.maps import (
    CDN_FILE_TO_VENDORED,
    DRAWN_FILENAME,
    LABEL_MIN_ZOOM,
    STATUS_COLOURS,
    add_table,
    make_map,
    save_map,
)
from kitland.report import Report, RuleResult

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ASSETS = Path(__file__).resolve().parent.parent / "kitland" / "_assets"
TO_LONLAT = pyproj.Transformer.from_crs(32749, 4326, always_xy=True)
# A 1×1 transparent PNG for tile requests of the online map.
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

EXPECTED_OVERLAYS = [
    "Gerbang & exit tol", "Zona UMKM", "Batas kawasan", "Jalan (kelas & lebar)",
    "Sempadan sungai/pantai", "Sungai & pantai", "Kavling (tata guna lahan)", "Permukiman (desa)",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (run `make browser`)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=ARGS,
            headless=True,
            viewport={"width": 1200, "height": 800},
        )
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    estate = _estate()
    folder = tmp_path_factory.mktemp("maps")
    out = {}
    for key, offline in (("offline", True), ("online", False)):
        m = make_map(estate, zone=ZONE, report=REPORT, rules=RULES, offline=offline)
        out[key] = (save_map(m, folder / f"{key}.html"), m.get_name())
    return out


class Page:
    """A page with everything it requested, logged as an error, or opened as a dialog."""

    def __init__(self, ctx: Any) -> None:
        self.page = ctx.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".leaflet-control-layers", timeout=10_000)
        self.page.wait_for_timeout(300)  # let fitBounds settle
        return self.page

    def point_of(self, map_name: str, x: float, y: float) -> tuple[float, float]:
        lon, lat = TO_LONLAT.transform(x, y)
        p = self.page.evaluate(
            f"(() => {{ var q = {map_name}.latLngToContainerPoint([{lat}, {lon}]); return [q.x, q.y]; }})()"
        )
        box = self.page.locator(".folium-map").bounding_box()
        return box["x"] + p[0], box["y"] + p[1]


def _serve_vendored(route: Any) -> None:
    url = route.request.url
    name = url.rsplit("/", 1)[-1].split("?")[0]
    local = CDN_FILE_TO_VENDORED.get(name)
    if local is not None:
        ctype = "text/css" if local.endswith(".css") else "application/javascript"
        route.fulfill(status=200, body=(ASSETS / local).read_bytes(), content_type=ctype)
    elif name.endswith((".js", ".css")):  # jQuery, Bootstrap, Font Awesome: unused by kitland maps
        route.fulfill(
            status=200,
            body=b"",
            content_type="text/css" if name.endswith(".css") else "application/javascript",
        )
    else:  # a tile
        route.fulfill(status=200, body=PNG_1PX, content_type="image/png")


def test_offline_map_makes_no_request_and_logs_no_error(
    browser_context: Any, maps: dict[str, Any]
) -> None:
    path, _ = maps["offline"]
    pg = Page(browser_context)
    page = pg.open(path)
    page.mouse.move(600, 400)
    page.mouse.wheel(0, -300)  # zooming would fetch tiles if there were any
    page.wait_for_timeout(500)
    assert [u for u in pg.requests if u != path.as_uri()] == []
    assert pg.errors == []
    labels = [
        t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    ]
    assert labels == EXPECTED_OVERLAYS
    assert page.locator(".leaflet-control-layers-base label").count() == 0  # no tile layers offline
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    # the grid estate lies 90 km from the bundled villages: no village basemap to credit
    assert "cahyadsn/wilayah_boundaries" not in attribution and "Data kawasan" in attribution
    assert "kavling industri" in page.locator(".kit-legend").inner_text()
    page.close()


def test_the_sketch_buttons_hold_their_words(browser_context: Any, maps: dict[str, Any]) -> None:
    """The export and copy buttons are as wide as their words (Leaflet's own rule for
    bar buttons would make them 30 px wide, the words running out over the map)."""
    path, _ = maps["offline"]
    page = Page(browser_context).open(path)
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('.kit-export a'))"
        ".map(a => [a.textContent, a.clientWidth, a.scrollWidth])"
    )
    assert [text for text, _, _ in sizes] == [
        "Ekspor zona yang digambar (GeoJSON)", "Salin zona ke sketsa (untuk disunting)",
    ]  # fmt: skip
    for text, shown, needed in sizes:
        assert shown >= needed > 100, text
    page.close()


def test_online_map_runs_without_console_errors(browser_context: Any, maps: dict[str, Any]) -> None:
    path, _ = maps["online"]
    pg = Page(browser_context)
    pg.page.route(re.compile(r"^https?://"), _serve_vendored)
    page = pg.open(path)
    assert pg.errors == []
    bases = [
        t.strip() for t in page.locator(".leaflet-control-layers-base label").all_inner_texts()
    ]
    assert bases == ["Peta terang (Esri Light Gray)", "OpenStreetMap", "Citra satelit (Esri)"]
    labels = [
        t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    ]
    assert labels == EXPECTED_OVERLAYS
    assert any("arcgisonline" in u for u in pg.requests)  # the light canvas is the shown base map
    page.close()


def test_clicking_the_zone_opens_its_rule_results(
    browser_context: Any, maps: dict[str, Any]
) -> None:
    path, name = maps["offline"]
    pg = Page(browser_context)
    page = pg.open(path)
    cx, cy = ZONE.centroid.x, ZONE.centroid.y + 50  # inside the zone, clear of its edges
    page.mouse.click(*pg.point_of(name, cx, cy))
    popup = page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    text = popup.inner_text()
    for r in REPORT.results:
        assert r.label("id") in text
        assert r.value_text("id") in text
    assert text.count("✓") == 2 and text.count("✗") == 1
    assert pg.errors == []
    page.close()


def test_xss_parcel_shows_as_text_and_runs_nothing(
    browser_context: Any, maps: dict[str, Any]
) -> None:
    path, name = maps["offline"]
    pg = Page(browser_context)
    page = pg.open(path)
    # An arrow function: Playwright would call a function that an expression evaluates to.
    page.evaluate("() => { window.__xss = 0; window.alert = function () { window.__xss += 1; }; }")
    x0, y0 = ZONE.bounds[0] - 150, ZONE.bounds[3] + 50  # parcel P0_0 (north-west cell), id = XSS
    page.mouse.move(*pg.point_of(name, x0, y0))
    tip = page.wait_for_selector(".leaflet-tooltip", timeout=5_000)
    assert XSS in tip.inner_text()
    page.mouse.move(*pg.point_of(name, x0 + 100, y0))  # P0_1: tenant "{{ x }}"
    page.wait_for_timeout(200)
    assert "{{ x }}" in page.locator(".leaflet-tooltip").last.inner_text()
    page.mouse.move(*pg.point_of(name, x0 + 200, y0))  # P0_2: tenant with a template literal
    page.wait_for_timeout(200)
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("window.__xss") == 0
    assert pg.dialogs == []
    assert pg.errors == []
    page.close()


X0, Y0 = ORIGIN
PASSING = Report([RuleResult("area", "area", True, 4.0, "3.5 .. 4.5", "ha", "4.00 ha")])
# Everything a page shows: rendered text nodes, in document order.
VISIBLE_TEXT = """() => {
  const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement, t = n.textContent.trim();
    if (!t || !el || el.closest('script,style')) continue;
    const st = getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || !el.getClientRects().length) continue;
    if (st.overflow === 'hidden') {  // text pushed out of a clipped box (an icon's label)
      const r = document.createRange(); r.selectNodeContents(n);
      const b = r.getBoundingClientRect(), e = el.getBoundingClientRect();
      if (b.left >= e.right || b.right <= e.left) continue;
    }
    out.push(t);
  }
  return out;
}"""


def _zone_layer_var(m: Any) -> str:
    return next(c.get_name() for c in m._children.values() if getattr(c, "kind", "") == "zone")


@pytest.mark.parametrize(
    ("report", "status", "verdict"),
    [(REPORT, "fail", "GAGAL"), (PASSING, "pass", "LULUS"), (None, "unchecked", "BELUM DIPERIKSA")],
)
def test_the_verdict_and_its_colour_follow_the_report(
    browser_context: Any, tmp_path: Path, report: Report | None, status: str, verdict: str
) -> None:
    m = make_map(_estate(), zone=ZONE, report=report, offline=True)
    path = save_map(m, tmp_path / "m.html")
    pg = Page(browser_context)
    page = pg.open(path)
    badge = page.locator(".kit-title .kit-verdict")
    assert badge.inner_text() == verdict
    assert page.evaluate("document.documentElement.lang") == "id"
    colour = STATUS_COLOURS[status]
    rgb = "rgb({}, {}, {})".format(*(int(colour[i : i + 2], 16) for i in (1, 3, 5)))
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == rgb
    stroke = page.evaluate(
        f"() => {_zone_layer_var(m)}.getLayers()[0]._path.getAttribute('stroke')"
    )
    assert stroke == colour  # the zone's outline as drawn
    failing = page.locator(".kit-failing li").all_inner_texts()
    expected = [] if report is None else [r for r in report.results if not r.passed]
    assert len(failing) == len(expected)
    for line, r in zip(failing, expected, strict=True):
        assert line.startswith(f"✗ {r.label('id')}: {r.value_text('id')}")
    assert pg.errors == []
    page.close()


def _leftover_words(texts: list[str], allowed: list[str]) -> list[str]:
    """Words of ``texts`` that are neither an allowed text nor a number with its unit."""
    by_length = sorted(set(allowed), key=len, reverse=True)
    # numbers, dates and the measure tool's degrees, minutes and seconds (06° 57' 56,19")
    number = re.compile(r"^[-+]?\d[\d.,]*%?$|^\d{4}-\d{2}-\d{2}$|^\d+(?:,\d+)?[°'\"]$")
    left = []
    for text in texts:
        for a in by_length:  # whole words only: a catalogue's "m" leaves "Perimeter" whole
            before = r"(?<!\w)" if re.match(r"\w", a) else ""
            after = r"(?!\w)" if re.search(r"\w$", a) else ""
            text = re.sub(before + re.escape(a) + after, " ", text)
        for word in re.split(r"[\s·:;()✓✗–—−×<>=≤≥±#.,/|&+-]+", text):
            if word and not number.match(word) and word not in ("ha", "m", "km", "%", "m²"):
                left.append(word)
    return left


def _page_texts(pg: Page, path: Path, name: str) -> list[str]:
    page = pg.open(path)
    texts = page.evaluate(VISIBLE_TEXT)
    page.mouse.click(*pg.point_of(name, ZONE.centroid.x, ZONE.centroid.y + 50))  # the popup
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    texts += page.locator(".leaflet-popup-content").evaluate("e => e.innerText").split("\n")
    page.mouse.move(*pg.point_of(name, ZONE.bounds[0] - 50, ZONE.bounds[1] + 50))  # a parcel
    page.wait_for_selector(".leaflet-tooltip", timeout=5_000)
    texts += page.locator(".leaflet-tooltip").last.evaluate("e => e.innerText").split("\n")
    x0, y0 = ZONE.bounds[0] - 200, ZONE.bounds[1]  # the grid's south-west corner
    page.mouse.move(*pg.point_of(name, x0 + 50, y0 + 380))  # the coastal setback band
    page.wait_for_timeout(300)
    band = page.locator(".leaflet-tooltip").last.evaluate("e => e.innerText")
    assert "setback" in band.lower() or "sempadan" in band.lower()
    texts += band.split("\n")
    page.evaluate(f"() => {name}.setZoom({LABEL_MIN_ZOOM + 1})")  # labels of parcels
    page.wait_for_timeout(400)
    texts += page.evaluate(VISIBLE_TEXT)
    texts += _measured_texts(pg, page, name)
    page.evaluate(SETTLED)
    texts += page.evaluate(CONTROL_TEXT)
    page.close()
    return texts


#: Every title, aria-label and text (shown or folded away) of the map's controls and popups.
CONTROL_TEXT = """() => {
  const out = [];
  document.querySelectorAll('.leaflet-control-container, .leaflet-popup-pane').forEach(box => {
    box.querySelectorAll('*').forEach(el => {
      for (const a of ['title', 'aria-label']) { if (el.getAttribute(a)) out.push(el.getAttribute(a)); }
      el.childNodes.forEach(n => { if (n.nodeType === 3 && n.nodeValue.trim()) out.push(n.nodeValue.trim()); });
    });
  });
  return out;
}"""


#: Resolves after the map's word rewrite has run: the rewrite is queued with setTimeout(0)
#: when the controls change, so two tasks later it has run (timers of equal delay run in
#: the order they were queued).
SETTLED = "() => new Promise(r => setTimeout(() => setTimeout(r, 0), 0))"


def _measured_texts(pg: Page, page: Any, name: str) -> list[str]:
    """Measure a triangle with the measure tool: its panel's and result popup's words,
    each read once the map's word rewrite has run (:data:`SETTLED`)."""
    page.evaluate(f"() => {name}.setView({name}.getCenter(), {LABEL_MIN_ZOOM - 1})")
    page.wait_for_timeout(300)
    page.locator(".leaflet-control-measure").hover()
    page.click(".leaflet-control-measure .js-start")
    page.evaluate(SETTLED)
    texts = page.locator(".leaflet-control-measure").inner_text().split("\n")
    x0, y0, x1, y1 = ZONE.bounds
    for x, y in ((x0, y0), (x1, y0), (x1, y1)):
        page.mouse.click(*pg.point_of(name, x, y))
        page.wait_for_timeout(150)
    page.evaluate(SETTLED)
    texts += page.locator(".leaflet-control-measure").inner_text().split("\n")
    page.click(".leaflet-control-measure .js-finish")
    page.wait_for_selector(".leaflet-measure-resultpopup", timeout=5_000)
    page.evaluate(SETTLED)
    texts += page.locator(".leaflet-measure-resultpopup").inner_text().split("\n")
    return [t for t in texts if t.strip()]


def test_no_english_words_in_the_indonesian_map(browser_context: Any, tmp_path: Path) -> None:
    """Every visible text is a catalogue translation, a number with its unit, or data."""
    estate = _estate()
    cat = catalogue("id")
    assert cat is not None
    translations = [re.split(r"\{\w+\}", str(msg.string)) for msg in cat if msg.id]
    allowed = [part.strip() for parts in translations for part in parts if part.strip()]
    data = [str(v) for layer in ("parcels", "roads", "gates", "water", "settlements", "boundary")
            for col in estate.layer(layer).columns if col != "geometry"
            for v in estate.layer(layer)[col].dropna()] + [estate.name]  # fmt: skip
    proper = ["Leaflet", "rules/test.toml", "test.toml", DRAWN_FILENAME]  # library, files
    months = [str(m) for m in Locale.parse("id").months["format"]["wide"].values()]  # the date
    texts = {}
    for lang in ("id", "en"):
        m = make_map(estate, zone=ZONE, report=REPORT, rules=RULES, lang=lang, offline=True)
        pg = Page(browser_context)
        texts[lang] = _page_texts(pg, save_map(m, tmp_path / f"{lang}.html"), m.get_name())
        assert pg.errors == []
    left_id = _leftover_words(texts["id"], [*allowed, *data, *proper, *months])
    assert left_id == [], (left_id, texts["id"])
    # The check can fail: the English map leaves its English words over.
    left = _leftover_words(texts["en"], [*allowed, *data, *proper])
    assert {"Land", "use", "Rule", "Measured", "Required", "FAIL"} <= set(left)
    assert {"Zoom", "Layers", "Perimeter", "Delete"} <= set(left)  # controls' own words too


def test_the_map_opens_on_the_zone_with_the_estate_in_the_inset(
    browser_context: Any, maps: dict[str, Any]
) -> None:
    path, name = maps["offline"]
    pg = Page(browser_context)
    page = pg.open(path)
    view = page.evaluate(f"() => {name}.getBounds().toBBoxString()").split(",")
    x0, y0, x1, y1 = ZONE.bounds
    lo, hi = TO_LONLAT.transform(x0, y0), TO_LONLAT.transform(x1, y1)
    assert float(view[0]) < lo[0] < hi[0] < float(view[2])
    assert float(view[1]) < lo[1] < hi[1] < float(view[3])
    inset = page.locator(".leaflet-control-minimap").bounding_box()
    assert inset is not None and inset["width"] >= 150
    outline = page.locator(".leaflet-control-minimap path[stroke='#212529']").first.bounding_box()
    assert outline is not None  # the estate's boundary, drawn inside the inset
    assert (
        inset["x"] <= outline["x"]
        and outline["x"] + outline["width"] <= inset["x"] + inset["width"]
    )
    assert (
        inset["y"] <= outline["y"]
        and outline["y"] + outline["height"] <= inset["y"] + inset["height"]
    )
    zone = page.locator(f".leaflet-control-minimap path[stroke='{STATUS_COLOURS['fail']}']")
    assert zone.count() == 1  # the zone in the verdict's colour
    page.close()


def test_parcel_labels_appear_at_close_zoom(browser_context: Any, maps: dict[str, Any]) -> None:
    path, name = maps["offline"]
    pg = Page(browser_context)
    page = pg.open(path)
    estate = _estate()
    page.evaluate(f"() => {name}.setZoom({LABEL_MIN_ZOOM - 1})")
    page.wait_for_timeout(300)
    assert page.locator(".kit-plabel").count() == 0
    page.evaluate(f"() => {name}.setZoom({LABEL_MIN_ZOOM})")
    page.wait_for_timeout(300)
    labels = page.locator(".kit-plabel").all_inner_texts()
    assert len(labels) == len(estate.parcels)  # one per parcel (all have an id)
    ids = set(estate.parcels["parcel_id"])
    assert {t.split("\n")[0] for t in labels} == ids  # escaped text, shown as written
    assert "{{ x }}" in {line for t in labels for line in t.split("\n")}  # P0_1's tenant
    assert page.evaluate("window.__xss === undefined")
    assert pg.errors == []
    page.close()


def test_several_named_zones_drawn_in_their_colours(browser_context: Any, tmp_path: Path) -> None:
    """Each zone of a several-zone placement: a layer of its name, its own outline colour,
    its name on the map as text (a name that is markup runs nothing)."""
    from types import SimpleNamespace  # noqa: PLC0415

    from shapely import box  # noqa: PLC0415
    from test_maps import X0, Y0  # noqa: PLC0415

    from kitland.maps import STATUS_COLOURS, ZONE_COLOURS  # noqa: PLC0415
    from kitland.report import Report  # noqa: PLC0415

    passing = Report([r for r in REPORT.results if r.passed], zone=REPORT.zone)
    zones = [SimpleNamespace(name="Pangan", zone=box(X0, Y0, X0 + 100, Y0 + 100), report=passing),
             SimpleNamespace(name=XSS, zone=box(X0 + 200, Y0, X0 + 300, Y0 + 100), report=REPORT)]  # fmt: skip
    path = save_map(make_map(_estate(), zones=zones, offline=True), tmp_path / "zones.html")
    page = Page(browser_context)
    p = page.open(path)
    overlays = p.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert {"Pangan", XSS} <= {t.strip() for t in overlays}
    labels = p.locator(".kit-label").all_inner_texts()
    assert "Pangan" in labels and XSS in labels
    drawn = p.evaluate(
        "Array.from(document.querySelectorAll('path.leaflet-interactive'))"
        ".map(e => [e.getAttribute('stroke'), e.getAttribute('fill')])"
    )
    # Each zone filled in its own colour, outlined in its verdict's: the passing zone
    # green (never red, which says GAGAL), the failing one red.
    assert [STATUS_COLOURS["pass"], ZONE_COLOURS[0]] in drawn
    assert [STATUS_COLOURS["fail"], ZONE_COLOURS[1]] in drawn
    assert STATUS_COLOURS["fail"] not in ZONE_COLOURS and STATUS_COLOURS["pass"] not in ZONE_COLOURS
    assert not page.dialogs and not page.errors


def test_several_zones_say_what_the_joint_solve_proved(browser_context: Any, tmp_path: Path) -> None:
    """Zones placed together by a solve that ran out of time: each zone's tooltip and
    popup say "feasible, gap …" beside its verdict, and the title block says it once."""
    from types import SimpleNamespace  # noqa: PLC0415

    from test_maps import X0, Y0  # noqa: PLC0415

    from kitland.placement import Placement, proof_text  # noqa: PLC0415

    placed = [Placement(box(X0, Y0, X0 + 100, Y0 + 100), 50.0, 1, PASSING, 1.0, status="FEASIBLE",
                        gap=0.1716, name="Pangan"),
              Placement(box(X0 + 200, Y0, X0 + 300, Y0 + 100), 60.0, 1, PASSING, 1.0,
                        status="FEASIBLE", gap=0.1716, name="Bengkel")]  # fmt: skip
    words = [proof_text(p, 25.0, "id") for p in placed]
    assert words == ["layak, selisih 17,16% (batas waktu tercapai)"] * 2
    zones = [SimpleNamespace(name=p.name, zone=p.zone, report=p.report, score=p.score) for p in placed]
    m = make_map(_estate(), zones=zones, offline=True, statuses=words)
    pg = Page(browser_context)
    page = pg.open(save_map(m, tmp_path / "zones.html"))
    assert page.locator(".kit-title .kit-proof").inner_text() == words[0]
    layers = [c.get_name() for c in m._children.values() if getattr(c, "kind", "") == "zone"]
    assert len(layers) == 2
    for var in layers:
        props = page.evaluate(f"() => {var}.getLayers()[0].feature.properties")
        assert props["tip"].endswith(f"LULUS; {words[0]}")
        assert f'<span class="kit-proof">{words[0]}</span>' in props["popup"]
    assert pg.errors == []
    page.close()


def test_each_placement_says_what_the_solver_proved(browser_context: Any, tmp_path: Path) -> None:
    """A placement found when time ran out reads "feasible, gap 7.49% (time limit
    reached)" beside its verdict — title block, legend, popup — as in the terminal; a
    proven alternative reads "optimal on the 25 m grid" in its tooltip."""
    from kitland.placement import Placement, proof_text  # noqa: PLC0415

    best = Placement(ZONE, 120.0, 1, PASSING, 4.0, status="FEASIBLE", gap=0.0749)
    alt_zone = box(X0 + 200, Y0 + 100, X0 + 400, Y0 + 300)
    alt = Placement(alt_zone, 130.0, 2, PASSING, 4.0, status="OPTIMAL", gap=0.0)
    words = [proof_text(p, 25.0, "id") for p in (best, alt)]
    assert words == ["layak, selisih 7,49% (batas waktu tercapai)", "optimal pada grid 25 m"]
    assert proof_text(best, 25.0, "en") == "feasible, gap 7.49% (time limit reached)"
    m = make_map(_estate(), zone=best.zone, report=PASSING, alternatives=[alt], score=best.score,
                 offline=True, statuses=words)  # fmt: skip
    pg = Page(browser_context)
    page = pg.open(save_map(m, tmp_path / "m.html"))
    assert page.locator(".kit-title .kit-verdict").inner_text() == "LULUS"
    assert page.locator(".kit-title .kit-proof").inner_text() == words[0]
    assert f"(LULUS; {words[0]})" in page.locator(".kit-legend").inner_text()
    cx, cy = ZONE.centroid.x, ZONE.centroid.y - 50  # inside the zone, outside the alternative
    page.mouse.click(*pg.point_of(m.get_name(), cx, cy))
    popup = page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    assert words[0] in popup.inner_text()
    alt_var = next(c.get_name() for c in m._children.values()
                   if getattr(c, "kind", "") == "alternative")  # fmt: skip
    tip = page.evaluate(f"() => {alt_var}.getLayers()[0].feature.properties.tip")
    assert tip.endswith(f"<br>{words[1]}")
    assert pg.errors == []
    page.close()


def test_rule_tooltips_in_the_popup_are_in_the_maps_language(
    browser_context: Any, tmp_path: Path
) -> None:
    """The popup's rule rows carry a tooltip: in Bahasa every word of it is a catalogue
    translation, a number with its unit or data (the rule sentences are English only);
    in English it is the rule's sentence."""
    cat = catalogue("id")
    assert cat is not None
    allowed = [part.strip() for msg in cat if msg.id
               for part in re.split(r"\{\w+\}", str(msg.string)) if part.strip()]  # fmt: skip
    for lang in ("id", "en"):
        m = make_map(_estate(), zone=ZONE, report=REPORT, lang=lang, offline=True)
        pg = Page(browser_context)
        page = pg.open(save_map(m, tmp_path / f"{lang}.html"))
        page.mouse.click(*pg.point_of(m.get_name(), ZONE.centroid.x, ZONE.centroid.y + 50))
        page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
        tips = page.evaluate("() => [...document.querySelectorAll('.leaflet-popup-content "
                             "td[title]')].map(e => e.getAttribute('title'))")  # fmt: skip
        page.close()
        assert len(tips) == len(REPORT.results)
        if lang == "en":
            assert tips == [r.message for r in REPORT.results]
            continue
        assert _leftover_words(tips, [*allowed, *(r.label("id") for r in REPORT.results)]) == []
        setback = next(t for t, r in zip(tips, REPORT.results, strict=True) if r.kind == "setback")
        assert setback == "sempadan #4: Terukur 20,00 m, Syarat ≥ 50 m"  # measured 20, needs 50


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Whether two boxes on the page share no pixel."""
    return (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])  # fmt: skip


def test_the_cost_table_folds_off_the_zone_and_the_legend_until_clicked(
    browser_context: Any, tmp_path: Path
) -> None:
    """A meeting map at 1400 × 900 with the alternatives' cost table (18 rows, as
    ``place --alternatives 3`` writes): the folded table covers neither the zone the map
    opens on, nor the legend, nor the inset; a click on its title opens every row."""
    m = make_map(_estate(), zone=ZONE, report=REPORT, rules=RULES, offline=True)
    rows = [["", "placement 1", "placement 2", "placement 3"]]
    rows += [[f"rule number {i} of the zone, measured", "1.035,4 m", "1.023,1 m (−12)",
              "603,8 m (−432)"] for i in range(17)]  # fmt: skip
    add_table(m, rows, title="What each placement costs against placement 1")
    path = save_map(m, tmp_path / "table.html")
    pg = Page(browser_context)
    pg.page.set_viewport_size({"width": 1400, "height": 900})
    page = pg.open(path)
    assert pg.errors == []
    table = page.locator(".kit-table").bounding_box()
    x0, y0, x1, y1 = ZONE.bounds
    (ax, ay), (bx, by) = pg.point_of(m.get_name(), x0, y1), pg.point_of(m.get_name(), x1, y0)
    zone = {"x": ax, "y": ay, "width": bx - ax, "height": by - ay}
    for covered in (zone, page.locator(".kit-legend").bounding_box(),
                    page.locator(".leaflet-control-minimap").bounding_box()):  # fmt: skip
        assert _apart(table, covered), (table, covered)
    assert not page.locator(".kit-table tr").first.is_visible()
    page.locator(".kit-table summary").click()
    shown = page.locator(".kit-table tr")
    assert shown.count() == len(rows) and shown.first.is_visible()
    assert shown.nth(1).inner_text().split("\t")[0] == "rule number 0 of the zone, measured"
    page.close()


def test_parcels_of_unknown_land_uses_are_named_in_the_legend(
    browser_context: Any, tmp_path: Path
) -> None:
    """An office's estate explored before its land uses are renamed (trial 12): parcels of
    'Industri' and 'Tersedia' were drawn blank and the legend named only the known ones,
    so most of the estate looked empty. The legend names them (escaped, as data), in the
    map's language, and the PDF's legend too."""
    from conftest import grid_layers  # noqa: PLC0415

    from kitland import Estate  # noqa: PLC0415
    from kitland.maps import _land_use_handles  # noqa: PLC0415

    layers = grid_layers(["IIAA", "IIAA", "GGAA"])
    p = layers["parcels"]
    p.loc[p.land_use == "industrial", "land_use"] = "Industri"
    p.loc[p.index[-1], "land_use"] = "<b>Tersedia</b>"
    estate = Estate.from_layers(layers)
    want = {"en": "land use not recognised: <b>tersedia</b>, industri (kitland validate)",
            "id": "tata guna lahan tidak dikenali: <b>tersedia</b>, industri (kitland validate)"}  # fmt: skip
    for lang, text in want.items():
        path = save_map(make_map(estate, offline=True, lang=lang), tmp_path / f"{lang}.html")
        pg = Page(browser_context)
        page = pg.open(path)
        legend = page.locator(".kit-legend").first.inner_text()
        assert text in legend, legend
        assert page.evaluate("document.querySelectorAll('.kit-legend b').length") == 1  # its title
        assert pg.errors == []
        page.close()
        assert [h.get_label() for h in _land_use_handles(estate, lang)][-1] == text
