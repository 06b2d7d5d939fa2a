"""Where backups are recovered from when the primary region is gone: the replica bucket in the
recovery region, read with the backup key's multi-Region replica there, and nothing else.

A RecoverySite names no endpoint, client or key of the primary region: whatever reads through
it cannot reach the region it is meant to survive. A local stand-in (the sandbox) supplies its
own site, with the notes the record must carry about what it does differently from AWS.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustctl import aws
from trustctl.archive.keys import KeySource, ReplicaKey
from trustctl.archive.location import Location
from trustctl.errors import InputError
from trustctl.paths import PRODUCTION_STACK_CONFIG
from trustctl.plan.project import stack_config

DEFAULT_RECOVERY_REGION = "us-west-2"  # infra/stack_config.py's default of recoveryRegion
REPLICA_BUCKET_OUTPUT = "replicaBackupBucket"  # the stack output naming the replica bucket
REPLICA_ROLE = "backup-replica"  # its trustctl:role tag (infra/components/backup_replica.py)


@dataclass(frozen=True)
class RecoverySite:
    """The replica bucket in the recovery region, which key unwraps there, which region (and
    bucket) is gone. `notes` say what a local stand-in does differently from AWS (recorded with
    every drill).
    """

    location: Location
    keys: KeySource
    primary_region: str
    primary_bucket: str
    notes: tuple[str, ...] = ()

    @property
    def region(self) -> str:
        return self.location.target.region


def stack_setting(name: str) -> str | None:
    """A value of the production stack config (e.g. `trustctl:recoveryRegion`); None when the
    file or the value is absent, InputError when the file is there but unreadable (a drill must
    not quietly fall back to a region the stack does not use)."""
    if not PRODUCTION_STACK_CONFIG.exists():
        return None
    value = stack_config(PRODUCTION_STACK_CONFIG).get(name)
    return str(value) if value else None


def default_recovery_region() -> str:
    """The stack config's recoveryRegion, else infra's default."""
    return stack_setting("trustctl:recoveryRegion") or DEFAULT_RECOVERY_REGION


def recovery_site(primary: Location, recovery_region: str | None, bucket: str | None,
                  endpoint_url: str | None) -> RecoverySite:
    """The production recovery site from flags and environment; one clear line if one is bad.

    `primary` only says which region is gone and the key prefix: nothing of it is contacted.
    """
    region = recovery_region or default_recovery_region()
    if region == primary.target.region:
        raise InputError(f"--recovery-region {region} is the region treated as gone (--region):"
                         " pass the region holding the backup replica (stack config "
                         "recoveryRegion)")
    if not bucket:
        raise InputError("--region-outage: no replica bucket: pass --recovery-bucket (or "
                         f"TRUSTCTL_RECOVERY_BUCKET), the stack output {REPLICA_BUCKET_OUTPUT}")
    where = Location(aws.AwsTarget(region, endpoint_url), bucket, primary.prefix, None)
    return RecoverySite(where, ReplicaKey(region), primary.target.region, primary.bucket)
