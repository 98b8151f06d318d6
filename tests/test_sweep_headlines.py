"""Sweep reports that answer their question (issue 16): a sweep file names its headline metrics; a
disruption-style sweep leads with unserved energy by country, the share of demand served and the spare
capacity of each route during the shortage; net cost is shown with and without the unserved penalty.

Paper (the mini system, conftest): Italy's residual demand is 10 bcm/y; LNG can bring 10 and P1 3. In
the "short" case demand is scaled ×1.5 to 15 bcm/y, so 15 − 13 = 2 bcm/y (21.4 TWh/y at 10.7 TWh/bcm)
go unserved in Italy: 86.7 % of Italy's fixed demand (13 of 15 bcm/y) is served and P1, full all day,
has no spare capacity; the penalty is 2 bcm/y × 10.7 TWh/bcm × 10,000 EUR/MWh = 0.214 bn EUR/y above
the cost without it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from caspian.errors import InputError
from caspian.present.report.sweep_headlines import SHARE_UNIT, _relevant_labels
from caspian.results.variables import SUMMARY_VARIABLES
from caspian.sweep.executors import ExecutorChoice
from caspian.sweep.orchestrate import prepare_sweep, run_sweep
from caspian.sweep.plan import load_sweep
from caspian.units import MWH_PER_BCM
from conftest import ARTIFACTS, needs_chromium, open_in_chromium

UNSERVED_BCM = 2.0
VOLL = 10_000.0


def _sweep_file(tmp_path: Path, metrics: list[str]) -> Path:
    network = tmp_path / "mini.yaml"
    network.write_text(
        yaml.safe_dump(
            {
                "name": "mini",
                "year": 2030,
                "carriers": ["gas"],
                "mode": "dispatch",
                "time": {"hours": 24},
                "unserved_energy": True,
            }
        )
    )
    sweep = tmp_path / "short.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "name": "short",
                "network": "mini.yaml",
                "headline_metrics": metrics,
                "cases": [{"label": "base"}, {"label": "short", "set": {"markets.gas_demand_scale": 1.5}}],
            }
        )
    )
    return sweep


@pytest.fixture(scope="module")
def shortage_sweep(tmp_path_factory):
    from conftest import mini_tables, write_tables

    tmp = tmp_path_factory.mktemp("shortage")
    data = write_tables(tmp / "data", mini_tables())
    metrics = [
        "unserved_total_twh",
        "gas_unserved_by_country_twh",
        "gas_served_share_by_country",
        "pipeline_spare_when_short_share",
        "objective_excl_unserved_eur_y",
        "power_unserved_by_country_twh",
    ]
    plan = prepare_sweep(_sweep_file(tmp, metrics), data, tmp / "results")
    outcome = run_sweep(plan, ExecutorChoice())
    from caspian.present.report.render import write_report

    written = write_report(outcome.directory, data)
    return outcome, written


def test_security_indicators_are_in_sweep_nc(shortage_sweep):
    outcome, _written = shortage_sweep
    ds = outcome.dataset
    assert set(ds.data_vars) <= SUMMARY_VARIABLES
    case = {c.label: c.case_id for c in outcome.cases}["short"]
    unserved_twh = UNSERVED_BCM * MWH_PER_BCM / 1e6
    assert float(ds.unserved_total_twh.sel(case=case)) == pytest.approx(unserved_twh, rel=1e-6)
    assert float(ds.gas_unserved_by_country_twh.sel(case=case, gas_country="IT")) == pytest.approx(
        unserved_twh, rel=1e-6
    )
    assert float(ds.gas_served_share_by_country.sel(case=case, gas_country="IT")) == pytest.approx(
        13 / 15, rel=1e-6
    )
    assert float(ds.gas_served_share_by_country.sel(case=case, gas_country="AZ")) == pytest.approx(1.0)
    assert float(ds.pipeline_spare_when_short_share.sel(case=case, pipeline="P1")) == pytest.approx(
        0.0, abs=1e-9
    )
    penalty = UNSERVED_BCM * MWH_PER_BCM * VOLL
    gap = float(ds.objective_eur_y.sel(case=case) - ds.objective_excl_unserved_eur_y.sel(case=case))
    assert gap == pytest.approx(penalty, rel=1e-6)


def test_sweep_report_leads_with_its_headline_metrics(shortage_sweep):
    _outcome, written = shortage_sweep
    markdown = written.markdown.read_text(encoding="utf-8")
    head = markdown.split("\n## ")[0]
    assert (
        "**gas_unserved_by_country_twh (TWh/y): 21.40 at IT in short.** Largest value over the cases and "
        "countries" in head
    )
    assert "**gas_served_share_by_country (%): 86.7 at IT in short.**" in head
    assert "**objective_excl_unserved_eur_y (bn EUR/y): 2.46 – 3.42.**" in head
    assert "**power_unserved_by_country_twh: not in this sweep.**" in head
    assert (
        "**Period modelled: 24 h (1 day) per case, from 2030-01-01 00:00:00.** Every '/y' value is a rate"
        in head
    )
    inputs = markdown.split("## Sweep and inputs")[1]
    assert "| network | mini.yaml |" in inputs and "| year, mode | 2030, dispatch |" in inputs
    assert markdown.index("## Headline metrics") < markdown.index("## Response to the swept parameters")
    table = markdown.split("### gas_served_share_by_country (%)")[1].split("\n\n")[1]
    assert table.splitlines()[0] == "| case | IT | AZ |"  # AZ, fully served, keeps its column
    assert table.splitlines()[-1] == "| short | 86.7 | 100.0 |"


@needs_chromium
def test_sweep_report_in_headless_chromium_shows_the_headline_metrics(shortage_sweep):
    _outcome, written = shortage_sweep
    page = open_in_chromium(written.html, ARTIFACTS / "sweep-report-screenshot.png")
    assert page.errors == [] and all(done and width > 100 for done, width, _h in page.images)
    assert [url for url in page.requests if not url.startswith(("data:", "file:"))] == []
    for shown in ("21.40 at IT in short", "86.7 at IT in short", "not in this sweep", "a rate per year"):
        assert shown in page.text


def test_share_tables_keep_labels_at_100_percent():
    """A route still fully spare during a shortage is part of the answer: once any share is below
    100 %, every label with a value gets a column, the lowest first; all at 100 % gives no table."""
    frame = pd.DataFrame({"TAP": [1.0, 1.0], "TANAP": [1.0, 0.25], "IGB": [float("nan")] * 2})
    assert _relevant_labels(frame, SHARE_UNIT) == ["TANAP", "TAP"]
    assert _relevant_labels(frame[["TAP"]], SHARE_UNIT) == []


def test_unknown_headline_metric_fails_when_the_sweep_is_read(tmp_path):
    sweep = _sweep_file(tmp_path, ["unserved_total_twh", "gas_unserved_by_contry_twh"])
    with pytest.raises(
        InputError, match=r"short.yaml.*headline_metrics.*'gas_unserved_by_contry_twh' is not"
    ):
        load_sweep(sweep)
