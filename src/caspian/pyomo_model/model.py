"""The caspian LP/MILP written directly in Pyomo — gas, electricity or both, coupled through the gas
buses the gas-fired plants burn from — solved with HiGHS through Pyomo's APPSI interface: an
independent second formulation to cross-check the PyPSA/linopy model.

:func:`build_model` creates the snapshot set ``T``, the bus set ``B``, lets each carrier add its part
(:mod:`caspian.pyomo_model.gas`, :mod:`caspian.pyomo_model.power`), then assembles:

* ``balance[b, t]``: injections of both carriers' components plus the slack equal fixed demand (its
  dual ÷ snapshot weight is the bus price, EUR/MWh);
* ``unserved[b, t]``: priced slack at the buses with fixed demand (only with ``unserved_energy``; its
  annual energy per bus is compared as :data:`UNSERVED_KIND`);
* ``probe[b]``: extra flat demand, MW, held at 0 except while :meth:`PyomoModel.mean_price_bounds`
  measures how far a bus price may move;
* MILP: ``choice[p, o]`` binaries, at most one option per project, the project's segment capacity equal
  to the chosen option's, the option's cost in the objective;
* unit commitment: integer units online of the gas-fired plants (:mod:`caspian.pyomo_model.commitment`),
  their start-up costs in the objective;
* the objective: EUR over the modelled horizon.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs
from pyomo.core.expr.numvalue import is_fixed

from caspian.errors import InfeasibleError, SolverError
from caspian.inputs.solver import DEFAULT_HIGHS_OPTIONS
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset
from caspian.pyomo_model.commitment import add_commitment, fix_commitment, schedule_summary
from caspian.pyomo_model.gas import GAS_KINDS, add_gas, gas_quantity, gas_results
from caspian.pyomo_model.inputs import PyomoInputs, pyomo_inputs
from caspian.pyomo_model.part import Part, Quantity
from caspian.pyomo_model.power import POWER_KINDS, add_power, power_quantity, power_results
from caspian.units import MWH_PER_TWH

UNSERVED_KIND = "unserved"
"""Compared quantity: annual unserved energy per bus with fixed demand (TWh/y; only with the slack)."""

KIND_UNITS = {**GAS_KINDS, **POWER_KINDS, UNSERVED_KIND: "TWh/y"}
"""Every compared primal quantity kind and its unit."""

MIP_GAP_FLOOR_EUR = 1.0
"""Denominator floor of the relative MIP gap |objective − bound| ÷ |objective|, EUR."""

BINARY_ON = 0.5
"""A binary's solution value above this counts as chosen (HiGHS returns values within tolerance)."""

PRICE_PROBE_MW = 1.0
"""Extra (or reduced) flat demand, MW in every snapshot, with which :meth:`PyomoModel.mean_price_bounds`
measures the one-sided derivatives of the objective at a bus. Secant slopes over this step bracket the
bus's subdifferential from outside, so they certify that a mean price is a valid dual (degenerate
primal) without ever rejecting one that is."""

INFEASIBLE = {
    TerminationCondition.infeasible,
    TerminationCondition.infeasibleOrUnbounded,
    TerminationCondition.unbounded,
}


@dataclass(frozen=True)
class PyomoResult:
    """Solution of the Pyomo model.

    ``objective_eur``: EUR over the horizon (MILP: of the LP re-solved with the choices fixed).
    ``quantities``: kind (:data:`KIND_UNITS`) → name → value in the kind's unit. ``price_eur_mwh``:
    time-weighted mean of each bus's duals ÷ weights. ``build_seconds``: inputs, Pyomo model and its
    HiGHS instance; ``solve_seconds``: the HiGHS runs (MILP and LP) and reading the solution. MILP:
    ``choices`` (project → option or None), the MILP's own objective and dual bound (EUR over the
    horizon) and its relative gap. Unit commitment: ``commitment`` per plant (starts over the horizon,
    mean units online) of the MILP's own schedule; ``commitment_held`` when the LP was solved under
    another schedule (:meth:`PyomoModel.solve`), ``commitment_rejected`` when that schedule is
    infeasible in this model (the LP is then solved under the MILP's own)."""

    objective_eur: float
    quantities: dict[str, dict[str, float]]
    price_eur_mwh: dict[str, float]
    build_seconds: float
    solve_seconds: float
    size: dict[str, int]
    choices: dict[str, str | None] = field(default_factory=dict)
    mip_objective_eur: float | None = None
    mip_bound_eur: float | None = None
    mip_gap: float | None = None
    commitment: dict[str, tuple[float, float]] = field(default_factory=dict)
    commitment_held: bool = False
    commitment_rejected: bool = False


@dataclass(frozen=True)
class _Mip:
    """The MILP's project choices, objective and bound (EUR over the horizon), relative gap and
    commitment schedule ((plant, period) → units online)."""

    choices: dict[str, str | None]
    objective: float
    bound: float
    gap: float
    schedule: dict[tuple[str, int], float]


def build_model(inputs: PyomoInputs) -> pyo.ConcreteModel:
    """The Pyomo model of ``inputs`` (see the module docstring)."""
    m = pyo.ConcreteModel(name=inputs.name)
    weight = dict(enumerate(inputs.weights_h.tolist()))
    m.T = pyo.Set(initialize=range(len(weight)), ordered=True)
    m.B = pyo.Set(initialize=inputs.buses, ordered=True)
    m.probe = pyo.Var(m.B, bounds=(0.0, 0.0), doc="extra flat demand, MW (0 but in a price probe)")
    parts: list[Part] = []
    if inputs.gas is not None:
        parts.append(add_gas(m, inputs))
    if inputs.power is not None:
        parts.append(add_power(m, inputs))
    demand: dict[str, np.ndarray] = {}
    for part in parts:
        for bus, mw in part.demand.items():
            demand[bus] = demand.get(bus, 0.0) + mw
    slack = inputs.slack_cost_eur_per_mwh is not None
    if slack:
        m.S = pyo.Set(initialize=sorted(demand), ordered=True)
        m.unserved = pyo.Var(m.S, m.T, bounds=(0.0, inputs.slack_capacity_mw), doc="MW")

    def balance(m: Any, bus: str, t: int) -> Any:
        terms = [term for part in parts for term in part.injections(bus, t)]
        if slack and bus in demand:
            terms.append(m.unserved[bus, t])
        load = float(demand[bus][t]) if bus in demand else 0.0
        if not terms and load > 0:
            raise InfeasibleError(f"Pyomo model: {bus} has {load:,.0f} MW of demand and no supply")
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum([*terms, -m.probe[bus]]) == load

    m.balance = pyo.Constraint(m.B, m.T, rule=balance, doc="MW; dual = price × weight")
    cost = [term for part in parts for term in part.cost]
    if slack:
        price = inputs.slack_cost_eur_per_mwh or {}
        cost += [weight[t] * price[b] * m.unserved[b, t] for b in m.S for t in m.T]
    objective = pyo.quicksum(cost)
    projects = {p.name: p for p in inputs.projects}
    if projects:
        capacity = {name: var for part in parts for name, var in part.capacity.items()}
        keys = [(p.name, o.name) for p in projects.values() for o in p.options]
        m.choice = pyo.Var(keys, within=pyo.Binary)
        m.one_option = pyo.Constraint(
            list(projects), rule=lambda m, name: sum(m.choice[p, o] for p, o in keys if p == name) <= 1
        )
        m.option_capacity = pyo.Constraint(
            list(projects),
            rule=lambda m, name: (
                capacity[projects[name].segment]
                == sum(o.capacity_mw * m.choice[name, o.name] for o in projects[name].options)
            ),
        )
        objective += sum(o.cost_eur * m.choice[p.name, o.name] for p in projects.values() for o in p.options)
    if inputs.commitment:
        objective += _add_commitment(m, inputs)
    m.cost = pyo.Objective(expr=objective, sense=pyo.minimize, doc="EUR over the horizon")
    return m


def _add_commitment(m: pyo.ConcreteModel, inputs: PyomoInputs) -> Any:
    """The gas-fired plants' commitment on their output (generators) or fuel (links) variables."""
    power = inputs.power_side
    gens = {g.name: g for g in power.generators}
    links = {k.name: k for k in power.links}
    availability = {f.name: (gens[f.name] if f.name in gens else links[f.name]).pu for f in inputs.commitment}
    return add_commitment(
        m,
        inputs.commitment,
        len(inputs.weights_h),
        power=lambda name, t: m.gen[name, t] if name in gens else m.pflow[name, t],
        availability=availability,
        built=lambda name: m.gcap[name] if name in gens else m.pcap[name],
    )


class PyomoModel:
    """A built Pyomo model with its persistent HiGHS (APPSI) solver.

    ``highs_options`` are passed to HiGHS as they are (the crosscheck hands over the same set the
    linopy side uses: threads, crossover, time limit, MIP gap and the spec's ``solver.options``); None
    means caspian's defaults (:data:`caspian.inputs.solver.DEFAULT_HIGHS_OPTIONS`). HiGHS fixes its
    thread count at its first run in a process: later runs must ask for the same ``threads``."""

    def __init__(self, inputs: PyomoInputs, highs_options: Mapping[str, Any] | None = None) -> None:
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
    ) -> PyomoModel:
        """Derive the inputs from the spec and the data, then build (both count as build time)."""
        start = time.perf_counter()
        model = cls(pyomo_inputs(spec, data), highs_options)
        model.build_seconds = time.perf_counter() - start
        return model

    def _run(self) -> Any:
        results = self.solver.solve(self.model)
        if results.termination_condition in INFEASIBLE:
            raise InfeasibleError(f"Pyomo model: {results.termination_condition.name}")
        return results

    def _solve_milp(self) -> _Mip:
        """Branch and bound, then fix the choices and the commitment (continuous, so that the re-solve
        is an LP)."""
        results = self._run()
        if results.best_feasible_objective is None:
            raise SolverError(
                f"HiGHS stopped without a feasible MILP solution ({results.termination_condition})"
            )
        m = self.model
        choices: dict[str, str | None] = {}
        if self.inputs.projects:
            values = self.solver.get_primals(vars_to_load=list(m.choice.values()))
            for project in self.inputs.projects:
                picked = [
                    o.name for o in project.options if values[m.choice[project.name, o.name]] > BINARY_ON
                ]
                choices[project.name] = picked[0] if picked else None
            for (name, option), var in m.choice.items():
                var.domain = pyo.UnitInterval
                var.fix(1.0 if choices[name] == option else 0.0)
        schedule: dict[tuple[str, int], float] = {}
        if self.inputs.commitment:
            values = self.solver.get_primals(vars_to_load=list(m.uc_units.values()))
            schedule = {index: float(round(values[var])) for index, var in m.uc_units.items()}
            fix_commitment(m, schedule)
        objective, bound = float(results.best_feasible_objective), float(results.best_objective_bound)
        gap = abs(objective - bound) / max(abs(objective), MIP_GAP_FLOOR_EUR)
        return _Mip(choices, objective, bound, gap, schedule)

    def quantity(self, kind: str, name: str) -> Quantity | None:
        """A compared quantity (:data:`KIND_UNITS`) as (expression, factor to its unit)."""
        if kind in GAS_KINDS and self.inputs.gas is not None:
            return gas_quantity(self.model, self.inputs, kind, name)
        if kind in POWER_KINDS and self.inputs.power is not None:
            return power_quantity(self.model, self.inputs, kind, name)
        m, w = self.model, self.inputs.weights_h
        if kind == UNSERVED_KIND and hasattr(m, "unserved") and name in m.S:
            expr = pyo.quicksum(w[t] * m.unserved[name, t] for t in m.T)
            return expr, self.inputs.annual_factor / MWH_PER_TWH
        return None

    def solve(self, commitment: Mapping[tuple[str, int], float] | None = None) -> PyomoResult:
        """Solve (MILP: choices and commitment first, then the LP with them fixed for the duals) and
        read the result. With ``commitment`` ((plant, period) → units online, e.g. the other
        formulation's schedule) the LP is solved under that commitment instead of the MILP's own."""
        start = time.perf_counter()
        mip = self._solve_milp() if self.inputs.milp else None
        held = rejected = False
        if commitment is not None and mip is not None and dict(commitment) != mip.schedule:
            fix_commitment(self.model, commitment)
            try:
                results = self._run()
                held = True
            except InfeasibleError:  # the other schedule breaks this model's commitment constraints
                rejected = True
                fix_commitment(self.model, mip.schedule)
        if not held:
            results = self._run()
        if results.termination_condition != TerminationCondition.optimal:
            raise SolverError(
                f"HiGHS stopped without an optimal LP solution ({results.termination_condition})"
            )
        self.solver.load_vars()
        seconds = time.perf_counter() - start
        self._lp_objective = float(results.best_feasible_objective)
        m, inputs = self.model, self.inputs
        quantities: dict[str, dict[str, float]] = {}
        if inputs.gas is not None:
            quantities.update(gas_results(m, inputs))
        if inputs.power is not None:
            quantities.update(power_results(m, inputs))
        if hasattr(m, "unserved"):
            quantities[UNSERVED_KIND] = {}
            for bus in m.S:
                expr, factor = cast(Quantity, self.quantity(UNSERVED_KIND, bus))  # every slack bus has one
                quantities[UNSERVED_KIND][bus] = float(pyo.value(expr)) * factor
        duals = self.solver.get_duals(cons_to_load=list(m.balance.values()))
        prices = {}
        for bus in inputs.buses:
            rows = [m.balance[bus, t] for t in m.T if (bus, t) in m.balance]
            prices[bus] = float(sum(duals[row] for row in rows) / inputs.hours) if rows else float("nan")
        own_schedule = schedule_summary(mip.schedule, inputs.weights_h) if mip and mip.schedule else {}
        return PyomoResult(
            objective_eur=self._lp_objective,
            quantities=quantities,
            price_eur_mwh=prices,
            build_seconds=self.build_seconds,
            solve_seconds=seconds,
            size={"variables": m.nvariables(), "constraints": m.nconstraints()},
            choices=mip.choices if mip else {},
            mip_objective_eur=mip.objective if mip else None,
            mip_bound_eur=mip.bound if mip else None,
            mip_gap=mip.gap if mip else None,
            commitment=own_schedule,
            commitment_held=held,
            commitment_rejected=rejected,
        )

    def objective_holding(self, held: Mapping[tuple[str, str], float]) -> float | None:
        """Optimal objective (EUR over the horizon) of the solved LP with the given quantities — (kind,
        name) → value in the kind's unit (:data:`KIND_UNITS`; a value ≤ 0 is held as ≤ 0) — all held at
        once; None when that is infeasible or a quantity is unknown or fixed at another value. Equal to
        the optimum, it proves those values belong to an alternative optimal solution. The model is
        restored afterwards."""
        if self._lp_objective is None:
            raise RuntimeError("objective_holding needs a solved model")
        m = self.model
        constraints = []
        for (kind, name), value in held.items():
            quantity = self.quantity(kind, name)
            if quantity is None:
                return None
            expr, factor = quantity
            if is_fixed(expr):  # e.g. contracts alone: a fixed quantity cannot take another value
                return None
            constraints.append(expr == value / factor if value > 0 else expr <= 0)
        m.hold = pyo.Constraint(range(len(constraints)), rule=lambda _m, i: constraints[i])
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
