"""`trustctl backup run | list | verify` through the real CLI: exit codes, output, no secret."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from backup.fixtures import Source, take_backup
from trustctl.backup.settings import DEFAULT_DSN_ENV, Location
from trustctl.cli import app


def cli(where: Location, *args: str, env: dict[str, str] | None = None):
    location = ["--bucket", where.bucket, "--region", where.target.region,
                "--endpoint-url", where.target.endpoint_url]
    return CliRunner().invoke(app, ["backup", *args[:1], *location, *args[1:]], env=env)


def assert_no_secret(source: Source, *texts: str) -> None:
    for secret in (source.pg.state()["password"], source.app_password):
        assert not any(secret in text for text in texts)


def test_run_list_verify(source: Source, location: Location) -> None:
    run = cli(location, "run", "--kms-key", location.kms_key_id, "--format", "json",
              env={DEFAULT_DSN_ENV: source.dsn})
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["complete"] and summary["tables"] == 10 and summary["rows"] > 0
    listed = cli(location, "list", "--format", "json")
    assert [b["backup_id"] for b in json.loads(listed.stdout)["backups"]] == [summary["backup_id"]]
    verified = cli(location, "verify", summary["backup_id"], "--format", "json")
    assert verified.exit_code == 0, verified.stdout
    report = json.loads(verified.stdout)
    assert report["ok"] and report["sha256"] == summary["object_sha256"]
    assert report["controls"][0] == {"id": "BACKUP-DAILY-35D", "status": "pass", "findings": [],
                                     "checks": ["backup-verify"]}
    assert_no_secret(source, run.stdout, run.stderr, listed.stdout, verified.stdout)


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
def test_verify_reads_to_the_end(source: Source, location: Location, cut, reason: str) -> None:
    manifest = take_backup(source, location)
    s3 = location.store().s3
    body = s3.get_object(Bucket=location.bucket, Key=manifest.object_key)["Body"].read()
    s3.put_object(Bucket=location.bucket, Key=manifest.object_key, Body=cut(body))
    result = cli(location, "verify", manifest.backup_id)
    assert result.exit_code == 1
    assert reason in result.stdout and len(result.stderr.strip().splitlines()) == 1


def test_incomplete_backup_is_listed_and_fails_verify(source: Source,
                                                      location: Location) -> None:
    manifest = take_backup(source, location)
    store = location.store()
    store.s3.delete_object(Bucket=store.bucket, Key=store.manifest_key(manifest.backup_id))
    listed = cli(location, "list")
    assert f"{manifest.backup_id}  INCOMPLETE  no manifest" in listed.stdout
    assert store.latest_complete() is None
    verified = cli(location, "verify", manifest.backup_id)
    assert verified.exit_code == 1 and "no manifest" in verified.stderr
