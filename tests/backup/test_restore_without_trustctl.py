"""scripts/restore-without-trustctl.py on a real backup, with trustctl made unimportable.

The backup is taken by `trustctl backup run` (the real CLI) into the moto bucket; the script
runs in a child Python where `import trustctl` fails, so it can only succeed through the
documented format (docs/backup-format.md); its output is restored by the real pg_restore into
a fresh PostgreSQL, and every table's row count must match the manifest.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from backup.fixtures import Source
from trustctl.archive.location import Location
from trustctl.cli import app
from trustctl.dsn import Dsn
from trustctl.options import DEFAULT_DSN_ENV
from trustctl.pg.server import LocalPostgres, pg_tool

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "restore-without-trustctl.py"
# Runs the script with every trustctl import refused (sys.modules entry None = ImportError).
WITHOUT_TRUSTCTL = ("import runpy, sys; sys.modules['trustctl'] = None; sys.argv = sys.argv[1:]; "
                    "runpy.run_path(sys.argv[0], run_name='__main__')")


def backup_with_cli(source: Source, where: Location, *extra: str) -> dict:
    result = CliRunner().invoke(app, [
        "backup", "run", "--bucket", where.bucket, "--region", where.target.region,
        "--endpoint-url", where.target.endpoint_url, "--kms-key", where.kms_key_id,
        "--format", "json", *extra], env={DEFAULT_DSN_ENV: source.dsn})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def restore_without_trustctl(where: Location, backup_id: str,
                             out: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": where.target.endpoint_url,
           "AWS_DEFAULT_REGION": where.target.region, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run([sys.executable, "-c", WITHOUT_TRUSTCTL, str(SCRIPT), "--bucket",
                           where.bucket, "--backup-id", backup_id, "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=300)


def restore_with_postgres_tools(pg: LocalPostgres, archive: Path) -> Dsn:
    dsn = Dsn.parse(pg.dsn(), "the independent restore target")
    for tool, args in (("psql", ["-v", "ON_ERROR_STOP=1", "-f", f"{archive}.roles.sql"]),
                       ("pg_restore", ["--exit-on-error", str(archive)])):
        done = subprocess.run([str(pg_tool(tool)), *args, "-d", dsn.conninfo()],
                              env=dsn.child_env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return dsn


@pytest.mark.parametrize("jobs", ["1", "2"], ids=["custom", "directory-tar"])
def test_script_decrypts_a_real_backup_that_pg_restore_restores(
        source: Source, location: Location, postgres_factory: Callable[[str], LocalPostgres],
        tmp_path: Path, jobs: str) -> None:
    summary = backup_with_cli(source, location, "--jobs", jobs)
    manifest = location.store().get_manifest(summary["backup_id"])
    out = tmp_path / "restored"
    done = restore_without_trustctl(location, summary["backup_id"], out)
    assert done.returncode == 0, done.stderr
    assert manifest.dump_format in done.stdout
    assert not Path(f"{out}.partial").exists()
    with postgres_factory("independent") as pg:
        dsn = restore_with_postgres_tools(pg, out)
        with psycopg.connect(**dsn.libpq_params()) as conn:
            for table in manifest.tables:
                query = f'SELECT count(*) FROM "{table.schema}"."{table.table}"'
                assert conn.execute(query).fetchone()[0] == table.rows, table.name
    assert sum(t.rows for t in manifest.tables) > 0


def test_script_refuses_a_tampered_backup_and_writes_nothing(
        source: Source, location: Location, tmp_path: Path) -> None:
    summary = backup_with_cli(source, location)
    s3, key = location.store().s3, summary["object_key"]
    body = s3.get_object(Bucket=location.bucket, Key=key)["Body"].read()
    flipped = body[:-900] + bytes([body[-900] ^ 1]) + body[-899:]
    s3.put_object(Bucket=location.bucket, Key=key, Body=flipped)
    out = tmp_path / "restored"
    done = restore_without_trustctl(location, summary["backup_id"], out)
    assert done.returncode != 0 and "failed authentication" in done.stderr
    assert list(tmp_path.iterdir()) == []
