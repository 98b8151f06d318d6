"""Backcast check: modelled flows against observed ones (``data/observed_flows.csv``) of the model year."""

from __future__ import annotations

import pandas as pd
import xarray as xr

from caspian.inputs.tables import Dataset

TAP_EXITS = {"tap_share_italy": "TAP Italy", "tap_share_greece": "TAP Greece", "tap_share_bulgaria": "IGB"}
"""Observed TAP delivery shares → the link that carries them (IGB takes TAP gas at Komotini)."""


def _modelled(metric: str, ds: xr.Dataset) -> float | None:
    if metric == "gas_azerbaijan_to_europe":
        return float(ds["gas_to_europe_bcm"])
    if metric == "gas_azerbaijan_to_turkiye" and "gas_delivery_bcm" in ds:
        return float(ds["gas_delivery_bcm"].sel(gas_market="TR gas"))
    if metric == "gas_azerbaijan_to_georgia" and "gas_consumption_bcm" in ds:
        return float(ds["gas_consumption_bcm"].sel(gas_bus="GE gas"))
    if metric in TAP_EXITS and "pipeline_flow_bcm" in ds:
        flows = ds["pipeline_flow_bcm"].sel(pipeline=list(TAP_EXITS.values()))
        return float(flows.sel(pipeline=TAP_EXITS[metric]) / flows.sum())
    return None


def compare(ds: xr.Dataset, data: Dataset, year: int) -> pd.DataFrame:
    """Observed vs modelled for every observed metric of ``year`` the summary can answer."""
    observed = data.table("observed_flows")
    rows = []
    for _, row in observed[observed["year"] == year].iterrows():
        modelled = _modelled(row["metric"], ds)
        if modelled is None:
            continue
        rows.append(
            {
                "metric": row["metric"],
                "unit": row["unit"],
                "observed": row["value"],
                "modelled": modelled,
                "deviation": (modelled - row["value"]) / row["value"],
            }
        )
    return pd.DataFrame(rows, columns=["metric", "unit", "observed", "modelled", "deviation"])
