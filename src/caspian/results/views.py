"""Views of a solved network that every result and report shares: time weighting, the real assets behind
the model's links, their hourly flows and capacities, and the ONE definition of a capacity limit's shadow
price.

Flows are MW (hourly) or MWh/y (annualised: horizon totals × 8760 / modelled hours); shadow prices are
EUR per MW of capacity per year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from caspian.naming import ASSET, DIRECTION, REVERSE
from caspian.units import HOURS_PER_YEAR

CARRIER_OF_KIND = {"pipeline": "gas pipeline", "cable": "interconnector"}
"""Link carrier of each kind of corridor asset."""

BUILT_MW = 1e-3
"""Capacity below which a solved link counts as not built, MW (solver noise of an LP at rest)."""


def snapshot_hours(n: pypsa.Network) -> pd.Series:
    """Hours each snapshot stands for (its objective weighting)."""
    return n.snapshot_weightings.objective


def annual_factor(n: pypsa.Network) -> float:
    """8760 ÷ modelled hours: scales horizon totals to a year."""
    return HOURS_PER_YEAR / float(snapshot_hours(n).sum())


def annual_energy(n: pypsa.Network, series: pd.DataFrame) -> pd.Series:
    """Annualised energy of each column of a power time series (snapshot × component, MW), MWh/y."""
    return series.mul(snapshot_hours(n), axis=0).sum() * annual_factor(n)


def annual_total(n: pypsa.Network, series: pd.Series) -> float:
    """Annualised energy of one power time series (MW per snapshot), MWh/y."""
    return float((series * snapshot_hours(n)).sum()) * annual_factor(n)


def asset_links(n: pypsa.Network, kind: str) -> pd.DataFrame:
    """Links of ``kind`` (pipeline|cable) with their asset and direction."""
    links = n.links[n.links.carrier == CARRIER_OF_KIND[kind]].copy()
    links["reverse"] = links[DIRECTION] == REVERSE
    return links


def asset_flows(n: pypsa.Network, kind: str) -> pd.DataFrame:
    """Hourly flow per asset, MW sent: forward links minus reverse twins (negative = reverse)."""
    links = asset_links(n, kind)
    if links.empty:
        return pd.DataFrame(index=n.snapshots)
    p0 = n.links_t.p0.reindex(columns=links.index, fill_value=0.0)
    sign = np.where(links.reverse, -1.0, 1.0)
    return (p0 * sign).T.groupby(links.asset).sum().T


def asset_capacity(n: pypsa.Network, kind: str) -> pd.Series:
    """Capacity per asset in its forward direction, MW (existing + built)."""
    links = asset_links(n, kind)
    if links.empty:
        return pd.Series(dtype=float)
    return links[~links.reverse].groupby("asset").p_nom_opt.sum()


def annual_link_delivery(n: pypsa.Network, carrier: str) -> pd.DataFrame:
    """Per link of ``carrier``: bus0, bus1, asset, direction, annual MWh sent and delivered."""
    links = n.links[n.links.carrier == carrier]
    sent = annual_energy(n, n.links_t.p0.reindex(columns=links.index, fill_value=0.0))
    delivered = annual_energy(n, -n.links_t.p1.reindex(columns=links.index, fill_value=0.0))
    return pd.DataFrame(
        {
            "bus0": links.bus0,
            "bus1": links.bus1,
            "asset": links[ASSET],
            "direction": links[DIRECTION],
            "sent_mwh": sent,
            "delivered_mwh": delivered,
        }
    )


def bound_rent(n: pypsa.Network, names: pd.Index) -> pd.Series:
    """Value of one more MW of each link's capacity over a year, EUR/MW/y (≥ 0): the hourly duals of
    its upper bound p0 ≤ p_max_pu(t) · p_nom, each weighted by p_max_pu(t) (one more MW of p_nom adds
    p_max_pu MW of room in that hour), summed and annualised — ∂objective/∂p_nom. For an extendable
    link this is the LP's own marginal value; at an interior optimum it equals the annualised cost of
    the next MW. An hour in which the link is out (p_max_pu = 0: both p ≥ 0 and p ≤ 0 bind, and the
    dual is not unique — HiGHS reports up to the value of lost load there) adds nothing."""
    mu = n.links_t.get("mu_upper", pd.DataFrame())
    if mu is None or mu.empty:
        return pd.Series(0.0, index=names)
    available = n.get_switchable_as_dense("Link", "p_max_pu").reindex(columns=names)
    weighted = mu.reindex(columns=names, fill_value=0.0).abs() * available
    return (weighted.sum() * annual_factor(n)).reindex(names)


def asset_shadow_prices(n: pypsa.Network, kind: str) -> pd.Series:
    """THE shadow price of each asset's capacity, EUR/MW/y: the dual of the capacity actually in place —
    the largest rent among its forward links that hold capacity (existing capacity and built expansion
    segments share one physical limit) plus, for a bidirectional cable, the largest rent among its
    built reverse twins (whose capacity is tied to the forward one). Every table, summary.nc and the
    report take it from here.

    A link of capacity 0 (an unbuilt expansion step, or an unbuilt candidate) never counts: there
    p ≥ 0 and p ≤ p_nom = 0 bind together, so the split of the dual between them — and the rent of the
    capacity bound — is not unique (the solver reports any value up to that step's annuity; the
    Trans-Caspian pipeline's unbuilt second step once showed 19,281 EUR/MW/y beside the built step's
    3,353). An asset with no capacity at all has no shadow price (NaN) and is never a binding limit."""
    links = asset_links(n, kind)
    if links.empty:
        return pd.Series(dtype=float)
    rent = bound_rent(n, links.index)
    built = links.p_nom_opt > BUILT_MW
    forward = rent[~links.reverse & built].groupby(links.asset[~links.reverse & built]).max()
    reverse = rent[links.reverse & built].groupby(links.asset[links.reverse & built]).max()
    assets = pd.Index(links.asset[~links.reverse].unique(), name="asset")
    return forward.add(reverse, fill_value=0.0).reindex(assets)


def objective_terms(n: pypsa.Network, variables: list[str]) -> float:
    """EUR over the horizon of the objective's terms on the named linopy variables at their solution
    (costs PyPSA's statistics do not see: start-ups, CBAM charges); 0 when none of them exists or the
    network has no model (loaded from a file)."""
    model = n.model
    if model is None:
        return 0.0
    present = [model.variables[name] for name in variables if name in model.variables]
    if not present:
        return 0.0
    solution = pd.concat(
        [pd.Series(v.solution.values.ravel(), index=v.labels.values.ravel()) for v in present]
    )
    terms = model.objective.expression.flat
    terms = terms[terms["vars"].isin(solution.index)]
    return float((terms["coeffs"] * solution.reindex(terms["vars"]).to_numpy()).sum())
