"""Errors that map to the CLI's exit codes (DESIGN §6)."""

from __future__ import annotations


class CaspianError(Exception):
    """Base class: an error the CLI reports in one line with a distinct exit code."""

    exit_code = 1
    kind = "internal"


class InputError(CaspianError):
    """Bad input: a file, a field and the reason (exit 2)."""

    exit_code = 2
    kind = "input"


class InputShapeError(InputError):
    """Bad input in the shape of the inputs rather than in one value: a file that cannot be read, an
    unknown field or scenario, a dotted path through a value. A sweep refuses it before writing anything,
    where a bad value only fails its case."""


class InfeasibleError(CaspianError):
    """The model is infeasible or unbounded; the message carries the diagnosis (exit 3)."""

    exit_code = 3
    kind = "infeasible"


class SolverError(CaspianError):
    """The solver stopped without a usable solution: time limit, numerical trouble (exit 4)."""

    exit_code = 4
    kind = "solver"


EXIT_CODES = {cls.kind: cls.exit_code for cls in (CaspianError, InputError, InfeasibleError, SolverError)}
"""Exit code of each failure kind ('internal' → 1), as recorded for sweep cases."""

INTERRUPTED_EXIT_CODE = 130
"""Exit code of a run stopped by SIGINT (Ctrl-C): 128 + 2, the shell's convention. DESIGN §6 names no
code for an interrupted run, so caspian uses the one a shell reports for a process killed by SIGINT."""
