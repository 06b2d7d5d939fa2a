"""A backup's age comes from its authenticated times, cross-checked with what S3 itself recorded:
even its writer (who holds KMS rights, so its manifests authenticate) cannot claim a backup is
younger than the objects S3 stored. The writer here is `reseal` (a writer whose clock is wrong);
`now` is injected where the check needs time to have passed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from backup.fixtures import Source, reseal, take_backup
from trustctl.archive.authenticity import ForgedBackup, authenticate
from trustctl.archive.binding import new_backup_id
from trustctl.archive.keys import ManifestKey
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.cli import app


def authenticated(where: Location, backup_id: str, now: datetime | None = None) -> str:
    store = where.store()
    return authenticate(store, where.kms(), backup_id, store.get_manifest(backup_id),
                        ManifestKey(), now).summary()


def moved_to(where: Location, manifest: Manifest, started: datetime) -> Manifest:
    """The writer made the backup under an id of `started` (its clock), S3 stored it now."""
    store = where.store()
    backup_id = new_backup_id(started)
    store.s3.copy_object(Bucket=where.bucket, Key=store.object_key(backup_id),
                         CopySource={"Bucket": where.bucket, "Key": manifest.object_key})
    return reseal(where, manifest, backup_id=backup_id, object_key=store.object_key(backup_id),
                  started_at=started.isoformat(),
                  finished_at=(started + timedelta(seconds=30)).isoformat())


def test_a_finish_in_the_future_is_refused(source: Source, location: Location) -> None:
    manifest = take_backup(source, location)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    reseal(location, manifest, finished_at=future)
    result = CliRunner().invoke(app, ["backup", "verify", manifest.backup_id, "--bucket",
                                      location.bucket, "--region", location.target.region,
                                      "--endpoint-url", location.target.endpoint_url])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"trustctl: backup verify: backup {manifest.backup_id}: "
                                     f"manifest field finished_at {future} is in the future")


def test_a_start_after_s3_stored_the_dump_is_refused(source: Source,
                                                     location: Location) -> None:
    stored_at = datetime.now(UTC)
    ahead = moved_to(location, take_backup(source, location), stored_at + timedelta(hours=1))
    later = stored_at + timedelta(hours=2)  # when its finish is no longer in the future
    with pytest.raises(ForgedBackup, match=re.escape(
            f"manifest field started_at {ahead.started_at} is after S3 stored its dump")):
        authenticated(location, ahead.backup_id, later)


def test_a_finish_after_s3_stored_the_manifest_is_refused(source: Source,
                                                          location: Location) -> None:
    manifest = take_backup(source, location)
    claimed = datetime.now(UTC) + timedelta(hours=1)
    reseal(location, manifest, finished_at=claimed.isoformat())
    with pytest.raises(ForgedBackup, match=re.escape(
            f"manifest field finished_at {claimed.isoformat()} is after S3 stored the manifest")):
        authenticated(location, manifest.backup_id, claimed + timedelta(hours=1))


def test_honest_times_pass_and_say_what_s3_recorded(source: Source, location: Location) -> None:
    manifest = take_backup(source, location)
    summary = authenticated(location, manifest.backup_id)
    assert summary.startswith(f"manifest authentic: {len(manifest.fields())} fields "
                              "MAC-verified under the backup's own data key")
    assert "S3 stored the dump at" in summary and "the manifest at" in summary
    moved = moved_to(location, manifest, datetime.now(UTC) - timedelta(minutes=10))
    assert authenticated(location, moved.backup_id).startswith("manifest authentic")
