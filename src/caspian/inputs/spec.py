"""Pydantic models of the network YAML files (``networks/*.yaml``) and their loading.

A network file names what to model (carriers, countries, which candidate projects may be built), the
model year, time resolution, market assumptions and named scenarios (dotted-path overrides). Unknown
fields are errors (``extra="forbid"``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from caspian.errors import InputError, InputShapeError
from caspian.inputs.policy_spec import PolicySpec
from caspian.inputs.yamlio import parse_value, read_yaml_mapping
from caspian.units import parse_power

Carrier = Literal["gas", "electricity"]
Mode = Literal["dispatch", "expansion"]

_RESOLUTION = re.compile(r"^([1-9]\d*)h$")

MAX_SCALE = 100.0
"""Largest multiplier on prices or costs (dimensionless): a scale beyond ×100 is a typo, not a case."""
MAX_PRICE_EUR_MWH = 10_000.0
"""Largest gas or power price accepted, EUR/MWh: above the EU power market's harmonised maximum
clearing price (4,000 EUR/MWh) and thirty times TTF's 2022 record (~340 EUR/MWh)."""
MAX_SPREAD_SHIFT_EUR_MWH = 200.0
"""Largest shift of the LNG spreads over TTF, EUR/MWh (the row bound of a spread,
:data:`caspian.inputs.gas_rows.MAX_SPREAD_EUR_MWH`)."""
MAX_TIME_LIMIT_S = 30 * 24 * 3600.0
"""Longest solver time limit accepted, s (30 days)."""
MAX_SEED = 2**32 - 1
"""Largest weather seed (numpy's seed range)."""
MAX_NAME_CHARS = 80
"""Longest name that becomes a path component (network, scenario, sweep, case label), characters."""

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_name(value: str) -> str:
    """A name that becomes one path component of a run or sweep directory: letters, digits, '.', '_'
    and '-', starting with a letter or digit, no '..', at most :data:`MAX_NAME_CHARS` characters
    (ValueError otherwise). The one validator of every such name."""
    if len(value) > MAX_NAME_CHARS or not _SAFE_NAME.match(value) or ".." in value:
        raise ValueError(
            f"{value[:MAX_NAME_CHARS]!r} is not a safe name (letters, digits, '.', '_', '-', starting with "
            f"a letter or digit, no '..', at most {MAX_NAME_CHARS} characters)"
        )
    return value


SafeName = Annotated[str, AfterValidator(check_name)]
"""A name used as a path component (see :func:`check_name`)."""
Scale = Annotated[float, Field(gt=0, le=MAX_SCALE)]
"""A positive multiplier, at most :data:`MAX_SCALE`."""


def _check_capacity(value: float | int | str) -> float | int | str:
    try:
        mw = parse_power(value, "value")
    except InputError as exc:
        raise ValueError(str(exc).removeprefix("value: ")) from None
    if mw < 0:
        raise ValueError("must not be negative")
    return value


Capacity = Annotated[StrictFloat | StrictInt | str, AfterValidator(_check_capacity)]
"""A capacity: a number in MW or a string with a unit ('10 bcm/y', '1.3 GW'); never negative."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TimeSpec(_Strict):
    """Which hours of the representative year are modelled, and at what resolution."""

    start_hour: int = Field(0, ge=0, le=8759, description="first hour of the horizon (0 = 1 Jan 00:00)")
    hours: int = Field(8760, ge=1, le=8760, description="length of the horizon in hours")
    resolution: str | None = Field(None, description="resampling step, e.g. '3h'; None = hourly")
    segments: int | None = Field(None, ge=2, le=8760, description="number of time segments (tsam)")

    @field_validator("resolution")
    @classmethod
    def _resolution_form(cls, value: str | None) -> str | None:
        if value is not None and not _RESOLUTION.match(value):
            raise ValueError("must look like '3h' (a whole number of hours)")
        return value

    @model_validator(mode="after")
    def _one_aggregation(self) -> TimeSpec:
        if self.resolution and self.segments:
            raise ValueError("choose either resolution or segments, not both")
        if self.start_hour + self.hours > 8760:
            raise ValueError("start_hour + hours exceeds the 8760-hour year")
        step = self.resolution_hours
        if step > self.hours or self.hours % step:
            raise ValueError(f"hours ({self.hours}) must be a multiple of the resolution ({step} h)")
        if self.segments and self.segments > self.hours:
            raise ValueError("more segments than hours")
        return self

    @property
    def resolution_hours(self) -> int:
        """Resampling step in hours (1 when hourly or segmented)."""
        if not self.resolution:
            return 1
        matched = _RESOLUTION.match(self.resolution)
        if matched is None:  # the field validator accepts only matching strings
            raise ValueError(f"resolution {self.resolution!r} is not '<N>h'")
        return int(matched.group(1))


class ExpansionSpec(_Strict):
    """Which investments the expansion mode may make."""

    projects: list[str] = Field(default_factory=list, description="project names from projects.csv")
    renewables: bool = Field(True, description="build wind/solar up to the potentials in renewables.csv")
    peakers: bool = Field(True, description="build open-cycle gas turbines where a gas fleet exists")
    renewable_capex_scale: Scale = Field(1.0, description="multiplier on wind and solar investment costs")
    project_capex_scale: dict[str, Scale] = Field(
        default_factory=dict,
        description="multiplier on a project's capex (every option of it), e.g. {'TAP expansion': 1.5}",
    )
    max_capacity: dict[str, Capacity] = Field(
        default_factory=dict,
        description="cap on an asset's total capacity, e.g. {'Trans-Caspian': '10 bcm/y'}",
    )
    milp: bool = Field(
        False,
        description="build each project as one of its discrete options (binaries, MILP) instead of the "
        "LP relaxation through their convex hull",
    )


class Outage(_Strict):
    """An asset out of service over [start, end) (e.g. an ENTSOG-style supply-disruption case)."""

    asset: str = Field(min_length=1, description="pipeline, interconnector, supply or fleet name")
    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _naive_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    @model_validator(mode="after")
    def _ordered(self) -> Outage:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class MarketSpec(_Strict):
    """Market assumptions: the European hub price, gas demand, tariffs, the exporters' alternatives and
    power prices (one-at-a-time sensitivities move these)."""

    ttf_year: int = Field(
        2024, ge=2000, le=2100, description="year of the monthly TTF prices (gas_ttf_monthly.csv) used"
    )
    ttf_eur_mwh: float | None = Field(
        None,
        gt=0,
        le=MAX_PRICE_EUR_MWH,
        description="annual mean TTF, EUR/MWh (GCV): rescales the monthly TTF of ttf_year to this mean",
    )
    gas_price_scale: Scale = Field(1.0, description="multiplier on the TTF (so on every alternative's price)")
    gas_demand_scale: Scale = Field(
        1.0,
        description="multiplier on every European gas market's residual import demand (gas_markets.csv; "
        "buses.csv delivery 'europe': not Türkiye's)",
    )
    lng_spread_shift_eur_mwh: float = Field(
        0.0,
        ge=-MAX_SPREAD_SHIFT_EUR_MWH,
        le=MAX_SPREAD_SHIFT_EUR_MWH,
        description="EUR/MWh added to the spread over TTF of every LNG step of the supply curves",
    )
    tariff_scale: float = Field(
        1.0, ge=0, le=MAX_SCALE, description="multiplier on every pipeline tariff (gas_tariffs.csv)"
    )
    netback_scale: Scale = Field(
        1.0, description="multiplier on the netback of netback-valued supplies (Turkmen gas's China price)"
    )
    supply_scale: dict[str, Scale] = Field(
        default_factory=dict,
        description="multiplier on the plateaus of every field at a gas bus, e.g. {'AZ gas': 0.9}",
    )
    power_price_scale: Scale = Field(1.0, description="multiplier on all power market prices")
    power_price_year: int = Field(
        2024, ge=2000, le=2100, description="year of the Ember monthly prices used for the shape"
    )


class ProfileSpec(_Strict):
    """Where hourly renewable and demand profiles come from."""

    seed: int = Field(2030, ge=0, le=MAX_SEED, description="seed of the synthetic weather")
    files: dict[str, str] = Field(
        default_factory=dict,
        description="user CSVs replacing synthetic profiles, keyed '<ISO2> <technology>' (e.g. 'AZ onwind')",
    )


class SolverSpec(_Strict):
    """HiGHS options passed through linopy."""

    options: dict[str, float | int | str | bool] = Field(default_factory=dict)
    time_limit: float | None = Field(None, gt=0, le=MAX_TIME_LIMIT_S, description="seconds")
    mip_gap: float | None = Field(None, ge=0, lt=1, description="relative MIP gap at which HiGHS stops")
    mip_start: bool = Field(
        True,
        description="start branch and bound from the LP relaxation with each project rounded up to an "
        "option (lumpy projects without unit commitment)",
    )


class NetworkSpec(_Strict):
    """A complete model definition (one YAML file, after a scenario and overrides are applied)."""

    name: SafeName
    description: str = ""
    year: int = Field(ge=2015, le=2060, description="model year: picks data rows and assets in service")
    carriers: list[Carrier] = Field(min_length=1)
    countries: list[str] | None = Field(None, description="ISO2 codes to include; None = all in data")
    mode: Mode = "dispatch"
    time: TimeSpec = TimeSpec()
    expansion: ExpansionSpec = ExpansionSpec()
    markets: MarketSpec = MarketSpec()
    policy: PolicySpec = PolicySpec()
    profiles: ProfileSpec = ProfileSpec()
    solver: SolverSpec = SolverSpec()
    exclude: list[str] = Field(default_factory=list, description="asset names left out of the model")
    capacity: dict[str, Capacity] = Field(
        default_factory=dict,
        description="fixed total capacity of an asset, e.g. {'Trans-Caspian': '10 bcm/y'}",
    )
    discount_rate: float | None = Field(None, gt=0, lt=1, description="overrides parameters.csv")
    outages: list[Outage] = Field(default_factory=list)
    unserved_energy: bool = Field(
        False,
        description="allow priced unserved energy at every bus with fixed demand (loads, gas offtakes; "
        "reported) instead of infeasibility",
    )
    unit_commitment: bool = Field(
        False,
        description="commit gas-fired plants in whole units (minimum stable load, start-up cost, minimum "
        "up/down time; a MILP)",
    )
    data_overlays: list[str] = Field(
        default_factory=list,
        description="data overlay directories (relative to the network file), applied in order over data/",
    )
    scenarios: dict[SafeName, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("unit_commitment")
    @classmethod
    def _commitment_needs_power(cls, value: bool, info: ValidationInfo) -> bool:
        if not value:
            return value
        if "electricity" not in info.data.get("carriers", []):
            raise ValueError("needs carriers: electricity (it commits gas-fired plants)")
        time = info.data.get("time")
        if time is not None and time.segments:
            raise ValueError("needs snapshots of equal length: use time.resolution, not time.segments")
        return value

    @field_validator("carriers")
    @classmethod
    def _unique_carriers(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("carriers listed twice")
        return value


def _validation_error(path: Path | str, err: ValidationError) -> InputError:
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return InputShapeError(f"{path}: field '{field}': unknown field")
    return InputError(f"{path}: field '{field}': {first['msg']}")


def check_path(dotted: str, where: str) -> None:
    """Check a dotted override path against the schema of :class:`NetworkSpec`: every key a field, a
    nested model's fields below it, one key into a mapping field, nothing below a value
    (InputShapeError naming ``where`` and the field otherwise)."""
    keys = dotted.split(".")
    if not all(keys):
        raise InputShapeError(f"{where}: '{dotted}' is not a dotted path")
    model: type[BaseModel] = NetworkSpec
    for depth, key in enumerate(keys):
        field = ".".join(keys[: depth + 1])
        info = model.model_fields.get(key)
        if info is None:
            raise InputShapeError(f"{where}: field '{field}': unknown field")
        annotation = info.annotation
        rest = len(keys) - depth - 1
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
            continue
        if typing.get_origin(annotation) is dict and rest >= 1:
            value_type = typing.get_args(annotation)[1]
            if rest == 1 or typing.get_origin(value_type) is dict or value_type is Any:
                return
            field = ".".join(keys[: depth + 2])
        elif rest == 0:
            return
        raise InputShapeError(
            f"{where}: field '{field}': is a value, not a mapping; '{dotted}' goes through it"
        )


def set_dotted(tree: dict[str, Any], dotted: str, value: Any, where: str) -> None:
    """Set ``tree[a][b][c] = value`` for ``dotted = 'a.b.c'``, creating mappings as needed."""
    keys = dotted.split(".")
    if not all(keys):
        raise InputShapeError(f"{where}: '{dotted}' is not a dotted path")
    node = tree
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise InputShapeError(f"{where}: '{dotted}' goes through '{key}', which is not a mapping")
        node = child
    node[keys[-1]] = value


def parse_set_option(option: str) -> tuple[str, Any]:
    """Split a ``--set key.path=value`` option; the value is read as YAML data (never evaluated)."""
    if "=" not in option:
        raise InputError(f"--set {option}: expected key.path=value")
    key, raw = option.split("=", 1)
    value = parse_value(raw, f"--set {key.strip()}") if raw.strip() else ""
    return key.strip(), value


MAX_SHOWN_VALUE = 80
"""Characters of an override's value echoed in an error message (longer values are cut with '…')."""


def shown_value(value: Any) -> str:
    """An override's value as a user typed it, quoted and cut to :data:`MAX_SHOWN_VALUE` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    if len(text) > MAX_SHOWN_VALUE:
        text = text[: MAX_SHOWN_VALUE - 1] + "…"
    return f'"{text}"'


def set_label(path: str, _value: Any) -> str:
    """How a ``--set`` override is named in an error: ``--set <path>``."""
    return f"--set {path}"


class OverrideError(InputError):
    """An override's value made the spec invalid: ``str()`` is the labelled one-line message;
    ``path``, ``value`` and ``reason`` let a caller word its own (a sweep names its parameter)."""

    def __init__(self, message: str, path: str, value: Any, reason: str) -> None:
        super().__init__(message)
        self.path, self.value, self.reason = path, value, reason


def _override_error(
    path: Path, err: ValidationError, overrides: list[tuple[str, Any]], label: Callable[[str, Any], str]
) -> InputError:
    """The spec's validation error, named after the override that set the failing field (the last one
    whose path is the field, above it or below it: overrides apply last, so theirs is the value that
    failed), with that override's value; else after the network file."""
    error = _validation_error(path, err)
    if isinstance(error, InputShapeError):
        return error
    first = err.errors()[0]
    field = ".".join(str(p) for p in first["loc"])
    for dotted, value in reversed(overrides):
        if field == dotted or field.startswith(f"{dotted}.") or dotted.startswith(f"{field}."):
            reason = first["msg"] if field == dotted else f"field '{field}': {first['msg']}"
            message = f"{label(dotted, value)}: {reason} (value {shown_value(value)})"
            return OverrideError(message, dotted, value, reason)
    return error


def resolve_spec(
    path: Path,
    scenario: str | None = None,
    overrides: list[tuple[str, Any]] | None = None,
    label: Callable[[str, Any], str] = set_label,
) -> NetworkSpec:
    """Load a network file, apply a named scenario then ad-hoc overrides, and validate the result; an
    invalid value an override set is reported as ``<label(path, value)>: <reason> (value "…")``."""
    raw = read_yaml_mapping(path)
    tree = copy.deepcopy(raw)
    scenarios = raw.get("scenarios") or {}
    if scenario is not None:
        try:
            check_name(scenario)
        except ValueError as exc:
            raise InputShapeError(f"{path}: field 'scenarios': scenario {exc}") from None
        if not isinstance(scenarios, dict) or scenario not in scenarios:
            known = ", ".join(map(str, scenarios)) if isinstance(scenarios, dict) and scenarios else "none"
            raise InputShapeError(f"{path}: field 'scenarios': no scenario '{scenario}' (known: {known})")
        body = scenarios[scenario] or {}
        if not isinstance(body, dict):
            raise InputShapeError(
                f"{path}: field 'scenarios.{scenario}': expected a mapping of key.path: value"
            )
        for dotted, value in body.items():
            where = f"{path}: scenario '{scenario}'"
            check_path(str(dotted), where)
            set_dotted(tree, str(dotted), value, where)
    for dotted, value in overrides or []:
        check_path(dotted, f"--set {dotted}")
        set_dotted(tree, dotted, value, f"--set {dotted}")
    try:
        return NetworkSpec.model_validate(tree)
    except ValidationError as err:
        raise _override_error(path, err, list(overrides or []), label) from None


def overlay_paths(spec_file: Path, overlays: list[str]) -> tuple[Path, ...]:
    """The data overlay directories a spec or sweep file names, resolved relative to that file."""
    return tuple((spec_file.parent / overlay).resolve() for overlay in overlays)


def spec_hash(spec: NetworkSpec, data_digest: str) -> str:
    """Short stable hash of the fully resolved inputs (spec without scenarios, plus the data digest)."""
    payload = spec.model_dump(mode="json", exclude={"scenarios"})
    text = json.dumps({"spec": payload, "data": data_digest}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:10]
