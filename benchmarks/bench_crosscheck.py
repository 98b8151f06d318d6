"""Benchmark: build and solve times of both formulations in ``caspian crosscheck``.

Each case runs in its own process (HiGHS fixes its thread count per process). Prints one row per case:
network, horizon, problem, model size on the Pyomo side, linopy build (incl. formulate) and solve
seconds, Pyomo build (inputs + model + HiGHS instance) and solve seconds, the whole cross-check's wall
time (both sides, reading results, degeneracy probes) and whether the two agree.

    .venv/bin/python benchmarks/bench_crosscheck.py                            # 168 h and 2190 h
    .venv/bin/python benchmarks/bench_crosscheck.py --hours 168 --networks green-corridor
    .venv/bin/python benchmarks/bench_crosscheck.py --hours 2190 --cases milp --set solver.mip_gap=0.01

Dispatch runs with priced unserved energy (neither network has a feasible winter dispatch without new
capacity). Hourly unless ``--resolution`` is given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = {
    "dispatch": [("mode", "dispatch"), ("unserved_energy", True)],
    "expansion": [("mode", "expansion")],
    "milp": [("mode", "expansion"), ("expansion.milp", True)],
}

CHILD = """
import json, sys, time
from pathlib import Path
from caspian.settings import configure_libraries
configure_libraries()
from caspian.runs.crosscheck import crosscheck
network, overrides = sys.argv[1], json.loads(sys.argv[2])
start = time.perf_counter()
result = crosscheck(Path(network), Path("data"), None, [tuple(pair) for pair in overrides])
wall = time.perf_counter() - start
print(json.dumps({"problem": result.problem, "agrees": result.agrees, "seconds": result.seconds,
                  "wall": wall, "disagreements": len(result.disagreements)}))
"""


def _run(network: str, hours: int, resolution: str | None, case: str, extra: list) -> dict:
    overrides = [("time.hours", hours), ("time.resolution", resolution), *CASES[case], *extra]
    path = REPO / "networks" / f"{network}.yaml"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), json.dumps(overrides)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--networks", nargs="+", default=["caspian", "green-corridor"])
    parser.add_argument("--hours", nargs="+", type=int, default=[168, 2190])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--resolution", default=None, help="e.g. 3h; default hourly")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="key.path=value (YAML value)")
    args = parser.parse_args()
    from caspian.inputs.spec import parse_set_option

    extra = [parse_set_option(item) for item in args.sets]
    header = (
        "network          hours  case       problem  lin build  lin solve  pyo build  pyo solve   wall  agree"
    )
    print(header, flush=True)
    for hours in args.hours:
        for network in args.networks:
            for case in args.cases:
                start = time.perf_counter()
                row = _run(network, hours, args.resolution, case, extra)
                if "error" in row:
                    print(
                        f"{network:<16} {hours:>5}  {case:<10} error after "
                        f"{time.perf_counter() - start:.0f} s: {row['error']}",
                        flush=True,
                    )
                    continue
                s = row["seconds"]
                agree = "yes" if row["agrees"] else f"NO ({row['disagreements']})"
                print(
                    f"{network:<16} {hours:>5}  {case:<10} {row['problem']:<7} {s['linopy build']:>10.1f} "
                    f"{s['linopy solve']:>10.1f} {s['pyomo build']:>10.1f} {s['pyomo solve']:>10.1f} "
                    f"{row['wall']:>6.0f}  {agree}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
