"""The evidence report as one JSON document: summary, controls, gaps, operating history, records.

The HTML and OSCAL outputs are renderings of this document, so all three always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from trustctl.evidence.assess import (
    BAD,
    STATUSES,
    ControlAssessment,
    Inputs,
    assess,
    backup_days,
)
from trustctl.records import Record
from trustctl.records.facts import DrillFacts
from trustctl.records.provenance import catalog_version, code_version

FORMAT = "trustctl-evidence-report/1"
# How the report's statuses map onto DESIGN.md's contract statuses.
CONTRACT_STATUS = {"verified": "pass", "failed": "fail", "excepted": "excepted",
                   "attested": "attested", "not_checked": "error"}


def build_report(inputs: Inputs, generated: dt.datetime) -> dict[str, Any]:
    controls = assess(inputs)
    counts = Counter(c.status for c in controls)
    gaps = [g.to_json() for c in controls for g in c.gaps]
    days = backup_days(inputs)
    period_days = (inputs.period.end - inputs.period.start).days + 1
    drills = _drills(inputs)
    audits = _audits(inputs)
    return {
        "format": FORMAT,
        "period": {"from": inputs.period.start.isoformat(), "to": inputs.period.end.isoformat(),
                   "days": period_days},
        "generated_at": generated.isoformat(),
        "environment": inputs.environment, "signing": inputs.signing,
        "code_version": code_version(), "catalog_version": catalog_version(),
        "summary": {
            "controls": len(controls), **{s: counts.get(s, 0) for s in STATUSES},
            "gaps": len(gaps), "records": len(inputs.records),
            "record_problems": len(inputs.problems), "left_out": len(inputs.left_out),
            "backup_days_complete": sum(1 for d in _days(inputs) if days.get(d)),
            "backup_days_expected": period_days,
            "drills": len(drills), "drills_passed": sum(d["status"] == "pass" for d in drills),
            "audits": len(audits), "audits_failed": sum(a["status"] in BAD for a in audits),
            "job_outcomes": len(inputs.outcomes),
            "job_outcomes_failed": sum(o.failed for o in inputs.outcomes),
            "job_outcomes_unreadable": len(inputs.outcome_problems),
        },
        "controls": [_control(c) for c in controls],
        "gaps": gaps,
        "record_problems": [{"where": p.where, "what": p.what} for p in inputs.problems],
        "left_out": inputs.left_out,
        # context only: unsigned, a success proves nothing; a failure is a gap of its controls
        "job_outcomes": {
            "outcomes": [o.to_json() for o in inputs.outcomes],
            "unreadable": [{"where": p.where, "what": p.what} for p in inputs.outcome_problems]},
        "history": {
            "backups": [{"date": d.isoformat(), "complete": days.get(d, 0)}
                        for d in _days(inputs)],
            "drills": drills, "audits": audits,
            "access_reviews": [_brief(r, "ACCESS-REVIEW") for r in inputs.records
                               if r.kind == "access-review"],
        },
        "exceptions_in_force": [e.to_json() for e in inputs.exceptions
                                if not e.expired(inputs.period.end)],
        "records": [{"name": r.name, "kind": r.kind, "started": r.started,
                     "finished": r.finished, "sha256": r.sha256} for r in inputs.records],
    }


def exit_status(report: dict[str, Any]) -> int:
    """DESIGN.md's exit codes: 1 a control failed or a record (or job outcome) is not whole
    (tampering, a broken chain, unreadable); 2 something not checked; else 0."""
    statuses = {c["status"] for c in report["controls"]}
    if "failed" in statuses or report["record_problems"] or report["job_outcomes"]["unreadable"]:
        return 1
    return 2 if "not_checked" in statuses else 0


def _control(assessment: ControlAssessment) -> dict[str, Any]:
    """The assessment, plus the contract's `findings` (gaps, then remediated deviations)."""
    data = assessment.to_json()
    data["contract_status"] = CONTRACT_STATUS[assessment.status]
    data["findings"] = ([{"message": g.what} for g in assessment.gaps]
                        + [{"message": f"remediated: {d}"} for d in assessment.deviations])
    return data


def _brief(record: Record, control_id: str) -> dict[str, Any]:
    return {"record": record.name, "time": record.finished,
            "status": record.status_of(control_id) or "-"}


def _drills(inputs: Inputs) -> list[dict[str, Any]]:
    drills = []
    for record in inputs.records:
        if record.kind != "drill":
            continue
        drill = record.facts_as(DrillFacts)
        objectives = {"rpo": drill.rpo, "rto": drill.rto}
        drills.append({
            **_brief(record, "RESTORE-DRILL"), "status": drill.status,
            **{f"{name}_hours": _hours(o.measured_seconds) for name, o in objectives.items()},
            **{f"{name}_objective_hours": _hours(o.objective_seconds)
               for name, o in objectives.items()},
        })
    return drills


def _audits(inputs: Inputs) -> list[dict[str, Any]]:
    audits = []
    for record in inputs.records:
        if record.kind != "audit":
            continue
        failed = sorted(c["id"] for c in record.controls if c["status"] in BAD)
        audits.append({"record": record.name, "time": record.finished,
                       "status": "fail" if failed else "pass", "failed_controls": failed,
                       "controls": len(record.controls)})
    return audits


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 3)


def _days(inputs: Inputs) -> list[dt.date]:
    start, end = inputs.period.start, inputs.period.end
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]



