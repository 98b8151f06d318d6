"""A whole sweep: plan, skip what is finished (``--resume``), run the rest, collect outputs.

Layout (DESIGN §5): ``results/sweep-<name>/`` with ``sweep.yaml`` (the sweep file as run),
``cases/<case-id>/`` (run directories), ``cases/<case-id>.failed.yaml``, ``manifest.csv``, ``sweep.nc``.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xarray as xr

from caspian.errors import EXIT_CODES, CaspianError, InputError
from caspian.inputs.spec import overlay_paths, resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.inputs.yamlio import read_yaml_mapping
from caspian.runs.rundir import REPORT_FIGURES, REPORT_FILES, remove_stale_staging
from caspian.runs.single import check_overlay_directories
from caspian.sweep.collect import manifest, write_outputs
from caspian.sweep.executors import ExecutorChoice, run_all
from caspian.sweep.plan import Case, SweepSpec, load_sweep, network_path, plan_cases
from caspian.sweep.runner import CaseResult, CaseTask, failure_path, finished

RETRIED_ON_RESUME = frozenset({"internal", "solver"})
"""Failure classes ``--resume`` runs again: an unexpected error (memory, a crashed worker) or a solver
stop (time limit, numerical trouble) may depend on the machine and its load. Bad inputs and infeasible
cases are deterministic in the case's inputs (its id) and are reused."""


@dataclass(frozen=True)
class SweepOutcome:
    """Where the sweep went, its cases, how each ended, and the collected dataset."""

    directory: Path
    cases: list[Case]
    results: dict[str, CaseResult]
    dataset: xr.Dataset
    reused: int = 0
    failures: Counter = field(default_factory=Counter)

    def manifest(self) -> pd.DataFrame:
        """The manifest table."""
        return manifest(self.cases, self.results)

    def exit_code(self) -> int:
        """0 when every case succeeded; else the failure class's code (1 when classes are mixed)."""
        if not self.failures:
            return 0
        return EXIT_CODES[next(iter(self.failures))] if len(self.failures) == 1 else CaspianError.exit_code


def sweep_directory(results_dir: Path, name: str) -> Path:
    """``results/sweep-<name>``."""
    return results_dir / f"sweep-{name}"


@dataclass(frozen=True)
class SweepPlan:
    """A validated sweep ready to run: its cases and where it writes."""

    sweep_file: Path
    network_file: Path
    scenario: str | None
    data_dir: Path
    cases: list[Case]
    directory: Path
    data_overlays: tuple[Path, ...] = ()
    """The sweep file's overlays, then those of ``--data-overlay`` (absolute), applied to every case after
    the network file's own."""


SWEEP_RECORD = "sweep.yaml"
"""The sweep file as run, copied into the sweep directory: the sweep's identity on ``--resume``."""
SWEEP_ENTRIES = frozenset({SWEEP_RECORD, "cases", "manifest.csv", "sweep.nc", *REPORT_FILES, REPORT_FIGURES})
"""What a sweep directory holds (its outputs and report); anything else makes it someone else's."""
IDENTITY_FIELDS = ("name", "network", "scenario")
"""Fields of the recorded sweep file that must match for ``--resume`` to continue a directory."""


def check_resumable(directory: Path, sweep: SweepSpec) -> None:
    """Refuse (InputError) to resume into ``directory`` unless it is this sweep's: only sweep outputs,
    and a recorded sweep file with the same name, network and scenario. Reads only."""
    if not directory.is_dir():
        raise InputError(f"{directory}: --resume: not a directory")
    foreign = sorted(entry.name for entry in directory.iterdir() if entry.name not in SWEEP_ENTRIES)
    if foreign:
        raise InputError(f"{directory}: --resume: not a caspian sweep directory (holds {foreign[0]!r})")
    record = directory / SWEEP_RECORD
    if not record.is_file():
        raise InputError(f"{record}: --resume: missing; not a caspian sweep directory")
    recorded = read_yaml_mapping(record)
    for name in IDENTITY_FIELDS:
        if recorded.get(name) != getattr(sweep, name):
            raise InputError(
                f"{record}: field '{name}': --resume: this directory is the sweep of "
                f"{recorded.get(name)!r}, not {getattr(sweep, name)!r}"
            )


def prepare_sweep(
    sweep_file: Path,
    data_dir: Path,
    results_dir: Path,
    resume: bool = False,
    time_limit: float | None = None,
    data_overlays: tuple[Path, ...] = (),
) -> SweepPlan:
    """Validate the sweep file and plan every case (``time_limit``, s, per case; ``data_overlays``, the
    ``--data-overlay`` directories, applied to every case after the sweep file's own and recorded in
    each case's ``run.yaml`` like them); raise InputError for a bad sweep, an existing sweep directory
    without ``resume``, or one that is not this sweep's. Nothing is written. Every path in the plan is
    absolute, so workers started in another directory (a Dask cluster on a shared filesystem) write to
    the same place."""
    if sweep_file.is_dir():
        raise InputError(f"{sweep_file}: is a directory, expected a sweep YAML file")
    sweep = load_sweep(sweep_file)
    network = network_path(sweep_file, sweep)
    check_overlay_directories(data_overlays)
    overlays = overlay_paths(sweep_file, sweep.data_overlays) + tuple(o.resolve() for o in data_overlays)
    base = resolve_spec(network, sweep.scenario, list(sweep.set.items()))
    data = load_dataset(data_dir, overlay_paths(network, base.data_overlays) + overlays)
    cases = plan_cases(sweep_file, sweep, data, time_limit)
    directory = sweep_directory(results_dir.resolve(), sweep.name)
    if directory.exists() and not resume:
        raise InputError(f"{directory}: sweep directory exists; use --resume to continue it, or remove it")
    if directory.exists():
        check_resumable(directory, sweep)
    return SweepPlan(sweep_file, network, sweep.scenario, data_dir.resolve(), cases, directory, overlays)


def run_sweep(
    plan: SweepPlan,
    choice: ExecutorChoice,
    on_plan: Callable[[int, int], None] = lambda _total, _reused: None,
    on_done: Callable[[CaseResult], None] = lambda _result: None,
) -> SweepOutcome:
    """Run the cases not finished yet, then write ``manifest.csv`` and ``sweep.nc``."""
    cases_dir = plan.directory / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(cases_dir)
    shutil.copyfile(plan.sweep_file, plan.directory / SWEEP_RECORD)
    results: dict[str, CaseResult] = {}
    for case in plan.cases:
        done = finished(cases_dir, case.case_id)
        if done is not None and not (done.status == "failed" and done.exit_class in RETRIED_ON_RESUME):
            results[case.case_id] = done
    reused = len(results)
    on_plan(len(plan.cases), reused)
    tasks = [
        CaseTask(case, cases_dir, plan.network_file, plan.scenario, plan.data_dir, plan.data_overlays)
        for case in plan.cases
        if case.case_id not in results
    ]

    def record(result: CaseResult) -> None:
        results[result.case_id] = result
        on_done(result)

    run_all(tasks, choice, record)
    for case_id, result in results.items():
        if result.status == "ok":  # a case that failed before and now succeeded
            failure_path(cases_dir, case_id).unlink(missing_ok=True)
    dataset = write_outputs(plan.directory, plan.cases, results)
    failures = Counter(r.exit_class for r in results.values() if r.status == "failed")
    return SweepOutcome(plan.directory, plan.cases, results, dataset, reused, failures)
