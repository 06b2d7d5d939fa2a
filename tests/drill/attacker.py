"""An attacker who can write the backup bucket and nothing else: no KMS, no trustctl code.

Everything here is a plain boto3 S3 call on the bucket's objects, the way anyone holding
s3:PutObject on the bucket would forge a backup: copy objects under other ids, swap them,
rewrite a manifest's JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from trustctl import aws
from trustctl.archive.location import Location


class BucketWriter:
    def __init__(self, where: Location) -> None:
        self.s3 = aws.client("s3", where.target)
        self.bucket = where.bucket
        self.prefix = where.prefix

    def key(self, backup_id: str, name: str) -> str:
        return f"{self.prefix}/{backup_id}/{name}"

    def manifest(self, backup_id: str) -> dict[str, Any]:
        body = self.s3.get_object(Bucket=self.bucket, Key=self.key(backup_id, "manifest.json"))
        return json.loads(body["Body"].read())

    def put_manifest(self, backup_id: str, manifest: dict[str, Any]) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self.key(backup_id, "manifest.json"),
                           Body=json.dumps(manifest, indent=2).encode())

    def edit(self, backup_id: str, **fields: Any) -> None:
        """Rewrites fields of a manifest in place."""
        self.put_manifest(backup_id, {**self.manifest(backup_id), **fields})

    def copy_dump(self, from_id: str, to_id: str) -> str | None:
        """Copies a backup's dump under another id; the new object's version id."""
        body = self.s3.get_object(Bucket=self.bucket, Key=self.key(from_id, "dump.enc"))
        put = self.s3.put_object(Bucket=self.bucket, Key=self.key(to_id, "dump.enc"),
                                 Body=body["Body"].read())
        version = put.get("VersionId")
        return None if version in (None, "null") else version


def new_id(suffix: str = "a77ac4") -> tuple[str, str]:
    """A backup id of this very second, and the start time an honest manifest would give it."""
    now = datetime.now(UTC).replace(microsecond=0)
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{suffix}", now.isoformat()


def replayed_under(writer: BucketWriter, old_id: str) -> str:
    """The replay of issue 20: an old dump copied under a new id, with a manifest that says it
    is that new backup, finished now, every field consistent with the new id."""
    backup_id, started = new_id()
    version = writer.copy_dump(old_id, backup_id)
    object_key = writer.key(backup_id, "dump.enc")
    writer.put_manifest(backup_id, {
        **writer.manifest(old_id), "backup_id": backup_id, "object_key": object_key,
        "object_version": version, "started_at": started,
        "finished_at": datetime.now(UTC).isoformat(),
        "encryption_context": {"trustctl:backup-id": backup_id, "trustctl:object": object_key,
                               "trustctl:created-at": started}})
    return backup_id
