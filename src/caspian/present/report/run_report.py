"""The report of one run directory: what it contains, assembled from the run's files (run.yaml,
summary.nc, network.nc) and the data tables, ready for the templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypsa
import xarray as xr

from caspian.errors import InputError
from caspian.inputs.geography import load_country_outlines
from caspian.inputs.tables import delivery_buses, load_dataset
from caspian.naming import ASSET, GAS_SUPPLY_CARRIER, restore_empty_labels
from caspian.present.labels import bus_labels
from caspian.present.report.figures_flows import electricity_bars, gas_sankey
from caspian.present.report.figures_gas import monthly_gas_prices, supply_curves
from caspian.present.report.figures_map import network_map
from caspian.present.report.figures_time import duration_curves, monthly_gas, power_balance_weeks
from caspian.present.report.style import Figure
from caspian.present.report.tables import (
    EUR_PER_BN,
    Table,
    backcast_table,
    bottleneck_table,
    built_table,
    cable_table,
    commitment_table,
    cost_table,
    estimate_rows,
    gas_market_table,
    gas_route_table,
    power_market_table,
    profile_table,
    provenance_table,
    rent_table,
)
from caspian.results.backcast import compare
from caspian.results.bottlenecks import bottlenecks, headline_limits, limit_sentence
from caspian.results.flows import UNSERVED, gas_flow_paths
from caspian.results.prices import non_unique_buses
from caspian.results.security import voll_text
from caspian.runs.rundir import read_run_record
from caspian.units import MWH_PER_BCM, MWH_PER_TWH

BLACK_SEA_CABLE = "Black Sea cable"
PRICE_EQUAL_EUR_MWH = 0.05
"""Market prices closer than this are quoted as one price in a headline, EUR/MWh."""


@dataclass(frozen=True)
class Headline:
    """A headline number with the sentence that names what limits it."""

    label: str
    value: str
    limit: str


@dataclass
class RunReport:
    """Everything a run report shows."""

    title: str
    subtitle: str
    headlines: list[Headline]
    sections: list[tuple[str, Sequence[Table | Figure]]] = field(default_factory=list)


def _read_run_yaml(path: Path) -> dict:
    run = read_run_record(path)
    if run.get("spec") is None:
        raise InputError(f"{path}: field 'spec': missing; not a caspian run.yaml")
    return run


def _read_summary(path: Path) -> xr.Dataset:
    try:
        with xr.open_dataset(path) as summary:
            return summary.load()
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable netCDF ({exc.__class__.__name__}: {exc})") from exc


def _read_network(path: Path) -> pypsa.Network:
    try:
        n = restore_empty_labels(pypsa.Network(path))
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: unreadable network ({exc.__class__.__name__}: {exc})") from exc
    if ASSET not in n.links or ASSET not in n.generators:
        raise InputError(f"{path}: field '{ASSET}': no label columns (older caspian: solve again)")
    return n


def _price_range(ds: xr.Dataset, var: str, dim_values: list[str]) -> str:
    if var not in ds:
        return ""
    values = ds[var].to_series().reindex(dim_values).dropna()
    flagged = sorted(set(values.index) & non_unique_buses(ds)) if var == "price_eur_mwh" else []
    values = values.drop(flagged)
    caveat = f" (no unique price at {', '.join(flagged)})" if flagged else ""
    if values.empty:
        return caveat
    low, high = float(values.min()), float(values.max())
    quoted = (
        f" at {low:.1f} EUR/MWh"
        if abs(high - low) < PRICE_EQUAL_EUR_MWH
        else f" at {low:.1f}–{high:.1f} EUR/MWh"
    )
    return quoted + caveat


def _selling(ds: xr.Dataset, var: str, markets: list[str]) -> list[str]:
    """The markets among ``markets`` that receive something in ``var``."""
    if var not in ds:
        return []
    values = ds[var].to_series()
    return [m for m in markets if values.get(m, 0.0) > 0]


def _black_sea_cable_absent(n: pypsa.Network) -> str:
    links = n.links[n.links[ASSET] == BLACK_SEA_CABLE]
    if links.empty:
        return f"there is no {BLACK_SEA_CABLE} in this run (not in service and not a chosen project)"
    if float(links.p_nom_opt.max()) <= 0:
        return f"the {BLACK_SEA_CABLE} is not built: its annuity exceeds what it would earn"
    return f"the {BLACK_SEA_CABLE} carries nothing at these prices"


def build_run_report(directory: Path, data_dir: Path) -> RunReport:
    """Assemble the report of the run in ``directory`` (data tables from ``data_dir`` with the data
    overlays the run recorded)."""
    run = _read_run_yaml(directory / "run.yaml")
    ds = _read_summary(directory / "summary.nc")
    n = _read_network(directory / "network.nc")
    data = load_dataset(data_dir, tuple(Path(o["path"]) for o in run.get("data_overlays") or ()))
    spec = run["spec"]
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"].to_dict()
    paths = None
    if (n.buses.carrier == "gas").any():
        # the corridor's gas (and any unserved demand): what a market buys from its alternatives (LNG, other
        # pipelines, Romania's surplus), even when a pipeline carries it on, is the supply-curve section's
        paths = gas_flow_paths(n, routes, bus_labels(n.buses))
        corridor = n.generators.index[n.generators.carrier == GAS_SUPPLY_CARRIER]
        paths = paths[paths.supply.isin(corridor) | (paths.route == UNSERVED)].reset_index(drop=True)
    binding = bottlenecks(n)
    limits = headline_limits(n, binding)
    headlines = []
    if "gas_to_europe_bcm" in ds and (n.buses.carrier == "gas").any():
        gas = float(ds.gas_to_europe_bcm)
        headlines.append(
            Headline(
                "Gas to Europe",
                f"{gas:.2f} bcm/y ({gas * MWH_PER_BCM / MWH_PER_TWH:.1f} TWh/y)"
                + _price_range(
                    ds,
                    "price_eur_mwh",
                    _selling(ds, "gas_delivery_bcm", delivery_buses(n.buses, "gas", europe_only=True)),
                ),
                limit_sentence(
                    gas, "bcm/y", "gas", limits["gas"], "no pipeline route delivers to a European market"
                ),
            )
        )
    if (n.buses.carrier == "AC").any():
        power = float(ds.power_to_europe_twh)
        absent = _black_sea_cable_absent(n)
        headlines.append(
            Headline(
                "Electricity to Europe",
                f"{power:.2f} TWh/y"
                + _price_range(
                    ds,
                    "power_market_price_eur_mwh",
                    delivery_buses(n.buses, "AC", europe_only=True) if power > 0 else [],
                ),
                limit_sentence(power, "TWh/y", "electricity", limits["power"], absent),
            )
        )
    headlines.append(
        Headline(
            "Net system cost",
            f"{float(ds.objective_eur_y) / EUR_PER_BN:.3f} bn EUR/y",
            "Annualised investment + operating cost + the gas markets' non-corridor supply (LNG, other "
            "pipelines, demand response) − power market revenue: what it costs to serve the modelled "
            "markets; compare cases, not its level.",
        )
    )
    unserved = float(ds.unserved_total_twh) if "unserved_total_twh" in ds else 0.0
    if unserved > 0:
        where = ", ".join(
            f"{bus} {value:.2f}" for bus, value in ds.unserved_twh.to_series().items() if value > 0
        )
        penalty = float(ds.unserved_cost_eur_y)
        headlines.append(
            Headline(
                "Unserved demand",
                f"{unserved:.2f} TWh/y",
                f"Demand no supply could meet ({where} TWh/y), met by the priced slack at the value of "
                f"lost load ({voll_text(n)}; parameters.csv): its penalty, "
                f"{penalty / EUR_PER_BN:.3f} bn EUR/y, is inside the net system cost "
                f"({float(ds.objective_excl_unserved_eur_y) / EUR_PER_BN:.3f} bn EUR/y without it), and "
                "prices at those buses reflect it.",
            )
        )
    outlines = load_country_outlines(data_dir)
    network_figure = network_map(n, outlines, data.table("map_routes"))
    figures = {
        "sankey": gas_sankey(paths) if paths is not None else None,
        "electricity": electricity_bars(n),
        "duration": duration_curves(n),
        "weeks": power_balance_weeks(n),
        "monthly": monthly_gas(n),
        "curves": supply_curves(n),
        "gas_prices": monthly_gas_prices(n),
    }
    tables = {
        "gas_markets": gas_market_table(ds, n.buses),
        "gas_routes": gas_route_table(paths, n.buses) if paths is not None else None,
        "power_markets": power_market_table(ds, n.buses),
        "cables": cable_table(ds),
    }
    report = RunReport(
        title=f"{spec['name']} — {spec['year']}, {spec['mode']}"
        + (f", scenario {run['scenario']}" if run.get("scenario") else ""),
        subtitle=str(spec.get("description") or ""),
        headlines=headlines,
    )
    projects = list(spec.get("expansion", {}).get("projects", [])) if spec["mode"] == "expansion" else []
    backcast = backcast_table(compare(ds, data, int(spec["year"])))
    report.sections = [
        (
            "Flows to Europe",
            [
                t
                for t in (tables["gas_markets"], tables["gas_routes"], tables["power_markets"])
                if t is not None
            ],
        ),
        *([("Backcast: observed vs modelled", [backcast])] if backcast is not None else []),
        ("Network map", [network_figure]),
        (
            "Supply → route → market",
            [f for f in (figures["sankey"], figures["electricity"], tables["cables"]) if f is not None],
        ),
        (
            "Gas markets and who earns the rent",
            [f for f in (figures["curves"], figures["gas_prices"], rent_table(ds)) if f is not None],
        ),
        ("Bottlenecks", [bottleneck_table(binding)]),
        (
            "Capacity built and cost",
            [t for t in (built_table(ds, n), cost_table(ds), commitment_table(run, data)) if t is not None],
        ),
        (
            "Time behaviour",
            [f for f in (figures["duration"], figures["weeks"], figures["monthly"]) if f is not None],
        ),
        (
            "Provenance",
            [
                provenance_table(run, data.digest),
                estimate_rows(data, n, int(spec["year"]), projects),
                profile_table(run),
            ],
        ),
    ]
    return report
