"""Gas side of the network: pipelines with their tariffs on unbooked capacity, field supplies at their
valuation, fixed offtakes, European markets' residual demand, the alternatives they buy from and
underground storage.

Units: capacities in MW thermal (GCV), energy in MWh, prices in EUR/MWh of the price year. Every
economic figure comes from :mod:`caspian.inputs.gas_economics`, which the Pyomo model reads too.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pypsa

from caspian.inputs import gas_economics as econ
from caspian.inputs.context import BuildContext
from caspian.inputs.costs import capacity_links
from caspian.inputs.tables import in_force
from caspian.naming import (
    ALTERNATIVE_KIND,
    ALTERNATIVE_TIER,
    ASSET,
    BASE_SEGMENT,
    BUILD_MAX,
    CAPACITY_FROM,
    COST_BASIS,
    DIRECTION,
    FORWARD,
    FROM_DATA,
    GAS_DEMAND_CARRIER,
    GAS_IMPORT_CARRIER,
    GAS_OFFTAKE_CARRIER,
    GAS_STORAGE_CARRIER,
    GAS_SUPPLY_CARRIER,
    SEGMENT,
    labels,
    unbooked_name,
)
from caspian.units import bcm_per_year_to_mw, bcm_to_mwh

GAS_CARRIERS = {
    "gas": "Natural gas",
    "gas pipeline": "Gas pipeline",
    GAS_SUPPLY_CARRIER: "Gas production",
    GAS_OFFTAKE_CARRIER: "Gas offtake",
    GAS_DEMAND_CARRIER: "Gas market residual demand",
    GAS_IMPORT_CARRIER: "Non-corridor gas (LNG, other pipelines, demand response)",
    GAS_STORAGE_CARRIER: "Underground gas storage",
}

DOMESTIC_KIND = "domestic"
"""Offtake kind shaped by its bus's monthly demand shares (contracts are flat)."""


def pipelines_in_force(ctx: BuildContext) -> pd.DataFrame:
    """Pipeline rows in force in the model year (candidates included with their 0 capacity)."""
    rows = in_force(ctx.data.table("gas_pipelines"), ["name"], ctx.spec.year)
    return rows[rows["bus0"].isin(ctx.buses) & rows["bus1"].isin(ctx.buses)]


def split_base_link(
    link: str, attrs: dict[str, Any], tariffed_mw: float
) -> list[tuple[str, dict[str, Any], bool]]:
    """A pipeline's base link as (name, attributes, pays the tariff): with ``tariffed_mw`` > 0 the
    unbooked existing capacity becomes its own fixed link that pays the tariff, and ``link`` keeps the
    rest — booked capacity, plus any capacity the spec pins above what exists, which keeps the whole
    pinned annuity (capital cost rescaled to the smaller link, so the charge is unchanged)."""
    rest = attrs["p_nom"] - tariffed_mw
    if tariffed_mw <= 0 or rest <= 0:
        return [(link, attrs, tariffed_mw > 0)]
    sunk = {**attrs, "p_nom": rest, BUILD_MAX: rest}
    if attrs.get("p_nom_extendable"):
        sunk |= {
            "p_nom_min": rest,
            "p_nom_max": rest,
            "capital_cost": attrs["capital_cost"] * attrs["p_nom"] / rest,
        }
    asset = attrs[ASSET]
    unbooked = {"p_nom": tariffed_mw, ASSET: asset, SEGMENT: BASE_SEGMENT, CAPACITY_FROM: FROM_DATA}
    return [(link, sunk, False), (unbooked_name(asset), {**unbooked, BUILD_MAX: tariffed_mw}, True)]


def add_pipelines(n: pypsa.Network, ctx: BuildContext) -> None:
    """Pipelines as one-way Links; compressor fuel as efficiency < 1; expansion as extra segments. The
    transport tariff is the marginal cost of gas sent through existing capacity not booked under
    ship-or-pay (:meth:`caspian.inputs.gas_economics.PipelineTariff.tariffed_mw`); booked capacity,
    pinned capacity and expansion segments carry gas at fuel cost only."""
    tariffs = econ.pipeline_tariffs(ctx)
    for _, row in pipelines_in_force(ctx).iterrows():
        name = row["name"]
        if name in ctx.spec.exclude:
            continue
        common: dict[str, Any] = dict(
            bus0=row["bus0"],
            bus1=row["bus1"],
            carrier="gas pipeline",
            efficiency=1.0 - row["fuel_share"],
            length=row["length_km"],
            **{DIRECTION: FORWARD},
        )
        tariff = tariffs.get(name, econ.PipelineTariff())
        existing = bcm_per_year_to_mw(row["capacity_bcm_y"])
        for link, attrs in capacity_links(ctx, name, existing):
            is_base = attrs[SEGMENT] == BASE_SEGMENT
            tariffed = tariff.tariffed_mw(attrs["p_nom"], existing) if is_base else 0.0
            for piece, piece_attrs, pays in split_base_link(link, attrs, tariffed):
                n.add("Link", piece, **piece_attrs, **common, marginal_cost=tariff.eur_mwh if pays else 0.0)


def add_supplies(n: pypsa.Network, ctx: BuildContext) -> None:
    """Field supplies: peak rate as p_nom, plateau as an annual energy limit scaled to the horizon,
    marginal cost at the row's valuation (running cost, development cost or netback)."""
    rows = in_force(ctx.data.table("gas_supply"), ["name"], ctx.spec.year)
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        plateau = econ.supply_plateau_bcm_y(ctx, row)
        if row["name"] in ctx.spec.exclude or plateau <= 0:
            continue
        n.add(
            "Generator",
            row["name"],
            bus=row["bus"],
            carrier=GAS_SUPPLY_CARRIER,
            **labels(row["name"]),
            **{COST_BASIS: row["cost_basis"]},
            p_nom=bcm_per_year_to_mw(plateau) * row["peak_factor"],
            e_sum_max=bcm_to_mwh(plateau) * ctx.horizon_fraction,
            marginal_cost=econ.supply_cost_eur_mwh(ctx, row),
        )


def add_offtakes(n: pypsa.Network, ctx: BuildContext) -> None:
    """Fixed offtakes (domestic use, contracts) as loads, domestic ones with their bus's monthly shape;
    the power sector's only when electricity is not modelled."""
    rows = in_force(ctx.data.table("gas_offtakes"), ["name"], ctx.spec.year)
    with_power = "electricity" in ctx.spec.carriers
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        if row["name"] in ctx.spec.exclude or (row["kind"] == "power_sector" and with_power):
            continue
        mean_mw = bcm_per_year_to_mw(row["annual_bcm"])
        shape = econ.monthly_shape(ctx, row["bus"]) if row["kind"] == DOMESTIC_KIND else None
        p_set: Any = mean_mw if shape is None else pd.Series(mean_mw * shape, index=ctx.snapshots)
        n.add("Load", row["name"], bus=row["bus"], carrier=GAS_OFFTAKE_CARRIER, p_set=p_set)


def add_markets(n: pypsa.Network, ctx: BuildContext) -> None:
    """European (and Turkish) markets: the residual import demand as a monthly-shaped load, and the
    stepwise supply curve of the alternatives (LNG, other pipelines, demand response) as generators at
    the hourly TTF plus their spread; corridor gas clears against them."""
    for demand in econ.market_demands(ctx):
        n.add(
            "Load",
            demand.name,
            bus=demand.bus,
            carrier=GAS_DEMAND_CARRIER,
            p_set=pd.Series(demand.mw, index=ctx.snapshots),
        )
    for alt in econ.alternatives(ctx):
        step: dict[str, Any] = {ALTERNATIVE_TIER: alt.tier, ALTERNATIVE_KIND: alt.kind}
        n.add(
            "Generator",
            alt.name,
            bus=alt.bus,
            carrier=GAS_IMPORT_CARRIER,
            p_nom=alt.capacity_mw,
            marginal_cost=pd.Series(alt.cost_eur_mwh, index=ctx.snapshots),
            **labels(alt.name),
            **step,
        )


def add_storage(n: pypsa.Network, ctx: BuildContext) -> None:
    """Underground storage as StorageUnits: withdrawal capacity as p_nom, injection as p_min_pu, the
    working volume as max_hours, a cyclic level, the cycling cost on each MWh withdrawn."""
    for store in econ.storages(ctx):
        n.add(
            "StorageUnit",
            store.name,
            bus=store.bus,
            carrier=GAS_STORAGE_CARRIER,
            p_nom=store.withdrawal_mw,
            p_min_pu=-store.injection_mw / store.withdrawal_mw,
            max_hours=store.energy_mwh / store.withdrawal_mw,
            cyclic_state_of_charge=True,
            marginal_cost=store.cost_eur_mwh,
        )


def add_gas(n: pypsa.Network, ctx: BuildContext) -> None:
    """All gas components."""
    add_pipelines(n, ctx)
    add_supplies(n, ctx)
    add_offtakes(n, ctx)
    add_markets(n, ctx)
    add_storage(n, ctx)
