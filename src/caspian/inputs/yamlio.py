"""The one YAML loader for everything caspian reads: network files, scenario blocks, sweep files and
their case values, ``--set`` values and ``run.yaml``.

It is a :class:`yaml.SafeLoader` (plain data, nothing evaluated) that refuses what ``safe_load`` lets
through silently: a key given twice in a mapping (the last one would win), aliases (``*name``; they
expand into exponentially large documents, the "billion laughs") and the anchors (``&name``) they
refer to, and non-finite numbers (``.inf``,
``.nan``, ``1e999``) in user inputs. Files that are not UTF-8 text (binary, NUL bytes, other encodings)
or implausibly large are refused before parsing. Every refusal is an :class:`InputError` in one line
naming the file, the line and the reason.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from caspian.errors import InputError

MAX_YAML_BYTES = 4_000_000
"""Largest YAML file caspian reads, bytes (4 MB): a network or sweep file is a few kB, and a run.yaml
holds the resolved spec; anything larger is not one of them."""


class YamlRefused(ConstructorError):
    """Well-formed YAML that caspian refuses: a duplicate key, an alias, a non-finite number."""


class InputLoader(yaml.SafeLoader):
    """SafeLoader refusing duplicate keys, aliases and non-finite numbers (see the module docstring)."""

    allow_non_finite = False

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        """Refuse an alias before it is expanded, and an anchor (``&name``) wherever it is given: there is
        nothing an anchor could be for but an alias."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            what = f"alias '*{event.anchor}'"
        elif getattr(event, "anchor", None) is not None:
            what = f"anchor '&{event.anchor}'"
        else:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        raise YamlRefused(None, None, f"{what} (aliases and anchors are not accepted)", event.start_mark)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping in which every key occurs once."""
        self.flatten_mapping(node)
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                raise YamlRefused(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                ) from None
            if duplicate:
                raise YamlRefused(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_finite_float(self, node: ScalarNode) -> float:
        """A float that is finite (``.inf``, ``.nan`` and overflowing literals are refused)."""
        value = self.construct_yaml_float(node)
        if not self.allow_non_finite and not math.isfinite(value):
            raise YamlRefused(None, None, f"non-finite number {node.value!r}", node.start_mark)
        return value


InputLoader.add_constructor("tag:yaml.org,2002:float", InputLoader.construct_finite_float)


class RecordLoader(InputLoader):
    """The loader for caspian's own records (``run.yaml``, failure records): non-finite numbers such as
    an undefined MIP gap are data there, everything else is refused as for inputs."""

    allow_non_finite = True


def _describe(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" line {mark.line + 1}:" if mark is not None else ""
    if isinstance(exc, yaml.reader.ReaderError):
        return f" position {exc.position}: not YAML text (character {exc.character!r} is not allowed)"
    problem = getattr(exc, "problem", None) or "malformed YAML"
    if isinstance(exc, YamlRefused):
        return f"{where} {problem}"
    return f"{where} malformed YAML: {problem}"


def parse_yaml(text: str, where: str, loader: type[InputLoader] = InputLoader) -> Any:
    """Parse YAML ``text`` with the refusing loader; InputError naming ``where`` on any problem."""
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InputError(f"{where}:{_describe(exc)}") from None
    except RecursionError:
        raise InputError(f"{where}: nested too deeply to be a caspian file") from None


def parse_value(text: str, where: str) -> Any:
    """A ``--set`` value: YAML data, or the text itself when it is not YAML syntax (``a: b: c``); the
    loader's refusals (duplicate keys, aliases, non-finite numbers) stand."""
    try:
        return yaml.load(text, Loader=InputLoader)  # a SafeLoader subclass
    except YamlRefused as exc:
        raise InputError(f"{where}:{_describe(exc)}") from None
    except yaml.YAMLError:
        return text


def read_text(path: Path) -> str:
    """The UTF-8 text of a file caspian reads as YAML; InputError for a missing, unreadable, huge,
    binary or non-UTF-8 file."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a YAML file")
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(
                f"{path}: {size:,} bytes is too large for a YAML input (limit {MAX_YAML_BYTES:,})"
            )
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if b"\x00" in content:
        raise InputError(f"{path}: binary file (contains NUL bytes), expected YAML text")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte at offset {exc.start}), expected YAML"
        ) from None


def read_yaml_file(path: Path, loader: type[InputLoader] = InputLoader) -> Any:
    """Read and parse a YAML file with :func:`read_text` and :func:`parse_yaml`."""
    return parse_yaml(read_text(path), str(path), loader)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML input file whose top level is a mapping of fields."""
    content = read_yaml_file(path)
    if not isinstance(content, dict):
        raise InputError(f"{path}: expected a mapping of fields at the top level")
    return content
