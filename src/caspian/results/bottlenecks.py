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
    BUILT_MW,
    annual_factor,
    asset_flows,
    asset_links,
    asset_shadow_prices,
    snapshot_hours,
)
from caspian.units import HOURS_PER_YEAR, MW_PER_BCM_PER_YEAR, mw_to_bcm_per_year

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
    """A capacity limit and the three numbers that say what relaxing it is worth:

    - ``shadow_eur_per_mw_y``: the dual of the capacity in place (existing or built), EUR/MW/y — what
      one more MW of it would save over a year, before paying for it;
    - ``next_step_annuity_eur_per_mw_y``: the annuity of the next expansion step in the data, EUR/MW/y
      (NaN where none is left: a fixed asset, one built to its largest option, a lumpy MILP/spec
      choice, a supply plateau);
    - :attr:`net_step_value_eur_y`: one more step's value net of that annuity, EUR/y (NaN without a
      next step): 0 where the optimum sized an expansion itself, negative where it chose not to build.
    """

    asset: str
    kind: str
    capacity_mw: float
    hours_at_limit: float
    shadow_eur_per_mw_y: float
    next_step_annuity_eur_per_mw_y: float
    status: str

    @property
    def step_mw(self) -> float:
        """Size of one more step, MW."""
        return STEP_MW[self.kind]

    @property
    def gross_step_value_eur_y(self) -> float:
        """What one more step of capacity would save over a year before its cost, EUR/y."""
        return self.shadow_eur_per_mw_y * self.step_mw

    @property
    def net_step_value_eur_y(self) -> float:
        """One more step's value net of the next step's annuity, EUR/y; NaN without a next step."""
        return (self.shadow_eur_per_mw_y - self.next_step_annuity_eur_per_mw_y) * self.step_mw

    @property
    def has_next_step(self) -> bool:
        """Whether the data prices a next expansion step."""
        return bool(np.isfinite(self.next_step_annuity_eur_per_mw_y))

    @property
    def is_hard(self) -> bool:
        """A hard limit: not a capacity the optimum chose by a lumpy option, and either no priced next
        step or one worth more than it costs."""
        if self.status in LUMPY:
            return False
        threshold = BINDING_THRESHOLD_EUR_PER_MW_Y * self.step_mw
        return not self.has_next_step or self.net_step_value_eur_y > threshold

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


SHADOW_MEANING = (
    "shadow price: what one more MW of the capacity in place (existing or built) saves over a year, "
    "before paying for it"
)
ANNUITY_MEANING = (
    "annuity of the next expansion step in the data (capex annuity + fixed O&M per MW and year); "
    "none where no step is left (fixed asset, largest option built, lumpy choice, supply plateau)"
)
NET_MEANING = (
    "net value of one more step (+1 bcm/y or +100 MW): (shadow price − next step's annuity) × step; "
    "0 where the optimum sized an expansion itself, negative where it chose not to build"
)
"""The three columns' meanings, one sentence each: summary.nc attributes, terminal and report notes."""

LIMIT_COLUMNS_NOTE = (
    "Shadow price: what one more MW of the capacity in place saves over a year, before paying for it "
    f"(÷ {HOURS_PER_YEAR:,} h: EUR per MWh carried by a line used every hour). Next step: the annuity "
    "of the next expansion step in the data, per MW and year (— where none is left). Net: one more "
    "step's value after paying that annuity — 0 where the optimum sized an expansion itself, negative "
    "where it chose not to build, — without a next step."
)
"""The note under every binding-limits table (terminal and report)."""

LUMPY_CHOSEN = "a lumpy MILP option chosen (the dual values one more MW, not one more option)"
LUMPY_NOT_TAKEN = "lumpy MILP options not taken (each costs more than it earns)"
LUMPY = (LUMPY_CHOSEN, LUMPY_NOT_TAKEN)
"""Statuses of assets sized by a discrete (MILP) choice: never 'hard' limits — the optimum chose."""

SIZED_BY_COST = "expansion sized by cost"
NOT_EXPANDED = "not expanded: the next step costs more than it earns"
NEXT_NOT_WORTH = "expanded to the end of a step: the next step costs more than it earns"


def _status_and_next_step(group: pd.DataFrame, factor: float) -> tuple[str, float]:
    """How an asset's capacity was set, and the annuity of its next expansion step in the data
    (EUR/MW/y; NaN where there is none). Expansion segments are built cheapest first, so the next step
    is the cheapest segment not yet at its bound."""
    milp = group[group[CAPACITY_FROM] == FROM_MILP]
    spec = group[group[CAPACITY_FROM] == FROM_SPEC]
    free = group[group[CAPACITY_FROM] == FROM_LP]
    if not milp.empty:
        if (milp.p_nom_opt > BUILT_MW).any():
            return LUMPY_CHOSEN, np.nan
        return LUMPY_NOT_TAKEN, np.nan
    if not spec.empty and (spec.p_nom_opt > BUILT_MW).any():
        return "capacity fixed by the spec (annuity charged)", np.nan
    if free.empty:
        return "capacity fixed: no expansion option in this run", np.nan
    open_steps = free[free.p_nom_opt < free[BUILD_MAX] * (1 - AT_MAX_OPTION)]
    if open_steps.empty:
        return "built to its largest option (no further step in the data)", np.nan
    annuity = float(open_steps.capital_cost.min()) * factor
    if float(free.p_nom_opt.sum()) <= BUILT_MW:
        return NOT_EXPANDED, annuity
    if (open_steps.p_nom_opt > BUILT_MW).any():
        return SIZED_BY_COST, annuity
    return NEXT_NOT_WORTH, annuity


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
        if capacity <= BUILT_MW:
            continue
        at_limit = float(w[flows[asset].abs() >= AT_LIMIT * capacity].sum() * factor)
        status, next_annuity = _status_and_next_step(forward, factor)
        out.append(
            Bottleneck(
                asset=str(asset),
                kind=kind,
                capacity_mw=capacity,
                hours_at_limit=at_limit,
                shadow_eur_per_mw_y=float(shadows[asset]),
                next_step_annuity_eur_per_mw_y=next_annuity,
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
                next_step_annuity_eur_per_mw_y=np.nan,
                status="annual plateau (data)",
            )
        )
    return out


def bottlenecks(n: pypsa.Network) -> list[Bottleneck]:
    """Every pipeline, cable and gas-supply limit that binds (shadow price above the stated threshold):
    hard limits first (:attr:`Bottleneck.is_hard`), each group by the gross value of one more step
    (comparable across kinds: +1 bcm/y, +100 MW)."""
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
    return sorted(binding, key=lambda b: (not b.is_hard, -b.gross_step_value_eur_y))


def limit_sentence(total: float, unit: str, what: str, limits: list[Bottleneck], absent: str) -> str:
    """One sentence naming what limits a headline flow: hard limits first (no priced next step, or one
    worth more than it costs), then expansions the optimum sized by their cost, then limits whose next
    step would cost more than it earns. Values are gross (before the cost of the step) unless named net."""
    if total <= 1e-6:
        return f"No {what} reaches Europe: {absent}."
    hard = [b for b in limits if b.is_hard]
    sized = [b for b in limits if b not in hard and b.status in (SIZED_BY_COST, LUMPY_CHOSEN)]
    unbuilt = [b for b in limits if b not in hard and b not in sized]
    head = f"{what.capitalize()} to Europe ({total:.2f} {unit})"
    if not limits:
        return f"{head} is not capacity-limited: the optimum sends what is worth sending at these prices."
    parts = [
        f"{b.asset} ({b.capacity_label}, {b.limit_phrase}; {b.step_label} would save "
        f"{b.gross_step_value_eur_y / EUR_PER_M:,.1f} M EUR/y before its cost"
        + (
            f", {b.net_step_value_eur_y / EUR_PER_M:,.1f} M EUR/y net of the next step's annuity)"
            if b.has_next_step
            else ")"
        )
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
        sentence += f"{joiner} by {names}, whose next step would cost more than it earns"
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
                {"units": "EUR/MW/y", "description": SHADOW_MEANING},
            ),
            "limit_next_step_annuity_eur_per_mw_y": (
                "limit",
                [b.next_step_annuity_eur_per_mw_y for b in binding],
                {"units": "EUR/MW/y", "description": ANNUITY_MEANING},
            ),
            "limit_net_step_value_eur_y": (
                "limit",
                [b.net_step_value_eur_y for b in binding],
                {"units": "EUR/y", "description": NET_MEANING},
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
