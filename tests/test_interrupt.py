"""Stopping a run: SIGINT ends ``caspian solve`` with exit 130 and no output, and a staging directory
that a killed run left behind is removed by the next successful run into the same place."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import INTERRUPTED_EXIT_CODE

runner = CliRunner()

SOLVE_INTERRUPTED = """
import os, signal, sys, time
import caspian.runs.single as single

real = single.solve_network

def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C or kill -INT during the solve
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return real(*args, **kwargs)

single.solve_network = interrupted
from caspian.cli import app
sys.argv = ["caspian", *sys.argv[1:]]
app()
"""


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a job started with '&' from a script inherits


def test_sigint_during_the_solve_exits_130_with_one_line_and_no_run_directory(mini, tmp_path):
    network, data = mini()
    target = tmp_path / "out" / "run"
    args = ["solve", str(network), "--data", str(data), "-o", str(target), "-q"]
    proc = subprocess.run(
        [sys.executable, "-c", SOLVE_INTERRUPTED, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_ignore_sigint,
    )
    assert proc.returncode == INTERRUPTED_EXIT_CODE == 130, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interrupted"), proc.stderr
    assert "no run directory written" in lines[0]
    assert not proc.stdout.strip()
    assert not (tmp_path / "out").exists(), "the interrupted run left its staging or parent behind"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_later_run_removes_the_staging_a_killed_run_left(mini, tmp_path, monkeypatch):
    network, data = mini()
    target = tmp_path / "run"
    dead = tmp_path / f".run.tmp-{_dead_pid()}"
    dead.mkdir()
    (dead / "network.nc").write_text("half written")
    alive = tmp_path / f".run.tmp-{os.getppid()}"  # a concurrent run's staging: kept
    alive.mkdir()
    other = tmp_path / ".other.tmp-1"  # another output's staging: not ours to judge
    other.mkdir()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["solve", str(network), "--data", str(data), "-o", str(target), "-q"])
    assert result.exit_code == 0, result.output
    assert not dead.exists()
    assert alive.is_dir() and other.is_dir()
    assert (target / "run.yaml").is_file()
