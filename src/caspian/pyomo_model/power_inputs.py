"""Electricity-side model inputs derived directly from the validated spec and the data tables.

The electricity input processing of the independent Pyomo formulation: interconnectors (one-way lossy
links, a reverse twin for bidirectional ones, expansion pieces sized by the chosen project), national
demand, existing and expandable wind and solar, thermal and hydro fleets (gas-fired ones as links from
the gas network when gas is modelled), extendable open-cycle peakers and the price-taking power
markets. It reads the spec and the data, never a ``pypsa.Network``; the hourly demand, renewable and
price series come from :class:`caspian.inputs.series.Profiles` (inputs, not formulation) and are
averaged over each snapshot's hours here. Units: MW, MWh, EUR of the price year; capacity costs over
the modelled horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from caspian.inputs import cbam
from caspian.inputs import gas_economics as econ
from caspian.inputs.carbon import co2_cost_eur_per_mwh_fuel, country_of
from caspian.inputs.context import BuildContext
from caspian.inputs.costs import technology_annual_cost
from caspian.inputs.fleets import CommittedFleet, fleet_commitment
from caspian.inputs.series import Profiles
from caspian.inputs.tables import bus_zones, delivery_buses, in_force
from caspian.inputs.targets import Target, enforced_targets
from caspian.naming import (
    DEMAND_KIND,
    GAS_FIRED_CARRIER,
    PEAKER_KIND,
    POWER_BUS_CARRIER,
    expansion_name,
    reverse_name,
    zone_asset_name,
)
from caspian.pyomo_model.common import Project, block_mean, capacity_pieces
from caspian.units import HOURS_PER_YEAR

RENEWABLE_COST_ROW = {"solar": "solar-utility", "onwind": "onwind", "offwind": "offwind"}
"""Technology-data row whose investment, FOM and lifetime price new capacity of each technology."""


@dataclass(frozen=True, eq=False)
class PowerGenerator:
    """A generator at ``bus``: fixed ``capacity_mw``, or (None) built in [0, ``max_mw``] (None: no cap)
    at ``cost_eur_per_mw`` over the horizon; output ≤ ``pu`` × capacity per snapshot, costing
    ``marginal_eur_per_mwh``; ``energy_mwh`` caps its output over the horizon (hydro); ``gas_fired``
    marks a gas-fired plant (committed in units with unit commitment); ``carrier``: its technology (solar,
    onwind, offwind) or fuel (hydro, coal, oil; 'gas-fired' for gas)."""

    name: str
    asset: str
    bus: str
    pu: np.ndarray
    capacity_mw: float | None = None
    max_mw: float | None = None
    cost_eur_per_mw: float = 0.0
    marginal_eur_per_mwh: float = 0.0
    energy_mwh: float | None = None
    gas_fired: bool = False
    carrier: str = ""


@dataclass(frozen=True, eq=False)
class PowerLink:
    """A one-way link ``bus0`` → ``bus1`` (``bus1`` receives ``efficiency`` × what ``bus0`` sends):
    an interconnector piece or reverse twin (``carrier`` 'interconnector') or a gas-fired plant burning
    gas from a gas bus ('gas-fired', capacity and costs per MW of fuel). Capacity as for
    :class:`PowerGenerator`; ``fixed_cost_eur`` charges a capacity pinned above what exists; a reverse
    twin of an expandable piece has the capacity of ``twin_of``; ``project`` names the MILP project
    sizing it."""

    name: str
    asset: str
    bus0: str
    bus1: str
    efficiency: float
    carrier: str
    pu: np.ndarray
    capacity_mw: float | None = None
    max_mw: float | None = None
    cost_eur_per_mw: float = 0.0
    fixed_cost_eur: float = 0.0
    marginal_eur_per_mwh: float = 0.0
    project: str | None = None
    twin_of: str | None = None
    reverse: bool = False


@dataclass(frozen=True, eq=False)
class PowerMarket:
    """A price-taking market at ``bus``: the corridor sells up to ``sell_pu`` × ``capacity_mw`` at
    ``price`` (EUR/MWh per snapshot) and buys up to ``buy_pu`` × ``capacity_mw`` (0 for sell-only
    markets); both fractions are 0 while the market is out of service."""

    name: str
    bus: str
    capacity_mw: float
    price: np.ndarray
    buy_pu: np.ndarray
    sell_pu: np.ndarray


@dataclass(frozen=True, eq=False)
class PowerLoad:
    """Fixed demand at ``bus``, MW per snapshot."""

    name: str
    bus: str
    mw: np.ndarray


@dataclass(frozen=True)
class PowerCbam:
    """CBAM at the EU border (:mod:`caspian.inputs.cbam`): the treatment ('default' or 'matched'), the
    charge per MWh delivered on each entry link (EUR/MWh) and the generators that may match imports."""

    treatment: str
    charges: dict[str, float]
    matching: tuple[str, ...]


@dataclass(frozen=True)
class PowerInputs:
    """Everything the electricity formulation needs; ``profile_sources`` says where each hourly series
    came from (as ``run.yaml`` records it); ``commitment``: the committed gas-fired plants (unit
    commitment only)."""

    buses: tuple[str, ...]
    generators: tuple[PowerGenerator, ...]
    links: tuple[PowerLink, ...]
    markets: tuple[PowerMarket, ...]
    loads: tuple[PowerLoad, ...]
    projects: tuple[Project, ...]
    profile_sources: dict[str, str] = field(default_factory=dict)
    commitment: tuple[CommittedFleet, ...] = ()
    delivery_points: tuple[str, ...] = ()
    cbam: PowerCbam | None = None
    targets: tuple[Target, ...] = ()
    bus_country: dict[str, str] = field(default_factory=dict)


class _Series:
    """Per-snapshot values from hourly ones: outage windows applied, then block means."""

    def __init__(self, ctx: BuildContext, windows: dict[str, np.ndarray]) -> None:
        self.hours = len(ctx.snapshots)
        self.step = ctx.spec.time.resolution_hours
        self.windows = windows
        self.used: set[str] = set()

    def __call__(self, hourly: float | pd.Series | np.ndarray, asset: str | None = None) -> np.ndarray:
        values = np.broadcast_to(np.asarray(hourly, dtype=float), (self.hours,)).copy()
        if asset is not None and asset in self.windows:
            values[self.windows[asset]] = 0.0
        return block_mean(values, self.step)


def _technology(ctx: BuildContext, technology: str, parameter: str) -> float:
    """A technology-data value (VOM converted to the price year)."""
    rows = ctx.data.table("technology_costs")
    row = rows[(rows["technology"] == technology) & (rows["parameter"] == parameter)].iloc[0]
    value = float(row["value"])
    return ctx.data.to_price_year(value, row["currency_year"]) if parameter == "VOM" else value


def _interconnectors(ctx: BuildContext, series: _Series, buses: set[str]) -> tuple[list, list, set]:
    rows = in_force(ctx.data.table("power_links"), ["name"], ctx.spec.year)
    rows = rows[rows["bus0"].isin(buses) & rows["bus1"].isin(buses) & ~rows["name"].isin(ctx.spec.exclude)]
    links: list[PowerLink] = []
    projects: list[Project] = []
    for _, row in rows.iterrows():
        asset = str(row["name"])
        pu = series(1.0, asset)
        pieces, project = capacity_pieces(ctx, asset, float(row["capacity_mw"]))
        for p in pieces:
            common: dict[str, Any] = dict(
                asset=asset, efficiency=float(row["efficiency"]), carrier="interconnector", pu=pu
            )
            links.append(
                PowerLink(
                    p.name,
                    bus0=row["bus0"],
                    bus1=row["bus1"],
                    capacity_mw=p.capacity_mw,
                    max_mw=p.max_mw if p.capacity_mw is None else None,
                    cost_eur_per_mw=p.cost_eur_per_mw,
                    fixed_cost_eur=p.fixed_cost_eur,
                    project=p.project,
                    **common,
                )
            )
            if bool(row["bidirectional"]):
                links.append(
                    PowerLink(
                        reverse_name(p.name),
                        bus0=row["bus1"],
                        bus1=row["bus0"],
                        capacity_mw=p.capacity_mw,
                        twin_of=p.name if p.capacity_mw is None else None,
                        reverse=True,
                        **common,
                    )
                )
        if project is not None:
            projects.append(project)
    return links, projects, set(rows["name"])


def _renewables(ctx: BuildContext, series: _Series, profiles: Profiles, buses: set[str]) -> list:
    spec = ctx.spec
    rows = in_force(ctx.data.table("renewables"), ["bus", "technology"], spec.year)
    extend = spec.mode == "expansion" and spec.expansion.renewables
    zones = bus_zones(ctx.data.table("buses"))
    generators: list[PowerGenerator] = []
    for _, row in rows[rows["bus"].isin(buses)].iterrows():
        asset = zone_asset_name(zones[row["bus"]], row["technology"])
        headroom = float(row["potential_mw"] - row["existing_mw"])
        build = extend and headroom > 0
        if asset in spec.exclude or (row["existing_mw"] <= 0 and not build):
            continue
        pu = series(profiles.renewable(row, asset), asset)
        if row["existing_mw"] > 0:
            generators.append(
                PowerGenerator(
                    asset,
                    asset,
                    row["bus"],
                    pu,
                    capacity_mw=float(row["existing_mw"]),
                    carrier=row["technology"],
                )
            )
        if build:
            annual = technology_annual_cost(
                ctx.data, RENEWABLE_COST_ROW[row["technology"]], ctx.discount_rate
            )
            cost = annual * spec.expansion.renewable_capex_scale * ctx.horizon_fraction
            generators.append(
                PowerGenerator(
                    expansion_name(asset),
                    asset,
                    row["bus"],
                    pu,
                    max_mw=headroom,
                    cost_eur_per_mw=cost,
                    carrier=row["technology"],
                )
            )
    return generators


def _gas_bus(ctx: BuildContext, row: pd.Series) -> str | None:
    """The gas bus a gas-fired fleet burns from, when the gas network is modelled and has that bus."""
    coupled = "gas" in ctx.spec.carriers and row["fuel"] == "gas" and row["gas_bus"] in ctx.buses
    return str(row["gas_bus"]) if coupled else None


def _fuel_cost(ctx: BuildContext, row: pd.Series) -> float:
    """EUR per MWh of fuel of a fleet not on the gas network (the default gas price for gas fleets)."""
    if not pd.isna(row["fuel_cost_eur_mwh"]):
        return float(row["fuel_cost_eur_mwh"])
    if row["fuel"] != "gas":
        return 0.0
    return econ.fuel_price_eur_mwh(ctx, None if pd.isna(row["gas_bus"]) else str(row["gas_bus"]))


def _thermal(ctx: BuildContext, series: _Series, buses: set[str]) -> tuple[list, list, set]:
    """Fleets: hydro's ``max_annual_cf`` caps its energy over the horizon, a thermal fleet's derates it."""
    rows = in_force(ctx.data.table("thermal"), ["name"], ctx.spec.year)
    generators: list[PowerGenerator] = []
    links: list[PowerLink] = []
    names: set[str] = set()
    for _, row in rows[rows["bus"].isin(buses)].iterrows():
        name, capacity, efficiency = str(row["name"]), float(row["capacity_mw"]), float(row["efficiency"])
        if name in ctx.spec.exclude or capacity <= 0:
            continue
        names.add(name)
        vom = 0.0 if pd.isna(row["vom_eur_mwh"]) else float(row["vom_eur_mwh"])
        hydro, cf = row["fuel"] == "hydro", row["max_annual_cf"]
        derating = 1.0 if pd.isna(cf) or hydro else float(cf)
        gas_bus = _gas_bus(ctx, row)
        carbon = co2_cost_eur_per_mwh_fuel(ctx, country_of(ctx.data, row["bus"]), row["fuel"])
        if gas_bus is not None:
            links.append(
                PowerLink(
                    name,
                    name,
                    gas_bus,
                    row["bus"],
                    efficiency,
                    GAS_FIRED_CARRIER,
                    series(derating, name),
                    capacity_mw=capacity / efficiency,
                    marginal_eur_per_mwh=vom * efficiency + carbon,
                )
            )
            continue
        energy = float(cf) * capacity * len(ctx.snapshots) if hydro and not pd.isna(cf) else None
        generators.append(
            PowerGenerator(
                name,
                name,
                row["bus"],
                series(derating, name),
                capacity_mw=capacity,
                marginal_eur_per_mwh=(_fuel_cost(ctx, row) + carbon) / efficiency + vom,
                energy_mwh=energy,
                gas_fired=row["fuel"] == "gas",
                carrier=GAS_FIRED_CARRIER if row["fuel"] == "gas" else str(row["fuel"]),
            )
        )
    return generators, links, names


def _peakers(ctx: BuildContext, series: _Series, buses: set[str]) -> tuple[list, list, set]:
    """Extendable OCGTs (technology data) at each AC bus with a gas fleet in force, burning that
    fleet's fuel: from the gas network when coupled, else at the fleet's (or the default) fuel price."""
    spec = ctx.spec
    if not (spec.mode == "expansion" and spec.expansion.peakers):
        return [], [], set()
    rows = in_force(ctx.data.table("thermal"), ["name"], spec.year)
    fleets = rows[(rows["fuel"] == "gas") & rows["bus"].isin(buses)].drop_duplicates("bus")
    zones = bus_zones(ctx.data.table("buses"))
    efficiency = _technology(ctx, "OCGT", "efficiency") * ctx.data.parameter("gas_ncv_per_gcv")
    annual = technology_annual_cost(ctx.data, "OCGT", ctx.discount_rate) * ctx.horizon_fraction
    vom = _technology(ctx, "OCGT", "VOM")
    generators: list[PowerGenerator] = []
    links: list[PowerLink] = []
    names: set[str] = set()
    for _, fleet in fleets.iterrows():
        name = zone_asset_name(zones[fleet["bus"]], PEAKER_KIND)
        if name in spec.exclude:
            continue
        names.add(name)
        pu = series(1.0, name)
        gas_bus = _gas_bus(ctx, fleet)
        carbon = co2_cost_eur_per_mwh_fuel(ctx, country_of(ctx.data, fleet["bus"]), "gas")
        if gas_bus is not None:
            links.append(
                PowerLink(
                    name,
                    name,
                    gas_bus,
                    fleet["bus"],
                    efficiency,
                    GAS_FIRED_CARRIER,
                    pu,
                    cost_eur_per_mw=annual * efficiency,
                    marginal_eur_per_mwh=vom * efficiency + carbon,
                )
            )
        else:
            generators.append(
                PowerGenerator(
                    name,
                    name,
                    fleet["bus"],
                    pu,
                    cost_eur_per_mw=annual,
                    marginal_eur_per_mwh=(_fuel_cost(ctx, fleet) + carbon) / efficiency + vom,
                    gas_fired=True,
                    carrier=GAS_FIRED_CARRIER,
                )
            )
    return generators, links, names


def power_buses(ctx: BuildContext) -> tuple[str, ...]:
    """The modelled electricity buses, sorted."""
    table = ctx.data.table("buses")
    return tuple(sorted(ctx.buses & set(table.loc[table["carrier"] == POWER_BUS_CARRIER, "bus"])))


def power_inputs(ctx: BuildContext, windows: dict[str, np.ndarray]) -> tuple[PowerInputs, set[str]]:
    """The electricity model's inputs, and the names an outage may refer to on the electricity side."""
    spec = ctx.spec
    buses = power_buses(ctx)
    on_bus = set(buses)
    series = _Series(ctx, windows)
    profiles = Profiles(ctx)

    links, projects, names = _interconnectors(ctx, series, on_bus)
    rows = in_force(ctx.data.table("electricity_demand"), ["bus"], spec.year)
    zones = bus_zones(ctx.data.table("buses"))
    loads = []
    for _, row in rows[rows["bus"].isin(on_bus)].iterrows():
        mean_mw = row["annual_twh"] * 1e6 / HOURS_PER_YEAR
        peak = row["peak_mw"]
        name = zone_asset_name(zones[row["bus"]], DEMAND_KIND)
        shape = profiles.demand(row["bus"], name, None if pd.isna(peak) else peak / mean_mw)
        loads.append(PowerLoad(name, row["bus"], series(mean_mw * shape)))
    generators = _renewables(ctx, series, profiles, on_bus)
    names |= {g.asset for g in generators}
    for part in (_thermal, _peakers):
        more_generators, more_links, more_names = part(ctx, series, on_bus)
        generators += more_generators
        links += more_links
        names |= more_names
    rows = in_force(ctx.data.table("power_markets"), ["bus"], spec.year)
    markets = []
    for _, row in rows[rows["bus"].isin(on_bus)].iterrows():
        name = f"{row['bus']} market"
        price = series(profiles.power_price(row) * spec.markets.power_price_scale)
        buy = series(1.0 if row["trade"] == "both" else 0.0, name)
        sell = series(1.0, name)
        markets.append(PowerMarket(name, row["bus"], float(row["trade_capacity_mw"]), price, buy, sell))
        names.add(name)
    inputs = PowerInputs(
        buses=buses,
        generators=tuple(generators),
        links=tuple(links),
        markets=tuple(markets),
        loads=tuple(loads),
        projects=tuple(projects),
        profile_sources=dict(profiles.sources),
        commitment=_commitment(ctx, generators, links) if spec.unit_commitment else (),
        delivery_points=tuple(bus for bus in delivery_buses(ctx.data.buses(), "AC") if bus in buses),
        cbam=_cbam(ctx, generators, links),
        targets=enforced_targets(ctx),
        bus_country={bus: country_of(ctx.data, bus) for bus in buses},
    )
    return inputs, names


def _cbam(ctx: BuildContext, generators: list[PowerGenerator], links: list[PowerLink]) -> PowerCbam | None:
    """The EU border's charges and matching generators, None when no import pays a charge."""
    if not cbam.cbam_applies(ctx):
        return None
    buses = ctx.data.buses()
    entries = [k for k in links if k.carrier == "interconnector" and cbam.is_eu_entry(buses, k.bus0, k.bus1)]
    if not entries:
        return None
    charges = {k.name: cbam.charge_eur_per_mwh(ctx, k.bus0, k.bus1) for k in entries}
    if not any(charges.values()):
        return None
    usable = [
        (k.bus0, k.bus1)
        for k in links
        if k.carrier == "interconnector" and (k.capacity_mw is None or k.capacity_mw > 0)
    ]
    exporters = cbam.exporting_buses(buses, {k.bus0 for k in entries}, usable)
    return PowerCbam(
        treatment=ctx.spec.policy.cbam,
        charges=charges,
        matching=tuple(
            g.name for g in generators if g.bus in exporters and cbam.may_match(buses, g.bus, g.carrier)
        ),
    )


def _commitment(
    ctx: BuildContext, generators: list[PowerGenerator], links: list[PowerLink]
) -> tuple[CommittedFleet, ...]:
    """The gas-fired plants' unit commitment (units on the plant's own power variable: electric MW for a
    generator, fuel MW for a plant burning from the gas network)."""
    fleets = [
        fleet_commitment(ctx, g.name, "Generator", 1.0, g.capacity_mw) for g in generators if g.gas_fired
    ]
    fleets += [
        fleet_commitment(ctx, k.name, "Link", k.efficiency, k.capacity_mw)
        for k in links
        if k.carrier == GAS_FIRED_CARRIER
    ]
    return tuple(fleets)
