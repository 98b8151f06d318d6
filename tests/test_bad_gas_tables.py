"""Bad gas-economics rows (issue 11) are refused with one line naming the file, the line and the field:
a supply curve that is not monotone, a residual demand below zero, a tariff in an unknown unit, a
storage that would fill within a day, monthly shares that do not sum to one, a missing month, a netback
supply without its outlet — and through the CLI as exit 2 with nothing written."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import InputError
from caspian.inputs.tables import load_dataset
from conftest import REPO

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the project's data/ (without its overlays) to corrupt."""
    return Path(shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("overlays")))


def _edit(path: Path, where: Callable[[dict], bool], **cells: str) -> int:
    """Set ``cells`` on the first row matching ``where``; return its line number (header = line 1)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    index = next(i for i, row in enumerate(rows) if where(row))
    rows[index].update(cells)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return index + 2


def _tier(bus: str, tier: str, year: str = "2024") -> Callable[[dict], bool]:
    return lambda r: r["bus"] == bus and r["tier"] == tier and r["from_year"] == year


CASES = {
    "supply curve not monotone": (
        "gas_alternatives.csv",
        _tier("IT gas", "3"),
        {"spread_eur_mwh": "-5"},
        "field 'spread_eur_mwh': IT gas's supply curve is not monotone",
    ),
    "two steps on one tier": ("gas_alternatives.csv", _tier("IT gas", "2"), {"tier": "1"}, "field 'tier'"),
    "residual demand below zero": (
        "gas_markets.csv",
        lambda r: r["bus"] == "HU gas" and r["from_year"] == "2024",
        {"other_contracts_bcm_y": "9"},
        "field 'other_contracts_bcm_y': residual import demand -2.38 bcm/y is below zero",
    ),
    "tariff in an unknown unit": (
        "gas_tariffs.csv",
        lambda r: r["pipeline"] == "TANAP",
        {"unit": "EUR/kWh"},
        "field 'unit'",
    ),
    "tariff of an unknown pipeline": (
        "gas_tariffs.csv",
        lambda r: r["pipeline"] == "TANAP",
        {"pipeline": "TANAPX"},
        "field 'pipeline': unknown pipeline (gas_pipelines.csv) 'TANAPX'",
    ),
    "storage filled within a day": (
        "gas_storage.csv",
        lambda r: r["name"] == "BG storage" and r["from_year"] == "2024",
        {"injection_mcm_d": "600"},
        "field 'injection_mcm_d': 600 mcm/d would move the whole working volume (550 mcm) in less than 1 day",
    ),
    "monthly shares not summing to one": (
        "gas_demand_monthly.csv",
        lambda r: r["bus"] == "GR gas" and r["month"] == "1",
        {"share": "0.5"},
        "field 'share': GR gas's monthly shares sum to",
    ),
    "netback supply without outlet": (
        "gas_supply.csv",
        lambda r: r["name"] == "Turkmenistan export" and r["from_year"] == "2024",
        {"outlet": ""},
        "field 'outlet': a netback-valued supply names its outlet",
    ),
    "unknown outlet": (
        "gas_supply.csv",
        lambda r: r["name"] == "Turkmenistan export" and r["from_year"] == "2024",
        {"outlet": "Mars"},
        "field 'outlet': unknown outlet (gas_outlets.csv) 'Mars'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_gas_row_is_refused_naming_file_line_and_field(data, case):
    file, where, cells, reason = CASES[case]
    line = _edit(data / file, where, **cells)
    with pytest.raises(InputError) as caught:
        load_dataset(data)
    message = str(caught.value)
    assert "\n" not in message
    assert f"{file}: line" in message and reason in message, message
    if case not in ("monthly shares not summing to one",):
        assert f"line {line}" in message, message


def test_a_missing_month_is_named(data):
    path = data / "gas_ttf_monthly.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("2024,7,")), encoding="utf-8")
    with pytest.raises(InputError, match=r"gas_ttf_monthly.csv: line \d+ field 'month': .* no month 7"):
        load_dataset(data)


def test_the_cli_refuses_a_non_monotone_curve_with_exit_2_and_writes_nothing(data, tmp_path, monkeypatch):
    _edit(data / "gas_alternatives.csv", _tier("IT gas", "3"), spread_eur_mwh="-5")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["solve", str(REPO / "networks" / "caspian.yaml"), "--data", str(data)])
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert "gas_alternatives.csv: line" in result.stderr and "not monotone" in result.stderr
    assert not (tmp_path / "results").exists()
