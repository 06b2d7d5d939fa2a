"""RESTORE-DRILL: AWS Backup restore testing rehearses the file storage's restores."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_24", area="aws",
    name="An AWS Backup restore-testing plan exists",
    risk="File-storage backups are never restored, so nobody knows that they can be.",
    remediation="Create a restore testing plan with a selection of the file-storage "
                "recovery points (infra/components/backups.py declares one: pulumi up).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    plans = aws.restore_testing_plans()
    out.facts["plans"] = [p.get("RestoreTestingPlanName") for p in plans]
    if not plans:
        out.fail(None, "no restore testing plan")
