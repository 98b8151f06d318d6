"""Whether the data tables cover the model year.

Rows that change over time carry ``from_year``, and :func:`caspian.inputs.tables.in_force` picks, per
key, the newest row not after the model year, dropping keys that have none. A model year before a key's
first row therefore silently drops that pipeline, market or demand: the model would either crash later
or solve a smaller system than the data describe.

The rule is per key (a table's :data:`~caspian.inputs.rows.TABLE_KEYS` without ``from_year``: a
pipeline's name, a market's bus, a country and technology). The base data (``data/`` before any
overlay) describe the system from their **base year** onwards: the latest of the used tables' earliest
``from_year`` (the first year in which every table says something; 2024 for the shipped data). A key
whose first row is no later than the base year is part of that system and must have a row in force at
the model year. A key whose first row is later than the base year is a change the data foresee (an
offtake contract from 2026, a pipeline commissioned in 2028) and is rightly absent before its year.
So any model year from the base year on is covered by the base data; an earlier year needs rows for
every base key (a data overlay such as ``data/overlays/2023``); a key an overlay adds with a first row
no later than the base year counts as a base key too. Later years carry the newest row forward, so
there is no upper bound.

``markets.power_price_year`` picks the monthly power prices that shape the hourly market prices: when
``power_prices_monthly.csv`` has rows, the year must be one of theirs (otherwise every market would fall
back to a flat annual mean without a word).
"""

from __future__ import annotations

import pandas as pd

from caspian.errors import InputError
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import TABLE_KEYS, Dataset

YEARLY_TABLES: dict[str, tuple[str, ...]] = {
    "gas": (
        "gas_pipelines",
        "gas_supply",
        "gas_offtakes",
        "gas_markets",
        "gas_alternatives",
        "gas_storage",
        "gas_tariffs",
        "gas_outlets",
    ),
    "electricity": ("power_links", "electricity_demand", "power_markets", "renewables", "thermal"),
}
"""Tables with ``from_year`` rows that the model reads at the model year, by the carrier that uses them."""

REQUIRED_TABLES: dict[str, tuple[str, ...]] = {"gas": ("gas_pipelines", "gas_supply"), "electricity": ()}
"""Tables a carrier's model cannot do without: a header-only one is refused (not solved into an empty
or infeasible model)."""

MONTHLY_PRICES = "power_prices_monthly"
"""The table of monthly power prices, chosen by ``markets.power_price_year`` (not the model year)."""

SHOWN_KEYS = 3
"""Keys named in a coverage error before the rest are counted."""


def _used_tables(spec: NetworkSpec, data: Dataset) -> list[str]:
    return [name for carrier in spec.carriers for name in YEARLY_TABLES[carrier] if name in data.tables]


def base_year(spec: NetworkSpec, data: Dataset) -> int | None:
    """The year from which the base data describe the system (see the module docstring): the latest
    earliest ``from_year`` of the used tables before overlays (of the merged tables if the dataset does
    not record its base); None when no used table has rows."""
    firsts = []
    for name in _used_tables(spec, data):
        if name in data.base_from_years:
            firsts.append(data.base_from_years[name])
        elif not data.table(name).empty:
            firsts.append(int(data.table(name)["from_year"].min()))
    return max(firsts) if firsts else None


def _label(key: tuple[object, ...]) -> str:
    return " ".join(str(part) for part in key)


def _uncovered(frame: pd.DataFrame, key: list[str], base: int, year: int) -> list[tuple[str, int]]:
    """Keys of ``frame`` whose first row is no later than ``base`` but later than ``year``, with that
    first year, in the table's order."""
    firsts = frame.groupby(key, sort=False)["from_year"].min()
    missing = firsts[(firsts <= base) & (firsts > year)]
    return [(_label(k if isinstance(k, tuple) else (k,)), int(first)) for k, first in missing.items()]


def check_year_coverage(spec: NetworkSpec, data: Dataset) -> None:
    """Refuse (InputError naming the file or the network's field, the table, the uncovered keys and the
    years the data cover) a header-only table the carriers need (:data:`REQUIRED_TABLES`), a model year
    before the first row of a key of the base system, and a
    ``markets.power_price_year`` without monthly prices (see the module docstring)."""
    for carrier in spec.carriers:
        for name in REQUIRED_TABLES[carrier]:
            if data.table(name).empty:
                raise InputError(
                    f"{data.root / (name + '.csv')}: no rows: a network with carrier '{carrier}' needs "
                    "at least one"
                )
    base = base_year(spec, data)
    if base is not None and spec.year < base:
        for name in _used_tables(spec, data):
            key = [column for column in TABLE_KEYS[name] if column != "from_year"]
            missing = _uncovered(data.table(name), key, base, spec.year)
            if not missing:
                continue
            shown = ", ".join(f"'{label}' (rows from {first})" for label, first in missing[:SHOWN_KEYS])
            more = f" and {len(missing) - SHOWN_KEYS} more" if len(missing) > SHOWN_KEYS else ""
            raise InputError(
                f"network '{spec.name}': field 'year': {spec.year} is before the data of "
                f"{data.root / (name + '.csv')}: no row in force for {shown}{more}; the data describe "
                f"the system from {base} onwards (add rows from {spec.year} or earlier, e.g. in a data "
                "overlay)"
            )
    if "electricity" in spec.carriers and MONTHLY_PRICES in data.tables:
        years = sorted({int(y) for y in data.table(MONTHLY_PRICES)["from_year"]})
        wanted = spec.markets.power_price_year
        if years and wanted not in years:
            raise InputError(
                f"network '{spec.name}': field 'markets.power_price_year': {wanted} has no monthly "
                f"prices in {data.root / (MONTHLY_PRICES + '.csv')} (years: "
                f"{', '.join(str(y) for y in years)})"
            )
