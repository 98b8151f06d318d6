"""The gas markets of a run: each market's supply curve of non-corridor gas with the corridor's
clearing point, and monthly hub prices with the TTF they are built on.

Supply curves are annual: a step's width is its capacity (bcm/y), its height the step's cost averaged
over the horizon (EUR/MWh); the market's residual demand is a vertical line and the corridor's gas is
drawn first (its cost is what it displaces), so the step the demand line cuts is the marginal one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from caspian.naming import ALTERNATIVE_TIER, GAS_DEMAND_CARRIER, GAS_IMPORT_CARRIER
from caspian.present.labels import bus_labels
from caspian.present.report.figures_time import MIN_MONTHS, hourly
from caspian.present.report.style import Figure, monthly_figure, new_figure, png_bytes, styled
from caspian.results.flows import pipeline_deliveries
from caspian.results.views import annual_energy, snapshot_hours
from caspian.units import mw_to_bcm_per_year, mwh_to_bcm

CORRIDOR_COLOUR = "#c0392b"
STEP_COLOUR = "#7f8c8d"
PANELS_PER_ROW = 3


def _weighted_mean(n: pypsa.Network, frame: pd.DataFrame) -> pd.Series:
    w = snapshot_hours(n)
    return frame.mul(w, axis=0).sum() / w.sum()


@styled
def supply_curves(n: pypsa.Network) -> Figure | None:
    """One panel per gas market: corridor gas (:func:`caspian.results.flows.pipeline_deliveries`) then
    the alternatives by tier, against the residual demand and the market's mean price (None without
    gas markets)."""
    demand = n.loads[n.loads.carrier == GAS_DEMAND_CARRIER]
    if demand.empty:
        return None
    steps = n.generators[n.generators.carrier == GAS_IMPORT_CARRIER]
    costs = _weighted_mean(n, n.get_switchable_as_dense("Generator", "marginal_cost")[steps.index])
    buses = list(dict.fromkeys(demand.bus))
    inflow = pipeline_deliveries(n, buses)
    prices = _weighted_mean(n, n.buses_t.marginal_price)
    labels = bus_labels(n.buses)
    ncols = min(len(buses), PANELS_PER_ROW)
    nrows = int(np.ceil(len(buses) / PANELS_PER_ROW))
    fig, axes = new_figure(4.6 * ncols, 3.8 * nrows, ncols=ncols, nrows=nrows, squeeze=False)
    for ax in axes.flat[len(buses) :]:
        ax.set_visible(False)
    for ax, bus in zip(axes.flat, buses, strict=False):
        need = mwh_to_bcm(float(annual_energy(n, n.loads_t.p[demand.index[demand.bus == bus]]).sum()))
        corridor = max(mwh_to_bcm(float(inflow.get(bus, 0.0))), 0.0)
        left = 0.0
        if corridor > 0:
            ax.bar(0, prices[bus], width=corridor, align="edge", color=CORRIDOR_COLOUR, label="corridor")
            left = corridor
        own = steps[steps.bus == bus].sort_values(ALTERNATIVE_TIER)
        for name, step in own.iterrows():
            width = mw_to_bcm_per_year(float(step.p_nom))
            cost = float(costs[name])
            ax.bar(left, cost, width=width, align="edge", color=STEP_COLOUR, edgecolor="white", lw=0.6)
            if width > 0:
                ax.text(
                    left + width / 2,
                    cost,
                    str(step["kind"]).replace("_", " "),
                    ha="center",
                    va="bottom",
                    fontsize=6,
                    clip_on=True,
                )
            left += width
        ax.axvline(need, color="black", lw=1.2, label=f"residual demand {need:.1f} bcm/y")
        ax.axhline(prices[bus], color=CORRIDOR_COLOUR, lw=0.8, ls="--", label=f"mean price {prices[bus]:.1f}")
        ax.set_xlim(0, max(need * 1.6, corridor * 1.2, 1.0))
        shown = costs[own.index][costs[own.index] < prices[bus] * 2]
        top = float(shown.max()) if len(shown) else float(prices[bus])
        ax.set_ylim(0, max(top, prices[bus]) * 1.25)
        ax.set_title(labels.get(bus, bus), fontsize=9)
        ax.set_xlabel("bcm/y")
        ax.set_ylabel("EUR/MWh")
        ax.legend(fontsize=6, loc="upper left", framealpha=0.7)
    caption = (
        "Each market's residual import demand (black) against its supply: the corridor's gas (red, net "
        "pipeline inflow) and the alternatives by tier (grey; width = capacity, height = mean cost, TTF + "
        "spread). The step the demand line cuts is the marginal one; demand response (TTF + 70) is off the "
        "scale. Costs and the price are means over the horizon; hour by hour storage and the monthly "
        "shape move the marginal step."
    )
    return Figure(
        "gas-supply-curves", "Gas supply curves and the corridor's clearing point", caption, png_bytes(fig)
    )


@styled
def monthly_gas_prices(n: pypsa.Network) -> Figure | None:
    """Monthly mean price at every gas market and at Baku, with the TTF-based cost of each market's
    cheapest LNG step for reference (None for a horizon under two months)."""
    demand = n.loads[n.loads.carrier == GAS_DEMAND_CARRIER]
    if demand.empty:
        return None
    buses = [*dict.fromkeys(demand.bus), *(b for b in ("AZ gas",) if b in n.buses.index)]
    hours = snapshot_hours(n)
    prices = hourly(n.buses_t.marginal_price[buses], hours)
    months = prices.index.month
    if len(set(months)) < MIN_MONTHS:
        return None
    monthly = prices.groupby(months).mean()
    labels = bus_labels(n.buses)
    fig = monthly_figure(monthly[buses], labels, {}, "EUR/MWh")
    caption = (
        "Monthly mean gas price (the bus dual) at each market and at Baku: markets follow the monthly TTF "
        "plus the spread of their marginal step, storage narrows the winter–summer gap; Baku's price is "
        "what the corridor's last unit of gas earns there (its netback)."
    )
    return Figure("gas-monthly-prices", "Monthly gas prices", caption, png_bytes(fig))
