"""Benchmark: does watching HiGHS's log (the live progress of ``caspian solve``) slow the solve?

Builds the default network once and solves copies of it alternately without and with the log watcher
(A B B A …, so drift in machine load falls on both), then prints each solve time and the ratio of the
mean times (with / without).

    .venv/bin/python benchmarks/bench_progress.py                 # 2,190 h, 3 h resolution, 2 pairs
    .venv/bin/python benchmarks/bench_progress.py --hours 720 --pairs 3
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    from caspian.inputs.spec import resolve_spec
    from caspian.inputs.tables import load_dataset
    from caspian.pypsa_model import build_network
    from caspian.pypsa_model.solve import SolveOptions, solve_network
    from caspian.runs.solver_progress import watch_solver_log
    from caspian.settings import configure_libraries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=2190)
    parser.add_argument("--resolution", default="3h")
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    configure_libraries()
    spec = resolve_spec(
        REPO / "networks/caspian.yaml",
        None,
        [("time.hours", args.hours), ("time.resolution", args.resolution)],
    )
    built = build_network(spec, load_dataset(REPO / "data"))
    times: dict[bool, list[float]] = {False: [], True: []}
    updates: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        order = [False, True, True, False] * ((args.pairs + 1) // 2)
        for i, watched in enumerate(order[: 2 * args.pairs]):
            network = copy.deepcopy(built.network)
            log = Path(tmp) / f"solver-{i}.log"
            options = SolveOptions(log_file=log)
            start = time.perf_counter()
            if watched:
                with watch_solver_log(log, updates.append):
                    solve_network(network, options, built.lumpy_projects, built.commitment)
            else:
                solve_network(network, options, built.lumpy_projects, built.commitment)
            elapsed = time.perf_counter() - start
            times[watched].append(elapsed)
            print(f"solve {i + 1}: {'with' if watched else 'without'} watcher {elapsed:8.2f} s", flush=True)
    without, with_ = statistics.mean(times[False]), statistics.mean(times[True])
    print(
        f"{args.hours} h at {args.resolution}: mean without {without:.2f} s, with {with_:.2f} s, "
        f"ratio {with_ / without:.3f} ({len(updates)} progress updates)"
    )


if __name__ == "__main__":
    main()
