"""What a user reads is prose, not Python (issue 16): no reprs, correct plurals, a clear error for
``caspian list`` outside a project."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from caspian.cli import app
from caspian.present.text import counted, signed_zero_free

runner = CliRunner()
PYTHON_REPR = re.compile(r"\{'|\['|\bnan\b|None\b|np\.float")
"""A dict/list repr, a NaN or None, or a numpy scalar repr in text a user reads."""


def test_list_outside_a_project_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2
    assert "no network files" in result.output and str(tmp_path.resolve()) in result.output.replace("\n", "")


def test_plurals():
    assert counted(1, "figure") == "1 figure"
    assert counted(3, "figure") == "3 figures"
    assert counted(1_250, "snapshot") == "1,250 snapshots"


def test_solve_and_report_print_no_python_reprs(mini, tmp_path):
    network, data = mini()
    run = tmp_path / "run"
    solved = runner.invoke(app, ["solve", str(network), "--data", str(data), "-o", str(run)])
    assert solved.exit_code == 0, solved.output
    reported = runner.invoke(app, ["report", str(run), "--data", str(data)])
    assert reported.exit_code == 0, reported.output
    for text in (solved.output, reported.output, (run / "report.md").read_text(encoding="utf-8")):
        assert not PYTHON_REPR.search(text), PYTHON_REPR.search(text)
        assert "::" not in text
    assert "1 figures" not in reported.output


def test_a_zero_is_never_negative():
    assert [signed_zero_free(t) for t in ("-0.0", "-0.00", "-0.1", "0.0", "-1,000.0")] == [
        "0.0",
        "0.00",
        "-0.1",
        "0.0",
        "-1,000.0",
    ]
