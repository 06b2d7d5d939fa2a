"""Where stored backups live: one Location (bucket, prefix, region, endpoint, backup KMS key).

Resolved once from a command's flags and environment by the command's provider
(trustctl/provider.py: production's from the flags, the sandbox's its own) and shared by backup,
drill, audit and evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trustctl import aws
from trustctl.archive.store import BackupStore
from trustctl.errors import InputError

DEFAULT_PREFIX = "backups"


@dataclass(frozen=True)
class Location:
    """The bucket, its AWS target and the backup KMS key (see BackupStore for pins_versions)."""

    target: aws.AwsTarget
    bucket: str
    prefix: str
    kms_key_id: str | None
    pins_versions: bool = True

    def store(self) -> BackupStore:
        return BackupStore(aws.client("s3", self.target), self.bucket, self.prefix,
                           self.pins_versions)

    def kms(self) -> Any:
        return aws.client("kms", self.target)


def location(bucket: str | None, prefix: str, region: str | None, endpoint: str | None,
             kms_key: str | None) -> Location:
    """A production Location from flags and environment; one clear line when a part is missing."""
    if not bucket:
        raise InputError("no backup bucket: pass --bucket (or TRUSTCTL_BACKUP_BUCKET), "
                         "or --sandbox")
    if not region:
        raise InputError("no AWS region: pass --region (or AWS_REGION)")
    return Location(aws.AwsTarget(region, endpoint), bucket, prefix, kms_key)
