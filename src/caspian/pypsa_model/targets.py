"""National renewable targets as linopy constraints (what counts: :mod:`caspian.inputs.targets`).

Per enforced target, ``renewable − share × (renewable + fossil) ≥ 0`` over the country's generators
and gas-fired links: capacities (MW; extendable ones as their p_nom variables) or generation over the
horizon (MWh, snapshot-weighted; a gas-fired link by its electric output). The constraint is named
from :data:`TARGET_CONSTRAINT`; its dual is the target's shadow price.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pypsa
import xarray as xr

from caspian.errors import InputError
from caspian.inputs.targets import FOSSIL_CARRIERS, Target

TARGET_CONSTRAINT = {
    ("capacity", True): "renewable_capacity_target-{country}",
    ("generation", True): "renewable_generation_target-{country}",
    ("capacity", False): "renewable_capacity_target_without_hydro-{country}",
    ("generation", False): "renewable_generation_target_without_hydro-{country}",
}
"""Name of a target's linopy constraint per (basis, whether hydro counts toward it): the summary reads
its dual and recounts the share by the same rule."""


def _capacity(n: pypsa.Network, component: str, static: pd.DataFrame, factor: pd.Series) -> Any:
    """MW of ``static``'s components (× ``factor``, e.g. a link's efficiency): the p_nom variables of the
    extendable ones plus the fixed capacity of the others (a constant)."""
    model = n.model
    fixed = float((static.p_nom * factor)[~static.p_nom_extendable].sum())
    free = static.index[static.p_nom_extendable]
    if free.empty:
        return fixed
    scale = xr.DataArray(factor[free].to_numpy(), [pd.Index(free, name="name")])
    return (model[f"{component}-p_nom"].sel(name=list(free)) * scale).sum() + fixed


def _generation(n: pypsa.Network, component: str, static: pd.DataFrame, factor: pd.Series) -> Any:
    """MWh over the horizon of ``static``'s components (× ``factor``)."""
    if static.empty:
        return 0.0
    weights = xr.DataArray(n.snapshot_weightings.objective.to_numpy(), [n.snapshots])
    scale = xr.DataArray(factor.to_numpy(), [pd.Index(static.index, name="name")])
    return (n.model[f"{component}-p"].sel(name=list(static.index)) * scale * weights).sum()


def target_fleets(n: pypsa.Network, target: Target) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The target country's generators counted toward it, its other generators (fossil, uncounted
    hydro) and its gas-fired links."""
    buses = n.buses.index[n.buses.country == target.country]
    gens = n.generators[n.generators.bus.isin(buses)]
    links = n.links[n.links.bus1.isin(buses) & n.links.carrier.isin(FOSSIL_CARRIERS)]
    return (
        gens[gens.carrier.isin(target.renewable_carriers)],
        gens[gens.carrier.isin(target.rest_carriers)],
        links,
    )


def add_targets(n: pypsa.Network, targets: tuple[Target, ...]) -> None:
    """One constraint per enforced target."""
    for target in targets:
        renewable, fossil, plants = target_fleets(n, target)
        amount = _capacity if target.basis == "capacity" else _generation
        ones = pd.Series(1.0, index=n.generators.index)
        green = amount(n, "Generator", renewable, ones[renewable.index])
        rest = amount(n, "Generator", fossil, ones[fossil.index])
        rest = rest + amount(n, "Link", plants, plants.efficiency)
        lhs = (1 - target.share) * green - target.share * rest
        if isinstance(lhs, float):  # a capacity target with nothing to build: checked at build time
            continue
        n.model.add_constraints(
            lhs >= 0, name=TARGET_CONSTRAINT[target.basis, target.counts_hydro].format(country=target.country)
        )


def check_fixed_capacity_targets(n: pypsa.Network, targets: tuple[Target, ...], network: str) -> None:
    """InputError naming the spec field when a capacity target has nothing to build toward it and the
    fleets in force miss it (an infeasible constraint both formulations would otherwise meet)."""
    for target in targets:
        renewable, fossil, plants = target_fleets(n, target)
        if target.basis != "capacity" or any(
            frame.p_nom_extendable.any() for frame in (renewable, fossil, plants)
        ):
            continue
        green = float(renewable.p_nom.sum())
        total = green + float(fossil.p_nom.sum() + (plants.p_nom * plants.efficiency).sum())
        if green < target.share * total:
            raise InputError(
                f"network '{network}': field 'policy.renewable_targets': {target.country}'s target "
                f"({target.share:.0%} of capacity) is not met by its fleets in force ({green / total:.1%}) "
                "and the run may build nothing toward it"
            )
