"""Benchmark: model size, build time, solve time and peak memory of the default network.

Each case runs in its own process so that peak memory (max RSS) is the case's own. Prints one table
row per case and, with --compare, the accuracy of coarse resolutions against the hourly optimum.

    .venv/bin/python benchmarks/bench_solve.py                       # 168 h, 2190 h, 8760 h × 2 modes
    .venv/bin/python benchmarks/bench_solve.py --hours 8760 --modes expansion \
        --resolutions 1h 3h seg1460 --compare

A resolution is '1h' (hourly), 'Nh' (resampled) or 'segN' (N tsam segments).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KEY_METRICS = ("gas_to_europe_bcm", "power_to_europe_twh", "objective_eur_y", "capex_eur_y")
COLUMNS = (
    ("hours", "hours", 5),
    ("mode", "mode", 9),
    ("res", "resolution", 4),
    ("snaps", "snapshots", 5),
    ("vars", "variables", 8),
    ("cons", "constraints", 8),
    ("build s", "build_s", 7),
    ("form s", "formulate_s", 6),
    ("solve s", "solve_s", 8),
    ("peak MB", "peak_mb", 7),
)


def _relative(value: float, reference: float) -> float:
    return (value - reference) / abs(reference) if reference else 0.0


def run_case(network: Path, hours: int, mode: str, resolution: str) -> dict:
    """Build and solve one case in this process; return its measurements."""
    from caspian.inputs.spec import resolve_spec
    from caspian.inputs.tables import load_dataset
    from caspian.pypsa_model import build_network
    from caspian.pypsa_model.solve import SolveOptions, solve_network
    from caspian.results.summary import summarize
    from caspian.settings import configure_libraries

    configure_libraries()
    overrides = [("time.hours", hours), ("mode", mode), ("time.resolution", None), ("time.segments", None)]
    if resolution.startswith("seg"):
        overrides.append(("time.segments", int(resolution.removeprefix("seg"))))
    elif resolution != "1h":
        overrides.append(("time.resolution", resolution))
    spec = resolve_spec(network, None, overrides)
    data = load_dataset(REPO / "data")
    start = time.perf_counter()
    n = build_network(spec, data).network
    build_s = time.perf_counter() - start
    outcome = solve_network(n, SolveOptions())
    summary = summarize(n, data)
    built = {}
    for var in ("pipeline_built_bcm", "cable_built_mw", "generator_built_mw"):
        if var in summary:
            built.update(
                {
                    f"{k} ({summary[var].attrs['units']})": float(v)
                    for k, v in summary[var].to_series().items()
                }
            )
    return {
        "hours": hours,
        "mode": mode,
        "resolution": resolution,
        "snapshots": len(n.snapshots),
        **outcome.model_size,
        "build_s": round(build_s, 2),
        "formulate_s": round(outcome.formulate_seconds, 2),
        "solve_s": round(outcome.solve_seconds, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **{k: float(summary[k]) for k in KEY_METRICS},
        "built": built,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--network", type=Path, default=REPO / "networks" / "caspian.yaml")
    parser.add_argument("--hours", type=int, nargs="+", default=[168, 2190, 8760])
    parser.add_argument("--modes", nargs="+", default=["dispatch", "expansion"])
    parser.add_argument("--resolutions", nargs="+", default=["1h"])
    parser.add_argument("--compare", action="store_true", help="accuracy of each resolution vs the first")
    parser.add_argument("--case", nargs=3, metavar=("HOURS", "MODE", "RESOLUTION"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.network, int(args.case[0]), args.case[1], args.case[2])))
        return
    print(" ".join(f"{title:>{width}}" for title, _key, width in COLUMNS))
    rows = []
    for hours in args.hours:
        for mode in args.modes:
            for resolution in args.resolutions:
                cmd = [
                    sys.executable,
                    __file__,
                    "--network",
                    str(args.network),
                    "--case",
                    str(hours),
                    mode,
                    resolution,
                ]
                proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                if proc.returncode != 0:
                    reason = proc.stderr.strip().splitlines()[-1:]
                    print(f"{hours:>5} {mode:>9} {resolution:>4} failed: {reason}")
                    continue
                row = json.loads(proc.stdout.strip().splitlines()[-1])
                rows.append(row)
                print(" ".join(f"{row[key]!s:>{width}}" for _title, key, width in COLUMNS), flush=True)
    if args.compare and rows:
        reference = rows[0]
        print(f"\naccuracy against {reference['resolution']} ({reference['hours']} h, {reference['mode']}):")
        for row in rows[1:]:
            diffs = ", ".join(
                f"{k} {row[k]:.4g} vs {reference[k]:.4g} ({_relative(row[k], reference[k]):+.2%})"
                for k in KEY_METRICS
            )
            print(f"  {row['resolution']}: {diffs}")
            for asset, value in sorted(row["built"].items()):
                ref = reference["built"].get(asset, 0.0)
                if abs(value - ref) > 1e-3 or value > 1e-3:
                    print(f"      built {asset}: {value:.4g} vs {ref:.4g}")


if __name__ == "__main__":
    main()
