"""The 2024 backcast reproduces observed flows (data/observed_flows.csv, data brief §B).

Türkiye's 9.9 bcm/y is an input (the contracted offtake), so its match only checks the balance; the
European total, Georgia's consumption (contract plus the power sector's endogenous burn) and the TAP
split by country are model outcomes. The observed TAP shares are Jan–Jul 2024 figures (no full-year
split is published in the brief); Greece's modelled share is its 1 bcm/y Shah Deniz 2 contract,
12 % above the partial-year share but 6 % above the Dec 2020–Sep 2025 cumulative share (0.097), hence
its wider tolerance.

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

TOLERANCE = {"tap_share_greece": 0.15}
INPUTS = {"gas_azerbaijan_to_turkiye"}
"""Observed metrics that are model inputs (fixed offtakes): compared and printed, not a test of fit."""
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
    for _, row in comparison[~comparison.metric.isin(INPUTS)].iterrows():
        limit = TOLERANCE.get(row["metric"], DEFAULT_TOLERANCE)
        assert abs(row["deviation"]) <= limit, f"{row['metric']}: {row['modelled']:.3f} vs {row['observed']}"


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
