"""Where a resource's values were written, so a finding on a value points at the line a pull
request changed: the stack's config file (Pulumi.<stack>.yaml), else a literal in the program's
code that declared the resource (its own file and its components' callers).

A value is traced by equality: an input equal to exactly one value of the stack file (in the
form the program reads it), else to exactly one literal of those source files, is taken to come
from that line. A value written twice, or computed, is not traced (the finding stays at the
declaration).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError
from trustctl.input_limits import STACK_CONFIG, load_yaml
from trustctl.plan.model import SourceLocation


def stack_config_lines(project_root: Path, stack: str) -> dict[str, list[SourceLocation]]:
    """Every scalar under `config:` of Pulumi.<stack>.yaml (secrets left out): its text -> the
    lines holding it."""
    name = f"Pulumi.{stack}.yaml"
    try:
        root = load_yaml(project_root / name, STACK_CONFIG).node
    except InputError:
        return {}  # load_project already read it: a file that vanished since traces nothing
    config = _value(root, "config")
    found: dict[str, list[SourceLocation]] = {}
    for node in _scalars(config):
        found.setdefault(node.value, []).append(SourceLocation(name, node.start_mark.line + 1))
    return found


def source_literals(project_root: Path, files: set[str]) -> dict[str, list[SourceLocation]]:
    """Every string and number literal of these program files: its text -> the lines holding it."""
    found: dict[str, list[SourceLocation]] = {}
    for name in sorted(files):
        try:
            tree = ast.parse((project_root / name).read_text())
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue  # not Python (a TypeScript program's preview): nothing to trace
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float) \
                    and not isinstance(node.value, bool) and node.value != "":
                found.setdefault(str(node.value), []).append(SourceLocation(name, node.lineno))
    return found


def value_origins(inputs: dict[str, Any], *sources: dict[str, list[SourceLocation]]
                  ) -> dict[str, SourceLocation]:
    """Input path ("rules.0.value") -> the line its value came from: the first of `sources`
    (the stack file's values, then the code's literals) that holds it exactly once."""
    origins: dict[str, SourceLocation] = {}
    for path, value in _leaves(inputs, []):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        for lines in sources:
            if text in lines:
                if len(lines[text]) == 1:
                    origins[".".join(path)] = lines[text][0]
                break
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
