"""Investment costs: annualisation and the LP relaxation of lumpy project options.

A project (``data/projects.csv``) offers discrete options (capacity added, overnight capex). The LP
builds any amount up to the largest option at the cost of the lower convex hull of the options
through (0, 0): one extendable segment per hull edge, each with its own EUR/MW/y. Because the hull is
convex, the LP fills the cheaper segments first; it is the tightest LP relaxation of "pick one option"
without fixed costs. In MILP mode (``expansion.milp``) the asset gets one free extendable link instead,
and :class:`LumpyProject` carries the options whose binaries the formulation adds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pandas as pd

from caspian.errors import InputError
from caspian.inputs.context import BuildContext
from caspian.inputs.tables import Dataset
from caspian.naming import (
    ASSET,
    BASE_SEGMENT,
    BUILD_MAX,
    CAPACITY_FROM,
    FIRST_SEGMENT,
    FROM_DATA,
    FROM_LP,
    FROM_SPEC,
    SEGMENT,
    expansion_name,
)
from caspian.units import bcm_per_year_to_mw, capital_recovery_factor

INVESTMENT_UNITS = {"EUR/kW": 1e3, "EUR/MW": 1.0}
"""Accepted units of a technology's investment row → factor to EUR/MW."""


@dataclass(frozen=True)
class Segment:
    """One extendable piece of a project: up to ``width_mw`` at ``annual_cost`` EUR/MW/y."""

    project: str
    index: int
    width_mw: float
    annual_cost_eur_per_mw: float


def annualised_cost(
    capex_eur_per_unit: float, fom_pct: float, lifetime_years: float, discount_rate: float
) -> float:
    """Annual cost of one unit of capacity, EUR/unit/y: capital recovery plus fixed O&M."""
    return capex_eur_per_unit * (capital_recovery_factor(discount_rate, lifetime_years) + fom_pct / 100)


def _option_capacity_mw(row: pd.Series) -> float:
    if row["unit"] == "bcm/y":
        return bcm_per_year_to_mw(row["capacity_added"])
    return float(row["capacity_added"])


def _lower_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Lower convex hull of (capacity, cost) points that include (0, 0), left to right."""
    hull: list[tuple[float, float]] = []
    for point in sorted(set(points)):
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            if (y2 - y1) * (point[0] - x1) >= (point[1] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(point)
    return hull


@dataclass(frozen=True)
class ProjectOption:
    """One discrete option of a project: capacity added (MW) and its annual cost (EUR/y, full year:
    annuity of the capex plus fixed O&M)."""

    option: str
    capacity_mw: float
    annual_cost_eur: float


@dataclass(frozen=True)
class LumpyProject:
    """A project the MILP builds as at most one of its options on the extendable ``link`` (and its
    reverse twin, tied to it); option costs are scaled to the modelled horizon."""

    project: str
    asset: str
    link: str
    options: tuple[ProjectOption, ...]


def project_options(
    data: Dataset,
    project: str,
    year: int,
    discount_rate: float,
    cap_mw: float | None = None,
    capex_scale: float = 1.0,
) -> list[ProjectOption]:
    """A project's options available by ``year`` whose capacity fits under ``cap_mw``, smallest first;
    ``capex_scale`` multiplies every option's capex (the spec's ``expansion.project_capex_scale``)."""
    rows = data.table("projects")
    rows = rows[(rows["project"] == project) & (rows["earliest_year"] <= year)]
    options = []
    for _, row in rows.iterrows():
        capacity = _option_capacity_mw(row)
        if cap_mw is not None and capacity > cap_mw * (1 + 1e-9):
            continue
        capex = data.to_price_year(row["capex_meur"] * 1e6, row["currency_year"]) * capex_scale
        annual = annualised_cost(capex, row["fom_pct"], row["lifetime_years"], discount_rate)
        options.append(ProjectOption(str(row["option"]), capacity, annual))
    return sorted(options, key=lambda o: o.capacity_mw)


def project_segments(
    data: Dataset,
    project: str,
    year: int,
    discount_rate: float,
    cap_mw: float | None = None,
    capex_scale: float = 1.0,
) -> list[Segment]:
    """Hull segments of a project's options available by ``year``, capped at ``cap_mw`` added, with
    capex multiplied by ``capex_scale``."""
    options = data.table("projects")
    options = options[(options["project"] == project) & (options["earliest_year"] <= year)]
    if options.empty:
        return []
    cheapest: dict[float, tuple[float, float, float]] = {}
    for _, row in options.iterrows():
        capacity = _option_capacity_mw(row)
        capex = data.to_price_year(row["capex_meur"] * 1e6, row["currency_year"]) * capex_scale
        if capacity not in cheapest or capex < cheapest[capacity][0]:
            cheapest[capacity] = (capex, row["fom_pct"], row["lifetime_years"])
    hull = _lower_hull([(0.0, 0.0), *((capacity, value[0]) for capacity, value in cheapest.items())])
    segments = []
    for index, ((x0, y0), (x1, y1)) in enumerate(itertools.pairwise(hull), start=1):
        width = x1 - x0
        if cap_mw is not None:
            width = min(width, cap_mw - x0)
        if width <= 0:
            break
        _capex, fom_pct, lifetime = cheapest[x1]
        capex_per_mw = (y1 - y0) / (x1 - x0)
        segments.append(
            Segment(
                project=project,
                index=index,
                width_mw=width,
                annual_cost_eur_per_mw=annualised_cost(capex_per_mw, fom_pct, lifetime, discount_rate),
            )
        )
    return segments


def capex_scale(ctx: BuildContext, project: str) -> float:
    """The spec's multiplier on ``project``'s capex (1 unless ``expansion.project_capex_scale`` sets one)."""
    return ctx.spec.expansion.project_capex_scale.get(project, 1.0)


def chosen_project(ctx: BuildContext, asset: str) -> str | None:
    """The project of ``spec.expansion.projects`` that expands ``asset`` (InputError if several)."""
    projects = ctx.data.table("projects")
    chosen = projects[(projects["asset"] == asset) & projects["project"].isin(ctx.spec.expansion.projects)]
    names = sorted(set(chosen["project"]))
    if len(names) > 1:
        raise InputError(
            f"network '{ctx.spec.name}': field 'expansion.projects': {', '.join(names)} all expand "
            f"{asset!r}; choose one"
        )
    return names[0] if names else None


def _remaining_mw(ctx: BuildContext, asset: str, p_nom_mw: float) -> float | None:
    cap = ctx.max_capacity_mw(asset)
    return None if cap is None else max(cap - p_nom_mw, 0.0)


def expansion_segments(ctx: BuildContext, asset: str, p_nom_mw: float) -> list[Segment]:
    """Segments the LP may build on ``asset`` (in service with ``p_nom_mw``): none unless in expansion
    mode with a project on that asset chosen and the asset's capacity not fixed by the spec. In MILP
    mode a single free segment as wide as the largest option: :func:`lumpy_project` prices it."""
    if not ctx.expansion or ctx.fixed_capacity_mw(asset) is not None:
        return []
    project = chosen_project(ctx, asset)
    if project is None:
        return []
    remaining = _remaining_mw(ctx, asset, p_nom_mw)
    if ctx.spec.expansion.milp:
        options = project_options(
            ctx.data, project, ctx.spec.year, ctx.discount_rate, remaining, capex_scale(ctx, project)
        )
        if not options:
            return []
        return [Segment(project, 1, max(o.capacity_mw for o in options), 0.0)]
    return project_segments(
        ctx.data, project, ctx.spec.year, ctx.discount_rate, remaining, capex_scale(ctx, project)
    )


def lumpy_project(ctx: BuildContext, asset: str, p_nom_mw: float) -> LumpyProject | None:
    """The MILP's view of the project on ``asset``: its options (annual costs scaled to the horizon)
    and the link that carries the capacity chosen; None outside MILP expansion or without options."""
    if not (ctx.expansion and ctx.spec.expansion.milp) or ctx.fixed_capacity_mw(asset) is not None:
        return None
    project = chosen_project(ctx, asset)
    if project is None:
        return None
    remaining = _remaining_mw(ctx, asset, p_nom_mw)
    options = project_options(
        ctx.data, project, ctx.spec.year, ctx.discount_rate, remaining, capex_scale(ctx, project)
    )
    if not options:
        return None
    scaled = tuple(
        ProjectOption(o.option, o.capacity_mw, o.annual_cost_eur * ctx.horizon_fraction) for o in options
    )
    return LumpyProject(project, asset, expansion_name(asset, FIRST_SEGMENT), scaled)


COSTING_YEAR = 9999
"""Year passed to :func:`project_segments` when pricing a capacity the user fixed: every option counts,
whatever its earliest year."""


def fixed_capacity_cost(ctx: BuildContext, asset: str, existing_mw: float, fixed_mw: float) -> float:
    """Annual cost (EUR/y, full year) of fixing ``asset`` at ``fixed_mw`` above its ``existing_mw``:
    the project's hull segments up to the added capacity, the last slope extended beyond the largest
    option. 0 when nothing is added or no project prices the asset."""
    added = fixed_mw - existing_mw
    projects = ctx.data.table("projects")
    names = sorted(set(projects.loc[projects["asset"] == asset, "project"]))
    chosen = [name for name in names if name in ctx.spec.expansion.projects]
    name = (chosen or names or [None])[0]
    if added <= 0 or name is None:
        return 0.0
    segments = project_segments(
        ctx.data, name, COSTING_YEAR, ctx.discount_rate, capex_scale=capex_scale(ctx, name)
    )
    cost, remaining = 0.0, added
    for seg in segments:
        width = min(seg.width_mw, remaining)
        cost += width * seg.annual_cost_eur_per_mw
        remaining -= width
    if remaining > 0 and segments:
        cost += remaining * segments[-1].annual_cost_eur_per_mw
    return cost


def pinned_capacity(
    ctx: BuildContext, asset: str, existing_mw: float, fixed_mw: float
) -> dict[str, float | bool]:
    """Link attributes that hold ``asset`` at ``fixed_mw`` while charging the investment above
    ``existing_mw`` (extendable with equal bounds, so the cost is in the objective and reported capex)."""
    annual = fixed_capacity_cost(ctx, asset, existing_mw, fixed_mw) * ctx.horizon_fraction
    return {
        "p_nom": fixed_mw,
        "p_nom_extendable": True,
        "p_nom_min": fixed_mw,
        "p_nom_max": fixed_mw,
        "capital_cost": annual / fixed_mw,
    }


def capacity_links(ctx: BuildContext, asset: str, existing_mw: float) -> list[tuple[str, dict[str, Any]]]:
    """The model links of a pipeline or interconnector as (name, attributes incl. the ``asset`` and
    ``segment`` label columns): the asset at its capacity in force or as fixed by the spec (pinned, with
    its investment charged, when fixed above what exists), then one extendable link per expansion
    segment the LP may build."""
    fixed = ctx.fixed_capacity_mw(asset)
    p_nom = existing_mw if fixed is None else fixed
    links: list[tuple[str, dict[str, Any]]] = []
    base = {ASSET: asset, SEGMENT: BASE_SEGMENT}
    if fixed is not None and fixed > existing_mw:
        pinned = pinned_capacity(ctx, asset, existing_mw, fixed)
        links.append((asset, {**pinned, **base, CAPACITY_FROM: FROM_SPEC, BUILD_MAX: fixed}))
    elif p_nom > 0:
        links.append((asset, {"p_nom": p_nom, **base, CAPACITY_FROM: FROM_DATA, BUILD_MAX: p_nom}))
    for seg in expansion_segments(ctx, asset, p_nom):
        attrs: dict[str, Any] = {
            "p_nom": 0.0,
            "p_nom_extendable": True,
            "p_nom_max": seg.width_mw,
            "capital_cost": seg.annual_cost_eur_per_mw * ctx.horizon_fraction,
            ASSET: asset,
            SEGMENT: seg.index,
            CAPACITY_FROM: FROM_LP,
            BUILD_MAX: seg.width_mw,
        }
        links.append((expansion_name(asset, seg.index), attrs))
    return links


def technology_annual_cost(data: Dataset, technology: str, discount_rate: float) -> float:
    """Annualised investment + FOM of a technology-data technology, EUR/MW/y (price year)."""
    rows = data.table("technology_costs")
    rows = rows[rows["technology"] == technology].set_index("parameter")
    if "investment" not in rows.index:
        raise InputError(
            f"{data.root / 'technology_costs.csv'}: field 'technology': no investment row for {technology!r}"
        )
    investment = rows.loc["investment"]
    if investment["unit"] not in INVESTMENT_UNITS:
        raise InputError(
            f"{data.root / 'technology_costs.csv'}: field 'unit': {technology} investment in "
            f"{investment['unit']!r}, expected one of {', '.join(INVESTMENT_UNITS)} (inconsistent units)"
        )
    per_mw = investment["value"] * INVESTMENT_UNITS[investment["unit"]]
    per_mw = data.to_price_year(per_mw, investment["currency_year"])
    fom = float(rows.loc["FOM", "value"]) if "FOM" in rows.index else 0.0
    lifetime = float(rows.loc["lifetime", "value"])
    return annualised_cost(per_mw, fom, lifetime, discount_rate)
