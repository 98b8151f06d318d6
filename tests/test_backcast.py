"""The 2024 backcast reproduces observed flows (data/observed_flows.csv, data brief §B).

Türkiye's 9.9 bcm/y is an input (the contracted offtake), so its match only checks the balance; the
European total, Georgia's consumption (contract plus the power sector's endogenous burn) and the TAP
split by country are model outcomes. The observed TAP shares are Jan–Jul 2024 figures (no full-year
split is published in the brief); Greece's modelled share is its 1 bcm/y Shah Deniz 2 contract,
12 % above the partial-year share but 6 % above the Dec 2020–Sep 2025 cumulative share (0.097), hence
its wider tolerance.
"""

from __future__ import annotations

import pytest

from caspian.inputs.tables import load_dataset
from caspian.results.backcast import compare
from caspian.runs.single import RunRequest, execute
from conftest import REPO

TOLERANCE = {"tap_share_greece": 0.15}
INPUTS = {"gas_azerbaijan_to_turkiye"}
"""Observed metrics that are model inputs (fixed offtakes): compared and printed, not a test of fit."""
DEFAULT_TOLERANCE = 0.10


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
