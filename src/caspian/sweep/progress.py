"""Live progress of a sweep (rich): cases done, running, failed, reused, time elapsed and an ETA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:  # imported for annotations only: the CLI imports this module at start-up
    from caspian.sweep.executors import ExecutorChoice
    from caspian.sweep.runner import CaseResult


class SweepProgress:
    """Callbacks for :func:`caspian.sweep.orchestrate.run_sweep` that drive a rich progress bar."""

    def __init__(self, progress: Progress, choice: ExecutorChoice) -> None:
        self._progress = progress
        self._slots = max(choice.workers, 1)
        self._task = progress.add_task(choice.describe(), total=None, failed=0, running=0, reused=0)
        self._pending = 0
        self._failed = 0

    def plan(self, total: int, reused: int) -> None:
        """Called once the cases are known; ``reused`` were finished in an earlier run."""
        self._pending = total - reused
        self._progress.update(
            self._task, total=total, completed=reused, reused=reused, running=min(self._slots, self._pending)
        )

    def done(self, result: CaseResult) -> None:
        """Called as each case finishes."""
        self._pending -= 1
        self._failed += result.status != "ok"
        self._progress.update(
            self._task, advance=1, failed=self._failed, running=min(self._slots, self._pending)
        )


@contextmanager
def sweep_progress(console: Console, choice: ExecutorChoice) -> Iterator[SweepProgress]:
    """A progress display on ``console`` for the duration of a sweep."""
    columns = (
        TextColumn("{task.description}", markup=False),  # holds a scheduler address
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "running {task.fields[running]}, failed {task.fields[failed]}, reused {task.fields[reused]}"
        ),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield SweepProgress(progress, choice)
