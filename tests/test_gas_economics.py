"""Hand-checkable gas economics on the mini system (conftest.py): markets that clear against a
stepwise supply curve of alternatives, tariffs that move rent from scarcity to transit, storage that
lowers a winter price, opportunity-cost valuation, and the Pyomo formulation agreeing on all of them.

Shared set-up (flat demand, no fuel use): a field in Azerbaijan (5 bcm/y at 5 EUR/MWh) serves a
1 bcm/y domestic offtake and sends gas through P1 (3 bcm/y) to Italy; TTF is 30 EUR/MWh in every month
unless a test says otherwise.
"""

from __future__ import annotations

import pypsa
import pytest

from caspian.inputs import gas_economics
from caspian.inputs.context import make_context
from caspian.inputs.costs import fixed_capacity_cost
from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.pypsa_model.assemble import build_network
from caspian.runs.crosscheck import LP_REL_TOL, crosscheck
from caspian.runs.single import RunRequest, execute
from caspian.units import MWH_PER_BCM
from conftest import AZ_POWER_BUS, assert_costs_add_up, mini_tables

HOURS = 8760
GR_BUS = {
    "bus": "GR gas",
    "carrier": "gas",
    "country": "GR",
    "site": "Komotini",
    "lat": 41.1,
    "lon": 25.4,
    "role": "market",
    "delivery": "europe",
}
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _step(bus: str, name: str, tier: int, capacity: float, spread: float, kind: str = "lng") -> dict:
    return {
        "bus": bus,
        "name": name,
        "tier": tier,
        "kind": kind,
        "capacity_bcm_y": capacity,
        "spread_eur_mwh": spread,
        "currency_year": 2024,
        "from_year": 2020,
    }


def _market(bus: str, consumption: float) -> dict:
    return {
        "bus": bus,
        "hub": bus,
        "consumption_bcm_y": consumption,
        "domestic_production_bcm_y": 0,
        "other_contracts_bcm_y": 0,
        "from_year": 2020,
    }


def two_markets(tariff: float | None = None, booked: float = 0.0) -> dict:
    """Italy: residual demand 5.5 bcm/y, LNG at TTF (30) up to 4 bcm/y, then TTF + 5 up to 10.
    Greece, behind P2 (Italy → Greece, 2 bcm/y): 1 bcm/y, LNG only at TTF + 10 = 40.

    Paper solution: corridor gas (5 EUR/MWh + tariff) undercuts every LNG step, so P1 runs full
    (3 bcm/y); 1 bcm/y goes on to Greece (displacing 40 EUR/MWh LNG, P2 not full), 2 stay in Italy,
    whose remaining 3.5 bcm/y come from the first LNG tier (not full): Italy's price is 30, Greece's
    is Italy's plus P2's nothing, 30. P1's scarcity rent is 30 − 5 − tariff EUR/MWh on the capacity not
    ``booked`` (bcm/y under ship-or-pay), 30 − 5 on the booked part."""
    tables = mini_tables()
    tables["buses"].append({**GR_BUS})
    tables["gas_pipelines"].append(
        {**tables["gas_pipelines"][0], "name": "P2", "bus0": "IT gas", "bus1": "GR gas"}
    )
    tables["gas_pipelines"][-1]["capacity_bcm_y"] = 2
    tables["gas_markets"] = [_market("IT gas", 5.5), _market("GR gas", 1.0)]
    tables["gas_alternatives"] = [
        _step("IT gas", "LNG cheap", 1, 4, 0.0),
        _step("IT gas", "LNG dear", 2, 10, 5.0),
        _step("GR gas", "LNG", 1, 5, 10.0),
    ]
    tables["gas_demand_monthly"] += [
        {"bus": "GR gas", "month": m, "share": d / 365} for m, d in enumerate(MONTH_DAYS, start=1)
    ]
    tables["projects"] = []
    if tariff is not None:
        tables["gas_tariffs"] = [
            {
                "pipeline": "P1",
                "value": tariff,
                "unit": "EUR/MWh",
                "currency_year": 2024,
                "from_year": 2020,
                "booked_bcm_y": booked,
            }
        ]
    return tables


def _summary(mini, tmp_path, tables, **spec):
    network, data = mini(tables, **spec)
    return execute(RunRequest(network, data, tmp_path / "results")).summary


def _price(ds, bus: str) -> float:
    return float(ds.price_eur_mwh.sel(bus=bus))


def test_markets_clear_against_the_lng_tiers(mini, tmp_path):
    """See :func:`two_markets`; objective = field 4 bcm × 5 + LNG 3.5 bcm × 30 = 125 × 10.7 TWh. Italy's
    bus mixes 3 bcm/y of corridor gas with 3.5 of LNG, so P2's 1 bcm/y is 3/6.5 corridor gas: corridor
    deliveries Italy 3 − 6/13 = 33/13, Greece 6/13 (Europe 3); pipeline deliveries Italy 2, Greece 1."""
    ds = _summary(mini, tmp_path, two_markets())
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(3.0, rel=1e-9)
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P2")) == pytest.approx(1.0, rel=1e-9)
    assert float(ds.gas_delivery_bcm.sel(gas_market="IT gas")) == pytest.approx(33 / 13, rel=1e-9)
    assert float(ds.gas_delivery_bcm.sel(gas_market="GR gas")) == pytest.approx(6 / 13, rel=1e-9)
    assert float(ds.gas_pipeline_delivery_bcm.sel(gas_market="IT gas")) == pytest.approx(2.0, rel=1e-9)
    assert float(ds.gas_pipeline_delivery_bcm.sel(gas_market="GR gas")) == pytest.approx(1.0, rel=1e-9)
    assert float(ds.gas_to_europe_bcm) == pytest.approx(3.0, rel=1e-9)
    assert _price(ds, "IT gas") == pytest.approx(30.0, rel=1e-9)
    assert _price(ds, "GR gas") == pytest.approx(30.0, rel=1e-9)
    assert _price(ds, "AZ gas") == pytest.approx(5.0, rel=1e-9)
    assert float(ds.gas_import_cost_eur_y) == pytest.approx(3.5 * 30 * MWH_PER_BCM, rel=1e-9)
    assert float(ds.objective_eur_y) == pytest.approx((4 * 5 + 3.5 * 30) * MWH_PER_BCM, rel=1e-9)
    assert_costs_add_up(ds)


def test_gas_demand_scale_moves_european_markets_only(mini):
    """``markets.gas_demand_scale`` 1.5 on :func:`two_markets` with Greece's bus made a non-European
    delivery point (as Türkiye's is): Italy's residual 5.5 bcm/y becomes 8.25, Greece's stays 1.0."""
    tables = two_markets()
    tables["buses"][-1]["delivery"] = "other"
    network, data = mini(tables, markets={"gas_demand_scale": 1.5})
    ctx = make_context(resolve_spec(network), load_dataset(data))
    annual = {d.bus: float(d.mw.mean()) * HOURS / MWH_PER_BCM for d in gas_economics.market_demands(ctx)}
    assert annual == pytest.approx({"IT gas": 8.25, "GR gas": 1.0}, rel=1e-9)


def test_a_markets_own_surplus_passed_on_is_not_corridor_gas(mini, tmp_path):
    """:func:`two_markets` with Italy's residual 2 bcm/y and Greece's 3, and Italy's own surplus
    (``domestic_surplus``, 3 bcm/y at TTF − 27 = 3 EUR/MWh) below the corridor's 5: Italy's bus needs
    2 + P2's 2 (full; Greece buys its last 1 as LNG at 40) = 4, from the surplus 3 and the corridor 1
    (P1 = 1, Italy's price 5). Italy's throughput is a quarter corridor gas, so P2 carries 0.5 of it:
    corridor deliveries Italy 1 − 0.5 = 0.5, Greece 0.5, Europe 1.0 = what P1 brings. Pipeline
    deliveries count the surplus Greece receives: Italy 0 (1 in, 2 out, clipped), Greece 2."""
    tables = two_markets()
    tables["gas_markets"] = [_market("IT gas", 2.0), _market("GR gas", 3.0)]
    tables["gas_alternatives"] = [
        _step("IT gas", "own surplus", 1, 3, -27.0, kind="domestic_surplus"),
        _step("IT gas", "LNG", 2, 10, 0.0),
        _step("GR gas", "LNG", 1, 5, 10.0),
    ]
    ds = _summary(mini, tmp_path, tables)
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(1.0, rel=1e-9)
    assert _price(ds, "IT gas") == pytest.approx(5.0, rel=1e-9)
    corridor = ds.gas_delivery_bcm.to_series()
    assert corridor.to_dict() == pytest.approx({"IT gas": 0.5, "GR gas": 0.5}, rel=1e-9)
    assert float(ds.gas_to_europe_bcm) == pytest.approx(1.0, rel=1e-9)
    piped = ds.gas_pipeline_delivery_bcm.to_series()
    assert piped.to_dict() == pytest.approx({"IT gas": 0.0, "GR gas": 2.0}, abs=1e-9)


def test_lng_a_non_european_market_passes_on_is_not_corridor_gas(mini, tmp_path):
    """:func:`two_markets` with Italy's bus made a non-European delivery point (as Türkiye's is, with its
    LNG): P2 still carries 1 bcm/y to Greece, 3/6.5 of it corridor gas, so Europe (Greece only) gets
    6/13 bcm/y of corridor gas, not the 1 bcm/y the pipeline brings."""
    tables = two_markets()
    tables["buses"][1]["delivery"] = "other"
    ds = _summary(mini, tmp_path, tables)
    assert float(ds.gas_to_europe_bcm) == pytest.approx(6 / 13, rel=1e-9)
    assert float(ds.gas_pipeline_delivery_bcm.sel(gas_market="GR gas")) == pytest.approx(1.0, rel=1e-9)


def test_more_demand_moves_the_price_to_the_next_tier(mini, tmp_path):
    """Italy's demand at 9.5 bcm/y: corridor 2 + cheap LNG 4 (full) + 3.5 of the dear tier, which sets
    Italy's price at TTF + 5 = 35; Greece follows at 35 (P2 not full)."""
    tables = two_markets()
    tables["gas_markets"][0]["consumption_bcm_y"] = 9.5
    ds = _summary(mini, tmp_path, tables)
    assert _price(ds, "IT gas") == pytest.approx(35.0, rel=1e-9)
    assert _price(ds, "GR gas") == pytest.approx(35.0, rel=1e-9)
    assert float(ds.gas_import_cost_eur_y) == pytest.approx((4 * 30 + 3.5 * 35) * MWH_PER_BCM, rel=1e-9)


@pytest.mark.parametrize("tariff", [0.0, 6.0])
def test_a_tariff_moves_rent_from_scarcity_to_transit(mini, tmp_path, tariff):
    """A tariff τ on P1 leaves flows and both end prices as they were and lowers P1's scarcity rent by
    exactly τ: shadow = (30 − 5 − τ) EUR/MWh × 8760 h per MW-year; the transit rent τ × flow enters the
    operating cost."""
    ds = _summary(mini, tmp_path, two_markets(tariff))
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(3.0, rel=1e-9)
    assert _price(ds, "IT gas") == pytest.approx(30.0, rel=1e-9)
    assert _price(ds, "AZ gas") == pytest.approx(5.0, rel=1e-9)
    assert float(ds.pipeline_shadow_eur_per_mw_y.sel(pipeline="P1")) == pytest.approx(
        (25 - tariff) * HOURS, rel=1e-9
    )
    assert float(ds.transit_rent_eur_y.sel(pipeline="P1")) == pytest.approx(
        tariff * 3 * MWH_PER_BCM, abs=1e-3
    )
    assert float(ds.objective_eur_y) == pytest.approx((4 * 5 + 3.5 * 30 + 3 * tariff) * MWH_PER_BCM, rel=1e-9)


@pytest.mark.parametrize("booked", [2.0, 3.0, 5.0])
def test_booked_capacity_pays_no_tariff_at_the_margin(mini, tmp_path, booked):
    """P1 (3 bcm/y) with a 6 EUR/MWh tariff of which ``booked`` bcm/y is held under ship-or-pay: only
    the unbooked u = max(3 − booked, 0) bcm/y pays it. Flows and prices as without a tariff; transit rent
    6 · u bcm; scarcity rent 25 per MWh on the booked part and 25 − 6 = 19 on the unbooked part, so
    transit + scarcity = 25 × 3 bcm exactly; the asset's shadow price is the booked part's 25 × 8760
    EUR/MW/y; objective = field 4 × 5 + LNG 3.5 × 30 + 6 · u (× 10.7 TWh)."""
    unbooked = max(3 - booked, 0.0)
    ds = _summary(mini, tmp_path, two_markets(6.0, booked))
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(3.0, rel=1e-9)
    assert _price(ds, "IT gas") == pytest.approx(30.0, rel=1e-9)
    transit = float(ds.transit_rent_eur_y.sel(pipeline="P1"))
    scarcity = float(ds.scarcity_rent_eur_y.sel(pipeline="P1"))
    assert transit == pytest.approx(6 * unbooked * MWH_PER_BCM, abs=1e-3)
    assert scarcity == pytest.approx((25 * min(booked, 3) + 19 * unbooked) * MWH_PER_BCM, rel=1e-9)
    assert transit + scarcity == pytest.approx(25 * 3 * MWH_PER_BCM, rel=1e-9)
    assert float(ds.pipeline_shadow_eur_per_mw_y.sel(pipeline="P1")) == pytest.approx(25 * HOURS, rel=1e-9)
    expected = (4 * 5 + 3.5 * 30 + 6 * unbooked) * MWH_PER_BCM
    assert float(ds.objective_eur_y) == pytest.approx(expected, rel=1e-9)
    assert_costs_add_up(ds)


EXPAND_P1 = {"mode": "expansion", "expansion": {"projects": ["P1 expansion"]}}
PIN_P1 = {"capacity": {"P1": "4 bcm/y"}}


def test_expansion_and_pinned_capacity_carry_gas_without_the_tariff(mini):
    """P1: 3 bcm/y in force, 2 booked, tariff 6. In expansion mode the unbooked 1 bcm/y is its own link
    paying 6, the booked 2 and the expansion segment pay 0 (their annuity is charged instead). Pinned at
    4 bcm/y by the spec: the unbooked existing 1 bcm/y pays 6; the rest (3 bcm/y: 2 booked + 1 pinned
    above what exists) pays 0 and carries the whole pinned annuity, 1 bcm/y of the project's 2 bcm/y for
    EUR 1 bn (the split leaves the charge unchanged)."""
    tables = two_markets(6.0, booked=2.0)
    tables["projects"] = mini_tables()["projects"]
    mw = MWH_PER_BCM / HOURS
    network, data = mini(tables, **EXPAND_P1)
    links = build_network(resolve_spec(network), load_dataset(data)).network.links
    assert links.loc[["P1", "P1 unbooked", "P1 expansion 1"], "marginal_cost"].tolist() == [0.0, 6.0, 0.0]
    assert links.loc[["P1", "P1 unbooked"], "p_nom"].to_numpy() == pytest.approx([2 * mw, 1 * mw])
    network, data = mini(tables, **PIN_P1)
    spec, dataset = resolve_spec(network), load_dataset(data)
    pinned = build_network(spec, dataset).network.links
    assert pinned.loc[["P1", "P1 unbooked"], "marginal_cost"].tolist() == [0.0, 6.0]
    assert pinned.loc[["P1", "P1 unbooked"], "p_nom"].to_numpy() == pytest.approx([3 * mw, 1 * mw])
    ctx = make_context(spec, dataset)
    annuity = fixed_capacity_cost(ctx, "P1", 3 * mw, 4 * mw) * ctx.horizon_fraction
    assert annuity > 0
    assert pinned.at["P1", "capital_cost"] * 3 * mw == pytest.approx(annuity, rel=1e-12)
    assert pinned.at["P1 unbooked", "capital_cost"] == 0


def _seasonal(storage: bool) -> dict:
    """January 31 and February 1 (48 h): TTF 40 in January, 20 in February; Italy's residual demand
    10 bcm/y, P1 brings 3, LNG at TTF up to 30 bcm/y. With storage (1 bcm, 100 mcm/d each way, 1 EUR/MWh
    per MWh withdrawn) the LP buys February LNG for January: January's LNG is displaced entirely
    (January's need 7 bcm/y-rate = 8,550 MW < 44,583 MW of withdrawal), so January's price is set by
    storage at February's 20 + 1 = 21 instead of 40: down by TTF_Jan − TTF_Feb − cost = 19 EUR/MWh."""
    tables = mini_tables()
    tables["projects"] = []
    for row in tables["gas_ttf_monthly"]:
        row["price_eur_mwh"] = {1: 40, 2: 20}.get(row["month"], 30)
    tables["gas_alternatives"][0]["capacity_bcm_y"] = 30
    if storage:
        tables["gas_storage"] = [
            {
                "name": "IT storage",
                "bus": "IT gas",
                "working_bcm": 1,
                "withdrawal_mcm_d": 100,
                "injection_mcm_d": 100,
                "cycle_cost_eur_mwh": 1,
                "currency_year": 2024,
                "from_year": 2020,
            }
        ]
    return tables


SEASONAL_TIME = {"hours": 48, "start_hour": 720}
"""Hours 720–767 of the year: 24 h of January, 24 h of February."""


@pytest.mark.parametrize(("storage", "january"), [(False, 40.0), (True, 21.0)])
def test_storage_lowers_the_winter_price(mini, tmp_path, storage, january):
    network, data = mini(_seasonal(storage), time=SEASONAL_TIME)
    run = execute(RunRequest(network, data, tmp_path / "results"))
    prices = pypsa.Network(run.directory / "network.nc").buses_t.marginal_price["IT gas"]
    assert prices.iloc[:24].to_numpy() == pytest.approx([january] * 24, rel=1e-9)
    assert prices.iloc[24:].to_numpy() == pytest.approx([20.0] * 24, rel=1e-9)


def test_a_netback_supply_costs_its_outlet_price_less_transport(mini, tmp_path):
    """The field valued at a netback of 18 − 4 = 14 EUR/MWh (its outlet) instead of its running cost:
    still below Italy's 30, so P1 runs full and Azerbaijan's price is 14."""
    tables = mini_tables()
    field = tables["gas_supply"][0]
    field.update(cost_basis="netback", marginal_cost_eur_mwh="", outlet="Elsewhere")
    tables["gas_outlets"] = [
        {
            "name": "Elsewhere",
            "bus": "AZ gas",
            "capacity_bcm_y": 10,
            "border_price_eur_mwh": 18,
            "transport_eur_mwh": 4,
            "currency_year": 2024,
            "from_year": 2020,
        }
    ]
    ds = _summary(mini, tmp_path, tables)
    assert _price(ds, "AZ gas") == pytest.approx(14.0, rel=1e-9)
    assert float(ds.pipeline_flow_bcm.sel(pipeline="P1")) == pytest.approx(3.0, rel=1e-9)


def _agrees(mini, tables, **spec):
    network, data = mini(tables, **spec)
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))
    assert result.objective_tol == LP_REL_TOL
    return result


@pytest.mark.parametrize("tariff", [None, 6.0])
def test_pyomo_models_supply_curves_and_tariffs_alike(mini, tariff):
    _agrees(mini, two_markets(tariff))


@pytest.mark.parametrize(
    "spec",
    [{}, EXPAND_P1, {"mode": "expansion", "expansion": {"projects": ["P1 expansion"], "milp": True}}, PIN_P1],
    ids=["dispatch", "expansion", "milp", "pinned"],
)
def test_pyomo_models_booked_capacity_alike(mini, spec):
    tables = two_markets(6.0, booked=2.0)
    tables["projects"] = mini_tables()["projects"]
    network, data = mini(tables, **spec)
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))


def test_pyomo_models_storage_alike(mini):
    _agrees(mini, _seasonal(True), time=SEASONAL_TIME)


def test_electricity_only_fleet_burns_gas_at_its_export_netback(mini, tmp_path):
    """Without the gas network, Azerbaijan's gas fleet pays the annual mean TTF (30) less the tariffs
    on the cheapest pipeline path to Europe (P1, 6 EUR/MWh): 24 EUR/MWh of fuel; a fleet with no gas
    bus pays the ``gas_fuel_price`` parameter."""
    tables = two_markets(6.0)
    tables["buses"].append(AZ_POWER_BUS)
    tables["parameters"].append({"parameter": "gas_fuel_price", "value": 31, "unit": "EUR/MWh"})
    network, data = mini(tables, carriers=["electricity"])
    ctx = make_context(resolve_spec(network), load_dataset(data))
    assert gas_economics.fuel_price_eur_mwh(ctx, "AZ gas") == pytest.approx(24.0, rel=1e-12)
    assert gas_economics.fuel_price_eur_mwh(ctx, None) == 31
