"""Load and check the sourced data tables in ``data/`` (see data/README.md), with optional overlays.

Every table is a tidy UTF-8 CSV whose rows carry ``source``, ``year`` and ``confidence``. Each row is
validated with its pydantic model (:mod:`caspian.inputs.rows`); any problem — a cell count that differs
from the header, a file that is not UTF-8 text, a duplicate key, a non-finite or implausible number, an
unknown unit, a reference to a bus that does not exist or has the wrong carrier (a pipeline ending at
an electricity bus), a connection from a bus to itself — is an :class:`InputError` naming the file,
the line, the field and the reason. Rows that change over time carry ``from_year``: :func:`in_force` picks,
per key, the newest row not later than the model year.

A data overlay is a directory holding any subset of the tables with the same columns: its rows replace
the base rows with the same key (:data:`TABLE_KEYS`) or add new ones. Overlays are read like the base,
applied in the order given, and the reference checks run on the merged result.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from caspian.errors import InputError
from caspian.inputs.curves import check_gas_tables
from caspian.inputs.rows import EUROPE, NOT_DELIVERY, RowFieldError, TableRow
from caspian.inputs.schema import TABLE_KEYS, TABLES

__all__ = ["TABLES", "TABLE_KEYS", "Dataset", "OverlayRecord", "in_force", "load_dataset"]

OVERLAY_DOCUMENTATION = "README.md"
"""The one file besides table CSVs an overlay directory may hold (its notes)."""

GAS = "gas"
AC = "AC"
"""``buses.csv`` carriers."""

BUS_CARRIERS: dict[str, dict[str, str]] = {
    "gas_pipelines": {"bus0": GAS, "bus1": GAS},
    "power_links": {"bus0": AC, "bus1": AC},
    "gas_supply": {"bus": GAS},
    "gas_offtakes": {"bus": GAS},
    "gas_markets": {"bus": GAS},
    "gas_alternatives": {"bus": GAS},
    "gas_demand_monthly": {"bus": GAS},
    "gas_storage": {"bus": GAS},
    "gas_outlets": {"bus": GAS},
    "electricity_demand": {"bus": AC},
    "power_markets": {"bus": AC},
    "renewables": {"bus": AC},
    "thermal": {"bus": AC, "gas_bus": GAS},
}
"""Table → column → carrier of the bus it must name: each column must name a bus of ``buses.csv``
with that carrier (an empty optional cell, e.g. a hydro fleet's ``gas_bus``, names none). A new table
with bus columns is one line here."""

DISTINCT_ENDS: dict[str, tuple[str, str]] = {
    "gas_pipelines": ("bus0", "bus1"),
    "power_links": ("bus0", "bus1"),
}
"""Tables of connections whose two end buses must differ (a loop from a bus to itself moves nothing)."""

DIGEST_LENGTH = 16
"""Hex characters kept of a SHA-256 digest (64 bits: collisions are not a concern here)."""


@dataclass(frozen=True)
class OverlayRecord:
    """A data overlay applied to the base tables: its directory and the digest of its files."""

    path: Path
    digest: str


def delivery_buses(buses: pd.DataFrame, carrier: str, europe_only: bool = False) -> list[str]:
    """The delivery points of ``carrier`` ('gas' | 'AC') among ``buses`` (indexed by bus, with the
    ``carrier`` and ``delivery`` columns of ``buses.csv``; the data table or a network's ``n.buses``):
    every delivery point, or only those counted in the 'to Europe' totals."""
    of_carrier = buses[buses["carrier"] == carrier]
    chosen = of_carrier["delivery"] == EUROPE if europe_only else of_carrier["delivery"] != NOT_DELIVERY
    return [str(bus) for bus in of_carrier.index[chosen]]


def bus_zones(buses: pd.DataFrame) -> dict[str, str]:
    """Each bus's zone, the short name its electricity assets and demand are named after:
    ``buses.csv`` ``zone``, or the bus's ``country`` where that is empty (``buses`` the data table, with
    a ``bus`` column)."""
    zones = buses["zone"] if "zone" in buses else pd.Series(None, index=buses.index, dtype=object)
    return {
        str(bus): str(country if pd.isna(zone) else zone)
        for bus, country, zone in zip(buses["bus"], buses["country"], zones, strict=True)
    }


@dataclass(frozen=True)
class Dataset:
    """All data tables, validated and merged with any overlays; ``tables[name]`` is a DataFrame with one
    row per row in force; ``digest`` covers the base files and every overlay; ``base_from_years`` is,
    per table with ``from_year`` rows, the earliest ``from_year`` of the base files before any overlay
    (the model-year coverage rule, :mod:`caspian.inputs.coverage`, starts from it)."""

    root: Path
    tables: dict[str, pd.DataFrame]
    digest: str
    rows_by_file: dict[str, int] = field(default_factory=dict)
    overlays: tuple[OverlayRecord, ...] = ()
    base_from_years: dict[str, int] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """The named table (a copy is not made: treat it as read-only)."""
        return self.tables[name]

    def buses(self) -> pd.DataFrame:
        """``buses.csv`` indexed by bus."""
        return self.tables["buses"].set_index("bus")

    def parameter(self, name: str) -> float:
        """Value of a row of parameters.csv."""
        params = self.tables["parameters"].set_index("parameter")
        if name not in params.index:
            raise InputError(f"{self.root / 'parameters.csv'}: field 'parameter': '{name}' missing")
        return float(params.loc[name, "value"])

    def to_price_year(self, value: float, currency_year: int | None) -> float:
        """Convert money of ``currency_year`` EUR to the model's price year with the HICP rows."""
        target = int(self.parameter("price_year"))
        if currency_year is None or pd.isna(currency_year) or int(currency_year) == target:
            return value
        return value * self.parameter(f"hicp_{target}") / self.parameter(f"hicp_{int(currency_year)}")

    def eur_of_price_year(self, value: float, usd: bool, currency_year: int | None) -> float:
        """Money stated in USD (``usd``, converted at ``usd_per_eur``) or EUR of ``currency_year``, as EUR
        of the model's price year."""
        return self.to_price_year(value / self.parameter("usd_per_eur") if usd else value, currency_year)


@dataclass(frozen=True)
class _Table:
    """A validated table and, per row, where it came from (``<file>: line <n>``) for error messages."""

    frame: pd.DataFrame
    origins: list[str]


def _decode(path: Path) -> str:
    """The file's text; InputError (file, line, reason) for a binary or non-UTF-8 file."""
    raw = path.read_bytes()
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: NUL byte: a binary file, not a UTF-8 CSV table")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "save the table as UTF-8"
        ) from None


def _check_header(path: Path, header: list[str], model: type[TableRow]) -> None:
    if not header:
        raise InputError(f"{path}: line 1: empty file, expected a header row")
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError(f"{path}: line 1 field '{column}': column listed twice")
        if column not in model.model_fields:
            raise InputError(f"{path}: line 1 field '{column}': unknown column")
        seen.add(column)
    fields = model.model_fields
    missing = [c for c in fields if fields[c].is_required() and c not in header]
    if missing:
        raise InputError(f"{path}: field '{missing[0]}': required column missing")


def _validate(path: Path, line: int, model: type[TableRow], raw: dict[str | None, object]) -> dict:
    cells = {k: v.strip() for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
    cleaned = {k: v for k, v in cells.items() if v}
    try:
        return model.model_validate(cleaned).model_dump()
    except ValidationError as err:
        first = err.errors()[0]
        blamed = first.get("ctx", {}).get("error")
        col = blamed.field if isinstance(blamed, RowFieldError) else ".".join(str(p) for p in first["loc"])
        col = col or "(row)"
        reason = first["msg"].removeprefix("Value error, ")
        value = cleaned.get(col)
        shown = f" (value {value!r})" if value is not None else ""
        raise InputError(f"{path}: line {line} field '{col}': {reason}{shown}") from None


def _read_table(path: Path, name: str) -> _Table:
    """Read and validate one table file; rows must have as many cells as the header, keys be unique."""
    if not path.is_file():
        raise InputError(f"{path}: data file missing")
    model = TABLES[name]
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    records, origins = [], []
    try:
        header = list(reader.fieldnames or [])
        _check_header(path, header, model)
        for raw in reader:
            line = reader.line_num
            if None in raw:
                extra = len(raw[None])
                raise InputError(
                    f"{path}: line {line}: {len(header) + extra} cells but the header has {len(header)} "
                    "columns (a stray comma or an unquoted field)"
                )
            short = [column for column, value in raw.items() if value is None]
            if short:
                raise InputError(
                    f"{path}: line {line} field '{short[0]}': {len(header) - len(short)} cells but the "
                    f"header has {len(header)} columns (row too short)"
                )
            records.append(_validate(path, line, model, raw))
            origins.append(f"{path}: line {line}")
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV: {err}") from None
    frame = pd.DataFrame.from_records(records, columns=list(model.model_fields))
    _check_unique(name, frame, origins)
    return _Table(frame, origins)


def _keys(name: str, frame: pd.DataFrame) -> list[tuple]:
    return list(frame[list(TABLE_KEYS[name])].itertuples(index=False, name=None))


def _check_unique(name: str, frame: pd.DataFrame, origins: list[str]) -> None:
    first: dict[tuple, int] = {}
    for position, key in enumerate(_keys(name, frame)):
        if key in first:
            columns = ", ".join(TABLE_KEYS[name])
            raise InputError(
                f"{origins[position]} field '{TABLE_KEYS[name][0]}': duplicate key ({columns}) = "
                f"{key!r}, first at {origins[first[key]].rsplit(': ', 1)[-1]}"
            )
        first[key] = position


def _check_references(tables: dict[str, _Table]) -> None:
    carrier_of = dict(zip(tables["buses"].frame["bus"], tables["buses"].frame["carrier"], strict=True))
    for name, columns in BUS_CARRIERS.items():
        table = tables[name]
        for column, carrier in columns.items():
            for origin, bus in zip(table.origins, table.frame[column], strict=True):
                if bus is None or pd.isna(bus):
                    continue
                if bus not in carrier_of:
                    raise InputError(f"{origin} field '{column}': unknown node {bus!r}")
                if carrier_of[bus] != carrier:
                    raise InputError(
                        f"{origin} field '{column}': {bus!r} is a {carrier_of[bus]} bus, but {name}.csv "
                        f"'{column}' must name a {carrier} bus (buses.csv carrier)"
                    )
    for name, (end0, end1) in DISTINCT_ENDS.items():
        table = tables[name]
        for origin, bus0, bus1 in zip(table.origins, table.frame[end0], table.frame[end1], strict=True):
            if bus0 == bus1:
                raise InputError(
                    f"{origin} field '{end1}': {bus1!r} is also '{end0}': the two ends must differ"
                )
    drawn = set(tables["gas_pipelines"].frame["name"]) | set(tables["power_links"].frame["name"])
    routes = tables["map_routes"]
    for origin, asset in zip(routes.origins, routes.frame["asset"], strict=True):
        if asset not in drawn:
            raise InputError(f"{origin} field 'asset': {asset!r} is not a pipeline or power link")
    _check_project_stages(tables["projects"])
    technologies = set(tables["unit_commitment"].frame["technology"])
    sizes = tables["unit_sizes"]
    for origin, technology in zip(sizes.origins, sizes.frame["commitment"], strict=True):
        if technology not in technologies:
            raise InputError(
                f"{origin} field 'commitment': {technology!r} is not a technology of unit_commitment.csv"
            )


def _check_project_stages(projects: _Table) -> None:
    """A staged project's options (``stage`` 1, 2, …; each row's ``capacity_added`` is the total up to and
    including that stage) must be numbered without gaps, grow in capacity and not become available
    before their predecessor; rows without a stage are alternatives and are not checked."""
    frame = projects.frame.assign(origin=projects.origins)
    staged = frame[frame["stage"].notna()]
    for project, rows in staged.groupby("project", sort=False):
        previous = None
        for position, (_, row) in enumerate(rows.sort_values("stage").iterrows(), start=1):
            stage = int(row["stage"])
            if previous is not None and stage == int(previous["stage"]):
                raise InputError(
                    f"{row['origin']} field 'stage': stage {stage} of {project!r} is listed twice "
                    f"(also option {previous['option']!r})"
                )
            if stage != position:
                raise InputError(
                    f"{row['origin']} field 'stage': stage {stage} of {project!r} has no stage {position} "
                    "before it (stages are numbered 1, 2, … without gaps or repeats)"
                )
            if previous is not None and row["capacity_added"] <= previous["capacity_added"]:
                raise InputError(
                    f"{row['origin']} field 'capacity_added': stage {stage} of {project!r} adds "
                    f"{row['capacity_added']:g} {row['unit']} in total, not more than stage {stage - 1}'s "
                    f"{previous['capacity_added']:g} (a stage's capacity includes its predecessors')"
                )
            if previous is not None and row["earliest_year"] < previous["earliest_year"]:
                raise InputError(
                    f"{row['origin']} field 'earliest_year': stage {stage} of {project!r} is available from "
                    f"{row['earliest_year']}, before its predecessor stage {stage - 1} "
                    f"({previous['earliest_year']})"
                )
            previous = row


def _overlay_files(directory: Path) -> dict[str, Path]:
    """The table files of an overlay directory; InputError for anything that is not a known table."""
    if not directory.is_dir():
        raise InputError(f"{directory}: data overlay directory not found")
    files = {}
    for path in sorted(directory.iterdir()):
        if path.name == OVERLAY_DOCUMENTATION:
            continue
        if path.suffix != ".csv" or path.stem not in TABLES or not path.is_file():
            raise InputError(
                f"{path}: not a data table (an overlay holds <table>.csv files of: {', '.join(TABLES)})"
            )
        files[path.stem] = path
    if not files:
        raise InputError(f"{directory}: data overlay holds no table")
    return files


def _merge(name: str, base: _Table, overlay: _Table) -> _Table:
    """Base rows with the overlay's rows replacing those of the same key, then the overlay's new rows."""
    position = {key: i for i, key in enumerate(_keys(name, base.frame))}
    rows = base.frame.to_dict("records")
    origins = list(base.origins)
    for key, row, origin in zip(
        _keys(name, overlay.frame), overlay.frame.to_dict("records"), overlay.origins, strict=True
    ):
        if key in position:
            rows[position[key]], origins[position[key]] = row, origin
        else:
            rows.append(row)
            origins.append(origin)
    return _Table(pd.DataFrame.from_records(rows, columns=list(base.frame.columns)), origins)


def _file_digest(name: str, path: Path, digest: hashlib._Hash) -> None:
    digest.update(name.encode())
    digest.update(path.read_bytes())


def load_dataset(root: Path, overlays: tuple[Path, ...] | list[Path] = ()) -> Dataset:
    """Read and validate every table under ``root``, apply each overlay directory in turn, check the
    references of the merged tables; raise InputError on the first problem."""
    if not root.is_dir():
        raise InputError(f"{root}: data directory not found")
    tables: dict[str, _Table] = {}
    digest = hashlib.sha256()
    for name in TABLES:
        path = root / f"{name}.csv"
        tables[name] = _read_table(path, name)
        _file_digest(name, path, digest)
    base_from_years = {
        name: int(table.frame["from_year"].min())
        for name, table in tables.items()
        if "from_year" in table.frame.columns and not table.frame.empty
    }
    records = []
    for directory in overlays:
        own = hashlib.sha256()
        for name, path in _overlay_files(directory).items():
            tables[name] = _merge(name, tables[name], _read_table(path, name))
            _file_digest(name, path, own)
        records.append(OverlayRecord(directory, own.hexdigest()[:DIGEST_LENGTH]))
        digest.update(own.digest())
    _check_references(tables)
    check_gas_tables({name: (table.frame, table.origins) for name, table in tables.items()})
    return Dataset(
        root=root,
        tables={name: table.frame for name, table in tables.items()},
        digest=digest.hexdigest()[:DIGEST_LENGTH],
        rows_by_file={name: len(table.frame) for name, table in tables.items()},
        overlays=tuple(records),
        base_from_years=base_from_years,
    )


def in_force(frame: pd.DataFrame, keys: list[str], year: int) -> pd.DataFrame:
    """Per key, the row with the largest ``from_year`` not after ``year`` (keys with none are dropped)."""
    current = frame[frame["from_year"] <= year]
    if current.empty:
        return current
    idx = current.groupby(keys, sort=False)["from_year"].idxmax()
    return current.loc[idx.values].reset_index(drop=True)
