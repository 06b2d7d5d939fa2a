"""checkov results -> one result per control of the catalog, with exceptions applied.

A control with static checks (or required resources) passes only when nothing failed, what it
requires is declared, and at least one of its checks ran on a resource, unless it is satisfied
by design when nothing relevant is declared (VACUOUS_BY_DESIGN). Given the repository's
workflows, a control with a `schedule` also needs a job that runs its command that often (when
the estate declares what its `when_declared` names: a database AWS Backup does not cover).
Built-in checks that no control lists are advisories: reported, never failing the gate.
Controls the gate does not verify (live, drill, attested only) are `not_applicable` here, and so
are controls another stack owns (gate/ownership.py), unless a check of theirs failed here.
A finding of a project check says how the roles it read (backup key, public subnet...) were
decided: by the program's tag or from the resource graph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from trustctl.catalog import Control
from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.declarations import controls_with_requirements, missing_by_control
from trustctl.gate.exceptions import Waiver
from trustctl.gate.locations import locate
from trustctl.gate.roles import neighbours
from trustctl.gate.schedules import CHECK_ID as SCHEDULE_CHECK
from trustctl.gate.schedules import Workflows, schedule_findings
from trustctl.gate.translate import TfPlan
from trustctl.gate.unchecked import unchecked_risk
from trustctl.plan.model import PlannedResource
from trustctl.report.model import ControlReport, Excepted, UncheckedResource
from trustctl.report.results import ControlResult, Finding, Status
from trustctl.roles.rules import ROLE_TAGS

_IDENTIFIER = re.compile(r"(^|_)(ids?|arns?|ami)$")
MISSING = "required resource missing"
VACUOUS_BY_DESIGN = {
    "NO-PUBLIC-DB": "no database declared, so none is reachable from the internet",
}


def evaluate(
    catalog: tuple[Control, ...], origin: str, plan: TfPlan, results: list[CheckResult],
    exceptions: list[Waiver], today: dt.date, workflows: Workflows | None = None,
    owned_elsewhere: Mapping[str, str] | None = None,
) -> ControlReport:
    """`owned_elsewhere`: control id -> the stack that owns it; nothing is required of it here.
    `exceptions` were validated when read (gate/exceptions.py, gate/waiver_rules.py)."""
    report = ControlReport(
        tool="trustctl gate", origin=origin, controls=[],
        exceptions=[e for e in exceptions if e.lapse(today) is None],
        unchecked=[_unchecked(r) for r in plan.unchecked + plan.skipped_inert],
        checked=len(plan.resources),
        remediation={c.id: c.remediation for c in catalog},
        roles={plan.resources[address].urn: role.as_fact()
               for address, role in plan.roles.items() if address in plan.resources},
    )
    missing = missing_by_control(plan.document["planned_values"]["root_module"]["resources"],
                                 catalog)
    required = controls_with_requirements(catalog)
    declared_types = {r["type"] for r in plan.document["planned_values"]["root_module"][
        "resources"]}
    for control in catalog:
        owner = (owned_elsewhere or {}).get(control.id)
        schedule = control.verification.schedule if workflows is not None else None
        if schedule is not None and not schedule.applies_to(declared_types):
            schedule = None
        if (not control.verification.static and control.id not in required and not schedule) or (
                control.verification.repository and workflows is None):
            report.controls.append(ControlResult(control.id, Status.NOT_APPLICABLE))
            continue
        if owner is not None:
            report.controls.append(_owned_elsewhere(control, owner, plan, results, exceptions,
                                                    today, report.excepted))
            continue
        findings = [Finding(f"{MISSING}: {what}")
                    for what in missing.get(control.id, [])]
        if schedule is not None and workflows is not None:
            findings += schedule_findings(schedule, workflows)
        findings += _absent_from_repository(control, results, workflows)
        result = _control(control, plan, results, exceptions, today, findings, report.excepted)
        if schedule is not None:
            result.checks.append(SCHEDULE_CHECK)
        report.controls.append(result)
    listed = _listed_checks(catalog)
    report.advisories = [_finding(r, plan) for r in results
                         if not r.passed and r.check_id not in listed]
    return report


def _unchecked(resource: PlannedResource) -> UncheckedResource:
    risk = unchecked_risk(resource.type)
    return UncheckedResource(resource.urn, resource.type, resource.name, risk.reason,
                             risk.fails_closed)


def _listed_checks(catalog: tuple[Control, ...]) -> set[str]:
    return {c for control in catalog for c in control.verification.static}


def _control(
    control: Control, plan: TfPlan, results: list[CheckResult], exceptions: list[Waiver],
    today: dt.date, findings: list[Finding], excepted: list[Excepted], required: bool = True,
) -> ControlResult:
    """`required`: some check must have applied (false for a control another stack owns)."""
    checks = list(control.verification.static)
    ran = [r for r in results if r.check_id in checks]
    unknown = [f for f in (_unknown_at_plan_time(r, plan) for r in ran) if f is not None]
    judged = {(f.check_id, f.urn) for f in unknown}
    accepted_here: list[Waiver] = []
    for result in (r for r in ran if not r.passed and (r.check_id, _urn(r, plan)) not in judged):
        finding = _finding(result, plan)
        accepted = next((e for e in exceptions if e.lapse(today) is None and e.covers(
            control.id, result.check_id, finding.urn, finding.resource)), None)
        if accepted is None:
            findings.append(finding)
        else:
            excepted.append(Excepted(control.id, finding, accepted))
            accepted_here += [accepted] if accepted not in accepted_here else []
    findings += [_lapsed(e, today) for e in exceptions if e.lapse(today) is not None and (
        e.control == control.id or (e.control is None and e.check in checks))]
    if required and not findings and checks and not ran and control.id not in VACUOUS_BY_DESIGN:
        findings.append(Finding(f"none of its checks ({', '.join(checks)}) applied to any "
                                "declared resource"))
    # a waiver whose rules could not all be checked accepts, but nothing it accepts is verified
    unknown += [_not_checked(e) for e in accepted_here if e.unchecked is not None]
    if findings:
        return ControlResult(control.id, Status.FAIL, findings + unknown, checks)
    if unknown:
        return ControlResult(control.id, Status.ERROR, unknown, checks)
    if accepted_here:  # it fails as declared: accepted for a while, never verified
        return ControlResult(control.id, Status.EXCEPTED, [], checks,
                             exceptions=[e.to_json() for e in accepted_here])
    return ControlResult(control.id, Status.PASS, [], checks)


def _owned_elsewhere(
    control: Control, owner: str, plan: TfPlan, results: list[CheckResult],
    exceptions: list[Waiver], today: dt.date, excepted: list[Excepted],
) -> ControlResult:
    """Another stack keeps the control: nothing is required here, but what is declared here is
    still judged, so a failed check fails the control (disowning never hides a finding)."""
    result = _control(control, plan, results, exceptions, today, [], excepted, required=False)
    if result.status == Status.PASS:
        return ControlResult(control.id, Status.NOT_APPLICABLE, [], result.checks,
                             owned_by=owner)
    result.owned_by = owner
    return result


def _absent_from_repository(control: Control, results: list[CheckResult],
                            workflows: Workflows | None) -> list[Finding]:
    """A repository check that applied to no file: what the repository lacks altogether (one
    that failed somewhere is reported by that failure)."""
    if workflows is None:
        return []
    applied = {r.check_id for r in results}
    return [Finding(f"nothing in {workflows.repository} does this ({check}): {what}",
                    check_id=check)
            for check, what in control.verification.repository.items() if check not in applied]


def _urn(result: CheckResult, plan: TfPlan) -> str | None:
    resource = plan.resources.get(result.address)
    return resource.urn if resource else None


def _attribute(path: str) -> tuple[str, ...]:
    """`ingress/[0]/cidr_blocks` or `ingress.0.cidr_blocks.0` -> ("ingress", "cidr_blocks")."""
    parts = path.replace("/", ".").split(".")
    return tuple(p for p in parts if p and not p.strip("[]").isdigit())


def _rests_on(result: CheckResult, unknown: tuple[str, ...]) -> bool:
    """Whether the check's verdict may rest on the unknown attribute. A failure must have looked
    at it (or inside it): a finding is never hidden. A pass that names nothing it looked at may
    have read it: the gate cannot tell, so it does not claim the pass."""
    keys = [k for k in (_attribute(key) for key in result.evaluated_keys) if k]
    if not result.passed:
        return any(k[:len(unknown)] == unknown for k in keys)
    if not keys:  # an unknown id or ARN (which VPC, which key) does not turn a fail into a pass
        return not _IDENTIFIER.search(unknown[-1])
    return any(k[:len(unknown)] == unknown or unknown[:len(k)] == k for k in keys)


def _unknown_at_plan_time(result: CheckResult, plan: TfPlan) -> Finding | None:
    """A check whose verdict rests on a value only the cloud knows (a data source, an existing
    resource, another stack's output) would judge a placeholder: it says so instead. A value
    only partly unknown (a document built around a placeholder) was read: its failures stand,
    a pass resting on it says so."""
    by_origin: dict[str, list[str]] = {}
    # a failure read from what is known of a partly known value stands: it is a finding
    partly = {} if not result.passed else plan.partly_known.get(result.address) or {}
    for path, origin in [*(plan.unknowns.get(result.address) or {}).items(), *partly.items()]:
        if _rests_on(result, _attribute(path)):
            by_origin.setdefault(origin, []).append(".".join(_attribute(path)))
    if not by_origin:
        return None
    finding = _finding(result, plan)
    finding.unknown_from = "; ".join(
        f"{', '.join(sorted(paths))} from {origin}" for origin, paths in by_origin.items())
    finding.message = f"{result.check_name}: unknown at plan time ({finding.unknown_from})"
    return finding


def _what(result: CheckResult) -> str:
    """The check's name, and what is wrong: a project check says it; a built-in names the
    attributes it evaluated."""
    if result.details:
        return f"{result.check_name}: {'; '.join(result.details)}"
    if result.evaluated_keys:
        return f"{result.check_name} (evaluated: {', '.join(sorted(result.evaluated_keys))})"
    return result.check_name


def _roles(result: CheckResult, plan: TfPlan) -> str:
    """How the roles a project check read were decided (tag or graph): the resource's own, and
    those of the resources it references when the check read their role tags (a graph check
    names them in its evaluated keys). Built-in checks read no role."""
    if not result.check_id.startswith("CKV_TRUST_"):
        return ""
    reads_roles = any(tag in key for key in result.evaluated_keys for tag in ROLE_TAGS)
    addresses = [result.address]
    if reads_roles:
        addresses += neighbours(plan.document, result.address)
    said = [f"{plan.resources[a].name}: {plan.roles[a].describe()}"
            for a in addresses if a in plan.roles and a in plan.resources]
    return f" [{'; '.join(said)}]" if said else ""


def _finding(result: CheckResult, plan: TfPlan) -> Finding:
    """A failed check as a finding on the Pulumi resource, where its program declared it."""
    resource = plan.resources.get(result.address)
    message = _what(result)
    where, related = locate(resource, result.evaluated_keys, message) if resource else (None, [])
    return Finding(
        message=message + _roles(result, plan),
        check_id=result.check_id,
        resource=resource.name if resource else result.address,
        urn=resource.urn if resource else None,
        file=where.file if where else result.file,
        line=where.line if where else result.line,
        related=related,
    )


def _not_checked(exc: Waiver) -> Finding:
    """A waiver in force whose rules could not all be checked: said where it is written."""
    return Finding(message=f"waiver not checked ({exc.where}): {exc.unchecked}",
                   check_id=exc.check, resource=exc.resource, file=exc.file, line=exc.line)


def _lapsed(exc: Waiver, today: dt.date) -> Finding:
    """An exception expired or refused: it accepts nothing and says so where it is written."""
    return Finding(message=exc.lapse(today) or "", check_id=exc.check, resource=exc.resource,
                   file=exc.file, line=exc.line)
