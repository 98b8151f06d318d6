"""Security of supply in a run with priced unserved energy (``unserved_energy: true``, the disruption
sweeps): ENTSOG-style indicators of who is short and whether the routes could have helped.

- unserved demand per bus and per country (TWh/y) and the share of fixed demand served;
- the penalty paid for it (EUR/y, at the value of lost load of ``parameters.csv``), so that the net
  system cost can be read with and without it;
- per pipeline, the share of its capacity left unused in the hours when some demand goes unserved
  (its remaining flexibility during the shortage: a route with spare capacity then is not what limits
  supply; NaN when nothing goes unserved).

Energies are annualised (horizon totals × 8760 / modelled hours).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from caspian.naming import ALTERNATIVE_KIND, GAS_IMPORT_CARRIER, SLACK_CARRIER
from caspian.results.views import annual_energy, asset_capacity, asset_flows, asset_links, snapshot_hours
from caspian.units import mwh_to_twh

DEMAND_RESPONSE = "demand_response"
"""``gas_alternatives.csv`` kind of the markets' last supply-curve step (demand curtailed)."""
SHORTAGE_NOISE_MW = 1e-3
"""Unserved power below which a snapshot does not count as short, MW (solver noise)."""


def slack_generators(n: pypsa.Network) -> pd.Index:
    """The priced-slack generators (one per bus with fixed demand)."""
    return n.generators.index[n.generators.carrier == SLACK_CARRIER]


def unserved_by_bus(n: pypsa.Network) -> pd.Series:
    """Annual energy supplied by the priced slack at each bus (demand left unserved), MWh/y; empty when
    the run has no slack."""
    slack = slack_generators(n)
    if not len(slack):
        return pd.Series(dtype=float)
    unserved = pd.Series(annual_energy(n, n.generators_t.p[slack]))
    unserved.index = n.generators.bus[slack].to_numpy()
    return unserved


def voll_text(n: pypsa.Network) -> str:
    """The values of lost load the run's slack is priced at, by carrier: ``gas 10,000 EUR/MWh, …``."""
    slack = n.generators.loc[slack_generators(n)]
    carriers = n.buses.carrier.reindex(slack.bus).to_numpy()
    values = slack.marginal_cost.groupby(carriers).max()
    names = {"AC": "electricity"}
    return ", ".join(f"{names.get(str(c), str(c))} {v:,.0f} EUR/MWh" for c, v in values.items())


def fixed_demand_by_bus(n: pypsa.Network) -> pd.Series:
    """Annual fixed demand (loads: electricity demand, gas offtakes and market demand) per bus, MWh/y."""
    if n.loads.empty:
        return pd.Series(dtype=float)
    p_set = n.get_switchable_as_dense("Load", "p_set")
    demand = annual_energy(n, p_set)
    return demand.groupby(n.loads.bus).sum()


def _gas_short_snapshots(n: pypsa.Network) -> pd.Series:
    """Snapshots in which some gas demand goes unserved (a power shortage elsewhere does not count)."""
    slack = slack_generators(n)
    gas = slack[n.buses.carrier.reindex(n.generators.bus[slack]).to_numpy() == "gas"]
    if not len(gas):
        return pd.Series(False, index=n.snapshots)
    return n.generators_t.p[gas].sum(axis=1) > SHORTAGE_NOISE_MW


def spare_capacity_when_short(n: pypsa.Network) -> pd.Series:
    """Per pipeline, the share of its *available* capacity (p_nom × p_max_pu: 0 while it is out) left
    unused in the snapshots with unserved gas demand, time-weighted: Σ w·max(available − |flow|, 0) /
    Σ w·available. NaN for a pipeline not built or never available then, and for every pipeline when
    no gas goes unserved."""
    links = asset_links(n, "pipeline")
    every = asset_capacity(n, "pipeline")
    short = _gas_short_snapshots(n)
    if every.empty or not short.any():
        return pd.Series(np.nan, index=every.index)
    forward = links[~links.reverse]
    p_max_pu = n.get_switchable_as_dense("Link", "p_max_pu").reindex(columns=forward.index)
    available = (p_max_pu * forward.p_nom_opt).T.groupby(forward.asset).sum().T[short]
    flows = asset_flows(n, "pipeline").reindex(columns=available.columns)[short].abs()
    w = snapshot_hours(n)[short]
    spare = (available - flows).clip(lower=0.0).mul(w, axis=0).sum()
    room = available.mul(w, axis=0).sum()
    return (spare / room.where(room > SHORTAGE_NOISE_MW)).reindex(every.index)


CARRIER_PREFIX = {"gas": "gas", "AC": "power"}
"""Bus carrier → the prefix of its per-carrier indicators (energies of the two carriers never add up)."""


def demand_response_by_country(n: pypsa.Network) -> pd.Series:
    """Gas demand curtailed through the markets' demand-response step (TTF + 70 EUR/MWh), per country,
    MWh/y: demand that is not served either, but is priced as a supply-curve step, not as lost load."""
    if ALTERNATIVE_KIND not in n.generators:  # no gas markets in this network
        return pd.Series(dtype=float)
    steps = n.generators[
        (n.generators.carrier == GAS_IMPORT_CARRIER) & (n.generators[ALTERNATIVE_KIND] == DEMAND_RESPONSE)
    ]
    if steps.empty:
        return pd.Series(dtype=float)
    energy = annual_energy(n, n.generators_t.p[steps.index])
    return energy.groupby(n.buses.country.reindex(steps.bus).to_numpy()).sum().rename_axis("country")


def security_dataset(n: pypsa.Network, objective_eur_y: float, unserved_cost_eur_y: float) -> xr.Dataset:
    """The indicators as summary.nc variables (empty for a run without priced slack): per carrier
    (``gas_``/``power_``) unserved demand and the served share of fixed demand by country (the
    denominator: the loads of caspian's network — electricity demand, gas offtakes and the gas markets'
    residual import demand, not national consumption), the gas curtailed by demand response, each
    bus's served share, each pipeline's spare capacity during gas shortages, and the net cost without
    the penalty."""
    unserved = unserved_by_bus(n)
    if unserved.empty:
        return xr.Dataset()
    demand = fixed_demand_by_bus(n).reindex(unserved.index, fill_value=0.0)
    # every bus (NaN where no demand is fixed): the 'bus' dimension is shared with price_eur_mwh
    served = (1 - unserved / demand.where(demand > 0)).reindex(n.buses.index).rename_axis("bus")
    ds = xr.Dataset(
        {
            "served_share": xr.DataArray(
                served,
                attrs={
                    "units": "1",
                    "description": "share of the bus's fixed demand (its loads in the model) served",
                },
            ),
            "objective_excl_unserved_eur_y": xr.DataArray(
                objective_eur_y - unserved_cost_eur_y,
                attrs={
                    "units": "EUR/y",
                    "description": "net system cost without the penalty for unserved energy (a derived "
                    "total, not a cost entry of the objective)",
                },
            ),
        }
    )
    carriers = n.buses.carrier.reindex(unserved.index)
    countries = n.buses.country.reindex(unserved.index)
    for carrier, prefix in CARRIER_PREFIX.items():
        mine = carriers == carrier
        if not mine.any():
            continue
        dim = f"{prefix}_country"
        short = unserved[mine].groupby(countries[mine].to_numpy()).sum().rename_axis(dim)
        total = demand[mine].groupby(countries[mine].to_numpy()).sum().rename_axis(dim)
        what = "gas (GCV)" if carrier == "gas" else "electricity"
        ds[f"{prefix}_unserved_by_country_twh"] = xr.DataArray(
            short.map(mwh_to_twh),
            attrs={
                "units": "TWh/y",
                "description": f"{what} demand left unserved, summed over a country's buses",
            },
        )
        ds[f"{prefix}_served_share_by_country"] = xr.DataArray(
            1 - short / total.where(total > 0),
            attrs={
                "units": "1",
                "description": f"share of the country's fixed {what} demand in the model served",
            },
        )
    response = demand_response_by_country(n)
    if not response.empty:
        ds["gas_demand_response_twh"] = xr.DataArray(
            response.rename_axis("response_country").map(mwh_to_twh),
            attrs={
                "units": "TWh/y",
                "description": "gas demand curtailed through the markets' demand-response step (not "
                "served either; priced at TTF + 70 EUR/MWh, not at the value of lost load)",
            },
        )
    spare = spare_capacity_when_short(n)
    if not spare.empty:
        ds["pipeline_spare_when_short_share"] = xr.DataArray(
            spare.rename_axis("pipeline"),
            attrs={
                "units": "1",
                "description": "share of the pipeline's available capacity unused in the snapshots with "
                "unserved gas demand (its remaining flexibility during the shortage; NaN: no shortage, or "
                "the pipeline not available then)",
            },
        )
    return ds


__all__ = [
    "demand_response_by_country",
    "fixed_demand_by_bus",
    "security_dataset",
    "spare_capacity_when_short",
    "unserved_by_bus",
    "voll_text",
]
