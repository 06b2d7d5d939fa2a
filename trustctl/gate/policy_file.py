"""A policy file a pull request controls (exceptions, owners): a top-level list, read within
its limits (trustctl/input_limits.py) and parsed once, with the node of each entry (its line).
Anything unreadable is one InputError naming the file, and the line where YAML can say it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError
from trustctl.input_limits import Limit, load_yaml, require_at_most


def read_list(path: Path, key: str, limit: Limit, what: str,
              loader: type = yaml.CSafeLoader) -> list[tuple[Any, yaml.Node]]:
    """Each entry of the top-level `key:` list with its node."""
    read = load_yaml(path, limit, what, loader)
    entries = read.document.get(key) if isinstance(read.document, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a top-level `{key}` list")
    require_at_most(len(entries), limit, path, what)
    nodes = value_node(read.node, key).value  # type: ignore[union-attr]
    return list(zip(entries, nodes, strict=True))


def value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The node of `key`'s value in a mapping node (None: not a mapping, or no such key)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)
