"""Every fault a drill must catch: right exit code, a one-line reason, nothing left, no secret."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from backup.fixtures import Source, reseal, take_backup

from drill.helpers import (
    SecretSpy,
    altered,
    assert_clean,
    assert_no_server_left,
    assert_one_line_reason,
    location_args,
    run_drill_cli,
)
from trustctl.archive.location import Location
from trustctl.archive.manifest import Manifest
from trustctl.drill.run import DrillOptions, run_drill
from trustctl.drill.scratch import LocalScratch, Scratch
from trustctl.pg.server import PASSWORD_FILE

HELD_TRUSTCTL = Path(__file__).with_name("held_trustctl.py")


def rewrite_object(where: Location, manifest: Manifest, change) -> None:
    s3 = where.store().s3
    body = s3.get_object(Bucket=where.bucket, Key=manifest.object_key)["Body"].read()
    s3.put_object(Bucket=where.bucket, Key=manifest.object_key, Body=change(body))


def rewrite_manifest(where: Location, manifest: Manifest, **fields) -> None:
    for name, value in fields.items():
        setattr(manifest, name, value)
    store = where.store()
    store.s3.put_object(Bucket=where.bucket, Key=store.manifest_key(manifest.backup_id),
                        Body=manifest.to_bytes())


def flip_byte(body: bytes) -> bytes:
    damaged = bytearray(body)
    damaged[len(body) // 2] ^= 0x40
    return bytes(damaged)


@pytest.mark.parametrize(("damage", "reason"), [
    (flip_byte, "authentication failed"),
    (lambda body: body[: len(body) - 1000], "truncated"),
])
def test_damaged_object_fails_integrity(
        spy: SecretSpy, source: Source, location: Location, tmp_path: Path,
        damage, reason: str) -> None:
    manifest = take_backup(source, location)
    rewrite_object(location, manifest, damage)
    result = run_drill_cli(location, tmp_path)
    assert result.code == 1
    restore = next(s for s in result.record["steps"] if s["name"] == "restore")
    assert restore["status"] == "fail" and reason in restore["findings"][0]
    assert f"restore: envelope {reason}" in result.stderr or reason in result.stderr
    assert_clean(result, spy)


def test_manifest_checksum_mismatch_fails(spy: SecretSpy, source: Source, location: Location,
                                          tmp_path: Path) -> None:
    """The writer's own mistake (its manifest sealed with a wrong SHA-256) fails the restore."""
    manifest = take_backup(source, location)
    reseal(location, manifest, object_sha256="0" * 64)
    result = run_drill_cli(location, tmp_path)
    assert result.code == 1
    assert "SHA-256 does not match" in result.stderr
    assert {c["id"]: c["status"] for c in result.record["controls"]}["RESTORE-DRILL"] == "fail"
    assert_clean(result, spy)


def test_missing_manifest_is_incomplete_and_never_latest(spy: SecretSpy, source: Source,
                                                         locked_location: Location,
                                                         tmp_path: Path) -> None:
    older = take_backup(source, locked_location)
    newer = take_backup(source, locked_location)
    store = locked_location.store()
    store.s3.delete_object(Bucket=store.bucket, Key=store.manifest_key(newer.backup_id))
    assert store.latest_complete().backup_id == older.backup_id
    named = run_drill_cli(locked_location, tmp_path / "named", "--backup", newer.backup_id)
    assert named.code == 1 and "has no manifest" in named.stderr
    assert_clean(named, spy)
    latest = run_drill_cli(locked_location, tmp_path / "latest")
    assert latest.code == 0, latest.stderr
    assert latest.record["backup"]["backup_id"] == older.backup_id


@pytest.mark.parametrize(("spoil", "reason"), [
    (lambda kms, key: kms.disable_key(KeyId=key), "is Disabled"),
    (lambda kms, key: kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7),
     "pending deletion"),
])
def test_unusable_kms_key_is_a_finding(spy: SecretSpy, source: Source, locked_location: Location,
                                       tmp_path: Path, spoil, reason: str) -> None:
    take_backup(source, locked_location)
    spoil(locked_location.kms(), locked_location.kms_key_id.rsplit("/", 1)[-1])
    result = run_drill_cli(locked_location, tmp_path)
    assert result.code == 1 and reason in result.stderr
    steps = {s["name"]: s["status"] for s in result.record["steps"]}
    assert steps["kms-key"] == "fail" and steps["restore"] == "skipped"
    assert_clean(result, spy)


def test_wrong_kms_key_cannot_unwrap(spy: SecretSpy, source: Source, location: Location,
                                     tmp_path: Path) -> None:
    manifest = take_backup(source, location)
    other = location.kms().create_key(Description="not the backup key")["KeyMetadata"]["Arn"]
    rewrite_manifest(location, manifest, kms_key_id=other)
    result = run_drill_cli(location, tmp_path)
    assert result.code == 1 and "KMS refused to unwrap" in result.stderr
    assert f"the manifest's kms_key_id {other}" in result.stderr
    assert_clean(result, spy)


def test_backup_older_than_rpo_fails(spy: SecretSpy, source: Source, location: Location,
                                     tmp_path: Path) -> None:
    """A real backup older than the objective (here 1.8 s: the page's 24 h cannot be waited
    for, and the manifest's time cannot be set back without breaking its MAC)."""
    manifest = take_backup(source, location)
    rpo = timedelta(hours=0.0005)
    while datetime.now(UTC) - manifest.finished <= rpo:  # until the backup is older than it
        time.sleep(0.1)
    result = run_drill_cli(location, tmp_path, "--rpo-hours", "0.0005")
    assert result.code == 1 and "RPO of 0.0 h exceeded" in result.stderr
    assert result.record["rpo"]["met"] is False
    assert result.record["rpo"]["measured_seconds"] > rpo.total_seconds()
    assert {c["id"]: c["status"] for c in result.record["controls"]}["RPO-RTO"] == "fail"
    assert_clean(result, spy)


@pytest.mark.parametrize("database", ["claver", "postgres"])
def test_production_as_scratch_target_is_refused(spy: SecretSpy, source: Source,
                                                 locked_location: Location, tmp_path: Path,
                                                 database: str) -> None:
    take_backup(source, locked_location)  # locked: no retention finding beside the refusal
    with psycopg.connect(source.pg.dsn()) as conn:
        before = conn.execute("SELECT count(*) FROM pg_database").fetchone()[0]
    result = run_drill_cli(locked_location, tmp_path, "--scratch-dsn", source.pg.dsn(database))
    assert result.code == 2 and "refusing scratch target" in result.stderr
    with psycopg.connect(source.pg.dsn()) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database").fetchone()[0] == before
    assert result.record["status"] == "error" and result.record["scratch"] is None
    scratch = next(s for s in result.record["steps"] if s["name"] == "scratch")
    assert scratch["status"] == "error" and "refusing scratch target" in scratch["findings"][0]
    assert_clean(result, spy)


def test_scratch_server_dying_mid_restore_is_could_not_run(
        spy: SecretSpy, source: Source, locked_location: Location,
        capsys: pytest.CaptureFixture[str]) -> None:
    take_backup(source, locked_location)
    killed: list[Path] = []

    def kill_scratch(scratch: Scratch) -> None:
        assert isinstance(scratch, LocalScratch)
        killed.append(scratch.data_dir)
        os.kill(scratch.pid, signal.SIGKILL)

    options = DrillOptions(on_restore_started=kill_scratch)
    record = run_drill(locked_location.store(), locked_location.kms(), options).to_json()
    assert record["exit_code"] == 2
    restore = next(s for s in record["steps"] if s["name"] == "restore")
    assert restore["status"] == "error" and "scratch server stopped" in restore["findings"][0]
    assert next(s for s in record["steps"] if s["name"] == "teardown")["status"] == "pass"
    assert record["reason"].startswith("restore: the scratch server stopped")
    assert "\n" not in record["reason"]
    assert_no_server_left(killed[0])
    assert spy.data_keys and spy.scratch_passwords
    spy.assert_absent(json.dumps(record), *capsys.readouterr())


def test_sigint_mid_restore_tears_down(spy: SecretSpy, source: Source,
                                       locked_location: Location, tmp_path: Path) -> None:
    take_backup(source, locked_location)
    scratch_parent = tmp_path / "scratch"
    scratch_parent.mkdir()
    command = [sys.executable, str(HELD_TRUSTCTL), "drill",
               *location_args(locked_location), "--evidence-dir", str(tmp_path / "evidence"),
               "--scratch-dir", str(scratch_parent)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    stderr = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        stderr.append(line)
        if "restore started" in line or not line:
            break
    assert "restore started" in stderr[-1], "".join(stderr)
    data_dirs = list(scratch_parent.glob("trustctl-drill-*/data"))
    assert len(data_dirs) == 1
    spy.scratch_passwords.append((data_dirs[0] / PASSWORD_FILE).read_text().strip())
    assert spy.data_keys and spy.scratch_passwords[0]
    process.send_signal(signal.SIGINT)
    stdout, rest = process.communicate(timeout=60)
    assert process.returncode == 130, rest
    assert "interrupted" in rest
    assert_one_line_reason(rest)
    assert_no_server_left(data_dirs[0])
    assert not list(scratch_parent.iterdir())
    # the interrupted drill is on record: the steps it got through, torn down, not passed
    records = list((tmp_path / "evidence").glob("drill-*.json"))
    assert len(records) == 1
    stored = json.loads(records[0].read_text())
    record = {**stored["facts"], "controls": stored["controls"]}
    assert record["status"] == "interrupted" and record["exit_code"] == 130
    assert record["reason"] == "restore: interrupted"
    steps = {s["name"]: s["status"] for s in record["steps"]}
    assert steps == {"select-backup": "pass", "kms-key": "pass", "authenticate": "pass",
                     "rpo": "pass", "retention": "pass", "scratch": "pass", "roles": "pass",
                     "extensions": "pass", "restore": "error", "teardown": "pass"}
    assert {c["status"] for c in record["controls"]} == {"error"}  # nothing proven
    assert "INTERRUPTED" in stdout
    spy.assert_absent(stdout, "".join(stderr), rest, records[0].read_text())


@pytest.mark.parametrize(("change", "undo", "finding"), [
    ("ALTER TABLE jobs DISABLE ROW LEVEL SECURITY",
     "ALTER TABLE jobs ENABLE ROW LEVEL SECURITY", "public.jobs: row-level security is disabled"),
    # FORCE matters only where an application role can become the owner
    ("ALTER TABLE payments NO FORCE ROW LEVEL SECURITY; GRANT claver_owner TO claver_app",
     "ALTER TABLE payments FORCE ROW LEVEL SECURITY; REVOKE claver_owner FROM claver_app",
     "public.payments: application role claver_app can become its owner claver_owner and RLS "
     "is not forced"),
])
def test_rls_off_or_not_forced_where_it_matters_fails(
        spy: SecretSpy, source: Source, locked_location: Location, tmp_path: Path,
        change: str, undo: str, finding: str) -> None:
    with altered(source, change, undo):
        take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path)
    assert result.code == 1 and finding in result.stderr
    rls = next(s for s in result.record["steps"] if s["name"] == "verify-rls")
    assert rls["detail"].startswith("10 tenant tables in public: 1 of 10 tables short, "
                                    "1 finding(s) (see findings)"), rls["detail"]
    controls = {c["id"]: c["status"] for c in result.record["controls"]}
    assert controls["TENANT-ISOLATION"] == "fail"
    assert controls["RESTORE-DRILL"] == controls["RPO-RTO"] == "pass"
    assert_clean(result, spy)


def test_unforced_rls_with_owners_serving_no_tenant_passes(
        source: Source, locked_location: Location, tmp_path: Path) -> None:
    """Supabase's case: the owner serves no tenant traffic, so FORCE protects nothing."""
    with altered(source, "ALTER TABLE payments NO FORCE ROW LEVEL SECURITY",
                 "ALTER TABLE payments FORCE ROW LEVEL SECURITY"):
        take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path)
    assert result.code == 0, result.stderr


def test_tenant_reading_another_tenants_rows_fails(
        spy: SecretSpy, source: Source, locked_location: Location,
        tmp_path: Path) -> None:
    with altered(source, "CREATE POLICY leak ON customers USING (true)",
                 "DROP POLICY leak ON customers"):
        take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path)
    assert result.code == 1
    isolation = next(s for s in result.record["steps"] if s["name"] == "verify-isolation")
    assert isolation["status"] == "fail"
    assert any("public.customers" in f and "rows of other tenants" in f
               for f in isolation["findings"])
    leaked = re.search(r": (\d+) rows of other tenants visible", isolation["detail"])
    assert leaked and int(leaked[1]) > 0, isolation["detail"]
    assert_clean(result, spy)


def test_vacuous_isolation_check_cannot_pass(
        spy: SecretSpy, source: Source, locked_location: Location,
        tmp_path: Path) -> None:
    """A wrong tenant setting makes every session see nothing: that proves nothing (exit 2)."""
    take_backup(source, locked_location)
    result = run_drill_cli(locked_location, tmp_path, "--tenant-setting", "app.not_the_tenant")
    assert result.code == 2 and "sees none of its own rows" in result.stderr
    assert {c["id"]: c["status"] for c in result.record["controls"]}["TENANT-ISOLATION"] == \
        "error"
    assert_clean(result, spy)
