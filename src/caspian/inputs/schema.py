"""The data tables: each table's row model and key (the registry :mod:`caspian.inputs.tables` loads)."""

from __future__ import annotations

from caspian.inputs.gas_rows import (
    GasAlternativeRow,
    GasDemandMonthlyRow,
    GasMarketRow,
    GasOutletRow,
    GasStorageRow,
    GasSupplyRow,
    GasTariffRow,
    GasTtfMonthlyRow,
)
from caspian.inputs.policy_rows import Co2PriceRow
from caspian.inputs.rows import (
    BusRow,
    ElectricityDemandRow,
    GasOfftakeRow,
    GasPipelineRow,
    MapRouteRow,
    ObservedFlowRow,
    ParameterRow,
    PowerLinkRow,
    PowerMarketRow,
    PowerPriceMonthlyRow,
    ProjectRow,
    RenewableRow,
    TableRow,
    TechnologyCostRow,
    ThermalRow,
    UnitCommitmentRow,
    UnitSizeRow,
)

TABLES: dict[str, type[TableRow]] = {
    "buses": BusRow,
    "gas_pipelines": GasPipelineRow,
    "power_links": PowerLinkRow,
    "projects": ProjectRow,
    "gas_supply": GasSupplyRow,
    "gas_offtakes": GasOfftakeRow,
    "gas_markets": GasMarketRow,
    "gas_alternatives": GasAlternativeRow,
    "gas_ttf_monthly": GasTtfMonthlyRow,
    "gas_demand_monthly": GasDemandMonthlyRow,
    "gas_storage": GasStorageRow,
    "gas_tariffs": GasTariffRow,
    "gas_outlets": GasOutletRow,
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
    "map_routes": MapRouteRow,
    "co2_prices": Co2PriceRow,
}
"""Table name (file ``data/<name>.csv``) → row model."""

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "buses": ("bus",),
    "gas_pipelines": ("name", "from_year"),
    "power_links": ("name", "from_year"),
    "projects": ("project", "option"),
    "gas_supply": ("name", "from_year"),
    "gas_offtakes": ("name", "from_year"),
    "gas_markets": ("bus", "from_year"),
    "gas_alternatives": ("bus", "name", "from_year"),
    "gas_ttf_monthly": ("price_year", "month"),
    "gas_demand_monthly": ("bus", "month"),
    "gas_storage": ("name", "from_year"),
    "gas_tariffs": ("pipeline", "from_year"),
    "gas_outlets": ("name", "from_year"),
    "electricity_demand": ("bus", "from_year"),
    "power_markets": ("bus", "from_year"),
    "power_prices_monthly": ("country", "month", "from_year"),
    "renewables": ("bus", "technology", "from_year"),
    "thermal": ("name", "from_year"),
    "unit_commitment": ("technology",),
    "unit_sizes": ("asset",),
    "technology_costs": ("technology", "parameter"),
    "parameters": ("parameter",),
    "observed_flows": ("metric", "year"),
    "map_routes": ("asset", "seq"),
    "co2_prices": ("country", "from_year"),
}
"""Columns that identify a row of each table: no two rows share them, and an overlay row with the same
key replaces the base row."""
