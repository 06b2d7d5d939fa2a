"""What the gate's tests share: where their inputs live, the mutation table, and `check_all`,
which plans/reads every input once and checks them all in ONE real checkov run.

checkov's start-up is most of its cost, so the session translates every input (the compliant
program and each of its mutations, the hand-built preview/state fixtures and, when present, the
real-world files) and runs checkov once over all of them (`-d DIR`). Tests then evaluate the raw
results by control, with whatever exceptions they need.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from trustctl.catalog import load_catalog
from trustctl.gate.checkov_runner import CheckovProcess, CheckResult
from trustctl.gate.evaluate import evaluate
from trustctl.gate.exceptions import Waiver
from trustctl.gate.sources import Declared, from_preview, from_state
from trustctl.gate.translate import TfPlan, translate
from trustctl.paths import REPO_ROOT
from trustctl.plan import plan_program
from trustctl.report.model import ControlReport

GATE_TESTS = Path(__file__).resolve().parent
PROGRAM = GATE_TESTS / "programs" / "compliant"
INDEPENDENT = GATE_TESTS / "programs" / "independent"  # no trustctl tag: roles are inferred
FIXTURES = GATE_TESTS / "fixtures"
REALWORLD = REPO_ROOT.parent / "shared" / "realworld" / "pulumi"
REALWORLD_PREVIEWS = ("stratify-sample-preview-creates.json", "stratify-sample-preview-update.json",
                      "stratify-sample-preview-deletes.json")
REALWORLD_STATES = ("stratify-sample-export.json", "tf-migrate-dns-to-db-converted-state.json")
TODAY = dt.date(2026, 11, 24)


def mutations(program: Path = PROGRAM) -> dict[str, str | None]:
    """A program's MUTATIONS table (mutation -> control it breaks), read without running it."""
    tree = ast.parse((program / "__main__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MUTATIONS":
            return ast.literal_eval(node.value)
    raise AssertionError(f"the program {program.name} has no MUTATIONS table")


@dataclass
class Checked:
    """One input after translation and the shared checkov run."""

    declared: Declared
    plan: TfPlan
    results: list[CheckResult]

    def report(self, exceptions: list[Waiver] | None = None,
               today: dt.date = TODAY) -> ControlReport:
        return evaluate(load_catalog(), self.declared.origin, self.plan, self.results,
                        exceptions or [], today)

    def outcome(self, check_id: str, name: str) -> bool:
        """Whether `check_id` passed on the resource with this logical name (it must have run)."""
        found = {r.passed for r in self.results
                 if r.check_id == check_id and self.plan.resources[r.address].name == name}
        assert len(found) == 1, f"{check_id} ran {len(found)} ways on {name}"
        return found.pop()


def _inputs() -> dict[str, Declared]:
    inputs = {f"mutation:{m}": Declared(plan_program(PROGRAM, "test", {"break": m}),
                                        f"program {PROGRAM.name} break={m}")
              for m in mutations()}
    inputs |= {f"independent:{m}": Declared(plan_program(INDEPENDENT, "test", {"break": m}),
                                            f"program {INDEPENDENT.name} break={m}")
               for m in mutations(INDEPENDENT)}
    inputs["fixture:preview"] = from_preview(FIXTURES / "preview-data-stores.json")
    inputs["fixture:state"] = from_state(FIXTURES / "stack-export-data-stores.json")
    if REALWORLD.is_dir():
        inputs |= {f"realworld:{n}": from_preview(REALWORLD / n) for n in REALWORLD_PREVIEWS}
        inputs |= {f"realworld:{n}": from_state(REALWORLD / n) for n in REALWORLD_STATES}
    return inputs


def commit_all(repo: Path, day: dt.date) -> None:
    """Make `repo` a git checkout whose every file was committed on `day`: waivers are judged
    by the date of the commit that wrote them (gate/waiver_rules.py), as in CI's checkout."""
    when = f"{day.isoformat()}T10:00:00+0000"
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@example.com",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "policies"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env,
                       capture_output=True)


def check_all() -> dict[str, Checked]:
    inputs = _inputs()
    plans = {key: translate(declared) for key, declared in inputs.items()}
    with CheckovProcess() as checkov:
        results = checkov.run([plan.document for plan in plans.values()])
    return {key: Checked(inputs[key], plans[key], found)
            for key, found in zip(plans, results, strict=True)}
