"""Clustered unit commitment of gas-fired plants, added to a PyPSA/linopy model.

Per committed fleet f (:class:`caspian.inputs.fleets.CommittedFleet`) and snapshot t, with u the
units online (integer), s the units started and d the units stopped (continuous; integral whenever u
is), C the unit capacity (MW on the plant's power variable p), a(t) the availability (p_max_pu) and m
the minimum stable load per unit:

* m·C·u(t) ≤ p(t) ≤ a(t)·C·u(t);
* u(t) ≤ N (a fixed fleet of N units), or C·u(t) ≤ built capacity (an extendable plant);
* u(t) − u(t−1) = s(t) − d(t);
* minimum up time U: u(t) ≥ Σ s(t−k), k < U; minimum down time D: N − u(t) ≥ Σ d(t−k), k < D;
* the horizon is cyclic (t − 1 of the first snapshot is the last), as a representative horizon
  repeats: no commitment is free at the start, and a unit stopped late may not restart early;
* the objective gains Σ start-up cost × s(t), EUR per unit started (not weighted by snapshot length:
  a start is an event).

Given a commitment schedule (``online``), u is fixed to it and continuous: the linear programme whose
duals price energy under that commitment (fix-and-price), with the same objective as the MILP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import linopy
import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs.fleets import CommittedFleet, starts_and_mean_online
from caspian.naming import UNITS_STARTED


@dataclass(frozen=True)
class CommitmentSummary:
    """What one committed fleet did: units, unit size (MW electric), starts over the horizon (increases
    of the units online, cyclic) and the time-weighted mean number of units online."""

    units: int | None
    unit_size_mw: float
    starts: float
    mean_online: float


def _bounds(fleets: Sequence[CommittedFleet], snapshots: pd.Index) -> tuple[xr.DataArray, xr.DataArray]:
    upper = [np.inf if f.units is None else float(f.units) for f in fleets]
    names = pd.Index([f.name for f in fleets], name="name")
    upper_da = xr.DataArray(np.tile(upper, (len(snapshots), 1)), coords=[snapshots, names])
    return xr.zeros_like(upper_da), upper_da


def _lagged_sum(variable: linopy.Variable, lags: int) -> linopy.LinearExpression:
    """Σ_{k<lags} variable(t−k) as a linear expression, cyclic over the horizon (each snapshot at most
    once when ``lags`` exceeds the horizon)."""
    terms = variable.to_linexpr()
    for k in range(1, min(lags, variable.sizes["snapshot"])):
        terms = terms + variable.roll(snapshot=k).to_linexpr()
    return terms


UNITS_ONLINE = "{component}-units_online"
"""Name of the units-online variable of a component class in the linopy model."""
COMPONENTS = ("Generator", "Link")


def add_commitment(
    n: pypsa.Network, fleets: Sequence[CommittedFleet], online: pd.DataFrame | None = None
) -> None:
    """Add the commitment of ``fleets`` to ``n.model`` (created, not solved). With ``online``
    (snapshots × fleet names) the commitment is fixed."""
    model = n.model
    snapshots = n.snapshots
    start_up_cost: linopy.LinearExpression | int = 0
    for component in COMPONENTS:
        group = [f for f in fleets if f.component == component]
        if not group:
            continue
        names = [f.name for f in group]
        lower, upper = _bounds(group, snapshots)
        if online is not None:
            fixed = xr.DataArray(online[names].to_numpy(), coords=lower.coords)
            lower, upper = fixed, fixed
        units = model.add_variables(
            lower=lower, upper=upper, integer=online is None, name=UNITS_ONLINE.format(component=component)
        )
        starts = model.add_variables(
            lower=0, coords=lower.coords, name=UNITS_STARTED.format(component=component)
        )
        stops = model.add_variables(lower=0, coords=lower.coords, name=f"{component}-units_stopped")
        capacity = xr.DataArray([f.unit_capacity for f in group], coords=[lower.coords["name"]])
        minimum = xr.DataArray([f.p_min_pu for f in group], coords=[lower.coords["name"]])
        availability = n.get_switchable_as_dense(component, "p_max_pu")[names]
        availability = xr.DataArray(availability.to_numpy(), coords=lower.coords)
        power = model[f"{component}-p"].sel(name=names)
        model.add_constraints(power - availability * capacity * units <= 0, name=f"{component}-units-upper")
        model.add_constraints(power - minimum * capacity * units >= 0, name=f"{component}-units-lower")
        change = units - units.roll(snapshot=1)
        model.add_constraints(starts - stops - change == 0, name=f"{component}-units-transition")
        for fleet in group:
            one = {"name": fleet.name}
            if fleet.units is None:
                built = model[f"{component}-p_nom"].sel(one)
                model.add_constraints(
                    fleet.unit_capacity * units.sel(one) - built <= 0, name=f"{fleet.name}-units-built"
                )
            if fleet.min_up_snapshots > 1:
                model.add_constraints(
                    units.sel(one) - _lagged_sum(starts.sel(one), fleet.min_up_snapshots) >= 0,
                    name=f"{fleet.name}-min-up",
                )
            if fleet.min_down_snapshots > 1:
                room = (
                    fleet.units - units.sel(one)
                    if fleet.units is not None
                    else model[f"{component}-p_nom"].sel(one) / fleet.unit_capacity - units.sel(one)
                )
                model.add_constraints(
                    room - _lagged_sum(stops.sel(one), fleet.min_down_snapshots) >= 0,
                    name=f"{fleet.name}-min-down",
                )
        cost = xr.DataArray([f.start_up_cost_eur for f in group], coords=[lower.coords["name"]])
        start_up_cost = start_up_cost + (starts * cost).sum()
    model.add_objective(model.objective.expression + start_up_cost, overwrite=True)


def solved_schedule(n: pypsa.Network) -> pd.DataFrame:
    """Units online per snapshot (rows) and committed plant (columns) of a solved model, rounded to whole
    units (a solver returns integers within its integrality tolerance)."""
    frames = [
        n.model[UNITS_ONLINE.format(component=c)].solution.to_pandas()
        for c in COMPONENTS
        if UNITS_ONLINE.format(component=c) in n.model.variables
    ]
    return pd.concat(frames, axis=1).round()


def summarize_commitment(n: pypsa.Network, fleets: Sequence[CommittedFleet]) -> dict[str, CommitmentSummary]:
    """Starts and mean units online per committed fleet of a solved model."""
    schedule = solved_schedule(n)
    weights = n.snapshot_weightings.generators.to_numpy()
    summary = {}
    for fleet in fleets:
        starts, mean_online = starts_and_mean_online(schedule[fleet.name].to_numpy(), weights)
        summary[fleet.name] = CommitmentSummary(fleet.units, fleet.unit_size_mw, starts, mean_online)
    return summary
