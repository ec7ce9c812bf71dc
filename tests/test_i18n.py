"""Words for people: the catalogue covers every label, numbers follow the locale, rules carry
an English name, and the text report speaks Bahasa Indonesia."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import kitland
from kitland import RulesError
from kitland.i18n import LABELS, catalogue_path, label, number, numbers_in, quantity
from kitland.report import Report, RuleResult
from kitland.rules import parse_rules

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _catalogue() -> dict[str, str]:
    with catalogue_path("id").open("rb") as fh:
        cat = read_po(fh, locale="id")
    return {str(m.id): str(m.string) for m in cat if m.id and not m.fuzzy}


def test_every_label_has_an_indonesian_translation_with_the_same_placeholders() -> None:
    cat = _catalogue()
    for key, english in LABELS.items():
        assert cat.get(english), f"{key}: {english!r} has no Indonesian translation"
        assert set(PLACEHOLDER.findall(cat[english])) == set(PLACEHOLDER.findall(english)), key
        assert label("id", key) == cat[english]
        assert label("en", key) == english


def test_the_catalogue_has_no_entry_that_nothing_uses() -> None:
    """Every msgid is a :data:`LABELS` message or a string literal in kitland's code."""
    literals = {
        node.value
        for path in Path(kitland.__file__).parent.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert set(_catalogue()) - {*LABELS.values(), *literals} == set()


def test_the_catalogue_has_no_duplicate_msgid_and_compiles() -> None:
    """Each msgid once (Babel merges duplicates silently, GNU msgfmt refuses them), read
    from the file's own lines; compiled by Babel and read back by the standard library's
    gettext, every message translates as the catalogue says."""
    import gettext  # noqa: PLC0415
    import io  # noqa: PLC0415

    from babel.messages.mofile import write_mo  # noqa: PLC0415

    text = catalogue_path("id").read_text(encoding="utf-8")
    # A msgid is its first line's string and the string lines that follow it.
    ids = ["".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m))
           for m in re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M)]  # fmt: skip
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert dupes == []
    with catalogue_path("id").open("rb") as fh:
        cat = read_po(fh, locale="id")
    assert len(cat) == len([i for i in ids if i])  # Babel read every entry, merged none
    # Babel's checkers read "{share} % of" as a %-format "% o"; the catalogue's messages
    # are str.format messages, whose placeholders test_lang_text checks. GNU msgfmt -c
    # (when installed) checks the file's syntax and refuses duplicates.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is not None:
        run = subprocess.run([msgfmt, "-c", "-o", os.devnull, str(catalogue_path("id"))],
                             capture_output=True, text=True, check=False)  # fmt: skip
        assert run.returncode == 0 and "duplicate" not in run.stderr, run.stderr
    buf = io.BytesIO()
    write_mo(buf, cat)
    buf.seek(0)
    mo = gettext.GNUTranslations(buf)
    have = _catalogue()
    assert len(have) > 250
    assert all(mo.gettext(k) == v for k, v in have.items() if v)
    assert mo.gettext("available land") == "lahan tersedia"


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [(19.5234, 2, "id", "19,52"), (19.5234, 2, "en", "19.52"), (2500, 0, "id", "2.500"),
     (1234567.25, 1, "id", "1.234.567,2"), (-3.5, 1, "id", "-3,5")],
)  # fmt: skip
def test_numbers_follow_the_locale(value: float, decimals: int, lang: str, expected: str) -> None:
    assert number(value, lang, decimals) == expected


def test_numbers_inside_text_are_rewritten_but_identifiers_are_not() -> None:
    assert numbers_in("19.5 .. 20.5 ha", "id") == "19,5 .. 20,5 ha"
    assert numbers_in(">= 2500 m", "id") == ">= 2.500 m"
    assert numbers_in(">= 2500 m", "en") == ">= 2,500 m"
    assert numbers_in("setback#4 P0_1 x2", "id") == "setback#4 P0_1 x2"
    assert quantity(19.5234, "ha", "id") == "19,52 ha"
    assert quantity(150.04, "m", "id") == "150,0 m"  # one decimal from 100 on
    assert quantity(None, "m", "id") == "—"


RESULTS = [
    RuleResult("area", "area", False, 10.18, "20 .. 21", "ha", "the zone covers 10.18 ha"),
    RuleResult("setback#4", "setback", True, 2623.21, ">= 50", "m", "far"),
    RuleResult("muka jalan", "frontage", False, 0.0, ">= 150", "m", "none",
               name_en="road frontage"),
]  # fmt: skip


def test_text_report_in_indonesian() -> None:
    text = Report(RESULTS, zone={"area_ha": 10.18, "compactness": 0.65, "crs": "EPSG:32749"})
    lines = text.to_text(lang="id").splitlines()
    assert lines[0] == "Zona UMKM: 10,18 ha, kekompakan 0,65, EPSG:32749"
    assert lines[1].split() == ["Aturan", "Terukur", "Syarat"]
    assert lines[3].split() == ["luas", "zona", "10,18", "ha", "20–21", "ha", "✗"]
    assert lines[4].split() == ["sempadan", "#4", "2.623,2", "m", "≥", "50", "m", "✓"]
    assert lines[5].split() == ["muka", "jalan", "0,00", "m", "≥", "150", "m", "✗"]
    assert lines[6] == "GAGAL — 2 dari 3 aturan tidak terpenuhi"
    assert lines[7:] == [
        "  ✗ luas zona: 10,18 ha (Syarat 20–21 ha)",
        "  ✗ muka jalan: 0,00 m (Syarat ≥ 150 m)",
    ]


def test_english_text_report_names_rules_by_name_en_and_json_by_id() -> None:
    report = Report(RESULTS)
    text = report.to_text()
    assert "road frontage" in text and "muka jalan" not in text
    assert "FAIL: 2 of 3 rules fail" in text
    assert [r["id"] for r in report.to_dict()["rules"]] == ["area", "setback#4", "muka jalan"]
    assert "name_en" not in report.to_json()  # the JSON report keeps SPEC §5 keys only
    assert report["road frontage"] is report["muka jalan"]


def test_rules_take_name_en_and_lookups_accept_it() -> None:
    rules = parse_rules({"rules": [{"kind": "setback", "name": "sempadan sungai",
                                    "name_en": "river setback", "from": {"layer": "water"},
                                    "min_m": 50}]})  # fmt: skip
    assert rules["river setback"].id == "sempadan sungai"
    wider = rules.replace("river setback", min_m=80)
    assert wider["sempadan sungai"]["min_m"] == 80.0
    assert wider["sempadan sungai"].name_en == "river setback"
    with pytest.raises(
        RulesError, match=r"rule sempadan sungai, key 'name_en': expected non-empty"
    ):
        parse_rules({"rules": [{"kind": "contiguous", "name": "sempadan sungai", "name_en": ""}]})


def test_bundled_rules_are_named_in_indonesian_with_english_names() -> None:
    rules = kitland.load_rules()
    named = [*rules.rules, *rules.layout, *rules.prefer]
    assert all(r.name_en for r in named)
    assert rules["next to industry"].id == "bersebelahan dengan industri"
    report = kitland.check(kitland.load_estate(), None, rules)  # layout rules only
    assert [r.label("en") for r in report.results] == [r.name_en for r in rules.layout]
    assert [r.label("id") for r in report.results] == [r.id for r in rules.layout]


def test_plot_results_are_named_in_indonesian() -> None:
    r = RuleResult("plots front a road", "plots", False, 3.0, "= 0", "plots", "3 plots",
                   scope="plots")  # fmt: skip
    assert (r.label("id"), r.value_text("id"), r.required_text("id")) == (
        "kavling menghadap jalan",
        "3 kavling",  # a count of failing plots: a whole number
        "= 0 kavling",
    )
    assert (r.label("en"), r.value_text("en")) == ("plots front a road", "3 plots")


def test_requirements_read_as_people_write_them_in_indonesian() -> None:
    """Trial 11: the Indonesian table said "9 .. 11 ha", "<= 0,01 ha" and "== 1" (the
    report's signs, for scripts) beside validate's "≤ 70%". In Bahasa Indonesia they
    read "9–11 ha", "≤ 0,01 ha", "= 1"; English and the JSON keep the signs."""
    rows = [
        (RuleResult("area", "area", True, 10.0, "9 .. 11", "ha", ""), "9–11 ha", "9 .. 11 ha"),
        (RuleResult("on", "on", True, 0.0, "<= 0.01", "ha", ""), "≤ 0,01 ha", "<= 0.01 ha"),
        (RuleResult("gate", "network_distance", True, 0.0, "<= 1500", "m", ""), "≤ 1.500 m",
         "<= 1,500 m"),
        (RuleResult("one", "contiguous", True, 1.0, "== 1", "", ""), "= 1", "== 1"),
        (RuleResult("width", "min_width", True, 0.9, "<= 1", "%", ""), "≤ 1%", "<= 1%"),
    ]  # fmt: skip
    for r, id_, en in rows:
        assert (r.required_text("id"), r.required_text("en")) == (id_, en)
        assert r.to_dict()["required"] == r.required
