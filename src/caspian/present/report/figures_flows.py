"""Annual flow figures: gas from supply through route to market (an alluvial diagram), and
electricity generation by country and fleet with the flow on each power link."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from caspian.naming import FORWARD, GAS_FIRED_CARRIER, POWER_MARKET_CARRIER, REVERSE, SLACK_CARRIER
from caspian.present.report.style import (
    CARRIER_COLOURS,
    FLEET_COLOURS,
    ROUTE_COLOURS,
    SUPPLY_COLOURS,
    Figure,
    colour,
    new_figure,
    png_bytes,
    styled,
)
from caspian.results.views import annual_energy, annual_link_delivery
from caspian.units import MWH_PER_TWH

SANKEY_GAP = 0.015
"""Gap between the nodes of a Sankey column, share of the total flow."""
SANKEY_NODE_WIDTH = 0.04
SANKEY_LABEL_GAP = 0.035
SANKEY_LABEL_OFFSET = 0.03
"""Horizontal distance of a node's label from the node, in column widths (columns are 1 apart)."""
SANKEY_LABEL_ROOM = 0.75
"""Room left of the first and right of the last column for their labels, in column widths."""
"""Least vertical distance between two labels of a Sankey column, share of the column height."""


def _band(ax: Axes, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], col: str) -> None:
    mid = (x0 + x1) / 2
    verts = [
        (x0, y0[0]),
        (mid, y0[0]),
        (mid, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (mid, y1[1]),
        (mid, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [MplPath.MOVETO, *[MplPath.CURVE4] * 3, MplPath.LINETO, *[MplPath.CURVE4] * 3, MplPath.CLOSEPOLY]
    ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=col, edgecolor="none", alpha=0.45))


def _spread(centres: list[float], min_gap: float) -> list[float]:
    """Label positions (descending y) at least ``min_gap`` apart, as close to ``centres`` as allows."""
    placed: list[float] = []
    for centre in centres:
        placed.append(min(centre, placed[-1] - min_gap) if placed else centre)
    return placed


@styled
def gas_sankey(paths: pd.DataFrame) -> Figure | None:
    """Supply → route → consumer, annual bcm/y, drawn as an alluvial diagram."""
    if paths.empty:
        return None
    total = float(paths.bcm.sum())
    gap = SANKEY_GAP * total
    columns = ["supply", "route", "consumer"]
    positions: dict[tuple[str, str], tuple[float, float]] = {}
    for col in columns:
        top = 0.0
        for name, size in paths.groupby(col).bcm.sum().sort_values(ascending=False).items():
            positions[(col, str(name))] = (top, top + size)
            top += size + gap
    bottom = max(hi for _lo, hi in positions.values())
    fig, ax = new_figure(10.0, 6.5)
    ax.grid(False)
    ax.axis("off")
    half = SANKEY_NODE_WIDTH / 2
    for (col, name), (lo, hi) in positions.items():
        xpos = columns.index(col)
        fill = {"supply": colour(SUPPLY_COLOURS, name), "route": colour(ROUTE_COLOURS, name)}.get(col, "#555")
        ax.add_patch(Rectangle((xpos - half, -hi), SANKEY_NODE_WIDTH, hi - lo, color=fill, zorder=3))
    for xpos, (left, right) in enumerate((("supply", "route"), ("route", "consumer"))):
        pairs = paths.groupby([left, right]).bcm.sum().reset_index()
        pairs["left_pos"] = [positions[(left, str(a))][0] for a in pairs[left]]
        pairs["right_pos"] = [positions[(right, str(b))][0] for b in pairs[right]]
        out_cursor = {key: value[0] for key, value in positions.items()}
        in_cursor = dict(out_cursor)
        starts = {}
        for row in pairs.sort_values(["left_pos", "right_pos"]).itertuples():
            key = (left, str(getattr(row, left)))
            starts[row.Index] = out_cursor[key]
            out_cursor[key] += row.bcm
        for row in pairs.sort_values(["right_pos", "left_pos"]).itertuples():
            key = (right, str(getattr(row, right)))
            end = in_cursor[key]
            in_cursor[key] += row.bcm
            start = starts[row.Index]
            source = str(getattr(row, left))
            fill = colour(SUPPLY_COLOURS, source) if left == "supply" else colour(ROUTE_COLOURS, source)
            _band(ax, xpos + half, xpos + 1 - half, (-start, -start - row.bcm), (-end, -end - row.bcm), fill)
    min_gap = SANKEY_LABEL_GAP * bottom
    lowest = -bottom
    for xpos, col in enumerate(columns):
        nodes = sorted(((lo, hi, name) for (c, name), (lo, hi) in positions.items() if c == col))
        centres = _spread([-(lo + hi) / 2 for lo, hi, _name in nodes], min_gap)
        lowest = min(lowest, centres[-1] - min_gap)
        align = {"supply": "right", "route": "left", "consumer": "left"}[col]
        offset = -SANKEY_LABEL_OFFSET if col == "supply" else SANKEY_LABEL_OFFSET
        for (lo, hi, name), ypos in zip(nodes, centres, strict=True):
            ax.text(
                xpos + offset,
                ypos,
                f"{name} {hi - lo:.1f}",
                ha=align,
                va="center",
                fontsize=7.5,
                zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
            )
            if abs(ypos + (lo + hi) / 2) > 1e-9:
                ax.plot([xpos + offset * 0.3, xpos + offset], [-(lo + hi) / 2, ypos], color="#888", lw=0.5)
    ax.set_xlim(-SANKEY_LABEL_ROOM, len(columns) - 1 + SANKEY_LABEL_ROOM)
    ax.set_ylim(lowest * 1.02, bottom * 0.05)
    for xpos, title in enumerate(("supply, bcm/y", "route into the market", "market or use, bcm/y")):
        ax.text(xpos, bottom * 0.02, title, ha="center", va="bottom", fontsize=9, fontweight="bold")
    caption = (
        f"Annual gas, {total:.1f} bcm/y in all, from each supply through the route of the pipeline that "
        "delivers it to each market or use (the last route only: gas reaching Romania via IGB shows as "
        "Vertical Corridor; in-country: produced where it is used; unserved demand: what no supply "
        "met). Supplies are attributed by proportional sharing (each node passes on the mix it receives)."
    )
    return Figure("gas-flows", "Gas: supply → route → market", caption, png_bytes(fig))


@styled
def electricity_bars(n: pypsa.Network) -> Figure | None:
    """Annual generation by country and fleet, and annual flow on each power link by direction."""
    ac = n.buses.index[n.buses.carrier == "AC"]
    not_fleets = [POWER_MARKET_CARRIER, SLACK_CARRIER]
    gens = n.generators[n.generators.bus.isin(ac) & ~n.generators.carrier.isin(not_fleets)]
    plants = n.links[n.links.carrier == GAS_FIRED_CARRIER]
    if gens.empty and plants.empty:
        return None
    energy = annual_energy(n, n.generators_t.p[gens.index])
    rows = [
        (bus[:2], carrier, energy[name])
        for name, bus, carrier in zip(gens.index, gens.bus, gens.carrier, strict=True)
    ]
    plant_energy = annual_energy(n, -n.links_t.p1[plants.index])
    rows += [
        (bus[:2], "OCGT" if "OCGT" in name else "gas-fired", plant_energy[name])
        for name, bus in plants.bus1.items()
    ]
    frame = pd.DataFrame(rows, columns=["country", "fleet", "mwh"])
    table = (
        frame.pivot_table(index="country", columns="fleet", values="mwh", aggfunc="sum").fillna(0.0)
        / MWH_PER_TWH
    )
    cables = annual_link_delivery(n, "interconnector")
    fig, (left, right) = new_figure(11.0, 4.2, ncols=2, width_ratios=[1.1, 1])
    bottom = np.zeros(len(table))
    for fleet in table.columns:
        left.bar(table.index, table[fleet], bottom=bottom, color=colour(FLEET_COLOURS, fleet), label=fleet)
        bottom += table[fleet].to_numpy()
    left.set_ylabel("generation, TWh/y")
    left.set_title("Generation by country and fleet")
    left.legend(fontsize=7.5, ncols=2)
    if not cables.empty:
        flows = cables.groupby(["asset", "direction"]).sent_mwh.sum().unstack(fill_value=0.0) / MWH_PER_TWH
        flows = flows.reindex(columns=[FORWARD, REVERSE], fill_value=0.0)
        ends = cables[cables.direction == FORWARD].groupby("asset").first()
        names = [f"{asset}\n{ends.bus0[asset][:2]}→{ends.bus1[asset][:2]}" for asset in flows.index]
        ypos = np.arange(len(flows))
        right.barh(ypos, flows.forward, color=CARRIER_COLOURS["electricity"], label="forward (as named)")
        right.barh(ypos, -flows.reverse, color="#9bb7d4", label="reverse")
        right.set_yticks(ypos, names, fontsize=7.5)
        right.axvline(0, color="#333", lw=0.6)
        right.set_xlabel("annual flow, TWh/y (reverse to the left)")
        right.set_title("Power links")
        right.legend(fontsize=7.5)
    caption = "Annual generation (TWh/y) by country and fleet; flow on each power link by direction."
    return Figure("electricity", "Electricity by country and link", caption, png_bytes(fig))
