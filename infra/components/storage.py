"""Customer file storage, and the bucket that receives every bucket's access logs."""

from __future__ import annotations

import pulumi
from stack_config import StackConfig

from components.hardened_bucket import HardenedBucket, Retention, log_delivery


class Storage(pulumi.ComponentResource):
    """Customer files in S3, encrypted with the customer data key, every request access-logged.

    Implements ENC-AT-REST (customer files: SSE-KMS with the customer-managed data key) and
    supports ACCESS-LOGGED (S3 server access logs for every bucket land in the access-log
    bucket; CloudTrail data events are declared by AuditTrail).

    The access-log bucket does not log its own access: logging a bucket into itself creates
    a log record per log delivery, forever; AWS advises against it. It is encrypted with
    SSE-S3 (AES-256) because S3 server access logging cannot write to an SSE-KMS bucket, and
    it holds request metadata, not customer data.
    """

    def __init__(
        self,
        name: str,
        config: StackConfig,
        data_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("trustctl:storage:Storage", name, None, opts)
        prefix = config.name_prefix

        self.access_logs = HardenedBucket(
            f"{prefix}-access-logs",
            role="access-logs",
            kms_key_arn=None,
            access_log_bucket=None,
            retention=Retention(days=config.audit_log_retention_days),
            extra_statements=log_delivery(config.aws_account_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.customer_files = HardenedBucket(
            f"{prefix}-customer-files",
            role="customer-data",
            kms_key_arn=data_key_arn,
            access_log_bucket=self.access_logs.bucket,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({
            "customerFilesBucket": self.customer_files.bucket.id,
            "accessLogBucket": self.access_logs.bucket.id,
        })
