"""The gas side's economics derived from the data and the spec, once, for both formulations (the PyPSA
builder and the independent Pyomo model read them from here): hourly TTF, European markets' residual
demand with its monthly shape, the stepwise supply curves of the alternatives, storage, pipeline
tariffs, the valuation of each supply (running cost, development cost or netback) and the export
netback that prices gas for power where the gas network is not modelled.

Units: power in MW thermal (GCV), energy in MWh, prices in EUR/MWh of the price year. Hourly arrays are
indexed by the build's hourly snapshots (``ctx.snapshots``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import csgraph_from_dense, dijkstra

from caspian.errors import InputError
from caspian.inputs import weather
from caspian.inputs.context import BuildContext
from caspian.inputs.tables import delivery_buses, in_force
from caspian.units import GCV_KWH_PER_M3, HOURS_PER_YEAR, MWH_PER_BCM, bcm_per_year_to_mw

MWH_PER_1000_M3 = GCV_KWH_PER_M3
"""MWh (GCV) in 1,000 m³ of gas: 10.7 (1,000 m³ × 10.7 kWh/m³); converts USD/1000m3 tariffs."""

HOURS_PER_DAY = 24.0
MCM_PER_BCM = 1_000.0

PASSABLE_ROLES = frozenset({"supply", "transit"})
"""Bus roles (buses.csv) an export-netback path may pass through: not a market or domestic grid."""

LNG = "lng"
"""``gas_alternatives.csv`` kind whose spread ``markets.lng_spread_shift_eur_mwh`` moves."""


@dataclass(frozen=True)
class MarketDemand:
    """A market's residual import demand, MW per hourly snapshot (monthly shape × annual volume)."""

    name: str
    bus: str
    mw: np.ndarray


@dataclass(frozen=True)
class Alternative:
    """One step of a market's supply curve: up to ``capacity_mw`` at ``cost_eur_mwh`` (hourly); named
    ``'<bus> <row name>'`` (a row name such as 'LNG tier 1' recurs across markets)."""

    name: str
    bus: str
    tier: int
    kind: str
    capacity_mw: float
    cost_eur_mwh: np.ndarray


@dataclass(frozen=True)
class Storage:
    """Underground storage: withdrawal and injection capacity, MW; working gas, MWh; the cost of each
    MWh withdrawn, EUR/MWh. The level over the horizon is cyclic (it ends where it starts)."""

    name: str
    bus: str
    withdrawal_mw: float
    injection_mw: float
    energy_mwh: float
    cost_eur_mwh: float


def _month_hours(year: int) -> pd.Series:
    """Hours of each month (1–12) in the model's 8760-hour year."""
    return pd.Series(weather.hourly_index(year).month).value_counts().sort_index()


def _months(ctx: BuildContext) -> np.ndarray:
    return np.asarray(ctx.snapshots.month)


def monthly_shape(ctx: BuildContext, bus: str) -> np.ndarray | None:
    """Per hourly snapshot, the bus's gas demand relative to its annual mean (mean 1 over a full
    year): the month's share × 8760 ÷ the month's hours; None when the bus has no monthly shares."""
    shares = ctx.data.table("gas_demand_monthly")
    shares = shares[shares["bus"] == bus].set_index("month")["share"]
    if shares.empty:
        return None
    factor = shares * HOURS_PER_YEAR / _month_hours(ctx.spec.year)
    return factor.reindex(_months(ctx)).to_numpy(dtype=float)


def _ttf_rows(ctx: BuildContext) -> pd.DataFrame:
    """The monthly TTF rows of ``markets.ttf_year`` (InputError naming the file when there are none)."""
    table = ctx.data.table("gas_ttf_monthly")
    rows = table[table["price_year"] == ctx.spec.markets.ttf_year]
    if rows.empty:
        raise InputError(
            f"network '{ctx.spec.name}': field 'markets.ttf_year': {ctx.spec.markets.ttf_year} has no "
            f"monthly TTF in {ctx.data.root / 'gas_ttf_monthly.csv'}"
        )
    return rows


def _ttf_monthly(ctx: BuildContext) -> pd.Series:
    """Month (1–12) → TTF, EUR/MWh of the price year: the monthly means of ``markets.ttf_year``,
    rescaled to ``markets.ttf_eur_mwh`` (hour-weighted annual mean) if set, times
    ``markets.gas_price_scale``."""
    markets = ctx.spec.markets
    rows = _ttf_rows(ctx).set_index("month")
    monthly = pd.Series(
        [
            ctx.data.to_price_year(float(p), int(c))
            for p, c in zip(rows["price_eur_mwh"], rows["currency_year"], strict=True)
        ],
        index=rows.index,
    )
    if markets.ttf_eur_mwh is not None:
        monthly = monthly * (markets.ttf_eur_mwh / _hour_weighted_mean(ctx, monthly))
    return monthly * markets.gas_price_scale


def _hour_weighted_mean(ctx: BuildContext, monthly: pd.Series) -> float:
    hours = _month_hours(ctx.spec.year)
    return float((monthly * hours).sum() / hours.sum())


def ttf_hourly(ctx: BuildContext) -> np.ndarray:
    """The TTF per hourly snapshot, EUR/MWh of the price year (:func:`_ttf_monthly`)."""
    return _ttf_monthly(ctx).reindex(_months(ctx)).to_numpy(dtype=float)


def ttf_annual_mean(ctx: BuildContext) -> float:
    """The hour-weighted annual mean of :func:`ttf_hourly` over a full model year, EUR/MWh."""
    return _hour_weighted_mean(ctx, _ttf_monthly(ctx))


CONTRACT_KIND = "contract"
"""Offtake kind of a corridor contract (gas_offtakes.csv): fixed, and part of its market's consumption."""


def market_demands(ctx: BuildContext) -> list[MarketDemand]:
    """Each modelled market's residual import demand, shaped by its monthly shares: consumption −
    domestic production − non-corridor contracts (gas_markets.csv) − the corridor contracts that
    gas_offtakes.csv fixes at that bus (e.g. Türkiye's Shah Deniz contracts); a European market's
    (``buses.csv`` ``delivery`` 'europe') × ``markets.gas_demand_scale``, Türkiye's unscaled.
    InputError when the corridor contracts exceed the residual."""
    rows = in_force(ctx.data.table("gas_markets"), ["bus"], ctx.spec.year)
    offtakes = in_force(ctx.data.table("gas_offtakes"), ["name"], ctx.spec.year)
    offtakes = offtakes[(offtakes["kind"] == CONTRACT_KIND) & ~offtakes["name"].isin(ctx.spec.exclude)]
    contracted = offtakes.groupby("bus")["annual_bcm"].sum()
    european = set(delivery_buses(ctx.data.buses(), "gas", europe_only=True))
    out = []
    for _, row in rows[rows["bus"].isin(ctx.buses)].iterrows():
        residual = row["consumption_bcm_y"] - row["domestic_production_bcm_y"] - row["other_contracts_bcm_y"]
        residual -= float(contracted.get(row["bus"], 0.0))
        if residual < 0:
            fixed = float(contracted[row["bus"]])
            raise InputError(
                f"{ctx.data.root / 'gas_markets.csv'}: bus {row['bus']!r} ({row['from_year']}): the "
                f"corridor contracts of gas_offtakes.csv ({fixed:g} bcm/y) exceed the residual import "
                f"demand ({residual + fixed:g} bcm/y)"
            )
        shape = monthly_shape(ctx, row["bus"])
        if shape is None:
            raise InputError(
                f"{ctx.data.root / 'gas_demand_monthly.csv'}: no monthly shares for {row['bus']!r}"
            )
        scale = ctx.spec.markets.gas_demand_scale if row["bus"] in european else 1.0
        mean_mw = bcm_per_year_to_mw(residual) * scale
        out.append(MarketDemand(f"{row['bus']} demand", row["bus"], mean_mw * shape))
    return out


def alternatives(ctx: BuildContext) -> list[Alternative]:
    """The supply-curve steps in force at the modelled markets, cheapest tier first per bus; each costs
    the hourly TTF plus its spread (LNG spreads shifted by ``markets.lng_spread_shift_eur_mwh``)."""
    rows = in_force(ctx.data.table("gas_alternatives"), ["bus", "name"], ctx.spec.year)
    rows = rows[rows["bus"].isin(ctx.buses) & ~rows["name"].isin(ctx.spec.exclude)]
    ttf = ttf_hourly(ctx)
    shift = ctx.spec.markets.lng_spread_shift_eur_mwh
    out = []
    for _, row in rows.sort_values(["bus", "tier"]).iterrows():
        spread = ctx.data.to_price_year(float(row["spread_eur_mwh"]), int(row["currency_year"]))
        spread += shift if row["kind"] == LNG else 0.0
        out.append(
            Alternative(
                name=f"{row['bus']} {row['name']}",
                bus=str(row["bus"]),
                tier=int(row["tier"]),
                kind=str(row["kind"]),
                capacity_mw=bcm_per_year_to_mw(row["capacity_bcm_y"]),
                cost_eur_mwh=ttf + spread,
            )
        )
    return out


def storages(ctx: BuildContext) -> list[Storage]:
    """The underground storages in force at the modelled buses."""
    rows = in_force(ctx.data.table("gas_storage"), ["name"], ctx.spec.year)
    rows = rows[rows["bus"].isin(ctx.buses) & ~rows["name"].isin(ctx.spec.exclude)]

    def mw(mcm_per_day: float) -> float:
        return mcm_per_day / MCM_PER_BCM * MWH_PER_BCM / HOURS_PER_DAY

    return [
        Storage(
            name=str(row["name"]),
            bus=str(row["bus"]),
            withdrawal_mw=mw(row["withdrawal_mcm_d"]),
            injection_mw=mw(row["injection_mcm_d"]),
            energy_mwh=row["working_bcm"] * MWH_PER_BCM,
            cost_eur_mwh=ctx.data.to_price_year(float(row["cycle_cost_eur_mwh"]), int(row["currency_year"])),
        )
        for _, row in rows.iterrows()
    ]


def tariff_eur_mwh(ctx: BuildContext, value: float, unit: str, currency_year: int) -> float:
    """A tariff stated in ``unit`` as EUR/MWh (GCV) of the price year (USD at ``usd_per_eur``)."""
    per_mwh = value / MWH_PER_1000_M3 if unit == "USD/1000m3" else value
    return ctx.data.eur_of_price_year(per_mwh, unit != "EUR/MWh", currency_year)


@dataclass(frozen=True)
class PipelineTariff:
    """A pipeline's published tariff, EUR/MWh sent (× ``markets.tariff_scale``), and the capacity booked
    under long-term ship-or-pay contracts, MW: paid for whether used or not, so gas sent through it
    costs the shipper nothing more than compressor fuel."""

    eur_mwh: float = 0.0
    booked_mw: float = 0.0

    def tariffed_mw(self, base_mw: float, existing_mw: float) -> float:
        """How much of a base capacity ``base_mw`` (what exists, ``existing_mw``, or what the spec
        fixes) pays the tariff, MW: the existing capacity not booked, max(min(base, existing) − booked,
        0); 0 when untariffed. The rest costs nothing at the margin: booked capacity is paid for anyway,
        and capacity pinned above what exists, like an expansion segment, pays its investment annuity,
        which is what a tariff on it would recover (charging both would count it twice)."""
        if self.eur_mwh <= 0:
            return 0.0
        return max(min(base_mw, existing_mw) - self.booked_mw, 0.0)


def pipeline_tariffs(ctx: BuildContext) -> dict[str, PipelineTariff]:
    """Pipeline → its tariff and booked capacity in force (a pipeline without a row has neither)."""
    rows = in_force(ctx.data.table("gas_tariffs"), ["pipeline"], ctx.spec.year)
    scale = ctx.spec.markets.tariff_scale
    return {
        str(row["pipeline"]): PipelineTariff(
            eur_mwh=tariff_eur_mwh(ctx, row["value"], row["unit"], int(row["currency_year"])) * scale,
            booked_mw=bcm_per_year_to_mw(float(row["booked_bcm_y"])),
        )
        for _, row in rows.iterrows()
    }


def tariffs(ctx: BuildContext) -> dict[str, float]:
    """Pipeline → published tariff in force, EUR/MWh sent, × ``markets.tariff_scale`` (0 for an
    untariffed one): what a shipper pays to send gas through capacity it has not booked."""
    return {name: tariff.eur_mwh for name, tariff in pipeline_tariffs(ctx).items()}


def outlet_netbacks(ctx: BuildContext) -> dict[str, float]:
    """Outlet → netback (border price − transport), EUR/MWh of the price year, × ``markets.netback_scale``."""
    rows = in_force(ctx.data.table("gas_outlets"), ["name"], ctx.spec.year)
    scale = ctx.spec.markets.netback_scale
    return {
        str(row["name"]): ctx.data.to_price_year(
            row["border_price_eur_mwh"] - row["transport_eur_mwh"], int(row["currency_year"])
        )
        * scale
        for _, row in rows.iterrows()
    }


def supply_cost_eur_mwh(ctx: BuildContext, row: pd.Series) -> float:
    """A supply's marginal cost, EUR/MWh of the price year: its outlet's netback when netback-valued,
    else its running or development cost."""
    if row["cost_basis"] == "netback":
        return outlet_netbacks(ctx)[str(row["outlet"])]
    return ctx.data.to_price_year(float(row["marginal_cost_eur_mwh"]), int(row["currency_year"]))


def supply_plateau_bcm_y(ctx: BuildContext, row: pd.Series) -> float:
    """A supply's annual plateau, bcm/y, × the spec's ``markets.supply_scale`` of its bus."""
    return float(row["plateau_bcm_y"]) * ctx.spec.markets.supply_scale.get(str(row["bus"]), 1.0)


def export_netback_eur_mwh(ctx: BuildContext, bus: str) -> float | None:
    """What gas at ``bus`` is worth when sold in Europe: the annual mean TTF less the cheapest sum of
    published tariffs (what a shipper of new volumes, holding no booked capacity, pays) along existing
    pipelines to a European delivery point, passing only through supply and transit buses (not through
    another market, e.g. Türkiye's grid); None when no such path leads there.
    Prices gas for power where the gas network is not modelled. It is an upper bound on the coupled
    model's value: it ignores compressor fuel, the destination's hub spread and congestion (with SCP
    full, the 2030 coupled run values gas at Baku about 6 EUR/MWh lower)."""
    pipes = in_force(ctx.data.table("gas_pipelines"), ["name"], ctx.spec.year)
    roles = ctx.data.buses()["role"]
    passable = pipes["bus0"].map(roles).isin(PASSABLE_ROLES) | (pipes["bus0"] == bus)
    pipes = pipes[(pipes["capacity_bcm_y"] > 0) & passable]
    tariff = tariffs(ctx)
    buses = sorted(set(pipes["bus0"]) | set(pipes["bus1"]) | {bus})
    index = {b: i for i, b in enumerate(buses)}
    dense = np.full((len(buses), len(buses)), np.inf)
    for name, bus0, bus1 in zip(pipes["name"], pipes["bus0"], pipes["bus1"], strict=True):
        dense[index[bus0], index[bus1]] = min(dense[index[bus0], index[bus1]], tariff.get(str(name), 0.0))
    graph = csgraph_from_dense(dense, null_value=np.inf)  # keeps untariffed (zero-cost) edges
    distance = dijkstra(graph, indices=index[bus])
    europe = [b for b in delivery_buses(ctx.data.buses(), "gas", europe_only=True) if b in index]
    reachable = [float(distance[index[b]]) for b in europe if np.isfinite(distance[index[b]])]
    if not reachable:
        return None
    return ttf_annual_mean(ctx) - min(reachable)


def fuel_price_eur_mwh(ctx: BuildContext, gas_bus: str | None) -> float:
    """EUR/MWh (GCV) of gas burnt by a fleet that is not on a modelled gas network: the export netback
    of its gas bus (:func:`export_netback_eur_mwh`) where a pipeline leads from there to Europe, else
    the ``gas_fuel_price`` parameter (a fleet with no gas bus, or one no pipeline links to Europe)."""
    netback = None if gas_bus is None else export_netback_eur_mwh(ctx, gas_bus)
    return ctx.data.parameter("gas_fuel_price") if netback is None else netback
