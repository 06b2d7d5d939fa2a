"""BACKUP-DAILY-35D: every bucket keeps versions, so an overwrite or delete can be undone."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_12", area="aws",
    name="S3 buckets have versioning enabled",
    risk="An overwritten or deleted file cannot be recovered between backups.",
    remediation="aws s3api put-bucket-versioning --versioning-configuration Status=Enabled.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    for bucket in aws.buckets():
        with out.reading():
            status = bucket.get("versioning")
            if status != "Enabled":
                out.fail(bucket.name, f"versioning is {status or 'never enabled'}")
