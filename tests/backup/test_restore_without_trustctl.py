"""scripts/restore-without-trustctl.py on a real backup, with trustctl made unimportable.

The backup is taken by `trustctl backup run` (the real CLI) into the moto bucket; the script
runs in a child Python where `import trustctl` fails, so it can only succeed through the
documented format (docs/backup-format.md); its output is restored by the real pg_restore into
a fresh PostgreSQL, and every table's row count must match the manifest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import zstandard
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from typer.testing import CliRunner

from backup.fixtures import Source
from trustctl.archive.envelope import DataKey, Header, context_digest, encrypt
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
    # stored whole; BACKUP-DAILY-35D fails only because the tests' bucket has no Object Lock
    # (they tamper with objects in place)
    assert result.exit_code == 1, result.stderr
    summary = json.loads(result.stdout)
    assert [" has no Object Lock " in f["message"]
            for f in summary["controls"][0]["findings"]] == [True]
    return summary


def restore_without_trustctl(where: Location, backup_id: str, out: Path,
                             *extra: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": where.target.endpoint_url,
           "AWS_DEFAULT_REGION": where.target.region, "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing"}
    return subprocess.run([sys.executable, "-c", WITHOUT_TRUSTCTL, str(SCRIPT), "--bucket",
                           where.bucket, "--backup-id", backup_id, "--out", str(out), *extra],
                          env=env, capture_output=True, text=True, timeout=300)


def restore_with_postgres_tools(pg: LocalPostgres, archive: Path) -> Dsn:
    dsn = Dsn.parse(pg.dsn(), "the independent restore target")
    for tool, args in (("psql", ["-v", "ON_ERROR_STOP=1", "-f", f"{archive}.roles.sql"]),
                       ("pg_restore", ["--exit-on-error", str(archive)])):
        done = subprocess.run([str(pg_tool(tool)), *args, "-d", dsn.conninfo()],
                              env=dsn.child_env(), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return dsn


@pytest.mark.parametrize("options", [["--jobs", "1"], ["--jobs", "2"],
                                     ["--jobs", "2", "--dump-format", "directory"]],
                         ids=["custom", "directory-tar", "directory"])
def test_script_decrypts_a_real_backup_that_pg_restore_restores(
        source: Source, location: Location, postgres_factory: Callable[[str], LocalPostgres],
        tmp_path: Path, options: list[str]) -> None:
    summary = backup_with_cli(source, location, *options)
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


class OldFormatKey(DataKey):
    """Envelope version 1 sealed its chunks under the data key itself."""

    def cipher(self) -> AESGCM:
        return AESGCM(bytes(self._key))


def as_old_format(where: Location, manifest_id: str, plaintext: bytes) -> str:
    """The backup as trustctl wrote it before manifests were sealed (format 1, envelope 1)."""
    store, kms = where.store(), where.kms()
    manifest = store.get_manifest(manifest_id)
    backup_id = manifest_id[:-6] + "0ld0ld"
    object_key = store.object_key(backup_id)
    context = {"trustctl:backup-id": backup_id, "trustctl:object": object_key}
    made = kms.generate_data_key(KeyId=where.kms_key_id, KeySpec="AES_256",
                                 EncryptionContext=context)
    header = Header(where.kms_key_id, made["CiphertextBlob"], context_digest(context),
                    nonce_prefix=os.urandom(8), version=1)
    compressed = [zstandard.ZstdCompressor().compress(plaintext)]
    with OldFormatKey(made["Plaintext"]) as key:
        blob = b"".join(encrypt(compressed, header, key))
    store.s3.put_object(Bucket=where.bucket, Key=object_key, Body=blob)
    old = {k: v for k, v in json.loads(manifest.to_bytes()).items()
           if k not in ("authentication", "source_identity")}
    store.s3.put_object(Bucket=where.bucket, Key=store.manifest_key(backup_id), Body=json.dumps({
        **old, "format": "trustctl-backup-manifest/1", "backup_id": backup_id,
        "object_key": object_key, "object_version": None, "object_bytes": len(blob),
        "object_sha256": hashlib.sha256(blob).hexdigest(), "encryption_context": context,
        "wrapped_data_key": base64.b64encode(made["CiphertextBlob"]).decode()}).encode())
    return backup_id


def test_script_reads_an_old_backup_only_when_told_it_is_unauthenticated(
        source: Source, location: Location, tmp_path: Path) -> None:
    """The 35 days after the upgrade: backups of format 1 restore by hand, knowingly."""
    summary = backup_with_cli(source, location)
    current = tmp_path / "current.custom"
    assert restore_without_trustctl(location, summary["backup_id"], current).returncode == 0
    old_id = as_old_format(location, summary["backup_id"], current.read_bytes())
    refused = restore_without_trustctl(location, old_id, tmp_path / "refused")
    assert refused.returncode != 0
    assert "'trustctl-backup-manifest/1' refused" in refused.stderr
    assert not (tmp_path / "refused").exists()
    out = tmp_path / "old.custom"
    done = restore_without_trustctl(location, old_id, out, "--unauthenticated-v1")
    assert done.returncode == 0, done.stderr
    assert "(NOT authenticated)" in done.stdout and "not authenticated" in done.stderr
    assert out.read_bytes() == current.read_bytes()


def test_script_refuses_a_forged_manifest(source: Source, location: Location,
                                          tmp_path: Path) -> None:
    summary = backup_with_cli(source, location)
    key = location.store().manifest_key(summary["backup_id"])
    s3 = location.store().s3
    manifest = json.loads(s3.get_object(Bucket=location.bucket, Key=key)["Body"].read())
    manifest["tables"][0]["rows"] += 1
    s3.put_object(Bucket=location.bucket, Key=key, Body=json.dumps(manifest).encode())
    done = restore_without_trustctl(location, summary["backup_id"], tmp_path / "restored")
    assert done.returncode != 0
    assert "manifest field(s) tables fail authentication" in done.stderr
    assert list(tmp_path.iterdir()) == []
