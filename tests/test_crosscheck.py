"""The independent Pyomo formulation agrees with the PyPSA/linopy model (caspian.runs.crosscheck).

Mini system (conftest.py): dispatch, the LP expansion paper case (capex 4,000 M EUR → 1 bcm/y built),
the MILP threshold (3,000 → loop built, 3,300 → not), an outage with unserved energy at 3 h resolution;
then the Southern Gas Corridor over one week in dispatch (hourly), LP expansion and MILP (3 h). The
mini system with electricity (:func:`coupled_tables`): a gas-fired fleet burning from the gas network
and a cable to a price-taking market, solved on paper; the cable built by LP and MILP expansion. The
green corridor (electricity) over one week, hourly and at 3 h, and the default network (gas +
electricity) over three days hourly and a week at 3 h, in dispatch (with priced unserved energy: both
are short in winter without new capacity), LP expansion and MILP. Tests show the comparison fails when
the Pyomo side is given a different input (gas and electricity, through the CLI's exit code 1), and
what it refuses.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from caspian.errors import InputError
from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.pyomo_model import PyomoInputs, PyomoModel, pyomo_inputs
from caspian.runs.crosscheck import LP_REL_TOL, CrosscheckResult, crosscheck
from caspian.units import MW_PER_BCM_PER_YEAR, MWH_PER_BCM
from conftest import AZ_POWER_BUS, REPO, RO_POWER_BUS, RO_POWER_MARKET, mini_tables

SGC = REPO / "networks" / "southern-gas-corridor.yaml"
GREEN = REPO / "networks" / "green-corridor.yaml"
CASPIAN = REPO / "networks" / "caspian.yaml"
WEEK = [("time.hours", 168), ("time.resolution", None)]
WEEK_3H = [("time.hours", 168), ("time.resolution", "3h")]
THREE_DAYS = [("time.hours", 72), ("time.resolution", None)]
"""Hourly horizon of the coupled default network's hourly cases: its storage, supply curves and
monthly prices make a Pyomo week hourly the slowest test in the suite; three days keep CI short."""
DISPATCH = [("mode", "dispatch"), ("unserved_energy", True), ("exclude", ["GE gas fleet"])]
"""No new capacity, and Georgia without its gas fleet: short in winter, so the slack is compared."""
MILP = [("expansion.milp", True)]
COMMITTED = [("unit_commitment", True)]
JUNE_WEEK = [*WEEK, ("time.start_hour", 4000)]  # solar: units start and stop daily


def _with_capex(capex_meur: float) -> dict:
    tables = mini_tables()
    tables["projects"][0]["capex_meur"] = capex_meur
    return tables


def coupled_tables(plateau_bcm_y: float = 4.5) -> dict:
    """The mini gas system (field plateau ``plateau_bcm_y``) plus electricity: a 2,000 MW gas-fired fleet
    in Azerbaijan (50 %, burning gas from AZ gas when gas is modelled, else at 30 EUR/MWh) and a 500 MW
    cable (95 %) to a Romanian market that buys up to 5,000 MW at hourly prices with monthly means of
    100 EUR/MWh; a candidate +500 MW cable project."""
    tables = mini_tables()
    tables["gas_supply"][0]["plateau_bcm_y"] = plateau_bcm_y
    tables["buses"] += [AZ_POWER_BUS, {**AZ_POWER_BUS, **RO_POWER_BUS}]
    tables["thermal"] = [
        {
            "name": "AZ fleet",
            "country": "AZ",
            "bus": "AZ AC",
            "fuel": "gas",
            "capacity_mw": 2000,
            "efficiency": 0.5,
            "fuel_cost_eur_mwh": 30,
            "vom_eur_mwh": 0,
            "gas_bus": "AZ gas",
            "from_year": 2020,
        }
    ]
    tables["power_links"] = [
        {
            "name": "Cable",
            "bus0": "AZ AC",
            "bus1": "RO AC",
            "status": "existing",
            "capacity_mw": 500,
            "from_year": 2020,
            "length_km": 100,
            "technology": "HVDC-submarine",
            "efficiency": 0.95,
            "bidirectional": True,
        }
    ]
    tables["power_markets"] = [RO_POWER_MARKET]
    tables["power_prices_monthly"] = [
        {"country": "RO", "month": month, "price_eur_mwh": 100, "from_year": 2024} for month in range(1, 13)
    ]
    tables["projects"].append(
        {
            "project": "Cable expansion",
            "asset": "Cable",
            "option": "+500 MW",
            "capacity_added": 500,
            "unit": "MW",
            "capex_meur": 1000,
            "currency_year": 2024,
            "fom_pct": 0,
            "lifetime_years": 40,
            "earliest_year": 2020,
        }
    )
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
    annual = (4 * 5 + 7 * 30) * MWH_PER_BCM  # EUR/y (field, Italy's LNG); the objective is over 24 h
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
        (None, WEEK_3H, "LP"),
        (None, [*WEEK_3H, ("expansion.milp", True)], "MILP"),
    ],
    ids=["dispatch", "lp-expansion-3h", "milp-3h"],
)
def test_southern_gas_corridor_week_agrees(scenario, overrides, problem):
    result = crosscheck(SGC, REPO / "data", scenario, overrides)
    _assert_agrees(result)
    assert result.problem == problem
    flows = [row for row in result.rows if row.kind == "flow"]
    assert len(flows) >= 10 and max(row.pyomo for row in flows) > 10.0  # a real corridor, not empty


def test_a_different_input_on_the_pyomo_side_is_detected(mini):
    """Raise Italy's LNG price by 1 EUR/MWh on the Pyomo side only: flows stay, the objective and
    Italy's price move, and the cross-check must say so."""

    def dearer_italy(inputs: PyomoInputs) -> PyomoInputs:
        steps = tuple(
            dataclasses.replace(a, cost_eur_per_mwh=a.cost_eur_per_mwh + 1.0) for a in inputs.gas.alternatives
        )
        return dataclasses.replace(inputs, gas=dataclasses.replace(inputs.gas, alternatives=steps))

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


def test_coupled_gas_and_power_agree_with_the_paper_solution(mini):
    """Gas to power beats gas to Italy (100 × 0.95 × 0.5 = 47.5 > 30 EUR/MWh of gas): the plant fills the
    500 MW cable, burning 1,000 MW of gas = 0.8187 bcm/y, and the field's 4.5 bcm/y plateau leaves
    4.5 − 1 − 0.8187 bcm/y for the pipeline to Italy (not full), so gas is worth Italy's 30 EUR/MWh at
    AZ gas and power 30 / 0.5 = 60 EUR/MWh at AZ AC; Romania's price is its market's (sales interior)."""
    network, data = mini(coupled_tables(), carriers=["gas", "electricity"])
    result = crosscheck(network, data)
    _assert_agrees(result)
    burn_bcm_y = 1000 / MW_PER_BCM_PER_YEAR
    assert _value(result, "flow", "P1") == pytest.approx(4.5 - 1 - burn_bcm_y, rel=1e-9)
    assert _value(result, "cable flow", "Cable") == pytest.approx(500 * 8760 / 1e6, rel=1e-9)
    assert _value(result, "power delivery", "RO AC") == pytest.approx(0.95 * 500 * 8760 / 1e6, rel=1e-9)
    assert _value(result, "price", "AZ gas") == pytest.approx(30.0, rel=1e-9)
    assert _value(result, "price", "AZ AC") == pytest.approx(60.0, rel=1e-9)
    ro_price = _value(result, "price", "RO AC")
    # the field's 4.5 bcm/y at 5, Italy's LNG for the 10 − (4.5 − 1 − burn) bcm/y the pipeline does not bring
    lng_bcm_y = 10 - (4.5 - 1 - burn_bcm_y)
    annual = (4.5 * 5 + lng_bcm_y * 30) * MWH_PER_BCM - 0.95 * 500 * 8760 * ro_price
    assert _value(result, "objective", "objective") == pytest.approx(annual * 24 / 8760, rel=1e-9)


def test_a_cable_outage_at_3h_resolution(mini):
    """The cable is out from 10:30, i.e. in the hourly snapshots 11:00–23:00: the 09–12 h block has 2/3 of
    it, the blocks before it all of it; so it carries 500 MW × (9 h + 3 h × 2/3) = 500 MW × 11 h of the
    24. The field's rate (4.5 bcm/y, peak factor 1) less the domestic 1 bcm/y and the plant's burn b
    (1,000 MW of gas at a full cable) is what P1 gets while the cable runs: 3.5 − b for 9 h,
    3.5 − 2/3 b for 3 h, then P1's own 3 bcm/y for 12 h."""
    outage = [{"asset": "Cable", "start": "2030-01-01 10:30", "end": "2030-01-02 00:00"}]
    network, data = mini(
        coupled_tables(),
        carriers=["gas", "electricity"],
        outages=outage,
        time={"hours": 24, "resolution": "3h"},
    )
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert _value(result, "cable flow", "Cable") == pytest.approx(500 * 11 / 24 * 8760 / 1e6, rel=1e-9)
    burn = 1000 / MW_PER_BCM_PER_YEAR
    expected = (9 * (3.5 - burn) + 3 * (3.5 - 2 / 3 * burn) + 12 * 3.0) / 24
    assert _value(result, "flow", "P1") == pytest.approx(expected, rel=1e-9)


def test_market_outages_stop_sales_on_both_sides(mini):
    """Romania's power market is out from 12:00 and Italy's LNG from 18:00 (with priced unserved
    energy): the cable runs (and the plant burns b = 1,000 MW of gas) for 12 of the 24 hours; P1
    carries 3.5 − b bcm/y while it runs and its full 3 bcm/y after; from 18:00 Italy's other 7 bcm/y
    go unserved on both sides (7 × 10.7 TWh × 6 / 24 annualised)."""
    outage = [
        {"asset": "RO AC market", "start": "2030-01-01 12:00", "end": "2030-01-02 00:00"},
        {"asset": "IT gas LNG", "start": "2030-01-01 18:00", "end": "2030-01-02 00:00"},
    ]
    network, data = mini(
        coupled_tables(), carriers=["gas", "electricity"], outages=outage, unserved_energy=True
    )
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert _value(result, "power delivery", "RO AC") == pytest.approx(
        0.95 * 500 * 12 / 24 * 8760 / 1e6, rel=1e-9
    )
    assert _value(result, "unserved", "IT gas") == pytest.approx(7 * MWH_PER_BCM / 1e6 * 6 / 24, rel=1e-6)
    burn = 1000 / MW_PER_BCM_PER_YEAR
    assert _value(result, "flow", "P1") == pytest.approx((12 * (3.5 - burn) + 12 * 3.0) / 24, rel=1e-9)


@pytest.mark.parametrize(("milp", "problem"), [(False, "LP"), (True, "MILP")])
def test_electricity_expansion_builds_the_cable_on_both_sides(mini, milp, problem):
    """Electricity only: power costs 30 / 0.5 = 60 EUR/MWh and sells at 0.95 × 100 in Romania, a rent of
    8760 × 35 = 306,600 EUR/MW/y against 2 M EUR/MW × CRF(7 %, 40 y) = 150,000: the +500 MW are built."""
    network, data = mini(
        coupled_tables(),
        carriers=["electricity"],
        mode="expansion",
        time={"hours": 8760, "resolution": "24h"},
        expansion={"projects": ["Cable expansion"], "peakers": False, "milp": milp},
    )
    result = crosscheck(network, data)
    _assert_agrees(result)
    assert result.problem == problem
    assert _value(result, "cable built", "Cable") == pytest.approx(500.0, rel=1e-9)
    assert _value(result, "cable flow", "Cable") == pytest.approx(1000 * 8760 / 1e6, rel=1e-9)
    assert _value(result, "price", "AZ AC") == pytest.approx(60.0, rel=1e-9)


@pytest.mark.parametrize(
    ("network", "overrides", "problem"),
    [
        (GREEN, [*WEEK, *DISPATCH], "LP"),
        (GREEN, WEEK, "LP"),
        (GREEN, [*WEEK, *MILP], "MILP"),
        (GREEN, WEEK_3H, "LP"),
        (CASPIAN, [*THREE_DAYS, *DISPATCH], "LP"),
        (CASPIAN, THREE_DAYS, "LP"),
        (CASPIAN, [*WEEK_3H, *MILP], "MILP"),
        (CASPIAN, [*WEEK_3H, *DISPATCH], "LP"),
        (CASPIAN, [*WEEK_3H, *MILP, *COMMITTED], "MILP"),
        (CASPIAN, [*JUNE_WEEK, ("carriers", ["electricity"]), *COMMITTED], "MILP"),
    ],
    ids=[
        "green-dispatch",
        "green-lp-expansion",
        "green-milp",
        "green-lp-expansion-3h",
        "caspian-dispatch",
        "caspian-lp-expansion",
        "caspian-milp-3h",
        "caspian-dispatch-3h",
        "caspian-milp-committed-3h",
        "caspian-power-june-committed",
    ],
)
def test_electricity_networks_week_agree(network, overrides, problem):
    result = crosscheck(network, REPO / "data", None, overrides)
    _assert_agrees(result)
    assert result.problem == problem
    cables = {row.name: row.pyomo for row in result.rows if row.kind == "cable flow"}
    assert cables["AZ–GE"] > 1.0 and len(cables) >= 10  # a real power network, not empty
    if network == CASPIAN and ("carriers", ["electricity"]) not in overrides:
        assert max(row.pyomo for row in result.rows if row.kind == "flow") > 10.0
    if ("unserved_energy", True) in overrides:
        assert _value(result, "unserved", "GE AC") > 0.0  # Georgia short in winter: the slack is compared
    if COMMITTED[0] in overrides:  # every gas-fired plant's commitment compared, the fleets running
        online = {row.name: row.pyomo for row in result.rows if row.kind == "units online"}
        assert len(online) == 12 and online["UZ gas fleet"] > 10
        if JUNE_WEEK[-1] in overrides:  # the commitment binds: units start (and minimum times matter)
            starts = {row.name: row.linopy for row in result.rows if row.kind == "starts"}
            assert starts["AZ gas fleet"] > 10


def test_a_different_cable_efficiency_on_the_pyomo_side_is_detected(mini):
    """A 90 % instead of 95 % cable on the Pyomo side only: the plant still fills it, so flows into the
    cable agree, but Romania receives less, and the objective moves."""

    def lossier(inputs: PyomoInputs) -> PyomoInputs:
        links = tuple(dataclasses.replace(k, efficiency=0.9) for k in inputs.power.links)
        return dataclasses.replace(inputs, power=dataclasses.replace(inputs.power, links=links))

    network, data = mini(coupled_tables(), carriers=["gas", "electricity"])
    result = crosscheck(network, data, pyomo_inputs_hook=lossier)
    assert not result.agrees
    failed = {(row.kind, row.name) for row in result.disagreements}
    assert {("objective", "objective"), ("power delivery", "RO AC")} <= failed
    assert ("cable flow", "Cable") not in failed


def test_a_lost_gas_coupling_is_detected(mini):
    """Gas-fired power at 45 % on the Pyomo side: it burns more gas for the same cable flow, so Italy gets
    less, and Azerbaijani power costs 30 / 0.45 EUR/MWh."""

    def worse_plant(inputs: PyomoInputs) -> PyomoInputs:
        links = tuple(
            dataclasses.replace(k, efficiency=0.45) if k.carrier == "gas-fired" else k
            for k in inputs.power.links
        )
        return dataclasses.replace(inputs, power=dataclasses.replace(inputs.power, links=links))

    network, data = mini(coupled_tables(), carriers=["gas", "electricity"])
    result = crosscheck(network, data, pyomo_inputs_hook=worse_plant)
    failed = {(row.kind, row.name) for row in result.disagreements}
    assert {("objective", "objective"), ("flow", "P1"), ("delivery", "IT gas"), ("price", "AZ AC")} <= failed
    assert _value(result, "price", "AZ AC") == pytest.approx(30 / 0.45, rel=1e-9)


def test_cli_exit_1_when_the_electricity_side_disagrees(monkeypatch):
    """The green corridor over a week with 2 % more Azerbaijani demand on the Pyomo side only: exit 1."""
    from typer.testing import CliRunner

    import caspian.runs.crosscheck
    from caspian.cli import app

    def more_demand(spec, data):  # as pyomo_inputs
        inputs = pyomo_inputs(spec, data)
        loads = tuple(
            dataclasses.replace(load, mw=load.mw * 1.02) if load.bus == "AZ AC" else load
            for load in inputs.power.loads
        )
        return dataclasses.replace(inputs, power=dataclasses.replace(inputs.power, loads=loads))

    monkeypatch.setattr(caspian.runs.crosscheck, "pyomo_inputs", more_demand)
    args = [
        "crosscheck",
        str(GREEN),
        "--data",
        str(REPO / "data"),
        "--set",
        "time.hours=168",
        "--resolution",
        "1h",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "formulations disagree" in result.stderr
