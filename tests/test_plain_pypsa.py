"""A saved run re-optimises in plain PyPSA: ``pypsa.Network(run/network.nc).optimize(...)`` gives the
run's objective and capacities (the default network, 168 h, LP expansion with free reverse-twin cables,
and MILP expansion), and the report's and summary's per-asset numbers are sums over the `asset` column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest
import yaml

from caspian.inputs.tables import load_dataset
from caspian.naming import ASSET, CAPACITY_FROM, DIRECTION, FORWARD, FROM_MILP, MILP_OPTION
from caspian.results.summary import summarize
from caspian.results.variables import SUMMARY_VARIABLES
from caspian.results.views import annual_energy, asset_capacity
from caspian.runs.single import RunRequest, execute
from caspian.units import MWH_PER_BCM, MWH_PER_TWH, bcm_per_year_to_mw
from conftest import REPO

HOURS = 168
REL_OBJECTIVE = 1e-7
"""Relative tolerance on the objective (the same LP, re-solved by HiGHS)."""
ATOL_MW = 1e-6


@pytest.fixture(scope="module", params=[False, True], ids=["lp", "milp"])
def run_dir(request, tmp_path_factory):
    overrides = [("time.hours", HOURS), ("time.resolution", None)]
    if request.param:
        overrides.append(("expansion.milp", True))
    out = tmp_path_factory.mktemp("run") / "run"
    network = REPO / "networks" / "caspian.yaml"
    execute(RunRequest(network, REPO / "data", out.parent, overrides=tuple(overrides), output_dir=out))
    return out


def test_plain_pypsa_reproduces_objective_and_capacities(run_dir):
    run = yaml.safe_load((run_dir / "run.yaml").read_text(encoding="utf-8"))
    saved = pypsa.Network(run_dir / "network.nc")
    assert saved.meta["objective_eur"] == pytest.approx(run["objective_eur"], rel=1e-12)
    assert "not necessarily the dispatch" in saved.meta["plain_pypsa"]  # annual limits leave timing open
    plain = pypsa.Network(run_dir / "network.nc")
    status, condition = plain.optimize(solver_name="highs", include_objective_constant=False)
    assert (status, condition) == ("ok", "optimal")
    assert plain.objective == pytest.approx(run["objective_eur"], rel=REL_OBJECTIVE)
    for name in ("links", "generators"):
        np.testing.assert_allclose(
            getattr(plain, name).p_nom_opt.to_numpy(), getattr(saved, name).p_nom_opt.to_numpy(), atol=ATOL_MW
        )
    default = pypsa.Network(run_dir / "network.nc")
    default.optimize(solver_name="highs", include_objective_constant=True)
    assert default.objective + saved.meta["objective_constant_eur"] == pytest.approx(
        run["objective_eur"], rel=REL_OBJECTIVE
    )


def test_milp_choices_are_recorded_on_the_links(run_dir):
    run = yaml.safe_load((run_dir / "run.yaml").read_text(encoding="utf-8"))
    n = pypsa.Network(run_dir / "network.nc")
    choices = run.get("mip", {}).get("choices", {})
    assert n.meta.get("milp_choices", {}) == choices
    milp = n.links[n.links[CAPACITY_FROM] == FROM_MILP]
    assert set(milp[MILP_OPTION]) - {""} == {c for c in choices.values() if c}
    if not choices:
        assert milp.empty


def test_per_asset_numbers_are_sums_over_the_asset_column(run_dir):
    """Summary and analysis per asset = sums of the forward links that carry that `asset` label."""
    n = pypsa.Network(run_dir / "network.nc")
    ds = summarize(n, load_dataset(REPO / "data"))
    assert set(ds.data_vars) <= SUMMARY_VARIABLES
    for kind, carrier in (("pipeline", "gas pipeline"), ("cable", "interconnector")):
        links = n.links[(n.links.carrier == carrier) & (n.links[DIRECTION] == FORWARD)]
        capacity = links.p_nom_opt.groupby(links[ASSET]).sum().sort_index()
        pd.testing.assert_series_equal(asset_capacity(n, kind).sort_index(), capacity, check_names=False)
        sent = annual_energy(n, n.links_t.p0[links.index]).groupby(links[ASSET]).sum().sort_index()
        if kind == "pipeline":
            summary_capacity = ds["pipeline_capacity_bcm"].to_series().map(bcm_per_year_to_mw)
            summary_sent = ds["pipeline_flow_bcm"].to_series() * MWH_PER_BCM
        else:
            summary_capacity = ds["cable_capacity_mw"].to_series()
            summary_sent = ds["cable_forward_twh"].to_series() * MWH_PER_TWH
        np.testing.assert_allclose(summary_capacity.reindex(capacity.index), capacity, rtol=1e-9)
        np.testing.assert_allclose(summary_sent.reindex(sent.index), sent, rtol=1e-9, atol=1e-6)
