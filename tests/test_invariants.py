"""Invariants over a short horizon (168 h, hourly) of the 2024 backcast in dispatch mode and the
default 2030 network in expansion mode: energy balance at every bus, no flow above capacity, duals
equal to prices, netCDF round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.naming import ASSET, DIRECTION, FORWARD, REVERSE, SEGMENT, forward_twins
from caspian.pypsa_model import build_network
from caspian.pypsa_model.solve import SolveOptions, solve_network
from conftest import REPO

TOL_MW = 1e-3


@pytest.fixture(scope="module", params=["backcast-2024.yaml", "caspian.yaml"])
def solved(request) -> pypsa.Network:
    overrides = [("time.hours", 168), ("time.resolution", None)]
    spec = resolve_spec(REPO / "networks" / request.param, None, overrides)
    n = build_network(spec, load_dataset(REPO / "data")).network
    solve_network(n, SolveOptions())
    return n


def _bus_injections(n: pypsa.Network) -> pd.DataFrame:
    inj = pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)
    inj = inj.add(n.generators_t.p.T.groupby(n.generators.bus).sum().T, fill_value=0)
    inj = inj.sub(n.loads_t.p.T.groupby(n.loads.bus).sum().T, fill_value=0)
    inj = inj.add(n.storage_units_t.p.T.groupby(n.storage_units.bus).sum().T, fill_value=0)
    inj = inj.sub(n.links_t.p0.T.groupby(n.links.bus0).sum().T, fill_value=0)
    inj = inj.sub(n.links_t.p1.T.groupby(n.links.bus1).sum().T, fill_value=0)
    return inj


def test_energy_balance_closes_at_every_bus(solved):
    imbalance = _bus_injections(solved).abs().max()
    assert (imbalance < TOL_MW).all(), imbalance[imbalance >= TOL_MW]


def test_storage_levels_stay_within_working_gas_and_close_the_cycle(solved):
    """Every storage level lies in [0, working volume], moves by w × (injection − withdrawal), and the
    level before the first snapshot equals the last (cyclic)."""
    n = solved
    stores = n.storage_units
    assert not stores.empty
    level = n.storage_units_t.state_of_charge[stores.index]
    volume = stores.p_nom_opt * stores.max_hours
    assert (level >= -TOL_MW).all().all() and (level <= volume + TOL_MW).all().all()
    net = n.storage_units_t.p[stores.index].mul(n.snapshot_weightings.stores, axis=0)
    previous = level.shift(1)
    previous.iloc[0] = level.iloc[-1]
    np.testing.assert_allclose((previous - net).to_numpy(), level.to_numpy(), atol=1e-3)


def test_no_flow_above_capacity(solved):
    n = solved
    links = n.links
    p_max = n.get_switchable_as_dense("Link", "p_max_pu") * links.p_nom_opt
    p_min = n.get_switchable_as_dense("Link", "p_min_pu") * links.p_nom_opt
    assert (n.links_t.p0 <= p_max + TOL_MW).all().all()
    assert (n.links_t.p0 >= p_min - TOL_MW).all().all()
    gens = n.generators
    g_max = n.get_switchable_as_dense("Generator", "p_max_pu") * gens.p_nom_opt
    g_min = n.get_switchable_as_dense("Generator", "p_min_pu") * gens.p_nom_opt
    assert (n.generators_t.p <= g_max + TOL_MW).all().all()
    assert (n.generators_t.p >= g_min - TOL_MW).all().all()
    assert (links.p_nom_opt <= links.p_nom_max + TOL_MW).all()
    assert (gens.p_nom_opt <= gens.p_nom_max + TOL_MW).all()
    supplies = gens[gens.carrier == "gas supply"]
    produced = n.generators_t.p[supplies.index].mul(n.snapshot_weightings.generators, axis=0).sum()
    assert (produced <= supplies.e_sum_max * (1 + 1e-9) + TOL_MW).all()


def test_duals_equal_bus_prices(solved):
    """The reported prices price every unconstrained unit: a generator strictly inside its bounds sets
    its bus price to its marginal cost; a link with spare capacity and positive flow has
    price(bus1) × efficiency = price(bus0) + marginal cost."""
    n = solved
    prices = n.buses_t.marginal_price
    gens = n.generators
    p = n.generators_t.p
    cap_max = n.get_switchable_as_dense("Generator", "p_max_pu") * gens.p_nom_opt
    cap_min = n.get_switchable_as_dense("Generator", "p_min_pu") * gens.p_nom_opt
    interior = (p > cap_min + 1.0) & (p < cap_max - 1.0)
    interior &= ~gens.carrier.isin(["gas supply", "hydro"]).to_numpy()[None, :]
    cost = n.get_switchable_as_dense("Generator", "marginal_cost")
    bus_price = prices[gens.bus].set_axis(gens.index, axis=1)
    checked = int(interior.to_numpy().sum())
    assert checked > 10
    np.testing.assert_allclose(
        bus_price.to_numpy()[interior], cost.to_numpy()[interior], rtol=1e-6, atol=1e-4
    )
    links = n.links
    flow = n.links_t.p0
    free = (flow > 1.0) & (flow < links.p_nom_opt - 1.0)
    price0 = prices[links.bus0].set_axis(links.index, axis=1)
    price1 = prices[links.bus1].set_axis(links.index, axis=1)
    lhs = (price1 * links.efficiency).to_numpy()[free.to_numpy()]
    rhs = (price0 + links.marginal_cost).to_numpy()[free.to_numpy()]
    assert free.to_numpy().sum() > 10
    np.testing.assert_allclose(lhs, rhs, rtol=1e-6, atol=1e-4)


def test_netcdf_round_trip_reproduces_objective(solved, tmp_path):
    path = tmp_path / "network.nc"
    solved.export_to_netcdf(path)
    loaded = pypsa.Network(path)
    np.testing.assert_array_equal(loaded.snapshots.to_numpy(), solved.snapshots.to_numpy())
    np.testing.assert_allclose(loaded.links_t.p0.to_numpy(), solved.links_t.p0.to_numpy(), rtol=0, atol=1e-9)
    pd.testing.assert_series_equal(loaded.links.p_nom_opt, solved.links.p_nom_opt, check_names=False)
    assert loaded.objective == pytest.approx(solved.objective, rel=1e-12)
    outcome = solve_network(loaded, SolveOptions())
    assert outcome.objective == pytest.approx(solved.objective, rel=1e-6)


def test_reverse_twins_share_the_forward_capacity(solved):
    """A bidirectional cable's reverse link has exactly its forward link's capacity, built or not."""
    links = solved.links
    twins = forward_twins(links)
    assert not twins.empty
    forward = list(twins)
    np.testing.assert_allclose(
        links.p_nom_opt[twins].to_numpy(), links.p_nom_opt[forward].to_numpy(), atol=1e-6
    )


def test_every_link_and_generator_carries_its_labels_through_netcdf(solved, tmp_path):
    """`asset`, `segment` (and links' `direction`) are static columns with no gaps, and PyPSA keeps them
    through a netCDF export and import."""
    path = tmp_path / "network.nc"
    solved.export_to_netcdf(path)
    loaded = pypsa.Network(path)
    for static, columns in (
        (loaded.links, [ASSET, SEGMENT, DIRECTION]),
        (loaded.generators, [ASSET, SEGMENT]),
    ):
        assert static[columns].notna().all().all()
    assert set(loaded.links[DIRECTION]) <= {FORWARD, REVERSE}
    for name in ("links", "generators"):
        saved, read = getattr(solved, name), getattr(loaded, name)
        pd.testing.assert_frame_equal(read[[ASSET, SEGMENT]], saved[[ASSET, SEGMENT]], check_names=False)
    twins = forward_twins(loaded.links)
    assert (
        loaded.links.loc[twins.index, ASSET].to_numpy() == loaded.links.loc[twins, ASSET].to_numpy()
    ).all()
