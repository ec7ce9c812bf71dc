"""A plot layout on the meeting map, in Debian's headless Chromium: drawn, named, escaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from shapely import box
from test_maps_browser import Page, browser_context  # noqa: F401 - the browser fixture
from test_plots import _at, rect_estate

from kitland.maps import add_plots, make_map, save_map
from kitland.plots import plots
from kitland.rules import PlotSpec, PlotType

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_plots_drawn_with_escaped_tooltips(browser_context: Any, tmp_path: Path) -> None:  # noqa: F811
    est = rect_estate()
    unit = PlotType(XSS, 400, 600, 10, min_depth_m=44, max_depth_m=44)
    layout = plots(est, _at(box(0, 0, 200, 100)), spec=PlotSpec((unit,)))
    m = add_plots(make_map(est, offline=True), est, layout.plots, layout.internal_roads)
    path = save_map(m, tmp_path / "plots.html")
    pg = Page(browser_context)
    page = pg.open(path)
    page.evaluate("() => { window.__xss = 0; window.alert = function () { window.__xss += 1; }; }")
    labels = [
        t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    ]
    assert "Kavling usaha" in labels and "Jalan dalam kawasan" in labels
    # 36 plots and 2 internal roads drawn as paths in the plots' colours
    assert page.locator("path[fill='#f28e2b']").count() == 36
    assert page.locator("path[fill='#8f8f8f']").count() == 2
    x, y = layout.plots.geometry.iloc[0].centroid.coords[0]
    page.mouse.move(*pg.point_of(m.get_name(), x, y))
    tip = page.wait_for_selector(".leaflet-tooltip", timeout=5_000)
    assert XSS in tip.inner_text() and "P-0001" in tip.inner_text()
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("window.__xss") == 0
    assert pg.dialogs == [] and pg.errors == []
    page.close()
