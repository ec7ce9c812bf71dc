"""kitland.validate and kitland.validation.repair on small estates written to real files.

Every finding is triggered by a fixture built in code (conftest ``grid_layers``: 100 m
cells whose south-west corner is ``ORIGIN`` in EPSG:32749), written to a GeoPackage, a
GeoJSON folder or a Shapefile folder, loaded back with ``strict=False`` and validated.
Expected areas and positions are computed by hand from the grid.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import shapely.affinity
from conftest import ORIGIN, grid_layers, write_layers
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon, box

import kitland
from kitland import DataError, Estate, load_estate
from kitland.validation import NORMS, ValidationReport, repair, validate

X0, Y0 = ORIGIN
DRIVERS = ["GPKG", "GeoJSON", "ESRI Shapefile"]


def cell(c: int, r: int, n_rows: int = 3) -> Polygon:
    """The 100 m grid cell of column c, row r (row 0 at the top), in EPSG:32749."""
    y = (n_rows - 1 - r) * 100
    return box(X0 + c * 100, Y0 + y, X0 + (c + 1) * 100, Y0 + y + 100)


def set_geom(layers: dict[str, gpd.GeoDataFrame], pid: str, geom: shapely.Geometry) -> None:
    p = layers["parcels"]
    p.loc[p["parcel_id"] == pid, "geometry"] = geom


def roundtrip(layers: dict[str, gpd.GeoDataFrame], tmp_path: Path, driver: str = "GPKG") -> Estate:
    target = tmp_path / ("estate.gpkg" if driver == "GPKG" else f"estate_{driver[:3]}")
    write_layers(layers, target, driver)
    return load_estate(target, strict=False)


def by_code(report: ValidationReport, code: str) -> list:
    return [f for f in report.findings if f.code == code]


@pytest.fixture
def clean() -> dict[str, gpd.GeoDataFrame]:
    """A 4 × 3 grid meeting all four norms is hard at this size; it has no data errors."""
    return grid_layers(["IIAA", "IIAA", "GGAA"])


# -- a clean estate ---------------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_clean_grid_has_no_errors(clean: dict, tmp_path: Path, driver: str) -> None:
    report = validate(roundtrip(clean, tmp_path, driver))
    assert report.errors == ()
    assert not report.has_errors
    assert report.area_ha == pytest.approx(12.0)


# -- one fixture per finding ------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_bowtie_parcel_is_invalid_with_shapely_reason(
    clean: dict, tmp_path: Path, driver: str
) -> None:
    x, y = X0, Y0 + 200
    set_geom(clean, "P0_0", Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)]))
    report = validate(roundtrip(clean, tmp_path, driver))
    (f,) = by_code(report, "invalid-geometry")
    assert (f.severity, f.layer, f.feature) == ("error", "parcels", "P0_0")
    assert "Self-intersection" in f.message
    assert f"{x + 50:.0f} {y + 50:.0f}" in f.message  # the crossing point, from shapely's reason


def test_overlapping_parcels_report_the_overlap_area(clean: dict, tmp_path: Path) -> None:
    # P0_0 grows 30 m east into P0_1: overlap 30 m × 100 m = 3,000 m² = 0.3 ha.
    set_geom(clean, "P0_0", box(X0, Y0 + 200, X0 + 130, Y0 + 300))
    report = validate(roundtrip(clean, tmp_path))
    (f,) = by_code(report, "overlap")
    assert f.feature == "P0_0, P0_1"
    assert "3,000.0 m²" in f.message
    assert "0.3000 ha" in f.message
    assert by_code(report, "gap") == []


def test_parcel_inside_another_is_an_overlap(clean: dict, tmp_path: Path) -> None:
    # A duplicate of a parcel's geometry does not "overlap" in DE-9IM terms; still reported.
    extra = gpd.GeoDataFrame(
        {"parcel_id": ["dup"], "land_use": ["green"]}, geometry=[cell(3, 2)], crs=32749
    )
    clean["parcels"] = gpd.GeoDataFrame(
        [*clean["parcels"].to_dict("records"), *extra.to_dict("records")], crs=32749
    )
    (f,) = by_code(validate(roundtrip(clean, tmp_path)), "overlap")
    assert "10,000.0 m²" in f.message
    assert set(f.feature.split(", ")) == {"P2_3", "dup"}


def test_touching_neighbours_do_not_overlap(tmp_path: Path) -> None:
    layers = grid_layers(["IIII", "IIII", "IIII"])
    assert by_code(validate(roundtrip(layers, tmp_path)), "overlap") == []


@pytest.mark.parametrize(("width_m", "code"), [(0.05, "overlap-slit"), (0.9, "overlap-slit"), (1.5, "overlap")])
def test_an_overlap_narrower_than_a_slit_is_a_warning(
    clean: dict, tmp_path: Path, width_m: float, code: str
) -> None:
    """Parcels drawn over each other by less than 1 m everywhere (a long shared edge bent
    by a reprojection or a format's coordinate grid): a warning, as a slit is, not the
    ``overlap`` error. P0_0 reaches ``width_m`` into P0_1 along their whole 100 m edge,
    ``100 × width_m`` m² (5, 90 and 150 m², all above the 1 m² floor)."""
    set_geom(clean, "P0_0", box(X0, Y0 + 200, X0 + 100 + width_m, Y0 + 300))
    report = validate(roundtrip(clean, tmp_path))
    (f,) = [f for f in report.findings if f.code in ("overlap", "overlap-slit")]
    assert (f.code, f.feature) == (code, "P0_0, P0_1")
    assert f.severity == ("error" if code == "overlap" else "warning")
    assert f"overlap by {100 * width_m:,.1f} m²" in f.message
    if code == "overlap-slit":
        assert "under 1 m wide everywhere" in f.message
        assert "bertumpang tindih" in f.text("id") and report.errors == ()


def test_gap_reports_area_and_centre(tmp_path: Path) -> None:
    layers = grid_layers(["IIAA", "I.AA", "GGAA"])  # row 1, column 1 missing
    report = validate(roundtrip(layers, tmp_path))
    (f,) = by_code(report, "gap")
    assert f.severity == "error"
    assert "10,000 m² (1.0000 ha)" in f.message
    # centre of the missing cell: x = 150, y = 150 in local metres
    assert f"E {X0 + 150:,.0f} N {Y0 + 150:,.0f}" in f.message


@pytest.mark.parametrize(("apart_m", "code"), [(0.8, "slit"), (1.5, "gap")])
def test_parcels_digitised_apart_leave_a_slit_not_a_gap(
    clean: dict, tmp_path: Path, apart_m: float, code: str
) -> None:
    # The west column of 100 m parcels (0, 4, 8 of the 4 × 3 grid) pulled west by apart_m,
    # boundary kept: a strip apart_m × 300 m opens between it and the next column. Under
    # 1 m wide (2ε) it is a slit, a warning; wider, a gap (an error).
    p = clean["parcels"]
    for i in (0, 4, 8):
        p.loc[i, "geometry"] = shapely.affinity.translate(p.geometry.iloc[i], -apart_m, 0)
    report = validate(roundtrip(clean, tmp_path))
    (f,) = [f for f in report.findings if f.code in ("slit", "gap")]
    assert f.code == code
    assert f.severity == ("warning" if code == "slit" else "error")
    if code == "slit":
        assert f.message.startswith(
            f"{tmp_path / 'estate.gpkg'} layer 'boundary': a slit 300 m long and under 1 m wide "
            "between parcels (240 m²), centred at E "
        )
        assert f.message.endswith("parcels digitised apart; the rules count it as the parcels' land")


def test_gap_threshold_is_one_hundredth_of_a_hectare(clean: dict, tmp_path: Path) -> None:
    # Two notches cut from corners of P0_0 (top-left) and P2_3 (bottom-right): 9 × 9 m = 81 m²
    # (below 0.01 ha, ignored) and 11 × 11 m = 121 m² (reported).
    p00 = cell(0, 0)
    set_geom(clean, "P0_0", p00.difference(box(X0, Y0 + 291, X0 + 9, Y0 + 300)))
    set_geom(clean, "P2_3", cell(3, 2).difference(box(X0 + 389, Y0, X0 + 400, Y0 + 11)))
    (f,) = by_code(validate(roundtrip(clean, tmp_path)), "gap")
    assert "121 m²" in f.message


def test_parcel_outside_the_boundary(clean: dict, tmp_path: Path) -> None:
    # P2_3 reaches 20 m beyond the east edge: 20 × 100 = 2,000 m² outside, 1/6 of 12,000 m².
    set_geom(clean, "P2_3", box(X0 + 300, Y0, X0 + 420, Y0 + 100))
    (f,) = by_code(validate(roundtrip(clean, tmp_path)), "outside-boundary")
    assert f.feature == "P2_3"
    assert "2,000.0 m² (0.2000 ha, 17% of the parcel)" in f.message


@pytest.mark.parametrize(("past_m", "found"), [(0.05, False), (0.4, False), (2.0, True)])
def test_a_parcel_past_the_boundary_by_rounding_is_no_error(
    clean: dict, tmp_path: Path, past_m: float, found: bool
) -> None:
    """A boundary kept as rounded lon/lat (a KML's 7 decimals, 1 cm) and a parcel drawn
    to it in metres: P2_3 pokes ``past_m`` past the east edge along its 100 m, a wedge
    of 100 × past_m / 2 m² (2.5 m² at 5 cm, 20 m² at 0.4 m: more than 1 m² either way;
    main reports both). Within ε = 0.5 m of the boundary it is no error; a wedge reaching
    2 m is (56 m² of it farther than ε), with all the 100 m² it has outside."""
    wedge = Polygon([(X0 + 300, Y0), (X0 + 400, Y0), (X0 + 400 + past_m, Y0 + 100),
                     (X0 + 300, Y0 + 100)])  # fmt: skip
    set_geom(clean, "P2_3", wedge)
    got = by_code(validate(roundtrip(clean, tmp_path)), "outside-boundary")
    assert [f.feature for f in got] == (["P2_3"] if found else [])
    if found:
        assert f"{100 * past_m / 2:,.1f} m²" in got[0].message


@pytest.mark.parametrize("driver", DRIVERS)
def test_duplicate_and_empty_parcel_ids(clean: dict, tmp_path: Path, driver: str) -> None:
    ids = clean["parcels"]["parcel_id"].tolist()
    ids[1] = "P0_0"  # duplicate of row 0
    ids[2] = ""  # empty text
    ids[3] = None  # NULL
    clean["parcels"]["parcel_id"] = ids
    report = validate(roundtrip(clean, tmp_path, driver))
    (dup,) = by_code(report, "duplicate-id")
    assert dup.feature == "P0_0"
    assert "2 parcels (rows 0, 1)" in dup.message
    assert sorted(f.feature for f in by_code(report, "empty-id")) == ["#2", "#3"]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("INDUSTRI", "'industrial'"),
        ("indstrial", "'industrial'"),
        ("hijau", "'green'"),
        ("zzz", None),
    ],
)
def test_unknown_land_use_suggests_the_nearest(
    clean: dict, tmp_path: Path, value: str, hint: str | None
) -> None:
    clean["parcels"].loc[0, "land_use"] = value
    (f,) = by_code(validate(roundtrip(clean, tmp_path)), "unknown-land-use")
    assert f.feature == "P0_0"
    assert repr(value.lower()) in f.message  # coded values are read in lower case
    if hint:
        assert f"did you mean {hint}?" in f.message
    else:
        assert "did you mean" not in f.message
    assert "expected one of industrial, commercial" in f.message


def test_unknown_road_class_and_kinds(tmp_path: Path) -> None:
    layers = grid_layers(
        ["IIAA", "IIAA", "GGAA"],
        roads=[
            (
                LineString([(0, -10), (400, -10)]),
                {"road_id": "r1", "road_class": "arteri", "width_m": 30},
            )
        ],
        gates=[(Point(0, -10), {"gate_id": "g1", "kind": "estate gate"})],
        water=[(LineString([(0, 350), (400, 350)]), {"name": "sea", "kind": "coastline"})],
    )
    report = validate(roundtrip(layers, tmp_path))
    (road,) = by_code(report, "unknown-road-class")
    assert (road.layer, road.feature) == ("roads", "r1")
    assert "did you mean 'arterial'?" in road.message
    kinds = {f.layer: f for f in by_code(report, "unknown-kind")}
    assert "did you mean 'estate_gate'?" in kinds["gates"].message
    assert "did you mean 'coast'?" in kinds["water"].message


def test_missing_required_column(clean: dict, tmp_path: Path) -> None:
    clean["parcels"] = clean["parcels"].drop(columns="land_use")
    path = write_layers(clean, tmp_path / "e.gpkg")
    with pytest.raises(
        DataError, match=r"e\.gpkg layer 'parcels'.*missing required column 'land_use'"
    ):
        load_estate(path)
    report = validate(load_estate(path, strict=False))
    (f,) = by_code(report, "missing-column")
    assert (f.severity, f.layer) == ("error", "parcels")
    assert by_code(report, "missing-value") == []  # not repeated once per parcel


def test_missing_values_in_required_columns(clean: dict, tmp_path: Path) -> None:
    clean["parcels"].loc[4, "land_use"] = None
    (f,) = by_code(validate(roundtrip(clean, tmp_path)), "missing-value")
    assert f.feature == "P1_0"
    assert "no land_use" in f.message


def test_missing_required_layer(clean: dict, tmp_path: Path) -> None:
    del clean["boundary"]
    path = write_layers(clean, tmp_path / "e.gpkg")
    with pytest.raises(DataError, match="required layer 'boundary' is missing"):
        load_estate(path)
    (f,) = by_code(validate(load_estate(path, strict=False)), "missing-layer")
    assert (f.severity, f.layer) == ("error", "boundary")


@pytest.mark.parametrize("driver", ["GPKG", "GeoJSON"])
def test_points_in_the_parcels_layer(clean: dict, tmp_path: Path, driver: str) -> None:
    p = clean["parcels"]
    p.loc[5, "geometry"] = Point(X0 + 150, Y0 + 150)  # P1_1 becomes a point
    report = validate(roundtrip(clean, tmp_path, driver))
    (f,) = by_code(report, "wrong-geometry-type")
    assert f.feature == "P1_1"
    assert "geometry is a Point; the parcels layer holds Polygon or MultiPolygon" in f.message
    (gap,) = by_code(report, "gap")  # the point covers nothing
    assert "10,000 m²" in gap.message


def test_lines_in_the_gates_layer(tmp_path: Path) -> None:
    layers = grid_layers(
        ["IIAA"], gates=[(LineString([(0, 0), (10, 0)]), {"gate_id": "g1", "kind": "estate_gate"})]
    )
    (f,) = by_code(validate(roundtrip(layers, tmp_path)), "wrong-geometry-type")
    assert (f.layer, f.feature) == ("gates", "g1")


def test_empty_layers(clean: dict, tmp_path: Path) -> None:
    empty_gates = gpd.GeoDataFrame(
        {"gate_id": ["g"], "kind": ["estate_gate"]}, geometry=[Point(X0, Y0)], crs=32749
    ).iloc[:0]
    clean["gates"] = empty_gates
    with pytest.warns(UserWarning, match="empty DataFrame"):
        path = write_layers(clean, tmp_path / "e.gpkg")
    (f,) = by_code(validate(load_estate(path, strict=False)), "empty-layer")
    assert (f.severity, f.layer) == ("warning", "gates")


def test_empty_required_layer_is_an_error(clean: dict, tmp_path: Path) -> None:
    clean["parcels"] = clean["parcels"].iloc[:0]
    with pytest.warns(UserWarning, match="empty DataFrame"):
        path = write_layers(clean, tmp_path / "e.gpkg")
    report = validate(load_estate(path, strict=False))
    (f,) = by_code(report, "empty-layer")
    assert (f.severity, f.layer) == ("error", "parcels")
    # the whole boundary is uncovered: the empty layer says it, no "gap" besides
    assert [g.code for g in report.errors] == ["empty-layer"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_null_geometry_is_reported_and_ignored(clean: dict, tmp_path: Path, driver: str) -> None:
    clean["parcels"].loc[11, "geometry"] = None  # P2_3
    estate = roundtrip(clean, tmp_path, driver)
    assert len(estate.parcels) == 11
    report = validate(estate)
    (f,) = by_code(report, "empty-geometry")
    assert f.feature == "P2_3"
    assert "NULL or empty" in f.message
    (gap,) = by_code(report, "gap")
    assert f"E {X0 + 350:,.0f} N {Y0 + 50:,.0f}" in gap.message


def test_road_width_problems(tmp_path: Path) -> None:
    line = LineString([(0, -10), (400, -10)])
    layers = grid_layers(
        ["IIAA"],
        roads=[
            (line, {"road_id": "ok", "road_class": "local", "width_m": None}),
            (line, {"road_id": "wide", "road_class": "local", "width_m": 250.0}),
            (line, {"road_id": "narrow", "road_class": "local", "width_m": 1.5}),
            (line, {"road_id": "none", "road_class": "lane", "width_m": None}),
        ],
    )
    report = validate(roundtrip(layers, tmp_path))
    widths = {f.feature: f for f in by_code(report, "road-width")}
    assert set(widths) == {"wide", "narrow", "none"}
    assert widths["none"].severity == "error"
    assert widths["wide"].severity == widths["narrow"].severity == "warning"


def test_negative_road_width_is_bad_input(tmp_path: Path) -> None:
    layers = grid_layers(
        ["IIAA"],
        roads=[
            (
                LineString([(0, -10), (400, -10)]),
                {"road_id": "r9", "road_class": "local", "width_m": -4.0},
            )
        ],
    )
    path = write_layers(layers, tmp_path / "e.gpkg")
    with pytest.raises(DataError, match=r"road r9 has width_m = -4\.0; widths must be positive"):
        load_estate(path, strict=False)


@pytest.mark.parametrize(
    ("width", "said"),
    [("32,5", r"width_m = '32,5', not a number; write metres with a decimal point \(32\.5\)"),
     ("12 m", r"width_m = '12 m', not a number; give metres \(12\.5\) or leave it empty")],
)  # fmt: skip
def test_a_road_width_typed_as_text_is_bad_input(tmp_path: Path, width: str, said: str) -> None:
    """Trial 11: a developer's width column of text, "32,5" with Bahasa Indonesia's
    decimal comma, was read as no width and silently given the arterial's 30 m. Now it
    is bad input naming the road; a number written as text ("12") and an empty cell (the
    class default, 12 m for a local road) still read."""
    roads = [(LineString([(0, -10), (400, -10)]), {"road_id": "r1", "road_class": "arterial",
                                                   "width_m": width}),
             (LineString([(0, 310), (400, 310)]), {"road_id": "r2", "road_class": "local",
                                                   "width_m": "12"}),
             (LineString([(0, 410), (400, 410)]), {"road_id": "r3", "road_class": "local",
                                                   "width_m": ""})]  # fmt: skip
    path = write_layers(grid_layers(["IIAA"], roads=roads), tmp_path / "e.gpkg")
    with pytest.raises(DataError, match=r"road r1 has " + said):
        load_estate(path, strict=False)
    roads[0][1]["width_m"] = "32.5"
    path = write_layers(grid_layers(["IIAA"], roads=roads), tmp_path / "ok.gpkg")
    assert load_estate(path).roads["width_m"].tolist() == [32.5, 12.0, 12.0]


def test_every_problem_is_collected_at_once(tmp_path: Path) -> None:
    layers = grid_layers(["IIAA", "I.AA", "GGAA"])
    p = layers["parcels"]
    p.loc[0, "land_use"] = "industri"
    p.loc[1, "parcel_id"] = "P0_0"
    p.loc[2, "geometry"] = cell(2, 0).buffer(20, join_style="mitre")
    codes = set(validate(roundtrip(layers, tmp_path)).codes())
    assert {"unknown-land-use", "duplicate-id", "gap", "overlap", "outside-boundary"} <= codes


# -- norms and the land budget ----------------------------------------------------


def test_norms_met_on_a_balanced_layout(tmp_path: Path) -> None:
    # 10 cells of 1 ha: 7 industrial (70 %, the bound itself), green, road, commercial 10 % each.
    report = validate(roundtrip(grid_layers(["IIIIIIIGRC"]), tmp_path))
    assert report.findings == ()
    assert [n.passed for n in report.norms] == [True, True, True, True]
    assert [round(n.share_pct, 6) for n in report.norms] == [70.0, 10.0, 10.0, 10.0]
    assert report.norms_met


def test_norm_breaches_are_warnings_not_errors(tmp_path: Path) -> None:
    # 8 industrial (80 %), no green, 1 road (10 %), 1 available: supporting 0 %.
    report = validate(roundtrip(grid_layers(["IIIIIIIIRA"]), tmp_path))
    assert not report.has_errors
    codes = {f.code: f for f in report.warnings}
    assert set(codes) == {"norm-industrial", "norm-green", "norm-supporting"}
    assert "80.0% of the estate (8.0 ha); the norm is ≤ 70%" in codes["norm-industrial"].message
    assert [n.passed for n in report.norms] == [False, False, True, False]


def test_supporting_facilities_sum_four_land_uses(tmp_path: Path) -> None:
    # commercial, utility, residential, umkm: 1 ha each of 40 ha = 10 %; available counts for none.
    rows = ["IIIIIIIIII", "IIIIIIIIII", "IIIIIIIGGG", "GRRRRCUHKA"]
    report = validate(roundtrip(grid_layers(rows), tmp_path))
    supporting = next(n for n in report.norms if n.norm.key == "supporting")
    assert supporting.area_ha == pytest.approx(4.0)
    assert supporting.share_pct == pytest.approx(10.0)
    assert report.budget.loc["available", "norm"] == ""
    assert report.budget.loc["umkm", "norm"] == "supporting facilities"
    assert report.norms_met


def test_roads_norm_falls_back_to_corridors(tmp_path: Path) -> None:
    # No road parcels; one road 100 m wide across a 1 km × 1 km estate: 10 ha of 100 ha = 10 %.
    layers = grid_layers(
        ["I" * 10] * 10,
        roads=[
            (
                LineString([(0, 500), (1000, 500)]),
                {"road_id": "r", "road_class": "arterial", "width_m": 100},
            )
        ],
    )
    roads = next(n for n in validate(roundtrip(layers, tmp_path)).norms if n.norm.key == "roads")
    assert roads.share_pct == pytest.approx(10.0)
    assert roads.basis.startswith("road corridors")


def test_norm_table_is_the_documented_one() -> None:
    assert [(n.key, n.min_pct, n.max_pct) for n in NORMS] == [
        ("industrial", None, 70.0),
        ("green", 10.0, None),
        ("roads", 8.0, 12.0),
        ("supporting", 6.0, 12.0),
    ]


# -- outputs ----------------------------------------------------------------------


def test_text_json_and_html(tmp_path: Path) -> None:
    layers = grid_layers(["IIAA", "I.AA", "GGAA"])
    report = validate(roundtrip(layers, tmp_path))
    text = report.to_text()
    lines = text.splitlines()
    assert any(line.startswith("ERROR   gap") for line in lines)
    assert "✓  industrial plots" in text
    assert "✗  roads" in text
    assert "FAIL: 1 error" in lines[-1]
    d = json.loads(report.to_json())
    assert d["passed"] is False
    assert d["errors"] == 1
    assert d["findings"][0]["code"] == "gap"
    assert {b["land_use"] for b in d["budget"]} == {"industrial", "available", "green"}
    assert [n["norm"] for n in d["norms"]] == ["industrial", "green", "roads", "supporting"]
    assert "<table>" in report._repr_html_()
    assert repr(report).startswith("<ValidationReport 'estate': FAIL: 1 error")


def test_validation_is_idempotent(tmp_path: Path) -> None:
    layers = grid_layers(["IIAA", "I.AA", "GGAA"])
    layers["parcels"].loc[0, "land_use"] = "industri"
    estate = roundtrip(layers, tmp_path)
    first, second = validate(estate), validate(estate)
    assert first.to_json() == second.to_json()
    assert first.to_text() == second.to_text()
    assert first.findings == second.findings


# -- repair -----------------------------------------------------------------------


def test_repair_fixes_a_copy_and_keeps_polygons(clean: dict, tmp_path: Path) -> None:
    # A square with a spike: make_valid gives the square and a line; the line is dropped.
    x, y = X0, Y0 + 200
    spike = Polygon(
        [
            (x, y),
            (x + 100, y),
            (x + 100, y + 100),
            (x + 100, y + 150),
            (x + 100, y + 100),
            (x, y + 100),
        ]
    )
    set_geom(clean, "P0_0", spike)
    estate = roundtrip(clean, tmp_path)
    before = estate.parcels.geometry.copy()
    fixed = repair(estate)
    assert fixed is not estate
    assert estate.parcels.geometry.geom_equals_exact(before, tolerance=0).all()  # input untouched
    assert not estate.parcels.is_valid.all()
    assert fixed.parcels.is_valid.all()
    assert fixed.parcels.geom_type.tolist() == ["Polygon"] * 12
    assert float(fixed.parcels.area.iloc[0]) == pytest.approx(10_000.0)
    assert validate(fixed).errors == ()


def test_repair_keeps_each_layers_geometry_family(caplog: pytest.LogCaptureFixture) -> None:
    layers = grid_layers(["IIAA"])
    x, y = X0, Y0 + 200
    bowtie_pond = Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])
    stub = LineString([(X0, Y0), (X0, Y0)])  # invalid: too few distinct points
    layers["water"] = gpd.GeoDataFrame(
        {"name": ["pond", "canal"], "kind": ["pond", "canal"]},
        geometry=[bowtie_pond, LineString([(X0, Y0 - 5), (X0 + 400, Y0 - 5)])],
        crs=32749,
    )
    layers["roads"] = gpd.GeoDataFrame(
        {"road_id": ["stub", "main"], "road_class": ["local", "local"]},
        geometry=[stub, LineString([(X0, Y0 - 20), (X0 + 400, Y0 - 20)])],
        crs=32749,
    )
    est = Estate.from_layers(layers)
    with caplog.at_level("WARNING", logger="kitland.validation"):
        fixed = repair(est)
    assert fixed.water.geom_type.tolist() == ["MultiPolygon", "LineString"]
    assert float(fixed.water.area.iloc[0]) == pytest.approx(
        5_000.0
    )  # two triangles of 50 m × 100 m
    assert fixed.roads["road_id"].tolist() == ["main"]  # the stub has no length left: dropped
    assert "stub has no area or length left after repair; dropped" in caplog.text
    assert len(est.roads) == 2  # the input is unchanged
    assert fixed.parcels.equals(est.parcels)


# -- properties -------------------------------------------------------------------

_rows = st.integers(1, 4).flatmap(
    lambda n_cols: st.lists(
        st.text(alphabet="IAGCURK.", min_size=n_cols, max_size=n_cols), min_size=1, max_size=4
    )
)


@settings(max_examples=25, deadline=None)
@given(rows=_rows, shift_m=st.floats(-60, 60), bad=st.booleans())
def test_properties_idempotent_and_gap_area(rows: list[str], shift_m: float, bad: bool) -> None:
    """Validating twice gives the same report; reported gaps add up to the uncovered area."""
    if not any(ch != "." for row in rows for ch in row):
        rows = ["I" + rows[0][1:]]
    layers = grid_layers(rows)
    p = layers["parcels"]
    p.loc[0, "geometry"] = shapely.affinity.translate(p.geometry.iloc[0], shift_m, 0)
    if bad:  # turn parcel 0 into a bow-tie over its own cell
        x0, y0, x1, y1 = p.geometry.iloc[0].bounds
        p.loc[0, "geometry"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    est = Estate.from_layers(layers)
    first, second = validate(est), validate(est)
    assert first.to_json() == second.to_json()
    assert ("invalid-geometry" in first.codes()) == bad
    # Independent: every uncovered piece > 0.01 ha is one gap finding, or a slit when
    # it is at most 1 m wide everywhere (the largest circle inside it; area over half
    # perimeter, a strip's width only when it is long, called a 1.008 m × 100 m strip
    # a slit).
    covered = shapely.union_all(shapely.make_valid(p.geometry.to_numpy()))
    holes = shapely.get_parts(est.boundary_union.difference(covered))
    big = holes[shapely.area(holes) > 100]
    thin = 2 * shapely.length(shapely.maximum_inscribed_circle(big, 0.001)) <= 1.0
    assert len(by_code(first, "gap")) == int((~thin).sum())
    assert len(by_code(first, "slit")) == int(thin.sum())
    assert validate(repair(est)).codes().count("invalid-geometry") == 0


def test_outside_indonesia_only_for_data_in_an_indonesian_grid(tmp_path: Path) -> None:
    from conftest import grid_layers  # noqa: PLC0415

    from kitland import Estate  # noqa: PLC0415

    hamburg = grid_layers(["IA"], origin=(500_000.0, 5_930_000.0), crs=32632)  # UTM 32N, right
    assert "outside-indonesia" not in validate(Estate.from_layers(hamburg)).codes()
    mislabelled = grid_layers(["IA"], origin=(500_000.0, 5_930_000.0), crs=32749)  # 49S, wrong
    assert "outside-indonesia" in validate(Estate.from_layers(mislabelled)).codes()
    # Estates off Java in their own Indonesian grids are where they should be: Balikpapan
    # (lon 116.8, lat -1.26) in TM-3 zone 50.1 (central meridian 115.5°, false easting
    # 200,000 m, false northing 1,500,000 m: about 200,000 + 1.3° · 111 km, 1,500,000 −
    # 1.26° · 110.6 km) and Palembang (lon 104.75, lat -2.99) in UTM 48S.
    for crs, origin in ((23837, (344_700.0, 1_360_700.0)), (32748, (472_200.0, 9_669_400.0))):
        (tmp_path / str(crs)).mkdir()
        estate = roundtrip(grid_layers(["IA"], origin=origin, crs=crs), tmp_path / str(crs))
        report = validate(estate)
        assert "outside-indonesia" not in report.codes()
        assert "outside-crs-area" not in report.codes()


@pytest.mark.parametrize("driver", DRIVERS)
def test_parcels_without_land_use_are_one_budget_row_in_either_language(
    clean: dict, tmp_path: Path, driver: str
) -> None:
    # Two 1 ha parcels with no land use, one null and one blank: the budget counts them
    # in one row, named in the report's language (it showed a nameless row and "(none)").
    clean["parcels"].loc[0, "land_use"] = None
    clean["parcels"].loc[1, "land_use"] = "  "
    report = validate(roundtrip(clean, tmp_path, driver))
    assert len(by_code(report, "missing-value")) == 2
    row = report.budget.loc["(none)"]
    assert (row["area_ha"], int(row["parcels"])) == (pytest.approx(2.0), 2)
    assert "" not in report.budget.index and "  " not in report.budget.index
    budget_lines = lambda lang: report.to_text(lang).split("\n\n")[1].splitlines()  # noqa: E731
    assert budget_lines("en")[-1].split() == ["(none)", "2.00", "16.7%", "2"]
    assert budget_lines("id")[-1].split() == ["(tidak", "diisi)", "2,00", "16,7%", "2"]


def test_coded_values_ignore_case_and_spaces(clean: dict, tmp_path: Path) -> None:
    clean["parcels"].loc[0, "land_use"] = "Industrial "
    report = validate(roundtrip(clean, tmp_path))
    assert "unknown-land-use" not in report.codes()
    assert (
        report.budget.loc["industrial", "parcels"]
        == (clean["parcels"]["land_use"].str.strip().str.lower() == "industrial").sum()
    )


def test_norms_not_judged_while_land_uses_are_unknown(clean: dict, tmp_path: Path) -> None:
    clean["parcels"]["land_use"] = clean["parcels"]["land_use"].replace("industrial", "pabrik")
    report = validate(roundtrip(clean, tmp_path))
    assert "unknown-land-use" in report.codes()
    assert all(n.passed is None for n in report.norms)  # not "✓ industrial 0 %"
    assert not report.norms_met
    assert "not judged" in report.to_text()


def test_road_ends_short_of_a_junction_and_roads_apart_are_warned(tmp_path: Path) -> None:
    """A collector along the south (centre line y = −10, 20 m wide) and local roads from
    the north: ``short`` stops 4 m before its centre line (inside the corridor, 10 m
    half width), ``on`` ends on it, ``over`` crosses it, ``spur`` touches nothing. Only
    ``short`` is an unjoined end, and ``short`` and ``spur`` are apart from the network; kitland's
    own road network (the second method) has a dead end where ``short`` stops and three
    connected parts."""
    roads = [
        (LineString([(-50, -10), (400, -10)]), {"road_id": "coll", "road_class": "collector"}),
        (LineString([(100, 300), (100, -6)]), {"road_id": "short", "road_class": "local"}),
        (LineString([(200, 300), (200, -10)]), {"road_id": "on", "road_class": "local"}),
        (LineString([(300, 300), (300, -15)]), {"road_id": "over", "road_class": "local"}),
        (LineString([(20, 250), (60, 250)]), {"road_id": "spur", "road_class": "local"}),
    ]
    est = roundtrip(grid_layers(["IIAA", "IIAA", "GGAA"], roads=roads), tmp_path)
    report = validate(est)
    ends = by_code(report, "unjoined-road-end")
    assert [(f.feature, f.severity) for f in ends] == [("short", "warning")]
    assert "ends 4.0 m from the centre line of road coll, inside its corridor" in ends[0].message
    apart = by_code(report, "road-apart")
    assert [(f.feature, f.severity) for f in apart] == [("short", "warning"), ("spur", "warning")]
    # collector 450 + on 310 + over 315 = 1,075 m joined; short 306 m, spur 40 m
    assert "306 m of road joined to none of the other 1,075 m" in apart[0].message
    assert "40 m of road joined to none of the other 1,075 m" in apart[1].message
    from kitland.network import RoadNetwork  # noqa: PLC0415

    net = RoadNetwork.from_estate(est)
    x0, y0 = ORIGIN
    end = int(((net.node_xy - [x0 + 100, y0 - 6]) ** 2).sum(axis=1).argmin())
    assert net.graph.degree[end] == 1
    import networkx as nx  # noqa: PLC0415

    assert nx.number_connected_components(net.graph) == 3


def test_a_gate_off_every_road_is_warned_with_the_leg_left_out(tmp_path: Path) -> None:
    """A collector along the south (centre line y = −10, 20 m wide: corridor y −20 .. 0,
    x −50 .. 400) and a local road up x = 200. ``on`` stands on the centre line, ``kerb``
    1 m past the corridor's edge (within SPEC §3's reach, ε + 1 m), ``off`` 42 m past it
    (52 m from the centre line), ``west`` 30 m past the collector's end. network_distance
    snaps a gate to its nearest road point: kitland's own network (the second method)
    puts ``off`` and ``west`` 52 m and 30 m from it, distances the roads do not count."""
    roads = [
        (LineString([(-50, -10), (400, -10)]), {"road_id": "coll", "road_class": "collector"}),
        (LineString([(200, 300), (200, -10)]), {"road_id": "loc", "road_class": "local"}),
    ]
    gates = [
        (Point(50, -10), {"gate_id": "on", "kind": "estate_gate"}),
        (Point(50, 1), {"gate_id": "kerb", "kind": "estate_gate"}),
        (Point(50, 42), {"gate_id": "off", "kind": "estate_gate"}),
        (Point(-80, -10), {"gate_id": "west", "kind": "toll_exit"}),
    ]
    est = roundtrip(grid_layers(["IIAA", "IIAA", "GGAA"], roads=roads, gates=gates), tmp_path)
    found = by_code(validate(est), "gate-off-road")
    assert [(f.feature, f.severity) for f in found] == [("off", "warning"), ("west", "warning")]
    assert "the gate lies 52.0 m from the nearest road centre line (coll)" in found[0].message
    assert "leave these 30.0 m out" in found[1].message
    assert "gerbang terletak 52,0 m dari garis sumbu jalan terdekat (coll)" in found[0].text("id")
    from kitland.network import RoadNetwork  # noqa: PLC0415

    gaps = RoadNetwork.from_estate(est).snap(est.gates.geometry.to_numpy()).gap_m
    assert gaps.round(6).tolist() == [0.0, 11.0, 52.0, 30.0]


def test_a_road_drawn_as_its_corridor_outline_is_an_error(tmp_path: Path) -> None:
    """A consultant's CAD draws a road as its corridor's outline, a closed polyline
    (GDAL reads a DXF's closed polyline as a closed LineString): ``cad1`` is the
    12 m corridor of a 400 m local road along y = −6 .. 6 (its inside is 12 m wide,
    the largest circle in it 12 m across). kitland would buffer that outline by 6 m: a
    412 m × 24 m band less its four rounded corners, (4 − π) · 6² m², against the
    400 m × 12 m drawn (the second method below). A loop road around a 100 m × 100 m
    block and a roundabout of 5 m radius (a circle, π × 10 m around) are closed lines
    too, and are not outlines; nor is the centre line. Only the outline is an error, and it stops check and place."""
    outline = box(0, -6, 400, 6).exterior
    roads = [
        (LineString(outline.coords), {"road_id": "cad1", "road_class": "local"}),
        (LineString(box(-150, 0, -50, 100).exterior.coords), {"road_id": "loop", "road_class": "local"}),
        (LineString(Point(-100, -100).buffer(5).exterior.coords), {"road_id": "round", "road_class": "local"}),
        (LineString([(0, 320), (400, 320)]), {"road_id": "centre", "road_class": "local"}),
    ]
    layers = grid_layers(["IIAA", "IIAA", "GGAA"], roads=roads)
    est = roundtrip(layers, tmp_path)
    found = by_code(validate(est), "road-outline")
    assert [(f.feature, f.severity) for f in found] == [("cad1", "error")]
    assert "a closed line around a strip 12.0 m wide, inside its own 12 m corridor" in found[0].message
    corridor = est.road_corridors[est.roads["road_id"] == "cad1"].iloc[0]
    assert corridor.area == pytest.approx(412 * 24 - (4 - math.pi) * 6**2, rel=1e-3)
    assert corridor.area > 2 * 400 * 12
    rules = tmp_path / "rules.toml"
    rules.write_text('[zone]\nname = "z"\nland_use = "umkm"\narea_ha = 1\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"road cad1: the road is a closed line .* 1 data error that stops"):
        kitland.check(est, box(X0 + 200, Y0, X0 + 400, Y0 + 50), kitland.load_rules(rules))


def test_a_cad_outline_read_from_dxf_is_named(tmp_path: Path) -> None:
    """The same outline in a DXF (no CRS, the class in the CAD layer name, mapped to
    road_class by the user) is read as a closed line and named the same way."""
    dxf = gpd.GeoDataFrame(
        {"Layer": ["JALAN_LOKAL"]}, geometry=[box(X0, Y0 - 6, X0 + 400, Y0 + 6).exterior],
        crs=32749,
    )  # the DXF writer keeps no CRS
    dxf.to_file(tmp_path / "roads.dxf", driver="DXF", engine="pyogrio")
    read = gpd.read_file(tmp_path / "roads.dxf", engine="fiona")
    assert read.geom_type.tolist() == ["LineString"] and read.geometry[0].is_closed
    layers = grid_layers(["IIAA", "IIAA", "GGAA"])
    layers["roads"] = read.set_crs(32749).assign(road_class="local")[["road_class", "geometry"]]
    found = by_code(validate(Estate.from_layers(layers)), "road-outline")
    assert len(found) == 1 and "strip 12.0 m wide" in found[0].message


def test_a_dxf_without_road_class_is_one_finding_naming_its_layer_column(tmp_path: Path) -> None:
    """A consultant's DXF of road centre lines, the class only in the CAD layer name:
    one missing-column finding naming ``layer`` (GDAL's ``Layer``, read in lower case),
    not a road-width error for each of its two roads besides."""
    dxf = gpd.GeoDataFrame(
        {"Layer": ["JALAN_KOLEKTOR", "JALAN_LOKAL"]},
        geometry=[LineString([(X0 - 50, Y0 - 10), (X0 + 450, Y0 - 10)]),
                  LineString([(X0 + 200, Y0 - 10), (X0 + 200, Y0 + 300)])],
        crs=32749,
    )  # fmt: skip
    folder = tmp_path / "f"
    write_layers(grid_layers(["IIAA", "IIAA", "GGAA"]), folder, "GeoJSON")
    dxf.to_file(folder / "roads.dxf", driver="DXF", engine="pyogrio")
    report = validate(load_estate(folder, strict=False, assume_crs="EPSG:32749"))
    (missing,) = by_code(report, "missing-column")
    assert missing.message.endswith(
        "missing required column 'road_class' (has layer, paperspace, subclasses, linetype, "
        "entityhandle, text, geometry); if 'layer' holds it, rename that column to "
        'road_class (README, "Data in other words")'
    )
    assert by_code(report, "road-width") == []


def test_roads_digitised_as_polygons_say_to_give_centre_lines(clean: dict) -> None:
    """Roads drawn as their corridors (a 500 m × 20 m polygon): the wrong type, and the
    line says that kitland wants the centre line."""
    clean["roads"] = gpd.GeoDataFrame(
        {"road_id": ["c1"], "road_class": ["collector"]},
        geometry=[box(X0 - 50, Y0 - 20, X0 + 450, Y0)], crs=32749,
    )  # fmt: skip
    (found,) = by_code(validate(Estate.from_layers(clean)), "wrong-geometry-type")
    assert found.feature == "c1" and found.message.endswith(
        "geometry is a Polygon; the roads layer holds LineString or MultiLineString: give "
        "each road's centre line (its corridor is the centre line buffered by width_m / 2)"
    )


def test_parcels_drawn_as_closed_lines_say_to_make_them_polygons(clean: dict) -> None:
    """CAD parcels are closed polylines, read as closed LineStrings: the wrong type, and
    the line says what to do; an open line where a polygon belongs gets the plain line."""
    p = clean["parcels"]
    p.loc[0, "geometry"] = LineString(p.geometry[0].exterior.coords)
    p.loc[1, "geometry"] = LineString(list(p.geometry[1].exterior.coords)[:3])
    found = by_code(validate(Estate.from_layers(clean)), "wrong-geometry-type")
    assert [f.message.split(": ", 1)[1] for f in found] == [
        "geometry is a closed LineString; the parcels layer holds Polygon or MultiPolygon: "
        "make the closed lines polygons (QGIS: Vector > Geometry Tools > Lines to Polygons)",
        "geometry is a LineString; the parcels layer holds Polygon or MultiPolygon",
    ]


def test_a_missing_column_names_the_indonesian_column_that_may_hold_it(tmp_path: Path) -> None:
    """A consultant's columns in Bahasa Indonesia: each missing required column names the
    column that may hold it (kitland does not rename it), and the gates' words suggest
    their kinds; a column with no such word gets the plain line."""
    layers = grid_layers(
        ["IIAA"], gates=[(Point(0, -10), {"gate_id": "g", "kind": "Gerbang Kawasan"})]
    )
    layers["parcels"] = layers["parcels"].rename(
        columns={"parcel_id": "id_persil", "land_use": "guna_lahan"}
    )
    report = validate(roundtrip(layers, tmp_path))
    missing = {f.message.split("missing required column ")[1] for f in by_code(report, "missing-column")}
    assert missing == {
        "'parcel_id' (has id_persil, guna_lahan, geometry); if 'id_persil' holds it, rename "
        'that column to parcel_id (README, "Data in other words")',
        "'land_use' (has id_persil, guna_lahan, geometry); if 'guna_lahan' holds it, rename "
        'that column to land_use (README, "Data in other words")',
    }
    [kind] = by_code(report, "unknown-kind")
    assert "unknown kind 'gerbang kawasan'; did you mean 'estate_gate'?" in kind.message
    layers["parcels"] = layers["parcels"].rename(columns={"id_persil": "nomor"})
    with pytest.raises(DataError, match=r"missing required column 'parcel_id' \(has nomor, "
                                        r"guna_lahan, geometry\)$"):  # fmt: skip
        load_estate(write_layers(layers, tmp_path / "plain.gpkg"))


def test_parcels_over_a_road_corridor_are_warned_with_the_overlap(tmp_path: Path) -> None:
    """A 12 m local road ``lane`` on the line between the two rows of 100 m parcels
    (y = 100) reaches 6 m into each parcel on either side: 6 × 100 = 600 m² each. The
    road parcel and the water parcel under it are not reported (a road parcel is the
    corridor's land, a road crosses water on a bridge), nor a collector ``kerb`` whose
    20 m corridor reaches 0.4 m into the east parcels (a slit: under 1 m everywhere)."""
    roads = [
        (LineString([(0, 100), (300, 100)]), {"road_id": "lane", "road_class": "local"}),
        (LineString([(309.6, 0), (309.6, 200)]), {"road_id": "kerb", "road_class": "collector"}),
    ]
    report = validate(roundtrip(grid_layers(["AAW", "ARA"], roads=roads), tmp_path))
    found = by_code(report, "parcel-on-road")
    assert [(f.feature, f.severity) for f in found] == [
        ("P0_0", "warning"), ("P0_1", "warning"), ("P1_0", "warning"), ("P1_2", "warning")
    ]
    for f, x in zip(found, (50, 150, 50, 250), strict=True):
        assert "reaches 600 m² (0.0600 ha) into the 12 m corridor of road lane" in f.message
        y = 103 if f.feature.startswith("P0") else 97  # the 6 m strip's centre
        assert f"centred at E {X0 + x:,.0f} N {Y0 + y:,.0f}" in f.message
    assert not report.has_errors  # a warning: measurements stay sound (SPEC §3, `on`)
    assert "kavling P0_0 masuk 600 m² (0,0600 ha) ke koridor jalan lane" in found[0].text("id")


def test_a_zone_never_takes_the_corridor_of_a_road_drawn_over_its_parcel(tmp_path: Path) -> None:
    """Available parcels digitised to a local road's centre line (y = 0: the 12 m
    corridor covers y −6 .. 6), the village to the south: the nearest 1 ha lies along
    the road, but `place` keeps the zone off the corridor (y ≥ 6) and `validate` names
    each parcel with its 100 × 6 = 600 m² under the corridor."""
    from kitland.measure import check  # noqa: PLC0415
    from kitland.placement import place  # noqa: PLC0415
    from kitland.rules import parse_rules  # noqa: PLC0415

    road = [(LineString([(-50, 0), (350, 0)]), {"road_id": "r", "road_class": "local"})]
    village = [(Point(150, -300), {"name": "Ketanggan"})]
    est = roundtrip(grid_layers(["AAA"], roads=road, settlements=village), tmp_path)
    found = by_code(validate(est), "parcel-on-road")
    assert [f.feature for f in found] == ["P0_0", "P0_1", "P0_2"]
    assert all("600 m² (0.0600 ha)" in f.message for f in found)
    rules = parse_rules({"zone": {"area_ha": 1.0, "tolerance_ha": 0.05},
                         "rules": [{"kind": "contiguous"}],
                         "prefer": [{"kind": "near",
                                     "to": {"layer": "settlements", "name": ["Ketanggan"]}}]})  # fmt: skip
    res = place(est, rules, cell_m=25, time_limit_s=60)
    assert res.found and check(est, res.zone, rules).passed
    corridor = box(X0 - 50, Y0 - 6, X0 + 350, Y0 + 6)
    assert res.zone.intersection(corridor).area < 0.01
    assert res.zone.bounds[1] == pytest.approx(Y0 + 6, abs=0.01)  # it runs along the kerb


@pytest.mark.parametrize(
    ("inside", "gap"),
    [("pond", None), ("parcel", None), ("half pond", "1,800 m² (0.1800 ha)"),
     ("nothing", "3,600 m² (0.3600 ha)")],
)  # fmt: skip
def test_a_hole_in_a_parcel_is_a_gap_only_where_nothing_covers_it(
    tmp_path: Path, inside: str, gap: str | None
) -> None:
    """P0_1 (x 100 .. 200, y 100 .. 200) has a 60 × 60 m hole at x 120 .. 180, y 120 ..
    180: a pond of the water layer fills it, or a utility parcel, or a pond its west half
    (the east 30 × 60 = 1,800 m² is left, centred at x 165, y 150), or nothing (3,600 m²,
    centred at x 150, y 150). Land no parcel or water covers is one gap naming P0_1."""
    hole = box(120, 120, 180, 180)
    layers = grid_layers(["AAA", "III"])
    set_geom(layers, "P0_1", shapely.affinity.translate(box(100, 100, 200, 200).difference(hole),
                                                        X0, Y0))  # fmt: skip
    x0, y0 = X0, Y0
    pond = {"pond": hole, "half pond": box(120, 120, 150, 180)}.get(inside)
    if pond is not None:
        layers["water"] = gpd.GeoDataFrame(
            {"name": ["Kolam"], "kind": ["pond"]},
            geometry=[shapely.affinity.translate(pond, x0, y0)], crs=32749)  # fmt: skip
    if inside == "parcel":
        layers["parcels"] = gpd.GeoDataFrame(
            [*layers["parcels"].to_dict("records"),
             {"parcel_id": "sub", "land_use": "utility",
              "geometry": shapely.affinity.translate(hole, x0, y0)}], crs=32749)  # fmt: skip
    report = validate(roundtrip(layers, tmp_path))
    assert by_code(report, "overlap") == []
    found = by_code(report, "gap")
    if gap is None:
        assert found == []
        return
    (f,) = found
    assert f"a hole of {gap} in parcel P0_1 is covered by no parcel and no water polygon" in f.message
    x = 165 if inside == "half pond" else 150
    assert f"centred at E {X0 + x:,.0f} N {Y0 + 150:,.0f}" in f.message
    assert "lubang seluas" in f.text("id") and "di kavling P0_1" in f.text("id")


def test_a_hole_in_a_parcel_inside_another_parcels_hole_names_the_inner_parcel(
    tmp_path: Path,
) -> None:
    """P0_1 has a 60 × 60 m hole (x 120 .. 180, y 120 .. 180) filled by parcel ``sub``,
    which has a 20 × 20 m hole of its own (x 140 .. 160, y 140 .. 160): 400 m² that lies
    inside both outlines is one gap in ``sub``'s hole, the smaller outline."""
    layers = grid_layers(["AAA", "III"])
    hole, inner = box(120, 120, 180, 180), box(140, 140, 160, 160)
    set_geom(layers, "P0_1", shapely.affinity.translate(box(100, 100, 200, 200).difference(hole),
                                                        X0, Y0))  # fmt: skip
    layers["parcels"] = gpd.GeoDataFrame(  # sub first: the file's order does not decide
        [{"parcel_id": "sub", "land_use": "utility",
          "geometry": shapely.affinity.translate(hole.difference(inner), X0, Y0)},
         *layers["parcels"].to_dict("records")],
        crs=32749)  # fmt: skip
    (f,) = by_code(validate(roundtrip(layers, tmp_path)), "gap")
    assert "a hole of 400 m² (0.0400 ha) in parcel sub is covered by no parcel" in f.message
    assert f"centred at E {X0 + 150:,.0f} N {Y0 + 150:,.0f}" in f.message
