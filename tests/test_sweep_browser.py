"""The sweep's stability map in a real browser (Debian's headless Chromium)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from shapely import box
from test_maps import X0, Y0, _estate
from test_maps_browser import Page, browser_context  # noqa: F401 - the fixture

from kitland.maps import add_share_layer, make_map, save_map

pytestmark = pytest.mark.browser


def test_stability_layer_shows_each_cells_share(browser_context: Any, tmp_path: Path) -> None:  # noqa: F811
    estate = _estate()
    cells = gpd.GeoDataFrame(
        {"share": [0.25, 1.0]},
        geometry=[box(X0 + 200, Y0, X0 + 300, Y0 + 100), box(X0 + 300, Y0, X0 + 400, Y0 + 100)],
        crs=estate.crs,
    )
    m = add_share_layer(make_map(estate, offline=True), cells, name="kestabilan", lang="id")
    path = save_map(m, tmp_path / "stability.html")
    pg = Page(browser_context)
    page = pg.open(path)
    labels = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert "kestabilan" in labels
    for x, share in ((X0 + 250, "25%"), (X0 + 350, "100%")):
        page.mouse.move(*pg.point_of(m.get_name(), x, Y0 + 50))
        page.wait_for_timeout(200)
        tip = page.locator(".leaflet-tooltip").last.inner_text()
        assert "bagian skenario yang zonanya mencakup sel ini" in tip
        assert share in tip
    # Two shares, two colours of the ramp, drawn as two filled paths.
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('path.leaflet-interactive'))"
        ".map(p => p.getAttribute('fill'))"
    )
    assert "#fed976" in fills and "#800026" in fills  # 20–30 % and 90–100 %
    assert pg.errors == []
    page.close()
