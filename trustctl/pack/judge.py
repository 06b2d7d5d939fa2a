"""One judgment per `AnalyzeStack`, shared by every policy of the pack, and its record.

The engine asks each policy of the pack in turn, with the same resources; the gate judges them
once (translation, checkov with the project's checks, roles, `requires:`, exceptions and the
stack's ownership of controls: gate/judge_resources.py) and each policy reports its share. A
checkov is started as soon as the pack starts, while the engine is still running the program,
and again after each judgment, for the next. Each judgment leaves the gate's record (kind
`gate`, origin `policy-pack`, with the stack and the `pulumi` operation), so a deployment
counts as evidence of the controls it was judged by.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trustctl.catalog import Control, load_catalog
from trustctl.environment import PRODUCTION
from trustctl.errors import TrustctlError
from trustctl.gate.checkov_runner import CheckovProcess
from trustctl.gate.judge_resources import judge_resources
from trustctl.gate.ownership import CONFIG_KEY as OWNERSHIP_KEY
from trustctl.gate.policy_set import PolicySet
from trustctl.gate.record import gate_record
from trustctl.gate.waiver_rules import judged_waivers
from trustctl.pack.violations import UNDECIDED, Violation, violations
from trustctl.records.options import record_store
from trustctl.report.model import ControlReport

ORIGIN = "policy-pack"


@dataclass(frozen=True)
class Deployment:
    """What the engine tells the pack of the run (its environment: PULUMI_STACK, PULUMI_DRY_RUN,
    PULUMI_CONFIG), and where records go (TRUSTCTL_EVIDENCE, else TRUSTCTL_EVIDENCE_DIR)."""

    stack: str | None
    project: str | None
    operation: str  # `preview` or `update`
    ownership: Any  # the stack's trustctl:controls config value
    evidence_dir: Path
    evidence: str | None

    @classmethod
    def from_environment(cls, default_evidence_dir: Path) -> Deployment:
        config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
        dry_run = os.environ.get("PULUMI_DRY_RUN")
        return cls(
            stack=os.environ.get("PULUMI_STACK"), project=os.environ.get("PULUMI_PROJECT"),
            operation="preview" if dry_run == "true" else "update" if dry_run else "unknown",
            ownership=config.get(OWNERSHIP_KEY),
            evidence_dir=Path(os.environ.get("TRUSTCTL_EVIDENCE_DIR") or default_evidence_dir),
            evidence=os.environ.get("TRUSTCTL_EVIDENCE") or None)

    @property
    def previewing(self) -> bool:
        """`pulumi preview` (or the preview of `pulumi up`): resources not created yet."""
        return self.operation == "preview"


class PackJudge:
    """The gate, kept warm between the engine's calls."""

    def __init__(self, policies: PolicySet, deployment: Deployment) -> None:
        self.policies = policies
        self.catalog: tuple[Control, ...] = load_catalog(policies.catalog)
        self.deployment = deployment
        self._lock = threading.Lock()
        self._checkov: CheckovProcess | None = CheckovProcess([], policies)
        self._last: tuple[str, list[Violation]] | None = None

    def violations(self, resources: Sequence[dict[str, Any]]) -> list[Violation]:
        """The violations of these resources (judged once for every policy that asks)."""
        key = hashlib.sha256(json.dumps(resources, sort_keys=True, default=str).encode())
        with self._lock:
            if self._last is None or self._last[0] != key.hexdigest():
                self._last = (key.hexdigest(), self._judge(list(resources)))
            return self._last[1]

    def _judge(self, resources: list[dict[str, Any]]) -> list[Violation]:
        started = datetime.now(UTC)
        stack = self.deployment.stack or _stack_of(resources)
        checkov, self._checkov = self._checkov or CheckovProcess([], self.policies), None
        try:
            report = judge_resources(
                resources, f"policy pack (stack {stack}, pulumi {self.deployment.operation})",
                ownership=self.deployment.ownership, policies=self.policies,
                exceptions=judged_waivers(self.policies, self.catalog, started.date()),
                today=started.date(), checkov=checkov)
        finally:
            self._checkov = CheckovProcess([], self.policies)  # warm for the next run
        return violations(report) + self._recorded(report, stack, started)

    def _recorded(self, report: ControlReport, stack: str, started: datetime) -> list[Violation]:
        """Write the run's record; one that cannot be written is said, not hidden."""
        targets = {"origin": ORIGIN, "stack": stack, "project": self.deployment.project,
                   "operation": self.deployment.operation}
        record = gate_record(report, started, targets=targets,
                             judged={"input": "policy-pack", **targets})
        try:
            record_store(self.deployment.evidence_dir, self.deployment.evidence,
                         PRODUCTION).write(record)
        except TrustctlError as exc:
            return [Violation(UNDECIDED, f"the run's record was not written: {exc}")]
        return []

    def close(self) -> None:
        if self._checkov is not None:
            self._checkov.close()


def _stack_of(resources: list[dict[str, Any]]) -> str:
    """`urn:pulumi:STACK::project::...` -> STACK."""
    urn = str(resources[0]["urn"]) if resources else ""
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]
