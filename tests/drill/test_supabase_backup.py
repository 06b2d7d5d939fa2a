"""Backing up Supabase as its non-superuser `postgres`: schemas it cannot read are left out
(--exclude-schema, or Supabase's documented list) and named in the manifest."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from typer.testing import CliRunner

from drill.supabase_source import SupabaseServer
from trustctl.archive.formats import BackupFailed
from trustctl.archive.location import Location
from trustctl.backup.exclusions import SUPABASE_INTERNAL_SCHEMAS
from trustctl.backup.run import BackupTarget, run_backup
from trustctl.cli import app
from trustctl.dsn import Dsn
from trustctl.options import DEFAULT_DSN_ENV

# Like Supabase's postgres: BYPASSRLS, reads what it was granted, and not Supabase's vault.
LIMITED_ROLE = """
CREATE SCHEMA vault;
CREATE TABLE vault.secrets (id int, secret bytea);
DO $$ BEGIN CREATE ROLE like_supabase_postgres LOGIN BYPASSRLS PASSWORD '{password}';
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
GRANT USAGE ON SCHEMA public, auth, storage, extensions TO like_supabase_postgres;
GRANT SELECT ON ALL TABLES IN SCHEMA public, auth, storage TO like_supabase_postgres;
"""
PASSWORD = "Not-A-Real-Secret-9"


@pytest.fixture
def limited_dsn(supabase_server: SupabaseServer) -> Iterator[str]:
    database = supabase_server.new_database()
    supabase_server.run(database, LIMITED_ROLE.format(password=PASSWORD))
    yield supabase_server.pg.dsn(database, "like_supabase_postgres", PASSWORD)
    # a role is the whole server's: left behind, every later test's backup of this server
    # would carry a BYPASSRLS role its restore withholds
    supabase_server.run(database, "DROP OWNED BY like_supabase_postgres; "
                                  "DROP ROLE like_supabase_postgres;")


def as_dsn(text: str) -> Dsn:
    return Dsn.parse(text, "the limited role's DSN")


def test_unreadable_schema_stops_the_backup_unless_excluded(limited_dsn: str,
                                                           locked_location: Location) -> None:
    where = locked_location
    target = BackupTarget(where.store(), where.kms(), where.kms_key_id)
    with pytest.raises((BackupFailed, psycopg.Error)) as refused:
        run_backup(as_dsn(limited_dsn), target, quiet=True)
    assert "permission denied for schema vault" in str(refused.value)
    manifest = run_backup(as_dsn(limited_dsn), target, quiet=True, excluded=("vault",))
    assert manifest.excluded_schemas == ["vault"]
    assert not [t for t in manifest.tables if t.schema == "vault"]
    assert {t.schema for t in manifest.tables} == {"public", "auth", "storage"}
    stored = where.store().get_manifest(manifest.backup_id)
    assert stored.excluded_schemas == ["vault"]
    assert {e.name for e in stored.extensions} == {"citext", "plpgsql"}


def test_supabase_default_exclusions_from_the_cli(limited_dsn: str,
                                                  locked_location: Location) -> None:
    where = locked_location
    run = CliRunner().invoke(app, [
        "backup", "run", "--bucket", where.bucket, "--region", where.target.region,
        "--endpoint-url", where.target.endpoint_url, "--kms-key", where.kms_key_id,
        "--exclude-supabase-internal", "--exclude-schema", "scratchpad", "--format", "json"],
        env={DEFAULT_DSN_ENV: limited_dsn})
    assert run.exit_code == 0, run.stderr
    manifest = where.store().get_manifest(json.loads(run.stdout)["backup_id"])
    assert manifest.excluded_schemas == ["scratchpad", *SUPABASE_INTERNAL_SCHEMAS]
    assert "vault" in manifest.excluded_schemas
    assert PASSWORD not in run.stdout + run.stderr
