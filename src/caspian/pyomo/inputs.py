"""Gas-side model inputs derived directly from the validated spec and the data tables.

This is the input processing of the independent Pyomo formulation: it reads the spec and the data
(never a ``pypsa.Network``) and reuses only caspian's data-level helpers (``in_force``, unit
conversions, project options/segments and their annuities, the pinned-capacity cost) and the builder's
context (``make_context``: name validation, the selected buses, hourly snapshots, discount rate and
the spec's capacity fields); assets, capacities, prices, limits and outage windows are derived here
afresh. Everything is
in model units: power in MW thermal (GCV), energy in MWh, money in EUR of the price year, costs of
capacity already scaled to the modelled horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from caspian.build.context import EXPANSION_SUFFIX, SLACK_CAPACITY_MW, SLACK_COST_EUR_PER_MWH, BuildContext
from caspian.build.costs import chosen_project, fixed_capacity_cost, project_options, project_segments
from caspian.build.network import make_context
from caspian.data import Dataset, in_force
from caspian.errors import InputError
from caspian.schema import NetworkSpec
from caspian.units import HOURS_PER_YEAR, bcm_per_year_to_mw, bcm_to_mwh

GAS_BUS_CARRIER = "gas"
"""The gas carrier's name in a spec's ``carriers`` (and of the gas buses in ``buses.csv``)."""

POWER_SECTOR_KIND = "power_sector"
"""Offtake kind left out when electricity is modelled (gas-fired plants burn it instead)."""

EXPANSION_NAME = "{asset}" + EXPANSION_SUFFIX + " {index}"
"""Name of an expansion segment of an asset (the same names the linopy side uses, for reading)."""


@dataclass(frozen=True)
class PipelineSegment:
    """One one-way piece of a pipeline: the asset at its fixed capacity or one expansion segment.

    ``capacity_mw`` is set for a fixed piece (None: capacity is a variable in [0, ``max_mw``] costing
    ``cost_eur_per_mw`` EUR per MW over the horizon). ``fixed_cost_eur`` is the horizon's annuity of a
    capacity the spec pins above what exists. ``project`` names the MILP project whose option binaries
    set this segment's capacity (its own cost is then 0)."""

    name: str
    asset: str
    bus0: str
    bus1: str
    efficiency: float
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
class Market:
    """A European hub's price-taking sink: buys up to ``capacity_mw`` at ``price_eur_per_mwh``."""

    name: str
    bus: str
    capacity_mw: float
    price_eur_per_mwh: float


@dataclass(frozen=True)
class Offtake:
    """A fixed flat offtake, MW."""

    name: str
    bus: str
    mw: float


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
class GasInputs:
    """Everything the gas formulation needs. ``weights_h`` are snapshot lengths (h); ``availability``
    maps a segment or supply name to its per-snapshot available fraction (absent: always 1)."""

    name: str
    buses: tuple[str, ...]
    weights_h: np.ndarray
    segments: tuple[PipelineSegment, ...]
    supplies: tuple[Supply, ...]
    markets: tuple[Market, ...]
    offtakes: tuple[Offtake, ...]
    projects: tuple[Project, ...]
    availability: dict[str, np.ndarray]
    slack_cost_eur_per_mwh: float | None
    slack_capacity_mw: float
    routes: dict[str, str]

    @property
    def hours(self) -> float:
        """Modelled hours (sum of the snapshot weights)."""
        return float(self.weights_h.sum())

    @property
    def annual_factor(self) -> float:
        """8760 ÷ modelled hours: turns horizon totals into annual ones."""
        return HOURS_PER_YEAR / self.hours

    @property
    def milp(self) -> bool:
        """True when lumpy projects carry binaries."""
        return bool(self.projects)


def check_supported(spec: NetworkSpec) -> None:
    """Raise InputError for what the Pyomo formulation does not cover (yet)."""
    if "electricity" in spec.carriers or GAS_BUS_CARRIER not in spec.carriers:
        raise InputError(
            f"network '{spec.name}': field 'carriers': crosscheck: the Pyomo formulation covers gas-only "
            f"networks (carriers: [gas]) so far, not {spec.carriers}"
        )
    if spec.time.segments:
        raise InputError("crosscheck: time.segments is not supported; use time.resolution")


def _pipeline(
    ctx: BuildContext, row: pd.Series, horizon: float
) -> tuple[list[PipelineSegment], Project | None]:
    """The segments (and MILP project) of one pipeline row in force."""
    spec, data = ctx.spec, ctx.data
    asset = str(row["name"])
    common = dict(asset=asset, bus0=row["bus0"], bus1=row["bus1"], efficiency=1.0 - row["fuel_share"])
    existing = bcm_per_year_to_mw(row["capacity_bcm_y"])
    fixed = ctx.fixed_capacity_mw(asset)
    p_nom = existing if fixed is None else fixed
    pieces: list[PipelineSegment] = []
    if fixed is not None and fixed > existing:
        cost = fixed_capacity_cost(ctx, asset, existing, fixed) * horizon
        pieces.append(PipelineSegment(asset, capacity_mw=fixed, fixed_cost_eur=cost, **common))
    elif p_nom > 0:
        pieces.append(PipelineSegment(asset, capacity_mw=p_nom, **common))
    project = chosen_project(ctx, asset) if spec.mode == "expansion" and fixed is None else None
    if project is None:
        return pieces, None
    cap = ctx.max_capacity_mw(asset)
    remaining = None if cap is None else max(cap - p_nom, 0.0)
    if spec.expansion.milp:
        options = project_options(data, project, spec.year, ctx.discount_rate, remaining)
        if not options:
            return pieces, None
        name = EXPANSION_NAME.format(asset=asset, index=1)
        widest = max(o.capacity_mw for o in options)
        pieces.append(PipelineSegment(name, max_mw=widest, project=project, **common))
        scaled = tuple(Option(o.option, o.capacity_mw, o.annual_cost_eur * horizon) for o in options)
        return pieces, Project(project, name, scaled)
    for seg in project_segments(data, project, spec.year, ctx.discount_rate, remaining):
        name = EXPANSION_NAME.format(asset=asset, index=seg.index)
        cost = seg.annual_cost_eur_per_mw * horizon
        pieces.append(PipelineSegment(name, max_mw=seg.width_mw, cost_eur_per_mw=cost, **common))
    return pieces, None


def _market_price(spec: NetworkSpec, data: Dataset, row: pd.Series) -> float:
    """Hub price, EUR/MWh: override, else the data's price in the price year shifted by the TTF level;
    then the scale."""
    markets = spec.markets
    price = markets.gas_price_eur_mwh.get(row["bus"])
    if price is None:
        price = data.to_price_year(row["price_eur_mwh"], row["currency_year"])
        if markets.ttf_eur_mwh is not None:
            price += markets.ttf_eur_mwh - data.parameter("ttf_reference")
    return price * markets.gas_price_scale


def _availability(
    spec: NetworkSpec, hourly: pd.DatetimeIndex, step: int, names: dict[str, list[str]]
) -> dict[str, np.ndarray]:
    """Per-snapshot availability of every component an outage hits: 0 in the window, block means."""
    hourly_avail: dict[str, np.ndarray] = {}
    for outage in spec.outages:
        where = f"network '{spec.name}': field 'outages'"
        window = np.asarray((hourly >= outage.start) & (hourly < outage.end))
        if not window.any():
            raise InputError(
                f"{where}: {outage.asset} outage {outage.start}–{outage.end} is outside the horizon"
            )
        if outage.asset not in names:
            raise InputError(f"{where}: unknown asset {outage.asset!r} in this network")
        for name in names[outage.asset]:
            series = hourly_avail.setdefault(name, np.ones(len(hourly)))
            series[window] = 0.0
    return {name: series.reshape(-1, step).mean(axis=1) for name, series in hourly_avail.items()}


def gas_inputs(spec: NetworkSpec, data: Dataset) -> GasInputs:
    """Derive the gas model's inputs from the resolved spec and the data (InputError on bad input)."""
    check_supported(spec)
    ctx = make_context(spec, data)  # names checked; buses, hourly snapshots, discount rate resolved
    year, exclude = spec.year, set(spec.exclude)
    buses = tuple(sorted(ctx.buses))  # a gas-only spec (check_supported) selects gas buses only
    on_bus = set(buses)
    hourly = ctx.snapshots
    horizon = ctx.horizon_fraction
    step = spec.time.resolution_hours

    pipes = in_force(data.table("gas_pipelines"), ["name"], year)
    pipes = pipes[pipes["bus0"].isin(on_bus) & pipes["bus1"].isin(on_bus) & ~pipes["name"].isin(exclude)]
    segments: list[PipelineSegment] = []
    projects: list[Project] = []
    for _, row in pipes.iterrows():
        pieces, project = _pipeline(ctx, row, horizon)
        segments += pieces
        if project is not None:
            projects.append(project)

    rows = in_force(data.table("gas_supply"), ["name"], year)
    rows = rows[rows["bus"].isin(on_bus) & ~rows["name"].isin(exclude) & (rows["plateau_bcm_y"] > 0)]
    supplies = tuple(
        Supply(
            name=row["name"],
            bus=row["bus"],
            capacity_mw=bcm_per_year_to_mw(row["plateau_bcm_y"]) * row["peak_factor"],
            energy_mwh=bcm_to_mwh(row["plateau_bcm_y"]) * horizon,
            cost_eur_per_mwh=data.to_price_year(row["marginal_cost_eur_mwh"], row["currency_year"]),
        )
        for _, row in rows.iterrows()
    )

    every_offtake = in_force(data.table("gas_offtakes"), ["name"], year)
    every_offtake = every_offtake[~every_offtake["name"].isin(exclude)]
    with_power = "electricity" in spec.carriers
    rows = every_offtake[every_offtake["bus"].isin(on_bus)]
    offtakes = tuple(
        Offtake(row["name"], row["bus"], bcm_per_year_to_mw(row["annual_bcm"]))
        for _, row in rows.iterrows()
        if not (row["kind"] == POWER_SECTOR_KIND and with_power)
    )

    contracted = every_offtake.groupby("bus")["annual_bcm"].sum()
    rows = in_force(data.table("gas_markets"), ["bus"], year)
    markets = tuple(
        Market(
            name=f"{row['bus']} market",
            bus=row["bus"],
            capacity_mw=bcm_per_year_to_mw(max(row["absorption_bcm_y"] - contracted.get(row["bus"], 0.0), 0)),
            price_eur_per_mwh=_market_price(spec, data, row),
        )
        for _, row in rows[rows["bus"].isin(on_bus)].iterrows()
    )
    if not (supplies or markets or offtakes):
        raise InputError(f"network '{spec.name}': field 'year': no data rows in force in {year}")

    outaged: dict[str, list[str]] = {}
    for seg in segments:
        outaged.setdefault(seg.asset, []).append(seg.name)
    for supply in supplies:
        outaged[supply.name] = [supply.name]
    for market in markets:
        outaged[market.name] = []  # a sink's availability (p_max_pu) is already 0: nothing to take out
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"]
    return GasInputs(
        name=spec.name,
        buses=buses,
        weights_h=np.full(spec.time.hours // step, float(step)),
        segments=tuple(segments),
        supplies=supplies,
        markets=markets,
        offtakes=offtakes,
        projects=tuple(projects),
        availability=_availability(spec, hourly, step, outaged),
        slack_cost_eur_per_mwh=SLACK_COST_EUR_PER_MWH if spec.unserved_energy else None,
        slack_capacity_mw=SLACK_CAPACITY_MW,
        routes={seg.asset: str(routes.get(seg.asset, "")) for seg in segments},
    )
