"""Formulate and solve a built network with HiGHS through linopy; diagnose infeasibility.

The extra linopy constraint here ties each extendable bidirectional connection's reverse twin to its
forward capacity. In MILP expansion each lumpy project gets one binary per option (at most one chosen,
the link's capacity equal to the chosen option's, its annual cost in the objective only when built);
with unit commitment (:mod:`caspian.pypsa_model.commitment`) gas-fired plants are committed in whole
units. A MILP is then re-solved as an LP with the choices and the commitment fixed, which gives
prices (duals) and the same objective. Options travel as a frozen :class:`SolveOptions`; nothing is
stored on the network.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pypsa
from linopy.constants import SolverStatus, TerminationCondition

from caspian.errors import InfeasibleError, SolverError
from caspian.inputs.costs import LumpyProject, ProjectOption
from caspian.inputs.fleets import CommittedFleet
from caspian.inputs.solver import DEFAULT_HIGHS_OPTIONS
from caspian.naming import (
    ASSET,
    CAPACITY_FROM,
    DIRECTION,
    FIRST_SEGMENT,
    FORWARD,
    FROM_MILP,
    MILP_OPTION,
    NO_OPTION,
    SEGMENT,
    forward_twins,
)
from caspian.pypsa_model.commitment import (
    CommitmentSummary,
    add_commitment,
    solved_schedule,
    summarize_commitment,
)
from caspian.pypsa_model.policy import NO_POLICY, PolicyConstraints, add_policy

BINARY_ON = 0.5
"""A binary's solution value above this counts as 1 (solvers return values within tolerance of 0/1)."""
FEASIBLE_SOLUTION = 2
"""HiGHS ``primal_solution_status`` of a feasible point (kSolutionStatusFeasible)."""
ZERO_CAPACITY_MW = 1e-3
"""Capacity of the LP relaxation below which a project counts as not built when rounding a MIP start."""
HIGHS_START_ACCEPTED = "MIP start solution is feasible"
"""HiGHS log line (1.15) confirming that it read the MIP start and accepted it as an incumbent."""
NO_SOLUTION = frozenset(
    {
        TerminationCondition.infeasible,
        TerminationCondition.infeasible_or_unbounded,
        TerminationCondition.unbounded,
    }
)
"""Termination conditions that mean the model has no solution (raised as InfeasibleError)."""
MIN_MILP_SECONDS = 1.0
"""Least time given to branch and bound after the MIP start used up the time limit: HiGHS still reads
the start, so the run ends with that incumbent instead of none."""


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings: HiGHS options, a time limit (s), where HiGHS writes its log, the relative MIP
    gap, and whether branch and bound starts from the rounded LP relaxation."""

    highs_options: dict[str, Any] = field(default_factory=dict)
    time_limit: float | None = None
    log_file: Path | None = None
    mip_gap: float | None = None
    mip_start: bool = True

    def solver_options(self) -> dict[str, Any]:
        """The full option set handed to HiGHS."""
        options = {**DEFAULT_HIGHS_OPTIONS, **self.highs_options}
        if self.time_limit is not None:
            options["time_limit"] = float(self.time_limit)
        if self.log_file is not None:
            options["log_file"] = str(self.log_file)
        if self.mip_gap is not None:
            options["mip_rel_gap"] = float(self.mip_gap)
        return options


@dataclass(frozen=True)
class MipResult:
    """How the MILP ended: relative gap, dual bound (EUR over the horizon), branch-and-bound nodes,
    seconds, how HiGHS stopped, whether optimality is proven (False: stopped early, e.g. at the time
    limit, with an incumbent), the option chosen per project (None: not built), the objective of the
    start handed to branch and bound (EUR over the horizon; None: no start) and whether HiGHS's log
    confirms it accepted that start (None: no start, or no log to tell)."""

    condition: str
    gap: float
    bound: float
    nodes: int
    seconds: float
    proven_optimal: bool
    choices: dict[str, str | None]
    start_objective: float | None = None
    start_accepted: bool | None = None


@dataclass(frozen=True)
class SolveOutcome:
    """Status, termination condition, objective (EUR over the horizon) and timings (s); ``mip`` for
    MILP runs, ``commitment`` per committed plant with unit commitment."""

    status: str
    condition: str
    objective: float
    formulate_seconds: float
    solve_seconds: float
    model_size: dict[str, int]
    mip: MipResult | None = None
    commitment: dict[str, CommitmentSummary] = field(default_factory=dict)


def _tie_reverse_twins(n: pypsa.Network) -> None:
    """Each extendable reverse twin's capacity equals its forward link's (PyPSA has no such constraint)."""
    twins = forward_twins(n.links[n.links.p_nom_extendable])
    if twins.empty:
        return
    p_nom = n.model["Link-p_nom"]
    forward = list(twins)
    twins = list(twins.index)
    lhs = p_nom.sel(name=twins) - p_nom.sel(name=forward).assign_coords(name=twins)
    n.model.add_constraints(lhs == 0, name="Link-reverse_twin_capacity")


@contextmanager
def _native_stdout_to(path: Path | None) -> Iterator[None]:
    """Send C-level stdout to ``path`` while HiGHS runs: linopy's direct interface builds the HiGHS
    model before our log options apply, so HiGHS would print its banner to the terminal."""
    if path is None:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    with path.open("a") as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _add_project_options(n: pypsa.Network, projects: tuple[LumpyProject, ...]) -> list[Any]:
    """One binary per project option: at most one per project, the link's capacity equals the chosen
    option's, and the chosen option's annual cost enters the objective."""
    model = n.model
    p_nom = model["Link-p_nom"]
    binaries, extra_cost = [], 0
    for project in projects:
        index = pd.Index([o.option for o in project.options], name=f"{project.project} option")
        choice = model.add_variables(binary=True, coords=[index], name=f"{project.project}-choice")
        capacity = pd.Series([o.capacity_mw for o in project.options], index=index)
        cost = pd.Series([o.annual_cost_eur for o in project.options], index=index)
        model.add_constraints(choice.sum() <= 1, name=f"{project.project}-one-option")
        model.add_constraints(
            p_nom.sel(name=project.link) - (choice * capacity).sum() == 0, name=f"{project.project}-capacity"
        )
        extra_cost = extra_cost + (choice * cost).sum()
        binaries.append(choice)
    model.add_objective(model.objective.expression + extra_cost, overwrite=True)
    return binaries


def _chosen_options(
    projects: tuple[LumpyProject, ...], binaries: list[Any]
) -> dict[str, ProjectOption | None]:
    chosen: dict[str, ProjectOption | None] = {}
    for project, choice in zip(projects, binaries, strict=True):
        values = choice.solution.to_series()
        picked = [o for o in project.options if values.get(o.option, 0.0) > BINARY_ON]
        chosen[project.project] = picked[0] if picked else None
    return chosen


def _fix_choices(n: pypsa.Network, projects: tuple[LumpyProject, ...], chosen: dict) -> None:
    """Hold each project's link (and reverse twin) at the chosen option's capacity, charging its cost;
    record the choice in the links' ``capacity_from``/``milp_option`` columns and in
    ``n.meta['milp_choices']`` (project → option, None: not built)."""
    n.meta["milp_choices"] = {
        p.project: (chosen[p.project].option if chosen[p.project] else None) for p in projects
    }
    for project in projects:
        option = chosen[project.project]
        capacity = option.capacity_mw if option else 0.0
        unit_cost = option.annual_cost_eur / option.capacity_mw if option else 0.0
        links = n.links
        names = links.index[(links[ASSET] == project.asset) & (links[SEGMENT] == FIRST_SEGMENT)]
        for name in names:
            n.links.loc[name, ["p_nom_min", "p_nom_max"]] = capacity
            n.links.loc[name, "capital_cost"] = unit_cost if links.at[name, DIRECTION] == FORWARD else 0.0
            n.links.loc[name, [CAPACITY_FROM, MILP_OPTION]] = [
                FROM_MILP,
                option.option if option else NO_OPTION,
            ]


def _objective(n: pypsa.Network) -> float:
    """The solved objective, EUR over the horizon (a solved network always has one)."""
    if n.objective is None:
        raise ValueError("the solver reported a solution but the network holds no objective")
    return float(n.objective)


def _solve(
    n: pypsa.Network, options: SolveOptions, duals: bool, start: Path | None = None
) -> tuple[SolverStatus, TerminationCondition]:
    """Solve the formulated model; linopy's status and termination condition."""
    with _native_stdout_to(options.log_file):
        status, condition = n.optimize.solve_model(
            solver_name="highs",
            solver_options=options.solver_options(),
            assign_all_duals=duals,
            io_api="direct",
            log_to_console=options.log_file is None,
            warmstart_fn=start,
        )
    return SolverStatus(str(status)), TerminationCondition(str(condition))


def _remaining(options: SolveOptions, since: float, floor: float = 0.0) -> SolveOptions:
    """``options`` with the time limit reduced by the seconds elapsed since ``since`` (at least
    ``floor``); SolverError when no time is left."""
    if options.time_limit is None:
        return options
    left = max(options.time_limit - (time.perf_counter() - since), floor)
    if left <= 0:
        raise SolverError(
            f"HiGHS stopped without a feasible MILP solution (the time limit of {options.time_limit:g} s "
            "was used up before branch and bound)"
        )
    return replace(options, time_limit=left)


def _mip_start(
    n: pypsa.Network,
    options: SolveOptions,
    projects: tuple[LumpyProject, ...],
    binaries: list[Any],
    directory: Path,
) -> tuple[Path | None, float | None]:
    """A feasible start for branch and bound, as a HiGHS solution file, and its objective (EUR over the
    horizon): each project's capacity in the LP relaxation rounded up to the smallest option holding
    it (more capacity keeps the relaxation's flows feasible), the rest re-optimised with those choices.
    (None, None) when either solve does not end optimal, e.g. at the time limit."""
    since = time.perf_counter()
    n.model.set_names_in_solver_io = True  # HiGHS matches a solution file's columns by name
    for choice in binaries:
        choice.relax()
    _status, condition = _solve(n, options, duals=False)
    for choice in binaries:
        choice.unrelax()
    if condition != TerminationCondition.optimal:
        return None, None
    fixed_options = _remaining(options, since)
    capacity = n.model["Link-p_nom"].solution
    for project, choice in zip(projects, binaries, strict=True):
        relaxed = float(capacity.sel(name=project.link))
        holding = [o for o in project.options if o.capacity_mw >= relaxed - ZERO_CAPACITY_MW]
        pick = min(holding, key=lambda o: o.capacity_mw) if relaxed > ZERO_CAPACITY_MW else None
        choice.fix(np.array([1.0 if o is pick else 0.0 for o in project.options]))
    _status, condition = _solve(n, fixed_options, duals=False)
    for choice in binaries:
        choice.unfix()
    if condition != TerminationCondition.optimal:
        return None, None
    path = directory / "mip-start.sol"
    n.model.solver_model.writeSolution(str(path), 0)
    value = n.model.objective.value
    return (path, float(value)) if value is not None else (None, None)


def _solve_milp(
    n: pypsa.Network,
    options: SolveOptions,
    projects: tuple[LumpyProject, ...],
    binaries: list[Any],
    warm_start: bool,
) -> MipResult:
    """Branch and bound (from the rounded LP relaxation when ``warm_start``); accept an incumbent found
    before the time limit (not proven optimal)."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="caspian-mip-") as tmp:
        path, start_objective = (
            _mip_start(n, options, projects, binaries, Path(tmp)) if warm_start else (None, None)
        )
        floor = MIN_MILP_SECONDS if path is not None else 0.0
        milp_options = _remaining(options, start, floor)
        logged_before = _log_size(options.log_file)
        _status, condition = _solve(n, milp_options, duals=False, start=path)
    seconds = time.perf_counter() - start
    accepted = _start_accepted(options.log_file, logged_before) if path is not None else None
    if condition in NO_SOLUTION:
        raise InfeasibleError(condition.value)
    info = n.model.solver_model.getInfo()
    if info.primal_solution_status != FEASIBLE_SOLUTION:
        raise SolverError(f"HiGHS stopped without a feasible MILP solution ({condition.value})")
    chosen = _chosen_options(projects, binaries)
    _fix_choices(n, projects, chosen)
    return MipResult(
        condition=condition.value,
        gap=float(info.mip_gap),
        bound=float(info.mip_dual_bound),
        nodes=int(info.mip_node_count),
        seconds=seconds,
        proven_optimal=condition == TerminationCondition.optimal,
        choices={name: (option.option if option else None) for name, option in chosen.items()},
        start_objective=start_objective,
        start_accepted=accepted,
    )


def _log_size(log_file: Path | None) -> int:
    return log_file.stat().st_size if log_file is not None and log_file.exists() else 0


def _start_accepted(log_file: Path | None, offset: int) -> bool | None:
    """Whether HiGHS's log of the branch and bound (from byte ``offset``) confirms it accepted the MIP
    start; None without a log file (linopy does not report the solution file's read status)."""
    if log_file is None or not log_file.exists():
        return None
    with log_file.open("rb") as handle:
        handle.seek(offset)
        return HIGHS_START_ACCEPTED in handle.read().decode("utf-8", errors="replace")


def _formulate(
    n: pypsa.Network,
    projects: tuple[LumpyProject, ...],
    fleets: tuple[CommittedFleet, ...],
    policy: PolicyConstraints,
    online: pd.DataFrame | None = None,
) -> list[Any]:
    """Create the model: PyPSA's LP, reverse twins tied, the policy constraints (CBAM, targets),
    project binaries (returned), unit commitment (fixed to ``online`` when given)."""
    n.optimize.create_model(include_objective_constant=False)
    _tie_reverse_twins(n)
    add_policy(n, policy)
    binaries = _add_project_options(n, projects) if projects else []
    if fleets:
        add_commitment(n, fleets, online)
    return binaries


def solve_network(
    n: pypsa.Network,
    options: SolveOptions,
    projects: tuple[LumpyProject, ...] = (),
    commitment: tuple[CommittedFleet, ...] = (),
    policy: PolicyConstraints = NO_POLICY,
) -> SolveOutcome:
    """Solve ``n`` in place, raising on infeasibility (InfeasibleError) or no solution (SolverError).
    With ``projects`` (MILP expansion) or ``commitment`` (committed plants) the MILP is solved first,
    then the LP with its option choices and commitment fixed."""
    start = time.perf_counter()
    binaries = _formulate(n, projects, commitment, policy)
    formulate = time.perf_counter() - start
    size = {"variables": int(n.model.nvars), "constraints": int(n.model.ncons)}
    warm_start = options.mip_start and bool(projects) and not commitment  # rounding may break a commitment
    mip = _solve_milp(n, options, projects, binaries, warm_start) if projects or commitment else None
    if mip is not None:
        start = time.perf_counter()
        online = solved_schedule(n) if commitment else None
        _formulate(n, (), commitment, policy, online)  # project choices are now fixed on the links
        formulate += time.perf_counter() - start
    start = time.perf_counter()
    status, condition = _solve(n, options, duals=True)
    solve = time.perf_counter() - start + (mip.seconds if mip else 0.0)
    if condition in NO_SOLUTION:
        raise InfeasibleError(condition.value)
    if status != SolverStatus.ok or condition != TerminationCondition.optimal:
        raise SolverError(f"HiGHS stopped without an optimal LP solution ({status.value}: {condition.value})")
    return SolveOutcome(
        status=status.value,
        condition=(
            condition.value if mip is None or mip.proven_optimal else f"{mip.condition} (MILP incumbent)"
        ),
        objective=_objective(n),
        formulate_seconds=formulate,
        solve_seconds=solve,
        model_size=size,
        mip=mip,
        commitment=summarize_commitment(n, commitment) if commitment else {},
    )
