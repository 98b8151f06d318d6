"""CBAM on electricity entering the EU (issue 12), hand-checked on two buses.

Georgia (GE AC) exports over a 100 MW lossless cable to Romania's sell-only market at 100 EUR/MWh. It has
a 200 MW gas fleet at 40 EUR/MWh (20 EUR/MWh fuel, efficiency 0.5, no Georgian carbon price) and 150 MW of
wind that blows at full output in the first 12 hours of every day and not at all in the other 12. The EU
ETS price is 100 EUR/t and Georgia's default factor 0.5 t/MWh: the default charge is 50 EUR/MWh, so gas
power still pays to export (100 − 50 > 40) and the cable runs full every hour.

* ``default``: every MWh pays: 100 MW × 8,760 h = 0.876 TWh/y charged, 43.8 M EUR/y.
* ``matched``: in the windy hours all 100 MW are matched by wind (150 MW ≥ 100), in the calm hours none:
  0.438 TWh/y matched, 0.438 charged, 21.9 M EUR/y. Matching is hourly: the year's 0.657 TWh of wind
  exceed what it can match, because 50 MW of it blows when the cable is already full of wind.
* Dispatch is the same under every treatment (the cable runs full), so the objective exceeds the run
  without CBAM by exactly the charge.
"""

from __future__ import annotations

import pandas as pd
import pytest

from caspian.errors import InputError
from caspian.inputs.weather import hourly_index
from caspian.runs.crosscheck import crosscheck
from caspian.runs.single import RunRequest, execute
from conftest import AZ_POWER_BUS, RO_POWER_BUS, RO_POWER_MARKET, assert_costs_add_up, gas_fleet, mini_tables

GE_POWER_BUS = {**AZ_POWER_BUS, "bus": "GE AC", "country": "GE", "site": "Tbilisi", "lat": 41.7, "lon": 44.8}
HOURS = 48


def _wind_file(tmp_path) -> str:
    index = hourly_index(2030)
    windy = (index.hour < 12).astype(float)
    path = tmp_path / "wind.csv"
    pd.DataFrame({"time": index.strftime("%Y-%m-%d %H:%M"), "GE onwind": windy}).to_csv(path, index=False)
    return str(path)


def tables() -> dict:
    parameters = mini_tables()["parameters"]
    return {
        "buses": [GE_POWER_BUS, {**AZ_POWER_BUS, **RO_POWER_BUS}],
        "power_links": [
            {
                "name": "Black Sea cable",
                "bus0": "GE AC",
                "bus1": "RO AC",
                "status": "existing",
                "capacity_mw": 100,
                "from_year": 2020,
                "length_km": 1100,
                "technology": "HVDC-submarine",
                "efficiency": 1.0,
                "bidirectional": False,
            }
        ],
        "power_markets": [RO_POWER_MARKET],
        "renewables": [
            {
                "country": "GE",
                "bus": "GE AC",
                "technology": "onwind",
                "existing_mw": 150,
                "potential_mw": 150,
                "capacity_factor": 0.5,
                "lat": 41.7,
                "lon": 44.8,
                "from_year": 2020,
            }
        ],
        "thermal": [gas_fleet("GE", "GE AC", 200, 0.5, 20)],
        "co2_prices": [
            {"country": "RO", "price": 100, "unit": "EUR/tCO2", "currency_year": 2024, "from_year": 2020}
        ],
        "cbam_defaults": [{"country": "GE", "factor_t_per_mwh": 0.5, "basis": "fossil", "from_year": 2020}],
        "parameters": parameters,
    }


def _spec(tmp_path, treatment: str, year: int = 2030) -> dict:
    return {
        "year": year,
        "carriers": ["electricity"],
        "time": {"hours": HOURS},
        "profiles": {"files": {"GE onwind": _wind_file(tmp_path)}},
        "policy": {"cbam": treatment},
    }


def _summary(mini, tmp_path, treatment: str, year: int = 2030):
    network, data = mini(tables(), **_spec(tmp_path, treatment, year))
    return execute(RunRequest(network, data, tmp_path / f"results-{treatment}-{year}")).summary


@pytest.mark.parametrize(
    ("treatment", "charged_twh", "charge_meur"), [("default", 0.876, 43.8), ("matched", 0.438, 21.9)]
)
def test_matched_imports_avoid_the_charge_exactly(mini, tmp_path, treatment, charged_twh, charge_meur):
    ds = _summary(mini, tmp_path, treatment)
    without = _summary(mini, tmp_path, "none")
    entry = {"cbam_entry": "Black Sea cable"}
    assert float(ds.cbam_delivered_twh.sel(entry)) == pytest.approx(0.876, rel=1e-9)
    assert float(ds.cbam_charged_twh.sel(entry)) == pytest.approx(charged_twh, rel=1e-9)
    assert float(ds.cbam_matched_twh.sel(entry)) == pytest.approx(0.876 - charged_twh, abs=1e-9)
    assert float(ds.cbam_charge_eur_y) == pytest.approx(charge_meur * 1e6, rel=1e-9)
    assert float(ds.objective_eur_y - without.objective_eur_y) == pytest.approx(charge_meur * 1e6, rel=1e-9)
    assert_costs_add_up(ds)
    matched = ds.cbam_matched_mw.to_series()
    assert (matched <= ds.cbam_renewable_mw.to_series() + 1e-6).all()  # never more than the wind, hourly
    assert (matched <= ds.cbam_delivered_mw.to_series() + 1e-6).all()


def test_no_charge_without_cbam_or_before_2026(mini, tmp_path):
    assert "cbam_charged_twh" not in _summary(mini, tmp_path, "none")
    before = _summary(mini, tmp_path, "default", year=2025)
    assert "cbam_charged_twh" not in before
    unpriced = _summary(mini, tmp_path, "none", year=2025)
    assert float(before.objective_eur_y) == pytest.approx(float(unpriced.objective_eur_y), rel=1e-12)


@pytest.mark.parametrize("treatment", ["default", "matched"])
def test_pyomo_charges_cbam_alike(mini, tmp_path, treatment):
    network, data = mini(tables(), **_spec(tmp_path, treatment))
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))
    charged = next(row for row in result.rows if row.kind == "cbam charged")
    assert charged.pyomo == pytest.approx(0.876 if treatment == "default" else 0.438, rel=1e-6)


def test_an_exporter_without_a_default_factor_is_refused(mini, tmp_path):
    rows = tables()
    rows["cbam_defaults"] = []
    network, data = mini(rows, **_spec(tmp_path, "matched"))
    with pytest.raises(
        InputError, match=r"cbam_defaults.csv: field 'country': no CBAM default emission factor"
    ):
        execute(RunRequest(network, data, tmp_path / "results"))


def _with_azerbaijan(linked: bool) -> dict:
    """The two-bus case plus Azerbaijan with 100 MW of wind blowing in the calm Georgian hours, joined to
    Georgia by a 200 MW line or not at all."""
    rows = tables()
    rows["buses"] = [*rows["buses"], AZ_POWER_BUS]
    az_wind = {
        **rows["renewables"][0],
        "country": "AZ",
        "bus": "AZ AC",
        "existing_mw": 100,
        "potential_mw": 100,
    }
    rows["renewables"] = [*rows["renewables"], az_wind]
    if linked:
        line = {
            **rows["power_links"][0],
            "name": "AZ–GE",
            "bus0": "AZ AC",
            "bus1": "GE AC",
            "capacity_mw": 200,
        }
        rows["power_links"] = [*rows["power_links"], {**line, "bidirectional": True, "length_km": 200}]
    return rows


def _profile_file(tmp_path, name: str, windy_hours: range) -> str:
    """A capacity-factor file (one column per file: the reader takes the first) blowing in ``windy_hours``."""
    index = hourly_index(2030)
    path = tmp_path / f"{name}.csv"
    pd.DataFrame(
        {"time": index.strftime("%Y-%m-%d %H:%M"), name: index.hour.isin(windy_hours).astype(float)}
    ).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(("linked", "matched_twh"), [(False, 0.438), (True, 0.876)])
def test_only_wind_with_a_path_to_the_entry_may_match(mini, tmp_path, linked, matched_twh):
    """Azerbaijan's calm-hour wind matches the other half of the imports only when a line joins it to
    Georgia: 100 MW × 12 h/day = 0.438 TWh/y more, all of the cable's 0.876."""
    spec = _spec(tmp_path, "matched")
    spec["profiles"] = {
        "files": {
            "GE onwind": _profile_file(tmp_path, "GE onwind", range(12)),
            "AZ onwind": _profile_file(tmp_path, "AZ onwind", range(12, 24)),
        }
    }
    network, data = mini(_with_azerbaijan(linked), **spec)
    ds = execute(RunRequest(network, data, tmp_path / f"results-{linked}")).summary
    assert float(ds.cbam_matched_twh.sel(cbam_entry="Black Sea cable")) == pytest.approx(
        matched_twh, rel=1e-6
    )
    assert crosscheck(network, data).agrees
