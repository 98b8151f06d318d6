"""The green corridor's topology in the repository data (issue 12): the Caspian cable lands in West
Kazakhstan (Aktau), which joins the rest of the Kazakh grid only over KEGOC's 500 MW line from 2028;
Karakalpakstan (UZ West) has its own bus, wind and candidate HVDC line to Aktau; the Black Sea cable
comes in 1.3 GW stages from 2032."""

from __future__ import annotations

import pypsa
import pytest

from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.pypsa_model.assemble import build_network
from conftest import REPO

DATA = load_dataset(REPO / "data")


def _network(year: int, mode: str = "expansion") -> pypsa.Network:
    spec = resolve_spec(
        REPO / "networks" / "green-corridor.yaml",
        overrides=[("year", year), ("mode", mode), ("time.hours", 8760), ("time.resolution", "24h")],
    )
    return build_network(spec, DATA).network


def _links_between(n: pypsa.Network, a: str, b: str) -> pypsa.components.Components:
    links = n.links
    return links[((links.bus0 == a) & (links.bus1 == b)) | ((links.bus0 == b) & (links.bus1 == a))]


def test_west_kazakhstan_is_an_island_until_the_karabatan_ulke_line():
    before, after = _network(2024, "dispatch"), _network(2030)
    assert _links_between(before, "KZ West AC", "KZ AC").empty
    joined = _links_between(after, "KZ West AC", "KZ AC")
    base = joined[~joined.p_nom_extendable]
    assert sorted(base.p_nom) == [500.0, 500.0]  # both directions of the 500 MW line
    assert joined.p_nom_extendable.any()  # the reinforcement option


def test_caspian_cable_lands_at_aktau_and_uzbek_wind_reaches_it():
    n = _network(2035)
    cable = n.links[n.links.index.str.startswith("Caspian cable")]
    assert set(cable.bus0) | set(cable.bus1) == {"KZ West AC", "AZ AC"}
    assert not _links_between(n, "UZ West AC", "KZ West AC").empty
    wind = n.generators[(n.generators.bus == "UZ West AC") & (n.generators.carrier == "onwind")]
    assert wind.p_nom.sum() == pytest.approx(1800.0)  # Nukus, Beruniy and Kungrad, contracted by 2027
    assert wind.p_nom_max[wind.p_nom_extendable].sum() == pytest.approx(5000.0)  # Aral's 5 GW on top


def test_demand_split_keeps_the_national_totals():
    """KZ 2030: 141.2 TWh national = 122.97 (rest) + 18.23 (West, 12.91 %); UZ 2030: 120.8 = 114.0 + 6.82."""
    n = _network(2030)
    annual_twh = n.loads_t.p_set.mul(n.snapshot_weightings.objective, axis=0).sum() / 1e6
    assert annual_twh["KZ demand"] + annual_twh["KZ West demand"] == pytest.approx(141.2, abs=0.01)
    assert annual_twh["UZ demand"] + annual_twh["UZ West demand"] == pytest.approx(120.8, abs=0.01)


def test_black_sea_cable_stages():
    """No stage before 2032; by 2035 stages 1 and 2 (1.3 and 2.6 GW) may be built, not stage 3 (2038)."""
    assert not _network(2030).links.index.str.startswith("Black Sea cable").any()
    cable = _network(2035).links
    forward = cable.index.str.startswith("Black Sea cable") & (cable.bus0 == "GE AC")
    cable = cable[forward & cable.p_nom_extendable]
    assert cable.p_nom_max[cable.p_nom_max < float("inf")].sum() == pytest.approx(2600.0)
