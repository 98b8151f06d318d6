"""Row models of the data tables (``data/<table>.csv``, see data/README.md), their keys and bounds.

Every numeric cell is finite (``allow_inf_nan=False``) and inside a plausible range: the bounds below
are named, with units, and set well outside any real figure so that they catch typos (a missing decimal
point, a value in the wrong unit, ``1e30``) rather than judge data. Unit strings are checked against the
units each parameter may be stated in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from caspian.units import HOURS_PER_YEAR

Confidence = Literal["official", "press", "estimate"]

MIN_YEAR = 1990
MAX_YEAR = 2100
"""Years (figure years, ``from_year``, currency years) outside 1990–2100 are typos."""

MAX_GAS_CAPACITY_BCM_Y = 100.0
"""bcm/y: no pipeline or field approaches it (Nord Stream 1 was 55 bcm/y; Shah Deniz ~27)."""

MAX_GAS_VOLUME_BCM_Y = 1000.0
"""bcm/y: above any country's annual gas consumption (the United States ≈ 900 bcm, IEA 2023)."""

MAX_POWER_MW = 200_000.0
"""MW: above any capacity, peak or potential in the modelled region (Türkiye's record load ≈ 56 GW,
Italy's 60.5 GW); the largest figure in data/ is an 11 GW renewable potential."""

MAX_ENERGY_TWH = 10_000.0
"""TWh/y: above any country's annual electricity demand (China ≈ 9,400 TWh in 2023, Ember)."""

MAX_LENGTH_KM = 5_000.0
"""km: longer than any pipeline or cable of the corridor (TANAP 1,850 km, Black Sea cable 1,195 km)."""

MIN_POWER_PRICE_EUR_MWH = -500.0
MAX_POWER_PRICE_EUR_MWH = 4_000.0
"""EUR/MWh: the harmonised minimum and maximum clearing prices of the EU single day-ahead coupling
(SDAC, ACER decision 01/2023: −500 and +4,000 EUR/MWh); no day-ahead price lies outside them."""

MAX_GAS_PRICE_EUR_MWH = 1_000.0
"""EUR/MWh (GCV): about three times the highest TTF day-ahead close (≈340 EUR/MWh, August 2022)."""

MAX_VOLL_EUR_MWH = 100_000.0
"""EUR/MWh: a value of lost load above 100 EUR/kWh is a typo (EU estimates reach ~16 EUR/kWh)."""

MAX_CAPEX_MEUR = 100_000.0
"""Million EUR: above the largest corridor project estimate (full TAP expansion and TANAP loops are a
few EUR bn; the whole Southern Gas Corridor cost about USD 40 bn)."""

MAX_START_COST_EUR_PER_MW = 1_000.0
"""EUR per MW per start: an order of magnitude above PyPSA-Eur's CCGT value (60 EUR/MW)."""

MAX_MAGNITUDE = 1e9
"""Bound on the magnitude of a generic ``value`` cell (technology costs, parameters, observed flows):
the largest figure in any of their units is an investment in EUR/MW (~1e6–1e7)."""

PLAUSIBLE_LIFETIME_YEARS = (10.0, 100.0)
"""Years: the range of economic lifetimes the model accepts (technology-data: 25 for gas turbines …
80 for hydro; PV inverters' 10 y is the shortest asset lifetime of interest)."""

MAX_FOM_PCT_PER_YEAR = 20.0
"""%/year of the investment: fixed O&M of energy assets is 1–5 %/year (technology-data: PV 2.5,
pipelines 1.5–3, gas turbines 3.3); 20 catches a value in EUR/kW or a share entered as a fraction × 100."""

MAX_CO2_T_PER_MWH_FUEL = 0.5
"""tCO2 per MWh of fuel: above every fossil fuel (lignite ≈ 0.41, coal 0.34, oil 0.26, gas 0.20 per MWh
LHV, technology-data); a value per MWh of electricity or in kg would exceed it."""

MAX_PROJECT_STAGES = 20
"""A staged project (``projects.csv`` ``stage``) has a handful of stages (the Black Sea cable's plan has
three); a stage number above 20 is a typo."""

MAX_EFFICIENCY = 1.2
"""Per unit: conversion efficiencies lie below 1; up to 1.2 admits figures stated on a lower-heating-
value basis (a condensing boiler's ≈ 1.05 LHV) while a percentage (50 for 50 %) is refused."""

MAX_DISCOUNT_RATE = 0.3
"""Per unit: above any cost of capital used for energy infrastructure (PyPSA-Eur 7 %, the pypsa-kz-data
scenarios up to 20 %); a rate in percent (7 for 7 %) is refused."""

HICP_RANGE = (50.0, 200.0)
"""Index 2015 = 100: the euro-area HICP was ≈ 70 at its start (1996) and ≈ 129 in 2025 (Eurostat
prc_hicp_aind); outside 50–200 is another base year's index or a typo."""

USD_PER_EUR_RANGE = (0.5, 2.0)
"""USD per EUR: the euro has traded between ≈ 0.83 (2000) and ≈ 1.60 (2008) (ECB reference rates);
outside 0.5–2 is a typo or another currency."""

GAS_NCV_PER_GCV_RANGE = (0.85, 0.95)
"""Per unit: natural gas's net over gross calorific value is ≈ 0.90 (IEA; 0.89–0.92 across pipeline
gas qualities); outside 0.85–0.95 is the inverse ratio or another fuel."""

MAX_LOSS_SHARE = 0.2
"""Per unit (per 1000 km, or per converter pair): HVAC ≈ 0.06 and HVDC ≈ 0.02–0.03 per 1000 km, a
converter pair ≈ 0.02, pipeline compressor fuel ≈ 0.01 per 1000 km (technology-data); a percentage
(6 for 6 %) is refused."""


@dataclass(frozen=True)
class Bound:
    """A plausible range of a value: ``[low, high]`` (``(low, high]`` with ``low_open``), in ``unit``."""

    low: float
    high: float
    unit: str
    low_open: bool = False

    def check(self, what: str, value: float) -> float:
        """``value``, or ValueError naming ``what`` and the range."""
        above_low = value > self.low if self.low_open else value >= self.low
        if not (above_low and value <= self.high):
            bracket = "(" if self.low_open else "["
            raise ValueError(
                f"implausible {what} {value:g} (plausible {bracket}{self.low:g}, {self.high:g}] {self.unit})"
            )
        return value


class RowFieldError(ValueError):
    """A row-level check that blames one field (a model validator otherwise names the whole row)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


TECHNOLOGY_COST_UNITS: dict[str, frozenset[str]] = {
    "investment": frozenset({"EUR/kW", "EUR/MW", "EUR/MW/km", "EUR/kW_e"}),
    "FOM": frozenset({"%/year", "%"}),
    "lifetime": frozenset({"years"}),
    "efficiency": frozenset({"per unit"}),
    "VOM": frozenset({"EUR/MWh", "EUR/MWhel"}),
    "electricity-input": frozenset({"MW_e/1000km/MW_CH4", "MWh_el/MWh_H2"}),
}
"""Units ``technology_costs.csv`` may state for each parameter (as PyPSA/technology-data writes them)."""

PARAMETER_UNITS: dict[str, frozenset[str]] = {
    "discount_rate": frozenset({"per unit"}),
    "usd_per_eur": frozenset({"USD/EUR"}),
    "price_year": frozenset({"year"}),
    "hvdc_loss_per_1000km": frozenset({"per unit per 1000 km"}),
    "hvdc_converter_loss": frozenset({"per unit (converter pair)"}),
    "hvac_loss_per_1000km": frozenset({"per unit per 1000 km"}),
    "gas_ncv_per_gcv": frozenset({"per unit"}),
    "pipeline_fuel_per_1000km": frozenset({"per unit per 1000 km"}),
    "gas_fuel_price": frozenset({"EUR/MWh"}),
    "voll_electricity": frozenset({"EUR/MWh"}),
    "voll_gas": frozenset({"EUR/MWh"}),
    "co2_intensity_gas": frozenset({"tCO2/MWh_th"}),
    "co2_intensity_coal": frozenset({"tCO2/MWh_th"}),
    "co2_intensity_oil": frozenset({"tCO2/MWh_th"}),
}
"""Units each row of ``parameters.csv`` must be stated in."""

HICP_PREFIX = "hicp_"
HICP_UNIT = "index 2015=100"
"""``hicp_<year>`` rows: euro-area HICP annual averages, Eurostat's 2015 = 100 index."""

OBSERVED_FLOW_UNITS = frozenset({"bcm", "share"})
"""Units of ``observed_flows.csv``: annual volumes (bcm) and delivery shares (per unit)."""

_LOSS = Bound(0.0, MAX_LOSS_SHARE, "per unit")
_GAS_PRICE = Bound(0.0, MAX_GAS_PRICE_EUR_MWH, "EUR/MWh", low_open=True)
_VOLL = Bound(0.0, MAX_VOLL_EUR_MWH, "EUR/MWh", low_open=True)
_CO2_INTENSITY = Bound(0.0, MAX_CO2_T_PER_MWH_FUEL, "tCO2/MWh_th", low_open=True)

PARAMETER_BOUNDS: dict[str, Bound] = {
    "discount_rate": Bound(0.0, MAX_DISCOUNT_RATE, "per unit", low_open=True),
    "usd_per_eur": Bound(*USD_PER_EUR_RANGE, "USD/EUR"),
    "price_year": Bound(MIN_YEAR, MAX_YEAR, "year"),
    "hvdc_loss_per_1000km": _LOSS,
    "hvdc_converter_loss": _LOSS,
    "hvac_loss_per_1000km": _LOSS,
    "gas_ncv_per_gcv": Bound(*GAS_NCV_PER_GCV_RANGE, "per unit"),
    "pipeline_fuel_per_1000km": _LOSS,
    "gas_fuel_price": _GAS_PRICE,
    "voll_electricity": _VOLL,
    "voll_gas": _VOLL,
    "co2_intensity_gas": _CO2_INTENSITY,
    "co2_intensity_coal": _CO2_INTENSITY,
    "co2_intensity_oil": _CO2_INTENSITY,
}
"""Plausible range of each row of ``parameters.csv`` (``hicp_<year>`` rows: :data:`HICP_RANGE`)."""

TECHNOLOGY_COST_BOUNDS: dict[str, Bound] = {
    "investment": Bound(0.0, MAX_MAGNITUDE, "EUR per unit of capacity"),
    "FOM": Bound(0.0, MAX_FOM_PCT_PER_YEAR, "%/year"),
    "efficiency": Bound(0.0, MAX_EFFICIENCY, "per unit", low_open=True),
    "VOM": Bound(0.0, MAX_MAGNITUDE, "EUR/MWh"),
    "electricity-input": Bound(0.0, MAX_MAGNITUDE, "MW_e per MW"),
}
"""Plausible range of each parameter of ``technology_costs.csv`` (lifetime: :func:`_check_lifetime`)."""

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
GasCapacity = Annotated[float, Field(ge=0, le=MAX_GAS_CAPACITY_BCM_Y)]
GasVolume = Annotated[float, Field(ge=0, le=MAX_GAS_VOLUME_BCM_Y)]
PowerMW = Annotated[float, Field(ge=0, le=MAX_POWER_MW)]
LengthKm = Annotated[float, Field(gt=0, le=MAX_LENGTH_KM)]
PowerPrice = Annotated[float, Field(ge=MIN_POWER_PRICE_EUR_MWH, le=MAX_POWER_PRICE_EUR_MWH)]
GasPrice = Annotated[float, Field(ge=0, le=MAX_GAS_PRICE_EUR_MWH)]
Magnitude = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]
PerUnit = Annotated[float, Field(gt=0, le=1)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
Name = Annotated[str, Field(min_length=1)]


def _check_lifetime(years: float) -> float:
    low, high = PLAUSIBLE_LIFETIME_YEARS
    if not low <= years <= high:
        raise ValueError(f"implausible lifetime {years:g} years (plausible {low:g}–{high:g})")
    return years


def _check_unit(unit: str, known: frozenset[str], what: str) -> str:
    if unit not in known:
        raise ValueError(
            f"unknown unit {unit!r} for {what}, expected {' or '.join(sorted(known))} (inconsistent units)"
        )
    return unit


class TableRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: str = Field(min_length=1)
    year: Year
    confidence: Confidence
    note: str | None = None


EUROPE = "europe"
"""``buses.csv`` ``delivery``: a delivery point counted in the 'to Europe' totals."""

NOT_DELIVERY = "none"
"""``buses.csv`` ``delivery``: not a delivery point."""

SUPPLY_ROLE = "supply"
"""``buses.csv`` ``role`` of a production node (gas fields, an exporter's border)."""

DELIVERY_ROLES = ("market", "domestic")
"""Roles of the buses that may be delivery points (where gas or power is sold or consumed)."""


class BusRow(TableRow):
    """A bus; ``zone`` is the short name its electricity assets and demand are named after ('KZ West
    solar'), its ``country`` when absent — needed only where a country has more than one AC bus."""

    bus: Name
    carrier: Literal["gas", "AC"]
    country: Country
    zone: Name | None = None
    site: str
    lat: Latitude
    lon: Longitude
    role: Literal["supply", "transit", "domestic", "market"]
    delivery: Literal["europe", "other", "none"]

    @model_validator(mode="after")
    def _delivers_only_where_sold_or_consumed(self) -> BusRow:
        if self.delivery != NOT_DELIVERY and self.role not in DELIVERY_ROLES:
            raise ValueError(
                f"delivery '{self.delivery}' at a {self.role} bus: only {' or '.join(DELIVERY_ROLES)} "
                "buses are delivery points"
            )
        return self


class GasPipelineRow(TableRow):
    name: Name
    bus0: str
    bus1: str
    status: Literal["existing", "candidate"]
    capacity_bcm_y: GasCapacity
    from_year: Year
    length_km: float = Field(ge=0, le=MAX_LENGTH_KM)
    fuel_share: float = Field(ge=0, lt=0.2)
    route: Name


class PowerLinkRow(TableRow):
    name: Name
    bus0: str
    bus1: str
    status: Literal["existing", "candidate"]
    capacity_mw: PowerMW
    from_year: Year
    length_km: LengthKm
    technology: Literal["HVAC", "HVDC-B2B", "HVDC-submarine", "HVDC-overhead"]
    efficiency: PerUnit
    bidirectional: bool


class ProjectRow(TableRow):
    project: Name
    asset: Name
    option: Name
    capacity_added: float = Field(gt=0, le=MAX_POWER_MW)
    unit: Literal["bcm/y", "MW"]
    capex_meur: float = Field(ge=0, le=MAX_CAPEX_MEUR)
    currency_year: Year
    fom_pct: float = Field(ge=0, le=MAX_FOM_PCT_PER_YEAR)
    lifetime_years: float
    earliest_year: Year
    stage: int | None = Field(default=None, ge=1, le=MAX_PROJECT_STAGES)

    @field_validator("lifetime_years")
    @classmethod
    def _plausible_lifetime(cls, value: float) -> float:
        return _check_lifetime(value)

    @model_validator(mode="after")
    def _plausible_gas_capacity(self) -> ProjectRow:
        if self.unit == "bcm/y" and self.capacity_added > MAX_GAS_CAPACITY_BCM_Y:
            raise RowFieldError(
                "capacity_added",
                f"{self.capacity_added:g} bcm/y is above {MAX_GAS_CAPACITY_BCM_Y:g} bcm/y (no pipeline "
                "approaches it: a capacity in MW or mcm/d?)",
            )
        return self


class GasOfftakeRow(TableRow):
    name: Name
    bus: str
    annual_bcm: GasVolume
    kind: Literal["domestic", "contract", "power_sector"]
    from_year: Year


class ElectricityDemandRow(TableRow):
    country: Country
    bus: str
    annual_twh: float = Field(gt=0, le=MAX_ENERGY_TWH)
    peak_mw: float | None = Field(None, gt=0, le=MAX_POWER_MW)
    from_year: Year


class PowerMarketRow(TableRow):
    bus: str
    country: Country
    annual_mean_eur_mwh: PowerPrice
    trade_capacity_mw: float = Field(gt=0, le=MAX_POWER_MW)
    trade: Literal["both", "sell"]
    from_year: Year


class PowerPriceMonthlyRow(TableRow):
    country: Country
    month: int = Field(ge=1, le=12)
    price_eur_mwh: PowerPrice
    from_year: Year


class RenewableRow(TableRow):
    country: Country
    bus: str
    technology: Literal["solar", "onwind", "offwind"]
    existing_mw: PowerMW
    potential_mw: PowerMW
    capacity_factor: float = Field(gt=0, lt=1)
    lat: Latitude
    lon: Longitude
    from_year: Year


class ThermalRow(TableRow):
    name: Name
    country: Country
    bus: str
    fuel: Literal["gas", "coal", "hydro", "oil"]
    capacity_mw: PowerMW
    efficiency: PerUnit
    fuel_cost_eur_mwh: float | None = Field(None, ge=0, le=MAX_GAS_PRICE_EUR_MWH)
    vom_eur_mwh: float | None = Field(None, ge=0, le=MAX_POWER_PRICE_EUR_MWH)
    max_annual_cf: float | None = Field(None, gt=0, le=1)
    gas_bus: str | None = None
    from_year: Year


class UnitCommitmentRow(TableRow):
    technology: Name
    p_min_pu: float = Field(ge=0, le=1)
    start_up_cost_eur_per_mw: float = Field(ge=0, le=MAX_START_COST_EUR_PER_MW)
    currency_year: Year
    min_up_time_h: int = Field(ge=0, le=HOURS_PER_YEAR)
    min_down_time_h: int = Field(ge=0, le=HOURS_PER_YEAR)


class UnitSizeRow(TableRow):
    asset: Name
    commitment: Name
    unit_size_mw: float = Field(gt=0, le=MAX_POWER_MW)


class TechnologyCostRow(TableRow):
    technology: Name
    parameter: Literal["investment", "FOM", "lifetime", "efficiency", "VOM", "electricity-input"]
    value: Magnitude
    unit: Name
    currency_year: Year | None = None

    @field_validator("value")
    @classmethod
    def _plausible_value(cls, value: float, info: ValidationInfo) -> float:
        parameter = info.data.get("parameter")
        if parameter == "lifetime":
            return _check_lifetime(value)
        if parameter is None:
            return value
        return TECHNOLOGY_COST_BOUNDS[parameter].check(parameter, value)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str, info: ValidationInfo) -> str:
        parameter = info.data.get("parameter")
        if parameter is None:
            return unit
        return _check_unit(unit, TECHNOLOGY_COST_UNITS[parameter], f"parameter {parameter}")


def _parameter_rule(parameter: str) -> tuple[Bound, frozenset[str]]:
    """The plausible range and the units of a known ``parameters.csv`` row (``hicp_<year>`` rows share
    one rule)."""
    if parameter.startswith(HICP_PREFIX):
        return Bound(*HICP_RANGE, HICP_UNIT), frozenset({HICP_UNIT})
    return PARAMETER_BOUNDS[parameter], PARAMETER_UNITS[parameter]


class ParameterRow(TableRow):
    parameter: Name
    value: Magnitude
    unit: Name

    @field_validator("parameter")
    @classmethod
    def _known_parameter(cls, parameter: str) -> str:
        if parameter not in PARAMETER_UNITS and not parameter.startswith(HICP_PREFIX):
            raise ValueError(
                f"unknown parameter {parameter!r} (known: {', '.join(PARAMETER_UNITS)}, {HICP_PREFIX}<year>)"
            )
        return parameter

    @field_validator("value")
    @classmethod
    def _plausible_value(cls, value: float, info: ValidationInfo) -> float:
        parameter = info.data.get("parameter")
        if parameter is None:
            return value
        if parameter == "price_year" and not value.is_integer():
            raise ValueError(f"price_year {value:g} is not a whole year")
        return _parameter_rule(parameter)[0].check(parameter, value)

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str, info: ValidationInfo) -> str:
        parameter = info.data.get("parameter")
        if parameter is None:
            return unit
        return _check_unit(unit, _parameter_rule(parameter)[1], parameter)


MAX_WAYPOINTS = 50
"""Most waypoints of one drawn route (``map_routes.csv``)."""


class MapRouteRow(TableRow):
    """A waypoint of an asset's drawn route on the report's map (display only: the model uses the data
    lengths of gas_pipelines.csv and power_links.csv)."""

    asset: Name
    seq: int = Field(ge=1, le=MAX_WAYPOINTS)
    site: str = Field(min_length=1)
    lat: Latitude
    lon: Longitude


class ObservedFlowRow(TableRow):
    metric: Name
    value: Magnitude
    unit: Name

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return _check_unit(unit, OBSERVED_FLOW_UNITS, "an observed flow")
