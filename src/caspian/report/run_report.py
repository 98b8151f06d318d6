"""The report of one run directory: what it contains, assembled from the run's files (run.yaml,
summary.nc, network.nc) and the data tables, ready for the templates."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pypsa
import xarray as xr
import yaml

from caspian.data import load_dataset
from caspian.errors import InputError
from caspian.geography import load_country_outlines
from caspian.report import figures_run
from caspian.report.analysis import bottlenecks, gas_flow_paths, headline_limits, limit_sentence
from caspian.report.figures_run import Figure
from caspian.report.tables import (
    MARKET_NAMES,
    Table,
    bottleneck_table,
    built_table,
    cable_table,
    cost_table,
    estimate_rows,
    gas_market_table,
    gas_route_table,
    power_market_table,
    profile_table,
    provenance_table,
)
from caspian.units import MWH_PER_BCM

RUN_FILES = ("run.yaml", "summary.nc", "network.nc")


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
    sections: list[tuple[str, list[Table | Figure]]] = field(default_factory=list)


def is_run_directory(directory: Path) -> bool:
    """True when ``directory`` holds a finished caspian run."""
    return all((directory / name).is_file() for name in RUN_FILES)


def _load_network(path: Path) -> pypsa.Network:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = logging.getLogger("pypsa").level
        logging.getLogger("pypsa").setLevel(logging.ERROR)
        try:
            return pypsa.Network(path)
        finally:
            logging.getLogger("pypsa").setLevel(previous)


def _read_run_yaml(path: Path) -> dict:
    try:
        run = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(run, dict) or "spec" not in run:
        raise InputError(f"{path}: field 'spec': missing; not a caspian run.yaml")
    return run


def build_run_report(directory: Path, data_dir: Path) -> RunReport:
    """Assemble the report of the run in ``directory`` (data tables from ``data_dir``)."""
    run = _read_run_yaml(directory / "run.yaml")
    with xr.open_dataset(directory / "summary.nc") as summary:
        ds = summary.load()
    n = _load_network(directory / "network.nc")
    data = load_dataset(data_dir)
    spec = run["spec"]
    routes = data.table("gas_pipelines").drop_duplicates("name").set_index("name")["route"].to_dict()
    consumers = {bus: name for bus, name in MARKET_NAMES.items() if bus.endswith("gas")}
    paths = gas_flow_paths(n, routes, consumers) if (n.buses.carrier == "gas").any() else None
    binding = bottlenecks(n)
    limits = headline_limits(n, binding)
    headlines = []
    if "gas_to_europe_bcm" in ds and (n.buses.carrier == "gas").any():
        gas = float(ds.gas_to_europe_bcm)
        headlines.append(
            Headline(
                "Gas to Europe",
                f"{gas:.2f} bcm/y ({gas * MWH_PER_BCM / 1e6:.1f} TWh/y)",
                limit_sentence(
                    gas, "bcm/y", "gas", limits["gas"], "no pipeline route delivers to a European market"
                ),
            )
        )
    if (n.buses.carrier == "AC").any():
        power = float(ds.power_to_europe_twh)
        has_cable = "Black Sea cable" in {str(name).split(" expansion")[0] for name in n.links.index}
        absent = (
            "the Black Sea cable carries nothing at these prices"
            if has_cable
            else "there is no Black Sea cable in this run (none in service, and none built)"
        )
        headlines.append(
            Headline(
                "Electricity to Europe",
                f"{power:.2f} TWh/y",
                limit_sentence(power, "TWh/y", "electricity", limits["power"], absent),
            )
        )
    headlines.append(
        Headline(
            "Net system cost",
            f"{float(ds.objective_eur_y) / 1e9:.3f} bn EUR/y",
            "Annualised investment + operating cost − market revenue (negative: the corridor "
            "earns more than it costs).",
        )
    )
    outlines = load_country_outlines(data_dir)
    figures = {
        "map": figures_run.network_map(n, outlines),
        "sankey": figures_run.gas_sankey(paths) if paths is not None else None,
        "electricity": figures_run.electricity_bars(n),
        "duration": figures_run.duration_curves(n),
        "weeks": figures_run.power_balance_weeks(n),
        "monthly": figures_run.monthly_gas(n),
    }
    tables = {
        "gas_markets": gas_market_table(ds),
        "gas_routes": gas_route_table(paths) if paths is not None else None,
        "power_markets": power_market_table(ds),
        "cables": cable_table(ds),
    }
    report = RunReport(
        title=f"{spec['name']} — {spec['year']}, {spec['mode']}"
        + (f", scenario {run['scenario']}" if run.get("scenario") else ""),
        subtitle=str(spec.get("description") or ""),
        headlines=headlines,
    )
    projects = list(spec.get("expansion", {}).get("projects", [])) if spec["mode"] == "expansion" else []
    report.sections = [
        (
            "Flows to Europe",
            [
                t
                for t in (tables["gas_markets"], tables["gas_routes"], tables["power_markets"])
                if t is not None
            ],
        ),
        ("Network map", [figures["map"]]),
        (
            "Supply → route → market",
            [f for f in (figures["sankey"], figures["electricity"], tables["cables"]) if f is not None],
        ),
        ("Bottlenecks", [bottleneck_table(binding)]),
        ("Capacity built and cost", [t for t in (built_table(ds), cost_table(ds)) if t is not None]),
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
