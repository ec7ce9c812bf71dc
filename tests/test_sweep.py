"""Scenario sweeps (issue 19): real Dask scheduler and workers on 127.0.0.1, real solves.

Every scenario here is a small grid estate at 50 m cells that HiGHS proves optimal in
about a second, under a 120 s limit it never reaches, so each result is the proven
optimum and the same in every process: serial and distributed runs must agree cell for
cell.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import road_front_layers, road_front_rules, write_layers
from shapely import box

import kitland
from kitland.cli import main
from kitland.rules import load_rules

AREAS = (3.0, 4.0, 5.0)
SHARED = (100.0, 200.0)
VARY = ["--vary", "zone.area_ha=3:5:1", "--vary", "industry.min_shared_m=100,200"]
DASK = Path(sys.executable).parent / "dask"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("sweep_inputs")
    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"])
    est = write_layers(layers, root / "estate.gpkg")
    rules = root / "rules.toml"
    rules.write_text(road_front_rules())
    args = [str(est), "--rules", str(rules), *VARY, "--cell-m", "50", "--time-limit", "120"]
    return {"estate": est, "rules": rules, "args": args, "root": root}


def _sweep(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["sweep", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def serial(inputs: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial") / "sweep"
    assert main(["sweep", *inputs["args"], "--out", str(out), "--workers", "0", "-q"]) == 0
    return pd.read_parquet(out / "results.parquet").set_index("scenario")


def _hash(cells: Any) -> str:
    """The hash a planner could compute: sha256 of the sorted cell numbers as int64 LE."""
    return hashlib.sha256(np.sort(np.asarray(cells)).astype("<i8").tobytes()).hexdigest()[:16]


# -- the command line and the results table ---------------------------------------------
@pytest.mark.parametrize(
    ("vary", "named"),
    [
        ("industry.min_shared_m", "no '='"),
        ("industry=100", "'industry' is not NAME.KEY"),
        ("industry.min_shared_m=100:x:50", "'x' is not a number"),
        ("industry.min_shared_m=100:200:0", "step '0' must be positive"),
        ("industry.min_shared_m=300:200:50", "runs backwards"),
        ("industry.min_shared_m=100,,200", "an empty value"),
        ("industri.min_shared_m=100", "no rule 'industri'; did you mean 'industry'?"),
        ("industry.min_share_m=100", "unknown key 'min_share_m'"),
        ("industry.min_shared_m=-5", "-5.0 is negative"),
    ],
)
def test_bad_vary_is_exit_2_naming_the_part(
    inputs: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    vary: str,
    named: str,
) -> None:
    out = tmp_path / "sweep"
    argv = [str(inputs["estate"]), "--rules", str(inputs["rules"]), "--vary", vary]
    code, _, err = _sweep([*argv, "--out", str(out), "--workers", "0"], capsys)
    assert code == 2
    assert err.startswith(f"kitland: --vary {vary!r}: ")
    assert named in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_serial_rows_are_the_proven_optima_of_each_scenario(
    inputs: dict[str, Any], serial: pd.DataFrame
) -> None:
    assert len(serial) == len(AREAS) * len(SHARED)
    combos = set(zip(serial["zone.area_ha"], serial["industry.min_shared_m"], strict=True))
    assert combos == set(itertools.product(AREAS, SHARED))
    assert set(serial["status"]) == {"OPTIMAL"}
    assert (serial["gap"] == 0).all()
    # The same scenarios placed one by one with Rules.replace, outside the sweep.
    estate = kitland.load_estate(inputs["estate"])
    rules = load_rules(inputs["rules"])
    for area, shared in [(3.0, 200.0), (5.0, 100.0)]:
        row = serial[(serial["zone.area_ha"] == area) & (serial["industry.min_shared_m"] == shared)]
        what_if = rules.replace("area", area_ha=area).replace("industry", min_shared_m=shared)
        res = kitland.place(estate, what_if, cell_m=50, time_limit_s=120)
        best = res.alternatives[0]
        assert row["cells_hash"].item() == _hash(best.cells)
        assert row["grid_angle_deg"].item() == res.solver["grid_angle_deg"]
        assert row["score"].item() == pytest.approx(best.score, rel=1e-12)
        assert row["area_ha"].item() == pytest.approx(best.zone.area / 1e4, rel=1e-9)
        assert row["rule:industry"].item() >= shared
        assert row["centroid_x"].item() == pytest.approx(best.zone.centroid.x, abs=1e-3)


def test_zones_layer_holds_each_scenarios_zone(inputs: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    vary = ["--vary", "zone.area_ha=3,5"]
    argv = [str(inputs["estate"]), "--rules", str(inputs["rules"]), *vary, "--cell-m", "50"]
    assert main(["sweep", *argv, "--time-limit", "120", "--out", str(out), "--workers", "0"]) == 0
    zones = gpd.read_file(out / "zones.gpkg", layer="zones", engine="fiona")
    table = pd.read_parquet(out / "results.parquet")
    assert list(zones["scenario"]) == list(table["scenario"])
    # Areas measured on the written polygons, not taken from the table.
    assert zones.geometry.area.div(1e4).round(6).tolist() == table["area_ha"].round(6).tolist()
    assert zones.crs.to_epsg() == 32749
    manifest = json.loads((out / "sweep.json").read_text())
    assert [v["column"] for v in manifest["vary"]] == ["zone.area_ha"]


def test_a_varied_minimum_reads_as_at_least_that_area(inputs: dict[str, Any], tmp_path: Path) -> None:
    """The zone is 4 ± 0.25 ha. ``--vary zone.min_ha=3,5`` reads as a file saying "at
    least 3 ha" / "at least 5 ha" does: the target is the minimum (it stayed 4 ha, and
    5 ha lay above the band's top, a FAILED scenario); the top stays 4.25 ha, or lies
    the band's 0.5 ha above a minimum past it (5 .. 5.5 ha). Each scenario's zone, read
    back from zones.gpkg, passes check against the rules file written that way."""
    out = tmp_path / "sweep"
    argv = [str(inputs["estate"]), "--rules", str(inputs["rules"]), "--vary", "zone.min_ha=3,5",
            "--cell-m", "50", "--time-limit", "120", "--out", str(out), "--workers", "0", "-q"]  # fmt: skip
    assert main(["sweep", *argv]) == 0
    table = pd.read_parquet(out / "results.parquet").set_index("scenario")
    zones = gpd.read_file(out / "zones.gpkg", layer="zones", engine="fiona").set_index("scenario")
    est = kitland.load_estate(inputs["estate"])
    text = inputs["rules"].read_text()
    for scenario, row in table.iterrows():
        band = {3.0: "min_ha = 3\nmax_ha = 4.25\n", 5.0: "min_ha = 5\nmax_ha = 5.5\n"}[row["zone.min_ha"]]
        written = kitland.rules.parse_rules(
            __import__("tomllib").loads(text.replace("area_ha = 4.0\ntolerance_ha = 0.25\n", band)))
        assert written.zone is not None and written.zone.area_ha == row["zone.min_ha"]
        assert row["status"] == "OPTIMAL"
        assert kitland.check(est, zones.geometry[scenario], written).passed
        assert row["zone.min_ha"] - 1e-6 <= zones.geometry[scenario].area / 1e4 <= written.zone.max_ha


def test_one_zone_of_a_zones_file_is_swept_by_its_own_rules(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The same rules as zone A of a ``[[zones]]`` file (the top-level rules apply to
    every zone) beside a zone B: ``--zone-name A`` gives the rows of the one-zone file;
    without it, one line naming the option."""
    text = road_front_rules().replace("[zone]\n", '[[zones]]\nname = "A"\n', 1)
    zones = tmp_path / "zones.toml"
    zones.write_text(text + '\n[[zones]]\nname = "B"\narea_ha = 2\n')
    argv = [str(inputs["estate"]), "--rules", str(zones), *VARY, "--cell-m", "50",
            "--time-limit", "120", "--workers", "0"]  # fmt: skip
    code, _, err = _sweep([*argv, "--out", str(tmp_path / "no")], capsys)
    assert code == 2 and "has 2 [[zones]]; sweep one of them: --zone-name NAME" in err
    assert not (tmp_path / "no").exists()
    out = tmp_path / "a"
    code, _, err = _sweep([*argv, "--zone-name", "A", "--out", str(out)], capsys)
    assert code == 0, err
    table = pd.read_parquet(out / "results.parquet").set_index(["zone.area_ha", "industry.min_shared_m"])
    ref = serial.set_index(["zone.area_ha", "industry.min_shared_m"]).loc[table.index]
    assert list(table["status"]) == list(ref["status"]) == ["OPTIMAL"] * len(ref)
    assert list(table["cells_hash"]) == list(ref["cells_hash"])
    assert np.allclose(table["score"], ref["score"], rtol=1e-12)


def test_a_scenario_that_raises_is_recorded_failed_and_the_rest_go_on(
    inputs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    argv = [str(inputs["estate"]), "--rules", str(inputs["rules"]), "--cell-m", "50",
            "--vary", "zone.min_ha=3,5", "--vary", "zone.max_ha=4.5"]  # fmt: skip
    code, stdout, _ = _sweep([*argv, "--out", str(out), "--workers", "0"], capsys)
    assert code == 1  # a scenario failed
    table = pd.read_parquet(out / "results.parquet").set_index("zone.min_ha")
    assert table.loc[5.0, "status"] == "FAILED"
    assert "min_ha = 5 is above max_ha = 4.5" in table.loc[5.0, "message"]
    assert "\n" not in table.loc[5.0, "message"]
    assert table.loc[3.0, "status"] == "OPTIMAL"
    assert "1 FAILED" in stdout and "min_ha = 5 is above max_ha = 4.5" in stdout


# -- Dask: a real scheduler and workers on 127.0.0.1 --------------------------------------
@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("dask")
    info = root / "scheduler.json"
    with (root / "scheduler.log").open("w") as log:
        proc = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info)],
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    try:
        for _ in range(600):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        yield {"address": address, "file": info, "root": root}
    finally:
        proc.terminate()
        proc.wait(30)


class _Workers:
    """``dask worker`` processes (no nanny, one thread each) started by one test."""

    def __init__(self, scheduler: dict[str, Any]) -> None:
        self.scheduler = scheduler
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.scheduler["root"] / f"{name}.log").open("w") as log:
            proc = subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(self.scheduler["file"]),
                 "--name", name, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        self.procs.append(proc)
        self.wait_for(name)
        return proc

    def wait_for(self, name: str) -> None:
        pattern = re.compile(r"Registered to:")
        path = self.scheduler["root"] / f"{name}.log"
        for _ in range(1200):
            if pattern.search(path.read_text()):
                return
            time.sleep(0.1)
        raise AssertionError(f"worker {name} did not register: {path.read_text()[-2000:]}")

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            p.wait(30)


@pytest.fixture
def workers(scheduler: dict[str, Any]) -> Iterator[_Workers]:
    w = _Workers(scheduler)
    try:
        yield w
    finally:
        w.stop()


def _records(out: Path) -> dict[str, int]:
    """Finished scenario files → their modification time (ns)."""
    folder = out / "scenarios"
    if not folder.is_dir():
        return {}
    return {
        p.name: p.stat().st_mtime_ns for p in folder.glob("*.json") if not p.name.startswith(".")
    }


def _start_sweep(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kitland", "sweep", *argv, "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def _wait_records(out: Path, n: int, proc: subprocess.Popen[bytes]) -> dict[str, int]:
    for _ in range(3000):
        recs = _records(out)
        if len(recs) >= n:
            return recs
        if proc.poll() is not None:
            raise AssertionError(f"the sweep ended early: {proc.communicate()}")
        time.sleep(0.05)
    raise AssertionError(f"no {n} finished scenarios in {out}")


def _same_starts(table: pd.DataFrame, serial: pd.DataFrame) -> None:
    """Each scenario started from the same chain predecessor's result as in the serial run
    (3 chains of 2 there: each 200 m scenario from its 100 m one's proof)."""
    table = table.set_index("scenario").loc[serial.index]
    assert list(table["start"].fillna("cold")) == list(serial["start"].fillna("cold"))
    assert (serial["start"] == "floor").sum() == 3


def _same_rows(table: pd.DataFrame, serial: pd.DataFrame) -> None:
    table = table.set_index("scenario").loc[serial.index]
    assert list(table["status"]) == list(serial["status"])
    assert list(table["cells_hash"]) == list(serial["cells_hash"])
    assert np.allclose(table["score"], serial["score"], rtol=1e-12)


@pytest.mark.slow
def test_sweep_on_a_dask_cluster_gives_the_serial_rows(
    inputs: dict[str, Any], serial: pd.DataFrame, scheduler: dict[str, Any], workers: _Workers,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    workers.start("a")
    workers.start("b")
    out = tmp_path / "sweep"
    code, stdout, err = _sweep([*inputs["args"], "--out", str(out),
                                "--scheduler", scheduler["address"]], capsys)  # fmt: skip
    assert code == 0, err
    assert "6 scenarios: 6 OPTIMAL (6 run now, 0 finished earlier)" in stdout
    assert "Dask dashboard: " in err
    _same_rows(pd.read_parquet(out / "results.parquet"), serial)
    _same_starts(pd.read_parquet(out / "results.parquet"), serial)


@pytest.mark.slow
def test_a_worker_killed_mid_scenario_loses_nothing(
    inputs: dict[str, Any], serial: pd.DataFrame, scheduler: dict[str, Any], workers: _Workers,
    tmp_path: Path,
) -> None:  # fmt: skip
    victim = workers.start("victim")
    out = tmp_path / "sweep"
    sweep = _start_sweep([*inputs["args"], "--out", str(out), "--scheduler", scheduler["address"]])
    # One worker with one thread and scenarios queued: once the first is written, the
    # victim is already solving the next one.
    _wait_records(out, 1, sweep)
    workers.start("rescuer")
    victim.send_signal(signal.SIGKILL)
    victim.wait(30)
    stdout, stderr = sweep.communicate(timeout=600)
    assert sweep.returncode == 0, stderr.decode()
    assert "6 scenarios: 6 OPTIMAL" in stdout.decode()
    assert len(_records(out)) == 6
    _same_rows(pd.read_parquet(out / "results.parquet"), serial)
    _same_starts(pd.read_parquet(out / "results.parquet"), serial)


@pytest.mark.slow
def test_a_killed_sweep_resumes_without_recomputing(
    inputs: dict[str, Any], serial: pd.DataFrame, scheduler: dict[str, Any], workers: _Workers,
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    workers.start("solo")
    out = tmp_path / "sweep"
    argv = [*inputs["args"], "--out", str(out), "--scheduler", scheduler["address"]]
    sweep = _start_sweep(argv)
    _wait_records(out, 2, sweep)
    sweep.send_signal(signal.SIGKILL)
    sweep.communicate(timeout=30)
    before = _records(out)
    assert 2 <= len(before) < 6
    assert not (out / "results.parquet").exists()
    code, stdout, err = _sweep(argv, capsys)
    assert code == 0, err
    done = len(before)
    assert f"{done} of 6 scenarios finished earlier" in err
    assert f"({6 - done} run now, {done} finished earlier)" in stdout
    after = _records(out)
    assert set(after) >= set(before) and len(after) == 6
    assert {k: after[k] for k in before} == before  # not rewritten
    _same_rows(pd.read_parquet(out / "results.parquet"), serial)
    _same_starts(pd.read_parquet(out / "results.parquet"), serial)


@pytest.mark.slow
def test_local_cluster_sample_gives_the_serial_rows(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path
) -> None:
    rules = load_rules(inputs["rules"])
    res = kitland.sweep(inputs["estate"], rules, vary=VARY[1::2], out=tmp_path / "s", sample=2,
                        seed=7, workers=1, cell_m=50, time_limit_s=120)  # fmt: skip
    assert res.computed == 2 and res.dashboard is not None
    assert res.dashboard.startswith("http://127.0.0.1:")
    _same_rows(res.results, serial.loc[res.results["scenario"]])
    again = kitland.sweep(inputs["estate"], rules, vary=VARY[1::2], out=tmp_path / "s",
                          sample=2, seed=7, workers=1, cell_m=50, time_limit_s=120)  # fmt: skip
    assert (again.computed, again.reused) == (0, 2)


def test_the_cache_key_is_the_content_not_the_path(inputs: dict[str, Any], tmp_path: Path) -> None:
    from kitland.sweeps import estate_digest  # noqa: PLC0415

    copy = tmp_path / "elsewhere.gpkg"
    copy.write_bytes(Path(inputs["estate"]).read_bytes())
    a, b = kitland.load_estate(inputs["estate"]), kitland.load_estate(copy)
    assert estate_digest(a) == estate_digest(b)
    moved = a.parcels.copy()
    moved.loc[moved.index[0], "land_use"] = "green"
    changed = kitland.Estate.from_layers({**a.layers, "parcels": moved})
    assert estate_digest(changed) != estate_digest(a)


# -- the report ---------------------------------------------------------------------------
def test_jumps_and_stability_on_hand_made_zones(tmp_path: Path) -> None:
    from kitland.sweep_report import _jumps, stability_cells  # noqa: PLC0415

    # Setback 50/100/150/200: the zone stays at x 0..100 until 100, then jumps to 300..400
    # and at 200 nothing fits.
    table = pd.DataFrame({"scenario": list("abcd"), "estate": "e", "s.min_m": [50.0, 100, 150, 200],
                          "status": ["OPTIMAL"] * 3 + ["INFEASIBLE"]})  # fmt: skip
    geoms = [box(0, 0, 100, 100), box(10, 0, 110, 100), box(300, 0, 400, 100)]
    zones = gpd.GeoDataFrame({"scenario": list("abc")}, geometry=geoms, crs=32749)
    jumps = _jumps(table, zones, ["s.min_m"])
    assert jumps[["from", "to", "what"]].values.tolist() == [
        [100.0, 150.0, "site moves"], [150.0, 200.0, "no zone"]]  # fmt: skip
    assert jumps["moved_m"].iloc[0] == pytest.approx(290.0)
    cells = stability_cells(zones, cell_m=50, runs=4)
    # Centre (25, 25) lies in a and b, (325, 25) only in c, (125, 25) in none.
    share = {
        tuple(np.round(g.centroid.coords[0])): s
        for g, s in zip(cells.geometry, cells["share"], strict=True)
    }
    assert share[(25.0, 25.0)] == 0.5
    assert share[(325.0, 25.0)] == 0.25
    assert (125.0, 25.0) not in share
    assert cells["share"].sum() * 4 * 50**2 == pytest.approx(sum(g.area for g in geoms[:1]) * 2
                                                              + geoms[2].area)  # fmt: skip


def test_sweep_report_writes_plots_map_and_jumps(
    inputs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sweep"
    argv = [str(inputs["estate"]), "--rules", str(inputs["rules"]), "--cell-m", "50",
            "--time-limit", "120", "--vary", "zone.area_ha=3,5", "--out", str(out)]  # fmt: skip
    assert main(["sweep", *argv, "--workers", "0", "-q"]) == 0
    capsys.readouterr()
    assert main(["sweep-report", str(out), "--lang", "en"]) == 0
    stdout, err = capsys.readouterr()
    report = out / "report"
    for name in ("score_zone.area_ha.png", "stability.png"):
        assert (report / name).read_bytes()[:4] == b"\x89PNG"
    html = (report / "stability.html").read_text()
    assert "share of scenarios whose zone holds this cell" in html
    assert "2 scenarios: 2 OPTIMAL" in stdout
    assert (report / "summary.txt").read_text() == stdout
    zones = gpd.read_file(out / "zones.gpkg", layer="zones", engine="fiona")
    from kitland.sweep_report import site_changes  # noqa: PLC0415

    moved = site_changes(zones.geometry.iloc[0], zones.geometry.iloc[1])
    jumps = pd.read_csv(report / "jumps.csv")
    assert len(jumps) == int(moved)
    assert "summary.txt" in err


def test_sweep_report_of_a_folder_without_a_sweep_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep-report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kitland: {tmp_path}: not a finished sweep folder (no sweep.json)")


def test_local_workers_keep_dasks_log_records_to_themselves(capfd: pytest.CaptureFixture[str]) -> None:
    """A LocalCluster worker shares the sweep's terminal: what it prints reaches it (the
    control), Dask's own error records with their tracebacks (as a worker busy in a solve
    logs when the cluster closes under it after Ctrl-C) do not."""
    from kitland.sweeps import _client  # noqa: PLC0415

    def speak() -> int:
        import logging  # noqa: PLC0415

        print("worker control line", file=sys.stderr, flush=True)
        try:
            raise ConnectionError("Stream is closed")
        except ConnectionError:
            logging.getLogger("distributed.worker").exception(
                "Failed to communicate with scheduler during heartbeat."
            )
        return 1

    client, cluster = _client(None, 1)
    try:
        assert list(client.run(speak).values()) == [1]
    finally:
        client.close()
        cluster.close()
    err = capfd.readouterr().err
    assert "worker control line" in err
    assert "heartbeat" not in err and "Traceback" not in err


def test_workers_and_scheduler_together_are_refused(
    inputs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*inputs["args"], "--out", str(tmp_path / "s"), "--workers", "2",
            "--scheduler", "tcp://127.0.0.1:1"]  # fmt: skip
    code, _, err = _sweep(argv, capsys)
    assert code == 2
    assert "--scheduler" in err and "--workers" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_scheduler_is_exit_2_and_writes_nothing(
    inputs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*inputs["args"], "--out", str(tmp_path / "s"), "--scheduler", "tcp://127.0.0.1:1"]
    code, _, err = _sweep(argv, capsys)
    assert code == 2
    assert "cannot reach the Dask scheduler" in err
    assert list(tmp_path.iterdir()) == []


def test_several_estates_one_row_each_and_a_stability_map_each(
    inputs: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A second estate of the same name elsewhere, with the village in the south-east:
    # the nearest zone moves there.
    layers = road_front_layers(["IAAAAI", "IAAAAI", "IAAAAI", "GGGGGG"], village=(700, 150))
    (tmp_path / "b").mkdir()
    other = write_layers(layers, tmp_path / "b" / "estate.gpkg")
    out = tmp_path / "sweep"
    argv = [str(inputs["estate"]), str(other), "--rules", str(inputs["rules"]), "--cell-m", "50",
            "--time-limit", "120", "--vary", "zone.area_ha=3,5", "--out", str(out)]  # fmt: skip
    assert main(["sweep", *argv, "--workers", "0", "-q", "--report", "--lang", "en"]) == 0
    capsys.readouterr()
    table = pd.read_parquet(out / "results.parquet")
    assert table["estate"].tolist() == ["estate", "estate (2)"] * 2
    east = table.groupby("estate")["centroid_x"].mean()
    assert east["estate (2)"] > east["estate"]
    for name in ("stability_estate.png", "stability_estate_2.png", "stability_estate_2.html"):
        assert (out / "report" / name).exists()


def test_progress_bar_counts_done_and_failed(capsys: pytest.CaptureFixture[str]) -> None:
    from kitland._progress import SweepProgress  # noqa: PLC0415

    bar = SweepProgress()
    bar({"stage": "start", "total": 6, "reused": 2, "dashboard": None})
    bar({"stage": "scenario", "status": "FAILED", "done": 3, "failed": 1, "total": 6})
    bar({"stage": "scenario", "status": "OPTIMAL", "done": 4, "failed": 1, "total": 6})
    err = capsys.readouterr().err
    assert "4/6" in err and "1 failed" in err
    bar({"stage": "done"})
    assert bar.bar is None


# -- reruns, Ctrl-C, worker logs ----------------------------------------------------------
def test_an_undecided_jump_is_not_called_no_zone() -> None:
    from kitland.sweep_report import _jumps, _summary  # noqa: PLC0415

    # 50: a zone; 100: time ran out before any zone (UNDECIDED); 150: proven that none fits.
    table = pd.DataFrame({"scenario": list("abc"), "estate": "e", "s.min_m": [50.0, 100, 150],
                          "status": ["OPTIMAL", "UNDECIDED", "INFEASIBLE"],
                          "message": ""})  # fmt: skip
    zones = gpd.GeoDataFrame({"scenario": ["a"]}, geometry=[box(0, 0, 100, 100)], crs=32749)
    jumps = _jumps(table, zones, ["s.min_m"])
    assert jumps[["from", "to", "what"]].values.tolist() == [[50.0, 100.0, "undecided"]]
    text = _summary(table, jumps, ["s.min_m"])
    assert "50 → 100: undecided" in text
    assert ": no zone" not in text
    # A FEASIBLE scenario: found within the work budget, so the same again on a rerun
    # (test_determinism), unless the wall clock stopped it; never "may differ each run".
    feasible = table.assign(status=["FEASIBLE", "UNDECIDED", "INFEASIBLE"])
    for lang in ("en", "id"):
        text = _summary(feasible, jumps, ["s.min_m"], lang)
        assert ("--time-limit return them again" in text if lang == "en"
                else "--time-limit yang sama menghasilkannya lagi" in text)  # fmt: skip
        assert "differ" not in text and "berbeda" not in text


def test_undecided_scenarios_are_run_again_and_proven_ones_kept(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "sweep"
    base = [*inputs["args"][:-2], "--out", str(out), "--workers", "0"]  # without --time-limit
    # 1 ns: its work budget (0.5 ns of work) counts as spent before the first solve, on
    # any machine, so no scenario finds a zone (1 ms left the answer to the wall clock)
    code, stdout, err = _sweep([*base, "--time-limit", "1e-9"], capsys)
    assert code == 0, err
    assert "6 scenarios: 6 UNDECIDED (6 run now, 0 finished earlier)" in stdout
    code, stdout, err = _sweep([*base, "--time-limit", "1e-9"], capsys)
    assert "(6 run now, 0 finished earlier)" in stdout  # undecided is not an answer
    assert "0 of 6 scenarios finished earlier" in err and "6 of them again: undecided" in err
    first = _records(out)
    code, stdout, err = _sweep([*base, "--time-limit", "120"], capsys)
    assert code == 0, err
    assert "6 scenarios: 6 OPTIMAL (6 run now, 0 finished earlier)" in stdout
    table = pd.read_parquet(out / "results.parquet")
    _same_rows(table, serial)
    assert set(table["time_limit_s"]) == {120.0}
    assert set(_records(out)) == set(first)  # the same scenario files, rewritten
    # proven answers are final: a shorter limit reuses them
    code, stdout, err = _sweep([*base, "--time-limit", "5"], capsys)
    assert "(0 run now, 6 finished earlier)" in stdout


@pytest.mark.parametrize(
    ("status", "found_with_s", "now_s", "clock", "reused"),
    [("OPTIMAL", 1, 60, None, True), ("INFEASIBLE", 1, 60, None, True),
     ("FAILED", 60, 60, None, True), ("FEASIBLE", 60, 60, None, True),
     ("FEASIBLE", 60, 30, None, True), ("FEASIBLE", 30, 60, None, False),
     ("UNDECIDED", 60, 60, None, False), ("UNDECIDED", 60, 30, None, False),
     # stopped by the wall clock: a proof holds, a FEASIBLE zone is only that run's
     ("FEASIBLE", 60, 60, False, False), ("FEASIBLE", 60, 60, True, True),
     ("OPTIMAL", 60, 60, False, True)],
)  # fmt: skip
def test_which_finished_records_a_rerun_keeps(
    tmp_path: Path, status: str, found_with_s: float, now_s: float, clock: bool | None,
    reused: bool,
) -> None:  # fmt: skip
    from kitland.sweeps import _read_record, _write_record  # noqa: PLC0415

    (tmp_path / "scenarios").mkdir()
    rec: dict[str, Any] = {"status": status, "time_limit_s": found_with_s}
    if clock is not None:
        rec["deterministic"] = clock
    _write_record(tmp_path, "k", rec)
    assert (_read_record(tmp_path, "k", time_limit_s=now_s) is not None) is reused


def test_a_row_says_whether_the_wall_clock_stopped_it_or_its_chains_start(
    inputs: dict[str, Any], serial: pd.DataFrame
) -> None:
    """Column ``deterministic``: every serial row here ends by its own proof. A scenario
    chained from one the wall clock stopped (here: that record, marked so) starts from a
    zone another run may not have found, so it is not deterministic either, though it
    is the same proven optimum (its zone's cells alike)."""
    from kitland.sweeps import run_scenario  # noqa: PLC0415

    assert serial["deterministic"].tolist() == [True] * len(serial)
    estate = kitland.load_estate(inputs["estate"])
    rules = load_rules(inputs["rules"])
    loose, tight = (rules.replace("industry", min_shared_m=m) for m in (100, 200))
    first = run_scenario(estate, loose, cell_m=50, time_limit_s=120)
    assert first["status"] == "OPTIMAL" and first["deterministic"] is True
    after = {"after": first, "after_rules": loose}
    walled = {"after": {**first, "deterministic": False}, "after_rules": loose}
    clean = run_scenario(estate, tight, cell_m=50, time_limit_s=120, **after)
    chained = run_scenario(estate, tight, cell_m=50, time_limit_s=120, **walled)
    assert clean["start"] == chained["start"] == "floor"
    assert clean["cells_hash"] == chained["cells_hash"] and clean["status"] == "OPTIMAL"
    assert clean["deterministic"] is True and chained["deterministic"] is False


def test_the_summary_counts_the_feasible_rows_the_wall_clock_stopped() -> None:
    from kitland.sweep_report import _jumps, _summary  # noqa: PLC0415

    table = pd.DataFrame({"scenario": list("abcd"), "estate": "e",
                          "s.min_m": [50.0, 100, 150, 200],
                          "status": ["FEASIBLE", "FEASIBLE", "FEASIBLE", "OPTIMAL"],
                          "deterministic": [False, True, False, False], "message": ""})  # fmt: skip
    jumps = _jumps(table, gpd.GeoDataFrame({"scenario": []}, geometry=[], crs=32749), ["s.min_m"])
    assert "2 FEASIBLE scenarios were stopped by the wall clock" in _summary(table, jumps, ["s.min_m"])
    assert "2 skenario LAYAK dihentikan oleh jam dinding" in _summary(
        table, jumps, ["s.min_m"], "id"
    )
    quiet = table.assign(deterministic=True)
    assert "wall clock before" not in _summary(quiet, jumps, ["s.min_m"])
    assert "wall clock before" not in _summary(quiet.drop(columns="deterministic"), jumps,
                                               ["s.min_m"])  # fmt: skip


@pytest.mark.slow
def test_ctrl_c_stops_a_local_cluster_sweep_cleanly_and_a_rerun_resumes(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import os  # noqa: PLC0415

    out = tmp_path / "sweep"
    # 18 scenarios (the serial fixture's 6 among them) on 2 local workers
    argv = [*inputs["args"][:3], "--vary", "zone.area_ha=3:5:0.25", "--vary",
            "industry.min_shared_m=100,200", "--cell-m", "50", "--time-limit", "120",
            "--out", str(out), "--workers", "2"]  # fmt: skip
    # A terminal's Ctrl-C reaches every process of its group: the sweep and its workers.
    proc = subprocess.Popen([sys.executable, "-m", "kitland", "sweep", *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip
    _wait_records(out, 1, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err_b = proc.communicate(timeout=300)
    err = err_b.decode()
    assert proc.returncode == 130, err
    done = len(_records(out))
    assert 1 <= done < 18
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(rf"kitland: interrupted: {done} of 18 scenarios done \(kept in .+\); "
                        "rerun the same command to resume", last), err  # fmt: skip
    for noise in ("Traceback", "terminate called", "bad_function_call", "Error"):
        assert noise not in err
    # the data warnings are logged once, by the sweep, not again by each worker (the
    # first: the collector's corridor over a green parcel, since left-alone)
    first = next(line for line in err.splitlines() if "data warning (" in line)
    assert err.count(first) == 1 and "data warning (parcel-on-road" in first
    assert not (out / "results.parquet").exists()
    code, stdout, err = _sweep([*argv, "-q"], capsys)
    assert code == 0, err
    assert f"({18 - done} run now, {done} finished earlier)" in stdout
    _same_rows(pd.read_parquet(out / "results.parquet"), serial)


# -- chains: warm starts between scenarios ------------------------------------------------
def test_chains_run_loosest_to_tightest_along_the_last_vary_at_most_8_long() -> None:
    from kitland.sweeps import _chains, _in_chain_order, _scenarios  # noqa: PLC0415

    rules = load_rules(None)
    gate = kitland.sweeps.parse_vary("dekat gerbang kawasan.max_m=1000:5500:500")  # 10 values
    area = kitland.sweeps.parse_vary("zone.area_ha=20,16")
    combos = kitland.sweeps._combinations([area, gate], sample=None, seed=0)
    scenarios = _scenarios([kitland.load_estate()], rules, [area, gate], combos, cell_m=50)
    after = _chains(scenarios, [area, gate])
    # Enumerated by hand: per area, max_m from 5,500 down to 1,000 (a maximum tightens as
    # it falls); a chain holds 8, so 5500…2000 is one chain and 1500, 1000 another.
    for a in (20.0, 16.0):
        idx = {sc.values[gate.column]: sc.index for sc in scenarios if sc.values[area.column] == a}
        down = sorted(idx, reverse=True)
        expected = {idx[b]: idx[p] for p, b in itertools.pairwise(down) if b != 1500.0}
        assert {k: v for k, v in after.items() if k in idx.values()} == expected
    ordered = _in_chain_order(list(reversed(scenarios)), after)
    for i, sc in enumerate(ordered):  # a predecessor always runs first
        if sc.index in after:
            assert after[sc.index] in [s.index for s in ordered[:i]]
    # a minimum runs upwards; a key that is neither keeps the order given
    assert kitland.sweeps._loose_first(kitland.sweeps.parse_vary("a.min_m=30,10,20")) == (
        10,
        20,
        30,
    )
    assert kitland.sweeps._loose_first(area) == (20.0, 16.0)


def test_chains_run_along_the_last_rule_vary_not_a_zone_area_given_after_it() -> None:
    """The issue's own order, ``--vary setback --vary zone.area_ha``: a new area carries no
    proof over, so the chains run along the setback, one per area (enumerated by hand)."""
    from kitland.sweeps import _chains, _scenarios  # noqa: PLC0415

    river = kitland.sweeps.parse_vary("sempadan sungai.min_m=100,50,75")
    area = kitland.sweeps.parse_vary("zone.area_ha=20,16")
    combos = kitland.sweeps._combinations([river, area], sample=None, seed=0)
    scenarios = _scenarios([kitland.load_estate()], load_rules(None), [river, area], combos,
                           cell_m=50)  # fmt: skip
    idx = {(sc.values[river.column], sc.values[area.column]): sc.index for sc in scenarios}
    expected = {idx[m2, a]: idx[m1, a] for a in (20.0, 16.0)
                for m1, m2 in ((50.0, 75.0), (75.0, 100.0))}  # fmt: skip
    assert _chains(scenarios, [river, area]) == expected


def test_chained_scenarios_start_from_the_proof_before_and_score_as_cold_ones(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path
) -> None:
    # The serial fixture is chained: area × min_shared_m 100 → 200 (tightening), so each
    # 200 m scenario starts from its 100 m one, whose proven bound still holds.
    starts = serial.set_index(["zone.area_ha", "industry.min_shared_m"])["start"]
    assert all(starts[(a, 200.0)] == "floor" for a in AREAS)
    assert all(pd.isna(starts[(a, 100.0)]) for a in AREAS)
    vary = ["industry.min_shared_m=100:250:50", "frontage.min_m=150,100,200"]
    kw = {"vary": vary, "workers": 0, "cell_m": 50, "time_limit_s": 120}
    warm = kitland.sweep(inputs["estate"], inputs["rules"], out=tmp_path / "w", **kw)
    cold = kitland.sweep(inputs["estate"], inputs["rules"], out=tmp_path / "c", chain=False, **kw)
    w, c = warm.results.set_index("scenario"), cold.results.set_index("scenario").loc[
        warm.results["scenario"]]  # fmt: skip
    assert (w["start"].notna()).sum() == 4 * 2  # every chain of 3 has 2 warm scenarios
    assert c["start"].isna().all()
    assert list(w["status"]) == list(c["status"])
    proven = w["status"] == "OPTIMAL"
    assert proven.sum() >= 6
    assert np.allclose(w.loc[proven, "score"], c.loc[proven, "score"], rtol=1e-9, atol=1e-9)


def test_a_chain_resumed_from_its_stored_record_gives_the_uninterrupted_rows(
    inputs: dict[str, Any], serial: pd.DataFrame, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    out = tmp_path / "sweep"
    argv = [*inputs["args"], "--out", str(out), "--workers", "0", "-q"]
    assert main(["sweep", *argv]) == 0
    # Killed after each chain's first scenario: only the 100 m records are left.
    table = pd.read_parquet(out / "results.parquet")
    first = set(table.loc[table["industry.min_shared_m"] == 100.0, "scenario"])
    for path in (out / "scenarios").glob("*.json"):
        if path.stem not in first:
            path.unlink()
    (out / "results.parquet").unlink()
    capsys.readouterr()
    code, stdout, err = _sweep(argv, capsys)
    assert code == 0, err
    assert "(3 run now, 3 finished earlier)" in stdout
    again = pd.read_parquet(out / "results.parquet")
    _same_rows(again, serial)
    # each resumed scenario started from the stored record, as in the uninterrupted run
    resumed = again.set_index("scenario").loc[serial.index, "start"]
    assert list(resumed.fillna("cold")) == list(serial["start"].fillna("cold"))


def test_a_steady_site_is_called_best_only_when_every_scenario_proved_it() -> None:
    """Trial 12's sweep: four FEASIBLE scenarios, all stopped by the wall clock, and the
    summary said "the best site stays put" of zones none of which was proven best; a sweep
    where no scenario found a zone said it too (no jump between no zones)."""
    from kitland.sweep_report import _jumps, _summary  # noqa: PLC0415

    zones = gpd.GeoDataFrame({"scenario": list("ab")}, geometry=[box(0, 0, 100, 100)] * 2,
                             crs=32749)  # fmt: skip
    table = pd.DataFrame({"scenario": list("ab"), "estate": "e", "s.min_m": [50.0, 150.0],
                          "status": ["FEASIBLE", "OPTIMAL"], "message": ""})  # fmt: skip
    jumps = _jumps(table, zones, ["s.min_m"])
    assert jumps.empty
    text = _summary(table, jumps, ["s.min_m"])
    assert ("s.min_m: the zone found stays put across the values swept; 1 of 2 scenarios are "
            "not proven best (FEASIBLE)") in text  # fmt: skip
    assert "best site stays put" not in text
    assert "1 dari 2 skenario belum terbukti terbaik" in _summary(table, jumps, ["s.min_m"], "id")
    proven = table.assign(status="OPTIMAL")
    assert "s.min_m: the best site stays put" in _summary(proven, jumps, ["s.min_m"])
    none = table.assign(status=["INFEASIBLE", "UNDECIDED"])
    empty = zones.iloc[:0]
    text = _summary(none, _jumps(none, empty, ["s.min_m"]), ["s.min_m"])
    assert "s.min_m: no scenario found a zone" in text and "stays put" not in text
