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
from test_maps import REPORT, RULES, XSS, ZONE, _estate

from kitland.maps import CDN_FILE_TO_VENDORED, make_map, save_map

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
    assert "cahyadsn/wilayah_boundaries" in attribution  # the offline village basemap
    assert "kavling industri" in page.locator(".kit-legend").inner_text()
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
        assert r.id in text
        assert r.value_text() in text
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
