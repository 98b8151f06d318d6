"""Gas-side model inputs derived directly from the validated spec and the data tables.

This is the gas input processing of the independent Pyomo formulation: it reads the spec and the data
(never a ``pypsa.Network``) and reuses only caspian's data-level helpers (``in_force``, unit
conversions, project options/segments and their annuities, the pinned-capacity cost) and the builder's
context (buses, hourly snapshots, discount rate, the spec's capacity fields) and the gas economics of
:mod:`caspian.inputs.gas_economics` (tariffs, valuations, residual demand, supply curves, storage: one
owner of those figures, so the cross-check tests the formulation, not a second derivation); assets,
capacities, limits and outage windows are derived here afresh. Everything is in model units: power in MW
thermal (GCV), energy in MWh, money in EUR of the price year, costs of capacity already scaled to the
modelled horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from caspian.inputs import gas_economics as econ
from caspian.inputs.context import BuildContext
from caspian.inputs.tables import delivery_buses, in_force
from caspian.naming import unbooked_name
from caspian.pyomo_model.common import CapacityPiece, Project, block_mean, capacity_pieces
from caspian.units import bcm_per_year_to_mw, bcm_to_mwh

GAS_BUS_CARRIER = "gas"
"""The gas carrier's name in a spec's ``carriers`` (and of the gas buses in ``buses.csv``)."""

DOMESTIC_KIND = "domestic"
"""Offtake kind shaped by its bus's monthly demand shares (the PyPSA builder's rule too)."""

POWER_SECTOR_KIND = "power_sector"
"""Offtake kind left out when electricity is modelled (gas-fired plants burn it instead)."""


@dataclass(frozen=True)
class PipelineSegment:
    """One one-way piece of a pipeline: the asset at its fixed capacity or one expansion segment.

    ``capacity_mw`` is set for a fixed piece (None: capacity is a variable in [0, ``max_mw``] costing
    ``cost_eur_per_mw`` EUR per MW over the horizon). ``fixed_cost_eur`` is the horizon's annuity of a
    capacity the spec pins above what exists. ``project`` names the MILP project whose option binaries
    set this segment's capacity (its own cost is then 0). ``tariff_eur_per_mwh`` is paid on every MWh
    sent (only by the unbooked existing capacity: booked capacity and expansion carry gas at fuel cost)."""

    name: str
    asset: str
    bus0: str
    bus1: str
    efficiency: float
    tariff_eur_per_mwh: float = 0.0
    capacity_mw: float | None = None
    max_mw: float = 0.0
    cost_eur_per_mw: float = 0.0
    fixed_cost_eur: float = 0.0
    project: str | None = None


@dataclass(frozen=True)
class Supply:
    """A field: peak rate (MW), energy over the horizon (MWh) and marginal cost (EUR/MWh)."""

    name: str
    bus: str
    capacity_mw: float
    energy_mwh: float
    cost_eur_per_mwh: float


@dataclass(frozen=True)
class Offtake:
    """A fixed offtake or a market's residual demand, MW per snapshot (``market``: the latter)."""

    name: str
    bus: str
    mw: np.ndarray
    market: bool = False


@dataclass(frozen=True)
class Alternative:
    """A step of a market's supply curve: up to ``capacity_mw`` at ``cost_eur_per_mwh`` per snapshot."""

    name: str
    bus: str
    capacity_mw: float
    cost_eur_per_mwh: np.ndarray


@dataclass(frozen=True)
class Store:
    """Underground storage: withdrawal and injection limits (MW), working gas (MWh, a cyclic level)
    and the cost of each MWh withdrawn (EUR/MWh)."""

    name: str
    bus: str
    withdrawal_mw: float
    injection_mw: float
    energy_mwh: float
    cost_eur_per_mwh: float


@dataclass(frozen=True)
class GasInputs:
    """Everything the gas formulation needs. ``availability`` maps a segment or supply name to its
    per-snapshot available fraction (absent: always 1); ``delivery_points``: the modelled buses whose
    net pipeline inflow counts as a delivery (the ``delivery`` column of ``buses.csv``)."""

    buses: tuple[str, ...]
    segments: tuple[PipelineSegment, ...]
    supplies: tuple[Supply, ...]
    alternatives: tuple[Alternative, ...]
    stores: tuple[Store, ...]
    offtakes: tuple[Offtake, ...]
    projects: tuple[Project, ...]
    availability: dict[str, np.ndarray]
    routes: dict[str, str]
    delivery_points: tuple[str, ...] = ()


def _offtake_mw(ctx: BuildContext, row: pd.Series, periods: int) -> np.ndarray:
    """An offtake's hourly MW: flat, or shaped by its bus's monthly shares when domestic."""
    mean_mw = bcm_per_year_to_mw(row["annual_bcm"])
    shape = econ.monthly_shape(ctx, str(row["bus"])) if row["kind"] == DOMESTIC_KIND else None
    return np.full(periods, mean_mw) if shape is None else mean_mw * shape


def gas_buses(ctx: BuildContext) -> tuple[str, ...]:
    """The modelled gas buses, sorted."""
    table = ctx.data.table("buses")
    gas = set(table.loc[table["carrier"] == GAS_BUS_CARRIER, "bus"])
    return tuple(sorted(ctx.buses & gas))


def _split_base(
    piece: CapacityPiece, unbooked_mw: float, tariff: float, common: dict[str, Any]
) -> list[PipelineSegment]:
    """A pipeline's fixed capacity as segments: the unbooked existing part (``unbooked_mw``) pays
    ``tariff`` EUR/MWh on gas sent, the rest (booked, or pinned above what exists, with its annuity)
    does not — as the PyPSA builder's :func:`caspian.pypsa_model.gas.split_base_link` splits a link."""
    assert piece.capacity_mw is not None
    rest = piece.capacity_mw - unbooked_mw
    if unbooked_mw <= 0 or rest <= 0:
        whole = PipelineSegment(
            piece.name,
            capacity_mw=piece.capacity_mw,
            fixed_cost_eur=piece.fixed_cost_eur,
            tariff_eur_per_mwh=tariff if unbooked_mw > 0 else 0.0,
            **common,
        )
        return [whole]
    return [
        PipelineSegment(piece.name, capacity_mw=rest, fixed_cost_eur=piece.fixed_cost_eur, **common),
        PipelineSegment(
            unbooked_name(piece.name), capacity_mw=unbooked_mw, tariff_eur_per_mwh=tariff, **common
        ),
    ]


def gas_inputs(ctx: BuildContext, windows: dict[str, np.ndarray]) -> tuple[GasInputs, set[str]]:
    """The gas model's inputs, and the names an outage may refer to on the gas side. ``windows`` maps
    an asset to the hourly snapshots it is out of service
    (:func:`caspian.pyomo_model.common.outage_windows`)."""
    spec, data = ctx.spec, ctx.data
    year, exclude = spec.year, set(spec.exclude)
    buses = gas_buses(ctx)
    on_bus = set(buses)
    step = spec.time.resolution_hours
    tariffs = econ.pipeline_tariffs(ctx)

    pipes = in_force(data.table("gas_pipelines"), ["name"], year)
    pipes = pipes[pipes["bus0"].isin(on_bus) & pipes["bus1"].isin(on_bus) & ~pipes["name"].isin(exclude)]
    segments: list[PipelineSegment] = []
    projects: list[Project] = []
    for _, row in pipes.iterrows():
        asset = str(row["name"])
        common = dict(asset=asset, bus0=row["bus0"], bus1=row["bus1"], efficiency=1.0 - row["fuel_share"])
        existing = bcm_per_year_to_mw(row["capacity_bcm_y"])
        pieces, project = capacity_pieces(ctx, asset, existing)
        tariff = tariffs.get(asset, econ.PipelineTariff())
        for p in pieces:
            if p.capacity_mw is not None:
                unbooked = tariff.tariffed_mw(p.capacity_mw, existing)
                segments += _split_base(p, unbooked, tariff.eur_mwh, common)
                continue
            segments.append(
                PipelineSegment(
                    p.name,
                    max_mw=p.max_mw,
                    cost_eur_per_mw=p.cost_eur_per_mw,
                    project=p.project,
                    **common,
                )
            )
        if project is not None:
            projects.append(project)

    rows = in_force(data.table("gas_supply"), ["name"], year)
    rows = rows[rows["bus"].isin(on_bus) & ~rows["name"].isin(exclude)]
    supplies = tuple(
        Supply(
            name=row["name"],
            bus=row["bus"],
            capacity_mw=bcm_per_year_to_mw(plateau) * row["peak_factor"],
            energy_mwh=bcm_to_mwh(plateau) * ctx.horizon_fraction,
            cost_eur_per_mwh=econ.supply_cost_eur_mwh(ctx, row),
        )
        for _, row in rows.iterrows()
        if (plateau := econ.supply_plateau_bcm_y(ctx, row)) > 0
    )

    every_offtake = in_force(data.table("gas_offtakes"), ["name"], year)
    every_offtake = every_offtake[~every_offtake["name"].isin(exclude)]
    with_power = "electricity" in spec.carriers
    rows = every_offtake[every_offtake["bus"].isin(on_bus)]
    periods = len(ctx.snapshots)
    offtakes = [
        Offtake(row["name"], row["bus"], block_mean(_offtake_mw(ctx, row, periods), step))
        for _, row in rows.iterrows()
        if not (row["kind"] == POWER_SECTOR_KIND and with_power)
    ]
    offtakes += [
        Offtake(d.name, d.bus, block_mean(d.mw, step), market=True) for d in econ.market_demands(ctx)
    ]
    alternatives = tuple(
        Alternative(a.name, a.bus, a.capacity_mw, block_mean(a.cost_eur_mwh, step))
        for a in econ.alternatives(ctx)
    )
    stores = tuple(
        Store(s.name, s.bus, s.withdrawal_mw, s.injection_mw, s.energy_mwh, s.cost_eur_mwh)
        for s in econ.storages(ctx)
    )

    outaged: dict[str, list[str]] = {}
    for seg in segments:
        outaged.setdefault(seg.asset, []).append(seg.name)
    for supply in supplies:
        outaged[supply.name] = [supply.name]
    for alternative in alternatives:
        outaged[alternative.name] = [alternative.name]
    availability = {
        name: block_mean(~windows[asset], step)
        for asset, names in outaged.items()
        if asset in windows
        for name in names
    }
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"]
    inputs = GasInputs(
        buses=buses,
        segments=tuple(segments),
        supplies=supplies,
        alternatives=alternatives,
        stores=stores,
        offtakes=tuple(offtakes),
        projects=tuple(projects),
        availability=availability,
        routes={seg.asset: str(routes.get(seg.asset, "")) for seg in segments},
        delivery_points=tuple(bus for bus in delivery_buses(data.buses(), "gas") if bus in buses),
    )
    return inputs, set(outaged)
