"""A country with two AC buses: each bus's demand, wind/solar fleet and gas peaker is its own asset,
named after the bus's zone (``buses.csv`` ``zone``, else its country), in both formulations."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import bus_zones, load_dataset
from caspian.pypsa_model.assemble import build_network
from caspian.runs.crosscheck import crosscheck
from conftest import AZ_POWER_BUS, REPO

WEST = {**AZ_POWER_BUS, "bus": "AZ West AC", "zone": "AZ West", "site": "Nakhchivan", "lon": 45.4}
"""A second Azerbaijani AC bus with its own zone."""


def _repository_rows(table: str) -> list[dict]:
    with (REPO / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _row(bus: str, **values: object) -> dict:
    return {"country": "AZ", "bus": bus, "from_year": 2020, **values}


def _fleet(bus: str, technology: str, mw: float, cf: float, lat: float, lon: float) -> dict:
    """A wind or solar fleet of ``mw`` that may double."""
    return _row(
        bus, technology=technology, existing_mw=mw, potential_mw=2 * mw, capacity_factor=cf, lat=lat, lon=lon
    )


def _gas_fleet(name: str, bus: str, mw: float, efficiency: float) -> dict:
    """A gas-fired fleet burning gas at 20 EUR/MWh."""
    return {
        "name": name,
        **_row(bus),
        "fuel": "gas",
        "capacity_mw": mw,
        "efficiency": efficiency,
        "fuel_cost_eur_mwh": 20,
        "vom_eur_mwh": 0,
    }


def two_zone_tables() -> dict:
    """AZ AC: 200 MW mean demand, 300 MW solar, a 400 MW gas fleet; AZ West AC: 100 MW mean demand,
    200 MW onshore wind, a 300 MW gas fleet; a 150 MW line between them."""
    return {
        "buses": [AZ_POWER_BUS, WEST],
        "electricity_demand": [
            _row("AZ AC", annual_twh=200 * 8760 / 1e6, peak_mw=260),
            _row("AZ West AC", annual_twh=100 * 8760 / 1e6, peak_mw=130),
        ],
        "renewables": [
            _fleet("AZ AC", "solar", 300, 0.2, 40.4, 49.8),
            _fleet("AZ West AC", "onwind", 200, 0.3, 39.2, 45.4),
        ],
        "thermal": [
            _gas_fleet("AZ gas fleet", "AZ AC", 400, 0.5),
            _gas_fleet("AZ West gas fleet", "AZ West AC", 300, 0.45),
        ],
        "power_links": [
            {
                "name": "AZ East–West",
                "bus0": "AZ AC",
                "bus1": "AZ West AC",
                "status": "existing",
                "capacity_mw": 150,
                "from_year": 2020,
                "length_km": 300,
                "technology": "HVAC",
                "efficiency": 0.97,
                "bidirectional": True,
            }
        ],
        "parameters": _repository_rows("parameters"),
        "technology_costs": _repository_rows("technology_costs"),
    }


SPEC = {"carriers": ["electricity"], "mode": "expansion", "time": {"hours": 48}}


def test_zones_default_to_the_country():
    zones = bus_zones(pd.DataFrame(two_zone_tables()["buses"]))
    assert zones == {"AZ AC": "AZ", "AZ West AC": "AZ West"}


def test_each_bus_of_a_country_gets_its_own_demand_fleets_and_peaker(mini):
    network, data = mini(two_zone_tables(), **{**SPEC, "time": {"hours": 8760, "resolution": "24h"}})
    n = build_network(resolve_spec(network), load_dataset(data)).network
    assert n.loads.bus.to_dict() == {"AZ demand": "AZ AC", "AZ West demand": "AZ West AC"}
    annual_twh = n.loads_t.p_set.mul(n.snapshot_weightings.objective, axis=0).sum() / 1e6
    assert annual_twh.to_dict() == pytest.approx({"AZ demand": 1.752, "AZ West demand": 0.876}, rel=1e-9)
    fleets = n.generators.bus[n.generators.carrier.isin(["solar", "onwind"])].to_dict()
    assert fleets == {
        "AZ solar": "AZ AC",
        "AZ solar expansion": "AZ AC",
        "AZ West onwind": "AZ West AC",
        "AZ West onwind expansion": "AZ West AC",
    }
    peakers = n.generators.index[n.generators.index.str.endswith("OCGT")]
    assert n.generators.bus[peakers].to_dict() == {"AZ OCGT": "AZ AC", "AZ West OCGT": "AZ West AC"}


def test_pyomo_models_two_zones_alike(mini):
    network, data = mini(two_zone_tables(), **SPEC)
    result = crosscheck(network, data)
    assert result.agrees, "\n".join(map(str, result.disagreements))
