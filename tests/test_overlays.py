"""Data overlays (issue 10 B): rows replace base rows of the same key or add new ones, are validated like
the base, change the digest and are recorded in run.yaml."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from caspian.cli import app
from caspian.errors import InputError
from caspian.inputs.tables import TABLE_KEYS, TABLES, in_force, load_dataset
from caspian.sweep.executors import ExecutorChoice
from caspian.sweep.orchestrate import prepare_sweep, run_sweep
from conftest import PROV, REPO, mini_tables

runner = CliRunner()


def _overlay(
    directory: Path, table: str, rows: list[dict[str, Any]], columns: list[str] | None = None
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns or list(TABLES[table].model_fields))
        writer.writeheader()
        writer.writerows({**PROV, **row} for row in rows)
    return directory


def _pipeline(**changes: Any) -> dict[str, Any]:
    return {**mini_tables()["gas_pipelines"][0], **changes}


def test_overlay_replaces_rows_of_the_same_key_and_adds_new_ones(mini, tmp_path):
    _, data = mini()
    overlay = _overlay(
        tmp_path / "ov",
        "gas_pipelines",
        [_pipeline(capacity_bcm_y=4), _pipeline(capacity_bcm_y=6, from_year=2026)],
    )
    base = load_dataset(data)
    merged = load_dataset(data, (overlay,))
    pipes = merged.table("gas_pipelines")
    assert list(zip(pipes.from_year, pipes.capacity_bcm_y, strict=True)) == [(2020, 4.0), (2026, 6.0)]
    assert merged.table("buses").equals(base.table("buses"))
    assert merged.digest != base.digest
    assert [o.path for o in merged.overlays] == [overlay] and len(merged.overlays[0].digest) == 16


def test_later_overlay_wins(mini, tmp_path):
    _, data = mini()
    first = _overlay(tmp_path / "a", "gas_pipelines", [_pipeline(capacity_bcm_y=4)])
    second = _overlay(tmp_path / "b", "gas_pipelines", [_pipeline(capacity_bcm_y=5)])
    assert load_dataset(data, (first, second)).table("gas_pipelines").capacity_bcm_y.tolist() == [5.0]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda d: (
                _overlay(d, "buses", []).joinpath("pipelines.csv").write_text("name\n", encoding="utf-8")
            ),
            "pipelines.csv: not a data table",
        ),
        (
            lambda d: _overlay(d, "gas_pipelines", [{"capacity": 4}], ["capacity", *PROV]),
            "gas_pipelines.csv: line 1 field 'capacity': unknown column",
        ),
        (
            lambda d: _overlay(d, "gas_pipelines", [_pipeline(bus1="XX gas")]),
            "ov/gas_pipelines.csv: line 2 field 'bus1': unknown node 'XX gas'",
        ),
        (
            lambda d: _overlay(d, "gas_pipelines", [_pipeline(), _pipeline()]),
            "ov/gas_pipelines.csv: line 3 field 'name': duplicate key",
        ),
        (lambda d: _overlay(d, "gas_pipelines", [_pipeline(capacity_bcm_y="inf")]), "field 'capacity_bcm_y'"),
        (lambda d: d.mkdir(), "data overlay holds no table"),
        (lambda d: None, "data overlay directory not found"),
    ],
    ids=["unknown-table", "wrong-column", "unknown-bus", "duplicate", "inf", "empty", "missing"],
)
def test_bad_overlay_is_refused_in_one_line(mini, tmp_path, make, expected):
    _, data = mini()
    make(tmp_path / "ov")
    with pytest.raises(InputError) as caught:
        load_dataset(data, (tmp_path / "ov",))
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_solve_with_overlays_records_them_in_run_yaml(mini, tmp_path, monkeypatch):
    """The network file's overlay (capacity 4) applies first, --data-overlay's (2.5) last: 2.5 bcm/y flow."""
    _overlay(tmp_path / "wide", "gas_pipelines", [_pipeline(capacity_bcm_y=4)])
    narrow = _overlay(tmp_path / "narrow", "gas_pipelines", [_pipeline(capacity_bcm_y=2.5)])
    network, data = mini(data_overlays=["wide"])
    monkeypatch.chdir(tmp_path)
    args = ["solve", str(network), "--data", str(data), "-q", "--data-overlay", str(narrow)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    run = yaml.safe_load((Path(result.stdout.strip()) / "run.yaml").read_text(encoding="utf-8"))
    assert [o["path"] for o in run["data_overlays"]] == [str(tmp_path / "wide"), str(narrow)]
    assert all(len(o["digest"]) == 16 for o in run["data_overlays"])
    summary = yaml.safe_load((Path(result.stdout.strip()) / "summary.json").read_text(encoding="utf-8"))
    assert summary["gas_to_europe_bcm"]["value"] == pytest.approx(2.5)


def test_bad_overlay_exits_2_with_one_line(mini, tmp_path, monkeypatch):
    network, data = mini()
    bad = _overlay(tmp_path / "ov", "gas_pipelines", [_pipeline(bus0="XX gas")])
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "solve"):
        result = runner.invoke(app, [command, str(network), "--data", str(data), "--data-overlay", str(bad)])
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1 and "unknown node 'XX gas'" in result.stderr
    assert not (tmp_path / "results").exists()


def test_sweep_file_overlays_apply_to_every_case_and_change_the_ids(mini, tmp_path):
    network, data = mini()
    _overlay(tmp_path / "narrow", "gas_pipelines", [_pipeline(capacity_bcm_y=2.5)])
    sweep = {
        "name": "ov",
        "network": network.name,
        "parameters": [{"name": "scale", "path": "markets.gas_price_scale", "values": [1.0, 2.0]}],
    }
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    with_overlay = tmp_path / "with-overlay.yaml"
    with_overlay.write_text(yaml.safe_dump({**sweep, "data_overlays": ["narrow"]}), encoding="utf-8")
    plan = prepare_sweep(with_overlay, data, tmp_path / "results")
    assert plan.data_overlays == ((tmp_path / "narrow").resolve(),)
    plain_ids = {c.case_id for c in prepare_sweep(plain, data, tmp_path / "results").cases}
    assert plain_ids.isdisjoint(c.case_id for c in plan.cases)
    outcome = run_sweep(plan, ExecutorChoice(workers=1))
    assert not outcome.failures
    for case in plan.cases:
        record = plan.directory / "cases" / case.case_id / "run.yaml"
        run = yaml.safe_load(record.read_text(encoding="utf-8"))
        assert run["input_hash"] == case.case_id
        assert [o["path"] for o in run["data_overlays"]] == [str((tmp_path / "narrow").resolve())]


def test_crosscheck_takes_data_overlays(mini, tmp_path, monkeypatch):
    network, data = mini()
    narrow = _overlay(tmp_path / "narrow", "gas_pipelines", [_pipeline(capacity_bcm_y=2.5)])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["crosscheck", str(network), "--data", str(data), "--data-overlay", str(narrow)]
    )
    assert result.exit_code == 0, result.output
    assert "the two formulations agree" in result.stdout


def test_2023_overlay_only_adds_2023_rows_for_assets_of_the_base():
    """Each row of the shipped 2023 overlay starts in 2023 and belongs to a key (asset, bus, country) the
    base data has in force in 2024; base rows are replaced only where they already start in 2023."""
    overlay = REPO / "data" / "overlays" / "2023"
    base = load_dataset(REPO / "data")
    merged = load_dataset(REPO / "data", (overlay,))
    for path in overlay.glob("*.csv"):
        table = path.stem
        key = [c for c in TABLE_KEYS[table] if c != "from_year"]
        added = merged.table(table).query("from_year == 2023")
        kept = base.table(table).query("from_year != 2023")
        assert len(merged.table(table)) == len(kept) + len(added), table
        in_2024 = in_force(base.table(table), key, 2024)
        assert set(added[key].itertuples(index=False)) <= set(in_2024[key].itertuples(index=False)), table
