"""`backup verify`: authenticity, integrity and decryptability of a stored backup, without
restoring it.

First the manifest found at the id is authenticated (archive/authenticity.py: it is that
backup's, unchanged, its times possible). Then it reads the whole object (size and SHA-256
against the manifest, every AEAD chunk, the zstd frame) and has pg_restore turn the whole
archive into SQL thrown away (-f /dev/null): that parses every table's data, which `pg_restore
--list` does not (it stops at the table of contents, at the front, and passes a truncated dump).
A parallel (directory-tar) backup is read to the end by `tar -t` instead: pg_restore reads a
directory, not a stream. Last, an intact backup's object must be locked as long as the page
promises (BackupStore.retention).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from trustctl.archive.authenticity import ForgedBackup, authenticate
from trustctl.archive.formats import ArchiveUnreadable, dump_format
from trustctl.archive.keys import KeyUnusable, ManifestKey, key_problem
from trustctl.archive.manifest import Manifest
from trustctl.archive.reader import IntegrityError, ReadProgress, read_dump
from trustctl.archive.store import BackupStore
from trustctl.progress import Progress


@dataclass
class Verification:
    """The outcome of reading one backup end to end."""

    backup_id: str
    problems: list[str] = field(default_factory=list)
    read: ReadProgress | None = None
    seconds: float = 0.0
    authentic: str | None = None  # what authentication established, once it has

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        read = self.read
        return {
            "backup_id": self.backup_id, "ok": self.ok, "problems": self.problems,
            "authenticated": self.authentic,
            "object_key": read.object_key if read else None,
            "object_version": read.version_id if read else None,
            "object_bytes": read.object_bytes if read else 0,
            "sha256": read.sha256 if read else None,
            "dump_bytes": read.dump_bytes if read else 0,
            "seconds": round(self.seconds, 3),
        }


def verify_backup(store: BackupStore, kms: Any, backup_id: str, manifest: Manifest, *,
                  quiet: bool = False) -> Verification:
    """Everything short of a restore, for the manifest found at `backup_id`; problems are
    findings, AWS outages raise."""
    started = time.monotonic()
    result = Verification(backup_id)
    problem = key_problem(kms, manifest.kms_key_id)
    if problem:
        result.problems.append(problem)
        return result
    try:
        result.authentic = authenticate(store, kms, backup_id, manifest, ManifestKey()).summary()
    except (ForgedBackup, KeyUnusable) as exc:
        result.problems.append(str(exc))
        return result
    result.read = ReadProgress(manifest.object_key)
    progress = Progress(f"verify {manifest.backup_id}", quiet=quiet, total=manifest.dump_bytes)
    try:
        archive = dump_format(manifest.dump_format).verify_reader()
    except ArchiveUnreadable as exc:
        result.problems.append(str(exc))
        return result
    try:
        with progress.running():
            archive.feed(progress.track(read_dump(store, kms, manifest, result.read)))
        if archive.wait() != 0:
            result.problems.append(f"pg_restore cannot read the archive: {archive.reason()}")
    except (IntegrityError, KeyUnusable) as exc:
        result.problems.append(str(exc))
    finally:
        archive.kill()
    if not result.problems and (kept := store.retention(manifest)).problem:
        result.problems.append(kept.problem)  # intact, but S3 may delete it before its time
    result.seconds = time.monotonic() - started
    return result

