"""Figures of one run, each returned as PNG bytes with a caption: the network map, the supply → route →
market flows, electricity by country and cable, duration curves, the Azerbaijani power balance in a
winter and a summer week, and monthly gas flows."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pypsa
from matplotlib import cm
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from caspian.geography import CountryOutline
from caspian.report.analysis import annual_link_delivery, asset_capacity, asset_flows, weights
from caspian.report.labels import Label, place_labels
from caspian.report.style import (
    CARRIER_COLOURS,
    FLEET_COLOURS,
    ROUTE_COLOURS,
    SUPPLY_COLOURS,
    colour,
    new_figure,
    png_bytes,
)
from caspian.results import annual_factor
from caspian.units import mw_to_bcm_per_year, mwh_to_bcm, mwh_to_twh

MAIN_PIPELINES = ("Trans-Caspian", "SCP", "TANAP", "TAP")
MAIN_CABLES = ("Caspian cable", "Black Sea cable")
FALLBACK_ASSETS = 4
"""Pipelines shown in time figures when the network has none of the main ones (the busiest)."""
BALANCE_BUS = "AZ AC"
SAMPLE_WEEKS = {"winter": "01-15", "summer": "07-15"}
"""Start (month-day) of the sample weeks of the Azerbaijani power balance."""
WEEK_HOURS = 168
UTILISATION_COLOURMAP = "YlOrRd"
SANKEY_GAP = 0.015
"""Gap between the nodes of a Sankey column, share of the total flow."""
SANKEY_NODE_WIDTH = 0.04
SANKEY_LABEL_GAP = 0.035
"""Least vertical distance between two labels of a Sankey column, share of the column height."""
MIN_LINE_PT, MAX_LINE_PT = 1.0, 7.0
"""Map line widths, points: idle assets and the largest flow of each carrier."""
LABEL_MIN_UTILISATION = 0.005
"""Assets used less than this share of the year are not labelled on the map."""
POWER_NODE_SHIFT_DEG = 0.35
"""Northward shift, degrees, of a power node drawn at the same site as a gas node."""
POWER_LINE_OFFSET_DEG = 0.25
"""Perpendicular shift of electricity lines on the map, degrees, so they do not hide pipelines."""


@dataclass(frozen=True)
class Figure:
    """A rendered figure: file stem, title, caption (what it shows, units, what was left out), PNG."""

    name: str
    title: str
    caption: str
    png: bytes


def _map_segments(n: pypsa.Network) -> pd.DataFrame:
    rows = []
    for kind, carrier in (("pipeline", "gas pipeline"), ("cable", "interconnector")):
        links = annual_link_delivery(n, carrier)
        if links.empty:
            continue
        capacity = asset_capacity(n, kind)
        flows = asset_flows(n, kind)
        w = weights(n)
        for asset, group in links.groupby("asset"):
            first = group.iloc[0]
            cap = float(capacity.get(asset, 0.0))
            if cap <= 0:
                continue
            series = flows[asset]
            annual = float(series.abs().mul(w).sum() * annual_factor(n))
            rows.append(
                {
                    "asset": asset,
                    "kind": kind,
                    "bus0": first.bus0 if not str(group.index[0]).endswith(" reverse") else first.bus1,
                    "bus1": first.bus1 if not str(group.index[0]).endswith(" reverse") else first.bus0,
                    "annual_mwh": annual,
                    "utilisation": annual / (cap * 8760.0),
                }
            )
    return pd.DataFrame(rows)


def _display_positions(n: pypsa.Network) -> dict[str, tuple[float, float]]:
    """Bus positions on the map: a power bus at the same site as a gas bus is drawn slightly north."""
    gas = n.buses[n.buses.carrier == "gas"]
    positions = {}
    for bus, row in n.buses.iterrows():
        x, y = float(row.x), float(row.y)
        if row.carrier != "gas" and ((gas.x - x).abs().lt(0.05) & (gas.y - y).abs().lt(0.05)).any():
            y += POWER_NODE_SHIFT_DEG
        positions[str(bus)] = (x, y)
    return positions


def network_map(n: pypsa.Network, outlines: list[CountryOutline]) -> Figure:
    """Map of buses, pipelines and cables: width ∝ annual flow, colour = utilisation."""
    segments = _map_segments(n)
    positions = _display_positions(n)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    lon0, lon1 = min(xs) - 2.0, max(xs) + 2.0
    lat0, lat1 = min(ys) - 3.0, max(ys) + 3.0
    aspect = 1.0 / np.cos(np.radians((lat0 + lat1) / 2))
    width_in = 12.0
    fig, ax = new_figure(
        width_in, min(max(width_in * (lat1 - lat0) * aspect / (lon1 - lon0) + 0.9, 3.5), 8.0)
    )
    ax.grid(False)
    for outline in outlines:
        for ring in outline.rings:
            ring_x, ring_y = zip(*ring, strict=True)
            ax.fill(ring_x, ring_y, facecolor="#f3f1ec", edgecolor="#b5b0a5", linewidth=0.5, zorder=0)
    ax.set_facecolor("#dfeaf3" if outlines else "white")
    norm = mcolors.Normalize(0.0, 1.0)
    cmap = mcolors.LinearSegmentedColormap.from_list(
        "utilisation", matplotlib.colormaps[UTILISATION_COLOURMAP](np.linspace(0.2, 1.0, 256))
    )
    largest = {
        kind: max(float(segments[segments.kind == kind].annual_mwh.max()), 1.0) if not segments.empty else 1.0
        for kind in ("pipeline", "cable")
    }
    labels = []
    for row in segments.sort_values("annual_mwh").itertuples():
        (x0, y0), (x1, y1) = positions[row.bus0], positions[row.bus1]
        width = MIN_LINE_PT + (MAX_LINE_PT - MIN_LINE_PT) * row.annual_mwh / largest[row.kind]
        if row.kind == "cable":
            dx, dy = x1 - x0, y1 - y0
            length = max(np.hypot(dx, dy), 1e-9)
            shift = (-dy / length * POWER_LINE_OFFSET_DEG, dx / length * POWER_LINE_OFFSET_DEG)
            x0, y0, x1, y1 = x0 + shift[0], y0 + shift[1], x1 + shift[0], y1 + shift[1]
            style, value = (0, (3, 1.5)), f"{mwh_to_twh(row.annual_mwh):.1f} TWh"
        else:
            style, value = "solid", f"{mwh_to_bcm(row.annual_mwh):.1f} bcm"
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=cmap(norm(row.utilisation)),
            linewidth=width,
            linestyle=style,
            solid_capstyle="butt",
            zorder=2,
        )
        if row.utilisation >= LABEL_MIN_UTILISATION:
            labels.append(Label((x0 + x1) / 2, (y0 + y1) / 2, f"{row.asset} {value}", row.annual_mwh))
    for carrier, marker in (("gas", "s"), ("AC", "o")):
        names = [bus for bus in n.buses.index[n.buses.carrier == carrier]]
        ax.scatter(
            [positions[b][0] for b in names],
            [positions[b][1] for b in names],
            marker=marker,
            s=24,
            color=CARRIER_COLOURS["gas" if carrier == "gas" else "electricity"],
            edgecolor="white",
            linewidth=0.6,
            zorder=3,
        )
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude, °E")
    ax.set_ylabel("latitude, °N")
    fig.colorbar(cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.8, label="utilisation (annual)")
    ax.legend(
        handles=[
            Line2D([], [], color="#555", lw=3, label="pipeline (width ∝ bcm/y)"),
            Line2D([], [], color="#555", lw=2, linestyle=(0, (3, 1.5)), label="power link (width ∝ TWh/y)"),
            Line2D([], [], marker="s", color=CARRIER_COLOURS["gas"], lw=0, label="gas node"),
            Line2D([], [], marker="o", color=CARRIER_COLOURS["electricity"], lw=0, label="power node"),
        ],
        loc="lower right",
        fontsize=7.5,
        framealpha=0.9,
    )
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    left_out = place_labels(ax, labels, keep_out=[legend_box])
    caption = (
        "Annual flows; line width ∝ annual flow (per carrier), colour = annual utilisation (flow ÷ "
        "capacity × 8,760 h). Idle assets are drawn thin and unlabelled."
    )
    if left_out:
        caption += " Not labelled for lack of room: " + ", ".join(label.text for label in left_out) + "."
    if not outlines:
        caption += " No country outlines (data/countries.geojson missing)."
    return Figure("map", "Network map", caption, png_bytes(fig))


def _band(ax, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], col: str) -> None:
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
    for xpos, col in enumerate(columns):
        nodes = sorted(((lo, hi, name) for (c, name), (lo, hi) in positions.items() if c == col))
        centres = _spread([-(lo + hi) / 2 for lo, hi, _name in nodes], min_gap)
        align = {"supply": "right", "route": "left", "consumer": "left"}[col]
        offset = {"supply": -0.03, "route": 0.03, "consumer": 0.03}[col]
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
    lowest = min(
        min(
            _spread(
                [
                    -(lo + hi) / 2
                    for (c, _n), (lo, hi) in sorted(positions.items(), key=lambda item: item[1])
                    if c == col
                ],
                min_gap,
            )
        )
        for col in columns
    )
    ax.set_xlim(-0.75, 2.75)
    ax.set_ylim(min(-bottom, lowest - min_gap) * 1.02, bottom * 0.05)
    for xpos, title in enumerate(("supply, bcm/y", "route into the market", "market or use, bcm/y")):
        ax.text(xpos, bottom * 0.02, title, ha="center", va="bottom", fontsize=9, fontweight="bold")
    caption = (
        f"Annual gas, {total:.1f} bcm/y in all, from each supply through the route of the pipeline that "
        "delivers it to each market or use (in-country: produced where it is used). Supplies are "
        "attributed by proportional sharing (each node passes on the mix it receives)."
    )
    return Figure("gas-flows", "Gas: supply → route → market", caption, png_bytes(fig))


def electricity_bars(n: pypsa.Network) -> Figure | None:
    """Annual generation by country and fleet, and annual flow on each power link by direction."""
    ac = n.buses.index[n.buses.carrier == "AC"]
    gens = n.generators[n.generators.bus.isin(ac) & ~n.generators.carrier.isin(["power market", "slack"])]
    plants = n.links[n.links.carrier == "gas-fired"]
    if gens.empty and plants.empty:
        return None
    factor, w = annual_factor(n), weights(n)
    energy = n.generators_t.p[gens.index].mul(w, axis=0).sum() * factor
    rows = [
        (bus[:2], carrier, energy[name])
        for name, bus, carrier in zip(gens.index, gens.bus, gens.carrier, strict=True)
    ]
    plant_energy = -n.links_t.p1[plants.index].mul(w, axis=0).sum() * factor
    rows += [
        (bus[:2], "OCGT" if "OCGT" in name else "gas-fired", plant_energy[name])
        for name, bus in plants.bus1.items()
    ]
    frame = pd.DataFrame(rows, columns=["country", "fleet", "mwh"])
    table = frame.pivot_table(index="country", columns="fleet", values="mwh", aggfunc="sum").fillna(0.0) / 1e6
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
        cables["direction"] = ["reverse" if str(i).endswith(" reverse") else "forward" for i in cables.index]
        flows = cables.groupby(["asset", "direction"]).sent_mwh.sum().unstack(fill_value=0.0) / 1e6
        flows = flows.reindex(columns=["forward", "reverse"], fill_value=0.0)
        ends = cables[cables.direction == "forward"].groupby("asset").first()
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


def _main_assets(flows: pd.DataFrame, preferred: tuple[str, ...]) -> list[str]:
    """The preferred assets present in ``flows``; failing those, the busiest ones."""
    present = [asset for asset in preferred if asset in flows.columns]
    if present or flows.empty:
        return present
    return list(flows.abs().sum().sort_values(ascending=False).index[:FALLBACK_ASSETS])


def duration_curves(n: pypsa.Network) -> Figure | None:
    """Hourly flow sorted from highest to lowest for the main pipelines and the two HVDC cables."""
    pipes = asset_flows(n, "pipeline")
    cables = asset_flows(n, "cable")
    pipes = pipes[_main_assets(pipes, MAIN_PIPELINES)]
    cables = cables[[a for a in MAIN_CABLES if a in cables.columns]]
    if pipes.empty and cables.empty:
        return None
    w = weights(n) * annual_factor(n)
    fig, (left, right) = new_figure(11.0, 3.8, ncols=2)
    for ax, frame, unit, convert in (
        (left, pipes, "flow, bcm/y (rate)", mw_to_bcm_per_year),
        (right, cables, "flow, MW (negative = reverse)", lambda v: v),
    ):
        for asset in frame.columns:
            order = frame[asset].sort_values(ascending=False)
            hours = np.concatenate([[0.0], w[order.index].cumsum().to_numpy()])
            values = np.concatenate([[order.iloc[0]], order.to_numpy()])
            ax.step(
                hours,
                [convert(v) for v in values],
                where="pre",
                label=asset,
                color=colour(ROUTE_COLOURS, asset) if asset in ROUTE_COLOURS else None,
                lw=1.4,
            )
        ax.set_xlabel("hours of the year at or above the flow")
        ax.set_ylabel(unit)
        ax.set_xlim(0, 8760)
        if len(frame.columns):
            ax.legend(fontsize=7.5)
        else:
            ax.text(0.5, 0.5, "no HVDC cable in this run", transform=ax.transAxes, ha="center")
    left.set_title("Main pipelines")
    right.set_title("HVDC cables")
    caption = "Duration curves: each snapshot's flow, sorted, against the hours it stands for (annualised)."
    return Figure("duration", "Duration curves", caption, png_bytes(fig))


def _balance(n: pypsa.Network, bus: str) -> tuple[pd.DataFrame, pd.Series]:
    gens = n.generators[(n.generators.bus == bus) & (n.generators.carrier != "power market")]
    parts = {}
    for name, carrier in gens.carrier.items():
        key = "unserved" if carrier == "slack" else carrier
        parts[key] = parts.get(key, 0.0) + n.generators_t.p[name]
    into = n.links[n.links.bus1 == bus]
    out_of = n.links[n.links.bus0 == bus]
    for name, carrier in into.carrier.items():
        key = "imports" if carrier == "interconnector" else ("OCGT" if "OCGT" in name else carrier)
        parts[key] = parts.get(key, 0.0) + (-n.links_t.p1[name])
    exports = sum((n.links_t.p0[name] for name in out_of.index), start=pd.Series(0.0, index=n.snapshots))
    frame = pd.DataFrame(parts, index=n.snapshots).fillna(0.0)
    frame["exports"] = -exports
    demand = n.loads_t.p[n.loads.index[n.loads.bus == bus]].sum(axis=1)
    return frame, demand


def power_balance_weeks(n: pypsa.Network) -> Figure | None:
    """Azerbaijani power balance (MW) in a winter and a summer week: supply stacked, exports below zero."""
    if BALANCE_BUS not in n.buses.index:
        return None
    frame, demand = _balance(n, BALANCE_BUS)
    year = n.snapshots[0].year
    fig, axes = new_figure(11.0, 3.8, ncols=2, sharey=True)
    notes = []
    for ax, (season, start) in zip(axes, SAMPLE_WEEKS.items(), strict=True):
        first = pd.Timestamp(f"{year}-{start}")
        window = (n.snapshots >= first) & (n.snapshots < first + pd.Timedelta(hours=WEEK_HOURS))
        if not window.any():
            window = n.snapshots < n.snapshots[0] + pd.Timedelta(hours=WEEK_HOURS)
            notes.append(f"the {season} week is outside the horizon; the first week is shown")
        week = frame[window]
        times = week.index
        positive = week.clip(lower=0.0)
        columns = [c for c in positive.columns if positive[c].abs().sum() > 0]
        ax.stackplot(
            times,
            *[positive[c] for c in columns],
            labels=columns,
            step="post",
            colors=[colour(FLEET_COLOURS, c) for c in columns],
            alpha=0.9,
        )
        ax.fill_between(
            times, week["exports"], 0, step="post", color=FLEET_COLOURS["exports"], label="exports"
        )
        ax.step(times, demand[window], where="post", color="black", lw=1.2, label="demand")
        ax.set_title(f"{season} week from {times[0]:%d %b}")
        ax.set_ylabel("MW (exports below zero)")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right center", fontsize=7.5)
    caption = "Azerbaijan's power balance by snapshot: generation and imports stacked, exports below zero."
    if notes:
        caption += " Note: " + "; ".join(notes) + "."
    return Figure("az-power-weeks", "Azerbaijani power balance, sample weeks", caption, png_bytes(fig))


def monthly_gas(n: pypsa.Network) -> Figure | None:
    """Gas on the main pipelines by month, bcm per month."""
    flows = asset_flows(n, "pipeline")
    names = _main_assets(flows, (*MAIN_PIPELINES, "IGB", "TR–BG interconnector"))
    if not names:
        return None
    w = weights(n)
    monthly = flows[names].mul(w, axis=0).groupby(flows.index.month).sum().map(mwh_to_bcm)
    fig, ax = new_figure(9.0, 3.6)
    for asset in names:
        ax.plot(
            monthly.index,
            monthly[asset],
            marker="o",
            ms=3.5,
            lw=1.4,
            label=asset,
            color=colour(ROUTE_COLOURS, asset) if asset in ROUTE_COLOURS else None,
        )
    ax.set_xticks(
        range(1, 13), ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    )
    ax.set_xlim(0.5, 12.5)
    ax.set_ylabel("gas, bcm per month")
    ax.legend(fontsize=7.5, ncols=3)
    covered = sorted(set(flows.index.month))
    caption = "Gas sent into each main pipeline per calendar month (bcm)."
    if len(covered) < 12:
        caption += f" The horizon covers months {covered[0]}–{covered[-1]} only."
    return Figure("monthly-gas", "Monthly gas flows", caption, png_bytes(fig))
