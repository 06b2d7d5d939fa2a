"""The sandbox is a provider the command line chooses (DESIGN.md "Layout", issue 22 part 3): no
module but the sandbox's own and the command line's imports it, by the import graph (an import
inside a function or under TYPE_CHECKING counts too)."""

from __future__ import annotations

from pathlib import Path

from import_graph import import_graph

SANDBOX = "trustctl.sandbox"
# The command line picks the provider: the command modules and the options they share.
COMMAND_LINE = ("trustctl.cli", "trustctl.options", "trustctl.catalog_command")
FLOWS = ("archive", "audit", "drill", "backup", "access_review", "evidence", "records", "pg",
         "report", "plan", "gate")


def sandbox_importers(graph: dict[str, set[str]]) -> set[str]:
    """Modules outside the sandbox and the command line that import the sandbox."""
    def is_sandbox(name: str) -> bool:
        return name == SANDBOX or name.startswith(f"{SANDBOX}.")

    return {name for name, imported in graph.items()
            if any(is_sandbox(m) for m in imported) and not is_sandbox(name)
            and not name.endswith(".command") and name not in COMMAND_LINE}


def test_a_flow_importing_the_sandbox_is_caught(tmp_path: Path) -> None:
    """The seam issue 22 found (a library module importing the sandbox's command module, in a
    function), a type-only import, and the imports the command line may make."""
    for name, text in {
        "__init__.py": "", "options.py": "def choose():\n    import trustctl.sandbox.provider\n",
        "archive/__init__.py": "",
        "archive/location.py": "def stand_in():\n"
                               "    from trustctl.sandbox.command import stand_in\n",
        "drill/__init__.py": "", "drill/command.py": "from trustctl import sandbox\n",
        "drill/run.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from trustctl.sandbox.state import SandboxInfo\n",
        "sandbox/__init__.py": "", "sandbox/command.py": "", "sandbox/state.py": "",
        "sandbox/provider.py": "from trustctl.archive import location\n",
    }.items():
        (tmp_path / "trustctl" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "trustctl" / name).write_text(text)
    graph = import_graph(tmp_path / "trustctl", root=tmp_path)
    assert graph["trustctl.options"] == {"trustctl.sandbox.provider"}
    assert sandbox_importers(graph) == {"trustctl.archive.location", "trustctl.drill.run"}


def test_no_flow_imports_the_sandbox() -> None:
    graph = import_graph()
    assert {name.split(".")[1] for name in graph if "." in name} >= set(FLOWS)  # all read
    assert sandbox_importers(graph) == set()
