"""What every builder step needs: the resolved spec, the data, the snapshots and derived scalars."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from caspian.errors import InputError
from caspian.inputs import weather
from caspian.inputs.coverage import check_year_coverage
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset, bus_zones
from caspian.naming import PEAKER_KIND, zone_asset_name
from caspian.units import HOURS_PER_YEAR, parse_power

BUS_CARRIER = {"gas": "gas", "electricity": "AC"}
"""Model carrier named in the spec → bus carrier in ``buses.csv``."""

VOLL_PARAMETER = {"gas": "voll_gas", "AC": "voll_electricity"}
"""Bus carrier → the ``parameters.csv`` row pricing its unserved demand (value of lost load, EUR/MWh):
the priced slack of ``unserved_energy: true`` runs and of the infeasibility diagnosis."""

SLACK_CAPACITY_MW = 1e6
"""Capacity of each diagnostic slack generator, MW: larger than any bus's demand (the largest, Türkiye's
electricity peak, is ~56 GW) so that the slack never binds and the shortfall is measured in full."""


@dataclass(frozen=True)
class BuildContext:
    """Inputs shared by the builder steps; immutable."""

    spec: NetworkSpec
    data: Dataset
    snapshots: pd.DatetimeIndex
    discount_rate: float
    buses: frozenset[str]
    with_slack: bool

    def value_of_lost_load(self, bus_carrier: str) -> float:
        """Price of unserved demand at a bus of ``bus_carrier`` ('gas' or 'AC'), EUR/MWh (data row)."""
        return self.data.parameter(VOLL_PARAMETER[bus_carrier])

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


def gas_asset_names(ctx: BuildContext) -> set[str]:
    """Names of every gas asset the spec may refer to."""
    names = set(ctx.data.table("gas_pipelines")["name"])
    names |= set(ctx.data.table("gas_supply")["name"])
    names |= set(ctx.data.table("gas_offtakes")["name"])
    names |= set(ctx.data.table("gas_alternatives")["name"])
    names |= set(ctx.data.table("gas_storage")["name"])
    return names


def power_asset_names(ctx: BuildContext, fleets: set[str]) -> set[str]:
    """Names of every electricity asset the spec may refer to (``fleets``: the wind and solar fleets,
    :func:`renewable_fleet_names`)."""
    names = set(ctx.data.table("power_links")["name"]) | set(ctx.data.table("thermal")["name"])
    zones = bus_zones(ctx.data.table("buses"))
    names |= {zone_asset_name(zones[bus], PEAKER_KIND) for bus in ctx.data.table("thermal")["bus"]}
    return names | fleets


def renewable_fleet_names(data: Dataset) -> set[str]:
    """Names of the wind and solar fleets of ``renewables.csv`` ('AZ solar', 'KZ onwind')."""
    zones = bus_zones(data.table("buses"))
    renewables = data.table("renewables")
    return {
        zone_asset_name(zones[bus], tech)
        for bus, tech in zip(renewables["bus"], renewables["technology"], strict=True)
    }


def _select_buses(spec: NetworkSpec, data: Dataset) -> frozenset[str]:
    buses = data.table("buses")
    known = set(buses["country"])
    for country in spec.countries or []:
        if country not in known:
            raise InputError(f"network '{spec.name}': field 'countries': unknown node {country!r}")
    carriers = {BUS_CARRIER[c] for c in spec.carriers}
    chosen = buses[buses["carrier"].isin(carriers)]
    if spec.countries is not None:
        chosen = chosen[chosen["country"].isin(spec.countries)]
    return frozenset(chosen["bus"])


def make_context(spec: NetworkSpec, data: Dataset, with_slack: bool = False) -> BuildContext:
    """Resolve snapshots, discount rate and buses, and check every name the spec uses; ``with_slack``
    adds priced unserved energy at every bus with fixed demand. The data must cover the model year."""
    check_year_coverage(spec, data)
    full = weather.hourly_index(spec.year)
    snapshots = full[spec.time.start_hour : spec.time.start_hour + spec.time.hours]
    ctx = BuildContext(
        spec=spec,
        data=data,
        snapshots=snapshots,
        discount_rate=spec.discount_rate or data.parameter("discount_rate"),
        buses=_select_buses(spec, data),
        with_slack=with_slack or spec.unserved_energy,
    )
    if not ctx.buses:
        raise InputError(f"network '{spec.name}': field 'countries': no bus of the chosen carriers is left")
    sized = set(ctx.data.table("gas_pipelines")["name"]) | set(ctx.data.table("power_links")["name"])
    fleets = renewable_fleet_names(data)
    check_names(ctx, gas_asset_names(ctx) | power_asset_names(ctx, fleets), sized, fleets)
    gas_buses = set(data.table("buses").query("carrier == 'gas'")["bus"])
    for bus in spec.markets.supply_scale:
        if bus not in gas_buses:
            raise InputError(f"network '{spec.name}': field 'markets.supply_scale': unknown gas bus {bus!r}")
    projects = set(data.table("projects")["project"])
    for project in spec.expansion.project_capex_scale:
        if project not in projects:
            raise InputError(
                f"network '{spec.name}': field 'expansion.project_capex_scale': unknown project {project!r}"
            )
    countries = set(data.table("buses")["country"])
    for country in spec.policy.co2_price_eur_t:
        if country not in countries:
            raise InputError(
                f"network '{spec.name}': field 'policy.co2_price_eur_t.{country}': no bus in country "
                f"{country!r} (buses.csv country: {', '.join(sorted(countries))})"
            )
    ttf_years = set(data.table("gas_ttf_monthly")["price_year"])
    if "gas" in spec.carriers and spec.markets.ttf_year not in ttf_years:
        shown = ", ".join(str(y) for y in sorted(ttf_years)) or "none"
        raise InputError(
            f"network '{spec.name}': field 'markets.ttf_year': {spec.markets.ttf_year} has no monthly TTF "
            f"in {data.root / 'gas_ttf_monthly.csv'} (years: {shown})"
        )
    return ctx
