"""The compliant program passes every static control; each mutation makes its control fail.

Real planner (Pulumi mock runtime), real translation, real checkov with the project's checks.
"""

from __future__ import annotations

import pytest
from gate_support import PROGRAM, Checked, mutations

from trustctl.catalog import load_catalog
from trustctl.gate.declarations import controls_with_requirements
from trustctl.report.results import Status, exit_code


def _static_controls() -> list[str]:
    """Controls judged on a plan (CHANGE-CONTROL is judged on the repository)."""
    required = controls_with_requirements()
    return [c.id for c in load_catalog()
            if (c.verification.static or c.id in required) and not c.verification.repository]


def test_compliant_program_passes_every_static_control(checked: dict[str, Checked]) -> None:
    report = checked["mutation:none"].report()
    status = {c.id: c.status for c in report.controls}
    assert {c: status[c] for c in _static_controls()} == dict.fromkeys(_static_controls(),
                                                                       Status.PASS)
    assert exit_code(report.controls) == 0
    assert report.unchecked == []


def test_every_static_control_has_two_mutations() -> None:
    broken = list(mutations().values())
    assert {c: broken.count(c) for c in _static_controls() if broken.count(c) < 2} == {}


@pytest.mark.parametrize("mutation", [m for m, c in mutations().items() if c])
def test_mutation_fails_its_control(checked: dict[str, Checked], mutation: str) -> None:
    control_id = mutations()[mutation]
    report = checked[f"mutation:{mutation}"].report()
    control = next(c for c in report.controls if c.id == control_id)
    assert control.status == Status.FAIL
    assert exit_code(report.controls) == 1
    for finding in control.findings:
        if finding.check_id is None:  # a required declaration is missing: nothing to point at
            assert finding.message.startswith("required resource missing")
            continue
        assert finding.check_id in control.checks
        assert finding.urn and finding.urn.startswith("urn:pulumi:test::gate-compliant::")
        assert (finding.file, finding.resource) == ("__main__.py", finding.urn.split("::")[-1])
        assert finding.line and finding.line > 0


def test_finding_points_at_the_declaring_line(checked: dict[str, Checked]) -> None:
    report = checked["mutation:kms-no-rotation"].report()
    finding = next(f for c in report.controls for f in c.findings if f.check_id == "CKV_AWS_7")
    assert finding.resource == "data-key" and finding.file and finding.line
    declared = (PROGRAM / finding.file).read_text().splitlines()[finding.line - 1]
    assert "aws.kms.Key(" in declared


def test_ssh_open_to_the_world_breaks_private_network_not_no_public_db(
        checked: dict[str, Checked]) -> None:
    report = checked["mutation:sg-ssh-open"].report()
    status = {c.id: c.status for c in report.controls}
    assert (status["PRIVATE-NETWORK"], status["NO-PUBLIC-DB"]) == (Status.FAIL, Status.PASS)
    network = next(c for c in report.controls if c.id == "PRIVATE-NETWORK")
    assert [(f.check_id, f.resource) for f in network.findings] == [
        ("CKV_AWS_24", "ssh-from-anywhere")]


# The breaks of the scheduled jobs' identities and the Supabase project, and the check that
# catches each (with the line the gate prints).
JOB_BREAKS = {
    "github-any-repository": ("CKV_TRUST_33", "any repository on GitHub may assume it"),
    "github-any-branch": ("CKV_TRUST_33", "admits the wildcard subject 'repo:claver/trustctl:*'"),
    "github-wildcard-subject": ("CKV_TRUST_33", "admits the wildcard subject 'repo:*'"),
    "audit-job-writes": ("CKV_TRUST_35", "allows s3:PutObject, which is not read-only"),
    "audit-job-inline-policy": ("CKV_TRUST_37", "has no inline policy"),
    "backup-job-deletes": ("CKV_TRUST_34", "also s3:DeleteObjectVersion"),
    "supabase-open": ("CKV_TRUST_36", "0.0.0.0/0 admits the whole internet"),
}


@pytest.mark.parametrize("mutation", sorted(JOB_BREAKS))
def test_job_identity_breaks_are_caught_by_their_check(checked: dict[str, Checked],
                                                       mutation: str) -> None:
    check_id, says = JOB_BREAKS[mutation]
    report = checked[f"mutation:{mutation}"].report()
    control = next(c for c in report.controls if c.id == mutations()[mutation])
    assert {f.check_id for f in control.findings} == {check_id}
    assert says in control.findings[0].message
