"""The rules file (SPEC §2): parsing, typed checks, every error path with its message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import grid_estate, grid_layers
from shapely import LineString, Point

from kitland import RulesError
from kitland.estate import bundled_path
from kitland.rules import Rules, Selector, ZoneSpec, load_rules, parse_rules

SPEC_EXAMPLE = """
[zone]
name = "Zona UMKM"
land_use = "umkm"
area_ha = 20.0
tolerance_ha = 0.5
on = ["available"]

[[rules]]
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 100

[[rules]]
kind = "frontage"
road_class = ["arterial", "collector"]
min_m = 150

[[rules]]
kind = "network_distance"
from = { layer = "gates", kind = ["estate_gate"] }
max_m = 2500

[[rules]]
kind = "setback"
from = { layer = "water", kind = ["river"] }
min_m = 50

[[rules]]
kind = "contiguous"

[[rules]]
kind = "compactness"
min = 0.5

[[prefer]]
kind = "near"
to = { layer = "settlements", name = ["Ketanggan"] }
weight = 1.0

[[layout]]
kind = "land_share"
land_use = ["industrial"]
max_pct = 70

[[layout]]
kind = "setback"
land_use = ["industrial"]
from = { layer = "water", kind = ["coast"] }
min_m = 100
"""


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_spec_example_parses_into_typed_rules(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, SPEC_EXAMPLE))
    assert rules.zone == ZoneSpec("Zona UMKM", "umkm", 20.0, 0.5, ("available",))
    assert (rules.zone.min_ha, rules.zone.max_ha) == (19.5, 20.5)
    assert [r.id for r in rules.rules] == [
        "adjacent#1", "frontage#2", "network_distance#3", "setback#4", "contiguous#5", "compactness#6",
    ]  # fmt: skip
    setback = rules.rules[3]
    assert setback.scope == "zone" and setback.index == 4
    assert setback["from"] == Selector("water", {"kind": ("river",)})
    assert setback["min_m"] == 50.0 and isinstance(setback["min_m"], float)
    assert rules.rules[0]["to"] == Selector("parcels", {"land_use": ("industrial",)})
    assert rules.rules[1]["road_class"] == ("arterial", "collector")
    assert dict(rules.rules[4].params) == {}
    assert [(r.id, r.scope) for r in rules.layout] == [
        ("land_share#1", "layout"),
        ("setback#2", "layout"),
    ]
    assert rules.layout[0].params == {"land_use": ("industrial",), "max_pct": 70.0}
    assert rules.prefer[0].id == "near#1" and rules.prefer[0]["weight"] == 1.0
    assert rules.source == str(tmp_path / "rules.toml")


def test_names_defaults_and_display(tmp_path: Path) -> None:
    text = """
    [[rules]]
    kind = "setback"
    name = "river buffer"
    from = { layer = "water", kind = "river" }
    min_m = 50
    [[rules]]
    kind = "min_width"
    min_m = 40
    [[layout]]
    kind = "land_share"
    land_use = ["green"]
    min_pct = 10
    [[layout]]
    kind = "min_width_is_not_layout"
    """
    with pytest.raises(RulesError, match=r"unknown layout rule kind 'min_width_is_not_layout'"):
        load_rules(write(tmp_path, text))
    rules = load_rules(write(tmp_path, text.rsplit("[[layout]]", 1)[0]))
    assert rules.zone is None
    assert rules.rules[0].id == "river buffer"
    assert rules.rules[0]["from"].where == {"kind": ("river",)}  # a single value is accepted
    assert rules.rules[1].id == "min_width#2"
    assert "2 zone rules, 1 layout, 0 prefer" in repr(rules)
    html = rules._repr_html_()
    assert "<table>" in html and "river buffer" in html and "min_m=40" in html


def test_layout_default_id_never_repeats_a_zone_rule_id() -> None:
    data = {
        "rules": [{"kind": "setback", "from": {"layer": "water"}, "min_m": 1}],
        "layout": [
            {"kind": "setback", "land_use": ["industrial"], "from": {"layer": "water"}, "min_m": 1}
        ],
    }
    rules = parse_rules(data, source="r.toml")
    assert [r.id for r in rules.rules] == ["setback#1"]
    assert [r.id for r in rules.layout] == ["layout.setback#1"]


def test_prefer_far_and_default_weight() -> None:
    rules = parse_rules({"prefer": [{"kind": "far", "to": {"layer": "water", "kind": ["coast"]}}]})
    assert rules.prefer[0].kind == "far" and rules.prefer[0]["weight"] == 1.0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('[[rules]]\nkind = "adjacent"\nto = {land_use=["industrial"]}\nmin_shared_m = 1\n' * 4
         + '[[rules]]\nkind = "contigous"\n',
         r"^unknown rule kind 'contigous' in .*rules\.toml rule #5; did you mean 'contiguous'\?$"),
        ('[[rules]]\nkind = "adjacent"\nto = { land_use = ["industrial"] }\nmin_shared = 100\n',
         r"rules\.toml rule adjacent#1, key 'min_shared': unknown key 'min_shared'; did you mean 'min_shared_m'\?"),
        ('[[rules]]\nkind = "setback"\nfrom = { layer = "water" }\nmin_m = "50"\n',
         r"rule setback#1, key 'min_m': expected a distance in metres .*got text '50'"),
        ('[[rules]]\nkind = "setback"\nfrom = { layer = "water" }\nmin_m = true\n',
         r"rule setback#1, key 'min_m': expected a distance .*got a boolean"),
        ('[[rules]]\nkind = "frontage"\nroad_class = ["collector"]\n',
         r"rule frontage#1, key 'min_m': missing required key 'min_m'"),
        ('[[rules]]\nkind = "setback"\nname = "river"\nfrom = { layer = "water" }\nmin_m = -5\n',
         r"rule river, key 'min_m': -5 is negative; distances are metres ≥ 0"),
        ('[zone]\narea_ha = 20\ntolerance_ha = 25\n',
         r"\[zone\], key 'tolerance_ha': 25 ha is larger than area_ha = 20 ha"),
        ('[zone]\narea_ha = 0\n', r"\[zone\], key 'area_ha': 0 ha; the zone needs a positive area"),
        ('[zone]\narea = 20\n', r"\[zone\], key 'area': unknown key 'area'; did you mean 'area_ha'\?"),
        ('[zone]\non = ["availabel"]\n', r"key 'on': unknown value 'availabel'; did you mean 'available'\?"),
        ('[zone]\non = "available"\nland_use = 5\n', r"key 'land_use': expected a text value, got an integer 5"),
        ('[[rules]]\nkind = "frontage"\nroad_class = ["colector"]\nmin_m = 1\n',
         r"rule frontage#1, key 'road_class': unknown value 'colector'; did you mean 'collector'\?"),
        ('[[rules]]\nkind = "frontage"\nroad_class = []\nmin_m = 1\n', r"key 'road_class': the list is empty"),
        ('[[rules]]\nkind = "distance"\nto = { layer = "gate" }\nmax_m = 1\n',
         r"rule distance#1, key 'to.layer': unknown layer 'gate'; did you mean 'gates'\?"),
        ('[[rules]]\nkind = "distance"\nto = { layer = "water", kind = ["rivr"] }\nmax_m = 1\n',
         r"key 'to.kind': unknown value 'rivr'; did you mean 'river'\?"),
        ('[[rules]]\nkind = "distance"\nto = { layer = "water", name = { a = 1 } }\nmax_m = 1\n',
         r"key 'to.name': expected a list of accepted values, got a table"),
        ('[[rules]]\nkind = "distance"\nto = "water"\nmax_m = 1\n',
         r"rule distance#1, key 'to': expected a selector table .*got text 'water'"),
        ('[[rules]]\nkind = "compactness"\nmin = 1.5\n', r"rule compactness#1, key 'min': 1.5 is outside 0..1"),
        ('[[rules]]\nmin = 1\n', r"rule #1, key 'kind': missing required key 'kind'"),
        # a named rule is named by its name, not its position (trial 4)
        ('[[rules]]\nname = "muka jalan"\nkind = "frontag"\nmin_m = 150\n',
         r"^unknown rule kind 'frontag' in .*rules\.toml rule muka jalan; did you mean 'frontage'\?$"),
        ('[[rules]]\nname = "gerbang"\nmax_m = 1\n', r"rules\.toml rule gerbang, key 'kind': missing required key"),
        ('[[rules]]\nkind = 3\n', r"rule #1, key 'kind': expected text, got an integer 3"),
        ('[[rules]]\nkind = "contiguous"\nname = ""\n', r"key 'name': expected non-empty text"),
        ('[[rules]]\nkind = "contiguous"\nname = "x"\n[[rules]]\nkind = "compactness"\nname = "x"\nmin = 0.1\n',
         r"rule x, key 'name': the id 'x' is already used by rule #1"),
        ('[[rules]]\nkind = "contiguous"\nname = "area"\n', r"the id 'area' is already used by the zone's area rule"),
        ('[[layout]]\nkind = "land_share"\nland_use = ["green"]\n',
         r"layout rule land_share#1, key 'max_pct': give min_pct and/or max_pct"),
        ('[[layout]]\nkind = "land_share"\nland_use = ["green"]\nmin_pct = 50\nmax_pct = 10\n',
         r"key 'min_pct': min_pct = 50 is above max_pct = 10"),
        ('[[layout]]\nkind = "land_share"\nland_use = ["green"]\nmax_pct = 170\n', r"170 is outside 0..100%"),
        ('[[prefer]]\nkind = "nearby"\nto = { layer = "water" }\n',
         r"unknown prefer rule kind 'nearby' in .* prefer rule #1; did you mean 'near'\?"),
        ('[[prefer]]\nkind = "near"\nto = { layer = "water" }\nweight = -1\n', r"key 'weight': -1 is negative"),
        ('[[rule]]\nkind = "contiguous"\n', r"unknown top-level key 'rule'; did you mean 'rules'\?"),
        ('rules = 5\n', r"'rules' must be an array of tables \(\[\[rules\]\]\), got an integer"),
        ('[[rules]]\nkind = "teleport"\n', r"unknown rule kind 'teleport' in .*rule #1 \(valid: adjacent, "),
        ('[zone]\narea_ha = 20\n\n[[rules]\nkind = "x"\n', r"rules\.toml: not valid TOML: .*line 4"),
    ],
)  # fmt: skip
def test_every_rules_file_error_names_file_rule_and_key(
    tmp_path: Path, text: str, match: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RulesError, match=match) as info:
        load_rules(path)
    assert "rules.toml" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"nope\.toml: no such rules file"):
        load_rules(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[zone]\nname = "caf\xe9"\n')
    with pytest.raises(RulesError, match=r"latin1\.toml: line 2 is not UTF-8 text; save the rules "
                                         r"file as UTF-8 \(Notepad"):  # fmt: skip
        load_rules(bad)


def test_a_planners_rules_file_from_notepad(tmp_path: Path) -> None:
    """Trial 11: the planning office edits the rules in Windows Notepad. A byte-order
    mark and CRLF line ends were "not valid TOML: Invalid statement (at line 1, column
    1)"; now the file reads as the plain one does. A decimal comma (``min_m = 50,5``, as
    Bahasa Indonesia writes it) and a number with its unit (``min_m = 50 m``) are named
    with their line (7, counted by hand) and the fix, in both languages."""
    plain = ('[zone]\narea_ha = 20\n\n[[rules]]\nkind = "setback"\n'
             'from = { layer = "water", kind = ["river"] }\nmin_m = 50\n')  # min_m: line 7
    (tmp_path / "plain.toml").write_text(plain, encoding="utf-8")
    (tmp_path / "notepad.toml").write_bytes(b"\xef\xbb\xbf" + plain.replace("\n", "\r\n").encode())
    a, b = load_rules(tmp_path / "plain.toml"), load_rules(tmp_path / "notepad.toml")
    assert [(r.kind, r["min_m"]) for r in a.rules] == [(r.kind, r["min_m"]) for r in b.rules]
    assert b.zone is not None and b.zone.area_ha == 20.0
    for value, en, id_ in (
        ("50,5", "line 7, min_m = 50,5: TOML writes decimals with a point (min_m = 50.5)",
         "baris 7, min_m = 50,5: TOML menulis desimal dengan titik, bukan koma (min_m = 50.5)"),
        ("50 m", "line 7, min_m = 50 m: write the number alone (min_m = 50); the key says the unit",
         "baris 7, min_m = 50 m: tulis angkanya saja (min_m = 50)"),
    ):  # fmt: skip
        f = tmp_path / "edited.toml"
        f.write_text(plain.replace("min_m = 50", f"min_m = {value}"), encoding="utf-8")
        with pytest.raises(RulesError) as info:
            load_rules(f)
        assert f"edited.toml: not valid TOML: {en}" in str(info.value)
        assert id_ in info.value.message.render("id")


def test_rules_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown top-level key"):
        parse_rules({"zoen": {}})


def test_bundled_rules_load() -> None:
    try:
        bundled_path("umkm_rules.toml")
    except Exception:
        pytest.skip("bundled rules not built yet")
    rules = load_rules()
    assert rules.zone is not None and rules.zone.area_ha == 20.0
    assert rules.source == "umkm_rules.toml"


# -- selectors meeting an estate --------------------------------------------------------
@pytest.fixture
def estate():
    return grid_estate(
        ["IA", "GA"],
        gates=[(Point(0, -5), {"gate_id": "g1", "kind": "estate_gate"})],
        water=[(LineString([(0, 300), (200, 300)]), {"name": "laut", "kind": "coast"})],
    )


def test_selector_select_filters_on_every_column(estate) -> None:
    sel = Selector("parcels", {"land_use": ("available",), "parcel_id": ("P0_1", "P9_9")})
    assert list(sel.select(estate)["parcel_id"]) == ["P0_1"]
    assert len(Selector("water").select(estate)) == 1


def test_selector_matching_nothing_names_rule_and_key(estate) -> None:
    rules = parse_rules(
        {"rules": [{"kind": "setback", "from": {"layer": "water", "kind": ["river"]}, "min_m": 5}]},
        source="my.toml",
    )
    rule = rules.rules[0]
    with pytest.raises(
        RulesError,
        match=r"^my\.toml rule setback#1, key 'from': selector 'water kind=river' matches no feature: "
        r"no feature matches \(kind values present: coast\)",
    ):
        rule["from"].select(estate, rule_label=rules.label(rule, "from"))
    with pytest.raises(
        RulesError, match=r"selector 'roads' matches no feature: the estate has no 'roads'"
    ):
        Selector("roads").select(estate, rule_label="x")
    with pytest.raises(
        RulesError,
        match=r"x: layer 'parcels' of test grid has no column 'landuse'; did you mean 'land_use'\?",
    ):
        Selector("parcels", {"landuse": ("industrial",)}).select(estate, rule_label="x")


def test_rules_label() -> None:
    r = Rules(None, source="a.toml")
    rules = parse_rules(
        {"layout": [{"kind": "land_share", "land_use": ["green"], "min_pct": 1}]}, source="a.toml"
    )
    assert (
        rules.label(rules.layout[0], "min_pct") == "a.toml layout rule land_share#1, key 'min_pct'"
    )
    assert repr(r) == "<Rules a.toml: no zone; 0 zone rules, 0 layout, 0 prefer>"


def test_coded_values_in_rules_are_read_as_the_data_are() -> None:
    """The data's land uses are read case- and space-blind ("INDUSTRIAL " is industrial);
    the rules' selectors now are too. P0_1 (available) shares its 100 m west edge with
    the industrial P0_0, by hand; a value neither reads, such as the Indonesian
    ``industri``, is refused in both with the accepted values named."""
    from kitland.estate import Estate  # noqa: PLC0415
    from kitland.measure import check  # noqa: PLC0415

    layers = grid_layers(["IA", "GA"])
    layers["parcels"]["land_use"] = layers["parcels"]["land_use"].str.upper() + " "
    est = Estate.from_layers(layers, source="test grid")
    assert set(est.parcels["land_use"]) == {"industrial", "available", "green"}
    zone = est.parcels.geometry[est.parcels["parcel_id"] == "P0_1"].iloc[0]

    def rules(use: str) -> Rules:
        return parse_rules({
            "zone": {"area_ha": 1, "tolerance_ha": 0.01, "on": [" Available"]},
            "rules": [{"kind": "adjacent", "to": {"layer": "parcels", "land_use": [use]},
                       "min_shared_m": 50}],
        }, source="r.toml")  # fmt: skip

    loud = rules("Industrial ")
    assert loud.zone is not None and loud.zone.on == ("available",)
    assert loud.rules[0]["to"].where == {"land_use": ("industrial",)}
    report = check(est, zone, loud)
    assert report.passed
    (adjacent,) = [r for r in report.results if r.kind == "adjacent"]
    assert adjacent.value == pytest.approx(100.0)
    with pytest.raises(RulesError, match=r"unknown value 'industri'; did you mean 'industrial'\? "
                       r"\(valid: industrial, commercial, umkm, residential, green, utility, "
                       r"water, road, available\)") as info:  # fmt: skip
        rules("industri")
    assert "nilai 'industri' tidak dikenal" in info.value.render("id")
