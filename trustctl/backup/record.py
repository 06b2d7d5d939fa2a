"""The backup record: a complete backup (its manifest written last) as the daily evidence of
BACKUP-DAILY-35D. Written by `backup run`, and by whatever else takes a backup (the sandbox,
when a drill finds none): every backup leaves the same record."""

from __future__ import annotations

from dataclasses import asdict

from trustctl.archive.manifest import Manifest
from trustctl.records import Record
from trustctl.records.facts import BackupFacts


def backup_record(manifest: Manifest, bucket: str) -> Record:
    """The record of the backup `manifest` describes, stored in `bucket`."""
    facts = BackupFacts.from_json({k: v for k, v in asdict(manifest).items()
                                   if k != "wrapped_data_key"})
    return Record.new(
        facts, facts.started_at, facts.finished_at, record_id=manifest.backup_id,
        targets={"bucket": bucket, "object_key": manifest.object_key, "source": manifest.source},
        controls=[{"id": "BACKUP-DAILY-35D", "status": "pass", "findings": [],
                   "checks": ["backup:manifest"]}])
