"""Where each idea lives, by the import graph (DESIGN.md "Layout"): the report model imports no
flow, and no modules of trustctl/ import one another in a cycle (the sandbox seam's and the
record store's, issue 22, are gone)."""

from __future__ import annotations

from pathlib import Path

from import_graph import import_graph, reachable, tangles

# one package per flow; report/ is what every one of them fills
FLOWS = ("plan", "gate", "audit", "drill", "backup", "evidence", "access_review", "sandbox")

def flows_reached(graph: dict[str, set[str]], package: str) -> dict[str, list[str]]:
    """Module of `package` -> the flow modules it imports, directly or through others."""
    inside = [m for m in graph if m == package or m.startswith(package + ".")]
    return {module: sorted(m for m in reachable(graph, module) if m.split(".")[1] in FLOWS)
            for module in inside}


def test_the_report_model_imports_no_flow() -> None:
    reached = flows_reached(import_graph(), "trustctl.report")
    assert "trustctl.report.model" in reached  # the model is where the graph says it is
    assert {module: flows for module, flows in reached.items() if flows} == {}


def test_a_report_module_importing_a_flow_is_caught(tmp_path: Path) -> None:
    """The check above on a tree where report/ reaches the gate through a shared module."""
    for name, text in {"__init__.py": "", "catalog.py": "from trustctl.gate import run\n",
                       "report/__init__.py": "", "report/model.py": "import trustctl.catalog\n",
                       "gate/__init__.py": "", "gate/run.py": "from trustctl import catalog\n"
                       }.items():
        (tmp_path / "trustctl" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "trustctl" / name).write_text(text)
    graph = import_graph(tmp_path / "trustctl", root=tmp_path)
    assert flows_reached(graph, "trustctl.report")["trustctl.report.model"] == [
        "trustctl.gate.run"]
    assert tangles(graph) == {frozenset({"trustctl.catalog", "trustctl.gate.run"})}


def test_no_import_cycle() -> None:
    assert tangles(import_graph()) == set()
