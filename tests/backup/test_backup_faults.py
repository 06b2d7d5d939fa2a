"""`backup run` interrupted mid-upload (Ctrl-C, or SIGTERM as CI cancels a job): the multipart
upload is aborted and it says so; a password in PGPASSWORD serves pg_dump as it serves the
session; `--format json` carries the contract's controls."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backup.fixtures import Source
from trustctl import aws
from trustctl.archive.location import Location
from trustctl.cli import app
from trustctl.options import DEFAULT_DSN_ENV

HELD = Path(__file__).with_name("held_backup.py")


def location_args(where: Location) -> list[str]:
    return ["--bucket", where.bucket, "--region", where.target.region,
            "--endpoint-url", where.target.endpoint_url, "--kms-key", where.kms_key_id]


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_upload_is_aborted_and_said(source: Source, location: Location,
                                                 tmp_path: Path, how: int) -> None:
    process = subprocess.Popen(
        [sys.executable, str(HELD), "backup", "run", *location_args(location),
         "--evidence-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, DEFAULT_DSN_ENV: source.dsn})
    lines = []
    while line := process.stderr.readline():
        lines.append(line)
        if "upload begun" in line:
            break
    s3 = aws.client("s3", location.target)
    assert s3.list_multipart_uploads(Bucket=location.bucket).get("Uploads"), "".join(lines)
    process.send_signal(how)
    stdout, stderr = process.communicate(timeout=60)
    print(f"CASE backup run {how!r} mid-upload: exit {process.returncode}; "
          f"{stderr.splitlines()[:1]}")
    assert process.returncode == 130, stderr
    assert "multipart upload" in stderr and "aborted" in stderr
    assert stderr.splitlines()[-1] == ("trustctl: interrupted (SIGTERM)" if how == signal.SIGTERM
                                       else "trustctl: interrupted (Ctrl-C)")
    assert not s3.list_multipart_uploads(Bucket=location.bucket).get("Uploads")
    assert not s3.list_objects_v2(Bucket=location.bucket).get("Contents")
    assert stdout == "" and not list(tmp_path.glob("backup-*.json"))
    assert source.pg.state()["password"] not in stderr


def test_pgpassword_serves_pg_dump_as_it_serves_the_session(
        source: Source, locked_location: Location, tmp_path: Path) -> None:
    without = source.dsn.replace(f":{source.pg.state()['password']}@", "@")
    assert without != source.dsn
    result = CliRunner().invoke(
        app, ["backup", "run", *location_args(locked_location), "--evidence-dir", str(tmp_path),
              "--format", "json"],
        env={DEFAULT_DSN_ENV: without, "PGPASSWORD": source.pg.state()["password"]})
    print(f"CASE backup run with PGPASSWORD: exit {result.exit_code}; "
          f"{(result.stderr.splitlines() or [''])[-1]}")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["complete"] and summary["rows"] > 0
    # one backup shows itself taken and sealed, never that backups are daily and kept 35 days
    [control] = summary["controls"]
    assert (control["id"], control["status"], control["findings"], control["checks"]) == (
        "BACKUP-DAILY-35D", "not_applicable", [], ["backup-run"])
    assert control["owned_by"] == (
        "trustctl evidence build (a complete backup every day of the period) and trustctl audit "
        "(the backup plan, vault lock, bucket lock and latest backup, live)")
    assert source.pg.state()["password"] not in result.stdout + result.stderr


def test_an_unreachable_database_says_connection_refused_in_one_line(
        location: Location, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["backup", "run", *location_args(location), "--evidence-dir", str(tmp_path)],
        env={DEFAULT_DSN_ENV: "postgresql://backup:Hidden-Pw@127.0.0.1:1/claver"})
    print(f"CASE backup run, database down: exit {result.exit_code}; {result.stderr!r}")
    assert result.exit_code == 2
    assert result.stderr == ("trustctl: error: cannot connect to "
                             "postgresql://backup@127.0.0.1:1/claver (TRUSTCTL_BACKUP_DSN): "
                             "Connection refused\n")
