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

from caspian.results.views import annual_energy, asset_capacity, asset_flows, snapshot_hours
from caspian.units import mwh_to_twh

SLACK_CARRIER = "slack"
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


def unserved_cost(n: pypsa.Network) -> float:
    """What the unserved energy costs in the objective, EUR/y (slack output × its value of lost load)."""
    slack = slack_generators(n)
    if not len(slack):
        return 0.0
    energy = annual_energy(n, n.generators_t.p[slack])
    return float((energy * n.generators.marginal_cost[slack]).sum())


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


def _short_snapshots(n: pypsa.Network) -> pd.Series:
    slack = slack_generators(n)
    return n.generators_t.p[slack].sum(axis=1) > SHORTAGE_NOISE_MW


def spare_capacity_when_short(n: pypsa.Network) -> pd.Series:
    """Per pipeline, the time-weighted share of its capacity left unused in the snapshots with unserved
    demand (NaN for a pipeline not built, and for every pipeline when nothing goes unserved)."""
    every = asset_capacity(n, "pipeline")
    capacity = every[every > 0]
    if capacity.empty:
        return pd.Series(dtype=float)
    short = _short_snapshots(n) if len(slack_generators(n)) else pd.Series(False, index=n.snapshots)
    if not short.any():
        return pd.Series(np.nan, index=every.index)
    flows = asset_flows(n, "pipeline")[capacity.index].abs()
    w = snapshot_hours(n)[short]
    spare = (1 - flows[short] / capacity).clip(lower=0.0)
    # every pipeline of the run (NaN for one not built): the 'pipeline' dimension is shared
    return (spare.mul(w, axis=0).sum() / w.sum()).reindex(every.index)


def security_dataset(n: pypsa.Network, objective_eur_y: float) -> xr.Dataset:
    """The indicators as summary.nc variables (empty for a run without priced slack)."""
    unserved = unserved_by_bus(n)
    if unserved.empty:
        return xr.Dataset()
    demand = fixed_demand_by_bus(n).reindex(unserved.index, fill_value=0.0)
    # every bus (NaN where no demand is fixed): the 'bus' dimension is shared with price_eur_mwh
    served = (1 - unserved / demand.where(demand > 0)).reindex(n.buses.index).rename_axis("bus")
    countries = n.buses.country.reindex(unserved.index)
    by_country = unserved.groupby(countries.to_numpy()).sum().rename_axis("country")
    demand_country = demand.groupby(countries.to_numpy()).sum().rename_axis("country")
    penalty = unserved_cost(n)
    ds = xr.Dataset(
        {
            "served_share": xr.DataArray(
                served,
                attrs={"units": "1", "description": "share of the bus's fixed demand served (1 − unserved)"},
            ),
            "unserved_by_country_twh": xr.DataArray(
                by_country.map(mwh_to_twh),
                attrs={
                    "units": "TWh/y",
                    "description": "demand left unserved, summed over a country's buses",
                },
            ),
            "served_share_by_country": xr.DataArray(
                1 - by_country / demand_country.where(demand_country > 0),
                attrs={
                    "units": "1",
                    "description": "share of the country's fixed demand (gas and power) served",
                },
            ),
            "objective_excl_unserved_eur_y": xr.DataArray(
                objective_eur_y - penalty,
                attrs={
                    "units": "EUR/y",
                    "description": "net system cost without the penalty for unserved energy (a derived "
                    "total, not a cost entry of the objective)",
                },
            ),
        }
    )
    spare = spare_capacity_when_short(n)
    if not spare.empty:
        ds["pipeline_spare_when_short_share"] = xr.DataArray(
            spare.rename_axis("pipeline"),
            attrs={
                "units": "1",
                "description": "share of the pipeline's capacity unused in the snapshots with unserved "
                "demand (its remaining flexibility during the shortage; NaN: no shortage)",
            },
        )
    return ds


__all__ = [
    "fixed_demand_by_bus",
    "security_dataset",
    "spare_capacity_when_short",
    "unserved_by_bus",
    "unserved_cost",
    "voll_text",
]
