"""Rules files with several zones: ``[[zones]]`` and ``[[between]]`` (issue 17 §1)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kitland import RulesError
from kitland.estate import bundled_path
from kitland.rules import load_rules, parse_rules

TWO = """
[[rules]]
name = "one piece"
kind = "contiguous"

[[prefer]]
kind = "compact"

[[zones]]
name = "UMKM pangan"
min_ha = 8
max_ha = 10
  [[zones.rules]]
  name = "next to LG"
  kind = "adjacent"
  to = { tenant = ["LG consortium"] }
  min_shared_m = 100
  [[zones.rules]]
  kind = "compactness"
  min = 0.5
  [[zones.prefer]]
  kind = "near"
  to = { layer = "settlements" }

[[zones]]
name = "Hunian"
land_use = "residential"
area_ha = 5
tolerance_ha = 1
on = ["available", "green"]
  [[zones.rules]]
  kind = "compactness"
  min = 0.3

[[between]]
name = "apart"
name_en = "kept apart"
kind = "separation"
min_m = 50

[[between]]
kind = "total_area"
zones = ["UMKM pangan", "Hunian"]
min_ha = 12
max_ha = 16
"""


@pytest.fixture
def two(tmp_path: Path):
    f = tmp_path / "two.toml"
    f.write_text(textwrap.dedent(TWO), encoding="utf-8")
    return load_rules(f)


def test_zones_are_read_with_their_own_rules(two) -> None:
    assert [z.name for z in two.zones] == ["UMKM pangan", "Hunian"]
    assert two.zone is None and two.multi_zone
    food, home = two.zones
    assert (food.min_ha, food.area_ha, food.max_ha, food.land_use) == (8, 8, 10, "umkm")
    assert (home.min_ha, home.max_ha, home.land_use, home.on) == (
        4,
        6,
        "residential",
        ("available", "green"),
    )
    assert [r.id for r in two.rules] == ["one piece"]
    assert [(r.zone, r.id, r.scope) for r in two.zone_rules] == [
        ("UMKM pangan", "next to LG", "zone"),
        ("UMKM pangan", "compactness#2", "zone"),
        ("UMKM pangan", "near#1", "prefer"),
        ("Hunian", "compactness#1", "zone"),
    ]
    sep, total = two.between
    assert (sep.id, sep.kind, sep["min_m"], sep.name_en, sep.get("zones")) == (
        "apart",
        "separation",
        50.0,
        "kept apart",
        None,
    )
    assert (total.id, total["zones"], total["min_ha"], total["max_ha"]) == (
        "total_area#2",
        ("UMKM pangan", "Hunian"),
        12.0,
        16.0,
    )


def test_for_zone_is_an_ordinary_single_zone_rules(two) -> None:
    food = two.for_zone("UMKM pangan")
    assert food.zone == two.zones[0] and not food.multi_zone
    assert [r.id for r in food.rules] == ["one piece", "next to LG", "compactness#2"]
    assert [r.kind for r in food.prefer] == ["compact", "near"]
    assert food.between == () and food.zone_rules == ()
    assert [r.id for r in food] == [
        "one piece",
        "next to LG",
        "compactness#2",
        "compact#1",
        "near#1",
    ]
    home = two.for_zone("Hunian")
    assert [r.id for r in home.rules] == ["one piece", "compactness#1"]
    assert home["compactness#1"]["min"] == 0.3
    assert food.label(food["next to LG"], "to") == (
        f"{two.source} zone 'UMKM pangan' rule next to LG, key 'to'"
    )
    with pytest.raises(RulesError, match=r"no zone 'Hunain'; did you mean 'Hunian'\?"):
        two.for_zone("Hunain")


def test_a_zone_file_keeps_working_unchanged() -> None:
    rules = load_rules()
    assert rules.zones == (rules.zone,) and not rules.multi_zone
    assert rules.for_zone("Zona UMKM") is rules
    assert rules.between == () and rules.zone_rules == ()
    assert parse_rules({"rules": [{"kind": "contiguous"}]}).zones == ()


def test_replace_reaches_zones_rules_and_between_rules(two) -> None:
    r = two.replace("UMKM pangan/area", min_ha=9)
    assert (r.zones[0].min_ha, r.zones[0].max_ha, r.zones[1]) == (9, 10, two.zones[1])
    r = two.replace("next to LG", min_shared_m=200)
    assert r.for_zone("UMKM pangan")["next to LG"]["min_shared_m"] == 200
    r = two.replace("Hunian/compactness#1", min=0.6)
    assert r.for_zone("Hunian")["compactness#1"]["min"] == 0.6
    assert r.for_zone("UMKM pangan")["compactness#2"]["min"] == 0.5
    assert two.replace("kept apart", min_m=80).between[0]["min_m"] == 80
    with pytest.raises(
        RulesError, match=r"several zones; say which zone's area: 'UMKM pangan/area'"
    ):
        two.replace("area", min_ha=9)
    with pytest.raises(RulesError, match=r"key 'zones': no zone 'Hunain'; did you mean 'Hunian'"):
        two.replace("total_area#2", zones=["UMKM pangan", "Hunain"])
    with pytest.raises(RulesError, match=r"no rule 'Hunian/next to LG'"):
        two.replace("Hunian/next to LG", min_shared_m=10)


def test_a_name_two_zones_share_must_be_said_with_its_zone() -> None:
    z = lambda n: {"name": n, "area_ha": 2, "rules": [{"kind": "contiguous", "name": "c"}]}  # noqa: E731
    rules = parse_rules({"zones": [z("A"), z("B")]}, source="r.toml")
    with pytest.raises(RulesError, match=r"rule 'c' is in several zones; say which: 'A/c', 'B/c'"):
        rules.replace("c", optional=True)
    assert rules.replace("B/c", optional=True).for_zone("B")["c"].optional


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"zone": {"area_ha": 2}, "zones": [{"name": "A", "area_ha": 2}]},
         r"^r\.toml: give one \[zone\] table or several \[\[zones\]\] tables, not both"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "A", "area_ha": 3}]},
         r"r\.toml zone 'A', key 'name': the name 'A' is already used by zone #1; zone names must be unique"),
        ({"zones": [{"area_ha": 2}]}, r"r\.toml zone #1, key 'name': missing required key 'name'"),
        ({"zones": [{"name": "A", "min_ha": 5, "max_ha": 3}]}, r"r\.toml zone 'A', key 'min_ha': min_ha = 5 is above max_ha = 3"),
        ({"zones": [{"name": "A", "area_ha": 2, "rules": [{"kind": "contigous"}]}]},
         r"unknown rule kind 'contigous' in r\.toml zone 'A' rule #1; did you mean 'contiguous'\?"),
        ({"zones": [{"name": "A", "area_ha": 2, "rules": {"kind": "contiguous"}}]},
         r"r\.toml zone 'A': 'zones\.rules' must be an array of tables"),
        ({"zones": [{"name": "A", "area_ha": 2, "layout": []}]}, r"zone 'A', key 'layout': unknown key 'layout'"),
        ({"rules": [{"kind": "contiguous", "name": "c"}],
          "zones": [{"name": "A", "area_ha": 2, "rules": [{"kind": "contiguous", "name": "c"}]}]},
         r"r\.toml zone 'A' rule c, key 'name': the id 'c' is already used by rule #1"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "separation", "min_m": 5, "zones": ["A", "b"]}]},
         r"r\.toml between rule separation#1, key 'zones': no zone 'b'"),
        ({"zones": [{"name": "A", "area_ha": 2}], "between": [{"kind": "separation", "min_m": 5}]},
         r"between rule separation#1, key 'zones': a separation needs at least two zones"),
        ({"zone": {"area_ha": 2}, "between": [{"kind": "separation", "min_m": 5}]},
         r"between rule separation#1: between rules are about several zones"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "total_area", "zones": ["A", "B"], "min_ha": 10}]},
         r"key 'min_ha': the zones' max_ha add up to 5 ha, below min_ha = 10"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "total_area", "zones": ["A", "B"]}]},
         r"between rule total_area#1, key 'max_ha': give min_ha and/or max_ha"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "total_area", "min_ha": 3}]},
         r"between rule total_area#1, key 'zones': missing required key 'zones'"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "separaton", "min_m": 3}]},
         r"unknown between rule kind 'separaton' in r\.toml between rule #1; did you mean 'separation'\?"),
        ({"zones": [{"name": "A", "area_ha": 2}, {"name": "B", "area_ha": 2}],
          "between": [{"kind": "separation", "min_m": -3}]},
         r"between rule separation#1, key 'min_m': -3 is negative"),
    ],
)  # fmt: skip
def test_each_problem_is_named(data, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        parse_rules(data, source="r.toml")


def test_every_problem_of_a_zones_file_at_once() -> None:
    data = {
        "zones": [
            {"name": "A", "area_ha": -2, "rules": [{"kind": "compactness", "min": 3}]},
            {"name": "A", "area_ha": 2},
        ],
        "between": [{"kind": "separation", "min_m": 0, "zones": ["A", "C"]}],
    }
    with pytest.raises(RulesError) as info:
        parse_rules(data, source="r.toml")
    assert str(info.value).startswith("r.toml: 4 problems")
    assert len(info.value.problems) == 4


def test_the_bundled_clusters_file_reads() -> None:
    rules = load_rules(bundled_path("umkm_clusters_rules.toml"))
    names = [z.name for z in rules.zones]
    assert len(names) == 4 and len(set(names)) == 4
    umkm = [z for z in rules.zones if z.land_use == "umkm"]
    assert 2 <= len(umkm) <= 3
    total = next(b for b in rules.between if b.kind == "total_area")
    assert set(total["zones"]) == {z.name for z in umkm} and total["min_ha"] >= 20
    assert all(r.name_en for r in rules)
