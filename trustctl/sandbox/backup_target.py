"""The backup KMS key and backup bucket, created in the sandbox's moto as infra/ declares them.

The shapes of infra/components/keys.py (`Keys._key`: SYMMETRIC_DEFAULT, rotation, an alias) and
infra/components/hardened_bucket.py with a locked `Retention` (Object Lock, versioning, SSE-KMS
with the backup key and Bucket Keys, a lifecycle of the same length, all public access blocked,
no ACLs); retention, lock mode and rotation are the figures the infrastructure reads too
(the catalog's, through trustctl.catalog.page_figures). Named with the prefix of an environment
called "sandbox". Bucket policies are left out: moto does not enforce them.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustctl.aws import AwsTarget, client
from trustctl.catalog import page_figures

REGION = "us-east-1"  # aws:region of Pulumi.prod.yaml
NAME_PREFIX = "claver-sandbox"  # StackConfig.name_prefix of environment "sandbox"
BACKUP_BUCKET = f"{NAME_PREFIX}-database-backups"
BACKUP_KEY_ALIAS = f"alias/{NAME_PREFIX}-keys-backups"


@dataclass(frozen=True)
class DeclaredBackup:
    """The sandbox's backup bucket and KMS key, as created on moto."""

    bucket: str
    key_id: str
    key_arn: str


def declare(target: AwsTarget) -> DeclaredBackup:
    """Create the backup key and the backup bucket at `target` (an empty moto server)."""
    key_id, key_arn = _backup_key(target)
    locked_bucket(target, BACKUP_BUCKET, key_arn)
    return DeclaredBackup(bucket=BACKUP_BUCKET, key_id=key_id, key_arn=key_arn)


def _backup_key(target: AwsTarget) -> tuple[str, str]:
    """Single-Region, unlike infra/'s multi-Region key: moto cannot decrypt with a multi-Region
    key (it cuts their 40-character ids to 36 inside ciphertexts); see sandbox/recovery.py."""
    kms = client("kms", target)
    key = kms.create_key(
        Description=f"{NAME_PREFIX}: Backups only: the database backup bucket.",
        KeySpec="SYMMETRIC_DEFAULT",
        KeyUsage="ENCRYPT_DECRYPT",
    )["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"],
                            RotationPeriodInDays=page_figures().key_rotation_days)
    kms.create_alias(AliasName=BACKUP_KEY_ALIAS, TargetKeyId=key["KeyId"])
    return key["KeyId"], key["Arn"]


def locked_bucket(target: AwsTarget, bucket: str, key_arn: str) -> None:
    """A backup bucket (or its replica) with every protection the backups rely on."""
    s3, figures = client("s3", target), page_figures()
    days = figures.backup_retention_days
    create = {"Bucket": bucket, "ObjectLockEnabledForBucket": True}
    if target.region != "us-east-1":  # S3 rejects a location constraint naming us-east-1
        create["CreateBucketConfiguration"] = {"LocationConstraint": target.region}
    s3.create_bucket(**create)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
    })
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": True,
    }]})
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": figures.backup_lock_mode, "Days": days}},
    })
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {
            "ID": f"expire-after-{days}-days",
            "Status": "Enabled",
            "Filter": {},
            "Expiration": {"Days": days},
            "NoncurrentVersionExpiration": {"NoncurrentDays": days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
        {
            "ID": "remove-expired-delete-markers",
            "Status": "Enabled",
            "Filter": {},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
    ]})
