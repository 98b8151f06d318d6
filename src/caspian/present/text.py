"""Readable one-line text of a run's mappings (model size, solver options) for the terminal and the
report: ``72 variables, 193 constraints``, not a Python dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def model_size_text(size: Mapping[str, Any] | None) -> str:
    """``{'variables': 72, 'constraints': 193}`` as ``72 variables, 193 constraints``."""
    return ", ".join(f"{_value(count)} {name}" for name, count in (size or {}).items()) or "not recorded"


def options_text(options: Mapping[str, Any] | None) -> str:
    """Solver options as ``threads = 2, run_crossover = on``; 'none' when there are none."""
    return ", ".join(f"{name} = {_value(value)}" for name, value in (options or {}).items()) or "none"


def counted(count: int, noun: str) -> str:
    """``1 figure``, ``3 figures``: a count with its noun in the right number (regular plurals)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def signed_zero_free(text: str) -> str:
    """A formatted number without a minus sign on a zero (``-0.0`` → ``0.0``: a value that rounds to
    nothing is not negative)."""
    digits = text.lstrip("-")
    return digits if text.startswith("-") and not any(c in "123456789" for c in digits) else text
