"""ENC-AT-REST: every bucket encrypts by default with SSE-KMS under a customer-managed key."""

from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import Outcome, live_check
from trustctl.roles.rules import ACCESS_LOGS, ROLE


@live_check(
    id="AUD_AWS_2", area="aws",
    name="S3 buckets default to SSE-KMS under a customer-managed key",
    risk="Files are stored under AWS-owned or no keys we control, rotate or can revoke.",
    remediation="Set default encryption aws:kms with a customer-managed key ARN "
                "(aws s3api put-bucket-encryption) on every bucket but the access-log bucket.",
)
def check(aws: AwsReader, out: Outcome) -> None:
    customer_keys = {k.name for k in aws.kms_keys()
                     if k.facts.get("metadata", {}).get("KeyManager") == "CUSTOMER"}
    ids = {arn.rsplit("/", 1)[-1]: arn for arn in customer_keys}
    buckets = aws.buckets()
    for bucket in buckets:
        with out.reading():
            rules = (bucket.get("encryption") or {}).get("Rules", [])
            default = next((r["ApplyServerSideEncryptionByDefault"] for r in rules
                            if "ApplyServerSideEncryptionByDefault" in r), None)
            role = aws.role_of(bucket.name, ROLE)
            if role is not None and role.value == ACCESS_LOGS and default:
                continue  # S3 server access logs accept only SSE-S3 (AES256)
            if default is None or not default.get("SSEAlgorithm", "").startswith("aws:kms"):
                algorithm = default.get("SSEAlgorithm") if default else "none"
                out.fail(bucket.name, f"default encryption is {algorithm}, not SSE-KMS")
                continue
            key = default.get("KMSMasterKeyID") or ""
            if key not in customer_keys and key not in ids and not _other_region_key(aws, key):
                out.fail(bucket.name, f"SSE-KMS key {key or 'aws/s3'} is not a customer-managed "
                                      "key of this account")
    out.facts["buckets"] = len(buckets)


def _other_region_key(aws: AwsReader, key: str) -> bool:
    """A customer-managed key of this account in another region (the recovery region's replica
    bucket's key), read in its own region: the audited region's key list does not hold it."""
    parts = key.split(":")
    if len(parts) < 6 or parts[2] != "kms" or parts[3] == aws.settings.region:
        return False
    return (parts[4] == aws.account_id()
            and aws.key_in_its_region(key).get("KeyManager") == "CUSTOMER")
