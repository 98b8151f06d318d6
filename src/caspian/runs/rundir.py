"""The one definition of a run directory (DESIGN §5): its files, how it is written, and how to tell one.

A run directory holds the files of :data:`RUN_FILES`; ``caspian report`` may add :data:`REPORT_FILES` and
the :data:`REPORT_FIGURES` folder, and it stays a run directory. It is written into a hidden staging
sibling and renamed into place only when complete (:func:`staged`), so a crash never leaves a half run
that looks whole, and an existing path is only ever replaced when it already is a caspian run directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr, ValidationError

from caspian.errors import InputError
from caspian.inputs.yamlio import RecordLoader, read_yaml_file

RUN_RECORD = "run.yaml"
"""The run's record: resolved inputs, input hash, data digest, versions, solver, status, timings."""
RUN_FILES = ("network.nc", "summary.nc", "summary.json", RUN_RECORD, "solver.log")
"""What a solve writes into a run directory."""
REQUIRED_FILES = (RUN_RECORD, "summary.nc", "network.nc")
"""Files without which a directory is not a finished run (``summary.json`` and ``solver.log`` are for
people; a report needs these three)."""
REPORT_FILES = ("report.html", "report.md")
"""What ``caspian report`` adds to a run or sweep directory."""
REPORT_FIGURES = "report_files"
"""Folder of the report's figures (PNG) beside ``report.md``."""
STAGING_MARK = ".tmp-"
"""Part of the name of a hidden staging sibling (``.<name>.tmp-<pid>``), left only by a killed process."""


def staging_path(final: Path) -> Path:
    """The hidden sibling a run directory (or any atomically written file) is staged in."""
    return final.with_name(f".{final.name}{STAGING_MARK}{os.getpid()}")


Number = StrictFloat | StrictInt


class RecordedSpec(BaseModel):
    """The part of a recorded spec that readers of ``run.yaml`` rely on (the rest is kept as is)."""

    model_config = ConfigDict(extra="allow")

    name: StrictStr
    year: StrictInt
    mode: StrictStr
    description: StrictStr = ""
    expansion: dict[StrictStr, Any] = Field(default_factory=dict)


class RunRecordModel(BaseModel):
    """The types of a ``run.yaml``: what caspian writes, checked before a report or a resume trusts it.

    Only the identity (input hash, data digest) is required: everything else a reader uses is typed
    when present, and further keys are kept."""

    model_config = ConfigDict(extra="allow")

    input_hash: StrictStr = Field(pattern=r"^[0-9a-f]+$")
    data_digest: StrictStr = Field(min_length=1)
    network_file: StrictStr | None = None
    scenario: StrictStr | None = None
    overrides: dict[StrictStr, Any] | None = None
    spec: RecordedSpec | None = None
    time_resolution: dict[StrictStr, Any] = Field(default_factory=dict)
    solver: dict[StrictStr, Any] = Field(default_factory=dict)
    status: StrictStr | None = None
    termination_condition: StrictStr | None = None
    objective_eur: Number | None = None
    model_size: dict[StrictStr, Any] = Field(default_factory=dict)
    timings_s: dict[StrictStr, Number] = Field(default_factory=dict)
    profiles: dict[StrictStr, Any] | None = None
    versions: dict[StrictStr, Any] = Field(default_factory=dict)
    commitment: dict[StrictStr, Any] | None = None


def read_run_record(path: Path) -> dict[str, Any]:
    """The ``run.yaml`` at ``path``, parsed with the refusing loader and checked against
    :class:`RunRecordModel`; InputError naming the file, the field and the reason otherwise."""
    record = read_yaml_file(path, RecordLoader)
    if not isinstance(record, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level; not a caspian run.yaml")
    try:
        RunRecordModel.model_validate(record)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path}: field '{field}': {first['msg']}") from None
    return record


def run_record(path: Path) -> dict[str, Any] | None:
    """The parsed ``run.yaml`` of ``path`` when it is a finished caspian run directory (the required
    files, a ``run.yaml`` that :func:`read_run_record` accepts, nothing but run and report outputs);
    None otherwise."""
    if not path.is_dir() or not all((path / name).is_file() for name in REQUIRED_FILES):
        return None
    allowed = {*RUN_FILES, *REPORT_FILES, REPORT_FIGURES}
    if any(entry.name not in allowed for entry in path.iterdir()):
        return None
    try:
        return read_run_record(path / RUN_RECORD)
    except InputError:
        return None


def is_run_directory(path: Path) -> bool:
    """True when ``path`` is a finished caspian run directory (see :func:`run_record`)."""
    return run_record(path) is not None


def _nearest_existing(path: Path) -> Path:
    while not path.exists():
        path = path.parent
    return path


def check_target(path: Path) -> Path:
    """Where a run goes (absolute): a new path or an earlier caspian run directory, never any other
    existing file or directory, and a place this process can create. Checked before any work, and
    creates nothing (InputError naming the path otherwise). A symbolic link that points nowhere is
    refused: writing through it would create a directory somewhere the user did not name."""
    if path.is_symlink() and not path.exists():
        raise InputError(
            f"{path}: output is a symbolic link to {os.readlink(path)}, which does not exist; "
            "choose another -o"
        )
    path = path.resolve()
    if path.exists() and not is_run_directory(path):
        raise InputError(f"{path}: output exists and is not a caspian run directory; choose another -o")
    ancestor = _nearest_existing(path.parent)
    if not ancestor.is_dir():
        raise InputError(f"{path}: cannot create the run directory ({ancestor} is not a directory)")
    try:
        probe = tempfile.mkdtemp(prefix=".caspian-probe-", dir=ancestor)
    except OSError as exc:
        raise InputError(f"{path}: cannot create the run directory ({exc.strerror} in {ancestor})") from None
    os.rmdir(probe)
    return path


@contextmanager
def staged(final: Path) -> Iterator[Path]:
    """Yield an empty staging directory for the run at ``final``; on normal exit replace ``final`` with
    it. On any error remove the staging directory and every parent this created, leaving nothing."""
    missing = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{final}: cannot create the run directory ({exc.strerror})") from None
    staging = staging_path(final)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
        remove_dead_staging(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for parent in missing:  # deepest first
            try:
                parent.rmdir()
            except OSError:
                break
        raise


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_staging(final: Path) -> None:
    """Delete the staging siblings of ``final`` (``.<name>.tmp-<pid>``) whose process is no longer
    alive: what a ``kill -9`` during an earlier run into the same place left. A sibling of a live
    process (a concurrent run) is kept."""
    prefix = f".{final.name}{STAGING_MARK}"
    for stale in final.parent.glob(f"{glob.escape(prefix)}*"):
        pid = stale.name.removeprefix(prefix)
        if not pid.isdigit() or int(pid) == os.getpid() or _pid_alive(int(pid)):
            continue
        with contextlib.suppress(OSError):  # a cleanup, never a reason to fail the finished run
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()


def remove_stale_staging(directory: Path) -> None:
    """Delete staging siblings that a killed process left in ``directory``."""
    for stale in directory.glob(f".*{STAGING_MARK}*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a staging name beside ``path``, then rename it into place; a failed write
    leaves nothing."""
    staging = staging_path(path)
    try:
        write(staging)
        staging.rename(path)
    finally:
        if staging.is_dir():
            shutil.rmtree(staging)
        else:
            staging.unlink(missing_ok=True)
