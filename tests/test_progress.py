"""Live progress (issue 16): HiGHS's log lines summarised as they are written, plain periodic lines when
stderr is not a terminal, and ``--verbose`` streaming the solver log."""

from __future__ import annotations

import io
import threading
import time

from rich.console import Console
from typer.testing import CliRunner

from caspian.cli import app
from caspian.present.progress import PLAIN_INTERVAL_SECONDS, RunDisplay, run_display
from caspian.runs.solver_progress import summarize_line, watch_solver_log

SIMPLEX = "       5843     8.9269826947e+08 Pr: 12(3.3e+05); Du: 0(2.1e-08) 12s"
IPM = "   7    9.40203505e+00   8.01418743e+00   3.23e-16   5.74e-05  1.43e-01       0.0"
MIP = (
    " R       0       0         0   0.00%   892698269.4742  897251511.5126     0.51%"
    "        0      0      0      2711     0.3s"
)


def test_highs_log_lines_are_summarised():
    assert summarize_line(SIMPLEX) == (
        "iteration 5,843, objective 8.926983e+08, primal infeasibilities 12 (3.3e+05), dual 0 (2.1e-08)"
    )
    assert summarize_line("         72     5.3002220595e+06 Pr: 0(0) 0.0s") == (
        "iteration 72, objective 5.300222e+06, primal infeasibilities 0 (0)"
    )
    assert summarize_line(IPM) == (
        "interior-point iteration 7, objective 9.402035e+00, primal infeasibility 3.23e-16, dual 5.74e-05"
    )
    assert summarize_line(MIP) == (
        "branch and bound, 0 nodes, best 897251511.5126, bound 892698269.4742, gap 0.51%"
    )
    assert summarize_line("Presolving model") == "presolve"
    assert summarize_line("Coefficient ranges:") is None
    assert summarize_line("") is None


def test_the_watcher_streams_lines_and_reports_the_latest_progress(tmp_path):
    """Lines appended while the block runs reach ``on_line`` in order, the progress message carries the
    elapsed time and the last iteration, and a line still being written is not cut in half."""
    log = tmp_path / "solver.log"
    log.write_text("from an earlier solve\n")
    lines: list[str] = []
    progress: list[str] = []
    with watch_solver_log(log, progress.append, lines.append, poll_seconds=0.01), log.open("a") as handle:
        handle.write("Presolving model\n")
        handle.flush()
        time.sleep(0.05)
        handle.write(SIMPLEX[:20])
        handle.flush()
        time.sleep(0.05)
        handle.write(SIMPLEX[20:] + "\n")
    assert lines == ["Presolving model", SIMPLEX]
    assert progress[-1].endswith(" s, " + str(summarize_line(SIMPLEX)))
    assert any(message.endswith("s, presolve") for message in progress)


def test_the_watcher_reports_elapsed_time_without_a_log():
    progress: list[str] = []
    done = threading.Event()
    with watch_solver_log(None, progress.append, poll_seconds=0.01):
        done.wait(0.05)
    assert progress and all(message.endswith(" s") for message in progress)


def test_plain_lines_when_not_a_terminal():
    """At most one line per PLAIN_INTERVAL_SECONDS, the first only after that long (a run that fails at
    once prints only its error), each with the elapsed time and the current stage."""
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=False, width=200)
    with run_display(console) as display:
        assert display.progress is None
        display.update("building mini")
        display.update("solving 24 snapshots with HiGHS")
        display.last_print -= PLAIN_INTERVAL_SECONDS
        display.update("solving 24 snapshots with HiGHS: 31 s, iteration 10")
        display.update("solving 24 snapshots with HiGHS: 32 s, iteration 12")
        display.last_print -= PLAIN_INTERVAL_SECONDS
        display.update("writing results")
    lines = sink.getvalue().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "solving 24 snapshots with HiGHS: 31 s, iteration 10",
        "writing results",
    ]
    assert all(line.startswith("[") and " s] " in line for line in lines)


def test_after_the_first_interval_a_new_stage_prints_at_once():
    sink = io.StringIO()
    with run_display(Console(file=sink, force_terminal=False, width=200)) as display:
        display.start -= PLAIN_INTERVAL_SECONDS + 1
        display.update("solving 24 snapshots with HiGHS: 31 s, iteration 10")
        display.update("infeasible: re-solving with priced slack to diagnose")
        display.update("infeasible: re-solving with priced slack to diagnose")
    lines = [line.split("] ", 1)[1] for line in sink.getvalue().splitlines()]
    assert lines == [
        "solving 24 snapshots with HiGHS: 31 s, iteration 10",
        "infeasible: re-solving with priced slack to diagnose",
    ]


def test_terminal_display_updates_the_spinner_text():
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with run_display(console) as display:
        assert isinstance(display, RunDisplay) and display.progress is not None
        display.update("solving: 3 s, iteration 5")
        assert display.progress.tasks[0].description == "solving: 3 s, iteration 5"


def test_verbose_solve_streams_the_highs_log_and_plain_progress(mini, tmp_path):
    network, data = mini()
    result = CliRunner().invoke(
        app, ["solve", str(network), "--data", str(data), "-o", str(tmp_path / "run"), "--verbose"]
    )
    assert result.exit_code == 0, result.output
    assert "Running HiGHS" in result.output and "Model status        : Optimal" in result.output
    assert (tmp_path / "run" / "solver.log").read_text().count("Running HiGHS") == 1
