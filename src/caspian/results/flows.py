"""Where gas goes and where it comes from: proportional sharing of annual pipeline flows from supplies
to consumers, the paths (supply, route, consumer) a market's gas takes, and the assets upstream of a
set of buses.

Energies are MWh/y (annualised: horizon totals × 8760 / modelled hours); paths are reported in bcm/y.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from caspian.naming import (
    GAS_DEMAND_CARRIER,
    GAS_FIRED_CARRIER,
    GAS_IMPORT_CARRIER,
    GAS_OFFTAKE_CARRIER,
    GAS_SUPPLY_CARRIER,
    SLACK_CARRIER,
)
from caspian.results.views import annual_energy, annual_link_delivery, annual_total
from caspian.units import mwh_to_bcm

UNSERVED = "unserved demand"
"""Supply and route label of demand left unserved (the priced slack) in flow paths."""

FLOW_TOLERANCE_MWH = 1.0
"""Annual flow below which a link counts as idle when tracing paths, MWh/y."""


IMPORTS = "non-corridor imports"
"""Route label of gas a market buys from its alternatives (LNG, other pipelines, demand response)."""


def _gas_sources(n: pypsa.Network) -> pd.DataFrame:
    """Generators that put gas into the network: supplies, a market's alternatives (imports) and the
    priced slack (unserved demand)."""
    gas_buses = n.buses.index[n.buses.carrier == "gas"]
    gens = n.generators
    carriers = [GAS_SUPPLY_CARRIER, GAS_IMPORT_CARRIER, SLACK_CARRIER]
    return gens[gens.carrier.isin(carriers) & gens.bus.isin(gas_buses)]


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


CORRIDOR_GAS_NOTE = (
    "corridor gas: gas of the Caspian and Turkmen supplies, traced through the pipelines (README, 'What is "
    "modelled'); a market's own LNG or pipeline imports are not counted"
)
"""What the corridor-gas deliveries count, under every table of them (terminal and report)."""


def pipeline_deliveries(
    n: pypsa.Network, buses: tuple[str, ...] | list[str], corridor_only: bool = True
) -> pd.Series:
    """Net annual gas the pipelines bring to each of ``buses``, MWh/y: delivered in less sent out (a
    market passes on what it does not burn, e.g. Bulgaria to Romania). With ``corridor_only`` only gas
    of the corridor's supplies (the Caspian fields and Turkmen gas: generators of carrier
    ``GAS_SUPPLY_CARRIER``) counts, traced by proportional sharing of annual flows (:func:`gas_origins`):
    gas a market buys from its alternatives (LNG, other pipelines, Romania's surplus; Türkiye's LNG
    passed on to Bulgaria) is not corridor gas when a pipeline carries it on. Mixing is annual, and
    storage is neither a source nor a sink (its level is cyclic, so its annual net is nil). Where no
    market passes its alternatives' gas on, the two counts agree. Buses no pipeline reaches are left
    out; the floor at 0 absorbs rounding only (a bus cannot pass on more than it receives)."""
    flows = annual_link_delivery(n, "gas pipeline")
    share = pd.Series(1.0, index=n.buses.index)
    if corridor_only:
        supplies = _gas_sources(n)
        produced = annual_energy(n, n.generators_t.p[supplies.index])
        origins = _origin_shares(
            n.buses.index[n.buses.carrier == "gas"], supplies, produced, flows[flows.delivered_mwh > 0]
        )
        share = origins[supplies.index[supplies.carrier == GAS_SUPPLY_CARRIER]].sum(axis=1)
    inflow = (flows.delivered_mwh * flows.bus0.map(share)).groupby(flows.bus1).sum()
    outflow = (flows.sent_mwh * flows.bus0.map(share)).groupby(flows.bus0).sum()
    reached = [bus for bus in buses if bus in inflow.index]
    net = inflow.reindex(reached) - outflow.reindex(reached, fill_value=0.0)
    return net.clip(lower=0.0)


def gas_sinks(n: pypsa.Network) -> pd.DataFrame:
    """Annual gas taken at each gas bus by each kind of use: columns bus, sink, MWh."""
    rows = []
    markets = n.loads[n.loads.carrier == GAS_DEMAND_CARRIER]
    for name, bus in markets.bus.items():
        rows.append((bus, "market", annual_total(n, n.loads_t.p[name])))
    loads = n.loads[n.loads.carrier == GAS_OFFTAKE_CARRIER]
    for name, bus in loads.bus.items():
        rows.append((bus, str(name), annual_total(n, n.loads_t.p[name])))
    plants = n.links[n.links.carrier == GAS_FIRED_CARRIER]
    for name, bus in plants.bus0.items():
        rows.append((bus, "power plants", annual_total(n, n.links_t.p0[name])))
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
            route = IMPORTS if supplies.carrier[supply] == GAS_IMPORT_CARRIER else "in-country"
            rows.append((supply, route, consumers.get(bus, bus), taken * amount / total))
    frame = pd.DataFrame(rows, columns=["supply", "route", "consumer", "mwh"])
    slack = frame.supply.isin(supplies.index[supplies.carrier == SLACK_CARRIER])
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
