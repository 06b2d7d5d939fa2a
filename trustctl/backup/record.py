"""The backup record: a complete backup (its manifest written last) as the daily evidence of
BACKUP-DAILY-35D. Written by `backup run`, and by whatever else takes a backup (the sandbox,
when a drill finds none): every backup leaves the same record."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from trustctl.archive.manifest import Manifest
from trustctl.records import Record


def backup_record(manifest: Manifest, bucket: str) -> Record:
    """The record of the backup `manifest` describes, stored in `bucket`."""
    facts = {k: v for k, v in asdict(manifest).items() if k != "wrapped_data_key"}
    return Record.new(
        "backup", datetime.fromisoformat(manifest.started_at), manifest.finished,
        record_id=manifest.backup_id, facts=facts,
        targets={"bucket": bucket, "object_key": manifest.object_key, "source": manifest.source},
        controls=[{"id": "BACKUP-DAILY-35D", "status": "pass", "findings": [],
                   "checks": ["backup:manifest"]}])
