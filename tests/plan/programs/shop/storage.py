"""A component: a bucket encrypted with a given key, children parented to it."""

import pulumi
import pulumi_aws as aws


class EncryptedBucket(pulumi.ComponentResource):
    def __init__(self, name: str, key_arn: pulumi.Input[str]) -> None:
        super().__init__("shop:storage:EncryptedBucket", name)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-sse",
            bucket=self.bucket.id,
            rules=[{
                "apply_server_side_encryption_by_default": {
                    "sse_algorithm": "aws:kms", "kms_master_key_id": key_arn,
                },
            }],
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.id})
