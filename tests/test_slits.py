"""Parcels digitised a few centimetres apart: the slits between them are not off the land.

Trial 4: a Shapefile estate whose parcels each stop 0.15 m short of their neighbours
(0.3 m slits, as traced parcels often do). Placement's candidate land closes slits
narrower than 2·ε = 1 m between ``on`` parcels; ``check``'s ``on`` rule counted them
as off the land, so a zone across three parcels failed ``on`` and ``place`` rejected
every zone it found (no placement within the time limit on a 20 ha estate that had one
in 8 s). Estate (100 m cells, local metres)::

    y 100-200  I A A A I
    y   0-100  I A A A I      each A parcel shrunk by s on every side
"""

from __future__ import annotations

import pytest
import shapely
from conftest import ORIGIN, grid_layers
from shapely import box

from kitland import Estate
from kitland.measure import check
from kitland.placement import place
from kitland.rules import parse_rules

X0, Y0 = ORIGIN


def _estate(s: float) -> Estate:
    layers = grid_layers(["IAAAI", "IAAAI"])
    p = layers["parcels"]
    shrink = (p["land_use"] == "available").to_numpy()
    p.loc[shrink, "geometry"] = [
        box(*(b + d for b, d in zip(g.bounds, (s, s, -s, -s), strict=True)))
        for g in p.geometry[shrink]
    ]
    return Estate.from_layers(layers, source="slits", name="slits")


def _block(s: float) -> shapely.Polygon:
    """The three A columns as one box, inside the shrunk outline."""
    return box(X0 + 100 + s, Y0 + s, X0 + 400 - s, Y0 + 200 - s)


@pytest.mark.parametrize(
    ("s", "off_ha"),
    [
        (0.15, 0.0),  # 0.3 m slits: closed, as placement's candidate land closes them
        # 1.2 m slits are wider than 2·ε: land no parcel covers. Two north–south slits
        # 1.2 × 198.8 m, one east–west 1.2 × 298.8 m, less their two 1.2 × 1.2 m crossings
        (0.6, (2 * 1.2 * 198.8 + 1.2 * 298.8 - 2 * 1.2 * 1.2) / 10_000),
    ],
)
def test_the_on_rule_closes_slits_narrower_than_two_epsilon(s: float, off_ha: float) -> None:
    rules = parse_rules({"zone": {"area_ha": 6, "tolerance_ha": 0.5}})
    on = check(_estate(s), _block(s), rules)["on"]
    assert on.value == pytest.approx(off_ha, abs=1e-6)
    assert on.passed == (off_ha <= 0.01)


def test_place_finds_the_zone_across_slit_parcels_and_check_passes_it() -> None:
    est = _estate(0.15)
    rules = parse_rules({"zone": {"area_ha": 5.95, "tolerance_ha": 0.05},
                         "rules": [{"kind": "contiguous"}]})  # fmt: skip
    res = place(est, rules, cell_m=50, time_limit_s=60)
    assert res.found and res.zone is not None
    assert res.report.passed
    # the only land of 5.9 ha or more: the three A columns, 299.7 × 199.7 m
    assert res.zone.area == pytest.approx(299.7 * 199.7, rel=1e-6)
    assert shapely.symmetric_difference(res.zone, _block(0.15)).area < 1.0
