"""Pass means checked: a control passes only when its checks ran, unless it holds by design."""

from __future__ import annotations

from gate_support import TODAY, Checked

from trustctl.catalog import load_catalog
from trustctl.gate.evaluate import evaluate
from trustctl.gate.sources import Declared
from trustctl.gate.translate import translate
from trustctl.plan.model import Plan, PlannedResource
from trustctl.report.results import Status


def test_a_control_whose_checks_never_ran_fails(checked: dict[str, Checked]) -> None:
    """The data-stores fixture declares no IAM at all: STAFF-ACCESS was not checked."""
    report = checked["fixture:state"].report(today=TODAY)
    staff = next(c for c in report.controls if c.id == "STAFF-ACCESS")
    assert staff.status == Status.FAIL
    assert staff.findings[0].message.startswith("none of its checks (")


def test_no_database_means_no_public_database() -> None:
    """NO-PUBLIC-DB holds by design when nothing it guards is declared; a lone KMS key is
    nothing any of its checks applies to."""
    key = PlannedResource(urn="urn:pulumi:prod::p::aws:kms/key:Key::k", type="aws:kms/key:Key",
                          name="k", inputs={"enableKeyRotation": True})
    plan = translate(Declared(Plan([key]), "a lone key"))
    report = evaluate(load_catalog(), "a lone key", plan, [], [], TODAY)
    status = {c.id: c.status for c in report.controls}
    assert status["NO-PUBLIC-DB"] == Status.PASS
    assert status["STAFF-ACCESS"] == Status.FAIL  # not vacuous: its checks must run


def test_controls_the_gate_does_not_verify_are_not_applicable(
        checked: dict[str, Checked]) -> None:
    report = checked["mutation:none"].report()
    status = {c.id: c.status for c in report.controls}
    for control_id in ("TENANT-ISOLATION", "RESTORE-DRILL", "ACCESS-REVIEW", "INCIDENT-72H"):
        assert status[control_id] == Status.NOT_APPLICABLE


def test_advisories_never_fail_the_gate(checked: dict[str, Checked]) -> None:
    report = checked["mutation:none"].report()
    assert report.advisories  # built-in checks outside any control did fail...
    assert all(c.status != Status.FAIL for c in report.controls)  # ...and nothing failed
