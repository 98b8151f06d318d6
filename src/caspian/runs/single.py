"""One model run end to end: resolve inputs → build → solve → summarise → write the run directory.

The run directory (DESIGN §5) is written into a temporary sibling and renamed when complete, so a crash
never leaves a half run that looks whole. An infeasible model is re-solved with priced slack to say
which node lacks how much.
"""

from __future__ import annotations

import dataclasses
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pypsa
import xarray as xr
import yaml

from caspian.errors import InfeasibleError, InputError
from caspian.inputs.solver import check_highs_options
from caspian.inputs.spec import NetworkSpec, overlay_paths, resolve_spec, spec_hash
from caspian.inputs.tables import Dataset, load_dataset
from caspian.naming import SLACK_CARRIER
from caspian.pypsa_model import BuildOptions, build_network
from caspian.pypsa_model.export import pin_for_export
from caspian.pypsa_model.solve import SolveOptions, SolveOutcome, solve_network
from caspian.results.backcast import compare
from caspian.results.summary import summarize, write_summary
from caspian.results.views import annual_factor
from caspian.runs.rundir import REPORT_FIGURES, REPORT_FILES, RUN_RECORD, check_target, staged
from caspian.runs.solver_progress import watch_solver_log
from caspian.units import mwh_to_bcm
from caspian.versions import stack_versions

SHORTFALL_NOISE_MWH = 1e-3
"""Slack use below this (MWh over the horizon) is solver round-off, not a shortfall."""


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs from the user; CLI flags become ``overrides``."""

    network_file: Path
    data_dir: Path
    results_dir: Path
    scenario: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    output_dir: Path | None = None
    data_overlays: tuple[Path, ...] = ()
    """Overlay directories (``--data-overlay``), applied after those the network file names."""
    option_labels: tuple[tuple[str, str], ...] = ()
    """(dotted path, option) of the overrides a dedicated option set (``time.segments`` from
    ``--segments``): a bad value is reported under that option; every other override as ``--set``."""

    def override_label(self, path: str, _value: Any) -> str:
        """How an override is named in an error message."""
        return dict(self.option_labels).get(path, f"--set {path}")


@dataclass(frozen=True)
class RunResult:
    """A finished run: its directory, headline metrics, solver outcome, timings (s), backcast and the
    network's buses (their ``buses.csv`` columns, for labels)."""

    directory: Path
    spec: NetworkSpec
    summary: xr.Dataset
    outcome: SolveOutcome
    timings: dict[str, float] = field(default_factory=dict)
    backcast: pd.DataFrame = field(default_factory=pd.DataFrame)
    buses: pd.DataFrame = field(default_factory=pd.DataFrame)


def check_overlay_directories(overlays: tuple[Path, ...], option: str = "--data-overlay") -> None:
    """InputError naming ``option`` for an overlay given on the command line that exists but is not a
    directory (a missing one is reported by the table loader)."""
    for overlay in overlays:
        if overlay.exists() and not overlay.is_dir():
            raise InputError(f"{overlay}: {option}: not a directory (a data overlay is a directory of CSVs)")


def check_network_file(path: Path) -> None:
    """InputError for a network argument that is a directory (a file that is missing or unreadable is
    reported by the YAML loader)."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a network YAML file")


def prepare(request: RunRequest) -> tuple[NetworkSpec, Dataset]:
    """Resolve the spec (scenario + overrides) and load the data with the network file's overlays, then
    the request's; raise InputError on bad input."""
    check_network_file(request.network_file)
    check_overlay_directories(request.data_overlays)
    spec = resolve_spec(
        request.network_file, request.scenario, list(request.overrides), request.override_label
    )
    overlays = overlay_paths(request.network_file, spec.data_overlays) + request.data_overlays
    return spec, load_dataset(request.data_dir, overlays)


def run_directory_name(spec: NetworkSpec, scenario: str | None, digest: str) -> str:
    """``<network>-<scenario|base>-<input hash>``."""
    return f"{spec.name}-{scenario or 'base'}-{spec_hash(spec, digest)}"


def _diagnose(spec: NetworkSpec, data: Dataset, options: SolveOptions) -> str:
    built = build_network(spec, data, BuildOptions(with_slack=True))
    network = built.network
    solve_network(network, options, built.lumpy_projects, built.commitment, built.policy)
    slack = network.generators.index[network.generators.carrier == SLACK_CARRIER]
    used = network.generators_t.p[slack].mul(network.snapshot_weightings.generators, axis=0).sum()
    used = used[used > SHORTFALL_NOISE_MWH] * annual_factor(network)
    if used.empty:
        return "infeasible, but priced slack finds no shortfall (check fixed flows and annual limits)"
    peaks = network.generators_t.p[used.index].max()
    parts = []
    for name, mwh in used.sort_values(ascending=False).items():
        bus = network.generators.bus[name]
        if network.buses.carrier[bus] == "gas":
            amount = f"{mwh_to_bcm(mwh):.2f} bcm/y ({mwh / 1e6:.2f} TWh/y)"
        else:
            amount = f"{mwh / 1e6:.3f} TWh/y"
        parts.append(f"{bus} lacks {amount}, up to {peaks[name]:,.0f} MW")
    return "infeasible: " + "; ".join(parts)


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resolution_record(spec: NetworkSpec, network: pypsa.Network) -> dict[str, Any]:
    time_spec = spec.time
    method = "hourly"
    if time_spec.segments:
        method = f"tsam segmentation into {time_spec.segments} segments"
    elif time_spec.resolution:
        method = f"resampled to {time_spec.resolution} means"
    return {
        "start_hour": time_spec.start_hour,
        "hours": time_spec.hours,
        "method": method,
        "snapshots": len(network.snapshots),
        "first_snapshot": str(network.snapshots[0]),
    }


def spec_solve_options(spec: NetworkSpec, network_file: Path) -> SolveOptions:
    """The spec's solver settings, checked against HiGHS (InputError naming ``network_file`` and the
    option). A time limit is part of the spec (``solver.time_limit``, also set by ``--time-limit``), so
    it is part of the input hash: a time-limited result is never taken for another run's."""
    options = SolveOptions(
        highs_options=dict(spec.solver.options),
        time_limit=spec.solver.time_limit,
        mip_gap=spec.solver.mip_gap,
        mip_start=spec.solver.mip_start,
    )
    check_highs_options(options.solver_options(), str(network_file))
    return options


def replacement_notice(final: Path) -> str | None:
    """What a user is told before a run replaces ``final``: None unless it is an earlier run holding a
    report, which the new run removes (a report is derived from its run, so it is not carried over)."""
    names = (*REPORT_FILES, REPORT_FIGURES)
    if not final.is_dir() or not any((final / name).exists() for name in names):
        return None
    return f"replacing run directory {final} (its report is removed; run caspian report again)"


def execute(
    request: RunRequest,
    report: Callable[[str], None] = lambda _msg: None,
    notify: Callable[[str], None] = lambda _msg: None,
    solver_line: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the model and write its run directory; return where and what. ``report`` gets progress
    messages (during the solve about every half second, with HiGHS's latest progress), ``notify``
    one-line notices a user should read (an earlier run's report is replaced), ``solver_line`` (if
    given) every line of HiGHS's log as it is written."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    spec, data = prepare(request)
    timings["load_s"] = time.perf_counter() - start
    name = run_directory_name(spec, request.scenario, data.digest)
    final = check_target(request.output_dir or request.results_dir / name)
    options = spec_solve_options(spec, request.network_file)
    notice = replacement_notice(final)
    if notice is not None:
        notify(notice)
    report(f"building {spec.name} ({spec.mode}, {spec.time.hours} h)")
    start = time.perf_counter()
    built = build_network(spec, data)
    timings["build_s"] = time.perf_counter() - start
    network = built.network
    with staged(final) as staging:
        stage = f"solving {len(network.snapshots)} snapshots with HiGHS"
        report(stage)
        solve_options = dataclasses.replace(options, log_file=staging / "solver.log")
        try:
            with watch_solver_log(
                solve_options.log_file, lambda progress: report(f"{stage}: {progress}"), solver_line
            ):
                outcome = solve_network(
                    network, solve_options, built.lumpy_projects, built.commitment, built.policy
                )
        except InfeasibleError:
            report("infeasible: re-solving with priced slack to diagnose")
            diagnosis_options = dataclasses.replace(options, log_file=staging / "diagnosis.log")
            raise InfeasibleError(_diagnose(spec, data, diagnosis_options)) from None
        timings["formulate_s"] = outcome.formulate_seconds
        timings["solve_s"] = outcome.solve_seconds
        report("writing results")
        start = time.perf_counter()
        summary = summarize(network, data)
        summary.attrs.update(
            {"network": spec.name, "scenario": request.scenario or "base", "mode": spec.mode}
        )
        pin_for_export(network, spec.unit_commitment)
        network.export_to_netcdf(staging / "network.nc")
        write_summary(summary, staging)
        timings["write_s"] = time.perf_counter() - start
        record = {
            "network_file": str(request.network_file),
            "scenario": request.scenario,
            "overrides": {k: v for k, v in request.overrides},
            "input_hash": spec_hash(spec, data.digest),
            "data_digest": data.digest,
            "data_overlays": [{"path": str(o.path), "digest": o.digest} for o in data.overlays],
            "spec": spec.model_dump(mode="json", exclude={"scenarios"}),
            "time_resolution": _resolution_record(spec, network),
            "solver": {
                "name": "highs",
                "options": solve_options.solver_options() | {"log_file": "solver.log"},
            },
            "status": outcome.status,
            "termination_condition": outcome.condition,
            "objective_eur": outcome.objective,
            "model_size": outcome.model_size,
            **({"mip": dataclasses.asdict(outcome.mip)} if outcome.mip else {}),
            **(
                {"commitment": {k: dataclasses.asdict(v) for k, v in outcome.commitment.items()}}
                if outcome.commitment
                else {}
            ),
            "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "peak_memory_mb": round(_peak_memory_mb(), 1),
            "profiles": built.profile_sources,
            "versions": stack_versions(),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (staging / RUN_RECORD).write_text(
            yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return RunResult(
        directory=final,
        spec=spec,
        summary=summary,
        outcome=outcome,
        timings=timings,
        backcast=compare(summary, data, spec.year),
        buses=network.buses,
    )
