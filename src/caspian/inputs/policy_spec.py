"""The network spec's ``policy`` section: carbon prices, CBAM on electricity entering the EU and the
renewable targets a run enforces.

Units: EUR per tonne of CO2 of the price year (``parameters.csv`` ``price_year``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from caspian.inputs.policy_rows import Co2Price
from caspian.inputs.rows import Country

CbamTreatment = Literal["none", "default", "matched"]
"""How CBAM treats electricity entering the EU (:mod:`caspian.inputs.cbam`)."""


class PolicySpec(BaseModel):
    """Climate policy of a run: ``cbam`` is the treatment of electricity entering the EU
    (:mod:`caspian.inputs.cbam`); ``exporter_co2_price_eur_t`` prices carbon in every country outside
    the EU markets at once (exporters pricing carbon like the EU); ``co2_price_eur_t`` replaces the
    carbon price of ``co2_prices.csv`` for the countries it names (EUR/tCO2 of the price year);
    ``renewable_targets`` lists the countries whose renewable target is enforced."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    co2_price_eur_t: dict[Country, Co2Price] = Field(
        default_factory=dict,
        description="EUR/tCO2 (price year) per ISO2 country, replacing co2_prices.csv for that country",
    )
    exporter_co2_price_eur_t: Co2Price | None = Field(
        None,
        description="EUR/tCO2 (price year) for every country without an EU market bus (buses.csv delivery "
        "'europe'), replacing co2_prices.csv there; co2_price_eur_t still wins for the countries it names",
    )
    renewable_targets: list[Country] = Field(
        default_factory=list,
        description="countries whose renewable target (renewable_targets.csv, in force in the model year) "
        "the run enforces as a constraint; its shadow price is the target's marginal cost",
    )
    cbam: CbamTreatment = Field(
        "matched",
        description="CBAM on electricity entering the EU from 2026: none; default (every MWh pays the EU ETS "
        "price x the exporter's default factor); matched (MWh matched in the same snapshot by the "
        "exporters' wind and solar pay nothing), see caspian.inputs.cbam",
    )
