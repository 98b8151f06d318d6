"""Gas side of the network: pipelines, field supplies, offtakes and European hub markets.

Units: capacities in MW thermal (GCV), energy in MWh, prices in EUR/MWh of the price year.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pypsa

from caspian.inputs.context import BuildContext
from caspian.inputs.costs import capacity_links
from caspian.inputs.tables import in_force
from caspian.naming import DIRECTION, FORWARD, labels
from caspian.units import bcm_per_year_to_mw, bcm_to_mwh

GAS_CARRIERS = {
    "gas": "Natural gas",
    "gas pipeline": "Gas pipeline",
    "gas supply": "Gas production",
    "gas offtake": "Gas offtake",
    "gas market": "European gas market",
}


def pipelines_in_force(ctx: BuildContext) -> pd.DataFrame:
    """Pipeline rows in force in the model year (candidates included with their 0 capacity)."""
    rows = in_force(ctx.data.table("gas_pipelines"), ["name"], ctx.spec.year)
    return rows[rows["bus0"].isin(ctx.buses) & rows["bus1"].isin(ctx.buses)]


def add_pipelines(n: pypsa.Network, ctx: BuildContext) -> None:
    """Pipelines as one-way Links; compressor fuel as efficiency < 1; expansion as extra segments."""
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
        for link, attrs in capacity_links(ctx, name, bcm_per_year_to_mw(row["capacity_bcm_y"])):
            n.add("Link", link, **attrs, **common)


def add_supplies(n: pypsa.Network, ctx: BuildContext) -> None:
    """Field supplies: peak rate as p_nom, plateau as an annual energy limit scaled to the horizon."""
    rows = in_force(ctx.data.table("gas_supply"), ["name"], ctx.spec.year)
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        if row["name"] in ctx.spec.exclude or row["plateau_bcm_y"] <= 0:
            continue
        n.add(
            "Generator",
            row["name"],
            bus=row["bus"],
            carrier="gas supply",
            **labels(row["name"]),
            p_nom=bcm_per_year_to_mw(row["plateau_bcm_y"]) * row["peak_factor"],
            e_sum_max=bcm_to_mwh(row["plateau_bcm_y"]) * ctx.horizon_fraction,
            marginal_cost=ctx.data.to_price_year(row["marginal_cost_eur_mwh"], row["currency_year"]),
        )


def add_offtakes(n: pypsa.Network, ctx: BuildContext) -> None:
    """Fixed offtakes (domestic use, contracts) as flat loads; the power sector's only without power."""
    rows = in_force(ctx.data.table("gas_offtakes"), ["name"], ctx.spec.year)
    with_power = "electricity" in ctx.spec.carriers
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        if row["name"] in ctx.spec.exclude or (row["kind"] == "power_sector" and with_power):
            continue
        n.add(
            "Load",
            row["name"],
            bus=row["bus"],
            carrier="gas offtake",
            p_set=bcm_per_year_to_mw(row["annual_bcm"]),
        )


def add_markets(n: pypsa.Network, ctx: BuildContext) -> None:
    """European gas markets: the corridor sells at the hub price up to the national consumption less
    the volumes already contracted at that bus (which enter as fixed offtakes)."""
    markets = ctx.spec.markets
    rows = in_force(ctx.data.table("gas_markets"), ["bus"], ctx.spec.year)
    offtakes = in_force(ctx.data.table("gas_offtakes"), ["name"], ctx.spec.year)
    contracted = offtakes[~offtakes["name"].isin(ctx.spec.exclude)].groupby("bus")["annual_bcm"].sum()
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        price = markets.gas_price_eur_mwh.get(row["bus"])
        if price is None:
            price = ctx.data.to_price_year(row["price_eur_mwh"], row["currency_year"])
            if markets.ttf_eur_mwh is not None:
                price += markets.ttf_eur_mwh - ctx.data.parameter("ttf_reference")
        n.add(
            "Generator",
            f"{row['bus']} market",
            bus=row["bus"],
            carrier="gas market",
            **labels(f"{row['bus']} market"),
            p_nom=bcm_per_year_to_mw(max(row["absorption_bcm_y"] - contracted.get(row["bus"], 0.0), 0.0)),
            p_min_pu=-1.0,
            p_max_pu=0.0,
            marginal_cost=price * markets.gas_price_scale,
        )


def add_gas(n: pypsa.Network, ctx: BuildContext) -> None:
    """All gas components."""
    add_pipelines(n, ctx)
    add_supplies(n, ctx)
    add_offtakes(n, ctx)
    add_markets(n, ctx)
