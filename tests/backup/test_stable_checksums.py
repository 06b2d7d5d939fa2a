"""Checksums survive a restore for every column type, OID-bearing ones included.

A restore renumbers enum labels and catalog objects; tables of enums, reg* types and domains,
arrays and composites over them must still match their manifest after a real backup and
restore (every Supabase project has enum columns in `auth`).
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from backup.fixtures import back_up, database_made_by
from trustctl.archive.location import Location
from trustctl.archive.reader import ReadProgress, read_dump
from trustctl.drill.restore import restore_archive
from trustctl.drill.scratch import LocalScratch
from trustctl.drill.tables import compare_tables
from trustctl.pg.connect import connect
from trustctl.pg.roles import RoleAllowlist
from trustctl.pg.server import LocalPostgres

SCHEMA = """
CREATE SCHEMA auth;
-- burn OIDs, so that the restored server (which starts counting afresh) numbers them differently
DO $$ BEGIN FOR i IN 1..40 LOOP EXECUTE format('CREATE TYPE pg_temp.t%s AS (x int)', i);
END LOOP; END $$;
CREATE TYPE auth.factor_type AS ENUM ('totp', 'webauthn', 'phone');
CREATE TYPE auth.factor_status AS ENUM ('unverified', 'verified');
CREATE DOMAIN auth.strong_factor AS auth.factor_type CHECK (VALUE <> 'phone');
CREATE TYPE auth.factor_pair AS (kind auth.factor_type, weight int);
CREATE TABLE auth.mfa_factors (
    id int, factor_type auth.factor_type, status auth.factor_status,
    strong auth.strong_factor, history auth.factor_type[], pair auth.factor_pair,
    pairs auth.factor_pair[], note text);
INSERT INTO auth.mfa_factors
SELECT i, (ARRAY['totp', 'webauthn', 'phone'])[1 + i % 3]::auth.factor_type,
       (ARRAY['unverified', 'verified'])[1 + i % 2]::auth.factor_status,
       (ARRAY['totp', 'webauthn'])[1 + i % 2]::auth.strong_factor,
       ARRAY['totp', 'phone']::auth.factor_type[], ROW('webauthn', i)::auth.factor_pair,
       ARRAY[ROW('totp', 1)::auth.factor_pair], 'note ' || i
FROM generate_series(1, 50) i;
CREATE TABLE public.catalog_refs (
    id int, rel regclass, fn regproc, fns regprocedure, typ regtype, nsp regnamespace,
    cfg regconfig, raw oid);
INSERT INTO public.catalog_refs VALUES
    (1, 'auth.mfa_factors', 'now', 'abs(integer)', 'auth.factor_type', 'auth', 'english', 42),
    (2, 'public.catalog_refs', 'textlen', 'upper(text)', 'integer', 'public', 'simple', 7);
-- json has no hash function: the md5-of-text method, with an enum in the row
CREATE TABLE auth.audit_log (id int, factor auth.factor_type, payload json);
INSERT INTO auth.audit_log VALUES (1, 'totp', '{"a": 1}'), (2, 'phone', '[]');
"""
NAIVE = "SELECT coalesce(sum(hash_record_extended(t, 0)), 0) FROM auth.mfa_factors AS t"


def test_oid_bearing_columns_checksum_the_same_after_restore(
        postgres_factory: Callable[[str], LocalPostgres], locked_location: Location) -> None:
    pg = postgres_factory("oid-types")
    source = database_made_by(pg, "oidtypes", SCHEMA)
    with psycopg.connect(pg.dsn("oidtypes"), autocommit=True) as conn:
        naive_source = conn.execute(NAIVE).fetchone()[0]

    manifest = back_up(source, locked_location)
    methods = {t.name: t.checksum.split(":")[0] for t in manifest.tables}
    assert methods == {"auth.mfa_factors": "hash", "public.catalog_refs": "hash",
                       "auth.audit_log": "md5"}
    scratch = LocalScratch()
    try:
        scratch.prepare_roles(manifest.roles, RoleAllowlist.default())
        dump = read_dump(locked_location.store(), locked_location.kms(), manifest,
                         ReadProgress(manifest.object_key))
        restore_archive(dump, manifest.dump_format, scratch, 1, lambda: None)
        with connect(scratch.dsn, autocommit=True) as conn:
            assert compare_tables(conn, manifest) == []
            # the bug this guards against: hashing the stored OIDs differs after the restore
            assert conn.execute(NAIVE).fetchone()[0] != naive_source
            conn.execute("UPDATE auth.mfa_factors SET status = 'verified' WHERE id = 2")
            assert compare_tables(conn, manifest) == [
                "table auth.mfa_factors: content checksum differs from the manifest"]
    finally:
        scratch.destroy()
