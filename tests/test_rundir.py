"""The one run-directory definition (caspian.runs.rundir): what counts as a run, where one may go, and
that a failed or refused run leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from caspian.runs.rundir import REPORT_FIGURES, REPORT_FILES, RUN_FILES, is_run_directory, write_atomic
from conftest import mini_tables

runner = CliRunner()


def _solve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, network: Path, data: Path, *extra: str):
    monkeypatch.chdir(tmp_path)
    return runner.invoke(app, ["solve", str(network), "--data", str(data), "-q", *extra])


def _fake_run(path: Path) -> Path:
    path.mkdir()
    for name in RUN_FILES:
        (path / name).write_text("")
    (path / "run.yaml").write_text(yaml.safe_dump({"input_hash": "a", "data_digest": "b"}))
    return path


def test_a_run_with_its_report_is_still_a_run_directory(tmp_path):
    run = _fake_run(tmp_path / "run")
    assert is_run_directory(run)
    for name in REPORT_FILES:
        (run / name).write_text("")
    (run / REPORT_FIGURES).mkdir()
    assert is_run_directory(run)
    (run / "notes.txt").write_text("mine")
    assert not is_run_directory(run), "a directory with a file caspian did not write is not a run"


def test_solve_then_report_then_the_same_solve_replaces_the_run(mini, tmp_path, monkeypatch):
    """The sequence `caspian solve` → `caspian report DIR` → the same `caspian solve` used to exit 2
    ("output exists and is not a caspian run directory") because the report's files were unknown."""
    network, data = mini()
    first = _solve(tmp_path, monkeypatch, network, data)
    assert first.exit_code == 0, first.output
    run = Path(first.stdout.strip())
    report = runner.invoke(app, ["report", str(run), "--data", str(data)])
    assert report.exit_code == 0, report.output
    assert (run / "report.html").is_file()
    again = _solve(tmp_path, monkeypatch, network, data)
    assert again.exit_code == 0, again.output
    assert Path(again.stdout.strip()) == run
    assert sorted(p.name for p in run.iterdir()) == sorted(RUN_FILES), "a stale report survived the rerun"
    assert not [p for p in run.parent.iterdir() if p.name.startswith(".")], "staging left behind"


def test_rerunning_into_a_run_with_a_report_says_the_report_is_removed(mini, tmp_path, monkeypatch):
    network, data = mini()
    target = tmp_path / "run"
    assert _solve(tmp_path, monkeypatch, network, data, "-o", str(target)).exit_code == 0
    silent = runner.invoke(app, ["solve", str(network), "--data", str(data), "-o", str(target)])
    assert silent.exit_code == 0 and "replacing" not in silent.stderr, "no report, nothing to say"
    (target / "report.md").write_text("# old report")
    (target / REPORT_FIGURES).mkdir()
    quiet = _solve(tmp_path, monkeypatch, network, data, "-o", str(target))
    assert quiet.exit_code == 0 and not quiet.stderr.strip(), "-q prints only the run directory"
    (target / "report.md").write_text("# old report")
    monkeypatch.chdir(tmp_path)
    loud = runner.invoke(app, ["solve", str(network), "--data", str(data), "-o", str(target)])
    assert loud.exit_code == 0, loud.output
    notices = [line for line in loud.stderr.splitlines() if "replacing" in line]
    assert notices == [
        f"replacing run directory {target} (its report is removed; run caspian report again)"
    ], loud.stderr
    assert not (target / "report.md").exists()


def _unwritable_target(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        return locked / "run"
    proc = Path("/proc")  # root may write anywhere but to a pseudo file system
    if not proc.is_dir():
        pytest.skip("running as root without /proc: no unwritable directory to try")
    return proc / "caspian-run"


@pytest.mark.parametrize("where", ["under a file", "unwritable"])
def test_output_into_an_impossible_place_is_exit_2_before_any_work(mini, tmp_path, monkeypatch, where):
    network, data = mini()
    if where == "under a file":
        (tmp_path / "plain.txt").write_text("a file, not a directory")
        target = tmp_path / "plain.txt" / "nested" / "run"
    else:
        target = _unwritable_target(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = _solve(tmp_path, monkeypatch, network, data, "-o", str(target))
    assert result.exit_code == 2, result.output
    assert "cannot create the run directory" in result.output
    assert "building" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_failed_run_leaves_no_parent_it_created(mini, tmp_path, monkeypatch):
    """An infeasible run (exit 3: a 6 bcm/y offtake on a 5 bcm/y field) into new nested folders removes
    the folders it made for it."""
    tables = mini_tables()
    tables["gas_offtakes"][0]["annual_bcm"] = 6
    network, data = mini(tables)
    result = _solve(tmp_path, monkeypatch, network, data, "-o", str(tmp_path / "new" / "deeper" / "run"))
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "new").exists()


def test_a_failed_atomic_write_leaves_neither_the_file_nor_its_staging(tmp_path):
    def half_then_fail(staging: Path) -> None:
        staging.write_text("half a manifest")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(tmp_path / "manifest.csv", half_then_fail)
    assert list(tmp_path.iterdir()) == []
    write_atomic(tmp_path / "manifest.csv", lambda staging: staging.write_text("whole"))
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.csv"]
    assert (tmp_path / "manifest.csv").read_text() == "whole"
