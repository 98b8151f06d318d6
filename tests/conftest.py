"""Shared fixtures: a tiny hand-checkable data set and network file written into tmp_path.

The mini system: a gas field in Azerbaijan (5 bcm/y plateau at 5 EUR/MWh), a domestic offtake of
1 bcm/y, and one 3 bcm/y pipeline (no fuel use) to an Italian market with a flat residual demand of
10 bcm/y that LNG serves at TTF = 30 EUR/MWh (spread 0, up to 10 bcm/y): corridor gas displaces LNG,
so each MWh it delivers is worth 30 EUR, and the objective carries the LNG bill for the rest. Optional
expansion of the pipeline is offered as a project row.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from caspian.inputs.tables import TABLES
from caspian.settings import configure_libraries

PROV = {"source": "test fixture", "year": 2024, "confidence": "estimate", "note": ""}
REPO = Path(__file__).resolve().parents[1]

AZ_POWER_BUS = {
    "bus": "AZ AC",
    "carrier": "AC",
    "country": "AZ",
    "site": "Baku",
    "lat": 40.4,
    "lon": 49.8,
    "role": "domestic",
    "delivery": "none",
}
"""The Azerbaijani electricity bus of the small power test systems."""

RO_POWER_BUS = {
    "bus": "RO AC",
    "country": "RO",
    "site": "Constanta",
    "lat": 44.2,
    "lon": 28.6,
    "role": "market",
    "delivery": "europe",
}
"""Romania's electricity bus (a European delivery point), over :data:`AZ_POWER_BUS`'s other columns."""

RO_POWER_MARKET = {
    "bus": "RO AC",
    "country": "RO",
    "annual_mean_eur_mwh": 100,
    "trade_capacity_mw": 5000,
    "trade": "sell",
    "from_year": 2020,
}
"""Romania's sell-only power market (5,000 MW at a yearly mean of 100 EUR/MWh) in the cable tests."""


def mini_tables() -> dict[str, list[dict[str, Any]]]:
    """Rows of every table of the mini data set (tables not listed are written header-only)."""
    return {
        "buses": [
            {
                "bus": "AZ gas",
                "carrier": "gas",
                "country": "AZ",
                "site": "Sangachal",
                "lat": 40.2,
                "lon": 49.5,
                "role": "supply",
                "delivery": "none",
            },
            {
                "bus": "IT gas",
                "carrier": "gas",
                "country": "IT",
                "site": "Melendugno",
                "lat": 40.3,
                "lon": 18.3,
                "role": "market",
                "delivery": "europe",
            },
        ],
        "gas_pipelines": [
            {
                "name": "P1",
                "bus0": "AZ gas",
                "bus1": "IT gas",
                "status": "existing",
                "capacity_bcm_y": 3,
                "from_year": 2020,
                "length_km": 1000,
                "fuel_share": 0.0,
                "route": "test route",
            }
        ],
        "gas_supply": [
            {
                "name": "Field A",
                "bus": "AZ gas",
                "plateau_bcm_y": 5,
                "peak_factor": 1.0,
                "cost_basis": "short_run",
                "marginal_cost_eur_mwh": 5,
                "currency_year": 2024,
                "from_year": 2020,
            }
        ],
        "gas_offtakes": [
            {"name": "AZ domestic", "bus": "AZ gas", "annual_bcm": 1, "kind": "domestic", "from_year": 2020}
        ],
        "gas_markets": [
            {
                "bus": "IT gas",
                "hub": "PSV",
                "consumption_bcm_y": 10,
                "domestic_production_bcm_y": 0,
                "other_contracts_bcm_y": 0,
                "from_year": 2020,
            }
        ],
        "gas_alternatives": [
            {
                "bus": "IT gas",
                "name": "LNG",
                "tier": 1,
                "kind": "lng",
                "capacity_bcm_y": 10,
                "spread_eur_mwh": 0,
                "currency_year": 2024,
                "from_year": 2020,
            }
        ],
        "gas_ttf_monthly": [
            {"price_year": 2024, "month": month, "price_eur_mwh": 30, "currency_year": 2024}
            for month in range(1, 13)
        ],
        "gas_demand_monthly": [
            {"bus": "IT gas", "month": month, "share": days / 365}
            for month, days in enumerate(MONTH_DAYS, start=1)
        ],
        "projects": [
            {
                "project": "P1 expansion",
                "asset": "P1",
                "option": "loop",
                "capacity_added": 2,
                "unit": "bcm/y",
                "capex_meur": 1000,
                "currency_year": 2024,
                "fom_pct": 0,
                "lifetime_years": 25,
                "earliest_year": 2025,
            }
        ],
        "parameters": [
            {"parameter": "discount_rate", "value": 0.07, "unit": "per unit"},
            {"parameter": "price_year", "value": 2024, "unit": "year"},
            {"parameter": "hicp_2024", "value": 100, "unit": "index 2015=100"},
            {"parameter": "voll_electricity", "value": 10_000, "unit": "EUR/MWh"},
            {"parameter": "voll_gas", "value": 10_000, "unit": "EUR/MWh"},
            {"parameter": "gas_ncv_per_gcv", "value": 0.9, "unit": "per unit"},
            {"parameter": "co2_intensity_gas", "value": 0.2, "unit": "tCO2/MWh_th"},
            {"parameter": "co2_intensity_coal", "value": 0.34, "unit": "tCO2/MWh_th"},
        ],
    }


def gas_fleet(country: str, bus: str, capacity_mw: float, efficiency: float, fuel_eur_mwh: float) -> dict:
    """A ``thermal.csv`` row: a gas fleet '<country> gas fleet' buying gas at ``fuel_eur_mwh``, no VOM."""
    return {
        "name": f"{country} gas fleet",
        "country": country,
        "bus": bus,
        "fuel": "gas",
        "capacity_mw": capacity_mw,
        "efficiency": efficiency,
        "fuel_cost_eur_mwh": fuel_eur_mwh,
        "vom_eur_mwh": 0,
        "from_year": 2020,
    }


MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""Days per month of the model's 365-day year: shares of days / 365 make a flat demand."""


def write_tables(directory: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write every table of TABLES as CSV (header-only where no rows are given)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, model in TABLES.items():
        rows = tables.get(name, [])
        columns = list(model.model_fields)
        with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({**PROV, **row})
    return directory


def mini_spec(**changes: Any) -> dict[str, Any]:
    """The mini network file as a mapping."""
    spec = {
        "name": "mini",
        "description": "hand-checkable two-node gas transport case",
        "year": 2030,
        "carriers": ["gas"],
        "mode": "dispatch",
        "time": {"hours": 24},
    }
    spec.update(changes)
    return spec


OBJECTIVE_KEY = "objective_eur_y"
REVENUE_KEY = "market_net_revenue_eur_y"
DERIVED_TOTALS = ("objective_excl_unserved_eur_y",)
"""Scalar ``*_eur_y`` entries that are totals derived from the cost entries, not entries themselves."""


def assert_costs_add_up(summary: Any) -> None:
    """The summary's objective equals the sum of every scalar ``*_eur_y`` cost entry (capex, opex,
    start-ups, …) minus the market net revenue, within 1e-6 relative."""
    costs = [
        name
        for name, var in summary.data_vars.items()
        if str(name).endswith("_eur_y")
        and var.ndim == 0
        and name not in (OBJECTIVE_KEY, REVENUE_KEY, *DERIVED_TOTALS)
    ]
    total = sum(float(summary[name]) for name in costs) - float(summary[REVENUE_KEY])
    assert float(summary[OBJECTIVE_KEY]) == pytest.approx(total, rel=1e-6), {
        name: float(summary[name]) for name in [*costs, OBJECTIVE_KEY, REVENUE_KEY]
    }


@pytest.fixture
def mini(tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    """Factory: write the mini data (optionally altered) and network file; return (network, data dir)."""

    def make(tables: dict[str, list[dict[str, Any]]] | None = None, **spec_changes: Any) -> tuple[Path, Path]:
        data_dir = write_tables(tmp_path / "data", tables or mini_tables())
        network = tmp_path / "mini.yaml"
        network.write_text(yaml.safe_dump(mini_spec(**spec_changes), sort_keys=False))
        return network, data_dir

    return make


@pytest.fixture(autouse=True, scope="session")
def _offline_libraries() -> None:
    configure_libraries()


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("CASPIAN_TEST_ARTIFACTS", REPO / "test-artifacts"))
"""Where the browser tests leave their screenshots (git-ignored)."""
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="Chromium not installed: apt-get install chromium chromium-driver (.ci/run does this)",
)


@dataclass(frozen=True)
class BrowserPage:
    """What headless Chromium saw of a page: its visible text, images (complete, width, height),
    SEVERE console messages and the URLs it requested."""

    text: str
    images: list[list[Any]]
    errors: list[dict]
    requests: list[str]


def open_in_chromium(html: Path, screenshot: Path, width: int = 1400) -> BrowserPage:
    """Open ``html`` in headless Chromium (no network), screenshot the whole page to ``screenshot``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        f"--window-size={width},1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get(html.as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);"
        )
        height = driver.execute_script("return document.body.scrollHeight;")
        driver.set_window_size(width, min(int(height), 16000))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(screenshot))
        text = driver.find_element(By.TAG_NAME, "body").text
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        requests = [
            json.loads(entry["message"])["message"]["params"]["request"]["url"]
            for entry in driver.get_log("performance")
            if '"Network.requestWillBeSent"' in entry["message"]
        ]
    finally:
        driver.quit()
    return BrowserPage(text, images, errors, requests)
