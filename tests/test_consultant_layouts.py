"""A consultant's proposed zones in the formats they deliver, checked as a CI script does.

``benchmarks/make_trial10.py`` (trial 10) writes an estate as an Esri File Geodatabase in
TM-3 zone 48.1, north of the equator, and 13 zone variants: KML with heights and styles,
a Latin-1 Shapefile and MapInfo TAB/MIF in TM-3, GML with heights, CSV of lon/lat WKT
without a CRS, SQLite, GeoJSON and GeoJSON Lines, with clockwise rings, repeated vertices
and heights. Each variant's box was drawn by hand against the layout to be valid or to
break one rule (``VARIANTS``); the trial confirmed every one with shapely and networkx
alone. The test asserts that ``check`` fails exactly those rules.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import kitland
from kitland import DataError

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "make_trial10.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_trial10", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MT = _generator()
#: Each variant's zone as drawn, in the build's local metres.
DRAWN = MT._variant_zones(MT._land())


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("trial10")
    gdb = MT.write(out)
    return {"estate": kitland.load_estate(gdb), "rules": kitland.load_rules(out / "trial10_rules.toml"),
            "usulan": out / "usulan"}  # fmt: skip


def test_the_estate_is_measured_in_utm_48n(trial: dict[str, Any]) -> None:
    """North of the equator: UTM zone 48N (EPSG:32648), not 48S, from TM-3 48.1."""
    assert trial["estate"].crs.to_epsg() == 32648


@pytest.mark.parametrize(
    ("name", "breaks"), [(n, b) for n, _, b in MT.VARIANTS if b != ["unreadable"]]
)
def test_each_variant_fails_exactly_the_rule_it_breaks(
    trial: dict[str, Any], name: str, breaks: list[str]
) -> None:
    path = trial["usulan"] / name
    # the CSV of lon/lat WKT came without a CRS, as the consultant sent it
    csv = path.suffix == ".csv"
    zone = kitland.io.read_zone(path, assume_crs="EPSG:4326") if csv else path
    report = kitland.check(trial["estate"], zone, trial["rules"])
    assert [r.id for r in report.results if not r.passed] == breaks
    # the area shapely gives the drawn zone in the build's metres, after the file's
    # format, heights and CRS (lon/lat, TM-3, UTM) and kitland's reading
    assert report.zone["area_ha"] == pytest.approx(DRAWN[name].area / 10_000, abs=0.001)


def test_a_zone_drawn_as_a_closed_line_is_told_to_make_it_a_polygon(
    trial: dict[str, Any],
) -> None:
    path = trial["usulan"] / "V13_garis.geojsonl"
    with pytest.raises(
        DataError, match=r"zone geometry is a closed LineString; .* Lines to Polygons"
    ):
        kitland.check(trial["estate"], path, trial["rules"])
