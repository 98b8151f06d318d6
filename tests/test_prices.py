"""Unique and non-unique nodal prices (caspian.results.prices) on networks whose duals can be worked out
by hand."""

from __future__ import annotations

import pandas as pd
import pypsa
import pytest

from caspian.results.prices import is_unique, price_set, price_set_share, price_uniqueness

HOURS = 4


def _solve(n: pypsa.Network) -> pypsa.Network:
    status, condition = n.optimize(
        solver_name="highs", solver_options={"output_flag": False}, include_objective_constant=False
    )
    assert (status, condition) == ("ok", "optimal")
    return n


def _two_buses(link_mw: float, local_mw: float) -> pypsa.Network:
    """A cheap source (10 EUR/MWh, 100 MW) at A, a link A→B of ``link_mw``, a local plant at B (50 EUR/MWh,
    ``local_mw``) and a fixed 80 MW load at B, over four hours."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.add("Bus", ["A", "B"])
    n.add("Generator", "cheap", bus="A", p_nom=100, marginal_cost=10)
    n.add("Generator", "local", bus="B", p_nom=local_mw, marginal_cost=50)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=link_mw)
    n.add("Load", "demand", bus="B", p_set=80)
    return _solve(n)


def test_an_uncongested_link_carries_the_source_price_to_the_load() -> None:
    """Link 100 MW: the cheap source runs at 80 MW (interior), the link at 80 of 100 MW (interior), so
    both prices are 10 EUR/MWh and set in every hour."""
    n = _two_buses(link_mw=100, local_mw=100)
    assert price_set(n).all().all()
    assert n.buses_t.marginal_price["B"].round(6).eq(10).all()


def test_a_congested_link_leaves_the_price_to_the_local_plant() -> None:
    """Link 50 MW: the local plant makes 30 of 100 MW (interior) and sets B at 50 EUR/MWh; A is set by the
    cheap source at 50 of 100 MW."""
    n = _two_buses(link_mw=50, local_mw=100)
    assert price_set(n).all().all()
    assert n.buses_t.marginal_price["B"].round(6).eq(50).all()


def test_a_bus_where_every_variable_is_at_a_bound_has_no_unique_price() -> None:
    """Link 50 MW and a local plant of exactly 30 MW: both at their limits, so any price from 50 EUR/MWh
    up satisfies B's balance and B is flagged in every hour; A (source interior) stays set."""
    n = _two_buses(link_mw=50, local_mw=30)
    share = price_set_share(n)
    assert share["B"] == 0.0
    assert share["A"] == 1.0
    assert not is_unique(share["B"])
    assert is_unique(share["A"])


def test_a_sell_only_market_no_link_reaches_is_flagged() -> None:
    """A sink that may only buy (p between −100 and 0 MW) at a bus with nothing else: it sits at 0, its
    upper bound, so the bus dual is not unique in any hour."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.add("Bus", "M")
    n.add("Generator", "market", bus="M", p_nom=100, p_min_pu=-1, p_max_pu=0, marginal_cost=80)
    _solve(n)
    assert price_set_share(n)["M"] == 0.0


@pytest.mark.parametrize("weights", [[1, 1, 1, 1], [1, 1, 1, 5]])
def test_the_share_weights_hours_by_their_snapshot_weighting(weights: list[float]) -> None:
    """Demand 120 MW in the last hour only exceeds the 100 MW link from A, so B's local 20 MW plant is
    needed that hour and sits at its limit: B is unset there, its share is 1 − w₄/Σw."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.snapshot_weightings.loc[:, :] = pd.DataFrame({c: weights for c in n.snapshot_weightings}).values
    n.add("Bus", ["A", "B"])
    n.add("Generator", "cheap", bus="A", p_nom=200, marginal_cost=10)
    n.add("Generator", "local", bus="B", p_nom=20, marginal_cost=50)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=100)
    n.add("Load", "demand", bus="B", p_set=[80, 80, 80, 120])
    _solve(n)
    assert price_set_share(n)["B"] == pytest.approx(1 - weights[-1] / sum(weights))


def _one_bus_with_prices(prices: list[float], weights: list[float]) -> pypsa.Network:
    """No solve: one bus M with a 100 MW plant that runs at 50 MW (interior, price set) in the first
    three hours and at its 100 MW limit (price not set) in the last, and the given duals and weights."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.snapshot_weightings.loc[:, :] = pd.DataFrame({c: weights for c in n.snapshot_weightings}).values
    n.add("Bus", "M")
    n.add("Generator", "plant", bus="M", p_nom=100, marginal_cost=10)
    n.generators_t.p = pd.DataFrame({"plant": [50.0, 50.0, 50.0, 100.0]}, index=n.snapshots)
    n.buses_t.marginal_price = pd.DataFrame({"M": prices}, index=n.snapshots)
    return n


@pytest.mark.parametrize(
    ("last_price", "unique"),
    [
        # weights 1000, 1000, 1000, 1: the unset hour is 1/3001 = 0.033 % of the time (share 0.99967 ≥
        # 0.999). Its price moves the mean from 10 to (30,000 + p)/3,001: by (p − 10)/3,001 EUR/MWh.
        (500.0, False),  # + 490 / 3,001 = 0.163 EUR/MWh > 0.01: the spike moves the mean
        (40.0, True),  # + 30 / 3,001 = 0.0100 − 3e-6 EUR/MWh ≤ 0.01: within the tolerance
        (10.0, True),  # no shift at all
    ],
)
def test_rare_unset_hours_that_move_the_mean_are_flagged(last_price: float, unique: bool) -> None:
    n = _one_bus_with_prices([10.0, 10.0, 10.0, last_price], [1000, 1000, 1000, 1])
    row = price_uniqueness(n).loc["M"]
    assert row["share"] == pytest.approx(3000 / 3001)
    assert is_unique(row["share"])  # the share test alone passes
    assert row["shift"] == pytest.approx((last_price - 10.0) / 3001)
    assert bool(row["unique"]) is unique


def test_a_bus_whose_price_is_never_set_has_no_shift_and_is_not_unique() -> None:
    n = _one_bus_with_prices([10.0] * HOURS, [1, 1, 1, 1])
    n.generators_t.p = pd.DataFrame({"plant": [100.0] * HOURS}, index=n.snapshots)
    row = price_uniqueness(n).loc["M"]
    assert row["share"] == 0.0 and pd.isna(row["shift"]) and not row["unique"]
