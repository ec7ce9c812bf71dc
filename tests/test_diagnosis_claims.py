"""The "no zone fits" diagnosis claims only what a solve or the geometry proved, and
names rules as the rules file does (``name``; ``name_en`` in English)."""

from __future__ import annotations

import pytest
from conftest import grid_estate

from kitland.placement import place
from kitland.rules import parse_rules

# Two 4 ha pockets of available land (2 × 2 cells of 1 ha) parted by an industrial
# column: no connected piece reaches the zone's 4.5 ha minimum, whatever rule is relaxed.
TWO_POCKETS = ["AAIAA", "AAIAA"]


def _rules() -> object:
    return parse_rules({
        "zone": {"area_ha": 5.0, "tolerance_ha": 0.5},
        "rules": [{"name": "bersebelahan", "name_en": "next to industry", "kind": "adjacent",
                   "to": {"land_use": ["industrial"]}, "min_shared_m": 100},
                  {"kind": "compactness", "min": 0.5}],
    })  # fmt: skip


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    res = place(grid_estate(TWO_POCKETS), _rules(), cell_m=50, time_limit_s=120)
    assert not res.found and res.status == "INFEASIBLE"
    return res


def test_relaxing_a_rule_alone_is_proven_useless_by_the_pieces(result) -> None:  # type: ignore[no-untyped-def]
    fun = result.report.extra["funnel"]
    assert fun["largest_pieces_ha"][:2] == pytest.approx([4.0, 4.0])  # 2 × 2 cells of 1 ha
    diag = {d["rule"]: d for d in result.report.extra["diagnosis"]}
    for rule in ("bersebelahan", "compactness"):
        assert diag[rule]["text"] == (f"relaxing {rule} alone does not help: no connected piece "
                                      "of the allowed land reaches 4.5 ha")  # fmt: skip
    # Relaxing the area: a whole 4 ha pocket next to industry (it shares 200 m) fits.
    assert diag["area"]["fits_without"] is True
    assert diag["area"]["best_value"] == pytest.approx(4.0)
    assert "does not help" not in diag["area"]["text"]


def test_rows_name_rules_in_the_language(result) -> None:  # type: ignore[no-untyped-def]
    en = result.summary("en")
    assert "relaxing next to industry alone does not help" in en
    assert "relaxing compactness alone" in en
    assert "bersebelahan" not in en
    ind = result.summary("id")
    assert "melonggarkan bersebelahan saja tidak membantu" in ind
    assert "melonggarkan kekompakan saja" in ind
    assert "compactness" not in ind
    # The funnel's columns line up whatever the length of the rule names.
    for text in (en, ind):
        rows = [line for line in text.splitlines() if " ha   " in line]
        assert len(rows) == 3  # on allowed land, the adjacency, the area
        assert len({line.index(" ha   ") for line in rows}) == 1
