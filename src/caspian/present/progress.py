"""What a user sees while a run works: in a terminal, a spinner with the stage, the run's elapsed time and
(during the solve) HiGHS's latest progress; when stderr is not a terminal (batch jobs, CI, ``nohup``),
a plain timestamped line with the current stage every :data:`PLAIN_INTERVAL_SECONDS`, and each new
stage at once after the first interval (nothing for a run that ends sooner, so that a bad input still
prints only its one-line error). ``--verbose`` adds HiGHS's
log lines as they are written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

STAGE_SEPARATOR = ": "
"""Between a stage and its live detail in a progress message (``solving …: 12 s, iteration …``)."""

PLAIN_INTERVAL_SECONDS = 30.0
"""Seconds between progress lines when stderr is not a terminal (a log stays short: a 10-minute run
writes ~20 lines)."""


class RunDisplay:
    """Receives progress messages (``update``) and HiGHS log lines (``solver_line``) for one run."""

    def __init__(self, console: Console, progress: Progress | None) -> None:
        self.console = console
        self.progress = progress
        self.task = progress.add_task("starting") if progress is not None else None
        self.start = time.monotonic()
        self.last_print = self.start
        self.last_stage = ""

    def update(self, message: str) -> None:
        """Show the current stage (and its live detail)."""
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, description=message)
            return
        now = time.monotonic()
        stage = message.split(STAGE_SEPARATOR, 1)[0]
        # a new stage prints at once once the run has lasted an interval (so 'infeasible: re-solving …'
        # reaches a batch log), within a stage one line per interval
        new_stage = stage != self.last_stage and now - self.start >= PLAIN_INTERVAL_SECONDS
        self.last_stage = stage
        if new_stage or now - self.last_print >= PLAIN_INTERVAL_SECONDS:
            self.console.print(
                f"[{now - self.start:7.1f} s] {message}", markup=False, highlight=False, soft_wrap=True
            )
            self.last_print = now

    def solver_line(self, line: str) -> None:
        """One line of HiGHS's log, as written (``--verbose``)."""
        self.console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)


@contextmanager
def run_display(console: Console) -> Iterator[RunDisplay]:
    """A spinner with elapsed time on a terminal, plain lines otherwise."""
    if not console.is_terminal:
        yield RunDisplay(console, None)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield RunDisplay(console, progress)
