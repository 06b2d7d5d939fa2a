"""Which of a resource's values came from the stack's config file (Pulumi.<stack>.yaml), so a
finding on such a value points at the config line a pull request changed, not at code.

A value is traced by equality: an input equal to exactly one value of the stack file (in the
form the program reads it) is taken to come from that line. A value the file holds twice, or
that the program computed, keeps pointing at code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from trustctl.plan.model import SourceLocation


def stack_config_lines(project_root: Path, stack: str) -> dict[str, list[SourceLocation]]:
    """Every scalar under `config:` of Pulumi.<stack>.yaml (secrets left out): its text -> the
    lines holding it."""
    name = f"Pulumi.{stack}.yaml"
    try:
        root = yaml.compose((project_root / name).read_text())
    except (OSError, yaml.YAMLError):
        return {}  # load_project already read it: a file that vanished since traces nothing
    config = _value(root, "config")
    found: dict[str, list[SourceLocation]] = {}
    for node in _scalars(config):
        found.setdefault(node.value, []).append(SourceLocation(name, node.start_mark.line + 1))
    return found


def config_origins(inputs: dict[str, Any],
                   lines: dict[str, list[SourceLocation]]) -> dict[str, SourceLocation]:
    """Input path ("rules.0.value") -> the stack file line its value came from."""
    origins: dict[str, SourceLocation] = {}
    for path, value in _leaves(inputs, []):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if len(lines.get(text, [])) == 1:
            origins[".".join(path)] = lines[text][0]
    return origins


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value != "secure":  # ciphertext: never traced, never shown
                yield from _scalars(value)


def _leaves(value: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, [*path, str(key)])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, [*path, str(i)])
    elif isinstance(value, str | int | float | bool) and value != "":
        yield path, value
