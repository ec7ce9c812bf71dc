"""Say what was written (issue 15, item 5).

``place`` names each file it wrote (or says nothing was written), ``map --png`` names
the PNG and writes no HTML unless ``--out`` asks for it, ``check --zone`` with several
zone features checks rank 1 and says so, or refuses with the count. Messages about
files go to stderr, results to stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

import fiona
import geopandas as gpd
import pytest
from conftest import grid_layers, write_layers
from shapely import LineString, Point, box

from kitland.cli import main

#: 50 ha meeting every land-budget norm (no data warnings); a local road over the
#: column of road parcels between the blocks, a collector along the south edge.
ROWS = ["IICGRAAAAI"] * 5
RULES = """
[zone]
area_ha = 4
tolerance_ha = 0.5

[[rules]]
kind = "adjacent"
to = { land_use = ["industrial"] }
min_shared_m = 100

[[rules]]
kind = "contiguous"
"""


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    layers = grid_layers(
        ROWS,
        roads=[
            (LineString([(450, -20), (450, 520)]), {"road_id": "L1", "road_class": "local"}),
            (LineString([(-50, -10), (1050, -10)]), {"road_id": "C1", "road_class": "collector"}),
        ],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    return {"estate": write_layers(layers, tmp_path / "estate.gpkg"), "rules": rules}


def _zones(path: Path, geoms: list, **cols) -> Path:
    gpd.GeoDataFrame(cols or {"n": list(range(len(geoms)))}, geometry=geoms, crs=32749).to_file(
        path, engine="fiona"
    )
    return path


X0, Y0 = 500_000.0, 9_230_000.0
#: 4 ha on the available block, next to the industrial column at x = 900..1000.
RANK1 = box(X0 + 700, Y0, X0 + 900, Y0 + 200)
#: 2 ha, too small for the rules: a check of it fails.
RANK2 = box(X0 + 500, Y0 + 300, X0 + 700, Y0 + 400)


def test_place_names_each_file_it_wrote(setup, tmp_path: Path, capsys) -> None:
    out, rep, html = tmp_path / "z.gpkg", tmp_path / "r.json", tmp_path / "m.html"
    argv = ["place", str(setup["estate"]), "--rules", str(setup["rules"]), "--alternatives", "2"]
    code, stdout, err = _run(
        [*argv, "--out", str(out), "--report", str(rep), "--map", str(html)], capsys
    )
    assert code == 0, err
    assert stdout.startswith("placement 1:")  # the result on stdout, the files on stderr
    assert err.splitlines() == [
        f"kitland: wrote {rep} (JSON report)",
        f"kitland: wrote {out} (layer zone: 2 placements; layer parcels: the new layout)",
        f"kitland: wrote {html} (meeting map)",
    ]
    assert fiona.listlayers(out) == ["zone", "parcels", "layer_styles"]
    assert len(gpd.read_file(out, layer="zone")) == 2
    assert json.loads(rep.read_text())["passed"] is True
    assert html.stat().st_size > 10_000


def test_place_without_outputs_says_nothing_was_written(setup, capsys) -> None:
    code, stdout, err = _run(
        ["place", str(setup["estate"]), "--rules", str(setup["rules"])], capsys
    )
    assert code == 0
    assert "placement 1:" in stdout
    assert err == (
        "kitland: nothing written: pass --out OUT.gpkg / --map M.html / --report R.json to save it\n"
    )
    code, _, err = _run(
        ["-q", "place", str(setup["estate"]), "--rules", str(setup["rules"])], capsys
    )
    assert code == 0 and err == ""


def test_place_that_finds_nothing_says_what_it_did_not_write(setup, tmp_path: Path, capsys) -> None:
    rules = tmp_path / "big.toml"
    rules.write_text("[zone]\narea_ha = 40\n")  # 20 ha of available land
    out, rep, html = tmp_path / "z.gpkg", tmp_path / "r.json", tmp_path / "m.html"
    code, stdout, err = _run(
        ["place", str(setup["estate"]), "--rules", str(rules), "--out", str(out),
         "--report", str(rep), "--map", str(html)],
        capsys,
    )  # fmt: skip
    assert code == 1
    assert stdout.startswith("no placement satisfies the rules")
    assert err.splitlines() == [
        f"kitland: wrote {rep} (JSON report)",
        f"kitland: no placement, so {out} and {html} not written",
    ]
    assert rep.exists() and not out.exists() and not html.exists()


def test_map_png_names_the_png_and_writes_no_html(
    setup, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "maps").mkdir()
    code, stdout, err = _run(["map", str(setup["estate"]), "--png", "estate.png"], capsys)
    assert code == 0 and stdout == ""
    assert err == "kitland: wrote estate.png (picture)\n"
    assert (tmp_path / "estate.png").read_bytes()[:4] == b"\x89PNG"
    assert list((tmp_path / "maps").iterdir()) == []  # no maps/kitland.html
    code, _, err = _run(
        ["map", str(setup["estate"]), "--png", "again.png", "--out", "maps/m.html"], capsys
    )
    assert code == 0
    assert err.splitlines() == [
        "kitland: wrote again.png (picture)",
        "kitland: wrote maps/m.html (meeting map)",
    ]
    code, _, err = _run(["map", str(setup["estate"])], capsys)
    assert code == 0
    assert err == "kitland: wrote maps/kitland.html (meeting map)\n"


def test_map_without_out_makes_the_default_maps_folder(
    setup, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert not (tmp_path / "maps").exists()
    code, stdout, err = _run(["map", str(setup["estate"])], capsys)
    assert code == 0 and stdout == ""
    assert err == "kitland: wrote maps/kitland.html (meeting map)\n"
    assert (tmp_path / "maps" / "kitland.html").read_text().lstrip().startswith("<!DOCTYPE html>")
    # A folder the user names is never made: a typo stays an error (exit 2, nothing written).
    code, _, err = _run(["map", str(setup["estate"]), "--out", "mapz/m.html"], capsys)
    assert code == 2
    assert err == "kitland: mapz/m.html: the folder mapz does not exist\n"
    assert not (tmp_path / "mapz").exists()


@pytest.mark.parametrize("ext", ["gpkg", "geojson"])
def test_check_several_ranked_zones_checks_rank_1_and_says_so(
    setup, tmp_path: Path, capsys, ext: str
) -> None:
    zf = _zones(
        tmp_path / f"zones.{ext}",
        [RANK2, RANK1, RANK2],
        zone_id=["UMKM-2", "UMKM-1", "UMKM-3"],
        rank=[2, 1, 3],
    )
    code, stdout, err = _run(
        ["check", str(setup["estate"]), "--zone", str(zf), "--rules", str(setup["rules"]),
         "--format", "json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert err == f"kitland: {zf}: 3 zone features with a rank column; checking rank 1 (UMKM-1)\n"
    report = json.loads(stdout)
    assert report["zone"]["area_ha"] == pytest.approx(4.0)  # RANK1, not the 2 ha RANK2
    assert report["passed"] is True


@pytest.mark.parametrize("ext", ["gpkg", "geojson"])
def test_check_several_zones_without_rank_is_refused_with_the_count(
    setup, tmp_path: Path, capsys, ext: str
) -> None:
    zf = _zones(tmp_path / f"zones.{ext}", [RANK1, RANK2, RANK2])
    code, stdout, err = _run(
        ["check", str(setup["estate"]), "--zone", str(zf), "--rules", str(setup["rules"])], capsys
    )
    assert code == 2 and stdout == ""
    assert err == (
        f"kitland: {zf}: holds 3 zone geometries; expected exactly one polygon "
        "(or a 'rank' column: rank 1 is checked)\n"
    )


def test_check_ranked_zones_without_rank_1_is_refused(setup, tmp_path: Path, capsys) -> None:
    zf = _zones(tmp_path / "zones.gpkg", [RANK1, RANK2], rank=[2, 3])
    code, _, err = _run(
        ["check", str(setup["estate"]), "--zone", str(zf), "--rules", str(setup["rules"])], capsys
    )
    assert code == 2
    assert err == (
        f"kitland: {zf}: holds 2 zone geometries and 0 with rank 1 (ranks: 2, 3); expected "
        "exactly one with rank 1, or a single polygon\n"
    )


def test_check_names_the_report_file(setup, tmp_path: Path, capsys) -> None:
    zf = _zones(tmp_path / "zone.geojson", [RANK1])
    out = tmp_path / "check.xml"
    code, stdout, err = _run(
        ["check", str(setup["estate"]), "--zone", str(zf), "--rules", str(setup["rules"]),
         "--format", "junit", "-o", str(out)],
        capsys,
    )  # fmt: skip
    assert code == 0 and stdout == ""
    assert err == f"kitland: wrote {out} (junit report)\n"
    assert out.read_text().startswith("<?xml")
