"""Where sweep cases run: in this process, on a local process pool, or on a Dask cluster.

All three call the same :func:`caspian.sweep.runner.run_case` with the same inputs, so results are
identical; only throughput differs. ``on_done`` is called in this process as each case finishes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from caspian.sweep.runner import CaseResult, CaseTask, run_case

DASK_LOCAL = "local"
"""``--scheduler local`` starts a Dask LocalCluster on this machine."""


@dataclass(frozen=True)
class ExecutorChoice:
    """Serial (workers=1, no scheduler), a process pool (workers>1), or Dask (scheduler set)."""

    workers: int = 1
    scheduler: str | None = None

    def describe(self) -> str:
        """One line for the progress display."""
        if self.scheduler == DASK_LOCAL:
            return f"Dask LocalCluster with {self.workers} worker(s)"
        if self.scheduler:
            return f"Dask scheduler {self.scheduler}"
        return "serial" if self.workers == 1 else f"{self.workers} local processes"


def _serial(tasks: Sequence[CaseTask], on_done: Callable[[CaseResult], None]) -> None:
    for task in tasks:
        on_done(run_case(task))


def _processes(tasks: Sequence[CaseTask], workers: int, on_done: Callable[[CaseResult], None]) -> None:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_case, task) for task in tasks]
        for future in as_completed(futures):
            on_done(future.result())


def _dask(tasks: Sequence[CaseTask], choice: ExecutorChoice, on_done: Callable[[CaseResult], None]) -> None:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    if choice.scheduler == DASK_LOCAL:
        cluster = LocalCluster(
            n_workers=choice.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        cluster = None
        client = Client(choice.scheduler)
    try:
        futures = client.map(run_case, list(tasks), pure=False)
        for future in dask_completed(futures):
            on_done(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_all(tasks: Sequence[CaseTask], choice: ExecutorChoice, on_done: Callable[[CaseResult], None]) -> None:
    """Run every task on the chosen executor, calling ``on_done`` as each finishes."""
    if not tasks:
        return
    if choice.scheduler:
        _dask(tasks, choice, on_done)
    elif choice.workers > 1:
        _processes(tasks, choice.workers, on_done)
    else:
        _serial(tasks, on_done)
