"""Carbon prices and fuel CO2 intensities: the one owner of what a tonne of CO2 costs a plant.

A fossil-fired plant in a country pays that country's carbon price (``co2_prices.csv`` in force in the
model year, replaced per country by the spec's ``policy.co2_price_eur_t``; 0 where neither has one) on
the CO2 of the fuel it burns: ``parameters.csv`` ``co2_intensity_<fuel>`` in tCO2 per MWh of fuel as
the fleets count it (gas on a GCV basis, like the fleets' efficiencies). Units: EUR/tCO2 of the price
year, tCO2/MWh_fuel, EUR/MWh_fuel.
"""

from __future__ import annotations

from caspian.inputs.context import BuildContext
from caspian.inputs.rows import EUROPE
from caspian.inputs.tables import Dataset, in_force

INTENSITY_PARAMETER = {"gas": "co2_intensity_gas", "coal": "co2_intensity_coal", "oil": "co2_intensity_oil"}
"""``parameters.csv`` row holding the CO2 intensity of each fossil fuel of ``thermal.csv`` (tCO2 per MWh
of the fuel's LHV; gas is converted to its GCV basis)."""


def fuel_co2_t_per_mwh(data: Dataset, fuel: str) -> float:
    """tCO2 per MWh of ``fuel`` as the fleets count it (gas per MWh GCV); 0 for hydro and renewables."""
    if fuel not in INTENSITY_PARAMETER:
        return 0.0
    intensity = data.parameter(INTENSITY_PARAMETER[fuel])
    return intensity * data.parameter("gas_ncv_per_gcv") if fuel == "gas" else intensity


def _from_data(ctx: BuildContext, country: str) -> float:
    rows = in_force(ctx.data.table("co2_prices"), ["country"], ctx.spec.year)
    rows = rows[rows["country"] == country]
    if rows.empty:
        return 0.0
    row = rows.iloc[0]
    return ctx.data.eur_of_price_year(
        float(row["price"]), row["unit"] == "USD/tCO2", int(row["currency_year"])
    )


def co2_price_eur_t(ctx: BuildContext, country: str) -> float:
    """EUR/tCO2 (price year) a plant in ``country`` pays in the model year: the spec's price for the
    country, else its price for exporters (a country without an EU market bus), else the data's."""
    policy = ctx.spec.policy
    if country in policy.co2_price_eur_t:
        return float(policy.co2_price_eur_t[country])
    if policy.exporter_co2_price_eur_t is not None and country not in eu_countries(ctx.data):
        return float(policy.exporter_co2_price_eur_t)
    return _from_data(ctx, country)


def eu_countries(data: Dataset) -> frozenset[str]:
    """Countries with an EU market bus (``buses.csv`` ``delivery`` 'europe')."""
    buses = data.table("buses")
    return frozenset(buses.loc[buses["delivery"] == EUROPE, "country"])


def co2_cost_eur_per_mwh_fuel(ctx: BuildContext, country: str, fuel: str) -> float:
    """EUR per MWh of fuel burnt: the country's carbon price × the fuel's CO2 intensity."""
    intensity = fuel_co2_t_per_mwh(ctx.data, fuel)
    return co2_price_eur_t(ctx, country) * intensity if intensity else 0.0


def country_of(data: Dataset, bus: str) -> str:
    """ISO2 country of ``bus`` (``buses.csv``; buses are checked to exist when the data load)."""
    return str(data.buses().at[bus, "country"])
