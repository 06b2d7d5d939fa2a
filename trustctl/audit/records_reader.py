"""The records the audit reads: backup manifests in the backup bucket and its replica (RPO,
replication) and drill records in the record store (RESTORE-DRILL, RTO)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trustctl.archive.manifest import Manifest
from trustctl.archive.recovery import REPLICA_ROLE
from trustctl.archive.store import BackupStore, error_code
from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo
from trustctl.errors import DependencyError
from trustctl.records import RecordError, RecordStore


class RecordsReader:
    def __init__(self, aws: list[AwsReader], store: RecordStore, backup_prefix: str,
                 rpo_hours: float) -> None:
        self.aws = aws
        self.store = store
        self.backup_prefix = backup_prefix
        self.rpo = timedelta(hours=rpo_hours)
        self.now = datetime.now(UTC)
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"evidence": str(self.store), "backup_prefix": self.backup_prefix,
                "rpo_hours": self.rpo.total_seconds() / 3600}

    def latest_backups(self, role: str = "backup") -> dict[str, Manifest | None]:
        """Per bucket tagged trustctl:role=`role` (the backup bucket, or its replica
        REPLICA_ROLE), in every account audited, the newest complete backup."""
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
        """For each backup bucket's newest complete backup: its S3 replication status and, per
        replica bucket of the same account, whether its dump (same size) and manifest are there.
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
            head = BackupStore(s3, bucket).head_object(manifest.object_key,
                                                       manifest.object_version)
            copies = {name: _copied(s3, name, manifest, self.backup_prefix) for name in replicas}
        except (ClientError, BotoCoreError) as exc:
            raise CouldNotRead(f"replication of s3://{bucket}/{manifest.object_key}: "
                               f"{exc}") from None
        return {"bucket": bucket, "backup_id": manifest.backup_id, "replicas": replicas,
                "status": head.get("ReplicationStatus"), "copies": copies}

    def drill_records(self) -> list[dict[str, Any]]:
        """The facts of every drill record in the store, newest first; `_path` says where."""
        def read() -> list[dict[str, Any]]:
            try:
                records = self.store.read("drill")
            except (RecordError, DependencyError, OSError) as exc:
                raise CouldNotRead(f"drill records in {self.store}: {exc}") from None
            return [{**r.facts, "_path": f"{self.store}/{r.name}"}
                    for r in sorted(records, key=lambda r: r.finished_at, reverse=True)]
        return self._memo.get("drills", read)


def _copied(s3: Any, bucket: str, manifest: Manifest, prefix: str) -> bool:
    """The backup's dump (same size) and its manifest are both in `bucket`."""
    from botocore.exceptions import ClientError

    replica = BackupStore(s3, bucket, prefix, pins_versions=False)
    try:
        dump = replica.head_object(manifest.object_key)
        replica.head_object(replica.manifest_key(manifest.backup_id))
    except ClientError as exc:
        if error_code(exc) in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return dump.get("ContentLength") == manifest.object_bytes
