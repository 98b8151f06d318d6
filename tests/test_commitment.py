"""Unit commitment on a hand-checkable one-bus system (electricity only, hourly, 3 days).

Azerbaijan: demand of ~300 MW (between 270 and 330 MW), one gas-fired unit of 500 MW at 40 EUR/MWh
(fuel 20 EUR/MWh at 50 %), minimum stable load 45 % = 225 MW, start-up cost 60 EUR/MW = 30,000 EUR per
start, and 2,000 MW of solar that produces at full output in a window of H hours a day (10:00 on) and
nothing otherwise. Solar covers the demand inside the window; outside it the gas unit serves all of it.

Linear model: the unit is off inside the window. Committed: it either stays online at its minimum load
through the window, which costs 225 MW × H h × 40 EUR/MWh (solar is curtailed by 225 MW), or stops and
restarts, which costs one start, 30,000 EUR. Staying online is cheaper for H = 3 (27,000 EUR), a restart
for H = 4 (36,000 EUR): the committed objective exceeds the linear one by 3 × min(27,000, 30,000) or
3 × min(36,000, 30,000) over the three days, and everything outside the windows is identical.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pypsa
import pytest
import yaml

from caspian.errors import InputError
from caspian.inputs.weather import hourly_index
from caspian.present.report.render import write_report
from caspian.pyomo_model import PyomoInputs
from caspian.runs.crosscheck import crosscheck
from caspian.runs.single import RunRequest, execute
from conftest import AZ_POWER_BUS, assert_costs_add_up, mini_tables

DAYS = 3
WINDOW_START_HOUR = 10
MIN_LOAD_MW = 0.45 * 500
START_COST_EUR = 60 * 500
GAS_COST_EUR_MWH = 20 / 0.5


def _tables(start_up_cost: float = 60, min_down_h: int = 2) -> dict:
    return {
        "buses": [AZ_POWER_BUS],
        "electricity_demand": [
            {
                "country": "AZ",
                "bus": "AZ AC",
                "annual_twh": 300 * 8760 / 1e6,
                "peak_mw": 330,
                "from_year": 2020,
            }
        ],
        "renewables": [
            {
                "country": "AZ",
                "bus": "AZ AC",
                "technology": "solar",
                "existing_mw": 2000,
                "potential_mw": 2000,
                "capacity_factor": 0.2,
                "lat": 40.4,
                "lon": 49.8,
                "from_year": 2020,
            }
        ],
        "thermal": [
            {
                "name": "AZ gas fleet",
                "country": "AZ",
                "bus": "AZ AC",
                "fuel": "gas",
                "capacity_mw": 500,
                "efficiency": 0.5,
                "fuel_cost_eur_mwh": 20,
                "vom_eur_mwh": 0,
                "from_year": 2020,
            }
        ],
        "unit_commitment": [
            {
                "technology": "CCGT",
                "p_min_pu": 0.45,
                "start_up_cost_eur_per_mw": start_up_cost,
                "currency_year": 2024,
                "min_up_time_h": 4,
                "min_down_time_h": min_down_h,
            }
        ],
        "unit_sizes": [{"asset": "AZ gas fleet", "commitment": "CCGT", "unit_size_mw": 500}],
        "parameters": mini_tables()["parameters"],
    }


def _solar_file(tmp_path, window_hours: int):
    index = hourly_index(2030)
    sun = ((index.hour >= WINDOW_START_HOUR) & (index.hour < WINDOW_START_HOUR + window_hours)).astype(float)
    path = tmp_path / f"solar-{window_hours}h.csv"
    pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "AZ solar": sun}).to_csv(path, index=False)
    return path


def _network(mini, tmp_path, window_hours: int, committed: bool = False, **table_changes):
    return mini(
        _tables(**table_changes),
        carriers=["electricity"],
        time={"hours": 24 * DAYS},
        profiles={"files": {"AZ solar": str(_solar_file(tmp_path, window_hours))}},
        unit_commitment=committed,
    )


def _solve(mini, tmp_path, window_hours: int, committed: bool, **table_changes):
    network, data = _network(mini, tmp_path, window_hours, committed, **table_changes)
    return execute(RunRequest(network, data, tmp_path / ("uc" if committed else "lp")))


def _window(index: pd.DatetimeIndex, window_hours: int) -> np.ndarray:
    return (index.hour >= WINDOW_START_HOUR) & (index.hour < WINDOW_START_HOUR + window_hours)


def _gas_and_price(result) -> tuple[pd.Series, pd.Series]:
    n = pypsa.Network(result.directory / "network.nc")
    return n.generators_t.p["AZ gas fleet"], n.buses_t.marginal_price["AZ AC"]


@pytest.mark.parametrize(
    ("window_hours", "stays_online"),
    [(3, True), (4, False)],  # 225 MW × 3 h × 40 = 27,000 < 30,000 EUR per start < 225 × 4 × 40 = 36,000
)
def test_commitment_keeps_a_unit_at_minimum_load_exactly_when_a_restart_costs_more(
    mini, tmp_path, window_hours, stays_online
):
    linear = _solve(mini, tmp_path, window_hours, committed=False)
    committed = _solve(mini, tmp_path, window_hours, committed=True)
    per_day = min(MIN_LOAD_MW * window_hours * GAS_COST_EUR_MWH, START_COST_EUR)
    assert committed.outcome.objective - linear.outcome.objective == pytest.approx(DAYS * per_day, rel=1e-6)

    gas_lp, price_lp = _gas_and_price(linear)
    gas_uc, price_uc = _gas_and_price(committed)
    window = _window(gas_uc.index, window_hours)
    assert gas_lp[window].to_numpy() == pytest.approx(0.0, abs=1e-6)
    assert gas_uc[window].to_numpy() == pytest.approx(MIN_LOAD_MW if stays_online else 0.0, abs=1e-6)
    assert gas_uc[~window].to_numpy() == pytest.approx(gas_lp[~window].to_numpy(), rel=1e-9)
    # Prices of the fixed-commitment LP: the gas unit sets the price outside the windows, curtailed
    # solar inside them, as in the linear model.
    assert price_uc[~window].to_numpy() == pytest.approx(GAS_COST_EUR_MWH, rel=1e-9)
    assert price_uc.to_numpy() == pytest.approx(price_lp.to_numpy(), abs=1e-9)

    starts = 0.0 if stays_online else DAYS  # the start-up cost is in the objective and in the summary
    startup = float(committed.summary.startup_cost_eur_y)
    assert startup == pytest.approx(starts * START_COST_EUR * 8760 / (24 * DAYS), rel=1e-9)
    assert float(linear.summary.startup_cost_eur_y) == 0.0
    assert_costs_add_up(committed.summary)
    assert_costs_add_up(linear.summary)

    mip = committed.outcome.mip
    assert mip is not None and mip.proven_optimal and mip.choices == {}
    fleet = committed.outcome.commitment["AZ gas fleet"]
    assert fleet.units == 1 and fleet.unit_size_mw == pytest.approx(500.0)
    assert fleet.starts == pytest.approx(0.0 if stays_online else DAYS)
    run = yaml.safe_load((committed.directory / "run.yaml").read_text())
    assert run["commitment"]["AZ gas fleet"]["starts"] == pytest.approx(fleet.starts)
    assert run["spec"]["unit_commitment"] is True
    write_report(committed.directory, tmp_path / "data")  # where the mini fixture writes its tables
    report = (committed.directory / "report.md").read_text()
    row = f"| AZ gas fleet | 1 | 500 | {fleet.starts:,.0f} | {fleet.mean_online:,.1f} | CCGT, estimate |"
    assert "Unit commitment over the horizon" in report and row in report


@pytest.mark.parametrize(("min_down_h", "gas_in_window_mw"), [(0, 0.0), (2, MIN_LOAD_MW)])
def test_minimum_down_time_keeps_a_free_start_unit_online_through_a_one_hour_dip(
    mini, tmp_path, min_down_h, gas_in_window_mw
):
    """Starts cost nothing here: without a minimum down time the unit stops for the one-hour solar
    window; with 2 h it may not, so it runs at its minimum load."""
    committed = _solve(mini, tmp_path, 1, committed=True, start_up_cost=0, min_down_h=min_down_h)
    gas, _price = _gas_and_price(committed)
    window = _window(gas.index, 1)
    assert gas[window].to_numpy() == pytest.approx(gas_in_window_mw, abs=1e-6)


def test_unit_commitment_refuses_a_gas_only_network(mini, tmp_path):
    network, data = mini(unit_commitment=True)
    with pytest.raises(InputError, match=r"field 'unit_commitment': .*needs carriers: electricity"):
        execute(RunRequest(network, data, tmp_path / "results"))


def test_a_unit_size_naming_an_unknown_commitment_technology_is_refused(mini, tmp_path):
    tables = _tables()
    tables["unit_sizes"][0]["commitment"] = "steam"
    network, data = mini(tables, carriers=["electricity"], unit_commitment=True)
    with pytest.raises(InputError, match=r"unit_sizes\.csv: line 2 field 'commitment': 'steam' is not"):
        execute(RunRequest(network, data, tmp_path / "results"))
    assert not list((tmp_path / "results").glob("*"))  # nothing written


def test_a_gas_fired_plant_without_a_unit_size_is_refused(mini, tmp_path):
    tables = _tables()
    tables["unit_sizes"] = []
    network, data = mini(tables, carriers=["electricity"], unit_commitment=True)
    with pytest.raises(
        InputError, match=r"unit_sizes\.csv: field 'asset': no row for gas-fired plant 'AZ gas"
    ):
        execute(RunRequest(network, data, tmp_path / "results"))
    assert not list((tmp_path / "results").glob("*"))  # nothing written


@pytest.mark.parametrize(("window_hours", "starts"), [(3, 0.0), (4, float(DAYS))])
def test_the_pyomo_formulation_commits_the_same_way(mini, tmp_path, window_hours, starts):
    network, data = _network(mini, tmp_path, window_hours)
    result = crosscheck(network, data, overrides=[("unit_commitment", True)])
    assert result.agrees and result.problem == "MILP"
    assert _row(result, "starts", "AZ gas fleet").pyomo == pytest.approx(starts)


def test_a_different_start_up_cost_on_the_pyomo_side_is_detected(mini, tmp_path):
    """Starts at half price on the Pyomo side only: with a 4-hour window both sides restart the unit
    daily, and the Pyomo objective is lower by 3 × 15,000 EUR."""

    def cheaper_starts(inputs: PyomoInputs) -> PyomoInputs:
        fleets = tuple(
            dataclasses.replace(f, start_up_cost_eur=f.start_up_cost_eur / 2) for f in inputs.power.commitment
        )
        return dataclasses.replace(inputs, power=dataclasses.replace(inputs.power, commitment=fleets))

    network, data = _network(mini, tmp_path, 4)
    result = crosscheck(
        network, data, overrides=[("unit_commitment", True)], pyomo_inputs_hook=cheaper_starts
    )
    failed = {(row.kind, row.name) for row in result.disagreements}
    assert {("objective", "objective"), ("MILP objective", "objective")} <= failed
    row = _row(result, "objective", "objective")
    assert row.linopy - row.pyomo == pytest.approx(DAYS * START_COST_EUR / 2, rel=1e-6)


def _row(result, kind: str, name: str):
    return next(row for row in result.rows if row.kind == kind and row.name == name)


def test_a_linopy_schedule_the_pyomo_model_rejects_is_a_disagreement(mini, tmp_path):
    """A 24 h minimum up time on the Pyomo side only: the linopy schedule (a daily restart after the
    4-hour window) breaks it, which the cross-check reports as a failing row, not as an infeasible model."""

    def longer_up_time(inputs: PyomoInputs) -> PyomoInputs:
        fleets = tuple(dataclasses.replace(f, min_up_snapshots=24) for f in inputs.power.commitment)
        return dataclasses.replace(inputs, power=dataclasses.replace(inputs.power, commitment=fleets))

    network, data = _network(mini, tmp_path, 4)
    result = crosscheck(
        network, data, overrides=[("unit_commitment", True)], pyomo_inputs_hook=longer_up_time
    )
    row = _row(result, "commitment", "schedule")
    assert not row.ok and "infeasible" in row.note
    assert not result.agrees
