"""Gas-side model inputs derived directly from the validated spec and the data tables.

This is the gas input processing of the independent Pyomo formulation: it reads the spec and the data
(never a ``pypsa.Network``) and reuses only caspian's data-level helpers (``in_force``, unit
conversions, project options/segments and their annuities, the pinned-capacity cost) and the builder's
context (buses, hourly snapshots, discount rate, the spec's capacity fields); assets, capacities,
prices, limits and outage windows are derived here afresh. Everything is in model units: power in MW
thermal (GCV), energy in MWh, money in EUR of the price year, costs of capacity already scaled to the
modelled horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.inputs.context import BuildContext
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset, delivery_buses, in_force
from caspian.pyomo_model.common import Project, block_mean, capacity_pieces
from caspian.units import bcm_per_year_to_mw, bcm_to_mwh

GAS_BUS_CARRIER = "gas"
"""The gas carrier's name in a spec's ``carriers`` (and of the gas buses in ``buses.csv``)."""

POWER_SECTOR_KIND = "power_sector"
"""Offtake kind left out when electricity is modelled (gas-fired plants burn it instead)."""


@dataclass(frozen=True)
class PipelineSegment:
    """One one-way piece of a pipeline: the asset at its fixed capacity or one expansion segment.

    ``capacity_mw`` is set for a fixed piece (None: capacity is a variable in [0, ``max_mw``] costing
    ``cost_eur_per_mw`` EUR per MW over the horizon). ``fixed_cost_eur`` is the horizon's annuity of a
    capacity the spec pins above what exists. ``project`` names the MILP project whose option binaries
    set this segment's capacity (its own cost is then 0)."""

    name: str
    asset: str
    bus0: str
    bus1: str
    efficiency: float
    capacity_mw: float | None = None
    max_mw: float = 0.0
    cost_eur_per_mw: float = 0.0
    fixed_cost_eur: float = 0.0
    project: str | None = None


@dataclass(frozen=True)
class Supply:
    """A field: peak rate (MW), energy over the horizon (MWh) and marginal cost (EUR/MWh)."""

    name: str
    bus: str
    capacity_mw: float
    energy_mwh: float
    cost_eur_per_mwh: float


@dataclass(frozen=True)
class Market:
    """A European hub's price-taking sink: buys up to ``capacity_mw`` at ``price_eur_per_mwh``."""

    name: str
    bus: str
    capacity_mw: float
    price_eur_per_mwh: float


@dataclass(frozen=True)
class Offtake:
    """A fixed flat offtake, MW."""

    name: str
    bus: str
    mw: float


@dataclass(frozen=True)
class GasInputs:
    """Everything the gas formulation needs. ``availability`` maps a segment or supply name to its
    per-snapshot available fraction (absent: always 1); ``delivery_points``: the modelled buses whose
    sales and contracted offtakes count as deliveries (the ``delivery`` column of ``buses.csv``)."""

    buses: tuple[str, ...]
    segments: tuple[PipelineSegment, ...]
    supplies: tuple[Supply, ...]
    markets: tuple[Market, ...]
    offtakes: tuple[Offtake, ...]
    projects: tuple[Project, ...]
    availability: dict[str, np.ndarray]
    routes: dict[str, str]
    delivery_points: tuple[str, ...] = ()


def _market_price(spec: NetworkSpec, data: Dataset, row: pd.Series) -> float:
    """Hub price, EUR/MWh: override, else the data's price in the price year shifted by the TTF level;
    then the scale."""
    markets = spec.markets
    price = markets.gas_price_eur_mwh.get(row["bus"])
    if price is None:
        price = data.to_price_year(row["price_eur_mwh"], row["currency_year"])
        if markets.ttf_eur_mwh is not None:
            price += markets.ttf_eur_mwh - data.parameter("ttf_reference")
    return price * markets.gas_price_scale


def gas_buses(ctx: BuildContext) -> tuple[str, ...]:
    """The modelled gas buses, sorted."""
    table = ctx.data.table("buses")
    gas = set(table.loc[table["carrier"] == GAS_BUS_CARRIER, "bus"])
    return tuple(sorted(ctx.buses & gas))


def gas_inputs(ctx: BuildContext, windows: dict[str, np.ndarray]) -> tuple[GasInputs, set[str]]:
    """The gas model's inputs, and the names an outage may refer to on the gas side. ``windows`` maps
    an asset to the hourly snapshots it is out of service
    (:func:`caspian.pyomo_model.common.outage_windows`)."""
    spec, data = ctx.spec, ctx.data
    year, exclude = spec.year, set(spec.exclude)
    buses = gas_buses(ctx)
    on_bus = set(buses)
    step = spec.time.resolution_hours

    pipes = in_force(data.table("gas_pipelines"), ["name"], year)
    pipes = pipes[pipes["bus0"].isin(on_bus) & pipes["bus1"].isin(on_bus) & ~pipes["name"].isin(exclude)]
    segments: list[PipelineSegment] = []
    projects: list[Project] = []
    for _, row in pipes.iterrows():
        common = dict(
            asset=str(row["name"]), bus0=row["bus0"], bus1=row["bus1"], efficiency=1.0 - row["fuel_share"]
        )
        pieces, project = capacity_pieces(ctx, str(row["name"]), bcm_per_year_to_mw(row["capacity_bcm_y"]))
        segments += [
            PipelineSegment(
                p.name,
                capacity_mw=p.capacity_mw,
                max_mw=p.max_mw,
                cost_eur_per_mw=p.cost_eur_per_mw,
                fixed_cost_eur=p.fixed_cost_eur,
                project=p.project,
                **common,
            )
            for p in pieces
        ]
        if project is not None:
            projects.append(project)

    rows = in_force(data.table("gas_supply"), ["name"], year)
    rows = rows[rows["bus"].isin(on_bus) & ~rows["name"].isin(exclude) & (rows["plateau_bcm_y"] > 0)]
    supplies = tuple(
        Supply(
            name=row["name"],
            bus=row["bus"],
            capacity_mw=bcm_per_year_to_mw(row["plateau_bcm_y"]) * row["peak_factor"],
            energy_mwh=bcm_to_mwh(row["plateau_bcm_y"]) * ctx.horizon_fraction,
            cost_eur_per_mwh=data.to_price_year(row["marginal_cost_eur_mwh"], row["currency_year"]),
        )
        for _, row in rows.iterrows()
    )

    every_offtake = in_force(data.table("gas_offtakes"), ["name"], year)
    every_offtake = every_offtake[~every_offtake["name"].isin(exclude)]
    with_power = "electricity" in spec.carriers
    rows = every_offtake[every_offtake["bus"].isin(on_bus)]
    offtakes = tuple(
        Offtake(row["name"], row["bus"], bcm_per_year_to_mw(row["annual_bcm"]))
        for _, row in rows.iterrows()
        if not (row["kind"] == POWER_SECTOR_KIND and with_power)
    )

    contracted = every_offtake.groupby("bus")["annual_bcm"].sum()
    rows = in_force(data.table("gas_markets"), ["bus"], year)
    markets = tuple(
        Market(
            name=f"{row['bus']} market",
            bus=row["bus"],
            capacity_mw=bcm_per_year_to_mw(max(row["absorption_bcm_y"] - contracted.get(row["bus"], 0.0), 0)),
            price_eur_per_mwh=_market_price(spec, data, row),
        )
        for _, row in rows[rows["bus"].isin(on_bus)].iterrows()
    )

    outaged: dict[str, list[str]] = {}
    for seg in segments:
        outaged.setdefault(seg.asset, []).append(seg.name)
    for supply in supplies:
        outaged[supply.name] = [supply.name]
    for market in markets:
        outaged[market.name] = [market.name]
    availability = {
        name: block_mean(~windows[asset], step)
        for asset, names in outaged.items()
        if asset in windows
        for name in names
    }
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"]
    inputs = GasInputs(
        buses=buses,
        segments=tuple(segments),
        supplies=supplies,
        markets=markets,
        offtakes=offtakes,
        projects=tuple(projects),
        availability=availability,
        routes={seg.asset: str(routes.get(seg.asset, "")) for seg in segments},
        delivery_points=tuple(bus for bus in delivery_buses(data.buses(), "gas") if bus in buses),
    )
    return inputs, set(outaged)
