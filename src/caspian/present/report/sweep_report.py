"""The report of a sweep directory: how flows to Europe and the key prices respond to each swept
parameter (lines for one parameter, heatmaps for two, one heatmap per value of any further
parameter; bars for hand-written cases), the case table, and the failed cases with their messages."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from caspian.present.report.run_report import Headline, RunReport
from caspian.present.report.style import CARRIER_COLOURS, Figure, new_figure, png_bytes, styled
from caspian.present.report.sweep_headlines import headline_metrics
from caspian.present.report.sweep_inputs import case_runs, horizon_headline, sweep_inputs_table
from caspian.present.report.tables import Table
from caspian.present.report.tornado import tornado_sections
from caspian.sweep.plan import SweepSpec, load_sweep

SWEEP_FILES = ("sweep.yaml", "manifest.csv", "sweep.nc")

METRIC_COLOURS = {
    "gas": CARRIER_COLOURS["gas"],
    "power": CARRIER_COLOURS["electricity"],
    "electricity": CARRIER_COLOURS["electricity"],
}
"""Line and bar colour of a metric by its first word; anything else (cost, unserved) is neutral."""
NEUTRAL = "#555555"

METRICS = (
    ("gas_to_europe_bcm", None, "gas to Europe", "bcm/y"),
    ("pipeline_flow_bcm", "Trans-Caspian", "gas Trans-Caspian flow", "bcm/y"),
    ("power_to_europe_twh", None, "electricity to Europe", "TWh/y"),
    ("price_eur_mwh", "AZ gas", "gas price at Baku", "EUR/MWh"),
    ("price_eur_mwh", "TM gas", "gas price at Turkmenbashi", "EUR/MWh"),
    ("price_eur_mwh", "AZ AC", "power price in Azerbaijan", "EUR/MWh"),
    ("price_eur_mwh", "KZ AC", "power price in Kazakhstan", "EUR/MWh"),
    ("unserved_total_twh", None, "unserved energy", "TWh/y"),
    ("objective_eur_y", None, "net system cost", "bn EUR/y"),
    ("objective_excl_unserved_eur_y", None, "net cost without the unserved penalty", "bn EUR/y"),
)
"""Metrics a sweep report plots when the sweep has them: (variable, label along its one dimension or
None, title, unit). Prices at the Caspian nodes are the model's own."""

PANELS_PER_ROW = 3
PANEL_SIZE_IN = (4.0, 3.5)
"""Size of one metric's panel in the sweep figures, inches."""

MAX_FACETS = 6
"""Most heatmap panels drawn for one metric (one per combination of the parameters beyond the first
two); the caption says when more exist."""


def _metric_colour(column: str) -> str:
    return METRIC_COLOURS.get(column.split()[0], NEUTRAL)


def is_sweep_directory(directory: Path) -> bool:
    """True when ``directory`` holds a collected caspian sweep."""
    return all((directory / name).is_file() for name in SWEEP_FILES)


def _metric(ds: xr.Dataset, var: str, bus: str | None) -> pd.Series | None:
    if var not in ds:
        return None
    values = ds[var]
    if bus is not None:
        dims = [d for d in values.dims if d != "case"]
        if len(dims) != 1 or bus not in values[dims[0]].values:
            return None
        values = values.sel({dims[0]: bus})
    series = values.to_series()
    if var in ("objective_eur_y", "objective_excl_unserved_eur_y"):
        series = series / 1e9
    if var == "power_to_europe_twh" and "cable" not in ds.dims:
        return None
    if var == "gas_to_europe_bcm" and "pipeline" not in ds.dims:
        return None
    if var == "unserved_total_twh" and not (series.fillna(0) > 0).any():
        return None
    return series


def _frame(ds: xr.Dataset, manifest: pd.DataFrame, parameters: list[str]) -> pd.DataFrame:
    frame = manifest.set_index("case")[["label", *parameters, "status"]].copy()
    for var, bus, title, unit in METRICS:
        series = _metric(ds, var, bus)
        if series is not None:
            series = series.reindex(frame.index)
            if series.fillna(0.0).abs().max() > 0:
                frame[f"{title}, {unit}"] = series
    return frame


def _axis_label(sweep: SweepSpec, name: str) -> str:
    """A swept parameter's name with its unit, when the sweep file gives one."""
    unit = next((p.unit for p in sweep.parameters if p.name == name and p.unit), None)
    return f"{name} ({unit})" if unit else name


def _panels(columns: list[str], size: tuple[float, float]) -> tuple[Any, list[tuple[Any, str]]]:
    """A grid of up to :data:`PANELS_PER_ROW` panels per row, one per metric (spare panels hidden)."""
    ncols = min(len(columns), PANELS_PER_ROW)
    nrows = int(np.ceil(len(columns) / PANELS_PER_ROW))
    fig, axes = new_figure(size[0] * ncols, size[1] * nrows, ncols=ncols, nrows=nrows, squeeze=False)
    pairs = []
    for ax, column in itertools.zip_longest(axes.flat, columns):
        if column is None:
            ax.set_visible(False)
        else:
            pairs.append((ax, column))
    return fig, pairs


@styled
def _line_figure(frame: pd.DataFrame, parameter: str, columns: list[str], label: str, zipped: bool) -> Figure:
    fig, panels = _panels(columns, PANEL_SIZE_IN)
    for ax, column in panels:
        data = frame.groupby(parameter)[column].mean().sort_index()
        ax.plot(data.index, data.to_numpy(), marker="o", color=_metric_colour(column))
        ax.set_xlabel(label)
        ax.set_ylabel(column)
    caption = (
        f"Each metric against {parameter} (the zipped parameters change with it, case by case)."
        if zipped
        else f"Each metric against {parameter}."
    )
    return Figure(f"sweep-{parameter}", f"Response to {parameter}", caption, png_bytes(fig))


@styled
def _heatmaps(frame: pd.DataFrame, sweep: SweepSpec, column: str, index: int) -> Figure:
    parameters = [p.name for p in sweep.parameters]
    first, second, rest = parameters[0], parameters[1], parameters[2:]
    groups = list(frame.groupby(rest)) if rest else [((), frame)]
    total_groups = len(groups)
    groups = groups[:MAX_FACETS]
    fig, axes = new_figure(4.2 * len(groups), 3.6, ncols=len(groups), squeeze=False)
    values = frame[column].dropna()
    vmin, vmax = (float(values.min()), float(values.max())) if not values.empty else (0.0, 1.0)
    image = None
    for ax, (key, group) in zip(axes.flat, groups, strict=True):
        grid = group.pivot_table(index=second, columns=first, values=column, aggfunc="mean")
        image = ax.imshow(
            grid.to_numpy(),
            origin="lower",
            aspect="auto",
            cmap="viridis",
            vmin=vmin,
            vmax=vmax if vmax > vmin else vmin + 1e-9,
        )
        ax.set_xticks(range(len(grid.columns)), [str(v) for v in grid.columns])
        ax.set_yticks(range(len(grid.index)), [str(v) for v in grid.index])
        ax.set_xlabel(_axis_label(sweep, first))
        ax.set_ylabel(_axis_label(sweep, second))
        ax.grid(False)
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            if value == value:
                shade = (value - vmin) / (vmax - vmin) if vmax > vmin else 0.5
                ax.text(
                    j,
                    i,
                    f"{value:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if shade < 0.6 else "black",
                )
        if rest:
            keys = key if isinstance(key, tuple) else (key,)
            ax.set_title(", ".join(f"{name} = {value}" for name, value in zip(rest, keys, strict=True)))
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.85, label=column)
    caption = f"{column} over {first} × {second}"
    caption += f", one panel per {', '.join(rest)}." if rest else "."
    if total_groups > len(groups):
        caption += f" Only the first {len(groups)} of {total_groups} panels are drawn; sweep.nc has all."
    return Figure(f"sweep-heatmap-{index}", column, caption, png_bytes(fig))


@styled
def _bars(frame: pd.DataFrame, columns: list[str]) -> Figure:
    fig, panels = _panels(columns, PANEL_SIZE_IN)
    for ax, column in panels:
        ax.bar(frame.label, frame[column], color=_metric_colour(column))
        ax.set_ylabel(column)
        ax.tick_params(axis="x", labelrotation=30, labelsize=7.5)
    return Figure("sweep-cases", "Metrics by case", "Each metric per case.", png_bytes(fig))


def _figures(frame: pd.DataFrame, sweep: SweepSpec, metrics: list[str]) -> list[Figure]:
    parameters = [p.name for p in sweep.parameters]
    ok = frame[frame.status == "ok"]
    if ok.empty or not metrics:
        return []
    if not parameters:
        return [_bars(ok, metrics)]
    if len(parameters) == 1 or sweep.combine == "zip":
        zipped = len(parameters) > 1
        return [_line_figure(ok, parameters[0], metrics, _axis_label(sweep, parameters[0]), zipped)]
    return [_heatmaps(ok, sweep, column, i) for i, column in enumerate(metrics, start=1)]


def _case_table(frame: pd.DataFrame, parameters: list[str], metrics: list[str]) -> Table:
    header = ["case", *(parameters or ["label"]), "status", *metrics]
    rows = []
    for case, row in frame.iterrows():
        keys = [str(row[p]) for p in parameters] if parameters else [str(row.label)]
        cells = ["-" if row.status != "ok" or row[m] != row[m] else f"{row[m]:.2f}" for m in metrics]
        rows.append([str(case), *keys, str(row.status), *cells])
    return Table("Cases", header, rows, "l" * (len(header) - len(metrics)) + "r" * len(metrics))


def build_sweep_report(directory: Path) -> RunReport:
    """Assemble the report of the sweep in ``directory``."""
    sweep = load_sweep(directory / "sweep.yaml")
    manifest = pd.read_csv(directory / "manifest.csv", dtype={"case": str})
    with xr.open_dataset(directory / "sweep.nc") as opened:
        ds = opened.load()
    parameters = [p.name for p in sweep.parameters]
    frame = _frame(ds, manifest, parameters)
    metrics = [c for c in frame.columns if c not in ("label", "status", *parameters)]
    failed = manifest[manifest.status != "ok"]
    ok = frame[frame.status == "ok"]
    headlines = [
        Headline(
            "Cases",
            f"{len(ok)} of {len(frame)} solved",
            f"{len(failed)} failed; see the table below." if len(failed) else "None failed.",
        )
    ]
    named, metric_tables = headline_metrics(
        ds, list(sweep.headline_metrics), manifest.set_index("case")["label"], ok.index
    )
    runs = case_runs(directory, manifest)
    period = horizon_headline(runs)
    headlines += [*([period] if period else []), *named]
    for column in [] if named else metrics[:2]:
        values = ok[column].dropna()
        if not values.empty:
            headlines.append(
                Headline(
                    column,
                    f"{values.min():.2f} – {values.max():.2f}",
                    f"Range over the solved cases (median {values.median():.2f}).",
                )
            )
    failures = Table(
        "Failed cases",
        ["case", "label", "exit class", "message"],
        [[str(r.case), str(r.label), str(r.exit_class), str(r.error)] for r in failed.itertuples()],
        "llll",
    )
    report = RunReport(
        title=f"Sweep {sweep.name} — {len(frame)} cases",
        subtitle=sweep.description,
        headlines=headlines,
    )
    report.sections = [
        *([("Headline metrics", metric_tables)] if metric_tables else []),
        *tornado_sections(frame, sweep, metrics),
        ("Response to the swept parameters", _figures(frame, sweep, metrics)),
        ("Case table", [_case_table(frame, parameters, metrics)]),
        ("Failed cases", [failures]),
        ("Sweep and inputs", [sweep_inputs_table(sweep, runs)]),
    ]
    return report
