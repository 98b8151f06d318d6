"""HiGHS's progress while it runs, read from its own log file as it grows: a watcher thread tails the
run directory's ``solver.log`` and reports a one-line summary (elapsed seconds, the algorithm's latest
iteration, objective and infeasibilities, or the MIP's bound and gap) and, for ``--verbose``, every log
line. Reading a file HiGHS already writes leaves the solve itself untouched: no callback into the
solver's threads (benchmarks/bench_progress.py measures it).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.5
"""How often the watcher looks at the log, s (a human-scale refresh; reading a few KB is negligible)."""

_SIMPLEX = re.compile(
    r"^\s*(?P<iter>\d+)\s+(?P<obj>[-+]?\d\.\d+e[-+]\d+)\s+Pr:\s*(?P<pr>\d+)\((?P<prsum>[^)]*)\)"
    r"(?:;\s*Du:\s*(?P<du>\d+)\((?P<dusum>[^)]*)\))?"
)
"""A dual/primal simplex iteration line: iteration, objective, primal (and dual) infeasibilities."""

_IPM = re.compile(
    r"^\s*(?P<iter>\d+)\s+(?P<pobj>[-+]?\d\.\d+e[-+]\d+)\s+(?P<dobj>[-+]?\d\.\d+e[-+]\d+)\s+"
    r"(?P<pinf>\d\.\d+e[-+]\d+)\s+(?P<dinf>\d\.\d+e[-+]\d+)"
)
"""An interior-point iteration line (HiGHS IPM/HiPO): iteration, primal and dual objective, primal
and dual infeasibility."""

_MIP = re.compile(
    r"^\s*[A-Za-z]?\s+(?P<nodes>\d+)\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>\S+)\s+(?P<best>\S+)\s+"
    r"(?P<gap>\S+)\s+\d+\s+\d+\s+\d+\s+\d+\s+[\d.]+s\s*$"
)
"""A branch-and-bound progress line: source, nodes processed, queue, leaves, explored share, best
bound, best solution, gap, cuts, LP iterations and time."""

_PHASES = (
    ("Presolving model", "presolve"),
    ("Solving the presolved LP", "solving the presolved LP"),
    ("Using dual simplex", "dual simplex"),
    ("Using primal simplex", "primal simplex"),
    ("Crossover", "crossover"),
    ("Performed postsolve", "postsolve"),
    ("Solving MIP", "branch and bound"),
    ("Model status", "finished"),
)
"""Log lines that mark a phase of the solve, and what to call it."""


def summarize_line(line: str) -> str | None:
    """A short description of one HiGHS log line, or None when the line says nothing about progress."""
    if match := _SIMPLEX.match(line):
        text = f"iteration {int(match['iter']):,}, objective {float(match['obj']):.6e}"
        text += f", primal infeasibilities {match['pr']} ({match['prsum']})"
        if match["du"] is not None:
            text += f", dual {match['du']} ({match['dusum']})"
        return text
    if match := _IPM.match(line):
        return (
            f"interior-point iteration {match['iter']}, objective {float(match['pobj']):.6e}, "
            f"primal infeasibility {match['pinf']}, dual {match['dinf']}"
        )
    if match := _MIP.match(line):
        return (
            f"branch and bound, {int(match['nodes']):,} nodes, best {match['best']}, bound "
            f"{match['bound']}, gap {match['gap']}"
        )
    for marker, phase in _PHASES:
        if line.lstrip().startswith(marker):
            return phase
    return None


class _LogTail:
    """New complete lines of a file that another process or library is appending to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.partial = b""

    def lines(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        self.offset += len(chunk)
        *complete, self.partial = (self.partial + chunk).split(b"\n")
        return [raw.decode("utf-8", errors="replace").rstrip("\r") for raw in complete]


@contextmanager
def watch_solver_log(
    log_file: Path | None,
    on_progress: Callable[[str], None],
    on_line: Callable[[str], None] | None = None,
    poll_seconds: float = POLL_SECONDS,
) -> Iterator[None]:
    """While the block runs, call ``on_progress`` about every ``poll_seconds`` with "N s" elapsed and the
    latest progress HiGHS logged, and ``on_line`` (if given) with every new line of its log. Without a
    log file only the elapsed time is reported."""
    stop = threading.Event()
    tail = _LogTail(log_file) if log_file is not None else None
    start = time.monotonic()
    latest: list[str] = []

    def drain() -> None:
        for line in tail.lines() if tail is not None else []:
            if on_line is not None:
                on_line(line)
            if (summary := summarize_line(line)) is not None:
                latest[:] = [summary]
        elapsed = f"{time.monotonic() - start:,.0f} s"
        on_progress(f"{elapsed}, {latest[0]}" if latest else elapsed)

    def run() -> None:
        while not stop.wait(poll_seconds):
            drain()

    thread = threading.Thread(target=run, name="highs-log-watcher", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        drain()
