"""CBAM on electricity entering the EU: the one owner of which flows pay it, how much, and what may
match them.

From 2026 (Regulation (EU) 2023/956, Art. 36(2): the definitive period starts on 1 January 2026) an
importer of electricity into the EU surrenders CBAM certificates at the EU ETS price for its embedded
emissions, less the carbon price paid in the country of origin (Art. 9). By default the emissions are
the MWh × the exporting country's default emission factor (Annex IV 1(d): the weighted CO2 intensity of
that country's fossil-fuelled generation; ``cbam_defaults.csv``).
Actual emissions — zero for wind and solar — may be declared instead only when the import is covered by
a power purchase agreement with the producer and firmly nominated hour by hour to the interconnector
capacity, production and nomination referring to the same period of at most one hour (Annex IV
point 5). The model offers that choice per snapshot (``policy.cbam``):

* ``none``: no charge (the counterfactual without CBAM);
* ``default``: every MWh entering the EU pays ETS price × default factor;
* ``matched``: a MWh matched, in the same snapshot, by wind or solar output of the exporting countries
  pays nothing; the rest pays the default charge. Each renewable MWh matches at most one imported MWh,
  and only plants with a path of links to the entry may match (:func:`exporting_buses`); the path's
  hourly capacity is not reserved for the nomination (a permissive reading).

An EU entry is an interconnector from an electricity bus outside the EU markets (``buses.csv``
``delivery`` not 'europe') to one inside; the exporter is its sending bus's country (for the Black Sea
cable, Georgia — a judgement, data/README.md). Units: EUR/MWh delivered into the EU, tCO2/MWh.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from caspian.errors import InputError
from caspian.inputs.carbon import co2_price_eur_t, country_of
from caspian.inputs.context import BuildContext
from caspian.inputs.rows import EUROPE
from caspian.inputs.tables import in_force
from caspian.naming import POWER_BUS_CARRIER

CBAM_ELECTRICITY_FROM_YEAR = 2026
"""First year CBAM charges imported electricity (Regulation (EU) 2023/956, Art. 36(2))."""

MATCHING_CARRIERS = frozenset({"solar", "onwind", "offwind"})
"""Generator carriers whose output may match an import (no fossil input, under Annex IV point 5's
550 gCO2/kWh; hydro is left out: contracting existing reservoirs for export would shift their output
away from the domestic system, not add any — a judgement, data/README.md)."""


def cbam_applies(ctx: BuildContext) -> bool:
    """True when the run's treatment charges anything and the model year is within CBAM."""
    return ctx.spec.policy.cbam != "none" and ctx.spec.year >= CBAM_ELECTRICITY_FROM_YEAR


def is_eu_entry(buses: pd.DataFrame, bus0: str, bus1: str) -> bool:
    """True for a connection from an electricity bus outside the EU markets into one of them
    (``buses`` indexed by bus, with ``carrier`` and ``delivery``)."""
    electric = all(buses.at[bus, "carrier"] == POWER_BUS_CARRIER for bus in (bus0, bus1))
    return bool(electric and buses.at[bus0, "delivery"] != EUROPE and buses.at[bus1, "delivery"] == EUROPE)


def default_factor_t_per_mwh(ctx: BuildContext, country: str) -> float:
    """The exporter's CBAM default emission factor in the model year, tCO2/MWh; InputError naming
    ``cbam_defaults.csv`` when the exporter of an EU entry has none."""
    rows = in_force(ctx.data.table("cbam_defaults"), ["country"], ctx.spec.year)
    rows = rows[rows["country"] == country]
    if rows.empty:
        raise InputError(
            f"{ctx.data.root / 'cbam_defaults.csv'}: field 'country': no CBAM default emission factor for "
            f"{country!r} in force in {ctx.spec.year} (an interconnector carries its power into the EU)"
        )
    return float(rows.iloc[0]["factor_t_per_mwh"])


def charge_eur_per_mwh(ctx: BuildContext, bus0: str, bus1: str) -> float:
    """CBAM charge per MWh delivered into the EU over ``bus0`` → ``bus1``: the EU ETS price of the
    importing country less the carbon price already paid in the exporting country (Regulation (EU)
    2023/956, Art. 9), times the exporter's default factor; 0, without needing a factor, where nothing
    is left to pay."""
    exporter, importer = country_of(ctx.data, bus0), country_of(ctx.data, bus1)
    price = co2_price_eur_t(ctx, importer) - co2_price_eur_t(ctx, exporter)
    return price * default_factor_t_per_mwh(ctx, exporter) if price > 0 else 0.0


def may_match(buses: pd.DataFrame, bus: str, carrier: str) -> bool:
    """True for a generator whose output may match imports: wind or solar outside the EU markets."""
    return carrier in MATCHING_CARRIERS and buses.at[bus, "delivery"] != EUROPE


def exporting_buses(
    buses: pd.DataFrame, senders: Iterable[str], links: Iterable[tuple[str, str]]
) -> set[str]:
    """The non-EU buses whose power can reach an EU entry's sending bus (``senders``) over ``links``
    ((bus0, bus1) pairs of one-way links that may carry power in the run: capacity in force or
    expandable): the exporting countries whose wind and solar may be nominated to the entry. A country
    with no path (the Kazakh grid without a Caspian cable) cannot match imports."""
    feeders: dict[str, set[str]] = {}
    for bus0, bus1 in links:
        if buses.at[bus0, "delivery"] != EUROPE and buses.at[bus1, "delivery"] != EUROPE:
            feeders.setdefault(bus1, set()).add(bus0)
    reached = set(senders)
    frontier = list(reached)
    while frontier:
        for bus in feeders.get(frontier.pop(), set()) - reached:
            reached.add(bus)
            frontier.append(bus)
    return reached
