"""Row models of the gas-economics tables (see data/README.md): European markets' residual import
demand, the alternatives they buy from, monthly hub prices and demand shapes, underground storage,
pipeline tariffs and the outlets that set an exporter's opportunity cost.

Single-row checks live here (bounds, units, a residual demand that is not negative, a storage that can
be filled); checks across rows (a supply curve's order, shares summing to one, every month present)
are in :mod:`caspian.inputs.curves`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from caspian.inputs.rows import (
    MAX_GAS_CAPACITY_BCM_Y,
    MAX_GAS_PRICE_EUR_MWH,
    MAX_GAS_VOLUME_BCM_Y,
    GasCapacity,
    GasPrice,
    GasVolume,
    Name,
    RowFieldError,
    TableRow,
    Year,
    _check_unit,
)

MAX_SPREAD_EUR_MWH = 200.0
"""EUR/MWh over TTF: above any hub premium or delivery differential (the PSV–TTF spread is 2–2.5;
in the August 2022 crisis the THE–TTF spread peaked near 60); demand-response tiers sit at TTF + 60–80."""

MIN_SPREAD_EUR_MWH = -MAX_SPREAD_EUR_MWH
"""A source may deliver below TTF (e.g. pipeline gas indexed to oil in a low-oil year)."""

MAX_STORAGE_BCM = 100.0
"""bcm of working gas: above any country's storage (Ukraine 31 bcm, Germany 24, Italy ~19)."""

MAX_STORAGE_RATE_MCM_D = 1_000.0
"""mcm/d: above any country's withdrawal or injection capacity (Germany ~700 mcm/d)."""

MAX_TARIFF_VALUE = 1_000.0
"""In the row's unit: above any pipeline tariff (TANAP's ≈ 70 USD/1000 m³ is ≈ 6 EUR/MWh)."""

MIN_FILL_DAYS = 1.0
"""Days: a storage must not fill or empty in less than a day at its stated rate (a rate in mcm/h, or a
working volume in mcm instead of bcm); real ones take 30–200 days (GIE AGSI+)."""

MCM_PER_BCM = 1_000.0

TARIFF_UNITS = frozenset({"USD/1000m3", "EUR/MWh", "USD/MWh"})
"""Units a tariff row may be stated in (converted to EUR/MWh of GCV by
:func:`caspian.inputs.gas_economics.tariff_eur_mwh`)."""

Month = Annotated[int, Field(ge=1, le=12)]
Spread = Annotated[float, Field(ge=MIN_SPREAD_EUR_MWH, le=MAX_SPREAD_EUR_MWH)]
StorageRate = Annotated[float, Field(gt=0, le=MAX_STORAGE_RATE_MCM_D)]


class GasMarketRow(TableRow):
    """A market's annual balance, bcm/y: what it must import beyond its own production and its
    non-corridor contracts is the residual the corridor and the alternatives compete for."""

    bus: str
    hub: str
    consumption_bcm_y: float = Field(gt=0, le=MAX_GAS_VOLUME_BCM_Y)
    domestic_production_bcm_y: GasVolume
    other_contracts_bcm_y: GasVolume
    from_year: Year

    @model_validator(mode="after")
    def _residual_not_negative(self) -> GasMarketRow:
        residual = self.consumption_bcm_y - self.domestic_production_bcm_y - self.other_contracts_bcm_y
        if residual < 0:
            raise RowFieldError(
                "other_contracts_bcm_y",
                f"residual import demand {residual:g} bcm/y is below zero (consumption "
                f"{self.consumption_bcm_y:g} − domestic {self.domestic_production_bcm_y:g} − contracts "
                f"{self.other_contracts_bcm_y:g})",
            )
        return self


class GasAlternativeRow(TableRow):
    """One step of a market's supply curve of non-corridor gas: ``capacity_bcm_y`` at the monthly TTF
    plus ``spread_eur_mwh``; ``tier`` orders the steps (spreads may not fall as the tier rises);
    ``kind`` 'domestic_surplus' is the market's own production beyond its consumption, offered at its
    export opportunity value."""

    bus: str
    name: Name
    tier: int = Field(ge=1, le=100)
    kind: Literal["lng", "pipeline", "demand_response", "domestic_surplus"]
    capacity_bcm_y: GasCapacity
    spread_eur_mwh: Spread
    currency_year: Year
    from_year: Year


class GasTtfMonthlyRow(TableRow):
    """The monthly mean European hub price (TTF), EUR/MWh (GCV) of ``currency_year``; ``price_year``
    is the year the prices are of."""

    price_year: Year
    month: Month
    price_eur_mwh: float = Field(gt=0, le=MAX_GAS_PRICE_EUR_MWH)
    currency_year: Year


class GasDemandMonthlyRow(TableRow):
    """The share of a bus's annual gas consumption that falls in a month (the 12 shares sum to 1)."""

    bus: str
    month: Month
    share: float = Field(ge=0, le=1)


class GasStorageRow(TableRow):
    """Underground storage at a bus: working gas, bcm; withdrawal and injection capacity, mcm/d; the
    cost of cycling gas through it, EUR/MWh withdrawn."""

    name: Name
    bus: str
    working_bcm: float = Field(gt=0, le=MAX_STORAGE_BCM)
    withdrawal_mcm_d: StorageRate
    injection_mcm_d: StorageRate
    cycle_cost_eur_mwh: GasPrice
    currency_year: Year
    from_year: Year

    @model_validator(mode="after")
    def _not_filled_within_a_day(self) -> GasStorageRow:
        working_mcm = self.working_bcm * MCM_PER_BCM
        for column in ("injection_mcm_d", "withdrawal_mcm_d"):
            rate = getattr(self, column)
            if rate * MIN_FILL_DAYS > working_mcm:
                raise RowFieldError(
                    column,
                    f"{rate:g} mcm/d would move the whole working volume ({working_mcm:g} mcm) in less "
                    f"than {MIN_FILL_DAYS:g} day (a rate in the wrong unit, or a volume in mcm?)",
                )
        return self


class GasTariffRow(TableRow):
    """The transport tariff a shipper pays per unit sent through a pipeline's unbooked capacity (a link's
    marginal cost), and the capacity booked under long-term ship-or-pay contracts, bcm/y: paid for
    whether used or not, so gas sent through it costs the shipper nothing more at the margin."""

    pipeline: Name
    value: float = Field(ge=0, le=MAX_TARIFF_VALUE)
    unit: str
    currency_year: Year
    from_year: Year
    booked_bcm_y: GasCapacity

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return _check_unit(unit, TARIFF_UNITS, "a tariff")


class GasOutletRow(TableRow):
    """An exporter's other market: the price paid at its border and the transport to get there,
    EUR/MWh; their difference is the netback, the exporter's opportunity cost."""

    name: Name
    bus: str
    capacity_bcm_y: GasCapacity
    border_price_eur_mwh: GasPrice
    transport_eur_mwh: GasPrice
    currency_year: Year
    from_year: Year

    @model_validator(mode="after")
    def _positive_netback(self) -> GasOutletRow:
        if self.transport_eur_mwh >= self.border_price_eur_mwh:
            raise RowFieldError(
                "transport_eur_mwh",
                f"transport {self.transport_eur_mwh:g} EUR/MWh is not below the border price "
                f"{self.border_price_eur_mwh:g}: the netback would not be positive",
            )
        return self


class GasSupplyRow(TableRow):
    """A field (or an exporter's available volume): annual plateau, peak factor and its valuation.
    ``short_run``: the field's running cost; ``development``: the levelised cost of a new volume;
    ``netback``: the price it could fetch elsewhere, from the ``outlet`` of gas_outlets.csv (no
    ``marginal_cost_eur_mwh`` of its own: the outlet is the one owner of that figure)."""

    name: Name
    bus: str
    plateau_bcm_y: GasCapacity
    peak_factor: float = Field(ge=1, le=3)
    cost_basis: Literal["short_run", "development", "netback"]
    marginal_cost_eur_mwh: GasPrice | None = None
    outlet: str | None = None
    currency_year: Year
    from_year: Year

    @model_validator(mode="after")
    def _one_valuation(self) -> GasSupplyRow:
        if self.cost_basis == "netback":
            if self.outlet is None:
                raise RowFieldError("outlet", "a netback-valued supply names its outlet (gas_outlets.csv)")
            if self.marginal_cost_eur_mwh is not None:
                raise RowFieldError(
                    "marginal_cost_eur_mwh",
                    "a netback-valued supply takes its price from the outlet: leave this cell empty",
                )
        else:
            if self.marginal_cost_eur_mwh is None:
                raise RowFieldError("marginal_cost_eur_mwh", f"a {self.cost_basis} supply needs its cost")
            if self.outlet is not None:
                raise RowFieldError(
                    "outlet", f"only a netback-valued supply has an outlet, not a {self.cost_basis} one"
                )
        return self


__all__ = [
    "MAX_GAS_CAPACITY_BCM_Y",
    "GasAlternativeRow",
    "GasDemandMonthlyRow",
    "GasMarketRow",
    "GasOutletRow",
    "GasStorageRow",
    "GasSupplyRow",
    "GasTariffRow",
    "GasTtfMonthlyRow",
]
