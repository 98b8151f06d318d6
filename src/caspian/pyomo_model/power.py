"""The electricity network's part of the Pyomo model: variables, constraints and cost terms written
directly from :class:`~caspian.pyomo_model.power_inputs.PowerInputs`, and the electricity quantities the
cross-check compares.

Units: MW per snapshot, MWh, EUR of the price year. Variables:

* ``gen[g, t]`` ≥ 0: output of generator ``g`` (≤ availability × capacity); ``gcap[g]``: capacity built
  of an expandable one (renewable expansion, peaker off the gas network);
* ``pflow[l, t]`` ≥ 0: power (or, for a gas-fired plant, fuel) sent into link ``l`` at its ``bus0``;
  ``bus1`` receives ``efficiency × pflow``; ``pcap[l]``: capacity of an expandable link — a reverse
  twin has no capacity of its own, its flow is limited by its forward piece's ``pcap``;
* ``trade[k, t]``: what a price-taking market puts into its bus (negative: the corridor sells),
  in [−capacity, buy share × capacity], at the market's price;
* ``cbam_charged[l, t]`` ≥ 0 (CBAM runs): MW delivered into the EU over entry link ``l`` that pay the
  default charge — equal to the delivery ``η pflow`` ('default'), or at most it with the matched rest
  ``Σ_l (η pflow − cbam_charged)`` at most the matching wind and solar output ('matched').

Constraints: availability × capacity limits of expandable generators and links, and the energy limit of
energy-constrained (hydro) generators over the horizon. The bus balances (including the gas buses the
plants burn from), the slack, the objective and the MILP options are assembled in
:mod:`caspian.pyomo_model.model`.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from caspian.inputs.targets import FOSSIL_CARRIERS
from caspian.naming import GAS_FIRED_CARRIER, reverse_name
from caspian.pyomo_model.common import demand_by_bus
from caspian.pyomo_model.inputs import PyomoInputs
from caspian.pyomo_model.part import Part, Quantity
from caspian.pyomo_model.power_inputs import PowerCbam, PowerInputs
from caspian.units import MWH_PER_TWH

POWER_KINDS = {
    "cable flow": "TWh/y",
    "cable built": "MW",
    "generator built": "MW",
    "power delivery": "TWh/y",
    "cbam charged": "TWh/y",
}
"""Compared electricity quantities and their units: annual power sent into each interconnector (forward
pieces under the asset's name, reverse twins as '<asset> reverse'), interconnector capacity added,
electric capacity built per fleet (renewable expansions and peakers), annual sales per market bus, and
the annual imports into the EU that pay the CBAM charge, per entry asset."""


def add_power(m: pyo.ConcreteModel, inputs: PyomoInputs) -> Part:
    """Add the electricity variables and constraints to ``m`` (which has the snapshot set ``m.T``)."""
    power = inputs.power_side
    assert power is not None
    weight = dict(enumerate(inputs.weights_h.tolist()))
    gens = {g.name: g for g in power.generators}
    links = {link.name: link for link in power.links}
    markets = {k.name: k for k in power.markets}
    m.PG = pyo.Set(initialize=list(gens), ordered=True)
    m.PGX = pyo.Set(initialize=[g.name for g in power.generators if g.capacity_mw is None], ordered=True)
    m.PL = pyo.Set(initialize=list(links), ordered=True)
    free = [k.name for k in power.links if k.capacity_mw is None]
    m.PLX = pyo.Set(initialize=[name for name in free if links[name].twin_of is None], ordered=True)
    m.PK = pyo.Set(initialize=list(markets), ordered=True)

    def gen_bounds(_m: Any, g: str, t: int) -> tuple[float, float | None]:
        gen = gens[g]
        return (0.0, None) if gen.capacity_mw is None else (0.0, gen.pu[t] * gen.capacity_mw)

    def flow_bounds(_m: Any, name: str, t: int) -> tuple[float, float | None]:
        link = links[name]
        return (0.0, None) if link.capacity_mw is None else (0.0, link.pu[t] * link.capacity_mw)

    m.gen = pyo.Var(m.PG, m.T, bounds=gen_bounds, doc="MW")
    m.gcap = pyo.Var(m.PGX, bounds=lambda _m, g: (0.0, gens[g].max_mw), doc="MW")
    m.gen_limit = pyo.Constraint(m.PGX, m.T, rule=lambda m, g, t: m.gen[g, t] <= gens[g].pu[t] * m.gcap[g])
    limited = [g.name for g in power.generators if g.energy_mwh is not None]
    m.gen_energy = pyo.Constraint(
        limited,
        rule=lambda m, g: pyo.quicksum(weight[t] * m.gen[g, t] for t in m.T) <= gens[g].energy_mwh,
        doc="MWh over the horizon",
    )
    m.pflow = pyo.Var(m.PL, m.T, bounds=flow_bounds, doc="MW sent at bus0")
    m.pcap = pyo.Var(m.PLX, bounds=lambda _m, name: (0.0, links[name].max_mw), doc="MW")
    m.pflow_limit = pyo.Constraint(
        free,
        m.T,
        rule=lambda m, name, t: m.pflow[name, t] <= links[name].pu[t] * m.pcap[links[name].twin_of or name],
    )
    m.trade = pyo.Var(
        m.PK,
        m.T,
        bounds=lambda _m, k, t: (
            -markets[k].sell_pu[t] * markets[k].capacity_mw,
            markets[k].buy_pu[t] * markets[k].capacity_mw,
        ),
        doc="MW into the bus (negative: sold)",
    )

    at = {b: [g.name for g in power.generators if g.bus == b] for b in inputs.buses}
    into = {b: [k for k in power.links if k.bus1 == b] for b in inputs.buses}
    out_of = {b: [k.name for k in power.links if k.bus0 == b] for b in inputs.buses}
    traded = {b: [k.name for k in power.markets if k.bus == b] for b in inputs.buses}

    def injections(bus: str, t: int) -> list[Any]:
        terms = [m.gen[g, t] for g in at[bus]] + [m.trade[k, t] for k in traded[bus]]
        terms += [k.efficiency * m.pflow[k.name, t] for k in into[bus]]
        terms += [-m.pflow[name, t] for name in out_of[bus]]
        return terms

    demand = demand_by_bus(((load.bus, load.mw) for load in power.loads), len(weight))
    cost = [
        weight[t] * g.marginal_eur_per_mwh * m.gen[g.name, t]
        for g in power.generators
        if g.marginal_eur_per_mwh
        for t in m.T
    ]
    cost += [
        weight[t] * k.marginal_eur_per_mwh * m.pflow[k.name, t]
        for k in power.links
        if k.marginal_eur_per_mwh
        for t in m.T
    ]
    cost += [weight[t] * k.price[t] * m.trade[k.name, t] for k in power.markets for t in m.T]
    cost += [gens[g].cost_eur_per_mw * m.gcap[g] for g in m.PGX]
    cost += [links[name].cost_eur_per_mw * m.pcap[name] for name in m.PLX]
    cost.append(sum(k.fixed_cost_eur for k in power.links))
    if power.cbam is not None:
        cost += _add_cbam(m, power.cbam, links, weight)
    _add_targets(m, power, weight)
    return Part(injections, demand, cost, {name: m.pcap[name] for name in m.PLX})


def _add_targets(m: pyo.ConcreteModel, power: PowerInputs, weight: dict) -> None:
    """Each enforced renewable target: renewable − share × (renewable + fossil) ≥ 0 over the country's
    capacity (MW, built ones as variables) or generation over the horizon (MWh)."""
    m.renewable_target = pyo.ConstraintList()
    for target in power.targets:
        buses = {bus for bus, country in power.bus_country.items() if country == target.country}
        green = [g for g in power.generators if g.bus in buses and g.carrier in target.renewable_carriers]
        fossil = [g for g in power.generators if g.bus in buses and g.carrier in target.rest_carriers]
        plants = [k for k in power.links if k.bus1 in buses and k.carrier in FOSSIL_CARRIERS]
        if target.basis == "capacity":

            def gen_amount(g: Any) -> Any:
                return m.gcap[g.name] if g.capacity_mw is None else g.capacity_mw

            def link_amount(k: Any) -> Any:
                return k.efficiency * (m.pcap[k.name] if k.capacity_mw is None else k.capacity_mw)

        else:

            def gen_amount(g: Any) -> Any:
                return pyo.quicksum(weight[t] * m.gen[g.name, t] for t in m.T)

            def link_amount(k: Any) -> Any:
                return pyo.quicksum(weight[t] * k.efficiency * m.pflow[k.name, t] for t in m.T)

        renewable = sum(gen_amount(g) for g in green)
        rest = sum(gen_amount(g) for g in fossil) + sum(link_amount(k) for k in plants)
        lhs = (1 - target.share) * renewable - target.share * rest
        if isinstance(lhs, float | int):  # a capacity target with nothing to build: met by the data or not
            continue
        m.renewable_target.add(lhs >= 0)


def _add_cbam(m: pyo.ConcreteModel, border: PowerCbam, links: dict[str, Any], weight: dict) -> list[Any]:
    """CBAM's charged imports, their constraints, and their cost terms (EUR over the horizon)."""
    m.PCB = pyo.Set(initialize=list(border.charges), ordered=True)
    m.cbam_charged = pyo.Var(m.PCB, m.T, bounds=(0.0, None), doc="MW delivered into the EU and charged")

    def delivered(m: Any, name: str, t: int) -> Any:
        return links[name].efficiency * m.pflow[name, t]

    if border.treatment == "default":
        m.cbam_default = pyo.Constraint(
            m.PCB, m.T, rule=lambda m, name, t: m.cbam_charged[name, t] == delivered(m, name, t)
        )
    else:
        m.cbam_at_most_delivered = pyo.Constraint(
            m.PCB, m.T, rule=lambda m, name, t: m.cbam_charged[name, t] <= delivered(m, name, t)
        )
        m.cbam_matching = pyo.Constraint(
            m.T,
            rule=lambda m, t: (
                pyo.quicksum(delivered(m, name, t) - m.cbam_charged[name, t] for name in m.PCB)
                <= pyo.quicksum(m.gen[g, t] for g in border.matching)
            ),
        )
    return [weight[t] * border.charges[name] * m.cbam_charged[name, t] for name in m.PCB for t in m.T]


def power_quantity(m: pyo.ConcreteModel, inputs: PyomoInputs, kind: str, name: str) -> Quantity | None:
    """A compared electricity quantity as (expression, factor to its unit), None for an unknown one."""
    power, w = inputs.power_side, inputs.weights_h
    to_twh_y = inputs.annual_factor / MWH_PER_TWH
    cables = [k for k in power.links if k.carrier == "interconnector"]
    if kind == "cable flow":
        names = [k.name for k in cables if reverse_name(k.asset) == name and k.reverse]
        names += [k.name for k in cables if k.asset == name and not k.reverse]
        known = any(k.asset == name or reverse_name(k.asset) == name for k in cables)
        return (pyo.quicksum(w[t] * m.pflow[n, t] for n in names for t in m.T), to_twh_y) if known else None
    if kind == "cable built":
        names = [k.name for k in cables if k.asset == name and k.name in m.PLX]
        return (pyo.quicksum(m.pcap[n] for n in names), 1.0) if names else None
    if kind == "generator built":
        terms = [m.gcap[g.name] for g in power.generators if g.asset == name and g.name in m.PGX]
        plants = [
            k for k in power.links if k.asset == name and k.carrier == GAS_FIRED_CARRIER and k.name in m.PLX
        ]
        terms += [k.efficiency * m.pcap[k.name] for k in plants]  # fuel capacity → electric
        return (pyo.quicksum(terms), 1.0) if terms else None
    if kind == "cbam charged":
        if power.cbam is None:
            return None
        names = [k.name for k in cables if k.asset == name and k.name in power.cbam.charges]
        return (
            (pyo.quicksum(w[t] * m.cbam_charged[n, t] for n in names for t in m.T), to_twh_y)
            if names
            else None
        )
    if kind == "power delivery":
        names = [k.name for k in power.markets if k.bus == name]
        return (-pyo.quicksum(w[t] * m.trade[n, t] for n in names for t in m.T), to_twh_y) if names else None
    return None


def power_results(m: pyo.ConcreteModel, inputs: PyomoInputs) -> dict[str, dict[str, float]]:
    """The solved electricity quantities by kind (:data:`POWER_KINDS`) and name."""
    power = inputs.power_side
    names: dict[str, list[str]] = {kind: [] for kind in POWER_KINDS}
    for asset in dict.fromkeys(k.asset for k in power.links if k.carrier == "interconnector"):
        names["cable flow"] += [asset, reverse_name(asset)]
        names["cable built"].append(asset)
    names["generator built"] = list(
        dict.fromkeys(
            [g.asset for g in power.generators if g.capacity_mw is None]
            + [k.asset for k in power.links if k.carrier == GAS_FIRED_CARRIER and k.capacity_mw is None]
        )
    )
    names["power delivery"] = [k.bus for k in power.markets if k.bus in power.delivery_points]
    if power.cbam is not None:
        names["cbam charged"] = list(
            dict.fromkeys(k.asset for k in power.links if k.name in power.cbam.charges)
        )
    out: dict[str, dict[str, float]] = {kind: {} for kind in POWER_KINDS}
    for kind, listed in names.items():
        for name in listed:
            quantity = power_quantity(m, inputs, kind, name)
            if quantity is not None:
                out[kind][name] = float(pyo.value(quantity[0])) * quantity[1] + 0.0  # no -0.0
    return out
