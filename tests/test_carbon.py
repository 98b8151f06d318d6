"""Carbon prices (issue 12): a fossil plant pays its country's carbon price on the CO2 of its fuel, in
both formulations, and the summary reports what it emitted.

Hand-checked case: one Azerbaijani bus with a 100 MW mean demand (peak 150 MW), served by a 300 MW gas
fleet of efficiency 0.5 burning gas at 20 EUR/MWh (GCV). Gas emits 0.2 tCO2/MWh LHV × 0.9 LHV/GCV = 0.18 t per
MWh of fuel as the fleet counts it. At 50 EUR/tCO2 a MWh of power costs (20 + 50 × 0.18) / 0.5 = 58 EUR
(40 without the price); the year's 876,000 MWh burn 1,752,000 MWh of gas and emit 315,360 t."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import InputError
from caspian.runs.crosscheck import crosscheck
from caspian.runs.single import RunRequest, execute
from conftest import AZ_POWER_BUS, gas_fleet, mini_tables

runner = CliRunner()

YEAR = {"hours": 8760, "resolution": "24h"}
SPEC = {"carriers": ["electricity"], "mode": "dispatch", "time": YEAR}


def _co2_row(price: float, unit: str = "EUR/tCO2") -> dict:
    return {"country": "AZ", "price": price, "unit": unit, "currency_year": 2024, "from_year": 2020}


def tables(co2: list[dict] | None = None, usd_per_eur: float | None = None) -> dict:
    """One AZ bus, 100 MW flat demand, a 300 MW gas fleet (efficiency 0.5, gas 20 EUR/MWh)."""
    base = mini_tables()
    parameters = list(base["parameters"])
    if usd_per_eur is not None:
        parameters.append({"parameter": "usd_per_eur", "value": usd_per_eur, "unit": "USD/EUR"})
    return {
        "buses": [AZ_POWER_BUS],
        "electricity_demand": [
            {"country": "AZ", "bus": "AZ AC", "annual_twh": 0.876, "peak_mw": 150, "from_year": 2020}
        ],
        "thermal": [gas_fleet("AZ", "AZ AC", 300, 0.5, 20)],
        "co2_prices": co2 if co2 is not None else [_co2_row(50)],
        "parameters": parameters,
    }


def _summary(mini, tmp_path, table_rows: dict, **spec):
    network, data = mini(table_rows, **{**SPEC, **spec})
    return execute(RunRequest(network, data, tmp_path / "results")).summary


def test_carbon_price_sets_the_power_price_and_emissions_are_counted(mini, tmp_path):
    ds = _summary(mini, tmp_path, tables())
    assert float(ds.price_eur_mwh.sel(bus="AZ AC")) == pytest.approx(58.0, rel=1e-9)
    assert float(ds.co2_emissions_mt.sel(country="AZ")) == pytest.approx(0.31536, rel=1e-9)
    assert float(ds.objective_eur_y) == pytest.approx(876_000 * 58.0, rel=1e-9)


def test_spec_override_and_usd_prices(mini, tmp_path):
    """A spec price of 0 removes the charge (40 EUR/MWh); 54 USD/t at 1.08 USD/EUR is 50 EUR/t again."""
    free = _summary(mini, tmp_path / "free", tables(), policy={"co2_price_eur_t": {"AZ": 0}})
    assert float(free.price_eur_mwh.sel(bus="AZ AC")) == pytest.approx(40.0, rel=1e-9)
    usd = _summary(mini, tmp_path / "usd", tables([_co2_row(54, "USD/tCO2")], usd_per_eur=1.08))
    assert float(usd.price_eur_mwh.sel(bus="AZ AC")) == pytest.approx(58.0, rel=1e-9)


def test_pyomo_prices_carbon_alike(mini):
    network, data = mini(tables(), **SPEC)
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))
    objective = next(row for row in result.rows if row.kind == "objective")
    assert objective.pyomo == pytest.approx(876_000 * 58.0, rel=1e-6)


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (_co2_row(50, "EUR/MWh"), "unit", "unknown unit 'EUR/MWh' for a carbon price"),
        (_co2_row(-5), "price", "greater than or equal to 0"),
        (_co2_row(5e4), "price", "less than or equal to 1000"),
        ({**_co2_row(50), "country": "Azerbaijan"}, "country", "should match pattern"),
    ],
    ids=["unit", "negative", "huge", "country"],
)
def test_bad_carbon_price_exits_2_naming_file_line_and_field(mini, tmp_path, monkeypatch, row, field, reason):
    network, data = mini(tables([row]), **SPEC)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["solve", "-q", str(network), "--data", str(data)])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert f"co2_prices.csv: line 2 field '{field}'" in message and reason in message, message
    assert not (tmp_path / "results").exists()


def test_override_for_a_country_without_a_bus_is_refused(mini):
    network, data = mini(tables(), **SPEC, policy={"co2_price_eur_t": {"KZ": 30}})
    with pytest.raises(InputError, match=r"field 'policy.co2_price_eur_t.KZ': no bus in country 'KZ'"):
        crosscheck(network, data)


def test_exporter_price_applies_outside_the_eu_unless_a_country_is_named(mini, tmp_path):
    """Azerbaijan has no EU market bus: the exporters' 50 EUR/t applies (58 EUR/MWh) over its data row of
    0, and a price named for AZ itself wins over it (0 → 40 EUR/MWh)."""
    rows = tables([_co2_row(0)])
    exporters = _summary(mini, tmp_path / "exp", rows, policy={"exporter_co2_price_eur_t": 50})
    assert float(exporters.price_eur_mwh.sel(bus="AZ AC")) == pytest.approx(58.0, rel=1e-9)
    named = _summary(
        mini, tmp_path / "named", rows, policy={"exporter_co2_price_eur_t": 50, "co2_price_eur_t": {"AZ": 0}}
    )
    assert float(named.price_eur_mwh.sel(bus="AZ AC")) == pytest.approx(40.0, rel=1e-9)
