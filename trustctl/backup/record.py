"""The backup record: a complete backup (its manifest written last) as the daily evidence of
BACKUP-DAILY-35D. Written by `backup run`, and by whatever else takes a backup (the sandbox,
when a drill finds none): every backup leaves the same record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from trustctl.archive.manifest import Manifest
from trustctl.archive.store import BackupStore
from trustctl.records import Record
from trustctl.records.facts import BackupFacts
from trustctl.report.results import ControlResult, Finding, Status


def backup_record(manifest: Manifest, bucket: str, findings: Sequence[Finding] = ()) -> Record:
    """The record of the backup `manifest` describes, stored in `bucket`: BACKUP-DAILY-35D's
    evidence for its day, unless `findings` say it is not kept as promised (then it fails, and
    `evidence build` does not count it)."""
    facts = BackupFacts.from_json({k: v for k, v in asdict(manifest).items()
                                   if k != "wrapped_data_key"})
    return Record.new(
        facts, facts.started_at, facts.finished_at, record_id=manifest.backup_id,
        targets={"bucket": bucket, "object_key": manifest.object_key, "source": manifest.source},
        controls=[ControlResult("BACKUP-DAILY-35D", Status.FAIL if findings else Status.PASS,
                                list(findings), checks=["backup:manifest"]).to_json()])


def lock_findings(manifest: Manifest, store: BackupStore) -> list[Finding]:
    """BACKUP-DAILY-35D's findings on a backup just taken into `store`: none, or that S3 may
    delete its object before the promised days (one judgment for every taker of backups)."""
    kept = store.retention_set(manifest)
    return [Finding(kept.problem, resource=store.bucket)] if kept.problem else []
