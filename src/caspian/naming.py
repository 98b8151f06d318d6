"""Names of model components and the static columns that carry their meaning.

Names are built here (a reverse twin, an expansion segment) and never parsed back: every link and
generator carries its real asset, its direction and its expansion segment as static columns of
``n.links`` / ``n.generators`` (kept by PyPSA's netCDF export), and code reads those columns.
Also the carrier names shared by the builders, both formulations and the reports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import pypsa

GAS_FIRED_CARRIER = "gas-fired"
"""Carrier of gas-fired plants (fleets and OCGT peakers), as generators or as links from a gas bus."""

GAS_SUPPLY_CARRIER = "gas supply"
"""Carrier of field supplies (generators at a supply bus, valued at their ``cost_basis``)."""
GAS_OFFTAKE_CARRIER = "gas offtake"
"""Carrier of fixed gas offtakes (domestic use, contracts): loads."""
GAS_DEMAND_CARRIER = "gas demand"
"""Carrier of a gas market's residual import demand: loads that the corridor and the alternatives serve."""
GAS_IMPORT_CARRIER = "gas import"
"""Carrier of a market's non-corridor supply steps (LNG, other pipelines, demand response): generators."""
GAS_STORAGE_CARRIER = "gas storage"
"""Carrier of underground gas storage: storage units."""
SLACK_CARRIER = "slack"
"""Carrier of the priced-slack generators (unserved energy at the value of lost load)."""
POWER_BUS_CARRIER = "AC"
"""``buses.csv`` carrier of an electricity bus."""
POWER_MARKET_CARRIER = "power market"
"""Carrier of a European power market's price-taking sink: the generator the corridor sells power to."""
COST_BASIS = "cost_basis"
"""Static column of gas supplies: how the marginal cost was set (short_run, development or netback)."""
ALTERNATIVE_TIER = "tier"
"""Static column of gas imports: the step's tier on its market's supply curve (1 = cheapest)."""
ALTERNATIVE_KIND = "kind"
"""Static column of gas imports: lng, pipeline, demand_response or domestic_surplus."""

CO2_INTENSITY = "co2_t_per_mwh"
"""Static column of fossil-fired generators and links: tCO2 emitted per MWh of the component's ``p``
(a generator's output) or ``p0`` (the fuel a gas-fired link takes); absent or NaN = no emissions."""

ASSET = "asset"
"""Static column: the real asset a model link or generator belongs to ('TAP' for 'TAP expansion 2')."""
DIRECTION = "direction"
"""Static column of links: :data:`FORWARD` (bus0 → bus1 of the asset's data row) or :data:`REVERSE`."""
SEGMENT = "segment"
"""Static column: 0 for an asset's capacity in force, k ≥ 1 for its k-th expansion segment."""
FORWARD = "forward"
REVERSE = "reverse"
BASE_SEGMENT = 0
"""Segment index of an asset's capacity in force (or its capacity fixed by the spec)."""
FIRST_SEGMENT = 1
"""Segment index of an asset's first expansion link (the one MILP option binaries size)."""

UNITS_STARTED = "{component}-units_started"
"""Name of the linopy variable of units started (unit commitment, one per component class 'Generator' |
'Link'): :mod:`caspian.pypsa_model.commitment` adds it, the summary prices the solved starts with their
objective coefficients (the start-up cost, which ``n.statistics`` does not see)."""

CAPACITY_FROM = "capacity_from"
"""Static column of links: who set the link's capacity, one of the four values below."""
FROM_DATA = "data"
"""Capacity in force from the data tables (not extendable)."""
FROM_SPEC = "spec"
"""Capacity fixed by the spec above what exists (pinned, its investment charged)."""
FROM_LP = "lp"
"""Capacity sized by the optimisation (extendable in [p_nom_min, p_nom_max])."""
FROM_MILP = "milp"
"""Capacity fixed at the option the MILP chose (``milp_option``; '' when it built none)."""
MILP_OPTION = "milp_option"
"""Static column of links: the MILP option whose capacity the link carries (:data:`NO_OPTION`: none)."""
NO_OPTION = ""
"""``milp_option`` of a link that carries no MILP option."""
BUILD_MAX = "build_max_mw"
"""Static column of links and generators: the most capacity the built formulation allows, MW (p_nom_max
of an extendable one before MILP choices are fixed or a saved network is pinned, inf: no limit; p_nom
of a fixed one)."""

_REVERSE_SUFFIX = " reverse"
_EXPANSION_SUFFIX = " expansion"
_UNBOOKED_SUFFIX = " unbooked"


def reverse_name(link: str) -> str:
    """Name of the twin link that carries a bidirectional lossy connection's reverse flow."""
    return f"{link}{_REVERSE_SUFFIX}"


def expansion_name(asset: str, segment: int | None = None) -> str:
    """Name of an asset's expansion link (``segment`` given) or expansion generator (None)."""
    return f"{asset}{_EXPANSION_SUFFIX}" if segment is None else f"{asset}{_EXPANSION_SUFFIX} {segment}"


def unbooked_name(asset: str) -> str:
    """Name of the link that carries a pipeline's existing capacity not booked under ship-or-pay (the
    part that pays the tariff on gas sent; the asset's own link carries the rest)."""
    return f"{asset}{_UNBOOKED_SUFFIX}"


def labels(asset: str, segment: int = BASE_SEGMENT) -> dict[str, Any]:
    """The ``asset`` and ``segment`` label columns of one component, as attributes for ``n.add``."""
    return {ASSET: asset, SEGMENT: segment}


def forward_twins(links: pd.DataFrame) -> pd.Series:
    """For each reverse link in ``links`` (indexed by name), the name of its forward twin: the link of
    the same asset and segment in the forward direction. Only assets with reverse links are looked at: a
    one-way pipeline may hold several base links (booked and unbooked capacity) and has no twins."""
    reverse = links[links[DIRECTION] == REVERSE]
    forward = links[(links[DIRECTION] == FORWARD) & links[ASSET].isin(reverse[ASSET])]
    by_key = pd.Series(forward.index, index=pd.MultiIndex.from_frame(forward[[ASSET, SEGMENT]]))
    keys = pd.MultiIndex.from_frame(reverse[[ASSET, SEGMENT]])
    return pd.Series(by_key.reindex(keys).to_numpy(), index=reverse.index, dtype=object)


LABEL_COLUMNS: dict[str, dict[str, type]] = {
    "Link": {ASSET: object, SEGMENT: int, DIRECTION: object, CAPACITY_FROM: object, MILP_OPTION: object},
    "Generator": {ASSET: object, SEGMENT: int},
}
"""The label columns (and their dtypes) of each component kind that has them; both also carry the
float column :data:`BUILD_MAX`."""


def restore_empty_labels(n: pypsa.Network) -> pypsa.Network:
    """Add the label columns to a network's empty link or generator table (PyPSA writes no columns of an
    empty component to netCDF, so a loaded network lacks them); ``n``, changed in place."""
    for component, columns in LABEL_COLUMNS.items():
        static = n.components[component].static
        if static.empty:
            for column, dtype in {**columns, BUILD_MAX: float}.items():
                if column not in static:
                    static[column] = pd.Series(dtype=dtype)
    return n


DEMAND_KIND = "demand"
"""Kind of a zone's electricity demand load in :func:`zone_asset_name`."""
PEAKER_KIND = "OCGT"
"""Kind of a zone's extendable open-cycle gas turbines in :func:`zone_asset_name`."""


def zone_asset_name(zone: str, kind: str) -> str:
    """Name of a zone's renewable fleet, gas peaker or electricity demand: 'AZ solar', 'KZ OCGT',
    'GE demand' (``zone`` from :func:`caspian.inputs.tables.bus_zones`)."""
    return f"{zone} {kind}"
