"""Who earns the corridor's gas rent: the upstream margin of each supply, the transit tariffs each
pipeline collects and the scarcity rent of each pipeline's capacity, EUR/y (annualised).

* upstream margin: Σ_t w_t · output_t · (price at the supply's bus − its marginal cost);
* transit rent: Σ_t w_t · gas sent_t · tariff (the link's marginal cost), summed over an asset's links;
* scarcity rent: Σ over the asset's links of the rent of the link's capacity (EUR/MW/y,
  :func:`caspian.results.views.bound_rent`) × its capacity (MW); 0 for an idle or unbuilt pipeline.
  Booked and unbooked capacity are separate links: the unbooked one, paying the tariff, earns less.

The three add up, pipeline by pipeline, to the price difference the gas crosses: for a link at
capacity, price(bus1) · efficiency − price(bus0) = tariff + scarcity per MWh.
"""

from __future__ import annotations

import pandas as pd
import pypsa
import xarray as xr

from caspian.naming import ASSET, GAS_SUPPLY_CARRIER
from caspian.results.views import BUILT_MW, annual_energy, asset_links, bound_rent


def transit_rents(n: pypsa.Network) -> pd.Series:
    """Per pipeline asset, the tariffs collected, EUR/y."""
    links = asset_links(n, "pipeline")
    if links.empty:
        return pd.Series(dtype=float)
    tariff = n.get_switchable_as_dense("Link", "marginal_cost")[links.index]
    sent = n.links_t.p0.reindex(columns=links.index, fill_value=0.0)
    return annual_energy(n, sent * tariff).groupby(links[ASSET]).sum()


def scarcity_rents(n: pypsa.Network) -> pd.Series:
    """Per pipeline asset, the scarcity rent of its capacity, EUR/y: Σ over its forward links holding
    capacity of the link's rent (EUR/MW/y, :func:`bound_rent`) × its capacity. A pipeline whose booked
    and unbooked capacity are separate links earns on each its own rent (the unbooked part's is lower by
    the tariff), so transit + scarcity is exactly the price difference the gas crosses; an idle or
    unbuilt pipeline earns 0."""
    links = asset_links(n, "pipeline")
    if links.empty:
        return pd.Series(dtype=float)
    forward = links[~links.reverse]
    built = forward.p_nom_opt > BUILT_MW
    rent = bound_rent(n, forward.index).fillna(0.0).where(built, 0.0) * forward.p_nom_opt
    return rent.groupby(forward[ASSET]).sum()


def upstream_margins(n: pypsa.Network) -> pd.Series:
    """Per gas supply, (bus price − marginal cost) × output, EUR/y."""
    supplies = n.generators[n.generators.carrier == GAS_SUPPLY_CARRIER]
    if supplies.empty:
        return pd.Series(dtype=float)
    price = n.buses_t.marginal_price.reindex(columns=supplies.bus).to_numpy()
    cost = n.get_switchable_as_dense("Generator", "marginal_cost")[supplies.index].to_numpy()
    output = n.generators_t.p[supplies.index].to_numpy()
    margin = pd.DataFrame(output * (price - cost), index=n.snapshots, columns=supplies.index)
    return annual_energy(n, margin)


def rents_dataset(n: pypsa.Network) -> xr.Dataset:
    """The rent split as summary.nc variables: ``transit_rent_eur_y`` and ``scarcity_rent_eur_y`` by
    pipeline, ``upstream_margin_eur_y`` by supply."""
    ds = xr.Dataset()
    transit, scarcity = transit_rents(n), scarcity_rents(n)
    if not transit.empty:
        pipes = transit.index.union(scarcity.index)
        ds["transit_rent_eur_y"] = xr.DataArray(
            transit.reindex(pipes, fill_value=0.0).rename_axis("pipeline"),
            attrs={"units": "EUR/y", "description": "tariffs collected (tariff × gas sent)"},
        )
        ds["scarcity_rent_eur_y"] = xr.DataArray(
            scarcity.reindex(pipes, fill_value=0.0).rename_axis("pipeline"),
            attrs={"units": "EUR/y", "description": "shadow price of capacity × capacity"},
        )
    margins = upstream_margins(n)
    if not margins.empty:
        ds["upstream_margin_eur_y"] = xr.DataArray(
            margins.rename_axis("supply"),
            attrs={"units": "EUR/y", "description": "(bus price − marginal cost) × output"},
        )
    return ds


__all__ = ["rents_dataset", "scarcity_rents", "transit_rents", "upstream_margins"]
