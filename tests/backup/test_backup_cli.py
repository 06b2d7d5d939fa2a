"""`trustctl backup run | list | verify` through the real CLI: exit codes, output, no secret."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from catalog_copy import CHANGED_RETENTION_DAYS, longer_retention
from typer.testing import CliRunner

from backup.fixtures import BUCKET, SecretSpy, Source, take_backup
from trustctl.archive.location import Location
from trustctl.aws import AwsTarget
from trustctl.catalog import page_figures
from trustctl.cli import app
from trustctl.options import DEFAULT_DSN_ENV
from trustctl.paths import CATALOG_ENV


def cli(where: Location, *args: str, env: dict[str, str] | None = None):
    location = ["--bucket", where.bucket, "--region", where.target.region,
                "--endpoint-url", where.target.endpoint_url]
    return CliRunner().invoke(app, ["backup", *args[:1], *location, *args[1:]], env=env)


def assert_no_secret(source: Source, *texts: str) -> None:
    for secret in (source.pg.state()["password"], source.app_password):
        assert not any(secret in text for text in texts)


def test_run_list_verify(spy: SecretSpy, source: Source, locked_location: Location,
                         evidence_dir: Path) -> None:
    location = locked_location  # as production's bucket: Object Lock, COMPLIANCE
    run = cli(location, "run", "--kms-key", location.kms_key_id, "--format", "json",
              env={DEFAULT_DSN_ENV: source.dsn})
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["complete"] and summary["tables"] == 10 and summary["rows"] > 0
    assert summary["controls"][0]["status"] == "not_applicable"
    listed = cli(location, "list", "--format", "json")
    assert [b["backup_id"] for b in json.loads(listed.stdout)["backups"]] == [summary["backup_id"]]
    verified = cli(location, "verify", summary["backup_id"], "--format", "json")
    assert verified.exit_code == 0, verified.stdout
    report = json.loads(verified.stdout)
    assert report["ok"] and report["sha256"] == summary["object_sha256"]
    # one intact backup is not daily backups kept 35 days: not this command's to pass
    [control] = report["controls"]
    assert (control["id"], control["status"], control["findings"], control["checks"]) == (
        "BACKUP-DAILY-35D", "not_applicable", [], ["backup-verify"])
    assert control["owned_by"].startswith("trustctl evidence build (a complete backup every day")
    record = (evidence_dir / f"backup-{summary['backup_id']}.json").read_text()
    stored = json.loads(record)  # the record BACKUP-DAILY-35D's daily evidence is built from
    assert stored["kind"] == "backup" and stored["controls"][0]["status"] == "pass"
    assert stored["facts"]["object_sha256"] == summary["object_sha256"]
    assert "wrapped_data_key" not in stored["facts"]
    # where it came from, written by the store; signed, first of its chain in this directory
    assert stored["provenance"]["environment"] == {"name": "production"}
    assert stored["signature"]["algorithm"] == "ECDSA_P256_SHA256"
    assert_no_secret(source, run.stdout, run.stderr, listed.stdout, verified.stdout, record)
    spy.assert_absent(record)
    assert len(spy.data_keys) == 1
    spy.assert_absent(run.stdout, run.stderr, listed.stdout, listed.stderr, verified.stdout,
                      verified.stderr)


def test_a_backup_into_a_bucket_without_object_lock_is_kept_but_fails(
        spy: SecretSpy, source: Source, location: Location, evidence_dir: Path) -> None:
    """Nothing is lost (the backup is stored and recorded), but a backup anyone with delete
    rights can remove tomorrow is not one kept 35 days: BACKUP-DAILY-35D fails, exit 1, and
    `backup verify` says the same of it. It used to pass, exit 0."""
    run = cli(location, "run", "--kms-key", location.kms_key_id, "--format", "json",
              env={DEFAULT_DSN_ENV: source.dsn})
    assert run.exit_code == 1, run.stderr
    summary = json.loads(run.stdout)
    assert summary["complete"] and summary["retain_until"] is None
    problem = (f"s3://{BUCKET}/{summary['object_key']} has no Object Lock (none is enabled on "
               "the bucket, none was set on the object, or the reader lacks "
               "s3:GetObjectRetention): it can be deleted before "
               f"{page_figures().backup_retention_days} days")
    [control] = summary["controls"]
    assert (control["id"], control["status"], control["checks"]) == (
        "BACKUP-DAILY-35D", "fail", ["backup-run"])
    assert [(f["message"], f["resource"]) for f in control["findings"]] == [(problem, BUCKET)]
    assert run.stderr.splitlines()[-1] == f"trustctl: backup: BACKUP-DAILY-35D fail: {problem}"
    listed = json.loads(cli(location, "list", "--format", "json").stdout)["backups"]
    assert [(b["backup_id"], b["complete"]) for b in listed] == [(summary["backup_id"], True)]
    stored = json.loads((evidence_dir / f"backup-{summary['backup_id']}.json").read_text())
    assert stored["controls"][0]["status"] == "fail"  # not a day of backups kept as promised
    assert [f["message"] for f in stored["controls"][0]["findings"]] == [problem]
    verified = cli(location, "verify", summary["backup_id"])
    assert verified.exit_code == 1
    assert verified.stdout == f"backup {summary['backup_id']} FAILED verification: {problem}\n"
    spy.assert_absent(run.stdout, run.stderr, verified.stdout, verified.stderr)


def test_verify_follows_the_catalogs_retention(spy: SecretSpy, source: Source,
                                               locked_location: Location,
                                               tmp_path: Path) -> None:
    """Locked for the page's 35 days, a backup fails verification once the catalog in force
    promises 36."""
    manifest = take_backup(source, locked_location)
    assert cli(locked_location, "verify", manifest.backup_id).exit_code == 0
    verified = cli(locked_location, "verify", manifest.backup_id,
                   env={CATALOG_ENV: str(longer_retention(tmp_path))})
    assert verified.exit_code == 1
    assert (f"s3://{locked_location.bucket}/{manifest.object_key} is locked only until "
            in verified.stdout)
    assert f"not {CHANGED_RETENTION_DAYS} days after the backup" in verified.stdout


def test_retention_counts_from_the_backups_start(source: Source,
                                                 locked_location: Location) -> None:
    """A backup that took hours is kept 35 days from its start, as the lock was set at its
    start; one whose lock ends a minute short of its start + 35 days is not."""
    manifest = take_backup(source, locked_location)
    store = locked_location.store()
    hours_long = replace(manifest, finished_at=(manifest.started + timedelta(hours=5)).isoformat())
    assert store.retention(hours_long).problem is None
    started_later = replace(manifest, started_at=(
        manifest.started + timedelta(minutes=1)).isoformat())
    assert "is locked only until" in (store.retention(started_later).problem or "")


def test_run_judges_the_lock_it_set_without_reading_the_object(
        source: Source, locked_location: Location) -> None:
    """`backup run`'s role may not read objects (infra: no s3:GetObject): it judges the lock
    it set, so the judgment holds with the object out of its reach (here: gone)."""
    manifest = take_backup(source, locked_location)
    store = locked_location.store()
    store.s3.delete_object(Bucket=locked_location.bucket, Key=manifest.object_key)  # a marker
    assert store.retention_set(manifest).problem is None
    assert "has no Object Lock" in (store.retention_set(
        replace(manifest, retain_until=None)).problem or "")


def test_run_without_dsn_or_key_cannot_run(location: Location) -> None:
    no_dsn = cli(location, "run", "--kms-key", location.kms_key_id, env={DEFAULT_DSN_ENV: ""})
    assert no_dsn.exit_code == 2 and "TRUSTCTL_BACKUP_DSN" in no_dsn.stderr
    unreachable = cli(location, "run", "--kms-key", location.kms_key_id,
                      env={DEFAULT_DSN_ENV: "postgresql://u:Hidden-Pw@127.0.0.1:1/x"})
    assert unreachable.exit_code == 2 and "cannot connect" in unreachable.stderr
    assert "Hidden-Pw" not in unreachable.stderr + unreachable.stdout


@pytest.mark.parametrize(("cut", "reason"), [
    (lambda body: body[:-5000], "truncated"),
    (lambda body: body[:-900] + bytes([body[-900] ^ 1]) + body[-899:], "authentication failed"),
])
def test_verify_reads_to_the_end(spy: SecretSpy, source: Source, location: Location, cut,
                                 reason: str) -> None:
    manifest = take_backup(source, location)
    s3 = location.store().s3
    body = s3.get_object(Bucket=location.bucket, Key=manifest.object_key)["Body"].read()
    s3.put_object(Bucket=location.bucket, Key=manifest.object_key, Body=cut(body))
    result = cli(location, "verify", manifest.backup_id)
    assert result.exit_code == 1
    assert reason in result.stdout and len(result.stderr.strip().splitlines()) == 1
    assert spy.data_keys
    spy.assert_absent(result.stdout, result.stderr)


def test_incomplete_backup_is_listed_and_fails_verify(source: Source,
                                                      location: Location) -> None:
    manifest = take_backup(source, location)
    store = location.store()
    store.s3.delete_object(Bucket=store.bucket, Key=store.manifest_key(manifest.backup_id))
    listed = cli(location, "list")
    assert f"{manifest.backup_id}  INCOMPLETE  no manifest" in listed.stdout.splitlines()
    assert store.latest_complete() is None
    verified = cli(location, "verify", manifest.backup_id)
    assert verified.exit_code == 1 and "no manifest" in verified.stderr


def assert_could_not_run(result, says: str) -> None:
    """Exit 2, exactly one line on stderr saying why, no traceback, no stdout."""
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustctl: error:"), result.stderr
    assert says in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_verify_of_unknown_backup_id_cannot_run(location: Location) -> None:
    result = cli(location, "verify", "NOSUCHID")
    assert_could_not_run(result, f"no backup NOSUCHID in s3://{location.bucket}/backups/")


@pytest.mark.parametrize("command", [("list",), ("verify", "SOMEID"),
                                     ("run", "--kms-key", "alias/backup")])
def test_unreachable_aws_endpoint_cannot_run(source: Source, command: tuple[str, ...]) -> None:
    nowhere = Location(AwsTarget("eu-west-2", "http://127.0.0.1:1"), BUCKET, "backups", None)
    result = cli(nowhere, *command, env={DEFAULT_DSN_ENV: source.dsn})
    assert_could_not_run(result, "Could not connect to the endpoint URL")
    assert_no_secret(source, result.stdout, result.stderr)


@pytest.mark.parametrize(("region", "endpoint", "says"), [
    ("eu-west-2", "not a url", "not a valid AWS endpoint URL: not a url"),
    ("eu west", "http://127.0.0.1:1", "cannot make an AWS s3 client"),
])
def test_malformed_aws_location_cannot_run(region: str, endpoint: str, says: str) -> None:
    malformed = Location(AwsTarget(region, endpoint), BUCKET, "backups", None)
    assert_could_not_run(cli(malformed, "list"), says)


@pytest.mark.parametrize("dsn", ["postgresql://u:Hidden-Pw@127.0.0.1:notaport/x",
                                 "host=127.0.0.1 password='Hidden-Pw port=5",
                                 "postgresql://u:Hidden-Pw@127.0.0.1/x?sslmode=nonsense"])
def test_malformed_source_dsn_cannot_run(location: Location, dsn: str) -> None:
    result = cli(location, "run", "--kms-key", location.kms_key_id, env={DEFAULT_DSN_ENV: dsn})
    assert_could_not_run(result, "trustctl: error:")
    assert "Hidden-Pw" not in result.stderr
    assert location.store().backup_ids() == []  # nothing half-written


def test_boto3s_own_endpoint_variable_is_honoured(spy: SecretSpy, source: Source,
                                                  location: Location) -> None:
    """AWS_ENDPOINT_URL alone reaches moto (with its dummy credentials, not a real chain)."""
    take_backup(source, location)
    env = {"AWS_ENDPOINT_URL": location.target.endpoint_url, "TRUSTCTL_AWS_ENDPOINT": None,
           "AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    listed = CliRunner().invoke(app, ["backup", "list", "--bucket", location.bucket, "--region",
                                      location.target.region, "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)["backups"]) == 1


def test_list_has_a_header_row_over_its_columns(source: Source, location: Location) -> None:
    manifest = take_backup(source, location)
    header, *rows = cli(location, "list").stdout.splitlines()
    assert header.split() == ["BACKUP", "STATUS", "FINISHED", "BYTES", "TABLES"]
    row = next(r for r in rows if r.startswith(manifest.backup_id))
    assert row.split() == [manifest.backup_id, "complete", manifest.finished_at,
                           f"{manifest.object_bytes:,}", str(len(manifest.tables))]
    for column in ("STATUS", "FINISHED"):  # each value starts under its title
        assert row[header.index(column):].startswith(row.split()[1 if column == "STATUS" else 2])
    assert header.index("TABLES") + len("TABLES") == len(row)  # numbers end under theirs
