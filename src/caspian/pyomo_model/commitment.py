"""Clustered unit commitment in the Pyomo formulation, written from the same definition as the linopy
side (:mod:`caspian.pypsa_model.commitment`), not translated from it.

For committed plant f and period t (units online u integer, units started s and stopped d
non-negative, unit capacity C on the plant's power variable p, availability a(t), minimum load m):
m·C·u ≤ p ≤ a·C·u; u ≤ N, or C·u ≤ built capacity for an extendable plant; u(t) − u(t−1) = s(t) − d(t);
u(t) ≥ Σ_{k<U} s(t−k) and N − u(t) ≥ Σ_{k<D} d(t−k); periods are cyclic (the period before the first
is the last); start-up cost × s(t) in the objective.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pyomo.environ as pyo

from caspian.inputs.fleets import CommittedFleet, starts_and_mean_online


def add_commitment(
    m: pyo.ConcreteModel,
    fleets: Sequence[CommittedFleet],
    periods: int,
    power: Callable[[str, int], Any],
    availability: Mapping[str, np.ndarray],
    built: Callable[[str], Any] | None = None,
) -> Any:
    """Add the commitment of ``fleets`` to ``m``; return the start-up cost expression (EUR).

    ``power(name, t)`` is the plant's power variable in period t, on the basis of ``unit_capacity``;
    ``availability[name]`` its per-unit availability per period; ``built(name)`` the capacity variable
    of an extendable plant."""
    by_name = {f.name: f for f in fleets}
    names = list(by_name)

    def capacity(name: str) -> Any:
        if built is None:
            raise ValueError(f"{name}: an extendable committed fleet needs its capacity variable")
        return built(name)

    times = range(periods)

    def units_bounds(_m: Any, name: str, _t: int) -> tuple[float, float | None]:
        units = by_name[name].units
        return 0.0, None if units is None else float(units)

    m.uc_units = pyo.Var(names, times, domain=pyo.NonNegativeIntegers, bounds=units_bounds)
    m.uc_started = pyo.Var(names, times, domain=pyo.NonNegativeReals)
    m.uc_stopped = pyo.Var(names, times, domain=pyo.NonNegativeReals)

    def most(m: Any, name: str, t: int) -> Any:
        f = by_name[name]
        return power(name, t) <= float(availability[name][t]) * f.unit_capacity * m.uc_units[name, t]

    def least(m: Any, name: str, t: int) -> Any:
        f = by_name[name]
        return power(name, t) >= f.p_min_pu * f.unit_capacity * m.uc_units[name, t]

    def before(t: int) -> int:
        return (t - 1) % periods

    def transition(m: Any, name: str, t: int) -> Any:
        return (
            m.uc_units[name, t] - m.uc_units[name, before(t)] == m.uc_started[name, t] - m.uc_stopped[name, t]
        )

    def within_built(m: Any, name: str, t: int) -> Any:
        f = by_name[name]
        if f.units is not None:
            return pyo.Constraint.Skip
        return f.unit_capacity * m.uc_units[name, t] <= capacity(name)

    def min_up(m: Any, name: str, t: int) -> Any:
        f = by_name[name]
        if f.min_up_snapshots <= 1:
            return pyo.Constraint.Skip
        recent = [(t - k) % periods for k in range(min(f.min_up_snapshots, periods))]
        return m.uc_units[name, t] >= sum(m.uc_started[name, k] for k in recent)

    def min_down(m: Any, name: str, t: int) -> Any:
        f = by_name[name]
        if f.min_down_snapshots <= 1:
            return pyo.Constraint.Skip
        recent = [(t - k) % periods for k in range(min(f.min_down_snapshots, periods))]
        room = f.units if f.units is not None else capacity(name) / f.unit_capacity
        return room - m.uc_units[name, t] >= sum(m.uc_stopped[name, k] for k in recent)

    m.uc_most = pyo.Constraint(names, times, rule=most)
    m.uc_least = pyo.Constraint(names, times, rule=least)
    m.uc_transition = pyo.Constraint(names, times, rule=transition)
    m.uc_within_built = pyo.Constraint(names, times, rule=within_built)
    m.uc_min_up = pyo.Constraint(names, times, rule=min_up)
    m.uc_min_down = pyo.Constraint(names, times, rule=min_down)
    return sum(by_name[name].start_up_cost_eur * m.uc_started[name, t] for name in names for t in times)


def fix_commitment(m: pyo.ConcreteModel, schedule: Mapping[tuple[str, int], float]) -> None:
    """Fix the units online to ``schedule`` ((plant, period) → units, rounded to whole units), as
    continuous variables, so that the next solve is the fixed-commitment LP."""
    for index, var in m.uc_units.items():
        var.domain = pyo.NonNegativeReals
        var.fix(float(round(schedule[index])))


def schedule_summary(
    schedule: Mapping[tuple[str, int], float], weights: np.ndarray
) -> dict[str, tuple[float, float]]:
    """Per plant: units started over the (cyclic) horizon and the time-weighted mean units online."""
    periods = len(weights)
    names = sorted({name for name, _t in schedule})
    return {
        name: starts_and_mean_online(np.array([schedule[name, t] for t in range(periods)]), weights)
        for name in names
    }
