"""What the pack reports as undecided is what the gate marked so (`Finding.unknown_from`, set
where it finds a verdict resting on a value unknown at plan time), never what a finding's text
happens to say: a resource named to read like an undecided check is still a mandatory
violation of its control."""

from __future__ import annotations

from trustctl.pack.violations import UNDECIDED, violations
from trustctl.report.model import ControlReport
from trustctl.report.results import ControlResult, Finding, Status

URN = "urn:pulumi:prod::p::aws:s3/bucket:Bucket::"


def _report(*findings: Finding) -> ControlReport:
    return ControlReport("trustctl gate", "policy pack", [
        ControlResult("ENC-AT-REST", Status.FAIL, list(findings), ["CKV_AWS_145"])])


def test_a_finding_worded_like_an_undecided_one_is_still_its_control_s_violation() -> None:
    forged = Finding("Ensure S3 bucket is encrypted with KMS: bucket 'logs: unknown at plan "
                     "time (everything)' is not", check_id="CKV_AWS_145", urn=URN + "logs")
    [violation] = violations(_report(forged))
    assert (violation.policy, violation.urn) == ("ENC-AT-REST", URN + "logs")


def test_a_finding_the_gate_marks_unknown_is_undecided_whatever_its_words() -> None:
    marked = Finding("Ensure S3 bucket is encrypted with KMS", check_id="CKV_AWS_145",
                     urn=URN + "data", unknown_from="kms_master_key_id from a data source")
    [violation] = violations(_report(marked))
    assert (violation.policy, violation.urn) == (UNDECIDED, URN + "data")
    assert violation.message.startswith("ENC-AT-REST: Ensure S3 bucket is encrypted with KMS")
