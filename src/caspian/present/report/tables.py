"""Tables of a run report as plain rows (lists of strings) for the templates: headline flows by market
and by route, bottlenecks, capacity built and costs, provenance and the `estimate` data rows the run
depends on."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pypsa
import xarray as xr

from caspian.inputs.fleets import unit_size_row
from caspian.inputs.tables import Dataset, delivery_buses, in_force
from caspian.naming import ASSET, GAS_FIRED_CARRIER
from caspian.present.labels import bus_labels, europe_label
from caspian.present.text import model_size_text, options_text, signed_zero_free
from caspian.results.backcast import BACKCAST_NOTE, metric_label
from caspian.results.bottlenecks import EUR_PER_M, LIMIT_COLUMNS_NOTE, Bottleneck
from caspian.results.flows import CORRIDOR_GAS_NOTE, UNSERVED
from caspian.results.prices import NON_UNIQUE_NOTE, non_unique_buses, price_cell
from caspian.results.views import annual_factor
from caspian.units import MWH_PER_BCM, MWH_PER_TWH

NOTE_CHARS, SOURCE_CHARS = 160, 90
"""Characters of a data row's note and source shown in the provenance table (the CSV has them whole)."""
EUR_PER_BN = 1e9

TABLE_KEYS = {
    "buses": ("bus", "bus"),
    "gas_pipelines": ("name", "asset"),
    "power_links": ("name", "asset"),
    "gas_supply": ("name", "component"),
    "gas_offtakes": ("name", "component"),
    "gas_markets": ("bus", "bus"),
    "gas_alternatives": ("bus", "bus"),
    "gas_demand_monthly": ("bus", "bus"),
    "gas_storage": ("name", "component"),
    "gas_tariffs": ("pipeline", "asset"),
    "gas_outlets": ("bus", "bus"),
    "power_markets": ("bus", "bus"),
    "electricity_demand": ("bus", "bus"),
    "renewables": ("bus", "bus"),
    "thermal": ("name", "component"),
    "projects": ("project", "project"),
    "parameters": ("parameter", "global"),
}
"""For each data table: the key column, and what it must name for a row to count as used by a run
(a bus, an asset, a component, a chosen project, or every row for global parameters)."""


@dataclass(frozen=True)
class Table:
    """A titled table of strings; ``align`` is 'l' or 'r' per column."""

    title: str
    header: list[str]
    rows: list[list[str]]
    align: str
    note: str = ""
    """A footnote shown under the table (empty: none)."""

    @property
    def aligns(self) -> list[str]:
        """'left'/'right' per column (for HTML)."""
        return ["left" if a == "l" else "right" for a in self.align]


def _values(ds: xr.Dataset, name: str) -> pd.Series:
    if name not in ds:
        return pd.Series(dtype=float)
    return ds[name].to_series()


def gas_market_table(ds: xr.Dataset, buses: pd.DataFrame) -> Table | None:
    """Gas delivered per market (bcm/y, TWh/y) with the market's mean price; ``buses`` the network's."""
    bcm, twh, price = (
        _values(ds, "gas_delivery_bcm"),
        _values(ds, "gas_delivery_twh"),
        _values(ds, "price_eur_mwh"),
    )
    if bcm.empty:
        return None
    labels = bus_labels(buses)
    rows = [
        [
            labels.get(bus, bus),
            f"{bcm[bus]:.2f}",
            f"{twh[bus]:.1f}",
            price_cell(ds, bus, price.get(bus, float("nan")), 2),
        ]
        for bus in bcm.index
    ]
    rows.append(
        [
            europe_label(buses, "gas"),
            f"{float(ds.gas_to_europe_bcm):.2f}",
            f"{float(ds.gas_to_europe_bcm) * MWH_PER_BCM / MWH_PER_TWH:.1f}",
            "",
        ]
    )
    note = CORRIDOR_GAS_NOTE + (f" {NON_UNIQUE_NOTE}" if non_unique_buses(ds) & set(bcm.index) else "")
    return Table("Corridor gas by market", ["market", "bcm/y", "TWh/y", "price EUR/MWh"], rows, "lrrr", note)


def gas_route_table(paths: pd.DataFrame, buses: pd.DataFrame) -> Table | None:
    """Gas into European markets by route (bcm/y) and by supply; ``paths`` from
    :func:`caspian.results.flows.gas_flow_paths` labelled with :func:`bus_labels` of ``buses``."""
    labels = bus_labels(buses)
    consumers = {labels[bus] for bus in delivery_buses(buses, "gas", europe_only=True)}
    europe = paths[paths.consumer.isin(consumers) & (paths.route != UNSERVED)]
    if europe.empty:
        return None
    pivot = europe.pivot_table(index="route", columns="consumer", values="bcm", aggfunc="sum").fillna(0.0)
    pivot["total"] = pivot.sum(axis=1)
    pivot = pivot.sort_values("total", ascending=False)
    header = ["route", *[c for c in pivot.columns]]
    rows = [[str(route), *[f"{v:.2f}" for v in row]] for route, row in pivot.iterrows()]
    return Table("Gas into Europe by route (bcm/y)", header, rows, "l" + "r" * (len(header) - 1))


def power_market_table(ds: xr.Dataset, buses: pd.DataFrame) -> Table | None:
    """Electricity sold per market (TWh/y) with the market's mean price; ``buses`` the network's."""
    sales, price = _values(ds, "power_sales_twh"), _values(ds, "power_market_price_eur_mwh")
    if sales.empty:
        return None
    labels = bus_labels(buses)
    rows = [
        [labels.get(bus, bus), f"{sales[bus]:.2f}", f"{price.get(bus, float('nan')):.1f}"]
        for bus in sales.index
    ]
    rows.append([europe_label(buses, "AC"), f"{float(ds.power_to_europe_twh):.2f}", ""])
    return Table(
        "Electricity by market (corridor sales)", ["market", "TWh/y", "market price EUR/MWh"], rows, "lrr"
    )


def cable_table(ds: xr.Dataset) -> Table | None:
    """Flows, capacity and utilisation of each power link."""
    fwd = _values(ds, "cable_forward_twh")
    if fwd.empty:
        return None
    rev, cap, util = (_values(ds, k) for k in ("cable_reverse_twh", "cable_capacity_mw", "cable_utilisation"))
    rows = [
        [name, f"{fwd[name]:.2f}", f"{rev[name]:.2f}", f"{cap[name]:,.0f}", f"{util[name]:.0%}"]
        for name in fwd.index
    ]
    return Table(
        "Electricity by link",
        ["link", "forward TWh/y", "reverse TWh/y", "capacity MW", "utilisation"],
        rows,
        "lrrrr",
    )


def bottleneck_table(binding: list[Bottleneck]) -> Table:
    """Binding limits: shadow price, next step's annuity and the net value of one more step (see
    :class:`Bottleneck`); the note says what each column means."""
    rows = [
        [
            b.asset,
            b.kind,
            b.capacity_label,
            f"{b.hours_at_limit:,.0f}",
            f"{b.shadow_eur_per_mw_y:,.0f}",
            f"{b.next_step_annuity_eur_per_mw_y:,.0f}" if b.has_next_step else "—",
            b.step_label,
            signed_zero_free(f"{b.net_step_value_eur_y / EUR_PER_M:,.2f}") if b.has_next_step else "—",
            b.status,
        ]
        for b in binding
    ]
    return Table(
        "Binding limits",
        [
            "limit",
            "kind",
            "capacity",
            "hours at limit /y",
            "shadow price EUR/MW/y",
            "next step annuity EUR/MW/y",
            "step",
            "net value of the step M EUR/y",
            "status",
        ],
        rows,
        "llrrrrlrl",
        note=LIMIT_COLUMNS_NOTE,
    )


def built_table(ds: xr.Dataset, n: pypsa.Network) -> Table | None:
    """Capacity added by the optimum, or fixed by the spec above what exists (its annuity is charged
    too), with its annualised cost."""
    rows = []
    for kind, unit, built_var, capex_var, capacity_var in (
        ("pipeline", "bcm/y", "pipeline_built_bcm", "pipeline_capex_eur_y", "pipeline_capacity_bcm"),
        ("cable", "MW", "cable_built_mw", "cable_capex_eur_y", "cable_capacity_mw"),
    ):
        built, capex, capacity = _values(ds, built_var), _values(ds, capex_var), _values(ds, capacity_var)
        for name, cost in capex.items():
            if cost <= 0:
                continue
            amount = (
                f"{built[name]:,.2f} {unit}" if built[name] > 0 else f"fixed at {capacity[name]:,.2f} {unit}"
            )
            rows.append([name, kind, amount, f"{cost / EUR_PER_M:,.1f}"])
    factor = annual_factor(n)
    gens = n.generators[n.generators.p_nom_extendable & (n.generators.p_nom_opt > 0)]
    plants = n.links[
        n.links.p_nom_extendable & (n.links.carrier == GAS_FIRED_CARRIER) & (n.links.p_nom_opt > 0)
    ]
    for name, row in gens.iterrows():
        rows.append(
            [
                str(name),
                str(row.carrier),
                f"{row.p_nom_opt:,.0f} MW",
                f"{row.capital_cost * row.p_nom_opt * factor / EUR_PER_M:,.1f}",
            ]
        )
    for name, row in plants.iterrows():
        rows.append(
            [
                str(name),
                "gas-fired",
                f"{row.p_nom_opt * row.efficiency:,.0f} MW (electric)",
                f"{row.capital_cost * row.p_nom_opt * factor / EUR_PER_M:,.1f}",
            ]
        )
    if not rows:
        return None
    return Table(
        "Capacity built", ["asset", "kind", "capacity added", "annualised cost M EUR/y"], rows, "llrr"
    )


def cost_table(ds: xr.Dataset) -> Table:
    """System cost split into capex, opex, the markets' other gas, start-ups, the unserved-energy penalty
    and market revenue, bn EUR/y; the items add up to the net system cost."""
    names = {
        "capex_eur_y": "annualised investment (capex)",
        "opex_eur_y": "operating cost (supply, fuel, O&M, tariffs, storage cycling)",
        "gas_import_cost_eur_y": "markets' non-corridor gas (LNG, other pipelines, demand response)",
        "startup_cost_eur_y": "start-ups of committed plants (unit commitment)",
        "unserved_cost_eur_y": "unserved energy at the value of lost load (penalty)",
        "market_net_revenue_eur_y": "market revenue (sales minus purchases)",
        "objective_eur_y": "net system cost (objective)",
        "objective_excl_unserved_eur_y": "net system cost without the unserved-energy penalty",
    }
    rows = [[label, f"{float(ds[key]) / EUR_PER_BN:,.3f}"] for key, label in names.items() if key in ds]
    return Table("System cost", ["item", "bn EUR/y"], rows, "lr")


def rent_table(ds: xr.Dataset) -> Table | None:
    """Who earns the corridor's gas rent, M EUR/y: per pipeline the tariffs collected and the scarcity
    rent of its capacity, per supply its upstream margin (:mod:`caspian.results.rents`)."""
    if "transit_rent_eur_y" not in ds and "upstream_margin_eur_y" not in ds:
        return None
    rows = []
    if "transit_rent_eur_y" in ds:
        transit = ds.transit_rent_eur_y.to_series()
        scarcity = ds.scarcity_rent_eur_y.to_series()
        for pipe in transit.index:
            if abs(transit[pipe]) + abs(scarcity[pipe]) > 0.5 * EUR_PER_M:
                rows.append(
                    [
                        f"pipeline {pipe}",
                        "",
                        f"{transit[pipe] / EUR_PER_M:,.1f}",
                        f"{scarcity[pipe] / EUR_PER_M:,.1f}",
                    ]
                )
    if "upstream_margin_eur_y" in ds:
        for supply, margin in ds.upstream_margin_eur_y.to_series().items():
            if abs(margin) > 0.5 * EUR_PER_M:
                rows.append([f"supply {supply}", f"{margin / EUR_PER_M:,.1f}", "", ""])
    note = (
        "upstream margin = (price at the supply's bus − its marginal cost) × output; transit = tariff × gas "
        "sent; scarcity = shadow price of capacity × capacity. Along a full pipeline, price downstream − "
        "upstream = tariff + scarcity per MWh."
    )
    return Table(
        "Corridor rent split (M EUR/y)",
        ["who", "upstream margin", "transit tariffs", "scarcity rent"],
        rows,
        "lrrr",
        note,
    )


def _used_keys(n: pypsa.Network, projects: list[str]) -> dict[str, set[str]]:
    assets = set(n.links[ASSET])
    components = set(n.generators.index) | set(n.loads.index) | set(n.storage_units.index)
    return {"bus": set(n.buses.index), "asset": assets, "component": components, "project": set(projects)}


def estimate_rows(data: Dataset, n: pypsa.Network, year: int, projects: list[str]) -> Table:
    """Data rows marked `estimate` that this run uses: rows in force in ``year`` whose key names a bus,
    asset, component or chosen project of the run, and global parameters."""
    used = _used_keys(n, projects)
    rows = []
    for table, (key, kind) in TABLE_KEYS.items():
        frame = data.table(table)
        keys = {
            "renewables": [key, "technology"],
            "projects": [key, "option"],
            "gas_alternatives": [key, "name"],
            "gas_demand_monthly": [key, "month"],
        }.get(table, [key])
        if "from_year" in frame.columns:
            frame = in_force(frame, keys, year)
        if "earliest_year" in frame.columns:
            frame = frame[frame.earliest_year <= year]
        frame = frame[frame.confidence == "estimate"]
        if kind != "global":
            frame = frame[frame[key].isin(used[kind])]
        for _, row in frame.iterrows():
            label = " · ".join(str(row[k]) for k in keys)
            note = str(row.get("note", "") or "")
            rows.append(
                [
                    f"{table}.csv" + (" (global)" if kind == "global" else ""),
                    label,
                    _short(note, 160),
                    _short(str(row["source"]), 90),
                ]
            )
    return Table(
        "Data rows marked 'estimate' used by this run", ["table", "row", "note", "source"], rows, "llll"
    )


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def overlays_text(run: dict) -> str:
    """The data overlays a run recorded, each ``path (digest d)``; 'none' when it used none."""
    overlays = run.get("data_overlays") or []
    return "; ".join(f"{o.get('path', '')} (digest {o.get('digest', '')})" for o in overlays) or "none"


def provenance_table(run: dict, data_digest_now: str) -> Table:
    """Network, scenario, overrides, resolution, solver, status, versions, input hash, data digest and
    the data overlays (path and digest)."""
    resolution = run.get("time_resolution", {})
    solver = run.get("solver", {})
    versions = ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items())
    overrides = ", ".join(f"{k}={v}" for k, v in (run.get("overrides") or {}).items()) or "none"
    digest = run.get("data_digest", "")
    data_note = (
        digest if digest == data_digest_now else f"{digest} (data/ now {data_digest_now}: changed since)"
    )
    rows = [
        ["network", str(run.get("network_file", ""))],
        ["scenario", str(run.get("scenario") or "base")],
        ["overrides", overrides],
        ["year, mode", f"{run['spec']['year']}, {run['spec']['mode']}"],
        [
            "time",
            f"{resolution.get('method', '')}, {resolution.get('snapshots', '')} snapshots covering "
            f"{resolution.get('hours', '')} h from {resolution.get('first_snapshot', '')}",
        ],
        ["solver", f"{solver.get('name', '')}; options: {options_text(solver.get('options'))}"],
        ["status", f"{run.get('status', '')} ({run.get('termination_condition', '')})"],
        ["model size", model_size_text(run.get("model_size"))],
        ["timings, s", ", ".join(f"{k.removesuffix('_s')} {v}" for k, v in run.get("timings_s", {}).items())],
        ["input hash", str(run.get("input_hash", ""))],
        ["data digest", data_note],
        ["data overlays", overlays_text(run)],
        ["versions", versions],
        ["created", str(run.get("created", ""))],
    ]
    return Table("Run and inputs", ["item", "value"], rows, "ll")


def backcast_table(comparison: pd.DataFrame) -> Table | None:
    """Observed vs modelled flows of the model year (the terminal's backcast table); None when the data
    hold no observed flow of that year."""
    if comparison.empty:
        return None
    rows = [
        [
            metric_label(str(row["metric"])),
            str(row["unit"]),
            f"{row['observed']:.3g}",
            f"{row['modelled']:.3g}",
            f"{row['deviation']:+.1%}",
        ]
        for _, row in comparison.iterrows()
    ]
    return Table(
        "Flows of the model year",
        ["metric", "unit", "observed", "modelled", "deviation"],
        rows,
        "llrrr",
        note=BACKCAST_NOTE,
    )


def profile_table(run: dict) -> Table:
    """Which hourly profiles the run used (generated or user files)."""
    rows = [[name, str(text)] for name, text in (run.get("profiles") or {}).items()]
    return Table("Profiles used", ["series", "source"], rows, "ll")


def commitment_table(run: dict, data: Dataset) -> Table | None:
    """Committed gas-fired plants (unit commitment runs): units, unit size, starts and mean units online
    over the horizon, with the confidence of the unit size."""
    committed = run.get("commitment") or {}
    if not committed:
        return None
    rows = []
    for name, fleet in committed.items():
        row = unit_size_row(data, name)
        units = "extendable" if fleet["units"] is None else f"{fleet['units']:,}"
        rows.append(
            [
                name,
                units,
                f"{fleet['unit_size_mw']:,.0f}",
                f"{fleet['starts']:,.0f}",
                f"{fleet['mean_online']:,.1f}",
                f"{row['commitment']}, {row['confidence']}",
            ]
        )
    return Table(
        "Unit commitment over the horizon",
        ["plant", "units", "unit MW", "starts", "mean units online", "limits, unit-size confidence"],
        rows,
        "lrrrrl",
    )
