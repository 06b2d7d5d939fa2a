"""The records the audit reads: backup manifests in the backup bucket and its replica (RPO,
replication) and drill records in the record store (RESTORE-DRILL, RTO)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from trustctl.archive.manifest import Manifest
from trustctl.archive.recovery import REPLICA_ROLE
from trustctl.archive.store import BackupStore
from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo
from trustctl.catalog import page_figures
from trustctl.errors import DependencyError
from trustctl.records import RecordError, RecordStore
from trustctl.records.facts import DrillFacts


@dataclass(frozen=True)
class StoredDrill:
    """A drill record's facts, and where it is (`path`: store and file name)."""

    path: str
    drill: DrillFacts


class RecordsReader:
    def __init__(self, aws: list[AwsReader], store: RecordStore, backup_prefix: str,
                 rpo_hours: float | None = None) -> None:
        """`rpo_hours`: the objective the backups' age is judged by (default: the catalog's)."""
        self.aws = aws
        self.store = store
        self.backup_prefix = backup_prefix
        self.rpo = page_figures().rpo if rpo_hours is None else timedelta(hours=rpo_hours)
        self.now = datetime.now(UTC)
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"evidence": str(self.store), "backup_prefix": self.backup_prefix,
                "rpo_hours": self.rpo.total_seconds() / 3600}

    def latest_backups(self, role: str = "backup") -> dict[str, Manifest | None]:
        """Per bucket whose trustctl:role is `role` (the backup bucket, or its replica
        REPLICA_ROLE; tagged or decided by the role rules), in every account audited, the
        newest complete backup."""
        if not self.aws:
            raise CouldNotRead("backup manifests: the AWS area is not audited")

        def read() -> dict[str, Manifest | None]:
            from botocore.exceptions import BotoCoreError, ClientError

            latest = {}
            for aws, bucket in [(a, b) for a in self.aws for b in a.buckets_with_role(role)]:
                store = BackupStore(aws.client("s3"), bucket.name, self.backup_prefix)
                try:
                    latest[bucket.name] = store.latest_complete()
                except (ClientError, BotoCoreError) as exc:
                    raise CouldNotRead(f"backup manifests in s3://{bucket.name}/"
                                       f"{self.backup_prefix}/: {exc}") from None
            return latest
        return self._memo.get(("backups", role), read)

    def replication(self) -> list[dict[str, Any]]:
        """For each backup bucket's newest complete backup, per replica bucket of the same
        account: whether its dump (same size) and manifest are there. Judged by listing, not by
        the source object's ReplicationStatus: reading an object's metadata needs s3:GetObject
        on backup data, which the audit role is not given; the copy itself is the better proof.
        """
        latest = self.latest_backups()

        def read() -> list[dict[str, Any]]:
            return [self._replication_of(aws, bucket.name, latest.get(bucket.name))
                    for aws in self.aws for bucket in aws.buckets_with_role("backup")]
        return self._memo.get("replication", read)

    def _replication_of(self, aws: AwsReader, bucket: str,
                        manifest: Manifest | None) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        replicas = [b.name for b in aws.buckets_with_role(REPLICA_ROLE)]
        if manifest is None:
            return {"bucket": bucket, "backup_id": None, "replicas": replicas}
        s3 = aws.client("s3")
        try:
            copies = {name: _copied(s3, name, manifest, self.backup_prefix) for name in replicas}
        except (ClientError, BotoCoreError) as exc:
            raise CouldNotRead(f"copies of s3://{bucket}/{manifest.object_key}: {exc}") from None
        return {"bucket": bucket, "backup_id": manifest.backup_id, "replicas": replicas,
                "copies": copies}

    def drill_records(self) -> list[StoredDrill]:
        """Every drill record in the store, newest first."""
        def read() -> list[StoredDrill]:
            try:
                records = self.store.read("drill")
            except (RecordError, DependencyError, OSError) as exc:
                raise CouldNotRead(f"drill records in {self.store}: {exc}") from None
            return [StoredDrill(f"{self.store}/{r.name}", r.facts_as(DrillFacts))
                    for r in sorted(records, key=lambda r: r.finished_at, reverse=True)]
        return self._memo.get("drills", read)


def _copied(s3: Any, bucket: str, manifest: Manifest, prefix: str) -> bool:
    """The backup's dump (same size) and its manifest are both listed in `bucket`."""
    manifest_key = BackupStore(s3, bucket, prefix).manifest_key(manifest.backup_id)
    dump, copied_manifest = (_listed(s3, bucket, key) for key in
                             (manifest.object_key, manifest_key))
    return (dump is not None and copied_manifest is not None
            and dump["Size"] == manifest.object_bytes)


def _listed(s3: Any, bucket: str, key: str) -> dict[str, Any] | None:
    """The listing entry of exactly `key` (a key sorts before every longer key it prefixes)."""
    entries = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1).get("Contents", [])
    return entries[0] if entries and entries[0]["Key"] == key else None
