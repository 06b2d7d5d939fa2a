"""A report by control as a table (people), JSON (DESIGN.md contract) or JUnit XML (CI test tabs).

Shared by the gate and the audit (`report.tool` names which). Every format lists every
exception in force and every resource left unchecked; a control that could not be checked
shows what could not be read.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict

from trustctl.report.model import ControlReport
from trustctl.report.results import ControlResult, Finding, Status, exit_code


def where(finding: Finding) -> str:
    if finding.file is None:
        return ""
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def _located(finding: Finding, separator: str) -> str:
    """Check, resource and file:line, whichever the finding has (a missing declaration has none)."""
    return separator.join(p for p in (finding.check_id, finding.resource, where(finding)) if p)


def to_json(report: ControlReport) -> str:
    doc = {
        "tool": report.tool,
        "origin": report.origin,
        "exit_code": exit_code(report.controls),
        "resources_checked": report.checked,
        "controls": [_control_json(c, report.remediation) for c in report.controls],
        "advisories": [asdict(f) for f in report.advisories],
        "exceptions": [e.to_json() for e in report.exceptions],
        "excepted_findings": [
            {"control": x.control, "finding": asdict(x.finding), "exception": x.exception.to_json()}
            for x in report.excepted
        ],
        "unchecked": [{"urn": r.urn, "type": r.type, "name": r.name,
                       "reason": r.reason, "fails_closed": r.fails_closed}
                      for r in report.unchecked],
    }
    return json.dumps(doc, indent=2) + "\n"


def _control_json(control: ControlResult, remediation: dict[str, str]) -> dict:
    """The contract's control, each finding with what to do about it."""
    doc = control.to_json()
    for finding in doc["findings"]:
        finding["remediation"] = remediation.get(control.id)
    return doc


def _waiver(exception: dict) -> str:
    return (f"{exception['reason']} (owner {exception['owner']}, "
            f"expires {exception['expires']})")


def to_table(report: ControlReport) -> str:
    lines = [f"{report.tool}: {report.origin}: {report.checked} "
             f"{report.checked_what} checked, "
             f"{len(report.unchecked)} unchecked", "",
             f"{'CONTROL':<22}{'STATUS':<16}CHECKS"]
    lines += [f"{c.id:<22}{c.status:<16}{', '.join(c.checks) or '-'}"
              + (f"  (owned by {c.owned_by})" if c.owned_by else "") for c in report.controls]
    lines += [f"  {c.id} excepted: {_waiver(e)}" for c in report.controls
              if c.status == Status.EXCEPTED for e in c.exceptions]
    failing = [c for c in report.controls if c.status in (Status.FAIL, Status.ERROR)]
    if failing:
        lines += ["", "Findings:"]
    for control in failing:
        lines.append("")
        lines.append(f"{control.id}: {len(control.findings)} finding(s). "
                     + (f"Fix: {report.remediation.get(control.id, '-')}"
                        if control.status == Status.FAIL else "Could not be checked."))
        for f in control.findings:
            lines.append("  " + "  ".join(p for p in (control.id, _located(f, "  ")) if p))
            lines.append(f"      {f.message}")
            lines += [f"      {r.message}: {r.file}:{r.line}" for r in f.related]
            if f.urn:
                lines.append(f"      {f.urn}")
    lines += ["", f"Exceptions in force: {len(report.exceptions) or 'none'}"]
    lines += [f"  {e.control or '-'} {e.check or '-'} {e.resource}: {e.reason} "
              f"(owner {e.owner}, expires {e.expires.isoformat()})" for e in report.exceptions]
    lines += [f"  accepted: {x.control} {x.finding.check_id or '-'} on {x.finding.resource}"
              for x in report.excepted]
    if report.unchecked:
        lines += ["", "Unchecked (no translation; fails the gate closed when it may hold customer "
                      "data or open network paths):"]
        lines += [f"  {r.type}  {r.urn}  ({r.reason})"
                  for r in report.unchecked]
    if report.advisories:
        counts = Counter(f.check_id for f in report.advisories)
        lines += ["", f"Advisories (built-in checks outside any control, not failing): "
                      f"{len(report.advisories)} on {len(counts)} checks: "
                      + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items()))]
        for f in sorted(report.advisories, key=lambda f: (f.file or "", f.line or 0,
                                                          f.check_id or "", f.resource or "")):
            lines.append(f"  {_located(f, '  ')}")
            lines.append(f"      {f.message}")
    return "\n".join(lines) + "\n"


def to_junit(report: ControlReport) -> str:
    """One test case per control: fail -> <failure>, could not be checked -> <error>,
    not verified by this run -> <skipped>."""
    failures = sum(c.status == Status.FAIL for c in report.controls)
    errors = sum(c.status == Status.ERROR for c in report.controls)
    skipped = sum(c.status in (Status.NOT_APPLICABLE, Status.EXCEPTED) for c in report.controls)
    suite = ET.Element("testsuite", name=report.tool, tests=str(len(report.controls)),
                       failures=str(failures), errors=str(errors), skipped=str(skipped))
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="origin", value=report.origin)
    for e in report.exceptions:
        ET.SubElement(props, "property", name="exception", value=(
            f"{e.control or '-'} {e.check or '-'} {e.resource}: {e.reason} "
            f"(owner {e.owner}, expires {e.expires.isoformat()})"))
    for r in report.unchecked:
        ET.SubElement(props, "property", name="unchecked", value=f"{r.type} {r.urn}")
    for control in report.controls:
        case = ET.SubElement(suite, "testcase", classname="controls", name=control.id)
        if control.status in (Status.FAIL, Status.ERROR):
            tag = "failure" if control.status == Status.FAIL else "error"
            failure = ET.SubElement(case, tag, message=f"{len(control.findings)} finding(s)")
            failure.text = "\n".join(": ".join(p for p in (_located(f, " "), f.message) if p)
                                     for f in control.findings)
        elif control.status == Status.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", message=f"not verified by {report.tool}")
        elif control.status == Status.EXCEPTED:
            ET.SubElement(case, "skipped", message="excepted: " + "; ".join(
                _waiver(e) for e in control.exceptions))
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


_SUMMARY = ((Status.FAIL, "failed"), (Status.ERROR, "could not be checked"),
            (Status.PASS, "passed"), (Status.EXCEPTED, "excepted (not verified)"),
            (Status.ATTESTED, "attested"))


def summary(report: ControlReport) -> str:
    """One line for the end of a run: `2 failed · 11 passed · 6 not checked by the gate`."""
    counts = Counter(c.status for c in report.controls)
    parts = [f"{counts[status]} {label}" for status, label in _SUMMARY if counts[status]]
    if counts[Status.NOT_APPLICABLE]:
        by = report.tool.removeprefix("trustctl ")
        parts.append(f"{counts[Status.NOT_APPLICABLE]} not checked by the {by}")
    return " · ".join(parts or ["no controls"])
