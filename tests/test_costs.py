"""Investment costs: technology annuities by hand, project option hulls, caps and bad units."""

from __future__ import annotations

import pytest

from caspian.errors import InputError
from caspian.inputs.costs import project_segments, technology_annual_cost
from caspian.inputs.tables import load_dataset
from caspian.units import MW_PER_BCM_PER_YEAR, capital_recovery_factor
from conftest import mini_tables, write_tables

PROV = {"source": "test", "year": 2024, "confidence": "estimate"}


def _data(tmp_path, projects=None, technology=None):
    tables = mini_tables()
    tables["parameters"] += [{"parameter": "hicp_2020", "value": 105.06, "unit": "index 2015=100"}]
    if projects is not None:
        tables["projects"] = projects
    tables["technology_costs"] = technology or []
    return load_dataset(write_tables(tmp_path / "data", tables))


def _option(option, capacity, capex):
    return {
        "project": "X",
        "asset": "P1",
        "option": option,
        "capacity_added": capacity,
        "unit": "bcm/y",
        "capex_meur": capex,
        "currency_year": 2024,
        "fom_pct": 0,
        "lifetime_years": 25,
        "earliest_year": 2020,
    }


def _tech(technology, parameter, value, unit, currency_year):
    return {
        "technology": technology,
        "parameter": parameter,
        "value": value,
        "unit": unit,
        "currency_year": currency_year,
    }


def test_technology_annuity_by_hand(tmp_path):
    """Solar: 482.4785 EUR2020/kW → ×1000 × HICP 100/105.06 (the mini set's 2024 index is 100) =
    459,241 EUR2024/MW; × (CRF(7 %, 40 y) = 0.075009 + FOM 2.48 %) = 45,835 EUR/MW/y."""
    rows = [
        {
            "technology": "solar-utility",
            "parameter": "investment",
            "value": 482.4785,
            "unit": "EUR/kW",
            "currency_year": 2020,
        },
        {
            "technology": "solar-utility",
            "parameter": "FOM",
            "value": 2.48,
            "unit": "%/year",
            "currency_year": 2020,
        },
        {
            "technology": "solar-utility",
            "parameter": "lifetime",
            "value": 40,
            "unit": "years",
            "currency_year": 2020,
        },
    ]
    data = _data(tmp_path, technology=rows)
    per_mw = 482.4785e3 * 100 / 105.06
    expected = per_mw * (capital_recovery_factor(0.07, 40) + 0.0248)
    assert technology_annual_cost(data, "solar-utility", 0.07) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(45_835, rel=1e-3)


def test_investment_in_unknown_unit_is_rejected(tmp_path):
    rows = [
        {
            "technology": "onwind",
            "parameter": "investment",
            "value": 1.4,
            "unit": "EUR/W",
            "currency_year": 2024,
        },
        {
            "technology": "onwind",
            "parameter": "lifetime",
            "value": 30,
            "unit": "years",
            "currency_year": 2024,
        },
    ]
    with pytest.raises(InputError, match="inconsistent units"):
        technology_annual_cost(_data(tmp_path, technology=rows), "onwind", 0.07)


def test_non_convex_option_is_dropped_and_cap_applied(tmp_path):
    """Options (2 bcm/y, 100), (3, 400), (4, 300): (3, 400) lies above the hull from (2, 100) to
    (4, 300) and is dropped; two segments remain at 50 and 100 M EUR per bcm/y."""
    options = [_option("a", 2, 100), _option("b", 3, 400), _option("c", 4, 300), _option("c-dear", 4, 900)]
    data = _data(tmp_path, projects=options)
    segments = project_segments(data, "X", 2030, 0.07)
    widths = [s.width_mw / MW_PER_BCM_PER_YEAR for s in segments]
    assert widths == pytest.approx([2.0, 2.0])
    crf = capital_recovery_factor(0.07, 25)
    per_bcm = [s.annual_cost_eur_per_mw * MW_PER_BCM_PER_YEAR / crf / 1e6 for s in segments]
    assert per_bcm == pytest.approx([50.0, 100.0])
    capped = project_segments(data, "X", 2030, 0.07, cap_mw=3 * MW_PER_BCM_PER_YEAR)
    assert [s.width_mw / MW_PER_BCM_PER_YEAR for s in capped] == pytest.approx([2.0, 1.0])


def test_options_not_available_before_their_earliest_year(tmp_path):
    late = {**_option("a", 2, 100), "earliest_year": 2031}
    assert project_segments(_data(tmp_path, projects=[late]), "X", 2030, 0.07) == []
