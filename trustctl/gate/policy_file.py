"""A policy file a pull request controls (exceptions, owners): a top-level list, read within
its limits (trustctl/input_limits.py) and parsed once, with the node of each entry (its line).
Anything unreadable is one InputError naming the file, and the line where YAML can say it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trustctl.errors import InputError
from trustctl.input_limits import Limit, read_text, require_at_most, within_limits


def read_list(path: Path, key: str, limit: Limit, what: str,
              loader: type = yaml.CSafeLoader) -> list[tuple[Any, yaml.Node]]:
    """Each entry of the top-level `key:` list with its node."""
    try:
        text = read_text(path, limit)
        within_limits(text, path, limit, loader)
        doc, root = _parse(text, loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise InputError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    entries = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a top-level `{key}` list")
    require_at_most(len(entries), limit, path, what)
    nodes = value_node(root, key).value  # type: ignore[union-attr]
    return list(zip(entries, nodes, strict=True))


def value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The node of `key`'s value in a mapping node (None: not a mapping, or no such key)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if k.value == key), None)


def _parse(text: str, loader: type) -> tuple[Any, yaml.Node | None]:
    """The document and its node tree, from one parse."""
    parser = loader(text)
    try:
        root = parser.get_single_node()
        return (parser.construct_document(root) if root is not None else None), root
    finally:
        parser.dispose()
