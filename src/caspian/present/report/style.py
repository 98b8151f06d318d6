"""One look for every report figure: colours per carrier, per route and per fleet, figure sizes, and
PNG encoding. Colours are fixed by name so that a route has the same colour in every figure."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import matplotlib
import pandas as pd

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure as MplFigure

CARRIER_COLOURS = {"gas": "#d35400", "electricity": "#1f5fa8"}

ROUTE_COLOURS = {
    "SCP → TANAP → TAP": "#c0392b",
    "Trans-Caspian": "#8e44ad",
    "Turkish grid": "#7f8c8d",
    "IGB": "#16a085",
    "Trans-Balkan": "#2c3e50",
    "Vertical Corridor": "#27ae60",
    "in-country": "#bdc3c7",
    "unserved demand": "#e74c3c",
}
"""Colours of the gas routes (``route`` column of gas_pipelines.csv) and of unserved demand."""

ASSET_COLOURS = {
    "Trans-Caspian": "#8e44ad",
    "SCP": "#7b241c",
    "TANAP": "#c0392b",
    "TAP": "#e59866",
    "IGB": "#16a085",
    "TR–BG interconnector": "#2c3e50",
    "Vertical Corridor BG–RO": "#27ae60",
    "Caspian cable": "#17becf",
    "Black Sea cable": "#1f5fa8",
}
"""Colours of individual assets in time plots: SGC segments in shades of its route's red, the other
routes in their route colour, the HVDC cables in blues."""

FLEET_COLOURS = {
    "solar": "#f4c20d",
    "onwind": "#4a90d9",
    "offwind": "#2c5d8f",
    "hydro": "#1abc9c",
    "gas-fired": "#e67e22",
    "OCGT": "#c0392b",
    "coal": "#4d4d4d",
    "oil": "#8b4513",
    "imports": "#9b59b6",
    "exports": "#95a5a6",
    "unserved": "#e74c3c",
}

SUPPLY_COLOURS = {
    "Shah Deniz": "#e67e22",
    "ACG associated gas": "#f39c12",
    "Absheron": "#d68910",
    "SOCAR other": "#b9770e",
    "Turkmenistan export": "#8e44ad",
    "Kazakhstan export": "#2980b9",
    "unserved demand": "#e74c3c",
}


@dataclass(frozen=True)
class Figure:
    """A rendered figure: file stem, title, caption (what it shows, units, what was left out), PNG."""

    name: str
    title: str
    caption: str
    png: bytes


FALLBACK = "#7f7f7f"
PAD_INCHES = 0.08
DPI = 100
"""Resolution of embedded PNGs: readable on screen, small enough to keep the HTML well under 5 MB."""


def colour(mapping: dict[str, str], name: str) -> str:
    """The colour of ``name`` in ``mapping``; grey for anything unnamed."""
    return mapping.get(name, FALLBACK)


MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":")


def line_styles(count: int) -> list[tuple[str, str]]:
    """``count`` (marker, line style) pairs, all different for up to 28 lines, so that lines lying on
    top of each other stay tellable apart."""
    return [(MARKERS[i % len(MARKERS)], LINESTYLES[i % len(LINESTYLES)]) for i in range(count)]


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def monthly_figure(
    monthly: pd.DataFrame, labels: dict[str, str], colours: dict[str, str], unit: str
) -> MplFigure:
    """One line per column of ``monthly`` (index: months 1–12) with its own marker and line style, the
    legend outside the data, y from 0; ``labels``/``colours`` by column (missing: the column name, the
    default colour cycle)."""
    fig, ax = new_figure(9.0, 3.6)
    for column, (marker, style) in zip(monthly.columns, line_styles(len(monthly.columns)), strict=True):
        ax.plot(
            monthly.index,
            monthly[column],
            marker=marker,
            linestyle=style,
            ms=3.5,
            lw=1.4,
            label=labels.get(column, column),
            **({"color": colours[column]} if column in colours else {}),
        )
    ax.set_xticks(range(1, 13), MONTH_NAMES)
    ax.set_xlim(0.5, 12.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(unit)
    fig.legend(loc="outside right upper", fontsize=7.5)
    return fig


STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
"""Matplotlib settings of every report figure, applied only while a figure is drawn."""

P = ParamSpec("P")
R = TypeVar("R")


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a figure function under the report's matplotlib style, leaving global settings untouched."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with plt.rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types keys as a Literal
            return draw(*args, **kwargs)

    return wrapper


def new_figure(width: float = 9.0, height: float = 4.5, **kwargs: Any) -> tuple[MplFigure, Any]:
    """A figure of ``width`` × ``height`` inches with constrained layout (call inside :func:`styled`);
    the axes are one ``Axes`` or, with ``nrows``/``ncols``, an array of them (``Any`` for that reason)."""
    return plt.subplots(figsize=(width, height), layout="constrained", **kwargs)


def png_bytes(fig: MplFigure) -> bytes:
    """The figure as PNG bytes, trimmed to its content; the figure is closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=PAD_INCHES)
    plt.close(fig)
    return buffer.getvalue()
