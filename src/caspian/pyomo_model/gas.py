"""The gas network's part of the Pyomo model: variables, constraints and cost terms written directly
from :class:`~caspian.pyomo_model.gas_inputs.GasInputs`, and the gas quantities the cross-check compares.

Units: power in MW thermal (GCV) per snapshot, energy in MWh, money in EUR of the price year. Variables:

* ``flow[l, t]`` ≥ 0: gas sent into pipeline segment ``l`` at its ``bus0`` (``bus1`` receives
  ``efficiency × flow``; compressor fuel is the difference);
* ``cap[l]``: capacity of an expandable segment, MW (a MILP project's option binaries size it);
* ``supply[g, t]``: field output; ``alt[a, t]``: a market's non-corridor supply step;
* ``withdraw[s, t]``, ``inject[s, t]``, ``level[s, t]``: underground storage (MW, MW, MWh).

Constraints: capacity of expandable segments, each field's energy over the horizon and the storage
level (``level[t] = level[t−1] + w_t (inject − withdraw)``, cyclic over the horizon, within the
working volume). Costs: supply at its valuation, alternatives at TTF + spread, tariffs on gas sent,
storage cycling on gas withdrawn. The bus balance
(with the offtakes as fixed demand and gas-fired plants' fuel drawn by the electricity part), the
slack, the objective and the MILP options are assembled in :mod:`caspian.pyomo_model.model`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from caspian.pyomo_model.common import demand_by_bus
from caspian.pyomo_model.inputs import PyomoInputs
from caspian.pyomo_model.part import Part, Quantity
from caspian.units import MW_PER_BCM_PER_YEAR, MWH_PER_BCM

GAS_KINDS = {"flow": "bcm/y", "built": "bcm/y", "delivery": "bcm/y"}
"""Compared gas quantities and their units: annual flow into each pipeline (all its segments), capacity
added to each pipeline, annual delivery to each market bus."""


def add_gas(m: pyo.ConcreteModel, inputs: PyomoInputs) -> Part:
    """Add the gas variables and constraints to ``m`` (which has the snapshot set ``m.T``)."""
    gas = inputs.gas_side
    assert gas is not None
    weight = dict(enumerate(inputs.weights_h.tolist()))
    segments = {s.name: s for s in gas.segments}
    expandable = [s.name for s in gas.segments if s.capacity_mw is None]
    ones = np.ones(len(weight))

    def avail(name: str) -> np.ndarray:
        return gas.availability.get(name, ones)

    m.L = pyo.Set(initialize=list(segments), ordered=True)
    m.LX = pyo.Set(initialize=expandable, ordered=True)
    m.G = pyo.Set(initialize=[g.name for g in gas.supplies], ordered=True)
    m.A = pyo.Set(initialize=[a.name for a in gas.alternatives], ordered=True)
    m.ST = pyo.Set(initialize=[s.name for s in gas.stores], ordered=True)

    def flow_bounds(_m: Any, name: str, t: int) -> tuple[float, float | None]:
        seg = segments[name]
        return (0.0, None) if seg.capacity_mw is None else (0.0, avail(name)[t] * seg.capacity_mw)

    m.flow = pyo.Var(m.L, m.T, bounds=flow_bounds, doc="MW sent at bus0")
    m.cap = pyo.Var(m.LX, bounds=lambda _m, name: (0.0, segments[name].max_mw), doc="MW")
    supplies = {g.name: g for g in gas.supplies}
    m.supply = pyo.Var(
        m.G, m.T, bounds=lambda _m, g, t: (0.0, avail(g)[t] * supplies[g].capacity_mw), doc="MW"
    )
    alternatives = {a.name: a for a in gas.alternatives}
    m.alt = pyo.Var(
        m.A, m.T, bounds=lambda _m, a, t: (0.0, avail(a)[t] * alternatives[a].capacity_mw), doc="MW"
    )
    stores = {s.name: s for s in gas.stores}
    m.withdraw = pyo.Var(m.ST, m.T, bounds=lambda _m, s, t: (0.0, stores[s].withdrawal_mw), doc="MW")
    m.inject = pyo.Var(m.ST, m.T, bounds=lambda _m, s, t: (0.0, stores[s].injection_mw), doc="MW")
    m.level = pyo.Var(m.ST, m.T, bounds=lambda _m, s, t: (0.0, stores[s].energy_mwh), doc="MWh")
    last = len(weight) - 1
    m.storage_balance = pyo.Constraint(
        m.ST,
        m.T,
        rule=lambda m, s, t: (
            m.level[s, t]
            == m.level[s, last if t == 0 else t - 1] + weight[t] * (m.inject[s, t] - m.withdraw[s, t])
        ),
        doc="MWh, cyclic",
    )
    m.flow_limit = pyo.Constraint(
        m.LX, m.T, rule=lambda m, name, t: m.flow[name, t] <= avail(name)[t] * m.cap[name]
    )
    m.energy = pyo.Constraint(
        m.G,
        rule=lambda m, g: sum(weight[t] * m.supply[g, t] for t in m.T) <= supplies[g].energy_mwh,
        doc="MWh over the horizon",
    )
    into = {b: [s for s in gas.segments if s.bus1 == b] for b in gas.buses}
    out_of = {b: [s.name for s in gas.segments if s.bus0 == b] for b in gas.buses}
    fields = {b: [g.name for g in gas.supplies if g.bus == b] for b in gas.buses}
    imports = {b: [a.name for a in gas.alternatives if a.bus == b] for b in gas.buses}
    storage = {b: [s.name for s in gas.stores if s.bus == b] for b in gas.buses}

    def injections(bus: str, t: int) -> list[Any]:
        if bus not in into:
            return []
        terms = [m.supply[g, t] for g in fields[bus]] + [m.alt[a, t] for a in imports[bus]]
        terms += [m.withdraw[s, t] - m.inject[s, t] for s in storage[bus]]
        terms += [s.efficiency * m.flow[s.name, t] for s in into[bus]]
        terms += [-m.flow[name, t] for name in out_of[bus]]
        return terms

    demand = demand_by_bus(((o.bus, o.mw) for o in gas.offtakes), len(weight))
    cost = [weight[t] * g.cost_eur_per_mwh * m.supply[g.name, t] for g in gas.supplies for t in m.T]
    cost += [weight[t] * a.cost_eur_per_mwh[t] * m.alt[a.name, t] for a in gas.alternatives for t in m.T]
    cost += [
        weight[t] * s.tariff_eur_per_mwh * m.flow[s.name, t]
        for s in gas.segments
        if s.tariff_eur_per_mwh
        for t in m.T
    ]
    cost += [weight[t] * s.cost_eur_per_mwh * m.withdraw[s.name, t] for s in gas.stores for t in m.T]
    cost += [segments[name].cost_eur_per_mw * m.cap[name] for name in expandable]
    cost.append(sum(s.fixed_cost_eur for s in gas.segments))
    return Part(injections, demand, cost, {name: m.cap[name] for name in expandable})


def _delivery(m: pyo.ConcreteModel, inputs: PyomoInputs, bus: str) -> Any:
    """MWh over the horizon the pipelines bring to a delivery bus net of what they carry on (the
    definition of ``gas_pipeline_delivery_bcm`` in ``caspian.results.summary.summarize``)."""
    gas, w = inputs.gas_side, inputs.weights_h
    inflow = [s for s in gas.segments if s.bus1 == bus]
    outflow = [s.name for s in gas.segments if s.bus0 == bus]
    expr = pyo.quicksum(w[t] * s.efficiency * m.flow[s.name, t] for s in inflow for t in m.T)
    return expr - pyo.quicksum(w[t] * m.flow[name, t] for name in outflow for t in m.T)


def gas_quantity(m: pyo.ConcreteModel, inputs: PyomoInputs, kind: str, name: str) -> Quantity | None:
    """A compared gas quantity as (expression, factor to its unit), None for an unknown one."""
    gas, w = inputs.gas_side, inputs.weights_h
    to_bcm_y = inputs.annual_factor / MWH_PER_BCM
    if kind == "flow":
        names = [s.name for s in gas.segments if s.asset == name]
        expr = pyo.quicksum(w[t] * m.flow[n, t] for n in names for t in m.T)
        return (expr, to_bcm_y) if names else None
    if kind == "built":
        names = [s.name for s in gas.segments if s.asset == name and s.capacity_mw is None]
        return (pyo.quicksum(m.cap[n] for n in names), 1 / MW_PER_BCM_PER_YEAR) if names else None
    if kind == "delivery":
        return _delivery(m, inputs, name), to_bcm_y
    return None


def gas_results(m: pyo.ConcreteModel, inputs: PyomoInputs) -> dict[str, dict[str, float]]:
    """The solved gas quantities by kind (:data:`GAS_KINDS`) and name."""
    gas = inputs.gas_side
    out: dict[str, dict[str, float]] = {kind: {} for kind in GAS_KINDS}
    for asset in dict.fromkeys(s.asset for s in gas.segments):
        for kind in ("flow", "built"):
            quantity = gas_quantity(m, inputs, kind, asset)
            if quantity is not None:
                out[kind][asset] = pyo.value(quantity[0]) * quantity[1]
    buses = [b for b in gas.delivery_points if any(s.bus1 == b for s in gas.segments)]
    to_bcm_y = inputs.annual_factor / MWH_PER_BCM
    for bus in dict.fromkeys(buses):
        out["delivery"][bus] = max(pyo.value(_delivery(m, inputs, bus)), 0.0) * to_bcm_y
    return out
