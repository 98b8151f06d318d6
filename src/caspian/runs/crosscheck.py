"""Cross-check: solve a network with caspian's PyPSA/linopy model and with the independent Pyomo
formulation (:mod:`caspian.pyomo_model`), and compare them side by side.

Compared: the objective (EUR over the horizon); on the gas side the annual flow per pipeline (bcm/y,
all its segments), capacity built per pipeline (expansion) and annual delivery per gas market (bcm/y,
as ``gas_pipeline_delivery_bcm`` of :func:`caspian.results.summary.summarize`); on the electricity side the
annual power sent into each interconnector, forward and reverse (TWh/y), interconnector capacity built
(MW), electric capacity built per fleet (MW: renewable expansions, peakers) and annual sales per power
market (TWh/y, ``power_sales_twh``); with priced slack the unserved energy per bus with fixed demand (TWh/y);
the time-weighted mean price at every bus (EUR/MWh) and, for the MILP,
the option chosen per project. LP values must agree within :data:`LP_REL_TOL` (relative, with absolute
floors near zero). A MILP needs identical choices; its objective, flows and prices come from the LP
re-solved with the choices (and the commitment) fixed, so they must agree as an LP, and the Pyomo MILP's
own objective must lie within the MIP gap. With unit commitment each plant's starts and mean units
online are compared; differing schedules pass only when the Pyomo LP under the linopy schedule is
feasible and within the MIP gap of the Pyomo MILP's optimum.

Two kinds of non-uniqueness are recognised, proven on the Pyomo side and named in the row's note, never
absorbed by a wider tolerance: a bus price that differs because the LP's duals are not unique is
accepted when both prices lie inside the interval of valid mean prices the Pyomo side measures
(:meth:`PyomoModel.mean_price_bounds`); quantities that differ while the objectives agree are accepted
when holding all of them at the linopy values leaves the Pyomo LP's optimum where it was
(:meth:`PyomoModel.objective_holding`): both sides then found optimal solutions of the same LP.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import highspy

from caspian.pyomo_model import (
    KIND_UNITS,
    PyomoInputs,
    PyomoModel,
    PyomoResult,
    check_supported,
    pyomo_inputs,
)
from caspian.pypsa_model import build_network
from caspian.pypsa_model.commitment import solved_schedule
from caspian.pypsa_model.solve import SolveOptions, solve_network
from caspian.results.summary import summarize
from caspian.runs.single import RunRequest, prepare, spec_solve_options

LP_REL_TOL = 1e-6
"""Relative tolerance of every LP comparison (objective, flows, deliveries, capacities, prices)."""

OBJECTIVE_FLOOR_EUR = 1.0
"""Absolute floor of the objective comparison, EUR over the horizon: below it differences are noise."""

FLOW_FLOOR_BCM_Y = 1e-6
"""Absolute floor of flow, delivery and capacity comparisons, bcm/y (10.7 MWh/y, ~1.2 kW): a pipeline
that carries nothing on one side may carry solver round-off on the other."""

ENERGY_FLOOR_TWH_Y = 1e-5
"""Absolute floor of electricity flow and sales comparisons, TWh/y (10 MWh/y, ~1.1 kW)."""

CAPACITY_FLOOR_MW = 1e-3
"""Absolute floor of electric capacity comparisons, MW (1 kW)."""

FLOORS = {"bcm/y": FLOW_FLOOR_BCM_Y, "TWh/y": ENERGY_FLOOR_TWH_Y, "MW": CAPACITY_FLOOR_MW}
"""Absolute floor of each compared quantity's unit."""

PRICE_FLOOR_EUR_MWH = 1e-6
"""Absolute floor of the price comparison, EUR/MWh."""

COMMITMENT_FLOOR_UNITS = 1.0
"""Absolute floor of the starts and mean-units-online comparison, units: below one unit a relative
difference means nothing."""

PROBE_NOISE_EUR_MWH = 1e-4
"""Resolution of the degeneracy probe, EUR/MWh: its interval of valid mean prices comes from objective
differences of 1 MW × modelled hours × price (~1e3 EUR over a week) computed to ~1e-2 EUR. A price
interval narrower than :data:`DEGENERATE_MIN_WIDTH_EUR_MWH` counts as a unique price; both sides'
prices must lie inside the interval widened by this noise."""

DEGENERATE_MIN_WIDTH_EUR_MWH = 10 * PROBE_NOISE_EUR_MWH
"""Width above which the probe's price interval shows genuinely non-unique duals, EUR/MWh."""

QUANTITY_KINDS = tuple(KIND_UNITS)
"""Row kinds that are primal quantities (checked for alternative optima together)."""

BUILT_KINDS = ("built", "cable built", "generator built")
"""Capacity-built kinds, compared in expansion mode only."""

REPORTED_AS_ZERO_KINDS = (*BUILT_KINDS, "unserved")
"""Kinds the linopy summary reports as 0 for assets or buses that cannot have any (nothing to build, no
slack): compared where the Pyomo side has the quantity or the linopy value is not 0."""

LINOPY_SERIES = {
    "flow": "pipeline_flow_bcm",
    "built": "pipeline_built_bcm",
    "delivery": "gas_pipeline_delivery_bcm",
    "cable built": "cable_built_mw",
    "generator built": "generator_built_mw",
    "power delivery": "power_sales_twh",
    "cbam charged": "cbam_charged_twh",
    "unserved": "unserved_twh",
}
"""Summary variable of each compared kind on the linopy side; 'cable flow' joins ``cable_forward_twh``
and ``cable_reverse_twh`` (the latter named '<asset> reverse')."""


@dataclass(frozen=True)
class Row:
    """One compared quantity: kind (objective, a primal quantity of :data:`QUANTITY_KINDS`, price, choice),
    name, unit, the linopy and Pyomo values, their relative difference, whether it is within tolerance,
    and a note."""

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
    tolerance of the MILP objectives (the MIP gap; :data:`LP_REL_TOL` for an LP); ``seconds`` the build
    and solve times of each formulation ('linopy build', 'linopy solve', 'pyomo build', 'pyomo solve');
    the MIP gaps each solver reached; ``routes`` maps each pipeline to its route (``gas_pipelines.csv``)."""

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


def _degenerate_prices(rows: list[Row], model: PyomoModel) -> list[Row]:
    """Re-judge each out-of-tolerance price with the Pyomo side's interval of valid mean prices."""
    judged = []
    for row in rows:
        if row.kind != "price" or row.ok or row.rel_diff is None:
            judged.append(row)
            continue
        low, high = model.mean_price_bounds(row.name)
        inside = all(
            low - PROBE_NOISE_EUR_MWH <= float(cast(float, v)) <= high + PROBE_NOISE_EUR_MWH
            for v in (row.linopy, row.pyomo)
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
    """Solve with caspian's own build and solve; read the compared quantities from its summary."""
    start = time.perf_counter()
    built = build_network(spec, data)
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        logged = dataclasses.replace(options, log_file=Path(tmp) / "linopy.log")
        outcome = solve_network(built.network, logged, built.lumpy_projects, built.commitment, built.policy)
    ds = summarize(built.network, data)
    schedule = _linopy_schedule(built.network) if built.commitment else None

    def series(name: str, suffix: str = "") -> dict[str, float]:
        return {f"{k}{suffix}": float(v) for k, v in ds[name].to_series().items()} if name in ds else {}

    values: dict[str, Any] = {kind: series(name) for kind, name in LINOPY_SERIES.items()}
    values["cable flow"] = {**series("cable_forward_twh"), **series("cable_reverse_twh", " reverse")}
    values |= {
        "objective": outcome.objective,
        "price": series("price_eur_mwh"),
        "choices": dict(outcome.mip.choices) if outcome.mip else {},
        "mip_gap": outcome.mip.gap if outcome.mip else None,
        "schedule": schedule,
        "commitment": {k: (c.starts, c.mean_online) for k, c in outcome.commitment.items()},
    }
    seconds = {"linopy build": build_s + outcome.formulate_seconds, "linopy solve": outcome.solve_seconds}
    return values, seconds


def _linopy_schedule(n: Any) -> dict[tuple[str, int], float]:
    """Units online per (plant, snapshot position) of the solved linopy model (fixed commitment)."""
    frame = solved_schedule(n)
    return {(str(plant), t): float(v) for plant in frame for t, v in enumerate(frame[plant].to_numpy())}


def _commitment_rows(linopy: dict[str, Any], pyomo: PyomoResult, objective_tol: float) -> list[Row]:
    """Per committed plant: starts and mean units online of each side's own MILP. Schedules that differ
    pass when the Pyomo LP under the linopy schedule costs no more than the MIP gap above the Pyomo
    MILP's own optimum: the linopy commitment is then an optimal (within the gap) commitment of the
    independent model."""
    rows = []
    if pyomo.commitment_rejected:
        note = "the linopy schedule is infeasible in the Pyomo model's commitment constraints"
        rows.append(Row("commitment", "schedule", "-", "linopy's", "Pyomo's", None, False, note))
    held_gap = None
    if pyomo.commitment_held and pyomo.mip_objective_eur is not None:
        held_gap = (pyomo.objective_eur - pyomo.mip_objective_eur) / max(
            abs(pyomo.mip_objective_eur), OBJECTIVE_FLOOR_EUR
        )
    for plant in sorted(set(linopy["commitment"]) | set(pyomo.commitment)):
        ours, theirs = linopy["commitment"].get(plant), pyomo.commitment.get(plant)
        for index, (kind, unit) in enumerate((("starts", "units"), ("units online", "mean units"))):
            a = None if ours is None else ours[index]
            b = None if theirs is None else theirs[index]
            if a is None or b is None:
                rows.append(Row(kind, plant, unit, a, b, None, False, "missing on one side"))
                continue
            diff = rel_diff(a, b, COMMITMENT_FLOOR_UNITS)
            same = diff <= LP_REL_TOL
            note = ""
            if not same and held_gap is not None:
                same = held_gap <= objective_tol
                verdict = "within the MIP gap" if same else "outside the MIP gap: disagreement"
                note = (
                    f"alternative commitment: held in the Pyomo model, the linopy schedule costs "
                    f"{held_gap:+.1e} (relative) against the Pyomo MILP's own, {verdict}"
                )
            rows.append(Row(kind, plant, unit, a, b, diff, same, note))
    return rows


def _choice_rows(linopy: dict[str, str | None], pyomo: dict[str, str | None]) -> list[Row]:
    rows = []
    for project in sorted(set(linopy) | set(pyomo)):
        a, b = linopy.get(project, "(absent)"), pyomo.get(project, "(absent)")
        shown_a, shown_b = a or "not built", b or "not built"
        rows.append(Row("choice", project, "option", shown_a, shown_b, None, a == b))
    return rows


def _rows(linopy: dict[str, Any], pyomo: PyomoResult, expansion: bool) -> list[Row]:
    """Objective, quantity and price rows (before any degeneracy check), all judged as an LP: a MILP's
    are those of the LP with its choices and commitment fixed, the same on both sides when the choice
    and commitment rows pass."""
    diff = rel_diff(linopy["objective"], pyomo.objective_eur, OBJECTIVE_FLOOR_EUR)
    objective = Row(
        "objective", "objective", "EUR", linopy["objective"], pyomo.objective_eur, diff, diff <= LP_REL_TOL
    )
    rows = [objective]
    for kind, unit in KIND_UNITS.items():
        ours, theirs = pyomo.quantities.get(kind, {}), linopy.get(kind, {})
        if kind in BUILT_KINDS and not expansion:
            continue
        if kind in REPORTED_AS_ZERO_KINDS:
            theirs = {k: v for k, v in theirs.items() if k in ours or abs(v) > FLOORS[unit]}
        rows += _compare(kind, unit, FLOORS[unit], theirs, ours)
    rows += _compare("price", "EUR/MWh", PRICE_FLOOR_EUR_MWH, linopy["price"], pyomo.price_eur_mwh)
    return rows


def _alternative_optimum(rows: list[Row], model: PyomoModel, objective: float) -> list[Row]:
    """When the objectives agree but quantities do not, hold all the differing quantities at the linopy
    values in the Pyomo LP: if its optimum does not move (within :data:`LP_REL_TOL`), the LP has several
    optimal solutions and both sides found one."""
    differing = [r for r in rows if r.kind in QUANTITY_KINDS and not r.ok and r.rel_diff is not None]
    if not differing or not rows[0].ok:
        return rows
    held = model.objective_holding({(r.kind, r.name): float(cast(float, r.linopy)) for r in differing})
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
    pyomo_inputs_hook: Callable[[PyomoInputs], PyomoInputs] | None = None,
    data_overlays: tuple[Path, ...] = (),
) -> CrosscheckResult:
    """Solve ``network_file`` (scenario and ``--set`` overrides resolved as ``caspian solve`` does)
    with both formulations and compare them. ``pyomo_inputs_hook`` may alter the Pyomo side's inputs
    before it is built — a test hook to show that the comparison detects a difference.
    ``data_overlays`` are applied over ``data_dir`` as ``caspian solve --data-overlay`` does.

    Raises InputError for a network the Pyomo formulation does not cover (time segments),
    InfeasibleError or SolverError as ``caspian solve`` would."""
    spec, data = prepare(
        RunRequest(
            network_file,
            data_dir,
            results_dir=Path(),
            scenario=scenario,
            overrides=tuple(overrides),
            data_overlays=data_overlays,
        )
    )
    check_supported(spec)
    options = spec_solve_options(spec, network_file)
    highs_options = options.solver_options()
    linopy, seconds = _linopy_side(spec, data, options)

    start = time.perf_counter()
    inputs = pyomo_inputs(spec, data)
    if pyomo_inputs_hook is not None:
        inputs = pyomo_inputs_hook(inputs)
    model = PyomoModel(inputs, highs_options)
    seconds["pyomo build"] = time.perf_counter() - start
    pyomo = model.solve(commitment=linopy["schedule"])
    seconds["pyomo solve"] = pyomo.solve_seconds

    milp = inputs.milp or bool(linopy["choices"])
    objective_tol = float(highs_options.get("mip_rel_gap", _default_mip_gap())) if milp else LP_REL_TOL
    objective_tol = max(objective_tol, LP_REL_TOL)
    rows = _rows(linopy, pyomo, expansion=spec.mode == "expansion")
    rows = _alternative_optimum(rows, model, pyomo.objective_eur)
    rows = _degenerate_prices(rows, model)
    if milp:
        rows += _choice_rows(linopy["choices"], pyomo.choices)
        if pyomo.mip_objective_eur is None:
            raise RuntimeError("the Pyomo MILP reported no objective")
        mip_diff = rel_diff(linopy["objective"], pyomo.mip_objective_eur, OBJECTIVE_FLOOR_EUR)
        rows.append(
            Row(
                "MILP objective",
                "objective",
                "EUR",
                linopy["objective"],
                pyomo.mip_objective_eur,
                mip_diff,
                mip_diff <= objective_tol,
            )
        )
    if linopy["commitment"] or pyomo.commitment:
        rows += _commitment_rows(linopy, pyomo, objective_tol)
    return CrosscheckResult(
        network=spec.name,
        mode=spec.mode,
        problem="MILP" if milp else "LP",
        objective_tol=objective_tol,
        rows=tuple(rows),
        seconds=seconds,
        linopy_mip_gap=linopy["mip_gap"],
        pyomo_mip_gap=pyomo.mip_gap,
        routes=dict(inputs.gas.routes) if inputs.gas else {},
    )
