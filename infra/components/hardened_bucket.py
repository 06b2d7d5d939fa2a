"""The one way this program makes an S3 bucket: private, versioned, encrypted, TLS-only, logged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, allow, deny, document

from trustctl.catalog import page_figures

# What the bucket is for; the gate's checks find the backup bucket by `trustctl:role=backup`.
ROLE_TAG = "trustctl:role"
# Statements a caller adds to the bucket policy, given the bucket's ARN (e.g. CloudTrail's).
ExtraStatements = Callable[[pulumi.Output[str]], list[Statement]]


@dataclass(frozen=True)
class Retention:
    """How long objects are kept: expired after `days`; `locked` = S3 Object Lock COMPLIANCE.

    In compliance mode nobody, the root user included, can delete or shorten the retention
    of an object version before `days` have passed.
    """

    days: int
    locked: bool = False


class HardenedBucket(pulumi.ComponentResource):
    """A bucket that cannot be made public, read over plain HTTP or written unencrypted.

    Keeps, for every bucket of the program: ENC-AT-REST (default SSE-KMS with a customer-managed
    key and S3 Bucket Keys; uploads naming another key or algorithm are denied), ACCESS-LOGGED
    (S3 server access logs to the access-log bucket), and BACKUP-DAILY-35D when given a locked
    retention (Object Lock COMPLIANCE + lifecycle of exactly `days`). All four public-access
    blocks, versioning, BucketOwnerEnforced (no ACLs) and a deny on aws:SecureTransport=false.

    `region` places the bucket outside aws:region (the recovery region's copies); its access
    log bucket must then be in that region too (S3 delivers access logs within a region).

    `kms_key_arn=None` is SSE-S3 (AES-256 with S3-managed keys), reserved for the access-log
    bucket: S3 server access logging cannot deliver to an SSE-KMS bucket.
    """

    def __init__(
        self,
        name: str,
        *,
        role: str,
        kms_key_arn: pulumi.Input[str] | None,
        access_log_bucket: aws.s3.Bucket | None,
        retention: Retention | None = None,
        extra_statements: ExtraStatements | None = None,
        enforce_key_on_upload: bool = True,
        region: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:storage:HardenedBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        locked = retention is not None and retention.locked
        self._region = region

        self.bucket = aws.s3.Bucket(
            name, bucket_prefix=f"{name}-", object_lock_enabled=locked, force_destroy=False,
            tags={ROLE_TAG: role}, region=region, opts=child,
        )
        bucket_id = self.bucket.id
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block",
            region=region,
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            region=region,
            bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            region=region,
            bucket=bucket_id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            region=region,
            bucket=bucket_id,
            rules=[_encryption_rule(kms_key_arn)],
            opts=child,
        )
        if access_log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-access-logging",
                region=region,
                bucket=bucket_id,
                target_bucket=access_log_bucket.id,
                target_prefix=f"{name}/",
                opts=child,
            )
        if retention is not None:
            self._retain(name, retention)

        statements = [_deny_plain_http(self.bucket.arn)]
        if kms_key_arn is not None and enforce_key_on_upload:
            statements += _deny_other_encryption(self.bucket.arn, kms_key_arn)
        if extra_statements is not None:
            statements += extra_statements(self.bucket.arn)
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            region=region,
            bucket=bucket_id,
            policy=document(*statements),
            # S3 refuses policy changes while the public access block is being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.register_outputs({"bucketName": bucket_id, "bucketArn": self.bucket.arn})

    def _retain(self, name: str, retention: Retention) -> None:
        """Expire every version after exactly `days`; with `locked`, nothing goes sooner.

        One rule: an Expiration in days also removes expired object delete markers, and S3
        refuses ExpiredObjectDeleteMarker next to Days in the same rule.
        """
        child = pulumi.ResourceOptions(parent=self, depends_on=[self.versioning])
        if retention.locked:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                region=self._region,
                bucket=self.bucket.id,
                object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": page_figures().backup_lock_mode,
                                            "days": retention.days}},
                opts=child,
            )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            region=self._region,
            bucket=self.bucket.id,
            rules=[
                {
                    "id": f"expire-after-{retention.days}-days",
                    "status": "Enabled",
                    "filter": {},
                    "expiration": {"days": retention.days},
                    "noncurrent_version_expiration": {"noncurrent_days": retention.days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
                },
            ],
            opts=child,
        )


def log_delivery(account: str) -> ExtraStatements:
    """The access-log bucket's extra statement: S3 server access logging of this account."""

    def statements(bucket_arn: pulumi.Output[str]) -> list[Statement]:
        return [allow(
            "S3ServerAccessLogDelivery", ["s3:PutObject"],
            pulumi.Output.concat(bucket_arn, "/*"),
            Principal={"Service": "logging.s3.amazonaws.com"},
            Condition={"StringEquals": {"aws:SourceAccount": account}},
        )]

    return statements


def _encryption_rule(kms_key_arn: pulumi.Input[str] | None) -> dict:
    if kms_key_arn is None:
        return {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
    return {
        "apply_server_side_encryption_by_default": {
            "sse_algorithm": "aws:kms",
            "kms_master_key_id": kms_key_arn,
        },
        "bucket_key_enabled": True,
    }


def _deny_plain_http(bucket_arn: pulumi.Output[str]) -> Statement:
    return deny(
        "DenyInsecureTransport", ["s3:*"], [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}},
    )


def _deny_other_encryption(
    bucket_arn: pulumi.Output[str], kms_key_arn: pulumi.Input[str]
) -> list[Statement]:
    """Uploads may rely on the default encryption, but may not ask for another algorithm or key."""
    objects = pulumi.Output.concat(bucket_arn, "/*")
    return [
        deny("DenyUploadsNotSseKms", ["s3:PutObject"], objects, Principal="*",
             Condition={"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}),
        deny("DenyUploadsWithAnotherKey", ["s3:PutObject"], objects, Principal="*",
             Condition={"StringNotEqualsIfExists": {
                 "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key_arn}}),
    ]
