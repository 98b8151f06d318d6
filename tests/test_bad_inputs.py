"""Inputs that never slip through (issue 10): a corpus of hostile files and options, built in tmp_path.

Every case must end with exit code 2, one line on stderr naming the file (or option) and the field,
no traceback, and nothing written: the tree under tmp_path is the same before and after (no run
directory, no sweep directory, no ``-o`` target, no staging left behind).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from caspian.inputs.spec import resolve_spec
from caspian.inputs.tables import load_dataset
from caspian.runs.rundir import RUN_FILES
from caspian.runs.single import run_directory_name
from caspian.sweep.plan import load_sweep, plan_cases
from conftest import mini_spec, mini_tables, write_tables

runner = CliRunner()

Case = Callable[[Path], tuple[list[str], tuple[str, ...]]]
"""Builds hostile inputs in a directory holding mini.yaml and data/; returns the CLI arguments and the
strings the one-line error must contain."""

ALIAS_BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
)
"""The "billion laughs": each level nine times the one before."""


def _network_text(directory: Path, text: str) -> Path:
    path = directory / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _solve(directory: Path, *extra: str, network: str = "mini.yaml") -> list[str]:
    return ["solve", str(directory / network), "--data", str(directory / "data"), *extra]


def _sweep_file(directory: Path, **changes: object) -> Path:
    sweep = {
        "name": "tiny",
        "network": "mini.yaml",
        "parameters": [{"name": "price_scale", "path": "markets.gas_price_scale", "values": [1.0, 2.0]}],
    }
    sweep.update(changes)
    path = directory / "tiny.yaml"
    path.write_text(yaml.safe_dump(sweep, sort_keys=False))
    return path


def _sweep(path: Path, *extra: str) -> list[str]:
    return ["sweep", str(path), "--data", str(path.parent / "data"), *extra]


# 1. duplicate keys and aliases, in every YAML the tool reads
def _duplicate_key_in_network(d: Path):
    _network_text(d, "name: mini\nyear: 2030\ncarriers: [gas]\nyear: 2031\n")
    return _solve(d), ("mini.yaml", "line 4", "duplicate key 'year'")


def _duplicate_key_in_scenario(d: Path):
    text = yaml.safe_dump(mini_spec()) + "scenarios:\n  high:\n    year: 2031\n    year: 2032\n"
    _network_text(d, text)
    return _solve(d, "-s", "high"), ("mini.yaml", "duplicate key 'year'")


def _duplicate_key_in_set_value(d: Path):
    return _solve(d, "--set", "capacity={P1: 1, P1: 2}"), ("--set capacity", "duplicate key 'P1'")


def _alias_bomb_in_network(d: Path):
    _network_text(d, yaml.safe_dump(mini_spec()) + ALIAS_BOMB)
    return _solve(d), ("mini.yaml", "line", "anchor '&a'", "aliases and anchors are not accepted")


def _alias_bomb_in_sweep_value(d: Path):
    path = d / "tiny.yaml"
    path.write_text(
        "name: tiny\nnetwork: mini.yaml\n"
        + ALIAS_BOMB.replace("e: ", "bomb: ")
        + "parameters:\n- {name: p, path: description, values: [*d]}\n"
    )
    return _sweep(path), ("tiny.yaml", "alias")


def _duplicate_key_in_sweep(d: Path):
    path = _sweep_file(d)
    path.write_text(path.read_text() + "name: other\n")
    return _sweep(path), ("tiny.yaml", "duplicate key 'name'")


# 2. non-finite and absurd numbers
def _infinite_scale_set(d: Path):
    return _solve(d, "--set", "markets.gas_price_scale=.inf"), ("--set markets.gas_price_scale", "non-finite")


def _nan_string_scale_set(d: Path):
    return _solve(d, "--set", "markets.gas_price_scale=nan"), (
        "--set markets.gas_price_scale:",
        'value "nan"',
    )


def _huge_scale_in_file(d: Path):
    _network_text(d, yaml.safe_dump(mini_spec(markets={"gas_price_scale": 1e300})))
    return _solve(d), ("mini.yaml", "field 'markets.gas_price_scale'", "less than or equal")


def _nan_time_limit_in_file(d: Path):
    _network_text(d, yaml.safe_dump(mini_spec()) + "solver: {time_limit: .nan}\n")
    return _solve(d), ("mini.yaml", "line", "non-finite number '.nan'")


def _huge_capacity_set(d: Path):
    return _solve(d, "--set", "capacity.P1=1e30 MW"), ("--set capacity.P1:", "plausible", 'value "1e30 MW"')


def _overflowing_capacity_set(d: Path):
    return _solve(d, "--set", "capacity.P1=1e400 bcm/y"), ("--set capacity.P1:", "not a finite capacity")


def _huge_price_set(d: Path):
    return _solve(d, "--set", "markets.ttf_eur_mwh=1e12"), (
        "--set markets.ttf_eur_mwh:",
        "less than or equal to 10000",
    )


def _negative_gas_price_set(d: Path):
    return _solve(d, "--set", "markets.lng_spread_shift_eur_mwh=-500"), (
        "--set markets.lng_spread_shift_eur_mwh:",
        "greater than or equal to -200",
    )


def _infinite_sweep_value(d: Path):
    path = _sweep_file(d)
    path.write_text(path.read_text().replace("- 2.0", "- .inf"))
    return _sweep(path), ("tiny.yaml", "non-finite number '.inf'")


# 3. files that are not UTF-8 YAML text
def _nul_bytes(d: Path):
    (d / "mini.yaml").write_bytes(b"name: mini\x00\nyear: 2030\n")
    return _solve(d), ("mini.yaml", "NUL bytes")


def _binary_file(d: Path):
    (d / "mini.yaml").write_bytes(bytes(range(256)) * 4)
    return _solve(d), ("mini.yaml", "binary file")


def _latin1_file(d: Path):
    (d / "mini.yaml").write_bytes("name: mini\ndescription: Türkiye\n".encode("latin-1"))
    return _solve(d), ("mini.yaml", "not UTF-8 text")


def _control_character(d: Path):
    (d / "mini.yaml").write_bytes(b"name: mini\ndescription: \x07\n")
    return _solve(d), ("mini.yaml", "not YAML text")


def _binary_sweep_file(d: Path):
    path = d / "tiny.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    return _sweep(path), ("tiny.yaml", "NUL bytes")


# 4. option parse errors: one line, click's exit code 2
def _non_numeric_time_limit(d: Path):
    return _solve(d, "--time-limit", "soon"), ("solve", "'--time-limit'")


def _non_numeric_segments(d: Path):
    return _solve(d, "--segments", "many"), ("solve", "'--segments'")


def _unknown_option(d: Path):
    return _solve(d, "--colour", "red"), ("solve", "--colour")


def _zero_workers(d: Path):
    return _sweep(_sweep_file(d), "-j", "0"), ("sweep", "'--workers'")


def _negative_time_limit(d: Path):
    return _solve(d, "--time-limit", "-1"), ("--time-limit", "positive")


# 5. names that become path components
def _scenario_escaping_results(d: Path):
    return _solve(d, "-s", "x/../../../elsewhere"), ("mini.yaml", "field 'scenarios'", "not a safe name")


def _network_name_escaping_results(d: Path):
    _network_text(d, yaml.safe_dump(mini_spec(name="../evil")))
    return _solve(d), ("mini.yaml", "field 'name'", "not a safe name")


def _dot_dot_network_name(d: Path):
    _network_text(d, yaml.safe_dump(mini_spec(name="a..b")))
    return _solve(d), ("mini.yaml", "field 'name'", "no '..'")


def _sweep_name_escaping_results(d: Path):
    return _sweep(_sweep_file(d, name="../../elsewhere")), ("tiny.yaml", "field 'name'", "not a safe name")


def _sweep_case_label(d: Path):
    path = _sweep_file(d, parameters=[], cases=[{"label": "..", "set": {"year": 2030}}])
    return _sweep(path), ("tiny.yaml", "field 'cases.0.label'")


# 6. sweep paths through a value, found before anything is written
def _sweep_path_through_a_value(d: Path):
    params = [{"name": "h", "path": "time.hours.x", "values": [1, 2]}]
    return _sweep(_sweep_file(d, parameters=params)), ("tiny.yaml", "parameters.0.path", "field 'time.hours'")


def _sweep_common_set_through_a_value(d: Path):
    return _sweep(_sweep_file(d, set={"year.x": 1})), ("tiny.yaml", "field 'set.year.x'", "field 'year'")


def _set_through_a_value(d: Path):
    return _solve(d, "--set", "time.hours.x=1"), ("--set time.hours.x", "field 'time.hours'")


def _set_below_a_mapping_value(d: Path):
    return _solve(d, "--set", "capacity.P1.x=1"), ("--set capacity.P1.x", "field 'capacity.P1'")


# 7. run.yaml with wrong types, read by `caspian report`
def _fake_run(d: Path, record: str) -> Path:
    run = d / "run"
    run.mkdir()
    for name in RUN_FILES:
        (run / name).write_text("")
    (run / "run.yaml").write_text(record)
    return run


def _run_yaml_hash_is_a_list(d: Path):
    run = _fake_run(d, "input_hash: [a, b]\ndata_digest: x\nspec: {name: m, year: 2030, mode: dispatch}\n")
    return ["report", str(run)], ("run.yaml", "field 'input_hash'")


def _run_yaml_status_is_a_mapping(d: Path):
    run = _fake_run(d, "input_hash: ab\ndata_digest: x\nstatus: {ok: 1}\n")
    return ["report", str(run)], ("run.yaml", "field 'status'")


def _run_yaml_duplicate_key(d: Path):
    run = _fake_run(d, "input_hash: ab\ndata_digest: x\ninput_hash: cd\n")
    return ["report", str(run)], ("run.yaml", "duplicate key 'input_hash'")


# 8. model years without data
def _year_before_the_data(d: Path):
    return _solve(d, "--set", "year=2019"), ("field 'year'", "gas_pipelines.csv", "2020 onwards")


def _year_before_the_data_on_validate(d: Path):
    args = ["validate", str(d / "mini.yaml"), "--data", str(d / "data"), "--set", "year=2016"]
    return args, ("field 'year'", "gas_pipelines.csv")


def _output_target_stays_absent(d: Path):
    return _solve(d, "-o", str(d / "out"), "--set", "year=2019"), ("field 'year'",)


CORPUS: list[Case] = [
    _duplicate_key_in_network,
    _duplicate_key_in_scenario,
    _duplicate_key_in_set_value,
    _alias_bomb_in_network,
    _alias_bomb_in_sweep_value,
    _duplicate_key_in_sweep,
    _infinite_scale_set,
    _nan_string_scale_set,
    _huge_scale_in_file,
    _nan_time_limit_in_file,
    _huge_capacity_set,
    _overflowing_capacity_set,
    _huge_price_set,
    _negative_gas_price_set,
    _infinite_sweep_value,
    _nul_bytes,
    _binary_file,
    _latin1_file,
    _control_character,
    _binary_sweep_file,
    _non_numeric_time_limit,
    _non_numeric_segments,
    _unknown_option,
    _zero_workers,
    _negative_time_limit,
    _scenario_escaping_results,
    _network_name_escaping_results,
    _dot_dot_network_name,
    _sweep_name_escaping_results,
    _sweep_case_label,
    _sweep_path_through_a_value,
    _sweep_common_set_through_a_value,
    _set_through_a_value,
    _set_below_a_mapping_value,
    _run_yaml_hash_is_a_list,
    _run_yaml_status_is_a_mapping,
    _run_yaml_duplicate_key,
    _year_before_the_data,
    _year_before_the_data_on_validate,
    _output_target_stays_absent,
]


def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in root.rglob("*")}


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.__name__.lstrip("_"))
def test_hostile_input_exits_2_in_one_line_and_writes_nothing(mini, tmp_path, monkeypatch, case):
    mini()
    args, expected = case(tmp_path)
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == before, "something was written"


def _sweep_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tables(tmp_path / "data", mini_tables())
    (tmp_path / "mini.yaml").write_text(yaml.safe_dump(mini_spec()))
    path = _sweep_file(tmp_path)
    path.write_text(path.read_text().replace("- 2.0\n", ""))
    monkeypatch.chdir(tmp_path)
    return path


def test_resume_into_a_directory_that_is_not_this_sweeps_touches_nothing(tmp_path, monkeypatch):
    path = _sweep_once(tmp_path, monkeypatch)
    mine = tmp_path / "results" / "sweep-tiny"
    mine.mkdir(parents=True)
    (mine / "manifest.csv").write_text("my,own,table\n")
    before = _tree(tmp_path)
    result = runner.invoke(app, _sweep(path, "--resume"))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "sweep.yaml" in result.stderr
    assert _tree(tmp_path) == before


def test_resume_into_another_sweeps_directory_touches_nothing(tmp_path, monkeypatch):
    path = _sweep_once(tmp_path, monkeypatch)
    other = tmp_path / "results" / "sweep-tiny"
    (other / "cases").mkdir(parents=True)
    (other / "sweep.yaml").write_text(yaml.safe_dump({"name": "tiny", "network": "other.yaml"}))
    (other / "manifest.csv").write_text("case,label\n")
    before = _tree(tmp_path)
    result = runner.invoke(app, _sweep(path, "--resume"))
    assert result.exit_code == 2, result.output
    assert "field 'network'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert _tree(tmp_path) == before


def test_a_case_whose_year_has_no_data_fails_without_running(mini, tmp_path):
    _network, data = mini()
    params = [{"name": "year", "path": "year", "values": [2019, 2030]}]
    path = _sweep_file(tmp_path, parameters=params)
    cases = plan_cases(path, load_sweep(path), load_dataset(data))
    assert cases[0].input_error is not None and "field 'year'" in cases[0].input_error
    assert cases[1].input_error is None


def test_time_limit_is_part_of_the_input_hash(mini, tmp_path):
    network, data = mini()
    dataset = load_dataset(data)
    names = {
        run_directory_name(
            resolve_spec(network, None, [("solver.time_limit", seconds)]), None, dataset.digest
        )
        for seconds in (None, 10.0, 20.0)
    }
    assert len(names) == 3
    path = _sweep_file(tmp_path)
    sweep = load_sweep(path)
    ids = [{c.case_id for c in plan_cases(path, sweep, dataset, limit)} for limit in (None, 10.0)]
    assert not ids[0] & ids[1]


def test_two_solves_differing_only_in_time_limit_get_two_run_directories(mini, tmp_path, monkeypatch):
    mini()
    monkeypatch.chdir(tmp_path)
    dirs = []
    for seconds in ("100", "200"):
        result = runner.invoke(app, _solve(tmp_path, "--time-limit", seconds, "-q"))
        assert result.exit_code == 0, result.output
        dirs.append(Path(result.stdout.strip()))
        assert yaml.safe_load((dirs[-1] / "run.yaml").read_text())["spec"]["solver"]["time_limit"] == float(
            seconds
        )
    assert dirs[0] != dirs[1]
