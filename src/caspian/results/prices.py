"""Which nodal prices are unique: the one owner of "is this bus's dual a price or an arbitrary number".

A bus's hourly price (the dual of its energy balance) is pinned down only when some variable that
touches the balance sits strictly inside its bounds: a generator producing between its minimum and its
available capacity (its marginal cost then *is* the price), or a link flowing between its limits, which
ties the prices at its two ends (λ₁·η = λ₀ + c). Where every variable at a bus is at a bound — a power
market that no cable reaches, a node fed only by a congested pipeline — any value between the bounding
costs satisfies the optimality conditions and the solver reports one of them (spikes to the slack price
are typical). Those hours are flagged, not averaged into a headline price.

The test is per snapshot: buses with an interior generator are *price-setting*; the set grows along links
with interior flow until it stops changing. A bus's mean price is unique when its price is set in at
least :data:`UNIQUE_SHARE` of the hours (by weight) **and** the hours that are not set do not move the
mean: the time-weighted mean over all hours and over the price-set hours differ by at most
:data:`MEAN_SHIFT_TOLERANCE_EUR_MWH` (a single degenerate hour with a spike to a slack price can shift a
year's mean by euros even when it is one hour in ten thousand).

Annual limits (a supply plateau, ``e_sum_max``) couple hours and are not traced: an interior generator
under a binding plateau still sets its bus's price, which is then marginal cost plus the plateau's
dual — unique when the plateau's dual is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

INTERIOR_TOLERANCE_MW = 1e-3
"""A variable counts as strictly inside its bounds when it is more than this away from both, MW (well
above HiGHS's primal feasibility tolerance, 1e-7, times the capacities in the model, ≤ 1e5 MW)."""

UNIQUE_SHARE = 0.999
"""Share of the modelled hours (by weight) in which a bus's price must be set for its mean to count as
a unique price (one hour in a thousand of solver degeneracy is tolerated)."""


MEAN_SHIFT_TOLERANCE_EUR_MWH = 0.01
"""EUR/MWh: the largest change of a bus's mean price that the hours whose price is not set may cause
for the mean to count as unique (one euro cent, below the precision of any reported price)."""


def _interior(n: pypsa.Network, component: str) -> pd.DataFrame:
    """Snapshot × component (``Generator`` or ``Link``): whether its power (p, or p0 of a link) lies
    strictly inside [p_min_pu, p_max_pu] × capacity by more than the stated tolerance."""
    static = n.components[component].static
    p = n.components[component].dynamic["p" if component == "Generator" else "p0"]
    p = p.reindex(columns=static.index, fill_value=0.0)
    capacity = static.p_nom_opt.where(static.p_nom_extendable, static.p_nom)
    lower = n.get_switchable_as_dense(component, "p_min_pu")[static.index].mul(capacity)
    upper = n.get_switchable_as_dense(component, "p_max_pu")[static.index].mul(capacity)
    return (p > lower + INTERIOR_TOLERANCE_MW) & (p < upper - INTERIOR_TOLERANCE_MW)


def price_set(n: pypsa.Network) -> pd.DataFrame:
    """Snapshot × bus: True where the bus's price is pinned down by an interior generator, directly or
    through a chain of links with interior flow."""
    buses = n.buses.index
    position = pd.Series(np.arange(len(buses)), index=buses)
    gens = _interior(n, "Generator")
    setting = np.zeros((len(n.snapshots), len(buses)), dtype=bool)
    if not gens.empty:
        at_bus = position[n.generators.bus.reindex(gens.columns)].to_numpy()
        np.logical_or.at(setting, (slice(None), at_bus), gens.to_numpy())  # type: ignore[arg-type]
    links = _interior(n, "Link")
    if not links.empty:
        flowing = links.to_numpy()
        ends0 = position[n.links.bus0.reindex(links.columns)].to_numpy()
        ends1 = position[n.links.bus1.reindex(links.columns)].to_numpy()
        for _ in range(len(buses)):
            before = setting.copy()
            np.logical_or.at(setting, (slice(None), ends0), setting[:, ends1] & flowing)  # type: ignore[arg-type]
            np.logical_or.at(setting, (slice(None), ends1), setting[:, ends0] & flowing)  # type: ignore[arg-type]
            if (setting == before).all():
                break
    return pd.DataFrame(setting, index=n.snapshots, columns=buses)


def price_set_share(n: pypsa.Network) -> pd.Series:
    """Per bus, the share of the modelled hours (snapshot weightings) in which its price is set (0–1)."""
    return price_uniqueness(n)["share"]


def price_uniqueness(n: pypsa.Network) -> pd.DataFrame:
    """Per bus (rows): ``share`` of the hours whose price is set (0–1, snapshot weightings), ``shift``
    = |time-weighted mean price over all hours − over the price-set hours|, EUR/MWh (NaN where no hour
    is set), and ``unique`` (:func:`is_unique` of the two)."""
    weights = n.snapshot_weightings.objective
    setting = price_set(n)
    prices = n.buses_t.marginal_price.reindex(index=n.snapshots, columns=setting.columns)
    set_weights = setting.mul(weights, axis=0)
    share = set_weights.sum() / float(weights.sum())
    mean_all = prices.mul(weights, axis=0).sum() / float(weights.sum())
    mean_set = (prices * set_weights).sum() / set_weights.sum().where(set_weights.sum() > 0)
    shift = (mean_all - mean_set).abs()
    unique = [is_unique(float(a), float(b)) for a, b in zip(share, shift, strict=True)]
    return pd.DataFrame({"share": share, "shift": shift, "unique": unique}, index=setting.columns)


def is_unique(share: float, shift: float = 0.0) -> bool:
    """Whether a bus whose price is set in ``share`` of the hours, and whose mean the other hours move
    by ``shift`` EUR/MWh (NaN: no hour is set), has a unique mean price."""
    return share >= UNIQUE_SHARE and shift <= MEAN_SHIFT_TOLERANCE_EUR_MWH


NON_UNIQUE_MARK = "†"
"""Marks a mean bus price that is not a unique price in terminal and report tables."""

NON_UNIQUE_NOTE = (
    "† not a unique price: in more than 0.1 % of the hours, or in hours that move the mean by more than "
    "0.01 EUR/MWh, no generator or link at this bus is strictly inside its limits, so the dual is any "
    "value between the bounding costs (see price_set_share)"
)
"""The footnote every table with a :data:`NON_UNIQUE_MARK` carries."""


def non_unique_buses(summary: xr.Dataset) -> set[str]:
    """The buses whose mean price in ``summary`` (summary.nc) is flagged as not unique."""
    if "price_eur_mwh" not in summary:
        return set()
    names = str(summary["price_eur_mwh"].attrs.get("non_unique_buses", ""))
    return {name for name in names.split("; ") if name}


def price_cell(summary: xr.Dataset, bus: str, value: float, digits: int) -> str:
    """A bus's mean price as a table cell, EUR/MWh, marked when it is not unique."""
    mark = NON_UNIQUE_MARK if bus in non_unique_buses(summary) else ""
    return f"{value:.{digits}f}{mark}"
