"""Sweeps: planning, identical results on every executor, resume after SIGKILL, failures recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from caspian.inputs.tables import load_dataset
from caspian.sweep.executors import DASK_LOCAL, ExecutorChoice
from caspian.sweep.orchestrate import prepare_sweep, run_sweep
from caspian.sweep.plan import load_sweep, plan_cases
from conftest import mini_tables, write_tables

runner = CliRunner()


def _mini_network(directory: Path) -> Path:
    network = directory / "mini.yaml"
    network.write_text(
        yaml.safe_dump(
            {"name": "mini", "year": 2030, "carriers": ["gas"], "mode": "dispatch", "time": {"hours": 24}}
        )
    )
    return network


def _sweep_file(directory: Path, values: list[float], name: str = "tiny") -> Path:
    """Mini network × Italian price scale; Italy's price is 30 EUR/MWh × scale."""
    _mini_network(directory)
    sweep = {
        "name": name,
        "network": "mini.yaml",
        "parameters": [{"name": "price_scale", "path": "markets.gas_price_scale", "values": values}],
    }
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


@pytest.fixture
def setup(tmp_path):
    data = write_tables(tmp_path / "data", mini_tables())
    return tmp_path, data


def test_plan_ids_are_content_hashes_stable_across_processes(setup):
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [0.5, 1.0, 1.5])
    ids = [c.case_id for c in plan_cases(sweep_file, load_sweep(sweep_file), load_dataset(data))]
    code = (
        "import sys; from pathlib import Path; from caspian.inputs.tables import load_dataset;"
        "from caspian.sweep.plan import load_sweep, plan_cases;"
        "p = Path(sys.argv[1]); d = load_dataset(Path(sys.argv[2]));"
        "print(' '.join(c.case_id for c in plan_cases(p, load_sweep(p), d)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(sweep_file), str(data)], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ids
    assert len(set(ids)) == 3


def _run(tmp_path, data, sweep_file, choice, results):
    return run_sweep(prepare_sweep(sweep_file, data, tmp_path / results), choice)


def test_serial_processes_and_dask_give_identical_sweeps(setup):
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [0.5, 1.0, 1.5, 2.0])
    serial = _run(tmp_path, data, sweep_file, ExecutorChoice(), "serial")
    processes = _run(tmp_path, data, sweep_file, ExecutorChoice(workers=2), "processes")
    dask = _run(tmp_path, data, sweep_file, ExecutorChoice(workers=2, scheduler=DASK_LOCAL), "dask")
    for other in (processes, dask):
        xr.testing.assert_identical(serial.dataset, other.dataset)
        with xr.open_dataset(other.directory / "sweep.nc") as on_disk:
            xr.testing.assert_identical(serial.dataset, on_disk.load())
    ds = serial.dataset
    # Italy's price sets the market value; at scale 0.5 (15 EUR/MWh) the pipeline still pays (field 5)
    assert ds.price_eur_mwh.sel(bus="IT gas").values.tolist() == pytest.approx([15.0, 30.0, 45.0, 60.0])
    assert ds.groupby("price_scale").mean().gas_to_europe_bcm.values == pytest.approx([3.0] * 4)


def test_failing_case_is_recorded_and_others_finish(setup, monkeypatch):
    """A value the network schema accepts but the case cannot run with (a model year before the data,
    which start in 2020) fails its case only."""
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [2030, 2018, 2031])
    spec = yaml.safe_load(sweep_file.read_text())
    spec["parameters"][0].update(name="year", path="year")
    sweep_file.write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert "1 case(s) failed" in result.stderr
    manifest = pd.read_csv(tmp_path / "results" / "sweep-tiny" / "manifest.csv")
    assert manifest.status.tolist() == ["ok", "failed", "ok"]
    failed = manifest[manifest.status == "failed"].iloc[0]
    assert failed.exit_class == "input" and "2018" in failed.error
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in result.stdout.splitlines()]
    rows = [row for row in rows if row]
    assert [row[:2] for row in rows] == [["2030", "ok"], ["2018", "input"], ["2031", "ok"]]
    assert rows[1][2:] == ["-"] * (len(rows[1]) - 2) and "3.00" in rows[0] and "3.00" in rows[2]


def test_unknown_override_path_fails_the_sweep_with_exit_2(setup, monkeypatch):
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0])
    spec = yaml.safe_load(sweep_file.read_text())
    spec["parameters"][0]["path"] = "markets.gas_price_scael"
    sweep_file.write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert "gas_price_scael" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "results").exists()


def test_existing_sweep_needs_resume(setup, monkeypatch):
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0])
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)]).exit_code == 0
    again = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert again.exit_code == 2 and "--resume" in again.stderr
    resumed = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data), "--resume"])
    assert resumed.exit_code == 0 and "1 reused" in resumed.stdout


def test_sigkill_then_resume_runs_each_case_exactly_once(setup):
    """Kill the serial sweep (SIGKILL) once the first case has finished, then resume: every case ends
    with one complete run directory, the finished one untouched, no staging left behind."""
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    cases_dir = tmp_path / "results" / "sweep-tiny" / "cases"
    cmd = [sys.executable, "-m", "caspian", "sweep", str(sweep_file), "--data", str(data)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(cases_dir.glob("*/run.yaml")):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.parent.name: p.stat().st_mtime_ns for p in cases_dir.glob("*/run.yaml")}
    assert 1 <= len(first) < 6, "the kill should land mid-sweep"
    resumed = subprocess.run([*cmd, "--resume"], cwd=tmp_path, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    runs = sorted(p.parent.name for p in cases_dir.glob("*/run.yaml"))
    assert len(runs) == 6 == len(set(runs))
    assert not list(cases_dir.glob(".*"))
    for name, mtime in first.items():
        assert (cases_dir / name / "run.yaml").stat().st_mtime_ns == mtime
    manifest = pd.read_csv(tmp_path / "results" / "sweep-tiny" / "manifest.csv")
    assert (manifest.status == "ok").all() and len(manifest) == 6


def test_sweep_dataset_keeps_long_asset_names_when_the_first_case_has_short_ones(tmp_path):
    from caspian.sweep.collect import sweep_dataset
    from caspian.sweep.plan import Case
    from caspian.sweep.runner import CaseResult

    names = {"a": ["AZ–GE"], "b": ["AZ–GE", "Black Sea cable"]}
    cases, results = [], {}
    for case_id, cables in names.items():
        (tmp_path / case_id).mkdir()
        summary = xr.Dataset({"cable_capacity_mw": ("cable", [1.0] * len(cables))}, coords={"cable": cables})
        summary.to_netcdf(tmp_path / case_id / "summary.nc")
        cases.append(Case(case_id, case_id, (), ()))
        results[case_id] = CaseResult(case_id=case_id, status="ok", exit_class="", message="", seconds=1.0)
    sweep_dataset(cases, results, tmp_path).to_netcdf(tmp_path / "sweep.nc")
    with xr.open_dataset(tmp_path / "sweep.nc") as ds:
        assert list(ds.cable.values) == ["AZ–GE", "Black Sea cable"]
        assert ds.cable_capacity_mw.sel(case="a", cable="Black Sea cable").isnull()


def test_a_unit_on_a_field_without_units_refuses_the_sweep_naming_parameter_and_value(setup, monkeypatch):
    """`unit:` is appended to each value as text: on a price it makes every value invalid. The sweep is
    refused before any case runs, naming the sweep file, the parameter and the value."""
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0])
    spec = yaml.safe_load(sweep_file.read_text())
    spec["parameters"] = [
        {"name": "ttf_eur_mwh", "path": "markets.ttf_eur_mwh", "values": [25, 34.3], "unit": "EUR/MWh"}
    ]
    sweep_file.write_text(yaml.safe_dump(spec))
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {sweep_file}: parameter 'ttf_eur_mwh' (markets.ttf_eur_mwh): ")
    assert 'value "25 EUR/MWh"' in lines[0] and "mini.yaml" not in lines[0]
    assert not (tmp_path / "results").exists()


def test_a_value_out_of_bounds_refuses_the_sweep(setup, monkeypatch):
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0, -1.0, 2.0])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert "parameter 'price_scale' (markets.gas_price_scale): value \"-1.0\": " in result.stderr
    assert not (tmp_path / "results").exists()


def test_resume_reruns_a_case_that_failed_unexpectedly_and_drops_its_failure_record(setup, monkeypatch):
    import caspian.sweep.runner as case_runner

    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0, 2.0])
    real = case_runner.execute

    def flaky(request, *args, **kwargs):
        if ("markets.gas_price_scale", 2.0) in request.overrides:
            raise MemoryError("out of memory")
        return real(request, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(case_runner, "execute", flaky)
    first = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data)])
    assert first.exit_code == 1, first.output
    cases_dir = tmp_path / "results" / "sweep-tiny" / "cases"
    assert len(list(cases_dir.glob("*.failed.yaml"))) == 1
    monkeypatch.setattr(case_runner, "execute", real)
    resumed = runner.invoke(app, ["sweep", str(sweep_file), "--data", str(data), "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert "1 reused" in resumed.stdout
    assert not list(cases_dir.glob("*.failed.yaml")), "a stale failure record survived"
    manifest = pd.read_csv(tmp_path / "results" / "sweep-tiny" / "manifest.csv")
    assert (manifest.status == "ok").all()


def test_sweep_data_overlay_applies_to_every_case_and_is_recorded(setup, monkeypatch):
    """`caspian sweep --data-overlay DIR`: TTF is 60 EUR/MWh in the overlay (30 in the data), so is
    Italy's price, and each case's run.yaml records the overlay with its digest, like a sweep file's
    data_overlays."""
    tmp_path, data = setup
    sweep_file = _sweep_file(tmp_path, [1.0])
    overlay = tmp_path / "overlay"
    tables = mini_tables()
    for row in tables["gas_ttf_monthly"]:
        row["price_eur_mwh"] = 60
    write_tables(tmp_path / "scratch", {"gas_ttf_monthly": tables["gas_ttf_monthly"]})
    overlay.mkdir()
    (overlay / "gas_ttf_monthly.csv").write_text((tmp_path / "scratch" / "gas_ttf_monthly.csv").read_text())
    monkeypatch.chdir(tmp_path)
    args = ["sweep", str(sweep_file), "--data", str(data), "--data-overlay", str(overlay)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (run_yaml,) = (tmp_path / "results" / "sweep-tiny" / "cases").glob("*/run.yaml")
    record = yaml.safe_load(run_yaml.read_text())
    assert [o["path"] for o in record["data_overlays"]] == [str(overlay.resolve())]
    with xr.open_dataset(run_yaml.parent / "summary.nc") as ds:
        assert float(ds.price_eur_mwh.sel(bus="IT gas")) == pytest.approx(60.0)
    bad = runner.invoke(
        app, ["sweep", str(sweep_file), "--data", str(data), "--data-overlay", str(sweep_file)]
    )
    assert bad.exit_code == 2 and "--data-overlay: not a directory" in bad.stderr
