"""The independent Pyomo gas formulation agrees with the PyPSA/linopy model (caspian.crosscheck).

Mini system (conftest.py): dispatch, the LP expansion paper case (capex 4,000 M EUR → 1 bcm/y built),
the MILP threshold (3,000 → loop built, 3,300 → not), an outage with unserved energy at 3 h resolution;
then the Southern Gas Corridor over one week in dispatch, LP expansion and MILP. One test shows the
comparison fails when the Pyomo side is given a different input; two show what it refuses.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from caspian.crosscheck import LP_REL_TOL, CrosscheckResult, crosscheck
from caspian.data import load_dataset
from caspian.errors import InputError
from caspian.pyomo import PyomoInputs, PyomoModel
from caspian.schema import resolve_spec
from caspian.units import MWH_PER_BCM
from conftest import REPO, mini_tables

SGC = REPO / "networks" / "southern-gas-corridor.yaml"
WEEK = [("time.hours", 168), ("time.resolution", None)]


def _with_capex(capex_meur: float) -> dict:
    tables = mini_tables()
    tables["projects"][0]["capex_meur"] = capex_meur
    return tables


def _value(result: CrosscheckResult, kind: str, name: str, side: str = "pyomo") -> float | str | None:
    (row,) = [row for row in result.rows if row.kind == kind and row.name == name]
    return getattr(row, side)


def _assert_agrees(result: CrosscheckResult) -> None:
    assert result.agrees, "\n".join(map(str, result.disagreements))


def test_mini_dispatch_agrees_with_the_paper_solution(mini):
    network, data = mini()
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert result.problem == "LP" and result.objective_tol == LP_REL_TOL
    assert _value(result, "flow", "P1") == pytest.approx(3.0, rel=1e-9)
    assert _value(result, "delivery", "IT gas") == pytest.approx(3.0, rel=1e-9)
    assert _value(result, "price", "AZ gas") == pytest.approx(5.0, rel=1e-9)
    assert _value(result, "price", "IT gas") == pytest.approx(30.0, rel=1e-9)
    annual = (4 * 5 - 3 * 30) * MWH_PER_BCM  # EUR/y; the objective is over the 24 h horizon
    assert _value(result, "objective", "objective") == pytest.approx(annual * 24 / 8760, rel=1e-9)


def test_mini_lp_expansion_builds_one_bcm_on_both_sides(mini):
    network, data = mini(_with_capex(4000.0), mode="expansion", expansion={"projects": ["P1 expansion"]})
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert _value(result, "built", "P1", "linopy") == pytest.approx(1.0, rel=1e-6)
    assert _value(result, "built", "P1") == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize(("capex_meur", "option"), [(3000.0, "loop"), (3300.0, "not built")])
def test_mini_milp_makes_the_same_choice(mini, capex_meur, option):
    network, data = mini(
        _with_capex(capex_meur), mode="expansion", expansion={"projects": ["P1 expansion"], "milp": True}
    )
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert result.problem == "MILP"
    assert _value(result, "choice", "P1 expansion", "linopy") == option
    assert _value(result, "choice", "P1 expansion") == option


def test_mini_outage_with_unserved_energy_at_3h_resolution(mini):
    """Field out from 10:30, i.e. in the hourly snapshots 11:00–23:00; the 09–12 h block is 2/3 available
    (5 × 2/3 bcm/y: the 1 bcm/y domestic offtake and 7/3 bcm/y of pipeline flow), the blocks before it
    fill the 3 bcm/y pipeline, the rest is unserved: (9 h × 3 + 3 h × 7/3) / 24 h = 34/24 bcm/y."""
    outage = [{"asset": "Field A", "start": "2030-01-01 10:30", "end": "2030-01-02 00:00"}]
    network, data = mini(outages=outage, unserved_energy=True, time={"hours": 24, "resolution": "3h"})
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert _value(result, "delivery", "IT gas") == pytest.approx(34 / 24, rel=1e-9)


@pytest.mark.parametrize(
    ("scenario", "overrides", "problem"),
    [
        ("dispatch-only", WEEK, "LP"),
        (None, WEEK, "LP"),
        (None, [*WEEK, ("expansion.milp", True)], "MILP"),
    ],
    ids=["dispatch", "lp-expansion", "milp"],
)
def test_southern_gas_corridor_week_agrees(scenario, overrides, problem):
    result = crosscheck(SGC, REPO / "data", scenario, overrides)
    _assert_agrees(result)
    assert result.problem == problem
    flows = [row for row in result.rows if row.kind == "flow"]
    assert len(flows) >= 10 and max(row.pyomo for row in flows) > 10.0  # a real corridor, not empty


def test_a_different_input_on_the_pyomo_side_is_detected(mini):
    """Raise Italy's hub price by 1 EUR/MWh on the Pyomo side only: flows stay, the objective and
    Italy's price move, and the cross-check must say so."""

    def dearer_italy(inputs: PyomoInputs) -> PyomoInputs:
        markets = tuple(
            dataclasses.replace(m, price_eur_per_mwh=m.price_eur_per_mwh + 1.0) for m in inputs.gas.markets
        )
        return dataclasses.replace(inputs, gas=dataclasses.replace(inputs.gas, markets=markets))

    network, data = mini()
    result = crosscheck(network, data, pyomo_inputs_hook=dearer_italy)
    assert not result.agrees
    failed = {(row.kind, row.name) for row in result.disagreements}
    assert failed == {("objective", "objective"), ("price", "IT gas")}
    assert "unique price" in _row_note(result, "IT gas")


def test_a_lost_pipeline_segment_is_detected(mini):
    """Halve the pipeline on the Pyomo side: flows and deliveries disagree."""

    def narrower(inputs: PyomoInputs) -> PyomoInputs:
        seg = inputs.gas.segments[0]
        segments = (dataclasses.replace(seg, capacity_mw=seg.capacity_mw / 2),)
        return dataclasses.replace(inputs, gas=dataclasses.replace(inputs.gas, segments=segments))

    network, data = mini()
    result = crosscheck(network, data, pyomo_inputs_hook=narrower)
    assert not result.agrees
    assert _value(result, "flow", "P1") == pytest.approx(1.5, rel=1e-9)
    assert _value(result, "flow", "P1", "linopy") == pytest.approx(3.0, rel=1e-9)
    failed = {row.kind for row in result.disagreements}
    assert {"objective", "flow", "delivery"} <= failed


def test_price_probe_brackets_a_degenerate_price(mini):
    """Field plateau 4 bcm/y = 1 domestic + 3 pipeline: the field is at its limit and the pipeline full,
    so Azerbaijan's price may be anything between the field's cost (5) and Italy's (30); the probe must
    find exactly that interval, and the cross-check must accept whatever each solver reports in it."""
    tables = mini_tables()
    tables["gas_supply"][0]["plateau_bcm_y"] = 4
    network, data = mini(tables)
    model = PyomoModel.from_spec(resolve_spec(network), load_dataset(data))
    model.solve()
    low, high = model.mean_price_bounds("AZ gas")
    assert (low, high) == (pytest.approx(5.0, rel=1e-9), pytest.approx(30.0, rel=1e-9))
    _assert_agrees(crosscheck(network, data))


def test_parallel_pipelines_share_the_flow_in_any_split(mini):
    """Two identical 3 bcm/y pipelines carry 4 bcm/y: any split with P1 in [1, 3] is optimal. Holding P1
    at 1 keeps the optimum, at 0.5 or Italy's delivery at 2 costs more, above 3 is infeasible."""
    tables = mini_tables()
    tables["gas_pipelines"].append({**tables["gas_pipelines"][0], "name": "P2"})
    network, data = mini(tables)
    model = PyomoModel.from_spec(resolve_spec(network), load_dataset(data))
    optimum = model.solve().objective_eur
    assert model.objective_holding({("flow", "P1"): 1.0}) == pytest.approx(optimum, rel=1e-12)
    assert model.objective_holding({("flow", "P1"): 0.5}) > optimum + 1.0  # the field sells less
    assert model.objective_holding({("flow", "P1"): 3.5}) is None  # above P1's capacity
    assert model.objective_holding({("delivery", "IT gas"): 2.0}) > optimum + 1.0
    _assert_agrees(crosscheck(network, data))


def _row_note(result: CrosscheckResult, bus: str) -> str:
    (row,) = [row for row in result.rows if row.kind == "price" and row.name == bus]
    return row.note


def test_time_segments_are_refused(mini):
    network, data = mini(time={"hours": 24, "segments": 4})
    with pytest.raises(InputError, match=r"time.segments is not supported; use time.resolution"):
        crosscheck(Path(network), data)


def test_cli_crosscheck_exit_codes(mini, tmp_path):
    from typer.testing import CliRunner

    from caspian.cli import app

    runner = CliRunner()
    network, data = mini()
    agree = runner.invoke(app, ["crosscheck", str(network), "--data", str(data)])
    assert agree.exit_code == 0, agree.output
    assert "the two formulations agree" in agree.stdout
    refused = runner.invoke(
        app, ["crosscheck", str(network), "--data", str(data), "--set", "time.segments=4"]
    )
    assert refused.exit_code == 2 and "time.segments is not supported" in refused.stderr
