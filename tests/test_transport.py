"""Hand-checkable optima on the two-node mini system (see conftest.py for its data).

Dispatch, paper solution: the field (5 bcm/y at 5 EUR/MWh) serves the 1 bcm/y domestic offtake and
fills the 3 bcm/y pipeline to Italy (30 EUR/MWh). The field is not at its plateau, so the Azerbaijani
price is its cost, 5 EUR/MWh; Italy's price is the market's, 30 EUR/MWh. The pipeline's capacity is
worth the spread: 25 EUR/MWh × 8760 h = 219,000 EUR/MW/y, i.e. 25 × 10.7e6 = 267.5 M EUR/y per bcm/y.
Italy's other 7 bcm/y come from LNG at 30 EUR/MWh. Annual objective = 4 bcm × 10.7 TWh × 5 + 7 × 10.7 TWh
× 30 = 2,461 M EUR.
"""

from __future__ import annotations

import json
import math

import pytest
import yaml

from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.pypsa_model import build_network
from caspian.runs.single import RunRequest, execute
from caspian.units import MW_PER_BCM_PER_YEAR, MWH_PER_BCM, capital_recovery_factor
from conftest import AZ_POWER_BUS, RO_POWER_BUS, RO_POWER_MARKET, assert_costs_add_up, mini_tables

HOURS = 8760


def _run(network, data, tmp_path):
    return execute(RunRequest(network, data, tmp_path / "results"))


def test_dispatch_optimum_matches_paper(mini, tmp_path):
    network, data = mini()
    ds = _run(network, data, tmp_path).summary
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(3.0, rel=1e-9)
    assert float(ds.gas_delivery_bcm.sel(gas_market="IT gas")) == pytest.approx(3.0, rel=1e-9)
    assert float(ds.price_eur_mwh.sel(bus="AZ gas")) == pytest.approx(5.0, rel=1e-9)
    assert float(ds.price_eur_mwh.sel(bus="IT gas")) == pytest.approx(30.0, rel=1e-9)
    assert float(ds.pipeline_shadow_eur_per_mw_y.sel(pipeline="P1")) == pytest.approx(25 * HOURS, rel=1e-9)
    assert float(ds.pipeline_shadow_eur_per_bcm_y.sel(pipeline="P1")) == pytest.approx(
        25 * MWH_PER_BCM, rel=1e-9
    )
    assert float(ds.objective_eur_y) == pytest.approx((4 * 5 + 7 * 30) * MWH_PER_BCM, rel=1e-9)
    assert float(ds.startup_cost_eur_y) == 0.0
    assert_costs_add_up(ds)
    assert ds.price_mean_shift_eur_mwh.values == pytest.approx([0.0, 0.0], abs=1e-9)
    assert ds.price_eur_mwh.attrs["non_unique_buses"] == ""  # field and market interior in every hour


def _with_capex(capex_meur: float) -> dict:
    tables = mini_tables()
    tables["projects"][0]["capex_meur"] = capex_meur
    return tables


def _annual_cost_per_mw(capex_meur: float) -> float:
    return capex_meur * 1e6 / (2 * MW_PER_BCM_PER_YEAR) * capital_recovery_factor(0.07, 25)


@pytest.mark.parametrize(
    ("capex_meur", "built_bcm"),
    [
        # 4,000 M EUR for 2 bcm/y → 140,500 EUR/MW/y < 219,000: build, but only the 1 bcm/y the
        # field's plateau leaves after the domestic offtake and the existing 3 bcm/y.
        (4000.0, 1.0),
        # 8,000 M EUR → 281,000 EUR/MW/y > 219,000: the loop never pays.
        (8000.0, 0.0),
    ],
)
def test_expansion_builds_exactly_when_it_pays(mini, tmp_path, capex_meur, built_bcm):
    network, data = mini(_with_capex(capex_meur), mode="expansion", expansion={"projects": ["P1 expansion"]})
    ds = _run(network, data, tmp_path).summary
    assert float(ds.pipeline_built_bcm.sel(pipeline="P1")) == pytest.approx(built_bcm, abs=1e-6)


def test_interior_expansion_prices_equal_annualised_cost(mini, tmp_path):
    """With 1 bcm/y built and the field at its plateau, the AZ price is Italy's price minus the
    expansion's annual cost per MWh of capacity: 30 − cost/8760."""
    capex = 4000.0
    network, data = mini(_with_capex(capex), mode="expansion", expansion={"projects": ["P1 expansion"]})
    ds = _run(network, data, tmp_path).summary
    cost = _annual_cost_per_mw(capex)
    assert float(ds.price_eur_mwh.sel(bus="AZ gas")) == pytest.approx(30 - cost / HOURS, rel=1e-6)
    assert float(ds.pipeline_capex_eur_y.sel(pipeline="P1")) == pytest.approx(
        cost * MW_PER_BCM_PER_YEAR, rel=1e-6
    )


@pytest.mark.parametrize("mode", ["dispatch", "expansion"])
def test_weighted_snapshots_give_the_hourly_answer(mini, tmp_path, mode):
    """The mini system's inputs are constant in time, so resampling to 3 h (weights 3) must give the
    same annual objective, flows, prices and shadow prices as hourly: this checks that weights enter
    the duals, the annual energy limit and the capital costs correctly."""
    extra = {"mode": mode, "expansion": {"projects": ["P1 expansion"]}}
    network, data = mini(_with_capex(4000.0), **extra)
    hourly = _run(network, data, tmp_path).summary
    network, data = mini(_with_capex(4000.0), time={"hours": 24, "resolution": "3h"}, **extra)
    coarse = _run(network, data, tmp_path).summary
    for name in (
        "objective_eur_y",
        "capex_eur_y",
        "pipeline_flow_bcm",
        "price_eur_mwh",
        "pipeline_shadow_eur_per_mw_y",
    ):
        assert coarse[name].values == pytest.approx(hourly[name].values, rel=1e-9), name


def _cable_tables(capex_meur: float) -> dict:
    """Azerbaijani thermal power at 40 EUR/MWh (fuel 20 EUR/MWh at 50 %), 1,000 MW; a candidate HVDC
    cable (95 % efficient) to Romania, sold at an hourly price whose yearly mean is 100 EUR/MWh."""
    prov = {"source": "test", "year": 2024, "confidence": "estimate"}
    return {
        "buses": [
            AZ_POWER_BUS,
            {**AZ_POWER_BUS, **RO_POWER_BUS},
        ],
        "thermal": [
            {
                "name": "AZ fleet",
                "country": "AZ",
                "bus": "AZ AC",
                "fuel": "gas",
                "capacity_mw": 1000,
                "efficiency": 0.5,
                "fuel_cost_eur_mwh": 20,
                "vom_eur_mwh": 0,
                "from_year": 2020,
            }
        ],
        "power_links": [
            {
                "name": "Cable",
                "bus0": "AZ AC",
                "bus1": "RO AC",
                "status": "candidate",
                "capacity_mw": 0,
                "from_year": 2020,
                "length_km": 100,
                "technology": "HVDC-submarine",
                "efficiency": 0.95,
                "bidirectional": True,
            }
        ],
        "projects": [
            {
                "project": "Cable",
                "asset": "Cable",
                "option": "500 MW",
                "capacity_added": 500,
                "unit": "MW",
                "capex_meur": capex_meur,
                "currency_year": 2024,
                "fom_pct": 0,
                "lifetime_years": 40,
                "earliest_year": 2020,
            }
        ],
        "power_markets": [RO_POWER_MARKET],
        "power_prices_monthly": [
            {"country": "RO", "month": m, "price_eur_mwh": 100, "from_year": 2024, **prov}
            for m in range(1, 13)
        ],
        "parameters": mini_tables()["parameters"],
    }


@pytest.mark.parametrize(
    ("capex_meur", "built_mw"),
    [
        # Rent of one MW of cable: 8760 h × (0.95 × 100 − 40) = 481,800 EUR/MW/y (the hourly price never
        # falls below 40 / 0.95, so the cable always runs full). 2,000 M EUR for 500 MW → 4 M EUR/MW ×
        # CRF(7 %, 40 y) 0.0750 = 300,000 EUR/MW/y < 481,800: build all 500 MW. 4,000 M EUR → 600,000: none.
        (2000.0, 500.0),
        (4000.0, 0.0),
    ],
)
def test_cable_is_built_exactly_when_its_rent_covers_its_annuity(mini, tmp_path, capex_meur, built_mw):
    extra = {
        "carriers": ["electricity"],
        "mode": "expansion",
        "expansion": {"projects": ["Cable"], "peakers": False},
    }
    network, data = mini(_cable_tables(capex_meur), time={"hours": 8760, "resolution": "24h"}, **extra)
    result = _run(network, data, tmp_path)
    ds = result.summary
    assert float(ds.cable_built_mw.sel(cable="Cable")) == pytest.approx(built_mw, abs=1e-6)
    # an unbuilt cable's capacity dual (p ≤ p_nom = 0) is not unique: no shadow price, not a limit
    shadow = float(ds.cable_shadow_eur_per_mw_y.sel(cable="Cable"))
    assert math.isnan(shadow) if built_mw == 0 else shadow > 0
    limits = list(ds.limit.values) if "limit" in ds.coords else []
    assert ("Cable" in limits) is (built_mw > 0)
    summary_json = json.loads((result.directory / "summary.json").read_text(encoding="utf-8"))
    assert (summary_json["cable_shadow_eur_per_mw_y"]["values"]["Cable"] is None) is (built_mw == 0)
    assert float(ds.power_market_price_eur_mwh.sel(power_market="RO AC")) == pytest.approx(100.0, rel=1e-6)
    expected_twh = 0.95 * built_mw * HOURS / 1e6
    assert float(ds.power_to_europe_twh) == pytest.approx(expected_twh, rel=1e-6, abs=1e-9)
    assert_costs_add_up(ds)  # LP expansion with a power market's revenue


@pytest.mark.parametrize("start", ["2030-01-01 12:00", "2030-01-01T16:00:00+04:00"])
def test_outage_with_unserved_energy(mini, tmp_path, start):
    """The field is out for 12 of the 24 hours: the 1 bcm/y domestic offtake goes unserved for half the
    horizon (0.5 bcm/y annualised = 5.35 TWh/y) and the pipeline carries 3 bcm/y for the other half."""
    outage = [{"asset": "Field A", "start": start, "end": "2030-01-02 00:00"}]
    network, data = mini(outages=outage, unserved_energy=True)
    ds = _run(network, data, tmp_path).summary
    slack = build_network(resolve_spec(network), load_dataset(data)).network.generators.query(
        "carrier == 'slack'"
    )
    # only where demand is fixed: the offtake and Italy's residual demand, not at a transit bus
    assert slack.bus.tolist() == ["AZ gas", "IT gas"]
    assert float(ds.unserved_twh.sel(bus="AZ gas")) == pytest.approx(0.5 * MWH_PER_BCM / 1e6, rel=1e-9)
    assert float(ds.unserved_twh.sel(bus="IT gas")) == 0.0  # reported for every bus
    assert float(ds.price_eur_mwh.sel(bus="IT gas")) >= 30.0  # and every bus keeps its price
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(1.5, rel=1e-9)
    assert_costs_add_up(ds)  # the priced slack is an operating cost


@pytest.mark.parametrize(
    ("capex_meur", "option"),
    [
        # The 2 bcm/y loop can add only 1 bcm/y of flow (field plateau 5 − domestic 1 − existing 3), worth
        # 25 EUR/MWh × 10.7 TWh = 267.5 M EUR/y. Annual cost = capex × CRF(7 %, 25 y) = capex × 0.08581:
        # built below 3,117 M EUR, not above (the LP hull would build 1 bcm/y of it in both cases).
        (3000.0, "loop"),
        (3300.0, None),
    ],
)
def test_milp_builds_a_lumpy_option_exactly_when_its_value_exceeds_its_annual_cost(
    mini, tmp_path, capex_meur, option
):
    network, data = mini(
        _with_capex(capex_meur), mode="expansion", expansion={"projects": ["P1 expansion"], "milp": True}
    )
    result = _run(network, data, tmp_path)
    mip = result.outcome.mip
    assert mip is not None and mip.proven_optimal and mip.choices == {"P1 expansion": option}
    built = 2.0 if option else 0.0
    assert float(result.summary.pipeline_capacity_bcm.sel(pipeline="P1")) == pytest.approx(3.0 + built)
    annual = capex_meur * 1e6 * capital_recovery_factor(0.07, 25) if option else 0.0
    flow = 4.0 if option else 3.0
    # the field serves flow + 1 bcm/y domestic; LNG the rest of Italy's 10 bcm/y
    expected = ((flow + 1) * 5 + (10 - flow) * 30) * MWH_PER_BCM + annual
    assert float(result.summary.objective_eur_y) == pytest.approx(expected, rel=1e-6)
    assert_costs_add_up(result.summary)
    assert mip.bound * HOURS / 24 == pytest.approx(expected, rel=1e-6)  # bound is over the 24 h horizon
    run = yaml.safe_load((result.directory / "run.yaml").read_text())
    assert run["mip"]["choices"] == {"P1 expansion": option} and run["mip"]["proven_optimal"] is True


@pytest.mark.parametrize(("delivery", "to_europe", "delivered"), [("europe", 3.0, 3.0), ("other", 0.0, 3.0)])
def test_what_counts_as_delivered_comes_from_the_bus_table(mini, tmp_path, delivery, to_europe, delivered):
    """`delivery` of buses.csv decides what the summary counts: a European delivery point is in
    'gas to Europe', another delivery point only in the per-market deliveries, and a bus that is no
    delivery point in neither."""
    tables = mini_tables()
    tables["buses"][1]["delivery"] = delivery
    ds = _run(*mini(tables), tmp_path).summary
    assert float(ds.gas_to_europe_bcm) == pytest.approx(to_europe, abs=1e-9)
    assert float(ds.gas_delivery_bcm.sel(gas_market="IT gas")) == pytest.approx(delivered, rel=1e-9)


def test_a_bus_that_is_no_delivery_point_delivers_nothing(mini, tmp_path):
    tables = mini_tables()
    tables["buses"][1]["delivery"] = "none"
    ds = _run(*mini(tables), tmp_path).summary
    assert float(ds.gas_to_europe_bcm) == 0.0
    assert "gas_delivery_bcm" not in ds
