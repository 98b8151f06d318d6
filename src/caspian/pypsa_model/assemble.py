"""Spec + data → ``pypsa.Network``. No solving here.

Stages: buses → gas side → electricity side (gas-fired plants couple the two) → optional diagnostic
slack → time aggregation. The result is a pure function of the resolved spec, the data and the build
options.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pypsa

from caspian.errors import InputError
from caspian.inputs.context import (
    SLACK_CAPACITY_MW,
    BuildContext,
    make_context,
)
from caspian.inputs.costs import LumpyProject, lumpy_project
from caspian.inputs.fleets import CommittedFleet, committed_fleets
from caspian.inputs.series import Profiles
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset
from caspian.naming import (
    ASSET,
    BASE_SEGMENT,
    BUILD_MAX,
    CAPACITY_FROM,
    DIRECTION,
    FIRST_SEGMENT,
    FORWARD,
    FROM_DATA,
    FROM_LP,
    LABEL_COLUMNS,
    MILP_OPTION,
    NO_OPTION,
    SEGMENT,
    SLACK_CARRIER,
)
from caspian.pypsa_model.aggregate import aggregate_time
from caspian.pypsa_model.electricity import POWER_CARRIERS, add_electricity
from caspian.pypsa_model.gas import GAS_CARRIERS, add_gas
from caspian.pypsa_model.policy import NO_POLICY, PolicyConstraints, policy_constraints


@dataclass(frozen=True)
class BuildOptions:
    """How to build: ``with_slack`` adds priced unserved energy at every bus with fixed demand
    (infeasibility diagnosis)."""

    with_slack: bool = False


@dataclass(frozen=True)
class BuildResult:
    """The built network, where its hourly profiles came from, (MILP expansion) the projects whose
    discrete options the formulation must add, (unit commitment) the committed gas-fired plants, and the
    policy constraints (CBAM's border, renewable targets)."""

    network: pypsa.Network
    profile_sources: dict[str, str] = field(default_factory=dict)
    lumpy_projects: tuple[LumpyProject, ...] = ()
    commitment: tuple[CommittedFleet, ...] = ()
    policy: PolicyConstraints = NO_POLICY


def _lumpy_projects(n: pypsa.Network, ctx: BuildContext) -> tuple[LumpyProject, ...]:
    """The MILP projects of the assets that got a free expansion link in this network."""
    found = []
    links = n.links[n.links[DIRECTION] == FORWARD]
    for asset in links.loc[links[SEGMENT] == FIRST_SEGMENT, ASSET]:
        base = links[(links[ASSET] == asset) & (links[SEGMENT] == BASE_SEGMENT)]
        existing = float(base.p_nom.sum())
        project = lumpy_project(ctx, asset, existing)
        if project is not None:
            found.append(project)
    return tuple(found)


BUS_COLUMNS = ("country", "role", "delivery")
"""Columns of ``buses.csv`` kept as static columns of ``n.buses`` (what results and reports read)."""


def _add_buses_and_carriers(n: pypsa.Network, ctx: BuildContext) -> None:
    buses = ctx.data.buses().loc[sorted(ctx.buses)]
    n.add(
        "Bus",
        buses.index,
        carrier=buses["carrier"],
        x=buses["lon"],
        y=buses["lat"],
        location=buses["site"],
        **{column: buses[column] for column in BUS_COLUMNS},
    )
    for name, nice in {**GAS_CARRIERS, **POWER_CARRIERS, SLACK_CARRIER: "Unserved energy"}.items():
        n.add("Carrier", name, nice_name=nice)


def _apply_outages(n: pypsa.Network, ctx: BuildContext) -> None:
    """Take every model component of an outaged asset (its links, twins, expansion segments or its
    generator, including a market's sink) out of service over the outage window."""
    for outage in ctx.spec.outages:
        where = f"network '{ctx.spec.name}': field 'outages'"
        window = (n.snapshots >= outage.start) & (n.snapshots < outage.end)
        if not window.any():
            raise InputError(
                f"{where}: {outage.asset} outage {outage.start}–{outage.end} is outside the horizon"
            )
        hit = False
        for component in ("Link", "Generator"):
            static = n.components[component].static
            names = list(static.index[static[ASSET] == outage.asset])
            if not names:
                continue
            hit = True
            for bound in ("p_max_pu", "p_min_pu"):  # out of service: neither supplies nor absorbs
                values = n.get_switchable_as_dense(component, bound)[names]
                values.loc[window, :] = 0.0
                dynamic = n.components[component].dynamic[bound]
                for name in names:
                    dynamic[name] = values[name]
        if not hit:
            raise InputError(f"{where}: unknown asset {outage.asset!r} in this network")


def _label_own_assets(n: pypsa.Network) -> None:
    """Label the links and generators the builders did not label (plants, peakers, slack: each its own
    asset, in force, forward; capacity from the data, or sized by the LP when extendable), so every
    component has all its label columns."""
    for component, columns in LABEL_COLUMNS.items():
        static = n.components[component].static
        defaults = {
            ASSET: pd.Series(static.index, index=static.index),
            SEGMENT: BASE_SEGMENT,
            DIRECTION: FORWARD,
            CAPACITY_FROM: static.p_nom_extendable.map({True: FROM_LP, False: FROM_DATA}),
            MILP_OPTION: NO_OPTION,
        }
        for column in columns:
            static[column] = static[column].fillna(defaults[column]) if column in static else defaults[column]
        static[SEGMENT] = static[SEGMENT].astype(int)
        bound = static.p_nom_max.where(static.p_nom_extendable, static.p_nom)
        static[BUILD_MAX] = static[BUILD_MAX].fillna(bound) if BUILD_MAX in static else bound


def _add_slack(n: pypsa.Network, ctx: BuildContext) -> None:
    """Priced unserved energy at every bus with fixed demand (a load: electricity demand or a gas offtake).
    Only fixed demand can make the model infeasible (markets, plants and links may all stay at 0), and a
    slack at a transit or market-only bus would merely be an equally priced alternative to the slack at
    the bus whose demand is short."""
    buses = sorted(set(n.loads.bus))
    n.add(
        "Generator",
        [f"{bus} unserved" for bus in buses],
        bus=buses,
        carrier=SLACK_CARRIER,
        p_nom=SLACK_CAPACITY_MW,
        marginal_cost=[ctx.value_of_lost_load(n.buses.carrier[bus]) for bus in buses],
    )


def build_network(spec: NetworkSpec, data: Dataset, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Assemble the network of ``spec`` from ``data`` (hourly, then aggregated as the spec asks)."""
    ctx = make_context(spec, data, options.with_slack)
    n = pypsa.Network(name=spec.name)
    n.set_snapshots(ctx.snapshots)
    _add_buses_and_carriers(n, ctx)
    profiles = Profiles(ctx)
    if "gas" in spec.carriers:
        add_gas(n, ctx)
    if "electricity" in spec.carriers:
        add_electricity(n, ctx, profiles)
    if n.loads.empty and n.generators.empty:
        raise InputError(f"network '{spec.name}': field 'year': no data rows in force in {spec.year}")
    if ctx.with_slack:
        _add_slack(n, ctx)
    _label_own_assets(n)
    _apply_outages(n, ctx)
    return BuildResult(
        network=aggregate_time(n, spec.time),
        profile_sources=dict(profiles.sources),
        lumpy_projects=_lumpy_projects(n, ctx),
        commitment=committed_fleets(n, ctx) if spec.unit_commitment else (),
        policy=policy_constraints(n, ctx),
    )
