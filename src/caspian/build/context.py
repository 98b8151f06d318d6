"""What every builder step needs: the resolved spec, the data, the snapshots and derived scalars."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caspian.data import Dataset
from caspian.errors import InputError
from caspian.schema import NetworkSpec
from caspian.units import HOURS_PER_YEAR, parse_power

SLACK_COST_EUR_PER_MWH = 10_000.0
"""Cost of the diagnostic slack (unserved energy), EUR/MWh: a stated modelling value far above every
price in the model, so that slack is used only where nothing else can serve. Only its quantity is
reported; it never appears in a normal run."""

SLACK_CAPACITY_MW = 1e6
"""Capacity of each diagnostic slack generator, MW: larger than any bus's demand (the largest, Türkiye's
electricity peak, is ~56 GW) so that the slack never binds and the shortfall is measured in full."""

REVERSE_SUFFIX = " reverse"
"""Suffix of the twin link that carries a bidirectional lossy connection's reverse flow."""

EXPANSION_SUFFIX = " expansion"
"""Suffix of the extendable links that represent a project's capacity added to an asset."""


def asset_of(link_name: str) -> str:
    """The real asset a model link belongs to ('TAP expansion 2' → 'TAP', 'AZ–GE reverse' → 'AZ–GE')."""
    name = link_name.removesuffix(REVERSE_SUFFIX)
    if EXPANSION_SUFFIX in name:
        name = name.split(EXPANSION_SUFFIX)[0]
    return name


@dataclass(frozen=True)
class BuildContext:
    """Inputs shared by the builder steps; immutable."""

    spec: NetworkSpec
    data: Dataset
    snapshots: pd.DatetimeIndex
    discount_rate: float
    buses: frozenset[str]
    with_slack: bool

    @property
    def horizon_fraction(self) -> float:
        """Modelled hours ÷ 8760: scales annual costs and annual energy limits to the horizon."""
        return len(self.snapshots) / HOURS_PER_YEAR

    @property
    def expansion(self) -> bool:
        """True in capacity-expansion mode."""
        return self.spec.mode == "expansion"

    def fixed_capacity_mw(self, asset: str) -> float | None:
        """Capacity fixed by the spec's ``capacity`` mapping, MW, or None."""
        if asset not in self.spec.capacity:
            return None
        return parse_power(self.spec.capacity[asset], f"network '{self.spec.name}': field 'capacity.{asset}'")

    def max_capacity_mw(self, asset: str) -> float | None:
        """Cap on an asset's total capacity from ``expansion.max_capacity``, MW, or None."""
        if asset not in self.spec.expansion.max_capacity:
            return None
        return parse_power(
            self.spec.expansion.max_capacity[asset],
            f"network '{self.spec.name}': field 'expansion.max_capacity.{asset}'",
        )


def check_names(
    ctx: BuildContext, known_assets: set[str], sized_assets: set[str], renewables: set[str]
) -> None:
    """Every asset, project or profile the spec names must exist in the data and be of a kind the
    field applies to (capacities apply to pipelines and interconnectors)."""
    spec = ctx.spec
    projects = set(ctx.data.table("projects")["project"])
    where = f"network '{spec.name}'"
    for project in spec.expansion.projects:
        if project not in projects:
            raise InputError(f"{where}: field 'expansion.projects': unknown project {project!r}")
    checks = (
        ("exclude", spec.exclude, known_assets, "an asset in the data"),
        ("capacity", list(spec.capacity), sized_assets, "a pipeline or interconnector"),
        (
            "expansion.max_capacity",
            list(spec.expansion.max_capacity),
            sized_assets,
            "a pipeline or interconnector",
        ),
        (
            "profiles.files",
            list(spec.profiles.files),
            renewables,
            "a wind or solar fleet ('<ISO2> <technology>')",
        ),
    )
    for field, names, allowed, kind in checks:
        for name in names:
            if name not in allowed:
                raise InputError(f"{where}: field '{field}': unknown asset {name!r} (expected {kind})")
