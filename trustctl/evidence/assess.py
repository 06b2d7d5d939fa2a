"""What the records of a period say, per control: status, how verified, evidence, gaps.

Statuses over the period (never blurring verified and attested):
- `failed`: a gap: a record's last word on the control was a failure with no passing one
  after it, a day without a complete backup, no drill (or access review) within its
  control's `every_days` (the catalog's figure: a quarter),
  an expired exception or attestation, a scheduled job of the period that did not succeed
  (its unsigned job outcome: never counted the other way, a success proves nothing);
- `excepted`: checked, and a finding was accepted by an exception in force;
- `verified`: checked by a machine (gate, audit, drill, backup) and nothing open;
- `attested`: no machine checked it, a person vouches for it (valid attestation);
- `not_checked`: nothing in the period says anything about it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from trustctl.catalog import Control
from trustctl.evidence.attestations import Attestation
from trustctl.gate.exceptions import Waiver
from trustctl.records import Period, Record
from trustctl.records.outcome import JobOutcome
from trustctl.records.store import Problem

VERIFIED, FAILED, EXCEPTED, ATTESTED, NOT_CHECKED = (
    "verified", "failed", "excepted", "attested", "not_checked")
STATUSES = (VERIFIED, FAILED, EXCEPTED, ATTESTED, NOT_CHECKED)
BAD = ("fail", "error")
# A record saying a control is not its business (or only attested) is no machine evidence.
NOT_EVIDENCE = ("not_applicable", "attested")
# How each kind of record checks a control, in the words of the report.
METHODS = {"gate": "static gate (checkov over the Pulumi program)",
           "audit": "live audit of what is deployed", "drill": "restore drill",
           "backup": "backup manifests (one per complete backup)",
           "access-review": "access review record"}
# A control that must be exercised at least every N days (its figure `every_days` in the
# catalog), by records of this kind.
CADENCE = {"RESTORE-DRILL": "drill", "ACCESS-REVIEW": "access-review"}
DAILY_BACKUP = "BACKUP-DAILY-35D"


@dataclass
class Inputs:
    """Everything a report is built from; `history` holds records from before the period too."""

    period: Period
    catalog: tuple[Control, ...]
    records: list[Record]
    history: list[Record]
    exceptions: list[Waiver]
    attestations: list[Attestation]
    environment: str = "production"
    # records that are not whole (each a finding), and those left out as not this report's
    problems: list[Problem] = field(default_factory=list)
    left_out: list[dict[str, str]] = field(default_factory=list)
    signing: dict[str, Any] = field(default_factory=lambda: {"signed": False})
    # unsigned job outcomes of the period (scripts/job-record), and those that did not read
    outcomes: list[JobOutcome] = field(default_factory=list)
    outcome_problems: list[Problem] = field(default_factory=list)


@dataclass
class Gap:
    control: str
    what: str
    on: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {"control": self.control, "what": self.what,
                "on": self.on.isoformat() if self.on else None}


@dataclass
class ControlAssessment:
    control: Control
    status: str = NOT_CHECKED
    methods: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    attestations: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        c = self.control
        return {"id": c.id, "title": c.title, "section": c.section, "promise": c.promise,
                "soc2": list(c.soc2), "status": self.status, "how_verified": self.methods,
                "evidence": self.evidence, "deviations": self.deviations,
                "gaps": [g.to_json() for g in self.gaps], "exceptions": self.exceptions,
                "attestations": self.attestations}


def assess(inputs: Inputs) -> list[ControlAssessment]:
    """One assessment per control of the catalog, in catalog order."""
    return [_assess(control, inputs) for control in inputs.catalog]


def _assess(control: Control, inputs: Inputs) -> ControlAssessment:
    result = ControlAssessment(control)
    observed = [(r, r.status_of(control.id)) for r in inputs.records]
    observed = [(r, status) for r, status in observed
                if status is not None and status not in NOT_EVIDENCE]
    for record, status in observed:
        result.evidence.append({"record": record.name, "kind": record.kind,
                                "time": record.finished, "status": status,
                                "sha256": record.sha256})
    kinds = sorted({r.kind for r, _ in observed})
    result.methods = [METHODS.get(k, k) for k in kinds]
    for kind in kinds:
        _follow_ups(result, [(r, s) for r, s in observed if r.kind == kind], kind)
    if control.id == DAILY_BACKUP:
        result.gaps += _missing_backup_days(control.id, inputs)
    if control.id in CADENCE:
        result.gaps += _cadence_gaps(control.id, CADENCE[control.id],
                                     int(control.figures["every_days"]), inputs)
    result.gaps += _broken_history(control.id, inputs)
    result.gaps += [Gap(control.id, o.finding(), o.started.date()) for o in inputs.outcomes
                    if o.failed and control.id in o.controls]
    _exceptions(result, inputs)
    _attestations(result, inputs)
    result.status = _status(result, observed)
    return result


def _status(result: ControlAssessment, observed: list[tuple[Record, str]]) -> str:
    """Any gap fails; a machine check verifies (or excepts); only then may a person attest."""
    if result.gaps:
        return FAILED
    if observed:
        latest = {r.kind: s for r, s in observed}  # oldest first: the last one wins
        return EXCEPTED if "excepted" in latest.values() else VERIFIED
    if any(not a["expired"] for a in result.attestations):
        return ATTESTED
    return NOT_CHECKED


def _follow_ups(result: ControlAssessment, observed: list[tuple[Record, str]],
                kind: str) -> None:
    """A failure followed by a pass is a deviation; a failure left standing is a gap."""
    for i, (record, status) in enumerate(observed):
        if status not in BAD:
            continue
        fixed = next((r for r, s in observed[i + 1:] if s not in BAD), None)
        day = record.started_at.date()
        if fixed is not None:
            result.deviations.append(f"{kind} of {day} {status}ed; the {kind} of "
                                     f"{fixed.started_at.date()} passed")
        else:
            result.gaps.append(Gap(result.control.id, f"{kind} of {day} {status}ed and no "
                                   f"passing {kind} followed", day))
            return


def _missing_backup_days(control_id: str, inputs: Inputs) -> list[Gap]:
    done = backup_days(inputs)
    return [Gap(control_id, f"no complete backup on {day}", day)
            for day in _days(inputs.period) if not done.get(day)]


def backup_days(inputs: Inputs) -> dict[dt.date, int]:
    """Complete backups per UTC day of the period, by the day each started (as the period is)."""
    counts: dict[dt.date, int] = defaultdict(int)
    for record in inputs.records:
        if record.kind == "backup" and record.status_of(DAILY_BACKUP) == "pass":
            counts[record.started_at.astimezone(dt.UTC).date()] += 1
    return dict(counts)


def _cadence_gaps(control_id: str, kind: str, days: int, inputs: Inputs) -> list[Gap]:
    """No passing record of `kind` for more than `days` days at some point of the period."""
    start, end = inputs.period.start, inputs.period.end
    passed = sorted({r.started_at.date() for r in inputs.history
                     if r.kind == kind and r.status_of(control_id) == "pass"
                     and r.started_at.date() <= end})
    if not any(start <= d for d in passed) and not any(end - d <= dt.timedelta(days)
                                                       for d in passed):
        return [Gap(control_id, f"no passing {kind} in the period nor within {days} days "
                                f"before its end", end)]
    gaps = [Gap(control_id, f"{(b - a).days} days between passing {kind}s ({a} to {b}; "
                            f"at most {days})", b)
            for a, b in itertools.pairwise(passed) if b >= start and (b - a).days > days]
    if passed and (end - passed[-1]).days > days:
        gaps.append(Gap(control_id, f"no passing {kind} since {passed[-1]} "
                                    f"({(end - passed[-1]).days} days by {end})", end))
    return gaps


def _broken_history(control_id: str, inputs: Inputs) -> list[Gap]:
    """A control spoken about by a record that is not whole, or that follows a hole in its
    history, is not proven: what was removed or altered may have said otherwise."""
    return [Gap(control_id, f"record {p.where} is not whole: {p.what}",
                p.record.started_at.date())
            for p in inputs.problems
            if p.record is not None and p.record.started_at.date() <= inputs.period.end
            and p.record.status_of(control_id) not in (None, *NOT_EVIDENCE)]


def _exceptions(result: ControlAssessment, inputs: Inputs) -> None:
    end = inputs.period.end
    static = set(result.control.verification.static)
    for exception in inputs.exceptions:
        if exception.control != result.control.id and (
                exception.control or exception.check not in static):
            continue
        result.exceptions.append({**exception.to_json(), "expired": exception.expired(end)})
        if exception.expired(end):
            result.gaps.append(Gap(result.control.id, f"exception for {exception.resource} "
                                   f"(owner {exception.owner}) expired on {exception.expires}",
                                   exception.expires))


def _attestations(result: ControlAssessment, inputs: Inputs) -> None:
    end = inputs.period.end
    mine = [a for a in inputs.attestations
            if a.control == result.control.id and a.attested_on <= end]
    renewed = any(not a.expired(end) for a in mine)
    for attestation in mine:
        expired = attestation.expired(end)
        result.attestations.append({**attestation.to_json(), "expired": expired})
        if expired and not renewed:
            result.gaps.append(Gap(result.control.id, f"attestation {attestation.file} by "
                                   f"{attestation.attested_by} expired on "
                                   f"{attestation.valid_until}", attestation.valid_until))


def _days(period: Period) -> list[dt.date]:
    return [period.start + dt.timedelta(days=i)
            for i in range((period.end - period.start).days + 1)]
