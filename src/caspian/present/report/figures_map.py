"""The network map: buses at their data coordinates, pipelines and power links along their routes
(data/map_routes.csv waypoints, else straight) with width ∝ annual flow and colour = annual utilisation,
candidates left unbuilt dotted, country outlines (data/countries.geojson) and names, labels placed
without overlaps, and a caption generated from what is in the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pypsa
from matplotlib import cm
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from caspian.inputs.geography import CountryOutline
from caspian.naming import REVERSE
from caspian.present.report.placement import Label, place_labels
from caspian.present.report.style import CARRIER_COLOURS, Figure, new_figure, png_bytes, styled
from caspian.results.views import BUILT_MW, annual_link_delivery, annual_total, asset_capacity, asset_flows
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
TURKISH_GRID_BUS = "TR gas"
"""The one bus standing for Türkiye's whole gas grid (its drawn site is a convention: data/buses.csv)."""
CANDIDATE_COLOUR = "#8a8a8a"
"""Colour of candidate assets the run left unbuilt (dotted, labelled "candidate, not built")."""
COUNTRY_COLOUR = "#7a7468"
COUNTRY_SIZE = 8.5
COUNTRY_LABEL_PRIORITY = -1.0
"""Country names are placed after every asset label (labels with higher priority go first)."""


def _map_segments(n: pypsa.Network) -> pd.DataFrame:
    """One row per asset in the run: kind, end buses (forward direction), annual flow (MWh/y, both
    directions), annual utilisation and whether it is in service (a candidate left unbuilt is not)."""
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
            cap = cap if cap > BUILT_MW else 0.0
            annual = annual_total(n, flows[asset].abs()) if cap > 0 else 0.0
            rows.append(
                {
                    "asset": asset,
                    "kind": kind,
                    "bus0": first.bus1 if flipped else first.bus0,
                    "bus1": first.bus0 if flipped else first.bus1,
                    "annual_mwh": annual,
                    "utilisation": annual / (cap * HOURS_PER_YEAR) if cap > 0 else 0.0,
                    "built": cap > 0,
                }
            )
    frame = pd.DataFrame(rows, columns=[*SEGMENT_COLUMNS])
    frame["built"] = frame["built"].astype(bool)  # a boolean mask even for a network without assets
    return frame


SEGMENT_COLUMNS = ("asset", "kind", "bus0", "bus1", "annual_mwh", "utilisation", "built")


def _route(
    row: Any, positions: dict[str, tuple[float, float]], waypoints: pd.DataFrame
) -> tuple[list[float], list[float]]:
    """The drawn polyline of an asset: its bus0 site, its waypoints from map_routes.csv in order (in
    the forward direction), its bus1 site."""
    points = waypoints[waypoints.asset == row.asset].sort_values("seq")
    xs = [positions[row.bus0][0], *points.lon.astype(float), positions[row.bus1][0]]
    ys = [positions[row.bus0][1], *points.lat.astype(float), positions[row.bus1][1]]
    return xs, ys


def _offset(xs: list[float], ys: list[float], distance: float) -> tuple[list[float], list[float]]:
    """The polyline shifted sideways by ``distance`` degrees (along the normal of its end-to-end line),
    so that power links do not hide pipelines."""
    dx, dy = xs[-1] - xs[0], ys[-1] - ys[0]
    length = max(float(np.hypot(dx, dy)), 1e-9)
    nx, ny = -dy / length * distance, dx / length * distance
    return [x + nx for x in xs], [y + ny for y in ys]


def _midpoint(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """The point halfway along a polyline (by length)."""
    steps = np.hypot(np.diff(xs), np.diff(ys))
    if steps.sum() <= 0:
        return xs[0], ys[0]
    half = steps.sum() / 2
    done = np.concatenate([[0.0], np.cumsum(steps)])
    i = int(np.searchsorted(done, half, side="right") - 1)
    i = min(i, len(steps) - 1)
    t = (half - done[i]) / steps[i] if steps[i] > 0 else 0.0
    return xs[i] + t * (xs[i + 1] - xs[i]), ys[i] + t * (ys[i + 1] - ys[i])


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


@dataclass
class MapDrawing:
    """A drawn map before it becomes a PNG: the figure, its axes, the labels placed (their boxes in
    display coordinates, for overlap checks), the asset labels left out for lack of room, and the
    candidates drawn as not built."""

    fig: Any
    ax: Any
    placed: list[Bbox]
    left_out: list[Label]
    candidates: list[str]


def _country_labels(outlines: list[CountryOutline], countries: set[str]) -> list[Label]:
    """A name at the centre of the largest ring of each modelled country (placed like other labels)."""
    labels = []
    for outline in outlines:
        if outline.iso2 not in countries or not outline.rings:
            continue
        ring = max(outline.rings, key=len)
        lon, lat = (float(np.mean(values)) for values in zip(*ring, strict=True))
        labels.append(Label(lon, lat, outline.name, COUNTRY_LABEL_PRIORITY, COUNTRY_COLOUR, COUNTRY_SIZE))
    return labels


def _caption(
    segments: pd.DataFrame, candidates: list[str], left_out: list[Label], outlines: bool, buses: pd.Index
) -> str:
    """What the map shows, generated from what is in the run (``buses``: the run's bus names)."""
    caption = (
        "Annual flows; line width ∝ annual flow (per carrier), colour = annual utilisation (flow ÷ "
        "capacity × 8,760 h). Idle assets are drawn thin and unlabelled. Routes follow the waypoints of "
        "data/map_routes.csv where given, otherwise straight lines between bus sites (data/buses.csv)."
    )
    if TURKISH_GRID_BUS in buses:
        caption += " The Turkish grid node stands for the whole grid, drawn at TANAP's main exit to BOTAŞ."
    built = set(segments.asset[segments.built])
    if "Caspian cable" in built:
        caption += " The Kazakh power node is Almaty, so the Caspian cable is drawn to it."
    if candidates:
        caption += f" Candidates not built (grey, dotted): {', '.join(candidates)}."
    if left_out:
        caption += " Not labelled for lack of room: " + ", ".join(label.text for label in left_out) + "."
    if not outlines:
        caption += " No country outlines (data/countries.geojson missing)."
    return caption


def draw_network_map(n: pypsa.Network, outlines: list[CountryOutline], waypoints: pd.DataFrame) -> MapDrawing:
    """Draw buses, pipelines and cables (width ∝ annual flow, colour = utilisation, routes through
    ``waypoints`` — the map_routes table), candidates left unbuilt, and country names."""
    segments = _map_segments(n)
    positions = _display_positions(n)
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    lon0, lon1 = min(xs) - MARGIN_DEG[0], max(xs) + MARGIN_DEG[0]
    lat0, lat1 = min(ys) - MARGIN_DEG[1], max(ys) + MARGIN_DEG[1]
    aspect = 1.0 / np.cos(np.radians((lat0 + lat1) / 2))
    height = MAP_WIDTH_IN * (lat1 - lat0) * aspect / (lon1 - lon0) + 0.9
    fig, ax = new_figure(MAP_WIDTH_IN, min(max(height, MAP_HEIGHT_RANGE_IN[0]), MAP_HEIGHT_RANGE_IN[1]))
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
    built = segments[segments.built]
    largest = {
        kind: max(float(built[built.kind == kind].annual_mwh.max()), 1.0) if not built.empty else 1.0
        for kind in ("pipeline", "cable")
    }
    labels = []
    candidates = sorted(segments.asset[~segments.built])
    for row in segments.sort_values("annual_mwh").itertuples():
        line_x, line_y = _route(row, positions, waypoints)
        if row.kind == "cable":
            line_x, line_y = _offset(line_x, line_y, POWER_LINE_OFFSET_DEG)
        if not row.built:
            ax.plot(line_x, line_y, color=CANDIDATE_COLOUR, linewidth=MIN_LINE_PT, linestyle=":", zorder=1.5)
            mid = _midpoint(line_x, line_y)
            labels.append(Label(mid[0], mid[1], f"{row.asset}: candidate, not built", 0.0, CANDIDATE_COLOUR))
            continue
        width = MIN_LINE_PT + (MAX_LINE_PT - MIN_LINE_PT) * row.annual_mwh / largest[row.kind]
        if row.kind == "cable":
            style: str | tuple[int, tuple[float, float]] = (0, (3, 1.5))
            value = f"{mwh_to_twh(row.annual_mwh):.1f} TWh"
        else:
            style, value = "solid", f"{mwh_to_bcm(row.annual_mwh):.1f} bcm"
        ax.plot(
            line_x,
            line_y,
            color=cmap(norm(row.utilisation)),
            linewidth=width,
            linestyle=style,
            solid_capstyle="butt",
            solid_joinstyle="round",
            zorder=2.5 if row.kind == "cable" else 2,
        )
        if row.utilisation >= LABEL_MIN_UTILISATION:
            mid = _midpoint(line_x, line_y)
            labels.append(Label(mid[0], mid[1], f"{row.asset} {value}", row.annual_mwh))
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
    kinds = set(built.kind)
    handles = []
    if "pipeline" in kinds:
        handles.append(Line2D([], [], color="#555", lw=3, label="pipeline (width ∝ bcm/y)"))
    if "cable" in kinds:
        handles.append(
            Line2D([], [], color="#555", lw=2, linestyle=(0, (3, 1.5)), label="power link (∝ TWh/y)")
        )
    if candidates:
        handles.append(
            Line2D([], [], color=CANDIDATE_COLOUR, lw=1, linestyle=":", label="candidate, not built")
        )
    for carrier, marker, label in (("gas", "s", "gas node"), ("AC", "o", "power node")):
        if (n.buses.carrier == carrier).any():
            key = "gas" if carrier == "gas" else "electricity"
            handles.append(Line2D([], [], marker=marker, color=CARRIER_COLOURS[key], lw=0, label=label))
    ax.legend(handles=handles, loc="lower right", fontsize=7.5, framealpha=0.9)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg canvas, always here
    legend_box = ax.get_legend().get_window_extent(renderer)
    countries = _country_labels(outlines, set(n.buses.country))
    left_out = place_labels(ax, labels + countries, keep_out=[legend_box])
    placed = [text.get_window_extent(renderer) for text in ax.texts]
    # a country name without room is decoration, not a missing result: only assets are reported
    return MapDrawing(fig, ax, placed, [label for label in left_out if label not in countries], candidates)


@styled
def network_map(n: pypsa.Network, outlines: list[CountryOutline], waypoints: pd.DataFrame) -> Figure:
    """Map of buses, pipelines and cables: width ∝ annual flow, colour = utilisation (see
    :func:`draw_network_map`)."""
    drawing = draw_network_map(n, outlines, waypoints)
    caption = _caption(_map_segments(n), drawing.candidates, drawing.left_out, bool(outlines), n.buses.index)
    return Figure("map", "Network map", caption, png_bytes(drawing.fig))
