"""Terminal tables (rich) for ``caspian validate`` and ``caspian solve``."""

from __future__ import annotations

import math

import pandas as pd
import pypsa
import xarray as xr
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caspian.inputs.rows import SUPPLY_ROLE
from caspian.inputs.spec import NetworkSpec
from caspian.inputs.tables import Dataset
from caspian.present.labels import bus_labels, europe_label
from caspian.present.text import model_size_text, signed_zero_free
from caspian.pypsa_model.solve import MipResult
from caspian.results.backcast import BACKCAST_NOTE, metric_label
from caspian.results.bottlenecks import EUR_PER_M, LIMIT_COLUMNS_NOTE
from caspian.results.flows import CORRIDOR_GAS_NOTE
from caspian.results.prices import NON_UNIQUE_NOTE, non_unique_buses, price_cell
from caspian.runs.single import RunResult
from caspian.sweep.orchestrate import SweepOutcome


def print_validation(console: Console, spec: NetworkSpec, data: Dataset, n: pypsa.Network) -> None:
    """What the network file resolves to: counts of components, horizon, candidates."""
    table = Table(title=escape(f"{spec.name}: {spec.year}, {spec.mode}, {', '.join(spec.carriers)}"))
    table.add_column("component")
    table.add_column("count", justify="right")
    table.add_column("of which extendable", justify="right")
    for component in ("Bus", "Link", "Generator", "Load", "StorageUnit"):
        static = n.components[component].static
        ext = int(static["p_nom_extendable"].sum()) if "p_nom_extendable" in static else 0
        table.add_row(component, str(len(static)), str(ext))
    console.print(table)
    weights = n.snapshot_weightings.objective
    console.print(
        f"snapshots: {len(n.snapshots)} covering {weights.sum():.0f} h from {n.snapshots[0]}; "
        f"data: {sum(data.rows_by_file.values())} rows in {len(data.rows_by_file)} tables "
        f"(digest {data.digest})"
    )
    for overlay in data.overlays:
        console.print(
            f"data overlay: {overlay.path} (digest {overlay.digest})", markup=False, highlight=False
        )
    console.print("[green]inputs are valid[/]")


def _series(ds: xr.Dataset, name: str) -> dict[str, float]:
    if name not in ds:
        return {}
    var = ds[name]
    return {str(k): float(v) for k, v in zip(var[var.dims[0]].values, var.values, strict=True)}


def _gas_tables(console: Console, ds: xr.Dataset, buses: pd.DataFrame) -> None:
    bcm, twh, prices = (
        _series(ds, "gas_delivery_bcm"),
        _series(ds, "gas_delivery_twh"),
        _series(ds, "price_eur_mwh"),
    )
    labels = bus_labels(buses)
    if bcm:
        table = Table(title="Corridor gas to markets", caption=CORRIDOR_GAS_NOTE)
        for col in ("market", "bcm/y", "TWh/y", "price EUR/MWh"):
            table.add_column(col, justify="left" if col == "market" else "right")
        for bus, value in bcm.items():
            table.add_row(
                escape(labels.get(bus, bus)),
                f"{value:.2f}",
                f"{twh[bus]:.1f}",
                price_cell(ds, bus, prices.get(bus, 0), 2),
            )
        total = float(ds["gas_to_europe_bcm"])
        table.add_row(f"[bold]{escape(europe_label(buses, 'gas'))}", f"[bold]{total:.2f}", "", "")
        if non_unique_buses(ds) & set(bcm):
            table.caption = f"{CORRIDOR_GAS_NOTE}\n{NON_UNIQUE_NOTE}"
        console.print(table)
    supplies = [b for b in prices if b in buses.index and buses.at[b, "role"] == SUPPLY_ROLE]
    if supplies and bcm:
        at = ", ".join(f"{labels.get(b, b)} {prices[b]:.2f}" for b in supplies)
        console.print(f"gas price at the supplies, EUR/MWh (mean over the hours): {escape(at)}")
    flows = _series(ds, "pipeline_flow_bcm")
    if flows:
        routes = dict(zip(ds["pipeline"].values, ds["route"].values, strict=True))
        cap, util = _series(ds, "pipeline_capacity_bcm"), _series(ds, "pipeline_utilisation")
        built = _series(ds, "pipeline_built_bcm")
        table = Table(title="Gas by route and pipeline")
        for col in (
            "route",
            "pipeline",
            "flow bcm/y",
            "capacity bcm/y",
            "built bcm/y",
            "utilisation",
        ):
            table.add_column(col, justify="left" if col in ("route", "pipeline") else "right")
        for name in sorted(flows, key=lambda p: (routes[p], p)):
            table.add_row(
                escape(str(routes[name])),
                escape(name),
                f"{flows[name]:.2f}",
                f"{cap[name]:.2f}",
                f"{built[name]:.2f}",
                f"{util[name]:.0%}",
            )
        console.print(table)


def _power_tables(console: Console, ds: xr.Dataset, buses: pd.DataFrame) -> None:
    fwd = _series(ds, "cable_forward_twh")
    if fwd:
        rev, cap = _series(ds, "cable_reverse_twh"), _series(ds, "cable_capacity_mw")
        built, util = _series(ds, "cable_built_mw"), _series(ds, "cable_utilisation")
        table = Table(title="Electricity by cable")
        for col in (
            "cable",
            "forward TWh/y",
            "reverse TWh/y",
            "capacity MW",
            "built MW",
            "utilisation",
        ):
            table.add_column(col, justify="left" if col == "cable" else "right")
        for name in sorted(fwd):
            table.add_row(
                escape(name),
                f"{fwd[name]:.2f}",
                f"{rev[name]:.2f}",
                f"{cap[name]:.0f}",
                f"{built[name]:.0f}",
                f"{util[name]:.0%}",
            )
        console.print(table)
    sales, prices = _series(ds, "power_sales_twh"), _series(ds, "power_market_price_eur_mwh")
    if sales:
        table = Table(title="Electricity to markets (corridor sales)")
        for col in ("market", "TWh/y", "market price EUR/MWh"):
            table.add_column(col, justify="left" if col == "market" else "right")
        labels = bus_labels(buses)
        for bus, value in sales.items():
            table.add_row(escape(labels.get(bus, bus)), f"{value:.2f}", f"{prices.get(bus, 0):.1f}")
        total = float(ds["power_to_europe_twh"])
        table.add_row(f"[bold]{escape(europe_label(buses, 'AC'))}", f"[bold]{total:.2f}", "")
        console.print(table)


def _policy_lines(console: Console, ds: xr.Dataset) -> None:
    """CBAM at the EU border (what entered, what was matched, what was charged), the enforced renewable
    targets (share reached and marginal cost) and the power plants' CO2 by country."""
    delivered = _series(ds, "cbam_delivered_twh")
    if delivered:
        total = sum(delivered.values())
        matched = sum(_series(ds, "cbam_matched_twh").values())
        share = f" ({matched / total:.0%})" if total > 0 else ""
        charge = float(ds["cbam_charge_eur_y"]) / 1e6 if "cbam_charge_eur_y" in ds else 0.0
        console.print(
            f"CBAM at the EU border: {total:.2f} TWh/y delivered, {matched:.2f} matched hour by hour by the "
            f"exporters' wind and solar{share}, charge {charge:,.1f} M EUR/y on the rest"
        )
    reached, shadow = _series(ds, "target_share_reached"), _series(ds, "target_shadow_price")
    if reached:
        units = dict(zip(ds["target"].values, ds["target_unit"].values, strict=True))
        parts = [
            f"{target} {share:.1%} "
            + (f"at {shadow[target]:,.1f} {units[target]}" if shadow[target] > 0 else "(not binding)")
            for target, share in reached.items()
        ]
        console.print("Renewable targets (share reached, marginal cost): " + "; ".join(parts))
    emissions = _series(ds, "co2_emissions_mt")
    if emissions:
        shown = ", ".join(f"{country} {value:.1f}" for country, value in sorted(emissions.items()))
        console.print(f"CO2 of the modelled power plants, Mt/y: {shown}")


def _bottlenecks(console: Console, ds: xr.Dataset) -> None:
    """The binding limits of summary.nc's ``limit`` table (the report's list, in its order), with the
    three columns of :class:`caspian.results.bottlenecks.Bottleneck` and what each means."""
    if "limit" not in ds.dims or not ds.sizes["limit"]:
        console.print("no capacity limit binds")
        return
    table = Table(title="Binding limits", caption=LIMIT_COLUMNS_NOTE, caption_justify="left")
    for col in ("limit", "kind", "shadow EUR/MW/y", "next step EUR/MW/y", "step", "net M EUR/y", "status"):
        table.add_column(col, justify="left" if col in ("limit", "kind", "step", "status") else "right")
    for i in range(ds.sizes["limit"]):
        row = ds.isel(limit=i)
        table.add_row(
            escape(str(row.limit.values)),
            escape(str(row.limit_kind.values)),
            f"{float(row.limit_shadow_eur_per_mw_y):,.0f}",
            _or_dash(float(row.limit_next_step_annuity_eur_per_mw_y), 1.0, "{:,.0f}"),
            escape(str(row.limit_step.values)),
            _or_dash(float(row.limit_net_step_value_eur_y), EUR_PER_M, "{:,.1f}"),
            escape(str(row.limit_status.values)),
        )
    console.print(table)


def _or_dash(value: float, divisor: float, fmt: str) -> str:
    """``value / divisor`` formatted, or an em dash where the value does not exist (NaN)."""
    return signed_zero_free(fmt.format(value / divisor)) if math.isfinite(value) else "—"


def _built(console: Console, ds: xr.Dataset) -> None:
    items = [(k, f"{v:.2f} bcm/y") for k, v in _series(ds, "pipeline_built_bcm").items() if v > 1e-6]
    items += [(k, f"{v:,.0f} MW") for k, v in _series(ds, "cable_built_mw").items() if v > 1e-3]
    items += [(k, f"{v:,.0f} MW") for k, v in _series(ds, "generator_built_mw").items() if v > 1e-3]
    if not items:
        console.print("capacity built: none")
        return
    table = Table(title="Capacity built")
    table.add_column("asset")
    table.add_column("capacity", justify="right")
    for name, value in items:
        table.add_row(escape(name), value)
    console.print(table)


def print_backcast(console: Console, comparison: pd.DataFrame) -> None:
    """Observed vs modelled flows of the model year."""
    if comparison.empty:
        return
    table = Table(title="Backcast: observed vs modelled", caption=BACKCAST_NOTE)
    for col in ("metric", "unit", "observed", "modelled", "deviation"):
        table.add_column(col, justify="left" if col in ("metric", "unit") else "right")
    for _, row in comparison.iterrows():
        table.add_row(
            escape(metric_label(str(row["metric"]))),
            escape(str(row["unit"])),
            f"{row['observed']:.3g}",
            f"{row['modelled']:.3g}",
            f"{row['deviation']:+.1%}",
        )
    console.print(table)


def cost_equation(ds: xr.Dataset) -> str:
    """The run's net system cost as an equation of its terms, bn EUR/y (a term that rounds to zero
    keeps no minus sign: a market net revenue of −0.0004 is "− market net revenue 0.000")."""

    def bn(name: str) -> float:
        return float(ds[name]) / 1e9 if name in ds else 0.0

    objective, imports, startup, cbam, unserved = (
        bn(k)
        for k in (
            "objective_eur_y",
            "gas_import_cost_eur_y",
            "startup_cost_eur_y",
            "cbam_charge_eur_y",
            "unserved_cost_eur_y",
        )
    )
    revenue = bn("market_net_revenue_eur_y")
    shown = signed_zero_free(f"{revenue:.3f}")
    return (
        f"system cost {objective:.3f} bn EUR/y = capex {bn('capex_eur_y'):.3f} + opex {bn('opex_eur_y'):.3f} "
        + (f"+ markets' other gas {imports:.3f} " if imports else "")
        + (f"+ start-ups {startup:.3f} " if startup else "")
        + (f"+ CBAM {cbam:.3f} " if round(cbam, 3) else "")
        + (f"+ unserved-energy penalty {unserved:.3f} " if unserved else "")
        + (
            f"− market net revenue {shown}"
            if not shown.startswith("-")
            else f"+ market net cost {-revenue:.3f}"
        )
        + (f"; {objective - unserved:.3f} without the penalty" if unserved else "")
    )


def print_summary(console: Console, result: RunResult) -> None:
    """Headline tables of a finished run and its directory."""
    ds = result.summary
    _gas_tables(console, ds, result.buses)
    _power_tables(console, ds, result.buses)
    _policy_lines(console, ds)
    _bottlenecks(console, ds)
    _built(console, ds)
    print_backcast(console, result.backcast)
    console.print(cost_equation(ds))
    timings = ", ".join(f"{k.removesuffix('_s')} {v:.1f} s" for k, v in result.timings.items())
    console.print(
        f"{result.outcome.condition}; {timings}; model {model_size_text(result.outcome.model_size)}",
        markup=False,
    )
    mip = result.outcome.mip
    if mip is not None:
        chosen = ", ".join(f"{project}: {option or 'not built'}" for project, option in mip.choices.items())
        proof = "proven optimal" if mip.proven_optimal else f"NOT proven optimal (stopped: {mip.condition})"
        console.print(
            f"MILP {proof}: gap {mip.gap:.2%}, bound {mip.bound:,.0f} EUR, {mip.nodes} nodes, "
            f"{mip.seconds:.1f} s" + _start_text(mip) + (f"; options: {chosen}" if chosen else ""),
            soft_wrap=True,
            markup=False,
        )
    if result.outcome.commitment:
        fleets = "; ".join(
            f"{name} {'extendable' if c.units is None else c.units} × {c.unit_size_mw:,.0f} MW, "
            f"{c.starts:,.0f} starts, {c.mean_online:,.1f} online on average"
            for name, c in result.outcome.commitment.items()
        )
        console.print(f"unit commitment over the horizon: {fleets}", soft_wrap=True, markup=False)
    console.print(f"run directory: [bold]{escape(str(result.directory))}[/]", soft_wrap=True)


def _start_text(mip: MipResult) -> str:
    if mip.start_objective is None:
        return ""
    rejected = " (rejected by HiGHS)" if mip.start_accepted is False else ""
    return f", started from {mip.start_objective:,.0f} EUR{rejected}"


SWEEP_ROUTES = (
    ("pipeline_flow_bcm", "pipeline", "Trans-Caspian", "TCP", "Trans-Caspian flow, bcm/y"),
    ("pipeline_flow_bcm", "pipeline", "SCP", "SCP", "SCP flow, bcm/y"),
    ("pipeline_flow_bcm", "pipeline", "TAP", "TAP", "TAP flow, bcm/y"),
    ("cable_forward_twh", "cable", "Caspian cable", "CasC", "Caspian cable, TWh/y"),
    ("cable_forward_twh", "cable", "Black Sea cable", "BSC", "Black Sea cable, TWh/y"),
)
"""Per-route flows shown in the sweep table when the sweep's network has the asset: (variable,
dimension, asset, short column title, its meaning in the legend)."""

SWEEP_TOTALS = (
    ("gas_to_europe_bcm", "pipeline", "EU gas", "gas to Europe, bcm/y", 1.0),
    ("power_to_europe_twh", "cable", "EU power", "electricity to Europe, TWh/y", 1.0),
    ("unserved_total_twh", "", "unserved", "unserved energy, TWh/y", 1.0),
    ("capex_eur_y", "", "capex", "annualised capex, bn EUR/y", 1e-9),
    ("objective_eur_y", "", "net", "net system cost, bn EUR/y", 1e-9),
    (
        "objective_excl_unserved_eur_y",
        "",
        "net excl.",
        "net system cost without the unserved-energy penalty, bn EUR/y",
        1e-9,
    ),
)
"""Headline columns: (variable, dimension the carrier needs, short title, legend text, scale)."""

NET_COST_NOTE = (
    "net system cost = annualised capex + operating cost + the gas markets' non-corridor supply − power "
    "market revenue (compare cases, not its level)"
)


def _sweep_columns(ds: xr.Dataset) -> list[tuple[str, str, xr.DataArray]]:
    columns = []
    for var, dim, asset, title, legend in SWEEP_ROUTES:
        if var in ds and asset in ds[dim].values:
            columns.append((title, legend, ds[var].sel({dim: asset})))
    for var, dim, title, legend, scale in SWEEP_TOTALS:
        if var in ds and (not dim or dim in ds.dims):
            columns.append((title, legend, ds[var] * scale))
    return columns


def _short_parameter(name: str) -> str:
    """A swept parameter's column title: the last part of its dotted path (``markets.ttf_year`` →
    ``ttf_year``); the legend names the full path."""
    return name.rsplit(".", 1)[-1]


def print_sweep(console: Console, outcome: SweepOutcome) -> None:
    """Compact table per case (short column titles, explained in a legend below so that it fits 120
    columns): swept parameters (or the case label), flows on the corridor's main routes (0 where a case
    has no such asset), flows to Europe, unserved energy, capex and net system cost; then where the
    outputs are."""
    ds = outcome.dataset
    table = Table(
        title=escape(f"Sweep: {outcome.directory.name} ({len(outcome.cases)} cases, {outcome.reused} reused)")
    )
    parameters = [name for name, _value in outcome.cases[0].parameters] if outcome.cases else []
    for header in parameters or ["case"]:
        table.add_column(escape(_short_parameter(header)), justify="right" if parameters else "left")
    table.add_column("status")
    columns = _sweep_columns(ds)
    for title, _legend, _values in columns:
        table.add_column(title, justify="right", no_wrap=True)
    for case in outcome.cases:
        result = outcome.results.get(case.case_id)
        status = "ok" if result and result.status == "ok" else (result.exit_class if result else "not run")
        keys = (
            [escape(str(value)) for _name, value in case.parameters] if parameters else [escape(case.label)]
        )
        cells = []
        for _title, _legend, values in columns:
            value = float(values.sel(case=case.case_id))
            if status != "ok":
                cells.append("-")
            else:
                cells.append("—" if value != value else f"{value:.2f}")
        table.add_row(*keys, escape(status), *cells)
    console.print(table)
    legend = [f"{title}: {text}" for title, text, _values in columns]
    legend += [f"{_short_parameter(p)}: {p}" for p in parameters if _short_parameter(p) != p]
    console.print(escape("; ".join(legend)), soft_wrap=False)
    console.print(NET_COST_NOTE)
    console.print(
        f"sweep directory: [bold]{escape(str(outcome.directory))}[/] (manifest.csv, sweep.nc)", soft_wrap=True
    )
