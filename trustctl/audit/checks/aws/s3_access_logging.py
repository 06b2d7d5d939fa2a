"""ACCESS-LOGGED: every bucket but the log bucket writes server access logs."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_13", area="aws",
    name="S3 buckets write server access logs",
    risk="Requests to a bucket leave no access log to investigate.",
    remediation="aws s3api put-bucket-logging with TargetBucket the bucket tagged "
                "trustctl:role=access-logs.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    for bucket in aws.buckets():
        if bucket.tag("trustctl:role") == "access-logs":
            continue
        with out.reading():
            if not bucket.get("logging"):
                out.fail(bucket.name, "server access logging is off")
