"""The records the audit reads: backup manifests in the backup bucket (RPO) and drill records
in the evidence directory (RESTORE-DRILL, RTO)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
from trustctl.audit.aws_reader import AwsReader
from trustctl.audit.live_check import CouldNotRead
from trustctl.audit.memo import Memo


class RecordsReader:
    def __init__(self, aws: list[AwsReader], evidence_dir: Path, backup_prefix: str,
                 rpo_hours: float) -> None:
        self.aws = aws
        self.evidence_dir = evidence_dir
        self.backup_prefix = backup_prefix
        self.rpo = timedelta(hours=rpo_hours)
        self.now = datetime.now(UTC)
        self._memo = Memo()

    def describe(self) -> dict[str, Any]:
        return {"evidence_dir": str(self.evidence_dir), "backup_prefix": self.backup_prefix,
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
        """Every drill record in the evidence directory, newest first."""
        def read() -> list[dict[str, Any]]:
            records = []
            try:
                paths = sorted(self.evidence_dir.glob("drill-*.json"))
            except OSError as exc:
                raise CouldNotRead(f"drill records in {self.evidence_dir}: {exc}") from None
            for path in paths:
                try:
                    records.append({**json.loads(path.read_text()), "_path": str(path)})
                except (OSError, json.JSONDecodeError) as exc:
                    raise CouldNotRead(f"drill record {path}: {exc}") from None
            return sorted(records, key=lambda r: r.get("finished_at", ""), reverse=True)
        return self._memo.get("drills", read)
