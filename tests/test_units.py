"""Unit conversions (hand-computed expectations)."""

from __future__ import annotations

import pytest

from caspian.errors import InputError
from caspian.units import (
    MWH_PER_BCM,
    bcm_per_year_to_mw,
    capital_recovery_factor,
    mw_to_bcm_per_year,
    mwh_to_bcm,
    parse_power,
)


def test_bcm_energy_uses_gcv():
    assert pytest.approx(10.7e6) == MWH_PER_BCM
    assert mwh_to_bcm(10.7e6) == pytest.approx(1.0)


def test_bcm_per_year_to_mw_and_back():
    assert bcm_per_year_to_mw(1.0) == pytest.approx(10.7e6 / 8760)
    assert mw_to_bcm_per_year(bcm_per_year_to_mw(23.4)) == pytest.approx(23.4)


def test_capital_recovery_factor():
    # r / (1 − (1 + r)^−n) for r = 7 %, n = 25 → 0.085811
    assert capital_recovery_factor(0.07, 25) == pytest.approx(0.0858105, rel=1e-6)
    assert capital_recovery_factor(0.0, 20) == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("text", "mw"),
    [("1500 MW", 1500.0), ("1.3 GW", 1300.0), ("10 bcm/y", 10 * 10.7e6 / 8760), (700, 700.0)],
)
def test_parse_power(text, mw):
    assert parse_power(text, "test") == pytest.approx(mw)


@pytest.mark.parametrize("text", ["30 TWh", "10 bcm", "lots"])
def test_parse_power_rejects_inconsistent_units(text):
    with pytest.raises(InputError, match="test"):
        parse_power(text, "test")
