"""The terminal's cost equation (every term shown, none signed when it rounds to zero) and its policy
lines (CBAM, renewable targets, emissions)."""

from __future__ import annotations

import xarray as xr
from rich.console import Console

from caspian.present.terminal import _policy_lines, cost_equation

BN = 1e9


def _summary(**terms: float) -> xr.Dataset:
    base = {"objective_eur_y": 3.0, "capex_eur_y": 1.0, "opex_eur_y": 2.0, "market_net_revenue_eur_y": 0.0}
    return xr.Dataset({k: xr.DataArray(v * BN) for k, v in {**base, **terms}.items()})


def test_a_revenue_that_rounds_to_zero_carries_no_minus_sign():
    line = cost_equation(_summary(market_net_revenue_eur_y=-4e-4))
    assert line.endswith("− market net revenue 0.000")
    assert "-0.000" not in line and "market net cost" not in line


def test_a_negative_revenue_is_a_net_cost():
    """capex 1 + opex 2 + other gas 0.5 + net cost 0.25 = 3.75."""
    line = cost_equation(
        _summary(objective_eur_y=3.75, gas_import_cost_eur_y=0.5, market_net_revenue_eur_y=-0.25)
    )
    assert line == (
        "system cost 3.750 bn EUR/y = capex 1.000 + opex 2.000 + markets' other gas 0.500 "
        "+ market net cost 0.250"
    )


def test_the_unserved_penalty_is_shown_and_taken_out():
    line = cost_equation(_summary(objective_eur_y=13.0, unserved_cost_eur_y=10.0))
    assert "+ unserved-energy penalty 10.000 " in line
    assert line.endswith("; 3.000 without the penalty")


def test_cbam_term_shown_only_when_it_does_not_round_to_zero():
    """capex 1 + opex 2 + CBAM 0.3 = 3.3; a charge of 1e-7 bn EUR/y is no term."""
    assert "+ CBAM 0.300 " in cost_equation(_summary(objective_eur_y=3.3, cbam_charge_eur_y=0.3))
    assert "CBAM" not in cost_equation(_summary(cbam_charge_eur_y=1e-7))


def test_policy_lines_name_the_matched_share_the_binding_targets_and_emissions():
    ds = xr.Dataset(
        {
            "cbam_delivered_twh": xr.DataArray([8.0], coords={"cbam_entry": ["Black Sea cable"]}),
            "cbam_matched_twh": xr.DataArray([6.0], coords={"cbam_entry": ["Black Sea cable"]}),
            "cbam_charge_eur_y": xr.DataArray(180e6),
            "target_share_reached": xr.DataArray(
                [0.5, 0.15],
                dims="target",
                coords={
                    "target": ["AZ capacity", "KZ generation"],
                    "target_unit": ("target", ["EUR/MW/y", "EUR/MWh"]),
                },
            ),
            "target_shadow_price": xr.DataArray(
                [0.0, 31.94], coords={"target": ["AZ capacity", "KZ generation"]}
            ),
            "co2_emissions_mt": xr.DataArray([5.71, 124.2], coords={"country": ["AZ", "KZ"]}),
        }
    )
    console = Console(record=True, width=200)
    _policy_lines(console, ds)
    text = console.export_text()
    assert "8.00 TWh/y delivered, 6.00 matched" in text and "(75%)" in text and "charge 180.0 M EUR/y" in text
    assert "AZ capacity 50.0% (not binding)" in text and "KZ generation 15.0% at 31.9 EUR/MWh" in text
    assert "AZ 5.7, KZ 124.2" in text
