"""TLS-MIN: every bucket's policy denies requests that do not use TLS."""

from typing import Any

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check


@live_check(
    id="AUD_AWS_11", area="aws",
    name="S3 bucket policies deny plain-HTTP requests",
    risk="Objects can be read or written over unencrypted HTTP.",
    remediation='Add a Deny statement for "s3:*" on the bucket and its objects with '
                'Condition {"Bool": {"aws:SecureTransport": "false"}}.',
)
def check(aws: AwsReader, out: Outcome) -> None:
    for bucket in aws.buckets():
        with out.reading():
            policy = bucket.get("policy") or {}
            if not any(_denies_plain_http(s) for s in _statements(policy)):
                out.fail(bucket.name, "no policy statement denies aws:SecureTransport=false")


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _denies_plain_http(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    actions = statement.get("Action", [])
    actions = actions if isinstance(actions, list) else [actions]
    if not {"s3:*", "*"} & set(actions):
        return False
    secure = statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
    return str(secure).lower() == "false"
