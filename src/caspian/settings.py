"""Process-wide library settings caspian needs (offline PyPSA, quiet logs); called by entry points."""

from __future__ import annotations

import logging
import warnings

LIBRARY_LOGGERS = ("pypsa", "linopy", "highspy", "tsam")
THIRD_PARTY_MODULES = r"(pypsa|linopy|xarray|pandas|tsam|pvlib|pyomo|dask|distributed)(\.|$)"
"""Modules whose FutureWarnings (announcements of their own next versions) users are not shown; a
FutureWarning attributed to caspian's own code is never hidden (and is an error in the tests)."""


def configure_libraries(verbose: bool = False) -> None:
    """Keep PyPSA offline (it otherwise asks the internet for new versions) and set log levels.
    PyPSA is imported here, not at module level, so that ``caspian --help`` stays fast."""
    import pypsa

    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = True
    level = logging.INFO if verbose else logging.ERROR
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    if not verbose:
        warnings.filterwarnings("ignore", category=FutureWarning, module=THIRD_PARTY_MODULES)
        warnings.filterwarnings("ignore", category=UserWarning, module="pypsa")
