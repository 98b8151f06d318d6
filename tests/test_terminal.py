"""The terminal's cost equation: every term shown, none signed when it rounds to zero."""

from __future__ import annotations

import xarray as xr

from caspian.present.terminal import cost_equation

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
