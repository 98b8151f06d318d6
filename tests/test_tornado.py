"""The one-at-a-time sensitivity report: swings per assumption measured from the baseline case, widest
first, drawn as tornado charts with the "What moves the answer" table; a baseline that names no case is
refused."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from caspian.present.report.tables import Table
from caspian.present.report.tornado import swings, tornado_sections
from caspian.sweep.plan import SweepSpec

GAS = "gas to Europe, bcm/y"


def _sweep(**changes) -> SweepSpec:
    spec = {
        "name": "sens",
        "network": "x.yaml",
        "baseline": "base",
        "cases": [
            {"label": "base"},
            {"label": "ttf-low", "group": "TTF", "set": {"markets.ttf_eur_mwh": 25}},
            {"label": "ttf-high", "group": "TTF", "set": {"markets.ttf_eur_mwh": 50}},
            {"label": "demand-low", "group": "demand", "set": {"markets.gas_demand_scale": 0.8}},
            {"label": "demand-high", "group": "demand", "set": {"markets.gas_demand_scale": 1.1}},
        ],
    }
    spec.update(changes)
    return SweepSpec.model_validate(spec)


FRAME = pd.DataFrame(
    {
        "label": ["base", "ttf-low", "ttf-high", "demand-low", "demand-high"],
        "status": ["ok"] * 5,
        GAS: [14.0, 12.0, 15.0, 13.5, 14.2],
    }
)


def test_swings_are_measured_from_the_baseline_and_sorted_by_width():
    rows = swings(FRAME, _sweep(), GAS)
    assert [r.group for r in rows] == ["TTF", "demand"]
    ttf = rows[0]
    assert (ttf.low_case, ttf.low, ttf.high_case, ttf.high, ttf.baseline) == (
        "ttf-low",
        12.0,
        "ttf-high",
        15.0,
        14.0,
    )
    assert ttf.width == pytest.approx(3.0) and rows[1].width == pytest.approx(0.7)


def test_a_failed_baseline_gives_no_tornado():
    failed = FRAME.assign(status=["failed", "ok", "ok", "ok", "ok"])
    assert swings(failed, _sweep(), GAS) == []
    assert tornado_sections(failed, _sweep(), [GAS]) == []


def test_the_section_has_a_chart_per_metric_and_the_range_table():
    ((title, items),) = tornado_sections(FRAME, _sweep(), [GAS])
    assert title == "What moves the answer"
    figure, table = items
    assert figure.png.startswith(b"\x89PNG")
    assert isinstance(table, Table)
    assert table.rows == [["TTF", "12.00", "15.00"], ["demand", "13.50", "14.20"]]


def test_a_baseline_that_is_no_case_is_refused():
    with pytest.raises(ValidationError, match="baseline 'nominal' is not the label of a case"):
        _sweep(baseline="nominal")
