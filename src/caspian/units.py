"""Every unit conversion in caspian, in one place.

Conventions (DESIGN §3): energy in MWh, power in MW; gas in MW/MWh thermal on a gross calorific value
(GCV) basis; money in EUR of the price year stated in ``data/parameters.csv``.
"""

from __future__ import annotations

import math
import re

from caspian.errors import InputError

GCV_KWH_PER_M3 = 10.7
"""Gross calorific value of pipeline gas, kWh per standard m³ (15 °C).

Source: Italian PSV convention 0.03852 GJ/Smc = 10.7 kWh/Smc, as used to convert the 2024 PSV price in
../shared/reference/data-brief.md §B (gds.it 2025-01-15, Facile.it analysis). Caspian gas delivered to
Italy is priced on that basis, so one constant serves bcm ↔ MWh throughout the model.
"""

MWH_PER_BCM = GCV_KWH_PER_M3 * 1e9 / 1e3
"""MWh (GCV) in one bcm of gas: 10.7 TWh."""

HOURS_PER_YEAR = 8760
"""Hours in the model's representative year (DESIGN §3: 8760 snapshots)."""

MW_PER_BCM_PER_YEAR = MWH_PER_BCM / HOURS_PER_YEAR
"""A flow of 1 bcm/y expressed as a constant thermal power, MW (≈1,221 MW)."""

MWH_PER_TWH = 1e6
T_PER_MT = 1e6
"""Tonnes per megatonne (CO2 emissions are reported in Mt/y)."""


def bcm_per_year_to_mw(bcm_per_year: float) -> float:
    """Convert a gas capacity in bcm/y to MW thermal (GCV)."""
    return bcm_per_year * MW_PER_BCM_PER_YEAR


def mw_to_bcm_per_year(mw: float) -> float:
    """Convert a gas flow in MW thermal (GCV) to bcm/y."""
    return mw / MW_PER_BCM_PER_YEAR


def mwh_to_bcm(mwh: float) -> float:
    """Convert gas energy in MWh (GCV) to bcm."""
    return mwh / MWH_PER_BCM


def bcm_to_mwh(bcm: float) -> float:
    """Convert gas volume in bcm to MWh (GCV)."""
    return bcm * MWH_PER_BCM


def mwh_to_twh(mwh: float) -> float:
    """Convert MWh to TWh."""
    return mwh / MWH_PER_TWH


def capital_recovery_factor(discount_rate: float, lifetime_years: float) -> float:
    """Annuity factor (1/y) turning an overnight investment into equal annual payments."""
    if lifetime_years <= 0:
        raise ValueError(f"lifetime must be positive, got {lifetime_years}")
    if discount_rate == 0:
        return 1.0 / lifetime_years
    r = discount_rate
    return r / (1.0 - (1.0 + r) ** -lifetime_years)


MAX_POWER_MW = 1e6
"""Largest capacity accepted, MW (1,000 GW ≈ 820 bcm/y): above the whole EU's installed power capacity
and five times its annual gas use; a larger figure is a typo or a unit mistake."""

_QUANTITY = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([A-Za-z/³]+)\s*$")

_TO_MW = {
    "MW": 1.0,
    "GW": 1e3,
    "kW": 1e-3,
    "bcm/y": MW_PER_BCM_PER_YEAR,
    "bcm/a": MW_PER_BCM_PER_YEAR,
    "mcm/d": MW_PER_BCM_PER_YEAR * 365 / 1e3,
}


def parse_power(value: float | int | str, where: str) -> float:
    """Parse a capacity given as a number (MW) or a string with a unit (MW, GW, bcm/y, mcm/d) to MW.

    ``where`` names the file and field for the error message. Energy units (MWh, TWh, bcm) are rejected
    as inconsistent with a capacity.
    """
    if isinstance(value, bool):
        raise InputError(f"{where}: expected a capacity, got a boolean")
    if isinstance(value, int | float):
        return _plausible(float(value), value, where)
    match = _QUANTITY.match(value)
    if not match:
        raise InputError(f"{where}: cannot read {value!r} as a capacity (e.g. '1500 MW', '10 bcm/y')")
    number, unit = float(match.group(1)), match.group(2)
    if unit not in _TO_MW:
        raise InputError(
            f"{where}: unit {unit!r} is inconsistent with a capacity; use one of {', '.join(_TO_MW)}"
        )
    return _plausible(number * _TO_MW[unit], value, where)


def _plausible(mw: float, given: float | int | str, where: str) -> float:
    if not math.isfinite(mw):
        raise InputError(f"{where}: {given!r} is not a finite capacity")
    if abs(mw) > MAX_POWER_MW:
        raise InputError(
            f"{where}: {given!r} exceeds the largest plausible capacity ({MAX_POWER_MW:,.0f} MW)"
        )
    return mw
