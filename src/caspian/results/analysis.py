"""What a solved network says beyond the headline summary: hourly flows per real asset, which
capacity limits bind and what one more step is worth, where each market's gas comes from (by supply
and by route), and the sentence that names what limits each headline flow.

Flows are MW (hourly) or MWh/y (annualised: horizon totals × 8760 / modelled hours); values of
capacity in EUR/y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa

from caspian.inputs.tables import delivery_buses
from caspian.naming import (
    ASSET,
    BUILD_MAX,
    CAPACITY_FROM,
    DIRECTION,
    FROM_LP,
    FROM_MILP,
    FROM_SPEC,
    GAS_FIRED_CARRIER,
    REVERSE,
)
from caspian.results.summary import (
    BINDING_THRESHOLD_EUR_PER_MW_Y,
    annual_energy,
    annual_factor,
    snapshot_hours,
)
from caspian.units import HOURS_PER_YEAR, MW_PER_BCM_PER_YEAR, MWH_PER_BCM, mw_to_bcm_per_year, mwh_to_bcm

CARRIER_OF_KIND = {"pipeline": "gas pipeline", "cable": "interconnector"}
"""Link carrier of each kind of corridor asset."""

STEP_MW = {
    "pipeline": MW_PER_BCM_PER_YEAR,
    "cable": 100.0,
    "market": MW_PER_BCM_PER_YEAR,
    "supply": MW_PER_BCM_PER_YEAR,
}
"""Size of "one more step" per kind (issue 4): +1 bcm/y for gas, +100 MW for electricity, MW."""

STEP_LABEL = {"pipeline": "+1 bcm/y", "cable": "+100 MW", "market": "+1 bcm/y", "supply": "+1 bcm/y"}

AT_LIMIT = 0.999
"""Share of capacity at which an hour counts as "at the limit" (numerical tolerance of the LP)."""

EUR_PER_M = 1e6

UNSERVED = "unserved demand"
"""Supply and route label of demand left unserved (the priced slack) in flow paths."""

FLOW_TOLERANCE_MWH = 1.0
"""Annual flow below which a link counts as idle when tracing paths, MWh/y."""

MAX_NAMED_LIMITS = 3
"""Most limits named in one headline sentence (the table lists them all)."""

AT_MAX_OPTION = 1e-3
"""Relative tolerance for "built to the largest option" (p_nom_opt ≥ build_max_mw × (1 − tol))."""


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


def _rent(n: pypsa.Network, names: pd.Index, bound: str) -> pd.Series:
    """Summed duals of each component's hourly capacity bound over a year, EUR/MW/y (≥ 0)."""
    table = n.links_t if bound == "link" else n.generators_t
    attribute = "mu_upper" if bound == "link" else "mu_lower"
    mu = table.get(attribute, pd.DataFrame())
    if mu is None or mu.empty:
        return pd.Series(0.0, index=names)
    return (mu.reindex(columns=names, fill_value=0.0).abs().sum() * annual_factor(n)).reindex(names)


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
    rent = _rent(n, links.index, "link")
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
        reverse = group.index[group.reverse]
        shadow = float(rent[forward.index].max()) + (float(rent[reverse].max()) if len(reverse) else 0.0)
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
    supplies = n.generators[(n.generators.carrier == "gas supply") & np.isfinite(n.generators.e_sum_max)]
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


def _market_bottlenecks(n: pypsa.Network) -> list[Bottleneck]:
    europe = delivery_buses(n.buses, "gas", europe_only=True)
    names = [f"{bus} market" for bus in europe if f"{bus} market" in n.generators.index]
    if not names:
        return []
    rent = _rent(n, pd.Index(names), "generator")
    factor = annual_factor(n)
    w = snapshot_hours(n)
    out = []
    for name in names:
        capacity = float(n.generators.at[name, "p_nom"])
        sold = -n.generators_t.p[name]
        out.append(
            Bottleneck(
                asset=f"{n.generators.bus[name]} absorption",
                kind="market",
                capacity_mw=capacity,
                hours_at_limit=float(w[sold >= AT_LIMIT * capacity].sum() * factor),
                shadow_eur_per_mw_y=float(rent[name]),
                step_value_eur_y=float(rent[name]) * STEP_MW["market"],
                status="market absorption (data)",
            )
        )
    return out


def bottlenecks(n: pypsa.Network) -> list[Bottleneck]:
    """Every pipeline, cable, European gas-market and gas-supply limit that binds (shadow price above
    the stated threshold), by net value of one more step, then by shadow price."""
    candidates = [
        *_link_bottlenecks(n, "pipeline"),
        *_link_bottlenecks(n, "cable"),
        *_market_bottlenecks(n),
        *_supply_bottlenecks(n),
    ]
    binding = [b for b in candidates if b.shadow_eur_per_mw_y > BINDING_THRESHOLD_EUR_PER_MW_Y]
    return sorted(binding, key=lambda b: (-b.step_value_eur_y, -b.shadow_eur_per_mw_y))


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


def _gas_sources(n: pypsa.Network) -> pd.DataFrame:
    """Generators that put gas into the network: supplies, and the priced slack (unserved demand)."""
    gas_buses = n.buses.index[n.buses.carrier == "gas"]
    gens = n.generators
    return gens[gens.carrier.isin(["gas supply", "slack"]) & gens.bus.isin(gas_buses)]


def _gas_annual(n: pypsa.Network) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """The gas sources, their annual output (MWh/y) and the pipelines that deliver gas (annual MWh)."""
    supplies = _gas_sources(n)
    produced = annual_energy(n, n.generators_t.p[supplies.index])
    flows = annual_link_delivery(n, "gas pipeline")
    return supplies, produced, flows[flows.delivered_mwh > 0]


def _origin_shares(
    buses: pd.Index, supplies: pd.DataFrame, produced: pd.Series, flows: pd.DataFrame
) -> pd.DataFrame:
    index = {bus: i for i, bus in enumerate(buses)}
    matrix = np.zeros((len(buses), len(buses)))
    source = np.zeros((len(buses), len(supplies)))
    for j, (name, bus) in enumerate(supplies.bus.items()):
        source[index[bus], j] = produced[name]
    throughput = source.sum(axis=1).copy()
    for row in flows.itertuples():
        matrix[index[row.bus1], index[row.bus0]] += row.delivered_mwh
        throughput[index[row.bus1]] += row.delivered_mwh
    throughput = np.where(throughput > 0, throughput, 1.0)
    shares = np.linalg.solve(np.diag(throughput) - matrix, source)
    return pd.DataFrame(shares, index=buses, columns=supplies.index)


def gas_origins(n: pypsa.Network) -> pd.DataFrame:
    """Share of each gas bus's throughput by supply source (rows: buses, columns: supplies), by
    proportional sharing of annual flows: a bus passes on the mix it receives. Unserved demand (the
    priced slack) counts as a source, so shortfalls show as such."""
    return _origin_shares(n.buses.index[n.buses.carrier == "gas"], *_gas_annual(n))


def gas_sinks(n: pypsa.Network) -> pd.DataFrame:
    """Annual gas taken at each gas bus by each kind of use: columns bus, sink, MWh."""
    rows = []
    markets = n.generators[n.generators.carrier == "gas market"]
    for name, bus in markets.bus.items():
        rows.append((bus, "market", float(annual_energy(n, -n.generators_t.p[name]))))
    loads = n.loads[n.loads.carrier == "gas offtake"]
    for name, bus in loads.bus.items():
        rows.append((bus, str(name), float(annual_energy(n, n.loads_t.p[name]))))
    plants = n.links[n.links.carrier == GAS_FIRED_CARRIER]
    for name, bus in plants.bus0.items():
        rows.append((bus, "power plants", float(annual_energy(n, n.links_t.p0[name]))))
    frame = pd.DataFrame(rows, columns=["bus", "sink", "mwh"])
    return frame[frame.mwh > 1e-6]


def gas_flow_paths(n: pypsa.Network, routes: dict[str, str], consumers: dict[str, str]) -> pd.DataFrame:
    """Annual gas by (supply, route, consumer), bcm/y. The route is the route of the pipeline that
    delivers into the consumer's bus ("in-country" for gas produced there); supply shares follow
    :func:`gas_origins`. Demand the network could not serve (priced slack) is its own supply and
    route, ``UNSERVED``, never a delivery. ``consumers`` maps a bus to the label shown ('Italy')."""
    supplies, produced, flows = _gas_annual(n)
    origins = _origin_shares(n.buses.index[n.buses.carrier == "gas"], supplies, produced, flows)
    sinks = gas_sinks(n)
    rows = []
    for bus, taken in sinks.groupby("bus").mwh.sum().items():
        inflows = flows[flows.bus1 == bus]
        local = produced[supplies.index[supplies.bus == bus]]
        total = float(inflows.delivered_mwh.sum() + local.sum())
        if total <= 0:
            continue
        for link in inflows.itertuples():
            part = taken * link.delivered_mwh / total
            for supply, share in origins.loc[link.bus0].items():
                rows.append(
                    (supply, routes.get(link.asset, link.asset), consumers.get(bus, bus), part * share)
                )
        for supply, amount in local.items():
            rows.append((supply, "in-country", consumers.get(bus, bus), taken * amount / total))
    frame = pd.DataFrame(rows, columns=["supply", "route", "consumer", "mwh"])
    slack = frame.supply.isin(supplies.index[supplies.carrier == "slack"])
    frame.loc[slack, ["supply", "route"]] = UNSERVED
    frame = frame.groupby(["supply", "route", "consumer"], as_index=False).mwh.sum()
    frame["bcm"] = frame.mwh.map(mwh_to_bcm)
    return frame[frame.bcm > 1e-3].drop(columns="mwh").reset_index(drop=True)


def upstream(n: pypsa.Network, buses: list[str], carrier: str) -> tuple[set[str], set[str]]:
    """Assets and buses on the paths that carry ``carrier`` into ``buses`` (links with a positive
    annual flow, followed upstream)."""
    flows = annual_link_delivery(n, carrier)
    flows = flows[flows.delivered_mwh > FLOW_TOLERANCE_MWH]
    reached, assets = set(buses), set()
    frontier = list(buses)
    while frontier:
        bus = frontier.pop()
        for row in flows[flows.bus1 == bus].itertuples():
            assets.add(row.asset)
            if row.bus0 not in reached:
                reached.add(row.bus0)
                frontier.append(row.bus0)
    return assets, reached


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
    market absorption and the supplies that feed those paths."""
    gas_buses = delivery_buses(n.buses, "gas", europe_only=True)
    power_buses = delivery_buses(n.buses, "AC", europe_only=True)
    gas_assets, gas_reached = upstream(n, gas_buses, "gas pipeline")
    power_assets, _ = upstream(n, power_buses, "interconnector")
    supplies = n.generators[(n.generators.carrier == "gas supply") & n.generators.bus.isin(gas_reached)]
    gas_limits = (
        gas_assets | {f"{bus} absorption" for bus in gas_buses} | {f"{s} plateau" for s in supplies.index}
    )
    return {
        "gas": [b for b in binding if b.kind != "cable" and b.asset in gas_limits],
        "power": [b for b in binding if b.kind == "cable" and b.asset in power_assets],
    }
