"""The estate described by config `estate` (tests/audit/role_estate.py's ESTATES), declared
resource by resource: keys, buckets (encryption, Object Lock, logging, replication), AWS Backup
vaults and the backup writer's policy. Each bucket is named `bucket` as it is in moto."""

import json

import pulumi
import pulumi_aws as aws

estate = json.loads(pulumi.Config().require("estate"))
keys = {name: aws.kms.Key(name, enable_key_rotation=True, tags=spec.get("tags"))
        for name, spec in estate["keys"].items()}
buckets = {}
for name, spec in estate["buckets"].items():
    buckets[name] = aws.s3.Bucket(name, bucket=spec["bucket"], tags=spec.get("tags"),
                                  object_lock_enabled=spec.get("locked", False))
    key = keys[spec["key"]] if spec.get("key") else None
    default = ({"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn} if key
               else {"sse_algorithm": "AES256"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        name, bucket=buckets[name].id,
        rules=[{"apply_server_side_encryption_by_default": default}])
for name, spec in estate["buckets"].items():
    if spec.get("logs_to"):
        aws.s3.BucketLogging(name, bucket=buckets[name].id,
                             target_bucket=buckets[spec["logs_to"]].id, target_prefix=f"{name}/")
    if spec.get("replicates_to"):
        aws.s3.BucketReplicationConfig(
            name, bucket=buckets[name].id, role="arn:aws:iam::123456789012:role/replication",
            rules=[{"id": "all", "status": "Enabled", "filter": {},
                    "delete_marker_replication": {"status": "Disabled"},
                    "destination": {"bucket": buckets[spec["replicates_to"]].arn}}])
for name, key in estate["vaults"].items():
    aws.backup.Vault(name, name=name, kms_key_arn=keys[key].arn)
for name, spec in estate["writers"].items():
    aws.iam.Policy(name, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": buckets[spec["writes"]].arn.apply(lambda arn: f"{arn}/*")},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
             "Resource": keys[spec["encrypts"]].arn}]}))
