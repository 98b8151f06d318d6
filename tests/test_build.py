"""Builder behaviour on the real data: profile calibration, user profiles, time aggregation, modes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import in_force, load_dataset
from caspian.pypsa_model import build_network
from conftest import REPO

NETWORK = REPO / "networks" / "caspian.yaml"


@pytest.fixture(scope="module")
def data():
    return load_dataset(REPO / "data")


def _build(data, *overrides):
    spec = resolve_spec(NETWORK, None, [("time.resolution", None), *overrides])
    return build_network(spec, data)


@pytest.fixture(scope="module")
def hourly(data):
    return _build(data)


def test_renewable_profiles_hit_sourced_capacity_factors(hourly, data):
    """Synthetic hourly profiles over the full year average to the annual CF of renewables.csv."""
    n = hourly.network
    rows = in_force(data.table("renewables"), ["country", "technology"], 2030)
    checked = 0
    for _, row in rows.iterrows():
        name = f"{row['country']} {row['technology']}"
        if name in n.generators.index:
            mean = n.generators_t.p_max_pu[name].mean()
            assert mean == pytest.approx(row["capacity_factor"], abs=1e-3), name
            checked += 1
    assert checked >= 6


def test_demand_matches_annual_energy_and_peak(hourly, data):
    n = hourly.network
    rows = in_force(data.table("electricity_demand"), ["country"], 2030).set_index("country")
    for country, row in rows.iterrows():
        load = n.loads_t.p_set[f"{country} demand"]
        assert load.sum() / 1e6 == pytest.approx(row["annual_twh"], rel=1e-6)
        assert load.max() == pytest.approx(row["peak_mw"], rel=1e-6)


def test_user_profile_file_replaces_synthetic(data, tmp_path):
    index = pd.date_range("2019-01-01", periods=8760, freq="h")
    values = np.round(0.2 + 0.1 * np.sin(np.arange(8760) / 24), 6)
    path = tmp_path / "az_wind.csv"
    path.write_text("# renewables.ninja-style test file\ntime,electricity\n")
    pd.DataFrame({"time": index, "electricity": values}).to_csv(path, mode="a", header=False, index=False)
    built = _build(data, ("profiles.files", {"AZ onwind": str(path)}), ("time.hours", 48))
    np.testing.assert_allclose(built.network.generators_t.p_max_pu["AZ onwind"].to_numpy(), values[:48])
    assert "user file" in built.profile_sources["AZ onwind"]


@pytest.mark.parametrize("aggregation", [("time.resolution", "3h"), ("time.segments", 400)])
def test_time_aggregation_preserves_energy(hourly, data, aggregation):
    """Every weighted input sum (demand, renewable availability) equals the hourly one."""
    coarse = _build(data, aggregation).network
    fine = hourly.network
    weights = coarse.snapshot_weightings.objective
    assert weights.sum() == pytest.approx(8760)
    assert len(coarse.snapshots) < len(fine.snapshots)
    for frame, coarse_frame in (
        (fine.loads_t.p_set, coarse.loads_t.p_set),
        (fine.generators_t.p_max_pu, coarse.generators_t.p_max_pu),
    ):
        np.testing.assert_allclose(coarse_frame.mul(weights, axis=0).sum(), frame.sum(), rtol=1e-9)


def test_dispatch_mode_has_nothing_extendable(data):
    n = _build(data, ("mode", "dispatch"), ("time.hours", 24)).network
    assert not n.links.p_nom_extendable.any()
    assert not n.generators.p_nom_extendable.any()
    assert "Trans-Caspian" not in n.links.index


def test_fixed_capacity_override_adds_a_candidate_in_dispatch(data):
    n = _build(
        data, ("mode", "dispatch"), ("time.hours", 24), ("capacity", {"Trans-Caspian": "10 bcm/y"})
    ).network
    assert n.links.at["Trans-Caspian", "p_nom"] == pytest.approx(10 * 10.7e6 / 8760)


def test_project_segments_follow_the_convex_hull(data):
    """TCP: connector 10 bcm/y is far cheaper per unit than the full 30 bcm/y line, so the LP sees two
    segments, the first cheaper per MW than the second."""
    n = _build(data, ("time.hours", 24)).network
    segments = n.links[n.links.index.str.startswith("Trans-Caspian expansion")].sort_index()
    assert len(segments) == 2
    assert segments.capital_cost.iloc[0] < segments.capital_cost.iloc[1]
    assert segments.p_nom_max.sum() == pytest.approx(30 * 10.7e6 / 8760)


def test_fixed_candidate_capacity_carries_its_investment_cost(data):
    """Fixing the Trans-Caspian pipeline at 10 bcm/y (its connector option) charges the connector's
    annuity: the first hull segment's cost per MW times 10 bcm/y, scaled to the 24 h horizon."""
    from caspian.inputs.costs import project_segments
    from caspian.units import bcm_per_year_to_mw

    built = _build(data, ("time.hours", 24), ("capacity", {"Trans-Caspian": "10 bcm/y"}))
    link = built.network.links.loc["Trans-Caspian"]
    assert link.p_nom_extendable and link.p_nom_min == link.p_nom_max == pytest.approx(bcm_per_year_to_mw(10))
    first = project_segments(data, "Trans-Caspian", 9999, 0.07)[0]
    assert first.width_mw == pytest.approx(bcm_per_year_to_mw(10))
    expected = first.annual_cost_eur_per_mw * first.width_mw * 24 / 8760
    assert link.capital_cost * link.p_nom_max == pytest.approx(expected, rel=1e-9)
