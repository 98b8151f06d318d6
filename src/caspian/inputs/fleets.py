"""Which gas-fired plants are committed in whole units, and their operating limits.

Clustered unit commitment: a fleet of P MW (electric) is N = max(1, round(P / unit size)) identical
units of P / N MW, and the number of units online is an integer per snapshot. Unit sizes come from
``data/unit_sizes.csv`` (per fleet, and one row ``OCGT`` for every extendable peaker); minimum stable
load, start-up cost and minimum up/down times from ``data/unit_commitment.csv``. For a gas-fired link
(a plant drawing fuel from the gas network) the unit capacity is on the fuel side, MW of gas (GCV), as
the link's power variable is; for a generator it is MW electric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pypsa

from caspian.errors import InputError
from caspian.inputs.context import BuildContext
from caspian.inputs.tables import Dataset
from caspian.naming import GAS_FIRED_CARRIER

PEAKER_SUFFIX = " OCGT"
PEAKER_UNIT_ROW = "OCGT"
"""``unit_sizes.csv`` asset row that sizes the units of every extendable peaker '<ISO2> OCGT'."""


@dataclass(frozen=True)
class CommittedFleet:
    """One committed component: ``units`` identical units of ``unit_capacity`` MW on the component's
    power variable (fuel MW for links, electric MW for generators), or, when ``units`` is None, an
    extendable plant whose units online may not exceed its built capacity ÷ ``unit_capacity``.
    ``p_min_pu`` is the minimum stable load per unit online, ``start_up_cost_eur`` EUR (price year) per
    unit started, and the minimum up/down times are in snapshots."""

    component: Literal["Generator", "Link"]
    name: str
    technology: str
    units: int | None
    unit_capacity: float
    unit_size_mw: float
    p_min_pu: float
    start_up_cost_eur: float
    min_up_snapshots: int
    min_down_snapshots: int


def unit_size_row(data: Dataset, name: str) -> pd.Series:
    """The ``unit_sizes.csv`` row of a gas-fired plant (an OCGT peaker's own row, else the ``OCGT``
    row); InputError naming the file when there is none."""
    sizes = data.table("unit_sizes").set_index("asset")
    key = PEAKER_UNIT_ROW if name.endswith(PEAKER_SUFFIX) and name not in sizes.index else name
    if key not in sizes.index:
        raise InputError(
            f"{data.root / 'unit_sizes.csv'}: field 'asset': no row for gas-fired plant {name!r} "
            "(unit_commitment needs a unit size for every gas-fired plant)"
        )
    return sizes.loc[key]


def fleet_commitment(
    ctx: BuildContext,
    name: str,
    component: Literal["Generator", "Link"],
    efficiency: float,
    capacity: float | None,
) -> CommittedFleet:
    """The commitment of one gas-fired plant from the data: ``capacity`` in MW on its power variable
    (fuel MW for a link of ``efficiency``, electric MW for a generator), None when it is extendable."""
    technologies = ctx.data.table("unit_commitment").set_index("technology")
    sizes = unit_size_row(ctx.data, name)
    tech = technologies.loc[sizes["commitment"]]
    fuel_per_mwh = 1.0 / efficiency if component == "Link" else 1.0
    unit_size = float(sizes["unit_size_mw"])
    if capacity is None:
        units, unit_capacity = None, unit_size * fuel_per_mwh
    else:
        units = max(1, round(capacity / fuel_per_mwh / unit_size))
        unit_capacity = capacity / units
    per_mw = ctx.data.to_price_year(float(tech["start_up_cost_eur_per_mw"]), tech["currency_year"])
    step_hours = ctx.spec.time.resolution_hours
    return CommittedFleet(
        component=component,
        name=name,
        technology=str(sizes["commitment"]),
        units=units,
        unit_capacity=float(unit_capacity),
        unit_size_mw=unit_capacity / fuel_per_mwh,
        p_min_pu=float(tech["p_min_pu"]),
        start_up_cost_eur=per_mw * unit_capacity / fuel_per_mwh,
        min_up_snapshots=math.ceil(tech["min_up_time_h"] / step_hours),
        min_down_snapshots=math.ceil(tech["min_down_time_h"] / step_hours),
    )


def committed_fleets(n: pypsa.Network, ctx: BuildContext) -> tuple[CommittedFleet, ...]:
    """Every gas-fired generator and link of ``n`` as a committed fleet."""
    fleets = []
    components: tuple[tuple[Literal["Generator", "Link"], pd.DataFrame], ...] = (
        ("Generator", n.generators),
        ("Link", n.links),
    )
    for component, frame in components:
        for name, plant in frame[frame.carrier == GAS_FIRED_CARRIER].iterrows():
            capacity = None if plant["p_nom_extendable"] else float(plant["p_nom"])
            fleets.append(fleet_commitment(ctx, str(name), component, float(plant["efficiency"]), capacity))
    return tuple(fleets)


def starts_and_mean_online(units: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Units started over a cyclic horizon (the increases of the units online, the last snapshot
    preceding the first) and the weighted mean units online."""
    starts = np.clip(units - np.roll(units, 1), 0.0, None).sum()
    return float(starts), float((units * weights).sum() / weights.sum())
