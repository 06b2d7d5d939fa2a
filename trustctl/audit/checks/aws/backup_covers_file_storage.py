"""BACKUP-DAILY-35D: a backup plan's selection covers every file-storage bucket."""

from fnmatch import fnmatch

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import ROLE, none_decided


@live_check(
    id="AUD_AWS_22", area="aws",
    name="An AWS Backup selection covers every file-storage (customer-data) bucket",
    risk="The daily plan exists but backs up nothing the customers stored.",
    remediation="Add the bucket ARN (arn:aws:s3:::<bucket>) to a selection of the daily "
                "plan (aws backup create-backup-selection).",
)
def check(aws: AwsReader, out: Outcome) -> None:
    selections = aws.backup_selections()
    buckets = [b.name for b in aws.buckets_with_role("customer-data")]
    out.facts.update(selections=[{"plan": s["plan"], "resources": s.get("Resources", []),
                                  "not_resources": s.get("NotResources", [])}
                                 for s in selections], buckets=buckets)
    if not buckets:
        out.fail(None, none_decided("bucket", ROLE, "customer-data"))
    for bucket in buckets:
        arn = f"arn:aws:s3:::{bucket}"
        if not any(_covers(s, arn) for s in selections):
            out.fail(bucket, "no backup selection covers it")


def _covers(selection: dict, arn: str) -> bool:
    if any(fnmatch(arn, pattern) for pattern in selection.get("NotResources") or []):
        return False
    return any(fnmatch(arn, pattern) for pattern in selection.get("Resources") or [])
