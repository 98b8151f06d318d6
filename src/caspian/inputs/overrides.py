"""Which override a bad value came from: errors in a ``--set`` value (or a sweep parameter's value) name
that override and echo its value, not the network file the value was applied to.

:func:`caspian.inputs.spec.resolve_spec` validates the network file and every override together, so its
messages name the network file. When the file alone (with its scenario) is valid, the culprit is an
override: :func:`resolve_attributed` re-applies the overrides one at a time and blames the first one
whose addition makes the spec invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from caspian.errors import InputError, InputShapeError
from caspian.inputs.spec import NetworkSpec, resolve_spec

MAX_SHOWN_VALUE = 80
"""Characters of an override's value echoed in an error message (longer values are cut with '…')."""


def shown_value(value: Any) -> str:
    """An override's value as a user typed it, quoted and cut to :data:`MAX_SHOWN_VALUE` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    if len(text) > MAX_SHOWN_VALUE:
        text = text[: MAX_SHOWN_VALUE - 1] + "…"
    return f'"{text}"'


def set_label(path: str, _value: Any) -> str:
    """How a ``--set`` override is named in an error: ``--set <path>``."""
    return f"--set {path}"


def reason_of(err: InputError, network_file: Path, path: str) -> str:
    """The reason of a spec error without the network file's name, and without the field when it is
    the override's own path."""
    message = str(err)
    prefix = f"{network_file}: "
    message = message.removeprefix(prefix)
    own_field = f"field '{path}': "
    return message.removeprefix(own_field)


def attribute(
    err: InputError,
    network_file: Path,
    scenario: str | None,
    overrides: Sequence[tuple[str, Any]],
    label: Callable[[str, Any], str] = set_label,
) -> InputError:
    """``err`` (raised validating ``network_file`` with ``overrides``) as the error of the first
    override that makes the spec invalid: ``<label>: <reason> (value "<value>")``; ``err`` itself when
    the network file is invalid on its own or no single override is to blame."""
    if isinstance(err, InputShapeError):
        return err
    try:
        resolve_spec(network_file, scenario)
    except InputError:
        return err
    applied: list[tuple[str, Any]] = []
    for path, value in overrides:
        try:
            resolve_spec(network_file, scenario, [*applied, (path, value)])
        except InputShapeError as shape:
            return shape
        except InputError as culprit:
            reason = reason_of(culprit, network_file, path)
            return InputError(f"{label(path, value)}: {reason} (value {shown_value(value)})")
        applied.append((path, value))
    return err


def resolve_attributed(
    network_file: Path,
    scenario: str | None,
    overrides: Sequence[tuple[str, Any]],
    label: Callable[[str, Any], str] = set_label,
) -> NetworkSpec:
    """:func:`~caspian.inputs.spec.resolve_spec`, with a bad override's error naming the override
    (``label``, by default ``--set <path>``) and its value instead of the network file."""
    try:
        return resolve_spec(network_file, scenario, list(overrides))
    except InputError as err:
        raise attribute(err, network_file, scenario, overrides, label) from None
