"""Electricity side: interconnectors, demand, renewables, conventional fleets and price-taking markets.

Units: MW, MWh, EUR/MWh of the price year. Hourly profiles come from :mod:`caspian.inputs.series`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pypsa

from caspian.inputs import gas_economics as econ
from caspian.inputs.carbon import co2_cost_eur_per_mwh_fuel, country_of, fuel_co2_t_per_mwh
from caspian.inputs.context import BuildContext
from caspian.inputs.costs import capacity_links, technology_annual_cost
from caspian.inputs.series import Profiles
from caspian.inputs.tables import bus_zones, in_force
from caspian.naming import (
    CO2_INTENSITY,
    DEMAND_KIND,
    DIRECTION,
    FIRST_SEGMENT,
    FORWARD,
    GAS_FIRED_CARRIER,
    PEAKER_KIND,
    POWER_MARKET_CARRIER,
    REVERSE,
    expansion_name,
    labels,
    reverse_name,
    zone_asset_name,
)
from caspian.units import HOURS_PER_YEAR

POWER_CARRIERS = {
    "AC": "Electricity",
    "interconnector": "Interconnector",
    "solar": "Solar PV",
    "onwind": "Onshore wind",
    "offwind": "Offshore wind",
    GAS_FIRED_CARRIER: "Gas-fired power",
    "coal": "Coal power",
    "hydro": "Hydro power",
    "oil": "Oil power",
    "electricity demand": "Electricity demand",
    POWER_MARKET_CARRIER: "European power market",
}

TECHNOLOGY_DATA_NAME = {"solar": "solar-utility", "onwind": "onwind", "offwind": "offwind"}
"""Which technology-data row prices each renewable technology."""


def links_in_force(ctx: BuildContext) -> pd.DataFrame:
    """Interconnector rows in force in the model year (candidates with 0 capacity included)."""
    rows = in_force(ctx.data.table("power_links"), ["name"], ctx.spec.year)
    return rows[rows["bus0"].isin(ctx.buses) & rows["bus1"].isin(ctx.buses)]


def _add_twin(n: pypsa.Network, name: str, row: pd.Series, **attrs: Any) -> None:
    """A lossy connection as one-way links: bus0→bus1, and its reverse twin when bidirectional
    (a single PyPSA link with p_min_pu=-1 would gain energy when flowing backwards)."""
    common: dict[str, Any] = dict(
        carrier="interconnector", efficiency=row["efficiency"], length=row["length_km"]
    )
    forward: dict[str, Any] = {**attrs, DIRECTION: FORWARD}
    n.add("Link", name, bus0=row["bus0"], bus1=row["bus1"], **common, **forward)
    if not row["bidirectional"]:
        return
    reverse: dict[str, Any] = dict(attrs)
    if "capital_cost" in reverse:
        reverse["capital_cost"] = 0.0
    reverse[DIRECTION] = REVERSE
    n.add("Link", reverse_name(name), bus0=row["bus1"], bus1=row["bus0"], **common, **reverse)


def add_interconnectors(n: pypsa.Network, ctx: BuildContext) -> None:
    """Existing interconnectors and, in expansion mode, the chosen projects' capacity segments."""
    for _, row in links_in_force(ctx).iterrows():
        name = row["name"]
        if name in ctx.spec.exclude:
            continue
        for link, attrs in capacity_links(ctx, name, float(row["capacity_mw"])):
            _add_twin(n, link, row, **attrs)


def add_demand(n: pypsa.Network, ctx: BuildContext, profiles: Profiles) -> None:
    """Annual demand of each AC bus spread over its hourly demand shape, peak matched to data (MW)."""
    rows = in_force(ctx.data.table("electricity_demand"), ["bus"], ctx.spec.year)
    zones = bus_zones(ctx.data.table("buses"))
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        mean_mw = row["annual_twh"] * 1e6 / HOURS_PER_YEAR
        peak = row["peak_mw"]
        name = zone_asset_name(zones[row["bus"]], DEMAND_KIND)
        shape = profiles.demand(row["bus"], name, None if pd.isna(peak) else peak / mean_mw)
        n.add(
            "Load",
            name,
            bus=row["bus"],
            carrier="electricity demand",
            p_set=mean_mw * shape,
        )


def add_renewables(n: pypsa.Network, ctx: BuildContext, profiles: Profiles) -> None:
    """Wind and solar: the existing fleet, plus in expansion mode a '<name> expansion' generator with
    the same profile that may be built up to the potential (so only new capacity carries capex)."""
    rows = in_force(ctx.data.table("renewables"), ["bus", "technology"], ctx.spec.year)
    extend = ctx.expansion and ctx.spec.expansion.renewables
    zones = bus_zones(ctx.data.table("buses"))
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        name = zone_asset_name(zones[row["bus"]], row["technology"])
        headroom = row["potential_mw"] - row["existing_mw"]
        if name in ctx.spec.exclude or (row["existing_mw"] <= 0 and not (extend and headroom > 0)):
            continue
        profile = profiles.renewable(row, name)
        common: dict[str, Any] = dict(bus=row["bus"], carrier=row["technology"], p_max_pu=profile)
        if row["existing_mw"] > 0:
            n.add("Generator", name, p_nom=row["existing_mw"], **common, **labels(name))
        if extend and headroom > 0:
            annual = technology_annual_cost(
                ctx.data, TECHNOLOGY_DATA_NAME[row["technology"]], ctx.discount_rate
            )
            annual *= ctx.spec.expansion.renewable_capex_scale
            n.add(
                "Generator",
                expansion_name(name),
                p_nom_extendable=True,
                **labels(name, FIRST_SEGMENT),
                p_nom_max=headroom,
                capital_cost=annual * ctx.horizon_fraction,
                **common,
            )


def _emits(t_per_mwh: float) -> dict[str, Any]:
    """The :data:`CO2_INTENSITY` column of a fossil-fired component (tCO2 per MWh of its p or p0)."""
    return {CO2_INTENSITY: t_per_mwh}


def _gas_bus(row: pd.Series) -> str | None:
    """A fleet's gas bus (thermal.csv ``gas_bus``), None when it has none."""
    return None if pd.isna(row["gas_bus"]) else str(row["gas_bus"])


def add_thermal(n: pypsa.Network, ctx: BuildContext) -> None:
    """Conventional fleets: gas-fired plants draw on the gas network when it is modelled.

    ``max_annual_cf`` is an energy limit over the horizon for hydro (reservoirs, river flow) and an
    availability derating (p_max_pu) for thermal fleets (outages, maintenance, auxiliary use)."""
    rows = in_force(ctx.data.table("thermal"), ["name"], ctx.spec.year)
    gas_modelled = "gas" in ctx.spec.carriers
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        if row["name"] in ctx.spec.exclude or row["capacity_mw"] <= 0:
            continue
        vom = 0.0 if pd.isna(row["vom_eur_mwh"]) else row["vom_eur_mwh"]
        availability = (
            1.0 if pd.isna(row["max_annual_cf"]) or row["fuel"] == "hydro" else row["max_annual_cf"]
        )
        couple = row["fuel"] == "gas" and gas_modelled and row["gas_bus"] in ctx.buses
        co2 = fuel_co2_t_per_mwh(ctx.data, row["fuel"])
        carbon = co2_cost_eur_per_mwh_fuel(ctx, country_of(ctx.data, row["bus"]), row["fuel"])
        if couple:
            n.add(
                "Link",
                row["name"],
                bus0=row["gas_bus"],
                bus1=row["bus"],
                carrier=GAS_FIRED_CARRIER,
                p_nom=row["capacity_mw"] / row["efficiency"],
                p_max_pu=availability,
                efficiency=row["efficiency"],
                marginal_cost=vom * row["efficiency"] + carbon,
                **_emits(co2),
            )
            continue
        fuel_cost = row["fuel_cost_eur_mwh"]
        if pd.isna(fuel_cost):
            fuel_cost = econ.fuel_price_eur_mwh(ctx, _gas_bus(row)) if row["fuel"] == "gas" else 0.0
        attrs: dict[str, Any] = {"p_max_pu": availability}
        if row["fuel"] == "hydro" and not pd.isna(row["max_annual_cf"]):
            attrs = {"e_sum_max": row["max_annual_cf"] * row["capacity_mw"] * len(ctx.snapshots)}
        n.add(
            "Generator",
            row["name"],
            bus=row["bus"],
            carrier=GAS_FIRED_CARRIER if row["fuel"] == "gas" else row["fuel"],
            p_nom=row["capacity_mw"],
            marginal_cost=(fuel_cost + carbon) / row["efficiency"] + vom,
            **_emits(co2 / row["efficiency"]),
            **attrs,
        )


def _technology(ctx: BuildContext, technology: str, parameter: str) -> float:
    rows = ctx.data.table("technology_costs")
    row = rows[(rows["technology"] == technology) & (rows["parameter"] == parameter)].iloc[0]
    if parameter == "VOM":
        return ctx.data.to_price_year(float(row["value"]), row["currency_year"])
    return float(row["value"])


def add_peakers(n: pypsa.Network, ctx: BuildContext) -> None:
    """Extendable open-cycle gas turbines (technology-data OCGT) at every AC bus with a gas fleet,
    burning what that fleet burns: firm capacity for winter peaks that wind and solar cannot cover."""
    if not (ctx.expansion and ctx.spec.expansion.peakers):
        return
    rows = in_force(ctx.data.table("thermal"), ["name"], ctx.spec.year)
    fleets = rows[(rows["fuel"] == "gas") & rows["bus"].isin(ctx.buses)].drop_duplicates("bus")
    zones = bus_zones(ctx.data.table("buses"))
    efficiency = _technology(ctx, "OCGT", "efficiency") * ctx.data.parameter("gas_ncv_per_gcv")
    annual = technology_annual_cost(ctx.data, "OCGT", ctx.discount_rate) * ctx.horizon_fraction
    vom = _technology(ctx, "OCGT", "VOM")
    for _, fleet in fleets.iterrows():
        name = zone_asset_name(zones[fleet["bus"]], PEAKER_KIND)
        if name in ctx.spec.exclude:
            continue
        coupled = "gas" in ctx.spec.carriers and fleet["gas_bus"] in ctx.buses
        co2 = fuel_co2_t_per_mwh(ctx.data, "gas")
        carbon = co2_cost_eur_per_mwh_fuel(ctx, country_of(ctx.data, fleet["bus"]), "gas")
        if coupled:
            n.add(
                "Link",
                name,
                bus0=fleet["gas_bus"],
                bus1=fleet["bus"],
                carrier=GAS_FIRED_CARRIER,
                p_nom_extendable=True,
                efficiency=efficiency,
                capital_cost=annual * efficiency,
                marginal_cost=vom * efficiency + carbon,
                **_emits(co2),
            )
            continue
        fuel_cost = fleet["fuel_cost_eur_mwh"]
        if pd.isna(fuel_cost):
            fuel_cost = econ.fuel_price_eur_mwh(ctx, _gas_bus(fleet))
        n.add(
            "Generator",
            name,
            bus=fleet["bus"],
            carrier=GAS_FIRED_CARRIER,
            p_nom_extendable=True,
            capital_cost=annual,
            marginal_cost=(fuel_cost + carbon) / efficiency + vom,
            **_emits(co2 / efficiency),
        )


def add_power_markets(n: pypsa.Network, ctx: BuildContext, profiles: Profiles) -> None:
    """Price-taking markets: the corridor sells (and, where ``trade`` is 'both', buys) up to the trade
    capacity at the hourly price. Markets that only buy from the corridor stop the model from
    arbitraging between two exogenous European prices."""
    rows = in_force(ctx.data.table("power_markets"), ["bus"], ctx.spec.year)
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        price = profiles.power_price(row) * ctx.spec.markets.power_price_scale
        n.add(
            "Generator",
            f"{row['bus']} market",
            bus=row["bus"],
            carrier=POWER_MARKET_CARRIER,
            p_nom=row["trade_capacity_mw"],
            p_min_pu=-1.0,
            p_max_pu=1.0 if row["trade"] == "both" else 0.0,
            marginal_cost=price,
        )


def add_electricity(n: pypsa.Network, ctx: BuildContext, profiles: Profiles) -> None:
    """All electricity components."""
    add_interconnectors(n, ctx)
    add_demand(n, ctx, profiles)
    add_renewables(n, ctx, profiles)
    add_thermal(n, ctx)
    add_peakers(n, ctx)
    add_power_markets(n, ctx, profiles)
