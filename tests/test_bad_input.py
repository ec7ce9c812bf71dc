"""Bad arguments and bad data are exit 2 with one line (issue 15, item 4).

Every case: exit code 2, exactly one line on stderr naming the option, file or parcel,
no traceback, and no output file left behind. In Python the same mistakes raise kitland
errors that are also ``ValueError``.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from conftest import grid_estate, grid_layers, write_layers
from shapely import LineString, Point

import kitland
from kitland import UsageError
from kitland.cli import main
from kitland.rules import parse_rules

RULES = '[zone]\narea_ha = 4\ntolerance_ha = 0.5\n[[rules]]\nkind = "contiguous"\n'


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str, *needles: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def _layers() -> dict[str, gpd.GeoDataFrame]:
    """Two blocks of 100 m parcels with a 12 m local road between them (no gap: the
    road runs over a strip of road parcels), a collector along the south, a gate."""
    return grid_layers(
        ["IIRAAA", "IIRAAA", "GGRAAA"],
        roads=[
            (LineString([(250, -20), (250, 320)]), {"road_id": "L1", "road_class": "local"}),
            (LineString([(-50, -10), (650, -10)]), {"road_id": "C1", "road_class": "collector"}),
        ],
        gates=[(Point(0, -10), {"gate_id": "G1", "kind": "estate_gate"})],
    )


@pytest.fixture
def estate_file(tmp_path: Path) -> Path:
    return write_layers(_layers(), tmp_path / "estate.gpkg")


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    p = tmp_path / "rules.toml"
    p.write_text(RULES)
    return p


# -- arguments -------------------------------------------------------------------------

_BAD_ARGS = [
    (["--cell-m", "0"], "--cell-m", "positive number of metres, got 0"),
    (["--cell-m", "-5"], "--cell-m", "got -5"),
    (["--cell-m", "nan"], "--cell-m", "got nan"),
    (["--cell-m", "inf"], "--cell-m", "got inf"),
    (["--time-limit", "0"], "--time-limit", "positive number of seconds, got 0"),
    (["--time-limit", "-1"], "--time-limit", "got -1"),
    (["--alternatives", "0"], "--alternatives", "at least 1, got 0"),
    (["--alternatives", "-2"], "--alternatives", "at least 1, got -2"),
]


@pytest.mark.parametrize(("args", "option", "needle"), _BAD_ARGS)
def test_bad_place_argument_is_exit_2_naming_the_option(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys, args, option, needle
) -> None:
    out = tmp_path / "out.gpkg"
    argv = ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out), *args]
    code, stdout, err = _run(argv, capsys)
    assert code == 2
    assert stdout == ""
    _one_line(err, f"argument {option}:", needle)
    assert not out.exists()


def test_cell_size_that_makes_millions_of_cells_is_refused_with_one_that_would_do(
    estate_file: Path, rules_file: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out.gpkg"
    argv = ["place", str(estate_file), "--rules", str(rules_file), "--out", str(out)]
    code, _, err = _run([*argv, "--cell-m", "0.01"], capsys)
    assert code == 2
    line = _one_line(err, "cell_m=0.01", "cells (at most 100,000)", "--cell-m ")
    assert not out.exists()
    # The available land: 9 parcels of 1 ha; the local road's corridor (x 244..256) stays
    # on the road parcels, the collector's (y -20..0) outside the boundary.
    land_m2 = 9 * 100 * 100
    assert f"{land_m2 / 1e4:,.1f} ha" in line
    assert f"about {land_m2 / 0.01**2:,.0f} cells" in line
    need = float(line.rsplit("--cell-m ", 1)[1].rstrip(")"))
    assert need == pytest.approx(math.ceil(math.sqrt(land_m2 / 100_000) * 10) / 10)
    # The size it names passes the guard (placing at 1 m would take long: not run here).
    from kitland.placement import _check_cell_count  # noqa: PLC0415

    _check_cell_count(shapely.box(0, 0, 300, 300), need)
    with pytest.raises(UsageError):
        _check_cell_count(shapely.box(0, 0, 300, 300), need - 0.1)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"cell_m": 0}, "cell_m=0"),
        ({"cell_m": -1.0}, "cell_m=-1"),
        ({"cell_m": math.nan}, "cell_m=nan"),
        ({"cell_m": 0.01}, "at most 100,000"),
        ({"time_limit_s": 0}, "time_limit_s=0"),
        ({"time_limit_s": math.nan}, "time_limit_s=nan"),
        ({"alternatives": 0}, "alternatives=0"),
    ],
)
def test_place_raises_usage_error_that_is_a_value_error(kwargs, needle: str) -> None:
    est = grid_estate(["IAA", "IAA"])
    rules = parse_rules({"zone": {"area_ha": 2}})
    with pytest.raises(UsageError, match=needle) as info:
        kitland.place(est, rules, **kwargs)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, kitland.KitlandError)


def test_subprocess_bad_argument_prints_no_traceback(estate_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kitland", "place", str(estate_file), "--cell-m", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    _one_line(proc.stderr, "--cell-m")
