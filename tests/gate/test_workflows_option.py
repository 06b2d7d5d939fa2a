"""`--workflows DIR` means the directory given: its workflow files are read, and the repository
checks (workflows, CODEOWNERS) judge the repository holding it when it is a `.github/workflows`,
else that directory only, never whatever folder lies two levels above it."""

from __future__ import annotations

import json
from pathlib import Path

from gate_support import GATE_TESTS, PROGRAM
from typer.testing import CliRunner

from trustctl.cli import app
from trustctl.gate.schedules import load_workflows

SOURCE = GATE_TESTS.parents[1] / ".github" / "workflows"
UNPINNED = """name: elsewhere
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""


def _copy_workflows(target: Path) -> Path:
    target.mkdir(parents=True)
    for path in SOURCE.glob("*.yml"):
        (target / path.name).write_text(path.read_text())
    return target


def test_the_repository_judged_is_the_one_holding_github_workflows_else_the_directory(
        tmp_path: Path) -> None:
    workflows = _copy_workflows(tmp_path / "repository" / ".github" / "workflows")
    assert load_workflows(workflows).repository == tmp_path / "repository"
    loose = _copy_workflows(tmp_path / "ci" / "workflows")
    assert load_workflows(loose).repository == loose


def test_a_loose_workflows_directory_is_judged_alone(tmp_path: Path) -> None:
    # two levels above the directory lies a repository whose workflow the gate must not judge
    outer = tmp_path / "outer"
    (outer / ".github" / "workflows").mkdir(parents=True)
    (outer / ".github" / "workflows" / "elsewhere.yml").write_text(UNPINNED)
    loose = _copy_workflows(outer / "ci" / "workflows")
    result = CliRunner().invoke(app, [
        "gate", "--program", str(PROGRAM), "--stack", "test", "--workflows", str(loose),
        "--format", "json", "--evidence-dir", str(tmp_path / "evidence")])
    controls = {c["id"]: c for c in json.loads(result.stdout)["controls"]}
    assert controls["RESTORE-DRILL"]["status"] == "pass"  # the schedules were read from it
    messages = [f["message"] for f in controls["CHANGE-CONTROL"]["findings"]]
    assert not [m for m in messages if "elsewhere" in m or "actions/checkout@v4" in m], messages
    assert any(f"nothing in {loose.resolve()} does this" in m or f"nothing in {loose} does this"
               in m for m in messages), messages
