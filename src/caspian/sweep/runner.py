"""Run one sweep case into ``cases/<case-id>/`` (a run directory) or record why it failed.

Top-level, picklable functions: they run unchanged in this process, in a process pool or on a Dask
worker. A case is finished when its run directory holds ``run.yaml`` or ``<case-id>.failed.yaml``
exists; both are written atomically (temporary name, then rename).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from caspian.errors import CaspianError, InputError
from caspian.inputs.yamlio import RecordLoader, read_yaml_file
from caspian.runs.rundir import run_record, write_atomic
from caspian.runs.single import RunRequest, execute
from caspian.settings import configure_libraries
from caspian.sweep.plan import Case


@dataclass(frozen=True)
class CaseTask:
    """Everything a worker needs to run one case."""

    case: Case
    cases_dir: Path
    network_file: Path
    scenario: str | None
    data_dir: Path
    data_overlays: tuple[Path, ...] = ()


@dataclass(frozen=True)
class CaseResult:
    """How a case ended: ``ok`` or ``failed`` with its exit class and one-line message."""

    case_id: str
    status: str
    exit_class: str = ""
    message: str = ""
    seconds: float = 0.0
    solve_seconds: float = 0.0


def failure_path(cases_dir: Path, case_id: str) -> Path:
    """Where a failed case's record lives."""
    return cases_dir / f"{case_id}.failed.yaml"


def finished(cases_dir: Path, case_id: str) -> CaseResult | None:
    """The recorded outcome of a case, or None if it has not finished."""
    record = run_record(cases_dir / case_id)
    if record is not None:
        timings = record.get("timings_s", {})
        return CaseResult(
            case_id, "ok", seconds=sum(timings.values()), solve_seconds=timings.get("solve_s", 0.0)
        )
    failure = failure_path(cases_dir, case_id)
    if failure.is_file():
        record = read_yaml_file(failure, RecordLoader)
        if not isinstance(record, dict) or not {"exit_class", "message"} <= record.keys():
            raise InputError(f"{failure}: field 'exit_class': missing; not a caspian failure record")
        return CaseResult(
            case_id, "failed", str(record["exit_class"]), str(record["message"]), record.get("seconds", 0.0)
        )
    return None


def _record_failure(cases_dir: Path, result: CaseResult) -> None:
    target = failure_path(cases_dir, result.case_id)
    record = {"exit_class": result.exit_class, "message": result.message, "seconds": round(result.seconds, 3)}
    text = yaml.safe_dump(record, allow_unicode=True)
    write_atomic(target, lambda staging: staging.write_text(text, encoding="utf-8"))


def run_case(task: CaseTask) -> CaseResult:
    """Run one case (or record its invalid inputs) and return its outcome; never raises for model
    failures, which are recorded."""
    configure_libraries()
    case = task.case
    start = time.perf_counter()
    if case.input_error is not None:
        result = CaseResult(case.case_id, "failed", "input", case.input_error)
        _record_failure(task.cases_dir, result)
        return result
    request = RunRequest(
        network_file=task.network_file,
        data_dir=task.data_dir,
        results_dir=task.cases_dir,
        scenario=task.scenario,
        overrides=case.overrides,
        output_dir=task.cases_dir / case.case_id,
        data_overlays=task.data_overlays,
    )
    try:
        run = execute(request)
    except CaspianError as exc:
        result = CaseResult(
            case.case_id,
            "failed",
            exc.kind,
            str(exc),
            time.perf_counter() - start,
        )
        _record_failure(task.cases_dir, result)
        return result
    except Exception as exc:  # an unexpected error in one case must not stop the sweep
        result = CaseResult(
            case.case_id, "failed", "internal", f"{type(exc).__name__}: {exc}", time.perf_counter() - start
        )
        _record_failure(task.cases_dir, result)
        return result
    failure_path(task.cases_dir, case.case_id).unlink(missing_ok=True)  # an earlier failure is stale
    return CaseResult(
        case.case_id,
        "ok",
        seconds=time.perf_counter() - start,
        solve_seconds=run.timings.get("solve_s", 0.0),
    )
