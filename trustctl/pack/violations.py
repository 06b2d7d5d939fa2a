"""A gate report -> the policy pack's violations, each under the policy that reports it.

A failing control is a violation of the policy named by its id, one per finding, on the
finding's resource (a finding on no resource, such as a required resource missing, is on the
stack). What the gate accepts or merely advises is reported under advisory policies: an
excepted finding with the waiver's reason, owner and expiry; a failed built-in check no
control lists; and what could not be decided (a verdict resting on a value unknown at preview,
a resource of a type the gate cannot check, a record that could not be written).
"""

from __future__ import annotations

from dataclasses import dataclass

from trustctl.report.model import ControlReport, Excepted
from trustctl.report.results import Finding, Status

EXCEPTED = "trustctl-excepted"
ADVISORIES = "trustctl-advisories"
UNDECIDED = "trustctl-undecided"


@dataclass(frozen=True)
class Violation:
    policy: str  # a control id, or one of the advisory policies above
    message: str
    urn: str | None = None  # None: the stack as a whole


def violations(report: ControlReport) -> list[Violation]:
    """Every violation the report holds, failing controls first."""
    judged = [(c, f) for c in report.controls if c.status in (Status.FAIL, Status.ERROR)
              for f in c.findings]
    # a verdict resting on a value not known yet (gate/evaluate.py sets `unknown_from`); a
    # failing control lists such findings too
    found = [Violation(c.id, _said(f, report.remediation.get(c.id)), f.urn)
             for c, f in judged if f.unknown_from is None]
    found += [Violation(UNDECIDED, f"{c.id}: {_said(f)}", f.urn)
              for c, f in judged if f.unknown_from is not None]
    found += [Violation(EXCEPTED, _excepted(e), e.finding.urn) for e in report.excepted]
    found += [Violation(ADVISORIES, _said(f), f.urn) for f in report.advisories]
    found += [Violation(UNDECIDED, f"{r.type} could not be checked: {r.reason}", r.urn)
              for r in report.unchecked if r.fails_closed]
    return found


def _said(finding: Finding, remediation: str | None = None) -> str:
    """The finding, its check, where the program declares the resource, and what to do."""
    parts = [finding.message]
    if finding.check_id:
        parts.append(f"check {finding.check_id}")
    if finding.file:
        parts.append(f"declared at {finding.file}:{finding.line}" if finding.line
                     else f"declared in {finding.file}")
    if remediation:
        parts.append(f"remediation: {remediation.strip()}")
    return "\n".join(parts)


def _excepted(excepted: Excepted) -> str:
    waiver = excepted.exception
    return (f"{excepted.control}: {_said(excepted.finding)}\naccepted by a reviewed exception "
            f"until {waiver.expires.isoformat()}: {waiver.reason} (owner {waiver.owner})")
