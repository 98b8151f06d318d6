"""The 2024 backcast reproduces observed flows (data/observed_flows.csv, data brief §B).

Europe's total, Türkiye's (its 9.9 bcm/y contract is a fixed offtake, but what the pipelines bring
net of re-exports to Bulgaria is endogenous), Georgia's consumption (contract plus the power sector's
endogenous burn) and Italy's share of TAP are model outcomes checked against observations. Greece's and
Bulgaria's TAP shares are compared and printed but not asserted: in 2024 they were set by the Shah Deniz
2 sales contracts (1 bcm/y each), which the model no longer imposes, and a competitive market with
these hub spreads sends Greece's and Bulgaria's corridor gas to Greece and Bulgaria's imports through
Türkiye (README "Backcast 2024" gives the numbers).

Both run the planning runs' tariff rule with the year's bookings (gas_tariffs.csv booked_bcm_y: TAP's
whole 11.5 bcm/y, short-term bookings included), so TAP runs full and its throughput is in effect an
input; what is tested is the TAP split, the Europe–Türkiye split, the Balkan route and Georgia's burn.

The 2023 backcast runs the same data with the 2023 overlay (data/overlays/2023, named by
networks/backcast-2023.yaml) against 2023's observed flows to Europe, Türkiye and Georgia, within ±15 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from caspian.inputs.tables import load_dataset
from caspian.results.backcast import compare
from caspian.runs.single import RunRequest, execute
from conftest import REPO

CONTRACT_DRIVEN = {"tap_share_greece", "tap_share_bulgaria"}
"""Observed metrics set by sales contracts the model does not impose: compared and printed, not a test
of fit (see the module docstring)."""
DEFAULT_TOLERANCE = 0.10
BACKCAST_2023_TOLERANCE = 0.15
"""Relative tolerance of the 2023 backcast (issue 10): its inputs are coarser (a by-field split of 2023
production estimated from 2024's proportions, hub prices from an estimated TTF)."""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    return execute(RunRequest(REPO / "networks" / "backcast-2024.yaml", REPO / "data", results))


@pytest.fixture(scope="module")
def comparison(run):
    return run.backcast


def test_every_observed_metric_is_compared(comparison):
    assert set(comparison.metric) == {
        "gas_azerbaijan_to_europe",
        "gas_azerbaijan_to_turkiye",
        "gas_azerbaijan_to_georgia",
        "tap_share_italy",
        "tap_share_greece",
        "tap_share_bulgaria",
    }


def test_backcast_within_tolerance(comparison):
    for _, row in comparison[~comparison.metric.isin(CONTRACT_DRIVEN)].iterrows():
        assert abs(row["deviation"]) <= DEFAULT_TOLERANCE, (
            f"{row['metric']}: {row['modelled']:.3f} vs {row['observed']}"
        )


def test_compare_ignores_other_years(run):
    assert compare(run.summary, load_dataset(REPO / "data"), 2030).empty


@pytest.fixture(scope="module")
def run_2023(tmp_path_factory):
    results = tmp_path_factory.mktemp("results-2023")
    return execute(RunRequest(REPO / "networks" / "backcast-2023.yaml", REPO / "data", results))


def test_2023_backcast_within_tolerance(run_2023):
    comparison = run_2023.backcast
    assert set(comparison.metric) == {
        "gas_azerbaijan_to_europe",
        "gas_azerbaijan_to_turkiye",
        "gas_azerbaijan_to_georgia",
    }
    for _, row in comparison.iterrows():
        assert abs(row["deviation"]) <= BACKCAST_2023_TOLERANCE, (
            f"{row['metric']}: {row['modelled']:.3f} vs {row['observed']}"
        )


def test_2023_backcast_records_its_overlay(run_2023):
    record = yaml.safe_load((run_2023.directory / "run.yaml").read_text(encoding="utf-8"))
    assert [Path(o["path"]) for o in record["data_overlays"]] == [REPO / "data" / "overlays" / "2023"]
