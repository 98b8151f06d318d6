"""Bad data tables never slip through (issue 10): each class of corruption, applied to a copy of data/,
is refused with one line naming the file, the line, the field and the reason — and through the CLI
as exit 2 with nothing written."""

from __future__ import annotations

import csv
import shutil
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import InputError
from caspian.inputs.rows import PLAUSIBLE_LIFETIME_YEARS
from caspian.inputs.schema import TABLE_KEYS, TABLES
from caspian.inputs.tables import BUS_CARRIERS, DISTINCT_ENDS, load_dataset
from conftest import REPO

runner = CliRunner()

HUGE = "1e300"
"""A finite number far above every plausible bound."""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the project's data/ (without its overlays) to corrupt."""
    return Path(shutil.copytree(REPO / "data", tmp_path / "data", ignore=shutil.ignore_patterns("overlays")))


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _set_cell(path: Path, column: str, value: str, where: typing.Callable[[dict], bool] = lambda _r: True):
    header, rows = _rows(path)
    row = next(r for r in rows if where(r))
    row[column] = value
    _write(path, header, rows)


def _numeric_fields() -> list[tuple[str, str]]:
    pairs = []
    for table, model in TABLES.items():
        for name, info in model.model_fields.items():
            kinds = typing.get_args(info.annotation) or (info.annotation,)
            if any(kind in (int, float) for kind in kinds):
                pairs.append((table, name))
    return pairs


def _refused(data: Path, *expected: str) -> str:
    with pytest.raises(InputError) as caught:
        load_dataset(data)
    message = str(caught.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, message
    return message


@pytest.mark.parametrize("table", list(TABLE_KEYS))
def test_duplicate_key_is_refused(data, table):
    path = data / f"{table}.csv"
    header, rows = _rows(path)
    _write(path, header, [*rows, rows[0]])
    _refused(data, f"{table}.csv: line {len(rows) + 2}", "duplicate key", "first at line 2")


def test_every_table_declares_a_key_of_its_columns():
    assert set(TABLE_KEYS) == set(TABLES)
    for table, key in TABLE_KEYS.items():
        assert set(key) <= set(TABLES[table].model_fields), table


@pytest.mark.parametrize("table", ["buses", "gas_pipelines", "technology_costs"])
def test_row_with_extra_cells_is_refused(data, table):
    path = data / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += ",surplus"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(data, f"{table}.csv: line 2", "cells but the header has")


@pytest.mark.parametrize("table", ["buses", "gas_supply", "parameters"])
def test_row_with_missing_cells_is_refused(data, table):
    path = data / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join(next(csv.reader([lines[1]]))[:3])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _refused(data, f"{table}.csv: line 2", "row too short")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("latin-1", "not UTF-8 text"),
        ("nul", "NUL byte"),
        ("binary", "NUL byte"),
        ("empty", "empty file"),
    ],
)
def test_unreadable_file_is_one_clear_line(data, content, reason):
    path = data / "gas_markets.csv"
    text = path.read_text(encoding="utf-8")
    payload = {
        "latin-1": text.encode("utf-8") + "Müller\n".encode("latin-1"),
        "nul": text.encode("utf-8").replace(b"PSV", b"P\x00V", 1),
        "binary": bytes(range(256)),
        "empty": b"",
    }[content]
    path.write_bytes(payload)
    _refused(data, "gas_markets.csv: line", reason)


@pytest.mark.parametrize(("table", "column"), _numeric_fields())
@pytest.mark.parametrize("value", ["inf", "nan", "-inf", HUGE])
def test_non_finite_or_huge_number_is_refused(data, table, column, value):
    path = data / f"{table}.csv"
    header, rows = _rows(path)
    if not rows or column not in header:
        pytest.skip(f"{table}.csv has no rows or no {column} column")
    _set_cell(path, column, value)
    _refused(data, f"{table}.csv: line 2 field '{column}'")


@pytest.mark.parametrize(
    ("table", "column", "value", "row", "reason"),
    [
        ("technology_costs", "unit", "EUR/kWh", {"parameter": "investment"}, "unknown unit 'EUR/kWh'"),
        ("technology_costs", "unit", "months", {"parameter": "lifetime"}, "unknown unit 'months'"),
        ("parameters", "unit", "percent", {"parameter": "discount_rate"}, "unknown unit 'percent'"),
        ("parameters", "unit", "index", {"parameter": "hicp_2024"}, "unknown unit 'index'"),
        ("parameters", "parameter", "discount", {"parameter": "discount_rate"}, "unknown parameter"),
        ("observed_flows", "unit", "bcm/d", {}, "unknown unit 'bcm/d'"),
        ("projects", "unit", "GWh", {}, "field 'unit'"),
        ("technology_costs", "value", "500", {"parameter": "lifetime"}, "implausible lifetime 500 years"),
        ("technology_costs", "value", "2", {"parameter": "lifetime"}, "implausible lifetime 2 years"),
        ("projects", "lifetime_years", "300", {}, "implausible lifetime 300 years"),
    ],
)
def test_unknown_unit_or_implausible_lifetime_is_refused(data, table, column, value, row, reason):
    path = data / f"{table}.csv"
    _header, rows = _rows(path)
    line = 2 + next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in row.items()))
    _set_cell(path, column, value, lambda r: all(r[k] == v for k, v in row.items()))
    message = _refused(data, f"{table}.csv: line {line} field '{column}'", reason)
    if "lifetime" in reason:
        low, high = PLAUSIBLE_LIFETIME_YEARS
        assert f"plausible {low:g}–{high:g}" in message


@pytest.mark.parametrize(
    ("table", "column", "value", "row", "reason"),
    [
        ("parameters", "value", "7", {"parameter": "discount_rate"}, "implausible discount_rate 7"),
        ("parameters", "value", "0", {"parameter": "discount_rate"}, "(plausible (0, 0.3] per unit)"),
        ("parameters", "value", "12607", {"parameter": "hicp_2024"}, "implausible hicp_2024 12607"),
        ("parameters", "value", "0.1", {"parameter": "usd_per_eur"}, "(plausible [0.5, 2] USD/EUR)"),
        ("parameters", "value", "1.11", {"parameter": "gas_ncv_per_gcv"}, "implausible gas_ncv_per_gcv"),
        ("parameters", "value", "6", {"parameter": "hvac_loss_per_1000km"}, "[0, 0.2] per unit"),
        ("parameters", "value", "0.3", {"parameter": "hvdc_loss_per_1000km"}, "hvdc_loss_per_1000km"),
        ("parameters", "value", "2", {"parameter": "hvdc_converter_loss"}, "hvdc_converter_loss 2"),
        ("parameters", "value", "-0.01", {"parameter": "pipeline_fuel_per_1000km"}, "pipeline_fuel"),
        ("parameters", "value", "1900", {"parameter": "price_year"}, "implausible price_year 1900"),
        ("parameters", "value", "2024.5", {"parameter": "price_year"}, "not a whole year"),
        ("parameters", "value", "0", {"parameter": "gas_fuel_price"}, "(plausible (0, 1000] EUR/MWh)"),
        ("parameters", "value", "5000", {"parameter": "gas_fuel_price"}, "implausible gas_fuel_price 5000"),
        ("parameters", "value", "0", {"parameter": "voll_gas"}, "(plausible (0, 100000] EUR/MWh)"),
        ("parameters", "value", "1e6", {"parameter": "voll_electricity"}, "implausible voll_electricity"),
        ("map_routes", "lat", "95", {"asset": "TANAP", "seq": "1"}, "field 'lat'"),
        ("map_routes", "seq", "0", {"asset": "TANAP", "seq": "1"}, "field 'seq'"),
        ("technology_costs", "value", "-1", {"parameter": "investment"}, "implausible investment -1"),
        ("technology_costs", "value", "25", {"parameter": "FOM"}, "(plausible [0, 20] %/year)"),
        ("technology_costs", "value", "0", {"parameter": "efficiency"}, "implausible efficiency 0"),
        ("technology_costs", "value", "45", {"parameter": "efficiency"}, "(plausible (0, 1.2] per unit)"),
        ("technology_costs", "value", "-0.5", {"parameter": "VOM"}, "implausible VOM -0.5"),
        ("projects", "capacity_added", "150", {"unit": "bcm/y"}, "150 bcm/y is above 100 bcm/y"),
    ],
)
def test_implausible_value_is_refused(data, table, column, value, row, reason):
    """Parameters and technology costs are bounded by meaning (a rate in percent, an index of another
    base, a capacity in the wrong unit), named with the file, line and field."""
    path = data / f"{table}.csv"
    _header, rows = _rows(path)
    line = 2 + next(i for i, r in enumerate(rows) if all(r[k] == v for k, v in row.items()))
    _set_cell(path, column, value, lambda r: all(r[k] == v for k, v in row.items()))
    _refused(data, f"{table}.csv: line {line} field '{column}'", reason)


@pytest.mark.parametrize(
    ("row", "accepted"),
    [
        ({"parameter": "electricity-input", "value": -0.01, "unit": "MW_e/1000km/MW_CH4"}, False),
        ({"parameter": "electricity-input", "value": 0.01, "unit": "MW_e/1000km/MW_CH4"}, True),
        ({"parameter": "efficiency", "value": 1.2, "unit": "per unit"}, True),
        ({"parameter": "FOM", "value": 20, "unit": "%/year"}, True),
    ],
)
def test_technology_cost_bounds_at_their_edges(row, accepted):
    provenance = {"source": "test", "year": 2024, "confidence": "estimate", "technology": "t"}
    model = TABLES["technology_costs"]
    if accepted:
        model.model_validate({**provenance, **row})
    else:
        with pytest.raises(ValidationError, match="implausible electricity-input"):
            model.model_validate({**provenance, **row})


def test_project_capacity_in_mw_may_exceed_the_gas_bound(data):
    """The bcm/y bound (100) applies to gas projects only: a 150 MW cable step is plausible."""
    path = data / "projects.csv"
    _set_cell(path, "capacity_added", "150", lambda r: r["unit"] == "MW")
    load_dataset(data)


def _bus_columns() -> list[tuple[str, str, str]]:
    return [
        (t, column, carrier) for t, columns in BUS_CARRIERS.items() for column, carrier in columns.items()
    ]


@pytest.mark.parametrize(("table", "column", "carrier"), _bus_columns())
def test_bus_of_the_wrong_carrier_is_refused(data, table, column, carrier):
    """Every bus column names a bus of its carrier: a gas bus where an AC bus belongs and vice versa."""
    _header, buses = _rows(data / "buses.csv")
    wrong = next(b["bus"] for b in buses if b["carrier"] != carrier)
    _header, rows = _rows(data / f"{table}.csv")
    line = 2 + next(i for i, r in enumerate(rows) if r[column])
    _set_cell(data / f"{table}.csv", column, wrong, lambda r: bool(r[column]))
    _refused(
        data, f"{table}.csv: line {line} field '{column}'", f"{wrong!r} is a", f"must name a {carrier} bus"
    )


@pytest.mark.parametrize("table", list(DISTINCT_ENDS))
def test_connection_from_a_bus_to_itself_is_refused(data, table):
    end0, end1 = DISTINCT_ENDS[table]
    path = data / f"{table}.csv"
    header, rows = _rows(path)
    rows[0][end1] = rows[0][end0]
    _write(path, header, rows)
    _refused(data, f"{table}.csv: line 2 field '{end1}'", "the two ends must differ")


def test_unknown_column_in_header_is_refused(data):
    path = data / "buses.csv"
    header, rows = _rows(path)
    _write(path, [*header, "colour"], [{**r, "colour": ""} for r in rows])
    _refused(data, "buses.csv: line 1 field 'colour'", "unknown column")


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda d: (d / "buses.csv").write_bytes(b"\xff\xfe\x00b\x00u"),
        lambda d: _set_cell(d / "gas_pipelines.csv", "capacity_bcm_y", HUGE),
        lambda d: (d / "buses.csv").write_text(
            (d / "buses.csv").read_text(encoding="utf-8").replace("\n", ",x\n", 2), encoding="utf-8"
        ),
    ],
    ids=["binary", "huge", "extra-cells"],
)
def test_cli_exits_2_with_one_line_and_writes_nothing(data, tmp_path, monkeypatch, corrupt):
    corrupt(data)
    monkeypatch.chdir(tmp_path)
    network = REPO / "networks" / "backcast-2024.yaml"
    for command in (["validate"], ["solve", "-q"]):
        result = runner.invoke(app, [*command, str(network), "--data", str(data)])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(data) in lines[0], result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "results").exists()


def test_map_route_of_an_unknown_asset_is_refused(data):
    path = data / "map_routes.csv"
    _set_cell(path, "asset", "Nord Stream", lambda r: r["asset"] == "TANAP" and r["seq"] == "1")
    _refused(data, "map_routes.csv: line 2 field 'asset'", "'Nord Stream' is not a pipeline or power link")


def _black_sea_stage(stage: str) -> typing.Callable[[dict], bool]:
    return lambda r: r["project"] == "Black Sea cable" and r["stage"] == stage


def _line_of(path: Path, where: typing.Callable[[dict], bool]) -> int:
    """The file line (header = 1) of the first row matching ``where``."""
    _, rows = _rows(path)
    return 2 + next(i for i, r in enumerate(rows) if where(r))


def test_stage_available_before_its_predecessor_is_refused(data):
    """The Black Sea cable's stage 2 moved to 2030, before stage 1's 2032."""
    path = data / "projects.csv"
    _set_cell(path, "earliest_year", "2030", _black_sea_stage("2"))
    line = _line_of(path, _black_sea_stage("2"))
    _refused(
        data,
        f"projects.csv: line {line} field 'earliest_year'",
        "stage 2 of 'Black Sea cable' is available from 2030, before its predecessor stage 1 (2032)",
    )


def test_stage_gap_and_shrinking_stage_are_refused(data):
    path = data / "projects.csv"
    _set_cell(path, "stage", "4", _black_sea_stage("3"))
    _refused(data, "field 'stage'", "stage 4 of 'Black Sea cable' has no stage 3 before it")
    _set_cell(path, "stage", "3", _black_sea_stage("4"))
    _set_cell(path, "capacity_added", "1300", _black_sea_stage("2"))
    _refused(data, "field 'capacity_added'", "stage 2 of 'Black Sea cable' adds 1300 MW in total")
