"""Reader-facing names of buses and markets: the one map the terminal tables and the report share.

A bus is shown by its country's name (``country`` of ``buses.csv``, an ISO 3166-1 alpha-2 code); a
transit point, which sells nothing and consumes nothing, keeps its bus name so that two points in one
country stay apart.
"""

from __future__ import annotations

import pandas as pd

from caspian.inputs.tables import delivery_buses

COUNTRY_NAMES = {
    "AL": "Albania",
    "AZ": "Azerbaijan",
    "BG": "Bulgaria",
    "GE": "Georgia",
    "GR": "Greece",
    "HU": "Hungary",
    "IT": "Italy",
    "KZ": "Kazakhstan",
    "RO": "Romania",
    "TM": "Turkmenistan",
    "TR": "Türkiye",
    "UZ": "Uzbekistan",
}
"""English short names (ISO 3166) of the countries in ``buses.csv``."""

TRANSIT = "transit"
"""``buses.csv`` role of a pipeline junction (shown by its bus name)."""


def bus_labels(buses: pd.DataFrame) -> dict[str, str]:
    """Display name of every bus in ``buses`` (indexed by bus, with the ``country`` and ``role`` columns
    of ``buses.csv``; the data table or a network's ``n.buses``)."""
    return {
        str(bus): str(bus) if row["role"] == TRANSIT else COUNTRY_NAMES.get(row["country"], row["country"])
        for bus, row in buses.iterrows()
    }


def europe_label(buses: pd.DataFrame, carrier: str) -> str:
    """Label of the 'to Europe' total of ``carrier`` ('gas' | 'AC'): the countries it sums, e.g.
    'Europe (BG, HU, RO)'."""
    europe = delivery_buses(buses, carrier, europe_only=True)
    countries = dict.fromkeys(str(buses.at[bus, "country"]) for bus in europe)
    return f"Europe ({', '.join(countries)})"
