"""PRIVATE-NETWORK: S3 public access is blocked for the account and for every bucket."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check

FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@live_check(
    id="AUD_AWS_10", area="aws",
    name="S3 public access is blocked at account and bucket level",
    risk="A policy or ACL mistake publishes customer files to the internet.",
    remediation="Turn on all four Block Public Access settings for the account "
                "(aws s3control put-public-access-block) and for every bucket.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    with out.reading():
        account = aws.account_public_access_block() or {}
        out.facts["account"] = account
        off = [f for f in FLAGS if not account.get(f)]
        if off:
            out.fail("account", f"account-level block public access is off: {', '.join(off)}")
    for bucket in aws.buckets():
        with out.reading():
            block = bucket.get("public_access_block") or {}
            off = [f for f in FLAGS if not block.get(f)]
            if off:
                out.fail(bucket.name, f"block public access is off: {', '.join(off)}")
