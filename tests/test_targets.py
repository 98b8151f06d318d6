"""National renewable targets (issue 12): enforced as constraints in both formulations, their shadow
price the marginal cost of the target.

Hand-checked case: one Azerbaijani bus, 1,000 MW mean demand (peak 1,500), a fixed 2,000 MW gas fleet
at 40 EUR/MWh (gas 20 EUR/MWh, efficiency 0.5) and onshore wind that may be built at 2,000 EUR/kW
(25 years, 7 %: 2,000,000 × 0.0858105 = 171,621 EUR/MW/y) blowing at a flat 30 % (2,628 MWh/MW/y, each
saving 40 EUR of gas: 105,120 EUR/MW/y). Wind does not pay for itself (net 66,501 EUR/MW/y), so without
a target nothing is built. A 30 % capacity target needs wind ≥ 0.3 × (2,000 + wind): 857.14 MW, costing
857.14 × 66,501 = 57.0 M EUR/y. The constraint ``0.7 × wind − 0.3 × 2,000 ≥ 0`` has shadow price
66,501 / 0.7 = 95,002 EUR/y per MW, and × its 600 MW of shortfall at the unconstrained optimum it is
exactly the cost gap.
"""

from __future__ import annotations

import pandas as pd
import pytest

from caspian.errors import InputError
from caspian.inputs.weather import hourly_index
from caspian.runs.crosscheck import crosscheck
from caspian.runs.single import RunRequest, execute
from caspian.units import capital_recovery_factor
from conftest import AZ_POWER_BUS, gas_fleet, mini_tables

CAPEX_EUR_PER_MW = 2_000_000.0
WIND_CF = 0.3
GAS_EUR_MWH = 40.0


def _wind_file(tmp_path) -> str:
    index = hourly_index(2030)
    path = tmp_path / "wind.csv"
    frame = pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "AZ onwind": WIND_CF})
    frame.to_csv(path, index=False)
    return str(path)


def tables(share: float = 0.3, basis: str = "capacity") -> dict:
    cost = [
        {
            "technology": "onwind",
            "parameter": "investment",
            "value": 2000,
            "unit": "EUR/kW",
            "currency_year": 2024,
        },
        {"technology": "onwind", "parameter": "FOM", "value": 0, "unit": "%/year", "currency_year": 2024},
        {
            "technology": "onwind",
            "parameter": "lifetime",
            "value": 25,
            "unit": "years",
            "currency_year": 2024,
        },
    ]
    return {
        "buses": [AZ_POWER_BUS],
        "electricity_demand": [
            {"country": "AZ", "bus": "AZ AC", "annual_twh": 8.76, "peak_mw": 1500, "from_year": 2020}
        ],
        "renewables": [
            {
                "country": "AZ",
                "bus": "AZ AC",
                "technology": "onwind",
                "existing_mw": 0,
                "potential_mw": 5000,
                "capacity_factor": WIND_CF,
                "lat": 40.4,
                "lon": 49.8,
                "from_year": 2020,
            }
        ],
        "thermal": [gas_fleet("AZ", "AZ AC", 2000, 0.5, 20)],
        "renewable_targets": [
            {"country": "AZ", "share": share, "basis": basis, "counts_hydro": True, "from_year": 2020}
        ],
        "technology_costs": cost,
        "parameters": mini_tables()["parameters"],
    }


def _spec(tmp_path, targets: list[str]) -> dict:
    return {
        "carriers": ["electricity"],
        "mode": "expansion",
        "time": {"hours": 8760, "resolution": "24h"},
        "expansion": {"peakers": False},
        "profiles": {"files": {"AZ onwind": _wind_file(tmp_path)}},
        "policy": {"renewable_targets": targets},
    }


def _summary(mini, tmp_path, targets: list[str], rows: dict | None = None):
    network, data = mini(rows or tables(), **_spec(tmp_path, targets))
    return execute(RunRequest(network, data, tmp_path / f"results-{'-'.join(targets) or 'free'}")).summary


def test_shadow_price_of_the_target_equals_the_cost_gap(mini, tmp_path):
    annual = CAPEX_EUR_PER_MW * capital_recovery_factor(0.07, 25)
    net = annual - GAS_EUR_MWH * WIND_CF * 8760
    free = _summary(mini, tmp_path, [])
    bound = _summary(mini, tmp_path, ["AZ"])
    assert "target_shadow_price" not in free
    assert float(free.generator_built_mw.sel(generator="AZ onwind")) == pytest.approx(0.0, abs=1e-6)
    assert float(bound.generator_built_mw.sel(generator="AZ onwind")) == pytest.approx(600 / 0.7, rel=1e-9)
    gap = float(bound.objective_eur_y - free.objective_eur_y)
    assert gap == pytest.approx(600 / 0.7 * net, rel=1e-6)
    shadow = float(bound.target_shadow_price.sel(target="AZ capacity"))
    assert shadow == pytest.approx(net / 0.7, rel=1e-6)
    assert shadow * 600 == pytest.approx(gap, rel=1e-6)  # the shortfall the target closes, priced
    assert float(bound.target_share_reached.sel(target="AZ capacity")) == pytest.approx(0.3, rel=1e-9)


def test_generation_target_prices_a_mwh(mini, tmp_path):
    """30 % of generation: wind ≥ 0.3 × 8.76 TWh = 2.628 TWh = 1,000 MW at 30 %; the last MWh costs
    net / 2,628 = 25.31 EUR/MWh more than gas."""
    annual = CAPEX_EUR_PER_MW * capital_recovery_factor(0.07, 25)
    ds = _summary(mini, tmp_path, ["AZ"], tables(basis="generation"))
    assert float(ds.generator_built_mw.sel(generator="AZ onwind")) == pytest.approx(1000.0, rel=1e-6)
    per_mwh = (annual - GAS_EUR_MWH * WIND_CF * 8760) / (WIND_CF * 8760)
    assert float(ds.target_shadow_price.sel(target="AZ generation")) == pytest.approx(per_mwh, rel=1e-6)


@pytest.mark.parametrize("basis", ["capacity", "generation"])
def test_pyomo_enforces_targets_alike(mini, tmp_path, basis):
    network, data = mini(tables(basis=basis), **_spec(tmp_path, ["AZ"]))
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))
    built = next(row for row in result.rows if row.kind == "generator built" and row.name == "AZ onwind")
    assert built.pyomo == pytest.approx(600 / 0.7 if basis == "capacity" else 1000.0, rel=1e-6)


def test_target_above_100_percent_or_unknown_is_refused(mini, tmp_path):
    network, data = mini(tables(share=1.2), **_spec(tmp_path, ["AZ"]))
    with pytest.raises(InputError, match=r"renewable_targets.csv: line 2 field 'share'"):
        execute(RunRequest(network, data, tmp_path / "results"))
    network, data = mini(tables(), **_spec(tmp_path, ["KZ"]))
    with pytest.raises(InputError, match=r"field 'policy.renewable_targets': no target for 'KZ'"):
        execute(RunRequest(network, data, tmp_path / "results"))


@pytest.mark.parametrize(("counts_hydro", "wind_mw"), [(True, 250 / 0.7), (False, 750 / 0.7)])
def test_hydro_counts_only_where_the_target_says_so(mini, tmp_path, counts_hydro, wind_mw):
    """With 500 MW of hydro beside the 2,000 MW gas fleet, a 30 % capacity target needs wind + 500 ≥
    0.3 × (2,500 + wind), 357.1 MW, when hydro counts; wind ≥ 0.3 × (2,500 + wind), 1,071.4 MW, when
    it counts only toward the total."""
    rows = tables()
    hydro = {
        **gas_fleet("AZ", "AZ AC", 500, 1.0, 0),
        "name": "AZ hydro",
        "fuel": "hydro",
        "max_annual_cf": 0.3,
    }
    rows["thermal"] = [*rows["thermal"], hydro]
    rows["renewable_targets"] = [{**rows["renewable_targets"][0], "counts_hydro": counts_hydro}]
    ds = _summary(mini, tmp_path, ["AZ"], rows)
    assert float(ds.generator_built_mw.sel(generator="AZ onwind")) == pytest.approx(wind_mw, rel=1e-6)
    network, data = mini(rows, **_spec(tmp_path, ["AZ"]))
    assert crosscheck(network, data).agrees


def test_an_unmeetable_capacity_target_is_refused_before_solving(mini, tmp_path):
    """In dispatch mode nothing may be built: 0 MW of wind against 2,000 MW of gas misses 30 %."""
    network, data = mini(tables(), **{**_spec(tmp_path, ["AZ"]), "mode": "dispatch"})
    with pytest.raises(
        InputError, match=r"field 'policy.renewable_targets': AZ's target \(30% of capacity\)"
    ):
        execute(RunRequest(network, data, tmp_path / "results"))
    assert not (tmp_path / "results").exists()
