"""Formulate and solve a built network with HiGHS through linopy; diagnose infeasibility.

The extra linopy constraint here ties each extendable bidirectional connection's reverse twin to its
forward capacity. Options travel as a frozen :class:`SolveOptions`; nothing is stored on the network.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import pypsa

from caspian.build.context import REVERSE_SUFFIX
from caspian.errors import InfeasibleError, InputError, SolverError

DEFAULT_HIGHS_OPTIONS: dict[str, Any] = {"threads": 2, "run_crossover": "on"}
"""HiGHS defaults for this 2-core machine (dual simplex; see README 'Time resolution and solver')."""


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings: HiGHS options, a time limit (s) and where HiGHS writes its log."""

    highs_options: dict[str, Any] = field(default_factory=dict)
    time_limit: float | None = None
    log_file: Path | None = None

    def solver_options(self) -> dict[str, Any]:
        """The full option set handed to HiGHS."""
        options = {**DEFAULT_HIGHS_OPTIONS, **self.highs_options}
        if self.time_limit is not None:
            options["time_limit"] = float(self.time_limit)
        if self.log_file is not None:
            options["log_file"] = str(self.log_file)
        return options


def check_highs_options(options: dict[str, Any], where: str) -> None:
    """Raise InputError for an option name or value HiGHS does not accept."""
    probe = highspy.Highs()
    probe.setOptionValue("output_flag", False)
    for name, value in options.items():
        if probe.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise InputError(f"{where}: field 'solver.options.{name}': HiGHS does not accept {value!r}")


@dataclass(frozen=True)
class SolveOutcome:
    """Status, termination condition, objective (EUR over the horizon) and timings (s)."""

    status: str
    condition: str
    objective: float
    formulate_seconds: float
    solve_seconds: float
    model_size: dict[str, int]


def _tie_reverse_twins(n: pypsa.Network) -> None:
    links = n.links
    extendable = links.index[links.p_nom_extendable]
    twins = [name for name in extendable if name.endswith(REVERSE_SUFFIX)]
    if not twins:
        return
    p_nom = n.model["Link-p_nom"]
    forward = [name.removesuffix(REVERSE_SUFFIX) for name in twins]
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


def solve_network(n: pypsa.Network, options: SolveOptions) -> SolveOutcome:
    """Solve ``n`` in place (LP), raising on infeasibility (InfeasibleError) or no solution (SolverError)."""
    start = time.perf_counter()
    n.optimize.create_model(include_objective_constant=False)
    _tie_reverse_twins(n)
    formulate = time.perf_counter() - start
    size = {"variables": int(n.model.nvars), "constraints": int(n.model.ncons)}
    start = time.perf_counter()
    with _native_stdout_to(options.log_file):
        status, condition = n.optimize.solve_model(
            solver_name="highs",
            solver_options=options.solver_options(),
            assign_all_duals=True,
            io_api="direct",
            log_to_console=options.log_file is None,
        )
    solve = time.perf_counter() - start
    condition = str(condition)
    if condition in {"infeasible", "infeasible_or_unbounded", "unbounded"}:
        raise InfeasibleError(condition)
    if status != "ok" or condition != "optimal":
        raise SolverError(f"HiGHS stopped without an optimal LP solution ({status}: {condition})")
    return SolveOutcome(
        status=str(status),
        condition=condition,
        objective=float(n.objective),
        formulate_seconds=formulate,
        solve_seconds=solve,
        model_size=size,
    )
