"""Headline metrics of a solved network as an xarray Dataset (units in ``attrs``), and its I/O.

All flows and costs are annualised: horizon totals × 8760 / modelled hours. Gas is reported in bcm/y
and TWh (GCV), electricity in TWh, prices in EUR/MWh, shadow prices of capacity limits in EUR per MW
per year (and per bcm/y for pipelines).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs.tables import Dataset, delivery_buses
from caspian.naming import (
    ASSET,
    GAS_DEMAND_CARRIER,
    GAS_FIRED_CARRIER,
    GAS_IMPORT_CARRIER,
    GAS_OFFTAKE_CARRIER,
    POWER_MARKET_CARRIER,
    SLACK_CARRIER,
    UNITS_STARTED,
)
from caspian.pypsa_model.cbam import CHARGED
from caspian.results.bottlenecks import bottlenecks, limits_dataset
from caspian.results.cbam import cbam_dataset
from caspian.results.emissions import emissions_by_country
from caspian.results.flows import pipeline_deliveries
from caspian.results.prices import MEAN_SHIFT_TOLERANCE_EUR_MWH, UNIQUE_SHARE, price_uniqueness
from caspian.results.rents import rents_dataset
from caspian.results.security import security_dataset, slack_generators, unserved_by_bus
from caspian.results.targets import targets_dataset
from caspian.results.views import (
    annual_energy,
    annual_factor,
    asset_links,
    asset_shadow_prices,
    objective_terms,
    snapshot_hours,
)
from caspian.units import MW_PER_BCM_PER_YEAR, mw_to_bcm_per_year, mwh_to_bcm, mwh_to_twh


def _asset_frame(n: pypsa.Network, kind: str) -> pd.DataFrame:
    """Per asset of ``kind`` (pipeline|cable): capacity, built and capex, annual flows both ways,
    utilisation and the shadow price of its capacity (EUR/MW/y)."""
    links = asset_links(n, kind)
    if links.empty:
        return pd.DataFrame()
    p0 = n.links_t.p0.reindex(columns=links.index, fill_value=0.0)
    p1 = n.links_t.p1.reindex(columns=links.index, fill_value=0.0)
    frame = pd.DataFrame(
        {
            "asset": links.asset,
            "reverse": links.reverse,
            "capacity_mw": links.p_nom_opt,
            "built_mw": (links.p_nom_opt - links.p_nom).where(links.p_nom_extendable, 0.0),
            "capex_eur_y": (links.capital_cost * links.p_nom_opt).where(links.p_nom_extendable, 0.0)
            * annual_factor(n),
            "sent_mwh": annual_energy(n, p0),
            "delivered_mwh": annual_energy(n, -p1),
        }
    )
    forward = frame[~frame.reverse]
    reverse = frame[frame.reverse]
    out = forward.groupby("asset").agg(
        capacity_mw=("capacity_mw", "sum"),
        built_mw=("built_mw", "sum"),
        capex_eur_y=("capex_eur_y", "sum"),
        sent_mwh=("sent_mwh", "sum"),
        delivered_mwh=("delivered_mwh", "sum"),
    )
    rev = reverse.groupby("asset").agg(reverse_mwh=("sent_mwh", "sum"))
    out = out.join(rev).fillna(0.0)
    out["shadow_eur_per_mw_y"] = asset_shadow_prices(n, kind).reindex(out.index)
    hours = float(snapshot_hours(n).sum()) * annual_factor(n)
    out["utilisation"] = np.where(
        out.capacity_mw > 0, (out.sent_mwh + out.reverse_mwh) / (out.capacity_mw * hours), 0.0
    )
    return out


def _market_sales(n: pypsa.Network, buses: tuple[str, ...] | list[str]) -> pd.Series:
    """Annual sales of the corridor into each power market's price-taking sink, MWh/y."""
    names = [f"{bus} market" for bus in buses if f"{bus} market" in n.generators.index]
    if not names:
        return pd.Series(dtype=float)
    sales = annual_energy(n, -n.generators_t.p[names])
    sales.index = n.generators.bus[names].to_numpy()
    return sales


def _market_prices(n: pypsa.Network, buses: list[str]) -> pd.Series:
    """Time-weighted mean of each market sink's hourly price, EUR/MWh."""
    names = [f"{bus} market" for bus in buses]
    costs = n.get_switchable_as_dense("Generator", "marginal_cost")[names]
    w = snapshot_hours(n)
    means = costs.mul(w, axis=0).sum() / w.sum()
    means.index = buses
    return means


def _gas_consumption(n: pypsa.Network) -> pd.Series:
    """Annual gas consumed at each gas bus by loads and gas-fired plants, MWh/y."""
    loads = n.loads[n.loads.carrier.isin([GAS_OFFTAKE_CARRIER, GAS_DEMAND_CARRIER])]
    plants = n.links[n.links.carrier == GAS_FIRED_CARRIER]
    used = annual_energy(n, n.loads_t.p[loads.index]).groupby(loads.bus).sum()
    if not plants.empty:
        used = used.add(
            annual_energy(n, n.links_t.p0[plants.index]).groupby(plants.bus0).sum(), fill_value=0.0
        )
    return used


def _generation_built(n: pypsa.Network) -> pd.Series:
    """Electric capacity built per fleet, MW: extendable generators (wind, solar, peakers off the gas
    network) and gas-fired links (fuel-input capacity × efficiency)."""
    gens = n.generators[n.generators.p_nom_extendable]
    plants = n.links[n.links.p_nom_extendable & (n.links.carrier == GAS_FIRED_CARRIER)]
    built = pd.concat([gens.p_nom_opt, plants.p_nom_opt * plants.efficiency])
    return built.groupby(pd.concat([gens[ASSET], plants[ASSET]])).sum()


def _prices(n: pypsa.Network) -> pd.Series:
    prices = n.buses_t.marginal_price
    w = snapshot_hours(n)
    return prices.mul(w, axis=0).sum() / w.sum()


MARKET_CARRIERS = (POWER_MARKET_CARRIER,)
"""Carriers of the price-taking market sinks, whose negative operating cost is the corridor's sales
revenue."""


def _start_up_cost(n: pypsa.Network) -> float:
    """Start-up cost of the solved unit commitment, EUR over the horizon: the objective's terms on the
    units-started variables (:data:`caspian.naming.UNITS_STARTED`) at their solution; 0 without unit
    commitment or without a model (a network loaded from a file)."""
    return objective_terms(n, [UNITS_STARTED.format(component=c) for c in ("Generator", "Link")])


def _costs(n: pypsa.Network) -> dict[str, float]:
    """Objective, capex, opex (without the markets), start-up cost of committed plants and net market
    revenue, EUR/y, annualised: capex and opex from PyPSA's own ``n.statistics`` (objective snapshot
    weightings), start-ups from the solved model (PyPSA does not see caspian's commitment). The
    objective is the sum of the ``*_eur_y`` cost entries minus the market net revenue."""
    if n.objective is None:
        raise ValueError("summary of a network that has not been solved")
    factor = annual_factor(n)
    opex = n.statistics.opex(groupby="carrier", nice_names=False)
    carriers = opex.index.get_level_values("carrier")
    market = carriers.isin(MARKET_CARRIERS)
    imports = carriers == GAS_IMPORT_CARRIER
    slack = carriers == SLACK_CARRIER
    costs = {
        "objective_eur_y": float(n.objective) * factor,
        "capex_eur_y": float(n.statistics.capex().sum()) * factor,
        "opex_eur_y": float(opex[~market & ~imports & ~slack].sum()) * factor,
        "gas_import_cost_eur_y": float(opex[imports].sum()) * factor,
        "startup_cost_eur_y": _start_up_cost(n) * factor,
        "cbam_charge_eur_y": objective_terms(n, [CHARGED]) * factor,
        "market_net_revenue_eur_y": -float(opex[market].sum()) * factor,
    }
    if len(slack_generators(n)):
        costs["unserved_cost_eur_y"] = float(opex[slack].sum()) * factor
    return costs


def summarize(n: pypsa.Network, data: Dataset) -> xr.Dataset:
    """Headline metrics of a solved network as an xarray Dataset."""
    pipelines = _asset_frame(n, "pipeline")
    cables = _asset_frame(n, "cable")
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"]
    ds = xr.Dataset()
    if not pipelines.empty:
        pipelines.index.name = "pipeline"
        ds["pipeline_flow_bcm"] = xr.DataArray(pipelines.sent_mwh.map(mwh_to_bcm), attrs={"units": "bcm/y"})
        ds["pipeline_flow_twh"] = xr.DataArray(pipelines.sent_mwh.map(mwh_to_twh), attrs={"units": "TWh/y"})
        ds["pipeline_capacity_bcm"] = xr.DataArray(
            pipelines.capacity_mw.map(mw_to_bcm_per_year), attrs={"units": "bcm/y"}
        )
        ds["pipeline_built_bcm"] = xr.DataArray(
            pipelines.built_mw.map(mw_to_bcm_per_year), attrs={"units": "bcm/y"}
        )
        ds["pipeline_utilisation"] = xr.DataArray(pipelines.utilisation, attrs={"units": "1"})
        ds["pipeline_shadow_eur_per_bcm_y"] = xr.DataArray(
            pipelines.shadow_eur_per_mw_y * MW_PER_BCM_PER_YEAR, attrs={"units": "EUR/y per bcm/y"}
        )
        ds["pipeline_shadow_eur_per_mw_y"] = xr.DataArray(
            pipelines.shadow_eur_per_mw_y, attrs={"units": "EUR/MW/y"}
        )
        ds["pipeline_capex_eur_y"] = xr.DataArray(pipelines.capex_eur_y, attrs={"units": "EUR/y"})
        ds = ds.assign_coords(route=("pipeline", [routes.get(p, "") for p in pipelines.index]))
    if not cables.empty:
        cables.index.name = "cable"
        ds["cable_forward_twh"] = xr.DataArray(cables.sent_mwh.map(mwh_to_twh), attrs={"units": "TWh/y"})
        ds["cable_reverse_twh"] = xr.DataArray(cables.reverse_mwh.map(mwh_to_twh), attrs={"units": "TWh/y"})
        ds["cable_capacity_mw"] = xr.DataArray(cables.capacity_mw, attrs={"units": "MW"})
        ds["cable_built_mw"] = xr.DataArray(cables.built_mw, attrs={"units": "MW"})
        ds["cable_utilisation"] = xr.DataArray(cables.utilisation, attrs={"units": "1"})
        ds["cable_shadow_eur_per_mw_y"] = xr.DataArray(
            cables.shadow_eur_per_mw_y, attrs={"units": "EUR/MW/y"}
        )
        ds["cable_capex_eur_y"] = xr.DataArray(cables.capex_eur_y, attrs={"units": "EUR/y"})
    markets = delivery_buses(n.buses, "gas")
    gas_sales = pipeline_deliveries(n, markets)
    unserved = unserved_by_bus(n)
    if not gas_sales.empty:
        gas_sales.index.name = "gas_market"
        corridor_only = "corridor gas only (caspian.results.flows.pipeline_deliveries)"
        for var, unit, to_unit in (
            ("gas_delivery_bcm", "bcm/y", mwh_to_bcm),
            ("gas_delivery_twh", "TWh/y", mwh_to_twh),
        ):
            ds[var] = xr.DataArray(
                gas_sales.map(to_unit), attrs={"units": unit, "description": corridor_only}
            )
        piped = pipeline_deliveries(n, markets, corridor_only=False).rename_axis("gas_market")
        ds["gas_pipeline_delivery_bcm"] = xr.DataArray(
            piped.map(mwh_to_bcm),
            attrs={"units": "bcm/y", "description": "pipeline gas of any origin, net of re-exports"},
        )
    consumption = _gas_consumption(n)
    if not consumption.empty:
        ds["gas_consumption_bcm"] = xr.DataArray(
            consumption.map(mwh_to_bcm).rename_axis("gas_bus"),
            attrs={"units": "bcm/y", "description": "offtakes plus gas burnt by power plants"},
        )
    power_sales = _market_sales(n, delivery_buses(n.buses, "AC"))
    if not power_sales.empty:
        power_sales.index.name = "power_market"
        ds["power_sales_twh"] = xr.DataArray(power_sales.map(mwh_to_twh), attrs={"units": "TWh/y"})
        ds["power_market_price_eur_mwh"] = xr.DataArray(
            _market_prices(n, list(power_sales.index)).rename_axis("power_market"),
            attrs={
                "units": "EUR/MWh",
                "description": "time-weighted mean of the market's own hourly price (the bus dual is "
                "not unique in hours without corridor sales)",
            },
        )
    if not unserved.empty:
        # every bus, 0 where no demand is fixed (no slack there): the 'bus' dimension is shared with
        # price_eur_mwh, which a shorter index would truncate on alignment
        unserved = unserved.reindex(n.buses.index, fill_value=0.0)
        ds["unserved_twh"] = xr.DataArray(
            unserved.map(mwh_to_twh).rename_axis("bus"),
            attrs={"units": "TWh/y", "description": "demand left unserved (priced slack)"},
        )
        ds["unserved_total_twh"] = xr.DataArray(mwh_to_twh(float(unserved.sum())), attrs={"units": "TWh/y"})
    emissions = emissions_by_country(n)
    if not emissions.empty:
        ds["co2_emissions_mt"] = xr.DataArray(
            emissions,
            attrs={"units": "Mt CO2/y", "description": "CO2 of the modelled power plants, by country"},
        )
    built = _generation_built(n)
    if not built.empty:
        ds["generator_built_mw"] = xr.DataArray(
            built.rename_axis("generator"), attrs={"units": "MW", "description": "electric capacity built"}
        )
    prices = _prices(n).rename_axis("bus")
    uniqueness = price_uniqueness(n).reindex(prices.index).rename_axis("bus")
    non_unique = [str(bus) for bus in uniqueness.index[~uniqueness["unique"].eq(True)]]
    ds["price_eur_mwh"] = xr.DataArray(
        prices,
        attrs={
            "units": "EUR/MWh",
            "description": "time-weighted mean of the bus dual; not a unique price at the buses named "
            "in non_unique_buses (see price_set_share and price_mean_shift_eur_mwh)",
            "non_unique_buses": "; ".join(non_unique),
        },
    )
    ds["price_set_share"] = xr.DataArray(
        uniqueness["share"],
        attrs={
            "units": "1",
            "description": "share of the hours in which an interior generator or link pins the bus's "
            f"price down; below {UNIQUE_SHARE} the mean price is not unique (caspian.results.prices)",
        },
    )
    ds["price_mean_shift_eur_mwh"] = xr.DataArray(
        uniqueness["shift"],
        attrs={
            "units": "EUR/MWh",
            "description": "|mean price over all hours − over the hours whose price is set|; above "
            f"{MEAN_SHIFT_TOLERANCE_EUR_MWH} the mean price is not unique (caspian.results.prices)",
        },
    )
    ds = ds.merge(cbam_dataset(n))
    ds = ds.merge(targets_dataset(n))
    ds = ds.merge(limits_dataset(bottlenecks(n)))
    ds = ds.merge(rents_dataset(n))
    costs = _costs(n)
    for key, value in costs.items():
        ds[key] = xr.DataArray(value, attrs={"units": "EUR/y"})
    ds = ds.merge(security_dataset(n, costs["objective_eur_y"], costs.get("unserved_cost_eur_y", 0.0)))
    europe = [m for m in delivery_buses(n.buses, "gas", europe_only=True) if m in gas_sales.index]
    ds["gas_to_europe_bcm"] = xr.DataArray(
        float(gas_sales[europe].map(mwh_to_bcm).sum()), attrs={"units": "bcm/y"}
    )
    power_europe = [m for m in delivery_buses(n.buses, "AC", europe_only=True) if m in power_sales.index]
    ds["power_to_europe_twh"] = xr.DataArray(
        mwh_to_twh(float(power_sales[power_europe].sum())), attrs={"units": "TWh/y"}
    )
    return ds


def _json_number(value: object) -> float | None:
    """A finite number, or None (JSON null) for NaN — e.g. the shadow price of an unbuilt asset."""
    number = float(value)  # type: ignore[arg-type]
    return number if np.isfinite(number) else None


def dataset_to_json(ds: xr.Dataset) -> dict:
    """The summary as plain JSON-ready nested dicts: variable → {units, value | values by label}; a
    value that is not a number (NaN: not defined, e.g. the shadow price of an unbuilt asset) is null."""
    out: dict[str, dict] = {}
    for name, var in ds.data_vars.items():
        entry: dict = {"units": var.attrs.get("units", "")}
        if var.ndim == 0:
            entry["value"] = _json_number(var.values)
        else:
            dim = var.dims[0]
            entry["values"] = {
                str(k): _json_number(v) for k, v in zip(var[dim].values, var.values, strict=True)
            }
        out[str(name)] = entry
    return out


def write_summary(ds: xr.Dataset, directory: Path) -> None:
    """Write ``summary.nc`` and ``summary.json`` into ``directory``."""
    ds.to_netcdf(directory / "summary.nc")
    (directory / "summary.json").write_text(json.dumps(dataset_to_json(ds), indent=2, sort_keys=True))
