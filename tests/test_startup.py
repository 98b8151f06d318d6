"""Start-up: the command line answers ``--help`` and ``--version`` without importing the solver stack."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from caspian.cli import app
from caspian.versions import STACK

HEAVY_MODULES = ("pypsa", "linopy", "pyomo", "xarray", "pandas", "highspy", "matplotlib", "dask")
"""Modules that take seconds to import; ``caspian --help`` must need none of them."""


def test_importing_the_cli_imports_no_heavy_module():
    probe = f"import sys, caspian.cli; print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_version_names_caspian_and_the_solver_stack():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    words = result.stdout.split()
    for package in STACK:
        assert package in words
    assert words[words.index("caspian") + 1] != "not"
