"""Row models of the climate-policy tables (see data/README.md): carbon prices per country, the CBAM
default emission factors of electricity exporters and national renewable targets.

A carbon price is stated per tonne of CO2 in a currency of a stated year and converted to EUR of the
price year by :mod:`caspian.inputs.carbon`; an unknown unit or currency is refused naming the row.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from caspian.inputs.rows import Country, TableRow, Year, _check_unit

MAX_CO2_PRICE = 1_000.0
"""Per tonne of CO2: about ten times the highest EU ETS close (≈ 100 EUR/t, February 2023); the
highest carbon price anywhere (Uruguay's tax) is ≈ 170 USD/t (World Bank, 2024)."""

CO2_PRICE_UNITS = frozenset({"EUR/tCO2", "USD/tCO2"})
"""Units a carbon price may be stated in (USD converted with ``parameters.csv`` ``usd_per_eur``)."""

Co2Price = Annotated[float, Field(ge=0, le=MAX_CO2_PRICE)]


class Co2PriceRow(TableRow):
    """The carbon price paid by fossil-fired plants in ``country`` from ``from_year`` (an EU member's row
    is the EU ETS allowance price, which CBAM charges on electricity entering the EU)."""

    country: Country
    price: Co2Price
    unit: str
    currency_year: Year
    from_year: Year

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        return _check_unit(value, CO2_PRICE_UNITS, "a carbon price")


MAX_EMISSION_FACTOR_T_PER_MWH = 1.5
"""tCO2 per MWh of electricity: above any country's fossil-power intensity (lignite plants ≈ 1.1–1.2;
the Western Balkans' implied CBAM defaults ≈ 1.0–1.15 in 2026)."""


class CbamDefaultRow(TableRow):
    """An electricity exporter's CBAM default emission factor (tCO2/MWh) from ``from_year``; ``basis``
    'fossil' is the regulation's definition (fossil-fuelled generation only), 'grid' the average of all
    generation (the Commission's proposal COM(2025) 989)."""

    country: Country
    factor_t_per_mwh: float = Field(ge=0, le=MAX_EMISSION_FACTOR_T_PER_MWH)
    basis: Literal["fossil", "grid"]
    from_year: Year


class RenewableTargetRow(TableRow):
    """A country's renewable target from ``from_year``: ``share`` (per unit, at most 1) of its installed
    electric capacity ('capacity') or of its generation ('generation') from wind and solar, and hydro
    where ``counts_hydro`` (else hydro counts only toward the total)."""

    country: Country
    share: float = Field(gt=0, le=1)
    basis: Literal["capacity", "generation"]
    counts_hydro: bool
    from_year: Year
