"""The pack's policies, made from the catalog: one stack policy per control the gate judges
over resources (named by the control's id, described by the page's promise, mandatory), and
three of the pack's own: excepted findings and advisories (advisory), and what could not be
decided, advisory at `pulumi preview` (a value unknown there is judged at the update) and
mandatory otherwise (at the update nothing is left to resolve: what the gate could not check
fails closed, as `trustctl gate` exits 2 for it).

Each is an ordinary Pulumi policy, so the pack's standard configuration sets its enforcement
(`{"ENC-AT-REST": "advisory", "WAF": "disabled", "trustctl-undecided": "mandatory"}` in a
policy config file, or `pulumi policy enable --config`). A control that is disabled is still
judged and recorded: only what the engine is told changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from trustctl.catalog import Control
from trustctl.gate.declarations import controls_with_requirements
from trustctl.pack.resources import as_state
from trustctl.pack.violations import ADVISORIES, EXCEPTED, UNDECIDED, Violation

Judge = Callable[[Sequence[dict[str, Any]]], list[Violation]]
_OWN = {
    EXCEPTED: "A finding accepted by a reviewed exception in force (policies/exceptions.yaml): "
              "reported with the exception's reason, owner and expiry, never failing.",
    ADVISORIES: "A failed built-in checkov check that no control of the security page lists.",
    UNDECIDED: "Something the gate could not decide: a verdict resting on a value unknown "
               "until the resources exist, a resource of a type it cannot check, or a record "
               "it could not write.",
}


def gated(catalog: tuple[Control, ...]) -> list[Control]:
    """The controls the gate judges over a stack's resources alone (not those judged on the
    repository's files, nor those only audited, drilled or attested)."""
    required = controls_with_requirements(catalog)
    return [c for c in catalog if (c.verification.static or c.id in required)
            and not c.verification.repository]


def pack_policies(catalog: tuple[Control, ...], judge: Judge, *,
                  previewing: bool) -> list[StackValidationPolicy]:
    """Every policy of the pack, each reporting its share of one judgment; `previewing`: the
    engine runs `pulumi preview` (what could not be decided is then advisory)."""
    levels = {EXCEPTED: EnforcementLevel.ADVISORY, ADVISORIES: EnforcementLevel.ADVISORY,
              UNDECIDED: EnforcementLevel.ADVISORY if previewing else EnforcementLevel.MANDATORY}
    controls = [StackValidationPolicy(
        name=c.id, description=f"{c.title}: \"{c.promise.strip()}\"",
        validate=_reporter(c.id, judge), enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity(c.severity), remediation_steps=c.remediation.strip(),
        framework=PolicyComplianceFramework(name="SOC 2", reference=", ".join(c.soc2)),
        display_name=c.title, tags=["security-page", *c.soc2])
        for c in gated(catalog)]
    return controls + [StackValidationPolicy(
        name=name, description=description, validate=_reporter(name, judge),
        enforcement_level=levels[name]) for name, description in _OWN.items()]


def _reporter(name: str, judge: Judge) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for violation in judge([as_state(r) for r in args.resources]):
            if violation.policy == name:
                report_violation(violation.message, violation.urn)
    return validate
