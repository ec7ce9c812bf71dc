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
    assert (bigger.zone.min_ha, bigger.zone.max_ha) == (24.5, 25.5)
    assert rules.zone.area_ha == 20.0


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
