"""CloudTrail: every API call, and every read and write of customer data and backups, logged."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from policy_documents import Statement, allow
from stack_config import StackConfig

from components.hardened_bucket import HardenedBucket, Retention


def trail_name(config: StackConfig) -> str:
    """The trail's name is fixed up front: the audit key's policy names the trail it serves."""
    return f"{config.name_prefix}-trail"


class AuditTrail(pulumi.ComponentResource):
    """A multi-region, validated, KMS-encrypted trail with S3 data events on customer data.

    Implements ACCESS-LOGGED: management events in every region (global services included),
    S3 object-level data events, reads and writes, for the customer-files bucket and the
    database backup bucket; log file integrity validation; logs encrypted with the audit key
    into an audit-log bucket that only CloudTrail writes to, kept `auditLogRetentionDays`.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        *,
        audit_key_arn: pulumi.Input[str],
        watched_buckets: list[aws.s3.Bucket],
        access_log_bucket: aws.s3.Bucket,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:audit:AuditTrail", name, None, opts)
        region, account = config.aws_region, config.aws_account_id
        arn = f"arn:aws:cloudtrail:{region}:{account}:trail/{trail_name(config)}"

        def cloudtrail_delivery(bucket_arn: pulumi.Output[str]) -> list[Statement]:
            only_this_trail = {"StringEquals": {"aws:SourceArn": arn}}
            return [
                allow("CloudTrailChecksBucketAcl", ["s3:GetBucketAcl"], bucket_arn,
                      Principal={"Service": "cloudtrail.amazonaws.com"},
                      Condition=only_this_trail),
                allow("CloudTrailWritesLogs", ["s3:PutObject"],
                      pulumi.Output.concat(bucket_arn, f"/AWSLogs/{account}/*"),
                      Principal={"Service": "cloudtrail.amazonaws.com"},
                      Condition={"StringEquals": {"aws:SourceArn": arn,
                                                  "s3:x-amz-acl": "bucket-owner-full-control"}}),
            ]

        # CloudTrail encrypts log files with the trail's key itself; its digest files are
        # SSE-S3, so this bucket cannot deny uploads that name another encryption.
        self.audit_logs = HardenedBucket(
            f"{config.name_prefix}-audit-logs",
            role="audit-logs",
            kms_key_arn=audit_key_arn,
            access_log_bucket=access_log_bucket,
            retention=Retention(days=config.audit_log_retention_days),
            extra_statements=cloudtrail_delivery,
            enforce_key_on_upload=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.trail = aws.cloudtrail.Trail(
            name,
            name=trail_name(config),
            s3_bucket_name=self.audit_logs.bucket.id,
            kms_key_id=audit_key_arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            event_selectors=[{
                "read_write_type": "All",
                "include_management_events": True,
                "data_resources": [{
                    "type": "AWS::S3::Object",
                    "values": [pulumi.Output.concat(b.arn, "/") for b in watched_buckets],
                }],
            }],
            # CloudTrail checks the bucket policy when the trail is created.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.audit_logs.policy]),
        )
        self.register_outputs({"trailArn": self.trail.arn})
