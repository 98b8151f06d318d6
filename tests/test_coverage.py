"""Model-year coverage (issue 10 review B1): every key of the base system needs a row in force at the
model year, foreseen additions may be absent before their year, and ``markets.power_price_year`` must
have monthly prices when the data hold any."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import InputError
from caspian.inputs.coverage import base_year, check_year_coverage
from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from conftest import REPO, mini_tables

runner = CliRunner()

OVERLAY_2023 = REPO / "data" / "overlays" / "2023"


def _check(network: Path, overlays: tuple[Path, ...] = (), **sets: object) -> None:
    spec = resolve_spec(network, None, list(sets.items()))
    check_year_coverage(spec, load_dataset(REPO / "data", overlays))


def _trimmed_2023_overlay(tmp_path: Path, without: str) -> Path:
    overlay = Path(shutil.copytree(OVERLAY_2023, tmp_path / "overlay-2023"))
    (overlay / f"{without}.csv").unlink()
    return overlay


@pytest.mark.parametrize("year", [2024, 2030, 2050])
def test_base_data_cover_every_year_from_their_base_year(year):
    _check(REPO / "networks" / "caspian.yaml", year=year)
    spec = resolve_spec(REPO / "networks" / "caspian.yaml")
    assert base_year(spec, load_dataset(REPO / "data")) == 2024


def test_backcast_2023_with_its_overlay_is_covered():
    _check(REPO / "networks" / "backcast-2023.yaml", (OVERLAY_2023,))


def test_2023_without_an_overlay_is_refused_naming_table_and_key():
    with pytest.raises(InputError) as caught:
        _check(REPO / "networks" / "caspian.yaml", year=2023)
    message = str(caught.value)
    assert "field 'year'" in message and "gas_pipelines.csv" in message and "'SCP'" in message
    assert "2024 onwards" in message and "\n" not in message


def test_an_overlay_missing_a_table_cannot_drop_the_base_keys_of_it(tmp_path):
    """The 2023 overlay without gas_markets.csv: the base has every market only from 2024, so in 2023
    the markets would vanish; the first three are named and the rest counted."""
    overlay = _trimmed_2023_overlay(tmp_path, "gas_markets")
    with pytest.raises(InputError) as caught:
        _check(REPO / "networks" / "backcast-2023.yaml", (overlay,))
    message = str(caught.value)
    assert "gas_markets.csv" in message and "'IT gas' (rows from 2024)" in message
    assert "'GR gas'" in message and "'BG gas'" in message and "and 3 more" in message


def test_the_cli_refuses_it_with_exit_2_in_one_line(tmp_path, monkeypatch):
    overlay = _trimmed_2023_overlay(tmp_path, "gas_markets")
    spec = yaml.safe_load((REPO / "networks" / "backcast-2023.yaml").read_text(encoding="utf-8"))
    network = tmp_path / "backcast-2023.yaml"
    network.write_text(yaml.safe_dump({**spec, "data_overlays": [str(overlay)]}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", str(network), "--data", str(REPO / "data")])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "gas_markets.csv" in result.stderr and "'IT gas'" in result.stderr


def test_foreseen_keys_may_be_absent_before_their_first_year(mini):
    """A contract from 2026 (after the base year 2020) is a foreseen change: 2024 is covered."""
    tables = mini_tables()
    tables["gas_offtakes"].append(
        {"name": "Contract", "bus": "AZ gas", "annual_bcm": 1, "kind": "contract", "from_year": 2026}
    )
    network, data = mini(tables)
    check_year_coverage(resolve_spec(network, None, [("year", 2024)]), load_dataset(data))


def test_a_base_key_starting_after_the_model_year_is_refused(mini):
    """The pipeline's rows start in 2022, the other tables' in 2020: the base year is 2022, and model
    year 2021 would drop the pipeline."""
    tables = mini_tables()
    tables["gas_pipelines"][0]["from_year"] = 2022
    network, data = mini(tables)
    with pytest.raises(InputError) as caught:
        check_year_coverage(resolve_spec(network, None, [("year", 2021)]), load_dataset(data))
    assert "gas_pipelines.csv" in str(caught.value) and "'P1' (rows from 2022)" in str(caught.value)


@pytest.mark.parametrize("price_year", [2010, 2031])
def test_power_price_year_without_monthly_prices_is_refused(price_year):
    with pytest.raises(InputError) as caught:
        _check(REPO / "networks" / "caspian.yaml", **{"markets.power_price_year": price_year})
    message = str(caught.value)
    assert "field 'markets.power_price_year'" in message and "power_prices_monthly.csv" in message
    assert f"{price_year} has no monthly prices" in message and "2023, 2024" in message


def test_power_price_year_is_free_when_the_data_hold_no_monthly_prices(mini):
    """The mini data have no monthly prices: any year falls back to the annual mean, as documented."""
    network, data = mini(carriers=["gas", "electricity"])
    spec = resolve_spec(network, None, [("markets.power_price_year", 2010)])
    check_year_coverage(spec, load_dataset(data))


def test_power_price_year_is_checked_through_the_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["validate", str(REPO / "networks" / "caspian.yaml"), "--data", str(REPO / "data")]
    result = runner.invoke(app, [*args, "--set", "markets.power_price_year=2031"])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "field 'markets.power_price_year'" in result.stderr


@pytest.mark.parametrize(
    ("table", "network"), [("gas_pipelines", "caspian.yaml"), ("gas_supply", "southern-gas-corridor.yaml")]
)
def test_a_header_only_table_the_model_needs_is_refused(tmp_path, table, network):
    """A table emptied to its header would build an empty or infeasible model: exit 2 naming it."""
    data = Path(shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("overlays")))
    # the map's waypoints name pipelines: emptied with them (they would be dangling references)
    for name in (table, "map_routes") if table == "gas_pipelines" else (table,):
        path = data / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(REPO / "networks" / network), "--data", str(data)])
    assert result.exit_code == 2
    assert f"{table}.csv: no rows" in result.output and len(result.output.strip().splitlines()) == 1
