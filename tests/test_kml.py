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


def test_roads_water_and_gates_each_in_a_folder(tmp_path: Path) -> None:
    """Roads as their corridors (length × width, flat caps), water lines, gate points,
    each in a folder named as the map's layer, in the map's language."""
    import pyproj  # noqa: PLC0415
    import shapely  # noqa: PLC0415
    from shapely import LineString  # noqa: PLC0415

    nasty = "<img src=x onerror=alert(1)>"
    layers = grid_layers(
        ["AAAAAA", "AAAAAA"],
        roads=[(LineString([(0, -10), (600, -10)]), {"road_id": "C1", "name": nasty,
                                                      "road_class": "collector"}),
               (LineString([(300, -20), (300, -220)]), {"road_id": "L1", "road_class": "local"})],
        water=[(LineString([(-50, 260), (650, 260)]), {"name": "Sungai Ular", "kind": "river"})],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate", "name": "Gerbang Barat"})],
    )  # fmt: skip
    est = Estate.from_layers(layers, source="test grid")
    out = write_kml(tmp_path / "e.kml", est, lang="id")
    root = ET.parse(out).getroot()
    folders = {f.findtext("k:name", namespaces=NS): f.findall("k:Placemark", NS)
               for f in root.iter(f"{{{NS['k']}}}Folder")}  # fmt: skip
    assert list(folders) == ["Batas kawasan", "Kavling (tata guna lahan)", "Jalan (kelas & lebar)",
                             "Sungai & pantai", "Gerbang & exit tol"]  # fmt: skip
    to_utm = pyproj.Transformer.from_crs(4326, 32749, always_xy=True)

    def utm(pm: ET.Element, kind: str) -> shapely.Geometry:
        text = pm.findtext(f".//k:{kind}//k:coordinates", namespaces=NS) or pm.findtext(
            f".//k:{kind}/k:coordinates", namespaces=NS)
        xy = [to_utm.transform(*map(float, c.split(","))) for c in text.split()]
        return {"Polygon": shapely.Polygon, "LineString": LineString, "Point": Point}[kind](
            xy if kind != "Point" else xy[0])

    roads = folders["Jalan (kelas & lebar)"]
    assert [pm.findtext("k:name", namespaces=NS) for pm in roads] == [nasty, "L1"]
    # corridors: 600 m × 20 m (collector) and 200 m × 12 m (local); corners written to
    # 1e-7° (about 1 cm), so the area is within the perimeter × 1 cm
    assert utm(roads[0], "Polygon").area == pytest.approx(600 * 20, abs=1240 * 0.01)
    assert utm(roads[1], "Polygon").area == pytest.approx(200 * 12, abs=424 * 0.01)
    assert roads[0].findtext("k:description", namespaces=NS).split("<br>")[1:] == [
        "jalan kolektor", "lebar: 20 m"]  # fmt: skip
    assert "<img" not in out.read_text(encoding="utf-8")  # the name only escaped
    (river,) = folders["Sungai & pantai"]
    x0, y0 = ORIGIN
    assert utm(river, "LineString").hausdorff_distance(
        LineString([(x0 - 50, y0 + 260), (x0 + 650, y0 + 260)])) < 0.01  # fmt: skip
    (gate,) = folders["Gerbang & exit tol"]
    assert gate.findtext("k:name", namespaces=NS) == "Gerbang Barat"
    assert utm(gate, "Point").distance(Point(x0, y0 - 10)) < 0.01
    styles = {s.get("id"): s for s in root.iter(f"{{{NS['k']}}}Style")}
    gate_style = styles[gate.findtext("k:styleUrl", namespaces=NS).lstrip("#")]
    assert gate_style.findtext("k:IconStyle/k:color", namespaces=NS) == "ff3e8a2b"  # #2b8a3e
