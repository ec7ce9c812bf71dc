"""Rules.replace: what-if changes are checked like the file and never mutate the original."""

from __future__ import annotations

import pytest

from kitland import RulesError, load_rules


def test_replace_changes_one_rule_only() -> None:
    rules = load_rules()
    river = next(r for r in rules.rules if r.kind == "setback" and r["from"].layer == "water")
    before = {r.id: dict(r.params) for r in rules}
    wider = rules.replace(river.id, min_m=150)
    assert wider[river.id]["min_m"] == 150.0
    assert {r.id: dict(r.params) for r in rules} == before  # the original is untouched
    changed = [r.id for r in wider if dict(r.params) != before[r.id]]
    assert changed == [river.id]


def test_replace_zone_area() -> None:
    rules = load_rules()
    bigger = rules.replace("area", area_ha=25.0)
    assert bigger.zone is not None and rules.zone is not None
    # The bundled band is "at least 20, at most 21": a new target keeps its offsets.
    assert (rules.zone.min_ha, rules.zone.area_ha, rules.zone.max_ha) == (20.0, 20.0, 21.0)
    assert (bigger.zone.min_ha, bigger.zone.area_ha, bigger.zone.max_ha) == (25.0, 25.0, 26.0)
    sym = rules.replace("area", area_ha=25.0, tolerance_ha=0.5)
    assert sym.zone is not None and (sym.zone.min_ha, sym.zone.max_ha) == (24.5, 25.5)
    band = rules.replace("area", min_ha=30.0, max_ha=32.0)
    assert band.zone is not None and (band.zone.min_ha, band.zone.area_ha, band.zone.max_ha) == (
        30.0,
        30.0,
        32.0,
    )


def test_the_zone_table_is_named_zone_or_area_as_in_a_sweep() -> None:
    """``sweep --vary zone.min_ha=…`` and ``rules.replace("zone", min_ha=…)`` alike: the
    bundled 20 .. 21 ha band with ``min_ha = 12`` is 12 .. 21 ha, target 12 (by hand, as
    the file reads "at least")."""
    rules = load_rules()
    for name in ("zone", "area"):
        z = rules.replace(name, min_ha=12).zone
        assert z is not None and (z.min_ha, z.area_ha, z.max_ha) == (12.0, 12.0, 21.0)


def test_zone_band_errors_name_the_key() -> None:
    from kitland.rules import parse_rules  # noqa: PLC0415

    with pytest.raises(RulesError, match=r"key 'min_ha': min_ha = 22 is above max_ha = 21"):
        parse_rules({"zone": {"min_ha": 22, "max_ha": 21}})
    with pytest.raises(RulesError, match=r"not both"):
        parse_rules({"zone": {"area_ha": 20, "tolerance_ha": 1, "min_ha": 19, "max_ha": 21}})
    with pytest.raises(RulesError, match=r"does not hold the target"):
        parse_rules({"zone": {"area_ha": 25, "min_ha": 19, "max_ha": 21}})


def test_replace_errors_name_rule_and_key() -> None:
    rules = load_rules()
    river = next(r for r in rules.rules if r.kind == "setback")
    with pytest.raises(RulesError, match=rf"rule {river.id}, key 'min_m': -5 is negative"):
        rules.replace(river.id, min_m=-5)
    with pytest.raises(RulesError, match=r"unknown key 'min'; did you mean 'min_m'\?"):
        rules.replace(river.id, min=5)
    with pytest.raises(RulesError, match=r"no rule 'nope'"):
        rules.replace("nope", min_m=5)
    with pytest.raises(RulesError, match=r"key 'area_ha': expected a number"):
        rules.replace("area", area_ha="twenty")


def test_compact_preference_weight_is_checked() -> None:
    from kitland.rules import parse_rules  # noqa: PLC0415

    assert parse_rules({"prefer": [{"kind": "compact"}]}).prefer[0]["weight"] == 0.1
    with pytest.raises(RulesError, match=r"key 'weight': -1 is negative"):
        parse_rules({"prefer": [{"kind": "compact", "weight": -1}]})
    with pytest.raises(RulesError, match=r"key 'weight': expected a number"):
        parse_rules({"prefer": [{"kind": "compact", "weight": "big"}]})
