"""Versions of caspian and of the solver stack, read from package metadata (nothing is imported)."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

STACK = (
    "caspian",
    "pypsa",
    "linopy",
    "highspy",
    "pyomo",
    "pandas",
    "xarray",
    "numpy",
    "pydantic",
    "tsam",
    "pvlib",
)
"""Packages whose versions a run records in ``run.yaml`` and ``caspian --version`` prints."""


def stack_versions() -> dict[str, str]:
    """Package → installed version ('not installed' when absent), plus the Python version."""
    found = {}
    for package in STACK:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    found["python"] = platform.python_version()
    return found
