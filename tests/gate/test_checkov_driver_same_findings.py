"""The gate's checkov (tools/checkov/warm_start.py: started before its inputs exist, only the
frameworks the gate uses imported, every framework run in one process, graph checks of types
no plan declares dropped) finds exactly what the `checkov` command finds over the same inputs:
this repository's program and workflows, and real `pulumi` files."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from gate_support import REALWORLD

from trustctl.gate import checkov_runner
from trustctl.gate.checkov_runner import CheckovProcess, CheckResult, checkov_env, checkov_venv
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import translate
from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program

pytestmark = [pytest.mark.realworld]


def _findings(groups: list[list[CheckResult]]) -> list[Counter[str]]:
    """Each input's results as a multiset (checkov lists evaluated keys in set order)."""
    return [Counter(json.dumps({**asdict(r), "evaluated_keys": sorted(r.evaluated_keys)},
                               sort_keys=True) for r in group) for group in groups]


def test_the_gates_checkov_finds_what_the_checkov_command_finds(tmp_path: Path) -> None:
    declared = [Declared(plan_program(REPO_ROOT, "prod"), "this repository"),
                from_state(REALWORLD / "tf-migrate-dns-to-db-converted-state.json"),
                from_preview(REALWORLD / "stratify-sample-preview-creates.json")]
    plans = [translate(d).document for d in declared]
    with CheckovProcess([REPO_ROOT]) as checkov:
        gate = checkov.run(plans)

    staged = checkov_runner.stage(tmp_path, plans, [REPO_ROOT])
    command = subprocess.run([str(checkov_venv() / "bin" / "checkov"), *staged.args],
                             capture_output=True, text=True, env=checkov_env(), timeout=600,
                             check=False)
    assert command.returncode in (0, 1), command.stderr[-500:]
    bare = staged.split(checkov_runner._parse(command.stdout))

    assert [sum(c.values()) for c in _findings(gate)] == [sum(c.values())
                                                          for c in _findings(bare)]
    assert _findings(gate) == _findings(bare)
    assert all(group for group in gate)  # every input was checked, the repository too
    assert any(not r.passed for r in gate[1])  # the real state fails some checks


def test_a_run_asking_for_a_framework_not_imported_is_refused(tmp_path: Path) -> None:
    script = checkov_runner.WARM_START
    python = checkov_venv() / "bin" / "python"
    message = {"argv": ["-d", str(tmp_path), "--framework", "kubernetes", "-o", "json"],
               "resource_types": []}
    proc = subprocess.run([str(python), str(script), "terraform_plan"], input=json.dumps(message),
                          capture_output=True, text=True, env=checkov_env(), timeout=300,
                          check=False)
    assert proc.returncode != 0 and proc.stdout == ""
    assert "asks for ['kubernetes']" in proc.stderr
