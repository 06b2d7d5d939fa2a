"""`backup run --dump-format directory`: one object per table, each its own envelope, all bound
into the manifest. It verifies and drills like any backup; a table object swapped for another,
or missing, fails `backup verify` naming it; so does a manifest stripped of its list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backup.fixtures import Source
from backup.test_restore_without_trustctl import restore_without_trustctl
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.archive.verify import verify_backup
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.drill.run import DrillOptions, run_drill
from trustctl.pg.roles import POWERS, RoleAllowlist


def _directory_backup(source: Source, where: Location, work: Path) -> Manifest:
    target = BackupTarget(where.store(), where.kms(), where.kms_key_id)
    return run_backup(source.database(), target, quiet=True, jobs=2, work_dir=work,
                      dump_format="directory")


def _problems(where: Location, manifest: Manifest) -> list[str]:
    store = where.store()
    return verify_backup(store, where.kms(), manifest.backup_id,
                         store.get_manifest(manifest.backup_id), quiet=True).problems


def test_a_directory_backup_stores_one_object_per_table_verifies_and_drills(
        source: Source, locked_location: Location, tmp_path: Path) -> None:
    manifest = _directory_backup(source, locked_location, tmp_path)
    store = locked_location.store()
    assert manifest.dump_format == "directory"
    tables = {o.table for o in manifest.table_objects}
    assert {f"{t.schema}.{t.table}" for t in manifest.tables} <= tables
    listed = {o["Key"] for o in store.s3.list_objects_v2(Bucket=store.bucket)["Contents"]}
    assert listed == {manifest.object_key, store.manifest_key(manifest.backup_id),
                      *(o.key for o in manifest.table_objects)}
    for entry in manifest.table_objects:
        body = store.s3.get_object(Bucket=store.bucket, Key=entry.key)["Body"].read()
        assert (len(body), body[:8]) == (entry.bytes, b"TRUSTENV")
    assert not list(tmp_path.iterdir())  # the plaintext directory dump is gone
    assert _problems(locked_location, manifest) == []
    # other tests of this session's source give roles powers: this test is about the format
    powers = RoleAllowlist.default().extended(
        (role.name, power) for role in manifest.roles for power in POWERS
        if getattr(role, power))
    record = run_drill(store, locked_location.kms(),
                       DrillOptions(backup_id=manifest.backup_id, quiet=True, jobs=2,
                                    scratch_parent=tmp_path, role_allowlist=powers)).to_json()
    assert record["exit_code"] == 0, record["reason"]
    restore = next(s for s in record["steps"] if s["name"] == "restore")
    assert "(directory, 2 job(s))" in restore["detail"]
    assert all(s["status"] == "pass" for s in record["steps"]
               if s["name"] in ("verify-tables", "verify-isolation")), record["steps"]


@pytest.mark.parametrize("damage", ["swapped", "missing"])
def test_a_swapped_or_missing_table_object_fails_verify_naming_it(
        source: Source, location: Location, tmp_path: Path, damage: str) -> None:
    manifest = _directory_backup(source, location, tmp_path)
    store = location.store()
    by_size = sorted(manifest.table_objects, key=lambda o: o.dump_bytes)
    victim, other = by_size[-1], by_size[-2]
    if damage == "swapped":  # another table's authentic object, copied over this one's key
        store.s3.copy_object(Bucket=store.bucket, Key=victim.key,
                             CopySource={"Bucket": store.bucket, "Key": other.key})
    else:
        store.s3.delete_object(Bucket=store.bucket, Key=victim.key)
    problems = _problems(location, manifest)
    assert len(problems) == 1 and victim.label in problems[0], problems
    assert ("missing" if damage == "missing" else "sealed for another backup") in problems[0]
    out = tmp_path / "restored"  # the one-page reader of the format refuses it too
    done = restore_without_trustctl(location, manifest.backup_id, out)
    assert done.returncode != 0 and not out.exists() and not Path(f"{out}.partial").exists()
    assert ("NoSuchKey" if damage == "missing" else "sealed for another backup") in done.stderr


def test_a_manifest_stripped_of_its_table_objects_fails_verify(
        source: Source, location: Location, tmp_path: Path) -> None:
    manifest = _directory_backup(source, location, tmp_path)
    store = location.store()
    key = store.manifest_key(manifest.backup_id)
    stored = json.loads(store.s3.get_object(Bucket=store.bucket, Key=key)["Body"].read())
    del stored["table_objects"], stored["authentication"]["fields"]["table_objects"]
    store.s3.put_object(Bucket=store.bucket, Key=key, Body=json.dumps(stored).encode())
    problems = _problems(location, manifest)
    assert problems == ["the manifest of a directory backup lists no table objects"], problems
