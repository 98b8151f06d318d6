"""What a sweep's numbers stand on: the period each case models and how its values are scaled to a
year (a headline), and the sweep's inputs read from its cases' ``run.yaml`` files (network, common
overrides, model year and mode, time resolution, solver, data digest and overlays, versions)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from caspian.inputs.yamlio import read_yaml_mapping
from caspian.present.report.run_report import Headline
from caspian.present.report.tables import Table, overlays_text
from caspian.present.text import counted, options_text
from caspian.sweep.plan import SweepSpec
from caspian.units import HOURS_PER_YEAR

HOURS_PER_DAY = 24


def case_runs(directory: Path, manifest: pd.DataFrame) -> dict[str, dict]:
    """``run.yaml`` of every solved case of the sweep in ``directory``, by case id."""
    runs = {}
    for case in manifest.loc[manifest.status == "ok", "case"]:
        path = directory / "cases" / str(case) / "run.yaml"
        if path.is_file():
            runs[str(case)] = read_yaml_mapping(path)
    return runs


def _distinct(runs: dict[str, dict], value: Callable[[dict], object]) -> str:
    """The one value every case shares, or each distinct value with how many cases have it."""
    counts = pd.Series([str(value(run)) for run in runs.values()]).value_counts(sort=False)
    if len(counts) == 1:
        return str(counts.index[0])
    return "; ".join(f"{text} ({count} cases)" for text, count in counts.items())


def _hours(run: dict) -> float:
    return float(run.get("time_resolution", {}).get("hours", 0) or 0)


def _period_text(hours: float) -> str:
    """``1,440 h (60 days)``; hours alone when they are not whole days."""
    days = hours / HOURS_PER_DAY
    return f"{hours:,.0f} h ({counted(int(days), 'day')})" if days.is_integer() else f"{hours:,.0f} h"


def horizon_headline(runs: dict[str, dict]) -> Headline | None:
    """The period the cases model and, when it is not a whole year, that every value is a rate per
    year (the period's total × 8760 / its hours), not the period's total."""
    hours = sorted({_hours(run) for run in runs.values() if _hours(run) > 0})
    if not hours:
        return None
    period = " to ".join(_period_text(h) for h in sorted({hours[0], hours[-1]}))
    first = _distinct(runs, lambda run: run.get("time_resolution", {}).get("first_snapshot", ""))
    if hours == [float(HOURS_PER_YEAR)]:
        return Headline("Period modelled", f"a year per case, from {first}", "Values are the year's totals.")
    return Headline(
        "Period modelled",
        f"{period} per case, from {first}",
        "Every '/y' value is a rate per year: the period's total × 8760 h ÷ the hours modelled. "
        f"For the period's own total multiply by hours ÷ 8760 (e.g. × {hours[0] / HOURS_PER_YEAR:.3f}).",
    )


def _versions(run: dict) -> str:
    return ", ".join(f"{name} {version}" for name, version in run.get("versions", {}).items())


def sweep_inputs_table(sweep: SweepSpec, runs: dict[str, dict]) -> Table:
    """The sweep's inputs as recorded by its solved cases; a field where cases differ lists each value."""
    common = ", ".join(f"{k}={v}" for k, v in sweep.set.items()) or "none"
    rows = [
        [
            "sweep",
            f"{sweep.name} ({sweep.combine}, {len(sweep.parameters) or len(sweep.cases)} "
            f"{'parameters' if sweep.parameters else 'cases'})",
        ],
        ["network", sweep.network + (f", scenario {sweep.scenario}" if sweep.scenario else "")],
        ["overrides of every case", common],
    ]
    if runs:
        rows += [
            ["year, mode", _distinct(runs, lambda run: f"{run['spec']['year']}, {run['spec']['mode']}")],
            [
                "time",
                _distinct(
                    runs,
                    lambda run: f"{run.get('time_resolution', {}).get('method', '')}, {_hours(run):,.0f} h",
                ),
            ],
            [
                "solver",
                _distinct(
                    runs,
                    lambda run: (
                        f"{run.get('solver', {}).get('name', '')}; options: "
                        f"{options_text(run.get('solver', {}).get('options'))}"
                    ),
                ),
            ],
            ["data digest", _distinct(runs, lambda run: run.get("data_digest", ""))],
            ["data overlays", _distinct(runs, overlays_text)],
            [
                "versions",
                _distinct(runs, _versions),
            ],
        ]
    return Table("Sweep and inputs", ["item", "value"], rows, "ll")
