"""The gas network as an LP/MILP written directly in Pyomo, solved with HiGHS through Pyomo's APPSI
interface: an independent second formulation to cross-check the PyPSA/linopy model.

Units: power in MW thermal (GCV) per snapshot, energy in MWh, money in EUR of the price year; the
objective is EUR over the modelled horizon (snapshot weights in hours). Variables:

* ``flow[l, t]`` ≥ 0: gas sent into pipeline segment ``l`` at its ``bus0`` (``bus1`` receives
  ``efficiency × flow``; compressor fuel is the difference);
* ``cap[l]``: capacity of an expandable segment, MW; ``choice[p, o]``: binary option of a lumpy project;
* ``supply[g, t]``: field output; ``sale[m, t]``: sales into a European hub's sink;
  ``unserved[b, t]``: priced slack at the buses with fixed offtakes (only with ``unserved_energy``);
* ``probe[b]``: extra flat demand, MW, held at 0 except while :meth:`GasModel.mean_price_bounds`
  measures how far a bus price may move.

Constraints: the bus balance (its dual ÷ snapshot weight is the bus price, EUR/MWh), capacity of
expandable segments, each field's energy over the horizon, and for MILP at most one option per project
with the segment's capacity equal to the chosen option's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs
from pyomo.core.expr.numvalue import is_fixed

from caspian.data import Dataset
from caspian.errors import InfeasibleError, SolverError
from caspian.optimize import DEFAULT_HIGHS_OPTIONS
from caspian.pyomo.inputs import GasInputs, gas_inputs
from caspian.results import EUROPEAN_GAS_MARKETS
from caspian.schema import NetworkSpec
from caspian.units import MWH_PER_BCM, mwh_to_bcm

MIP_GAP_FLOOR_EUR = 1.0
"""Denominator floor of the relative MIP gap |objective − bound| ÷ |objective|, EUR."""

BINARY_ON = 0.5
"""A binary's solution value above this counts as chosen (HiGHS returns values within tolerance)."""

PRICE_PROBE_MW = 1.0
"""Extra (or reduced) flat demand, MW in every snapshot, with which :meth:`GasModel.mean_price_bounds`
measures the one-sided derivatives of the objective at a bus. Secant slopes over this step bracket the
bus's subdifferential from outside, so they certify that a mean price is a valid dual (degenerate
primal) without ever rejecting one that is."""

DELIVERY_BUSES_EXTRA = ("TR gas",)
"""Buses besides the European gas markets whose contracted offtakes count as deliveries (as in
``caspian.results.summarize``: Türkiye's contract is a delivery to a market)."""

INFEASIBLE = {
    TerminationCondition.infeasible,
    TerminationCondition.infeasibleOrUnbounded,
    TerminationCondition.unbounded,
}


@dataclass(frozen=True)
class PyomoGasResult:
    """Solution of the Pyomo gas model.

    ``objective_eur``: EUR over the horizon (MILP: of the LP re-solved with the choices fixed).
    ``pipeline_flow_bcm_y``: annualised gas sent into each pipeline asset (all its segments), bcm/y.
    ``delivery_bcm_y``: annualised deliveries per market bus (sink sales plus contracted offtakes, less
    unserved demand), bcm/y. ``price_eur_mwh``: time-weighted mean of the bus duals ÷ weights.
    ``built_mw``: capacity added per asset, MW. ``build_seconds``: inputs, Pyomo model and its HiGHS
    instance; ``solve_seconds``: the HiGHS runs (MILP and LP) and reading the solution. MILP:
    ``choices`` (project → option or None), the MILP's own objective and dual bound (EUR over the
    horizon) and its relative gap."""

    objective_eur: float
    pipeline_flow_bcm_y: dict[str, float]
    delivery_bcm_y: dict[str, float]
    price_eur_mwh: dict[str, float]
    built_mw: dict[str, float]
    build_seconds: float
    solve_seconds: float
    size: dict[str, int]
    choices: dict[str, str | None] = field(default_factory=dict)
    mip_objective_eur: float | None = None
    mip_bound_eur: float | None = None
    mip_gap: float | None = None


def _annual_bcm(inputs: GasInputs, mwh_over_horizon: float) -> float:
    return mwh_to_bcm(mwh_over_horizon * inputs.annual_factor)


def build_model(inputs: GasInputs) -> pyo.ConcreteModel:
    """The Pyomo model of ``inputs`` (see the module docstring for its variables and constraints)."""
    m = pyo.ConcreteModel(name=inputs.name)
    snapshots = range(len(inputs.weights_h))
    weight = dict(enumerate(inputs.weights_h.tolist()))
    segments = {s.name: s for s in inputs.segments}
    expandable = [s.name for s in inputs.segments if s.capacity_mw is None]
    ones = np.ones(len(weight))

    def avail(name: str) -> np.ndarray:
        return inputs.availability.get(name, ones)

    m.T = pyo.Set(initialize=snapshots, ordered=True)
    m.B = pyo.Set(initialize=inputs.buses, ordered=True)
    m.L = pyo.Set(initialize=list(segments), ordered=True)
    m.LX = pyo.Set(initialize=expandable, ordered=True)
    m.G = pyo.Set(initialize=[g.name for g in inputs.supplies], ordered=True)
    m.M = pyo.Set(initialize=[k.name for k in inputs.markets], ordered=True)
    m.probe = pyo.Var(m.B, bounds=(0.0, 0.0), doc="extra flat demand, MW (0 but in a price probe)")

    def flow_bounds(_m: Any, name: str, t: int) -> tuple[float, float | None]:
        seg = segments[name]
        return (0.0, None) if seg.capacity_mw is None else (0.0, avail(name)[t] * seg.capacity_mw)

    m.flow = pyo.Var(m.L, m.T, bounds=flow_bounds, doc="MW sent at bus0")
    m.cap = pyo.Var(m.LX, bounds=lambda _m, name: (0.0, segments[name].max_mw), doc="MW")
    supplies = {g.name: g for g in inputs.supplies}
    m.supply = pyo.Var(
        m.G, m.T, bounds=lambda _m, g, t: (0.0, avail(g)[t] * supplies[g].capacity_mw), doc="MW"
    )
    markets = {k.name: k for k in inputs.markets}
    m.sale = pyo.Var(m.M, m.T, bounds=lambda _m, k, t: (0.0, markets[k].capacity_mw), doc="MW")
    slack = inputs.slack_cost_eur_per_mwh is not None
    if slack:
        m.S = pyo.Set(initialize=sorted({o.bus for o in inputs.offtakes}), ordered=True)
        m.unserved = pyo.Var(m.S, m.T, bounds=(0.0, inputs.slack_capacity_mw), doc="MW")

    m.flow_limit = pyo.Constraint(
        m.LX, m.T, rule=lambda m, name, t: m.flow[name, t] <= avail(name)[t] * m.cap[name]
    )
    m.energy = pyo.Constraint(
        m.G,
        rule=lambda m, g: sum(weight[t] * m.supply[g, t] for t in m.T) <= supplies[g].energy_mwh,
        doc="MWh over the horizon",
    )
    load = dict.fromkeys(inputs.buses, 0.0)
    for offtake in inputs.offtakes:
        load[offtake.bus] += offtake.mw
    into = {b: [s for s in inputs.segments if s.bus1 == b] for b in inputs.buses}
    out_of = {b: [s.name for s in inputs.segments if s.bus0 == b] for b in inputs.buses}
    fields = {b: [g.name for g in inputs.supplies if g.bus == b] for b in inputs.buses}
    sinks = {b: [k.name for k in inputs.markets if k.bus == b] for b in inputs.buses}

    def balance(m: Any, bus: str, t: int) -> Any:
        terms = [m.supply[g, t] for g in fields[bus]] + [-m.sale[k, t] for k in sinks[bus]]
        terms += [s.efficiency * m.flow[s.name, t] for s in into[bus]]
        terms += [-m.flow[name, t] for name in out_of[bus]]
        if slack and bus in m.S:
            terms.append(m.unserved[bus, t])
        if not terms and load[bus] > 0:
            raise InfeasibleError(f"Pyomo gas model: {bus} has {load[bus]:,.0f} MW of demand and no supply")
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum([*terms, -m.probe[bus]]) == load[bus]

    m.balance = pyo.Constraint(m.B, m.T, rule=balance, doc="MW; dual = price × weight")

    terms = [weight[t] * g.cost_eur_per_mwh * m.supply[g.name, t] for g in inputs.supplies for t in m.T]
    terms += [-weight[t] * k.price_eur_per_mwh * m.sale[k.name, t] for k in inputs.markets for t in m.T]
    if slack:
        price = inputs.slack_cost_eur_per_mwh
        terms += [weight[t] * price * m.unserved[b, t] for b in m.S for t in m.T]
    terms += [segments[name].cost_eur_per_mw * m.cap[name] for name in expandable]
    cost = pyo.quicksum(terms) + sum(s.fixed_cost_eur for s in inputs.segments)
    if inputs.projects:
        keys = [(p.name, o.name) for p in inputs.projects for o in p.options]
        m.choice = pyo.Var(keys, within=pyo.Binary)
        m.one_option = pyo.Constraint(
            [p.name for p in inputs.projects],
            rule=lambda m, name: sum(m.choice[p, o] for p, o in keys if p == name) <= 1,
        )
        projects = {p.name: p for p in inputs.projects}
        m.option_capacity = pyo.Constraint(
            list(projects),
            rule=lambda m, name: (
                m.cap[projects[name].segment]
                == sum(o.capacity_mw * m.choice[name, o.name] for o in projects[name].options)
            ),
        )
        cost += sum(o.cost_eur * m.choice[p.name, o.name] for p in inputs.projects for o in p.options)
    m.cost = pyo.Objective(expr=cost, sense=pyo.minimize, doc="EUR over the horizon")
    return m


class GasModel:
    """A built Pyomo gas model with its persistent HiGHS (APPSI) solver.

    ``highs_options`` are passed to HiGHS as they are (the crosscheck hands over the same set the
    linopy side uses: threads, crossover, time limit, MIP gap and the spec's ``solver.options``); None
    means caspian's defaults (:data:`caspian.optimize.DEFAULT_HIGHS_OPTIONS`). HiGHS fixes its thread
    count at its first run in a process: later runs must ask for the same ``threads``."""

    def __init__(self, inputs: GasInputs, highs_options: Mapping[str, Any] | None = None) -> None:
        start = time.perf_counter()
        self.inputs = inputs
        self.model = build_model(inputs)
        self.solver = Highs()
        self.solver.config.stream_solver = False
        self.solver.config.log_level = logging.DEBUG  # HiGHS's log as debug records, not on the console
        self.solver.config.load_solution = False
        self.solver.highs_options = dict(DEFAULT_HIGHS_OPTIONS if highs_options is None else highs_options)
        self.solver.set_instance(self.model)
        self.build_seconds = time.perf_counter() - start
        self._lp_objective: float | None = None

    @classmethod
    def from_spec(
        cls, spec: NetworkSpec, data: Dataset, highs_options: Mapping[str, Any] | None = None
    ) -> GasModel:
        """Derive the inputs from the spec and the data, then build (both count as build time)."""
        start = time.perf_counter()
        model = cls(gas_inputs(spec, data), highs_options)
        model.build_seconds = time.perf_counter() - start
        return model

    def _run(self) -> Any:
        results = self.solver.solve(self.model)
        if results.termination_condition in INFEASIBLE:
            raise InfeasibleError(f"Pyomo gas model: {results.termination_condition.name}")
        return results

    def _solve_milp(self) -> tuple[dict[str, str | None], float, float, float]:
        """Branch and bound, then fix the choices (continuous, so that the re-solve is an LP)."""
        results = self._run()
        if results.best_feasible_objective is None:
            raise SolverError(
                f"HiGHS stopped without a feasible MILP solution ({results.termination_condition})"
            )
        values = self.solver.get_primals(vars_to_load=list(self.model.choice.values()))
        choices: dict[str, str | None] = {}
        for project in self.inputs.projects:
            picked = [
                o.name for o in project.options if values[self.model.choice[project.name, o.name]] > BINARY_ON
            ]
            choices[project.name] = picked[0] if picked else None
        for (name, option), var in self.model.choice.items():
            var.domain = pyo.UnitInterval
            var.fix(1.0 if choices[name] == option else 0.0)
        objective, bound = float(results.best_feasible_objective), float(results.best_objective_bound)
        return choices, objective, bound, abs(objective - bound) / max(abs(objective), MIP_GAP_FLOOR_EUR)

    def solve(self) -> PyomoGasResult:
        """Solve (MILP: choices first, then the LP with them fixed for the duals) and read the result."""
        start = time.perf_counter()
        mip = self._solve_milp() if self.inputs.milp else None
        results = self._run()
        if results.termination_condition != TerminationCondition.optimal:
            raise SolverError(
                f"HiGHS stopped without an optimal LP solution ({results.termination_condition})"
            )
        self.solver.load_vars()
        seconds = time.perf_counter() - start
        self._lp_objective = float(results.best_feasible_objective)
        m, inputs = self.model, self.inputs
        weights = inputs.weights_h

        def energy(var: Any, name: str) -> float:
            return float(sum(weights[t] * (var[name, t].value or 0.0) for t in m.T))

        flows: dict[str, float] = {}
        built: dict[str, float] = {}
        for seg in inputs.segments:
            flows[seg.asset] = flows.get(seg.asset, 0.0) + _annual_bcm(inputs, energy(m.flow, seg.name))
            if seg.capacity_mw is None:
                built[seg.asset] = built.get(seg.asset, 0.0) + float(m.cap[seg.name].value)
        duals = self.solver.get_duals(cons_to_load=list(m.balance.values()))
        prices = {}
        for bus in inputs.buses:
            rows = [m.balance[bus, t] for t in m.T if (bus, t) in m.balance]
            prices[bus] = float(sum(duals[row] for row in rows) / inputs.hours) if rows else float("nan")
        choices, mip_objective, mip_bound, mip_gap = mip if mip else ({}, None, None, None)
        return PyomoGasResult(
            objective_eur=self._lp_objective,
            pipeline_flow_bcm_y=flows,
            delivery_bcm_y=self._deliveries(energy),
            price_eur_mwh=prices,
            built_mw=built,
            build_seconds=self.build_seconds,
            solve_seconds=seconds,
            size={"variables": m.nvariables(), "constraints": m.nconstraints()},
            choices=choices,
            mip_objective_eur=mip_objective,
            mip_bound_eur=mip_bound,
            mip_gap=mip_gap,
        )

    def _deliveries(self, energy: Any) -> dict[str, float]:
        """Sink sales plus contracted offtakes at the market buses, less unserved demand there, bcm/y
        (the definition of ``gas_delivery_bcm`` in ``caspian.results.summarize``)."""
        m, inputs = self.model, self.inputs
        mwh: dict[str, float] = {}
        for market in inputs.markets:
            if market.bus in EUROPEAN_GAS_MARKETS:
                mwh[market.bus] = energy(m.sale, market.name)
        for offtake in inputs.offtakes:
            if offtake.bus in (*EUROPEAN_GAS_MARKETS, *DELIVERY_BUSES_EXTRA):
                mwh[offtake.bus] = mwh.get(offtake.bus, 0.0) + offtake.mw * inputs.hours
        if inputs.slack_cost_eur_per_mwh is not None:
            mwh = {
                bus: max(value - (energy(m.unserved, bus) if bus in m.S else 0.0), 0.0)
                for bus, value in mwh.items()
            }
        return {bus: _annual_bcm(inputs, value) for bus, value in mwh.items()}

    def objective_holding(
        self,
        flows_bcm_y: Mapping[str, float],
        built_mw: Mapping[str, float],
        deliveries_bcm_y: Mapping[str, float],
    ) -> float | None:
        """Optimal objective (EUR over the horizon) of the solved LP with the given annual pipeline flows
        (bcm/y), capacities built (MW) and market deliveries (bcm/y, a delivery of 0 as ≤ 0) all held
        at once; None when that is infeasible. Equal to the optimum, it proves those values belong to an
        alternative optimal solution. The model is restored afterwards."""
        if self._lp_objective is None:
            raise RuntimeError("objective_holding needs a solved model")
        m, inputs = self.model, self.inputs
        to_mwh = MWH_PER_BCM / inputs.annual_factor  # bcm/y → MWh over the horizon

        def sent(var: Any, names: list[str]) -> Any:
            return pyo.quicksum(inputs.weights_h[t] * var[name, t] for name in names for t in m.T)

        held = []
        for asset, value in flows_bcm_y.items():
            held.append(sent(m.flow, [s.name for s in inputs.segments if s.asset == asset]) == value * to_mwh)
        for asset, value in built_mw.items():
            names = [s.name for s in inputs.segments if s.asset == asset and s.capacity_mw is None]
            held.append(pyo.quicksum(m.cap[name] for name in names) == value)
        for bus, value in deliveries_bcm_y.items():
            expr = sent(
                m.sale, [k.name for k in inputs.markets if k.bus == bus and bus in EUROPEAN_GAS_MARKETS]
            )
            expr += sum(o.mw * inputs.hours for o in inputs.offtakes if o.bus == bus)
            if inputs.slack_cost_eur_per_mwh is not None and bus in m.S:
                expr -= sent(m.unserved, [bus])
            if is_fixed(expr):  # contracts alone: a fixed delivery cannot take another value
                return None
            held.append(expr == value * to_mwh if value > 0 else expr <= 0)
        m.hold = pyo.Constraint(range(len(held)), rule=lambda _m, i: held[i])
        try:
            results = self.solver.solve(self.model)
            optimal = results.termination_condition == TerminationCondition.optimal
            return float(results.best_feasible_objective) if optimal else None
        finally:
            m.del_component(m.hold)

    def mean_price_bounds(self, bus: str) -> tuple[float, float]:
        """Interval of the bus's time-weighted mean price (EUR/MWh) over which the LP's duals may vary:
        secant slopes of the objective for ∓ :data:`PRICE_PROBE_MW` of flat demand at ``bus``
        (±inf where the probe is infeasible). A wide interval means the price is degenerate. Call after
        :meth:`solve`; the Pyomo variables keep the values :meth:`solve` loaded."""
        if self._lp_objective is None:
            raise RuntimeError("mean_price_bounds needs a solved model")
        slopes = []
        for sign in (-1.0, 1.0):
            self.model.probe[bus].setlb(sign * PRICE_PROBE_MW)
            self.model.probe[bus].setub(sign * PRICE_PROBE_MW)
            results = self.solver.solve(self.model)
            if results.termination_condition != TerminationCondition.optimal:
                slopes.append(sign * float("inf"))
                continue
            change = float(results.best_feasible_objective) - self._lp_objective
            slopes.append(change / (sign * PRICE_PROBE_MW * self.inputs.hours))
        self.model.probe[bus].setlb(0.0)
        self.model.probe[bus].setub(0.0)
        return slopes[0], slopes[1]


def solve_gas(
    spec: NetworkSpec, data: Dataset, highs_options: Mapping[str, Any] | None = None
) -> PyomoGasResult:
    """Build the Pyomo gas model of ``spec`` from ``data`` and solve it with HiGHS."""
    return GasModel.from_spec(spec, data, highs_options).solve()
