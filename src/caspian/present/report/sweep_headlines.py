"""The headline metrics a sweep file names (``headline_metrics``): a scalar becomes a headline with its
range over the solved cases and the cases at each end; a variable along one label dimension (bus,
country, pipeline …) becomes a case × label table of the labels where any case has a value, and a
headline naming its largest value. Shares (units "1") are shown in per cent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from caspian.present.report.run_report import Headline
from caspian.present.report.tables import Table

MAX_LABEL_COLUMNS = 12
"""Most labels (columns) of one metric's case table; the busiest are kept and the note says so."""
SHARE_UNIT = "1"
PERCENT = 100.0
NOISE = 1e-9
"""A value below this (in the metric's unit) counts as nothing when choosing which labels to show."""


SHOWN_UNIT = {SHARE_UNIT: ("%", PERCENT), "EUR/y": ("bn EUR/y", 1e-9)}
"""Units shown differently from how sweep.nc stores them: (shown unit, factor)."""


def _title(var: xr.DataArray, name: str) -> str:
    unit = var.attrs.get("units", "")
    shown = SHOWN_UNIT.get(unit, (unit, 1.0))[0]
    return f"{name} ({shown})" if shown else name


def _fmt(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "—"
    factor = SHOWN_UNIT.get(unit, (unit, 1.0))[1]
    return f"{value * factor:.1f}" if unit == SHARE_UNIT else f"{value * factor:,.2f}"


def _label_noun(dim: object) -> str:
    """What a label dimension counts: ``gas_country`` → ``country``."""
    return str(dim).rsplit("_", 1)[-1]


def _plural(noun: str) -> str:
    """``country`` → ``countries``, ``bus`` → ``buses``, ``pipeline`` → ``pipelines``."""
    if noun.endswith("y"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith("s") else "s")


def _relevant_labels(frame: pd.DataFrame, unit: str) -> list[str]:
    """Labels worth a column: for shares, every label with a value in some case once any case is below
    100 % (a route still fully spare is part of the answer), the lowest first; otherwise the labels
    where any case differs from nothing, the largest first."""
    if unit == SHARE_UNIT:
        if not (frame < 1 - NOISE).any().any():
            return []
        ranked = frame.loc[:, frame.notna().any()].min().sort_values(ascending=True)
    else:
        keep = frame.columns[(frame.abs() > NOISE).any()]
        ranked = frame[keep].abs().max().sort_values(ascending=False)
    return [str(label) for label in ranked.index]


def headline_metrics(
    ds: xr.Dataset, names: list[str], labels: pd.Series, ok: pd.Index
) -> tuple[list[Headline], list[Table]]:
    """Headlines and tables for ``names`` (summary variables in sweep.nc); ``labels`` maps case id →
    case label; ``ok`` the ids of the solved cases."""
    headlines: list[Headline] = []
    tables: list[Table] = []
    for name in names:
        if name not in ds:
            headlines.append(
                Headline(
                    name,
                    "not in this sweep",
                    "sweep.nc has no such variable (unserved_* and served_* need unserved_energy: true).",
                )
            )
            continue
        var = ds[name].sel(case=[c for c in ok if c in ds.case.values])
        unit = var.attrs.get("units", "")
        dims = [d for d in var.dims if d != "case"]
        if not dims:
            series = var.to_series().rename(index=labels.to_dict())
            finite = series[np.isfinite(series)]
            if finite.empty:
                headlines.append(
                    Headline(_title(var, name), "not defined", "Not defined in any solved case.")
                )
                continue
            low, high = finite.idxmin(), finite.idxmax()
            headlines.append(
                Headline(
                    _title(var, name),
                    f"{_fmt(finite[low], unit)} – {_fmt(finite[high], unit)}",
                    f"Lowest in {low}, highest in {high} (over {len(finite)} solved cases).",
                )
            )
            continue
        if len(dims) > 1:
            headlines.append(
                Headline(name, "not shown", f"It has {len(dims)} label dimensions; sweep.nc has its values.")
            )
            continue
        frame = var.to_pandas()
        if frame.index.name != "case":
            frame = frame.T
        frame.index = [labels.get(c, c) for c in frame.index]
        shown = _relevant_labels(frame if unit == SHARE_UNIT else frame.fillna(0.0), unit)
        if not shown:
            nothing = "100 % (or not defined)" if unit == SHARE_UNIT else "zero (or not defined)"
            headlines.append(
                Headline(_title(var, name), "none", f"{nothing.capitalize()} in every solved case.")
            )
            continue
        note = ""
        if len(shown) > MAX_LABEL_COLUMNS:
            note = (
                f"The {MAX_LABEL_COLUMNS} largest of {len(shown)} {_plural(_label_noun(dims[0]))} are shown; "
                "sweep.nc has all."
            )
            shown = shown[:MAX_LABEL_COLUMNS]
        rows = [[str(case), *(_fmt(float(frame.loc[case, c]), unit) for c in shown)] for case in frame.index]
        tables.append(Table(_title(var, name), ["case", *shown], rows, "l" + "r" * len(shown), note=note))
        stacked = frame[shown].stack()
        worst = stacked.idxmin() if unit == SHARE_UNIT else stacked.abs().idxmax()
        headlines.append(
            Headline(
                _title(var, name),
                f"{_fmt(float(stacked[worst]), unit)} at {worst[1]} in {worst[0]}",
                ("Lowest" if unit == SHARE_UNIT else "Largest")
                + f" value over the cases and {_plural(_label_noun(dims[0]))}; "
                "the table below has each case.",
            )
        )
    return headlines, tables
