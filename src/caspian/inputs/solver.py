"""HiGHS settings both formulations share: caspian's default options and their validation."""

from __future__ import annotations

from typing import Any

import highspy

from caspian.errors import InputError

MIP_FEASIBILITY_TOLERANCE = 1e-5
"""HiGHS ``mip_feasibility_tolerance`` (default 1e-6), absolute in MW or MWh over the horizon. With
right-hand sides up to ~1e8 MWh (annual supply plateaus over long horizons), postsolve leaves violations
of ~1.5e-6 MWh (1e-14 relative) that HiGHS 1.15 otherwise declares a solve error, discarding a solution
within the gap (measured on caspian.yaml, 2,190 h hourly, in linopy and Pyomo alike). HiGHS 1.15 also
uses it as the integrality tolerance; harmless here, as integer values are rounded and the reported
results come from the LP with them fixed."""
DEFAULT_HIGHS_OPTIONS: dict[str, Any] = {
    "threads": 2,
    "run_crossover": "on",
    "mip_feasibility_tolerance": MIP_FEASIBILITY_TOLERANCE,
}
"""HiGHS defaults for this 2-core machine (dual simplex; see README 'Time resolution and solver')."""


def check_highs_options(options: dict[str, Any], where: str) -> None:
    """Raise InputError for an option name or value HiGHS does not accept."""
    probe = highspy.Highs()
    probe.setOptionValue("output_flag", False)
    for name, value in options.items():
        if probe.setOptionValue(name, value) != highspy.HighsStatus.kOk:
            raise InputError(f"{where}: field 'solver.options.{name}': HiGHS does not accept {value!r}")
