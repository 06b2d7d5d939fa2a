"""The records the audit reads: backup manifests in the backup bucket (RPO) and drill records
in the record store (RESTORE-DRILL, RTO)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
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

    def latest_backups(self) -> dict[str, Manifest | None]:
        """Per backup bucket (tag trustctl:role=backup, in every account audited), the newest
        complete backup."""
        if not self.aws:
            raise CouldNotRead("backup manifests: the AWS area is not audited")

        def read() -> dict[str, Manifest | None]:
            from botocore.exceptions import BotoCoreError, ClientError

            latest = {}
            for aws, bucket in [(a, b) for a in self.aws for b in a.buckets_with_role("backup")]:
                store = BackupStore(aws.client("s3"), bucket.name, self.backup_prefix)
                try:
                    latest[bucket.name] = store.latest_complete()
                except (ClientError, BotoCoreError) as exc:
                    raise CouldNotRead(f"backup manifests in s3://{bucket.name}/"
                                       f"{self.backup_prefix}/: {exc}") from None
            return latest
        return self._memo.get("backups", read)

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
