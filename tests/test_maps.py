"""Meeting maps without a browser: layers, legend, escaping, rounding, offline assets, PNG.

Geometry checks go back through pyproj independently of the map code: a map vertex,
reprojected to UTM, must lie within 0.15 m of the hand-placed corner it stands for.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from conftest import ORIGIN, grid_estate
from shapely import LineString, Point, box

from kitland import DataError, Estate
from kitland.i18n import label as i18n_label
from kitland.maps import _png_legend, make_map, save_map, save_png
from kitland.report import Report, RuleResult
from kitland.rules import Rule, Rules, Selector, ZoneSpec

XSS = "<img src=x onerror=alert(1)>"
X0, Y0 = ORIGIN
TO_UTM = pyproj.Transformer.from_crs(4326, 32749, always_xy=True)
TO_LONLAT = pyproj.Transformer.from_crs(32749, 4326, always_xy=True)


def _estate(name: str = "grid") -> Estate:
    from conftest import grid_layers  # noqa: PLC0415

    layers = grid_layers(
        ["IIAA", "IIAA", "GGAA"],
        roads=[
            (
                LineString([(-50, -10), (450, -10)]),
                {"road_id": "r1", "road_class": "collector", "name": XSS},
            )
        ],
        gates=[
            (Point(0, -10), {"gate_id": "g1", "kind": "estate_gate", "name": "Gerbang 1"}),
            (Point(440, -10), {"gate_id": "t1", "kind": "toll_exit", "name": "Exit Tol"}),
        ],
        water=[(LineString([(-50, 350), (450, 350)]), {"name": "Laut Jawa", "kind": "coast"})],
        settlements=[(box(-300, 0, -100, 200), {"name": "{{ 7*191 }}"})],
    )
    parcels = layers["parcels"]
    parcels.loc[0, "parcel_id"] = XSS
    parcels.loc[1, "tenant"] = "{{ x }}"
    parcels.loc[2, "tenant"] = "`${alert(2)}`"
    return Estate.from_layers(layers, source="test grid", name=name)


ZONE = box(X0 + 200, Y0, X0 + 400, Y0 + 200)  # the four south-east cells, 4 ha
REPORT = Report(
    [
        RuleResult("area", "area", True, 4.0, "3.5 .. 4.5", "ha", "4.00 ha"),
        RuleResult("setback#4", "setback", False, 20.0, ">= 50", "m", "20 m from the coast"),
        RuleResult("frontage#2", "frontage", True, 200.0, ">= 150", "m", "200 m on the collector"),
    ],
    zone={"area_ha": 4.0, "compactness": 0.785, "crs": "EPSG:32749"},
)
RULES = Rules(
    zone=ZoneSpec(area_ha=4.0),
    rules=(
        Rule(
            "setback#4",
            "setback",
            4,
            "zone",
            {"from": Selector("water", {"kind": ("coast",)}), "min_m": 50.0},
        ),
    ),
    source="rules/test.toml",
)


def _layers(m: Any) -> dict[str, Any]:
    return {c.kind: c for c in m._children.values() if hasattr(c, "kind") and hasattr(c, "data")}


def _tips(layer: Any, key: str = "tip") -> list[str]:
    return [f["properties"].get(key, "") for f in layer.data["features"]]


def _data_text(m: Any) -> str:
    """The rendered page without folium's element ids: each is 32 random hex digits (any
    digits, "1337" among them now and then), so what is left comes from the data and
    from kitland's own code."""
    root = m.get_root()
    page = root.render()
    ids, todo = set(), [root]
    while todo:  # after rendering: the tree as it was rendered
        element = todo.pop()
        ids.add(element._id)
        todo.extend(element._children.values())
    for element_id in ids:
        page = page.replace(element_id, "")
    assert not re.search(r"[0-9a-f]{32}", page)  # no id left behind
    return page


def _coords(geom: dict[str, Any]) -> np.ndarray:
    return np.array(shapely.get_coordinates(shapely.geometry.shape(geom)))


@pytest.fixture(scope="module")
def estate() -> Estate:
    return _estate()


@pytest.fixture(scope="module")
def full_map(estate: Estate) -> Any:
    alts = [
        SimpleNamespace(zone=box(X0 + 200, Y0 + 100, X0 + 400, Y0 + 300), rank=2, score=0.5),
        box(X0, Y0, X0 + 100, Y0 + 100),
    ]
    return make_map(estate, zone=ZONE, report=REPORT, alternatives=alts, rules=RULES)


@pytest.fixture(scope="module")
def full_html(full_map: Any) -> str:
    return full_map.get_root().render()


def test_every_layer_is_drawn_and_listed_top_most_first(full_map: Any, full_html: str) -> None:
    kinds = set(_layers(full_map))
    assert kinds >= {
        "parcels",
        "roads",
        "gates",
        "water",
        "setback_bands",
        "settlements",
        "boundary",
        "zone",
        "alternative",
    }
    control = full_html[full_html.index("overlays :") :]
    names = ["Gerbang & exit tol", "Zona UMKM", "Alternatif 2 (skor 0,5 m)", "Alternatif 3", "Batas kawasan",
             "Jalan (kelas & lebar)", "Sempadan sungai/pantai", "Sungai & pantai", "Kavling (tata guna lahan)",
             "Permukiman (desa)"]  # fmt: skip
    positions = [
        control.index(json_name)
        for json_name in (
            f'"{html.escape(n, quote=False)}"'.replace("&amp;", "\\u0026") for n in names
        )
    ]
    assert positions == sorted(positions)


def test_base_maps_and_controls_online(full_html: str) -> None:
    assert "tile.openstreetmap.org" in full_html
    assert "World_Imagery" in full_html
    assert "World_Light_Gray_Base" in full_html
    for control in (
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.Control.MiniMap",
        "L.control.scale",
    ):
        assert control in full_html


def test_legend_labels_in_indonesian_and_english(estate: Estate) -> None:
    id_html = make_map(estate).get_root().render()
    en_html = make_map(estate, lang="en").get_root().render()
    for label in ("kavling industri", "ruang terbuka hijau", "lahan tersedia", "Tata guna lahan"):
        assert label in id_html
        assert label not in en_html
    for label in ("industrial plots", "green open space", "available land", "Land use"):
        assert label in en_html


def test_attribution_and_title_block(full_html: str) -> None:
    # a user's estate: its boundary's name ("test"), no KIT Batang sources or "illustrative" notice
    assert "Data kawasan: test" in full_html
    assert "Kepmendagri" not in full_html
    assert "ILUSTRATIF" not in full_html
    assert "test.toml" in full_html  # the rules file named in the title block
    assert re.search(r"20\d\d-\d\d-\d\d", full_html)


def test_bundled_estate_map_credits_sources_and_says_illustrative() -> None:
    from kitland import load_estate  # noqa: PLC0415

    page = make_map(load_estate(), lang="en").get_root().render()
    assert "cahyadsn/wilayah_boundaries (MIT)" in page
    assert "Kepmendagri" in page
    assert "ILLUSTRATIVE layout — not the official KIT Batang master plan" in page


def test_attributes_are_escaped_and_never_evaluated(full_map: Any, full_html: str) -> None:
    tips = " ".join(_tips(_layers(full_map)["parcels"]) + _tips(_layers(full_map)["roads"]))
    assert "&lt;img src=x onerror=alert(1)&gt;" in tips
    assert XSS not in full_html  # nowhere raw, not even in JSON
    assert "{{ x }}" in html.unescape(tips)
    assert "`${alert(2)}`" in html.unescape(tips)
    assert not re.search(r"[`$]", tips)  # cannot end a JavaScript template literal
    labels = [t for t in _tips(_layers(full_map)["settlements"], "label") if t]
    assert [html.unescape(t) for t in labels] == ["{{ 7*191 }}"]
    assert "1337" not in _data_text(full_map)  # the template was not evaluated


@pytest.mark.parametrize("where", ["estate name", "boundary name"])
def test_title_is_escaped_and_not_evaluated(where: str) -> None:
    evil = "{{ 7*191 }} <b>x</b>"
    estate = _estate(name=evil)
    if where == "boundary name":  # the title is the boundary's name when it has one
        layers = {k: estate.layer(k) for k in ("boundary", "parcels", "roads", "gates", "water")}
        layers["boundary"] = layers["boundary"].assign(name=evil)
        estate = Estate.from_layers(layers, source="test grid", name="grid")
    else:
        estate = Estate.from_layers(
            {"boundary": estate.boundary.drop(columns="name"), "parcels": estate.parcels},
            source="test grid", name=evil,
        )  # fmt: skip
    m = make_map(estate)
    m._id = "1337" * 8  # an element id that holds the digits, as a random one may
    assert "1337" in m.get_root().render()
    page = _data_text(m)
    assert "1337" not in page
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_coordinates_rounded_to_a_tenth_of_a_metre(full_map: Any) -> None:
    for layer in _layers(full_map).values():
        for f in layer.data["features"]:
            xy = _coords(f["geometry"])
            assert np.array_equal(np.round(xy, 6), xy)
    zone_xy = _coords(_layers(full_map)["zone"].data["features"][0]["geometry"])
    x, y = TO_UTM.transform(zone_xy[:, 0], zone_xy[:, 1])
    corners = np.array([(X0 + 200, Y0), (X0 + 400, Y0), (X0 + 400, Y0 + 200), (X0 + 200, Y0 + 200)])
    for cx, cy in corners:
        assert np.min(np.hypot(x - cx, y - cy)) < 0.15


def test_parcels_simplified_within_half_a_metre() -> None:
    from conftest import grid_layers  # noqa: PLC0415

    layers = grid_layers(["A"])
    t = np.linspace(0, 100, 401)
    wiggle = [(float(s), 0.2 * math.sin(s)) for s in t]  # a south edge wiggling by 0.2 m
    layers["parcels"].loc[0, "geometry"] = shapely.Polygon(
        [(X0 + a, Y0 + b) for a, b in wiggle] + [(X0 + 100, Y0 + 100), (X0, Y0 + 100)]
    )
    est = Estate.from_layers(layers)
    data = _layers(make_map(est))["parcels"].data["features"][0]["geometry"]
    xy = _coords(data)
    assert len(xy) < 50
    x, y = TO_UTM.transform(xy[:, 0], xy[:, 1])
    drawn = shapely.Polygon(np.column_stack([x, y]))
    assert shapely.hausdorff_distance(drawn, est.parcels.geometry.iloc[0]) < 0.5 + 0.15


def test_setback_band_has_the_rule_width(full_map: Any) -> None:
    band = _layers(full_map)["setback_bands"].data["features"][0]["geometry"]
    shape = shapely.geometry.shape(band)
    utm = shapely.transform(shape, lambda xy: np.column_stack(TO_UTM.transform(xy[:, 0], xy[:, 1])))
    expected = 500 * 2 * 50 + math.pi * 50**2  # a 500 m line buffered by 50 m with round caps
    assert utm.area == pytest.approx(expected, rel=0.01)


def test_no_bands_without_rules(estate: Estate) -> None:
    assert "setback_bands" not in _layers(make_map(estate, zone=ZONE, report=REPORT))


def test_zone_popup_lists_every_rule_result(full_map: Any) -> None:
    popup = _layers(full_map)["zone"].data["features"][0]["properties"]["popup"]
    text = html.unescape(re.sub(r"<[^>]+>", " ", popup))
    for r in REPORT.results:  # names, numbers and units in Indonesian
        assert r.label("id") in text
        assert r.value_text("id") in text
        assert r.required_text("id") in text
    for written in ("luas zona", "4,00 ha", "3,5–4,5 ha", "sempadan #4", "20,00 m", "≥ 50 m"):
        assert written in text
    assert text.count("✓") == 2
    assert text.count("✗") == 1
    assert "GAGAL" in text


def test_diagnostic_layers_from_given_frames(estate: Estate) -> None:
    path = gpd.GeoDataFrame(
        {"gate": ["g1"]}, geometry=[LineString([(X0, Y0 - 10), (X0 + 300, Y0 - 10)])], crs=32749
    )
    front = gpd.GeoDataFrame(geometry=[LineString([(X0 + 200, Y0), (X0 + 400, Y0)])], crs=32749)
    m = make_map(estate, zone=ZONE, diagnostics={"gate_path": path, "frontage": front}, lang="en")
    layers = _layers(m)
    assert layers["gate_path"].layer_name == "Diagnostic: road path from nearest gate (300 m)"
    assert "frontage" in layers


def test_offline_map_is_self_contained(estate: Estate, tmp_path: Path) -> None:
    out = save_map(make_map(estate, zone=ZONE, report=REPORT, offline=True), tmp_path / "off.html")
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"url\((?!data:|#)", page)
    assert "tile.openstreetmap.org" not in page and "arcgisonline" not in page
    assert 'version="1.9.3"' in page or '"1.9.3"' in page  # Leaflet inlined
    assert "L.Control.MiniMap" in page
    assert out.stat().st_size < 3_000_000


def test_zone_from_geodataframe_in_another_crs(estate: Estate) -> None:
    gdf = gpd.GeoDataFrame(geometry=[ZONE], crs=32749).to_crs(4326)
    xy = _coords(_layers(make_map(estate, zone=gdf))["zone"].data["features"][0]["geometry"])
    x, y = TO_UTM.transform(xy[:, 0], xy[:, 1])
    assert np.min(np.hypot(x - (X0 + 400), y - (Y0 + 200))) < 0.15


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lang": "fr"}, r"lang='fr' is not a map language"),
        ({"zone": gpd.GeoDataFrame(geometry=[ZONE])}, r"zone has no CRS; declare one"),
        ({"zone": shapely.Polygon()}, r"zone: the zone geometry is empty"),
        (
            {"zone": "zone.gpkg"},
            r"zone must be a shapely Polygon, a GeoDataFrame or a GeoSeries, got str",
        ),
        (
            {"zone": ZONE, "alternatives": [SimpleNamespace(zone=None)]},
            r"alternatives\[0\]: has no zone geometry",
        ),
    ],
)
def test_bad_arguments(estate: Estate, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(DataError, match=match):
        make_map(estate, **kwargs)


def test_save_map_is_atomic(estate: Estate, tmp_path: Path) -> None:
    m = make_map(estate)
    out = save_map(m, tmp_path / "m.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(DataError, match=r"the folder .*missing does not exist"):
        save_map(m, tmp_path / "missing" / "m.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html"]


def test_save_png_draws_the_zone(estate: Estate, tmp_path: Path) -> None:
    from matplotlib.image import imread  # noqa: PLC0415

    out = save_png(estate, tmp_path / "e.png", zone=ZONE, report=REPORT, lang="en", dpi=60)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = imread(out)[..., :3]
    zone_fill = np.array([0xFF, 0x8C, 0x1A]) / 255
    cream = np.array([0xF4, 0xEF, 0xDF]) / 255
    expected = 0.85 * zone_fill + 0.15 * cream  # alpha 0.85 over available land
    close = np.linalg.norm(img - expected, axis=-1) < 0.04
    assert close.sum() > 500
    with pytest.raises(DataError, match=r"lang='xx'"):
        save_png(estate, tmp_path / "x.png", lang="xx")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["estate boundary", "road corridor", "river / coast"]),
        ("id", [i18n_label("id", k) for k in ("boundary_legend", "road_legend", "water_legend")]),
    ],
)
def test_png_legend_names_boundary_roads_and_water(
    estate: Estate, lang: str, expected: list[str]
) -> None:
    names = [h.get_label() for h in _png_legend(estate, None, None, lang)]
    assert all(n in names for n in expected), names
    assert i18n_label(lang, "zone_legend") not in " ".join(names)  # no zone, no zone entry


def test_png_legend_leaves_out_what_the_estate_lacks(estate: Estate) -> None:
    dry = replace(estate, layers={k: v for k, v in estate.layers.items() if k != "water"})
    names = [h.get_label() for h in _png_legend(dry, None, None, "en")]
    assert "river / coast" not in names
    assert "road corridor" in names


def test_grid_estate_factory_map(tmp_path: Path) -> None:
    est = grid_estate(["IA"])
    assert save_map(make_map(est, lang="en"), tmp_path / "g.html").stat().st_size > 5_000


def test_frame_includes_gates_near_the_estate() -> None:
    from conftest import grid_layers  # noqa: PLC0415

    from kitland.maps import _frame_bounds  # noqa: PLC0415

    layers = grid_layers(
        ["IA"],
        gates=[
            (
                shapely.Point(100, -1_000),
                {"gate_id": "pantura", "kind": "estate_gate"},
            ),  # 1 km south
            (shapely.Point(100, -9_000), {"gate_id": "far", "kind": "estate_gate"}),  # beyond 5 km
        ],
    )
    x0, y0, x1, y1 = _frame_bounds(Estate.from_layers(layers))
    assert (x0 - X0, y0 - Y0, x1 - X0, y1 - Y0) == pytest.approx((0, -1_000, 200, 100))


def test_a_layout_rule_alone_does_not_fail_the_zone_on_the_map(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The map's verdict is the zone's: a zone passing its own rules on an estate whose
    plan fails a layout rule is outlined green, titled PASS and the failing layout rule
    is listed; `check` still exits 1 for CI (the layout is part of what it checks)."""
    from conftest import grid_layers, write_layers  # noqa: PLC0415

    from kitland.cli import main  # noqa: PLC0415
    from kitland.maps import STATUS_COLOURS  # noqa: PLC0415

    est = write_layers(grid_layers(["IIAA", "IIAA"]), tmp_path / "e.gpkg")  # no green at all
    zone = tmp_path / "z.geojson"
    gpd.GeoDataFrame(geometry=[box(X0 + 200, Y0, X0 + 400, Y0 + 200)], crs=32749).to_file(
        zone, engine="fiona"
    )
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\narea_ha = 4\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n'
                     '[[layout]]\nname = "green share"\nkind = "land_share"\n'
                     'land_use = ["green"]\nmin_pct = 10\n')  # fmt: skip
    out = tmp_path / "m.html"
    args = [str(est), "--zone", str(zone), "--rules", str(rules), "--lang", "en"]
    assert main(["check", *args]) == 1
    assert main(["map", *args, "--out", str(out)]) == 0
    capsys.readouterr()
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), out.read_text())
    page = html.unescape(text)
    assert "PASS — the zone's rules hold; layout rules failing: 1" in page
    assert "✗ green share: 0.00%" in page
    assert STATUS_COLOURS["pass"] in page and STATUS_COLOURS["fail"] not in page
