"""Checks across the rows of the gas-economics tables, on the merged data (base and overlays): a market's
supply curve must be ordered, monthly shapes and prices complete, and every reference resolvable.

Each check gets, per table, the frame and the origin (``<file>: line <n>``) of each of its rows, so an
error names the file, the line and the field.
"""

from __future__ import annotations

import pandas as pd

from caspian.errors import InputError

SHARE_TOLERANCE = 1e-3
"""Per unit: twelve monthly shares rounded to three or four decimals sum to 1 within this."""

MONTHS = frozenset(range(1, 13))

Located = dict[str, tuple[pd.DataFrame, list[str]]]
"""Table name → (rows, origin of each row)."""


def _check_curves(frame: pd.DataFrame, origins: list[str]) -> None:
    """Per bus and per year a row comes into force, the steps in force: distinct tiers whose spreads do
    not fall as the tier rises (a monotone supply curve)."""
    located = frame.assign(_origin=origins)
    for bus, rows in located.groupby("bus", sort=False):
        for year in sorted(set(rows["from_year"])):
            current = rows[rows["from_year"] <= year]
            current = current.loc[current.groupby("name", sort=False)["from_year"].idxmax()]
            current = current.sort_values(["tier", "spread_eur_mwh"], kind="stable")
            previous = None
            for _, row in current.iterrows():
                if previous is not None and row["tier"] == previous["tier"]:
                    raise InputError(
                        f"{row['_origin']} field 'tier': tier {row['tier']} at {bus} is also "
                        f"{previous['name']!r}'s: each step of a supply curve has its own tier"
                    )
                if previous is not None and row["spread_eur_mwh"] < previous["spread_eur_mwh"]:
                    raise InputError(
                        f"{row['_origin']} field 'spread_eur_mwh': {bus}'s supply curve is not monotone: "
                        f"tier {row['tier']} ({row['spread_eur_mwh']:g} EUR/MWh) is cheaper than tier "
                        f"{previous['tier']} ({previous['spread_eur_mwh']:g}) in {year}"
                    )
                previous = row


def _check_months(frame: pd.DataFrame, origins: list[str], key: str, file: str) -> None:
    """Every ``key`` value has the twelve months."""
    for value, rows in frame.assign(_origin=origins).groupby(key, sort=False):
        missing = sorted(MONTHS - set(rows["month"]))
        if missing:
            raise InputError(
                f"{rows['_origin'].iloc[-1]} field 'month': {file} has no month "
                f"{', '.join(str(m) for m in missing)} for {key} {value}"
            )


def _check_shares(frame: pd.DataFrame, origins: list[str]) -> None:
    for bus, rows in frame.assign(_origin=origins).groupby("bus", sort=False):
        total = float(rows["share"].sum())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise InputError(
                f"{rows['_origin'].iloc[-1]} field 'share': {bus}'s monthly shares sum to {total:.4f}, not 1"
            )


def _check_names(frame: pd.DataFrame, origins: list[str], column: str, known: set[str], what: str) -> None:
    for origin, name in zip(origins, frame[column], strict=True):
        if name is None or pd.isna(name):
            continue
        if name not in known:
            raise InputError(f"{origin} field '{column}': unknown {what} {name!r}")


def check_gas_tables(tables: Located) -> None:
    """Raise InputError (file, line, field, reason) on the first cross-row problem of the gas-economics
    tables: a supply curve that is not monotone, a month missing from a monthly table, monthly demand
    shares not summing to one, a market bus without a demand shape, a tariff of an unknown pipeline, a
    netback supply whose outlet does not exist."""
    alternatives, alt_origins = tables["gas_alternatives"]
    _check_curves(alternatives, alt_origins)
    ttf, ttf_origins = tables["gas_ttf_monthly"]
    _check_months(ttf, ttf_origins, "price_year", "gas_ttf_monthly.csv")
    shape, shape_origins = tables["gas_demand_monthly"]
    _check_months(shape, shape_origins, "bus", "gas_demand_monthly.csv")
    _check_shares(shape, shape_origins)
    markets, market_origins = tables["gas_markets"]
    _check_names(
        markets, market_origins, "bus", set(shape["bus"]), "demand shape (gas_demand_monthly.csv) for"
    )
    pipelines = set(tables["gas_pipelines"][0]["name"])
    tariffs, tariff_origins = tables["gas_tariffs"]
    if pipelines:  # no pipelines at all: the coverage check refuses the header-only table itself
        _check_names(tariffs, tariff_origins, "pipeline", pipelines, "pipeline (gas_pipelines.csv)")
    supply, supply_origins = tables["gas_supply"]
    outlets = set(tables["gas_outlets"][0]["name"])
    _check_names(supply, supply_origins, "outlet", outlets, "outlet (gas_outlets.csv)")
