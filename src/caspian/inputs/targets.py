"""National renewable targets as constraints: the one owner of what counts toward a target.

A target (``renewable_targets.csv``, enforced for the countries named in ``policy.renewable_targets``)
requires wind and solar (and hydro, where the row counts it) to reach ``share`` of a country's installed
electric capacity
('capacity') or of its generation over the horizon ('generation'). Written as

    renewable − share × (renewable + fossil) ≥ 0

in MW of capacity or MWh of generation, its shadow price is what one more MW (MWh) of renewables
short of the share would cost the system: EUR/y per MW, or EUR per MWh. The rest are the gas, coal and
oil fleets, the peakers (gas-fired links counted by their electric output or capacity) and uncounted
hydro; markets, slack and interconnectors do not count.
"""

from __future__ import annotations

from dataclasses import dataclass

from caspian.errors import InputError
from caspian.inputs.context import BuildContext
from caspian.inputs.tables import in_force

VARIABLE_RENEWABLE_CARRIERS = frozenset({"solar", "onwind", "offwind"})
"""Generator carriers that count toward every target."""

HYDRO_CARRIER = "hydro"
"""Counts toward a target whose row says ``counts_hydro`` (Azerbaijan's), else only toward the total."""

FOSSIL_CARRIERS = frozenset({"gas-fired", "coal", "oil"})
"""Generator and link carriers that count as the rest of a country's fleet."""


@dataclass(frozen=True)
class Target:
    """A country's enforced target: ``share`` (per unit) of ``basis`` ('capacity' | 'generation');
    whether its hydro counts toward it (else toward the total only)."""

    country: str
    share: float
    basis: str
    counts_hydro: bool

    @property
    def renewable_carriers(self) -> frozenset[str]:
        """Generator carriers counted toward the target."""
        hydro = {HYDRO_CARRIER} if self.counts_hydro else set()
        return VARIABLE_RENEWABLE_CARRIERS | hydro

    @property
    def rest_carriers(self) -> frozenset[str]:
        """Generator and link carriers counted only toward the total."""
        return FOSSIL_CARRIERS if self.counts_hydro else FOSSIL_CARRIERS | {HYDRO_CARRIER}


def enforced_targets(ctx: BuildContext) -> tuple[Target, ...]:
    """The targets the run enforces, in force in the model year; InputError naming the spec field when
    a listed country has none."""
    rows = in_force(ctx.data.table("renewable_targets"), ["country"], ctx.spec.year)
    by_country = {str(row["country"]): row for _, row in rows.iterrows()}
    targets = []
    for country in ctx.spec.policy.renewable_targets:
        if country not in by_country:
            raise InputError(
                f"network '{ctx.spec.name}': field 'policy.renewable_targets': no target for {country!r} "
                f"in force in {ctx.spec.year} ({ctx.data.root / 'renewable_targets.csv'})"
            )
        row = by_country[country]
        targets.append(Target(country, float(row["share"]), str(row["basis"]), bool(row["counts_hydro"])))
    return tuple(targets)
