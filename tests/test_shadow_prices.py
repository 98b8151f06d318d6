"""One shadow price, right, and explained (issue 16): the dual of the capacity in place (never that of
an unbuilt expansion step), the annuity of the next step and the net value of one more step — the same
numbers in summary.nc, the terminal and the report.

The mini system (conftest): Field A (5 EUR/MWh) at AZ gas, pipeline P1 (3 bcm/y) to Italy, where LNG at
TTF 30 EUR/MWh sets the price; 1 bcm/y of Azerbaijani domestic demand. P1's expansion options are
alternatives, so the LP sees them as consecutive segments of one envelope.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pypsa
import pytest
from rich.console import Console

from caspian.naming import ASSET, SEGMENT
from caspian.present.report.render import write_report
from caspian.present.terminal import print_summary
from caspian.present.text import signed_zero_free
from caspian.results.bottlenecks import NOT_EXPANDED, SIZED_BY_COST, bottlenecks
from caspian.results.views import annual_factor, asset_shadow_prices
from caspian.runs.single import RunRequest, execute
from caspian.units import MW_PER_BCM_PER_YEAR, capital_recovery_factor
from conftest import mini_tables

CRF = capital_recovery_factor(0.07, 25)
HOURS_PER_YEAR = 8760


def _option(option: str, bcm: float, capex_meur: float) -> dict:
    return {
        "project": "P1 expansion",
        "asset": "P1",
        "option": option,
        "capacity_added": bcm,
        "unit": "bcm/y",
        "capex_meur": capex_meur,
        "currency_year": 2024,
        "fom_pct": 0,
        "lifetime_years": 25,
        "earliest_year": 2025,
    }


def _run(mini, tmp_path, projects, plateau_bcm_y=5.0):
    tables = mini_tables()
    tables["projects"] = projects
    tables["gas_supply"][0]["plateau_bcm_y"] = plateau_bcm_y
    network, data = mini(tables, mode="expansion", expansion={"projects": ["P1 expansion"]})
    result = execute(RunRequest(network, data, tmp_path / "results"))
    return result, data, pypsa.Network(result.directory / "network.nc")


def _annuity(capex_meur: float, bcm: float) -> float:
    """EUR/MW/y of a step costing ``capex_meur`` for ``bcm`` bcm/y (no fixed O&M)."""
    return capex_meur * 1e6 / (bcm * MW_PER_BCM_PER_YEAR) * CRF


def test_the_built_step_sets_the_shadow_price_not_an_unbuilt_one(mini, tmp_path):
    """Paper: the first step (2 bcm/y for 4,000 M EUR) is built to 1 bcm/y, where the field's 5 bcm/y
    plateau binds (3 + 1 to Italy, 1 at home); the second step (2 bcm/y more for 40,000 M EUR) is not
    built. P1's shadow price is the first step's annuity, 4e9 / (2 × 1,221.5 MW) × CRF(7 %, 25) =
    140,505 EUR/MW/y; that is also the next step's annuity (the first step is still open), so the net
    value of one more step is 0. The unbuilt second step's dual is not unique (p ≥ 0 and p ≤ 0 bind
    together): whatever the solver reports there, the shadow price does not move."""
    result, _data, n = _run(mini, tmp_path, [_option("loop", 2, 4000), _option("full", 4, 44000)])
    first = _annuity(4000, 2)
    assert float(result.summary.pipeline_built_bcm.sel(pipeline="P1")) == pytest.approx(1.0, rel=1e-6)
    (p1,) = [b for b in bottlenecks(n) if b.asset == "P1"]
    assert p1.status == SIZED_BY_COST
    assert p1.shadow_eur_per_mw_y == pytest.approx(first, rel=1e-6)
    assert p1.shadow_eur_per_mw_y == pytest.approx(140_505, rel=1e-5)  # the paper figure itself
    assert p1.next_step_annuity_eur_per_mw_y == pytest.approx(first, rel=1e-9)
    assert p1.net_step_value_eur_y == pytest.approx(0.0, abs=1e-6 * first * MW_PER_BCM_PER_YEAR)

    # a spurious dual on the unbuilt second step (as HiGHS once reported for the Trans-Caspian's):
    links = n.links
    second = links[(links[ASSET] == "P1") & (links[SEGMENT] == 2)].index
    assert len(second) == 1 and float(links.p_nom_opt[second[0]]) == 0.0
    n.links_t.mu_upper[second[0]] = -10 * first / annual_factor(n) / len(n.snapshots)
    assert float(asset_shadow_prices(n, "pipeline")["P1"]) == pytest.approx(first, rel=1e-6)


def test_an_asset_at_its_largest_option_has_no_next_step(mini, tmp_path):
    """Paper: with a 20 bcm/y field, P1's only option (+2 bcm/y for 100 M EUR, annuity 3,513 EUR/MW/y)
    is built in full and P1 (5 bcm/y) binds every hour: its shadow price is Italy's 30 less Baku's 5
    EUR/MWh, × 8,760 h = 219,000 EUR/MW/y. No step is left in the data, so there is no annuity and no net
    value (—), and the gross value of one more bcm/y is 219,000 × 1,221.5 MW = 267.5 M EUR/y."""
    result, data, n = _run(mini, tmp_path, [_option("loop", 2, 100)], plateau_bcm_y=20.0)
    assert float(result.summary.pipeline_built_bcm.sel(pipeline="P1")) == pytest.approx(2.0, rel=1e-6)
    (p1,) = [b for b in bottlenecks(n) if b.asset == "P1"]
    assert p1.status.startswith("built to its largest option")
    assert p1.shadow_eur_per_mw_y == pytest.approx(25 * HOURS_PER_YEAR, rel=1e-6)
    assert not p1.has_next_step and math.isnan(p1.net_step_value_eur_y)
    assert p1.gross_step_value_eur_y == pytest.approx(25 * HOURS_PER_YEAR * MW_PER_BCM_PER_YEAR, rel=1e-6)
    assert p1.gross_step_value_eur_y == pytest.approx(267.5e6, rel=1e-4)  # the paper figure itself
    _assert_same_in_all_outputs(result, data)


def test_an_unexpanded_asset_shows_why_not(mini, tmp_path):
    """Paper: the only option costs 40,000 M EUR for 2 bcm/y (annuity 1,405,047 EUR/MW/y), far above the
    25 × 8,760 = 219,000 EUR/MW/y that one more MW of P1 saves; nothing is built and the net value of
    one more bcm/y is (219,000 − 1,405,047) × 1,221.5 MW = −1,448.7 M EUR/y."""
    result, data, n = _run(mini, tmp_path, [_option("loop", 2, 40000)], plateau_bcm_y=20.0)
    (p1,) = [b for b in bottlenecks(n) if b.asset == "P1"]
    annuity = _annuity(40000, 2)
    assert p1.status == NOT_EXPANDED
    assert p1.shadow_eur_per_mw_y == pytest.approx(25 * HOURS_PER_YEAR, rel=1e-6)
    assert p1.next_step_annuity_eur_per_mw_y == pytest.approx(annuity, rel=1e-9)
    assert p1.net_step_value_eur_y == pytest.approx(
        (25 * HOURS_PER_YEAR - annuity) * MW_PER_BCM_PER_YEAR, rel=1e-6
    )
    _assert_same_in_all_outputs(result, data)


def test_an_interior_expansion_is_the_same_in_every_output(mini, tmp_path):
    """The interior expansion of P1 (the case where the terminal once read 0 from summary.nc and the
    report the annuity): P1's shadow price is its annuity (4e9 / (2 × 1,221.5 MW) × CRF = 140,505
    EUR/MW/y) in summary.nc, the terminal and report.md, which list the same limits in the same order."""
    result, data, _n = _run(mini, tmp_path, [_option("loop", 2, 4000)])
    ds = result.summary
    assert list(ds.limit.values) == ["Field A plateau", "P1"]
    assert float(ds.limit_shadow_eur_per_mw_y.sel(limit="P1")) == pytest.approx(_annuity(4000, 2), rel=1e-6)
    assert float(ds.pipeline_shadow_eur_per_mw_y.sel(pipeline="P1")) == pytest.approx(
        _annuity(4000, 2), rel=1e-6
    )
    _assert_same_in_all_outputs(result, data)


def _assert_same_in_all_outputs(result, data) -> None:
    """summary.nc's limit table, the terminal table and report.md carry the same three numbers."""
    ds = result.summary
    console = Console(record=True, width=250)
    print_summary(console, result)
    terminal = console.export_text()
    write_report(result.directory, data)
    markdown = (result.directory / "report.md").read_text(encoding="utf-8")
    table = markdown.split("### Binding limits")[1].split("\n\n")[1].splitlines()[2:]
    rows = {cells[0]: cells for cells in ([c.strip() for c in r.strip("|").split("|")] for r in table)}
    assert list(rows) == list(ds.limit.values)
    for limit in ds.limit.values:
        shadow = float(ds.limit_shadow_eur_per_mw_y.sel(limit=limit))
        annuity = float(ds.limit_next_step_annuity_eur_per_mw_y.sel(limit=limit))
        net = float(ds.limit_net_step_value_eur_y.sel(limit=limit))
        assert np.isnan(annuity) == np.isnan(net)
        expected = [f"{shadow:,.0f}", "—" if np.isnan(annuity) else f"{annuity:,.0f}"]
        assert rows[limit][4:6] == expected
        assert rows[limit][7] == ("—" if np.isnan(net) else signed_zero_free(f"{net / 1e6:,.2f}"))
        terminal_net = "—" if np.isnan(net) else signed_zero_free(f"{net / 1e6:,.1f}")
        lines = [row for row in terminal.splitlines() if re.match(rf"│ {re.escape(limit)} +│ \w+ +│", row)]
        (cells,) = [
            c for c in ([cell.strip() for cell in row.strip("│").split("│")] for row in lines) if len(c) == 7
        ]
        assert cells[2:4] == expected and cells[5] == terminal_net, limit
    assert "Shadow price: what one more MW" in terminal.replace("\n", " ")


def test_an_outage_adds_nothing_to_the_shadow_price(mini, tmp_path):
    """P1 is out for the second half of the day while Italy needs 10 bcm/y (2 of contract, 8 of residual
    demand) and LNG brings 8. In the first half P1 runs full (3 bcm/y, LNG 7 at 30 EUR/MWh sets Italy's
    price; Baku 5): one more MW is worth 25 EUR/MWh × 4,380 h = 109,500 EUR/MW/y. In the second half P1 is
    out and 2 bcm/y go unserved: there p ≤ 0 · p_nom binds with p ≥ 0, a dual that is not unique (HiGHS
    reports up to the value of lost load, which once made P1's shadow price 87.6 M EUR/MW/y) and that is
    weighted by availability 0, so it adds nothing. P1 has no spare capacity to report during the
    shortage: none of it is available then (NaN)."""
    tables = mini_tables()
    tables["gas_offtakes"].append(
        {"name": "IT contract", "bus": "IT gas", "annual_bcm": 2, "kind": "contract", "from_year": 2020}
    )
    tables["gas_alternatives"][0]["capacity_bcm_y"] = 8
    outage = [{"asset": "P1", "start": "2030-01-01 12:00", "end": "2030-01-02 00:00"}]
    network, data = mini(tables, outages=outage, unserved_energy=True)
    result = execute(RunRequest(network, data, tmp_path / "results"))
    n = pypsa.Network(result.directory / "network.nc")
    assert float(result.summary.unserved_total_twh) > 0
    assert float(asset_shadow_prices(n, "pipeline")["P1"]) == pytest.approx(25 * 4380, rel=1e-6)
    (p1,) = [b for b in bottlenecks(n) if b.asset == "P1"]
    assert p1.hours_at_limit == pytest.approx(4380)
    assert math.isnan(float(result.summary.pipeline_spare_when_short_share.sel(pipeline="P1")))
