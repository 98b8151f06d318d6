"""Sweep files (``networks/sweeps/*.yaml``) and the cases they expand to.

A sweep names a base network (path relative to the sweep file), an optional scenario, common
overrides, and parameters combined as a full ``grid`` or as ``zip``-ped lists, or an explicit list of
``cases``. Each case's id is the hash of its fully resolved inputs (spec + data digest), so an
unchanged case is recognised across runs and machines.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from caspian.errors import InputError, InputShapeError
from caspian.inputs.coverage import check_year_coverage
from caspian.inputs.spec import OverrideError, SafeName, check_path, resolve_spec, shown_value, spec_hash
from caspian.inputs.tables import Dataset
from caspian.inputs.yamlio import read_yaml_mapping
from caspian.results.variables import SUMMARY_VARIABLES

MAX_HEADLINE_METRICS = 12
"""Most headline metrics a sweep file may name (a report leads with a few, not everything)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Parameter(_Strict):
    """One swept field: a coordinate name, the dotted path it sets, and its values."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="coordinate name in sweep.nc")
    path: str = Field(min_length=1, description="dotted path in the network spec")
    values: list[Any] = Field(min_length=1)
    unit: str | None = Field(
        None,
        description="appended to each value as text, e.g. 'bcm/y' or 'MW': for capacity paths, the only "
        "fields that read units",
    )


class ExplicitCase(_Strict):
    """A hand-written case: a label and its overrides."""

    label: SafeName
    set: dict[str, Any] = Field(default_factory=dict)
    group: str | None = Field(
        None,
        min_length=1,
        max_length=80,
        description="the assumption this case varies (one bar of the sweep report's tornado per group)",
    )


class SweepSpec(_Strict):
    """A sweep file."""

    name: SafeName
    description: str = ""
    network: str = Field(min_length=1, description="network file, relative to the sweep file")
    scenario: SafeName | None = None
    set: dict[str, Any] = Field(default_factory=dict, description="overrides common to every case")
    combine: Literal["grid", "zip"] = "grid"
    parameters: list[Parameter] = Field(default_factory=list)
    cases: list[ExplicitCase] = Field(default_factory=list)
    baseline: SafeName | None = Field(
        None,
        description="label of the case the grouped cases are measured against (the tornado's centre line)",
    )
    data_overlays: list[str] = Field(
        default_factory=list,
        description="data overlay directories (relative to the sweep file) applied to every case, after "
        "the network file's own",
    )
    headline_metrics: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]] = Field(
        default_factory=list,
        max_length=MAX_HEADLINE_METRICS,
        description="summary.nc variables the sweep report leads with: a scalar gives a headline range "
        "over the cases, a variable by bus, country or asset a case × label table",
    )

    @model_validator(mode="after")
    def _one_source_of_cases(self) -> SweepSpec:
        if bool(self.parameters) == bool(self.cases):
            raise ValueError("give either 'parameters' or 'cases'")
        if self.combine == "zip" and len({len(p.values) for p in self.parameters}) > 1:
            raise ValueError("zipped parameters need value lists of equal length")
        names = [p.name for p in self.parameters] + [c.label for c in self.cases]
        if len(set(names)) != len(names):
            raise ValueError("parameter names and case labels must be unique")
        if len(set(self.headline_metrics)) != len(self.headline_metrics):
            raise ValueError("headline_metrics: a metric is named twice")
        unknown = [m for m in self.headline_metrics if m not in SUMMARY_VARIABLES]
        if unknown:
            raise ValueError(
                f"headline_metrics: {unknown[0]!r} is not a summary.nc variable (caspian.results.variables "
                "lists them)"
            )
        if self.baseline is not None and self.baseline not in {c.label for c in self.cases}:
            raise ValueError(f"baseline {self.baseline!r} is not the label of a case")
        return self


@dataclass(frozen=True)
class Case:
    """One case of a sweep: id, label, swept parameter values, overrides, and whether its inputs are
    valid (an invalid case is recorded as failed without running)."""

    case_id: str
    label: str
    parameters: tuple[tuple[str, Any], ...]
    overrides: tuple[tuple[str, Any], ...]
    input_error: str | None = None


def load_sweep(path: Path) -> SweepSpec:
    """Read and validate a sweep file, including every override path against the network schema."""
    raw = read_yaml_mapping(path)
    try:
        sweep = SweepSpec.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        reason = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise InputError(f"{path}: field '{field}': {reason}") from None
    paths = [(f"set.{key}", key) for key in sweep.set]
    paths += [(f"parameters.{i}.path", p.path) for i, p in enumerate(sweep.parameters)]
    paths += [(f"cases.{i}.set.{key}", key) for i, c in enumerate(sweep.cases) for key in c.set]
    for field, dotted in paths:
        check_path(dotted, f"{path}: field '{field}'")
    return sweep


def network_path(sweep_file: Path, sweep: SweepSpec) -> Path:
    """The sweep's base network file."""
    return (sweep_file.parent / sweep.network).resolve()


def check_parameters(sweep_file: Path, sweep: SweepSpec) -> None:
    """Apply each parameter's each value (its ``unit`` appended) alone to the base network with the
    sweep's scenario and common ``set``, and validate: InputError naming the sweep file, the parameter
    and the value for one that no case could run with (a unit on a field that reads no units, a value
    out of bounds). Checked before any case is planned, so a bad sweep file writes nothing."""
    network = network_path(sweep_file, sweep)
    common = list(sweep.set.items())
    resolve_spec(network, sweep.scenario, common, lambda key, _value: f"{sweep_file}: field 'set.{key}'")
    for parameter in sweep.parameters:
        for value in parameter.values:
            given = _value(parameter, value)
            try:
                resolve_spec(network, sweep.scenario, [*common, (parameter.path, given)])
            except InputShapeError:
                raise
            except InputError as err:
                reason = err.reason if isinstance(err, OverrideError) else str(err)
                hint = (
                    f"; its unit '{parameter.unit}' is appended to each value as text, which only "
                    "capacity paths read"
                    if parameter.unit
                    else ""
                )
                raise InputError(
                    f"{sweep_file}: parameter '{parameter.name}' ({parameter.path}): value "
                    f"{shown_value(given)}: {reason}{hint}"
                ) from None


def _value(parameter: Parameter, value: Any) -> Any:
    return f"{value} {parameter.unit}" if parameter.unit else value


def _combinations(sweep: SweepSpec) -> list[tuple[str, tuple[tuple[str, Any], ...], dict[str, Any]]]:
    if sweep.cases:
        return [(case.label, (), dict(case.set)) for case in sweep.cases]
    params = sweep.parameters
    rows = (
        zip(*(p.values for p in params), strict=True)
        if sweep.combine == "zip"
        else itertools.product(*(p.values for p in params))
    )
    out = []
    for values in rows:
        label = "_".join(f"{p.name}={v}" for p, v in zip(params, values, strict=True))
        pairs = tuple((p.name, v) for p, v in zip(params, values, strict=True))
        sets = {p.path: _value(p, v) for p, v in zip(params, values, strict=True)}
        out.append((label, pairs, sets))
    return out


def _raw_id(network: Path, scenario: str | None, overrides: tuple[tuple[str, Any], ...]) -> str:
    text = json.dumps([str(network), scenario, overrides], sort_keys=True, default=str)
    return "invalid-" + hashlib.sha256(text.encode()).hexdigest()[:10]


def plan_cases(
    sweep_file: Path, sweep: SweepSpec, data: Dataset, time_limit: float | None = None
) -> list[Case]:
    """Expand a sweep into cases with content-hash ids (``time_limit``, s, is part of each case's spec
    and so of its id). Every case is resolved and validated here, before anything is written: a
    problem in the shape of the inputs (an unreadable network file, an unknown field or scenario, a
    path through a value) fails the sweep; a bad value fails only its case."""
    network = network_path(sweep_file, sweep)
    read_yaml_mapping(network)
    check_parameters(sweep_file, sweep)
    limit = () if time_limit is None else (("solver.time_limit", time_limit),)
    cases = []
    for label, parameters, sets in _combinations(sweep):
        overrides = tuple({**sweep.set, **sets}.items()) + limit
        try:
            spec = resolve_spec(
                network, sweep.scenario, list(overrides), lambda key, _value: f"{sweep_file}: {key}"
            )
            check_year_coverage(spec, data)
        except InputError as err:
            if isinstance(err, InputShapeError):
                raise InputShapeError(f"{sweep_file}: case {label}: {err}") from None
            cases.append(
                Case(_raw_id(network, sweep.scenario, overrides), label, parameters, overrides, str(err))
            )
            continue
        cases.append(Case(spec_hash(spec, data.digest), label, parameters, overrides))
    ids = [case.case_id for case in cases]
    if len(set(ids)) != len(ids):
        raise InputError(f"{sweep_file}: two cases resolve to the same inputs")
    return cases
