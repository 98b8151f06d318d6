"""Load and check the sourced data tables in ``data/`` (see data/README.md).

Every table is a tidy CSV whose rows carry ``source``, ``year`` and ``confidence``. Each row is validated
with a pydantic model; any problem is an :class:`InputError` naming the file, the row, the field and the
reason. Rows that change over time carry ``from_year``: :func:`in_force` picks, per key, the newest row
not later than the model year.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from caspian.errors import InputError

Confidence = Literal["official", "press", "estimate"]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    confidence: Confidence
    note: str | None = None


EUROPE = "europe"
"""``buses.csv`` ``delivery``: a delivery point counted in the 'to Europe' totals."""
NOT_DELIVERY = "none"
"""``buses.csv`` ``delivery``: not a delivery point."""


DELIVERY_ROLES = ("market", "domestic")
"""Roles of the buses that may be delivery points (where gas or power is sold or consumed)."""


class BusRow(_Row):
    bus: str = Field(min_length=1)
    carrier: Literal["gas", "AC"]
    country: str = Field(pattern=r"^[A-Z]{2}$")
    site: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
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


class GasPipelineRow(_Row):
    name: str = Field(min_length=1)
    bus0: str
    bus1: str
    status: Literal["existing", "candidate"]
    capacity_bcm_y: float = Field(ge=0)
    from_year: int
    length_km: float = Field(ge=0)
    fuel_share: float = Field(ge=0, lt=0.2)
    route: str = Field(min_length=1)


class PowerLinkRow(_Row):
    name: str = Field(min_length=1)
    bus0: str
    bus1: str
    status: Literal["existing", "candidate"]
    capacity_mw: float = Field(ge=0)
    from_year: int
    length_km: float = Field(gt=0)
    technology: Literal["HVAC", "HVDC-B2B", "HVDC-submarine"]
    efficiency: float = Field(gt=0, le=1)
    bidirectional: bool


class ProjectRow(_Row):
    project: str = Field(min_length=1)
    asset: str = Field(min_length=1)
    option: str = Field(min_length=1)
    capacity_added: float = Field(gt=0)
    unit: Literal["bcm/y", "MW"]
    capex_meur: float = Field(ge=0)
    currency_year: int
    fom_pct: float = Field(ge=0, le=20)
    lifetime_years: float = Field(gt=0, le=100)
    earliest_year: int


class GasSupplyRow(_Row):
    name: str = Field(min_length=1)
    bus: str
    plateau_bcm_y: float = Field(ge=0)
    peak_factor: float = Field(ge=1, le=3)
    marginal_cost_eur_mwh: float = Field(ge=0)
    currency_year: int
    from_year: int


class GasOfftakeRow(_Row):
    name: str = Field(min_length=1)
    bus: str
    annual_bcm: float = Field(ge=0)
    kind: Literal["domestic", "contract", "power_sector"]
    from_year: int


class GasMarketRow(_Row):
    bus: str
    hub: str
    price_eur_mwh: float = Field(ge=0)
    currency_year: int
    absorption_bcm_y: float = Field(gt=0)
    from_year: int


class ElectricityDemandRow(_Row):
    country: str = Field(pattern=r"^[A-Z]{2}$")
    bus: str
    annual_twh: float = Field(gt=0)
    peak_mw: float | None = Field(None, gt=0)
    from_year: int


class PowerMarketRow(_Row):
    bus: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    annual_mean_eur_mwh: float
    trade_capacity_mw: float = Field(gt=0)
    trade: Literal["both", "sell"]
    from_year: int


class PowerPriceMonthlyRow(_Row):
    country: str = Field(pattern=r"^[A-Z]{2}$")
    month: int = Field(ge=1, le=12)
    price_eur_mwh: float
    from_year: int


class RenewableRow(_Row):
    country: str = Field(pattern=r"^[A-Z]{2}$")
    bus: str
    technology: Literal["solar", "onwind", "offwind"]
    existing_mw: float = Field(ge=0)
    potential_mw: float = Field(ge=0)
    capacity_factor: float = Field(gt=0, lt=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    from_year: int


class ThermalRow(_Row):
    name: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    bus: str
    fuel: Literal["gas", "coal", "hydro", "oil"]
    capacity_mw: float = Field(ge=0)
    efficiency: float = Field(gt=0, le=1)
    fuel_cost_eur_mwh: float | None = Field(None, ge=0)
    vom_eur_mwh: float | None = Field(None, ge=0)
    max_annual_cf: float | None = Field(None, gt=0, le=1)
    gas_bus: str | None = None
    from_year: int


class UnitCommitmentRow(_Row):
    technology: str = Field(min_length=1)
    p_min_pu: float = Field(ge=0, le=1)
    start_up_cost_eur_per_mw: float = Field(ge=0)
    currency_year: int
    min_up_time_h: int = Field(ge=0)
    min_down_time_h: int = Field(ge=0)


class UnitSizeRow(_Row):
    asset: str = Field(min_length=1)
    commitment: str = Field(min_length=1)
    unit_size_mw: float = Field(gt=0)


class TechnologyCostRow(_Row):
    technology: str = Field(min_length=1)
    parameter: Literal["investment", "FOM", "lifetime", "efficiency", "VOM", "electricity-input"]
    value: float
    unit: str = Field(min_length=1)
    currency_year: int | None = None


class ParameterRow(_Row):
    parameter: str = Field(min_length=1)
    value: float
    unit: str = Field(min_length=1)


class ObservedFlowRow(_Row):
    metric: str = Field(min_length=1)
    value: float
    unit: str = Field(min_length=1)


TABLES: dict[str, type[_Row]] = {
    "buses": BusRow,
    "gas_pipelines": GasPipelineRow,
    "power_links": PowerLinkRow,
    "projects": ProjectRow,
    "gas_supply": GasSupplyRow,
    "gas_offtakes": GasOfftakeRow,
    "gas_markets": GasMarketRow,
    "electricity_demand": ElectricityDemandRow,
    "power_markets": PowerMarketRow,
    "power_prices_monthly": PowerPriceMonthlyRow,
    "renewables": RenewableRow,
    "thermal": ThermalRow,
    "unit_commitment": UnitCommitmentRow,
    "unit_sizes": UnitSizeRow,
    "technology_costs": TechnologyCostRow,
    "parameters": ParameterRow,
    "observed_flows": ObservedFlowRow,
}
"""Table name (file ``data/<name>.csv``) → row model."""

BUS_COLUMNS: dict[str, tuple[str, ...]] = {
    "gas_pipelines": ("bus0", "bus1"),
    "power_links": ("bus0", "bus1"),
    "gas_supply": ("bus",),
    "gas_offtakes": ("bus",),
    "gas_markets": ("bus",),
    "electricity_demand": ("bus",),
    "power_markets": ("bus",),
    "renewables": ("bus",),
    "thermal": ("bus", "gas_bus"),
}
"""Columns that must name a bus of ``buses.csv``."""

EXPECTED_UNITS: dict[str, str] = {
    "discount_rate": "per unit",
    "price_year": "year",
}
"""Units that ``parameters.csv`` must state for the parameters the model reads."""


def delivery_buses(buses: pd.DataFrame, carrier: str, europe_only: bool = False) -> list[str]:
    """The delivery points of ``carrier`` ('gas' | 'AC') among ``buses`` (indexed by bus, with the
    ``carrier`` and ``delivery`` columns of ``buses.csv``; the data table or a network's ``n.buses``):
    every delivery point, or only those counted in the 'to Europe' totals."""
    of_carrier = buses[buses["carrier"] == carrier]
    chosen = of_carrier["delivery"] == EUROPE if europe_only else of_carrier["delivery"] != NOT_DELIVERY
    return [str(bus) for bus in of_carrier.index[chosen]]


@dataclass(frozen=True)
class Dataset:
    """All data tables, validated; ``tables[name]`` is a DataFrame with one row per CSV row."""

    root: Path
    tables: dict[str, pd.DataFrame]
    digest: str
    rows_by_file: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """The named table (a copy is not made: treat it as read-only)."""
        return self.tables[name]

    def buses(self) -> pd.DataFrame:
        """``buses.csv`` indexed by bus."""
        return self.tables["buses"].set_index("bus")

    def parameter(self, name: str) -> float:
        """Value of a row of parameters.csv."""
        params = self.tables["parameters"].set_index("parameter")
        if name not in params.index:
            raise InputError(f"{self.root / 'parameters.csv'}: field 'parameter': '{name}' missing")
        return float(params.loc[name, "value"])

    def to_price_year(self, value: float, currency_year: int | None) -> float:
        """Convert money of ``currency_year`` EUR to the model's price year with the HICP rows."""
        target = int(self.parameter("price_year"))
        if currency_year is None or pd.isna(currency_year) or int(currency_year) == target:
            return value
        return value * self.parameter(f"hicp_{target}") / self.parameter(f"hicp_{int(currency_year)}")


def _read_rows(path: Path, model: type[_Row]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{path}: data file missing")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in model.model_fields if model.model_fields[c].is_required() and c not in header]
        if missing:
            raise InputError(f"{path}: field '{missing[0]}': required column missing")
        records = []
        for line, raw in enumerate(reader, start=2):
            cleaned = {k: (v.strip() if isinstance(v, str) and v.strip() else None) for k, v in raw.items()}
            cleaned = {k: v for k, v in cleaned.items() if v is not None}
            try:
                records.append(model.model_validate(cleaned).model_dump())
            except ValidationError as err:
                first = err.errors()[0]
                col = ".".join(str(p) for p in first["loc"]) or "(row)"
                reason = "unknown column" if first["type"] == "extra_forbidden" else first["msg"]
                value = cleaned.get(col)
                shown = f" (value {value!r})" if value is not None else ""
                raise InputError(f"{path}: line {line} field '{col}': {reason}{shown}") from None
    return pd.DataFrame.from_records(records, columns=list(model.model_fields))


def _check_references(root: Path, tables: dict[str, pd.DataFrame]) -> None:
    buses = set(tables["buses"]["bus"])
    for name, columns in BUS_COLUMNS.items():
        frame = tables[name]
        for column in columns:
            for line, bus in enumerate(frame[column], start=2):
                if bus is not None and not pd.isna(bus) and bus not in buses:
                    raise InputError(
                        f"{root / (name + '.csv')}: line {line} field '{column}': unknown node {bus!r}"
                    )
    technologies = set(tables["unit_commitment"]["technology"])
    for line, technology in enumerate(tables["unit_sizes"]["commitment"], start=2):
        if technology not in technologies:
            raise InputError(
                f"{root / 'unit_sizes.csv'}: line {line} field 'commitment': {technology!r} is not a "
                "technology of unit_commitment.csv"
            )
    params = tables["parameters"].set_index("parameter")["unit"]
    for parameter, unit in EXPECTED_UNITS.items():
        if parameter in params.index and params[parameter] != unit:
            raise InputError(
                f"{root / 'parameters.csv'}: field 'unit': {parameter} is in {params[parameter]!r}, "
                f"expected {unit!r} (inconsistent units)"
            )


def load_dataset(root: Path) -> Dataset:
    """Read and validate every table under ``root``; raise InputError on the first problem."""
    if not root.is_dir():
        raise InputError(f"{root}: data directory not found")
    tables: dict[str, pd.DataFrame] = {}
    digest = hashlib.sha256()
    for name, model in TABLES.items():
        path = root / f"{name}.csv"
        tables[name] = _read_rows(path, model)
        digest.update(name.encode())
        digest.update(path.read_bytes())
    _check_references(root, tables)
    return Dataset(
        root=root,
        tables=tables,
        digest=digest.hexdigest()[:16],
        rows_by_file={name: len(frame) for name, frame in tables.items()},
    )


def in_force(frame: pd.DataFrame, keys: list[str], year: int) -> pd.DataFrame:
    """Per key, the row with the largest ``from_year`` not after ``year`` (keys with none are dropped)."""
    current = frame[frame["from_year"] <= year]
    if current.empty:
        return current
    idx = current.groupby(keys, sort=False)["from_year"].idxmax()
    return current.loc[idx.values].reset_index(drop=True)
