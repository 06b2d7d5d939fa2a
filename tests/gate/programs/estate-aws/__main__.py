"""The AWS half of a two-stack estate: data encrypted under a rotated customer-managed key, and
nothing of the edge. Its stacks differ only in which controls they say they own."""

import pulumi_aws as aws

key = aws.kms.Key("data-key", enable_key_rotation=True, deletion_window_in_days=30)
files = aws.s3.Bucket("files")
aws.s3.BucketServerSideEncryptionConfiguration(
    "files-sse", bucket=files.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}, "bucket_key_enabled": True}],
)
