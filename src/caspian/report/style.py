"""One look for every report figure: colours per carrier, per route and per fleet, figure sizes, and
PNG encoding. Colours are fixed by name so that a route has the same colour in every figure."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

CARRIER_COLOURS = {"gas": "#d35400", "electricity": "#1f5fa8"}

ROUTE_COLOURS = {
    "SCP → TANAP → TAP": "#c0392b",
    "Trans-Caspian": "#8e44ad",
    "Turkish grid": "#7f8c8d",
    "IGB": "#16a085",
    "Trans-Balkan": "#2c3e50",
    "Vertical Corridor": "#27ae60",
    "in-country": "#bdc3c7",
    "Black Sea cable": "#1f77b4",
    "Caspian cable": "#17becf",
}
"""Colours of the gas routes (``route`` column of gas_pipelines.csv) and of the two HVDC cables."""

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
}

FALLBACK = "#7f7f7f"
DPI = 100
"""Resolution of embedded PNGs: readable on screen, small enough to keep the HTML well under 5 MB."""


def colour(mapping: dict[str, str], name: str) -> str:
    """The colour of ``name`` in ``mapping``; grey for anything unnamed."""
    return mapping.get(name, FALLBACK)


def new_figure(width: float = 9.0, height: float = 4.5, **kwargs) -> tuple[Figure, object]:
    """A figure with the report's fonts and a light grid."""
    plt.rcParams.update(
        {
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    fig, axes = plt.subplots(figsize=(width, height), layout="constrained", **kwargs)
    return fig, axes


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()
