"""Whether the data tables cover the model year.

Rows that change over time carry ``from_year``, and :func:`caspian.inputs.tables.in_force` picks, per
key, the newest row not after the model year, dropping keys that have none. Before a table's first
``from_year`` it therefore says nothing at all about the system: a model year there would silently drop
every pipeline, market or demand of the table, and either crash later or solve an almost empty model.

The rule: for every table the model's carriers use that has rows, the model year must be at least the
table's earliest ``from_year`` (its baseline year, in which every asset in service is listed). Keys that
start later than the baseline are changes the data foresees (an offtake contract from 2026, a market
row revised in 2024) and are rightly absent before their year, so a model year between the baseline and
a key's first row is valid. Later years carry the newest row forward, so there is no upper bound.
"""

from __future__ import annotations

from caspian.errors import InputError
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset

YEARLY_TABLES: dict[str, tuple[str, ...]] = {
    "gas": ("gas_pipelines", "gas_supply", "gas_offtakes", "gas_markets"),
    "electricity": ("power_links", "electricity_demand", "power_markets", "renewables", "thermal"),
}
"""Tables with ``from_year`` rows that the model reads at the model year, by the carrier that uses them."""


def check_year_coverage(spec: NetworkSpec, data: Dataset) -> None:
    """Refuse (InputError naming the network's ``year``, the table and the years it covers) a model year
    before the first ``from_year`` of a table the model needs (see the module docstring)."""
    for carrier in spec.carriers:
        for name in YEARLY_TABLES[carrier]:
            years = data.table(name)["from_year"]
            if years.empty:
                continue
            first, last = int(years.min()), int(years.max())
            if spec.year < first:
                covers = f"{first}" if first == last else f"{first}–{last}"
                raise InputError(
                    f"network '{spec.name}': field 'year': {spec.year} is before the data of "
                    f"{data.root / (name + '.csv')}, which covers {first} onwards (from_year {covers})"
                )
