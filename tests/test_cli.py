"""The CLI contract: exit codes, one-line errors, no partial output (DESIGN §6)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from conftest import REPO, mini_tables

runner = CliRunner()


def _invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(tmp_path)
    return runner.invoke(app, list(args))


def _no_run_directory(tmp_path: Path) -> bool:
    results = tmp_path / "results"
    return not results.exists() or not any(results.iterdir())


def _rewrite(path: Path, column: str, value: str) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_solve_writes_complete_run_directory(mini, tmp_path, monkeypatch):
    network, data = mini()
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "--quiet")
    assert result.exit_code == 0, result.output
    run_dir = Path(result.stdout.strip())
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "network.nc",
        "run.yaml",
        "solver.log",
        "summary.json",
        "summary.nc",
    ]
    assert not [p for p in run_dir.parent.iterdir() if p.name.startswith(".")], "staging left behind"


def test_solve_prints_flows_to_europe(mini, tmp_path, monkeypatch):
    network, data = mini()
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "Italy" in result.stdout and "3.00" in result.stdout
    assert "gas price at the supplies, EUR/MWh (mean over the hours): Azerbaijan 5.00" in result.stdout
    assert "run directory:" in result.stdout


def _bad_yaml(network: Path, data: Path) -> tuple[list[str], str]:
    network.write_text("name: mini\ncarriers: [gas\n")
    return ["solve", str(network), "--data", str(data)], "malformed YAML"


def _unknown_field(network: Path, data: Path) -> tuple[list[str], str]:
    network.write_text(network.read_text() + "colour: red\n")
    return ["solve", str(network), "--data", str(data)], "field 'colour': unknown field"


def _unknown_country(network: Path, data: Path) -> tuple[list[str], str]:
    network.write_text(network.read_text() + "countries: [AZ, XX]\n")
    return ["solve", str(network), "--data", str(data)], "unknown node 'XX'"


def _unknown_bus_in_data(network: Path, data: Path) -> tuple[list[str], str]:
    _rewrite(data / "gas_pipelines.csv", "bus1", "ZZ gas")
    return [
        "solve",
        str(network),
        "--data",
        str(data),
    ], "gas_pipelines.csv: line 2 field 'bus1': unknown node"


def _delivery_at_a_supply_bus(network: Path, data: Path) -> tuple[list[str], str]:
    _rewrite(data / "buses.csv", "delivery", "europe")  # row 0: AZ gas, a supply bus
    return ["solve", str(network), "--data", str(data)], "only market or domestic buses are delivery points"


def _negative_capacity(network: Path, data: Path) -> tuple[list[str], str]:
    _rewrite(data / "gas_pipelines.csv", "capacity_bcm_y", "-3")
    return ["solve", str(network), "--data", str(data)], "field 'capacity_bcm_y'"


def _nan_capacity(network: Path, data: Path) -> tuple[list[str], str]:
    _rewrite(data / "gas_pipelines.csv", "capacity_bcm_y", "nan")
    return ["solve", str(network), "--data", str(data)], "field 'capacity_bcm_y'"


def _missing_file(network: Path, data: Path) -> tuple[list[str], str]:
    (data / "gas_markets.csv").unlink()
    return ["solve", str(network), "--data", str(data)], "gas_markets.csv: data file missing"


def _inconsistent_units_in_data(network: Path, data: Path) -> tuple[list[str], str]:
    _rewrite(data / "parameters.csv", "unit", "%")
    return ["solve", str(network), "--data", str(data)], "inconsistent units"


def _inconsistent_units_in_override(network: Path, data: Path) -> tuple[list[str], str]:
    return ["solve", str(network), "--data", str(data), "--set", "capacity.P1=30 TWh"], "inconsistent"


def _unknown_override_path(network: Path, data: Path) -> tuple[list[str], str]:
    return ["solve", str(network), "--data", str(data), "--set", "tiem.hours=24"], "field 'tiem'"


def _wrong_override_type(network: Path, data: Path) -> tuple[list[str], str]:
    return ["solve", str(network), "--data", str(data), "--set", "time.hours=many"], "--set time.hours: "


def _unknown_outage_asset(network: Path, data: Path) -> tuple[list[str], str]:
    outage = 'outages=[{asset: P9, start: "2030-01-01", end: "2030-01-02"}]'
    return ["solve", str(network), "--data", str(data), "--set", outage], "unknown asset 'P9'"


def _negative_capacity_override(network: Path, data: Path) -> tuple[list[str], str]:
    return [
        "solve",
        str(network),
        "--data",
        str(data),
        "--set",
        "capacity.P1=-5 bcm/y",
    ], "must not be negative"


def _boolean_capacity_override(network: Path, data: Path) -> tuple[list[str], str]:
    return ["solve", str(network), "--data", str(data), "--set", "capacity.P1=true"], "field 'capacity.P1"


def _scenario_not_a_mapping(network: Path, data: Path) -> tuple[list[str], str]:
    network.write_text(network.read_text() + "scenarios: {x: [1, 2]}\n")
    return ["solve", str(network), "--data", str(data), "-s", "x"], "field 'scenarios.x'"


def _missing_network(network: Path, data: Path) -> tuple[list[str], str]:
    return ["solve", str(network.with_name("nope.yaml")), "--data", str(data)], "nope.yaml: file not found"


@pytest.mark.parametrize(
    "case",
    [
        _bad_yaml,
        _unknown_field,
        _unknown_country,
        _unknown_bus_in_data,
        _delivery_at_a_supply_bus,
        _negative_capacity,
        _nan_capacity,
        _missing_file,
        _inconsistent_units_in_data,
        _inconsistent_units_in_override,
        _unknown_override_path,
        _wrong_override_type,
        _missing_network,
        _unknown_outage_asset,
        _negative_capacity_override,
        _boolean_capacity_override,
        _scenario_not_a_mapping,
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(mini, tmp_path, monkeypatch, case):
    network, data = mini()
    args, expected = case(network, data)
    result = _invoke(tmp_path, monkeypatch, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.output
    assert _no_run_directory(tmp_path)


def test_infeasible_exits_3_and_names_the_shortfall(mini, tmp_path, monkeypatch):
    """Domestic offtake 6 bcm/y against a 5 bcm/y field: AZ gas lacks 1 bcm/y."""
    tables = mini_tables()
    tables["gas_offtakes"][0]["annual_bcm"] = 6
    network, data = mini(tables)
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data))
    assert result.exit_code == 3, result.output
    assert "AZ gas lacks 1.00 bcm/y" in result.stderr
    assert _no_run_directory(tmp_path)


def test_validate_builds_without_solving(mini, tmp_path, monkeypatch):
    network, data = mini()
    result = _invoke(tmp_path, monkeypatch, "validate", str(network), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "inputs are valid" in result.stdout
    assert "StorageUnit" in result.stdout
    assert _no_run_directory(tmp_path)


def test_output_never_replaces_a_directory_that_is_not_a_run(mini, tmp_path, monkeypatch):
    network, data = mini()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "-o", str(precious))
    assert result.exit_code == 2, result.output
    assert (precious / "notes.txt").read_text() == "keep me"


def test_output_never_replaces_a_directory_with_a_foreign_run_yaml(mini, tmp_path, monkeypatch):
    network, data = mini()
    other = tmp_path / "other"
    other.mkdir()
    (other / "run.yaml").write_text("foo: 1\n")
    (other / "notes.txt").write_text("keep me")
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "-o", str(other))
    assert result.exit_code == 2, result.output
    assert (other / "notes.txt").is_file()


def test_output_replaces_an_earlier_run(mini, tmp_path, monkeypatch):
    network, data = mini()
    target = tmp_path / "run"
    for _ in range(2):
        result = _invoke(
            tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "-o", str(target), "-q"
        )
        assert result.exit_code == 0, result.output
    assert (target / "run.yaml").is_file()


def test_time_limit_without_solution_exits_4(tmp_path, monkeypatch):
    """A 0.01 s limit stops HiGHS on the 168 h default network before it has an optimal LP."""
    result = _invoke(
        tmp_path,
        monkeypatch,
        "solve",
        str(REPO / "networks" / "caspian.yaml"),
        "--data",
        str(REPO / "data"),
        "--set",
        "time.hours=168",
        "--resolution",
        "1h",
        "--time-limit",
        "0.01",
    )
    assert result.exit_code == 4, result.output
    assert "time_limit" in result.stderr
    assert _no_run_directory(tmp_path)


def test_unknown_solver_option_exits_2(mini, tmp_path, monkeypatch):
    network, data = mini()
    result = _invoke(
        tmp_path,
        monkeypatch,
        "solve",
        str(network),
        "--data",
        str(data),
        "--set",
        "solver.options.nonsense=1",
    )
    assert result.exit_code == 2, result.output
    assert "solver.options.nonsense" in result.stderr


def _default_network_milp(*extra: str) -> list[str]:
    """`caspian solve --milp` on the default network and data of the repository, plus ``extra``."""
    network = str(REPO / "networks" / "caspian.yaml")
    return ["solve", network, "--data", str(REPO / "data"), "--milp", *extra]


def test_milp_stopped_early_with_an_incumbent_is_a_result_marked_not_proven(tmp_path):
    # Without the MIP start, HiGHS stops at its first improving solution (about 0.1 % from its bound
    # here, above the 0.01 % gap asked for): an incumbent without proof of optimality.
    out = tmp_path / "run"
    args = [
        "--mip-gap",
        "0.0001",
        "--set",
        "time.hours=168",
        "--set",
        "solver.mip_start=false",
        "--set",
        "solver.options.mip_max_improving_sols=1",
    ]
    result = runner.invoke(app, _default_network_milp(*args, "-o", str(out)))
    assert result.exit_code == 0, result.output
    run = yaml.safe_load((out / "run.yaml").read_text())
    mip = run["mip"]
    assert mip["proven_optimal"] is False and mip["gap"] > 0.0001
    assert run["solver"]["options"]["mip_rel_gap"] == 0.0001 and run["spec"]["solver"]["mip_gap"] == 0.0001
    assert set(mip["choices"]) >= {"Trans-Caspian", "TAP expansion", "KZ West–KZ reinforcement"}
    assert "Black Sea cable" not in mip["choices"]  # its first stage comes in 2032
    assert mip["start_objective"] is None and mip["start_accepted"] is None
    assert "NOT proven optimal" in result.stdout


def test_milp_starts_from_the_rounded_relaxation(tmp_path):
    """The start (each project of the relaxation rounded up to its next option) is feasible, so HiGHS
    takes it as its incumbent and the MILP's objective is no worse than the start's."""
    out = tmp_path / "run"
    result = runner.invoke(app, _default_network_milp("--set", "time.hours=168", "-o", str(out)))
    assert result.exit_code == 0, result.output
    run = yaml.safe_load((out / "run.yaml").read_text())
    mip = run["mip"]
    assert mip["proven_optimal"] is True
    assert mip["start_accepted"] is True  # HiGHS read the solution file and took it as its incumbent
    assert "MIP start solution is feasible" in (out / "solver.log").read_text()
    assert run["objective_eur"] <= mip["start_objective"] * (1 + 1e-9)
    assert mip["bound"] <= mip["start_objective"] * (1 + 1e-9)
    assert "started from" in result.stdout


def test_milp_without_an_incumbent_is_exit_4_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    args = ["--set", "time.hours=2190", "--time-limit", "0.01", "-o", str(out)]
    result = runner.invoke(app, _default_network_milp(*args))
    assert result.exit_code == 4 and "without a feasible MILP solution" in result.stderr
    assert not out.exists()


def test_user_text_in_errors_is_printed_as_is_not_as_rich_markup(mini, tmp_path, monkeypatch):
    network, data = mini()
    outage = 'outages=[{asset: "[bold red]GE gas:x:", start: "2030-01-01", end: "2030-01-02"}]'
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "--set", outage)
    assert result.exit_code == 2, result.output
    assert "[bold red]GE gas:x:" in result.stderr, result.stderr
    assert "❌" not in result.stderr


def test_user_text_in_results_is_printed_as_is_not_as_rich_markup(mini, tmp_path, monkeypatch):
    network, data = mini()
    target = tmp_path / "run [bold]:x:"
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"run directory: {target}" in result.stdout
    overlay = tmp_path / "overlay [red]:x:"
    overlay.mkdir()
    (overlay / "gas_markets.csv").write_text((data / "gas_markets.csv").read_text())
    result = _invoke(
        tmp_path, monkeypatch, "validate", str(network), "--data", str(data), "--data-overlay", str(overlay)
    )
    assert result.exit_code == 0, result.output
    assert f"data overlay: {overlay}" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (
            ["--set", "markets.gas_price_scale=__import__('os').system('id')"],
            "error: --set markets.gas_price_scale: Input should be a valid number, unable to parse string "
            """as a number (value "__import__('os').system('id')")""",
        ),
        (["--set", "time.hours=25"], "--set time.hours: field 'time': Value error"),
        (["--segments", "-3"], 'error: --segments: Input should be greater than or equal to 2 (value "-3")'),
    ],
)
def test_a_bad_override_names_the_option_and_echoes_the_value(mini, tmp_path, monkeypatch, option, expected):
    network, data = mini(time={"hours": 24, "resolution": "3h"})
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), *option)
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert expected in line and "\n" not in line, line
    assert str(network) not in line
    assert _no_run_directory(tmp_path)


def test_output_at_a_dangling_symlink_is_refused_and_creates_nothing(mini, tmp_path, monkeypatch):
    network, data = mini()
    target = tmp_path / "elsewhere" / "run"
    link = tmp_path / "link"
    link.symlink_to(target)
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data), "-o", str(link))
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "markets=&a {gas_price_scale: 1}"], "--set markets: line 1: anchor '&a'"),
        (["--data-overlay", "{network}"], "--data-overlay: not a directory"),
    ],
)
def test_bad_option_values_are_refused_in_one_line(mini, tmp_path, monkeypatch, args, expected):
    network, data = mini()
    args = [arg.replace("{network}", str(network)) for arg in args]
    for command in ("solve", "validate"):
        result = _invoke(tmp_path, monkeypatch, command, str(network), "--data", str(data), *args)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
    assert _no_run_directory(tmp_path)


def test_a_directory_given_as_the_network_says_so(mini, tmp_path, monkeypatch):
    _network, data = mini()
    result = _invoke(tmp_path, monkeypatch, "solve", str(tmp_path), "--data", str(data))
    assert result.exit_code == 2, result.output
    assert f"{tmp_path}: is a directory, expected a network YAML file" in result.stderr


def test_solve_prints_the_model_size_as_text(mini, tmp_path, monkeypatch):
    network, data = mini()
    result = _invoke(tmp_path, monkeypatch, "solve", str(network), "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "model 72 variables, 193 constraints" in result.stdout
    assert "{'" not in result.stdout


@pytest.mark.parametrize("command", [None, "list", "validate", "solve", "sweep", "report", "crosscheck"])
def test_help_shows_no_type_for_flags_and_describes_verbose(command):
    result = runner.invoke(app, [*([command] if command else []), "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    verbose = [line for line in result.stdout.splitlines() if "--verbose" in line]
    if command not in (None, "list"):
        assert verbose and "show library and solver logs" in verbose[0], result.stdout


def test_counted_nouns():
    from caspian.present.text import counted

    assert [counted(n, "figure") for n in (0, 1, 3)] == ["0 figures", "1 figure", "3 figures"]
