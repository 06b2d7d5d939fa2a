"""Where stored backups live: one Location (bucket, prefix, region, endpoint, backup KMS key).

Resolved once from a command's flags and environment (trustctl/options.py) and shared by
backup, drill, and later audit and evidence. A local stand-in (the sandbox) supplies its own
Location; it is imported only when `--sandbox` asks for it, so nothing that reads backups in
production loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trustctl import aws
from trustctl.archive.store import BackupStore
from trustctl.dsn import Dsn
from trustctl.errors import InputError

if TYPE_CHECKING:
    from trustctl.archive.recovery import RecoverySite

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


@dataclass(frozen=True)
class StandIn:
    """A local stand-in for production: where its backups go and the database it holds.

    `source_dsn` is what backup dumps and what the drill refuses as a scratch target;
    `tenancy` the tenancy declaration it is shaped after, if any (the drill's default);
    `recovery` its copy of the backups in a second region, if it has one.
    """

    location: Location
    source_dsn: Dsn = field(repr=False)
    tenancy: Path | None = None
    recovery: RecoverySite | None = None


def stand_in(prefix: str = DEFAULT_PREFIX, profile: str | None = None) -> StandIn:
    """The local stand-in's Location and database (the stand-in is started, with `profile`, if
    it is not up)."""
    from trustctl.sandbox.command import stand_in as sandbox_stand_in

    return sandbox_stand_in(prefix, profile)


def location(bucket: str | None, prefix: str, region: str | None, endpoint: str | None,
             kms_key: str | None) -> Location:
    """A production Location from flags and environment; one clear line when a part is missing."""
    if not bucket:
        raise InputError("no backup bucket: pass --bucket (or TRUSTCTL_BACKUP_BUCKET), "
                         "or --sandbox")
    if not region:
        raise InputError("no AWS region: pass --region (or AWS_REGION)")
    return Location(aws.AwsTarget(region, endpoint), bucket, prefix, kms_key)
