"""KML for Google Earth: each zone in its own fill, outlined in its verdict's colour, and
every text from data escaped (read back with an XML parser)."""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import ORIGIN, grid_layers, write_layers
from shapely import Point, box

from kitland.cli import main
from kitland.estate import Estate
from kitland.kml import write_kml
from kitland.measure import check
from kitland.rules import parse_rules

NS = {"k": "http://www.opengis.net/kml/2.2"}
#: KML colours are alpha, blue, green, red: the map's fills (#1d4ed8, #b45309, #7c3aed)
#: at 0x80 and its verdict outlines (pass #1a7f37, fail #d00000, not checked #5f3dc4).
FILLS = ["80d84e1d", "800953b4", "80ed3a7c"]
PASS, FAIL, UNCHECKED = "ff377f1a", "ff0000d0", "ffc43d5f"
VILLAGES = [(Point(-300, 100), {"name": "Barat"}), (Point(900, 100), {"name": "Timur"})]


def _zones(path: Path) -> list[tuple[str, str, str, str]]:
    """Each zone placemark: name, fill colour, outline colour and description."""
    root = ET.parse(path).getroot()
    styles = {s.get("id"): s for s in root.iter(f"{{{NS['k']}}}Style")}
    folders = root.findall(".//k:Folder", NS)
    out = []
    for pm in folders[-1].findall("k:Placemark", NS):
        st = styles[pm.findtext("k:styleUrl", namespaces=NS).lstrip("#")]
        out.append((pm.findtext("k:name", namespaces=NS),
                    st.findtext("k:PolyStyle/k:color", namespaces=NS),
                    st.findtext("k:LineStyle/k:color", namespaces=NS),
                    pm.findtext("k:description", namespaces=NS)))  # fmt: skip
    return out


@pytest.fixture
def village_estate(tmp_path: Path) -> Path:
    """600 × 200 m of available land, a village 300 m beyond each end."""
    return write_layers(grid_layers(["AAAAAA", "AAAAAA"], settlements=VILLAGES),
                        tmp_path / "e.gpkg")  # fmt: skip


def test_place_several_zones_each_its_own_colour(village_estate: Path, tmp_path: Path) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text(textwrap.dedent("""
        [[zones]]
        name = "Barat"
        min_ha = 1.99
        max_ha = 2.01
          [[zones.prefer]]
          kind = "near"
          to = { layer = "settlements", name = ["Barat"] }
        [[zones]]
        name = "Timur"
        min_ha = 1.99
        max_ha = 2.01
          [[zones.prefer]]
          kind = "near"
          to = { layer = "settlements", name = ["Timur"] }
        """))  # fmt: skip
    kml, report = tmp_path / "z.kml", tmp_path / "z.json"
    code = main(["place", str(village_estate), "--rules", str(rules), "--cell-m", "50",
                 "--kml", str(kml), "--report", str(report), "-q"])  # fmt: skip
    assert code == 0
    zones = json.loads(report.read_text())["zones"]
    assert [(z["name"], z["passed"]) for z in zones] == [("Barat", True), ("Timur", True)]
    got = _zones(kml)
    assert [(n, f, line) for n, f, line, _ in got] == [("Barat", FILLS[0], PASS),
                                                       ("Timur", FILLS[1], PASS)]  # fmt: skip
    assert all("LULUS" in d for *_, d in got)  # the map's language: Bahasa by default


def test_place_ranks_each_its_own_colour(village_estate: Path, tmp_path: Path) -> None:
    rules = tmp_path / "r.toml"
    rules.write_text('[zone]\nname = "UMKM"\nmin_ha = 1.99\nmax_ha = 2.01\n'
                     '[[rules]]\nkind = "contiguous"\n')  # fmt: skip
    kml = tmp_path / "z.kml"
    code = main(["place", str(village_estate), "--rules", str(rules), "--cell-m", "50",
                 "--alternatives", "2", "--kml", str(kml), "-q"])  # fmt: skip
    assert code == 0
    got = _zones(kml)
    assert [(n, f, line) for n, f, line, _ in got] == [("UMKM 1", FILLS[0], PASS),
                                                       ("UMKM 2", FILLS[1], PASS)]  # fmt: skip


def test_outline_follows_each_verdict_and_text_is_escaped(tmp_path: Path) -> None:
    """A 2 ha zone passes ``area_ha = 2``, a 1 ha one fails it, a third is not checked."""
    est = Estate.from_layers(grid_layers(["AAAAAA", "AAAAAA"]), source="test grid")
    rules = parse_rules({"zone": {"area_ha": 2.0, "tolerance_ha": 0.01}}, source="r.toml")
    x0, y0 = ORIGIN
    good, bad = box(x0, y0, x0 + 100, y0 + 200), box(x0 + 200, y0, x0 + 300, y0 + 100)
    nasty = "<script>alert(1)</script> & $[name]"
    out = write_kml(tmp_path / "z.kml", est, lang="en", zones=[
        ("ok", good, check(est, good, rules)), ("too small", bad, check(est, bad, rules)),
        (nasty, box(x0 + 400, y0, x0 + 500, y0 + 100)),
    ])  # fmt: skip
    got = _zones(out)
    assert [(n, f, line) for n, f, line, _ in got] == [
        ("ok", FILLS[0], PASS), ("too small", FILLS[1], FAIL), (nasty, FILLS[2], UNCHECKED)
    ]  # fmt: skip
    assert got[0][3].split("<br>")[1] == "PASS"
    assert got[1][3].split("<br>")[1].startswith("FAIL")
    assert "area" in got[1][3] and "1.00 ha" in got[1][3]  # the failing rule's line
    # The description is HTML to Google Earth: the name in it is escaped for HTML (and
    # its $[…] entity), so it reads back as the text itself and runs nothing.
    desc = got[2][3]
    assert "<script" not in desc and "$[" not in desc
    assert html.unescape(desc.split("<br>")[0]) == f"<b>{nasty}</b>"
    raw = out.read_text(encoding="utf-8")
    assert "<script" not in raw and raw.count("<text>$[description]</text>") == raw.count("<Style ")


def test_one_zone_keeps_the_maps_zone_fill(tmp_path: Path) -> None:
    est = Estate.from_layers(grid_layers(["AA"]), source="test grid")
    x0, y0 = ORIGIN
    out = write_kml(tmp_path / "z.kml", est, zones=[("Z", box(x0, y0, x0 + 100, y0 + 100))])
    assert [(n, f, line) for n, f, line, _ in _zones(out)] == [("Z", "801a8cff", UNCHECKED)]
