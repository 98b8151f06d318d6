"""The network map: buses at their data coordinates, pipelines and power links with width ∝ annual
flow and colour = annual utilisation, country outlines from data/countries.geojson."""

from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pypsa
from matplotlib import cm
from matplotlib.lines import Line2D

from caspian.inputs.geography import CountryOutline
from caspian.naming import REVERSE
from caspian.present.report.placement import Label, place_labels
from caspian.present.report.style import CARRIER_COLOURS, Figure, new_figure, png_bytes, styled
from caspian.results.views import annual_link_delivery, annual_total, asset_capacity, asset_flows
from caspian.units import HOURS_PER_YEAR, mwh_to_bcm, mwh_to_twh

UTILISATION_COLOURMAP = "YlOrRd"
UTILISATION_COLOUR_RANGE = (0.2, 1.0)
"""Part of the colour map used, so that idle assets stay visible against the land colour."""
MIN_LINE_PT, MAX_LINE_PT = 1.0, 7.0
"""Map line widths, points: idle assets and the largest flow of each carrier."""
LABEL_MIN_UTILISATION = 0.005
"""Assets used less than this share of the year are not labelled on the map."""
SAME_SITE_DEG = 0.05
"""Buses closer than this (degrees) count as the same site."""
POWER_NODE_SHIFT_DEG = 0.35
"""Northward shift, degrees, of a power node drawn at the same site as a gas node."""
POWER_LINE_OFFSET_DEG = 0.4
"""Perpendicular shift of electricity lines on the map, degrees, so they do not hide pipelines."""
MARGIN_DEG = (2.0, 3.0)
"""Map margin around the buses, degrees of longitude and latitude."""
MAP_WIDTH_IN = 12.0
MAP_HEIGHT_RANGE_IN = (3.5, 8.0)


def _map_segments(n: pypsa.Network) -> pd.DataFrame:
    """One row per asset in service: kind, end buses (forward direction), annual flow (MWh/y, both
    directions) and annual utilisation."""
    rows = []
    for kind, carrier in (("pipeline", "gas pipeline"), ("cable", "interconnector")):
        links = annual_link_delivery(n, carrier)
        if links.empty:
            continue
        capacity = asset_capacity(n, kind)
        flows = asset_flows(n, kind)
        for asset, group in links.groupby("asset"):
            first = group.iloc[0]
            flipped = first.direction == REVERSE
            cap = float(capacity.get(asset, 0.0))
            if cap <= 0:
                continue
            series = flows[asset]
            annual = annual_total(n, series.abs())
            rows.append(
                {
                    "asset": asset,
                    "kind": kind,
                    "bus0": first.bus1 if flipped else first.bus0,
                    "bus1": first.bus0 if flipped else first.bus1,
                    "annual_mwh": annual,
                    "utilisation": annual / (cap * HOURS_PER_YEAR),
                }
            )
    return pd.DataFrame(rows, columns=["asset", "kind", "bus0", "bus1", "annual_mwh", "utilisation"])


def _display_positions(n: pypsa.Network) -> dict[str, tuple[float, float]]:
    """Bus positions on the map: a power bus at the same site as a gas bus is drawn slightly north."""
    gas = n.buses[n.buses.carrier == "gas"]
    positions = {}
    for bus, row in n.buses.iterrows():
        x, y = float(row.x), float(row.y)
        same_site = (gas.x - x).abs().lt(SAME_SITE_DEG) & (gas.y - y).abs().lt(SAME_SITE_DEG)
        if row.carrier != "gas" and same_site.any():
            y += POWER_NODE_SHIFT_DEG
        positions[str(bus)] = (x, y)
    return positions


@styled
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
        "utilisation",
        matplotlib.colormaps[UTILISATION_COLOURMAP](np.linspace(*UTILISATION_COLOUR_RANGE, 256)),
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
            style: str | tuple[int, tuple[float, float]] = (0, (3, 1.5))
            value = f"{mwh_to_twh(row.annual_mwh):.1f} TWh"
        else:
            style, value = "solid", f"{mwh_to_bcm(row.annual_mwh):.1f} bcm"
        ax.plot(
            [x0, x1],
            [y0, y1],
            color=cmap(norm(row.utilisation)),
            linewidth=width,
            linestyle=style,
            solid_capstyle="butt",
            zorder=2.5 if row.kind == "cable" else 2,
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
    kinds = set(segments.kind) if not segments.empty else set()
    handles = []
    if "pipeline" in kinds:
        handles.append(Line2D([], [], color="#555", lw=3, label="pipeline (width ∝ bcm/y)"))
    if "cable" in kinds:
        handles.append(
            Line2D([], [], color="#555", lw=2, linestyle=(0, (3, 1.5)), label="power link (∝ TWh/y)")
        )
    for carrier, marker, label in (("gas", "s", "gas node"), ("AC", "o", "power node")):
        if (n.buses.carrier == carrier).any():
            key = "gas" if carrier == "gas" else "electricity"
            handles.append(Line2D([], [], marker=marker, color=CARRIER_COLOURS[key], lw=0, label=label))
    ax.legend(
        handles=handles,
        loc="lower right",
        fontsize=7.5,
        framealpha=0.9,
    )
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    left_out = place_labels(ax, labels, keep_out=[legend_box])
    caption = (
        "Annual flows; line width ∝ annual flow (per carrier), colour = annual utilisation (flow ÷ "
        "capacity × 8,760 h). Idle assets are drawn thin and unlabelled. Lines are straight between bus "
        "sites, not pipeline or cable routes (the Kazakh power node is Almaty, so the Caspian cable is "
        "drawn to it)."
    )
    if left_out:
        caption += " Not labelled for lack of room: " + ", ".join(label.text for label in left_out) + "."
    if not outlines:
        caption += " No country outlines (data/countries.geojson missing)."
    return Figure("map", "Network map", caption, png_bytes(fig))
