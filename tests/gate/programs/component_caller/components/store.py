"""A private bucket encrypted under the key it is given (SSE-S3 without one)."""

import pulumi
import pulumi_aws as aws


class Store(pulumi.ComponentResource):
    def __init__(self, name: str, key: aws.kms.Key | None) -> None:
        super().__init__("acme:storage:Store", name)
        bucket = aws.s3.Bucket(name, opts=pulumi.ResourceOptions(parent=self))
        default = {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key else {
            "sse_algorithm": "AES256"}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": default}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-private", bucket=bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
