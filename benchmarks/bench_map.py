"""Meeting map size and load time in headless Chromium, next to GeoDataFrame.explore().

    .venv/bin/python benchmarks/bench_map.py [--runs 5] [--screenshot docs/map.png]

Maps of the bundled estate with an illustrative 20 ha zone: kitland online and offline,
and ``explore()`` of the same layers (parcels by land use, roads, gates, water,
settlements, boundary, zone). Load time = from navigation to the first drawn vector path,
median of ``--runs`` cold page loads in one browser. There is no network here: the
online maps' CDN requests are answered from the vendored copies in ``kitland/_assets``
(jQuery, Bootstrap and Font Awesome with empty files) and tiles with a 1-pixel PNG, so
the figures compare the pages themselves, not the CDNs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import shapely

import kitland
from kitland.maps import CDN_FILE_TO_VENDORED, make_map, save_map

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "kitland" / "_assets"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def illustrative_zone(estate: kitland.Estate, rules: kitland.Rules) -> shapely.Geometry:
    """A 20 ha zone: the placement if one is found quickly, else a square cut from available land.

    The square is grown from points along the edges of each available parcel (less road
    corridors) until it holds 20 ha; the candidate passing the most rules, then the most
    compact, is kept. Deterministic.
    """
    from kitland.measure import check  # noqa: PLC0415

    try:
        result = kitland.place(estate, rules, time_limit_s=20)
        if result.found:
            return result.zone
    except kitland.KitlandError:
        pass
    corridors = shapely.union_all(estate.road_corridors.to_numpy())
    best: tuple[int, float, Any] | None = None
    for geom in estate.select("parcels", land_use=["available"]).geometry:
        land = geom.difference(corridors)
        ring = land.exterior if land.geom_type == "Polygon" else land.convex_hull.exterior
        for x, y in shapely.get_coordinates(shapely.segmentize(ring, 300)):
            lo, hi = 50.0, 600.0
            for _ in range(20):
                r = (lo + hi) / 2
                zone = shapely.box(x - r, y - r, x + r, y + r).intersection(land)
                lo, hi = (r, hi) if zone.area < 200_000 else (lo, r)
            if zone.geom_type != "Polygon" or abs(zone.area - 200_000) > 3_000:
                continue
            passed = sum(r.passed for r in check(estate, zone, rules).results)
            key = (passed, zone.area / zone.length)
            if best is None or key > best[:2]:
                best = (*key, zone)
    assert best is not None, "no available parcel can hold 20 ha"
    return best[2]


def explore_map(estate: kitland.Estate, zone: shapely.Geometry) -> Any:
    """GeoDataFrame.explore() of the same layers, each on the previous map."""
    import geopandas as gpd  # noqa: PLC0415

    m = estate.parcels.explore(
        column="land_use", tooltip=["parcel_id", "land_use", "tenant"], name="parcels"
    )
    estate.roads.explore(m=m, color="orange", name="roads")
    estate.gates.explore(m=m, color="black", name="gates")
    estate.water.explore(m=m, color="blue", name="water")
    estate.settlements.explore(m=m, color="brown", tooltip=["name"], name="settlements")
    estate.boundary.explore(m=m, color="black", style_kwds={"fill": False}, name="boundary")
    gpd.GeoSeries([zone], crs=estate.crs).explore(m=m, color="red", name="zone")
    return m


def _route(route: Any) -> None:
    name = route.request.url.rsplit("/", 1)[-1].split("?")[0]
    if name in CDN_FILE_TO_VENDORED:
        ctype = "text/css" if name.endswith(".css") else "application/javascript"
        route.fulfill(
            status=200, body=(ASSETS / CDN_FILE_TO_VENDORED[name]).read_bytes(), content_type=ctype
        )
    elif name.endswith((".js", ".css")):
        route.fulfill(
            status=200,
            body=b"",
            content_type="text/css" if name.endswith(".css") else "application/javascript",
        )
    else:
        route.fulfill(status=200, body=PNG_1PX, content_type="image/png")


def load_times_s(ctx: Any, path: Path, runs: int) -> list[float]:
    """Seconds from navigation to the first drawn vector path, one cold page per run."""
    import re  # noqa: PLC0415

    times = []
    for _ in range(runs):
        page = ctx.new_page()
        page.route(re.compile(r"^https?://"), _route)
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 0")
        times.append(time.perf_counter() - t0)
        page.close()
    return times


def screenshot(
    ctx: Any, path: Path, map_name: str, zone: shapely.Geometry, crs: Any, out: Path
) -> None:
    """The offline map with the zone's popup open, as people first see it."""
    import pyproj  # noqa: PLC0415

    page = ctx.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_timeout(800)
    to_lonlat = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    c = zone.centroid
    lon, lat = to_lonlat.transform(c.x, c.y)
    top = shapely.Point(
        c.x, zone.bounds[3] - 15
    )  # click near the top: the popup opens above the zone
    click_lon, click_lat = to_lonlat.transform(top.x, top.y) if zone.contains(top) else (lon, lat)
    # Zone below the centre at zoom 15, so its popup opens above it without panning.
    page.evaluate(
        f"() => {{ var m = {map_name}; m.setView([{lat}, {lon}], 15, {{animate: false}});"
        "m.panBy([0, -230], {animate: false}); }"
    )
    page.wait_for_timeout(300)
    xy = page.evaluate(
        f"() => {{ var q = {map_name}.latLngToContainerPoint([{click_lat}, {click_lon}]); return [q.x, q.y]; }}"
    )
    page.mouse.click(xy[0], xy[1])
    page.wait_for_selector(".leaflet-popup-content")
    page.mouse.move(80, 720)  # onto the legend: no tooltip stays open
    page.wait_for_timeout(500)
    page.screenshot(path=str(out))
    page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--screenshot", type=Path, default=None, help="also save the offline map's picture"
    )
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    estate = kitland.load_estate()
    rules = kitland.load_rules()
    zone = illustrative_zone(estate, rules)
    report = kitland.check(estate, zone, rules)
    folder = Path(tempfile.mkdtemp(prefix="bench_map."))
    maps: dict[str, tuple[Path, float, str]] = {}
    for label, offline in (
        ("kitland make_map (online)", False),
        ("kitland make_map (offline)", True),
    ):
        t0 = time.perf_counter()
        m = make_map(estate, zone=zone, report=report, rules=rules, offline=offline)
        path = save_map(m, folder / f"{offline}.html")
        maps[label] = (path, time.perf_counter() - t0, m.get_name())
    t0 = time.perf_counter()
    em = explore_map(estate, zone)
    em.save(str(folder / "explore.html"))
    maps["GeoDataFrame.explore()"] = (
        folder / "explore.html",
        time.perf_counter() - t0,
        em.get_name(),
    )

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path="/usr/bin/chromium",
            args=ARGS,
            headless=True,
            viewport={"width": 1280, "height": 800},
        )
        print(
            f"| map | file size | build + save | load in headless Chromium (median of {args.runs}) |"
        )
        print("| --- | ---: | ---: | ---: |")
        for label, (path, build_s, _) in maps.items():
            times = load_times_s(ctx, path, args.runs)
            print(
                f"| {label} | {path.stat().st_size / 1e6:.2f} MB | {build_s:.2f} s | "
                f"{statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}) |"
            )
        if args.screenshot:
            path, _, name = maps["kitland make_map (offline)"]
            screenshot(ctx, path, name, zone, estate.crs, args.screenshot)
            print(f"screenshot: {args.screenshot}")
        ctx.close()


if __name__ == "__main__":
    main()
