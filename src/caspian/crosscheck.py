"""Cross-check: solve a gas network with caspian's PyPSA/linopy model and with the independent Pyomo
formulation (:mod:`caspian.pyomo`), and compare them side by side.

Compared: the objective (EUR over the horizon), annual flow per pipeline (bcm/y, all its segments),
capacity built per pipeline (expansion), annual delivery per gas market (bcm/y, as ``gas_delivery_bcm``
of :func:`caspian.results.summarize`), the time-weighted mean price per gas bus (EUR/MWh) and, for the
MILP, the option chosen per project. LP values must agree within :data:`LP_REL_TOL` (relative, with
absolute floors near zero); the MILP within the MIP gap for the objective and with identical choices
(its flows and prices come from the LP re-solved with the choices fixed, so they must agree as an LP).

Two kinds of non-uniqueness are recognised, proven on the Pyomo side and named in the row's note, never
absorbed by a wider tolerance: a bus price that differs because the LP's duals are not unique is
accepted when both prices lie inside the interval of valid mean prices the Pyomo side measures
(:meth:`GasModel.mean_price_bounds`); flows, capacities or deliveries that differ while the objectives
agree are accepted when holding all of them at the linopy values leaves the Pyomo LP's optimum where it
was (:meth:`GasModel.objective_holding`): both sides then found optimal solutions of the same LP.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import highspy

from caspian.build import build_network
from caspian.optimize import SolveOptions, solve_network
from caspian.pyomo import GasInputs, GasModel, PyomoGasResult, check_supported, gas_inputs
from caspian.results import summarize
from caspian.run import RunRequest, prepare, spec_solve_options
from caspian.units import bcm_per_year_to_mw, mw_to_bcm_per_year

LP_REL_TOL = 1e-6
"""Relative tolerance of every LP comparison (objective, flows, deliveries, capacities, prices)."""

OBJECTIVE_FLOOR_EUR = 1.0
"""Absolute floor of the objective comparison, EUR over the horizon: below it differences are noise."""

FLOW_FLOOR_BCM_Y = 1e-6
"""Absolute floor of flow, delivery and capacity comparisons, bcm/y (10.7 MWh/y, ~1.2 kW): a pipeline
that carries nothing on one side may carry solver round-off on the other."""

PRICE_FLOOR_EUR_MWH = 1e-6
"""Absolute floor of the price comparison, EUR/MWh."""

PROBE_NOISE_EUR_MWH = 1e-4
"""Resolution of the degeneracy probe, EUR/MWh: its interval of valid mean prices comes from objective
differences of 1 MW × modelled hours × price (~1e3 EUR over a week) computed to ~1e-2 EUR. A price
interval narrower than :data:`DEGENERATE_MIN_WIDTH_EUR_MWH` counts as a unique price; both sides'
prices must lie inside the interval widened by this noise."""

DEGENERATE_MIN_WIDTH_EUR_MWH = 10 * PROBE_NOISE_EUR_MWH
"""Width above which the probe's price interval shows genuinely non-unique duals, EUR/MWh."""

QUANTITY_KINDS = ("flow", "built", "delivery")
"""Row kinds that are primal quantities (checked for alternative optima together)."""


@dataclass(frozen=True)
class Row:
    """One compared quantity: kind (objective, flow, built, delivery, price, choice), name, unit, the
    linopy and Pyomo values, their relative difference, whether it is within tolerance, and a note."""

    kind: str
    name: str
    unit: str
    linopy: float | str | None
    pyomo: float | str | None
    rel_diff: float | None
    ok: bool
    note: str = ""


@dataclass(frozen=True)
class CrosscheckResult:
    """The comparison of one network. ``problem`` is 'LP' or 'MILP'; ``objective_tol`` the relative
    tolerance used on the objective (the MIP gap for a MILP); ``seconds`` the build and solve times
    of each formulation ('linopy build', 'linopy solve', 'pyomo build', 'pyomo solve'); the MIP gaps
    each solver reached; ``routes`` maps each pipeline to its route (``gas_pipelines.csv``)."""

    network: str
    mode: str
    problem: str
    objective_tol: float
    rows: tuple[Row, ...]
    seconds: dict[str, float]
    linopy_mip_gap: float | None = None
    pyomo_mip_gap: float | None = None
    routes: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        """True when every compared quantity is within tolerance."""
        return all(row.ok for row in self.rows)

    @property
    def disagreements(self) -> tuple[Row, ...]:
        """The rows out of tolerance."""
        return tuple(row for row in self.rows if not row.ok)


def rel_diff(a: float, b: float, floor: float) -> float:
    """|a − b| ÷ max(|a|, |b|, floor): relative difference, absolute below ``floor``."""
    if math.isnan(a) and math.isnan(b):
        return 0.0
    return abs(a - b) / max(abs(a), abs(b), floor)


def _compare(
    kind: str, unit: str, floor: float, linopy: dict[str, float], pyomo: dict[str, float]
) -> list[Row]:
    """Rows of one kind of quantity, judged against :data:`LP_REL_TOL`."""
    rows = []
    for name in sorted(set(linopy) | set(pyomo)):
        a, b = linopy.get(name), pyomo.get(name)
        if a is None or b is None:
            rows.append(Row(kind, name, unit, a, b, None, False, "missing on one side"))
            continue
        diff = rel_diff(a, b, floor)
        rows.append(Row(kind, name, unit, a, b, diff, diff <= LP_REL_TOL))
    return rows


def _degenerate_prices(rows: list[Row], model: GasModel) -> list[Row]:
    """Re-judge each out-of-tolerance price with the Pyomo side's interval of valid mean prices."""
    judged = []
    for row in rows:
        if row.kind != "price" or row.ok or row.rel_diff is None:
            judged.append(row)
            continue
        low, high = model.mean_price_bounds(row.name)
        inside = all(
            low - PROBE_NOISE_EUR_MWH <= v <= high + PROBE_NOISE_EUR_MWH for v in (row.linopy, row.pyomo)
        )
        degenerate = high - low > DEGENERATE_MIN_WIDTH_EUR_MWH
        span = f"[{low:.4f}, {high:.4f}] EUR/MWh"
        if degenerate and inside:
            note = f"degenerate dual: any mean price in {span} is dual-optimal; both lie inside"
        elif degenerate:
            note = f"degenerate dual, but a price lies outside the valid interval {span}"
        else:
            note = f"unique price (valid interval {span}): disagreement"
        judged.append(
            Row(
                row.kind, row.name, row.unit, row.linopy, row.pyomo, row.rel_diff, degenerate and inside, note
            )
        )
    return judged


def _default_mip_gap() -> float:
    value = highspy.Highs().getOptionValue("mip_rel_gap")
    return float(value[1] if isinstance(value, tuple) else value)


def _linopy_side(spec: Any, data: Any, options: SolveOptions) -> tuple[dict[str, Any], dict[str, float]]:
    """Solve with caspian's own build and solve; read flows and prices from its summary."""
    start = time.perf_counter()
    built = build_network(spec, data)
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        logged = SolveOptions(
            options.highs_options, options.time_limit, Path(tmp) / "linopy.log", options.mip_gap
        )
        outcome = solve_network(built.network, logged, built.lumpy_projects)
    ds = summarize(built.network, data)

    def series(name: str) -> dict[str, float]:
        return {str(k): float(v) for k, v in ds[name].to_series().items()} if name in ds else {}

    values = {
        "objective": outcome.objective,
        "flow": series("pipeline_flow_bcm"),
        "built": series("pipeline_built_bcm"),
        "delivery": series("gas_delivery_bcm"),
        "price": {
            k: v for k, v in series("price_eur_mwh").items() if built.network.buses.carrier[k] == "gas"
        },
        "choices": dict(outcome.mip.choices) if outcome.mip else {},
        "mip_gap": outcome.mip.gap if outcome.mip else None,
    }
    seconds = {"linopy build": build_s + outcome.formulate_seconds, "linopy solve": outcome.solve_seconds}
    return values, seconds


def _choice_rows(linopy: dict[str, str | None], pyomo: dict[str, str | None]) -> list[Row]:
    rows = []
    for project in sorted(set(linopy) | set(pyomo)):
        a, b = linopy.get(project, "(absent)"), pyomo.get(project, "(absent)")
        shown_a, shown_b = a or "not built", b or "not built"
        rows.append(Row("choice", project, "option", shown_a, shown_b, None, a == b))
    return rows


def _rows(linopy: dict[str, Any], pyomo: PyomoGasResult, objective_tol: float, expansion: bool) -> list[Row]:
    """Objective, flow, built-capacity, delivery and price rows (before any degeneracy check)."""
    diff = rel_diff(linopy["objective"], pyomo.objective_eur, OBJECTIVE_FLOOR_EUR)
    objective = Row(
        "objective", "objective", "EUR", linopy["objective"], pyomo.objective_eur, diff, diff <= objective_tol
    )
    rows = [objective]
    rows += _compare("flow", "bcm/y", FLOW_FLOOR_BCM_Y, linopy["flow"], pyomo.pipeline_flow_bcm_y)
    if expansion:
        pyomo_built = {k: mw_to_bcm_per_year(v) for k, v in pyomo.built_mw.items()}
        linopy_built = {
            k: v for k, v in linopy["built"].items() if k in pyomo_built or abs(v) > FLOW_FLOOR_BCM_Y
        }
        rows += _compare("built", "bcm/y", FLOW_FLOOR_BCM_Y, linopy_built, pyomo_built)
    rows += _compare("delivery", "bcm/y", FLOW_FLOOR_BCM_Y, linopy["delivery"], pyomo.delivery_bcm_y)
    rows += _compare("price", "EUR/MWh", PRICE_FLOOR_EUR_MWH, linopy["price"], pyomo.price_eur_mwh)
    return rows


def _alternative_optimum(rows: list[Row], model: GasModel, objective: float) -> list[Row]:
    """When the objectives agree but flows, capacities or deliveries do not, hold all the differing
    quantities at the linopy values in the Pyomo LP: if its optimum does not move (within
    :data:`LP_REL_TOL`), the LP has several optimal solutions and both sides found one."""
    differing = [r for r in rows if r.kind in QUANTITY_KINDS and not r.ok and r.rel_diff is not None]
    if not differing or not rows[0].ok:
        return rows
    held = model.objective_holding(
        {r.name: float(r.linopy) for r in differing if r.kind == "flow"},
        {r.name: bcm_per_year_to_mw(float(r.linopy)) for r in differing if r.kind == "built"},
        {r.name: float(r.linopy) for r in differing if r.kind == "delivery"},
    )
    moved = None if held is None else rel_diff(held, objective, OBJECTIVE_FLOOR_EUR)
    certified = moved is not None and moved <= LP_REL_TOL
    if certified:
        note = (
            f"alternative optimum: holding the {len(differing)} differing quantities at the linopy values "
            f"moves the Pyomo optimum by {moved:.1e} (relative)"
        )
    elif held is None:
        note = "disagreement: the linopy values are infeasible in the Pyomo model"
    else:
        note = f"disagreement: the linopy values cost {moved:.1e} (relative) more in the Pyomo model"
    chosen = {id(r) for r in differing}
    return [dataclasses.replace(r, ok=certified, note=note) if id(r) in chosen else r for r in rows]


def crosscheck(
    network_file: Path,
    data_dir: Path,
    scenario: str | None = None,
    overrides: Sequence[tuple[str, Any]] = (),
    pyomo_inputs_hook: Callable[[GasInputs], GasInputs] | None = None,
) -> CrosscheckResult:
    """Solve ``network_file`` (scenario and ``--set`` overrides resolved as ``caspian solve`` does)
    with both formulations and compare them. ``pyomo_inputs_hook`` may alter the Pyomo side's inputs
    before it is built — a test hook to show that the comparison detects a difference.

    Raises InputError for a network the Pyomo formulation does not cover (electricity, time
    segments), InfeasibleError or SolverError as ``caspian solve`` would."""
    spec, data = prepare(
        RunRequest(network_file, data_dir, results_dir=Path(), scenario=scenario, overrides=tuple(overrides))
    )
    check_supported(spec)
    options = spec_solve_options(spec, network_file)
    highs_options = options.solver_options()
    linopy, seconds = _linopy_side(spec, data, options)

    start = time.perf_counter()
    inputs = gas_inputs(spec, data)
    if pyomo_inputs_hook is not None:
        inputs = pyomo_inputs_hook(inputs)
    model = GasModel(inputs, highs_options)
    seconds["pyomo build"] = time.perf_counter() - start
    pyomo: PyomoGasResult = model.solve()
    seconds["pyomo solve"] = pyomo.solve_seconds

    milp = bool(inputs.projects) or bool(linopy["choices"])
    objective_tol = float(highs_options.get("mip_rel_gap", _default_mip_gap())) if milp else LP_REL_TOL
    objective_tol = max(objective_tol, LP_REL_TOL)
    rows = _rows(linopy, pyomo, objective_tol, expansion=spec.mode == "expansion")
    rows = _alternative_optimum(rows, model, pyomo.objective_eur)
    rows = _degenerate_prices(rows, model)
    if milp:
        rows += _choice_rows(linopy["choices"], pyomo.choices)
    return CrosscheckResult(
        network=spec.name,
        mode=spec.mode,
        problem="MILP" if milp else "LP",
        objective_tol=objective_tol,
        rows=tuple(rows),
        seconds=seconds,
        linopy_mip_gap=linopy["mip_gap"],
        pyomo_mip_gap=pyomo.mip_gap,
        routes=dict(inputs.routes),
    )
