"""`backup run` against a real Postgres and a real (moto) S3/KMS: what lands in the bucket."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from backup.fixtures import Source, take_backup
from trustctl.archive import inventory
from trustctl.archive.location import Location
from trustctl.archive.verify import verify_backup
from trustctl.backup.run import BackupFailed, BackupTarget, run_backup
from trustctl.errors import InputError


def test_backup_stores_encrypted_object_then_manifest(source: Source, location: Location) -> None:
    manifest = take_backup(source, location)
    store = location.store()
    keys = sorted(o["Key"] for o in store.s3.list_objects_v2(Bucket=store.bucket)["Contents"])
    assert keys == [store.object_key(manifest.backup_id), store.manifest_key(manifest.backup_id)]
    body = store.s3.get_object(Bucket=store.bucket, Key=manifest.object_key)["Body"].read()
    assert len(body) == manifest.object_bytes > 0
    assert b"Plumbing" not in body and b"PGDMP" not in body  # sealed, not just compressed
    assert store.latest_complete().backup_id == manifest.backup_id


def test_manifest_counts_match_source_and_hold_no_secret(source: Source,
                                                         location: Location) -> None:
    manifest = take_backup(source, location)
    with psycopg.connect(source.dsn) as conn:
        expected = inventory.all_table_stats(conn)
    assert manifest.tables == expected
    assert {t.table for t in manifest.tables} >= {"tenants", "users", "jobs", "payments"}
    assert all(t.rows > 0 for t in manifest.tables)
    roles = {r.name: r for r in manifest.roles}
    assert not roles["claver_app"].bypassrls and not roles["claver_app"].superuser
    raw = manifest.to_bytes().decode()
    assert source.pg.state()["password"] not in raw and source.app_password not in raw
    assert manifest.source == f"postgresql://postgres@127.0.0.1:{source.pg.port}/claver"
    assert manifest.pg_dump_version.startswith("pg_dump (PostgreSQL) 18")
    assert manifest.compression == "zstd:3" and manifest.dump_format == "custom"


def test_object_lock_bucket_gets_35_day_compliance_retention(source: Source,
                                                             locked_location: Location) -> None:
    manifest = take_backup(source, locked_location)
    store = locked_location.store()
    assert manifest.object_version
    for key in (manifest.object_key, store.manifest_key(manifest.backup_id)):
        head = store.s3.head_object(Bucket=store.bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=34)
    assert verify_backup(store, locked_location.kms(), manifest.backup_id, manifest, quiet=True).ok


def test_role_subject_to_rls_is_refused(source: Source, location: Location) -> None:
    target = BackupTarget(location.store(), location.kms(), location.kms_key_id)
    with pytest.raises(InputError, match="BYPASSRLS"):
        run_backup(source.database(source.app_dsn), target, quiet=True)


def test_failed_dump_leaves_nothing_in_the_bucket(source: Source, location: Location) -> None:
    with psycopg.connect(source.pg.dsn(), autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS blind_backup")
        conn.execute("CREATE ROLE blind_backup LOGIN BYPASSRLS PASSWORD 'Blind-Pass-1'")
    target = BackupTarget(location.store(), location.kms(), location.kms_key_id)
    dsn = source.pg.dsn("claver", "blind_backup", "Blind-Pass-1")
    with pytest.raises(BackupFailed, match="permission denied") as failure:
        run_backup(source.database(dsn), target, quiet=True)
    assert "Blind-Pass-1" not in str(failure.value)
    s3 = location.store().s3
    assert s3.list_objects_v2(Bucket=location.bucket).get("KeyCount") == 0
    assert not s3.list_multipart_uploads(Bucket=location.bucket).get("Uploads")


def test_disabled_key_stops_the_backup_before_dumping(source: Source,
                                                      location: Location) -> None:
    location.kms().disable_key(KeyId=location.kms_key_id.rsplit("/", 1)[-1])
    target = BackupTarget(location.store(), location.kms(), location.kms_key_id)
    with pytest.raises(BackupFailed, match="Disabled"):
        run_backup(source.database(), target, quiet=True)
    assert location.store().s3.list_objects_v2(Bucket=location.bucket).get("KeyCount") == 0
