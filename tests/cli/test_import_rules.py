"""The seams between packages, read from the source: no flow names the sandbox (it is a
provider the command line chooses), and no module of trustctl/ imports itself round a cycle.

Every import counts, inside functions and `if TYPE_CHECKING:` too: a deferred import is still
a dependency. Each rule is proved on a small tree that breaks it, then held on the real one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRUSTCTL = Path(__file__).resolve().parents[2] / "trustctl"
SANDBOX = "trustctl.sandbox"
# The command line picks the provider: the command modules and the options they share.
MAY_IMPORT_THE_SANDBOX = ("trustctl.cli", "trustctl.options", "trustctl.catalog_command")
FLOWS = ("archive", "audit", "drill", "backup", "access_review", "evidence", "records", "pg",
         "report", "plan", "gate")


def modules(root: Path) -> dict[str, Path]:
    """Every module under `root` (a package named after its directory) by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that `path` imports, anywhere in it."""
    named = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            named.update(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known
                         else node.module for alias in node.names)
    return {name for name in named if name in known}


def graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports(path, known) for name, path in known.items()}


def sandbox_importers(edges: dict[str, set[str]]) -> set[str]:
    """Modules outside the sandbox and the command line that import the sandbox."""
    return {name for name, targets in edges.items()
            if any(t == SANDBOX or t.startswith(f"{SANDBOX}.") for t in targets)
            and not name.startswith(f"{SANDBOX}.") and name != SANDBOX
            and not name.endswith(".command") and name not in MAY_IMPORT_THE_SANDBOX}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (or one importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(name: str) -> None:  # Tarjan's algorithm
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in sorted(edges.get(name, ())):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            component = []
            while not component or component[-1] != name:
                component.append(stack.pop())
            if len(component) > 1 or name in edges.get(name, ()):
                found.append(sorted(component))

    for name in sorted(edges):
        if name not in index:
            visit(name)
    return found


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / "trustctl" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "trustctl"


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, set[str]]:
    """The seam issue 22 found: a library module importing the sandbox's command module, which
    imports it back (lazily, in a function)."""
    return graph(_tree(tmp_path, {
        "__init__.py": "",
        "archive/__init__.py": "",
        "archive/location.py": "def stand_in():\n"
                               "    from trustctl.sandbox.command import stand_in\n",
        "sandbox/__init__.py": "",
        "sandbox/command.py": "from trustctl.archive import location\n",
        "drill/__init__.py": "",
        "drill/command.py": "import trustctl.sandbox\n",
        "drill/run.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from trustctl.sandbox import command\n",
    }))


def test_the_rules_catch_a_flow_importing_the_sandbox_and_a_cycle(broken) -> None:
    assert sandbox_importers(broken) == {"trustctl.archive.location", "trustctl.drill.run"}
    assert cycles(broken) == [["trustctl.archive.location", "trustctl.sandbox.command"]]


def test_the_rules_pass_a_tree_that_keeps_them(tmp_path: Path) -> None:
    good = graph(_tree(tmp_path, {
        "__init__.py": "", "provider.py": "from trustctl.archive import location\n",
        "archive/__init__.py": "", "archive/location.py": "",
        "sandbox/__init__.py": "", "sandbox/provider.py": "import trustctl.provider\n",
        "options.py": "def choose():\n    from trustctl.sandbox.provider import x\n"}))
    assert good["trustctl.options"] == {"trustctl.sandbox.provider"}  # seen in a function
    assert sandbox_importers(good) == set() and cycles(good) == []


def test_no_flow_imports_the_sandbox() -> None:
    edges = graph(TRUSTCTL)
    assert {name.split(".")[1] for name in edges if "." in name} >= set(FLOWS)  # all read
    assert sandbox_importers(edges) == set()


def test_trustctl_has_no_import_cycle() -> None:
    assert cycles(graph(TRUSTCTL)) == []
