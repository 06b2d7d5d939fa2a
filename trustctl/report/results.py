"""Results by control: the JSON contract of DESIGN.md shared by gate, audit, drill, evidence.

`--format json` prints {"controls": [{"id", "status", "findings"}, ...], ...}; exit code 0 when
every control checked passed, 1 when one failed (whatever else could not be checked: a finding is
never hidden behind "could not run"), 2 when nothing failed but one could not be checked.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    EXCEPTED = "excepted"  # failed, but every finding is accepted by a reviewed exception
    NOT_APPLICABLE = "not_applicable"
    ATTESTED = "attested"


@dataclass
class Related:
    """Another place that led to a finding: the component's own line, an outer call site."""

    file: str
    line: int
    message: str


@dataclass
class Finding:
    """One thing wrong: what, on which resource, and where to change it (the call site in the
    author's code of the component that declared the resource, else the declaring line)."""

    message: str
    check_id: str | None = None
    resource: str | None = None
    urn: str | None = None
    file: str | None = None
    line: int | None = None
    related: list[Related] = field(default_factory=list)
    # a verdict not reached: the values it rests on that only the cloud knows yet, and where
    # each comes from ("ingress.cidr_blocks from an output of stack acme/network/prod")
    unknown_from: str | None = None


@dataclass
class ControlResult:
    id: str
    status: Status
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    # with EXCEPTED: the reviewed exceptions (reason, owner, expires) that accept its findings
    exceptions: list[dict] = field(default_factory=list)
    owned_by: str | None = None  # not_applicable here: the stack that owns the control

    def to_json(self) -> dict:
        """The contract's {id, status, findings, checks}; `exceptions` and a finding's `related`
        and `unknown_from` only when there are some (most flows never have any)."""
        data = asdict(self)
        data["status"] = str(self.status)
        if not self.exceptions:
            del data["exceptions"]
        for finding in data["findings"]:
            if not finding["related"]:
                del finding["related"]
            if finding["unknown_from"] is None:
                del finding["unknown_from"]
        if self.owned_by is None:  # only a control another stack keeps names its owner
            del data["owned_by"]
        return data


def exit_code(results: list[ControlResult]) -> int:
    """1 if anything failed (even beside errors), else 2 if something was unchecked, else 0."""
    statuses = {r.status for r in results}
    if Status.FAIL in statuses:
        return 1
    if Status.ERROR in statuses:
        return 2
    return 0
