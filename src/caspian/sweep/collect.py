"""Sweep outputs: ``manifest.csv`` (one row per case) and ``sweep.nc`` (headline metrics along a
``case`` dimension with the swept parameters as coordinates)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from caspian.runs.rundir import write_atomic
from caspian.sweep.plan import Case
from caspian.sweep.runner import CaseResult


def manifest(cases: list[Case], results: dict[str, CaseResult]) -> pd.DataFrame:
    """One row per case: id, label, parameters, status, exit class, message, seconds."""
    rows = []
    for case in cases:
        result = results.get(case.case_id)
        rows.append(
            {
                "case": case.case_id,
                "label": case.label,
                **dict(case.parameters),
                "status": result.status if result else "not run",
                "exit_class": result.exit_class if result else "",
                "error": result.message if result else "",
                "seconds": round(result.seconds, 3) if result else np.nan,
            }
        )
    return pd.DataFrame(rows)


def sweep_dataset(cases: list[Case], results: dict[str, CaseResult], cases_dir: Path) -> xr.Dataset:
    """Every finished case's summary along ``case``; failed cases are NaN with their status.

    Each case's on-disk string encoding is dropped: a case whose asset names are all short would
    otherwise truncate the longer names of the other cases when the sweep is written."""
    parts = []
    for case in cases:
        result = results.get(case.case_id)
        if result is None or result.status != "ok":
            continue
        with xr.open_dataset(cases_dir / case.case_id / "summary.nc") as ds:
            parts.append(ds.load().drop_encoding().expand_dims(case=[case.case_id]))
    ids = [case.case_id for case in cases]
    if parts:
        ds = xr.concat(parts, dim="case", join="outer", coords="minimal", compat="override", data_vars="all")
        ds = ds.reindex(case=ids)
    else:
        ds = xr.Dataset(coords={"case": ids})
    ds = ds.assign_coords(
        label=("case", [case.label for case in cases]),
        status=("case", [results[c.case_id].status if c.case_id in results else "not run" for c in cases]),
    )
    for name in dict(cases[0].parameters) if cases else {}:
        ds = ds.assign_coords({name: ("case", [dict(c.parameters)[name] for c in cases])})
    ds.attrs = {"description": "caspian sweep: headline metrics by case; parameters are coordinates"}
    return ds


def write_outputs(sweep_dir: Path, cases: list[Case], results: dict[str, CaseResult]) -> xr.Dataset:
    """Write ``manifest.csv`` and ``sweep.nc`` atomically; return the dataset."""
    table = manifest(cases, results)
    write_atomic(sweep_dir / "manifest.csv", lambda path: table.to_csv(path, index=False))
    ds = sweep_dataset(cases, results, sweep_dir / "cases")
    write_atomic(sweep_dir / "sweep.nc", lambda path: ds.to_netcdf(path))
    return ds
