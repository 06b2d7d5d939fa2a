"""ACCESS-LOGGED: every bucket but the log bucket writes server access logs."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import ACCESS_LOGS, ROLE


@live_check(
    id="AUD_AWS_13", area="aws",
    name="S3 buckets write server access logs",
    risk="Requests to a bucket leave no access log to investigate.",
    remediation="aws s3api put-bucket-logging with TargetBucket the access-log bucket.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    for bucket in aws.buckets():
        role = aws.role_of(bucket.name, ROLE)
        if role is not None and role.value == ACCESS_LOGS:
            continue
        with out.reading():
            if not bucket.get("logging"):
                out.fail(bucket.name, "server access logging is off")
