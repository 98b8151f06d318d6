"""Process-wide library settings caspian needs (offline PyPSA, quiet logs); called by entry points."""

from __future__ import annotations

import logging
import warnings

import pypsa

LIBRARY_LOGGERS = ("pypsa", "linopy", "highspy", "tsam")


def configure_libraries(verbose: bool = False) -> None:
    """Keep PyPSA offline (it otherwise asks the internet for new versions) and set log levels."""
    pypsa.options.general.allow_network_requests = False
    pypsa.options.api.legacy_string_dtype = True
    level = logging.INFO if verbose else logging.ERROR
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(level)
    if not verbose:
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="pypsa")
