"""Which capacity limits bind and what one more step of each is worth: pipelines, cables and gas-supply
plateaus, ranked, with the sentence that names what limits each
headline flow. The terminal, summary.nc (the ``limit`` table) and the report all take their list from
:func:`bottlenecks`, so they name the same limits with the same shadow prices.

Shadow prices are EUR/MW/y (from :func:`caspian.results.views.asset_shadow_prices`); step values EUR/y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs.tables import delivery_buses
from caspian.naming import BUILD_MAX, CAPACITY_FROM, FROM_LP, FROM_MILP, FROM_SPEC, GAS_SUPPLY_CARRIER
from caspian.results.flows import upstream
from caspian.results.views import (
    annual_factor,
    asset_flows,
    asset_links,
    asset_shadow_prices,
    snapshot_hours,
)
from caspian.units import HOURS_PER_YEAR, MW_PER_BCM_PER_YEAR, MWH_PER_BCM, mw_to_bcm_per_year

BINDING_THRESHOLD_EUR_PER_MW_Y = 1.0
"""A capacity limit counts as binding when one more MW is worth more than 1 EUR/y (stated threshold
below which a dual is numerical noise)."""

STEP_MW = {
    "pipeline": MW_PER_BCM_PER_YEAR,
    "cable": 100.0,
    "supply": MW_PER_BCM_PER_YEAR,
}
"""Size of "one more step" per kind (issue 4): +1 bcm/y for gas, +100 MW for electricity, MW."""

STEP_LABEL = {"pipeline": "+1 bcm/y", "cable": "+100 MW", "supply": "+1 bcm/y"}

AT_LIMIT = 0.999
"""Share of capacity at which an hour counts as "at the limit" (numerical tolerance of the LP)."""

EUR_PER_M = 1e6

MAX_NAMED_LIMITS = 3
"""Most limits named in one headline sentence (the table lists them all)."""

AT_MAX_OPTION = 1e-3
"""Relative tolerance for "built to the largest option" (p_nom_opt ≥ build_max_mw × (1 − tol))."""


@dataclass(frozen=True)
class Bottleneck:
    """A capacity limit: its shadow price (summed hourly duals, EUR/MW/y) and the net value of one more
    step (EUR/y): the shadow price for a fixed capacity, the shadow price minus the annuity of the
    largest option for an asset built to that option, and 0 for an expansion the optimum sized itself
    (there the shadow price equals the cost of the next step)."""

    asset: str
    kind: str
    capacity_mw: float
    hours_at_limit: float
    shadow_eur_per_mw_y: float
    step_value_eur_y: float
    status: str

    @property
    def capacity_label(self) -> str:
        """Capacity in the kind's unit."""
        if self.kind == "cable":
            return f"{self.capacity_mw:,.0f} MW"
        return f"{mw_to_bcm_per_year(self.capacity_mw):.2f} bcm/y"

    @property
    def limit_phrase(self) -> str:
        """How the limit binds, in words."""
        if self.kind == "supply":
            return "produced to its annual plateau"
        return f"at its limit {self.hours_at_limit:,.0f} h/y"

    @property
    def step_label(self) -> str:
        """The step whose value is given."""
        return STEP_LABEL[self.kind]


def _status_and_net(group: pd.DataFrame, shadow: float, factor: float) -> tuple[str, float]:
    """How an asset's capacity was set, and the net value per MW of one more step (EUR/MW/y)."""
    held = group[group[CAPACITY_FROM].isin([FROM_SPEC, FROM_MILP])]
    pinned = held[held.p_nom_opt > 0]
    free = group[group[CAPACITY_FROM] == FROM_LP]
    if not held.empty and pinned.empty:
        return "not expanded: its options cost more than they earn", 0.0
    if not pinned.empty:
        cost = float((pinned.capital_cost * pinned.p_nom_opt).sum() / pinned.p_nom_opt.sum()) * factor
        return "fixed by the spec or a MILP option (annuity charged)", max(shadow - cost, 0.0)
    if free.empty:
        return "fixed capacity", shadow
    if float(free.p_nom_opt.sum()) <= AT_MAX_OPTION * float(free[BUILD_MAX].sum()):
        return "not expanded: the first step costs more than it earns", 0.0
    if (free.p_nom_opt >= free[BUILD_MAX] * (1 - AT_MAX_OPTION)).all():
        return "built to its largest option", max(shadow - float(free.capital_cost.iloc[-1]) * factor, 0.0)
    return "expansion sized by cost", 0.0


def _link_bottlenecks(n: pypsa.Network, kind: str) -> list[Bottleneck]:
    """Capacity limits of the pipelines or cables in service; a bidirectional cable's value adds the
    duals of both directions (the reverse twin has the forward capacity)."""
    links = asset_links(n, kind)
    if links.empty:
        return []
    shadows = asset_shadow_prices(n, kind)
    factor = annual_factor(n)
    flows = asset_flows(n, kind)
    w = snapshot_hours(n)
    out = []
    for asset, group in links.groupby("asset"):
        forward = group[~group.reverse]
        capacity = float(forward.p_nom_opt.sum())
        if capacity <= 0:
            continue
        at_limit = float(w[flows[asset].abs() >= AT_LIMIT * capacity].sum() * factor)
        shadow = float(shadows[asset])
        status, net = _status_and_net(forward, shadow, factor)
        out.append(
            Bottleneck(
                asset=str(asset),
                kind=kind,
                capacity_mw=capacity,
                hours_at_limit=at_limit,
                shadow_eur_per_mw_y=shadow,
                step_value_eur_y=net * STEP_MW[kind],
                status=status,
            )
        )
    return out


def _supply_bottlenecks(n: pypsa.Network) -> list[Bottleneck]:
    """Gas supplies at their annual plateau. No dual of the annual limit is stored in the network, so
    its value is the time-weighted mean of (bus price − marginal cost) over the hours it produces,
    EUR/MWh, times the energy of one more bcm/y."""
    supplies = n.generators[
        (n.generators.carrier == GAS_SUPPLY_CARRIER) & np.isfinite(n.generators.e_sum_max)
    ]
    if supplies.empty:
        return []
    w, factor = snapshot_hours(n), annual_factor(n)
    out = []
    for name, row in supplies.iterrows():
        produced = n.generators_t.p[name]
        if float((produced * w).sum()) < AT_LIMIT * float(row.e_sum_max):
            continue
        running = produced > 0
        margin = (n.buses_t.marginal_price[row.bus] - row.marginal_cost)[running]
        value_per_mwh = float((margin * w[running]).sum() / w[running].sum()) if running.any() else 0.0
        out.append(
            Bottleneck(
                asset=f"{name} plateau",
                kind="supply",
                capacity_mw=float(row.e_sum_max) * factor / HOURS_PER_YEAR,
                hours_at_limit=float(w.sum() * factor),
                shadow_eur_per_mw_y=max(value_per_mwh, 0.0) * HOURS_PER_YEAR,
                step_value_eur_y=max(value_per_mwh, 0.0) * MWH_PER_BCM,
                status="annual plateau (data)",
            )
        )
    return out


def bottlenecks(n: pypsa.Network) -> list[Bottleneck]:
    """Every pipeline, cable and gas-supply limit that binds (shadow price above
    the stated threshold), by net value of one more step, then by shadow price."""
    candidates = [
        *_link_bottlenecks(n, "pipeline"),
        *_link_bottlenecks(n, "cable"),
        *_supply_bottlenecks(n),
    ]
    # a NaN shadow price (an unbuilt asset, see asset_shadow_prices: not unique) is never binding
    binding = [
        b
        for b in candidates
        if np.isfinite(b.shadow_eur_per_mw_y) and b.shadow_eur_per_mw_y > BINDING_THRESHOLD_EUR_PER_MW_Y
    ]
    return sorted(binding, key=lambda b: (-b.step_value_eur_y, -b.shadow_eur_per_mw_y))


def limit_sentence(total: float, unit: str, what: str, limits: list[Bottleneck], absent: str) -> str:
    """One sentence naming what limits a headline flow: hard limits first (worth more than they cost to
    relax), then expansions the optimum sized by their cost."""
    if total <= 1e-6:
        return f"No {what} reaches Europe: {absent}."
    hard = [b for b in limits if b.step_value_eur_y > BINDING_THRESHOLD_EUR_PER_MW_Y * STEP_MW[b.kind]]
    sized = [b for b in limits if b not in hard and b.status == "expansion sized by cost"]
    unbuilt = [b for b in limits if b not in hard and b.status.startswith("not expanded")]
    head = f"{what.capitalize()} to Europe ({total:.2f} {unit})"
    if not hard and not sized and not unbuilt:
        return f"{head} is not capacity-limited: the optimum sends what is worth sending at these prices."
    parts = [
        f"{b.asset} ({b.capacity_label}, {b.limit_phrase}; {b.step_label} worth "
        f"{b.step_value_eur_y / EUR_PER_M:,.1f} M EUR/y)"
        for b in hard[:MAX_NAMED_LIMITS]
    ]
    sentence = f"{head} is limited by " + "; ".join(parts) if parts else f"{head} is limited"
    if sized:
        names = ", ".join(f"{b.asset} (to {b.capacity_label})" for b in sized[:MAX_NAMED_LIMITS])
        sentence += (
            f"{'; and' if parts else ''} by the cost of expanding {names}, built until one more step "
            "costs as much as it earns"
        )
    if unbuilt:
        names = ", ".join(f"{b.asset} ({b.capacity_label})" for b in unbuilt[:MAX_NAMED_LIMITS])
        joiner = "; and" if parts or sized else ""
        sentence += f"{joiner} by {names}, whose expansion would cost more than it earns"
    return sentence + "."


def headline_limits(n: pypsa.Network, binding: list[Bottleneck]) -> dict[str, list[Bottleneck]]:
    """The binding limits on the paths into the European gas and power markets: pipelines, cables,
    and the plateaus of the supplies that feed those paths (a market's demand is not a limit: corridor
    gas competes there with the alternatives' supply curve)."""
    gas_buses = delivery_buses(n.buses, "gas", europe_only=True)
    power_buses = delivery_buses(n.buses, "AC", europe_only=True)
    gas_assets, gas_reached = upstream(n, gas_buses, "gas pipeline")
    power_assets, _ = upstream(n, power_buses, "interconnector")
    supplies = n.generators[(n.generators.carrier == GAS_SUPPLY_CARRIER) & n.generators.bus.isin(gas_reached)]
    gas_limits = gas_assets | {f"{s} plateau" for s in supplies.index}
    return {
        "gas": [b for b in binding if b.kind != "cable" and b.asset in gas_limits],
        "power": [b for b in binding if b.kind == "cable" and b.asset in power_assets],
    }


def limits_dataset(binding: list[Bottleneck]) -> xr.Dataset:
    """The binding limits as summary.nc's ``limit`` table: one row per limit, in :func:`bottlenecks`'
    order, with kind and status as coordinates (text) and the numbers as variables with units."""
    index = pd.Index([b.asset for b in binding], name="limit")
    ds = xr.Dataset(
        {
            "limit_capacity_mw": ("limit", [b.capacity_mw for b in binding], {"units": "MW"}),
            "limit_hours_at_limit": ("limit", [b.hours_at_limit for b in binding], {"units": "h/y"}),
            "limit_shadow_eur_per_mw_y": (
                "limit",
                [b.shadow_eur_per_mw_y for b in binding],
                {"units": "EUR/MW/y", "description": "value of one more MW of the limit over a year"},
            ),
            "limit_step_value_eur_y": (
                "limit",
                [b.step_value_eur_y for b in binding],
                {"units": "EUR/y", "description": "net value of one more step (limit_step)"},
            ),
        },
        coords={
            "limit": index,
            "limit_kind": ("limit", [b.kind for b in binding]),
            "limit_status": ("limit", [b.status for b in binding]),
            "limit_step": ("limit", [b.step_label for b in binding]),
        },
    )
    return ds
