"""A report by control (gate or audit) as SARIF 2.1.0, for GitHub code scanning (upload-sarif).

One rule per control (id = control id) and per advisory check; a finding points at the file and
line of the Pulumi program where the resource's arguments were chosen (the call site of its
component; the component's own line is a `relatedLocations` entry), or at `fallback_uri` (the
program's Pulumi.yaml, or the preview/state file) when no source is known: GitHub needs a
location.
Findings accepted by an exception are results with an `accepted` suppression.
"""

from __future__ import annotations

import json
from typing import Any

from trustctl.catalog import Control
from trustctl.report.model import ControlReport
from trustctl.report.results import Finding, Status

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def to_sarif(report: ControlReport, catalog: tuple[Control, ...], fallback_uri: str,
             version: str) -> str:
    controls = {c.id: c for c in catalog}
    rules = [_control_rule(controls[c.id]) for c in report.controls
             if c.status != Status.NOT_APPLICABLE]
    advisory_ids = sorted({f.check_id for f in report.advisories if f.check_id})
    rules += [{"id": check_id, "name": check_id,
               "shortDescription": {"text": f"checkov advisory {check_id}"},
               "defaultConfiguration": {"level": "note"}} for check_id in advisory_ids]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [
        _result(c.id, index[c.id], "error", f, fallback_uri)
        for c in report.controls if c.status == Status.FAIL for f in c.findings
    ]
    results += [_result(c.id, index[c.id], "warning", f, fallback_uri)
                for c in report.controls if c.status == Status.ERROR for f in c.findings]
    results += [{**_result(x.control, index[x.control], "error", x.finding, fallback_uri),
                 "suppressions": [{"kind": "external", "status": "accepted",
                                   "justification": f"{x.exception.reason} (owner "
                                   f"{x.exception.owner}, expires "
                                   f"{x.exception.expires.isoformat()})"}]}
                for x in report.excepted if x.control in index]
    results += [_result(f.check_id, index[f.check_id], "note", f, fallback_uri)
                for f in report.advisories if f.check_id]
    run = {
        "tool": {"driver": {"name": report.tool, "version": version, "rules": rules}},
        "results": results,
        "properties": {
            "origin": report.origin,
            "exceptions": [e.to_json() for e in report.exceptions],
            "unchecked": [{"urn": r.urn, "type": r.type} for r in report.unchecked],
            "controls": {c.id: str(c.status) for c in report.controls},
        },
    }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"


def _control_rule(control: Control) -> dict[str, Any]:
    return {
        "id": control.id,
        "name": control.title,
        "shortDescription": {"text": control.title},
        "fullDescription": {"text": f"Security page: {control.promise}"},
        "help": {"text": f"{control.risk} Remediation: {control.remediation}"},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", *control.soc2],
                       "security-severity": _SECURITY_SEVERITY.get(control.severity, "5.0")},
    }


def _result(rule_id: str, rule_index: int, level: str, finding: Finding,
            fallback_uri: str) -> dict[str, Any]:
    region = {"startLine": finding.line} if finding.file and finding.line else {"startLine": 1}
    location: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": finding.file or fallback_uri}, "region": region}}
    if finding.urn:
        location["logicalLocations"] = [{"name": finding.resource,
                                         "fullyQualifiedName": finding.urn, "kind": "resource"}]
    check = f"[{finding.check_id}] " if finding.check_id else ""
    subject = f" on {finding.resource}" if finding.resource else ""
    result = {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": {"text": f"{check}{finding.message}{subject}"},
        "locations": [location],
        "partialFingerprints": {
            "trustctlFinding/v1": f"{rule_id}|{finding.check_id}|{finding.urn or finding.message}"},
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": i, "message": {"text": r.message}, "physicalLocation": {
                "artifactLocation": {"uri": r.file}, "region": {"startLine": r.line}}}
            for i, r in enumerate(finding.related, start=1)]
    return result
