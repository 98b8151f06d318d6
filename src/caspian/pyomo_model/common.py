"""Input pieces both carriers of the Pyomo formulation share: lumpy-project options, the capacity
pieces of a pipeline or interconnector (fixed, pinned, LP hull segments or one MILP segment), outage
windows and block means of hourly series.

Derived from the spec, the data and the builder's context only (never a ``pypsa.Network``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.errors import InputError
from caspian.inputs.context import BuildContext
from caspian.inputs.costs import (
    capex_scale,
    chosen_project,
    fixed_capacity_cost,
    project_options,
    project_segments,
)
from caspian.inputs.spec import NetworkSpec
from caspian.naming import FIRST_SEGMENT, expansion_name


@dataclass(frozen=True)
class Option:
    """A discrete MILP option: capacity added (MW) and its cost over the horizon (EUR)."""

    name: str
    capacity_mw: float
    cost_eur: float


@dataclass(frozen=True)
class Project:
    """A lumpy project: at most one option, whose capacity goes on ``segment``."""

    name: str
    segment: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class CapacityPiece:
    """One piece of a pipeline or interconnector's capacity: the asset at its fixed capacity
    (``capacity_mw``; ``fixed_cost_eur`` when the spec pins it above what exists) or an expansion
    segment (``capacity_mw`` None: a variable in [0, ``max_mw``] at ``cost_eur_per_mw`` over the
    horizon; ``project`` set when MILP option binaries size it instead)."""

    name: str
    capacity_mw: float | None = None
    max_mw: float = 0.0
    cost_eur_per_mw: float = 0.0
    fixed_cost_eur: float = 0.0
    project: str | None = None


def capacity_pieces(
    ctx: BuildContext, asset: str, existing_mw: float
) -> tuple[list[CapacityPiece], Project | None]:
    """The capacity pieces (and MILP project) of a pipeline or interconnector in force with
    ``existing_mw``: capacity fixed by the spec wins over what exists (its investment charged when
    above); in expansion mode the chosen project adds LP hull segments, or one MILP segment."""
    spec, data = ctx.spec, ctx.data
    horizon = ctx.horizon_fraction
    fixed = ctx.fixed_capacity_mw(asset)
    p_nom = existing_mw if fixed is None else fixed
    pieces: list[CapacityPiece] = []
    if fixed is not None and fixed > existing_mw:
        cost = fixed_capacity_cost(ctx, asset, existing_mw, fixed) * horizon
        pieces.append(CapacityPiece(asset, capacity_mw=fixed, fixed_cost_eur=cost))
    elif p_nom > 0:
        pieces.append(CapacityPiece(asset, capacity_mw=p_nom))
    project = chosen_project(ctx, asset) if spec.mode == "expansion" and fixed is None else None
    if project is None:
        return pieces, None
    cap = ctx.max_capacity_mw(asset)
    remaining = None if cap is None else max(cap - p_nom, 0.0)
    if spec.expansion.milp:
        options = project_options(
            data, project, spec.year, ctx.discount_rate, remaining, capex_scale(ctx, project)
        )
        if not options:
            return pieces, None
        name = expansion_name(asset, FIRST_SEGMENT)
        widest = max(o.capacity_mw for o in options)
        pieces.append(CapacityPiece(name, max_mw=widest, project=project))
        scaled = tuple(Option(o.option, o.capacity_mw, o.annual_cost_eur * horizon) for o in options)
        return pieces, Project(project, name, scaled)
    for seg in project_segments(
        data, project, spec.year, ctx.discount_rate, remaining, capex_scale(ctx, project)
    ):
        name = expansion_name(asset, seg.index)
        cost = seg.annual_cost_eur_per_mw * horizon
        pieces.append(CapacityPiece(name, max_mw=seg.width_mw, cost_eur_per_mw=cost))
    return pieces, None


def outage_windows(spec: NetworkSpec, hourly: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Per asset, the hourly snapshots its outages cover (True: out of service); InputError for a
    window outside the horizon. Whether the asset exists is checked by :func:`check_outage_assets`."""
    windows: dict[str, np.ndarray] = {}
    for outage in spec.outages:
        window = np.asarray((hourly >= outage.start) & (hourly < outage.end))
        if not window.any():
            raise InputError(
                f"network '{spec.name}': field 'outages': {outage.asset} outage {outage.start}–{outage.end} "
                "is outside the horizon"
            )
        windows[outage.asset] = windows.get(outage.asset, np.zeros(len(hourly), dtype=bool)) | window
    return windows


def check_outage_assets(spec: NetworkSpec, known: set[str]) -> None:
    """InputError for an outage of an asset no modelled component belongs to."""
    for outage in spec.outages:
        if outage.asset not in known:
            raise InputError(
                f"network '{spec.name}': field 'outages': unknown asset {outage.asset!r} in this network"
            )


def block_mean(hourly: np.ndarray, step: int) -> np.ndarray:
    """Means of consecutive ``step``-hour blocks of an hourly series (the time aggregation)."""
    return np.asarray(hourly, dtype=float).reshape(-1, step).mean(axis=1)


def demand_by_bus(fixed: Iterable[tuple[str, np.ndarray | float]], periods: int) -> dict[str, np.ndarray]:
    """Fixed demand per bus and period, MW: the sum of every (bus, MW) given."""
    demand: dict[str, np.ndarray] = {}
    for bus, mw in fixed:
        demand[bus] = demand.get(bus, np.zeros(periods)) + mw
    return demand
