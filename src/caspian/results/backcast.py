"""Backcast check: modelled flows against observed ones (``data/observed_flows.csv``) of the model year."""

from __future__ import annotations

import pandas as pd
import xarray as xr

from caspian.inputs.tables import Dataset

TAP_EXITS = {"tap_share_italy": "TAP Italy", "tap_share_greece": "TAP Greece", "tap_share_bulgaria": "IGB"}
"""Observed TAP delivery shares → the link that carries them (IGB takes TAP gas at Komotini)."""
DELIVERED_TO = {"gas_azerbaijan_to_turkiye": "TR"}
"""Observed deliveries → the country (``buses.csv`` ``country``) whose delivery points receive them."""
CONSUMED_IN = {"gas_azerbaijan_to_georgia": "GE"}
"""Observed deliveries into a transit country → the country whose gas buses consume them."""
METRIC_LABELS = {
    "gas_azerbaijan_to_europe": "Azerbaijan → Europe (corridor gas)",
    "gas_azerbaijan_to_turkiye": "Azerbaijan → Türkiye (its contract is an input)",
    "gas_azerbaijan_to_georgia": "Azerbaijan → Georgia (consumed there)",
    "tap_share_italy": "TAP deliveries: share to Italy",
    "tap_share_greece": "TAP deliveries: share to Greece (set by a sales contract)",
    "tap_share_bulgaria": "TAP deliveries: share to Bulgaria (set by a sales contract)",
}
"""How reports and the terminal name each observed metric (``observed_flows.csv`` ``metric``)."""
BACKCAST_NOTE = (
    "Observed figures and their sources: data/observed_flows.csv (and any data overlay). Pipelines booked "
    "in full run full, so their throughput is in effect an input: see the README's 'Backcast 2024' for what "
    "is an input and what the model decides."
)
"""The caveat printed under every backcast table."""


def metric_label(metric: str) -> str:
    """The readable name of an observed metric (the metric itself when it has none)."""
    return METRIC_LABELS.get(metric, metric)


def _country_sum(ds: xr.Dataset, var: str, buses: pd.DataFrame, country: str) -> float | None:
    """Sum of the per-bus ``var`` over the buses of ``country`` (``buses`` indexed by bus, with their
    ``country``); None when the summary has no such variable or no such bus."""
    if var not in ds:
        return None
    values = ds[var].to_series()
    mine = values[[buses.at[bus, "country"] == country for bus in values.index]]
    return float(mine.sum()) if not mine.empty else None


def _modelled(metric: str, ds: xr.Dataset, buses: pd.DataFrame) -> float | None:
    if metric == "gas_azerbaijan_to_europe":
        return float(ds["gas_to_europe_bcm"])
    if metric in DELIVERED_TO:
        return _country_sum(ds, "gas_delivery_bcm", buses, DELIVERED_TO[metric])
    if metric in CONSUMED_IN:
        return _country_sum(ds, "gas_consumption_bcm", buses, CONSUMED_IN[metric])
    if metric in TAP_EXITS and "pipeline_flow_bcm" in ds:
        flows = ds["pipeline_flow_bcm"].sel(pipeline=list(TAP_EXITS.values()))
        return float(flows.sel(pipeline=TAP_EXITS[metric]) / flows.sum())
    return None


def compare(ds: xr.Dataset, data: Dataset, year: int) -> pd.DataFrame:
    """Observed vs modelled for every observed metric of ``year`` the summary can answer."""
    observed = data.table("observed_flows")
    rows = []
    for _, row in observed[observed["year"] == year].iterrows():
        modelled = _modelled(row["metric"], ds, data.buses())
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
