"""The drill record: each step with its timing and result, and the controls they prove.

Steps run in order; a step whose prerequisite did not pass is recorded as skipped, blocked by
that step's status. A control is `fail` when one of its steps found a problem (or was blocked by
one that did), even if another could not run (its error is listed beside the finding); `error`
when none failed but one could not run (or was blocked by one that could not); `pass` only when
all of its steps passed: a control is never passed by a step that did not run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from trustctl.errors import FindingError
from trustctl.records import Record
from trustctl.records.facts import DrillFacts
from trustctl.redaction import redact
from trustctl.report.results import ControlResult, Finding, Status

T = TypeVar("T")


class StepFailed(FindingError):
    """The step ran and found a problem (a finding, exit 1)."""


class StepError(Exception):
    """The step could not run (exit 2); the message says why."""


@dataclass
class Step:
    name: str
    controls: tuple[str, ...]
    status: str = "pending"
    seconds: float = 0.0
    detail: str = ""
    findings: list[str] = field(default_factory=list)
    blocked_by: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # the raw facts looked at

    def to_json(self) -> dict:
        return {"name": self.name, "status": self.status, "seconds": round(self.seconds, 3),
                "detail": self.detail, "findings": self.findings, "controls": list(self.controls),
                **({"blocked_by": self.blocked_by} if self.blocked_by else {}),
                **({"facts": self.facts} if self.facts else {})}


class Steps:
    """Runs steps, times them and classifies what they raise."""

    def __init__(self, classify: Callable[[BaseException], str | None]) -> None:
        self.items: list[Step] = []
        self._classify = classify

    def get(self, name: str) -> Step | None:
        return next((s for s in self.items if s.name == name), None)

    def run(self, name: str, controls: tuple[str, ...], fn: Callable[[Step], T],
            needs: tuple[str, ...] = ()) -> T | None:
        step = Step(name, controls)
        self.items.append(step)
        blocker = next((s for s in map(self.get, needs) if s and s.status != "pass"), None)
        if blocker is not None:
            step.status, step.blocked_by = "skipped", blocker.name
            step.detail = f"not run: {blocker.name} did not pass"
            return None
        started = time.monotonic()
        try:
            result = fn(step)
            step.status = "fail" if step.findings else "pass"
            return result
        except KeyboardInterrupt:
            step.status, step.detail = "error", "interrupted"
            raise
        except BaseException as exc:
            kind = self._classify(exc)
            if kind is None:
                raise
            step.status = kind
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            message = redact(text or type(exc).__name__)
            step.findings.append(message)
            step.detail = step.detail or (message if kind == "fail" else f"could not run: "
                                          f"{message}")
            return None
        finally:
            step.seconds = time.monotonic() - started

    def effective_status(self, step: Step) -> str:
        """A skipped step counts as the status of the step that blocked it."""
        if step.status != "skipped":
            return step.status
        return self.effective_status(self.get(step.blocked_by))

    def problems(self) -> list[Step]:
        return [s for s in self.items if s.status in ("fail", "error")]


def control_results(steps: Steps, control_ids: tuple[str, ...]) -> list[ControlResult]:
    results = []
    for control in control_ids:
        mine = [s for s in steps.items if control in s.controls]
        statuses = {steps.effective_status(s) for s in mine}
        status = (Status.FAIL if "fail" in statuses else
                  Status.ERROR if "error" in statuses or not mine else Status.PASS)
        findings = [Finding(message, check_id=f"drill:{s.name}")
                    for s in mine for message in s.findings]
        findings += [Finding(f"not verified: {s.detail}", check_id=f"drill:{s.name}")
                     for s in mine if s.status == "skipped"]
        results.append(ControlResult(control, status, findings,
                                     checks=[f"drill:{s.name}" for s in mine]))
    return results


@dataclass(frozen=True)
class DrillResult:
    """One drill: its facts (trustctl/records/facts/drill.py) and the controls they prove. The
    record and the `--format json` output are both made from it."""

    facts: DrillFacts
    controls: list[ControlResult]

    def to_json(self) -> dict[str, Any]:
        return {**self.facts.to_json(), "controls": [c.to_json() for c in self.controls]}

    def as_record(self) -> Record:
        """The drill's record for the record store: its controls, and its facts."""
        backup, scratch = self.facts.backup, self.facts.scratch
        targets = {"backup_bucket": backup and backup.bucket, "region": backup and backup.region,
                   "backup_id": backup and backup.backup_id,
                   "object_key": backup and backup.object_key,
                   "scratch": scratch and scratch.kind}
        return Record.new(self.facts, self.facts.started_at, self.facts.finished_at,
                          record_id=self.facts.drill_id, targets=targets,
                          controls=[c.to_json() for c in self.controls])
