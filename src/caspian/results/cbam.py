"""CBAM at the EU border of a solved network: what entered the EU, what was matched by the exporters'
wind and solar in the same snapshot, and what paid the default charge (the cost itself is the summary's
``cbam_charge_eur_y``). Read from the solved linopy model (:data:`caspian.pypsa_model.cbam.CHARGED`);
empty for a run without CBAM. Units: TWh/y per entry asset, MW per snapshot."""

from __future__ import annotations

import pandas as pd
import pypsa
import xarray as xr

from caspian.naming import ASSET
from caspian.pypsa_model.cbam import CHARGED, matching_generators
from caspian.results.views import annual_energy
from caspian.units import mwh_to_twh


def _charged(n: pypsa.Network) -> pd.DataFrame | None:
    """The solved charged imports, snapshot × entry link (MW), None without CBAM or a model."""
    model = n.model
    if model is None or CHARGED not in model.variables:
        return None
    solution = model.variables[CHARGED].solution
    return pd.DataFrame(solution.values, index=n.snapshots, columns=solution.coords["name"].values)


def cbam_dataset(n: pypsa.Network) -> xr.Dataset:
    """Per entry asset the energy delivered into the EU, matched and charged (TWh/y), and per snapshot
    the total delivered, matched and the matching wind and solar output (MW)."""
    charged = _charged(n)
    if charged is None:
        return xr.Dataset()
    links = list(charged.columns)
    delivered = n.links_t.p0[links].mul(n.links.efficiency[links], axis=1)
    matched = (delivered - charged).clip(lower=0.0)
    assets = n.links[ASSET][links]
    by_asset = {
        "cbam_delivered_twh": delivered,
        "cbam_matched_twh": matched,
        "cbam_charged_twh": charged,
    }
    ds = xr.Dataset()
    for name, frame in by_asset.items():
        annual = annual_energy(n, frame).groupby(assets).sum().map(mwh_to_twh).rename_axis("cbam_entry")
        ds[name] = xr.DataArray(annual, attrs={"units": "TWh/y"})
    renewable = n.generators_t.p.reindex(columns=matching_generators(n, pd.Index(links)), fill_value=0.0)
    renewable = renewable.sum(axis=1)
    for name, series, description in (
        ("cbam_delivered_mw", delivered.sum(axis=1), "power delivered into the EU over the entry links"),
        ("cbam_matched_mw", matched.sum(axis=1), "of it, matched by the exporters' wind and solar"),
        ("cbam_renewable_mw", renewable, "wind and solar output that may match imports"),
    ):
        ds[name] = xr.DataArray(
            series.rename_axis("snapshot"), attrs={"units": "MW", "description": description}
        )
    return ds
