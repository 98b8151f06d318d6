"""Time behaviour of a run: duration curves of the main pipelines and the HVDC cables, the
Azerbaijani power balance in a winter and a summer week, and monthly gas flows. Snapshots that stand
for several hours (resampling, tsam segments) are spread over the hours they represent first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from caspian.naming import POWER_MARKET_CARRIER, SLACK_CARRIER
from caspian.present.report.style import (
    ASSET_COLOURS,
    FLEET_COLOURS,
    Figure,
    colour,
    monthly_figure,
    new_figure,
    png_bytes,
    styled,
)
from caspian.results.views import annual_factor, asset_capacity, asset_flows, snapshot_hours
from caspian.units import HOURS_PER_YEAR, mw_to_bcm_per_year, mwh_to_bcm

MAIN_PIPELINES = ("Trans-Caspian", "SCP", "TANAP", "TAP")
MAIN_CABLES = ("Caspian cable", "Black Sea cable")
FALLBACK_ASSETS = 4
"""Pipelines shown in time figures when the network has none of the main ones (the busiest)."""
BALANCE_BUS = "AZ AC"
SAMPLE_WEEKS = {"winter": "01-15", "summer": "07-15"}
"""Start (month-day) of the sample weeks of the Azerbaijani power balance."""
WEEK_HOURS = 168
MIN_MONTHS = 2
"""Monthly gas flows are drawn only when the horizon covers at least this many calendar months."""


def hourly(frame: pd.DataFrame | pd.Series, hours: pd.Series) -> pd.DataFrame | pd.Series:
    """Spread snapshot values over the whole hours each snapshot stands for (``hours``, from the
    snapshot weights), on an hourly time index starting at the first snapshot."""
    counts = np.maximum(np.rint(hours.to_numpy()).astype(int), 1)
    index = pd.date_range(frame.index[0], periods=int(counts.sum()), freq="h")
    values = np.repeat(frame.to_numpy(), counts, axis=0)
    if isinstance(frame, pd.Series):
        return pd.Series(values, index=index, name=frame.name)
    return pd.DataFrame(values, index=index, columns=frame.columns)


def _main_assets(flows: pd.DataFrame, preferred: tuple[str, ...]) -> list[str]:
    """The preferred assets present in ``flows``; failing those, the busiest ones."""
    present = [asset for asset in preferred if asset in flows.columns]
    if present or flows.empty:
        return present
    return list(flows.abs().sum().sort_values(ascending=False).index[:FALLBACK_ASSETS])


def _in_service(flows: pd.DataFrame, n: pypsa.Network, kind: str) -> pd.DataFrame:
    capacity = asset_capacity(n, kind)
    return flows[[asset for asset in flows.columns if capacity.get(asset, 0.0) > 0]]


@styled
def duration_curves(n: pypsa.Network) -> Figure | None:
    """Hourly flow sorted from highest to lowest for the main pipelines and the two HVDC cables."""
    pipes = _in_service(asset_flows(n, "pipeline"), n, "pipeline")
    cables = _in_service(asset_flows(n, "cable"), n, "cable")
    pipes = pipes[_main_assets(pipes, MAIN_PIPELINES)]
    cables = cables[[asset for asset in MAIN_CABLES if asset in cables.columns]]
    if pipes.empty and cables.empty:
        return None
    hours = snapshot_hours(n) * annual_factor(n)
    candidates = [a for a in MAIN_CABLES if a in asset_capacity(n, "cable").index and a not in cables.columns]
    no_cable = "candidate, not built: " + ", ".join(candidates) if candidates else "no HVDC cable in this run"
    fig, (left, right) = new_figure(11.0, 3.8, ncols=2)
    panels = (
        (
            left,
            pipes,
            "flow, bcm/y (rate)",
            mw_to_bcm_per_year,
            "Main pipelines",
            "no main pipeline in this run",
        ),
        (right, cables, "flow, MW (negative = reverse)", float, "HVDC cables", no_cable),
    )
    for ax, frame, unit, convert, title, empty in panels:
        for asset in frame.columns:
            order = frame[asset].sort_values(ascending=False)
            cumulative = np.concatenate([[0.0], hours[order.index].cumsum().to_numpy()])
            values = np.concatenate([[order.iloc[0]], order.to_numpy()])
            ax.step(
                cumulative,
                [convert(v) for v in values],
                where="pre",
                label=asset,
                lw=1.4,
                color=colour(ASSET_COLOURS, asset),
            )
        ax.set_xlabel("hours of the year at or above the flow")
        ax.set_ylabel(unit)
        ax.set_xlim(0, HOURS_PER_YEAR)
        ax.set_title(title)
        if len(frame.columns):
            ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        else:
            ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center")
    caption = (
        "Each hour's flow, sorted, over the year (a coarser snapshot counts for the "
        "hours it stands for; short horizons are scaled to 8,760 h). Assets not in service are omitted."
    )
    return Figure("duration", "Duration curves", caption, png_bytes(fig))


def _balance(n: pypsa.Network, bus: str) -> tuple[pd.DataFrame, pd.Series]:
    """Power at ``bus`` by source (generation by carrier, imports; MW) with exports negative, and the
    demand (MW), per snapshot."""
    gens = n.generators[(n.generators.bus == bus) & (n.generators.carrier != POWER_MARKET_CARRIER)]
    parts: dict[str, pd.Series] = {}
    for name, carrier in gens.carrier.items():
        key = "unserved" if carrier == SLACK_CARRIER else str(carrier)
        parts[key] = parts.get(key, 0.0) + n.generators_t.p[name]
    for name, carrier in n.links[n.links.bus1 == bus].carrier.items():
        key = "imports" if carrier == "interconnector" else ("OCGT" if "OCGT" in str(name) else str(carrier))
        parts[key] = parts.get(key, 0.0) + (-n.links_t.p1[name])
    frame = pd.DataFrame(parts, index=n.snapshots).fillna(0.0)
    frame["exports"] = -n.links_t.p0.reindex(columns=n.links.index[n.links.bus0 == bus], fill_value=0.0).sum(
        axis=1
    )
    demand = n.loads_t.p.reindex(columns=n.loads.index[n.loads.bus == bus], fill_value=0.0).sum(axis=1)
    return frame, demand


@styled
def power_balance_weeks(n: pypsa.Network) -> Figure | None:
    """Azerbaijani power balance (MW) in a winter and a summer week: supply stacked, exports below zero.
    Weeks outside the horizon are left out; if both are, the horizon's first week is shown."""
    if BALANCE_BUS not in n.buses.index:
        return None
    frame, demand = _balance(n, BALANCE_BUS)
    hours = snapshot_hours(n)
    frame, demand = hourly(frame, hours), hourly(demand, hours)
    year = frame.index[0].year
    windows = []
    for season, start in SAMPLE_WEEKS.items():
        first = pd.Timestamp(f"{year}-{start}")
        window = (frame.index >= first) & (frame.index < first + pd.Timedelta(hours=WEEK_HOURS))
        if window.sum() == WEEK_HOURS:
            windows.append((f"{season} week from {first:%d %b}", window))
    if not windows:
        window = frame.index < frame.index[0] + pd.Timedelta(hours=WEEK_HOURS)
        windows.append((f"first week of the horizon, from {frame.index[0]:%d %b}", window))
    fig, axes = new_figure(5.5 * len(windows) + 1.5, 3.8, ncols=len(windows), sharey=True, squeeze=False)
    for ax, (title, window) in zip(axes.flat, windows, strict=True):
        week = frame[window]
        supply = week.drop(columns="exports").clip(lower=0.0)
        columns = [c for c in supply.columns if supply[c].abs().sum() > 0]
        ax.stackplot(
            week.index,
            *[supply[c] for c in columns],
            labels=columns,
            step="post",
            colors=[colour(FLEET_COLOURS, c) for c in columns],
            alpha=0.9,
        )
        ax.fill_between(
            week.index, week["exports"], 0, step="post", color=FLEET_COLOURS["exports"], label="exports"
        )
        ax.step(week.index, demand[window], where="post", color="black", lw=1.2, label="demand")
        ax.set_title(title)
        ax.set_ylabel("MW (exports below zero)")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center", fontsize=7.5)
    caption = (
        "Azerbaijan's power balance, hour by hour (a coarser snapshot holds its value over the hours it "
        "stands for): generation and imports stacked above zero — their top is demand plus exports — "
        "and exports below zero; the black line is demand."
    )
    if len(windows) < len(SAMPLE_WEEKS):
        caption += " Sample weeks outside the horizon are not shown."
    return Figure("az-power-weeks", "Azerbaijani power balance, sample weeks", caption, png_bytes(fig))


@styled
def monthly_gas(n: pypsa.Network) -> Figure | None:
    """Gas on the main pipelines by calendar month, bcm per month (None when the horizon covers fewer
    than two months)."""
    flows = _in_service(asset_flows(n, "pipeline"), n, "pipeline")
    names = _main_assets(flows, (*MAIN_PIPELINES, "IGB", "TR–BG interconnector"))
    if not names:
        return None
    flows = hourly(flows[names], snapshot_hours(n))
    months = flows.index.month
    if len(set(months)) < MIN_MONTHS:
        return None
    monthly = flows.groupby(months).sum().map(mwh_to_bcm)
    colours = {asset: colour(ASSET_COLOURS, asset) for asset in names}
    fig = monthly_figure(monthly[names], {}, colours, "gas, bcm per month")
    caption = "Gas sent into each main pipeline per calendar month (bcm), hour by hour summed."
    if len(set(months)) < 12:
        caption += f" The horizon covers months {min(months)}–{max(months)} only."
    return Figure("monthly-gas", "Monthly gas flows", caption, png_bytes(fig))
