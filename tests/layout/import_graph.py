"""The import graph of trustctl/, read from the source (no module is imported): module -> the
trustctl modules it imports anywhere (top level, inside functions, under TYPE_CHECKING)."""

from __future__ import annotations

import ast
from pathlib import Path

from trustctl.paths import REPO_ROOT


def module_name(path: Path, root: Path = REPO_ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = REPO_ROOT / "trustctl", root: Path = REPO_ROOT
                 ) -> dict[str, set[str]]:
    """`from a.b import c` is an edge to `a.b.c` when that is a module, else to `a.b`."""
    paths = {module_name(p, root): p for p in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in paths
                             else node.module for a in node.names}
        graph[name] = {m for m in imported if m in paths and m != name}
    return graph


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph[name]
    return seen


def tangles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """Each set of modules that import one another in a cycle (a strongly connected component
    of more than one module)."""
    reach = {name: reachable(graph, name) for name in graph}
    return {frozenset({name} | {other for other in reach[name] if name in reach[other]})
            for name in graph if any(name in reach[other] for other in reach[name])}
